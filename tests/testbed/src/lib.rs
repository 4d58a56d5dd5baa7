//! The multi-host test bed, for integration tests in any crate.
//!
//! [`bed`] brings the bed up once per test run (the `testbed` script beside this crate does the
//! work: systemd-booted Debian hosts in network namespaces) and returns it; [`Bed::lease`] hands a
//! test hosts of its own, exclusively, so that tests running in parallel — in one process or in
//! several — never fault each other's hosts.
//!
//! The bed needs root. Without it, [`bed`] returns `None` after printing a loud SKIPPED message,
//! unless `KO_REQUIRE_TESTBED` is set (as `./dev test` and CI do), in which case it panics.

use serde::Deserialize;
use std::fs::File;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

/// Public hosts of the standard bed (host 1 is the jump host and is never leased; ten Debian 12
/// hosts can be leased at once, for a ten-host cluster).
pub const PUBLIC_HOSTS: usize = 13;
/// Of the public hosts, the last ones boot Debian 13 (trixie) instead of Debian 12 (bookworm).
pub const TRIXIE_HOSTS: usize = 2;
/// The Debian suite of most hosts (what [`Bed::lease`] hands out).
pub const DEFAULT_SUITE: &str = "bookworm";
/// Hosts reachable only through the jump host.
pub const PRIVATE_HOSTS: usize = 2;
/// The non-root user on every host; its sudo asks for the password every time.
pub const OPS_USER: &str = "ops";
/// The password of [`OPS_USER`] (login and sudo).
pub const OPS_PASSWORD: &str = "ops-testbed-password";

/// One host of the bed, as `testbed status` reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct BedHost {
    /// Host name (also its hostname inside).
    pub name: String,
    /// Its address on its network.
    pub ip: IpAddr,
    /// SSH port.
    pub ssh_port: u16,
    /// `public` (reachable from this machine) or `private` (only through the jump host).
    pub network: String,
    /// The jump host's name, for private hosts.
    pub jump: Option<String>,
    /// SSH answered when the status was taken.
    pub ready: bool,
    /// The host's state dir (its root filesystem is `dir/merged`).
    pub dir: PathBuf,
    /// The Debian suite it boots (`bookworm`, `trixie`).
    pub suite: String,
}

impl BedHost {
    /// The host's SSH address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.ssh_port)
    }

    /// Public key line of the host's SSH key of `kind` (`ed25519`, `ecdsa`, `rsa`), read from its disk.
    pub fn host_public_key(&self, kind: &str) -> String {
        let path = self.dir.join(format!("merged/etc/ssh/ssh_host_{kind}_key.pub"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).trim().to_string()
    }

    /// Whether a TCP connection to the SSH port succeeds within `timeout`.
    pub fn tcp_reachable(&self, timeout: Duration) -> bool {
        TcpStream::connect_timeout(&self.addr(), timeout).is_ok()
    }
}

/// A fault to inject into one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Take the host's link down.
    Cut,
    /// Bring it back up.
    Heal,
    /// Drop this percentage of the packets to and from the host.
    Loss(u32),
    /// Limit the bandwidth towards the host to this many kbit/s.
    Rate(u32),
    /// Add this many milliseconds towards the host (only where [`Caps::netem`]).
    Delay(u32),
    /// Remove loss, rate and delay.
    Clear,
    /// Power the host off.
    Stop,
    /// Power it on and wait for SSH.
    Start,
    /// Both.
    Reboot,
    /// Give the host new SSH host keys.
    Rekey,
}

/// Which faults this machine's kernel supports.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Caps {
    /// Latency injection (the kernel's netem qdisc).
    pub netem: bool,
    /// Packet loss (nftables).
    pub loss: bool,
    /// Bandwidth limits (tbf).
    pub rate: bool,
}

/// The bed: its hosts and how to reach them.
#[derive(Debug)]
pub struct Bed {
    dir: PathBuf,
    hosts: Vec<BedHost>,
}

/// The `testbed` script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testbed")
}

/// The bed's directory (`KO_TESTBED_DIR`, default `/var/tmp/ko-testbed`).
pub fn default_dir() -> PathBuf {
    std::env::var_os("KO_TESTBED_DIR").map_or_else(|| PathBuf::from("/var/tmp/ko-testbed"), PathBuf::from)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// Runs the testbed script with `args` against `dir`; panics with its stderr if it fails.
pub fn run_script(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(script())
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script().display()));
    assert!(out.status.success(), "testbed {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The standard bed ([`PUBLIC_HOSTS`] + [`PRIVATE_HOSTS`]), brought up on first use in this
/// process (a no-op when it is already up); `None` (after a loud message) when it cannot run here.
pub fn bed(test: &str) -> Option<&'static Bed> {
    static BED: OnceLock<Option<Bed>> = OnceLock::new();
    BED.get_or_init(|| {
        if !is_root() {
            let why = "the test bed needs root (network namespaces, mounts, containers)";
            if std::env::var_os("KO_REQUIRE_TESTBED").is_some() {
                panic!("KO_REQUIRE_TESTBED is set but {why}");
            }
            return None;
        }
        let dir = default_dir();
        let out = run_script(
            &dir,
            &[
                "up",
                "--hosts",
                &PUBLIC_HOSTS.to_string(),
                "--private",
                &PRIVATE_HOSTS.to_string(),
                "--trixie",
                &TRIXIE_HOSTS.to_string(),
            ],
        );
        let hosts: Vec<BedHost> = serde_json::from_slice(&out.stdout).expect("testbed status is JSON");
        Some(Bed { dir, hosts })
    })
    .as_ref()
    .or_else(|| {
        eprintln!("\n!!! SKIPPED {test}: no test bed here (needs root). Run ./dev test as root to include it.\n");
        None
    })
}

