//! The kinds of object the cluster views show, and each object as one row of display cells (as
//! `kubectl get` prints it), so that one table in the UI and in koctl shows every kind.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, Service,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// A kind of object the views show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Nodes.
    Nodes,
    /// Namespaces.
    Namespaces,
    /// Pods.
    Pods,
    /// Deployments.
    Deployments,
    /// StatefulSets.
    StatefulSets,
    /// DaemonSets.
    DaemonSets,
    /// Jobs.
    Jobs,
    /// CronJobs.
    CronJobs,
    /// Services.
    Services,
    /// Ingresses.
    Ingresses,
    /// PersistentVolumes.
    PersistentVolumes,
    /// PersistentVolumeClaims.
    PersistentVolumeClaims,
    /// ConfigMaps.
    ConfigMaps,
    /// Secrets: names and labels only (their data is never read for a view).
    Secrets,
    /// Events.
    Events,
}

impl ResourceKind {
    /// Every kind, in the order the views offer them.
    pub const ALL: [Self; 15] = [
        Self::Nodes,
        Self::Namespaces,
        Self::Pods,
        Self::Deployments,
        Self::StatefulSets,
        Self::DaemonSets,
        Self::Jobs,
        Self::CronJobs,
        Self::Services,
        Self::Ingresses,
        Self::PersistentVolumes,
        Self::PersistentVolumeClaims,
        Self::ConfigMaps,
        Self::Secrets,
        Self::Events,
    ];

    /// Its name in URLs and on the command line (`stateful_sets`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Namespaces => "namespaces",
            Self::Pods => "pods",
            Self::Deployments => "deployments",
            Self::StatefulSets => "stateful_sets",
            Self::DaemonSets => "daemon_sets",
            Self::Jobs => "jobs",
            Self::CronJobs => "cron_jobs",
            Self::Services => "services",
            Self::Ingresses => "ingresses",
            Self::PersistentVolumes => "persistent_volumes",
            Self::PersistentVolumeClaims => "persistent_volume_claims",
            Self::ConfigMaps => "config_maps",
            Self::Secrets => "secrets",
            Self::Events => "events",
        }
    }

    /// The kind named `s` (its `as_str`, or kubectl's plural or short name: `sts`, `pvc`...).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_lowercase();
        let aliases: &[(&str, Self)] = &[
            ("no", Self::Nodes),
            ("node", Self::Nodes),
            ("ns", Self::Namespaces),
            ("po", Self::Pods),
            ("pod", Self::Pods),
            ("deploy", Self::Deployments),
            ("statefulsets", Self::StatefulSets),
            ("sts", Self::StatefulSets),
            ("daemonsets", Self::DaemonSets),
            ("ds", Self::DaemonSets),
            ("job", Self::Jobs),
            ("cronjobs", Self::CronJobs),
            ("cj", Self::CronJobs),
            ("svc", Self::Services),
            ("ing", Self::Ingresses),
            ("persistentvolumes", Self::PersistentVolumes),
            ("pv", Self::PersistentVolumes),
            ("persistentvolumeclaims", Self::PersistentVolumeClaims),
            ("pvc", Self::PersistentVolumeClaims),
            ("configmaps", Self::ConfigMaps),
            ("cm", Self::ConfigMaps),
            ("secret", Self::Secrets),
            ("ev", Self::Events),
        ];
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .or_else(|| aliases.iter().find(|(a, _)| *a == s).map(|(_, k)| *k))
    }

    /// Whether its objects live in namespaces.
    pub fn namespaced(self) -> bool {
        !matches!(self, Self::Nodes | Self::Namespaces | Self::PersistentVolumes)
    }

    /// The columns of its rows' `cells` (after namespace and name).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Nodes => &["Status", "Roles", "Kubelet", "Address", "CPU", "Memory", "Taints", "Conditions"],
            Self::Namespaces => &["Status"],
            Self::Pods => &["Ready", "Status", "Restarts", "Node", "IP"],
            Self::Deployments => &["Ready", "Up-to-date", "Available", "Images"],
            Self::StatefulSets => &["Ready", "Images"],
            Self::DaemonSets => &["Desired", "Current", "Ready", "Up-to-date", "Available"],
            Self::Jobs => &["Completions", "Status"],
            Self::CronJobs => &["Schedule", "Suspend", "Last schedule"],
            Self::Services => &["Type", "Cluster IP", "Ports"],
            Self::Ingresses => &["Class", "Hosts", "Address"],
            Self::PersistentVolumes => &["Capacity", "Access", "Reclaim", "Status", "Claim", "Class"],
            Self::PersistentVolumeClaims => &["Status", "Volume", "Capacity", "Class"],
            Self::ConfigMaps => &["Data"],
            Self::Secrets => &["Labels"],
            Self::Events => &["Type", "Reason", "Object", "Message", "Count", "Last seen"],
        }
    }
}

