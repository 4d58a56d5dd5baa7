//! Commands in a pod's container over the exec WebSocket (channel protocol v5) of the stand-in,
//! whose built-in shell stands in for the container's programs.

use super::{access_of, standin};
use ko_k8s::{ExecTarget, Terminal, TerminalInput, TerminalOutput, exec, pod_containers};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn target(pod: &str, command: &[&str]) -> ExecTarget {
    ExecTarget {
        namespace: "default".into(),
        pod: pod.into(),
        container: None,
        command: command.iter().map(|c| c.to_string()).collect(),
    }
}

/// What a session wrote (standard output, standard error) until `until` is in its output, or
/// until it exited (its code); fails the test after 10 s.
async fn read_until(
    output: &mut UnboundedReceiver<TerminalOutput>,
    until: Option<&str>,
) -> (String, String, Option<u32>) {
    let (mut out, mut err) = (String::new(), String::new());
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), output.recv())
            .await
            .unwrap_or_else(|_| panic!("nothing within 10 s; so far: {out:?} {err:?}"));
        match next {
            Some(TerminalOutput::Data(b)) => out.push_str(&String::from_utf8_lossy(&b)),
            Some(TerminalOutput::Stderr(b)) => err.push_str(&String::from_utf8_lossy(&b)),
            Some(TerminalOutput::Exit(code)) => return (out, err, Some(code)),
            None => panic!("the output ended without an exit; so far: {out:?} {err:?}"),
        }
        if until.is_some_and(|u| out.contains(u)) {
            return (out, err, None);
        }
    }
}

fn send(t: &Terminal, input: TerminalInput) {
    t.input.send(input).unwrap_or_else(|e| panic!("the session's input is gone: {e}"));
}

#[tokio::test]
async fn a_shell_in_a_terminal_echoes_runs_follows_resizes_and_exits_with_its_code() {
    let s = standin();
    let mut t =
        exec(&access_of(&s), &target("web-00001", &["sh"]), Some((100, 30))).await.unwrap_or_else(|e| panic!("{e}"));
    read_until(&mut t.output, Some("/ # ")).await;
    send(&t, TerminalInput::Data(b"hostname\r".to_vec()));
    let (out, _, _) = read_until(&mut t.output, Some("/ # ")).await;
    assert_eq!(out, "hostname\r\nweb-00001\r\n/ # ", "typed keys are echoed, the output has terminal line ends");
    send(&t, TerminalInput::Data(b"stty size\r".to_vec()));
    let (out, _, _) = read_until(&mut t.output, Some("/ # ")).await;
    assert!(out.contains("30 100\r\n"), "the first size reached the terminal: {out:?}");
    send(&t, TerminalInput::Resize { cols: 132, rows: 40 });
    // the resize and stdin channels are not ordered against each other (in the real protocol
    // neither): ask until the new size shows, a bounded number of times
    let mut sizes = Vec::new();
    for _ in 0..50 {
        send(&t, TerminalInput::Data(b"stty size\r".to_vec()));
        let (out, _, _) = read_until(&mut t.output, Some("/ # ")).await;
        sizes.push(out);
        if sizes.last().is_some_and(|o| o.contains("40 132\r\n")) {
            break;
        }
    }
    assert!(sizes.last().is_some_and(|o| o.contains("40 132\r\n")), "a resize reached the terminal: {sizes:?}");
    send(&t, TerminalInput::Data(b"nosuch\r".to_vec()));
    let (out, err, _) = read_until(&mut t.output, Some("/ # ")).await;
    assert!(
        out.contains("sh: nosuch: not found") && err.is_empty(),
        "with a terminal errors share the output: {out:?}"
    );
    send(&t, TerminalInput::Data(b"exit 3\r".to_vec()));
    let (_, _, code) = read_until(&mut t.output, None).await;
    assert_eq!(code, Some(3));
}

