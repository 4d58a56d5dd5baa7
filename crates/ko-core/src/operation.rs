//! What a task does, as a value. An [`Operation`] is stored as its task's parameters and is all a
//! retry needs to run it again: it names its stages (the built-in playbooks it runs, in order),
//! says which cluster statuses admit it ([`Operation::admits`]), what it changes in a run (the
//! nodes it limits the run to, the version it runs at) and what its end means for its cluster
//! ([`Operation::after`]). Nothing else works out what a task was from its playbooks or its kind.

use crate::kinds::{ClusterStatus, TaskKind, TaskStatus};
use crate::stored_names::stored_names;
use crate::{ClusterSpec, NodeRole};

stored_names! {
    /// One stage of an operation: a built-in playbook, by name (an operator's override in the
    /// data dir replaces it under the same name).
    Stage ("stage.unknown") {
        /// Checks the hosts before anything changes.
        Precheck = "precheck",
        /// Pushes the bundle's files to the hosts.
        Bundle = "bundle",
        /// System settings, time, kernel modules.
        Base = "base",
        /// containerd or Docker.
        Runtime = "runtime",
        /// haproxy (and keepalived for a VIP).
        LoadBalancer = "loadbalancer",
        /// etcd members.
        Etcd = "etcd",
        /// kubelet, kubeadm, kubectl.
        Kubernetes = "kubernetes",
        /// The control plane on the masters.
        ControlPlane = "control-plane",
        /// Nodes join the cluster.
        Join = "join",
        /// The network plugin.
        Network = "network",
        /// Components: DNS cache, ingress, metrics, ...
        Addons = "addons",
        /// The last checks and labels.
        Post = "post",
        /// Drains and deletes nodes from the first master.
        RemoveNode = "remove-node",
        /// Takes members out of etcd.
        EtcdLeave = "etcd-leave",
        /// Removes what the deployment put on the hosts.
        Reset = "reset",
        /// An etcd snapshot fetched to this machine.
        Backup = "backup",
        /// etcd restored from a snapshot.
        Restore = "restore",
        /// Collects the certificates' expiry dates.
        Certs = "certs",
        /// Renews the certificates.
        RenewCerts = "renew-certs",
        /// Upgrades Kubernetes, masters one at a time, workers in drained batches.
        Upgrade = "upgrade",
    }
}

use Stage::*;

impl Stage {
    /// A deployment's stages (a create's), in order.
    pub const DEPLOYMENT: &'static [Stage] =
        &[Precheck, Bundle, Base, Runtime, LoadBalancer, Etcd, Kubernetes, ControlPlane, Join, Network, Addons, Post];

    /// Where it comes in a deployment (none when it is not one of a deployment's stages).
    pub fn deployment_index(self) -> Option<usize> {
        Self::DEPLOYMENT.iter().position(|s| *s == self)
    }
}

/// What an added worker runs (a deployment's node stages; no etcd, no control plane, no network:
/// the CNI's DaemonSets reach the new node by themselves).
pub const ADD_WORKER_STAGES: &[Stage] = &[Precheck, Bundle, Base, Runtime, LoadBalancer, Kubernetes, Join, Post];

/// What removing a worker runs: `remove-node` from the first master, then `reset` on its host.
pub const REMOVE_WORKER_STAGES: &[Stage] = &[RemoveNode, Reset];

/// What an added master runs: the node stages on it, etcd joined (when masters carry etcd), the
/// control-plane join — the load balancer's backends and the API servers' etcd endpoints
/// refreshed on the whole cluster. With a node down for good, `etcd-leave` takes its member out
/// before the new one joins.
pub const ADD_MASTER_STAGES: &[Stage] =
    &[Precheck, Bundle, Base, Runtime, LoadBalancer, Etcd, Kubernetes, ControlPlane, Join, Post];

/// What removing a master runs: drained and deleted, out of etcd, the load balancer and the API
/// servers refreshed without it, its host reset.
pub const REMOVE_MASTER_STAGES: &[Stage] = &[RemoveNode, EtcdLeave, LoadBalancer, ControlPlane, Reset];

