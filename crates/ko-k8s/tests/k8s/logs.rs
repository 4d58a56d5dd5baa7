use super::{access_of, standin};
use futures::StreamExt;
use ko_k8s::{LogOptions, log_lines};
use std::time::Duration;

/// The next line, failing the test if none comes within 10 s.
async fn next(l: &mut futures::stream::BoxStream<'static, ko_k8s::Result<String>>) -> Option<String> {
    let line =
        tokio::time::timeout(Duration::from_secs(10), l.next()).await.unwrap_or_else(|_| panic!("no line within 10 s"));
    line.map(|r| r.unwrap_or_else(|e| panic!("{e}")))
}

async fn all(s: futures::stream::BoxStream<'static, ko_k8s::Result<String>>) -> Vec<String> {
    s.map(|l| l.unwrap_or_else(|e| panic!("{e}"))).collect().await
}

#[tokio::test]
async fn a_log_reads_whole_or_its_tail_or_since_a_time_with_timestamps() {
    let s = standin();
    let access = access_of(&s);
    let whole =
        all(log_lines(&access, "default", "web-00000", &LogOptions::default()).await.unwrap_or_else(|e| panic!("{e}")))
            .await;
    assert_eq!(whole.len(), 20);
    assert_eq!(whole[0], "web: starting (pod web-00000)");
    let tail = LogOptions { tail_lines: Some(3), timestamps: true, ..Default::default() };
    let last = all(log_lines(&access, "default", "web-00000", &tail).await.unwrap_or_else(|e| panic!("{e}"))).await;
    assert_eq!(last.len(), 3);
    assert!(last[2].ends_with(" web: serving request 19 (pod web-00000)") && last[2].starts_with("20"), "{last:?}");
    // the lines are a minute apart, the last a minute ago: 5 minutes and a bit hold 5 of them
    let since = LogOptions { since_seconds: Some(5 * 60 + 30), ..Default::default() };
    assert_eq!(
        all(log_lines(&access, "default", "web-00000", &since).await.unwrap_or_else(|e| panic!("{e}"))).await.len(),
        5
    );
}

#[tokio::test]
async fn a_followed_log_brings_new_lines_as_they_are_written() {
    let s = standin();
    let opts = LogOptions { follow: true, tail_lines: Some(1), ..Default::default() };
    let mut lines = log_lines(&access_of(&s), "default", "web-00001", &opts).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next(&mut lines).await.as_deref(), Some("web: serving request 19 (pod web-00001)"));
    s.state().append_log("default", "web-00001", "web", "GET /healthz 200");
    assert_eq!(next(&mut lines).await.as_deref(), Some("GET /healthz 200"));
    s.state().append_log("default", "web-00001", "web", "GET / 200");
    assert_eq!(next(&mut lines).await.as_deref(), Some("GET / 200"));
}

#[tokio::test]
async fn the_previous_instance_is_there_only_for_a_container_that_restarted() {
    let s = standin();
    let access = access_of(&s);
    let previous = LogOptions { previous: true, ..Default::default() };
    let crashed = all(log_lines(&access, "default", "db-0", &previous).await.unwrap_or_else(|e| panic!("{e}"))).await;
    assert_eq!(crashed.last().map(String::as_str), Some("db: fatal: cannot open database file (pod db-0)"));
    let e = log_lines(&access, "default", "web-00000", &previous).await.err().expect("never restarted");
    assert!(e.to_string().contains("previous terminated container \"web\" in pod \"web-00000\" not found"), "{e}");
    let wrong = LogOptions { container: Some("sidecar".into()), ..Default::default() };
    let e = log_lines(&access, "default", "web-00000", &wrong).await.err().expect("no such container");
    assert!(e.to_string().contains("container sidecar is not valid for pod web-00000"), "{e}");
}
