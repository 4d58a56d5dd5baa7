//! The test bed does what the other tests rely on — shown with the real OpenSSH client.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_testbed::{Bed, BedHost, Fault, OPS_PASSWORD, OPS_USER, bed};
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SSH_OPTS: &[&str] = &[
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=3",
];

fn ssh_key(bed: &Bed, target: &str, extra: &[&str], cmd: &str) -> Output {
    Command::new("ssh")
        .args(SSH_OPTS)
        .args(["-o", "BatchMode=yes", "-i"])
        .arg(bed.root_key())
        .args(extra)
        .arg(target)
        .arg(cmd)
        .output()
        .unwrap()
}

fn ssh_password(host: &BedHost, password: &str, cmd: &str) -> Output {
    Command::new("sshpass")
        .args(["-p", password, "ssh"])
        .args(SSH_OPTS)
        .args(["-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "PubkeyAuthentication=no"])
        .arg(format!("{OPS_USER}@{}", host.ip))
        .arg(cmd)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn every_host_answers_by_key_with_an_identity_of_its_own() {
    let Some(bed) = bed("every_host_answers_by_key_with_an_identity_of_its_own") else { return };
    let mut machine_ids = HashSet::new();
    let mut host_keys = HashSet::new();
    for h in bed.hosts().iter().filter(|h| h.network == "public") {
        let out = ssh_key(
            bed,
            &format!("root@{}", h.ip),
            &[],
            "hostname; cat /etc/machine-id; id -u; . /etc/os-release; echo $VERSION_CODENAME",
        );
        assert!(out.status.success(), "{}: {}", h.name, String::from_utf8_lossy(&out.stderr));
        let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
        assert_eq!(lines[0], h.name);
        assert_eq!(lines[2], "0");
        assert_eq!(lines[3], h.suite, "{} runs another Debian than the bed says", h.name);
        assert!(machine_ids.insert(lines[1].clone()), "machine-id of {} repeats", h.name);
        // the key the host presents is the one on its own disk, and no other host has it
        let scan =
            Command::new("ssh-keyscan").args(["-T", "3", "-t", "ed25519"]).arg(h.ip.to_string()).output().unwrap();
        let presented = stdout(&scan);
        let on_disk = h.host_public_key("ed25519");
        let key_blob = on_disk.split_whitespace().nth(1).unwrap();
        assert!(presented.contains(key_blob), "{}: keyscan {presented:?} vs disk {on_disk:?}", h.name);
        assert!(host_keys.insert(key_blob.to_string()), "host key of {} repeats", h.name);
    }
    assert_eq!(machine_ids.len(), ko_testbed::PUBLIC_HOSTS);
    let trixie = bed.hosts().iter().filter(|h| h.suite == "trixie").count();
    assert_eq!(trixie, ko_testbed::TRIXIE_HOSTS, "Debian 13 hosts in the standard bed");
}

#[test]
fn password_login_and_a_sudo_that_asks_for_the_password() {
    let Some(bed) = bed("password_login_and_a_sudo_that_asks_for_the_password") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let out = ssh_password(h, OPS_PASSWORD, "id -un; sudo -n true 2>&1; echo \"sudo -n exit $?\"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.starts_with(OPS_USER), "{text}");
    assert!(text.contains("a password is required") && text.contains("sudo -n exit 1"), "{text}");
    let cmd = format!("echo '{OPS_PASSWORD}' | sudo -S -p '' id -u");
    assert_eq!(stdout(&ssh_password(h, OPS_PASSWORD, &cmd)), "0");
    let wrong = ssh_password(h, OPS_PASSWORD, "echo wrong-password | sudo -S -p '' id -u");
    assert!(!wrong.status.success(), "a wrong sudo password is refused");
    let bad_login = ssh_password(h, "not-the-password", "true");
    assert_eq!(bad_login.status.code(), Some(5), "sshpass reports a wrong password");
    // root may not log in with a password, only with the key
    let root = Command::new("sshpass")
        .args(["-p", "root-testbed-password", "ssh"])
        .args(SSH_OPTS)
        .args(["-o", "PubkeyAuthentication=no"])
        .arg(format!("root@{}", h.ip))
        .arg("true")
        .output()
        .unwrap();
    assert!(!root.status.success());
}

#[test]
fn private_hosts_are_reachable_only_through_the_jump_host() {
    let Some(bed) = bed("private_hosts_are_reachable_only_through_the_jump_host") else { return };
    let lease = bed.lease("private", 1);
    let h = lease.host(0);
    assert!(!h.tcp_reachable(Duration::from_secs(2)), "{} must not be reachable directly", h.name);
    let jump = format!("root@{}", bed.jump_host().ip);
    let key = bed.root_key();
    let proxy = format!(
        "ProxyCommand=ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -i {} -W %h:%p {jump}",
        key.display()
    );
    let out = ssh_key(bed, &format!("root@{}", h.ip), &["-o", &proxy], "hostname");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), h.name);
}

#[test]
fn hosts_have_filesystems_of_their_own() {
    let Some(bed) = bed("hosts_have_filesystems_of_their_own") else { return };
    let lease = bed.lease("public", 2);
    let (a, b) = (lease.host(0), lease.host(1));
    let file = format!("/root/only-here-{}", uuid::Uuid::new_v4().simple());
    bed.root_sh(a, &format!("echo {} > {file}", a.name));
    assert_eq!(bed.root_sh(a, &format!("cat {file}")).trim(), a.name);
    assert_eq!(bed.root_sh(b, &format!("test -e {file} && echo present || echo absent")).trim(), "absent");
    bed.root_sh(a, &format!("rm {file}"));
}

fn connect_time(h: &BedHost) -> Duration {
    let start = Instant::now();
    assert!(h.tcp_reachable(Duration::from_secs(5)));
    start.elapsed()
}

#[test]
fn cut_loss_rate_and_delay_are_observable_and_undone() {
    let Some(bed) = bed("cut_loss_rate_and_delay_are_observable_and_undone") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    assert!(h.tcp_reachable(Duration::from_secs(2)));

    bed.fault(h, Fault::Cut);
    assert!(!h.tcp_reachable(Duration::from_secs(1)), "a cut link carries nothing");
    bed.fault(h, Fault::Heal);
    assert!(h.tcp_reachable(Duration::from_secs(5)), "a healed link carries traffic again");

    bed.fault(h, Fault::Loss(100));
    assert!(!h.tcp_reachable(Duration::from_secs(1)), "100% loss carries nothing");
    bed.fault(h, Fault::Clear);
    assert!(h.tcp_reachable(Duration::from_secs(5)));

    // 4 Mbit/s towards the host: 768 KiB cannot arrive in less than ~1.5 s
    let push = || {
        let start = Instant::now();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "head -c 786432 /dev/zero | ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -i {} root@{} 'cat > /dev/null'",
                bed.root_key().display(),
                h.ip
            ))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        start.elapsed()
    };
    bed.fault(h, Fault::Rate(4000));
    let slow = push();
    assert!(slow >= Duration::from_millis(1400), "768 KiB at 4 Mbit/s took {slow:?}");
    bed.fault(h, Fault::Clear);
    let fast = push();
    assert!(fast < slow, "unthrottled {fast:?} vs throttled {slow:?}");

    if bed.caps().netem {
        bed.fault(h, Fault::Delay(300));
        assert!(connect_time(h) >= Duration::from_millis(300));
        bed.fault(h, Fault::Clear);
        assert!(connect_time(h) < Duration::from_millis(300));
    } else {
        eprintln!("\n!!! SKIPPED the latency part: this kernel has no netem qdisc (cut, loss and rate were tested)\n");
    }
}

