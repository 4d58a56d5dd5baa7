//! Building a bundle from a recipe and a directory of files.

use crate::{BundleError, BundleManifest, BundleSource, MANIFEST_NAME, Result, UpstreamChecksum};
use sha2::{Digest, Sha256, Sha512};
use std::io::{Read, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

/// What a build produced.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct BuildReport {
    /// The manifest written.
    pub manifest: BundleManifest,
    /// Size of the zip.
    pub zip_size: u64,
}

/// Extensions of files that are compressed already: stored, not deflated again.
const COMPRESSED: &[&str] = &[".gz", ".tgz", ".xz", ".zst", ".bz2", ".zip", ".deb", ".rpm", ".jar", ".png"];

fn is_compressed(path: &str) -> bool {
    COMPRESSED.iter().any(|ext| path.ends_with(ext))
}

/// SHA-256 (hex) and size of a file.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    digests(path, false).map(|(h, _, size)| (h, size))
}

/// SHA-256 (and, if asked, SHA-512) of bytes as they pass, with their count.
pub(crate) struct Hashes {
    h256: Sha256,
    h512: Option<Sha512>,
    size: u64,
}

impl Hashes {
    pub(crate) fn new(want_512: bool) -> Self {
        Self { h256: Sha256::new(), h512: want_512.then(Sha512::new), size: 0 }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.h256.update(bytes);
        if let Some(h) = self.h512.as_mut() {
            h.update(bytes);
        }
        self.size += bytes.len() as u64;
    }

    /// SHA-256 (hex), SHA-512 (hex) if asked, and the byte count.
    pub(crate) fn finish(self) -> (String, Option<String>, u64) {
        (hex::encode(self.h256.finalize()), self.h512.map(|h| hex::encode(h.finalize())), self.size)
    }

    /// The hashes of what `path` holds so far (`want_512` as in [`Hashes::new`]).
    pub(crate) fn of_file(path: &Path, want_512: bool) -> Result<Self> {
        let mut hashes = Self::new(want_512);
        let mut f = std::fs::File::open(path).map_err(|e| BundleError::io(path, e))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).map_err(|e| BundleError::io(path, e))?;
            if n == 0 {
                return Ok(hashes);
            }
            hashes.update(&buf[..n]);
        }
    }
}

/// Hashes a file with SHA-256 and, if asked, SHA-512 in one pass.
pub(crate) fn digests(path: &Path, want_512: bool) -> Result<(String, Option<String>, u64)> {
    Ok(Hashes::of_file(path, want_512)?.finish())
}

/// Refuses `file` unless it is what `expected` (the recipe's pin) says; nothing to check for an
/// unpublished one.
fn check_pin(
    expected: Option<&UpstreamChecksum>,
    (sha256, sha512): (&str, Option<&str>),
    file: &Path,
    source_name: &str,
) -> Result<()> {
    let (algorithm, want, got) = match expected {
        Some(UpstreamChecksum::Sha256(h)) => ("sha256", h, sha256),
        Some(UpstreamChecksum::Sha512(h)) => ("sha512", h, sha512.unwrap_or_default()),
        None => return Ok(()),
    };
    if want == got {
        return Ok(());
    }
    Err(BundleError::UpstreamMismatch {
        file: file.display().to_string(),
        algorithm,
        expected: want.clone(),
        actual: got.to_string(),
        source_name: source_name.to_string(),
    })
}

/// Adds `local` to the zip as `path` (stored, or deflated unless `stored`), hashing it on the way
/// (one read of the file); `on_bytes` sees each chunk's size. Returns its hashes and size.
fn write_entry(
    zip: &mut zip::ZipWriter<std::io::BufWriter<std::fs::File>>,
    partial: &Path,
    path: &str,
    local: &Path,
    stored: bool,
    want_512: bool,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(String, Option<String>, u64)> {
    let size = std::fs::metadata(local).map_err(|e| BundleError::io(local, e))?.len();
    let method = if stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
    let options = SimpleFileOptions::default().compression_method(method).large_file(size > u32::MAX as u64);
    zip.start_file(path, options).map_err(|e| BundleError::io(partial, e))?;
    let mut input = std::fs::File::open(local).map_err(|e| BundleError::io(local, e))?;
    let mut hashes = Hashes::new(want_512);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(|e| BundleError::io(local, e))?;
        if n == 0 {
            return Ok(hashes.finish());
        }
        hashes.update(&buf[..n]);
        zip.write_all(&buf[..n]).map_err(|e| BundleError::io(partial, e))?;
        on_bytes(n as u64);
    }
}

/// How far a build's writing is: bytes and files added of the totals, which are known (and
/// reported, with no file yet) before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct WriteProgress {
    /// The file being added (empty before the first).
    pub file: String,
    /// Files added (or, in a delta, found in the base).
    pub files_done: usize,
    /// Files to add.
    pub files: usize,
    /// Bytes added.
    pub done: u64,
    /// Bytes to add.
    pub total: u64,
}

