//! Running commands: streamed lines, sudo with a password, timeouts, real cancellation.
//!
//! Every command runs under a small wrapper that first prints a one-time marker with its session
//! id on stderr. Before the marker, stderr belongs to `sudo`: its one-time prompt is answered with
//! the password (on stdin, never in an argument or the environment), a second prompt means the
//! password was wrong. After the marker, output is the command's, and its stdin may flow. The
//! session id lets a cancel or a timeout kill every process the command started.

use crate::connect::protocol;
use crate::quote::shell_quote;
use crate::{Result, Session, SshError};
use russh::ChannelMsg;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::AsyncRead;
use tokio_util::sync::CancellationToken;

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One line of output, stamped when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutputLine {
    /// When the line was complete.
    pub at: SystemTime,
    /// stdout or stderr.
    pub stream: Stream,
    /// The text, without the line break (invalid UTF-8 replaced).
    pub line: String,
}

/// How to run a command.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Become root with sudo (skipped when already root).
    pub sudo: bool,
    /// Stop the command and fail after this long.
    pub timeout: Option<Duration>,
    /// Stop the command and fail when this is cancelled.
    pub cancel: Option<CancellationToken>,
    /// Keep at most this many bytes of each stream in [`ExecOutcome`].
    pub capture_limit: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self { sudo: false, timeout: None, cancel: None, capture_limit: 1 << 20 }
    }
}

impl ExecOptions {
    /// Default options with sudo on.
    pub fn sudo() -> Self {
        Self { sudo: true, ..Self::default() }
    }
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    /// Exit status, when it exited.
    pub exit_status: Option<u32>,
    /// Signal name, when a signal ended it.
    pub exit_signal: Option<String>,
    /// Captured stdout (up to the capture limit).
    pub stdout: String,
    /// Captured stderr (up to the capture limit).
    pub stderr: String,
    /// How long it ran.
    pub duration: Duration,
}

impl ExecOutcome {
    /// Exit status 0.
    pub fn success(&self) -> bool {
        self.exit_status == Some(0)
    }

    /// `0`..`255` or the signal, for messages.
    pub fn status_text(&self) -> String {
        match (&self.exit_status, &self.exit_signal) {
            (Some(s), _) => s.to_string(),
            (None, Some(sig)) => format!("signal {sig}"),
            (None, None) => "unknown".into(),
        }
    }
}

/// Where raw output goes.
pub(crate) trait Sink: Send {
    fn stdout(&mut self, data: &[u8]);
    fn stderr(&mut self, data: &[u8]);
    fn finish(&mut self) {}
}

/// Splits output into lines for a callback and keeps a capped copy.
pub(crate) struct LineSink<F: FnMut(OutputLine) + Send> {
    on_line: F,
    partial: [Vec<u8>; 2],
    captured: [Vec<u8>; 2],
    limit: usize,
}

impl<F: FnMut(OutputLine) + Send> LineSink<F> {
    pub(crate) fn new(on_line: F, limit: usize) -> Self {
        Self { on_line, partial: [Vec::new(), Vec::new()], captured: [Vec::new(), Vec::new()], limit }
    }

    fn push(&mut self, i: usize, data: &[u8]) {
        let room = self.limit.saturating_sub(self.captured[i].len());
        self.captured[i].extend_from_slice(&data[..data.len().min(room)]);
        self.partial[i].extend_from_slice(data);
        while let Some(pos) = self.partial[i].iter().position(|b| *b == b'\n') {
            let rest = self.partial[i].split_off(pos + 1);
            let line = std::mem::replace(&mut self.partial[i], rest);
            self.emit(i, &line[..line.len() - 1]);
        }
    }

    fn emit(&mut self, i: usize, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let stream = if i == 0 { Stream::Stdout } else { Stream::Stderr };
        (self.on_line)(OutputLine { at: SystemTime::now(), stream, line: String::from_utf8_lossy(line).into_owned() });
    }

    pub(crate) fn captured(&self) -> (String, String) {
        (
            String::from_utf8_lossy(&self.captured[0]).into_owned(),
            String::from_utf8_lossy(&self.captured[1]).into_owned(),
        )
    }
}

impl<F: FnMut(OutputLine) + Send> Sink for LineSink<F> {
    fn stdout(&mut self, data: &[u8]) {
        self.push(0, data);
    }
    fn stderr(&mut self, data: &[u8]) {
        self.push(1, data);
    }
    fn finish(&mut self) {
        for i in 0..2 {
            if !self.partial[i].is_empty() {
                let line = std::mem::take(&mut self.partial[i]);
                self.emit(i, &line);
            }
        }
    }
}

/// Data fed to the command's stdin once it runs.
pub(crate) type Stdin = Pin<Box<dyn AsyncRead + Send>>;