/// A kind as the views present it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct KindInfo {
    /// The kind.
    pub kind: ResourceKind,
    /// Its rows' columns (after namespace and name).
    pub columns: Vec<String>,
    /// Its objects live in namespaces.
    pub namespaced: bool,
}

impl ResourceKind {
    /// How the views present it.
    pub fn info(self) -> KindInfo {
        KindInfo {
            kind: self,
            columns: self.columns().iter().map(|c| c.to_string()).collect(),
            namespaced: self.namespaced(),
        }
    }
}

/// How a row looks at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    /// Nothing to say.
    Neutral,
    /// Well (running, ready, bound).
    Ok,
    /// Part way or worth a look (pending, not all ready, a warning event).
    Warning,
    /// Failing (crash looping, not ready, failed).
    Error,
}

/// One object as a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResourceRow {
    /// `NAMESPACE/NAME`, or `NAME` for a cluster-scoped object: unique in its kind.
    pub key: String,
    /// Its namespace (none: cluster-scoped).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// When it was created (RFC 3339), empty if not told.
    pub created: String,
    /// The values of its kind's [`ResourceKind::columns`].
    pub cells: Vec<String>,
    /// How it looks at a glance.
    pub state: RowState,
}

fn row(meta: &ObjectMeta, cells: Vec<String>, state: RowState) -> ResourceRow {
    let name = meta.name.clone().unwrap_or_default();
    let namespace = meta.namespace.clone();
    ResourceRow {
        key: match &namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.clone(),
        },
        namespace,
        name,
        created: meta.creation_timestamp.as_ref().map(|t| t.0.to_string()).unwrap_or_default(),
        cells,
        state,
    }
}

fn n(v: Option<i32>) -> String {
    v.unwrap_or(0).to_string()
}

/// A quantity for people: memory in GiB/MiB, anything else as given.
fn human(q: Option<&Quantity>) -> String {
    let Some(Quantity(s)) = q else { return "-".into() };
    let units = [("Ki", 1u64 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40)];
    let bytes = units
        .iter()
        .find_map(|(u, m)| s.strip_suffix(u).and_then(|n| n.parse::<u64>().ok()).map(|n| n * m))
        .or_else(|| s.parse::<u64>().ok().filter(|n| *n >= 1 << 20));
    match bytes {
        Some(b) if b >= 1 << 30 => format!("{:.1}Gi", b as f64 / (1u64 << 30) as f64),
        Some(b) => format!("{}Mi", b >> 20),
        None => s.clone(),
    }
}

fn images(spec: Option<&PodSpec>) -> String {
    spec.map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect::<Vec<_>>().join(",")).unwrap_or_default()
}

/// A node's row.
pub fn node_row(o: &Node) -> ResourceRow {
    let summary = crate::NodeSummary::of(o);
    let status = o.status.as_ref();
    let alloc = status.and_then(|s| s.allocatable.as_ref());
    let cap = status.and_then(|s| s.capacity.as_ref());
    let pair = |k: &str| format!("{}/{}", human(alloc.and_then(|a| a.get(k))), human(cap.and_then(|c| c.get(k))));
    let taints = o
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .map(|t| t.iter().map(|t| format!("{}:{}", t.key, t.effect)).collect::<Vec<_>>().join(","));
    let pressure: Vec<String> = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.type_ != "Ready" && c.status == "True")
        .map(|c| c.type_.clone())
        .collect();
    let mut ready = if summary.ready { "Ready".to_string() } else { "NotReady".to_string() };
    if summary.unschedulable {
        ready.push_str(",SchedulingDisabled");
    }
    let state = match (summary.ready, summary.unschedulable || !pressure.is_empty()) {
        (false, _) => RowState::Error,
        (true, true) => RowState::Warning,
        (true, false) => RowState::Ok,
    };
    let cells = vec![
        ready,
        summary.roles.join(","),
        summary.kubelet_version,
        summary.internal_ip,
        pair("cpu"),
        pair("memory"),
        taints.unwrap_or_default(),
        pressure.join(","),
    ];
    row(&o.metadata, cells, state)
}

/// A namespace's row.
pub fn namespace_row(o: &Namespace) -> ResourceRow {
    let phase = o.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Active".into());
    let state = if phase == "Active" { RowState::Ok } else { RowState::Warning };
    row(&o.metadata, vec![phase], state)
}

