//! Imported clusters through koctl and `koctl serve`, against a stand-in API server (HTTPS, the
//! real wire format; a real kube-apiserver cannot run here): import, health, `lost` and back.

use crate::serve::{Client, admin_client, http_request, login, serve_with};
use crate::support::{Koctl, all_files, assert_nowhere, text};
use ko_kube_standin::{Identity, Options, StandIn};
use std::io::BufRead;
use std::time::{Duration, Instant};

fn standin(token: &str) -> StandIn {
    StandIn::start(Options { token: token.into(), ..Options::default() }).unwrap()
}

/// A cluster name of this test's own (the keychain is shared with tests running beside it).
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", std::process::id())
}

#[test]
fn koctl_imports_a_cluster_from_a_kubeconfig_file_and_tells_its_health_lost_and_back() {
    if ko_secrets::testing::keychain_or_skip("koctl_imports_a_cluster_from_a_kubeconfig_file").is_none() {
        return;
    }
    let k = Koctl::new();
    let token = "koctl-import-t0ken-9";
    let mut s = standin(token);
    let name = unique("kimp");
    let file = k.file("prod.kubeconfig", &s.kubeconfig("prod"));
    let out = k.run(&["cluster", "import", &name, "--kubeconfig", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("imported cluster {name} (Kubernetes v1.34.2, amd64) as user kubernetes-admin")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()[..3] == ["m1", "control-plane", "Ready"]),
        "{stdout}"
    );
    assert_nowhere(&[token], &all_files(&k.data_dir()));

    let list = k.json(&["cluster", "list"]);
    let c = list.as_array().unwrap().iter().find(|c| c["name"] == name.as_str()).unwrap().clone();
    assert_eq!((c["provider"].as_str(), c["status"].as_str()), (Some("import"), Some("running")));

    let out = k.run(&["cluster", "health", &name]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("healthy — API server v1.34.2, 3/3 nodes ready, 8/8 system pods well"),
        "{}",
        text(&out.stdout)
    );

    s.stop();
    let out = k.run(&["cluster", "health", &name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("cannot reach the API server"), "{}", text(&out.stdout));
    let detail = k.json(&["cluster", "show", &name]);
    assert_eq!(detail["cluster"]["status"], "lost");
    let out = k.run(&["cluster", "backup", &name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("was imported"), "{}", text(&out.stderr));

    s.resume().unwrap();
    assert_eq!(k.run(&["cluster", "health", &name]).status.code(), Some(0));
    assert_eq!(k.json(&["cluster", "show", &name])["cluster"]["status"], "running");
    assert_eq!(k.run(&["cluster", "delete", &name]).status.code(), Some(0));
}

#[test]
fn a_bad_import_from_koctl_is_one_clear_error_and_nothing_is_registered() {
    if ko_secrets::testing::keychain_or_skip("a_bad_import_from_koctl_is_one_clear_error").is_none() {
        return;
    }
    let k = Koctl::new();
    let s = standin("right-token");
    let name = unique("kbad");
    let other_ca = k.file("other-ca.pem", &Identity::generate(30).unwrap().ca_pem);
    let ca = k.file("ca.pem", s.ca_pem());
    let url = s.url();
    let bad = k.file("bad.yaml", "clusters: [");
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--server", &url, "--ca", other_ca.to_str().unwrap(), "--token-file", "-"],
            "right-token",
            "cannot be trusted",
        ),
        (&["--server", &url, "--ca", ca.to_str().unwrap(), "--token-file", "-"], "expired-token", "401 Unauthorized"),
        (
            &["--server", "https://127.0.0.1:1", "--ca", ca.to_str().unwrap(), "--token-file", "-"],
            "right-token",
            "cannot reach",
        ),
        (&["--kubeconfig", bad.to_str().unwrap()], "", "kubeconfig is not usable"),
    ];
    for (args, stdin, says) in cases {
        let out = k.run_with(&[&["cluster", "import", &name], args].concat(), stdin, &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{says} in {err}");
        assert_eq!(err.matches(says).count(), 1, "said once: {err}");
    }
    assert_eq!(k.json(&["cluster", "list"]), serde_json::json!([]));
}

/// Polls `GET /api/clusters/NAME` until its status is `want` (the monitor probes every second).
fn wait_for_status(c: &mut Client, name: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, d) = c.get(&format!("/api/clusters/{name}"));
        if d["cluster"]["status"] == want {
            return;
        }
        assert!(Instant::now() < deadline, "cluster {name} never became {want}: {d}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn koctl_serve_imports_pasted_kubeconfigs_and_its_monitor_marks_a_silent_cluster_lost_then_running() {
    if ko_secrets::testing::keychain_or_skip("koctl_serve_imports_pasted_kubeconfigs").is_none() {
        return;
    }
    let k = Koctl::new();
    let mut s = standin("serve-token");
    let name = unique("simp");
    let server = serve_with(&k, &["--health-every", "1"]);
    let mut c = admin_client(&server);
    let form = |source: serde_json::Value| serde_json::json!({"name": name, "source": source}).to_string();
    let (status, imported) = c.post(
        "/api/clusters/import",
        &form(serde_json::json!({"from": "kubeconfig", "kubeconfig": s.kubeconfig("p")})),
    );
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(imported["cluster"]["status"], "running");

    // a web user cannot make the server read its own files
    let out = k.run_with(&["user", "add", "--name", "web", "--admin", "--password-stdin"], "web-password-1\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut web = Client::new(&server);
    assert_eq!(login(&mut web, "web", "web-password-1").0, 200);
    let (status, e) =
        web.post("/api/clusters/import", &form(serde_json::json!({"from": "local_kubeconfig", "path": "/etc/passwd"})));
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("forbidden")), "{e}");

    // a live view over HTTP: server-sent updates, the snapshot first
    let req = http_request("POST", &format!("{}api/clusters/{name}/watch", server.url))
        .header("Cookie", c.cookie.clone().unwrap())
        .header("Content-Type", "application/json")
        .body(r#"{"kind":"nodes"}"#.to_string())
        .unwrap();
    let resp = c.agent.run(req).unwrap();
    assert_eq!(resp.headers().get("content-type").unwrap(), "text/event-stream");
    let first = std::io::BufReader::new(resp.into_body().into_reader())
        .lines()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("data: ").map(str::to_string))
        .unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(snapshot["kind"], "snapshot");
    let nodes: Vec<&str> = snapshot["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["m1", "w1", "w2"]);
    assert_eq!(
        k.run_with(&["user", "add", "--name", "nobody", "--password-stdin"], "nobody-pass-1\n", &[]).status.code(),
        Some(0)
    );
    let mut nobody = Client::new(&server);
    assert_eq!(login(&mut nobody, "nobody", "nobody-pass-1").0, 200);
    let (status, e) = nobody.post(&format!("/api/clusters/{name}/watch"), r#"{"kind":"pods"}"#);
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("forbidden")), "refused before streaming: {e}");

    // a terminal opens only from this server's own page, and only for the cluster's operators
    let upgrade_to = |client: &Client, origin: &str, path: &str| {
        let req = http_request("GET", &format!("{}api/clusters/{name}/{path}", server.url))
            .header("Cookie", client.cookie.clone().unwrap())
            .header("Origin", origin)
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .body(String::new())
            .unwrap();
        let resp = client.agent.run(req).unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = serde_json::from_reader(resp.into_body().into_reader()).unwrap_or_default();
        (status, body["error"]["code"].as_str().unwrap_or_default().to_string())
    };
    let own = server.url.trim_end_matches('/');
    assert_eq!(upgrade_to(&c, "http://evil.example", "terminal"), (403, "origin".to_string()));
    assert_eq!(upgrade_to(&nobody, own, "terminal"), (403, "forbidden".to_string()));
    // the same for a shell in a pod, which must also name its pod and command
    let exec = "exec?namespace=default&pod=web-00000&command=sh";
    assert_eq!(upgrade_to(&c, "http://evil.example", exec), (403, "origin".to_string()));
    assert_eq!(upgrade_to(&nobody, own, exec), (403, "forbidden".to_string()));
    assert_eq!(upgrade_to(&c, own, "exec?namespace=default&pod=web-00000"), (400, "invalid".to_string()));
    assert_eq!(upgrade_to(&c, own, "exec?command=sh"), (400, "invalid".to_string()));

    s.stop();
    wait_for_status(&mut c, &name, "lost");
    let (_, d) = c.get(&format!("/api/clusters/{name}"));
    assert_eq!(d["health"]["error"]["code"], "k8s.unreachable", "{d}");
    s.resume().unwrap();
    wait_for_status(&mut c, &name, "running");
    let (_, d) = c.get(&format!("/api/clusters/{name}"));
    assert_eq!(d["health"]["healthy"], true, "{d}");
    assert_eq!(c.send("DELETE", &format!("/api/clusters/{name}"), None).0, 204);
    drop(server);
}

