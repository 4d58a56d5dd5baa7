//! Where a data dir keeps its secrets — the OS keychain or the encrypted vault file — chosen once
//! and recorded, and what the app tells about it (status, unlock).
//!
//! The choice is made when a data dir is first opened: what the process asks for (`koctl
//! --secrets`, `KO_SECRETS`), else the OS keychain when one answers (locked or not), else the
//! vault (a headless machine). It is recorded in the settings, so a data dir never silently moves its secrets: a
//! keychain that stops answering later is reported as such, not replaced by an empty vault. A data
//! dir written before the choice existed keeps its secrets in the keychain, where they are.

use crate::{Actor, Api, ApiError, Permission, Result};
use ko_secrets::vault::VAULT_FILE;
use ko_secrets::{PassphraseSource, SecretStore, Sensitive, StoreKind, StoreState};
use ko_store::settings;
use serde::Serialize;
use std::path::Path;

/// The settings key of the recorded choice.
const SETTING: &str = "secret_store";

/// What a process asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SecretsChoice {
    /// The recorded choice; for a new data dir the OS keychain when it answers, else the vault.
    #[default]
    Auto,
    /// The OS keychain.
    Keychain,
    /// The encrypted vault file.
    Vault,
}

impl std::str::FromStr for SecretsChoice {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "keychain" => Ok(Self::Keychain),
            "vault" => Ok(Self::Vault),
            other => Err(format!("'{other}' is not a secret store: auto, keychain or vault")),
        }
    }
}

/// How a process opens the data dir's secrets.
#[derive(Default)]
pub struct SecretsConfig {
    /// Which store it asks for.
    pub choice: SecretsChoice,
    /// Where the vault's passphrase comes from when a secret is first needed; without one the
    /// vault stays sealed until [`Api::secrets_unlock`].
    pub passphrase: Option<Box<dyn PassphraseSource>>,
}

/// The secret store as the status and the overview show it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SecretsStatus {
    /// The OS keychain or the vault file.
    pub kind: StoreKind,
    /// What keeps them ("Secret Service over D-Bus", "encrypted vault file /path/secrets.vault").
    pub backend: String,
    /// Whether they can be used now.
    pub state: StoreState,
    /// Why it cannot be used now, and how to fix that.
    pub problem: Option<String>,
    /// The code of that problem (`keychain.locked`, `keychain.unavailable`...).
    pub problem_code: Option<&'static str>,
}

fn kind_of(value: &serde_json::Value) -> Option<StoreKind> {
    serde_json::from_value(value.clone()).ok()
}

fn store_of(kind: StoreKind, data_dir: &Path, config: SecretsConfig) -> SecretStore {
    match kind {
        StoreKind::Keychain => SecretStore::os_keychain(),
        StoreKind::Vault => SecretStore::vault(data_dir.join(VAULT_FILE), config.passphrase),
    }
}

/// The data dir's secret store: the recorded one, or the one chosen now and recorded.
pub(crate) fn open(db: &ko_store::Db, data_dir: &Path, config: SecretsConfig) -> Result<SecretStore> {
    let asked = match config.choice {
        SecretsChoice::Auto => None,
        SecretsChoice::Keychain => Some(StoreKind::Keychain),
        SecretsChoice::Vault => Some(StoreKind::Vault),
    };
    let (recorded, has_secrets) = db.write_now(|tx| {
        Ok::<_, ApiError>((settings::value(tx, SETTING)?.as_ref().and_then(kind_of), settings::has_stored_secrets(tx)?))
    })?;
    let kind = match (recorded, asked) {
        (Some(r), None) => r,
        (Some(r), Some(a)) if r == a => r,
        (Some(r), Some(a)) if has_secrets => {
            return Err(ApiError::SecretsSwitch { recorded: r.as_str(), asked: a.as_str() });
        }
        (_, Some(a)) => a,
        // written before the choice existed: its secrets are in the keychain
        (None, None) if has_secrets => StoreKind::Keychain,
        (None, None) if data_dir.join(VAULT_FILE).exists() => StoreKind::Vault,
        // a keychain that answers, even locked, is the one to use
        (None, None) => match SecretStore::os_keychain().probe() {
            Err(e @ ko_secrets::SecretError::Unavailable { .. }) => {
                tracing::info!(error = %e, "no OS keychain answers: this data dir keeps its secrets in a vault file");
                StoreKind::Vault
            }
            _ => StoreKind::Keychain,
        },
    };
    if recorded != Some(kind) {
        let value = serde_json::json!(kind.as_str());
        db.write_now(|tx| Ok::<_, ApiError>(settings::set_value(tx, SETTING, &value)?))?;
    }
    Ok(store_of(kind, data_dir, config))
}

impl Api {
    /// Where the secrets are kept and whether they can be used now (never asks a passphrase).
    pub async fn secrets_status(&self) -> Result<SecretsStatus> {
        let store = self.secrets.clone();
        let (state, problem) = tokio::task::spawn_blocking(move || store.state()).await?;
        Ok(SecretsStatus {
            kind: self.secrets.kind(),
            backend: self.secrets.describe(),
            state,
            problem_code: problem.as_ref().map(|e| e.code()),
            problem: problem.map(|e| e.to_string()),
        })
    }

    /// Opens the store now rather than at the first secret: connects to the keychain, or unlocks
    /// the vault when the passphrase source has the passphrase. What fails shows in the status.
    pub async fn secrets_probe(&self) -> Result<()> {
        let store = self.secrets.clone();
        tokio::task::spawn_blocking(move || store.probe()).await??;
        Ok(())
    }

    /// Gives the vault its passphrase (a system administrator): opens it, or with `create` makes
    /// a new one. A wrong passphrase is refused and leaves it sealed.
    pub async fn secrets_unlock(&self, actor: &Actor, passphrase: Sensitive<String>, create: bool) -> Result<()> {
        self.audited(actor, "secrets.unlock", self.secrets.kind().as_str(), async {
            self.authorize(actor, Permission::ManageSystem, "unlock the secrets vault").await?;
            let store = self.secrets.clone();
            tokio::task::spawn_blocking(move || store.unlock_vault(&passphrase, create)).await??;
            Ok(())
        })
        .await
    }

    /// Gives the secrets vault a new passphrase (a system administrator; the vault must be open):
    /// every secret is re-encrypted, and the old passphrase opens nothing afterwards.
    pub async fn secrets_change_passphrase(&self, actor: &Actor, new: Sensitive<String>) -> Result<()> {
        self.audited(actor, "secrets.passphrase", self.secrets.kind().as_str(), async {
            self.authorize(actor, Permission::ManageSystem, "change the secrets vault's passphrase").await?;
            let store = self.secrets.clone();
            tokio::task::spawn_blocking(move || store.change_vault_passphrase(&new)).await??;
            Ok(())
        })
        .await
    }
}
