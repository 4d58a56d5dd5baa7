use crate::*;

fn ctx() -> ClusterContext {
    let host =
        |name: &str, ip: &str| HostRef { name: name.into(), address: ip.parse().unwrap(), arch: Some(NodeArch::Amd64) };
    ClusterContext {
        hosts: (1..=6).map(|i| host(&format!("node-{i}"), &format!("192.168.10.{i}"))).collect(),
        versions: vec![
            VersionState { version: "v1.34.1".into(), enabled: true },
            VersionState { version: "v1.32.0".into(), enabled: false },
        ],
        projects: vec!["default".into()],
        plans: vec![],
    }
}

const GOOD: &str = "
name: prod-a
version: v1.34.1
nodes:
  - { host: node-1, roles: [master, etcd], zone: az1 }
  - { host: node-2, roles: [master, etcd], zone: az2 }
  - { host: node-3, roles: [master, etcd], zone: az3 }
  - { host: node-4, roles: [worker], zone: az1 }
";

/// Parses GOOD with `edit` applied to the YAML text and returns the problem codes.
fn codes_with(edit: impl Fn(&mut ClusterSpec)) -> Vec<&'static str> {
    let mut spec = ClusterSpec::from_yaml(GOOD).unwrap();
    edit(&mut spec);
    spec.validate(&ctx()).into_iter().map(|p| p.code).collect()
}

fn problems_with(edit: impl Fn(&mut ClusterSpec)) -> Vec<Problem> {
    let mut spec = ClusterSpec::from_yaml(GOOD).unwrap();
    edit(&mut spec);
    spec.validate(&ctx())
}

#[test]
fn the_good_file_passes() {
    assert_eq!(codes_with(|_| {}), Vec::<&str>::new());
}

#[test]
fn cluster_name_must_be_dns1123() {
    assert_eq!(codes_with(|s| s.name = "Prod_A".into()), ["name.not_dns1123"]);
}

#[test]
fn project_must_exist() {
    assert_eq!(codes_with(|s| s.project = "nope".into()), ["project.unknown"]);
}

#[test]
fn version_must_be_known_and_enabled() {
    assert_eq!(codes_with(|s| s.version = "v1.20.0".into()), ["version.unknown"]);
    let p = problems_with(|s| s.version = "v1.32.0".into());
    assert_eq!(p[0].code, "version.disabled");
    assert_eq!(p[0].next, Some(crate::NextStep::VersionEnable { version: "v1.32.0".into() }));
}

#[test]
fn pod_and_service_cidr_must_not_overlap() {
    let p = problems_with(|s| s.network.service_cidr = "10.244.128.0/20".into());
    assert_eq!(p.iter().map(|p| p.code).collect::<Vec<_>>(), ["network.cidr_overlap"]);
    assert!(p[0].message.contains("10.244.0.0/16") && p[0].message.contains("10.244.128.0/20"));
}

#[test]
fn bridge_subnet_must_not_overlap_pods() {
    assert_eq!(codes_with(|s| s.runtime.bridge_cidr = "10.244.7.1/24".into()), ["network.cidr_overlap"]);
}

#[test]
fn cluster_networks_must_not_contain_host_ips() {
    let p = problems_with(|s| s.network.pod_cidr = "192.168.0.0/16".into());
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].code, "network.overlaps_host");
    assert!(p[0].message.contains("node-1 (192.168.10.1)"), "{}", p[0].message);
    assert_eq!(codes_with(|s| s.runtime.bridge_cidr = "192.168.10.200/24".into()), ["network.overlaps_host"]);
}

#[test]
fn cidr_syntax_errors_are_reported_per_field() {
    let p = problems_with(|s| {
        s.network.pod_cidr = "10.244.0.0".into();
        s.network.service_cidr = "10.96.1.0/16".into();
    });
    let got: Vec<_> = p.iter().map(|p| (p.code, p.field.as_str())).collect();
    assert_eq!(got, [("cidr.invalid", "network.pod_cidr"), ("cidr.host_bits_set", "network.service_cidr")]);
}

