//! Operations inside a cluster, through its API server: an object's YAML, server-side apply
//! (planned with diffs, then applied), node cordon / uncordon / drain, pod deletion and its
//! containers, workload restart and scale. The live views are a stream (`cluster_resource_updates`), outside the table.

use super::NoInput;
use crate::{ApplyChange, ContainerSummary, DrainReport, KindInfo, ResourceKind, WorkloadKind};

operations! {
    /// The kinds of object the cluster views show, with their columns.
    resource_kinds: Get "/api/resource-kinds" NoInput -> Vec<KindInfo> = |_api, _a, _| {
        ResourceKind::ALL.into_iter().map(ResourceKind::info).collect()
    };

    /// One object of the cluster as YAML; a secret's values only with `reveal` (operators of the
    /// cluster; written to the audit log).
    cluster_object_yaml: Get "/api/clusters/{name}/objects/{kind}/{object}" ClusterObjectYaml {
        /// Cluster name.
        name: String,
        /// The object's kind.
        kind: ResourceKind,
        /// Its name.
        object: String,
        /// Its namespace (none for cluster-scoped kinds).
        #[serde(default)]
        namespace: Option<String>,
        /// Show a secret's values.
        #[serde(default)]
        reveal: bool,
    } -> String = |api, a, i| {
        api.cluster_object_yaml(a, &i.name, i.kind, i.namespace.as_deref(), &i.object, i.reveal).await?
    };

    /// What server-side applying the YAML would change, each object with a diff; nothing changes.
    cluster_apply_plan: Post "/api/clusters/{name}/apply/plan" ClusterApply {
        /// Cluster name.
        name: String,
        /// One or more objects (YAML documents).
        yaml: String,
        /// The namespace of objects that name none.
        #[serde(default = "default_namespace")]
        namespace: String,
    } -> Vec<ApplyChange> = |api, a, i| api.cluster_apply(a, &i.name, &i.yaml, &i.namespace, true).await?;

    /// Server-side applies the YAML (field manager `kubeoperator-desktop`, conflicts forced).
    cluster_apply: Post "/api/clusters/{name}/apply" ClusterApply -> Vec<ApplyChange> = |api, a, i| {
        api.cluster_apply(a, &i.name, &i.yaml, &i.namespace, false).await?
    };

    /// Cordons (`schedulable: false`) or uncordons a node.
    cluster_node_schedulable: Post "/api/clusters/{name}/nodes/{node}/schedulable" [status 204] ClusterNodeSchedulable {
        /// Cluster name.
        name: String,
        /// Node name.
        node: String,
        /// New pods may be scheduled on it.
        schedulable: bool,
    } -> () = |api, a, i| api.cluster_node_schedulable(a, &i.name, &i.node, i.schedulable).await?;

    /// Drains a node: cordoned, its pods evicted (DaemonSet and static pods stay); an eviction a
    /// disruption budget refuses is tried again for up to two minutes.
    cluster_node_drain: Post "/api/clusters/{name}/nodes/{node}/drain" ClusterNodeDrain {
        /// Cluster name.
        name: String,
        /// Node name.
        node: String,
    } -> DrainReport = |api, a, i| api.cluster_node_drain(a, &i.name, &i.node).await?;

    /// Deletes a pod (its controller makes a new one).
    cluster_pod_delete: Delete "/api/clusters/{name}/namespaces/{namespace}/pods/{pod}" ClusterPodDelete {
        /// Cluster name.
        name: String,
        /// The pod's namespace.
        namespace: String,
        /// The pod.
        pod: String,
    } -> () = |api, a, i| api.cluster_pod_delete(a, &i.name, &i.namespace, &i.pod).await?;

    /// A pod's containers (init containers first) with their state: where a command can run,
    /// whose log to read.
    cluster_pod_containers: Get "/api/clusters/{name}/namespaces/{namespace}/pods/{pod}/containers" ClusterPodContainers {
        /// Cluster name.
        name: String,
        /// The pod's namespace.
        namespace: String,
        /// The pod.
        pod: String,
    } -> Vec<ContainerSummary> = |api, a, i| api.cluster_pod_containers(a, &i.name, &i.namespace, &i.pod).await?;

    /// Restarts a workload's pods, as `kubectl rollout restart`.
    cluster_workload_restart: Post "/api/clusters/{name}/namespaces/{namespace}/workloads/{kind}/{workload}/restart" [status 204] ClusterWorkloadRestart {
        /// Cluster name.
        name: String,
        /// The workload's namespace.
        namespace: String,
        /// Its kind.
        kind: WorkloadKind,
        /// Its name.
        workload: String,
    } -> () = |api, a, i| api.cluster_workload_restart(a, &i.name, i.kind, &i.namespace, &i.workload).await?;

    /// Sets a Deployment's or StatefulSet's replicas.
    cluster_workload_scale: Post "/api/clusters/{name}/namespaces/{namespace}/workloads/{kind}/{workload}/scale" [status 204] ClusterWorkloadScale {
        /// Cluster name.
        name: String,
        /// The workload's namespace.
        namespace: String,
        /// Its kind.
        kind: WorkloadKind,
        /// Its name.
        workload: String,
        /// The replicas it is to have.
        replicas: i32,
    } -> () = |api, a, i| {
        api.cluster_workload_scale(a, &i.name, i.kind, &i.namespace, &i.workload, i.replicas).await?
    };
}

fn default_namespace() -> String {
    "default".into()
}
