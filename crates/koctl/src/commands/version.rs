//! `koctl version ...`

use crate::cli::{Format, VersionCmd};
use crate::output::{Table, done, emit, yes_no};
use anyhow::Result;
use ko_api::{Actor, Api, KubernetesVersion};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: VersionCmd) -> Result<ExitCode> {
    match cmd {
        VersionCmd::List => {
            let all = api.version_list(actor).await?;
            emit(f, &all, |all: &Vec<KubernetesVersion>| {
                let mut t = Table::new(&["VERSION", "ENABLED", "SOURCE"]);
                for v in all {
                    t.row([v.version.as_str(), yes_no(v.enabled), &v.source]);
                }
                t
            })?;
        }
        VersionCmd::Enable { name: version } => {
            api.version_set_enabled(actor, &version, true).await?;
            done(f, &format!("{version} enabled for new clusters"));
        }
        VersionCmd::Disable { name: version } => {
            api.version_set_enabled(actor, &version, false).await?;
            done(f, &format!("{version} disabled for new clusters"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
