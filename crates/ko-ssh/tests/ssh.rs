//! ko-ssh against real OpenSSH servers on the test bed.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_secrets::Sensitive;
use ko_ssh::{
    Auth, CancellationToken, ConnectOptions, Download, ExecOptions, HostKey, HostKeyPolicy, Session, SshError, SshPool,
    Stream, Target, Upload, fan_out, gather_facts,
};
use ko_testbed::{Bed, BedHost, Fault, OPS_PASSWORD, OPS_USER, bed};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

fn s(v: &str) -> Sensitive<String> {
    Sensitive::new(v.to_string())
}

fn pinned(h: &BedHost) -> HostKeyPolicy {
    let line = h.host_public_key("ed25519");
    let key = russh::keys::parse_public_key_base64(line.split_whitespace().nth(1).unwrap()).unwrap();
    let k = HostKey::from_public_key(&key);
    HostKeyPolicy::Pinned { fingerprint: k.fingerprint, algorithm: Some(k.algorithm) }
}

fn root(bed: &Bed, h: &BedHost) -> Target {
    Target {
        name: h.name.clone(),
        address: h.ip.to_string(),
        port: h.ssh_port,
        user: "root".into(),
        auth: Auth::Key { key: Sensitive::new(std::fs::read_to_string(bed.root_key()).unwrap()), passphrase: None },
        sudo_password: None,
        host_key: pinned(h),
        jump: None,
    }
}

fn ops(h: &BedHost, auth: Auth) -> Target {
    Target {
        name: h.name.clone(),
        address: h.ip.to_string(),
        port: h.ssh_port,
        user: OPS_USER.into(),
        auth,
        sudo_password: None,
        host_key: pinned(h),
        jump: None,
    }
}

fn opts() -> ConnectOptions {
    ConnectOptions {
        connect_timeout: Duration::from_secs(10),
        keepalive_interval: Duration::from_secs(1),
        keepalive_max: 2,
    }
}

async fn sh(session: &Session, cmd: &str) -> String {
    let out = session.run(cmd, &ExecOptions::default()).await.unwrap();
    assert!(out.success(), "{cmd}: {}", out.stderr);
    out.stdout.trim().to_string()
}

/// Makes a key with ssh-keygen and authorises it for `ops` on `h`.
fn authorise_new_key(bed: &Bed, h: &BedHost, dir: &std::path::Path, kind: &str, format: &[&str], pass: &str) -> String {
    let path = dir.join(format!("{kind}-{}", format.join("")));
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", pass, "-C", "ko-test", "-f"]).arg(&path).args(format);
    assert!(cmd.status().unwrap().success());
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    bed.root_sh(h, &format!("install -d -m 700 -o ops -g ops ~ops/.ssh && echo '{}' >> ~ops/.ssh/authorized_keys && chown ops:ops ~ops/.ssh/authorized_keys", public.trim()));
    std::fs::read_to_string(&path).unwrap()
}

