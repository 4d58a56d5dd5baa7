//! Fetching a recipe's files from upstream: parallel, resumable (HTTP ranges), retried, checked.

use crate::build::{Hashes, digests};
use crate::{BundleError, BundleSource, Result, SourceFile, UpstreamChecksum};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// How to download.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Files downloaded at once.
    pub parallel: usize,
    /// Attempts per file after the first failure.
    pub retries: u32,
    /// Pause before a retry (grows with each attempt).
    pub backoff: Duration,
    /// Mirrors besides the recipe's own (`--mirror`); on a tie they win.
    pub mirrors: Vec<crate::Mirror>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self { parallel: 4, retries: 4, backoff: Duration::from_secs(1), mirrors: Vec::new() }
    }
}

/// Progress of a fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum FetchProgress {
    /// Sizes are known: `total` bytes in `files` files still to download (images included; their
    /// size is known only once pulled).
    Planned {
        /// Bytes to download.
        total: u64,
        /// Files to download.
        files: usize,
    },
    /// Bytes and files downloaded so far, of the planned totals.
    Bytes {
        /// Done.
        done: u64,
        /// Planned.
        total: u64,
        /// Files finished.
        files_done: usize,
        /// Files planned.
        files: usize,
    },
}

/// What a fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// Files downloaded (fully or the rest of a partial one).
    pub downloaded: usize,
    /// Files already there with the right checksum.
    pub present: usize,
    /// Bytes received.
    pub bytes: u64,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// `path` holds `f`: its published checksum matches (an unpublished file: it is there).
fn matches(path: &Path, f: &SourceFile) -> bool {
    let Some(expected) = f.checksum() else { return f.unpublished && path.is_file() };
    let want_512 = matches!(expected, UpstreamChecksum::Sha512(_));
    match (digests(path, want_512), expected) {
        (Ok((h, _, _)), UpstreamChecksum::Sha256(e)) => h == e,
        (Ok((_, Some(h), _)), UpstreamChecksum::Sha512(e)) => h == e,
        _ => false,
    }
}

/// One attempt: continue `part` from its length with a Range request, hashing as the bytes
/// arrive (a resumed file's earlier bytes are hashed first); returns the whole file's hashes.
fn attempt(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    want_512: bool,
    received: &AtomicU64,
    on_bytes: &dyn Fn(u64),
) -> std::result::Result<(String, Option<String>, u64), String> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = agent.get(url);
    if have > 0 {
        req = req.header("Range", &format!("bytes={have}-"));
    }
    let resp = req.call().map_err(|e| e.to_string())?;
    let resumed = resp.status().as_u16() == 206;
    let mut hashes = match resumed {
        true => Hashes::of_file(part, want_512).map_err(|e| e.to_string())?,
        false => Hashes::new(want_512),
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(part)
        .map_err(|e| e.to_string())?;
    let mut body = resp.into_body().into_reader();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = body.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(|e| e.to_string())?;
        hashes.update(&buf[..n]);
        received.fetch_add(n as u64, Ordering::Relaxed);
        on_bytes(n as u64);
    }
    file.sync_all().map_err(|e| e.to_string())?;
    Ok(hashes.finish())
}

