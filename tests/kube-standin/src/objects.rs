//! The objects the stand-in serves: resource kinds as discovery lists them, and generated objects
//! of the real API types (k8s-openapi), each with a uid, a creation time and a resourceVersion.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateWaiting, ContainerStatus, Namespace, Node,
    NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A kind of resource the stand-in serves.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// API group (empty: the core group).
    pub group: &'static str,
    /// Version.
    pub version: &'static str,
    /// Plural name in URLs.
    pub plural: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Lives in a namespace.
    pub namespaced: bool,
    /// Short names kubectl accepts.
    pub short: &'static [&'static str],
}

impl Resource {
    /// `v1` or `group/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.to_string() } else { format!("{}/{}", self.group, self.version) }
    }
}

const fn r(
    group: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> Resource {
    Resource { group, version: "v1", plural, kind, namespaced, short }
}

/// Every kind served (list, get; the review is create-only).
pub const RESOURCES: &[Resource] = &[
    r("", "namespaces", "Namespace", false, &["ns"]),
    r("", "nodes", "Node", false, &["no"]),
    r("", "pods", "Pod", true, &["po"]),
    r("", "services", "Service", true, &["svc"]),
    r("", "configmaps", "ConfigMap", true, &["cm"]),
    r("", "secrets", "Secret", true, &[]),
    r("", "events", "Event", true, &["ev"]),
    r("", "persistentvolumes", "PersistentVolume", false, &["pv"]),
    r("", "persistentvolumeclaims", "PersistentVolumeClaim", true, &["pvc"]),
    r("apps", "deployments", "Deployment", true, &["deploy"]),
    r("apps", "statefulsets", "StatefulSet", true, &["sts"]),
    r("apps", "daemonsets", "DaemonSet", true, &["ds"]),
    r("apps", "replicasets", "ReplicaSet", true, &["rs"]),
    r("batch", "jobs", "Job", true, &[]),
    r("batch", "cronjobs", "CronJob", true, &["cj"]),
    r("networking.k8s.io", "ingresses", "Ingress", true, &["ing"]),
    r("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false, &[]),
];

/// The resource `plural` of `group`.
pub fn resource(group: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.group == group && r.plural == plural)
}

/// What the stand-in's cluster looks like when it starts.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Control-plane nodes (`m1`...).
    pub masters: usize,
    /// Worker nodes (`w1`...).
    pub workers: usize,
    /// Pods of an application in namespace `default`, spread over the workers.
    pub app_pods: usize,
    /// Kubernetes version it reports.
    pub version: &'static str,
}

impl Default for Shape {
    fn default() -> Self {
        Self { masters: 1, workers: 2, app_pods: 3, version: "v1.34.2" }
    }
}

/// How many changes are kept for watches to resume from (older ones are compacted away: a
/// watch from before them gets `410 Gone`).
const HISTORY: usize = 20_000;

/// One change, as a watch sends it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The resourceVersion it made.
    pub rv: u64,
    /// The resource's plural.
    pub plural: &'static str,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    /// The object after it (before it, for a deletion, with the new resourceVersion).
    pub object: Value,
}

/// The objects, by plural, each list in name order per namespace, and the recent changes.
#[derive(Debug, Default)]
pub struct Objects {
    /// Objects by resource plural.
    pub by_plural: BTreeMap<&'static str, Vec<Value>>,
    /// The last resourceVersion handed out.
    pub resource_version: u64,
    /// Recent changes, oldest first.
    history: Vec<Change>,
    /// A watch from a resourceVersion below this is gone (`410`).
    compacted_below: u64,
}

/// A watch asked to resume from history that is gone.
#[derive(Debug)]
pub struct Gone;

fn key(v: &Value) -> (Option<String>, Value) {
    (v["metadata"]["namespace"].as_str().map(str::to_string), v["metadata"]["name"].clone())
}

fn meta(name: &str, namespace: Option<&str>, labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(str::to_string),
        uid: Some(format!("{:08x}-0000-4000-8000-000000000000", fxhash(name) ^ fxhash(namespace.unwrap_or("")))),
        creation_timestamp: Some(Time(k8s_openapi::jiff::Timestamp::from_second(1_764_000_000).unwrap_or_default())),
        labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        ..Default::default()
    }
}

