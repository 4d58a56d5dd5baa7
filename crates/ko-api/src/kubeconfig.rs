//! The kubeconfig a user exports for a deployed cluster: the cluster's CA (fetched from the first
//! master by the control-plane phase), the API address this machine reaches (the VIP with an
//! external load balancer, else the first master), and the `ko-admin` token the post phase kept
//! in the secret store. Nothing of it is stored in plain text by the app; the file is written only
//! where the user asks.

use crate::refusals::ClusterRefusal;
use crate::{Actor, Api, ApiError, Permission, Result};
use base64::Engine;
use ko_deploy::{ADMIN_TOKEN, ClusterSecrets};
use ko_secrets::Sensitive;

impl Api {
    /// The kubeconfig of cluster `name` (cluster-admin through `ko-admin`), for the actor who may
    /// operate it. Refused, saying which phase is missing, before the cluster has its CA and token.
    pub async fn cluster_kubeconfig(&self, actor: &Actor, name: &str) -> Result<Sensitive<String>> {
        self.audited(actor, "cluster.kubeconfig", name, async {
            let cluster = self.cluster_row(name).await?;
            let p = Permission::OperateCluster { project_id: cluster.project_id, cluster_id: cluster.id };
            self.authorize(actor, p, "export this cluster's kubeconfig").await?;
            let spec = ko_deploy::spec_of(&cluster)?;
            let ca_path = self.deployer().cluster_dir(name).join("kubernetes/ca.crt");
            let ca = std::fs::read(&ca_path).map_err(|_| ClusterRefusal::NotDeployed {
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
            let ca_data = base64::engine::general_purpose::STANDARD.encode(ca);
            Ok(Sensitive::new(format!(
                "apiVersion: v1\nkind: Config\nclusters:\n  - name: {name}\n    cluster:\n      server: {server}\n      \
                 certificate-authority-data: {ca_data}\nusers:\n  - name: ko-admin@{name}\n    user:\n      token: {token}\n\
                 contexts:\n  - name: {name}\n    context:\n      cluster: {name}\n      user: ko-admin@{name}\n\
                 current-context: {name}\n",
                token = token.expose()
            )))
        })
        .await
    }
}