#[test]
fn stop_start_and_reboot_keep_the_disk() {
    let Some(bed) = bed("stop_start_and_reboot_keep_the_disk") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    bed.root_sh(h, "echo kept > /root/kept; echo gone > /run/gone");
    bed.fault(h, Fault::Stop);
    assert!(!h.tcp_reachable(Duration::from_secs(1)), "a stopped host does not answer");
    bed.fault(h, Fault::Start);
    assert_eq!(
        bed.root_sh(h, "cat /root/kept; test -e /run/gone && echo still || echo cleared").trim(),
        "kept\ncleared"
    );
    bed.root_sh(h, "echo gone > /run/gone");
    bed.fault(h, Fault::Reboot);
    assert_eq!(
        bed.root_sh(h, "cat /root/kept; test -e /run/gone && echo still || echo cleared").trim(),
        "kept\ncleared"
    );
    bed.root_sh(h, "rm /root/kept");
}

#[test]
fn rekey_gives_a_host_new_host_keys() {
    let Some(bed) = bed("rekey_gives_a_host_new_host_keys") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    let scan = || {
        let out = Command::new("ssh-keygen")
            .args(["-l", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let scanned =
            Command::new("ssh-keyscan").args(["-T", "3", "-t", "ed25519"]).arg(h.ip.to_string()).output().unwrap();
        use std::io::Write;
        let mut out = out;
        out.stdin.take().unwrap().write_all(&scanned.stdout).unwrap();
        stdout(&out.wait_with_output().unwrap())
    };
    let before = scan();
    assert!(before.contains("SHA256:"), "{before}");
    bed.fault(h, Fault::Rekey);
    let after = scan();
    assert!(after.contains("SHA256:"), "{after}");
    assert_ne!(before, after);
}

/// Everything a bed named `name` in `dir` could leave behind.
fn leftovers(name: &str, dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let dir_text = dir.display().to_string();
    for line in std::fs::read_to_string("/proc/mounts").unwrap().lines() {
        if line.contains(&dir_text) {
            found.push(format!("mount {line}"));
        }
    }
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for l in stdout(&netns).lines().filter(|l| l.starts_with(&format!("{name}-"))) {
        found.push(format!("netns {l}"));
    }
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    for l in stdout(&links).lines().filter(|l| l.contains(&format!(" {name}-"))) {
        found.push(format!("link {l}"));
    }
    for p in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(p.path().join("cmdline"))
            && String::from_utf8_lossy(&cmd).contains(&dir_text)
        {
            found.push(format!("process {}", p.file_name().to_string_lossy()));
        }
    }
    let routes = Command::new("ip").args(["route"]).output().unwrap();
    for l in stdout(&routes).lines().filter(|l| l.starts_with("unreachable 10.78.")) {
        found.push(format!("route {l}"));
    }
    if dir.exists() {
        found.push(format!("dir {}", dir.display()));
    }
    found
}

#[test]
fn down_leaves_nothing_behind_even_after_a_crash() {
    // a bed of its own (its own name and subnet), so the shared bed is not disturbed
    let Some(_) = bed("down_leaves_nothing_behind_even_after_a_crash") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bed");
    let extra = Bed::up(&dir, &["--name", "kotbx", "--subnet", "10.78", "--hosts", "2", "--private", "1"]);
    assert_eq!(extra.hosts().len(), 3);
    assert!(extra.hosts().iter().all(|h| h.ready));
    let cgroups: Vec<String> = extra
        .hosts()
        .iter()
        .flat_map(|h| {
            std::fs::read_to_string(h.dir.join("cgroups")).unwrap().lines().map(String::from).collect::<Vec<_>>()
        })
        .collect();
    assert!(!cgroups.is_empty());
    assert!(!leftovers("kotbx", &dir).is_empty());

    // crash: the launchers die without a chance to clean up; the hosts' systemd keeps running
    for h in extra.hosts() {
        let pid = std::fs::read_to_string(h.dir.join("nspawn.pid")).unwrap();
        assert!(Command::new("kill").args(["-KILL", pid.trim()]).status().unwrap().success());
    }
    extra.down();
    assert_eq!(leftovers("kotbx", &dir), Vec::<String>::new());
    for cg in cgroups {
        assert!(!Path::new(&cg).exists(), "cgroup {cg} left behind");
    }
}
