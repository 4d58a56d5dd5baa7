//! A cluster's health as its API server reports it: the server's own readiness checks (etcd
//! among them), the nodes' `Ready` conditions, the system pods, and the serving certificate.

use crate::{ClusterAccess, Error, NodeSummary, Result, serving_chain};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::ListParams;
use serde::{Deserialize, Serialize};

/// The namespace whose pods count as the cluster's own.
pub const SYSTEM_NAMESPACE: &str = "kube-system";

/// What a probe found (the API server answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Health {
    /// The API server's version.
    pub version: String,
    /// The API server's readiness checks (`/readyz?verbose`: `etcd`, `ping`, `informer-sync`...).
    pub checks: Vec<Check>,
    /// The nodes.
    pub nodes: Vec<NodeSummary>,
    /// How many pods run in `kube-system`.
    pub system_pods: usize,
    /// The `kube-system` pods that are not running and ready (or completed).
    pub pod_problems: Vec<PodProblem>,
    /// The serving certificate chain (DER, leaf first; empty when the system's roots are trusted).
    #[serde(skip)]
    #[schemars(skip)]
    pub serving_chain: Vec<Vec<u8>>,
}

/// One readiness check of the API server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    /// Its name (`etcd`, `ping`, `poststarthook/...`).
    pub name: String,
    /// It passed.
    pub ok: bool,
    /// What the server said about a failure.
    pub detail: String,
}

/// A system pod that is not well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PodProblem {
    /// Pod name.
    pub name: String,
    /// Its node.
    pub node: String,
    /// Its phase (`Pending`, `Running`, `Failed`...).
    pub phase: String,
    /// Why it is not well (a waiting container's reason, or the containers not ready).
    pub reason: String,
    /// Restarts of its containers, summed.
    pub restarts: i32,
}

impl Health {
    /// Every readiness check passed, every node is ready, and no system pod has a problem.
    pub fn is_healthy(&self) -> bool {
        self.checks.iter().all(|c| c.ok) && self.nodes.iter().all(|n| n.ready) && self.pod_problems.is_empty()
    }

    /// The first thing wrong, said in one line: a failed readiness check, then a node not ready,
    /// then a system pod with a problem (none when healthy).
    pub fn first_problem(&self) -> Option<String> {
        if let Some(c) = self.checks.iter().find(|c| !c.ok) {
            return Some(format!("{}: {}", c.name, c.detail));
        }
        if let Some(n) = self.nodes.iter().find(|n| !n.ready) {
            let why = if n.not_ready_reason.is_empty() { String::new() } else { format!(" ({})", n.not_ready_reason) };
            return Some(format!("node {}: NotReady{why}", n.name));
        }
        self.pod_problems.first().map(|p| {
            let why = if p.reason.is_empty() { &p.phase } else { &p.reason };
            format!("pod {}: {why}", p.name)
        })
    }

    /// The readiness check named `name`, if the server reports one.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// Probes the API server of `access`. An [`Error::Unreachable`] means it did not answer.
pub async fn probe(access: &ClusterAccess) -> Result<Health> {
    let client = access.client()?;
    let server = access.server.as_str();
    let info = client.apiserver_version().await.map_err(|e| Error::from_kube(server, e))?;
    let checks = readiness(&client, server).await?;
    let nodes = kube::Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .map_err(|e| Error::from_kube(server, e).attempting("list the nodes"))?;
    let pods = kube::Api::<Pod>::namespaced(client, SYSTEM_NAMESPACE)
        .list(&ListParams::default())
        .await
        .map_err(|e| Error::from_kube(server, e).attempting("list the kube-system pods"))?;
    Ok(Health {
        version: info.git_version,
        checks,
        nodes: nodes.items.iter().map(NodeSummary::of).collect(),
        system_pods: pods.items.len(),
        pod_problems: pods.items.iter().filter_map(pod_problem).collect(),
        serving_chain: serving_chain(access).await?,
    })
}

/// `/readyz?verbose`, which answers 200 or 500 with one `[+]name ok` / `[-]name failed: …` line
/// per check; a server without it (404) has no checks to report.
async fn readiness(client: &kube::Client, server: &str) -> Result<Vec<Check>> {
    let req = http::Request::get("/readyz?verbose")
        .body(Vec::new())
        .map_err(|e| Error::Protocol { server: server.into(), reason: e.to_string() })?;
    let text = match client.request_text(req).await {
        Ok(text) => text,
        Err(kube::Error::Api(s)) if s.code == 500 => s.message,
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Vec::new()),
        Err(e) => return Err(Error::from_kube(server, e).attempting("read /readyz")),
    };
    Ok(parse_readyz(&text))
}

