//! The rules a cluster file must pass before anything touches a host.
//!
//! [`ClusterSpec::validate`] runs them all and returns every problem at once, so a user fixes a
//! file in one pass instead of one error per attempt.

use crate::NextStep;
use crate::cidr::{address_count, overlaps, parse_cidr, parse_ip};
use crate::{
    Arch, ClusterSpec, LoadBalancerMode, NodeArch, NodeRole, Problem, Provider, node_mask_for_max_pods,
    validate_dns1123_label,
};
use ipnet::IpNet;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

/// A registered host as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRef {
    /// Host name in the registry.
    pub name: String,
    /// Address the app reaches it at.
    pub address: IpAddr,
    /// Architecture, once facts have been gathered.
    pub arch: Option<NodeArch>,
}

/// A Kubernetes version the app knows and whether it is enabled for new clusters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionState {
    /// e.g. `v1.34.1`.
    pub version: String,
    /// Whether new clusters may use it.
    pub enabled: bool,
}

/// What the rules need to know about the world.
#[derive(Debug, Clone, Default)]
pub struct ClusterContext {
    /// Registered hosts.
    pub hosts: Vec<HostRef>,
    /// Known Kubernetes versions.
    pub versions: Vec<VersionState>,
    /// Existing project names.
    pub projects: Vec<String>,
    /// Existing deployment plans.
    pub plans: Vec<String>,
}

/// The parsed networks of a spec, for the overlap rules.
struct Networks {
    pod: Option<IpNet>,
    service: Option<IpNet>,
    bridge: Option<IpNet>,
}

impl ClusterSpec {
    /// Runs every rule and returns all problems found (empty when the spec is valid).
    pub fn validate(&self, ctx: &ClusterContext) -> Vec<Problem> {
        let mut out = Vec::new();
        out.extend(validate_dns1123_label("name", &self.name));
        self.check_project_and_version(ctx, &mut out);
        self.check_provider(ctx, &mut out);
        let nets = self.check_networks(&mut out);
        let hosts = self.check_nodes(ctx, &mut out);
        self.check_overlaps(&nets, &hosts, &mut out);
        self.check_capacity(&nets, &mut out);
        self.check_zones(&mut out);
        self.check_load_balancer(&nets, &hosts, &mut out);
        self.check_tuning(&mut out);
        out
    }

    fn check_project_and_version(&self, ctx: &ClusterContext, out: &mut Vec<Problem>) {
        if !ctx.projects.iter().any(|p| p == &self.project) {
            out.push(
                Problem::new(
                    "project.unknown",
                    "project",
                    format!(
                        "project '{}' does not exist; create it or pick one of: {}",
                        self.project,
                        list(&ctx.projects)
                    ),
                )
                .with_next(Some(NextStep::ProjectAdd { name: self.project.clone() })),
            );
        }
        match ctx.versions.iter().find(|v| v.version == self.version) {
            None => out.push(Problem::new(
                "version.unknown",
                "version",
                format!(
                    "Kubernetes version '{}' is not known; known versions: {} (import a bundle that brings it)",
                    self.version,
                    list(&ctx.versions.iter().map(|v| v.version.clone()).collect::<Vec<_>>())
                ),
            )),
            Some(v) if !v.enabled => out.push(
                Problem::new(
                    "version.disabled",
                    "version",
                    format!("Kubernetes version '{}' is disabled; enable it first", v.version),
                )
                .with_next(Some(NextStep::VersionEnable { version: v.version.clone() })),
            ),
            Some(_) => {}
        }
    }

    fn check_provider(&self, ctx: &ClusterContext, out: &mut Vec<Problem>) {
        match self.provider {
            Provider::Manual => {
                if self.plan.is_some() || self.worker_count.is_some() {
                    out.push(Problem::new(
                        "provider.plan_in_manual",
                        "plan",
                        "'plan' and 'worker_count' belong to provider: plan; remove them or set provider: plan",
                    ));
                }
            }
            Provider::Plan => match &self.plan {
                None => {
                    out.push(Problem::new("provider.plan_missing", "plan", "provider: plan needs 'plan: <plan name>'"))
                }
                Some(p) if !ctx.plans.contains(p) => out.push(Problem::new(
                    "plan.unknown",
                    "plan",
                    format!("deployment plan '{p}' does not exist; known plans: {}", list(&ctx.plans)),
                )),
                Some(_) => {}
            },
        }
    }

