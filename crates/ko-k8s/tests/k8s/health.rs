use super::{access_of, standin};
use ko_k8s::probe;

#[tokio::test]
async fn a_healthy_stand_in_reports_every_check_node_and_system_pod_well() {
    let s = standin();
    let h = probe(&access_of(&s)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(h.is_healthy(), "{h:?}");
    assert_eq!(h.version, "v1.34.2");
    assert!(h.check("etcd").is_some_and(|c| c.ok));
    assert_eq!(h.nodes.len(), 3);
    assert_eq!(h.system_pods, 8, "4 control-plane pods, coredns and 3 kube-proxies");
    assert_eq!(h.serving_chain.len(), 2, "the serving certificate and its CA");
}

#[tokio::test]
async fn a_failing_etcd_check_makes_the_cluster_unhealthy_and_says_which() {
    let s = standin();
    s.set_check_failing("etcd", true);
    let h = probe(&access_of(&s)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!h.is_healthy());
    let etcd = h.check("etcd").unwrap_or_else(|| panic!("no etcd check in {:?}", h.checks));
    assert!(!etcd.ok);
    assert_eq!(etcd.detail, "reason withheld");
}

#[tokio::test]
async fn a_stopped_server_is_unreachable_and_answers_again_once_resumed() {
    let mut s = standin();
    let access = access_of(&s);
    assert!(probe(&access).await.is_ok());
    s.stop();
    let e = probe(&access).await.expect_err("stopped");
    assert!(e.is_unreachable(), "{e:?}");
    s.resume().unwrap_or_else(|e| panic!("{e}"));
    assert!(probe(&access).await.unwrap_or_else(|e| panic!("{e}")).is_healthy());
}

#[test]
fn the_real_kubectl_lists_the_stand_ins_nodes() {
    let Ok(out) = std::process::Command::new("kubectl").arg("version").arg("--client").output() else {
        assert!(std::env::var_os("KO_REQUIRE_KUBECTL").is_none(), "KO_REQUIRE_KUBECTL is set but kubectl is missing");
        eprintln!("kubectl is not installed: skipped");
        return;
    };
    assert!(out.status.success());
    let s = standin();
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = home.path().join("kubeconfig");
    std::fs::write(&config, s.kubeconfig("standin")).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("kubectl")
        .args(["get", "nodes", "--kubeconfig"])
        .arg(&config)
        .env("HOME", home.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<Vec<&str>> = stdout.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(names, ["m1", "w1", "w2"], "{stdout}");
    assert!(rows.iter().all(|r| r[1] == "Ready"), "{stdout}");
}
