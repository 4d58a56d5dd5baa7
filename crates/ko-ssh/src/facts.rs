//! What a host is: read with one POSIX shell script, parsed into [`HostFacts`].

use crate::{ExecOptions, Result, Session, SshError};
use serde::{Deserialize, Serialize};

/// Everything the app records about a host (the reference host list shows IP, CPU, memory, OS and
/// architecture; the precheck uses the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostFacts {
    /// `ID` from os-release, e.g. `debian`, `ubuntu`, `rocky`.
    pub os_id: String,
    /// `VERSION_ID`, e.g. `12`.
    pub os_version: String,
    /// `PRETTY_NAME`.
    pub os_name: String,
    /// `ID_LIKE` (os family hints, e.g. `rhel fedora`).
    pub os_like: String,
    /// Kernel release.
    pub kernel: String,
    /// `amd64` / `arm64` (from `uname -m`), or the raw machine name.
    pub arch: String,
    /// Online CPUs.
    pub cpus: u32,
    /// Total memory in MiB.
    pub memory_mib: u64,
    /// Total swap in MiB (should be 0 for Kubernetes).
    pub swap_mib: u64,
    /// Block disks: name and size in bytes.
    pub disks: Vec<Disk>,
    /// Active firewall services (firewalld, ufw, nftables...), empty when none.
    pub firewall: Vec<String>,
    /// `enforcing`, `permissive` or `disabled`.
    pub selinux: String,
    /// Time zone name.
    pub timezone: String,
    /// The host's own host name.
    pub hostname: String,
    /// Network interfaces with their addresses.
    pub nics: Vec<Nic>,
    /// NVIDIA GPUs found.
    pub gpus: u32,
    /// Container runtimes already installed (`containerd`, `docker`, `crictl`...).
    pub runtimes: Vec<String>,
    /// The host's clock when the facts were read (Unix ms), for the clock-skew check.
    pub clock_ms: u64,
}

/// A block device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Disk {
    /// e.g. `sda`.
    pub name: String,
    /// Bytes.
    pub size: u64,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Nic {
    /// e.g. `eth0`.
    pub name: String,
    /// CIDR addresses on it.
    pub addresses: Vec<String>,
}

/// One line per fact, `key=value`; lists repeat the key.
const SCRIPT: &str = r#"
export LC_ALL=C
if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id=${ID:-unknown}"; echo "os_version=${VERSION_ID:-}"; echo "os_name=${PRETTY_NAME:-}"; echo "os_like=${ID_LIKE:-}"
echo "kernel=$(uname -r)"; echo "arch=$(uname -m)"
echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo)"
awk '/^MemTotal:/ {print "memory_kib=" $2} /^SwapTotal:/ {print "swap_kib=" $2}' /proc/meminfo
for d in /sys/block/*; do
  n=${d##*/}; case "$n" in loop*|ram*|zram*|dm-*|sr*) continue;; esac
  [ -r "$d/size" ] && echo "disk=$n $(( $(cat "$d/size") * 512 ))"
done
for s in firewalld ufw nftables iptables; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$s" 2>/dev/null; then echo "firewall=$s"; fi
done
if [ -r /sys/fs/selinux/enforce ]; then
  if [ "$(cat /sys/fs/selinux/enforce)" = 1 ]; then echo selinux=enforcing; else echo selinux=permissive; fi
else echo selinux=disabled; fi
tz=$(timedatectl show -p Timezone --value 2>/dev/null); [ -n "$tz" ] || tz=$(cat /etc/timezone 2>/dev/null); [ -n "$tz" ] || tz=$(readlink /etc/localtime 2>/dev/null | sed 's|.*/zoneinfo/||'); echo "timezone=${tz:-UTC}"
echo "hostname=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
if command -v ip >/dev/null 2>&1; then ip -o addr show | awk '$2 != "lo" {print "nic=" $2 " " $4}'; fi
echo "gpus=$(ls -d /proc/driver/nvidia/gpus/* 2>/dev/null | wc -l)"
for r in containerd docker crictl runc podman; do command -v "$r" >/dev/null 2>&1 && echo "runtime=$r"; done
echo "clock_ms=$(date +%s%3N)"
"#;

