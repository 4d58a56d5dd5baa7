//! Test support (feature `test-support`): a registry and a library that exist only on disk, for
//! tests of what would run (plans) where no host can be reached.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support fails loudly on purpose

use std::path::Path;

/// The files of the fake bundle for `arch`: every component a full create of any cluster file
/// installs (content addresses made up; nothing is ever sent), with the arch-independent
/// manifests and charts once, with amd64.
pub fn test_bundle_files(arch: &str) -> Vec<serde_json::Value> {
    let (mut files, mut n) = (Vec::new(), if arch == "amd64" { 0u8 } else { 100 });
    let mut file = |path: String, component: &str, kind: &str, arch: &str| {
        n += 1;
        files.push(
            serde_json::json!({"path": path, "size": 1000 + u64::from(n), "sha256": format!("{n:02x}").repeat(32),
                                      "component": component, "version": "1.0", "arch": arch, "kind": kind}),
        );
    };
    for p in ["chrony", "haproxy", "keepalived"] {
        file(format!("packages/{p}_1.0_{arch}.deb"), p, "package", arch);
    }
    for (c, name) in [
        ("containerd", format!("containerd-2.3.4-linux-{arch}.tar.gz")),
        ("runc", format!("runc.{arch}")),
        ("cni-plugins", format!("cni-plugins-linux-{arch}-v1.9.1.tgz")),
        ("crictl", format!("crictl-v1.34.0-linux-{arch}.tar.gz")),
        ("etcd", format!("etcd-v3.6.5-linux-{arch}.tar.gz")),
    ] {
        file(format!("{c}/{arch}/{name}"), c, "binary", arch);
    }
    file(
        format!("kubernetes/server/{arch}/kubernetes-server-linux-{arch}.tar.gz"),
        "kubernetes-server",
        "binary",
        arch,
    );
    file(format!("helm/{arch}/helm-v3.19.0-linux-{arch}.tar.gz"), "helm", "binary", arch);
    for c in [
        "pause",
        "coredns",
        "flannel",
        "calico",
        "cilium",
        "metrics-server",
        "ingress-nginx",
        "traefik",
        "nodelocaldns",
        "nvidia-device-plugin",
    ] {
        file(format!("images/{arch}/{c}.tar"), c, "image", arch);
    }
    if arch == "amd64" {
        for c in ["flannel", "calico", "metrics-server", "ingress-nginx", "nodelocaldns", "nvidia-device-plugin"] {
            file(format!("manifests/{c}.yaml"), c, "manifest", "all");
        }
        for c in ["cilium", "traefik"] {
            file(format!("charts/{c}-1.0.tgz"), c, "chart", "all");
        }
    }
    // the load balancer's images (run by reference)
    for c in ["haproxy", "keepalived"] {
        file(format!("images/{arch}/{c}.tar"), c, "image", arch);
    }
    // the Docker runtime's: the static archive and the CRI shim
    file(format!("docker/{arch}/docker-24.0.9.tgz"), "docker", "binary", arch);
    file(format!("cri-dockerd/{arch}/cri-dockerd-0.3.26.{arch}.tgz"), "cri-dockerd", "binary", arch);
    for f in &mut files {
        if f["kind"] == "image" && ["haproxy", "keepalived"].iter().any(|c| f["component"] == *c) {
            f["reference"] = serde_json::json!(format!("docker.io/library/{}:1.0", f["component"].as_str().unwrap()));
        }
    }
    files
}

/// Registers hosts `(name, address, arch)` with fixed facts straight into the store (never
/// contacted: their SSH port is 1, where nothing listens) and puts a bundle of fake files for
/// `arches` in the library as `k8s-test`.
pub fn fake_hosts(data_dir: &Path, hosts: &[(&str, &str, &str)], arches: &[&str]) {
    let path = data_dir.join(crate::DATABASE_FILE);
    drop(ko_store::Db::open(&path).expect("the database opens"));
    let db = ko_store::Connection::open(&path).expect("the database opens");
    db.execute_batch(
        "INSERT INTO credentials (name, kind, username, keychain_ref) VALUES ('c', 'password', 'root', 'credential/c');",
    )
    .unwrap();
    for (name, address, arch) in hosts {
        let facts = serde_json::json!({
            "os_id": "debian", "os_version": "12", "os_name": "Debian GNU/Linux 12 (bookworm)", "os_like": "",
            "kernel": "6.1.0-18-amd64", "arch": arch, "cpus": 4, "memory_mib": 8192, "swap_mib": 0, "disks": [],
            "firewall": [], "selinux": "disabled", "timezone": "Asia/Shanghai", "hostname": name,
            "nics": [{"name": "ens3", "addresses": [format!("{address}/24")]}, {"name": "ens4", "addresses": []}],
            "gpus": 0, "runtimes": [], "clock_ms": 1_790_000_000_000u64
        });
        db.execute(
            "INSERT INTO hosts (name, address, port, credential_id, arch, facts, host_key_fingerprint)
             VALUES (?1, ?2, 1, 1, ?3, ?4, 'SHA256:x')",
            (name, address, arch, facts.to_string()),
        )
        .unwrap();
    }
    let lib = data_dir.join("bundles/k8s-test");
    std::fs::create_dir_all(&lib).unwrap();
    let files: Vec<serde_json::Value> = arches.iter().flat_map(|a| test_bundle_files(a)).collect();
    let manifest = serde_json::json!({"format": 1, "name": "k8s-test", "kubernetes_version": "v1.34.1", "arches": arches, "files": files});
    std::fs::write(lib.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}