/// A pod's row: ready containers, the status kubectl shows (a waiting reason before the phase),
/// restarts, node and IP.
pub fn pod_row(o: &Pod) -> ResourceRow {
    let status = o.status.as_ref();
    let containers = status.and_then(|s| s.container_statuses.clone()).unwrap_or_default();
    let total = o.spec.as_ref().map_or(containers.len(), |s| s.containers.len());
    let ready = containers.iter().filter(|c| c.ready).count();
    let restarts: i32 = containers.iter().map(|c| c.restart_count).sum();
    let waiting = containers.iter().find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone());
    let terminated = containers.iter().find_map(|c| c.state.as_ref()?.terminated.as_ref()?.reason.clone());
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Unknown".into());
    let shown = if o.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        waiting.or(terminated.filter(|_| phase != "Succeeded")).unwrap_or_else(|| phase.clone())
    };
    let state = match shown.as_str() {
        "Running" if ready == total => RowState::Ok,
        "Succeeded" | "Completed" => RowState::Neutral,
        "Running" | "Pending" | "ContainerCreating" | "Terminating" | "PodInitializing" => RowState::Warning,
        _ => RowState::Error,
    };
    let cells = vec![
        format!("{ready}/{total}"),
        shown,
        restarts.to_string(),
        o.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
        status.and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
    ];
    row(&o.metadata, cells, state)
}

fn ready_state(ready: i32, want: i32) -> RowState {
    if ready >= want {
        RowState::Ok
    } else if ready == 0 && want > 0 {
        RowState::Error
    } else {
        RowState::Warning
    }
}

/// A deployment's row.
pub fn deployment_row(o: &Deployment) -> ResourceRow {
    let want = o.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let s = o.status.clone().unwrap_or_default();
    let ready = s.ready_replicas.unwrap_or(0);
    let tpl = o.spec.as_ref().and_then(|s| s.template.spec.as_ref());
    let cells = vec![format!("{ready}/{want}"), n(s.updated_replicas), n(s.available_replicas), images(tpl)];
    row(&o.metadata, cells, ready_state(ready, want))
}

/// A stateful set's row.
pub fn stateful_set_row(o: &StatefulSet) -> ResourceRow {
    let want = o.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let ready = o.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let tpl = o.spec.as_ref().and_then(|s| s.template.spec.as_ref());
    row(&o.metadata, vec![format!("{ready}/{want}"), images(tpl)], ready_state(ready, want))
}

/// A daemon set's row.
pub fn daemon_set_row(o: &DaemonSet) -> ResourceRow {
    let s = o.status.clone().unwrap_or_default();
    let cells = vec![
        s.desired_number_scheduled.to_string(),
        s.current_number_scheduled.to_string(),
        s.number_ready.to_string(),
        n(s.updated_number_scheduled),
        n(s.number_available),
    ];
    row(&o.metadata, cells, ready_state(s.number_ready, s.desired_number_scheduled))
}

/// A job's row.
pub fn job_row(o: &Job) -> ResourceRow {
    let want = o.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
    let s = o.status.clone().unwrap_or_default();
    let (done, failed) = (s.succeeded.unwrap_or(0), s.failed.unwrap_or(0));
    let (status, state) = if done >= want {
        ("Complete", RowState::Ok)
    } else if failed > 0 {
        ("Failed", RowState::Error)
    } else {
        ("Running", RowState::Warning)
    };
    row(&o.metadata, vec![format!("{done}/{want}"), status.into()], state)
}

/// A cron job's row.
pub fn cron_job_row(o: &CronJob) -> ResourceRow {
    let spec = o.spec.as_ref();
    let suspended = spec.and_then(|s| s.suspend).unwrap_or(false);
    let last = o.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(|t| t.0.to_string());
    let cells = vec![
        spec.map(|s| s.schedule.clone()).unwrap_or_default(),
        suspended.to_string(),
        last.unwrap_or_else(|| "-".into()),
    ];
    row(&o.metadata, cells, if suspended { RowState::Warning } else { RowState::Neutral })
}

/// A service's row.
pub fn service_row(o: &Service) -> ResourceRow {
    let spec = o.spec.clone().unwrap_or_default();
    let ports: Vec<String> = spec
        .ports
        .unwrap_or_default()
        .iter()
        .map(|p| match p.node_port {
            Some(np) => format!("{}:{np}/{}", p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into())),
            None => format!("{}/{}", p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into())),
        })
        .collect();
    let cells =
        vec![spec.type_.unwrap_or_else(|| "ClusterIP".into()), spec.cluster_ip.unwrap_or_default(), ports.join(",")];
    row(&o.metadata, cells, RowState::Neutral)
}

