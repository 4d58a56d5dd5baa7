//! A kubectl terminal: a shell in a pseudo-terminal on the machine the app runs on, with kubectl
//! on its PATH and `KUBECONFIG` pointing at a kubeconfig written for this session only (mode
//! 0600, in a private directory removed when the session ends). Restricted, the PATH holds kubectl
//! and nothing else (what `koctl serve` gives its users); otherwise kubectl comes first on the
//! user's own PATH (the desktop).

use crate::{ClusterAccess, Error, Result};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// What the page sends to a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalInput {
    /// Keys typed (or pasted).
    Data(Vec<u8>),
    /// The terminal's new size.
    Resize {
        /// Columns.
        cols: u16,
        /// Rows.
        rows: u16,
    },
}

/// What a terminal sends to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum TerminalOutput {
    /// Bytes the shell wrote (to its terminal, or its standard output).
    Data(Vec<u8>),
    /// Bytes written to standard error (a command run without a terminal).
    Stderr(Vec<u8>),
    /// The shell ended (with its exit code).
    Exit(u32),
}

/// A running terminal: input to it, output from it. Dropping the input ends the shell.
pub struct Terminal {
    /// Keys and resizes.
    pub input: mpsc::UnboundedSender<TerminalInput>,
    /// What it writes, then its exit.
    pub output: mpsc::UnboundedReceiver<TerminalOutput>,
}

/// The kubectl to run: `KO_KUBECTL`, else the first `kubectl` on PATH.
pub fn find_kubectl() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KO_KUBECTL").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(p);
    }
    let exe = if cfg!(windows) { "kubectl.exe" } else { "kubectl" };
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(exe)).find(|p| p.is_file())
}

fn io_error(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Terminal(format!("{what}: {e}"))
}

/// Makes the session's private directory: the kubeconfig, and `bin/` with kubectl linked in.
fn prepare(dir: &Path, access: &ClusterAccess, cluster: &str, kubectl: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("bin")).map_err(io_error("cannot make the terminal's directory"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_error("cannot make the terminal's directory private"))?;
        std::os::unix::fs::symlink(kubectl, dir.join("bin/kubectl")).map_err(io_error("cannot link kubectl"))?;
    }
    #[cfg(not(unix))]
    std::fs::copy(kubectl, dir.join("bin/kubectl.exe")).map(drop).map_err(io_error("cannot copy kubectl"))?;
    let config = access.to_kubeconfig(cluster);
    ko_secrets::write_private_file(&dir.join("kubeconfig"), config.expose().as_bytes())
        .map_err(io_error("cannot write the session's kubeconfig"))
}

/// Starts a kubectl terminal for `cluster` in `dir` (made for it, removed when it ends), `cols`
/// x `rows` big; `restricted`: kubectl is all its PATH has.
pub fn kubectl_terminal(
    access: &ClusterAccess,
    cluster: &str,
    dir: &Path,
    size: (u16, u16),
    restricted: bool,
) -> Result<Terminal> {
    let kubectl = find_kubectl()
        .ok_or_else(|| Error::Terminal("no kubectl found: put it on PATH or name it with KO_KUBECTL".into()))?;
    prepare(dir, access, cluster, &kubectl)?;
    fn pty_error(e: impl std::fmt::Display) -> Error {
        Error::Terminal(format!("cannot open a terminal: {e}"))
    }
    let pair = native_pty_system()
        .openpty(PtySize { cols: size.0, rows: size.1, pixel_width: 0, pixel_height: 0 })
        .map_err(pty_error)?;
    let bin = dir.join("bin");
    let path = if restricted {
        bin.as_os_str().to_owned()
    } else {
        let rest = std::env::var_os("PATH").unwrap_or_default();
        std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(&rest)))
            .map_err(|e| Error::Terminal(format!("PATH: {e}")))?
    };
    let mut cmd = if cfg!(windows) {
        CommandBuilder::new("cmd.exe")
    } else {
        let mut c = CommandBuilder::new(if Path::new("/bin/bash").exists() { "/bin/bash" } else { "/bin/sh" });
        c.args(["--noprofile", "--norc", "-i"].iter().filter(|_| Path::new("/bin/bash").exists()));
        c
    };
    cmd.env_clear();
    cmd.env("PATH", path);
    cmd.env("KUBECONFIG", dir.join("kubeconfig"));
    cmd.env("HOME", dir);
    cmd.env("TERM", "xterm-256color");
    cmd.env("PS1", format!("kubectl@{cluster}$ "));
    cmd.cwd(dir);
    let mut child = pair.slave.spawn_command(cmd).map_err(pty_error)?;
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().map_err(pty_error)?;
    let mut writer = pair.master.take_writer().map_err(pty_error)?;
    let (in_tx, mut in_rx) = mpsc::unbounded_channel::<TerminalInput>();
    let (out_tx, out_rx) = mpsc::unbounded_channel::<TerminalOutput>();
    let out = out_tx.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || out.send(TerminalOutput::Data(buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    let mut killer = child.clone_killer();
    let master = pair.master;
    std::thread::spawn(move || {
        // blocking_recv: this thread is the terminal's writer
        while let Some(input) = in_rx.blocking_recv() {
            let written = match input {
                TerminalInput::Data(bytes) => writer.write_all(&bytes).and_then(|()| writer.flush()).is_ok(),
                TerminalInput::Resize { cols, rows } => {
                    master.resize(PtySize { cols, rows, pixel_width: 0, pixel_height: 0 }).is_ok()
                }
            };
            if !written {
                break;
            }
        }
        // the page went: the shell goes too
        let _ = killer.kill();
    });
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let code = child.wait().map(|s| s.exit_code()).unwrap_or(1);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = out_tx.send(TerminalOutput::Exit(code));
    });
    Ok(Terminal { input: in_tx, output: out_rx })
}
