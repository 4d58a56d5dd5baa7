//! What `koctl status` and the desktop's overview show first.

use crate::{Actor, Api, ApiError, Result};
use ko_store::clusters::{self, Counts};
use ko_store::migrations;
use serde::Serialize;
use std::path::PathBuf;

/// The state of this installation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StatusReport {
    /// App version.
    pub version: &'static str,
    /// Data dir.
    pub data_dir: PathBuf,
    /// Database file.
    pub database: PathBuf,
    /// Schema version of the database.
    pub schema_version: u32,
    /// Keychain backend of this platform.
    pub keychain_backend: &'static str,
    /// Why the keychain cannot be used, if it cannot.
    pub keychain_error: Option<String>,
    /// Who is acting.
    pub actor: String,
    /// How many of each object exist.
    pub counts: Counts,
    /// The phases of a cluster deployment, in order (where `--until` may stop one).
    pub deploy_phases: Vec<&'static str>,
}

impl Api {
    /// The state of this installation: paths, schema, keychain, counts.
    pub async fn status(&self, actor: &Actor) -> Result<StatusReport> {
        let (schema_version, counts) =
            self.db.read(|c| Ok::<_, ApiError>((migrations::version(c)?, clusters::counts(c)?))).await?;
        let keychain = self.keychain.clone();
        let probe = tokio::task::spawn_blocking(move || keychain.probe())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(StatusReport {
            version: env!("CARGO_PKG_VERSION"),
            data_dir: self.data_dir.clone(),
            database: self.db.path().map(Into::into).unwrap_or_default(),
            schema_version,
            keychain_backend: self.keychain.backend(),
            keychain_error: probe.err().map(|e| e.to_string()),
            actor: actor.name.clone(),
            counts,
            deploy_phases: crate::CREATE_PLAYBOOKS.to_vec(),
        })
    }
}