impl Bed {
    /// Brings up a bed in `dir` with the given layout (for tests of the bed itself).
    pub fn up(dir: &Path, extra: &[&str]) -> Bed {
        let out = run_script(dir, &[&["up"], extra].concat());
        Bed { dir: dir.to_path_buf(), hosts: serde_json::from_slice(&out.stdout).expect("testbed status is JSON") }
    }

    /// The bed's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// All hosts.
    pub fn hosts(&self) -> &[BedHost] {
        &self.hosts
    }

    /// The jump host (host 1, on both networks). Shared: never faulted, never leased.
    pub fn jump_host(&self) -> &BedHost {
        &self.hosts[0]
    }

    /// Private key that logs in as root on every host.
    pub fn root_key(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }

    /// Leases `n` [`DEFAULT_SUITE`] hosts of `network` (`public` or `private`) for the caller alone
    /// until the lease drops; waits while other tests hold them. The jump host is never handed out.
    pub fn lease(&self, network: &str, n: usize) -> Lease<'_> {
        self.lease_mixed(network, &[(DEFAULT_SUITE, n)])
    }

    /// Like [`Bed::lease`], with `n` hosts of each `(suite, n)` of `wants`, all taken at once (so
    /// tests asking for overlapping sets never hold part of one and wait for the rest). The hosts
    /// come in the order of `wants`.
    pub fn lease_mixed(&self, network: &str, wants: &[(&str, usize)]) -> Lease<'_> {
        let groups: Vec<(Vec<&BedHost>, usize)> = wants
            .iter()
            .map(|(suite, n)| {
                let of_suite: Vec<&BedHost> =
                    self.hosts[1..].iter().filter(|h| h.network == network && h.suite == *suite).collect();
                assert!(
                    *n <= of_suite.len(),
                    "the bed has {} leasable {network} {suite} hosts, {n} asked",
                    of_suite.len()
                );
                (of_suite, *n)
            })
            .collect();
        let locks = self.dir.join("leases");
        std::fs::create_dir_all(&locks).expect("lease dir");
        loop {
            let gate = File::create(locks.join(".gate")).expect("lease gate");
            gate.lock().expect("lock the lease gate");
            let mut held = Vec::new();
            let mut complete = true;
            for (candidates, n) in &groups {
                let mut got = 0;
                for h in candidates {
                    if got == *n {
                        break;
                    }
                    let f = File::create(locks.join(format!("{}.lock", h.name))).expect("lease file");
                    if f.try_lock().is_ok() {
                        held.push((*h, f));
                        got += 1;
                    }
                }
                complete &= got == *n;
            }
            if complete {
                return Lease { bed: self, held };
            }
            drop(held);
            drop(gate);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Injects `fault` into `host` and returns once it is in effect.
    pub fn fault(&self, host: &BedHost, fault: Fault) {
        let arg;
        let args: Vec<&str> = match fault {
            Fault::Cut => vec!["cut"],
            Fault::Heal => vec!["heal"],
            Fault::Loss(pct) => {
                arg = pct.to_string();
                vec!["loss", &arg]
            }
            Fault::Rate(kbit) => {
                arg = kbit.to_string();
                vec!["rate", &arg]
            }
            Fault::Delay(ms) => {
                arg = ms.to_string();
                vec!["delay", &arg]
            }
            Fault::Clear => vec!["clear"],
            Fault::Stop => vec!["stop"],
            Fault::Start => vec!["start"],
            Fault::Reboot => vec!["reboot"],
            Fault::Rekey => vec!["rekey"],
        };
        let mut full = vec!["fault", args[0], &host.name];
        full.extend_from_slice(&args[1..]);
        run_script(&self.dir, &full);
    }

    /// Which faults can be injected here.
    pub fn caps(&self) -> Caps {
        serde_json::from_slice(&run_script(&self.dir, &["caps"]).stdout).expect("testbed caps is JSON")
    }

    /// Runs `cmd` as root on `host` with the OpenSSH client (through the jump host for private
    /// hosts), host keys unchecked: for arranging and inspecting test state, not for testing SSH.
    pub fn root_ssh(&self, host: &BedHost, cmd: &str) -> Output {
        Command::new(script()).args(["ssh", &host.name, cmd, "--dir"]).arg(&self.dir).output().expect("run testbed ssh")
    }

    /// Like [`Bed::root_ssh`] but panics unless the command succeeds, and returns its stdout.
    pub fn root_sh(&self, host: &BedHost, cmd: &str) -> String {
        let out = self.root_ssh(host, cmd);
        assert!(out.status.success(), "{} on {}: {}", cmd, host.name, String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Stops and removes everything of this bed.
    pub fn down(self) {
        run_script(&self.dir, &["down"]);
    }
}

/// Hosts held by one test; released on drop, after undoing any fault the test left behind.
pub struct Lease<'a> {
    bed: &'a Bed,
    held: Vec<(&'a BedHost, File)>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        for (h, _) in &self.held {
            let reset = Command::new(script()).args(["fault", "reset", &h.name, "--dir"]).arg(&self.bed.dir).output();
            if !reset.is_ok_and(|o| o.status.success()) {
                eprintln!("testbed: could not reset {} after a test; later tests on it may fail", h.name);
            }
        }
    }
}

impl<'a> Lease<'a> {
    /// The leased hosts.
    pub fn hosts(&self) -> Vec<&'a BedHost> {
        self.held.iter().map(|(h, _)| *h).collect()
    }

    /// The `i`-th leased host.
    pub fn host(&self, i: usize) -> &'a BedHost {
        self.held[i].0
    }
}
