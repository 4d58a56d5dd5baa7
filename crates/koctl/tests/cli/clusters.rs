//! Clusters created, killed and resumed, cut off and retried, backed up and restored, reset —
//! on real test-bed hosts with the real bundle of Debian packages; and the `--plan` snapshot.

use crate::support::{Koctl, all_files, assert_nowhere, text};
use ko_secrets::testing::keychain_or_skip;
use ko_testbed::{Bed, BedHost, Fault};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The bundle `bundles/local/build` makes (`./dev test` builds it before the tests).
pub(crate) fn local_bundle(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("KO_LOCAL_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/ko-bundle/local-bookworm-amd64.zip"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("KO_REQUIRE_TESTBED").is_none(),
        "KO_REQUIRE_TESTBED is set but {} is missing: run bundles/local/build",
        path.display()
    );
    eprintln!("\n!!! SKIPPED {test}: no local bundle; run bundles/local/build\n");
    None
}

/// Removes what a deployment left on a host (before a test, and after it even when it fails: other
/// tests, and the end-to-end tests after them, expect hosts without a runtime or pushed files).
const CLEAN_HOST: &str = "systemctl disable --now etcd keepalived haproxy containerd docker docker.socket chrony kubelet >/dev/null 2>&1; \
    systemctl stop ko-standin >/dev/null 2>&1; \
    dpkg --purge etcd-server etcd-client keepalived haproxy containerd runc chrony containernetworking-plugins kubernetes-client >/dev/null 2>&1; \
    pkill -f 'http[.]server'; rm -rf /var/lib/etcd /etc/etcd /etc/default/etcd /etc/haproxy /etc/keepalived /var/lib/ko/repo /var/lib/ko/store /var/log/ko \
    /etc/apt/sources.list.d/kubeoperator.list /usr/local/bin/ko-etcdctl /usr/local/sbin/ko-apt-install /usr/local/sbin/ko-install-archive /usr/local/sbin/ko-host-package /usr/local/sbin/ko-run-image \
    /etc/systemd/system/haproxy.service /etc/systemd/system/keepalived.service \
    /usr/local/bin/containerd /usr/local/bin/containerd-shim-runc-v2 /usr/local/bin/ctr /usr/local/bin/crictl /usr/local/sbin/runc /opt/cni/bin \
    /usr/local/bin/dockerd /usr/local/bin/docker /usr/local/bin/docker-init /usr/local/bin/docker-proxy /usr/local/bin/runc \
    /etc/systemd/system/docker.service /etc/systemd/system/docker.socket /etc/docker /var/lib/docker \
    /usr/local/bin/etcd /usr/local/bin/etcdctl /usr/local/bin/etcdutl /etc/systemd/system/containerd.service /etc/systemd/system/etcd.service \
    /usr/local/bin/kubeadm /usr/local/bin/kubelet /usr/local/bin/kubectl /usr/local/sbin/ko-kube /var/lib/containerd \
    /etc/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d; systemctl daemon-reload; \
    sed -i '/^# BEGIN kubeoperator$/,/^# END kubeoperator$/d' /etc/hosts; true";

/// Cleans its hosts when dropped.
pub(crate) struct Cleanup<'a> {
    bed: &'a Bed,
    hosts: Vec<&'a BedHost>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for h in &self.hosts {
            let _ = self.bed.root_ssh(h, CLEAN_HOST);
        }
    }
}

/// A data dir with the bed's root credential, `hosts` registered and the local bundle imported,
/// and a cluster file `name` over them (every host master + etcd; with an even number of hosts, the
/// last one a worker, as etcd needs an odd number of members).
fn cluster_on<'a>(
    bed: &'a Bed,
    hosts: &[&'a BedHost],
    bundle: &std::path::Path,
    name: &str,
) -> (Koctl, PathBuf, Cleanup<'a>) {
    let masters = if hosts.len().is_multiple_of(2) { hosts.len() - 1 } else { hosts.len() };
    cluster_in(Koctl::new(), bed, hosts, bundle, name, masters)
}

/// [`cluster_on`] in the data dir `k`, with the first `masters` hosts master + etcd and the
/// others workers.
pub(crate) fn cluster_in<'a>(
    k: Koctl,
    bed: &'a Bed,
    hosts: &[&'a BedHost],
    bundle: &std::path::Path,
    name: &str,
    masters: usize,
) -> (Koctl, PathBuf, Cleanup<'a>) {
    for h in hosts {
        bed.root_sh(h, CLEAN_HOST);
    }
    let cleanup = Cleanup { bed, hosts: hosts.to_vec() };
    k.json(&["credential", "add", "--name", "bedroot", "--key-file", bed.root_key().to_str().unwrap()]);
    let mut nodes = String::new();
    for (i, h) in hosts.iter().enumerate() {
        let ip = h.ip.to_string();
        k.json(&[
            "host",
            "add",
            "--name",
            &h.name,
            "--address",
            &ip,
            "--credential",
            "bedroot",
            "--trust-on-first-use",
        ]);
        let roles = if i < masters { "master, etcd" } else { "worker" };
        nodes += &format!("  - {{ host: {}, roles: [{roles}] }}\n", h.name);
    }
    k.json(&["bundle", "import", bundle.to_str().unwrap(), "--allow-unsigned"]);
    let file = k.file(
        &format!("{name}.yaml"),
        &format!("name: {name}\nversion: v1.34.1\nbundle: local-bookworm\nnodes:\n{nodes}"),
    );
    (k, file, cleanup)
}

/// Adds `lines` (YAML of top-level fields) to the cluster file `file`.
fn add_to_spec(file: &std::path::Path, lines: &str) {
    let spec = std::fs::read_to_string(file).unwrap();
    std::fs::write(file, spec.replace("nodes:\n", &format!("{lines}nodes:\n"))).unwrap();
}

fn etcdctl(bed: &Bed, h: &BedHost, args: &str) -> String {
    bed.root_sh(h, &format!("ETCDCTL_ENDPOINTS=https://127.0.0.1:2379 ko-etcdctl {args}"))
}

