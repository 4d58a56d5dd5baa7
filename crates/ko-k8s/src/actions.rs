//! What a cluster admin does to objects from the views, as kubectl does it: cordon and uncordon a
//! node, drain it (evictions, retried while a disruption budget says not yet), delete a pod,
//! restart a workload (a new template annotation, as `kubectl rollout restart`), scale one.

use crate::{ClusterAccess, Error, Result};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::api::{DeleteParams, EvictParams, ListParams, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The workloads that restart and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    /// A Deployment.
    Deployment,
    /// A StatefulSet.
    StatefulSet,
    /// A DaemonSet (restarts; does not scale).
    DaemonSet,
}

/// How long a drain keeps trying an eviction a disruption budget refuses, and the pause between
/// tries — the policy, in one place.
#[derive(Debug, Clone, Copy)]
pub struct EvictionPatience {
    /// Give up on a pod after this long.
    pub give_up_after: Duration,
    /// Wait this long before trying again.
    pub pause: Duration,
}

impl Default for EvictionPatience {
    fn default() -> Self {
        Self { give_up_after: Duration::from_secs(120), pause: Duration::from_secs(1) }
    }
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DrainReport {
    /// Pods evicted (`namespace/name`).
    pub evicted: Vec<String>,
    /// Pods left alone: DaemonSet pods (their controller would put them back) and static pods.
    pub skipped: Vec<String>,
    /// Evictions refused for a while by a disruption budget before they went through.
    pub retried: u32,
}

fn from_kube(access: &ClusterAccess, what: &str) -> impl Fn(kube::Error) -> Error {
    let (server, what) = (access.server.clone(), what.to_string());
    move |e| Error::from_kube(&server, e).attempting(&what)
}

/// Marks node `name` (un)schedulable.
pub async fn set_schedulable(access: &ClusterAccess, name: &str, schedulable: bool) -> Result<()> {
    let patch = serde_json::json!({"spec": {"unschedulable": !schedulable}});
    Api::<Node>::all(access.client()?)
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(from_kube(access, &format!("change node {name}")))?;
    Ok(())
}

/// Cordons node `name` and evicts its pods (not DaemonSet or static ones), trying each eviction
/// again while a disruption budget refuses it (`429`), up to `patience`.
pub async fn drain(access: &ClusterAccess, name: &str, patience: EvictionPatience) -> Result<DrainReport> {
    set_schedulable(access, name, false).await?;
    let client = access.client()?;
    let pods = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().fields(&format!("spec.nodeName={name}")))
        .await
        .map_err(from_kube(access, &format!("list the pods of node {name}")))?;
    let mut report = DrainReport::default();
    for pod in pods.items {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let key = format!("{ns}/{pod_name}");
        let daemon = pod.metadata.owner_references.iter().flatten().any(|o| o.kind == "DaemonSet");
        let mirror = pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
        if daemon || mirror {
            report.skipped.push(key);
            continue;
        }
        let api = Api::<Pod>::namespaced(client.clone(), &ns);
        let started = tokio::time::Instant::now();
        loop {
            match api.evict(&pod_name, &EvictParams::default()).await {
                Ok(_) => break,
                Err(kube::Error::Api(s)) if s.code == 404 => break,
                Err(kube::Error::Api(s)) if s.code == 429 && started.elapsed() < patience.give_up_after => {
                    report.retried += 1;
                    tokio::time::sleep(patience.pause).await;
                }
                Err(kube::Error::Api(s)) if s.code == 429 => {
                    return Err(Error::Api {
                        server: access.server.clone(),
                        code: 429,
                        message: format!(
                            "gave up trying to evict pod {key} after {:.1} s ({}); the node stays cordoned — check the \
                             pod's disruption budget, then drain again",
                            started.elapsed().as_secs_f64(),
                            s.message
                        ),
                    });
                }
                Err(e) => return Err(from_kube(access, &format!("evict pod {key}"))(e)),
            }
        }
        report.evicted.push(key);
    }
    Ok(report)
}

/// Deletes pod `namespace/name` (its controller makes a new one).
pub async fn delete_pod(access: &ClusterAccess, namespace: &str, name: &str) -> Result<()> {
    Api::<Pod>::namespaced(access.client()?, namespace)
        .delete(name, &DeleteParams::default())
        .await
        .map_err(from_kube(access, &format!("delete pod {namespace}/{name}")))?;
    Ok(())
}

/// Restarts a workload's pods the way `kubectl rollout restart` does: a new
/// `kubectl.kubernetes.io/restartedAt` annotation on its pod template.
pub async fn restart(access: &ClusterAccess, kind: WorkloadKind, namespace: &str, name: &str) -> Result<()> {
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}});
    let (pp, p) = (PatchParams::default(), Patch::Merge(&patch));
    let what = format!("restart {namespace}/{name}");
    let c = access.client()?;
    let result = match kind {
        WorkloadKind::Deployment => Api::<Deployment>::namespaced(c, namespace).patch(name, &pp, &p).await.map(drop),
        WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(c, namespace).patch(name, &pp, &p).await.map(drop),
        WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(c, namespace).patch(name, &pp, &p).await.map(drop),
    };
    result.map_err(from_kube(access, &what))
}

/// Sets a Deployment's or StatefulSet's replicas (through its `scale` subresource).
pub async fn scale(
    access: &ClusterAccess,
    kind: WorkloadKind,
    namespace: &str,
    name: &str,
    replicas: i32,
) -> Result<()> {
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    let (pp, p) = (PatchParams::default(), Patch::Merge(&patch));
    let what = format!("scale {namespace}/{name}");
    let c = access.client()?;
    let result = match kind {
        WorkloadKind::Deployment => Api::<Deployment>::namespaced(c, namespace).patch_scale(name, &pp, &p).await,
        WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(c, namespace).patch_scale(name, &pp, &p).await,
        WorkloadKind::DaemonSet => {
            return Err(Error::Api {
                server: access.server.clone(),
                code: 400,
                message: "a DaemonSet runs one pod per node; it does not scale".into(),
            });
        }
    };
    result.map(drop).map_err(from_kube(access, &what))
}