    fn check_networks(&self, out: &mut Vec<Problem>) -> Networks {
        let n = &self.network;
        let mut parse = |field: &str, text: &str, host_bits: bool| match parse_cidr(field, text, host_bits) {
            Ok(net) => Some(net),
            Err(p) => {
                out.push(p);
                None
            }
        };
        let nets = Networks {
            pod: parse("network.pod_cidr", &n.pod_cidr, false),
            service: parse("network.service_cidr", &n.service_cidr, false),
            bridge: parse("runtime.bridge_cidr", &self.runtime.bridge_cidr, true),
        };
        if let Some(mode) = &n.mode
            && !n.plugin.modes().contains(&mode.as_str())
        {
            out.push(Problem::new(
                "network.mode_unsupported",
                "network.mode",
                format!("{} does not support mode '{mode}'; choose one of: {}", n.plugin, n.plugin.modes().join(", ")),
            ));
        }
        if let Some(nic) = &n.interface
            && (nic.is_empty()
                || nic.len() > 15
                || !nic.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@:".contains(c)))
        {
            out.push(Problem::new(
                "network.interface_invalid",
                "network.interface",
                format!(
                    "'{nic}' is not a network interface name (1-15 letters, digits, '-', '_', '.'), e.g. eth0 or ens192"
                ),
            ));
        }
        if validate_dns_domain(&n.dns_domain).is_err() {
            out.push(Problem::new(
                "network.dns_domain_invalid",
                "network.dns_domain",
                format!(
                    "'{}' is not a DNS domain; use dot-separated lower-case labels, e.g. cluster.local",
                    n.dns_domain
                ),
            ));
        }
        nets
    }

    /// Checks nodes and returns the host addresses they resolve to (by node host name).
    fn check_nodes(&self, ctx: &ClusterContext, out: &mut Vec<Problem>) -> Vec<HostRef> {
        let known: HashMap<&str, &HostRef> = ctx.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
        let mut seen = HashSet::new();
        let mut names = HashSet::new();
        let mut resolved = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let field = format!("nodes[{i}]");
            if let Some(name) = &node.name {
                if name.len() > 253 || name.split('.').any(|l| validate_dns1123_label("", l).is_some()) {
                    out.push(Problem::new(
                        "node.bad_name",
                        format!("{field}.name"),
                        format!("'{name}' is not a Kubernetes node name; use lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit"),
                    ));
                } else if !names.insert(name.as_str()) {
                    out.push(Problem::new(
                        "node.duplicate_name",
                        format!("{field}.name"),
                        format!("two nodes are named '{name}'; each node needs its own name"),
                    ));
                }
            }
            if !seen.insert(node.host.as_str()) {
                out.push(Problem::new(
                    "node.duplicate_host",
                    format!("{field}.host"),
                    format!("host '{}' is listed twice; a host can be one node only", node.host),
                ));
                continue;
            }
            if node.roles.is_empty() {
                out.push(Problem::new(
                    "node.no_roles",
                    format!("{field}.roles"),
                    format!("node '{}' has no roles; give it master, etcd and/or worker", node.host),
                ));
            }
            match known.get(node.host.as_str()) {
                None => out.push(
                    Problem::new(
                        "node.unknown_host",
                        format!("{field}.host"),
                        format!("host '{}' is not registered; register it first", node.host),
                    )
                    .with_next(Some(NextStep::HostAdd { name: node.host.clone() })),
                ),
                Some(h) => {
                    if let (Some(host_arch), Some(want)) = (h.arch, single_arch(self.arch))
                        && host_arch != want
                    {
                        out.push(Problem::new(
                            "node.arch_mismatch",
                            format!("{field}.host"),
                            format!(
                                "host '{}' is {host_arch} but the cluster is {}; set arch: mixed or pick a {} host",
                                h.name, self.arch, self.arch
                            ),
                        ));
                    }
                    resolved.push((*h).clone());
                }
            }
        }
        let mut addresses: HashMap<IpAddr, &str> = HashMap::new();
        for h in &resolved {
            if let Some(other) = addresses.insert(h.address, &h.name) {
                out.push(Problem::new(
                    "node.duplicate_address",
                    "nodes",
                    format!(
                        "hosts '{other}' and '{}' have the same address {}; each node needs its own",
                        h.name, h.address
                    ),
                ));
            }
        }
        if self.provider == Provider::Manual {
            let masters = self.nodes.iter().filter(|n| n.has(NodeRole::Master)).count();
            if masters == 0 {
                out.push(Problem::new(
                    "node.no_master",
                    "nodes",
                    "the cluster has no master; give at least one node the role 'master'",
                ));
            }
            let etcd = self.etcd_member_count();
            if etcd > 1 && etcd.is_multiple_of(2) {
                out.push(Problem::new(
                    "etcd.even_members",
                    "nodes",
                    format!(
                        "{etcd} etcd members cannot keep quorum better than {}; use an odd number (1, 3 or 5)",
                        etcd - 1
                    ),
                ));
            }
        }
        resolved
    }