fn fxhash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// A node, ready or not.
pub fn node(name: &str, control_plane: bool, ready: bool, ip: &str, version: &str) -> Node {
    let role = if control_plane { "node-role.kubernetes.io/control-plane" } else { "node-role.kubernetes.io/worker" };
    let condition = NodeCondition {
        type_: "Ready".into(),
        status: if ready { "True" } else { "False" }.into(),
        reason: Some(if ready { "KubeletReady" } else { "KubeletNotReady" }.into()),
        message: Some(if ready { "kubelet is posting ready status" } else { "container runtime is down" }.into()),
        ..Default::default()
    };
    Node {
        metadata: meta(name, None, &[("kubernetes.io/hostname", name), ("kubernetes.io/arch", "amd64"), (role, "")]),
        spec: Some(NodeSpec::default()),
        status: Some(NodeStatus {
            conditions: Some(vec![condition]),
            addresses: Some(vec![NodeAddress { type_: "InternalIP".into(), address: ip.into() }]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                kubelet_version: version.into(),
                container_runtime_version: "containerd://2.1.4".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                operating_system: "linux".into(),
                kernel_version: "6.1.0".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

/// A pod on `node`: running and ready, or waiting with `waiting` as the reason.
pub fn pod(namespace: &str, name: &str, node: &str, app: &str, waiting: Option<&str>) -> Pod {
    let state = Some(match waiting {
        Some(reason) => ContainerState {
            waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: None }),
            ..Default::default()
        },
        None => ContainerState { running: Some(ContainerStateRunning { started_at: None }), ..Default::default() },
    });
    Pod {
        metadata: meta(name, Some(namespace), &[("app", app)]),
        spec: Some(PodSpec {
            node_name: Some(node.into()),
            containers: vec![Container { name: app.into(), image: Some(format!("{app}:1")), ..Default::default() }],
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            pod_ip: Some("10.244.0.10".into()),
            container_statuses: Some(vec![ContainerStatus {
                name: app.into(),
                ready: waiting.is_none(),
                restart_count: if waiting.is_some() { 5 } else { 0 },
                image: format!("{app}:1"),
                image_id: String::new(),
                state,
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}

/// The ReplicaSet of deployment `web`.
const WEB_RS: &str = "web-5d4f8c7b9";

fn owner(api_version: &str, kind: &str, name: &str) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": format!("{:08x}-0000-4000-8000-000000000001", fxhash(name)), "controller": true})
}

fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str, rest: Value) -> Value {
    let mut v = json!({"apiVersion": api_version, "kind": kind});
    v["metadata"] = serde_json::to_value(meta(name, namespace, &[("app", name)])).unwrap_or_default();
    if let Value::Object(more) = rest {
        for (k, x) in more {
            v[k] = x;
        }
    }
    v
}

/// The workloads and other objects of the application `web` (and a few of every kind): a
/// Deployment with its ReplicaSet, the kube-proxy DaemonSet, a StatefulSet, a Job and its CronJob,
/// a Service, an Ingress, a ConfigMap, a Secret (with data, which views must not show), a PV and
/// its claim, and events.
fn workloads(replicas: usize, nodes: usize, first_worker: &str) -> Vec<Value> {
    let ready = |n: usize| json!({"replicas": n, "readyReplicas": n, "availableReplicas": n, "updatedReplicas": n});
    let template = |app: &str| json!({"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": app, "image": format!("{app}:1")}]}});
    let selector = |app: &str| json!({"matchLabels": {"app": app}});
    vec![
        object(
            "apps/v1",
            "Deployment",
            Some("default"),
            "web",
            json!({
            "spec": {"replicas": replicas, "selector": selector("web"), "template": template("web")}, "status": ready(replicas)}),
        ),
        object(
            "apps/v1",
            "ReplicaSet",
            Some("default"),
            WEB_RS,
            json!({
            "spec": {"replicas": replicas, "selector": selector("web"), "template": template("web")}, "status": ready(replicas)}),
        ),
        object(
            "apps/v1",
            "DaemonSet",
            Some("kube-system"),
            "kube-proxy",
            json!({
            "spec": {"selector": selector("kube-proxy"), "template": template("kube-proxy")},
            "status": {"currentNumberScheduled": nodes, "desiredNumberScheduled": nodes, "numberMisscheduled": 0,
                       "numberReady": nodes, "numberAvailable": nodes, "updatedNumberScheduled": nodes}}),
        ),
        object(
            "apps/v1",
            "StatefulSet",
            Some("default"),
            "db",
            json!({
            "spec": {"replicas": 1, "serviceName": "db", "selector": selector("db"), "template": template("db")},
            "status": {"replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1}}),
        ),
        object(
            "batch/v1",
            "CronJob",
            Some("default"),
            "backup",
            json!({
            "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": template("backup")}}},
            "status": {"lastScheduleTime": "2026-12-07T02:00:00Z"}}),
        ),
        object(
            "batch/v1",
            "Job",
            Some("default"),
            "backup-29420000",
            json!({
            "spec": {"completions": 1, "template": template("backup")},
            "status": {"succeeded": 1, "startTime": "2026-12-07T02:00:00Z", "completionTime": "2026-12-07T02:00:41Z"}}),
        ),
        object(
            "v1",
            "Service",
            Some("default"),
            "web",
            json!({
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.12.34", "selector": {"app": "web"},
                     "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
        ),
        object(
            "networking.k8s.io/v1",
            "Ingress",
            Some("default"),
            "web",
            json!({
            "spec": {"ingressClassName": "nginx", "rules": [{"host": "web.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.100"}]}}}),
        ),
        object(
            "v1",
            "ConfigMap",
            Some("default"),
            "web-config",
            json!({"data": {"LOG_LEVEL": "info", "PORT": "8080"}}),
        ),
        object(
            "v1",
            "Secret",
            Some("default"),
            "web-tls",
            json!({"type": "kubernetes.io/tls",
            "data": {"tls.crt": "c3RhbmRpbi1jZXJ0", "tls.key": "c3RhbmRpbi1zZWNyZXQta2V5"}}),
        ),
        object(
            "v1",
            "PersistentVolume",
            None,
            "pv-0001",
            json!({
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                     "storageClassName": "local", "claimRef": {"namespace": "default", "name": "data-db-0"}, "hostPath": {"path": "/data/pv-0001"}},
            "status": {"phase": "Bound"}}),
        ),
        object(
            "v1",
            "PersistentVolumeClaim",
            Some("default"),
            "data-db-0",
            json!({
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "volumeName": "pv-0001", "storageClassName": "local"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}}}),
        ),
        object(
            "v1",
            "Event",
            Some("default"),
            "web-00000.18a1",
            json!({
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-00000"}, "reason": "Scheduled",
            "message": format!("Successfully assigned default/web-00000 to {first_worker}"), "type": "Normal", "count": 1,
            "lastTimestamp": "2026-12-07T10:00:00Z", "source": {"component": "default-scheduler"}}),
        ),
        object(
            "v1",
            "Event",
            Some("default"),
            "db-0.18a2",
            json!({
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "db-0"}, "reason": "BackOff",
            "message": "Back-off restarting failed container db in pod db-0", "type": "Warning", "count": 4,
            "lastTimestamp": "2026-12-07T10:05:00Z", "source": {"component": "kubelet", "host": first_worker}}),
        ),
    ]
}

fn value<T: serde::Serialize + k8s_openapi::Resource>(o: &T) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or_default();
    v["apiVersion"] = T::API_VERSION.into();
    v["kind"] = T::KIND.into();
    v
}

