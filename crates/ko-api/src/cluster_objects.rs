//! What is inside a cluster, through its API server ([`ko_k8s`]): live views of every kind for
//! whoever may see the cluster, and the actions (cordon, drain, delete a pod, restart, scale,
//! apply YAML, reveal a secret) for whoever may operate it, each in the audit log.

use crate::{Actor, Api, Cluster, Permission, Result};
use futures::StreamExt;
use ko_k8s::{
    ApplyChange, ClusterAccess, ContainerSummary, DrainReport, EvictionPatience, ExecTarget, LogOptions, ResourceKind,
    ResourceUpdate, WorkloadKind,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// What a view watches.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchForm {
    /// The kind of object.
    pub kind: ResourceKind,
    /// Only this namespace (ignored for cluster-scoped kinds; none: all).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// Whose log, and which part of it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
pub struct LogForm {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// Which part of its log.
    #[serde(flatten)]
    pub options: LogOptions,
}

/// What a log view receives: lines in batches, then the end (a log not followed, or a pod
/// gone) or why it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum PodLogUpdate {
    /// Lines, in order.
    Lines(Vec<String>),
    /// The log ended.
    End,
    /// The stream broke.
    Failed {
        /// Stable code.
        code: String,
        /// What happened.
        message: String,
    },
}

/// Lines passed on in one batch at most.
const LOG_BATCH: usize = 1000;

impl Api {
    /// Cluster `name` and its access, if the actor may see it.
    async fn viewable(&self, actor: &Actor, name: &str) -> Result<(Cluster, ClusterAccess)> {
        let cluster = self.cluster_row(name).await?;
        self.authorize(actor, Permission::ViewProject(cluster.project_id), "see inside this cluster").await?;
        let access = self.cluster_access(&cluster).await?;
        Ok((cluster, access))
    }

    /// Cluster `name`'s access, if the actor may operate it.
    async fn operable(&self, actor: &Actor, name: &str, what: &str) -> Result<ClusterAccess> {
        let cluster = self.operated_cluster(actor, name, what).await?;
        self.cluster_access(&cluster).await
    }

    async fn operated_cluster(&self, actor: &Actor, name: &str, what: &str) -> Result<Cluster> {
        let cluster = self.cluster_row(name).await?;
        let p = Permission::OperateCluster { project_id: cluster.project_id, cluster_id: cluster.id };
        self.authorize(actor, p, what).await?;
        Ok(cluster)
    }

    /// Refuses (not found, forbidden) unless the actor may operate cluster `name`: the check made
    /// before a session (a terminal, an exec) is set up, so that the refusal is a plain answer.
    pub async fn check_may_operate(&self, actor: &Actor, name: &str, what: &str) -> Result<()> {
        self.operated_cluster(actor, name, what).await.map(drop)
    }

