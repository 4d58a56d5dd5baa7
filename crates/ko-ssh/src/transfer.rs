//! Uploads and downloads that resume, verify and land atomically.
//!
//! Upload: the far side keeps `DEST.ko-part`; a new attempt asks its size and sends only the rest.
//! From the start, both sides hash the stream as it passes (no extra read of the file); a resumed
//! transfer hashes the whole part. The hashes must match before `chmod`/`chown` and an atomic
//! `mv`. A destination of the same size is hashed and, if equal, not sent again. Download mirrors
//! this with a local `.ko-part`.

use crate::exec::{Sink, Stdin};
use crate::quote::shell_quote;
use crate::{ExecOptions, Result, Session, SshError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

/// A file to put on a host.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Local file.
    pub local: PathBuf,
    /// Absolute destination path on the host.
    pub remote: String,
    /// Mode of the destination, e.g. `0o644`.
    pub mode: u32,
    /// `user[:group]` to own the destination.
    pub owner: Option<String>,
    /// Write as root through sudo.
    pub sudo: bool,
    /// The local file's SHA-256 (hex), when already known.
    pub sha256: Option<String>,
}

/// A file to fetch from a host.
#[derive(Debug, Clone)]
pub struct Download {
    /// Path on the host.
    pub remote: String,
    /// Local destination.
    pub local: PathBuf,
    /// Read as root through sudo.
    pub sudo: bool,
}

/// Progress of one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferProgress {
    /// Bytes the destination has, counting what an earlier attempt left.
    pub done: u64,
    /// File size.
    pub total: u64,
    /// Bytes moved by this attempt.
    pub sent: u64,
}

/// How a transfer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOutcome {
    /// File size.
    pub size: u64,
    /// Its SHA-256 (hex), verified on the receiving side.
    pub sha256: String,
    /// Offset this attempt started from (bytes an earlier attempt had delivered).
    pub resumed_from: u64,
    /// Bytes moved by this attempt.
    pub transferred: u64,
    /// The destination already had the file: nothing was sent.
    pub already_present: bool,
}

type ProgressFn = Arc<dyn Fn(TransferProgress) + Send + Sync>;

/// A shell function `kosha` printing the SHA-256 (hex) of stdin: OpenSSL where present (it uses
/// the CPU's SHA instructions, several times faster), coreutils' `sha256sum` otherwise.
pub const REMOTE_SHA: &str = "kosha() { if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi | cut -c1-64; };";

/// SHA-256 of a local file (hex).
pub(crate) async fn sha256_file(path: &Path) -> Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let local = |e: std::io::Error| SshError::Local { path: path.display().to_string(), cause: e.to_string() };
        let mut f = std::fs::File::open(&path).map_err(local)?;
        let mut h = Sha256::new();
        std::io::copy(&mut f, &mut h).map_err(local)?;
        Ok(hex::encode(h.finalize()))
    })
    .await
    .map_err(|e| SshError::Local { path: "(hashing)".into(), cause: e.to_string() })?
}

/// Counts (and optionally hashes) bytes read from a file and reports progress.
struct Counting<R> {
    inner: R,
    base: u64,
    total: u64,
    sent: u64,
    progress: ProgressFn,
    hasher: Arc<std::sync::Mutex<Option<Sha256>>>,
    tally: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        if n > 0 {
            if let Some(h) = self.hasher.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
                h.update(&buf.filled()[before..]);
            }
            self.sent += n;
            self.tally.store(self.sent, std::sync::atomic::Ordering::Relaxed);
            let p = TransferProgress { done: self.base + self.sent, total: self.total, sent: self.sent };
            (self.progress)(p);
        }
        poll
    }
}