#[tokio::test]
async fn every_auth_mode_logs_in_and_failures_say_which_method() {
    let Some(bed) = bed("every_auth_mode_logs_in_and_failures_say_which_method") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let dir = tempfile::tempdir().unwrap();

    let login = |auth| async move { Session::connect(&ops(h, auth), &opts()).await };
    assert_eq!(sh(&login(Auth::Password(s(OPS_PASSWORD))).await.unwrap(), "id -un").await, "ops");
    assert_eq!(sh(&login(Auth::KeyboardInteractive(s(OPS_PASSWORD))).await.unwrap(), "id -un").await, "ops");
    for (kind, format, pass) in [
        ("ed25519", vec![], "key pass"),
        ("ecdsa", vec!["-m", "PEM"], ""),
        ("rsa", vec!["-m", "PEM"], "rsa pass"),
        ("rsa", vec![], ""),
    ] {
        let key = authorise_new_key(bed, h, dir.path(), kind, &format, pass);
        let passphrase = (!pass.is_empty()).then(|| s(pass));
        let session = login(Auth::Key { key: Sensitive::new(key), passphrase }).await;
        assert_eq!(sh(&session.unwrap_or_else(|e| panic!("{kind} {format:?}: {e}")), "id -un").await, "ops");
    }

    // ssh-agent holding a passphrase-less key
    let agent_sock = dir.path().join("agent.sock");
    let agent = Command::new("ssh-agent").arg("-a").arg(&agent_sock).output().unwrap();
    assert!(agent.status.success());
    let agent_pid: String = String::from_utf8_lossy(&agent.stdout)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .into();
    authorise_new_key(bed, h, dir.path(), "ed25519", &["-Z", "aes256-ctr"], "");
    let key_path = dir.path().join("ed25519--Zaes256-ctr");
    assert!(
        Command::new("ssh-add").arg(&key_path).env("SSH_AUTH_SOCK", &agent_sock).output().unwrap().status.success()
    );
    let via_agent = login(Auth::Agent { socket: Some(agent_sock.clone()) }).await;
    let _ = Command::new("kill").arg(agent_pid.trim()).status();
    assert_eq!(sh(&via_agent.unwrap(), "id -un").await, "ops");

    let e = login(Auth::Password(s("wrong-password"))).await.unwrap_err();
    assert_eq!(e.code(), "ssh.auth_failed");
    assert!(e.to_string().contains("password and keyboard-interactive"), "{e}");
    assert!(!e.to_string().contains("wrong-password"));
    let stranger = std::fs::read_to_string(dir.path().join("ed25519--Zaes256-ctr")).unwrap();
    let mut t = ops(h, Auth::Key { key: Sensitive::new(stranger), passphrase: None });
    t.user = "nobody".into();
    let e = Session::connect(&t, &opts()).await.unwrap_err();
    assert!(e.to_string().contains("public key") && e.to_string().contains("'nobody'"), "{e}");
}

#[tokio::test]
async fn sudo_with_a_password_that_never_shows() {
    let Some(bed) = bed("sudo_with_a_password_that_never_shows") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let session = Session::connect(&ops(h, Auth::Password(s(OPS_PASSWORD))), &opts()).await.unwrap();
    let out = session.run("id -u", &ExecOptions::sudo()).await.unwrap();
    assert_eq!((out.stdout.trim(), out.success()), ("0", true), "{}", out.stderr);
    assert!(!out.stderr.contains("ko-sudo") && !out.stderr.contains("ko-ready"), "markers are hidden: {}", out.stderr);

    // while a sudo command runs, neither its arguments nor its environment hold the password
    let probe = Arc::new(Session::connect(&root(bed, h), &opts()).await.unwrap());
    let long = {
        let session = &session;
        async move { session.run("sleep 2; env", &ExecOptions::sudo()).await.unwrap() }
    };
    let look = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        sh(
            &probe,
            "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' ' '",
        )
        .await
    };
    let (env_out, all_processes) = tokio::join!(long, look);
    assert!(all_processes.contains("sleep 2"), "the probe saw the command");
    assert!(!all_processes.contains(OPS_PASSWORD), "password visible in a process argument or environment");
    assert!(!env_out.stdout.contains(OPS_PASSWORD));

    // a wrong sudo password is refused, distinctly
    let mut t = ops(h, Auth::Password(s(OPS_PASSWORD)));
    t.sudo_password = Some(s("not-the-sudo-password"));
    let wrong = Session::connect(&t, &opts()).await.unwrap();
    let e = wrong.run("id -u", &ExecOptions::sudo()).await.unwrap_err();
    assert_eq!(e.code(), "ssh.sudo_refused", "{e}");
    assert!(!e.to_string().contains("not-the-sudo-password"));
    // a key credential without any password cannot answer sudo's prompt
    let dir = tempfile::tempdir().unwrap();
    let key = authorise_new_key(bed, h, dir.path(), "ed25519", &[], "");
    let keyed =
        Session::connect(&ops(h, Auth::Key { key: Sensitive::new(key), passphrase: None }), &opts()).await.unwrap();
    let e = keyed.run("true", &ExecOptions::sudo()).await.unwrap_err();
    assert!(e.to_string().contains("--sudo-password-stdin"), "{e}");
}

