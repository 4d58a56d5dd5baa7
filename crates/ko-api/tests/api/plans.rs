//! The Kubernetes phases of a create, pinned by plan snapshots for the cluster shapes that
//! matter, from ko-api's plan call. Kubernetes server binaries cannot run on the test machines, so
//! what kubeadm, the CNI and the add-ons would be given is checked here as text: every create
//! option must show up in what would run. The phases before them (precheck..etcd) run for real
//! on the test bed (koctl's `clusters` tests).

use ko_api::testing::fake_hosts;
use ko_api::{Actor, Api};

/// An Api on a data dir of its own with `hosts` and the fake bundle for `arches` registered.
async fn registry(hosts: &[(&str, &str, &str)], arches: &[&str]) -> (tempfile::TempDir, Api, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let api = Api::open(&data).unwrap();
    fake_hosts(&data, hosts, arches);
    let admin = api.local_actor().await.unwrap();
    (dir, api, admin)
}

/// The plan of creating the cluster in `yaml`, from the Kubernetes components phase on.
async fn kube_plan(api: &Api, admin: &Actor, yaml: &str) -> String {
    let plan = api.cluster_plan(admin, yaml).await.unwrap();
    assert!(!plan.contains("-----BEGIN"), "no key or certificate is ever shown");
    let start = plan.find("== phase kubernetes components").expect("the Kubernetes phases are planned");
    plan[start..].to_string()
}

/// The text of phase `name` in `plan`.
fn phase<'a>(plan: &'a str, name: &str) -> &'a str {
    let start = plan.find(&format!("== phase {name}\n")).unwrap_or_else(|| panic!("no phase {name}"));
    let rest = &plan[start + 1..];
    &plan[start..start + 1 + rest.find("\n== phase ").map_or(rest.len(), |e| e + 1)]
}

