//! An inventory for tests of plans (the `test-support` feature).

use crate::{InvHost, Inventory};

/// Facts as a host of `os` with `cpus` and `mem` MiB would report them.
pub fn facts(hostname: &str, os: &str, cpus: u32, mem: u64) -> serde_json::Value {
    serde_json::json!({
        "os_id": os, "os_version": "12", "os_name": format!("{os} 12"), "os_like": "", "kernel": "6.1.0-18-amd64",
        "arch": "amd64", "cpus": cpus, "memory_mib": mem, "swap_mib": 0, "disks": [], "firewall": [], "selinux": "disabled",
        "timezone": "Asia/Shanghai", "hostname": hostname, "nics": [], "gpus": 0, "runtimes": [], "clock_ms": 1_790_000_000_000u64
    })
}

/// Three hosts: two masters (Debian with 4 CPUs, Rocky with 2) and a Debian worker with 1 CPU
/// and 2 GiB, which a precheck fails.
pub fn inventory() -> Inventory {
    let h = |name: &str, ip: &str, roles: &[&str], f| InvHost {
        name: name.into(),
        address: ip.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        new: true,
        facts: f,
        down: false,
    };
    Inventory {
        hosts: vec![
            h("node-1", "10.0.0.11", &["master", "etcd"], facts("node-1", "debian", 4, 8192)),
            h("node-2", "10.0.0.12", &["master", "etcd"], facts("node-2", "rocky", 2, 4096)),
            h("node-3", "10.0.0.13", &["worker"], facts("node-3", "debian", 1, 2048)),
        ],
        ..Inventory::default()
    }
}