#[test]
fn max_pods_must_fit_the_pod_cidr() {
    let p = problems_with(|s| s.network.pod_cidr = "10.244.0.0/25".into());
    assert_eq!(p.iter().map(|p| p.code).collect::<Vec<_>>(), ["network.pod_cidr_too_small"]);
    // a /23 gives two /24 node ranges for 256 pods each, but there are four nodes
    let p = problems_with(|s| s.network.pod_cidr = "10.244.0.0/23".into());
    assert_eq!(p.iter().map(|p| p.code).collect::<Vec<_>>(), ["network.pod_cidr_too_few_nodes"]);
    assert!(p[0].message.contains("2 node ranges") && p[0].message.contains("4 nodes"), "{}", p[0].message);
    // fewer pods per node make /25 ranges: four of them fit in a /23
    assert_eq!(
        codes_with(|s| {
            s.network.pod_cidr = "10.244.0.0/23".into();
            s.network.max_pods_per_node = 110;
        }),
        Vec::<&str>::new()
    );
    assert_eq!(codes_with(|s| s.network.max_pods_per_node = 4), ["network.max_pods_range"]);
}

#[test]
fn max_services_must_fit_the_service_cidr() {
    assert_eq!(codes_with(|s| s.network.service_cidr = "10.96.0.0/24".into()), ["network.service_cidr_too_small"]);
    assert_eq!(
        codes_with(|s| {
            s.network.service_cidr = "10.96.0.0/24".into();
            s.network.max_services = 200;
        }),
        Vec::<&str>::new()
    );
    assert_eq!(codes_with(|s| s.network.service_cidr = "100.0.0.0/8".into()), ["network.service_cidr_too_large"]);
}

#[test]
fn plugin_mode_must_belong_to_the_plugin() {
    let p = problems_with(|s| s.network.mode = Some("host-gw".into()));
    assert_eq!(p[0].code, "network.mode_unsupported");
    assert!(p[0].message.contains("ipip, bgp"));
    assert_eq!(
        codes_with(|s| {
            s.network.plugin = NetworkPlugin::Flannel;
            s.network.mode = Some("host-gw".into());
        }),
        Vec::<&str>::new()
    );
    assert_eq!(
        codes_with(|s| {
            s.network.plugin = NetworkPlugin::Cilium;
            s.network.mode = Some("native".into());
        }),
        Vec::<&str>::new()
    );
}

#[test]
fn at_least_one_master() {
    assert_eq!(
        codes_with(|s| for n in &mut s.nodes {
            n.roles = vec![NodeRole::Worker];
            n.zone = None;
        }),
        ["node.no_master"]
    );
}

#[test]
fn etcd_members_must_be_odd() {
    let p = problems_with(|s| s.nodes[3].roles = vec![NodeRole::Etcd, NodeRole::Worker]);
    assert_eq!(p.iter().map(|p| p.code).collect::<Vec<_>>(), ["etcd.even_members"]);
    assert!(p[0].message.contains("4 etcd members"));
    // without explicit etcd roles the masters carry etcd: two masters is even
    assert_eq!(
        codes_with(|s| {
            s.nodes.truncate(2);
            for n in &mut s.nodes {
                n.roles = vec![NodeRole::Master];
            }
        }),
        ["etcd.even_members"]
    );
    // a single member is fine (not HA, but valid)
    assert_eq!(
        codes_with(|s| {
            s.nodes.truncate(1);
            s.nodes[0].zone = None;
        }),
        Vec::<&str>::new()
    );
}

#[test]
fn masters_spread_over_zones() {
    let p = problems_with(|s| {
        s.nodes[1].zone = Some("az1".into());
        s.nodes[3].zone = Some("az2".into());
    });
    assert_eq!(p.iter().map(|p| p.code).collect::<Vec<_>>(), ["zone.masters_not_spread"]);
    assert!(p[0].message.contains("2 of 3 masters are in zone az1"), "{}", p[0].message);
    // three masters over two zones: 2 + 1 is as even as it gets
    assert_eq!(
        codes_with(|s| {
            s.nodes[2].zone = Some("az2".into());
        }),
        Vec::<&str>::new()
    );
    assert_eq!(
        codes_with(|s| {
            s.nodes[0].zone = None;
        }),
        ["zone.master_without_zone"]
    );
}

