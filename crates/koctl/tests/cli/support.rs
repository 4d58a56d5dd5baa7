//! Drives the real koctl binary with a temp data dir.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Koctl {
    pub dir: tempfile::TempDir,
    /// Set for every command (a private keychain's bus, no bus at all...).
    env: Vec<(String, String)>,
}

impl Koctl {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap(), env: Vec::new() }
    }

    /// A data dir whose every command runs with `env` set (an empty value unsets the variable).
    pub fn with_env(env: Vec<(&str, String)>) -> Self {
        Self { env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), ..Self::new() }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_koctl"));
        cmd.arg("--data-dir").arg(self.data_dir()).args(args).env("RUST_LOG", "trace").env_remove("KO_USER");
        for (k, v) in &self.env {
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        cmd
    }

    /// Runs koctl with `stdin` piped in.
    pub fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, "", &[])
    }

    /// Runs with `-o json`, expects exit 0 and returns the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["-o", "json"], args].concat());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file under `dir`, read as bytes.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

pub fn assert_nowhere(secrets: &[&str], places: &[(PathBuf, Vec<u8>)]) {
    for (path, bytes) in places {
        for s in secrets {
            let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(!found, "secret {s:?} found in {}", path.display());
        }
    }
}