/// What an upgrade runs: a snapshot first, the new bundle pushed, then the upgrade itself.
pub const UPGRADE_STAGES: &[Stage] = &[Backup, Bundle, Upgrade];

/// The stages a change of the masters refreshes on the whole cluster.
const MASTER_REFRESH: &[Stage] = &[LoadBalancer, ControlPlane];

/// What a task does, with everything a run (and a retry) of it needs. Stored as the task's
/// parameters (JSON, tagged by `operation`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "operation", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Creates a cluster: a deployment's stages up to `until` (all without it).
    Create {
        /// The library bundle the hosts get their files from.
        bundle: String,
        /// The last stage to run (a staged deployment).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Stage>,
    },
    /// Continues a staged deployment: the stages after `after`, up to `until` (all without it).
    Deploy {
        /// The bundle the deployment began with.
        bundle: Option<String>,
        /// The last stage done.
        after: Stage,
        /// The last stage to run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Stage>,
    },
    /// An etcd snapshot fetched to this machine as `file`.
    Backup {
        /// The backup file it makes.
        file: String,
    },
    /// etcd restored on every member from backup `file`.
    Restore {
        /// The backup file it reads.
        file: String,
    },
    /// Removes what the deployment put on the cluster's hosts.
    Reset,
    /// Resets the cluster's hosts and, when that ended `ok`, forgets the cluster.
    Delete,
    /// Collects the certificates' expiry dates.
    CheckCerts,
    /// Renews the certificates, then collects them again.
    RenewCerts,
    /// Adds `nodes` as workers.
    AddWorkers {
        /// The cluster's bundle.
        bundle: Option<String>,
        /// The hosts joining.
        nodes: Vec<String>,
        /// On a staged cluster, the deployment's last stage done: later ones are left out
        /// (continuing the deployment does them on every node).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staged_at: Option<Stage>,
    },
    /// Takes worker `node` out of the cluster.
    RemoveWorker {
        /// The host leaving.
        node: String,
        /// It is down for good: never contacted, not reset.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        down: bool,
        /// See [`Operation::AddWorkers`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staged_at: Option<Stage>,
    },
    /// Adds `nodes` as masters (etcd members too when the masters carry etcd).
    AddMasters {
        /// The cluster's bundle.
        bundle: Option<String>,
        /// The hosts joining.
        nodes: Vec<String>,
        /// Nodes down for good (a master being replaced): never contacted; their etcd members
        /// leave first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        down: Vec<String>,
        /// See [`Operation::AddWorkers`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staged_at: Option<Stage>,
    },
    /// Takes master `node` out of the cluster.
    RemoveMaster {
        /// The host leaving.
        node: String,
        /// It is down for good: never contacted, not reset.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        down: bool,
        /// See [`Operation::AddWorkers`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staged_at: Option<Stage>,
    },
    /// Replaces master `old` by the registered host `new`, in one task: `new` joins as a master
    /// (an etcd member too when the masters carry etcd), then `old` leaves — a resumable whole,
    /// never a cluster left with both or neither.
    ReplaceMaster {
        /// The cluster's bundle.
        bundle: Option<String>,
        /// The master leaving.
        old: String,
        /// The host joining in its place.
        new: String,
        /// `old` is down for good: never contacted, not reset; its etcd member leaves first.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        old_down: bool,
        /// See [`Operation::AddWorkers`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staged_at: Option<Stage>,
    },
    /// Upgrades Kubernetes to `version`.
    Upgrade {
        /// The library bundle that brings the new version.
        bundle: String,
        /// The version it goes to.
        version: String,
        /// Workers upgraded at a time.
        batch: usize,
        /// The backup file taken first.
        backup: String,
    },
}

/// Whether a cluster takes an operation now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// It does.
    Admitted,
    /// Only a staged cluster continues its deployment.
    NotStaged,
    /// The cluster must be running (or, for operations on etcd and nodes, staged past etcd).
    NotRunning,
}

