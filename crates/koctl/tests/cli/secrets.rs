//! Secrets that hold up: the keychain read once per task (Secret Service calls counted on the bus
//! by `dbus-monitor`), a keychain that dies, restarts or locks under koctl, many koctl processes at
//! once against the real gnome-keyring, the test harness's report of a dead keyring daemon, and
//! the encrypted vault of a machine without a keychain — from koctl and from `koctl serve`.

use crate::clusters::{cluster_in, journal, local_bundle, wait_for_journal};
use crate::serve::{Client, admin_client, serve_with};
use crate::support::{Koctl, all_files, assert_nowhere, text};
use ko_secrets::testing::{PrivateKeychain, assert_daemon_alive, keychain_or_skip};
use ko_secrets::{CredentialSecret, Sensitive};
use serde_json::{Value, json};
use std::process::{Command, Stdio};

/// The environment of a machine without a D-Bus session (and so without a keychain).
fn no_keychain() -> Vec<(&'static str, String)> {
    vec![("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus".into()), ("DISPLAY", String::new())]
}

/// A file holding `passphrase` (what `--vault-passphrase-file` reads).
fn passphrase_file(k: &Koctl, name: &str, passphrase: &str) -> String {
    k.file(name, &format!("{passphrase}\n")).to_str().unwrap().to_string()
}

/// Method calls a `cluster create` of `hosts` makes to the Secret Service (setup not counted).
fn create_calls(
    kc: &PrivateKeychain,
    bed: &ko_testbed::Bed,
    hosts: &[&ko_testbed::BedHost],
    name: &str,
) -> Vec<String> {
    let bundle = local_bundle(name).expect("the local bundle");
    let masters = hosts.len().min(3);
    let (k, file, _cleanup) = cluster_in(Koctl::with_env(kc.env()), bed, hosts, &bundle, name, masters);
    let counter = kc.count_calls();
    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    let calls = counter.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(k.json(&["cluster", "show", name])["cluster"]["status"], "staged");
    calls
}

