//! The Kubernetes phases' variables (`kube` in templates): node names, the API endpoint, the
//! kubeadm settings derived from the cluster file, and what each node runs.

use ko_core::{ClusterSpec, NodeNameRule, NodeRole, ProxyMode};
use ko_playbook::{Inventory, Selector};
use serde_json::{Value, json};
use std::net::IpAddr;

/// Where each node's NodeLocal DNSCache listens (the upstream default).
const NODELOCAL_DNS_IP: &str = "169.254.20.10";

/// The images the control plane runs, taken from the bundle's Kubernetes server archive.
const CONTROL_PLANE_IMAGES: &[&str] = &["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/// The variables of the Kubernetes phases. `endpoint` is the load balancer's (`lb.endpoint`).
pub fn kube_vars(spec: &ClusterSpec, inv: &Inventory, endpoint: &str) -> Value {
    // the cluster's masters, the hosts leaving it aside; every node keeps its name and labels
    let masters = inv.select_in(&Selector::Masters, true);
    let net = &spec.network;
    let dns_ip = nth_address(&net.service_cidr, 10);
    // in IPVS mode the kubelet must point pods at the local cache itself (upstream's instructions)
    let cluster_dns = if net.nodelocal_dns && net.proxy_mode == ProxyMode::Ipvs {
        NODELOCAL_DNS_IP.to_string()
    } else {
        dns_ip.clone()
    };
    let pod_prefix = ko_core::parse_cidr("network.pod_cidr", &net.pod_cidr, false).map_or(32, |n| n.max_prefix_len());
    let mut spec_named = spec.clone();
    assign_node_names(&mut spec_named, inv);
    let mut names = serde_json::Map::new();
    let mut labels = serde_json::Map::new();
    let mut schedulable = serde_json::Map::new();
    let mut images = serde_json::Map::new();
    for node in &spec_named.nodes {
        let Some(h) = inv.hosts.iter().find(|h| h.name == node.host) else { continue };
        let Some(name) = &node.name else { continue }; // etcd only: not a Kubernetes node
        let master = node.has(NodeRole::Master);
        names.insert(h.name.clone(), json!(name));
        // the labels `post` puts on the node: its zone, the worker role, the cluster file's own
        let mut own = node.labels.clone();
        if let Some(zone) = &node.zone {
            own.insert("topology.kubernetes.io/zone".into(), zone.clone());
        }
        if node.has(NodeRole::Worker) {
            own.insert("node-role.kubernetes.io/worker".into(), String::new());
        }
        labels.insert(h.name.clone(), json!(own));
        // the images each node runs from the server archive: the control plane's on masters
        let mut own_images: Vec<&str> = if master { CONTROL_PLANE_IMAGES.to_vec() } else { Vec::new() };
        own_images.push("kube-proxy");
        images.insert(h.name.clone(), json!(own_images));
        schedulable.insert(h.name.clone(), json!(!master || spec.masters_schedulable || node.has(NodeRole::Worker)));
    }
    let mut sans: Vec<String> = vec!["127.0.0.1".into(), "localhost".into()];
    sans.extend(masters.iter().map(|h| h.address.clone()));
    sans.extend(spec.load_balancer.vip.iter().cloned());
    let (endpoint_host, _) = endpoint.rsplit_once(':').unwrap_or((endpoint, ""));
    let first = masters.first();
    json!({
        "version": spec.version,
        "endpoint": endpoint,
        "endpoint_host": endpoint_host,
        "first_master": first.map(|h| h.name.clone()),
        "masters": masters.len(),
        // the laptop reaches the API through the VIP, or the first master directly
        "api_url": if spec.load_balancer.mode == ko_core::LoadBalancerMode::External {
            format!("https://{endpoint}")
        } else {
            format!("https://{}:6443", first.map_or("127.0.0.1", |h| h.address.as_str()))
        },
        "node_names": names,
        "labels": labels,
        "schedulable": schedulable,
        "network_mode": net.effective_mode(),
        "interface": net.interface,
        "node_cidr_mask": ko_core::node_mask_for_max_pods(net.max_pods_per_node, pod_prefix),
        "dns_ip": dns_ip,
        "cluster_dns": cluster_dns,
        "nodelocal_dns_ip": NODELOCAL_DNS_IP,
        "cert_sans": sans,
        "cert_validity": format!("{}h0m0s", u64::from(spec.certificate_validity_days) * 24),
        "node_images": images,
        "cri_socket": match spec.runtime.kind {
            ko_core::RuntimeKind::Containerd => "unix:///run/containerd/containerd.sock",
            ko_core::RuntimeKind::Docker => "unix:///run/cri-dockerd.sock",
        },
        "helm": spec.components.helm
            || net.plugin == ko_core::NetworkPlugin::Cilium
            || spec.components.ingress == ko_core::IngressKind::Traefik,
    })
}

/// Names the Kubernetes nodes that have no name yet (all of them at a create, the new ones when
/// nodes are added) by the cluster's `node_name_rule`; named nodes keep their names, so a node is
/// never renamed and a removed node's name is not given again. `<cluster>-master-N` and
/// `<cluster>-worker-N` take the next number after the highest in use; hosts that only run etcd
/// get no name. `inv` holds the nodes' hosts.
pub fn assign_node_names(spec: &mut ClusterSpec, inv: &Inventory) {
    let next = |spec: &ClusterSpec, kind: &str| {
        let prefix = format!("{}-{kind}-", spec.name);
        let used = spec.nodes.iter().filter_map(|n| n.name.as_deref()?.strip_prefix(&prefix)?.parse::<u32>().ok());
        used.max().unwrap_or(0) + 1
    };
    for i in 0..spec.nodes.len() {
        let node = &spec.nodes[i];
        let master = node.has(NodeRole::Master);
        if node.name.is_some() || !(master || node.has(NodeRole::Worker)) {
            continue;
        }
        let Some(h) = inv.hosts.iter().find(|h| h.name == node.host) else { continue };
        let name = match spec.node_name_rule {
            NodeNameRule::Default => {
                let kind = if master { "master" } else { "worker" };
                format!("{}-{kind}-{}", spec.name, next(spec, kind))
            }
            NodeNameRule::Hostname => h.name.clone(),
            NodeNameRule::Ip => h.address.clone(),
        };
        spec.nodes[i].name = Some(name);
    }
}

/// The `n`th address of an IPv4 block (the cluster DNS is the service network's 10th).
fn nth_address(cidr: &str, n: u32) -> String {
    match ko_core::parse_cidr("network.service_cidr", cidr, false).map(|net| net.network()) {
        Ok(IpAddr::V4(a)) => std::net::Ipv4Addr::from(u32::from(a).wrapping_add(n)).to_string(),
        Ok(IpAddr::V6(a)) => std::net::Ipv6Addr::from(u128::from(a).wrapping_add(u128::from(n))).to_string(),
        Err(_) => String::new(),
    }
}