/// What the end of an operation means for its cluster: applied in order after the task ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// The deployment ran to its end (`complete`: the cluster is running) or to the stage it was
    /// asked to stop at (the cluster is staged there).
    Deployed {
        /// The last stage done.
        up_to: Stage,
        /// It was the deployment's last stage.
        complete: bool,
    },
    /// The deployment failed or was stopped: the cluster is failed until the task is retried.
    DeploymentStopped,
    /// The cluster runs this Kubernetes version now.
    Version(String),
    /// This backup file was fetched: record it with its size and hash.
    BackupTaken(String),
    /// These nodes left the cluster: forget them.
    NodesLeft(Vec<String>),
    /// The cluster's hosts were reset: forget the cluster (its rows, secrets and directory).
    ClusterDeleted,
}

/// One part of an operation, run over one scope of hosts. Most operations are one segment; a
/// master's replacement is two (the new master joins, then the old one leaves), each with the
/// variables of the cluster as it is at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Its stages, in order.
    pub stages: Vec<Stage>,
    /// The hosts it adds or removes: only they run the node stages. Empty: the whole cluster.
    pub nodes: Vec<String>,
    /// Hosts known to be down for good: never contacted, no step runs on them.
    pub down: Vec<String>,
    /// Its nodes are leaving the cluster (a removal), not joining it.
    pub leaving: bool,
    /// The stages it runs over the whole cluster (the leaving nodes aside) rather than only on
    /// its nodes: what changing the masters refreshes everywhere.
    pub whole_cluster: &'static [Stage],
}

impl Segment {
    /// A segment over the whole cluster.
    fn whole(stages: Vec<Stage>) -> Self {
        Self { stages, nodes: Vec::new(), down: Vec::new(), leaving: false, whole_cluster: &[] }
    }

    /// A segment that takes `node` out of the cluster (not contacted when `down`).
    fn removal(stages: Vec<Stage>, node: &str, down: bool) -> Self {
        let down = if down { vec![node.to_string()] } else { Vec::new() };
        Self { stages, nodes: vec![node.to_string()], down, leaving: true, whole_cluster: &[] }
    }

    /// Whether it runs `stage`.
    pub fn runs(&self, stage: Stage) -> bool {
        self.stages.contains(&stage)
    }
}

/// `stages` as they run on a cluster staged at `staged_at`: the deployment's stages past it left
/// out, the others (a removal's) kept.
fn within(stages: &[Stage], staged_at: Option<Stage>) -> Vec<Stage> {
    let reached = staged_at.and_then(Stage::deployment_index).unwrap_or(usize::MAX);
    stages.iter().copied().filter(|s| s.deployment_index().is_none_or(|i| i <= reached)).collect()
}

/// A deployment's stages from index `from` up to `until` (the last without it).
fn deployment(from: usize, until: Option<Stage>) -> Vec<Stage> {
    let end = until.and_then(Stage::deployment_index).unwrap_or(Stage::DEPLOYMENT.len() - 1);
    Stage::DEPLOYMENT.get(from..=end).unwrap_or_default().to_vec()
}

impl Operation {
    /// The task kind it is recorded as.
    pub fn kind(&self) -> TaskKind {
        match self {
            Self::Create { .. } => TaskKind::Create,
            Self::Deploy { .. } => TaskKind::Deploy,
            Self::Backup { .. } => TaskKind::Backup,
            Self::Restore { .. } => TaskKind::Restore,
            Self::Reset => TaskKind::Reset,
            Self::Delete => TaskKind::Delete,
            Self::CheckCerts => TaskKind::CheckCerts,
            Self::RenewCerts => TaskKind::RenewCerts,
            Self::AddWorkers { .. } => TaskKind::AddWorkers,
            Self::RemoveWorker { .. } => TaskKind::RemoveWorker,
            Self::AddMasters { .. } => TaskKind::AddMasters,
            Self::RemoveMaster { .. } => TaskKind::RemoveMaster,
            Self::ReplaceMaster { .. } => TaskKind::ReplaceMaster,
            Self::Upgrade { .. } => TaskKind::Upgrade,
        }
    }