#[test]
fn nodes_must_be_registered_unique_and_have_roles() {
    let p = problems_with(|s| {
        s.nodes[3].host = "ghost".into();
        s.nodes.push(NodeSpec {
            host: "node-1".into(),
            roles: vec![NodeRole::Worker],
            zone: None,
            labels: Default::default(),
            name: None,
        });
        s.nodes.push(NodeSpec {
            host: "node-5".into(),
            roles: vec![],
            zone: None,
            labels: Default::default(),
            name: Some("Node_5".into()),
        });
        s.nodes[0].name = Some("n-1".into());
        s.nodes[1].name = Some("n-1".into());
    });
    let got: Vec<_> = p.iter().map(|p| p.code).collect();
    assert_eq!(
        got,
        ["node.duplicate_name", "node.unknown_host", "node.duplicate_host", "node.bad_name", "node.no_roles"]
    );
    assert_eq!(p[1].next, Some(crate::NextStep::HostAdd { name: "ghost".into() }));
}

#[test]
fn host_arch_must_match_a_single_arch_cluster() {
    let mut c = ctx();
    c.hosts[3].arch = Some(NodeArch::Arm64);
    let mut spec = ClusterSpec::from_yaml(GOOD).unwrap();
    assert_eq!(spec.validate(&c).iter().map(|p| p.code).collect::<Vec<_>>(), ["node.arch_mismatch"]);
    spec.arch = Arch::Mixed;
    assert!(spec.validate(&c).is_empty());
}

#[test]
fn duplicate_host_addresses() {
    let mut c = ctx();
    c.hosts[1].address = c.hosts[0].address;
    let spec = ClusterSpec::from_yaml(GOOD).unwrap();
    assert_eq!(spec.validate(&c).iter().map(|p| p.code).collect::<Vec<_>>(), ["node.duplicate_address"]);
}

#[test]
fn external_load_balancer_needs_a_free_vip() {
    let ext = |vip: Option<&str>| {
        codes_with(move |s| {
            s.load_balancer.mode = LoadBalancerMode::External;
            s.load_balancer.vip = vip.map(Into::into);
        })
    };
    assert_eq!(ext(Some("192.168.10.100")), Vec::<&str>::new());
    assert_eq!(ext(None), ["lb.vip_missing"]);
    assert_eq!(ext(Some("192.168.10.1")), ["lb.vip_is_host"]);
    assert_eq!(ext(Some("10.96.0.10")), ["lb.vip_in_cluster_network"]);
    assert_eq!(ext(Some("not-an-ip")), ["ip.invalid"]);
    assert_eq!(codes_with(|s| s.load_balancer.vip = Some("192.168.10.100".into())), ["lb.vip_in_internal"]);
}

#[test]
fn auto_mode_needs_a_known_plan() {
    let no_nodes = |s: &mut ClusterSpec| {
        s.provider = Provider::Plan;
        s.nodes.clear();
    };
    assert_eq!(codes_with(no_nodes), ["provider.plan_missing"]);
    assert_eq!(
        codes_with(|s| {
            no_nodes(s);
            s.plan = Some("p1".into());
        }),
        ["plan.unknown"]
    );
    assert_eq!(codes_with(|s| s.worker_count = Some(3)), ["provider.plan_in_manual"]);
}

#[test]
fn tuning_limits() {
    assert_eq!(codes_with(|s| s.etcd.election_timeout_ms = 1000), ["etcd.election_timeout_short"]);
    assert_eq!(codes_with(|s| s.etcd.data_dir = "var/lib/etcd".into()), ["etcd.data_dir_relative"]);
    assert_eq!(codes_with(|s| s.certificate_validity_days = 0), ["certificates.validity_range"]);
    assert_eq!(codes_with(|s| s.network.dns_domain = "Cluster..local".into()), ["network.dns_domain_invalid"]);
    assert_eq!(codes_with(|s| s.network.interface = Some("eth0; reboot".into())), ["network.interface_invalid"]);
}

#[test]
fn all_problems_come_at_once() {
    let p = problems_with(|s| {
        s.name = "BAD".into();
        s.version = "v0".into();
        s.network.service_cidr = "10.244.0.0/16".into();
    });
    assert_eq!(p.len(), 3, "{p:#?}");
}

#[test]
fn a_blank_cluster_file_has_every_default_and_asks_only_for_what_must_be_chosen() {
    let blank = ClusterSpec::blank();
    assert_eq!((blank.project.as_str(), blank.network.pod_cidr.as_str()), ("default", "10.244.0.0/16"));
    assert!(blank.encryption_at_rest && blank.nodes.is_empty());
    let mut codes: Vec<&str> = blank.validate(&ctx()).iter().map(|p| p.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, ["name.not_dns1123", "node.no_master", "version.unknown"], "only the name, version and nodes");
}