    /// The live rows of one kind in cluster `name`: a snapshot, then each change, for as long as
    /// the receiver is kept (refused before anything streams when the actor may not see it).
    pub async fn cluster_resource_updates(
        &self,
        actor: &Actor,
        name: &str,
        form: WatchForm,
    ) -> Result<mpsc::UnboundedReceiver<ResourceUpdate>> {
        let (_, access) = self.viewable(actor, name).await?;
        let mut updates = ko_k8s::watch_rows(&access, form.kind, form.namespace.as_deref())?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tx.closed() => break,
                    update = updates.next() => {
                        let Some(u) = update else { break };
                        if tx.send(u).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(rx)
    }

    /// A pod's log (refused before anything streams when the actor may not see the cluster or the
    /// API server refuses: no such pod or container, no previous instance).
    pub async fn cluster_pod_log_updates(
        &self,
        actor: &Actor,
        name: &str,
        form: LogForm,
    ) -> Result<mpsc::UnboundedReceiver<PodLogUpdate>> {
        let (_, access) = self.viewable(actor, name).await?;
        let mut lines =
            ko_k8s::log_lines(&access, &form.namespace, &form.pod, &form.options).await?.ready_chunks(LOG_BATCH);
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let batch = tokio::select! {
                    () = tx.closed() => break,
                    batch = lines.next() => batch,
                };
                let Some(batch) = batch else {
                    let _ = tx.send(PodLogUpdate::End);
                    break;
                };
                let (ok, failed): (Vec<_>, Vec<_>) = batch.into_iter().partition(|l| l.is_ok());
                let ok: Vec<String> = ok.into_iter().flatten().collect();
                if !ok.is_empty() && tx.send(PodLogUpdate::Lines(ok)).is_err() {
                    break;
                }
                if let Some(Err(e)) = failed.into_iter().next() {
                    let _ = tx.send(PodLogUpdate::Failed { code: e.code().into(), message: e.to_string() });
                    break;
                }
            }
        });
        Ok(rx)
    }

    /// A kubectl terminal on cluster `name` (`cols` x `rows`), for those who may operate it: a
    /// shell in a pseudo-terminal on the machine the app runs on, kubectl on its PATH with a
    /// kubeconfig written for this session only (0600, removed when it ends). Anyone but the
    /// machine's own user (a `koctl serve` user) gets a PATH with kubectl and nothing else.
    pub async fn cluster_terminal(&self, actor: &Actor, name: &str, cols: u16, rows: u16) -> Result<ko_k8s::Terminal> {
        self.audited(actor, "cluster.terminal", name, async {
            let access = self.operable(actor, name, "open a kubectl terminal on this cluster").await?;
            let restricted = !self.is_os_account(actor).await?;
            let sessions = self.data_dir().join("terminals");
            remove_stale_sessions(&sessions);
            let dir = sessions.join(format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()));
            Ok(ko_k8s::kubectl_terminal(&access, name, &dir, (cols.max(20), rows.max(5)), restricted)?)
        })
        .await
    }

    /// Pod `namespace/pod`'s containers with their state, for those who may see the cluster.
    pub async fn cluster_pod_containers(
        &self,
        actor: &Actor,
        name: &str,
        namespace: &str,
        pod: &str,
    ) -> Result<Vec<ContainerSummary>> {
        let (_, access) = self.viewable(actor, name).await?;
        Ok(ko_k8s::pod_containers(&access, namespace, pod).await?)
    }

    /// Runs a command in a pod's container on cluster `name`, for those who may operate it: with
    /// `tty` (`cols` x `rows`) an interactive terminal (a shell), without one a command whose
    /// standard error stays apart. The audit log names the pod, the container and the program
    /// (not its arguments, which may hold secrets; nor what is typed).
    pub async fn cluster_exec(
        &self,
        actor: &Actor,
        name: &str,
        target: &ExecTarget,
        tty: Option<(u16, u16)>,
    ) -> Result<ko_k8s::Terminal> {
        let program = target.command.first().map(String::as_str).unwrap_or_default();
        let container = target.container.as_deref().map(|c| format!("/{c}")).unwrap_or_default();
        let what = format!("{name}/{}/{}{container}: {program}", target.namespace, target.pod);
        self.audited(actor, "cluster.pod_exec", &what, async {
            let access = self.operable(actor, name, "run commands in this cluster's pods").await?;
            let tty = tty.map(|(cols, rows)| (cols.max(20), rows.max(5)));
            Ok(ko_k8s::exec(&access, target, tty).await?)
        })
        .await
    }

    /// One object as YAML; a secret's values only with `reveal`, for those who may operate the
    /// cluster (and written to the audit log).
    pub async fn cluster_object_yaml(
        &self,
        actor: &Actor,
        name: &str,
        kind: ResourceKind,
        namespace: Option<&str>,
        object: &str,
        reveal: bool,
    ) -> Result<String> {
        if kind == ResourceKind::Secrets && reveal {
            let target = format!("{name}/{}/{object}", namespace.unwrap_or_default());
            return self
                .audited(actor, "cluster.secret_reveal", &target, async {
                    let access = self.operable(actor, name, "read secrets of this cluster").await?;
                    Ok(ko_k8s::object_yaml(&access, kind, namespace, object, true).await?)
                })
                .await;
        }
        let (_, access) = self.viewable(actor, name).await?;
        Ok(ko_k8s::object_yaml(&access, kind, namespace, object, false).await?)
    }

    /// Server-side applies YAML to cluster `name` (objects without a namespace go to
    /// `namespace`); with `dry_run` only says what would change, with diffs.
    pub async fn cluster_apply(
        &self,
        actor: &Actor,
        name: &str,
        yaml: &str,
        namespace: &str,
        dry_run: bool,
    ) -> Result<Vec<ApplyChange>> {
        let apply = async {
            let access = self.operable(actor, name, "apply objects to this cluster").await?;
            Ok(ko_k8s::apply_yaml(&access, yaml, namespace, dry_run).await?)
        };
        if dry_run { apply.await } else { self.audited(actor, "cluster.apply", name, apply).await }
    }

    /// Cordons (`schedulable: false`) or uncordons node `node` of cluster `name`.
    pub async fn cluster_node_schedulable(
        &self,
        actor: &Actor,
        name: &str,
        node: &str,
        schedulable: bool,
    ) -> Result<()> {
        let action = if schedulable { "cluster.node_uncordon" } else { "cluster.node_cordon" };
        self.audited(actor, action, &format!("{name}/{node}"), async {
            let access = self.operable(actor, name, "cordon nodes of this cluster").await?;
            Ok(ko_k8s::actions::set_schedulable(&access, node, schedulable).await?)
        })
        .await
    }

    /// Drains node `node` of cluster `name`: cordoned, its pods evicted (DaemonSet and static
    /// pods stay), each eviction a disruption budget refuses tried again for up to two minutes.
    pub async fn cluster_node_drain(&self, actor: &Actor, name: &str, node: &str) -> Result<DrainReport> {
        self.audited(actor, "cluster.node_drain", &format!("{name}/{node}"), async {
            let access = self.operable(actor, name, "drain nodes of this cluster").await?;
            Ok(ko_k8s::actions::drain(&access, node, EvictionPatience::default()).await?)
        })
        .await
    }

    /// Deletes pod `namespace/pod` of cluster `name`.
    pub async fn cluster_pod_delete(&self, actor: &Actor, name: &str, namespace: &str, pod: &str) -> Result<()> {
        self.audited(actor, "cluster.pod_delete", &format!("{name}/{namespace}/{pod}"), async {
            let access = self.operable(actor, name, "delete pods of this cluster").await?;
            Ok(ko_k8s::actions::delete_pod(&access, namespace, pod).await?)
        })
        .await
    }

    /// Restarts a workload's pods (as `kubectl rollout restart`).
    pub async fn cluster_workload_restart(
        &self,
        actor: &Actor,
        name: &str,
        kind: WorkloadKind,
        namespace: &str,
        workload: &str,
    ) -> Result<()> {
        self.audited(actor, "cluster.workload_restart", &format!("{name}/{namespace}/{workload}"), async {
            let access = self.operable(actor, name, "restart workloads of this cluster").await?;
            Ok(ko_k8s::actions::restart(&access, kind, namespace, workload).await?)
        })
        .await
    }

    /// Sets a Deployment's or StatefulSet's replicas.
    pub async fn cluster_workload_scale(
        &self,
        actor: &Actor,
        name: &str,
        kind: WorkloadKind,
        namespace: &str,
        workload: &str,
        replicas: i32,
    ) -> Result<()> {
        self.audited(actor, "cluster.workload_scale", &format!("{name}/{namespace}/{workload}={replicas}"), async {
            if replicas < 0 {
                return Err(crate::ApiError::invalid("replicas.negative", "replicas", "replicas cannot be negative"));
            }
            let access = self.operable(actor, name, "scale workloads of this cluster").await?;
            Ok(ko_k8s::actions::scale(&access, kind, namespace, workload, replicas).await?)
        })
        .await
    }
}

/// Removes the terminal sessions of processes that are gone (a killed app cannot remove its
/// session's kubeconfig itself); a live process's sessions stay. Where processes cannot be looked
/// up in `/proc` (not Linux; untested) nothing is removed.
fn remove_stale_sessions(sessions: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(sessions) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        let alive =
            if cfg!(target_os = "linux") { std::path::Path::new(&format!("/proc/{pid}")).exists() } else { true };
        if pid != std::process::id() && !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn a_dead_processs_terminal_session_is_removed_and_a_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dead = dir.path().join("4194303999-gone");
        let mine = dir.path().join(format!("{}-mine", std::process::id()));
        for d in [&dead, &mine] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(d.join("kubeconfig"), "token: x").unwrap_or_else(|e| panic!("{e}"));
        }
        super::remove_stale_sessions(dir.path());
        assert!(!dead.exists(), "a session whose process is gone is removed");
        assert!(mine.exists(), "a live process's session stays");
    }
}