    /// Its segments, in the order they run.
    pub fn segments(&self) -> Vec<Segment> {
        let whole = |stages: &[Stage]| vec![Segment::whole(stages.to_vec())];
        match self {
            Self::Create { until, .. } => vec![Segment::whole(deployment(0, *until))],
            Self::Deploy { after, until, .. } => {
                vec![Segment::whole(deployment(after.deployment_index().map_or(0, |i| i + 1), *until))]
            }
            Self::Backup { .. } => whole(&[Backup]),
            Self::Restore { .. } => whole(&[Restore]),
            Self::Reset | Self::Delete => whole(&[Reset]),
            Self::CheckCerts => whole(&[Certs]),
            Self::RenewCerts => whole(&[RenewCerts, Certs]),
            Self::Upgrade { .. } => whole(UPGRADE_STAGES),
            Self::AddWorkers { nodes, staged_at, .. } => {
                vec![Segment { nodes: nodes.clone(), ..Segment::whole(within(ADD_WORKER_STAGES, *staged_at)) }]
            }
            Self::RemoveWorker { node, down, staged_at } => {
                vec![Segment::removal(within(REMOVE_WORKER_STAGES, *staged_at), node, *down)]
            }
            Self::AddMasters { nodes, down, staged_at, .. } => {
                let mut stages = ADD_MASTER_STAGES.to_vec();
                // a dead member goes first: etcd refuses a new member while one it has is down
                if !down.is_empty() {
                    let etcd = stages.iter().position(|s| *s == Etcd).unwrap_or(stages.len());
                    stages.insert(etcd, EtcdLeave);
                }
                vec![Segment {
                    stages: within(&stages, *staged_at),
                    nodes: nodes.clone(),
                    down: down.clone(),
                    leaving: false,
                    whole_cluster: MASTER_REFRESH,
                }]
            }
            Self::RemoveMaster { node, down, staged_at } => vec![Segment {
                whole_cluster: MASTER_REFRESH,
                ..Segment::removal(within(REMOVE_MASTER_STAGES, *staged_at), node, *down)
            }],
            Self::ReplaceMaster { bundle, old, new, old_down, staged_at } => {
                let down = if *old_down { vec![old.clone()] } else { Vec::new() };
                let join =
                    Self::AddMasters { bundle: bundle.clone(), nodes: vec![new.clone()], down, staged_at: *staged_at };
                let leave = Self::RemoveMaster { node: old.clone(), down: *old_down, staged_at: *staged_at };
                [join, leave].iter().flat_map(Self::segments).collect()
            }
        }
    }

    /// Its stages, in the order they run (every segment's).
    pub fn stages(&self) -> Vec<Stage> {
        self.segments().into_iter().flat_map(|s| s.stages).collect()
    }

    /// Whether it runs `stage`.
    pub fn runs(&self, stage: Stage) -> bool {
        self.stages().contains(&stage)
    }

    /// Hosts known to be down for good in any of its segments: never contacted.
    pub fn down(&self) -> Vec<String> {
        let mut down: Vec<String> = self.segments().into_iter().flat_map(|s| s.down).collect();
        down.sort();
        down.dedup();
        down
    }

    /// The library bundle the hosts get their files from.
    pub fn bundle(&self) -> Option<&str> {
        match self {
            Self::Create { bundle, .. } | Self::Upgrade { bundle, .. } => Some(bundle),
            Self::Deploy { bundle, .. }
            | Self::AddWorkers { bundle, .. }
            | Self::AddMasters { bundle, .. }
            | Self::ReplaceMaster { bundle, .. } => bundle.as_deref(),
            _ => None,
        }
    }

    /// The backup file it makes or reads.
    pub fn backup_file(&self) -> Option<&str> {
        match self {
            Self::Backup { file } | Self::Restore { file } | Self::Upgrade { backup: file, .. } => Some(file),
            _ => None,
        }
    }

