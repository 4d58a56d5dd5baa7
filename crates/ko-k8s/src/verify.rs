//! The check an import makes before anything is stored: the API server answers over TLS that
//! chains to the given CA, accepts the credential as a named (not anonymous) user, says its
//! version, and lets that user list the nodes.

use crate::{ClusterAccess, Error, NodeSummary, Result};
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::{Namespace, Node};
use kube::api::{ListParams, PostParams};
use serde::Serialize;

/// What the API server said about a credential that works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verified {
    /// The user the credential authenticates as (empty when the server is too old to say).
    pub user: String,
    /// That user's groups.
    pub groups: Vec<String>,
    /// The API server's version (`v1.34.2`).
    pub version: String,
    /// Its platform (`linux/amd64`).
    pub platform: String,
    /// The nodes.
    pub nodes: Vec<NodeSummary>,
}

/// Checks `access` against its API server (see the module doc), each failure a specific error.
pub async fn verify(access: &ClusterAccess) -> Result<Verified> {
    let client = access.client()?;
    let server = access.server.as_str();
    let info = client.apiserver_version().await.map_err(|e| Error::from_kube(server, e))?;
    let (user, groups) = who_am_i(&client, server).await?;
    if user == "system:anonymous" {
        return Err(Error::Unauthorized { server: server.into() });
    }
    let nodes = kube::Api::<Node>::all(client).list(&ListParams::default()).await.map_err(|e| {
        Error::from_kube(server, e).attempting("list the nodes (the app needs cluster-wide read access)")
    })?;
    Ok(Verified {
        user,
        groups,
        version: info.git_version,
        platform: info.platform,
        nodes: nodes.items.iter().map(NodeSummary::of).collect(),
    })
}

/// The user and groups the credential authenticates as, from a SelfSubjectReview (Kubernetes
/// 1.28 and later); an older server only shows the credential works by answering a list.
async fn who_am_i(client: &kube::Client, server: &str) -> Result<(String, Vec<String>)> {
    let reviews = kube::Api::<SelfSubjectReview>::all(client.clone());
    match reviews.create(&PostParams::default(), &SelfSubjectReview::default()).await {
        Ok(r) => {
            let info = r.status.and_then(|s| s.user_info).unwrap_or_default();
            Ok((info.username.unwrap_or_default(), info.groups.unwrap_or_default()))
        }
        Err(kube::Error::Api(s)) if s.code == 404 => {
            kube::Api::<Namespace>::all(client.clone())
                .list(&ListParams::default().limit(1))
                .await
                .map_err(|e| Error::from_kube(server, e).attempting("list namespaces"))?;
            Ok((String::new(), Vec::new()))
        }
        Err(e) => Err(Error::from_kube(server, e)),
    }
}