fn parse_readyz(text: &str) -> Vec<Check> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("[+]") {
                let name = rest.split_whitespace().next()?.to_string();
                Some(Check { name, ok: true, detail: String::new() })
            } else {
                let rest = line.strip_prefix("[-]")?;
                let (name, detail) = rest.split_once(' ').unwrap_or((rest, ""));
                let detail = detail.trim().trim_start_matches("failed").trim_start_matches(':').trim();
                Some(Check { name: name.to_string(), ok: false, detail: detail.to_string() })
            }
        })
        .collect()
}

fn pod_problem(pod: &Pod) -> Option<PodProblem> {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Unknown".into());
    let containers = status.and_then(|s| s.container_statuses.clone()).unwrap_or_default();
    let restarts = containers.iter().map(|c| c.restart_count).sum();
    let reason = match phase.as_str() {
        "Succeeded" => return None,
        "Running" => {
            let not_ready: Vec<&str> = containers.iter().filter(|c| !c.ready).map(|c| c.name.as_str()).collect();
            if not_ready.is_empty() {
                return None;
            }
            let waiting = containers
                .iter()
                .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
                .next()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            format!("not ready: {}{waiting}", not_ready.join(", "))
        }
        _ => containers
            .iter()
            .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
            .next()
            .or_else(|| status.and_then(|s| s.reason.clone()))
            .unwrap_or_default(),
    };
    Some(PodProblem {
        name: pod.metadata.name.clone().unwrap_or_default(),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
        phase,
        reason,
        restarts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readyz_lines_become_checks_with_what_failed() {
        let text = "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/rbac ok\n\
                    readyz check failed\n";
        let checks = parse_readyz(text);
        assert_eq!(checks.len(), 4);
        assert!(checks[0].ok && checks[0].name == "ping");
        assert_eq!(checks[2], Check { name: "etcd".into(), ok: false, detail: "reason withheld".into() });
        assert_eq!(checks[3].name, "poststarthook/rbac");
    }

    #[test]
    fn a_pod_whose_container_waits_is_a_problem_and_a_finished_one_is_not() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "coredns-1"}, "spec": {"nodeName": "m1", "containers": []},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "coredns", "ready": false, "restartCount": 7, "image": "", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        }))
        .expect("pod");
        let p = pod_problem(&pod).expect("a problem");
        assert_eq!(
            (p.reason.as_str(), p.restarts, p.node.as_str()),
            ("not ready: coredns (CrashLoopBackOff)", 7, "m1")
        );
        let done: Pod =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "job"}, "status": {"phase": "Succeeded"}}))
                .expect("pod");
        assert_eq!(pod_problem(&done), None);
    }

    #[test]
    fn the_first_problem_is_a_failed_check_then_a_node_then_a_system_pod() {
        let node = |name: &str, ready: bool| NodeSummary {
            name: name.into(),
            roles: vec!["worker".into()],
            ready,
            not_ready_reason: if ready { String::new() } else { "KubeletNotReady: PLEG is not healthy".into() },
            kubelet_version: "v1.34.2".into(),
            arch: "amd64".into(),
            internal_ip: String::new(),
            unschedulable: false,
        };
        let pod = PodProblem {
            name: "coredns-1".into(),
            node: "m1".into(),
            phase: "Running".into(),
            reason: "not ready: coredns (CrashLoopBackOff)".into(),
            restarts: 7,
        };
        let mut h = Health {
            version: "v1.34.2".into(),
            checks: vec![Check { name: "etcd".into(), ok: false, detail: "reason withheld".into() }],
            nodes: vec![node("w1", true), node("w2", false)],
            system_pods: 5,
            pod_problems: vec![pod],
            serving_chain: Vec::new(),
        };
        assert_eq!(h.first_problem().as_deref(), Some("etcd: reason withheld"));
        h.checks[0].ok = true;
        assert_eq!(h.first_problem().as_deref(), Some("node w2: NotReady (KubeletNotReady: PLEG is not healthy)"));
        h.nodes[1].ready = true;
        assert_eq!(h.first_problem().as_deref(), Some("pod coredns-1: not ready: coredns (CrashLoopBackOff)"));
        h.pod_problems.clear();
        assert_eq!(h.first_problem(), None);
    }
}
