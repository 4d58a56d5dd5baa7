//! The `exec` subresource: the WebSocket upgrade with the channel protocols of the real API server
//! (`v5.channel.k8s.io`, `v4.channel.k8s.io`: one byte of channel — 0 stdin, 1 stdout, 2 stderr,
//! 3 the final `Status`, 4 resize, 255 close — then the data), and behind it a small built-in
//! shell standing in for the container's programs:
//!
//! - `sh`, `bash`, `ash` alone: an interactive shell reading lines (with a terminal: echo, a `/ # `
//!   prompt, backspace, Ctrl-C, Ctrl-D);
//! - `sh -c SCRIPT`: the script's `;`-separated commands;
//! - `cat`: standard input copied to standard output until it closes;
//! - otherwise the command itself. The commands it knows: `hostname` (the pod's name), `echo`,
//!   `stty size` (the terminal's rows and columns), `true`, `false`, `exit [N]`; another name is
//!   "not found" (127) in a shell, and a failed exec (`Status` `InternalError`) as the program.
//!
//! A container that is not running refuses the upgrade the way the kubelet does.

use crate::StandInState;
use crate::api::{Query, Target, pod_and_container, status};
use axum::extract::FromRequestParts;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use futures::SinkExt;
use serde_json::{Value, json};
use std::sync::Arc;

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const STATUS: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;
const PROMPT: &str = "/ # ";

/// Answers `GET .../pods/NAME/exec?command=...&container=...&stdin=&stdout=&stderr=&tty=`.
pub async fn open(state: Arc<StandInState>, parts: &mut Parts, target: &Target<'_>, query: &Query) -> Response {
    let (pod, container) = match pod_and_container(&state, target, query) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let running = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["name"] == container.as_str() && c["state"]["running"].is_object());
    if !running {
        let message = format!("unable to upgrade connection: container not found (\"{container}\")");
        return status(StatusCode::BAD_REQUEST, "BadRequest", &message);
    }
    let command = query.all("command");
    if command.is_empty() {
        return status(StatusCode::BAD_REQUEST, "BadRequest", "you must specify at least 1 command");
    }
    let Ok(upgrade) = WebSocketUpgrade::from_request_parts(parts, &()).await else {
        return status(StatusCode::BAD_REQUEST, "BadRequest", "exec is served over a WebSocket upgrade only");
    };
    let shell = Shell {
        pod: target.name.unwrap_or_default().to_string(),
        tty: query.get("tty") == Some("true"),
        size: (80, 24),
        line: Vec::new(),
    };
    let sessions = state.exec_sessions.clone();
    upgrade.protocols(["v5.channel.k8s.io", "v4.channel.k8s.io"]).on_upgrade(move |socket| async move {
        sessions.send_modify(|n| *n += 1);
        run(socket, shell, command).await;
        sessions.send_modify(|n| *n -= 1);
    })
}

/// The stand-in container's side of one session.
struct Shell {
    pod: String,
    tty: bool,
    /// Columns and rows, as the last resize said.
    size: (u16, u16),
    /// The line being typed (terminal mode).
    line: Vec<u8>,
}

/// What one command line did.
struct Ran {
    out: String,
    err: String,
    code: i32,
    /// `exit`: the session ends.
    exit: bool,
}

impl Ran {
    /// The session ends with `code`, nothing more to print.
    fn ended(code: i32) -> Self {
        Self { out: String::new(), err: String::new(), code, exit: true }
    }
}

impl Shell {
    /// Runs one line of `;`-separated commands, as a shell would (`in_shell`) or as the program.
    fn run_line(&self, line: &str, in_shell: bool) -> Result<Ran, String> {
        let mut ran = Ran { out: String::new(), err: String::new(), code: 0, exit: false };
        for command in line.split(';').map(str::trim).filter(|c| !c.is_empty()) {
            let args: Vec<&str> = command.split_whitespace().collect();
            let (out, code) = match args.as_slice() {
                ["hostname"] => (format!("{}\n", self.pod), 0),
                ["echo", rest @ ..] => (format!("{}\n", rest.join(" ")), 0),
                ["stty", "size"] => (format!("{} {}\n", self.size.1, self.size.0), 0),
                ["true"] => (String::new(), 0),
                ["false"] => (String::new(), 1),
                ["exit", rest @ ..] => {
                    ran.code = rest.first().and_then(|c| c.parse().ok()).unwrap_or(ran.code);
                    ran.exit = true;
                    return Ok(ran);
                }
                [program, ..] if in_shell => {
                    ran.err.push_str(&format!("sh: {program}: not found\n"));
                    (String::new(), 127)
                }
                [program, ..] => {
                    return Err(format!(
                        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": \
                         executable file not found in $PATH: unknown"
                    ));
                }
                [] => (String::new(), 0),
            };
            ran.out.push_str(&out);
            ran.code = code;
        }
        Ok(ran)
    }
}

/// The final `Status` of a command that exited with `code`.
fn exit_status(code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
        "message": format!("command terminated with non-zero exit code: exit code {code}"),
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::Binary(bytes.into())
}

