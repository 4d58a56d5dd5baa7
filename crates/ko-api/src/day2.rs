//! Day-2 operations on a running cluster's nodes: each checks the change and returns it as a
//! [`NodeChange`], which is either planned (what it would run, nothing changed) or started as a
//! resumable task: add workers — only the new nodes run the node playbooks, with a join token
//! from the first master; remove a worker — cordon, drain and delete from the first master, then
//! reset its host; add masters (etcd members too) and remove a master — the load balancers and
//! API servers refreshed on the whole cluster — and replace one master by another, both in one
//! task (the new one joins, then the old one leaves). A staged cluster
//! (deployed up to etcd or further) takes them too, up to the stage it reached.

use crate::tasks::PreparedTask;
use crate::{Actor, Api, ApiError, Result};
use ko_core::{ClusterSpec, NodeRole, NodeSpec, Operation};
use ko_deploy::spec_of;
use ko_store::clusters;
use ko_store::tasks::TaskKind;

/// A checked change of a running cluster's nodes: [`NodeChange::plan`] says what it would run on
/// which host, [`NodeChange::start`] records and locks its task.
pub struct NodeChange {
    api: Api,
    actor: Actor,
    cluster: ko_store::clusters::Cluster,
    /// The cluster with the added nodes, or with the nodes to remove still in it.
    spec: ClusterSpec,
    op: Operation,
}

/// The node rows of `spec`: (host, master, etcd, worker).
fn node_rows(spec: &ClusterSpec) -> Vec<(String, bool, bool, bool)> {
    spec.nodes
        .iter()
        .map(|n| (n.host.clone(), n.has(NodeRole::Master), n.has(NodeRole::Etcd), n.has(NodeRole::Worker)))
        .collect()
}

impl NodeChange {
    /// What the change would run on which host (secrets redacted); nothing changes.
    pub async fn plan(self) -> Result<String> {
        let Self { api, mut spec, op, .. } = self;
        Ok(api.deployer().plan(&mut spec, &op).await?)
    }