impl HostFacts {
    /// Parses the script's output.
    pub fn parse(text: &str) -> Self {
        let mut f = HostFacts::default();
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else { continue };
            let v = v.trim();
            match k {
                "os_id" => f.os_id = v.into(),
                "os_version" => f.os_version = v.into(),
                "os_name" => f.os_name = v.into(),
                "os_like" => f.os_like = v.into(),
                "kernel" => f.kernel = v.into(),
                "arch" => f.arch = normalise_arch(v),
                "cpus" => f.cpus = v.parse().unwrap_or(0),
                "memory_kib" => f.memory_mib = v.parse::<u64>().unwrap_or(0) / 1024,
                "swap_kib" => f.swap_mib = v.parse::<u64>().unwrap_or(0) / 1024,
                "disk" => {
                    if let Some((name, size)) = v.split_once(' ') {
                        f.disks.push(Disk { name: name.into(), size: size.parse().unwrap_or(0) });
                    }
                }
                "firewall" => f.firewall.push(v.into()),
                "selinux" => f.selinux = v.into(),
                "timezone" => f.timezone = v.into(),
                "hostname" => f.hostname = v.into(),
                "nic" => {
                    if let Some((name, addr)) = v.split_once(' ') {
                        let name = name.split('@').next().unwrap_or(name).to_string();
                        match f.nics.iter_mut().find(|n| n.name == name) {
                            Some(n) => n.addresses.push(addr.into()),
                            None => f.nics.push(Nic { name, addresses: vec![addr.into()] }),
                        }
                    }
                }
                "gpus" => f.gpus = v.parse().unwrap_or(0),
                "runtime" => f.runtimes.push(v.into()),
                "clock_ms" => f.clock_ms = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        f
    }
}

/// `x86_64` -> `amd64`, `aarch64` -> `arm64`, anything else as it is.
fn normalise_arch(machine: &str) -> String {
    match machine {
        "x86_64" | "amd64" => "amd64".into(),
        "aarch64" | "arm64" => "arm64".into(),
        other => other.into(),
    }
}

/// Reads the facts of the host behind `session` (as the login user; nothing needs root).
pub async fn gather_facts(session: &Session) -> Result<HostFacts> {
    let outcome = session.run(SCRIPT, &ExecOptions::default()).await?;
    if !outcome.success() {
        return Err(SshError::Remote {
            host: session.target().name.clone(),
            what: "gathering facts".into(),
            status: outcome.status_text(),
            stderr: outcome.stderr,
        });
    }
    Ok(HostFacts::parse(&outcome.stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_runs_here_and_parses() {
        let out = std::process::Command::new("sh").arg("-c").arg(SCRIPT).output().unwrap();
        assert!(out.status.success());
        let f = HostFacts::parse(&String::from_utf8_lossy(&out.stdout));
        assert!(f.cpus >= 1 && f.memory_mib > 0, "{f:?}");
        assert!(!f.kernel.is_empty() && !f.os_id.is_empty() && !f.hostname.is_empty());
        assert!(f.arch == "amd64" || f.arch == "arm64", "{}", f.arch);
        assert!(f.clock_ms > 1_600_000_000_000);
    }

    #[test]
    fn parses_lists_and_normalises() {
        let f = HostFacts::parse(
            "arch=aarch64\nnic=eth0 10.0.0.2/24\nnic=eth0@if7 fe80::1/64\nnic=eth1 10.1.0.2/24\ndisk=vda 107374182400\nruntime=containerd\nfirewall=ufw\nmemory_kib=8167848\n",
        );
        assert_eq!(f.arch, "arm64");
        assert_eq!(f.nics.len(), 2);
        assert_eq!(f.nics[0].addresses, ["10.0.0.2/24", "fe80::1/64"]);
        assert_eq!(f.disks[0].size, 107_374_182_400);
        assert_eq!((f.runtimes.len(), f.firewall.len(), f.memory_mib), (1, 1, 7976));
    }
}