/// Every step x host of a task from the journal: (phase, step, host) -> (status, attempt).
pub(crate) fn journal(k: &Koctl, task: i64) -> Vec<(String, String, String, String, i64)> {
    let d = k.json(&["task", "show", &task.to_string()]);
    d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["phase_name"].as_str().unwrap().to_string(),
                s["step_name"].as_str().unwrap().to_string(),
                s["host"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["attempt"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn create_backup_restore_and_reset_on_three_hosts() {
    let t = "create_backup_restore_and_reset_on_three_hosts";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 3);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "alpha");
    // haproxy from the bundle's Debian package (the VIP and mixed-OS tests run the images)
    add_to_spec(&file, "load_balancer: { from: package }\n");

    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    let progress = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}\n{progress}", text(&out.stdout));
    for phase in ["== precheck", "== bundle", "== base", "== runtime", "== etcd"] {
        assert!(progress.contains(phase), "{phase} in {progress}");
    }
    assert!(progress.contains("steps x hosts"), "progress with counts: {progress}");
    let show = k.json(&["cluster", "show", "alpha"]);
    // the Kubernetes phases need Kubernetes server binaries, which cannot run here: staged at etcd
    assert_eq!(show["cluster"]["status"], "staged", "{show:#}");
    let rows = journal(&k, 1);
    assert!(rows.iter().all(|r| r.3 == "ok" || r.3 == "skipped"), "{rows:#?}");
    assert!(rows.iter().any(|r| r.1 == "member healthy" && r.3 == "ok"));

    // what is on the hosts: a healthy 3-member TLS etcd, containerd with the bundle's image
    let first = hosts[0];
    assert!(etcdctl(bed, first, "endpoint health --cluster 2>&1").matches("is healthy").count() == 3);
    assert_eq!(etcdctl(bed, first, "member list").lines().count(), 3);
    for h in &hosts {
        assert!(bed.root_sh(h, "ctr -n k8s.io images ls -q").contains("docker.io/local/busybox:test"));
        assert_eq!(bed.root_sh(h, "stat -c '%U %a' /etc/etcd/pki/member.key").trim(), "etcd 600");
        assert!(bed.root_sh(h, "grep -c '^# BEGIN kubeoperator' /etc/hosts").trim() == "1");
    }
    // the internal load balancer: haproxy on every node in front of every master's API port
    internal_load_balancer_checks_and_forwards(bed, &hosts);

    // the members' private keys never touch the data dir
    let keys: Vec<String> = hosts.iter().map(|h| bed.root_sh(h, "sed -n 2p /etc/etcd/pki/member.key")).collect();
    let key_lines: Vec<&str> = keys.iter().map(|s| s.trim()).collect();
    assert_nowhere(&key_lines, &all_files(&k.data_dir()));

    // backup, then more writes, then restore: exactly the snapshot's keys come back
    etcdctl(bed, first, "put /t/a 1 && ko-etcdctl put /t/b 2");
    let out = k.run(&["cluster", "backup", "alpha"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let backups = k.json(&["cluster", "backups", "alpha"]);
    let b = &backups[0];
    let location = PathBuf::from(b["location"].as_str().unwrap());
    let local = std::fs::read(&location).unwrap();
    assert_eq!(b["size"].as_u64(), Some(local.len() as u64));
    etcdctl(bed, first, "put /t/c 3 && ko-etcdctl put /t/a changed");
    let out = k.run(&["cluster", "restore", "alpha", b["name"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for h in &hosts {
        let kv = etcdctl(bed, h, "get /t/ --prefix");
        assert_eq!(kv.lines().collect::<Vec<_>>(), ["/t/a", "1", "/t/b", "2"], "on {}", h.name);
    }

    // a backup file changed on disk is refused before anything is stopped
    let mut tampered = local.clone();
    tampered[local.len() / 2] ^= 0xff;
    std::fs::write(&location, &tampered).unwrap();
    let out = k.run(&["cluster", "restore", "alpha", b["name"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("changed since it was taken"), "{}", text(&out.stderr));
    assert!(bed.root_sh(first, "systemctl is-active etcd").trim() == "active");

    // delete --reset cleans the hosts and forgets the cluster
    let out = k.run(&["cluster", "delete", "alpha", "--reset"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for h in &hosts {
        let left = bed.root_sh(
            h,
            "ls /var/lib/ko /etc/etcd /var/lib/etcd /etc/haproxy 2>/dev/null; command -v etcd haproxy containerd; true",
        );
        assert!(left.trim().is_empty(), "left on {}: {left}", h.name);
        assert!(!bed.root_sh(h, "cat /etc/hosts").contains("kubeoperator"));
    }
    assert!(!location.exists(), "the cluster's backups went with it");
    assert_eq!(k.run(&["cluster", "show", "alpha"]).status.code(), Some(2));
    // one task, kept in the journal after its cluster went
    let task = &k.json(&["task", "list"])[0];
    assert_eq!((task["kind"].as_str(), task["status"].as_str()), (Some("cluster.delete"), Some("ok")), "{task}");
    assert!(task["cluster"].is_null(), "{task}");
}

#[test]
fn a_cluster_of_debian_12_and_13_hosts_is_created_up_to_etcd_from_the_release_archives_and_images() {
    let t = "a_cluster_of_debian_12_and_13_hosts_is_created_up_to_etcd_from_the_release_archives_and_images";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease_mixed("public", &[("bookworm", 1), ("trixie", 2)]);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "mixed");
    // the test bundle's chrony is a Debian 12 package: Debian 13 hosts keep their own time
    add_to_spec(&file, "time_sync: host\n");

    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    for (h, version) in hosts.iter().zip(["12", "13", "13"]) {
        let shown = k.json(&["host", "show", &h.name]).to_string();
        assert!(shown.contains(&format!("\"os_version\":\"{version}\"")), "{}: {shown}", h.name);
        let on_host = bed.root_sh(
            h,
            "command -v containerd runc etcd; ls /opt/cni/bin/bridge; \
             dpkg-query -W -f '${Package} ${Status}\\n' containerd runc etcd-server haproxy 2>/dev/null | grep -c ' installed$' || true; \
             systemctl is-active containerd etcd haproxy; ctr -n k8s.io task ls | grep -c '^ko-haproxy .*RUNNING'",
        );
        let lines: Vec<&str> = on_host.lines().collect();
        assert_eq!(
            lines,
            [
                "/usr/local/bin/containerd",
                "/usr/local/sbin/runc",
                "/usr/local/bin/etcd",
                "/opt/cni/bin/bridge",
                "0",
                "active",
                "active",
                "active",
                "1"
            ],
            "{}: the release archives' binaries with the app's units, haproxy from its image, no Debian package",
            h.name
        );
    }
    let health = etcdctl(bed, hosts[0], "endpoint health --cluster 2>&1");
    assert_eq!(health.matches("is healthy").count(), 3, "{health}");
    internal_load_balancer_checks_and_forwards(bed, &hosts);
}

#[test]
fn the_docker_runtime_from_its_static_archive_runs_the_load_balancer_image_and_etcd() {
    let t = "the_docker_runtime_from_its_static_archive_runs_the_load_balancer_image_and_etcd";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 1);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "dock");
    add_to_spec(&file, "runtime: { type: docker }\n");

    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let h = hosts[0];
    let on_host = bed.root_sh(
        h,
        "command -v dockerd docker; systemctl is-active docker.socket docker haproxy etcd; \
         dpkg-query -W -f '${Status}\\n' docker.io 2>/dev/null | grep -c ' installed$' || true; \
         docker ps --format '{{.Names}} {{.Image}}'; docker images --format '{{.Repository}}:{{.Tag}}' | sort",
    );
    let lines: Vec<&str> = on_host.lines().collect();
    assert_eq!(
        lines[..7],
        ["/usr/local/bin/dockerd", "/usr/local/bin/docker", "active", "active", "active", "active", "0"],
        "Docker from the static archive with moby's units, no Debian package: {on_host}"
    );
    assert!(lines.iter().any(|l| l.starts_with("ko-haproxy local/haproxy:")), "haproxy from its image: {on_host}");
    assert!(lines.contains(&"local/busybox:test"), "the bundle's images loaded: {on_host}");
    let health = etcdctl(bed, h, "endpoint health 2>&1");
    assert!(health.contains("is healthy"), "{health}");
    // a reload reaches haproxy in its container: it keeps serving
    bed.root_sh(h, "systemctl reload haproxy && sleep 1 && systemctl is-active haproxy");
    assert_eq!(lb_backends(bed, h).len(), 1, "haproxy answers after a reload");

    let out = k.run(&["cluster", "delete", "dock", "--reset"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let left = bed.root_sh(h, "command -v dockerd docker; ls /etc/systemd/system/docker.service /usr/local/sbin/ko-run-image 2>/dev/null; true");
    assert!(left.trim().is_empty(), "reset left {left}");
}

/// haproxy's view of the API servers from `h`: (server, UP/DOWN...) from its statistics CSV.
fn lb_backends(bed: &Bed, h: &BedHost) -> Vec<(String, String)> {
    let csv =
        bed.root_sh(h, "exec 3<>/dev/tcp/127.0.0.1/8404; printf 'GET /stats;csv HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.len() > 17 && f[0] == "masters" && f[1] != "BACKEND")
        .map(|f| (f[1].to_string(), f[17].split(' ').next().unwrap_or("").to_string()))
        .collect()
}

/// Polls (bounded) until `h`'s haproxy sees exactly `up` as UP among the masters.
fn wait_for_lb(bed: &Bed, h: &BedHost, up: &[&str], masters: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = lb_backends(bed, h);
        let ups: Vec<&str> = seen.iter().filter(|(_, s)| s == "UP").map(|(n, _)| n.as_str()).collect();
        if seen.len() == masters && ups == up {
            return;
        }
        assert!(Instant::now() < deadline, "haproxy on {} never saw exactly {up:?} up: {seen:?}", h.name);
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// No API server runs here (Kubernetes cannot be installed on these machines), so every backend is
/// down; a stand-in TCP service (a throw-away etcd) on the first master's API port comes up in
/// every node's haproxy, requests through 127.0.0.1:8443 reach it, and it goes down when stopped.
fn internal_load_balancer_checks_and_forwards(bed: &Bed, hosts: &[&BedHost]) {
    let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    for h in hosts {
        assert_eq!(
            bed.root_sh(
                h,
                "if command -v haproxy >/dev/null; then haproxy -c -f /etc/haproxy/haproxy.cfg >/dev/null; \
                 else ctr -n k8s.io task ls | grep -q '^ko-haproxy .*RUNNING'; fi && systemctl is-active haproxy"
            )
            .trim(),
            "active"
        );
        assert_eq!(lb_backends(bed, h).iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), names, "every master");
    }
    wait_for_lb(bed, hosts[1], &[], hosts.len());
    let (first, ip) = (hosts[0], hosts[0].ip);
    bed.root_sh(
        first,
        &format!(
            "systemd-run -q --unit ko-standin etcd --name standin --data-dir /tmp/ko-standin \
             --listen-client-urls http://{ip}:6443 --advertise-client-urls http://{ip}:6443 \
             --listen-peer-urls http://127.0.0.1:2390 --initial-advertise-peer-urls http://127.0.0.1:2390 \
             --initial-cluster standin=http://127.0.0.1:2390"
        ),
    );
    for h in &hosts[1..] {
        wait_for_lb(bed, h, &[first.name.as_str()], hosts.len());
    }
    let via_lb = "ETCDCTL_API=3 etcdctl --endpoints http://127.0.0.1:8443";
    bed.root_sh(hosts[2], &format!("{via_lb} put /via-lb from-{}", hosts[2].name));
    let direct = bed
        .root_sh(first, &format!("ETCDCTL_API=3 etcdctl --endpoints http://{ip}:6443 get /via-lb --print-value-only"));
    assert_eq!(direct.trim(), format!("from-{}", hosts[2].name), "the write went through the load balancer");
    bed.root_sh(first, "systemctl stop ko-standin; rm -rf /tmp/ko-standin");
    wait_for_lb(bed, hosts[2], &[], hosts.len());
}

/// Waits (polling the journal, bounded) until `ready` holds for task 1's steps.
pub(crate) fn wait_for_journal(
    k: &Koctl,
    what: &str,
    ready: impl Fn(&[(String, String, String, String, i64)]) -> bool,
) {
    let start = Instant::now();
    loop {
        let out = k.run(&["-o", "json", "task", "show", "1"]);
        if out.status.success() {
            let rows = journal(k, 1);
            if ready(&rows) {
                return;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(180), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_killed_create_is_interrupted_and_a_retry_resumes_where_it_stopped() {
    let t = "a_killed_create_is_interrupted_and_a_retry_resumes_where_it_stopped";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 3);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "beta");

    let mut child = k
        .command(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_journal(&k, "the runtime phase", |rows| rows.iter().any(|r| r.0 == "runtime"));
    child.kill().unwrap();
    child.wait().unwrap();

    let tasks = k.json(&["task", "list"]);
    assert_eq!(tasks[0]["status"], "interrupted", "{tasks:#}");
    assert!(tasks[0]["error"].as_str().unwrap().contains("a retry of task 1 resumes it"), "{tasks:#}");
    let before = journal(&k, 1);
    let done_before: Vec<_> = before.iter().filter(|r| r.3 == "ok" || r.3 == "skipped").cloned().collect();
    assert!(done_before.iter().any(|r| r.0 == "base"), "the base phase had finished: {before:#?}");

    let out = k.run(&["task", "retry", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = journal(&k, 1);
    // from the journal: what attempt 1 finished is untouched, everything else ran in attempt 2
    for r in &done_before {
        assert!(after.contains(r), "{r:?} ran again: {after:#?}");
        assert_eq!(r.4, 1);
    }
    assert!(after.iter().all(|r| r.3 == "ok" || r.3 == "skipped"));
    assert!(after.iter().any(|r| r.4 == 2 && r.0 == "etcd"));
    // from the hosts: their step log shows no step of attempt 1 again in attempt 2
    for h in &hosts {
        let log = bed.root_sh(h, "cat /var/log/ko/steps.log");
        for r in done_before.iter().filter(|r| r.2 == h.name && r.3 == "ok") {
            let again = format!("task=1 attempt=2 step={}\n", r.1);
            assert!(!log.contains(&again), "{} ran again on {}:\n{log}", r.1, h.name);
        }
        assert!(log.contains("task=1 attempt=2 step=start etcd"), "{log}");
    }
    assert_eq!(etcdctl(bed, hosts[0], "member list").lines().count(), 3);
    assert_eq!(k.json(&["cluster", "show", "beta"])["cluster"]["status"], "staged");
}

#[test]
fn a_host_cut_off_mid_create_fails_the_task_and_a_retry_after_healing_finishes_it() {
    let t = "a_host_cut_off_mid_create_fails_the_task_and_a_retry_after_healing_finishes_it";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 3);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "gamma");
    let victim = hosts[1];

    let env = [("KO_SSH_KEEPALIVE", "1"), ("KO_SSH_CONNECT_TIMEOUT", "3")];
    let mut cmd = k.command(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    let child = cmd.envs(env).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_journal(&k, "the base phase on the victim", |rows| {
        rows.iter().any(|r| r.0 == "base" && r.2 == victim.name && r.3 == "running")
            || rows.iter().any(|r| r.0 == "base" && r.2 == victim.name && r.3 == "ok")
    });
    bed.fault(victim, Fault::Cut);
    let out = child.wait_with_output().unwrap();
    bed.fault(victim, Fault::Heal);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let task = &k.json(&["task", "list"])[0];
    assert_eq!(task["status"], "failed");
    assert!(task["error"].as_str().unwrap().contains(&victim.name), "{task:#}");
    let failed: Vec<_> = journal(&k, 1).into_iter().filter(|r| r.3 == "failed").collect();
    assert!(failed.iter().all(|r| r.2 == victim.name), "only the cut host failed: {failed:#?}");

    let out = k.run_with(&["task", "retry", "1"], "", &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(etcdctl(bed, victim, "endpoint health --cluster 2>&1").matches("is healthy").count(), 3);
}

#[test]
fn a_failing_precheck_reports_every_host_and_changes_nothing() {
    let t = "a_failing_precheck_reports_every_host_and_changes_nothing";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 2);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "delta");
    // something already listens on etcd's client port on the first host
    bed.root_sh(
        hosts[0],
        "setsid python3 -m http.server 2379 >/dev/null 2>&1 < /dev/null & sleep 0; \
        for i in $(seq 50); do ss -Hltn 'sport = :2379' | grep -q . && break; sleep 0.1; done",
    );

    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    bed.root_sh(hosts[0], "pkill -f 'http[.]server 2379'; true");
    assert_eq!(out.status.code(), Some(1));
    let table = text(&out.stdout);
    assert!(table.contains("FAIL") && table.contains("ports") && table.contains("2379"), "{table}");
    let fails: Vec<&str> = table.lines().filter(|l| l.contains(" FAIL ")).collect();
    assert!(!fails.is_empty() && fails.iter().all(|l| l.starts_with(&hosts[0].name)), "{table}");
    let rows = journal(&k, 1);
    assert!(rows.iter().all(|r| r.0 == "precheck"), "nothing after the precheck ran: {rows:#?}");
    assert_eq!(rows.iter().filter(|r| r.1 == "clock").count(), 2, "every check ran on every host");
    for h in &hosts {
        let touched =
            bed.root_sh(h, "ls /var/lib/ko/repo /var/log/ko /etc/apt/sources.list.d/kubeoperator.list 2>&1; true");
        assert!(touched.lines().all(|l| l.contains("No such file")), "{} was changed: {touched}", h.name);
    }
    assert_eq!(k.json(&["cluster", "show", "delta"])["cluster"]["status"], "failed");
    // the log has each host's check lines; --follow of a finished task prints them and returns
    let logs = text(&k.run(&["task", "logs", "1", "--follow"]).stdout);
    assert!(logs.lines().any(|l| l.contains(&hosts[0].name) && l.contains("[ports free] FAIL ports")), "{logs}");
    assert!(logs.lines().any(|l| l.contains(&hosts[1].name) && l.contains("PASS ports")), "{logs}");
}

/// Registers hosts `(name, address, arch)` with fixed facts straight into the store (never
/// contacted) and puts a bundle of fake files for `arches` in the library as `k8s-test` (see
/// [`ko_api::testing::fake_hosts`]).
pub fn fake_hosts(k: &Koctl, hosts: &[(&str, &str, &str)], arches: &[&str]) {
    k.json(&["status"]);
    ko_api::testing::fake_hosts(&k.data_dir(), hosts, arches);
}

/// [`fake_hosts`] node-1..3 (10.0.0.11-13, amd64) and a cluster file over them; returns the file.
pub fn fake_hosts_and_bundle(k: &Koctl) -> PathBuf {
    fake_hosts(
        k,
        &[("node-1", "10.0.0.11", "amd64"), ("node-2", "10.0.0.12", "amd64"), ("node-3", "10.0.0.13", "amd64")],
        &["amd64"],
    );
    k.file(
        "c.yaml",
        "name: planned\nversion: v1.34.1\nnodes:\n  - { host: node-1, roles: [master, etcd] }\n  - { host: node-2, roles: [etcd, worker] }\n  - { host: node-3, roles: [etcd, worker] }\n",
    )
}

#[test]
fn the_plan_of_a_create_is_exactly_what_it_was() {
    let k = Koctl::new();
    let spec = fake_hosts_and_bundle(&k);
    let out = k.run(&["cluster", "create", "-f", spec.to_str().unwrap(), "--plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    assert!(!plan.contains("-----BEGIN") && plan.contains("<redacted>"), "keys are never shown");
    insta::assert_snapshot!("create_plan", plan);
    // nothing was registered or changed by a plan
    assert_eq!(k.json(&["cluster", "list"]), serde_json::json!([]));
}

#[test]
fn a_cancel_from_another_process_stops_the_task_and_one_operation_runs_per_cluster() {
    let t = "a_cancel_from_another_process_stops_the_task_and_one_operation_runs_per_cluster";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 1);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "epsilon");
    // a step that takes long enough to be cancelled while it runs
    std::fs::create_dir_all(k.data_dir().join("playbooks")).unwrap();
    let slow = ko_playbook_text("base").replace(
        "      - name: swap off\n        run: |\n",
        "      - name: swap off\n        run: |\n          echo slow-step-started; sleep 300\n",
    );
    std::fs::write(k.data_dir().join("playbooks/base.yaml"), slow).unwrap();

    let child = k
        .command(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(&k, "the slow step", |_| {
        text(&k.run(&["task", "logs", "1"]).stdout).contains("slow-step-started")
    });
    assert!(!bed.root_sh(hosts[0], "pgrep -f 'sleep 30[0]' || true").trim().is_empty(), "the step runs");
    // another operation on the same cluster is refused while this one runs
    let out = k.run(&["cluster", "reset", "epsilon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("has an operation running"), "{}", text(&out.stderr));

    let started = Instant::now();
    k.json(&["task", "cancel", "1"]);
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "the cancel took effect while the step ran");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(k.json(&["task", "list"])[0]["status"], "cancelled");
    let left = bed.root_sh(hosts[0], "pgrep -f 'sleep 30[0]' || true");
    assert!(left.trim().is_empty(), "the remote command was stopped: {left}");

    // without the slow step, a retry finishes the cluster from where it stopped
    std::fs::remove_file(k.data_dir().join("playbooks/base.yaml")).unwrap();
    let out = k.run(&["task", "retry", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(k.json(&["cluster", "show", "epsilon"])["cluster"]["status"], "staged");
}

/// A shipped playbook's text, for tests that override it in a data dir.
fn ko_playbook_text(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../playbooks/{name}.yaml")),
    )
    .unwrap()
}

#[test]
fn the_plan_of_an_external_load_balancer_is_exactly_what_it_was() {
    let k = Koctl::new();
    let spec = fake_hosts_and_bundle(&k);
    let text_of = std::fs::read_to_string(&spec).unwrap();
    let external = "load_balancer: { mode: external, vip: 10.0.0.100, hosts: [node-1, node-2] }\nnodes:\n";
    std::fs::write(&spec, text_of.replace("nodes:\n", external)).unwrap();
    let out = k.run(&["cluster", "create", "-f", spec.to_str().unwrap(), "--plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    let phase = plan.split("== phase ").find(|p| p.starts_with("load balancer")).unwrap();
    // haproxy and keepalived on the two chosen hosts only; every node reaches the VIP
    assert!(!phase.contains("install haproxy @ node-3") && phase.contains("API endpoint reachable @ node-3"));
    insta::assert_snapshot!("external_load_balancer_plan", phase);
}

#[test]
fn a_bundle_without_what_a_phase_installs_stops_the_create_before_any_host_is_touched() {
    let k = Koctl::new();
    let spec = fake_hosts_and_bundle(&k);
    // the bundle loses the CNI plugins, and node-3 turns out to be an arm64 host (mixed arch)
    let manifest_path = k.data_dir().join("bundles/k8s-test/manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["files"].as_array_mut().unwrap().retain(|f| f["component"] != "cni-plugins");
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let db = ko_store::Connection::open(k.data_dir().join("ko.db")).unwrap();
    db.execute("UPDATE hosts SET facts = json_set(facts, '$.arch', 'arm64') WHERE name = 'node-3'", []).unwrap();

    let out = k.run(&["cluster", "create", "-f", spec.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| serde_json::from_slice(&out.stderr).unwrap());
    let problems: Vec<String> = err["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "bundle 'k8s-test' has no haproxy image for arm64, which the load balancer phase installs on node-3; use a bundle that has it; or set load_balancer.from: package to install haproxy and keepalived as packages",
            "bundle 'k8s-test' has no calico for arm64, which the network phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no cni-plugins for amd64, which the runtime phase installs on node-1, node-2; use a bundle that has it",
            "bundle 'k8s-test' has no cni-plugins for arm64, which the runtime phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no containerd for arm64, which the runtime phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no coredns for arm64, which the kubernetes components phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no etcd for arm64, which the etcd phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no ingress-nginx for arm64, which the add-ons phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no kubernetes-server for arm64, which the kubernetes components phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no metrics-server for arm64, which the add-ons phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no pause for arm64, which the kubernetes components phase installs on node-3; use a bundle that has it",
            "bundle 'k8s-test' has no runc for arm64, which the runtime phase installs on node-3; use a bundle that has it",
        ]
    );
    // nothing was registered, no task exists: no host was touched
    assert_eq!(k.json(&["cluster", "list"]), serde_json::json!([]));
    assert_eq!(k.json(&["task", "list"]), serde_json::json!([]));
}

/// The hosts that hold `vip` now.
fn vip_holders(bed: &Bed, hosts: &[&BedHost], vip: &str) -> Vec<String> {
    hosts
        .iter()
        .filter(|h| bed.root_sh(h, &format!("ip -o -4 addr show | grep -c ' {vip}/' || true")).trim() == "1")
        .map(|h| h.name.clone())
        .collect()
}

/// Polls (bounded) until exactly `holder` holds `vip`.
fn wait_for_vip(bed: &Bed, hosts: &[&BedHost], vip: &str, holder: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = vip_holders(bed, hosts, vip);
        if now == [holder] {
            return;
        }
        assert!(Instant::now() < deadline, "the VIP {vip} should be on {holder} alone, it is on {now:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn an_external_load_balancer_keeps_its_vip_on_one_host_and_moves_it_when_haproxy_dies() {
    let t = "an_external_load_balancer_keeps_its_vip_on_one_host_and_moves_it_when_haproxy_dies";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 3);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "vipc");
    // a free address in the hosts' network (they use .11 to .23)
    let vip = "10.77.0.250";
    add_to_spec(&file, &format!("load_balancer: {{ mode: external, vip: {vip} }}\n"));

    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // the first load-balancer host holds the VIP, the others stand by; haproxy answers on it
    wait_for_vip(bed, &hosts, vip, &hosts[0].name);
    let endpoint: std::net::SocketAddr = format!("{vip}:8443").parse().unwrap();
    assert!(std::net::TcpStream::connect_timeout(&endpoint, Duration::from_secs(3)).is_ok(), "haproxy behind the VIP");
    for h in &hosts {
        assert_eq!(
            bed.root_sh(h, "systemctl is-active keepalived haproxy").split_whitespace().collect::<Vec<_>>(),
            ["active", "active"]
        );
    }

    // its haproxy dies: the VIP moves to the next host, which answers
    bed.root_sh(hosts[0], "systemctl stop haproxy");
    wait_for_vip(bed, &hosts, vip, &hosts[1].name);
    assert!(std::net::TcpStream::connect_timeout(&endpoint, Duration::from_secs(3)).is_ok(), "the VIP answers again");

    // reset takes keepalived and the VIP away
    let out = k.run(&["cluster", "delete", "vipc", "--reset"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(vip_holders(bed, &hosts, vip).is_empty());
    for h in &hosts {
        assert!(
            bed.root_sh(h, "command -v keepalived haproxy; ls /etc/keepalived 2>/dev/null; true").trim().is_empty()
        );
    }
}

#[test]
fn a_staged_create_stops_after_its_phase_and_deploy_continues_from_there() {
    let t = "a_staged_create_stops_after_its_phase_and_deploy_continues_from_there";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 1);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "stage");
    let spec = std::fs::read_to_string(&file).unwrap().replace("nodes:\n", "certificate_validity_days: 400\nnodes:\n");
    std::fs::write(&file, spec).unwrap();
    let f = file.to_str().unwrap();
    let out = k.run(&["cluster", "create", "-f", f, "--until", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(
        "choose one of precheck, bundle, base, runtime, loadbalancer, etcd, kubernetes, control-plane, join, network, addons, post"
    ));

    let out = k.run(&["cluster", "create", "-f", f, "--until", "runtime"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let show = k.json(&["cluster", "show", "stage"]);
    assert_eq!(show["cluster"]["status"], "staged");
    assert_eq!(show["cluster"]["status_message"], "deployed up to runtime");
    assert_eq!(show["next"], serde_json::json!({"action": "cluster_deploy", "cluster": "stage"}));
    let table = text(&k.run(&["cluster", "show", "stage"]).stdout);
    assert!(table.contains("next: `koctl cluster deploy stage`"), "{table}");
    assert_eq!(show["tasks"][0]["title"], "create cluster stage (up to runtime)");
    let h = hosts[0];
    assert!(bed.root_sh(h, "command -v containerd etcd haproxy; true").trim().ends_with("containerd"), "runtime only");
    // only a staged cluster can be continued, and only forward
    assert_eq!(k.run(&["cluster", "backup", "stage"]).status.code(), Some(1), "a staged cluster is not running");
    let out = k.run(&["cluster", "deploy", "stage", "--until", "base"]);
    assert!(text(&out.stderr).contains("already deployed up to runtime"), "{}", text(&out.stderr));

    let out = k.run(&["cluster", "deploy", "stage", "--until", "etcd"]);
    let progress = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{progress}");
    assert!(
        !progress.contains("== precheck") && !progress.contains("== runtime") && progress.contains("== etcd"),
        "{progress}"
    );
    let show = k.json(&["cluster", "show", "stage"]);
    assert_eq!((show["cluster"]["status"].as_str(), show["deployed_up_to"].as_str()), (Some("staged"), Some("etcd")));
    assert!(etcdctl(bed, h, "endpoint health 2>&1").contains("is healthy"));
    let out = k.run(&["cluster", "deploy", "stage", "--until", "etcd"]);
    assert!(text(&out.stderr).contains("already deployed up to etcd"), "{}", text(&out.stderr));

    // the rest needs Kubernetes, which the test bundle lacks: refused before any host is touched,
    // naming what is missing (etcd is deployed, so a backup may be taken now)
    let before = k.json(&["task", "list"]).as_array().unwrap().len();
    let out = k.run(&["cluster", "deploy", "stage"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for missing in ["kubernetes-server", "pause", "coredns", "calico", "metrics-server", "ingress-nginx", "helm"] {
        assert!(err.contains(&format!("bundle 'local-bookworm' has no {missing} for amd64")), "{missing}: {err}");
    }
    assert_eq!(k.json(&["task", "list"]).as_array().unwrap().len(), before, "no task was started");
    assert_eq!(k.run(&["cluster", "backup", "stage"]).status.code(), Some(0), "etcd is there to back up");

    // the certificates on the host, as the app reads them: the member's valid for the 400 days the
    // cluster file asks, the CA for 10 years
    assert!(text(&k.run(&["cluster", "certs", "stage"]).stdout).contains("no certificates collected yet"));
    let out = k.run(&["cluster", "certs", "stage", "--check", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let certs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let days = |file: &str| {
        certs.as_array().unwrap().iter().find(|c| c["file"] == file).unwrap_or_else(|| panic!("{file}: {certs:#}"))["days_left"]
            .as_i64()
            .unwrap()
    };
    assert!((399..=400).contains(&days("/etc/etcd/pki/member.crt")), "{certs:#}");
    assert!((3640..=3653).contains(&days("/etc/etcd/pki/ca.crt")), "{certs:#}");
    // renewed: a new member certificate on the host, etcd healthy again; no Kubernetes here, so
    // its steps are skipped, saying why
    let before = bed.root_sh(h, "sha256sum /etc/etcd/pki/member.crt");
    let out = k.run(&["cluster", "renew-certs", "stage"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_ne!(bed.root_sh(h, "sha256sum /etc/etcd/pki/member.crt"), before, "a new certificate");
    assert!(etcdctl(bed, h, "endpoint health 2>&1").contains("is healthy"));
    let renew = journal(&k, k.json(&["task", "list"])[0]["id"].as_i64().unwrap());
    assert!(renew.iter().any(|r| r.1 == "kubeadm certs renew" && r.3 == "skipped"), "{renew:#?}");
    assert!(renew.iter().any(|r| r.1 == "restart etcd" && r.3 == "ok"), "{renew:#?}");
    assert_eq!(k.json(&["cluster", "show", "stage"])["certificates"].as_array().unwrap().len(), 2);
}

#[test]
fn the_kubernetes_components_phase_installs_the_archives_binaries_and_imports_its_images_under_kubeadms_names() {
    let t =
        "the_kubernetes_components_phase_installs_the_archives_binaries_and_imports_its_images_under_kubeadms_names";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 2);
    let hosts = lease.hosts();
    let (k, file, _cleanup) = cluster_on(bed, &hosts, &bundle, "kcomp");
    // the test bundle plus a release-shaped kubernetes-server archive and images (fake_kubernetes.sh)
    let cache = bundle.parent().unwrap().join("local");
    let out = k.data_dir().join("fake-kubernetes");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/fake_kubernetes.sh");
    let made = std::process::Command::new("bash")
        .arg(&script)
        .args([cache.join("local.toml"), cache.join("files"), out.clone()])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made.stderr));
    let zip = out.join("bundle.zip");
    let recipe = out.join("recipe.toml");
    let built = crate::bundles::build_from(&k, &recipe, &out.join("files"), &zip);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    k.json(&["bundle", "import", zip.to_str().unwrap(), "--allow-unsigned"]);
    let spec = std::fs::read_to_string(&file)
        .unwrap()
        .replace("bundle: local-bookworm\n", "bundle: local-fake-kubernetes\ncomponents: {helm: false}\n");
    std::fs::write(&file, spec).unwrap();

    let run = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "kubernetes"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let (master, worker) = (hosts[0], hosts[1]);
    let images = |h: &BedHost| bed.root_sh(h, "ctr -n k8s.io images ls -q");
    let on_master = images(master);
    for c in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"] {
        assert!(
            on_master.lines().any(|l| l == format!("registry.k8s.io/{c}:v1.34.1")),
            "{c} under kubeadm's name: {on_master}"
        );
    }
    let on_worker = images(worker);
    assert!(on_worker.lines().any(|l| l == "registry.k8s.io/kube-proxy:v1.34.1"), "{on_worker}");
    assert!(!on_worker.contains("kube-apiserver"), "no control-plane images on a worker: {on_worker}");
    assert!(on_worker.lines().any(|l| l == "registry.k8s.io/pause:3.10"), "the bundle's images came with the runtime");
    for h in [master, worker] {
        assert_eq!(bed.root_sh(h, "/usr/local/bin/kubelet --version").trim(), "Kubernetes v1.34.1");
        assert_eq!(bed.root_sh(h, "systemctl is-enabled kubelet").trim(), "enabled");
    }
    let show = k.json(&["cluster", "show", "kcomp"]);
    assert_eq!(show["deployed_up_to"], "kubernetes");
}

/// Three masters (etcd members) on `hosts[..3]`, staged at etcd with a key `ko-swap-key` written,
/// and `hosts[3]` registered and free.
fn staged_masters<'a>(
    bed: &'a Bed,
    hosts: &[&'a BedHost],
    bundle: &std::path::Path,
    name: &str,
) -> (Koctl, Cleanup<'a>) {
    let (k, file, _) = cluster_on(bed, &hosts[..3], bundle, name);
    let new = hosts[3];
    bed.root_sh(new, CLEAN_HOST);
    let ip = new.ip.to_string();
    k.json(&["host", "add", "--name", &new.name, "--address", &ip, "--credential", "bedroot", "--trust-on-first-use"]);
    let out = k.run(&["cluster", "create", "-f", file.to_str().unwrap(), "--until", "etcd"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    etcdctl(bed, hosts[0], "put ko-swap-key before-the-swap");
    (k, Cleanup { bed, hosts: hosts.to_vec() })
}

#[test]
fn a_master_of_a_staged_cluster_is_replaced_with_its_etcd_member_and_load_balancer_backends() {
    let t = "a_master_of_a_staged_cluster_is_replaced_with_its_etcd_member_and_load_balancer_backends";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 4);
    let hosts = lease.hosts();
    let (old, new) = (hosts[1], hosts[3]);
    let (k, _cleanup) = staged_masters(bed, &hosts, &bundle, "swap");

    // the new master, up to the stage the cluster reached: an etcd member with the data, behind
    // every haproxy
    let out = k.run(&["cluster", "add-master", "swap", "--host", &new.name, "--replacing", &old.name]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(etcdctl(bed, hosts[0], "member list").lines().count(), 4);
    assert_eq!(etcdctl(bed, new, "get ko-swap-key --print-value-only").trim(), "before-the-swap");
    let backend = |h: &BedHost, of: &BedHost| {
        bed.root_sh(h, "cat /etc/haproxy/haproxy.cfg").contains(&format!("server {} {}:6443", of.name, of.ip))
    };
    for h in [hosts[0], hosts[2], new] {
        assert!(backend(h, new), "{} sends to the new master", h.name);
    }

    // the old one out: its member removed, no haproxy sends to it, its host reset
    let out = k.run(&["cluster", "remove-master", "swap", "--host", &old.name]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let members = etcdctl(bed, hosts[0], "member list");
    assert_eq!(members.lines().count(), 3, "{members}");
    assert!(!members.contains(&format!("https://{}:2380", old.ip)), "{members}");
    assert_eq!(etcdctl(bed, hosts[0], "endpoint health --cluster 2>&1").matches("is healthy").count(), 3);
    for h in [hosts[0], hosts[2], new] {
        assert!(!backend(h, old), "{} no longer sends to the old master", h.name);
    }
    assert!(bed.root_sh(old, "command -v etcd haproxy; true").trim().is_empty(), "the old master was reset");
    let nodes: Vec<String> = k.json(&["cluster", "show", "swap"])["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["host"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nodes, [hosts[0].name.clone(), hosts[2].name.clone(), new.name.clone()]);
    assert_eq!(etcdctl(bed, new, "get ko-swap-key --print-value-only").trim(), "before-the-swap");
}

#[test]
fn a_dead_master_is_replaced_without_contacting_it() {
    let t = "a_dead_master_is_replaced_without_contacting_it";
    let Some(_kc) = keychain_or_skip(t) else { return };
    let Some(bed) = ko_testbed::bed(t) else { return };
    let Some(bundle) = local_bundle(t) else { return };
    let lease = bed.lease("public", 4);
    let hosts = lease.hosts();
    let (dead, new) = (hosts[1], hosts[3]);
    let (k, _cleanup) = staged_masters(bed, &hosts, &bundle, "dead");
    bed.fault(dead, Fault::Cut);
    struct Heal<'a>(&'a Bed, &'a BedHost);
    impl Drop for Heal<'_> {
        fn drop(&mut self) {
            self.0.fault(self.1, Fault::Heal);
        }
    }
    let _heal = Heal(bed, dead);

    // without saying it is down, nothing starts: the message says how
    let out = k.run(&["cluster", "add-master", "dead", "--host", &new.name, "--replacing", &dead.name]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr) + &text(&out.stdout);
    assert!(said.contains("--down HOST"), "{said}");
    // planned: the new master joins (the dead member leaving etcd first), then the old one is
    // drained and removed — one plan; nothing runs
    let replace = ["cluster", "replace-master", "dead", "--old", &dead.name, "--new", &new.name, "--old-down"];
    let out = k.run(&[&replace[..], &["--plan"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("'{s}' is not in the plan:\n{plan}"));
    assert!(at("== phase etcd membership") < at("== phase etcd\n") && at("== phase etcd\n") < at("== phase drain"));
    let out = k.run(&replace);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let members = etcdctl(bed, hosts[0], "member list");
    assert_eq!(members.lines().count(), 3, "{members}");
    assert!(
        !members.contains(&format!("https://{}:2380", dead.ip))
            && members.contains(&format!("https://{}:2380", new.ip))
    );
    assert_eq!(etcdctl(bed, hosts[0], "endpoint health --cluster 2>&1").matches("is healthy").count(), 3);
    assert_eq!(etcdctl(bed, new, "get ko-swap-key --print-value-only").trim(), "before-the-swap");
    let cfg = bed.root_sh(hosts[2], "cat /etc/haproxy/haproxy.cfg");
    assert!(
        cfg.contains(&format!("server {} ", new.name)) && !cfg.contains(&format!("server {} ", dead.name)),
        "{cfg}"
    );
    // the replacement was one task, and the dead host was never asked to do anything in it
    let task = &k.json(&["task", "list"])[0];
    assert_eq!(task["kind"], "cluster.replace_master", "{task}");
    let rows = journal(&k, task["id"].as_i64().unwrap());
    assert!(rows.iter().any(|r| r.2 == new.name), "{rows:#?}");
    assert!(rows.iter().all(|r| r.2 != dead.name), "{rows:#?}");
}