/// Bytes read from stdin sources at a time: large reads keep file I/O and SSH packets full.
const STDIN_CHUNK: usize = 256 * 1024;

/// Copies `input` to the channel in large chunks (russh splits them into packets).
async fn pump(mut input: Stdin, w: &russh::ChannelWriteHalf<russh::client::Msg>) -> std::io::Result<()> {
    use tokio::io::AsyncReadExt;
    loop {
        let mut buf = vec![0u8; STDIN_CHUNK];
        let mut filled = 0;
        while filled < STDIN_CHUNK {
            let n = input.read(&mut buf[filled..]).await?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            return Ok(());
        }
        buf.truncate(filled);
        w.data_bytes(buf).await.map_err(std::io::Error::other)?;
        if filled < STDIN_CHUNK {
            return Ok(());
        }
    }
}

/// Kills every process of session `sid` (POSIX sh + /proc only).
fn kill_session_script(sid: u32) -> String {
    format!(
        "for d in /proc/[0-9]*; do s=$(cut -d' ' -f6 \"$d/stat\" 2>/dev/null) && [ \"$s\" = {sid} ] && kill -KILL \"${{d#/proc/}}\" 2>/dev/null; done; true"
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Session {
    /// Runs `command` (a POSIX shell command line) and calls `on_line` for every output line as
    /// it arrives. A non-zero exit is an [`ExecOutcome`], not an error.
    pub async fn exec(
        &self,
        command: &str,
        opts: &ExecOptions,
        on_line: impl FnMut(OutputLine) + Send,
    ) -> Result<ExecOutcome> {
        let mut sink = LineSink::new(on_line, opts.capture_limit);
        let mut outcome = self.exec_raw(command, opts, None, &mut sink).await?;
        (outcome.stdout, outcome.stderr) = sink.captured();
        Ok(outcome)
    }

    /// Runs `command` and returns its outcome with captured output.
    pub async fn run(&self, command: &str, opts: &ExecOptions) -> Result<ExecOutcome> {
        self.exec(command, opts, |_| {}).await
    }

    /// The engine under [`Session::exec`]: raw output to `sink`, optional stdin.
    pub(crate) fn exec_raw<'a>(
        &'a self,
        command: &'a str,
        opts: &'a ExecOptions,
        stdin: Option<Stdin>,
        sink: &'a mut dyn Sink,
    ) -> Pin<Box<dyn std::future::Future<Output = Result<ExecOutcome>> + Send + 'a>> {
        Box::pin(self.exec_engine(command, opts, stdin, sink))
    }

    async fn exec_engine(
        &self,
        command: &str,
        opts: &ExecOptions,
        stdin: Option<Stdin>,
        sink: &mut dyn Sink,
    ) -> Result<ExecOutcome> {
        let host = self.target.name.clone();
        let started = Instant::now();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let prompt = format!("[ko-sudo-{nonce}]");
        let mark = format!("ko-ready-{nonce} ");
        let use_sudo = opts.sudo && self.target.user != "root";
        let wrapper =
            format!("printf '%s%s\\n' {} \"$(cut -d' ' -f6 /proc/$$/stat)\" >&2; eval \"$1\"", shell_quote(&mark));
        let sudo = if use_sudo { format!("sudo -S -p {} -- ", shell_quote(&prompt)) } else { String::new() };
        let remote = format!("{sudo}sh -c {} ko {}", shell_quote(&wrapper), shell_quote(command));

        let err = |e: russh::Error| protocol(&host, &e);
        let channel = self.handle.channel_open_session().await.map_err(err)?;
        channel.exec(true, remote).await.map_err(err)?;
        let (mut reader, writer) = channel.split();
        let writer = Arc::new(writer);
        let mut stdin = stdin;
        let mut feeder: Option<tokio::task::JoinHandle<()>> = None;

        let mut pre = Vec::<u8>::new();
        let mut ready = false;
        let mut sid: Option<u32> = None;
        let mut prompts = 0;
        let (mut exit_status, mut exit_signal) = (None, None);
        let deadline = opts.timeout.map(|t| tokio::time::Instant::now() + t);
        let cancel = opts.cancel.clone().unwrap_or_default();

        let stopped = loop {
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = reader.wait() => match msg {
                    Some(ChannelMsg::Data { data }) => sink.stdout(&data),
                    Some(ChannelMsg::ExtendedData { data, ext: 1 }) if ready => sink.stderr(&data),
                    Some(ChannelMsg::ExtendedData { data, ext: 1 }) => {
                        pre.extend_from_slice(&data);
                        if let Some(pos) = find(&pre, prompt.as_bytes()) {
                            pre.drain(pos..pos + prompt.len());
                            prompts += 1;
                            let password = if prompts == 1 { self.target.sudo_secret() } else { None };
                            let Some(password) = password else {
                                let _ = writer.close().await;
                                let reason = if prompts > 1 {
                                    "the sudo password was not accepted; check the credential's sudo password".to_string()
                                } else {
                                    format!("sudo on {host} asks for a password and the credential has none; add one with --sudo-password-stdin")
                                };
                                return Err(SshError::SudoRefused { host, reason });
                            };
                            let line = format!("{}\n", password.expose());
                            writer.data_bytes(line.into_bytes()).await.map_err(err)?;
                        }
                        if let Some(start) = find(&pre, mark.as_bytes())
                            && let Some(end) = pre[start..].iter().position(|b| *b == b'\n')
                        {
                            let id = String::from_utf8_lossy(&pre[start + mark.len()..start + end]).trim().to_string();
                            sid = id.parse().ok();
                            let before: Vec<u8> = pre[..start].to_vec();
                            let after: Vec<u8> = pre[start + end + 1..].to_vec();
                            pre.clear();
                            ready = true;
                            if !before.iter().all(u8::is_ascii_whitespace) {
                                sink.stderr(&before);
                            }
                            sink.stderr(&after);
                            let w = writer.clone();
                            let input = stdin.take();
                            feeder = Some(tokio::spawn(async move {
                                if let Some(input) = input {
                                    let _ = pump(input, &w).await;
                                }
                                let _ = w.eof().await;
                            }));
                        }
                    }
                    Some(ChannelMsg::ExitStatus { exit_status: s }) => exit_status = Some(s),
                    Some(ChannelMsg::ExitSignal { signal_name, .. }) => exit_signal = Some(format!("{signal_name:?}")),
                    Some(ChannelMsg::Close) | None => break None,
                    Some(_) => {}
                },
                () = sleep => break Some(SshError::Timeout { host: host.clone(), what: format!("command `{}`", short(command)), after: opts.timeout.unwrap_or_default() }),
                () = cancel.cancelled() => break Some(SshError::Cancelled { host: host.clone() }),
            }
        };
        if let Some(f) = feeder {
            f.abort();
        }
        if let Some(e) = stopped {
            let _ = writer.close().await;
            if let Some(sid) = sid {
                self.kill_session(sid, use_sudo).await;
            }
            return Err(e);
        }
        sink.finish();
        if !ready {
            let text = String::from_utf8_lossy(&pre).trim().to_string();
            if self.handle.is_closed() {
                return Err(SshError::Disconnected {
                    host,
                    cause: "the connection closed while the command ran".into(),
                });
            }
            if use_sudo {
                return Err(SshError::SudoRefused {
                    host,
                    reason: if text.is_empty() { "sudo failed".into() } else { text },
                });
            }
            return Err(SshError::Remote {
                host,
                what: "starting the command".into(),
                status: exit_status.map_or("?".into(), |s| s.to_string()),
                stderr: text,
            });
        }
        if exit_status.is_none() && exit_signal.is_none() {
            return Err(SshError::Disconnected {
                host,
                cause: "the channel closed before the command finished".into(),
            });
        }
        Ok(ExecOutcome {
            exit_status,
            exit_signal,
            stdout: String::new(),
            stderr: String::new(),
            duration: started.elapsed(),
        })
    }

    /// Kills every process of the session a cancelled command ran in.
    async fn kill_session(&self, sid: u32, sudo: bool) {
        let opts = ExecOptions { sudo, timeout: Some(Duration::from_secs(15)), ..ExecOptions::default() };
        let mut sink = LineSink::new(|_| {}, 4096);
        if let Err(e) = self.exec_raw(&kill_session_script(sid), &opts, None, &mut sink).await {
            tracing::warn!(host = %self.target.name, error = %e, "could not stop a cancelled command");
        }
    }
}

fn short(command: &str) -> String {
    let first = command.lines().next().unwrap_or_default();
    if first.chars().count() > 60 {
        format!("{}...", first.chars().take(60).collect::<String>())
    } else {
        first.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_across_chunks_and_flushed() {
        let mut got = Vec::new();
        {
            let mut sink = LineSink::new(|l: OutputLine| got.push((l.stream, l.line)), 8);
            sink.stdout(b"hel");
            sink.stdout(b"lo\r\nwor");
            sink.stderr(b"oops\n");
            sink.stdout(b"ld");
            sink.finish();
            assert_eq!(sink.captured(), ("hello\r\nw".to_string(), "oops\n".to_string()));
        }
        assert_eq!(
            got,
            [(Stream::Stdout, "hello".to_string()), (Stream::Stderr, "oops".into()), (Stream::Stdout, "world".into())]
        );
    }
}