#[test]
fn koctl_kube_lists_watches_acts_and_applies_inside_an_imported_cluster() {
    if ko_secrets::testing::keychain_or_skip("koctl_kube_lists_watches_acts_and_applies").is_none() {
        return;
    }
    let k = Koctl::new();
    let mut s = standin("kube-token");
    let name = unique("kube");
    let file = k.file("c.kubeconfig", &s.kubeconfig("c"));
    assert_eq!(k.run(&["cluster", "import", &name, "--kubeconfig", file.to_str().unwrap()]).status.code(), Some(0));

    let out = k.run(&["kube", &name, "get", "pods", "-n", "default"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let header: Vec<&str> = stdout.lines().next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "NODE", "IP"], "{stdout}");
    assert!(stdout.lines().nth(1).is_some_and(|l| l.contains("db-0")), "sorted by namespace and name: {stdout}");
    assert!(
        stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["default", "web-00000", "1/1", "Running", "0", "w1", "10.244.0.10"]),
        "{stdout}"
    );
    assert!(!stdout.contains("kube-system"), "only the namespace asked for");
    let out = k.run(&["kube", &name, "get", "widgets"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown kind 'widgets'; one of: nodes, namespaces, pods"),
        "{}",
        text(&out.stderr)
    );
    let secrets = text(&k.run(&["-o", "json", "kube", &name, "get", "secrets"]).stdout);
    assert!(secrets.contains("web-tls") && !secrets.contains("c3RhbmRpbi1zZWNyZXQta2V5"), "{secrets}");

    // a watch prints the changes another process makes
    let mut watch = k
        .command(&["kube", &name, "get", "pods", "-n", "default", "--watch"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(watch.stdout.take().unwrap()).lines();
    let first: Vec<String> = lines.by_ref().take(4).map(|l| l.unwrap()).collect();
    assert!(first[0].starts_with("NAMESPACE") && first.iter().any(|l| l.contains("web-00001")), "{first:?}");
    assert_eq!(k.run(&["kube", &name, "delete-pod", "default/web-00001"]).status.code(), Some(0));
    let removal = lines.by_ref().map(|l| l.unwrap()).find(|l| l.starts_with("- ")).unwrap();
    assert_eq!(removal, "- default/web-00001");
    let _ = watch.kill();
    let _ = watch.wait();

    // logs: the tail, the previous instance of a crashed container, a refusal said once
    let out = k.run(&["kube", &name, "logs", "default/web-00000", "--tail", "2"]);
    assert_eq!(text(&out.stdout), "web: serving request 18 (pod web-00000)\nweb: serving request 19 (pod web-00000)\n");
    let out = k.run(&["kube", &name, "logs", "default/db-0", "--previous", "--tail", "1"]);
    assert_eq!(text(&out.stdout), "db: fatal: cannot open database file (pod db-0)\n");
    let out = k.run(&["kube", &name, "logs", "default/web-00000", "--previous"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).matches("previous terminated container").count(), 1, "{}", text(&out.stderr));

    // exec: a command's output and error apart and its exit code; stdin with -i; a crashed
    // container's refusal said once
    let out = k.run(&["kube", &name, "containers", "default/db-0"]);
    assert!(text(&out.stdout).contains("waiting: CrashLoopBackOff"), "{}", text(&out.stdout));
    let out = k.run(&["kube", &name, "exec", "default/web-00000", "--", "sh", "-c", "hostname; nosuch; exit 5"]);
    assert_eq!(
        (text(&out.stdout).as_str(), text(&out.stderr).as_str(), out.status.code()),
        ("web-00000\n", "sh: nosuch: not found\n", Some(5))
    );
    let out = k.run_with(&["kube", &name, "exec", "-i", "default/web-00000", "--", "cat"], "piped in\nand more\n", &[]);
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("piped in\nand more\n", Some(0)));
    let out = k.run(&["kube", &name, "exec", "default/db-0", "--", "sh"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).matches("container not found (\"db\")").count(), 1, "{}", text(&out.stderr));
    let out = k.run(&["kube", &name, "exec", "default/web-00000"]);
    assert_eq!(out.status.code(), Some(2), "a command is required");

    // scale, restart, cordon: what the next list shows
    assert_eq!(k.run(&["kube", &name, "scale", "deploy", "default/web", "--replicas", "4"]).status.code(), Some(0));
    assert!(
        text(&k.run(&["kube", &name, "get", "deploy"]).stdout)
            .lines()
            .any(|l| l.split_whitespace().take(3).eq(["default", "web", "4/4"]))
    );
    assert_eq!(k.run(&["kube", &name, "restart", "deployment", "default/web"]).status.code(), Some(0));
    assert!(
        text(&k.run(&["kube", &name, "yaml", "deploy", "web", "-n", "default"]).stdout)
            .contains("kubectl.kubernetes.io/restartedAt")
    );
    assert_eq!(k.run(&["kube", &name, "cordon", "w2"]).status.code(), Some(0));
    assert!(text(&k.run(&["kube", &name, "get", "nodes"]).stdout).contains("Ready,SchedulingDisabled"));
    let out = k.run(&["kube", &name, "scale", "deploy", "web", "--replicas", "1"]);
    assert!(text(&out.stderr).contains("'web' is not NAMESPACE/NAME"), "{}", text(&out.stderr));

    // apply: the plan's diff, then the change, then nothing left to change
    let manifest = k.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  LOG_LEVEL: warn\n  PORT: \"8080\"\n",
    );
    let plan = text(&k.run(&["kube", &name, "apply", "-f", manifest.to_str().unwrap(), "--plan"]).stdout);
    assert!(
        plan.starts_with("v1/ConfigMap default/web-config: would change") && plan.contains("+  LOG_LEVEL: warn"),
        "{plan}"
    );
    assert!(text(&k.run(&["kube", &name, "apply", "-f", manifest.to_str().unwrap()]).stdout).contains("changed"));
    let again = text(&k.run(&["kube", &name, "apply", "-f", manifest.to_str().unwrap(), "--plan"]).stdout);
    assert_eq!(again, "v1/ConfigMap default/web-config: unchanged\n");

    // roles: a user without a project sees nothing inside; each action is in the audit log
    assert_eq!(
        k.run_with(&["user", "add", "--name", "bob", "--password-stdin"], "bob-password-1\n", &[]).status.code(),
        Some(0)
    );
    let out = k.run(&["--as", "bob", "kube", &name, "get", "pods"]);
    assert!(text(&out.stderr).contains("bob may not see inside this cluster"), "{}", text(&out.stderr));
    let audit = text(&k.run(&["audit", "list"]).stdout);
    for action in [
        "cluster.workload_scale",
        "cluster.workload_restart",
        "cluster.node_cordon",
        "cluster.pod_delete",
        "cluster.apply",
        "cluster.pod_exec",
    ] {
        assert!(audit.contains(action), "{action} in\n{audit}");
    }

    // the health board: every cluster probed now, one line each; exit 1 once one is lost
    let out = k.run(&["cluster", "health"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).lines().any(|l| l.starts_with(&name) && l.contains("healthy")), "{}", text(&out.stdout));
    s.stop();
    let out = k.run(&["cluster", "health"]);
    assert_eq!(out.status.code(), Some(1));
    let line = text(&out.stdout).lines().find(|l| l.starts_with(&name)).map(str::to_string).unwrap_or_default();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells[1..3], ["lost", "unreachable"], "{line}");
    assert!(line.contains("cannot reach the API server"), "{line}");
    assert_eq!(k.run(&["cluster", "delete", &name]).status.code(), Some(0));
}
