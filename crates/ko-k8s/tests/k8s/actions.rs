use super::{access_of, standin};
use ko_k8s::actions::{delete_pod, drain, restart, scale, set_schedulable};
use ko_k8s::{EvictionPatience, ResourceKind, WorkloadKind, apply_yaml, object_yaml};
use ko_kube_standin::StandIn;
use serde_json::Value;
use std::time::Duration;

fn get(s: &StandIn, plural: &str, ns: Option<&str>, name: &str) -> Option<Value> {
    s.state()
        .objects
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .list(plural, ns)
        .into_iter()
        .find(|o| o["metadata"]["name"] == name)
}

fn pods_on(s: &StandIn, node: &str) -> Vec<String> {
    let objects = s.state().objects.lock().unwrap_or_else(|e| e.into_inner());
    let pods = objects.list("pods", None);
    pods.iter()
        .filter(|p| p["spec"]["nodeName"] == node)
        .map(|p| p["metadata"]["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

const QUICK: EvictionPatience =
    EvictionPatience { give_up_after: Duration::from_secs(20), pause: Duration::from_millis(10) };

#[tokio::test]
async fn cordon_uncordon_and_a_drain_that_waits_out_a_disruption_budget() {
    let s = standin();
    let access = access_of(&s);
    set_schedulable(&access, "w1", false).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&s, "nodes", None, "w1").unwrap_or_default()["spec"]["unschedulable"], true);
    set_schedulable(&access, "w1", true).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&s, "nodes", None, "w1").unwrap_or_default()["spec"]["unschedulable"], false);

    let before = pods_on(&s, "w1");
    assert!(before.contains(&"web-00000".to_string()) && before.contains(&"kube-proxy-w1".to_string()), "{before:?}");
    *s.state().eviction_refusals.lock().unwrap_or_else(|e| e.into_inner()) = 2;
    let report = drain(&access, "w1", QUICK).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.skipped, ["kube-system/kube-proxy-w1"], "DaemonSet pods stay");
    assert_eq!(report.retried, 2, "two 429s waited out");
    assert_eq!(report.evicted.len(), before.len() - 1);
    assert_eq!(pods_on(&s, "w1"), ["kube-proxy-w1"]);
    assert_eq!(get(&s, "nodes", None, "w1").unwrap_or_default()["spec"]["unschedulable"], true, "cordoned first");
    let requests = s.state().requests();
    assert!(
        requests.iter().any(|r| r.starts_with("GET /api/v1/pods?") && r.contains("fieldSelector=spec.nodeName%3Dw1")),
        "{requests:?}"
    );
    assert!(requests.iter().any(|r| r.contains("/eviction")));
}

#[tokio::test]
async fn a_drain_that_a_budget_never_allows_gives_up_saying_why() {
    let s = standin();
    *s.state().eviction_refusals.lock().unwrap_or_else(|e| e.into_inner()) = u32::MAX;
    let patience = EvictionPatience { give_up_after: Duration::from_millis(100), pause: Duration::from_millis(10) };
    let e = drain(&access_of(&s), "w2", patience).await.expect_err("never allowed");
    assert!(e.to_string().contains("disruption budget"), "{e}");
    assert!(e.to_string().contains("evict pod default/web-") && e.to_string().contains("stays cordoned"), "{e}");
}

#[tokio::test]
async fn pods_are_deleted_and_workloads_restarted_and_scaled() {
    let s = standin();
    let access = access_of(&s);
    delete_pod(&access, "default", "web-00002").await.unwrap_or_else(|e| panic!("{e}"));
    assert!(get(&s, "pods", Some("default"), "web-00002").is_none());
    let e = delete_pod(&access, "default", "web-00002").await.expect_err("gone already");
    assert!(e.to_string().contains("404") && e.to_string().contains("not found"), "{e}");

    restart(&access, WorkloadKind::Deployment, "default", "web").await.unwrap_or_else(|e| panic!("{e}"));
    let web = get(&s, "deployments", Some("default"), "web").unwrap_or_default();
    assert!(
        web["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string(),
        "{web}"
    );
    assert!(web["spec"]["template"]["spec"]["containers"].is_array(), "the rest of the template stays");

    scale(&access, WorkloadKind::Deployment, "default", "web", 5).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&s, "deployments", Some("default"), "web").unwrap_or_default()["spec"]["replicas"], 5);
    scale(&access, WorkloadKind::StatefulSet, "default", "db", 0).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&s, "statefulsets", Some("default"), "db").unwrap_or_default()["spec"]["replicas"], 0);
    assert!(scale(&access, WorkloadKind::DaemonSet, "kube-system", "kube-proxy", 2).await.is_err());
    let requests = s.state().requests();
    assert!(requests.iter().any(|r| r.starts_with("PATCH /apis/apps/v1/namespaces/default/deployments/web/scale")));
}

