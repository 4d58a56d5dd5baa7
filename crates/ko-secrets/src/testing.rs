//! Test support shared by the workspace's integration tests: the real keychain of the test session
//! (`tests/keychain-session`, which `./dev test` runs the tests in), and private keychains a test
//! may stop, restart or lock.

use crate::SecretStore;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The real OS keychain if it answers. When it does not, tests that need it fail if
/// `KO_REQUIRE_KEYCHAIN` is set (CI and `./dev test` set it) and are otherwise skipped with a
/// loud message on stderr. Records `test` as started for the harness's crash report, and fails
/// with that report when the test session's keyring daemon has died — instead of a keychain
/// error that would blame the test.
pub fn keychain_or_skip(test: &str) -> Option<SecretStore> {
    note_started(test);
    assert_daemon_alive(test);
    let store = SecretStore::os_keychain();
    match store.probe() {
        Ok(()) => Some(store),
        Err(e) if std::env::var_os("KO_REQUIRE_KEYCHAIN").is_some() => {
            assert_daemon_alive(test);
            panic!("{test}: KO_REQUIRE_KEYCHAIN is set but the keychain is unavailable: {e}")
        }
        Err(e) => {
            eprintln!("\n!!! SKIPPED {test}: no OS keychain ({e}).\n!!! Run the tests with ./dev test to get one.\n");
            None
        }
    }
}

/// Appends "EPOCH TEST" to the session's test log (`KO_TEST_KEYCHAIN_DIR/tests.log`).
fn note_started(test: &str) {
    let Some(dir) = std::env::var_os("KO_TEST_KEYCHAIN_DIR") else { return };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let name = test.split_whitespace().next().unwrap_or(test);
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(Path::new(&dir).join("tests.log")) {
        let _ = writeln!(f, "{now} {name}");
    }
}

/// Panics, saying so, when the test session's keyring daemon (`KO_TEST_KEYRING_PID`) is gone.
pub fn assert_daemon_alive(test: &str) {
    let Some(pid) = std::env::var("KO_TEST_KEYRING_PID").ok() else { return };
    if !process_alive(&pid) {
        panic!(
            "{test}: the test keychain daemon died before this test could use it (gnome-keyring-daemon, pid {pid}): \
             it crashed or was killed, see the keychain-session report at the end of the run; this failure is its \
             consequence, not this test's"
        );
    }
}

