//! What koctl plans and refuses on a registry whose hosts cannot be reached: Day-2 changes and
//! resets planned per host (snapshots), and the kubeconfig export. The Kubernetes phases of a
//! create are pinned by ko-api's own plan snapshots (`crates/ko-api/tests/api/plans.rs`).

use crate::clusters::fake_hosts;
use crate::support::{Koctl, text};

#[test]
fn the_kubeconfig_waits_for_the_clusters_ca_and_token_then_carries_them_in_a_private_file() {
    let t = "the_kubeconfig_waits_for_the_clusters_ca_and_token_then_carries_them_in_a_private_file";
    let Some(kc) = ko_secrets::testing::keychain_or_skip(t) else { return };
    let k = Koctl::new();
    fake_hosts(&k, &[("m1", "10.0.0.11", "amd64")], &["amd64"]);
    // a name of its own: the keychain is shared with tests running at the same time
    let name = format!("kcfg-{}", std::process::id());
    let file =
        k.file("c.yaml", &format!("name: {name}\nversion: v1.34.1\nnodes: [{{host: m1, roles: [master, etcd]}}]\n"));
    // registered (its hosts cannot be reached, so the create itself fails)
    k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "precheck"]);
    let out = k.run(&["cluster", "kubeconfig", &name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("has no Kubernetes CA yet: its deployment has not finished the control-plane phase")
    );

    let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let dir = k.data_dir().join("clusters").join(&name).join("kubernetes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.crt"), ca).unwrap();
    let out = k.run(&["cluster", "kubeconfig", &name]);
    assert!(text(&out.stderr).contains("has no ko-admin token in the secret store yet"), "{}", text(&out.stderr));

    // kept as an earlier release kept them, one entry per secret: gathered into one when first read
    let legacy = [
        (format!("cluster/{name}/etcd-ca"), r#"{"cert":"ca-cert","key":"ca-key"}"#),
        (format!("cluster/{name}/kept/ko-admin-token"), "tok-3xample"),
    ];
    for (key, value) in &legacy {
        kc.put(key, &ko_secrets::Sensitive::new(value.to_string())).unwrap();
    }
    let path = k.data_dir().join("exported.kubeconfig");
    let out = k.run(&["cluster", "kubeconfig", &name, "--file", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = std::fs::read_to_string(&path).unwrap();
    use base64::Engine;
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca);
    for want in
        ["server: https://10.0.0.11:6443", "token: tok-3xample", &format!("certificate-authority-data: {ca_data}")]
    {
        assert!(config.contains(want), "{want} in\n{config}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let entry = format!("cluster/{name}");
    let kept = kc.get(&entry).unwrap();
    assert!(kept.expose().contains("tok-3xample") && kept.expose().contains("ca-key"));
    for (key, _) in &legacy {
        assert!(kc.get(key).is_err(), "{key} was gathered into {entry}");
    }
    // deleting the cluster forgets the token
    assert_eq!(k.run(&["cluster", "delete", &name]).status.code(), Some(0));
    assert!(kc.get(&entry).is_err(), "the token left the keychain with the cluster");
}

/// A "running" cluster `c` of m1 (master) and w1 (worker, zone az1), with hosts w2 and w3 free:
/// registered by a create that cannot reach its hosts, then marked running as a finished create
/// leaves it.
pub fn running_cluster(k: &Koctl) {
    let hosts = [
        ("m1", "10.0.0.11", "amd64"),
        ("w1", "10.0.0.21", "amd64"),
        ("w2", "10.0.0.22", "amd64"),
        ("w3", "10.0.0.23", "amd64"),
    ];
    fake_hosts(k, &hosts, &["amd64"]);
    let file = k.file("c.yaml", "name: c\nversion: v1.34.1\nnodes:\n  - {host: m1, roles: [master, etcd], zone: az1}\n  - {host: w1, roles: [worker], zone: az1}\n");
    k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "precheck"]);
    let db = ko_store::Connection::open(k.data_dir().join("ko.db")).unwrap();
    db.execute("UPDATE clusters SET status = 'running' WHERE name = 'c'", []).unwrap();
}

/// The hosts each planned step runs on, by phase: `(phase, step, host)`.
fn steps_of(plan: &str) -> Vec<(String, String, String)> {
    let mut phase = String::new();
    let mut out = Vec::new();
    for line in plan.lines() {
        if let Some(p) = line.strip_prefix("== phase ") {
            phase = p.to_string();
        } else if let Some(rest) = line.strip_prefix("-- ") {
            let (step, after) = rest.split_once(" @ ").unwrap();
            out.push((phase.clone(), step.to_string(), after.split(' ').next().unwrap().to_string()));
        }
    }
    out
}

/// The plan `args` (a `--plan` command) prints, after it succeeded.
fn planned(k: &Koctl, args: &[&str]) -> String {
    let out = k.run(args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The phases of planned `steps`, in order, each once.
fn phases_of(steps: &[(String, String, String)]) -> Vec<&str> {
    let mut phases: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    phases.dedup();
    phases
}

/// The hosts planned `steps` of `phase` run on, sorted, each once.
fn hosts_in(steps: &[(String, String, String)], phase: &str) -> Vec<String> {
    let mut hosts: Vec<String> = steps.iter().filter(|s| s.0 == phase).map(|s| s.2.clone()).collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[test]
fn an_added_worker_runs_the_node_phases_alone_with_a_token_from_the_first_master() {
    let k = Koctl::new();
    running_cluster(&k);
    // the host list says which hosts are free (what the cluster page offers)
    let hosts = k.json(&["host", "list"]);
    let cluster_of =
        |name: &str| hosts.as_array().unwrap().iter().find(|h| h["name"] == name).unwrap()["cluster"].clone();
    assert_eq!((cluster_of("m1"), cluster_of("w2")), (serde_json::json!("c"), serde_json::Value::Null));
    let plan = planned(&k, &["cluster", "add-worker", "c", "--host", "w2", "--zone", "az2", "--plan"]);
    for (phase, step, host) in steps_of(&plan) {
        let on_first_master = ["join secrets", "post"].contains(&phase.as_str());
        assert_eq!(host, if on_first_master { "m1" } else { "w2" }, "{phase} / {step} on {host}");
    }
    assert!(!plan.contains("== phase etcd") && !plan.contains("kubeadm init") && !plan.contains("== phase network"));
    assert!(plan.contains("name: c-worker-2"), "w1 is c-worker-1: the new node takes the next name");
    assert!(plan.contains(
        "kubectl label node c-worker-2 --overwrite node-role.kubernetes.io/worker= topology.kubernetes.io/zone=az2"
    ));
    insta::assert_snapshot!("add_worker_plan", plan);

    // what cannot be added, each named
    let refused = |args: &[&str], want: &str| {
        let out = k.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(want), "{want} in {}", text(&out.stderr));
    };
    refused(&["cluster", "add-worker", "c", "--host", "w1"], "host 'w1' is already a node of cluster 'c'");
    refused(&["cluster", "add-worker", "c", "--host", "ghost"], "host 'ghost' is not registered");

    // not started: every host is reached first, and these cannot be — nothing is recorded, no task
    let tasks = k.json(&["task", "list"]).as_array().unwrap().len();
    let out = k.run(&["cluster", "add-worker", "c", "--host", "w3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing was changed"), "{}", text(&out.stderr));
    let show = k.json(&["cluster", "show", "c"]);
    assert_eq!(show["cluster"]["status"], "running");
    assert_eq!(show["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(k.json(&["task", "list"]).as_array().unwrap().len(), tasks);
}

/// Makes `host` a node of cluster `name` with `roles` straight in the store, as a started add
/// leaves it (the fake hosts cannot be reached, so no add starts here).
fn node_in_store(k: &Koctl, name: &str, host: &str, roles: &[&str]) {
    let db = ko_store::Connection::open(k.data_dir().join("ko.db")).unwrap();
    let spec: String = db.query_row("SELECT spec FROM clusters WHERE name = ?1", [name], |r| r.get(0)).unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    spec["nodes"].as_array_mut().unwrap().push(serde_json::json!({"host": host, "roles": roles}));
    db.execute("UPDATE clusters SET spec = ?2 WHERE name = ?1", (name, spec.to_string())).unwrap();
    db.execute(
        "INSERT INTO cluster_nodes (cluster_id, name, host_id, is_master, is_etcd, is_worker)
         VALUES ((SELECT id FROM clusters WHERE name = ?1), ?2, (SELECT id FROM hosts WHERE name = ?2), ?3, 0, ?4)",
        (name, host, roles.contains(&"master"), roles.contains(&"worker")),
    )
    .unwrap();
}

#[test]
fn a_removed_worker_is_drained_from_the_first_master_and_only_its_host_is_reset() {
    let k = Koctl::new();
    running_cluster(&k);
    let plan = planned(&k, &["cluster", "remove-worker", "c", "--host", "w1", "--plan"]);
    for (phase, step, host) in steps_of(&plan) {
        assert_eq!(host, if phase == "drain" { "m1" } else { "w1" }, "{phase} / {step} on {host}");
    }
    assert!(plan.contains("node=c-worker-1\n") && plan.contains("kubectl delete node c-worker-1 --ignore-not-found"));
    insta::assert_snapshot!("remove_worker_plan", plan);
    let out = k.run(&["cluster", "remove-worker", "c", "--host", "m1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'m1' is a master or an etcd member of 'c'; only workers are removed this way"));
}

#[test]
fn a_reset_takes_kubernetes_off_every_host_before_the_rest() {
    let k = Koctl::new();
    running_cluster(&k);
    let plan = planned(&k, &["cluster", "reset", "c", "--plan"]);
    let steps = steps_of(&plan);
    for host in ["m1", "w1"] {
        let order: Vec<&str> = steps.iter().filter(|s| s.2 == host).map(|s| s.1.as_str()).collect();
        assert_eq!(order.first(), Some(&"kubeadm reset"), "{host}: {order:?}");
        assert!(order.contains(&"remove the bundle store"), "{host}: {order:?}");
    }
    assert!(!steps.iter().any(|s| s.2 == "w2"), "a free host is not touched");
    assert!(plan.contains("kubeadm reset --force --cri-socket unix:///run/containerd/containerd.sock"));
    insta::assert_snapshot!("reset_plan", plan);
}

#[test]
fn an_upgrade_snapshots_etcd_first_then_masters_one_at_a_time_then_workers_drained_in_batches() {
    let k = Koctl::new();
    running_cluster(&k);
    // w2 is a second worker
    node_in_store(&k, "c", "w2", &["worker"]);
    // a bundle of the next version in the library
    let lib = k.data_dir().join("bundles/k8s-next");
    std::fs::create_dir_all(&lib).unwrap();
    let mut files = ko_api::testing::test_bundle_files("amd64");
    for f in &mut files {
        f["sha256"] = serde_json::json!(f["sha256"].as_str().unwrap().replace('0', "f"));
    }
    let manifest = serde_json::json!({"format": 1, "name": "k8s-next", "kubernetes_version": "v1.35.0", "arches": ["amd64"], "files": files});
    std::fs::write(lib.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();

    let plan = planned(&k, &["cluster", "upgrade", "c", "--to", "v1.35.0", "--batch", "2", "--plan"]);
    assert!(plan.starts_with("# upgrade c from v1.34.1 to v1.35.0 with bundle k8s-next\n"), "{plan}");
    assert!(plan.contains("# 3. masters one at a time: m1\n# 4. workers in drained batches of 2: w1, w2\n"), "{plan}");
    let steps = steps_of(&plan);
    let phases = phases_of(&steps);
    assert_eq!(phases, ["backup", "bundle", "upgrade preparation", "control-plane upgrade", "worker upgrade"]);
    assert!(plan.contains("kubeadm upgrade apply v1.35.0 --yes"));
    // both workers in one batch: both drained (on the first master), then both upgraded
    let workers: Vec<(String, String)> =
        steps.iter().filter(|s| s.0 == "worker upgrade").map(|s| (s.1.clone(), s.2.clone())).collect();
    let w = |s: &str, h: &str| (s.to_string(), h.to_string());
    assert_eq!(
        workers,
        [
            w("drain", "w1"),
            w("drain", "w2"),
            w("kubeadm upgrade (worker)", "w1"),
            w("kubeadm upgrade (worker)", "w2"),
            w("uncordon", "w1"),
            w("uncordon", "w2")
        ]
    );
    assert!(plan.contains("-- drain @ w1 (as root, batch 1, run on m1)"), "{plan}");
    // the snapshot's file name has the time in it: `etcd-c-YYYYMMDD-HHMMSS-mmm.db`
    let mut parts = plan.split("etcd-c-");
    let stable =
        parts.next().unwrap().to_string() + &parts.map(|p| format!("etcd-c-<time>{}", &p[19..])).collect::<String>();
    insta::assert_snapshot!("upgrade_plan", stable);

    let refused = |to: &str, want: &str| {
        let out = k.run(&["cluster", "upgrade", "c", "--to", to, "--plan"]);
        assert_eq!(out.status.code(), Some(2), "{to}");
        assert!(text(&out.stderr).contains(want), "{want} in {}", text(&out.stderr));
    };
    refused("v1.36.0", "kubeadm upgrades one minor version at a time: from v1.34.1 go to v1.35.x first");
    refused("v1.34.1", "is not newer than the cluster's v1.34.1");
    refused("v1.35.9", "no bundle in the library brings Kubernetes v1.35.9");
    refused("1.35", "is not a Kubernetes version like");
}

#[test]
fn a_certificate_renewal_restarts_etcd_members_and_masters_one_at_a_time_then_collects_again() {
    let k = Koctl::new();
    running_cluster(&k);
    let plan = planned(&k, &["cluster", "renew-certs", "c", "--plan"]);
    assert!(!plan.contains("PRIVATE KEY") && plan.contains("<redacted>"), "no key is shown");
    assert!(plan.contains("<etcd certificate of m1>"), "the new certificate, issued when it runs");
    assert!(
        plan.contains("-- restart etcd @ m1 (as root, batch 1)")
            && plan.contains("-- kubeadm certs renew @ m1 (as root, batch 1,")
    );
    assert!(plan.contains("kubeadm certs renew all --config /etc/kubernetes/kubeadm.yaml"));
    let steps = steps_of(&plan);
    let phases = phases_of(&steps);
    assert_eq!(phases, ["etcd certificates", "Kubernetes certificates", "certificates"]);
    insta::assert_snapshot!("renew_certs_plan", plan);
}

/// A "running" cluster `ha` of masters m1-m3 (etcd on them) and worker w1, with host m4 free.
fn running_ha_cluster(k: &Koctl) {
    let hosts = [
        ("m1", "10.0.0.11", "amd64"),
        ("m2", "10.0.0.12", "amd64"),
        ("m3", "10.0.0.13", "amd64"),
        ("w1", "10.0.0.21", "amd64"),
        ("m4", "10.0.0.14", "amd64"),
    ];
    fake_hosts(k, &hosts, &["amd64"]);
    let file = k.file(
        "ha.yaml",
        "name: ha\nversion: v1.34.1\nnodes:\n  - {host: m1, roles: [master]}\n  - {host: m2, roles: [master]}\n  - {host: m3, roles: [master]}\n  - {host: w1, roles: [worker]}\n",
    );
    k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "precheck"]);
    let db = ko_store::Connection::open(k.data_dir().join("ko.db")).unwrap();
    db.execute("UPDATE clusters SET status = 'running' WHERE name = 'ha'", []).unwrap();
}

#[test]
fn a_master_is_replaced_by_adding_one_to_etcd_and_the_control_plane_then_removing_the_old() {
    let k = Koctl::new();
    running_ha_cluster(&k);
    // adding one master to three would leave an even etcd: only as a replacement
    let out = k.run(&["cluster", "add-master", "ha", "--host", "m4", "--plan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("etcd.even_members"), "{}", text(&out.stderr));

    let plan = planned(&k, &["cluster", "add-master", "ha", "--host", "m4", "--replacing", "m2", "--plan"]);
    let steps = steps_of(&plan);
    let hosts_of = |phase: &str| hosts_in(&steps, phase);
    for phase in ["precheck", "base", "runtime", "kubernetes components"] {
        assert_eq!(hosts_of(phase), ["m4"], "{phase}: only the new master");
    }
    assert_eq!(hosts_of("load balancer"), ["m1", "m2", "m3", "m4", "w1"], "every node's haproxy gets the new backend");
    assert_eq!(
        hosts_of("control plane"),
        ["m1", "m2", "m3", "m4"],
        "every master's configuration names the new etcd member"
    );
    assert!(plan.contains("-- join the etcd cluster @ m4 (as root, run on m1)"), "announced by a member");
    assert!(plan.contains("ETCD_INITIAL_CLUSTER_STATE=existing") && plan.contains("m4=https://10.0.0.14:2380"));
    assert!(plan.contains("server m4 10.0.0.14:6443"), "the new API server behind every haproxy");
    assert!(
        plan.contains("-- API server manifest @ m1 (as root, batch 1,")
            && plan.contains("-- API server manifest @ m3 (as root, batch 3,")
    );
    assert!(
        plan.contains("-- kubeadm join (master) @ m4")
            && plan.contains("certificateKey: <output of 'certificate key' on m1>")
    );
    insta::assert_snapshot!("add_master_plan", plan);

    // m4 a master of the cluster now (as the started add leaves it), then the old master's removal
    node_in_store(&k, "ha", "m4", &["master"]);
    let plan = planned(&k, &["cluster", "remove-master", "ha", "--host", "m2", "--plan"]);
    let steps = steps_of(&plan);
    let hosts_of = |phase: &str| hosts_in(&steps, phase);
    assert_eq!(hosts_of("drain"), ["m1"]);
    assert_eq!(hosts_of("etcd membership"), ["m1"]);
    assert_eq!(hosts_of("load balancer"), ["m1", "m3", "m4", "w1"], "the leaving master's haproxy is not refreshed");
    assert_eq!(hosts_of("control plane"), ["m1", "m3", "m4"]);
    assert_eq!(hosts_of("reset"), ["m2"]);
    assert!(plan.contains("kubectl drain \"$node\"") && plan.contains("node=ha-master-2\n"));
    assert!(!plan.contains("server m2 10.0.0.12:6443"), "no haproxy sends to the old master");
    assert!(!plan.contains("https://10.0.0.12:2379"), "no API server names its etcd endpoint");
    insta::assert_snapshot!("remove_master_plan", plan);
    // the first master can go too: the next one drains it and takes its etcd member out
    let steps = steps_of(&planned(&k, &["cluster", "remove-master", "ha", "--host", "m1", "--plan"]));
    assert!(steps.iter().any(|s| s.0 == "drain" && s.2 == "m2") && steps.iter().any(|s| s.0 == "reset" && s.2 == "m1"));
    assert!(!steps.iter().any(|s| s.0 == "etcd membership" && s.2 == "m1"), "{steps:?}");
}