#[tokio::test]
async fn one_master_two_workers_flannel_and_iptables() {
    let hosts = [("m1", "10.0.0.11", "amd64"), ("w1", "10.0.0.21", "amd64"), ("w2", "10.0.0.22", "amd64")];
    let (_dir, api, admin) = registry(&hosts, &["amd64"]).await;
    let plan = kube_plan(
        &api,
        &admin,
        "name: small\nversion: v1.34.1\nnetwork: {plugin: flannel, proxy_mode: iptables}\n\
         components: {helm: false, ingress: none}\nnodes:\n  - {host: m1, roles: [master, etcd]}\n\
         \x20 - {host: w1, roles: [worker]}\n  - {host: w2, roles: [worker]}\n",
    )
    .await;
    let cp = phase(&plan, "control plane");
    assert!(cp.contains("mode: iptables") && !cp.contains("strictARP"), "kube-proxy in iptables mode");
    assert!(phase(&plan, "network").contains(r#""Backend": {"Type": "vxlan"}"#), "flannel's default backend");
    assert!(!phase(&plan, "kubernetes components").contains("-- helm @"), "no helm when nothing needs it");
    assert!(!plan.contains("certificate key @"), "one master: no control-plane certificates to share");
    let workers = phase(&plan, "worker join");
    assert!(workers.contains("name: small-worker-1") && workers.contains("name: small-worker-2"));
    insta::assert_snapshot!("kube_1m_2w_flannel_iptables", plan);
}

#[tokio::test]
async fn three_masters_in_three_zones_calico_ipvs_audit_and_nodelocal_dns() {
    let hosts: Vec<(String, String)> = (1..=3)
        .map(|i| (format!("m{i}"), format!("10.0.0.1{i}")))
        .chain((1..=3).map(|i| (format!("w{i}"), format!("10.0.0.2{i}"))))
        .collect();
    let refs: Vec<(&str, &str, &str)> = hosts.iter().map(|(n, a)| (n.as_str(), a.as_str(), "amd64")).collect();
    let (_dir, api, admin) = registry(&refs, &["amd64"]).await;
    let plan = kube_plan(
        &api,
        &admin,
        "name: ha\nversion: v1.34.1\naudit_log: true\nnetwork: {plugin: calico, mode: ipip, proxy_mode: ipvs, nodelocal_dns: true}\n\
         nodes:\n  - {host: m1, roles: [master, etcd], zone: az1}\n  - {host: m2, roles: [master, etcd], zone: az2}\n\
         \x20 - {host: m3, roles: [master, etcd], zone: az3}\n  - {host: w1, roles: [worker], zone: az1, labels: {disk: ssd}}\n\
         \x20 - {host: w2, roles: [worker], zone: az2}\n  - {host: w3, roles: [worker], zone: az3}\n",
    )
    .await;
    let cp = phase(&plan, "control plane");
    assert!(cp.contains("audit-policy-file") && cp.contains("-- audit policy @ m3"), "audit on every master");
    assert!(cp.contains("- 169.254.20.10"), "IPVS + NodeLocal DNSCache: the kubelets point pods at the cache");
    assert_eq!(cp.matches("controlPlaneEndpoint: 127.0.0.1:8443").count(), 3, "internal LB on every master");
    let joins = phase(&plan, "control-plane join");
    assert!(joins.contains("kubeadm join (master) @ m2 (as root, batch 1") && joins.contains("@ m3 (as root, batch 2"));
    assert!(joins.contains("certificateKey: <output of 'certificate key' on m1>"));
    assert!(phase(&plan, "network").contains(r#"CALICO_IPV4POOL_IPIP, value: "Always""#));
    assert!(
        phase(&plan, "add-ons").contains("s/,__PILLAR__DNS__SERVER__//g"),
        "the IPVS variant of NodeLocal DNSCache"
    );
    let post = phase(&plan, "post");
    assert!(post.contains("kubectl label node ha-worker-1 --overwrite disk=ssd node-role.kubernetes.io/worker= topology.kubernetes.io/zone=az1"));
    assert!(post.contains("kubectl label node ha-master-3 --overwrite topology.kubernetes.io/zone=az3"));
    insta::assert_snapshot!("kube_3m_3z_calico_ipvs_audit_nodelocaldns", plan);
}

#[tokio::test]
async fn cilium_native_routing_behind_an_external_vip() {
    let hosts = [
        ("m1", "10.0.0.11", "amd64"),
        ("m2", "10.0.0.12", "amd64"),
        ("m3", "10.0.0.13", "amd64"),
        ("w1", "10.0.0.21", "amd64"),
    ];
    let (_dir, api, admin) = registry(&hosts, &["amd64"]).await;
    let plan = kube_plan(
        &api,
        &admin,
        "name: cil\nversion: v1.34.1\nnetwork: {plugin: cilium, mode: native, interface: ens4}\n\
         load_balancer: {mode: external, vip: 10.0.0.100}\ncomponents: {ingress: traefik}\nmasters_schedulable: true\n\
         nodes:\n  - {host: m1, roles: [master, etcd]}\n  - {host: m2, roles: [master, etcd]}\n  - {host: m3, roles: [master, etcd]}\n\
         \x20 - {host: w1, roles: [worker]}\n",
    )
    .await;
    let cp = phase(&plan, "control plane");
    assert_eq!(cp.matches("controlPlaneEndpoint: 10.0.0.100:8443").count(), 3);
    assert!(cp.contains("- 10.0.0.100\n"), "the VIP is in the API server's certificate");
    assert!(!cp.contains("node-role.kubernetes.io/control-plane"), "schedulable masters are not tainted");
    let net = phase(&plan, "network");
    for want in [
        "routingMode: native",
        "ipv4NativeRoutingCIDR: 10.244.0.0/16",
        "devices: [ens4]",
        "k8sServiceHost: 10.0.0.100",
        "helm upgrade --install cilium",
    ] {
        assert!(net.contains(want), "{want} in\n{net}");
    }
    assert!(phase(&plan, "add-ons").contains("helm upgrade --install traefik"));
    insta::assert_snapshot!("kube_cilium_native_external_vip", plan);
}

#[tokio::test]
async fn a_mixed_arch_cluster_gives_each_node_its_own_arch() {
    let hosts = [("x1", "10.0.0.11", "amd64"), ("a1", "10.0.0.21", "arm64")];
    let (_dir, api, admin) = registry(&hosts, &["amd64", "arm64"]).await;
    let plan = kube_plan(
        &api,
        &admin,
        "name: mix\nversion: v1.34.1\narch: mixed\nnodes:\n  - {host: x1, roles: [master, etcd]}\n  - {host: a1, roles: [worker]}\n",
    )
    .await;
    let comps = phase(&plan, "kubernetes components");
    // the content address of the fake bundle's kubernetes-server for each arch
    let server = |arch: &str| {
        let files = ko_api::testing::test_bundle_files(arch);
        let f = files.iter().find(|f| f["component"] == "kubernetes-server").unwrap();
        f["sha256"].as_str().unwrap().to_string()
    };
    let (amd, arm) = (server("amd64"), server("arm64"));
    assert_ne!(amd, arm);
    let on = |host: &str| comps.split("\n-- ").filter(|s| s.contains(&format!(" @ {host} "))).collect::<String>();
    assert!(on("x1").contains(&amd) && !on("x1").contains(&arm), "{}", on("x1"));
    assert!(on("a1").contains(&arm) && !on("a1").contains(&amd), "{}", on("a1"));
    assert!(on("a1").contains(" v1.34.1 arm64 kube-proxy"), "arm64 images renamed from their arm64 names");
    insta::assert_snapshot!("kube_mixed_arch_components", comps);
}

#[tokio::test]
async fn the_docker_runtime_comes_from_its_static_archive_with_moby_s_units_and_cri_dockerd() {
    let hosts = [("m1", "10.0.0.11", "amd64"), ("w1", "10.0.0.21", "arm64")];
    let (_dir, api, admin) = registry(&hosts, &["amd64", "arm64"]).await;
    let yaml = "name: d\nversion: v1.34.1\narch: mixed\nruntime: {type: docker}\nnodes:\n  - {host: m1, roles: [master, etcd]}\n  - {host: w1, roles: [worker]}\n";
    let plan = api.cluster_plan(&admin, yaml).await.unwrap();
    let runtime = phase(&plan, "runtime");
    assert!(!runtime.contains("ko-apt-install") && !runtime.contains("containerd unit"), "{runtime}");
    assert_eq!(runtime.matches("ko-install-archive").count(), 2, "the docker archive on each host");
    assert!(runtime.contains("ExecStart=/usr/local/bin/dockerd -H fd://") && runtime.contains("SocketGroup=docker"));
    assert!(phase(&plan, "kubernetes components").contains("cri-dockerd --container-runtime-endpoint fd://"));
    insta::assert_snapshot!("docker_runtime", runtime);
}

/// The real recipe `name` (`bundles/NAME.toml`).
fn recipe(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../bundles/{name}.toml"))
}

const RECIPES: [(&str, &str); 3] =
    [("kubernetes-v1.34.7", "v1.34.7"), ("kubernetes-v1.35.4", "v1.35.4"), ("kubernetes-v1.36.0", "v1.36.0")];

/// A cluster file of two masters (the first with etcd) and a worker on m1, m2, w1.
fn full_create(version: &str, plugin: &str, ingress: &str, arch: &str) -> String {
    full_create_on(version, plugin, ingress, arch, "containerd")
}

/// [`full_create`] with the container runtime `runtime`.
fn full_create_on(version: &str, plugin: &str, ingress: &str, arch: &str, runtime: &str) -> String {
    format!(
        "name: r\nversion: {version}\narch: {arch}\nruntime: {{type: {runtime}}}\nnetwork: {{plugin: {plugin}, nodelocal_dns: true}}\n\
         components: {{ingress: {ingress}, metrics_server: true, gpu: true, helm: true}}\nnodes:\n\
         \x20 - {{host: m1, roles: [master, etcd]}}\n  - {{host: m2, roles: [master]}}\n\
         \x20 - {{host: w1, roles: [worker]}}\n"
    )
}

#[tokio::test]
async fn a_full_create_plans_against_every_real_recipe_and_runtime_installing_from_release_archives() {
    for arches in [["amd64"; 3], ["arm64"; 3], ["amd64", "arm64", "arm64"]] {
        let hosts = [("m1", "10.0.0.11", arches[0]), ("m2", "10.0.0.12", arches[1]), ("w1", "10.0.0.21", arches[2])];
        let (_dir, api, admin) = registry(&hosts, &[]).await;
        for (name, version) in RECIPES {
            for (plugin, runtime) in
                ["flannel", "calico", "cilium"].into_iter().flat_map(|p| [(p, "containerd"), (p, "docker")])
            {
                for ingress in ["nginx", "traefik"] {
                    let arch = if arches.iter().all(|a| *a == arches[0]) { arches[0] } else { "mixed" };
                    let yaml = full_create_on(version, plugin, ingress, arch, runtime);
                    let plan = api.cluster_plan_with_recipe(&admin, &yaml, &recipe(name)).await.unwrap_or_else(|e| {
                        panic!("{name} {plugin} {runtime} {ingress} {arches:?}: {e}");
                    });
                    // the runtime, etcd and Kubernetes: release archives; the load balancer: images;
                    // no package manager
                    for p in ["runtime", "load balancer", "etcd", "kubernetes components"] {
                        let text = phase(&plan, p);
                        for pm in ["apt-get", "ko-apt-install", "dnf ", "yum ", "rpm "] {
                            assert!(!text.contains(pm), "{name} {runtime}: {pm} in the {p} phase");
                        }
                    }
                    let archives = if runtime == "docker" { 3 } else { 3 * 4 };
                    let runtime_phase = phase(&plan, "runtime");
                    assert_eq!(runtime_phase.matches("ko-install-archive").count(), archives, "{name} {runtime}");
                    assert_eq!(phase(&plan, "etcd").matches("ko-install-archive").count(), 1, "on the etcd member");
                    let net = phase(&plan, "network");
                    assert!(net.contains(if plugin == "cilium" { "helm upgrade --install cilium" } else { plugin }));
                    let addons = phase(&plan, "add-ons");
                    assert!(addons.contains(if ingress == "traefik" {
                        "helm upgrade --install traefik"
                    } else {
                        "ingress-nginx"
                    }));
                }
            }
        }
    }
}

#[tokio::test]
async fn the_plan_of_each_real_recipe_is_what_it_was() {
    let hosts = [("m1", "10.0.0.11", "amd64"), ("m2", "10.0.0.12", "amd64"), ("w1", "10.0.0.21", "amd64")];
    let (_dir, api, admin) = registry(&hosts, &[]).await;
    for (name, version) in RECIPES {
        let plan = api
            .cluster_plan_with_recipe(&admin, &full_create(version, "calico", "nginx", "amd64"), &recipe(name))
            .await;
        insta::assert_snapshot!(format!("recipe_{name}"), plan.unwrap());
    }
}

#[tokio::test]
async fn a_rhel_family_and_an_ubuntu_node_install_the_same_archives() {
    let hosts = [("m1", "10.0.0.11", "amd64"), ("m2", "10.0.0.12", "amd64"), ("w1", "10.0.0.21", "amd64")];
    let (dir, api, admin) = registry(&hosts, &[]).await;
    // facts as Rocky Linux 9 and Ubuntu 24.04 report them
    let db = ko_store::Connection::open(dir.path().join("data/ko.db")).unwrap();
    db.execute_batch(
        "UPDATE hosts SET facts = json_set(facts, '$.os_id', 'rocky', '$.os_version', '9.4', '$.os_like', 'rhel centos fedora',
                                     '$.os_name', 'Rocky Linux 9.4 (Blue Onyx)') WHERE name = 'm2';
         UPDATE hosts SET facts = json_set(facts, '$.os_id', 'ubuntu', '$.os_version', '24.04', '$.os_like', 'debian',
                                     '$.os_name', 'Ubuntu 24.04.1 LTS') WHERE name = 'w1';",
    )
    .unwrap();
    let (name, version) = RECIPES[2];
    let plan = api
        .cluster_plan_with_recipe(&admin, &full_create(version, "calico", "nginx", "amd64"), &recipe(name))
        .await
        .unwrap();
    let on = |phase_text: &str, host: &str| {
        phase_text.split("\n-- ").filter(|s| s.contains(&format!(" @ {host} "))).collect::<Vec<_>>().join("\n-- ")
    };
    let runtime = phase(&plan, "runtime");
    let as_h = |host: &str| on(runtime, host).replace(host, "H").trim_end().to_string();
    assert_eq!(as_h("m2"), as_h("m1"), "Rocky installs exactly what Debian does");
    assert_eq!(as_h("w1"), as_h("m1"), "and so does Ubuntu");
    assert!(
        runtime.contains("sandbox_image = \"registry.k8s.io/pause:3.10.2\""),
        "the pause image kubeadm 1.36 expects"
    );
    let lb = phase(&plan, "load balancer");
    assert!(
        on(lb, "m2").contains("ko-run-image ko-haproxy docker.io/library/haproxy:3.2.19-alpine"),
        "haproxy from the bundle's image"
    );
    let lb_as = |host: &str| on(lb, host).replace(&format!(" @ {host} "), " @ H ").trim_end().to_string();
    assert_eq!(lb_as("m2"), lb_as("m1"), "the same load balancer on Rocky as on Debian");
    assert!(!lb.contains("ko-host-package") && !lb.contains("ko-apt-install"), "no package for it");
    insta::assert_snapshot!("recipe_rocky_ubuntu_runtime_etcd_lb", [runtime, phase(&plan, "etcd"), lb].concat());
}