#[tokio::test]
async fn a_changed_host_key_is_a_hard_error_naming_both_keys() {
    let Some(bed) = bed("a_changed_host_key_is_a_hard_error_naming_both_keys") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let target = root(bed, h);
    let before = Session::connect(&target, &opts()).await.unwrap().host_key().clone();
    bed.fault(h, Fault::Rekey);
    let e = Session::connect(&target, &opts()).await.unwrap_err();
    let SshError::HostKeyChanged { pinned, presented, .. } = &e else { panic!("{e}") };
    assert_eq!(*pinned, before.fingerprint);
    assert_ne!(presented, pinned);
    assert!(e.to_string().contains(&format!("trust the host again with the new key {presented}")), "{e}");
    // the new key is what a deliberate re-trust sees
    let scanned = ko_ssh::scan_host_key(&target, &opts()).await.unwrap();
    assert_eq!(&scanned.fingerprint, presented);
    let mut trusting = target.clone();
    trusting.host_key = HostKeyPolicy::Pinned { fingerprint: scanned.fingerprint.clone(), algorithm: None };
    assert_eq!(sh(&Session::connect(&trusting, &opts()).await.unwrap(), "hostname").await, h.name);
}

#[tokio::test]
async fn a_chain_of_jump_hosts_each_with_its_own_key_and_credential() {
    let Some(bed) = bed("a_chain_of_jump_hosts_each_with_its_own_key_and_credential") else { return };
    let lease = bed.lease("private", 2);
    let (p1, p2) = (lease.host(0), lease.host(1));
    let bastion = root(bed, bed.jump_host());
    let mut hop = ops(p1, Auth::Password(s(OPS_PASSWORD)));
    hop.jump = Some(Box::new(bastion.clone()));
    let mut end = root(bed, p2);
    end.jump = Some(Box::new(hop.clone()));
    let session = Session::connect(&end, &opts()).await.unwrap();
    assert_eq!(sh(&session, "hostname").await, p2.name);
    // the middle hop's key is checked too
    let mut bad = end.clone();
    let mut wrong_hop = hop.clone();
    wrong_hop.host_key = HostKeyPolicy::Pinned { fingerprint: "SHA256:not-this-one".into(), algorithm: None };
    bad.jump = Some(Box::new(wrong_hop));
    let e = Session::connect(&bad, &opts()).await.unwrap_err();
    assert!(matches!(&e, SshError::HostKeyChanged { host, .. } if *host == p1.name), "{e}");
    // and the private host cannot be reached without the bastion
    let direct = root(bed, p2);
    assert_eq!(Session::connect(&direct, &opts()).await.unwrap_err().code(), "ssh.unreachable");
}