/// An ingress's row.
pub fn ingress_row(o: &Ingress) -> ResourceRow {
    let spec = o.spec.clone().unwrap_or_default();
    let hosts: Vec<String> = spec.rules.unwrap_or_default().iter().filter_map(|r| r.host.clone()).collect();
    let address: Vec<String> = o
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .collect();
    let state = if address.is_empty() { RowState::Warning } else { RowState::Ok };
    let cells = vec![spec.ingress_class_name.unwrap_or_default(), hosts.join(","), address.join(",")];
    row(&o.metadata, cells, state)
}

fn phase_state(phase: &str) -> RowState {
    match phase {
        "Bound" => RowState::Ok,
        "Available" | "Released" => RowState::Neutral,
        "Pending" => RowState::Warning,
        _ => RowState::Error,
    }
}

/// A persistent volume's row.
pub fn persistent_volume_row(o: &PersistentVolume) -> ResourceRow {
    let spec = o.spec.clone().unwrap_or_default();
    let phase = o.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| format!("{}/{}", c.namespace.clone().unwrap_or_default(), c.name.clone().unwrap_or_default()));
    let cells = vec![
        human(spec.capacity.as_ref().and_then(|c| c.get("storage"))),
        spec.access_modes.unwrap_or_default().join(","),
        spec.persistent_volume_reclaim_policy.unwrap_or_default(),
        phase.clone(),
        claim.unwrap_or_default(),
        spec.storage_class_name.unwrap_or_default(),
    ];
    row(&o.metadata, cells, phase_state(&phase))
}

/// A persistent volume claim's row.
pub fn persistent_volume_claim_row(o: &PersistentVolumeClaim) -> ResourceRow {
    let spec = o.spec.clone().unwrap_or_default();
    let status = o.status.clone().unwrap_or_default();
    let phase = status.phase.unwrap_or_default();
    let cells = vec![
        phase.clone(),
        spec.volume_name.unwrap_or_default(),
        human(status.capacity.as_ref().and_then(|c| c.get("storage"))),
        spec.storage_class_name.unwrap_or_default(),
    ];
    row(&o.metadata, cells, phase_state(&phase))
}

/// A config map's row.
pub fn config_map_row(o: &ConfigMap) -> ResourceRow {
    let keys = o.data.as_ref().map_or(0, |d| d.len()) + o.binary_data.as_ref().map_or(0, |d| d.len());
    row(&o.metadata, vec![keys.to_string()], RowState::Neutral)
}

/// A secret's row, from its metadata only.
pub fn secret_row(meta: &ObjectMeta) -> ResourceRow {
    let labels = meta.labels.as_ref().map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","));
    row(meta, vec![labels.unwrap_or_default()], RowState::Neutral)
}

/// An event's row.
pub fn event_row(o: &Event) -> ResourceRow {
    let kind = o.type_.clone().unwrap_or_else(|| "Normal".into());
    let object = format!(
        "{}/{}",
        o.involved_object.kind.clone().unwrap_or_default().to_lowercase(),
        o.involved_object.name.clone().unwrap_or_default()
    );
    let last = o
        .last_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .or_else(|| o.event_time.as_ref().map(|t| t.0.to_string()))
        .unwrap_or_default();
    let state = if kind == "Warning" { RowState::Warning } else { RowState::Neutral };
    let cells = vec![
        kind,
        o.reason.clone().unwrap_or_default(),
        object,
        o.message.clone().unwrap_or_default(),
        o.count.unwrap_or(1).to_string(),
        last,
    ];
    row(&o.metadata, cells, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_names_and_kubectls_short_names() {
        for k in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ResourceKind::parse("sts"), Some(ResourceKind::StatefulSets));
        assert_eq!(ResourceKind::parse("PVC"), Some(ResourceKind::PersistentVolumeClaims));
        assert_eq!(ResourceKind::parse("widgets"), None);
    }

    #[test]
    fn memory_reads_for_people_and_cpu_stays_as_given() {
        assert_eq!(human(Some(&Quantity("16331432Ki".into()))), "15.6Gi");
        assert_eq!(human(Some(&Quantity("512Mi".into()))), "512Mi");
        assert_eq!(human(Some(&Quantity("4".into()))), "4");
        assert_eq!(human(None), "-");
    }

    #[test]
    fn a_crash_looping_pod_shows_its_reason_as_kubectl_does() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "db-0", "namespace": "default"},
            "spec": {"nodeName": "w1", "containers": [{"name": "db"}]},
            "status": {"phase": "Running", "podIP": "10.244.1.5", "containerStatuses": [{
                "name": "db", "ready": false, "restartCount": 4, "image": "", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let r = pod_row(&pod);
        assert_eq!(r.key, "default/db-0");
        assert_eq!(r.cells, ["0/1", "CrashLoopBackOff", "4", "w1", "10.244.1.5"]);
        assert_eq!(r.state, RowState::Error);
        assert_eq!(r.cells.len(), ResourceKind::Pods.columns().len());
    }
}