    /// Workers per batch in its rolling stages over the workers (an upgrade's).
    pub fn worker_batch(&self) -> Option<usize> {
        match self {
            Self::Upgrade { batch, .. } => Some((*batch).max(1)),
            _ => None,
        }
    }

    /// The cluster as the operation sees it: at the version an upgrade goes to.
    pub fn apply_to(&self, spec: &mut ClusterSpec) {
        if let Self::Upgrade { version, .. } = self {
            spec.version = version.clone();
        }
    }

    /// Whether a cluster that is `status` takes it ([`TaskKind::admits`]).
    pub fn admits(&self, status: ClusterStatus, deployed_up_to: Option<Stage>) -> Admission {
        self.kind().admits(status, deployed_up_to)
    }

    /// The last deployment stage a create or deploy runs.
    pub fn deploys_up_to(&self) -> Option<Stage> {
        match self {
            Self::Create { .. } | Self::Deploy { .. } => self.stages().last().copied(),
            _ => None,
        }
    }

    /// The task's title, for people: what it does to `cluster`, and where a staged deployment
    /// stops.
    pub fn title(&self, cluster: &str) -> String {
        let stops = match self.deploys_up_to() {
            Some(last) if Some(&last) != Stage::DEPLOYMENT.last() => format!(" (up to {last})"),
            _ => String::new(),
        };
        match self {
            Self::Create { .. } => format!("create cluster {cluster}{stops}"),
            _ => format!("{} {cluster}{stops}", self.kind()),
        }
    }

    /// What its end (`status`) means for its cluster, in the order to apply it: a deployment's
    /// status, an upgrade's new version, a backup file recorded, removed nodes forgotten.
    pub fn after(&self, status: TaskStatus) -> Vec<After> {
        let ok = status == TaskStatus::Ok;
        match self {
            Self::Create { .. } | Self::Deploy { .. } => match (ok, self.deploys_up_to()) {
                (true, Some(up_to)) => {
                    vec![After::Deployed { up_to, complete: Some(&up_to) == Stage::DEPLOYMENT.last() }]
                }
                _ => vec![After::DeploymentStopped],
            },
            Self::Upgrade { version, backup, .. } if ok => {
                vec![After::Version(version.clone()), After::BackupTaken(backup.clone())]
            }
            Self::Backup { file } if ok => vec![After::BackupTaken(file.clone())],
            Self::Delete if ok => vec![After::ClusterDeleted],
            Self::RemoveWorker { node, .. }
            | Self::RemoveMaster { node, .. }
            | Self::ReplaceMaster { old: node, .. }
                if ok =>
            {
                vec![After::NodesLeft(vec![node.clone()])]
            }
            _ => Vec::new(),
        }
    }
}

/// The roles a node added as a master gets, judged from the masters there are: etcd too when
/// every master carries an explicit etcd role (no etcd role anywhere means the masters carry
/// etcd, and so will this one).
pub fn added_master_roles(spec: &ClusterSpec) -> Vec<NodeRole> {
    let explicit_etcd = spec.nodes.iter().any(|n| n.has(NodeRole::Etcd));
    let masters_all_etcd = spec.nodes.iter().filter(|n| n.has(NodeRole::Master)).all(|n| n.has(NodeRole::Etcd));
    match explicit_etcd && masters_all_etcd {
        true => vec![NodeRole::Master, NodeRole::Etcd],
        false => vec![NodeRole::Master],
    }
}