#[test]
fn a_create_calls_the_keychain_as_often_for_ten_hosts_as_for_one() {
    let t = "a_create_calls_the_keychain_as_often_for_ten_hosts_as_for_one";
    let Some(kc) = PrivateKeychain::start(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    if local_bundle(t).is_none() {
        return;
    }
    let lease = bed.lease("public", 10);
    let hosts = lease.hosts();
    let one = create_calls(&kc, bed, &hosts[..1], "one");
    let ten = create_calls(&kc, bed, &hosts, "ten");
    // for the README: `cargo test -p koctl --test cli secrets::a_create -- --nocapture`
    eprintln!("Secret Service method calls of `cluster create --until etcd`: 1 host {one:?}; 10 hosts {ten:?}");
    assert_eq!(ten.len(), one.len(), "1 host: {one:?}\n10 hosts: {ten:?}");
    // one session; the credential read once, the cluster's secrets read once and written once
    assert!(ten.len() <= 8, "{ten:?}");
    assert_eq!(ten.iter().filter(|m| *m == "OpenSession").count(), 1, "{ten:?}");
    assert_eq!(ten.iter().filter(|m| *m == "GetSecret").count(), 1, "{ten:?}");
    assert_eq!(ten.iter().filter(|m| *m == "CreateItem").count(), 1, "{ten:?}");
}

/// The status's view of the secret store.
fn secrets_status(k: &Koctl) -> Value {
    k.json(&["status"])["secrets"].clone()
}

/// Runs a backup of cluster `keys` that must fail with a task whose error says `words`, while the
/// status says the keychain is `state`; returns the task's id.
fn backup_fails_saying(k: &Koctl, words: &[&str], state: &str) -> String {
    let out = k.run(&["cluster", "backup", "keys"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let task = &k.json(&["task", "list"])[0];
    assert_eq!(task["status"], "failed");
    let error = task["error"].as_str().unwrap();
    assert!(words.iter().all(|w| error.contains(w)), "{words:?} in {error}");
    let s = secrets_status(k);
    assert_eq!((s["state"].as_str(), s["problem_code"].as_str()), (Some(state), Some(&*format!("keychain.{state}"))));
    task["id"].as_i64().unwrap().to_string()
}

/// Retries task `task`, which must then succeed, leaving `backups` backups of cluster `keys`.
fn retry_backs_up(k: &Koctl, task: &str, backups: usize) {
    let out = k.run(&["task", "retry", task]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(k.json(&["cluster", "backups", "keys"]).as_array().unwrap().len(), backups);
}

#[test]
fn a_keychain_that_dies_or_locks_under_koctl_fails_the_task_saying_so_and_the_task_resumes() {
    let t = "a_keychain_that_dies_or_locks_under_koctl_fails_the_task_saying_so_and_the_task_resumes";
    let Some(mut kc) = PrivateKeychain::start(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 1);
    let (k, file, _cleanup) = cluster_in(Koctl::with_env(kc.env()), bed, &lease.hosts(), &bundle, "keys", 1);

    // the keychain daemon dies while a create runs: it read its secrets when it started, so it ends well
    let create = k
        .command(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(&k, "the runtime phase", |rows| rows.iter().any(|r| r.0 == "runtime"));
    kc.kill_daemon();
    let out = create.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(journal(&k, 1).iter().all(|r| r.3 == "ok" || r.3 == "skipped"));

    // the next operation needs the credential: its task fails saying why, and the status says it too
    let task = backup_fails_saying(&k, &["no Secret Service", "stopped or crashed"], "unavailable");
    let out = k.run(&["status"]);
    assert!(text(&out.stdout).contains("UNAVAILABLE"), "{}", text(&out.stdout));
    // the keychain is back (a new daemon, the same keyring): the task resumes
    kc.start_daemon();
    retry_backs_up(&k, &task, 1);

    // locked, as a screen lock with a locking keyring leaves it: said so, and resumable after unlocking
    kc.lock();
    let task = backup_fails_saying(&k, &["locked", "Unlock it"], "locked");
    kc.kill_daemon();
    kc.start_daemon();
    retry_backs_up(&k, &task, 2);
    assert_eq!(secrets_status(&k)["state"], "ready");
}

#[test]
fn a_long_running_server_reconnects_once_when_the_keychain_daemon_restarts() {
    let t = "a_long_running_server_reconnects_once_when_the_keychain_daemon_restarts";
    let Some(mut kc) = PrivateKeychain::start(t) else { return };
    let k = Koctl::with_env(kc.env());
    let server = serve_with(&k, &[]);
    let mut c = admin_client(&server);
    let add = |c: &mut Client, name: &str| {
        let body = json!({"name": name, "username": "root", "kind": "password", "password": format!("pw-{name}")});
        c.post("/api/credentials", &body.to_string())
    };
    assert_eq!(add(&mut c, "before").0, 201);
    // a new daemon: the server's session belongs to the old one
    kc.kill_daemon();
    kc.start_daemon();
    let (status, body) = add(&mut c, "after");
    assert_eq!(status, 201, "{body}");
    for name in ["before", "after"] {
        assert_eq!(k.json(&["credential", "show", name])["keychain"]["state"], "present");
    }
    drop(server);
    let logs: String = all_files(&k.data_dir().join("logs")).into_iter().map(|(_, b)| text(&b)).collect();
    assert_eq!(logs.matches("Secret Service call failed; reconnecting").count(), 1, "retried once");
}

#[test]
fn eight_koctl_processes_keep_and_read_fifty_secrets_each_against_gnome_keyring() {
    let t = "eight_koctl_processes_keep_and_read_fifty_secrets_each_against_gnome_keyring";
    let Some(store) = keychain_or_skip(t) else { return };
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let nonce = nonce.clone();
            std::thread::spawn(move || {
                let k = Koctl::new();
                for i in 0..50 {
                    let name = format!("c{i}");
                    let out = k.run_with(
                        &["credential", "add", "--name", &name, "--username", "ops", "--password-stdin"],
                        &format!("pw-{w}-{i}-{nonce}\n"),
                        &[],
                    );
                    assert_eq!(out.status.code(), Some(0), "worker {w}, {name}: {}", text(&out.stderr));
                    assert_eq!(
                        k.json(&["credential", "show", &name])["keychain"]["state"],
                        "present",
                        "worker {w}, {name}"
                    );
                }
                k
            })
        })
        .collect();
    let dirs: Vec<Koctl> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_daemon_alive(t);
    let mut read = 0;
    for (w, k) in dirs.iter().enumerate() {
        for c in k.json(&["credential", "list"]).as_array().unwrap() {
            let key = c["keychain_ref"].as_str().unwrap();
            let i = c["name"].as_str().unwrap().trim_start_matches('c');
            let secret = CredentialSecret::from_entry(key, &store.get(key).unwrap()).unwrap();
            assert_eq!(secret.password.as_ref().map(|p| p.expose().clone()), Some(format!("pw-{w}-{i}-{nonce}")));
            store.delete(key).unwrap();
            read += 1;
        }
    }
    assert_eq!(read, 400);
}

#[test]
fn a_test_keychain_answers() {
    // also what the harness test below runs in a session whose daemon has died
    let t = "a_test_keychain_answers";
    let Some(store) = keychain_or_skip(t) else { return };
    let key = format!("test/{}", uuid::Uuid::new_v4());
    store.put(&key, &Sensitive::new("v".into())).unwrap();
    assert_eq!(store.get(&key).unwrap().expose(), "v");
    store.delete(&key).unwrap();
}

#[test]
fn the_keychain_session_reports_a_dead_daemon_with_the_tests_that_ran() {
    let t = "the_keychain_session_reports_a_dead_daemon_with_the_tests_that_ran";
    if keychain_or_skip(t).is_none() {
        return;
    }
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/keychain-session");
    let me = std::env::current_exe().unwrap();
    let script = "echo \"$(date +%s) a_test_before_the_crash\" >>\"$KO_TEST_KEYCHAIN_DIR/tests.log\"; \
                  kill -SEGV \"$KO_TEST_KEYRING_PID\"; \
                  while kill -0 \"$KO_TEST_KEYRING_PID\" 2>/dev/null; do sleep 0.05; done; \
                  exec \"$0\" --exact secrets::a_test_keychain_answers --nocapture --test-threads 1";
    let out =
        Command::new(harness).args(["sh", "-c", script]).arg(me).env("KO_REQUIRE_KEYCHAIN", "1").output().unwrap();
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("DIED at") && err.contains("killed by signal 11 (SEGV)"), "{err}");
    assert!(err.contains("a_test_before_the_crash"), "the tests that ran: {err}");
    assert!(err.contains("the test keychain daemon died before this test could use it"), "{err}");
}

#[test]
fn without_a_keychain_secrets_go_to_a_vault_that_opens_only_with_its_passphrase() {
    let k = Koctl::with_env(no_keychain());
    let s = secrets_status(&k);
    assert_eq!((s["kind"].as_str(), s["state"].as_str()), (Some("vault"), Some("new")), "{s}");
    let canary = format!("canary-{}", uuid::Uuid::new_v4().simple());
    let add = |extra: &[&str]| {
        let args = [extra, &["credential", "add", "--name", "pw", "--username", "ops", "--password-stdin"]].concat();
        // no terminal to ask on (setsid): the passphrase comes from a file or not at all
        let mut cmd = Command::new("setsid");
        cmd.args(["-w", env!("CARGO_BIN_EXE_koctl"), "--data-dir", k.data_dir().to_str().unwrap()]);
        cmd.args(&args).env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus").env_remove("KO_USER");
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{canary}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let vault = k.data_dir().join("secrets.vault");

    // no passphrase: sealed, saying how to give one; nothing stored
    let out = add(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[vault.sealed]") && text(&out.stderr).contains("--vault-passphrase-file"));
    // a weak one makes no vault
    let weak = passphrase_file(&k, "weak", "short");
    let out = add(&["--vault-passphrase-file", &weak]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("at least 12 characters"), "{}", text(&out.stderr));
    assert!(!vault.exists());
    assert_eq!(k.json(&["credential", "list"]), json!([]));

    let good = passphrase_file(&k, "good", "correct horse battery staple");
    let out = add(&["--vault-passphrase-file", &good]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&vault).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let shown = k.json(&["--vault-passphrase-file", &good, "credential", "show", "pw"]);
    assert_eq!(shown["keychain"]["state"], "present");
    let s = k.json(&["--vault-passphrase-file", &good, "status"])["secrets"].clone();
    assert_eq!(s["state"], "sealed", "status never asks the passphrase: {s}");

    // a wrong passphrase is refused, and what it tried to remove is still there
    let wrong = passphrase_file(&k, "wrong", "wrong horse battery staple");
    let out = k.run(&["--vault-passphrase-file", &wrong, "credential", "rm", "pw"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("vault.wrong_passphrase"), "{}", text(&out.stderr));
    assert_eq!(k.json(&["credential", "list"]).as_array().unwrap().len(), 1);

    // the data dir cannot be switched to the keychain while the vault holds its secrets
    let out = k.run_with(&["credential", "list"], "", &[("KO_SECRETS", "keychain")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("keeps its secrets in the vault"), "{}", text(&out.stderr));

    // a new passphrase: the old one opens nothing any more, the new one opens the same secrets
    let newer = passphrase_file(&k, "newer", "a newer horse battery staple");
    let out = k.run(&["--vault-passphrase-file", &good, "secrets", "passphrase", "--new-passphrase-file", &newer]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = k.run(&["--vault-passphrase-file", &good, "credential", "rm", "pw"]);
    assert!(text(&out.stderr).contains("vault.wrong_passphrase"), "{}", text(&out.stderr));
    assert_eq!(
        k.json(&["--vault-passphrase-file", &newer, "credential", "show", "pw"])["keychain"]["state"],
        "present"
    );

    // the password is in the vault, in no file in plaintext
    assert_nowhere(&[&canary], &all_files(&k.data_dir()));
    assert_eq!(k.run(&["--vault-passphrase-file", &newer, "credential", "rm", "pw"]).status.code(), Some(0));
}

#[test]
fn a_headless_server_keeps_secrets_in_a_vault_an_administrator_unlocks() {
    let t = "a_headless_server_keeps_secrets_in_a_vault_an_administrator_unlocks";
    let Some(bed) = ko_testbed::bed(t) else { return };
    let lease = bed.lease("public", 1);
    let host = lease.host(0);
    let k = Koctl::with_env(no_keychain());
    let key = std::fs::read_to_string(bed.root_key()).unwrap();
    let key_body = key.lines().nth(2).unwrap().to_string();

    let server = serve_with(&k, &[]);
    let mut c = admin_client(&server);
    let (_, status) = c.get("/api/status");
    assert_eq!((status["secrets"]["kind"].as_str(), status["secrets"]["state"].as_str()), (Some("vault"), Some("new")));
    let credential = json!({"name": "bedroot", "username": "root", "kind": "private_key", "private_key": key});
    let (code, body) = c.post("/api/credentials", &credential.to_string());
    assert_eq!((code, body["error"]["code"].as_str()), (503, Some("vault.sealed")), "{body}");
    let unlock = |c: &mut Client, pass: &str, create: bool| {
        c.post("/api/secrets/unlock", &json!({"passphrase": pass, "create": create}).to_string())
    };
    let (code, body) = unlock(&mut c, "short", true);
    assert_eq!((code, body["error"]["code"].as_str()), (400, Some("vault.new_passphrase")), "{body}");
    assert_eq!(unlock(&mut c, "correct horse battery staple", true).0, 204);
    assert_eq!(c.get("/api/status").1["secrets"]["state"], "ready");
    assert_eq!(c.post("/api/credentials", &credential.to_string()).0, 201);
    let spec = json!({"name": host.name, "address": host.ip.to_string(), "credential": "bedroot"});
    let (_, scanned) = c.post("/api/hosts/scan", &spec.to_string());
    let mut with_fp = spec.clone();
    with_fp["fingerprint"] = scanned["fingerprint"].clone();
    let (code, body) = c.post("/api/hosts", &with_fp.to_string());
    assert_eq!(code, 201, "{body}");
    let said = server.stop();
    assert!(said.contains("no OS keychain answers here"), "{said}");

    // restarted: sealed again; a wrong passphrase is refused, the right one opens it
    let server = serve_with(&k, &[]);
    let mut c = Client::new(&server);
    crate::serve::login(&mut c, ko_api::DEFAULT_ADMIN, "admin-new-password");
    assert_eq!(c.get("/api/status").1["secrets"]["state"], "sealed");
    let refresh = format!("/api/hosts/{}/refresh", host.name);
    assert_eq!(c.post(&refresh, "").1["error"]["code"], "vault.sealed");
    let (code, body) = unlock(&mut c, "wrong horse battery staple", false);
    assert_eq!((code, body["error"]["code"].as_str()), (400, Some("vault.wrong_passphrase")), "{body}");
    assert_eq!(unlock(&mut c, "correct horse battery staple", false).0, 204);
    let (code, body) = c.post(&refresh, "");
    assert_eq!(code, 200, "{body}");
    drop(server);

    // a passphrase file (or a systemd credential) opens it at start
    let pass = passphrase_file(&k, "pass", "correct horse battery staple");
    let server = serve_with(&k, &["--vault-passphrase-file", &pass]);
    let said = server.stop();
    assert!(said.contains("secrets: kept in the encrypted vault file"), "{said}");
    assert_nowhere(&[&key_body], &all_files(&k.data_dir()));
}
