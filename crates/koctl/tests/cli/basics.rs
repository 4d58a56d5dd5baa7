//! koctl as a user runs it: the real binary, a temp data dir, real SQLite and the real keychain.

use crate::support::{Koctl, all_files, assert_nowhere, text};
use ko_secrets::testing::keychain_or_skip;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn status_on_a_fresh_data_dir() {
    let k = Koctl::new();
    let s = k.json(&["status"]);
    let latest = ko_store::migrations::latest();
    assert_eq!(s["schema_version"], latest);
    assert_eq!(s["counts"]["projects"], 1);
    assert_eq!(s["counts"]["enabled_versions"], 2);
    assert!(k.data_dir().join("ko.db").exists());
    let out = k.run(&["status"]);
    assert!(text(&out.stdout).contains(&format!("schema version {latest}")), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("koctl version list"));
}

#[test]
fn exit_codes_tell_usage_input_and_failure_apart() {
    let k = Koctl::new();
    assert_eq!(k.run(&["no-such-noun"]).status.code(), Some(2), "bad usage");
    assert_eq!(k.run(&["project", "add"]).status.code(), Some(2), "missing --name");
    let bad = k.run(&["project", "add", "--name", "bad name"]);
    assert_eq!(bad.status.code(), Some(2), "invalid input");
    assert!(text(&bad.stderr).contains("error[name.invalid]"), "{}", text(&bad.stderr));
    assert_eq!(k.run(&["version", "enable", "v0.0.1"]).status.code(), Some(2), "unknown version");
    let out = k.run(&["project", "rm", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("koctl project list"), "says what to do: {}", text(&out.stderr));

    k.json(&["project", "add", "--name", "p1"]);
    let out = k.run_with(&["user", "add", "--name", "alice", "--password-stdin"], "alice-password\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    k.json(&["member", "add", "--project", "p1", "--user", "alice", "--role", "project_admin"]);
    let out = k.run(&["--as", "alice", "project", "add", "--name", "p2"]);
    assert_eq!(out.status.code(), Some(1), "forbidden is a failed operation");
    assert!(text(&out.stderr).contains("error[forbidden]"), "{}", text(&out.stderr));
    let out = k.run(&["-o", "json", "--as", "alice", "credential", "list"]);
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "forbidden");
    let projects = k.json(&["--as", "alice", "project", "list"]);
    assert_eq!(projects.as_array().unwrap().len(), 1);
}

const CLUSTER: &str = "
name: demo
version: v1.34.1
network: { plugin: flannel, mode: host-gw, pod_cidr: 10.244.0.0/16, service_cidr: 10.96.0.0/16 }
load_balancer: { mode: external, vip: 192.168.1.10 }
";

#[test]
fn cluster_validate_reports_every_problem_at_once() {
    let k = Koctl::new();
    let good = k.file("good.yaml", CLUSTER);
    let out = k.run(&["cluster", "validate", "-f", good.to_str().unwrap()]);
    // no nodes: the only problem is the missing master
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("node.no_master"), "{}", text(&out.stdout));

    let bad = k.file(
        "bad.yaml",
        &CLUSTER
            .replace("name: demo", "name: Demo")
            .replace("mode: host-gw", "mode: ipip")
            .replace("10.96.0.0/16", "10.244.0.0/20")
            .replace("192.168.1.10", "10.96.0.10"),
    );
    let v = {
        let out = k.run(&["-o", "json", "cluster", "validate", "-f", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let mut codes: Vec<&str> = v["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    codes.sort();
    assert_eq!(
        codes,
        ["name.not_dns1123", "network.cidr_overlap", "network.mode_unsupported", "node.no_master"],
        "{v:#}"
    );

    let typo = k.file("typo.yaml", "name: demo\nversion: v1.34.1\nnetwrok: {}\n");
    let out = k.run(&["cluster", "validate", "-f", typo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("unknown field `netwrok`"), "{}", text(&out.stdout));
    let out = k.run(&["cluster", "validate", "-f", "/nonexistent.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent.yaml"));
}

#[test]
fn settings_versions_and_the_audit_trail() {
    let k = Koctl::new();
    k.json(&["setting", "repo", "set", "--arch", "arm64", "--hostname", "10.1.0.5", "--registry-port", "8082"]);
    let repos = k.json(&["setting", "repo", "list"]);
    assert_eq!(repos[0]["hostname"], "10.1.0.5");
    assert_eq!(repos[0]["registry_port"], 8082);
    assert_eq!(k.run(&["setting", "repo", "set", "--arch", "x86", "--hostname", "h"]).status.code(), Some(2));
    k.json(&["setting", "ntp", "add", "--name", "aliyun", "--address", "ntp.aliyun.com"]);
    k.json(&["setting", "ntp", "disable", "aliyun"]);
    assert_eq!(k.json(&["setting", "ntp", "list"])[0]["enabled"], false);
    let dup = k.run(&["setting", "ntp", "add", "--name", "other", "--address", "ntp.aliyun.com"]);
    assert_eq!(dup.status.code(), Some(2));
    k.json(&["version", "disable", "v1.33.5"]);
    let versions = k.json(&["version", "list"]);
    assert_eq!(versions[1]["version"], "v1.33.5");
    assert_eq!(versions[1]["enabled"], false);

    let audit = k.json(&["audit", "list", "--limit", "100"]);
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| (e["action"].as_str().unwrap(), e["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("setting.repo.set", "ok"),
            ("setting.repo.set", "failed"),
            ("setting.ntp.add", "ok"),
            ("setting.ntp.disable", "ok"),
            ("setting.ntp.add", "failed"),
            ("version.disable", "ok"),
        ]
    );
    let only = k.json(&["audit", "list", "--action", "version"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
}

#[test]
fn secrets_never_reach_the_database_the_logs_or_the_terminal() {
    let Some(keychain) = keychain_or_skip("secrets_never_reach_the_database_the_logs_or_the_terminal") else { return };
    let k = Koctl::new();
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let login = format!("login-{nonce}");
    let sudo = format!("sudo-{nonce}");
    let passphrase = format!("phrase-{nonce}");
    let key_path = k.dir.path().join("id_ed25519");
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-C", "", "-N", &passphrase, "-f"])
            .arg(&key_path)
            .status()
            .unwrap()
            .success()
    );
    let key_text = std::fs::read_to_string(&key_path).unwrap();
    let key_body: String = key_text.lines().nth(2).unwrap().to_string();

    let mut outputs = Vec::new();
    let out = k.run_with(
        &["credential", "add", "--name", "pw", "--username", "ops", "--password-stdin", "--sudo-password-stdin"],
        &format!("{login}\n{sudo}\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    outputs.push(out);
    let out = k.run_with(
        &[
            "credential",
            "add",
            "--name",
            "key",
            "--key-file",
            key_path.to_str().unwrap(),
            "--passphrase-stdin",
            "--sudo-password-stdin",
        ],
        &format!("{passphrase}\n{sudo}\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    outputs.push(out);
    // a wrong passphrase is refused and leaves nothing behind
    let out = k.run_with(
        &["credential", "add", "--name", "key2", "--key-file", key_path.to_str().unwrap(), "--passphrase-stdin"],
        &format!("wrong-{passphrase}\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("credential.wrong_passphrase"), "{}", text(&out.stderr));
    outputs.push(out);
    outputs.push(k.run(&["-o", "json", "credential", "list"]));
    outputs.push(k.run(&["credential", "show", "key"]));
    outputs.push(k.run(&["audit", "list"]));

    let list: Value = serde_json::from_slice(&outputs[3].stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["key", "pw"]);
    let fp = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(key_path.with_extension("pub"))
        .output()
        .unwrap();
    assert!(
        text(&fp.stdout).contains(list[0]["key_fingerprint"].as_str().unwrap()),
        "fingerprint as ssh-keygen prints it"
    );
    assert!(text(&outputs[4].stdout).contains("present"), "{}", text(&outputs[4].stdout));

    // the secrets are in the keychain...
    let keychain_ref = list[1]["keychain_ref"].as_str().unwrap();
    let entry = keychain.get(keychain_ref).unwrap();
    assert!(entry.expose().contains(&login) && entry.expose().contains(&sudo));
    // ...and nowhere else: not in the database (main file, WAL, SHM), the logs, or any output
    let mut places = all_files(&k.data_dir());
    assert!(places.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "log")), "trace logs were written");
    for (i, o) in outputs.iter().enumerate() {
        places.push((PathBuf::from(format!("stdout of command {i}")), o.stdout.clone()));
        places.push((PathBuf::from(format!("stderr of command {i}")), o.stderr.clone()));
    }
    assert_nowhere(&[&login, &sudo, &passphrase, &key_body], &places);

    for name in ["pw", "key"] {
        assert_eq!(k.run(&["credential", "rm", name]).status.code(), Some(0));
    }
    assert!(matches!(keychain.get(keychain_ref), Err(ko_secrets::SecretError::Missing(_))));
}

#[test]
fn without_a_keychain_nothing_is_stored_and_the_error_says_why() {
    let k = Koctl::new();
    let secret = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let out = k.run_with(
        &["credential", "add", "--name", "pw", "--password-stdin"],
        &format!("{secret}\n"),
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"), ("DISPLAY", ""), ("KO_SECRETS", "keychain")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("error[keychain.unavailable]") && err.contains("never stored in plaintext"), "{err}");
    let list = k.json(&["credential", "list"]);
    assert_eq!(list, serde_json::json!([]));
    assert_nowhere(&[&secret], &all_files(&k.data_dir()));
}

#[test]
fn too_few_secrets_on_stdin_is_bad_input() {
    let k = Koctl::new();
    let out =
        k.run_with(&["credential", "add", "--name", "pw", "--password-stdin", "--sudo-password-stdin"], "one\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected 2 line(s) on stdin (login password, then sudo password), got 1"),
        "{}",
        text(&out.stderr)
    );
}