#[tokio::test]
async fn a_command_without_a_terminal_keeps_stderr_apart_and_reads_stdin_until_it_closes() {
    let s = standin();
    let access = access_of(&s);
    let mut t = exec(&access, &target("web-00000", &["sh", "-c", "echo hi; nosuch"]), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (out, err, code) = read_until(&mut t.output, None).await;
    assert_eq!((out.as_str(), err.as_str(), code), ("hi\n", "sh: nosuch: not found\n", Some(127)));

    let mut cat = exec(&access, &target("web-00000", &["cat"]), None).await.unwrap_or_else(|e| panic!("{e}"));
    send(&cat, TerminalInput::Data(b"line one\n".to_vec()));
    let (out, _, _) = read_until(&mut cat.output, Some("line one\n")).await;
    assert_eq!(out, "line one\n");
    send(&cat, TerminalInput::Data(b"line two\n".to_vec()));
    // dropping the input is the end of cat's standard input (a v5 close frame): it ends with 0
    let Terminal { input, mut output } = cat;
    drop(input);
    let (out, _, code) = read_until(&mut output, None).await;
    assert_eq!((out.as_str(), code), ("line two\n", Some(0)));

    let mut missing = exec(&access, &target("web-00000", &["nosuch"]), None).await.unwrap_or_else(|e| panic!("{e}"));
    let (_, err, code) = read_until(&mut missing.output, None).await;
    assert!(err.contains("executable file not found in $PATH"), "the runtime's reason is shown: {err:?}");
    assert_eq!(code, Some(1));
}

#[tokio::test]
async fn a_container_that_does_not_run_or_is_not_there_is_refused_with_the_reason() {
    let s = standin();
    let access = access_of(&s);
    let refused = |r: ko_k8s::Result<Terminal>| match r {
        Ok(_) => panic!("the exec started"),
        Err(e) => e.to_string(),
    };
    let crashing = refused(exec(&access, &target("db-0", &["sh"]), Some((80, 24))).await);
    assert!(crashing.contains("container not found (\"db\")"), "{crashing}");
    let gone = refused(exec(&access, &target("nosuch", &["sh"]), None).await);
    assert!(gone.contains("404") && gone.contains("pods \"nosuch\" not found"), "{gone}");
    let mut wrong = target("web-00000", &["sh"]);
    wrong.container = Some("sidecar".into());
    let wrong = refused(exec(&access, &wrong, None).await);
    assert!(wrong.contains("container sidecar is not valid for pod web-00000"), "{wrong}");
    let nothing = refused(exec(&access, &target("web-00000", &[]), None).await);
    assert!(nothing.contains("name the command"), "{nothing}");
}

#[tokio::test]
async fn closing_a_terminal_ends_its_session_on_the_api_server() {
    let s = standin();
    let t =
        exec(&access_of(&s), &target("web-00002", &["bash"]), Some((80, 24))).await.unwrap_or_else(|e| panic!("{e}"));
    let mut sessions = s.state().exec_sessions.subscribe();
    tokio::time::timeout(Duration::from_secs(10), sessions.wait_for(|n| *n == 1))
        .await
        .unwrap_or_else(|_| panic!("the session did not open"))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(t);
    tokio::time::timeout(Duration::from_secs(10), sessions.wait_for(|n| *n == 0))
        .await
        .unwrap_or_else(|_| panic!("the shell lives on after its terminal closed"))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_pods_containers_are_listed_with_their_state_init_containers_first() {
    let s = standin();
    let mut pod = serde_json::to_value(ko_kube_standin::objects::pod("default", "two", "w1", "app", None))
        .unwrap_or_else(|e| panic!("{e}"));
    pod["apiVersion"] = "v1".into();
    pod["kind"] = "Pod".into();
    pod["spec"]["initContainers"] = serde_json::json!([{"name": "migrate", "image": "app:1"}]);
    let sidecar = serde_json::json!({"name": "sidecar", "image": "envoy:1"});
    pod["spec"]["containers"].as_array_mut().unwrap_or_else(|| panic!("no containers")).push(sidecar);
    pod["status"]["initContainerStatuses"] = serde_json::json!([{"name": "migrate", "image": "app:1", "imageID": "",
        "ready": true, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]);
    s.state().apply(pod);
    let access = access_of(&s);
    let containers = pod_containers(&access, "default", "two").await.unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<_> = containers.iter().map(|c| (c.name.as_str(), c.init, c.state.as_str())).collect();
    assert_eq!(
        seen,
        [("migrate", true, "terminated: Completed"), ("app", false, "running"), ("sidecar", false, "unknown")]
    );
    let db = pod_containers(&access, "default", "db-0").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db[0].state, "waiting: CrashLoopBackOff");
    assert!(!db[0].running());
    // several containers: the one to use must be named
    let unnamed = match exec(&access, &target("two", &["sh"]), None).await {
        Ok(_) => panic!("the exec started without a container"),
        Err(e) => e.to_string(),
    };
    assert!(unnamed.contains("choose one of: [app sidecar]"), "{unnamed}");
}