/// Downloads every file of `source` for `arches` into `dir` that is not already there with its
/// published checksum: `parallel` at a time, resuming partial downloads with HTTP ranges,
/// retrying with back-off, checking each against its published checksum before it takes its
/// final name. Sizes are asked first (HEAD) so the total is known before anything is fetched.
pub fn fetch(
    source: &BundleSource,
    arches: &[String],
    dir: &Path,
    opts: &FetchOptions,
    progress: impl Fn(FetchProgress) + Sync,
) -> Result<FetchReport> {
    std::fs::create_dir_all(dir).map_err(|e| BundleError::io(dir, e))?;
    let agent = agent();
    let mirrors: Vec<crate::Mirror> = source.mirrors.iter().chain(&opts.mirrors).cloned().collect();
    let chosen: Vec<&SourceFile> =
        source.files.iter().filter(|f| f.arch == "all" || arches.contains(&f.arch)).collect();
    let mut report = FetchReport::default();
    let mut todo = Vec::new();
    let mut total = 0u64;
    for f in chosen {
        let path = dir.join(f.local_name());
        if path.is_file() && matches(&path, f) {
            report.present += 1;
            continue;
        }
        let size = agent
            .head(&crate::mirrored_url(&f.url, &mirrors))
            .call()
            .ok()
            .and_then(|r| {
                r.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
            })
            .unwrap_or(0);
        total += size;
        todo.push(f);
    }
    let images: Vec<_> = source
        .images
        .iter()
        .filter(|i| arches.contains(&i.arch))
        .filter(|i| {
            let path = dir.join(i.local_name());
            let there = path.is_file() && crate::verify_image_archive(&path, i.digest.as_deref()).is_ok();
            report.present += usize::from(there);
            !there
        })
        .collect();
    let files = todo.len() + images.len();
    progress(FetchProgress::Planned { total, files });
    let received = AtomicU64::new(0);
    let finished = AtomicUsize::new(0);
    let queue = Mutex::new(todo.clone());
    let errors = Mutex::new(Vec::new());
    let done = AtomicU64::new(0);
    let on_bytes = |n: u64| {
        let d = done.fetch_add(n, Ordering::Relaxed) + n;
        progress(FetchProgress::Bytes { done: d, total, files_done: finished.load(Ordering::Relaxed), files });
    };
    let on_file = || {
        let f = finished.fetch_add(1, Ordering::Relaxed) + 1;
        progress(FetchProgress::Bytes { done: done.load(Ordering::Relaxed), total, files_done: f, files });
    };
    std::thread::scope(|s| {
        for _ in 0..opts.parallel.max(1) {
            s.spawn(|| {
                loop {
                    let Some(f) = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop() else { return };
                    match fetch_one(&agent, f, &crate::mirrored_url(&f.url, &mirrors), dir, opts, &received, &on_bytes)
                    {
                        Ok(()) => on_file(),
                        Err(e) => errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(e),
                    }
                }
            });
        }
    });
    if let Some(e) = errors.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).into_iter().next() {
        return Err(e);
    }
    report.downloaded = todo.len();
    for image in images {
        let path = dir.join(image.local_name());
        let from = crate::mirrored_image(&image.name, image.plain_http, &mirrors);
        crate::pull_image(&image.name, &from, image.digest.as_deref(), &image.arch, &path)?;
        report.downloaded += 1;
        on_file();
    }
    report.bytes = received.load(Ordering::Relaxed);
    Ok(report)
}

/// Downloads `f` from `url` (its own, or a mirror's).
fn fetch_one(
    agent: &ureq::Agent,
    f: &SourceFile,
    url: &str,
    dir: &Path,
    opts: &FetchOptions,
    received: &AtomicU64,
    on_bytes: &dyn Fn(u64),
) -> Result<()> {
    let path = dir.join(f.local_name());
    let part = dir.join(format!("{}.part", f.local_name()));
    let want_512 = matches!(f.checksum(), Some(UpstreamChecksum::Sha512(_)));
    let mut last = String::new();
    for attempt_no in 0..=opts.retries {
        if attempt_no > 0 {
            std::thread::sleep(opts.backoff * attempt_no);
        }
        match attempt(agent, url, &part, want_512, received, on_bytes) {
            Ok((sha256, sha512, _)) => {
                let pinned = match f.checksum() {
                    Some(UpstreamChecksum::Sha512(h)) => Some(("sha512", h, sha512.unwrap_or_default())),
                    Some(UpstreamChecksum::Sha256(h)) => Some(("sha256", h, sha256)),
                    None => None,
                };
                match pinned {
                    Some((algorithm, expected, actual)) if expected != actual => {
                        let _ = std::fs::remove_file(&part);
                        return Err(BundleError::UpstreamMismatch {
                            file: url.to_string(),
                            algorithm,
                            expected,
                            actual,
                            source_name: f.checksum_source.clone(),
                        });
                    }
                    _ => return std::fs::rename(&part, &path).map_err(|e| BundleError::io(&path, e)),
                }
            }
            Err(e) => last = e,
        }
    }
    Err(BundleError::Io {
        path: url.to_string(),
        cause: format!("download failed after {} attempts: {last}", opts.retries + 1),
    })
}
