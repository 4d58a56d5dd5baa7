//! `koctl secrets passphrase`

use crate::cli::{Format, SecretsCmd};
use crate::output::done;
use crate::vault_passphrase::KoctlPassphrase;
use anyhow::Result;
use ko_api::{Actor, Api};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: SecretsCmd) -> Result<ExitCode> {
    match cmd {
        SecretsCmd::Passphrase { new_passphrase_file } => {
            // the current passphrase opens the vault first (from its usual source), then the new one
            api.secrets_probe().await?;
            let new = KoctlPassphrase::new_passphrase(new_passphrase_file.as_deref())?;
            api.secrets_change_passphrase(actor, new).await?;
            done(f, "the secrets vault has its new passphrase; the old one opens nothing any more");
        }
    }
    Ok(ExitCode::SUCCESS)
}
