//! What a create needs from its bundle, node by node and arch by arch — checked before the task
//! exists, so a bundle that lacks something stops the create before any host is touched, naming
//! every missing file (in mixed-arch clusters each node needs its own arch's files).

use crate::{ApiError, Result};
use ko_bundle::BundleManifest;
use ko_core::{ClusterSpec, LoadBalancerMode, Problem, RuntimeKind};
use ko_playbook::{Inventory, Selector};
use std::collections::BTreeMap;

/// A bundle component a phase installs, and on which nodes.
struct Need {
    phase: &'static str,
    component: &'static str,
    on: Selector,
}

/// The components the create's phases install, as the cluster file chooses them (chrony is
/// optional: without it in the bundle, base leaves time sync to the hosts).
fn needs(spec: &ClusterSpec) -> Vec<Need> {
    let need = |phase, component, on| Need { phase, component, on };
    let mut out = Vec::new();
    match spec.runtime.kind {
        RuntimeKind::Containerd => {
            out.push(need("runtime", "containerd", Selector::All));
            out.push(need("runtime", "runc", Selector::All));
        }
        RuntimeKind::Docker => out.push(need("runtime", "docker.io", Selector::All)),
    }
    match spec.load_balancer.mode {
        LoadBalancerMode::Internal => out.push(need("load balancer", "haproxy", Selector::All)),
        LoadBalancerMode::External => {
            let carriers = match spec.load_balancer.hosts.as_slice() {
                [] => vec![Selector::Masters],
                hosts => hosts.iter().map(|h| Selector::Host(h.clone())).collect(),
            };
            for on in carriers {
                out.push(need("load balancer", "haproxy", on.clone()));
                out.push(need("load balancer", "keepalived", on));
            }
        }
    }
    out.push(need("etcd", "etcd-server", Selector::Etcd));
    out.push(need("etcd", "etcd-client", Selector::Etcd));
    out
}

/// Refuses (one problem per missing component and arch, naming the phase and the nodes) unless
/// `manifest` has a file of every needed component for the arch of every node that needs it.
pub(crate) fn check_bundle_covers(
    spec: &ClusterSpec,
    inv: &Inventory,
    bundle: &str,
    manifest: &BundleManifest,
) -> Result<()> {
    // (component, arch) -> (phase, nodes)
    let mut missing: BTreeMap<(&str, String), (&str, Vec<String>)> = BTreeMap::new();
    for n in needs(spec) {
        for h in inv.select(&n.on) {
            let arch = h.facts["arch"].as_str().map_or_else(|| spec.arch.as_str().to_string(), str::to_string);
            let present =
                manifest.files.iter().any(|f| f.component == n.component && (f.arch == arch || f.arch == "all"));
            if !present {
                missing.entry((n.component, arch)).or_insert((n.phase, Vec::new())).1.push(h.name.clone());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let problems = missing
        .into_iter()
        .map(|((component, arch), (phase, hosts))| {
            Problem::new(
                "bundle.missing_files",
                "bundle",
                format!(
                    "bundle '{bundle}' has no {component} for {arch}, which the {phase} phase installs on {}; use a bundle that has it",
                    hosts.join(", ")
                ),
            )
        })
        .collect();
    Err(ApiError::Invalid(ko_core::Invalid(problems)))
}