impl Objects {
    /// The objects of a cluster of `shape`: its nodes, namespaces, the control plane's pods in
    /// `kube-system` and the application's pods in `default`.
    pub fn of(shape: &Shape) -> Self {
        let mut o = Self::default();
        let masters: Vec<String> = (1..=shape.masters).map(|i| format!("m{i}")).collect();
        let workers: Vec<String> = (1..=shape.workers).map(|i| format!("w{i}")).collect();
        for (i, m) in masters.iter().enumerate() {
            o.put(value(&node(m, true, true, &format!("10.0.0.{}", 10 + i), shape.version)));
        }
        for (i, w) in workers.iter().enumerate() {
            o.put(value(&node(w, false, true, &format!("10.0.0.{}", 20 + i), shape.version)));
        }
        for ns in ["default", "kube-system", "kube-public"] {
            o.put(value(&Namespace { metadata: meta(ns, None, &[]), ..Default::default() }));
        }
        for m in &masters {
            for c in ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] {
                o.put(value(&pod("kube-system", &format!("{c}-{m}"), m, c, None)));
            }
        }
        let first = masters.first().cloned().unwrap_or_default();
        o.put(value(&pod("kube-system", "coredns-7c65d6cfc9-x2k4p", &first, "coredns", None)));
        let hosts = if workers.is_empty() { masters.clone() } else { workers.clone() };
        for i in 0..shape.app_pods {
            let node = &hosts[i % hosts.len()];
            let mut p = value(&pod("default", &format!("web-{i:05}"), node, "web", None));
            p["metadata"]["ownerReferences"] = json!([owner("apps/v1", "ReplicaSet", WEB_RS)]);
            o.put(p);
        }
        // the StatefulSet's pod, crash looping (its previous instance's log says why)
        let mut db = value(&pod("default", "db-0", &hosts[0], "db", Some("CrashLoopBackOff")));
        db["metadata"]["ownerReferences"] = json!([owner("apps/v1", "StatefulSet", "db")]);
        o.put(db);
        for node in masters.iter().chain(&workers) {
            let mut p = value(&pod("kube-system", &format!("kube-proxy-{node}"), node, "kube-proxy", None));
            p["metadata"]["ownerReferences"] = json!([owner("apps/v1", "DaemonSet", "kube-proxy")]);
            o.put(p);
        }
        for obj in workloads(shape.app_pods, masters.len() + workers.len(), hosts.first().map_or("", String::as_str)) {
            o.put(obj);
        }
        o
    }

    /// Adds or replaces an object (by kind, namespace and name), giving it the next
    /// resourceVersion; returns it as stored.
    pub fn put(&mut self, mut obj: Value) -> Value {
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let Some(res) = RESOURCES.iter().find(|r| r.kind == kind) else { return obj };
        self.resource_version += 1;
        obj["metadata"]["resourceVersion"] = self.resource_version.to_string().into();
        let list = self.by_plural.entry(res.plural).or_default();
        let change = match list.iter_mut().find(|v| key(v) == key(&obj)) {
            Some(slot) => {
                *slot = obj.clone();
                "MODIFIED"
            }
            None => {
                list.push(obj.clone());
                "ADDED"
            }
        };
        self.record(res.plural, change, obj.clone());
        obj
    }

    /// Removes an object; returns it (with the deletion's resourceVersion).
    pub fn remove(&mut self, plural: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let res = RESOURCES.iter().find(|r| r.plural == plural)?;
        let list = self.by_plural.get_mut(res.plural)?;
        let at = list
            .iter()
            .position(|v| v["metadata"]["name"] == name && v["metadata"]["namespace"].as_str() == namespace)?;
        let mut gone = list.remove(at);
        self.resource_version += 1;
        gone["metadata"]["resourceVersion"] = self.resource_version.to_string().into();
        self.record(res.plural, "DELETED", gone.clone());
        Some(gone)
    }

    fn record(&mut self, plural: &'static str, kind: &'static str, object: Value) {
        self.history.push(Change { rv: self.resource_version, plural, kind, object });
        if self.history.len() > HISTORY {
            let drop = self.history.len() - HISTORY;
            self.compacted_below = self.history[drop - 1].rv + 1;
            self.history.drain(..drop);
        }
    }

    /// The changes of `plural` (in `namespace`) after resourceVersion `rv`, or [`Gone`] when
    /// they are no longer kept.
    pub fn changes_since(&self, rv: u64, plural: &str, namespace: Option<&str>) -> Result<Vec<Change>, Gone> {
        if rv + 1 < self.compacted_below {
            return Err(Gone);
        }
        Ok(self
            .history
            .iter()
            .filter(|c| c.rv > rv && c.plural == plural)
            .filter(|c| namespace.is_none_or(|ns| c.object["metadata"]["namespace"] == ns))
            .cloned()
            .collect())
    }

    /// Forgets every change so far, as etcd's compaction does: watches resuming from before now
    /// get `410 Gone` and must list again.
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted_below = self.resource_version + 1;
    }

    /// The objects of `plural` (in `namespace` when given).
    pub fn list(&self, plural: &str, namespace: Option<&str>) -> Vec<Value> {
        let all = self.by_plural.get(plural).map(Vec::as_slice).unwrap_or_default();
        all.iter().filter(|v| namespace.is_none_or(|ns| v["metadata"]["namespace"] == ns)).cloned().collect()
    }
}

