//! How the app reaches a cluster's API server ([`ko_k8s::ClusterAccess`]). A deployed cluster:
//! the CA its control-plane phase fetched, the `ko-admin` token its post phase kept in the secret
//! store, and the address this machine reaches (the VIP with an external load balancer, else the
//! first master). An imported cluster: the endpoint recorded at import, and the credential kept in
//! the secret store under [`api_credential_key`].

use crate::refusals::ClusterRefusal;
use crate::{Api, ApiError, Cluster, Result};
use ko_deploy::{ADMIN_TOKEN, ClusterSecrets};
use ko_k8s::{ClusterAccess, Credential};
use ko_secrets::from_stored_json;
use ko_store::cluster_api;

/// The provider of clusters the app did not create.
pub(crate) const IMPORTED: &str = "import";

/// The secret store entry of an imported cluster's credential.
pub(crate) fn api_credential_key(cluster: &str) -> String {
    format!("cluster-api/{cluster}")
}

impl Api {
    /// The access to `cluster`'s API server; refused, naming the phase, for a deployed cluster
    /// whose deployment has not made its CA or token yet.
    pub(crate) async fn cluster_access(&self, cluster: &Cluster) -> Result<ClusterAccess> {
        if cluster.provider == IMPORTED {
            return self.imported_access(cluster).await;
        }
        let name = cluster.name.as_str();
        let spec = ko_deploy::spec_of(cluster)?;
        let ca_path = self.deployer().cluster_dir(name).join("kubernetes/ca.crt");
        let ca = std::fs::read_to_string(&ca_path).map_err(|_| ClusterRefusal::NotDeployed {
            cluster: name.to_string(),
            what: "Kubernetes CA",
            stage: "control-plane",
        })?;
        let (store, n) = (self.secrets.clone(), name.to_string());
        let nodes: Vec<String> = spec.nodes.iter().map(|n| n.host.clone()).collect();
        let token = tokio::task::spawn_blocking(move || {
            Ok::<_, ApiError>(ClusterSecrets::load(&store, &n, &nodes)?.kept(ADMIN_TOKEN).cloned())
        })
        .await??
        .ok_or_else(|| ClusterRefusal::NotDeployed {
            cluster: name.to_string(),
            what: "ko-admin token in the secret store",
            stage: "post",
        })?;
        let inv = self.deployer().stored_inventory(&spec).await?;
        let lb = ko_deploy::lb_vars(&spec, &inv);
        let kube = ko_deploy::kube_vars(&spec, &inv, lb["endpoint"].as_str().unwrap_or_default());
        let server = kube["api_url"].as_str().unwrap_or_default();
        Ok(ClusterAccess::with_token(server, Some(ca), token)?)
    }

    async fn imported_access(&self, cluster: &Cluster) -> Result<ClusterAccess> {
        let id = cluster.id;
        let endpoint = self
            .db
            .read(move |c| cluster_api::endpoint(c, id))
            .await?
            .ok_or_else(|| ApiError::Internal(format!("imported cluster {} has no API endpoint", cluster.name)))?;
        let (store, key) = (self.secrets.clone(), api_credential_key(&cluster.name));
        let credential: Credential =
            tokio::task::spawn_blocking(move || from_stored_json(&key, &store.get(&key)?)).await??;
        Ok(ClusterAccess {
            server: endpoint.server,
            ca_pem: endpoint.ca_pem,
            tls_server_name: endpoint.tls_server_name,
            credential,
        })
    }

    /// Removes an imported cluster's credential from the secret store (nothing to remove is fine).
    pub(crate) async fn forget_api_credential(&self, cluster: &str) -> Result<()> {
        let (store, key) = (self.secrets.clone(), api_credential_key(cluster));
        tokio::task::spawn_blocking(move || match store.delete(&key) {
            Ok(()) | Err(ko_secrets::SecretError::Missing(_)) => Ok(()),
            Err(e) => Err(ApiError::from(e)),
        })
        .await?
    }
}
