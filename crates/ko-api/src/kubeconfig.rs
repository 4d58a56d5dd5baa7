//! The kubeconfig a user exports for a cluster: what the app reaches its API server with
//! ([`Api::cluster_access`]) — for a deployed cluster cluster-admin through `ko-admin`. Nothing
//! of it is stored in plain text by the app; the file is written only where the user asks.

use crate::{Actor, Api, Permission, Result};
use ko_secrets::Sensitive;

impl Api {
    /// The kubeconfig of cluster `name`, for the actor who may operate it. Refused, saying which
    /// phase is missing, before a deployed cluster has its CA and token.
    pub async fn cluster_kubeconfig(&self, actor: &Actor, name: &str) -> Result<Sensitive<String>> {
        self.audited(actor, "cluster.kubeconfig", name, async {
            let cluster = self.cluster_row(name).await?;
            let p = Permission::OperateCluster { project_id: cluster.project_id, cluster_id: cluster.id };
            self.authorize(actor, p, "export this cluster's kubeconfig").await?;
            Ok(self.cluster_access(&cluster).await?.to_kubeconfig(name))
        })
        .await
    }
}
