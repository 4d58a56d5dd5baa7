use super::{access_of, standin};
use ko_k8s::{TerminalInput, TerminalOutput, find_kubectl, kubectl_terminal};
use std::time::Duration;

/// Reads the terminal's output until `want` shows (failing after 30 s); all of it so far.
async fn until(t: &mut ko_k8s::Terminal, seen: &mut String, want: &str) {
    until_shown(t, seen, want, 1).await
}

/// Reads the terminal's output until `want` showed `times` times (failing after 30 s).
async fn until_shown(t: &mut ko_k8s::Terminal, seen: &mut String, want: &str, times: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while seen.matches(want).count() < times {
        match tokio::time::timeout_at(deadline, t.output.recv()).await {
            Ok(Some(TerminalOutput::Data(d) | TerminalOutput::Stderr(d))) => {
                seen.push_str(&String::from_utf8_lossy(&d))
            }
            Ok(Some(TerminalOutput::Exit(code))) => panic!("the shell ended ({code}) before {want:?}: {seen}"),
            Ok(None) | Err(_) => panic!("no {want:?} in: {seen}"),
        }
    }
}

#[tokio::test]
async fn kubectl_in_the_terminal_lists_the_clusters_nodes_and_its_kubeconfig_goes_with_it() {
    if find_kubectl().is_none() {
        assert!(std::env::var_os("KO_REQUIRE_KUBECTL").is_none(), "KO_REQUIRE_KUBECTL is set but kubectl is missing");
        eprintln!("kubectl is not installed: skipped");
        return;
    }
    let s = standin();
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = work.path().join("session");
    let mut t = kubectl_terminal(&access_of(&s), "prod", &dir, (120, 30), true).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("kubeconfig")).unwrap_or_else(|e| panic!("{e}")).permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the session's kubeconfig is private");
    }
    let mut seen = String::new();
    until(&mut t, &mut seen, "kubectl@prod$").await;
    let send = |t: &ko_k8s::Terminal, s: &str| {
        t.input.send(TerminalInput::Data(s.as_bytes().to_vec())).unwrap_or_else(|e| panic!("{e}"))
    };
    send(&t, "kubectl get nodes\n");
    // the next prompt: kubectl's whole answer is in
    until_shown(&mut t, &mut seen, "kubectl@prod$", 2).await;
    for node in ["m1", "w1", "w2"] {
        assert!(seen.lines().any(|l| l.starts_with(node) && l.contains("Ready")), "{node} in {seen}");
    }
    // restricted: kubectl is all there is
    send(&t, "ls /\n");
    until(&mut t, &mut seen, "command not found").await;
    t.input.send(TerminalInput::Resize { cols: 80, rows: 20 }).unwrap_or_else(|e| panic!("{e}"));
    send(&t, "exit 3\n");
    loop {
        match tokio::time::timeout(Duration::from_secs(30), t.output.recv()).await {
            Ok(Some(TerminalOutput::Exit(code))) => {
                assert_eq!(code, 3);
                break;
            }
            Ok(Some(TerminalOutput::Data(_))) => {}
            other => panic!("no exit: {other:?}"),
        }
    }
    assert!(!dir.exists(), "the session's directory and kubeconfig are removed");
}
