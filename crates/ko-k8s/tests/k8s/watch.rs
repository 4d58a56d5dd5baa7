use super::{access_of, standin};
use futures::StreamExt;
use ko_k8s::{ResourceKind, ResourceUpdate, watch_rows};
use std::time::Duration;

/// The next update, failing the test if none comes within 30 s.
async fn next(s: &mut futures::stream::BoxStream<'static, ResourceUpdate>) -> ResourceUpdate {
    tokio::time::timeout(Duration::from_secs(30), s.next())
        .await
        .unwrap_or_else(|_| panic!("no update within 30 s"))
        .unwrap_or_else(|| panic!("the watch ended"))
}

#[tokio::test]
async fn every_kind_lists_as_rows_with_a_cell_per_column_and_secrets_as_metadata_only() {
    let s = standin();
    let access = access_of(&s);
    for kind in ResourceKind::ALL {
        let mut rows = watch_rows(&access, kind, None).unwrap_or_else(|e| panic!("{e}"));
        let ResourceUpdate::Snapshot(rows) = next(&mut rows).await else { panic!("{kind:?}: no snapshot first") };
        assert!(!rows.is_empty(), "{kind:?} has objects");
        for r in &rows {
            assert_eq!(r.cells.len(), kind.columns().len(), "{kind:?} {}", r.key);
            assert_eq!(r.namespace.is_some(), kind.namespaced(), "{kind:?} {}", r.key);
        }
        if kind == ResourceKind::Secrets {
            let shown = serde_json::to_string(&rows).unwrap_or_default();
            assert!(!shown.contains("c3RhbmRpbi1zZWNyZXQta2V5"), "a secret's data is never shown: {shown}");
        }
    }
    let requests = s.state().requests();
    let secret_lists: Vec<&String> = requests.iter().filter(|r| r.starts_with("GET /api/v1/secrets?")).collect();
    assert!(
        !secret_lists.is_empty() && secret_lists.iter().all(|r| r.contains("as=PartialObjectMetadata")),
        "secrets are read as metadata only: {secret_lists:?}"
    );
    let deployments = requests.iter().find(|r| r.starts_with("GET /apis/apps/v1/deployments?"));
    assert!(deployments.is_some(), "{requests:?}");
}

#[tokio::test]
async fn changes_arrive_as_they_happen_without_polling() {
    let s = standin();
    let mut pods = watch_rows(&access_of(&s), ResourceKind::Pods, Some("default")).unwrap_or_else(|e| panic!("{e}"));
    let ResourceUpdate::Snapshot(first) = next(&mut pods).await else { panic!("no snapshot") };
    assert!(first.iter().all(|r| r.namespace.as_deref() == Some("default")));
    assert!(first.iter().any(|r| r.key == "default/web-00000"));

    let mut new = s.state().objects.lock().unwrap_or_else(|e| e.into_inner()).list("pods", Some("default"))[0].clone();
    new["metadata"]["name"] = "web-new".into();
    s.state().apply(new);
    match next(&mut pods).await {
        ResourceUpdate::Upsert(r) => assert_eq!((r.key.as_str(), r.cells[1].as_str()), ("default/web-new", "Running")),
        other => panic!("expected the new pod, got {other:?}"),
    }
    s.state().remove("pods", Some("default"), "web-new");
    assert_eq!(next(&mut pods).await, ResourceUpdate::Remove("default/web-new".into()));
    // a pod of another namespace is not this view's
    let mut other =
        s.state().objects.lock().unwrap_or_else(|e| e.into_inner()).list("pods", Some("kube-system"))[0].clone();
    other["metadata"]["name"] = "elsewhere".into();
    s.state().apply(other);
    s.state().remove("pods", Some("default"), "web-00001");
    assert_eq!(next(&mut pods).await, ResourceUpdate::Remove("default/web-00001".into()));

    let lists = s
        .state()
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/v1/namespaces/default/pods?") && !r.contains("watch="))
        .count();
    assert_eq!(lists, 1, "listed once, then watched: {:?}", s.state().requests());
}

#[tokio::test]
async fn a_dropped_watch_says_reconnecting_and_lists_again_when_its_history_is_gone() {
    let mut s = standin();
    let mut nodes = watch_rows(&access_of(&s), ResourceKind::Nodes, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(next(&mut nodes).await, ResourceUpdate::Snapshot(r) if r.len() == 3));

    s.stop();
    let ResourceUpdate::Reconnecting(why) = next(&mut nodes).await else { panic!("not reconnecting") };
    assert!(!why.is_empty());
    // while it is away: a node joins, and the history it would resume from is compacted
    let mut w3 = s.state().objects.lock().unwrap_or_else(|e| e.into_inner()).list("nodes", None)[2].clone();
    w3["metadata"]["name"] = "w3".into();
    s.state().apply(w3);
    s.state().compact();
    s.resume().unwrap_or_else(|e| panic!("{e}"));
    let rows = loop {
        match next(&mut nodes).await {
            ResourceUpdate::Snapshot(rows) => break rows,
            ResourceUpdate::Reconnecting(_) => continue,
            other => panic!("expected a new snapshot, got {other:?}"),
        }
    };
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["m1", "w1", "w2", "w3"]);
}