/// Collects the small outputs of helper commands.
#[derive(Default)]
struct Collect {
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Sink for Collect {
    fn stdout(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
    }
    fn stderr(&mut self, data: &[u8]) {
        self.err.extend_from_slice(data);
    }
}

impl Session {
    /// Runs a helper command; fails with [`SshError::Remote`] unless it exits 0; returns stdout.
    async fn helper(&self, what: &str, command: &str, sudo: bool, stdin: Option<Stdin>) -> Result<String> {
        let opts = ExecOptions { sudo, ..ExecOptions::default() };
        let mut c = Collect::default();
        let outcome = self.exec_raw(command, &opts, stdin, &mut c).await?;
        if !outcome.success() {
            return Err(SshError::Remote {
                host: self.target.name.clone(),
                what: what.into(),
                status: outcome.status_text(),
                stderr: String::from_utf8_lossy(&c.err).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&c.out).into_owned())
    }

    /// Writes `content` to `remote` atomically (a temporary file beside it, then `mv`), with
    /// `mode`; the bytes travel on the command's stdin, so secrets never appear in a command line
    /// or a local file. Missing parent directories are created (mode 0755); the file is private
    /// until its mode is set.
    pub async fn write_file(&self, remote: &str, content: Vec<u8>, mode: u32, sudo: bool) -> Result<()> {
        let dest = shell_quote(remote);
        let tmp = shell_quote(&format!("{remote}.ko-tmp"));
        let parent = shell_quote(Path::new(remote).parent().map_or("/".into(), |p| p.display().to_string()).as_str());
        // a temp file of this shell's own: the writer of an earlier attempt whose connection was cut
        // may still hold its temp file open, and a file open for writing cannot be executed
        let command = format!(
            "mkdir -p {parent} && t={tmp}.$$ && {{ (umask 077 && cat > \"$t\") && chmod {mode:o} \"$t\" && mv -f \"$t\" {dest} || {{ rm -f \"$t\"; false; }}; }}"
        );
        let stdin: Stdin = Box::pin(std::io::Cursor::new(content));
        self.helper(&format!("writing {remote}"), &command, sudo, Some(stdin)).await.map(drop)
    }

    /// Uploads a file: resumes what an earlier attempt left, verifies SHA-256 on the host, sets
    /// mode and owner, then renames into place atomically. A destination that already holds the
    /// same bytes is left alone.
    pub async fn upload(
        &self,
        up: &Upload,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> Result<TransferOutcome> {
        let local_err =
            |e: std::io::Error| SshError::Local { path: up.local.display().to_string(), cause: e.to_string() };
        let size = tokio::fs::metadata(&up.local).await.map_err(local_err)?.len();
        let dest = shell_quote(&up.remote);
        let part = shell_quote(&format!("{}.ko-part", up.remote));
        let sid_file = shell_quote(&format!("{}.ko-part.sid", up.remote));
        // A writer of an earlier, broken attempt may still be running (its connection not yet
        // timed out on the host): stop its session before measuring what it left.
        let probe = format!(
            "if [ -f {sid_file} ]; then s=$(cat {sid_file}); for d in /proc/[0-9]*; do [ \"$(cut -d' ' -f6 $d/stat 2>/dev/null)\" = \"$s\" ] && case \"$(cat $d/comm 2>/dev/null)\" in cat|tee|sha256sum|openssl|cut) kill -KILL ${{d#/proc/}};; esac; done; rm -f {sid_file}; fi; \
             mkdir -p \"$(dirname {dest})\" && if [ -f {dest} ]; then stat -c %s {dest}; else echo -1; fi && if [ -f {part} ]; then stat -c %s {part}; else echo 0; fi"
        );
        let answer = self.helper("checking the destination", &probe, up.sudo, None).await?;
        let mut nums = answer.split_whitespace().map(|n| n.parse::<i64>().unwrap_or(-1));
        let (dest_size, part_size) = (nums.next().unwrap_or(-1), nums.next().unwrap_or(0));

        let mut known = up.sha256.clone();
        if dest_size == size as i64 {
            let sha = match &known {
                Some(h) => h.clone(),
                None => sha256_file(&up.local).await?,
            };
            let remote =
                self.helper("hashing the destination", &format!("{REMOTE_SHA} kosha < {dest}"), up.sudo, None).await?;
            if remote.trim() == sha {
                progress(TransferProgress { done: size, total: size, sent: 0 });
                return Ok(TransferOutcome {
                    size,
                    sha256: sha,
                    resumed_from: size,
                    transferred: 0,
                    already_present: true,
                });
            }
            known = Some(sha);
        }
        let offset = if part_size < 0 || part_size as u64 > size { 0 } else { part_size as u64 };

        let mut file = tokio::fs::File::open(&up.local).await.map_err(local_err)?;
        file.seek(std::io::SeekFrom::Start(offset)).await.map_err(local_err)?;
        // from the start, both sides hash the stream as it passes; a resume hashes whole files
        let stream_hash = offset == 0;
        let hasher = Arc::new(std::sync::Mutex::new((stream_hash && known.is_none()).then(Sha256::new)));
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let reader = Counting {
            inner: file,
            base: offset,
            total: size,
            sent: 0,
            progress: Arc::new(progress),
            hasher: hasher.clone(),
            tally: sent.clone(),
        };
        let record_sid = format!("cut -d' ' -f6 /proc/$$/stat > {sid_file}");
        let write = if stream_hash {
            format!("{REMOTE_SHA} {record_sid} && : > {part} && tee -a {part} | kosha")
        } else {
            format!("{record_sid} && truncate -s {offset} {part} && cat >> {part}")
        };
        let remote_stream_hash = if offset < size || stream_hash {
            self.helper("writing", &write, up.sudo, Some(Box::pin(reader))).await?
        } else {
            String::new()
        };
        let transferred = sent.load(std::sync::atomic::Ordering::Relaxed);
        let streamed = hasher.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let sha = match (known, streamed) {
            (Some(h), _) => h,
            (None, Some(h)) => hex::encode(h.finalize()),
            (None, None) => sha256_file(&up.local).await?,
        };
        let chown = up.owner.as_ref().map(|o| format!(" && chown {} {part}", shell_quote(o))).unwrap_or_default();
        let check = if stream_hash {
            format!("[ {} = {sha} ]", shell_quote(remote_stream_hash.trim()))
        } else {
            format!("[ \"$(kosha < {part})\" = {sha} ]")
        };
        let finish = format!(
            "{REMOTE_SHA} rm -f {sid_file}; if {check}; then chmod {:o} {part}{chown} && mv -f {part} {dest} && echo ok; else echo \"mismatch $(kosha < {part})\"; rm -f {part}; fi",
            up.mode
        );
        let verdict = self.helper("verifying", &finish, up.sudo, None).await?;
        if let Some(actual) = verdict.trim().strip_prefix("mismatch ") {
            return Err(SshError::HashMismatch {
                host: self.target.name.clone(),
                path: up.remote.clone(),
                expected: sha,
                actual: actual.to_string(),
            });
        }
        Ok(TransferOutcome { size, sha256: sha, resumed_from: offset, transferred, already_present: false })
    }

    /// Downloads a file: resumes a local `.ko-part`, verifies SHA-256, renames into place.
    pub async fn download(
        &self,
        down: &Download,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> Result<TransferOutcome> {
        let src = shell_quote(&down.remote);
        let info = self
            .helper("reading the file", &format!("{REMOTE_SHA} stat -c %s {src} && kosha < {src}"), down.sudo, None)
            .await?;
        let mut lines = info.lines();
        let size: u64 = lines.next().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
        let sha = lines.next().unwrap_or_default().trim().to_string();
        let part = PathBuf::from(format!("{}.ko-part", down.local.display()));
        let local_err =
            |p: &Path, e: std::io::Error| SshError::Local { path: p.display().to_string(), cause: e.to_string() };
        if let Some(dir) = down.local.parent() {
            std::fs::create_dir_all(dir).map_err(|e| local_err(dir, e))?;
        }
        let mut offset = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        if offset > size {
            offset = 0;
        }
        let file =
            std::fs::OpenOptions::new().create(true).append(true).open(&part).map_err(|e| local_err(&part, e))?;
        file.set_len(offset).map_err(|e| local_err(&part, e))?;
        let mut sink = FileSink {
            file,
            err: Vec::new(),
            base: offset,
            total: size,
            sent: 0,
            progress: Box::new(progress),
            failed: None,
        };
        if offset < size {
            let opts = ExecOptions { sudo: down.sudo, ..ExecOptions::default() };
            let outcome = self.exec_raw(&format!("tail -c +{} {src}", offset + 1), &opts, None, &mut sink).await?;
            if let Some(e) = sink.failed.take() {
                return Err(local_err(&part, e));
            }
            if !outcome.success() {
                return Err(SshError::Remote {
                    host: self.target.name.clone(),
                    what: "reading".into(),
                    status: outcome.status_text(),
                    stderr: String::from_utf8_lossy(&sink.err).into_owned(),
                });
            }
        }
        let transferred = sink.sent;
        drop(sink);
        let actual = sha256_file(&part).await?;
        if actual != sha {
            let _ = std::fs::remove_file(&part);
            return Err(SshError::HashMismatch {
                host: self.target.name.clone(),
                path: down.local.display().to_string(),
                expected: sha,
                actual,
            });
        }
        std::fs::rename(&part, &down.local).map_err(|e| local_err(&down.local, e))?;
        Ok(TransferOutcome { size, sha256: sha, resumed_from: offset, transferred, already_present: false })
    }
}

struct FileSink {
    file: std::fs::File,
    err: Vec<u8>,
    base: u64,
    total: u64,
    sent: u64,
    progress: Box<dyn Fn(TransferProgress) + Send + Sync>,
    failed: Option<std::io::Error>,
}

impl Sink for FileSink {
    fn stdout(&mut self, data: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        match self.file.write_all(data) {
            Ok(()) => {
                self.sent += data.len() as u64;
                (self.progress)(TransferProgress { done: self.base + self.sent, total: self.total, sent: self.sent });
            }
            Err(e) => self.failed = Some(e),
        }
    }
    fn stderr(&mut self, data: &[u8]) {
        self.err.extend_from_slice(data);
    }
}