    /// Starts the change: every host it needs must answer first; nodes that join are the
    /// cluster's from then on.
    pub async fn start(self) -> Result<PreparedTask> {
        let Self { api, actor, cluster, mut spec, op } = self;
        let (mut inv, _) = api.deployer().checked_inventory(&mut spec, &op).await?;
        // every host the operation needs answers before anything is recorded or started (a dead
        // one is named, with the way out: `--down`)
        api.deployer().reach(&mut inv).await?;
        let task = api.start_cluster_task(&actor, &cluster, op).await?;
        let (id, rows) = (cluster.id, node_rows(&spec));
        let json = serde_json::to_string(&spec)?;
        api.db.write(move |tx| Ok::<_, ApiError>(clusters::set_nodes(tx, id, &json, &rows)?)).await?;
        Ok(task)
    }
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
    ) -> Result<NodeChange> {
        let cluster = self.operable_cluster(actor, name, TaskKind::AddWorkers).await?;
        let mut spec = spec_of(&cluster)?;
        self.add_nodes(&mut spec, name, hosts, &[NodeRole::Worker], zone).await?;
        self.check_node_rules(&spec).await?;
        let op = Operation::AddWorkers {
            bundle: self.deployer().cluster_bundle(cluster.id).await?,
            nodes: hosts.to_vec(),
            staged_at: self.staged_at(&cluster).await?,
        };
        Ok(NodeChange { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// Removes worker `host` from running cluster `name`: drained and deleted from the first
    /// master, then its host reset. Masters and etcd members are refused (their removal is a
    /// replacement), and so is a host that carries the load balancer's VIP. With `down` the host
    /// is dead: it is not contacted (nor reset). The node leaves the cluster's records when the
    /// task ends `ok`.
    pub async fn cluster_remove_worker(&self, actor: &Actor, name: &str, host: &str, down: bool) -> Result<NodeChange> {
        let cluster = self.operable_cluster(actor, name, TaskKind::RemoveWorker).await?;
        let spec = spec_of(&cluster)?;
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
        let op = Operation::RemoveWorker { node: host.to_string(), down, staged_at: self.staged_at(&cluster).await? };
        Ok(NodeChange { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// Adds registered `hosts` to running cluster `name` as masters (etcd members too when the
    /// masters carry etcd). `replacing` names the master a later [`Api::cluster_remove_master`]
    /// takes out: the rules then judge the cluster as it will be (an odd etcd membership), so one
    /// master can be swapped for another — which the reference system could not do. `down` names
    /// nodes known to be dead (the one being replaced, say): they are not contacted.
    pub async fn cluster_add_masters(
        &self,
        actor: &Actor,
        name: &str,
        hosts: &[String],
        replacing: Option<&str>,
        down: &[String],
    ) -> Result<NodeChange> {
        let (cluster, spec) = self.masters_added(actor, name, hosts, replacing, down, TaskKind::AddMasters).await?;
        let op = Operation::AddMasters {
            bundle: self.deployer().cluster_bundle(cluster.id).await?,
            nodes: hosts.to_vec(),
            down: down.to_vec(),
            staged_at: self.staged_at(&cluster).await?,
        };
        Ok(NodeChange { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// Replaces master `old` of cluster `name` by registered host `new` in one task
    /// ([`Operation::ReplaceMaster`]): `new` joins, then `old` leaves, the rules judging the
    /// cluster as it will be. With `old_down` the old master is dead: it is never contacted, and
    /// its etcd member leaves before the new one joins.
    pub async fn cluster_replace_master(
        &self,
        actor: &Actor,
        name: &str,
        old: &str,
        new: &str,
        old_down: bool,
    ) -> Result<NodeChange> {
        let down = if old_down { vec![old.to_string()] } else { Vec::new() };
        let new = new.to_string();
        let kind = TaskKind::ReplaceMaster;
        let (cluster, spec) =
            self.masters_added(actor, name, std::slice::from_ref(&new), Some(old), &down, kind).await?;
        let op = Operation::ReplaceMaster {
            bundle: self.deployer().cluster_bundle(cluster.id).await?,
            old: old.to_string(),
            new,
            old_down,
            staged_at: self.staged_at(&cluster).await?,
        };
        Ok(NodeChange { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// Cluster `name` (if it takes a `kind` task) and its spec with `hosts` added as masters, after
    /// checking the rules on the cluster as it will be (without `replacing`).
    async fn masters_added(
        &self,
        actor: &Actor,
        name: &str,
        hosts: &[String],
        replacing: Option<&str>,
        down: &[String],
        kind: TaskKind,
    ) -> Result<(ko_store::clusters::Cluster, ClusterSpec)> {
        let cluster = self.operable_cluster(actor, name, kind).await?;
        let mut spec = spec_of(&cluster)?;
        if let Some(old) = replacing
            && !spec.nodes.iter().any(|n| n.host == old && n.has(NodeRole::Master))
        {
            return Err(ApiError::invalid(
                "replace.not_master",
                "replacing",
                format!("'{old}' is not a master of cluster '{name}'"),
            ));
        }
        if let Some(d) = down.iter().find(|d| !spec.nodes.iter().any(|n| &n.host == *d)) {
            return Err(ApiError::invalid("down.not_node", "down", format!("'{d}' is not a node of cluster '{name}'")));
        }
        let roles = ko_core::added_master_roles(&spec);
        self.add_nodes(&mut spec, name, hosts, &roles, None).await?;
        let mut after = spec.clone();
        after.nodes.retain(|n| Some(n.host.as_str()) != replacing);
        self.check_node_rules(&after).await?;
        Ok((cluster, spec))
    }

    /// Removes master `host` from running cluster `name`: drained and deleted from another
    /// master, out of etcd's membership, the load balancers and API servers refreshed without it,
    /// its host reset. The last master is refused, and so is a removal that leaves an even etcd
    /// membership (add the replacement first: [`Api::cluster_add_masters`] with `replacing`).
    /// With `down` the host is dead: it is not contacted (nor reset).
    pub async fn cluster_remove_master(&self, actor: &Actor, name: &str, host: &str, down: bool) -> Result<NodeChange> {
        let cluster = self.operable_cluster(actor, name, TaskKind::RemoveMaster).await?;
        let spec = spec_of(&cluster)?;
        if !spec.nodes.iter().any(|n| n.host == host && n.has(NodeRole::Master)) {
            return Err(ApiError::invalid(
                "remove.not_master",
                "host",
                format!("'{host}' is not a master of cluster '{name}'"),
            ));
        }
        let mut after = spec.clone();
        after.nodes.retain(|n| n.host != host);
        self.check_node_rules(&after).await?;
        let op = Operation::RemoveMaster { node: host.to_string(), down, staged_at: self.staged_at(&cluster).await? };
        Ok(NodeChange { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// Appends free registered `hosts` to `spec` as nodes with `roles` (in `zone`).
    async fn add_nodes(
        &self,
        spec: &mut ClusterSpec,
        name: &str,
        hosts: &[String],
        roles: &[NodeRole],
        zone: Option<&str>,
    ) -> Result<()> {
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
                roles: roles.to_vec(),
                zone: zone.map(str::to_string),
                labels: Default::default(),
                name: None,
            });
        }
        Ok(())
    }

    /// The rules a change of nodes can break: registered, unique, arch, addresses, an odd etcd
    /// membership, zones, room in the pod network.
    async fn check_node_rules(&self, spec: &ClusterSpec) -> Result<()> {
        let (ctx, _) = self.db.read(crate::clusters::load_context).await?;
        let problems: Vec<_> = spec
            .validate(&ctx)
            .into_iter()
            .filter(|p| p.field.starts_with("nodes") || p.field.starts_with("network.pod_cidr"))
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(ko_core::Invalid(problems))) }
    }

    /// After a removal ended `ok`: the removed nodes leave the cluster's spec and node rows.
    pub(crate) async fn forget_nodes(&self, cluster: &str, nodes: &[String]) -> Result<()> {
        let row = self.cluster_row(cluster).await?;
        let mut spec = spec_of(&row)?;
        spec.nodes.retain(|n| !nodes.contains(&n.host));
        let (id, rows) = (row.id, node_rows(&spec));
        let json = serde_json::to_string(&spec)?;
        self.db.write(move |tx| Ok::<_, ApiError>(clusters::set_nodes(tx, id, &json, &rows)?)).await
    }
}