#[tokio::test]
async fn exec_streams_lines_and_really_stops_what_it_cancels() {
    let Some(bed) = bed("exec_streams_lines_and_really_stops_what_it_cancels") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let session = Session::connect(&root(bed, h), &opts()).await.unwrap();
    let mut lines = Vec::new();
    let out = session
        .exec("echo one; echo two >&2; printf 'three\\nfour'; exit 7", &ExecOptions::default(), |l| lines.push(l))
        .await
        .unwrap();
    assert_eq!(out.exit_status, Some(7));
    let got: Vec<_> = lines.iter().map(|l| (l.stream, l.line.as_str())).collect();
    assert!(got.contains(&(Stream::Stderr, "two")));
    let stdout: Vec<_> = got.iter().filter(|(s, _)| *s == Stream::Stdout).map(|(_, l)| *l).collect();
    assert_eq!(stdout, ["one", "three", "four"]);
    assert!(lines.windows(2).all(|w| w[0].at <= w[1].at));

    // many commands at once on one connection
    let results = futures::future::join_all((0..24).map(|i| {
        let session = &session;
        async move { sh(session, &format!("echo {i}")).await }
    }))
    .await;
    assert_eq!(results, (0..24).map(|i| i.to_string()).collect::<Vec<_>>());

    // a timeout kills the command and everything it started
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let t = ExecOptions { timeout: Some(Duration::from_secs(1)), ..ExecOptions::default() };
    let e = session.run(&format!("sh -c 'sleep 300; echo {tag}' & sleep 300"), &t).await.unwrap_err();
    assert_eq!(e.code(), "ssh.timeout");
    assert_eq!(count_processes_with(&session, &tag).await, 0, "processes of a timed-out command survive");

    // cancel does the same, through sudo too
    let ops_session = Session::connect(&ops(h, Auth::Password(s(OPS_PASSWORD))), &opts()).await.unwrap();
    let cancel = CancellationToken::new();
    let c = ExecOptions { sudo: true, cancel: Some(cancel.clone()), ..ExecOptions::default() };
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let cmd = format!("sleep 300 && echo {tag}");
    let (res, ()) = tokio::join!(ops_session.run(&cmd, &c), async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        cancel.cancel();
    });
    assert_eq!(res.unwrap_err().code(), "ssh.cancelled");
    assert_eq!(count_processes_with(&session, &tag).await, 0, "processes of a cancelled sudo command survive");
}

/// Processes whose command line contains `tag` (the check itself is built so it does not match).
async fn count_processes_with(session: &Session, tag: &str) -> usize {
    let (a, b) = tag.split_at(tag.len() / 2);
    let script = format!(
        "t={a}; t=\"${{t}}{b}\"; for d in /proc/[0-9]*; do case \"$(tr '\\0' ' ' < $d/cmdline 2>/dev/null)\" in *\"$t\"*) echo $d;; esac; done | wc -l"
    );
    let n = sh(session, &script).await;
    n.parse().unwrap()
}

