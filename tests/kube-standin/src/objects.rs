//! The objects the stand-in serves: resource kinds as discovery lists them, and generated objects
//! of the real API types (k8s-openapi), each with a uid, a creation time and a resourceVersion.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateWaiting, ContainerStatus, Namespace, Node, NodeAddress, NodeCondition,
    NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;
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

/// The objects, by plural, each list in name order per namespace.
#[derive(Debug, Default)]
pub struct Objects {
    /// Objects by resource plural.
    pub by_plural: BTreeMap<&'static str, Vec<Value>>,
    /// The last resourceVersion handed out.
    pub resource_version: u64,
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
    let state = waiting.map(|reason| ContainerState {
        waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: None }),
        ..Default::default()
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
            o.put(value(&pod("default", &format!("web-{i:05}"), node, "web", None)));
        }
        o
    }

    /// Adds or replaces an object (by kind, namespace and name), giving it the next
    /// resourceVersion.
    pub fn put(&mut self, mut obj: Value) {
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let Some(res) = RESOURCES.iter().find(|r| r.kind == kind) else { return };
        self.resource_version += 1;
        obj["metadata"]["resourceVersion"] = self.resource_version.to_string().into();
        let key = |v: &Value| (v["metadata"]["namespace"].as_str().map(str::to_string), v["metadata"]["name"].clone());
        let list = self.by_plural.entry(res.plural).or_default();
        match list.iter_mut().find(|v| key(v) == key(&obj)) {
            Some(slot) => *slot = obj,
            None => list.push(obj),
        }
    }

    /// The objects of `plural` (in `namespace` when given).
    pub fn list(&self, plural: &str, namespace: Option<&str>) -> Vec<Value> {
        let all = self.by_plural.get(plural).map(Vec::as_slice).unwrap_or_default();
        all.iter().filter(|v| namespace.is_none_or(|ns| v["metadata"]["namespace"] == ns)).cloned().collect()
    }
}