#[tokio::test]
async fn apply_shows_the_diff_first_and_applies_only_when_asked() {
    let s = standin();
    let access = access_of(&s);
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  LOG_LEVEL: debug\n  PORT: \"8080\"\n---\n\
                apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new-config\n  namespace: kube-system\ndata:\n  a: b\n";
    let plan = apply_yaml(&access, yaml, "default", true).await.unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<(&str, Option<&str>, &str)> =
        plan.iter().map(|c| (c.name.as_str(), c.namespace.as_deref(), c.action.as_str())).collect();
    assert_eq!(actions, [("web-config", Some("default"), "change"), ("new-config", Some("kube-system"), "create")]);
    assert!(
        plan[0].diff.contains("-  LOG_LEVEL: info") && plan[0].diff.contains("+  LOG_LEVEL: debug"),
        "{}",
        plan[0].diff
    );
    assert_eq!(
        get(&s, "configmaps", Some("default"), "web-config").unwrap_or_default()["data"]["LOG_LEVEL"],
        "info",
        "a dry run changes nothing"
    );
    assert!(get(&s, "configmaps", Some("kube-system"), "new-config").is_none());

    apply_yaml(&access, yaml, "default", false).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&s, "configmaps", Some("default"), "web-config").unwrap_or_default()["data"]["LOG_LEVEL"], "debug");
    assert!(get(&s, "configmaps", Some("kube-system"), "new-config").is_some());
    let again = apply_yaml(&access, yaml, "default", true).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(again.iter().all(|c| c.action == "unchanged" && c.diff.is_empty()), "{again:?}");
    let requests = s.state().requests();
    let applies: Vec<&String> = requests.iter().filter(|r| r.contains("[application/apply-patch+yaml]")).collect();
    assert!(
        applies.iter().all(|r| r.contains("fieldManager=kubeoperator-desktop") && r.contains("force=true")),
        "{applies:?}"
    );
    assert!(applies.iter().any(|r| r.contains("dryRun=All")));
}

#[tokio::test]
async fn yaml_that_cannot_be_applied_is_refused_before_anything_changes() {
    let s = standin();
    let access = access_of(&s);
    let good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  a: b\n---\n";
    for (bad, says) in [
        ("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", "does not serve kind Widget"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "needs apiVersion, kind and metadata.name"),
        ("kind: [unclosed\n", "is not YAML"),
    ] {
        let e = apply_yaml(&access, &format!("{good}{bad}"), "default", false).await.expect_err(says);
        assert_eq!(e.code(), "k8s.bad_manifest", "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    assert!(get(&s, "configmaps", Some("default"), "first").is_none(), "the good document was not applied either");
    let e = apply_yaml(&access, "---\n", "default", true).await.expect_err("empty");
    assert!(e.to_string().contains("no object"), "{e}");
}

#[tokio::test]
async fn an_objects_yaml_hides_a_secrets_data_unless_revealed() {
    let s = standin();
    let access = access_of(&s);
    let hidden = object_yaml(&access, ResourceKind::Secrets, Some("default"), "web-tls", false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(hidden.contains("tls.key: <hidden>") && !hidden.contains("c3RhbmRpbi1zZWNyZXQta2V5"), "{hidden}");
    let shown = object_yaml(&access, ResourceKind::Secrets, Some("default"), "web-tls", true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(shown.contains("c3RhbmRpbi1zZWNyZXQta2V5"));
    let node = object_yaml(&access, ResourceKind::Nodes, None, "m1", false).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(node.contains("kind: Node") && node.contains("kubeletVersion: v1.34.2"), "{node}");
}
