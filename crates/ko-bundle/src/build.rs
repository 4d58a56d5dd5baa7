//! Building a bundle from a recipe and a directory of files.

use crate::{BundleError, BundleFile, BundleManifest, BundleSource, MANIFEST_NAME, Result, UpstreamChecksum};
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

/// Hashes a file with SHA-256 and, if asked, SHA-512 in one pass.
pub(crate) fn digests(path: &Path, want_512: bool) -> Result<(String, Option<String>, u64)> {
    let mut f = std::fs::File::open(path).map_err(|e| BundleError::io(path, e))?;
    let mut h256 = Sha256::new();
    let mut h512 = want_512.then(Sha512::new);
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| BundleError::io(path, e))?;
        if n == 0 {
            break;
        }
        h256.update(&buf[..n]);
        if let Some(h) = h512.as_mut() {
            h.update(&buf[..n]);
        }
        size += n as u64;
    }
    Ok((hex::encode(h256.finalize()), h512.map(|h| hex::encode(h.finalize())), size))
}

/// Builds `out` from the files of `source` for `arches` (plus arch-independent ones), taking each
/// from `from_dir` and checking it against its published checksum. `progress(file, done, total)`
/// is called as bytes are added; the total is known (and reported) before anything is written.
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
    mut progress: impl FnMut(&str, u64, u64),
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
    progress("", 0, total);
    let partial = out.with_extension("zip.partial");
    let file = std::fs::File::create(&partial).map_err(|e| BundleError::io(&partial, e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let mut done = 0u64;
    let result = (|| -> Result<()> {
        for f in &chosen {
            let local = from_dir.join(f.local_name());
            let expected = f.checksum();
            let (sha256, sha512, size) = digests(&local, matches!(expected, Some(UpstreamChecksum::Sha512(_))))?;
            // an unpublished file: what it is now is what the signed manifest pins from now on
            let check = match &expected {
                Some(UpstreamChecksum::Sha256(h)) => Some(("sha256", h.clone(), sha256.clone())),
                Some(UpstreamChecksum::Sha512(h)) => Some(("sha512", h.clone(), sha512.unwrap_or_default())),
                None => None,
            };
            if let Some((algorithm, want, got)) = check
                && want != got
            {
                return Err(BundleError::UpstreamMismatch {
                    file: local.display().to_string(),
                    algorithm,
                    expected: want,
                    actual: got,
                    source_name: f.checksum_source.clone(),
                });
            }
            let file = BundleFile {
                path: f.path.clone(),
                size,
                sha256,
                component: f.component.clone(),
                version: f.version.clone(),
                arch: f.arch.clone(),
                kind: f.kind,
            };
            if in_base.contains(file.sha256.as_str()) {
                done += size;
                progress(&f.path, done, total);
                omitted.push(file.path.clone());
                files.push(file);
                continue;
            }
            let method =
                if is_compressed(&f.path) { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            let options = SimpleFileOptions::default().compression_method(method).large_file(size > u32::MAX as u64);
            zip.start_file(f.path.as_str(), options).map_err(|e| BundleError::io(&partial, e))?;
            let mut input = std::fs::File::open(&local).map_err(|e| BundleError::io(&local, e))?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = input.read(&mut buf).map_err(|e| BundleError::io(&local, e))?;
                if n == 0 {
                    break;
                }
                zip.write_all(&buf[..n]).map_err(|e| BundleError::io(&partial, e))?;
                done += n as u64;
                progress(&f.path, done, total);
            }
            files.push(file);
        }
        for image in &images {
            let local = from_dir.join(image.local_name());
            let (sha256, _, size) = digests(&local, false)?;
            let (component, version) = image.component_version();
            let file = BundleFile {
                path: image.path.clone(),
                size,
                sha256,
                component,
                version,
                arch: image.arch.clone(),
                kind: crate::FileKind::Image,
            };
            if in_base.contains(file.sha256.as_str()) {
                done += size;
                progress(&image.path, done, total);
                omitted.push(file.path.clone());
                files.push(file);
                continue;
            }
            // layers are compressed already: store the archive as it is
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(size > u32::MAX as u64);
            zip.start_file(image.path.as_str(), options).map_err(|e| BundleError::io(&partial, e))?;
            let mut input = std::fs::File::open(&local).map_err(|e| BundleError::io(&local, e))?;
            done += std::io::copy(&mut input, &mut zip).map_err(|e| BundleError::io(&partial, e))?;
            progress(&image.path, done, total);
            files.push(file);
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