#[tokio::test]
async fn the_pool_reconnects_after_the_connection_drops() {
    let Some(bed) = bed("the_pool_reconnects_after_the_connection_drops") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let pool = SshPool::new(opts());
    let target = ops(h, Auth::Password(s(OPS_PASSWORD)));
    let first = pool.session(&target).await.unwrap();
    assert!(Arc::ptr_eq(&first, &pool.session(&target).await.unwrap()), "one pooled connection");
    let killer = Session::connect(&root(bed, h), &opts()).await.unwrap();
    sh(&killer, "pkill -KILL -f 'sshd: [o]ps' ; true").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !first.is_closed() {
        assert!(tokio::time::Instant::now() < deadline, "the drop was never noticed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let second = pool.session(&target).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert_eq!(sh(&second, "id -un").await, "ops");
}

fn random_file(dir: &std::path::Path, name: &str, mib: usize) -> std::path::PathBuf {
    let path = dir.join(name);
    let out = Command::new("head").args(["-c", &format!("{}", mib << 20), "/dev/urandom"]).output().unwrap();
    std::fs::write(&path, out.stdout).unwrap();
    path
}

fn sha256(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn upload_and_download_verify_set_modes_and_skip_what_is_there() {
    let Some(bed) = bed("upload_and_download_verify_set_modes_and_skip_what_is_there") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let dir = tempfile::tempdir().unwrap();
    let file = random_file(dir.path(), "blob", 16);
    let session = Session::connect(&ops(h, Auth::Password(s(OPS_PASSWORD))), &opts()).await.unwrap();
    let up = Upload {
        local: file.clone(),
        remote: "/opt/ko test/blob".into(),
        mode: 0o640,
        owner: Some("ops:ops".into()),
        sudo: true,
        sha256: None,
    };
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let out = session.upload(&up, move |p| seen2.lock().unwrap().push(p)).await.unwrap();
    assert_eq!((out.size, out.resumed_from, out.transferred, out.already_present), (16 << 20, 0, 16 << 20, false));
    assert_eq!(out.sha256, sha256(&file));
    let p = seen.lock().unwrap().clone();
    assert!(p.windows(2).all(|w| w[0].done <= w[1].done) && p.last().unwrap().done == 16 << 20);
    let remote = sh(
        &session,
        "stat -c '%a %U %G' '/opt/ko test/blob'; sha256sum < '/opt/ko test/blob' | cut -c1-64; ls '/opt/ko test'",
    )
    .await;
    assert_eq!(remote, format!("640 ops ops\n{}\nblob", out.sha256));

    let again = session.upload(&up, |_| {}).await.unwrap();
    assert!(again.already_present && again.transferred == 0, "{again:?}");

    let back = dir.path().join("back/blob");
    let d = session
        .download(&Download { remote: "/opt/ko test/blob".into(), local: back.clone(), sudo: false }, |_| {})
        .await
        .unwrap();
    assert_eq!((d.transferred, sha256(&back)), (16 << 20, out.sha256.clone()));
    assert!(!dir.path().join("back/blob.ko-part").exists());

    // a download resumes from what the local part file already holds
    let half = 5u64 << 20;
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(dir.path().join("again.ko-part"), &bytes[..half as usize]).unwrap();
    let again_path = dir.path().join("again");
    let d = session
        .download(&Download { remote: "/opt/ko test/blob".into(), local: again_path.clone(), sudo: true }, |_| {})
        .await
        .unwrap();
    assert_eq!((d.resumed_from, d.transferred), (half, (16 << 20) - half));
    assert_eq!(sha256(&again_path), out.sha256);

    // a declared hash that the bytes do not have is refused, and nothing lands
    let mut wrong = up.clone();
    wrong.remote = "/opt/ko test/wrong".into();
    wrong.sha256 = Some("0".repeat(64));
    let e = session.upload(&wrong, |_| {}).await.unwrap_err();
    assert!(matches!(&e, SshError::HashMismatch { actual, .. } if *actual == out.sha256), "{e}");
    assert_eq!(sh(&session, "ls -A '/opt/ko test'").await, "blob");
}

#[tokio::test]
async fn a_script_written_while_a_cut_writer_still_holds_its_temp_file_runs() {
    let t = "a_script_written_while_a_cut_writer_still_holds_its_temp_file_runs";
    let Some(bed) = bed(t) else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let session = Session::connect(&root(bed, h), &opts()).await.unwrap();
    // the writer of an attempt whose connection was cut, still waiting for bytes that never come
    bed.root_sh(
        h,
        "rm -f /usr/local/sbin/ko-stale*; (sleep 30 > /usr/local/sbin/ko-stale.ko-tmp 2>/dev/null </dev/null &)",
    );
    session.write_file("/usr/local/sbin/ko-stale", b"#!/bin/sh\necho fresh\n".to_vec(), 0o755, false).await.unwrap();
    assert_eq!(sh(&session, "/usr/local/sbin/ko-stale").await.trim(), "fresh");
    let left = sh(&session, "ls /usr/local/sbin | grep -c ko-stale; pkill -f '^sleep 30$' || true").await;
    assert_eq!(left.lines().next(), Some("2"), "only the script and the stale writer's file: {left}");
}

#[tokio::test]
async fn a_cut_in_the_middle_of_a_200_mib_upload_resumes_with_only_the_missing_bytes() {
    let Some(bed) = bed("a_cut_in_the_middle_of_a_200_mib_upload_resumes_with_only_the_missing_bytes") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let dir = tempfile::tempdir().unwrap();
    let file = random_file(dir.path(), "big", 200);
    let size = 200u64 << 20;
    let target = root(bed, h);
    let up = Upload {
        local: file.clone(),
        remote: "/var/tmp/big".into(),
        mode: 0o644,
        owner: None,
        sudo: false,
        sha256: None,
    };
    bed.root_sh(h, "rm -f /var/tmp/big /var/tmp/big.ko-part");

    let session = Session::connect(&target, &opts()).await.unwrap();
    let (half_tx, half_rx) = tokio::sync::oneshot::channel();
    let half_tx = std::sync::Mutex::new(Some(half_tx));
    let upload = session.upload(&up, move |p| {
        if p.done > size / 2
            && let Some(tx) = half_tx.lock().unwrap().take()
        {
            let _ = tx.send(());
        }
    });
    let cut = async {
        half_rx.await.unwrap();
        bed.fault(h, Fault::Cut);
    };
    let (first, ()) = tokio::join!(upload, cut);
    let e = first.unwrap_err();
    assert!(e.is_transient(), "a cut link is a transient failure: {e}");
    bed.fault(h, Fault::Heal);

    let session = Session::connect(&target, &opts()).await.unwrap();
    let resumed = session.upload(&up, |_| {}).await.unwrap();
    assert!(resumed.resumed_from > 0 && resumed.resumed_from < size, "{resumed:?}");
    assert_eq!(resumed.transferred, size - resumed.resumed_from, "only the missing bytes were sent");
    assert_eq!(sh(&session, "sha256sum < /var/tmp/big | cut -c1-64").await, sha256(&file));
    sh(&session, "rm -f /var/tmp/big").await;
}

#[tokio::test]
async fn fan_out_to_ten_hosts_keeps_every_result() {
    let Some(bed) = bed("fan_out_to_ten_hosts_keeps_every_result") else { return };
    // nine leased public hosts plus the (never faulted) jump host: no other test touches them meanwhile
    let lease = bed.lease("public", 9);
    let mut targets: Vec<Target> =
        std::iter::once(bed.jump_host()).chain(lease.hosts()).map(|h| root(bed, h)).collect();
    assert_eq!(targets.len(), 10);
    let mut ghost = targets[0].clone();
    ghost.name = "ghost".into();
    ghost.address = "10.77.0.250".into();
    targets.push(ghost);
    let pool = Arc::new(SshPool::new(opts()));
    let results = fan_out(targets, ko_ssh::DEFAULT_PARALLELISM, |t: Target| {
        let pool = pool.clone();
        async move {
            let session = pool.session(&t).await?;
            let out = session.run("hostname", &ExecOptions::default()).await?;
            Ok::<_, SshError>(out.stdout.trim().to_string())
        }
    })
    .await;
    for (t, r) in &results[..10] {
        assert_eq!(r.as_ref().unwrap(), &t.name);
    }
    let (ghost, r) = &results[10];
    assert_eq!(ghost.name, "ghost");
    assert!(matches!(r, Err(e) if e.is_transient()), "{r:?}");
}

#[tokio::test]
async fn facts_describe_the_host() {
    let Some(bed) = bed("facts_describe_the_host") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let session = Session::connect(&ops(h, Auth::Password(s(OPS_PASSWORD))), &opts()).await.unwrap();
    let f = gather_facts(&session).await.unwrap();
    assert_eq!((f.os_id.as_str(), f.os_version.as_str(), f.hostname.as_str()), ("debian", "12", h.name.as_str()));
    assert_eq!(f.arch, "amd64");
    assert!(f.cpus >= 1 && f.memory_mib > 0);
    let eth0 = f.nics.iter().find(|n| n.name == "eth0").unwrap();
    assert!(eth0.addresses.contains(&format!("{}/24", h.ip)), "{eth0:?}");
    assert_eq!(f.selinux, "disabled");
    assert!(f.runtimes.is_empty(), "{:?}", f.runtimes);
}
