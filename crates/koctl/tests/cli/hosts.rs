//! `koctl host ...` against the test bed, with credentials in the real keychain.

use crate::support::{Koctl, text};
use ko_secrets::testing::keychain_or_skip;
use ko_testbed::{Fault, OPS_PASSWORD, bed};
use serde_json::Value;
use std::process::Command;

/// A data dir with the bed's root key and the `ops` password as credentials.
fn with_credentials(bed: &ko_testbed::Bed) -> Koctl {
    let k = Koctl::new();
    k.json(&["credential", "add", "--name", "bedroot", "--key-file", bed.root_key().to_str().unwrap()]);
    let out = k.run_with(
        &["credential", "add", "--name", "ops", "--username", "ops", "--password-stdin"],
        &format!("{OPS_PASSWORD}\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    k
}

fn add(k: &Koctl, name: &str, ip: &str, credential: &str, extra: &[&str]) -> std::process::Output {
    k.run(
        &[&["-o", "json", "host", "add", "--name", name, "--address", ip, "--credential", credential], extra].concat(),
    )
}

#[test]
fn add_pins_the_key_gathers_facts_and_a_changed_key_is_refused_until_trusted() {
    if keychain_or_skip("add_pins_the_key...").is_none() {
        return;
    }
    let Some(bed) = bed("add_pins_the_key_gathers_facts_and_a_changed_key_is_refused_until_trusted") else { return };
    let lease = bed.lease("public", 2);
    let (a, b) = (lease.host(0), lease.host(1));
    let k = with_credentials(bed);
    let ip_a = a.ip.to_string();

    // no trust option and no terminal: the fingerprint is shown, nothing is stored
    let out = add(&k, &a.name, &ip_a, "bedroot", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = err["error"]["message"].as_str().unwrap().to_string();
    let on_disk = Command::new("ssh-keygen")
        .args(["-l", "-f"])
        .arg(a.dir.join("merged/etc/ssh/ssh_host_ed25519_key.pub"))
        .output()
        .unwrap();
    let fingerprint = text(&on_disk.stdout).split_whitespace().nth(1).unwrap().to_string();
    assert!(message.contains(&fingerprint), "{message}");
    assert_eq!(k.json(&["host", "list"]), serde_json::json!([]));

    // a wrong fingerprint is refused; the right one is accepted
    let out =
        add(&k, &a.name, &ip_a, "bedroot", &["--fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("ssh.host_key_changed"), "{}", text(&out.stdout));
    let out = add(&k, &a.name, &ip_a, "bedroot", &["--fingerprint", &fingerprint]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["host_key_fingerprint"], fingerprint.as_str());
    assert_eq!((h["status"].as_str(), h["arch"].as_str()), (Some("running"), Some("amd64")));
    assert_eq!(h["facts"]["hostname"], a.name.as_str());
    assert_eq!(h["facts"]["os_id"], "debian");

    // a password credential through known_hosts trust
    let known = k.dir.path().join("known_hosts");
    let scan = Command::new("ssh-keyscan").args(["-T", "3"]).arg(b.ip.to_string()).output().unwrap();
    std::fs::write(&known, &scan.stdout).unwrap();
    let out = add(&k, &b.name, &b.ip.to_string(), "ops", &["--known-hosts", known.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let list = k.run(&["host", "list"]);
    let table = text(&list.stdout);
    assert!(
        table.starts_with("NAME") && table.contains("CPU") && table.contains("MEMORY") && table.contains("debian 12"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3);

    // the host is reinstalled (new keys): refresh refuses and says how to accept it
    bed.fault(a, Fault::Rekey);
    let out = k.run(&["host", "refresh", &a.name]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("ssh.host_key_changed") && err.contains(&fingerprint) && err.contains("koctl host trust"),
        "{err}"
    );
    let shown = k.json(&["host", "show", &a.name]);
    assert_eq!(shown["status"], "failed");
    let out = k.run(&["host", "trust", &a.name, "--trust-on-first-use"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = k.run(&["host", "refresh", "--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = k.json(&["host", "show", &a.name]);
    assert_eq!(shown["status"], "running");
    assert_ne!(shown["host_key_fingerprint"], fingerprint.as_str());

    // an unreachable host is recorded as such
    bed.fault(b, Fault::Cut);
    let out = k.run_with(&["host", "refresh", &b.name], "", &[("KO_SSH_CONNECT_TIMEOUT", "3")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ssh.timeout") || text(&out.stderr).contains("ssh.unreachable"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(k.json(&["host", "show", &b.name])["status"], "unreachable");
    bed.fault(b, Fault::Heal);

    assert_eq!(k.run(&["host", "rm", &b.name]).status.code(), Some(0));
    assert_eq!(k.json(&["host", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn jump_hosts_csv_import_and_errors_a_user_can_act_on() {
    if keychain_or_skip("jump_hosts_csv_import_and_errors_a_user_can_act_on").is_none() {
        return;
    }
    let Some(bed) = bed("jump_hosts_csv_import_and_errors_a_user_can_act_on") else { return };
    let public = bed.lease("public", 2);
    let private = bed.lease("private", 1);
    let k = with_credentials(bed);
    let jump = bed.jump_host();
    let p = private.host(0);
    let (a, b) = (public.host(0), public.host(1));
    let csv = format!(
        "name,address,port,credential,jump,fingerprint\n{},{},22,bedroot,,\n{},{},,ops,{},\n{},{},22,ops,,\nghost,10.77.0.250,22,ops,,\nbad line\n",
        jump.name, jump.ip, p.name, p.ip, jump.name, a.name, a.ip
    );
    let file = k.file("hosts.csv", &csv);
    let out = k.run_with(
        &["-o", "json", "host", "import", "-f", file.to_str().unwrap(), "--trust-on-first-use"],
        "",
        &[("KO_SSH_CONNECT_TIMEOUT", "3")],
    );
    assert_eq!(out.status.code(), Some(1), "one row fails, so the import reports failure");
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results: Vec<(String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(results[0], (jump.name.clone(), "ok".into()));
    assert_eq!(results[1], (p.name.clone(), "ok".into()), "{rows:#}");
    assert_eq!(results[2], (a.name.clone(), "ok".into()));
    assert_eq!(results[3].0, "ghost");
    assert!(results[3].1 == "ssh.unreachable" || results[3].1 == "ssh.timeout", "{rows:#}");
    assert_eq!(results[4].1, "invalid");
    let hidden = k.json(&["host", "show", &p.name]);
    assert_eq!(
        (hidden["jump"].as_str(), hidden["facts"]["hostname"].as_str()),
        (Some(jump.name.as_str()), Some(p.name.as_str()))
    );

    // the jump host cannot go while a host is behind it
    let out = k.run(&["host", "rm", &jump.name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("jump host"), "{}", text(&out.stderr));

    // wrong password: authentication fails, naming the methods
    let out = k.run_with(
        &["credential", "add", "--name", "wrong", "--username", "ops", "--password-stdin"],
        "nope-nope\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = add(&k, &b.name, &b.ip.to_string(), "wrong", &["--trust-on-first-use"]);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "ssh.auth_failed");
    assert!(err["error"]["message"].as_str().unwrap().contains("password"), "{err}");

    // a credential of a kind this release does not know (the schema's CHECK bypassed, as a damaged
    // file could) is refused, never tried as agent auth
    let db = ko_store::Connection::open(k.data_dir().join("ko.db")).unwrap();
    db.pragma_update(None, "ignore_check_constraints", true).unwrap();
    db.execute("UPDATE credentials SET kind = 'kerberos' WHERE name = 'wrong'", []).unwrap();
    let out = add(&k, &b.name, &b.ip.to_string(), "wrong", &["--trust-on-first-use"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "credential.kind_unknown", "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("'kerberos'"), "{err}");
}