/// What the client sent, decoded.
enum Input {
    Stdin(Vec<u8>),
    Resize(u16, u16),
    /// Standard input closed (v5 close frame, or the socket went).
    Eof,
}

async fn next_input(socket: &mut WebSocket) -> Input {
    loop {
        match socket.recv().await {
            Some(Ok(Message::Binary(b))) => match b.first() {
                Some(&STDIN) => return Input::Stdin(b[1..].to_vec()),
                Some(&RESIZE) => {
                    let size: Value = serde_json::from_slice(&b[1..]).unwrap_or_default();
                    let dim = |k: &str| size[k].as_u64().unwrap_or_default() as u16;
                    return Input::Resize(dim("Width"), dim("Height"));
                }
                Some(&CLOSE) if b.get(1) == Some(&STDIN) => return Input::Eof,
                _ => {}
            },
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Input::Eof,
            Some(Ok(_)) => {}
        }
    }
}

/// Runs the session: `command` decides the mode; ends with the final status and a close.
async fn run(mut socket: WebSocket, mut shell: Shell, command: Vec<String>) {
    let program = command[0].rsplit('/').next().unwrap_or_default().to_string();
    let is_shell = matches!(program.as_str(), "sh" | "bash" | "ash");
    let outcome = match command.get(1).map(String::as_str) {
        None if is_shell => interactive(&mut socket, &mut shell).await,
        Some("-c") if is_shell => shell.run_line(command.get(2).map(String::as_str).unwrap_or_default(), true),
        _ if program == "cat" && command.len() == 1 => copy_stdin(&mut socket).await,
        _ => shell.run_line(&command.join(" "), false),
    };
    let final_status = match outcome {
        Ok(ran) => {
            let err_channel = if shell.tty { STDOUT } else { STDERR };
            let newline = |s: &str| if shell.tty { s.replace('\n', "\r\n") } else { s.to_string() };
            if !ran.out.is_empty() {
                let _ = socket.send(frame(STDOUT, newline(&ran.out).as_bytes())).await;
            }
            if !ran.err.is_empty() {
                let _ = socket.send(frame(err_channel, newline(&ran.err).as_bytes())).await;
            }
            exit_status(ran.code)
        }
        Err(message) => json!({
            "metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
            "message": format!("Internal error occurred: error executing command in container: {message}"),
        }),
    };
    let _ = socket.send(frame(STATUS, final_status.to_string().as_bytes())).await;
    let _ = socket.close().await;
}

/// `cat`: standard input back on standard output until it closes.
async fn copy_stdin(socket: &mut WebSocket) -> Result<Ran, String> {
    loop {
        match next_input(socket).await {
            Input::Stdin(data) => {
                if socket.send(frame(STDOUT, &data)).await.is_err() {
                    break;
                }
            }
            Input::Resize(..) => {}
            Input::Eof => break,
        }
    }
    Ok(Ran::ended(0))
}

/// A shell reading lines until `exit`, Ctrl-D on an empty line, or the end of its input; with a
/// terminal it echoes what is typed and prompts.
async fn interactive(socket: &mut WebSocket, shell: &mut Shell) -> Result<Ran, String> {
    let mut last = 0;
    if shell.tty {
        let _ = socket.send(frame(STDOUT, PROMPT.as_bytes())).await;
    }
    loop {
        let data = match next_input(socket).await {
            Input::Stdin(data) => data,
            Input::Resize(cols, rows) => {
                shell.size = (cols, rows);
                continue;
            }
            Input::Eof => return Ok(Ran::ended(last)),
        };
        let mut echo = Vec::new();
        for byte in data {
            match byte {
                b'\r' | b'\n' => {
                    echo.extend_from_slice(b"\r\n");
                    let line = String::from_utf8_lossy(&std::mem::take(&mut shell.line)).into_owned();
                    if shell.tty {
                        let _ = socket.send(frame(STDOUT, &std::mem::take(&mut echo))).await;
                    }
                    let ran = shell.run_line(&line, true)?;
                    if ran.exit {
                        return Ok(ran);
                    }
                    last = ran.code;
                    let (out, err) = if shell.tty {
                        (ran.out.replace('\n', "\r\n") + &ran.err.replace('\n', "\r\n") + PROMPT, String::new())
                    } else {
                        (ran.out, ran.err)
                    };
                    if !out.is_empty() {
                        let _ = socket.send(frame(STDOUT, out.as_bytes())).await;
                    }
                    if !err.is_empty() {
                        let _ = socket.send(frame(STDERR, err.as_bytes())).await;
                    }
                }
                0x7f | 0x08 => {
                    if shell.line.pop().is_some() {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 => {
                    shell.line.clear();
                    echo.extend_from_slice(b"^C\r\n");
                    echo.extend_from_slice(PROMPT.as_bytes());
                }
                0x04 if shell.line.is_empty() => {
                    return Ok(Ran::ended(last));
                }
                byte => {
                    shell.line.push(byte);
                    echo.push(byte);
                }
            }
        }
        if shell.tty && !echo.is_empty() {
            let _ = socket.send(frame(STDOUT, &echo)).await;
        }
    }
}