/// The lines a container's log starts with: twenty, a minute apart, the last a minute ago (the
/// previous instance's end with the reason it stopped).
pub fn first_log_lines(pod: &str, container: &str, previous: bool) -> Vec<(i64, String)> {
    let now = crate::now_secs();
    (0..20)
        .map(|i| {
            let text = match (previous, i) {
                (true, 19) => format!("{container}: fatal: cannot open database file (pod {pod})"),
                (true, _) => format!("{container}: previous instance line {i} (pod {pod})"),
                (false, 0) => format!("{container}: starting (pod {pod})"),
                (false, _) => format!("{container}: serving request {i} (pod {pod})"),
            };
            (now - (20 - i) * 60, text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::{apps, batch, core, networking};

    /// Every generated object reads as its real API type (no field of the wrong shape).
    #[test]
    fn every_generated_object_is_a_valid_object_of_its_type() {
        fn check<T: serde::de::DeserializeOwned>(v: &Value) {
            if let Err(e) = serde_json::from_value::<T>(v.clone()) {
                panic!("{} {}: {e}", v["kind"], v["metadata"]["name"]);
            }
        }
        let o = Objects::of(&Shape::default());
        let mut kinds = std::collections::BTreeSet::new();
        for (plural, items) in &o.by_plural {
            for v in items {
                kinds.insert(*plural);
                match *plural {
                    "nodes" => check::<core::v1::Node>(v),
                    "namespaces" => check::<core::v1::Namespace>(v),
                    "pods" => check::<core::v1::Pod>(v),
                    "services" => check::<core::v1::Service>(v),
                    "configmaps" => check::<core::v1::ConfigMap>(v),
                    "secrets" => check::<core::v1::Secret>(v),
                    "events" => check::<core::v1::Event>(v),
                    "persistentvolumes" => check::<core::v1::PersistentVolume>(v),
                    "persistentvolumeclaims" => check::<core::v1::PersistentVolumeClaim>(v),
                    "deployments" => check::<apps::v1::Deployment>(v),
                    "replicasets" => check::<apps::v1::ReplicaSet>(v),
                    "daemonsets" => check::<apps::v1::DaemonSet>(v),
                    "statefulsets" => check::<apps::v1::StatefulSet>(v),
                    "jobs" => check::<batch::v1::Job>(v),
                    "cronjobs" => check::<batch::v1::CronJob>(v),
                    "ingresses" => check::<networking::v1::Ingress>(v),
                    other => panic!("no type check for {other}"),
                }
            }
        }
        assert_eq!(kinds.len(), RESOURCES.len() - 1, "every served kind but the review has objects: {kinds:?}");
    }

    #[test]
    fn a_watch_resumes_from_kept_history_and_is_gone_after_a_compaction() {
        let mut o = Objects::of(&Shape::default());
        let rv = o.resource_version;
        o.put(value(&pod("default", "new", "w1", "web", None)));
        o.remove("pods", Some("default"), "web-00000");
        let kinds: Vec<&str> =
            o.changes_since(rv, "pods", Some("default")).unwrap_or_default().iter().map(|c| c.kind).collect();
        assert_eq!(kinds, ["ADDED", "DELETED"]);
        assert!(o.changes_since(rv, "nodes", None).is_ok_and(|c| c.is_empty()));
        o.compact();
        assert!(o.changes_since(rv, "pods", None).is_err(), "from before the compaction: gone");
        assert!(o.changes_since(o.resource_version, "pods", None).is_ok(), "from now: fine");
    }
}
