//! Commands run in a pod's container (the `exec` subresource over a WebSocket, channel protocol
//! v5 or v4): an interactive shell with a terminal for the page, or one command with its input
//! piped and its exit code for scripts. Either way it is a [`Terminal`]: bytes in, bytes out,
//! then the exit code the API server reported.

use crate::{ClusterAccess, Error, Result, Terminal, TerminalInput, TerminalOutput};
use futures::SinkExt;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::Api;
use kube::api::{AttachParams, TerminalSize};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// What to run, where.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub struct ExecTarget {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container (needed when the pod has several).
    #[serde(default)]
    pub container: Option<String>,
    /// The program and its arguments (`["sh"]`, `["cat", "/etc/os-release"]`).
    pub command: Vec<String>,
}

/// One of a pod's containers, for choosing where to run a command or whose log to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ContainerSummary {
    /// Its name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// An init container (it ran before the others and is done, or still running).
    pub init: bool,
    /// `running`, `waiting: CrashLoopBackOff`, `terminated: Completed`... (`unknown` before the
    /// kubelet reported it).
    pub state: String,
}

impl ContainerSummary {
    /// Whether a command can run in it now.
    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

fn state_of(status: Option<&ContainerStatus>) -> String {
    let Some(state) = status.and_then(|s| s.state.as_ref()) else { return "unknown".into() };
    if state.running.is_some() {
        "running".into()
    } else if let Some(w) = &state.waiting {
        format!("waiting: {}", w.reason.as_deref().unwrap_or("unknown"))
    } else if let Some(t) = &state.terminated {
        format!("terminated: {}", t.reason.as_deref().unwrap_or("unknown"))
    } else {
        "unknown".into()
    }
}

/// Pod `namespace/pod`'s containers (init containers first), with their state.
pub async fn pod_containers(access: &ClusterAccess, namespace: &str, pod: &str) -> Result<Vec<ContainerSummary>> {
    let what = format!("read pod {namespace}/{pod}");
    let p = Api::<Pod>::namespaced(access.client()?, namespace)
        .get(pod)
        .await
        .map_err(|e| Error::from_kube(&access.server, e).attempting(&what))?;
    let (spec, status) = (p.spec.unwrap_or_default(), p.status.unwrap_or_default());
    let summarise = |containers: Vec<k8s_openapi::api::core::v1::Container>, statuses: &[ContainerStatus], init| {
        containers
            .into_iter()
            .map(|c| ContainerSummary {
                state: state_of(statuses.iter().find(|s| s.name == c.name)),
                image: c.image.unwrap_or_default(),
                name: c.name,
                init,
            })
            .collect::<Vec<_>>()
    };
    let mut all =
        summarise(spec.init_containers.unwrap_or_default(), &status.init_container_statuses.unwrap_or_default(), true);
    all.extend(summarise(spec.containers, &status.container_statuses.unwrap_or_default(), false));
    Ok(all)
}

/// The exit code in an exec's final status: 0 for `Success`, the `ExitCode` cause of a
/// `NonZeroExitCode` failure, else `None` (the session failed; the status says why).
fn exit_code(status: &Status) -> Option<u32> {
    if status.status.as_deref() == Some("Success") {
        return Some(0);
    }
    let causes = status.details.as_ref()?.causes.as_ref()?;
    causes.iter().find(|c| c.reason.as_deref() == Some("ExitCode"))?.message.as_deref()?.parse().ok()
}

/// Starts `target.command` in the container. With `tty` (`cols` x `rows`) it gets a terminal
/// (its output is one stream, resizes reach it); without, its standard error is kept apart and
/// dropping the input closes its standard input. The output ends with its exit code (1 when the
/// session broke, after a line saying why).
pub async fn exec(access: &ClusterAccess, target: &ExecTarget, tty: Option<(u16, u16)>) -> Result<Terminal> {
    if target.command.is_empty() {
        return Err(Error::Terminal("name the command to run in the container".into()));
    }
    let what = format!("run a command in pod {}/{}", target.namespace, target.pod);
    let mut params = AttachParams::default()
        .stdin(true)
        .stdout(true)
        .stderr(tty.is_none())
        .tty(tty.is_some())
        .max_stdout_buf_size(64 * 1024)
        .max_stderr_buf_size(64 * 1024);
    params.container = target.container.clone();
    let mut process = Api::<Pod>::namespaced(access.stream_client()?, &target.namespace)
        .exec(&target.pod, target.command.clone(), &params)
        .await
        .map_err(|e| Error::from_kube(&access.server, e).attempting(&what))?;
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (in_tx, mut in_rx) = mpsc::unbounded_channel::<TerminalInput>();
    let mut stdin = process.stdin().ok_or_else(|| Error::Terminal("the exec session has no input".into()))?;
    let mut resize = process.terminal_size();
    if let (Some((cols, rows)), Some(r)) = (tty, resize.as_mut()) {
        let _ = r.send(TerminalSize { width: cols, height: rows }).await;
    }
    let input = tokio::spawn(async move {
        while let Some(input) = in_rx.recv().await {
            let sent = match input {
                TerminalInput::Data(bytes) => stdin.write_all(&bytes).await.is_ok(),
                TerminalInput::Resize { cols, rows } => match resize.as_mut() {
                    Some(r) => r.send(TerminalSize { width: cols, height: rows }).await.is_ok(),
                    None => true,
                },
            };
            if !sent {
                break;
            }
        }
        // the input was dropped: end of standard input (v5 tells the container so)
        let _ = stdin.shutdown().await;
    });
    let stdout = process.stdout().map(|r| tokio::spawn(forward(r, out_tx.clone(), TerminalOutput::Data)));
    let stderr = process.stderr().map(|r| tokio::spawn(forward(r, out_tx.clone(), TerminalOutput::Stderr)));
    let status = process.take_status();
    let ended = async move {
        for reader in [stdout, stderr].into_iter().flatten() {
            let _ = reader.await;
        }
        match status {
            Some(s) => s.await,
            None => None,
        }
    };
    let interactive = tty.is_some();
    tokio::spawn(async move {
        let input_gone = async {
            let _ = input.await;
            // a shell in a terminal lives on after its input ends: the page went, so it goes
            if !interactive {
                std::future::pending::<()>().await;
            }
        };
        let status = tokio::select! {
            status = ended => status,
            () = input_gone => {
                process.abort();
                return;
            }
        };
        let why = match status.as_ref().map(|s| (exit_code(s), s)) {
            Some((Some(code), _)) => Ok(code),
            Some((None, s)) => Err(s.message.clone().unwrap_or_else(|| "the session failed".into())),
            None => Err("the connection to the API server ended before the command did".into()),
        };
        let code = why.unwrap_or_else(|why| {
            // on a terminal the line may hold a prompt: the reason goes on a line of its own
            let said = if interactive { format!("\r\n{why}\r\n") } else { format!("{why}\n") };
            let _ = out_tx.send(TerminalOutput::Stderr(said.into_bytes()));
            1
        });
        let _ = out_tx.send(TerminalOutput::Exit(code));
    });
    Ok(Terminal { input: in_tx, output: out_rx })
}

/// Copies one of the process's outputs into the terminal's, each read as one message.
async fn forward(
    mut reader: impl AsyncRead + Unpin,
    out: mpsc::UnboundedSender<TerminalOutput>,
    wrap: fn(Vec<u8>) -> TerminalOutput,
) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 || out.send(wrap(buf[..n].to_vec())).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    fn failure(causes: Vec<StatusCause>) -> Status {
        Status {
            status: Some("Failure".into()),
            reason: Some("NonZeroExitCode".into()),
            details: Some(StatusDetails { causes: Some(causes), ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn the_exit_code_is_read_from_the_final_status() {
        assert_eq!(exit_code(&Status { status: Some("Success".into()), ..Default::default() }), Some(0));
        let cause = |reason: &str, message: &str| StatusCause {
            reason: Some(reason.into()),
            message: Some(message.into()),
            field: None,
        };
        assert_eq!(exit_code(&failure(vec![cause("ExitCode", "42")])), Some(42));
        assert_eq!(exit_code(&failure(vec![cause("Other", "7")])), None);
        assert_eq!(exit_code(&Status { status: Some("Failure".into()), ..Default::default() }), None);
    }
}
