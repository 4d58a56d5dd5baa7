//! Kubernetes versions available for new clusters.

use crate::error::must_exist;
use crate::{Actor, Api, Permission, Result};
use ko_store::versions::{self, KubernetesVersion};

impl Api {
    /// All known versions, newest first.
    pub async fn version_list(&self, actor: &Actor) -> Result<Vec<KubernetesVersion>> {
        self.authorize(actor, Permission::ViewVersions, "view Kubernetes versions").await?;
        Ok(self.db.read(versions::list).await?)
    }

    /// Enables or disables a version for new clusters.
    pub async fn version_set_enabled(&self, actor: &Actor, version: &str, enabled: bool) -> Result<()> {
        let action = if enabled { "version.enable" } else { "version.disable" };
        self.audited(actor, action, version, async {
            self.authorize(actor, Permission::ManageSystem, "enable or disable Kubernetes versions").await?;
            let v = version.to_string();
            self.db.write(move |tx| must_exist(versions::set_enabled(tx, &v, enabled)?, "version", v)).await
        })
        .await
    }
}
