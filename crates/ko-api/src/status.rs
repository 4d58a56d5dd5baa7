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
    /// Where the secrets are kept, and whether they can be used now.
    pub secrets: crate::SecretsStatus,
    /// Who is acting.
    pub actor: String,
    /// How many of each object exist.
    pub counts: Counts,
    /// The phases of a cluster deployment, in order (where `--until` may stop one).
    pub deploy_phases: Vec<crate::Stage>,
}

impl Api {
    /// The state of this installation: paths, schema, secret store, counts.
    pub async fn status(&self, actor: &Actor) -> Result<StatusReport> {
        let (schema_version, counts) =
            self.db.read(|c| Ok::<_, ApiError>((migrations::version(c)?, clusters::counts(c)?))).await?;
        let secrets = self.secrets_status().await?;
        Ok(StatusReport {
            version: env!("CARGO_PKG_VERSION"),
            data_dir: self.data_dir.clone(),
            database: self.db.path().map(Into::into).unwrap_or_default(),
            schema_version,
            secrets,
            actor: actor.name.clone(),
            counts,
            deploy_phases: crate::Stage::DEPLOYMENT.to_vec(),
        })
    }
}