impl TaskKind {
    /// Whether a cluster that is `status` takes a task of this kind; `deployed_up_to` is the last
    /// stage a staged cluster's deployment did. A reset takes any cluster; only a staged cluster
    /// continues its deployment; operations on etcd and the nodes take a cluster staged at etcd or
    /// later; the rest need a running cluster — or a lost one: they reach the hosts over SSH, not
    /// through the API server that stopped answering, and may be what repairs it.
    pub fn admits(self, status: ClusterStatus, deployed_up_to: Option<Stage>) -> Admission {
        use TaskKind::*;
        let etcd_deployed = || deployed_up_to.and_then(Stage::deployment_index) >= Etcd.deployment_index();
        match self {
            Reset | Delete => Admission::Admitted,
            Deploy if status != ClusterStatus::Staged => Admission::NotStaged,
            Deploy => Admission::Admitted,
            Backup | Restore | CheckCerts | RenewCerts | AddWorkers | RemoveWorker | AddMasters | RemoveMaster
            | ReplaceMaster
                if status == ClusterStatus::Staged && etcd_deployed() =>
            {
                Admission::Admitted
            }
            _ if !matches!(status, ClusterStatus::Running | ClusterStatus::Lost) => Admission::NotRunning,
            _ => Admission::Admitted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(stages: &[Stage]) -> Vec<&'static str> {
        stages.iter().map(|s| s.as_str()).collect()
    }

    #[test]
    fn a_create_runs_the_deployment_up_to_until_and_a_deploy_goes_on_after_it() {
        let create = Operation::Create { bundle: "b".into(), until: Some(Etcd) };
        assert_eq!(names(&create.stages()), ["precheck", "bundle", "base", "runtime", "loadbalancer", "etcd"]);
        assert_eq!(create.title("c1"), "create cluster c1 (up to etcd)");
        let whole = Operation::Create { bundle: "b".into(), until: None };
        assert_eq!(whole.stages(), Stage::DEPLOYMENT);
        assert_eq!(whole.title("c1"), "create cluster c1");
        let deploy = Operation::Deploy { bundle: None, after: Etcd, until: Some(Join) };
        assert_eq!(names(&deploy.stages()), ["kubernetes", "control-plane", "join"]);
        assert_eq!(deploy.title("c1"), "cluster.deploy c1 (up to join)");
        let rest = Operation::Deploy { bundle: None, after: Etcd, until: None };
        assert_eq!(rest.stages().last(), Some(&Post));
        assert_eq!(rest.title("c1"), "cluster.deploy c1");
    }

    #[test]
    fn a_day2_operation_on_a_staged_cluster_stops_where_its_deployment_stopped() {
        let add = |staged_at| Operation::AddWorkers { bundle: None, nodes: vec!["h9".into()], staged_at };
        assert_eq!(add(None).stages(), ADD_WORKER_STAGES);
        assert_eq!(names(&add(Some(Etcd)).stages()), ["precheck", "bundle", "base", "runtime", "loadbalancer"]);
        let remove = Operation::RemoveMaster { node: "h1".into(), down: false, staged_at: Some(Etcd) };
        assert_eq!(names(&remove.stages()), ["remove-node", "etcd-leave", "loadbalancer", "reset"]);
        let [seg] = remove.segments().try_into().unwrap();
        assert_eq!(seg.whole_cluster, [LoadBalancer, ControlPlane]);
        assert!(seg.leaving && seg.down.is_empty());
    }

    #[test]
    fn adding_a_master_beside_a_dead_one_takes_the_dead_member_out_of_etcd_first() {
        let op =
            Operation::AddMasters { bundle: None, nodes: vec!["h4".into()], down: vec!["h1".into()], staged_at: None };
        let stages = names(&op.stages());
        let pos = |s| stages.iter().position(|x| *x == s);
        assert_eq!(pos("etcd-leave").map(|i| i + 1), pos("etcd"));
        let [seg] = op.segments().try_into().unwrap();
        assert_eq!((seg.nodes, seg.down, seg.leaving), (vec!["h4".to_string()], vec!["h1".to_string()], false));
        let alive = Operation::AddMasters { bundle: None, nodes: vec!["h4".into()], down: vec![], staged_at: None };
        assert!(!alive.runs(EtcdLeave));
    }

    #[test]
    fn a_master_is_replaced_in_one_task_the_new_one_joining_before_the_old_one_leaves() {
        let op = Operation::ReplaceMaster {
            bundle: Some("b".into()),
            old: "h1".into(),
            new: "h4".into(),
            old_down: true,
            staged_at: None,
        };
        let [join, leave] = op.segments().try_into().unwrap();
        assert!(join.stages.starts_with(&[Precheck]) && join.runs(EtcdLeave), "the dead member leaves first");
        assert_eq!((join.nodes, join.leaving, join.whole_cluster), (vec!["h4".to_string()], false, MASTER_REFRESH));
        assert_eq!((leave.nodes, leave.leaving), (vec!["h1".to_string()], true));
        assert_eq!(leave.stages, REMOVE_MASTER_STAGES);
        assert_eq!(op.down(), ["h1"]);
        assert_eq!(op.after(TaskStatus::Ok), [After::NodesLeft(vec!["h1".into()])]);
        assert_eq!(op.kind(), TaskKind::ReplaceMaster);
        assert_eq!(op.bundle(), Some("b"));
    }

    #[test]
    fn which_cluster_status_admits_which_operation() {
        use ClusterStatus::*;
        let backup = Operation::Backup { file: "f".into() };
        let upgrade =
            Operation::Upgrade { bundle: "b".into(), version: "v1.35.1".into(), batch: 1, backup: "f".into() };
        let deploy = Operation::Deploy { bundle: None, after: Etcd, until: None };
        assert_eq!(Operation::Reset.admits(Failed, None), Admission::Admitted);
        assert_eq!(deploy.admits(Running, None), Admission::NotStaged);
        assert_eq!(deploy.admits(Staged, Some(Base)), Admission::Admitted);
        assert_eq!(backup.admits(Staged, Some(Etcd)), Admission::Admitted);
        assert_eq!(backup.admits(Staged, Some(Base)), Admission::NotRunning);
        assert_eq!(backup.admits(Initializing, None), Admission::NotRunning);
        assert_eq!(upgrade.admits(Staged, Some(Addons)), Admission::NotRunning);
        assert_eq!(upgrade.admits(Running, None), Admission::Admitted);
        assert_eq!(backup.admits(Lost, None), Admission::Admitted, "a lost cluster is repaired over SSH");
    }

    #[test]
    fn what_the_end_of_an_operation_means_for_its_cluster() {
        let create = Operation::Create { bundle: "b".into(), until: Some(Etcd) };
        assert_eq!(create.after(TaskStatus::Ok), [After::Deployed { up_to: Etcd, complete: false }]);
        assert_eq!(create.after(TaskStatus::Cancelled), [After::DeploymentStopped]);
        let upgrade =
            Operation::Upgrade { bundle: "b".into(), version: "v1.35.1".into(), batch: 2, backup: "f".into() };
        assert_eq!(upgrade.after(TaskStatus::Ok), [After::Version("v1.35.1".into()), After::BackupTaken("f".into())]);
        assert!(upgrade.after(TaskStatus::Failed).is_empty());
        let remove = Operation::RemoveWorker { node: "h3".into(), down: true, staged_at: None };
        assert_eq!(remove.after(TaskStatus::Ok), [After::NodesLeft(vec!["h3".into()])]);
        assert_eq!(remove.down(), ["h3"]);
        assert_eq!(remove.segments()[0].nodes, ["h3"]);
        assert_eq!(Operation::Delete.after(TaskStatus::Ok), [After::ClusterDeleted]);
        assert!(Operation::Delete.after(TaskStatus::Failed).is_empty(), "a failed reset deletes nothing");
    }

    #[test]
    fn an_operation_is_stored_as_tagged_json_and_an_unknown_field_is_refused() {
        let op = Operation::RemoveWorker { node: "h3".into(), down: false, staged_at: None };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(json, r#"{"operation":"remove_worker","node":"h3"}"#);
        assert_eq!(serde_json::from_str::<Operation>(&json).unwrap(), op);
        assert_eq!(serde_json::to_string(&Operation::Reset).unwrap(), r#"{"operation":"reset"}"#);
        let err = serde_json::from_str::<Operation>(r#"{"operation":"backup","file":"f","playbooks":["backup"]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        assert!(serde_json::from_str::<Operation>(r#"{"operation":"frobnicate"}"#).is_err());
    }
}
