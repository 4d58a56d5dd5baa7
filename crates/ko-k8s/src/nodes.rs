//! A node as the overview shows it: its roles, readiness, version and architecture.

use k8s_openapi::api::core::v1::Node;
use serde::{Deserialize, Serialize};

/// One node of a cluster, read from the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NodeSummary {
    /// Node name.
    pub name: String,
    /// Roles from its `node-role.kubernetes.io/ROLE` labels (`control-plane`, `worker`...); a
    /// node without one is listed as `worker`.
    pub roles: Vec<String>,
    /// Its `Ready` condition is `True`.
    pub ready: bool,
    /// Why it is not ready (the condition's reason and message), empty when it is.
    pub not_ready_reason: String,
    /// The kubelet's version.
    pub kubelet_version: String,
    /// CPU architecture (`amd64`, `arm64`...).
    pub arch: String,
    /// Its internal IP address, if it reports one.
    pub internal_ip: String,
    /// New pods are not scheduled on it (cordoned).
    pub unschedulable: bool,
}

impl NodeSummary {
    /// The summary of `node`.
    pub fn of(node: &Node) -> Self {
        let labels = node.metadata.labels.clone().unwrap_or_default();
        let mut roles: Vec<String> = labels
            .keys()
            .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        if roles.is_empty() {
            roles.push("worker".into());
        }
        let status = node.status.as_ref();
        let ready_cond =
            status.and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready")).cloned();
        let ready = ready_cond.as_ref().is_some_and(|c| c.status == "True");
        let not_ready_reason = match (&ready_cond, ready) {
            (_, true) => String::new(),
            (None, false) => "no Ready condition reported".into(),
            (Some(c), false) => {
                let reason = c.reason.clone().unwrap_or_else(|| format!("Ready={}", c.status));
                match &c.message {
                    Some(m) if !m.is_empty() => format!("{reason}: {m}"),
                    _ => reason,
                }
            }
        };
        let info = status.and_then(|s| s.node_info.as_ref());
        let internal_ip = status
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map(|a| a.address.clone())
            .unwrap_or_default();
        Self {
            name: node.metadata.name.clone().unwrap_or_default(),
            roles,
            ready,
            not_ready_reason,
            kubelet_version: info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
            arch: info.map(|i| i.architecture.clone()).unwrap_or_default(),
            internal_ip,
            unschedulable: node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
        }
    }

    /// Whether it runs the control plane.
    pub fn is_control_plane(&self) -> bool {
        self.roles.iter().any(|r| r == "control-plane" || r == "master")
    }
}