/// Builds `out` from the files of `source` for `arches` (plus arch-independent ones), taking each
/// from `from_dir` and checking it against its published checksum. `progress` is called as bytes
/// are added (see [`WriteProgress`]).
/// The zip appears at `out` only when complete.
///
/// With a `base` (the manifest of a bundle the receiving side has), the result is a delta: its
/// manifest lists every file, but the zip leaves out those whose bytes (SHA-256) the base has;
/// it imports only on top of that base.
pub fn build(
    source: &BundleSource,
    arches: &[String],
    from_dir: &Path,
    out: &Path,
    base: Option<&BundleManifest>,
    mut on_progress: impl FnMut(&WriteProgress),
) -> Result<BuildReport> {
    let in_base: std::collections::HashSet<&str> =
        base.iter().flat_map(|b| &b.files).map(|f| f.sha256.as_str()).collect();
    let mut omitted = Vec::new();
    let chosen: Vec<_> = source.files.iter().filter(|f| f.arch == "all" || arches.contains(&f.arch)).collect();
    let mut files = Vec::new();
    let mut total = 0u64;
    for f in &chosen {
        let local = from_dir.join(f.local_name());
        if !local.is_file() {
            return Err(BundleError::NotInSourceDir {
                file: f.local_name().into(),
                component: f.component.clone(),
                arch: f.arch.clone(),
                dir: from_dir.display().to_string(),
                url: f.url.clone(),
            });
        }
        total += std::fs::metadata(&local).map_err(|e| BundleError::io(&local, e))?.len();
    }
    let images: Vec<_> = source.images.iter().filter(|i| arches.contains(&i.arch)).collect();
    for image in &images {
        let local = from_dir.join(image.local_name());
        if !local.is_file() {
            return Err(BundleError::NotInSourceDir {
                file: image.local_name(),
                component: image.name.clone(),
                arch: image.arch.clone(),
                dir: from_dir.display().to_string(),
                url: format!("the registry (pull {} with `koctl bundle build` without --from)", image.name),
            });
        }
        crate::verify_image_archive(&local, image.digest.as_deref())?;
        total += std::fs::metadata(&local).map_err(|e| BundleError::io(&local, e))?.len();
    }
    let files_total = chosen.len() + images.len();
    let mut files_done = 0usize;
    let mut progress = |file: &str, files_done: usize, done: u64| {
        on_progress(&WriteProgress { file: file.to_string(), files_done, files: files_total, done, total });
    };
    progress("", 0, 0);
    let partial = out.with_extension("zip.partial");
    let file = std::fs::File::create(&partial).map_err(|e| BundleError::io(&partial, e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let mut done = 0u64;
    let result = (|| -> Result<()> {
        for f in &chosen {
            let local = from_dir.join(f.local_name());
            let expected = f.checksum();
            let want_512 = matches!(expected, Some(UpstreamChecksum::Sha512(_)));
            // a delta needs the hash before it decides; a complete bundle hashes as it writes
            let before = base.is_some().then(|| digests(&local, want_512)).transpose()?;
            if let Some((sha256, sha512, size)) = &before
                && in_base.contains(sha256.as_str())
            {
                check_pin(expected.as_ref(), (sha256, sha512.as_deref()), &local, &f.checksum_source)?;
                done += size;
                files_done += 1;
                progress(&f.path, files_done, done);
                omitted.push(f.path.clone());
                files.push(f.bundle_file(sha256.clone(), *size));
                continue;
            }
            let (sha256, sha512, size) =
                write_entry(&mut zip, &partial, &f.path, &local, is_compressed(&f.path), want_512, &mut |n| {
                    done += n;
                    progress(&f.path, files_done, done);
                })?;
            files_done += 1;
            progress(&f.path, files_done, done);
            check_pin(expected.as_ref(), (&sha256, sha512.as_deref()), &local, &f.checksum_source)?;
            files.push(f.bundle_file(sha256, size));
        }
        for image in &images {
            let local = from_dir.join(image.local_name());
            let before = base.is_some().then(|| digests(&local, false)).transpose()?;
            if let Some((sha256, _, size)) = &before
                && in_base.contains(sha256.as_str())
            {
                done += size;
                files_done += 1;
                progress(&image.path, files_done, done);
                omitted.push(image.path.clone());
                files.push(image.bundle_file(sha256.clone(), *size));
                continue;
            }
            // layers are compressed already: store the archive as it is
            let (sha256, _, size) = write_entry(&mut zip, &partial, &image.path, &local, true, false, &mut |n| {
                done += n;
                progress(&image.path, files_done, done);
            })?;
            files_done += 1;
            progress(&image.path, files_done, done);
            files.push(image.bundle_file(sha256, size));
        }
        Ok(())
    })();
    if let Err(e) = result {
        drop(zip);
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let manifest = BundleManifest {
        format: 1,
        name: source.name.clone(),
        kubernetes_version: source.kubernetes_version.clone(),
        arches: arches.to_vec(),
        files,
        base: base.map(|b| crate::DeltaBase { name: b.name.clone(), omitted }),
    };
    zip.start_file(MANIFEST_NAME, SimpleFileOptions::default()).map_err(|e| BundleError::io(&partial, e))?;
    zip.write_all(&manifest.to_bytes()).map_err(|e| BundleError::io(&partial, e))?;
    let mut writer = zip.finish().map_err(|e| BundleError::io(&partial, e))?;
    writer.flush().map_err(|e| BundleError::io(&partial, e))?;
    drop(writer);
    std::fs::rename(&partial, out).map_err(|e| BundleError::io(out, e))?;
    let zip_size = std::fs::metadata(out).map_err(|e| BundleError::io(out, e))?.len();
    Ok(BuildReport { manifest, zip_size })
}
