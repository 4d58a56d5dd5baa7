//! What a create needs from its bundle, node by node and arch by arch — checked before the task
//! exists, so a bundle that lacks something stops the create before any host is touched, naming
//! every missing file (in mixed-arch clusters each node needs its own arch's files).

use crate::cluster_vars::LB_IMAGES;
use ko_bundle::BundleManifest;
use ko_core::{
    ClusterSpec, IngressKind, Invalid, LoadBalancerMode, LoadBalancerSource, NetworkPlugin, Problem, RuntimeKind,
};
use ko_playbook::{Inventory, Selector};
use std::collections::BTreeMap;

/// A bundle component a phase installs, and on which nodes.
struct Need {
    /// The playbook that installs it.
    playbook: &'static str,
    /// The phase, as the message names it.
    phase: &'static str,
    component: &'static str,
    /// A component that serves instead (the Docker package instead of the static archive).
    or: Option<&'static str>,
    /// Only an image of the component serves (what the load balancer runs).
    image: bool,
    on: Selector,
}

/// The components the create's phases install, as the cluster file chooses them (chrony is
/// optional: without it in the bundle, base leaves time sync to the hosts; haproxy and keepalived
/// are images, or with `load_balancer.from: package` the bundle's packages when it carries them,
/// else the host's own). See "What a bundle holds" in the README.
fn needs(spec: &ClusterSpec) -> Vec<Need> {
    let need = |playbook, phase, component, on| Need { playbook, phase, component, or: None, image: false, on };
    let mut out = Vec::new();
    if spec.load_balancer.from == LoadBalancerSource::Image {
        let lb = &spec.load_balancer;
        let carriers = match (lb.mode, lb.hosts.is_empty()) {
            (LoadBalancerMode::Internal, _) => vec![Selector::All],
            (LoadBalancerMode::External, true) => vec![Selector::Masters],
            (LoadBalancerMode::External, false) => lb.hosts.iter().map(|h| Selector::Host(h.clone())).collect(),
        };
        let images: &[&'static str] = if lb.mode == LoadBalancerMode::External { &LB_IMAGES } else { &LB_IMAGES[..1] };
        for on in carriers {
            for component in images {
                out.push(Need { image: true, ..need("loadbalancer", "load balancer", component, on.clone()) });
            }
        }
    }
    match spec.runtime.kind {
        RuntimeKind::Containerd => {
            for component in ["containerd", "runc", "cni-plugins"] {
                out.push(need("runtime", "runtime", component, Selector::All));
            }
        }
        RuntimeKind::Docker => {
            // the static archive (any distribution), or Debian's package
            out.push(Need { or: Some("docker.io"), ..need("runtime", "runtime", "docker", Selector::All) });
            out.push(need("kubernetes", "kubernetes components", "cri-dockerd", Selector::Nodes));
        }
    }
    out.push(need("etcd", "etcd", "etcd", Selector::Etcd));
    out.push(need("upgrade", "upgrade", "kubernetes-server", Selector::Nodes));
    let kube = |component| need("kubernetes", "kubernetes components", component, Selector::Nodes);
    out.extend([kube("kubernetes-server"), kube("pause"), kube("coredns")]);
    let helm = spec.components.helm
        || spec.network.plugin == NetworkPlugin::Cilium
        || spec.components.ingress == IngressKind::Traefik;
    if helm {
        out.push(need("kubernetes", "kubernetes components", "helm", Selector::Masters));
    }
    out.push(need("network", "network", spec.network.plugin.as_str(), Selector::Nodes));
    let addon = |component| need("addons", "add-ons", component, Selector::Nodes);
    if spec.components.metrics_server {
        out.push(addon("metrics-server"));
    }
    match spec.components.ingress {
        IngressKind::Nginx => out.push(addon("ingress-nginx")),
        IngressKind::Traefik => out.push(addon("traefik")),
        IngressKind::None => {}
    }
    if spec.network.nodelocal_dns {
        out.push(addon("nodelocaldns"));
    }
    if spec.components.gpu {
        out.push(addon("nvidia-device-plugin"));
    }
    out
}

/// Whether `manifest` has `component` (only its images, with `image`) for `arch`: a file of that
/// arch, or only arch-independent files (a component with images for some arch needs its images
/// for every node's arch, even when its manifest is arch-independent).
fn covers(manifest: &BundleManifest, component: &str, image: bool, arch: &str) -> bool {
    let mut files = manifest
        .files
        .iter()
        .filter(|f| f.component == component && (!image || f.kind == ko_bundle::FileKind::Image))
        .peekable();
    let any = files.peek().is_some();
    let (mut own, mut specific) = (false, false);
    for f in files {
        own |= f.arch == arch;
        specific |= f.arch != "all";
    }
    own || (any && !specific)
}

/// What is missing: a component, or only its image.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum ImageOr {
    Image(&'static str),
    Component(&'static str),
}

/// Refuses (one problem per missing component and arch, naming the phase and the nodes) unless
/// `manifest` has a file of every component the `stages` install, for the arch of every node
/// that needs it.
pub fn check_bundle_covers(
    spec: &ClusterSpec,
    inv: &Inventory,
    bundle: &str,
    manifest: &BundleManifest,
    stages: &[ko_core::Stage],
) -> Result<(), Invalid> {
    // (component, arch) -> (phase, nodes)
    let mut missing: BTreeMap<(ImageOr, String), (&str, Vec<String>)> = BTreeMap::new();
    for n in needs(spec).into_iter().filter(|n| stages.iter().any(|s| s.as_str() == n.playbook)) {
        for h in inv.select(&n.on) {
            let arch = h.facts["arch"].as_str().map_or_else(|| spec.arch.as_str().to_string(), str::to_string);
            let present = covers(manifest, n.component, n.image, &arch)
                || n.or.is_some_and(|c| covers(manifest, c, n.image, &arch));
            if !present {
                let what = if n.image { ImageOr::Image(n.component) } else { ImageOr::Component(n.component) };
                missing.entry((what, arch)).or_insert((n.phase, Vec::new())).1.push(h.name.clone());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let problems = missing
        .into_iter()
        .map(|((what, arch), (phase, hosts))| {
            let (component, alternative) = match what {
                ImageOr::Image(c) => (format!("{c} image"), "; or set load_balancer.from: package to install haproxy and keepalived as packages"),
                ImageOr::Component(c) => (c.to_string(), ""),
            };
            Problem::new(
                "bundle.missing_files",
                "bundle",
                format!(
                    "bundle '{bundle}' has no {component} for {arch}, which the {phase} phase installs on {}; use a bundle that has it{alternative}",
                    hosts.join(", ")
                ),
            )
        })
        .collect();
    Err(Invalid(problems))
}