    /// Number of etcd members: nodes with the etcd role, or the masters when none has it.
    pub fn etcd_member_count(&self) -> usize {
        let etcd = self.nodes.iter().filter(|n| n.has(NodeRole::Etcd)).count();
        if etcd > 0 { etcd } else { self.nodes.iter().filter(|n| n.has(NodeRole::Master)).count() }
    }

    fn check_overlaps(&self, nets: &Networks, hosts: &[HostRef], out: &mut Vec<Problem>) {
        let named = [
            ("network.pod_cidr", "pod CIDR", nets.pod),
            ("network.service_cidr", "service CIDR", nets.service),
            ("runtime.bridge_cidr", "container bridge subnet", nets.bridge),
        ];
        for (i, (field_a, what_a, a)) in named.iter().enumerate() {
            let Some(a) = a else { continue };
            for (_, what_b, b) in &named[i + 1..] {
                if let Some(b) = b
                    && overlaps(a, b)
                {
                    out.push(Problem::new(
                        "network.cidr_overlap",
                        *field_a,
                        format!("the {what_a} {a} overlaps the {what_b} {b}; they must not share addresses, choose disjoint ranges"),
                    ));
                }
            }
            let inside: Vec<String> = hosts
                .iter()
                .filter(|h| a.contains(&h.address))
                .map(|h| format!("{} ({})", h.name, h.address))
                .collect();
            if !inside.is_empty() {
                out.push(Problem::new(
                    "network.overlaps_host",
                    *field_a,
                    format!("the {what_a} {a} contains host addresses {}; initialisation would break, choose a range that none of your hosts is in", inside.join(", ")),
                ));
            }
        }
    }

    fn check_capacity(&self, nets: &Networks, out: &mut Vec<Problem>) {
        let n = &self.network;
        if !(8..=2048).contains(&n.max_pods_per_node) {
            out.push(Problem::new(
                "network.max_pods_range",
                "network.max_pods_per_node",
                format!("{} is outside 8-2048 pods per node", n.max_pods_per_node),
            ));
        } else if let Some(pod) = nets.pod {
            let node_mask = node_mask_for_max_pods(n.max_pods_per_node, pod.max_prefix_len());
            if pod.prefix_len() > node_mask {
                out.push(Problem::new(
                    "network.pod_cidr_too_small",
                    "network.pod_cidr",
                    format!("the pod CIDR {pod} is smaller than one node's pod range (/{node_mask} for {} pods per node); use a /{} or larger", n.max_pods_per_node, node_mask.saturating_sub(4)),
                ));
            } else {
                let node_ranges = 1u128 << (node_mask - pod.prefix_len()).min(127);
                let nodes = self.nodes.len().max(1) as u128;
                if nodes > node_ranges {
                    out.push(Problem::new(
                        "network.pod_cidr_too_few_nodes",
                        "network.pod_cidr",
                        format!(
                            "the pod CIDR {pod} gives {node_ranges} node ranges of /{node_mask} but the cluster has {nodes} nodes; use a larger pod CIDR or fewer pods per node"
                        ),
                    ));
                }
            }
        }
        if n.max_services == 0 {
            out.push(Problem::new(
                "network.max_services_range",
                "network.max_services",
                "max_services must be at least 1",
            ));
        } else if let Some(svc) = nets.service {
            let min_prefix = svc.max_prefix_len() - 20;
            if svc.prefix_len() < min_prefix {
                out.push(Problem::new(
                    "network.service_cidr_too_large",
                    "network.service_cidr",
                    format!("the service CIDR {svc} is larger than the API server allows (/{min_prefix} at most); use e.g. 10.96.0.0/16"),
                ));
            }
            let usable = address_count(&svc).saturating_sub(2);
            if usable < u128::from(n.max_services) {
                out.push(Problem::new(
                    "network.service_cidr_too_small",
                    "network.service_cidr",
                    format!("the service CIDR {svc} holds {usable} services but max_services is {}; use a larger range or lower max_services", n.max_services),
                ));
            }
        }
    }

    fn check_zones(&self, out: &mut Vec<Problem>) {
        let zones: HashSet<&str> = self.nodes.iter().filter_map(|n| n.zone.as_deref()).collect();
        if zones.len() < 2 {
            return;
        }
        let masters: Vec<_> = self.nodes.iter().filter(|n| n.has(NodeRole::Master)).collect();
        if let Some(n) = masters.iter().find(|n| n.zone.is_none()) {
            out.push(Problem::new(
                "zone.master_without_zone",
                "nodes",
                format!("master '{}' has no zone while the cluster spans several; give every master a zone", n.host),
            ));
            return;
        }
        let mut per_zone: BTreeMap<&str, usize> = zones.iter().map(|z| (*z, 0)).collect();
        for m in &masters {
            if let Some(z) = m.zone.as_deref() {
                *per_zone.entry(z).or_default() += 1;
            }
        }
        let fair = masters.len().div_ceil(zones.len().min(masters.len()).max(1));
        if let Some((zone, count)) = per_zone.iter().find(|(_, c)| **c > fair) {
            let empty: Vec<&str> = per_zone.iter().filter(|(_, c)| **c == 0).map(|(z, _)| *z).collect();
            out.push(Problem::new(
                "zone.masters_not_spread",
                "nodes",
                format!(
                    "{count} of {} masters are in zone {zone}; spread them so no zone has more than {fair}{}",
                    masters.len(),
                    if empty.is_empty() {
                        String::new()
                    } else {
                        format!(" (zones without a master: {})", empty.join(", "))
                    }
                ),
            ));
        }
    }