/// Whether process `pid` runs (a zombie does not).
fn process_alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// The session bus configuration without service activation: a daemon that dies stays dead.
fn bus_config(dir: &Path) -> PathBuf {
    let standard = std::fs::read_to_string("/usr/share/dbus-1/session.conf").expect("dbus-daemon's session.conf");
    let conf: String = standard
        .lines()
        .filter(|l| !l.contains("<standard_session_servicedirs") && !l.contains("<servicedir>"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.join("bus.conf");
    std::fs::write(&path, conf).expect("bus config");
    path
}

/// A Secret Service of a test's own: a private D-Bus session with a gnome-keyring daemon whose
/// files live in a temp dir, for tests that stop, restart or lock the keychain under a koctl
/// process (give it [`PrivateKeychain::env`]). Everything stops when dropped.
pub struct PrivateKeychain {
    dir: tempfile::TempDir,
    bus: Child,
    daemon: Option<Child>,
    address: String,
}

impl PrivateKeychain {
    /// Starts the bus and an unlocked keyring daemon; `None` (skipped, or a failure under
    /// `KO_REQUIRE_KEYCHAIN`) where dbus-daemon or gnome-keyring-daemon is missing.
    pub fn start(test: &str) -> Option<Self> {
        let missing = ["dbus-daemon", "gnome-keyring-daemon", "dbus-send", "dbus-monitor"].into_iter().find(|c| {
            Command::new("sh").args(["-c", &format!("command -v {c}")]).output().map_or(true, |o| !o.status.success())
        });
        if let Some(c) = missing {
            assert!(
                std::env::var_os("KO_REQUIRE_KEYCHAIN").is_none(),
                "{test}: KO_REQUIRE_KEYCHAIN is set but {c} is missing (./dev setup installs it)"
            );
            eprintln!("\n!!! SKIPPED {test}: {c} is missing; ./dev setup installs it\n");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", bus_config(dir.path()).display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout")).read_line(&mut address).expect("bus address");
        let mut kc = Self { dir, bus, daemon: None, address: address.trim().to_string() };
        kc.start_daemon();
        Some(kc)
    }

    /// The environment a process needs to use this keychain.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![("DBUS_SESSION_BUS_ADDRESS", self.address.clone())]
    }

    fn dbus_send(&self, args: &[&str]) -> std::process::Output {
        Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .arg("--print-reply")
            .args(args)
            .output()
            .expect("dbus-send")
    }

    /// Whether something owns `org.freedesktop.secrets` on this bus.
    pub fn has_secret_service(&self) -> bool {
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ]);
        String::from_utf8_lossy(&out.stdout).contains("boolean true")
    }

    /// Starts the keyring daemon, its login keyring unlocked (again, with the same files, after
    /// [`PrivateKeychain::kill_daemon`]), and waits until it owns its name.
    pub fn start_daemon(&mut self) {
        assert!(self.daemon.is_none(), "the daemon runs already");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        daemon.stdin.take().expect("stdin").write_all(b"ko-test-keyring").expect("keyring password");
        self.daemon = Some(daemon);
        // it takes its name on the bus before it has unlocked the login keyring: wait for both
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.login_unlocked() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not unlock its keyring on the test bus in 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the login keyring is there and unlocked.
    fn login_unlocked(&self) -> bool {
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/collection/login",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]);
        String::from_utf8_lossy(&out.stdout).contains("boolean false")
    }

    /// Kills the keyring daemon (as a crash would) and waits until it is gone from the bus.
    pub fn kill_daemon(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.has_secret_service() {
            assert!(Instant::now() < deadline, "the Secret Service stayed on the test bus 20 s after its daemon died");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the keyring daemon still runs.
    pub fn daemon_alive(&mut self) -> bool {
        self.daemon.as_mut().is_some_and(|d| matches!(d.try_wait(), Ok(None)))
    }

    /// Locks the login keyring, as a screen lock with a locking keyring would.
    pub fn lock(&self) {
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        assert!(out.status.success(), "Lock: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts counting the method calls sent to the Secret Service on this bus.
    pub fn count_calls(&self) -> CallCounter {
        let mut monitor = Command::new("dbus-monitor")
            .args(["--address", &self.address])
            // a match rule's destination is a unique name: filter on the header below instead
            .arg("type='method_call'")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor");
        let mut lines = BufReader::new(monitor.stdout.take().expect("stdout"));
        // its first words come once it monitors
        let mut first = String::new();
        lines.read_line(&mut first).expect("dbus-monitor started");
        CallCounter { monitor, lines, address: self.address.clone() }
    }
}

impl Drop for PrivateKeychain {
    fn drop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Method calls to `org.freedesktop.secrets` seen by `dbus-monitor`.
pub struct CallCounter {
    monitor: Child,
    lines: BufReader<ChildStdout>,
    address: String,
}

/// The member a counter's end marker calls; nothing else calls it.
const MARKER: &str = "KoCallCounterEnd";

impl CallCounter {
    /// Stops counting and returns the calls seen, by member name (`SearchItems`, `GetSecret`...).
    /// A marker call sent now, after everything counted, tells when the monitor has seen it all.
    pub fn finish(mut self) -> Vec<String> {
        let _ = Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            // waits for the (error) reply: the marker has passed the bus when it returns
            .args(["--print-reply", "--dest=org.freedesktop.secrets", "/ko/marker", &format!("org.ko.Test.{MARKER}")])
            .output();
        let mut calls = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if self.lines.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if !line.starts_with("method call") || !line.contains(" destination=org.freedesktop.secrets ") {
                continue;
            }
            let member = line.split("member=").nth(1).unwrap_or_default().trim().to_string();
            if member == MARKER {
                break;
            }
            calls.push(member);
        }
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
        calls
    }
}
