//! Day-2 operations on a running cluster's nodes, each a resumable task (or, planned, only what
//! it would run): add workers — only the new nodes run the node playbooks, with a join token
//! from the first master — and remove a worker — cordon, drain and delete from the first master,
//! then reset its host.

use crate::cluster_ops::spec_of;
use crate::tasks::{PreparedTask, TaskParams};
use crate::{Actor, Api, ApiError, Result};
use ko_core::{ClusterSpec, NodeRole, NodeSpec};
use ko_store::clusters;

/// What an added worker runs, in order (the create's node playbooks; no etcd, no control plane,
/// no network: the CNI's DaemonSets reach the new node by themselves).
pub const ADD_WORKER_PLAYBOOKS: &[&str] =
    &["precheck", "bundle", "base", "runtime", "loadbalancer", "kubernetes", "join", "post"];

/// What removing a worker runs: `remove-node` from the first master, then `reset` on its host.
pub const REMOVE_WORKER_PLAYBOOKS: &[&str] = &["remove-node", "reset"];

/// A Day-2 operation: started as a task, or only planned.
pub enum Day2 {
    /// What it would run on which host (secrets redacted); nothing was changed.
    Plan(String),
    /// The task, ready to run.
    Started(Box<PreparedTask>),
}

/// The node rows of `spec`: (host, master, etcd, worker).
fn node_rows(spec: &ClusterSpec) -> Vec<(String, bool, bool, bool)> {
    spec.nodes
        .iter()
        .map(|n| (n.host.clone(), n.has(NodeRole::Master), n.has(NodeRole::Etcd), n.has(NodeRole::Worker)))
        .collect()
}

impl Api {
    /// Adds registered `hosts` to running cluster `name` as workers (in `zone`, when given). The
    /// hosts must be free (in no cluster) and pass the rules a node must pass; the cluster's
    /// bundle must cover them. Started, the new nodes belong to the cluster from then on (named
    /// for good); a failed add resumes with `task_retry` or is undone with
    /// [`Api::cluster_remove_worker`].
    pub async fn cluster_add_workers(
        &self,
        actor: &Actor,
        name: &str,
        hosts: &[String],
        zone: Option<&str>,
        plan: bool,
    ) -> Result<Day2> {
        let cluster = self.operable_cluster(actor, name, "cluster.add_workers").await?;
        let mut spec = spec_of(&cluster)?;
        if hosts.is_empty() {
            return Err(ApiError::invalid("add.no_hosts", "hosts", "name at least one registered host to add"));
        }
        for h in hosts {
            let host = h.clone();
            if spec.nodes.iter().any(|n| n.host == *h) {
                return Err(ApiError::invalid(
                    "add.already_node",
                    "hosts",
                    format!("host '{h}' is already a node of cluster '{name}'"),
                ));
            }
            if let Some(other) = self.db.read(move |c| clusters::cluster_of_host(c, &host)).await? {
                return Err(ApiError::invalid(
                    "add.other_cluster",
                    "hosts",
                    format!("host '{h}' is a node of cluster '{other}'; remove it there first"),
                ));
            }
            spec.nodes.push(NodeSpec {
                host: h.clone(),
                roles: vec![NodeRole::Worker],
                zone: zone.map(str::to_string),
                labels: Default::default(),
                name: None,
            });
        }
        // the rules new nodes can break: registered, unique, arch, addresses, room in the pod network
        let (ctx, _) = self.db.read(crate::clusters::load_context).await?;
        let problems: Vec<_> = spec
            .validate(&ctx)
            .into_iter()
            .filter(|p| p.field.starts_with("nodes") || p.field.starts_with("network.pod_cidr"))
            .collect();
        if !problems.is_empty() {
            return Err(ApiError::Invalid(ko_core::Invalid(problems)));
        }
        let params = TaskParams {
            playbooks: ADD_WORKER_PLAYBOOKS.iter().map(|s| s.to_string()).collect(),
            bundle: self.cluster_bundle(cluster.id).await?,
            nodes: hosts.to_vec(),
            ..TaskParams::default()
        };
        if plan {
            return Ok(Day2::Plan(self.plan_of(&mut spec, &params).await?));
        }
        self.checked_inventory(&mut spec, &params).await?;
        let task = self.start_cluster_task(actor, &cluster, "cluster.add_workers", params).await?;
        let (id, rows) = (cluster.id, node_rows(&spec));
        let json = serde_json::to_string(&spec).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.db.write(move |tx| Ok::<_, ApiError>(clusters::set_nodes(tx, id, &json, &rows)?)).await?;
        Ok(Day2::Started(Box::new(task)))
    }

    /// Removes worker `host` from running cluster `name`: drained and deleted from the first
    /// master, then its host reset. Masters and etcd members are refused (their removal is a
    /// replacement), and so is a host that carries the load balancer's VIP. The node leaves the
    /// cluster's records when the task ends `ok`.
    pub async fn cluster_remove_worker(&self, actor: &Actor, name: &str, host: &str, plan: bool) -> Result<Day2> {
        let cluster = self.operable_cluster(actor, name, "cluster.remove_worker").await?;
        let mut spec = spec_of(&cluster)?;
        let node = spec.nodes.iter().find(|n| n.host == host).ok_or_else(|| {
            ApiError::invalid("remove.not_node", "host", format!("host '{host}' is not a node of cluster '{name}'"))
        })?;
        if node.has(NodeRole::Master) || node.has(NodeRole::Etcd) {
            return Err(ApiError::invalid(
                "remove.not_worker",
                "host",
                format!("'{host}' is a master or an etcd member of '{name}'; only workers are removed this way"),
            ));
        }
        if spec.load_balancer.hosts.iter().any(|h| h == host) {
            return Err(ApiError::invalid(
                "remove.vip_holder",
                "host",
                format!("'{host}' carries the load balancer's VIP; give load_balancer.hosts other hosts first"),
            ));
        }
        let params = TaskParams {
            playbooks: REMOVE_WORKER_PLAYBOOKS.iter().map(|s| s.to_string()).collect(),
            nodes: vec![host.to_string()],
            ..TaskParams::default()
        };
        if plan {
            return Ok(Day2::Plan(self.plan_of(&mut spec, &params).await?));
        }
        Ok(Day2::Started(Box::new(self.start_cluster_task(actor, &cluster, "cluster.remove_worker", params).await?)))
    }

    /// After a removal ended `ok`: the removed nodes leave the cluster's spec and node rows.
    pub(crate) async fn forget_removed_nodes(&self, cluster: &str, params: &TaskParams) -> Result<()> {
        let row = self.cluster_row(cluster).await?;
        let mut spec = spec_of(&row)?;
        spec.nodes.retain(|n| !params.nodes.contains(&n.host));
        let (id, rows) = (row.id, node_rows(&spec));
        let json = serde_json::to_string(&spec).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.db.write(move |tx| Ok::<_, ApiError>(clusters::set_nodes(tx, id, &json, &rows)?)).await
    }

    /// The bundle the cluster was created with (its create task's).
    async fn cluster_bundle(&self, cluster_id: i64) -> Result<Option<String>> {
        let tasks = self.db.read(move |c| ko_store::tasks::list(c, Some(cluster_id), 1000)).await?;
        Ok(tasks
            .into_iter()
            .filter(|t| t.kind == "cluster.create")
            .find_map(|t| serde_json::from_str::<TaskParams>(&t.params).ok()?.bundle))
    }
}