    fn check_load_balancer(&self, nets: &Networks, hosts: &[HostRef], out: &mut Vec<Problem>) {
        let lb = &self.load_balancer;
        match (lb.mode, &lb.vip) {
            (LoadBalancerMode::Internal, Some(_)) => out.push(Problem::new(
                "lb.vip_in_internal",
                "load_balancer.vip",
                "a VIP is only used with mode: external; remove it or switch the mode",
            )),
            (LoadBalancerMode::External, None) => out.push(Problem::new(
                "lb.vip_missing",
                "load_balancer.vip",
                "mode: external needs 'vip: <free IP address in the hosts' network>'",
            )),
            (LoadBalancerMode::External, Some(text)) => {
                match parse_ip("load_balancer.vip", text) {
                    Err(p) => out.push(p),
                    Ok(vip) => {
                        if let Some(h) = hosts.iter().find(|h| h.address == vip) {
                            out.push(Problem::new(
                                "lb.vip_is_host",
                                "load_balancer.vip",
                                format!("the VIP {vip} is the address of host '{}'; choose an unused address", h.name),
                            ));
                        }
                        for (net, what) in [
                            (nets.pod, "pod CIDR"),
                            (nets.service, "service CIDR"),
                            (nets.bridge, "container bridge subnet"),
                        ] {
                            if let Some(net) = net
                                && net.contains(&vip)
                            {
                                out.push(Problem::new("lb.vip_in_cluster_network", "load_balancer.vip", format!("the VIP {vip} is inside the {what} {net}; choose an address in the hosts' network")));
                            }
                        }
                    }
                }
            }
            (LoadBalancerMode::Internal, None) => {}
        }
        for h in &lb.hosts {
            if !self.nodes.iter().any(|n| &n.host == h) && !hosts.iter().any(|r| &r.name == h) {
                out.push(Problem::new(
                    "lb.unknown_host",
                    "load_balancer.hosts",
                    format!("load-balancer host '{h}' is not a node of this cluster"),
                ));
            }
        }
    }

    fn check_tuning(&self, out: &mut Vec<Problem>) {
        let e = &self.etcd;
        if e.election_timeout_ms < 5 * e.heartbeat_interval_ms {
            out.push(Problem::new(
                "etcd.election_timeout_short",
                "etcd.election_timeout_ms",
                format!(
                    "{} ms is shorter than 5 heartbeats ({} ms); etcd needs election timeout >= 5 x heartbeat",
                    e.election_timeout_ms,
                    5 * e.heartbeat_interval_ms
                ),
            ));
        }
        if !(1..=100).contains(&e.quota_backend_gib) {
            out.push(Problem::new(
                "etcd.quota_range",
                "etcd.quota_backend_gib",
                format!("{} GiB is outside 1-100 GiB", e.quota_backend_gib),
            ));
        }
        if !e.data_dir.starts_with('/') {
            out.push(Problem::new(
                "etcd.data_dir_relative",
                "etcd.data_dir",
                format!("'{}' must be an absolute path", e.data_dir),
            ));
        }
        if let Some(d) = &self.runtime.data_dir
            && !d.starts_with('/')
        {
            out.push(Problem::new(
                "runtime.data_dir_relative",
                "runtime.data_dir",
                format!("'{d}' must be an absolute path"),
            ));
        }
        if !(1..=36_500).contains(&self.certificate_validity_days) {
            out.push(Problem::new(
                "certificates.validity_range",
                "certificate_validity_days",
                format!("{} days is outside 1-36500", self.certificate_validity_days),
            ));
        }
    }
}

fn single_arch(arch: Arch) -> Option<NodeArch> {
    match arch {
        Arch::Amd64 => Some(NodeArch::Amd64),
        Arch::Arm64 => Some(NodeArch::Arm64),
        Arch::Mixed => None,
    }
}

fn validate_dns_domain(domain: &str) -> Result<(), ()> {
    if domain.is_empty() || domain.len() > 253 {
        return Err(());
    }
    for label in domain.split('.') {
        if validate_dns1123_label("", label).is_some() {
            return Err(());
        }
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "(none)".into() } else { items.join(", ") }
}

#[cfg(test)]
mod tests;
