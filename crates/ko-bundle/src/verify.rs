//! Checking a bundle completely before anything of it is used, and extracting it safely.

use crate::signing::DetachedSignature;
use crate::{BundleError, BundleManifest, MANIFEST_NAME, Result, SIGNATURE_NAME, TrustedKey, check_entry_path};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

/// Who vouches for a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", content = "key", rename_all = "snake_case")]
pub enum Signature {
    /// Signed by the trusted key of this name.
    Trusted(String),
    /// Not signed (accepted only because the caller allowed it).
    Unsigned,
}

/// A bundle that passed every check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VerifyReport {
    /// Its manifest.
    pub manifest: BundleManifest,
    /// Its signature state.
    pub signature: Signature,
    /// Bytes hashed.
    pub bytes_checked: u64,
}

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;

type Archive = zip::ZipArchive<std::fs::File>;

/// An opened bundle whose entry names passed the checks.
struct Opened {
    archive: Archive,
    /// Entry index by name.
    index: HashMap<String, usize>,
    manifest: Vec<u8>,
    signature: Option<Vec<u8>>,
}

/// Opens the zip, checks every entry name, and reads manifest and signature.
fn open(path: &Path) -> Result<Opened> {
    let file = std::fs::File::open(path).map_err(|e| BundleError::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| BundleError::NotAZip(path.display().to_string(), e.to_string()))?;
    let mut index = HashMap::new();
    for i in 0..archive.len() {
        let entry =
            archive.by_index_raw(i).map_err(|e| BundleError::NotAZip(path.display().to_string(), e.to_string()))?;
        let name = entry.name().to_string();
        check_entry_path(&name)?;
        if entry.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err(BundleError::UnsafePath { path: name, why: "a symbolic link" });
        }
        if entry.is_dir() {
            return Err(BundleError::UnsafePath { path: name, why: "a directory entry" });
        }
        if index.insert(name.clone(), i).is_some() {
            return Err(BundleError::Duplicate(name));
        }
    }
    let read = |archive: &mut Archive, name: &str| -> Result<Option<Vec<u8>>> {
        let Some(&i) = index.get(name) else { return Ok(None) };
        let mut entry = archive.by_index(i).map_err(|e| BundleError::io(path, e))?;
        if entry.size() > 16 << 20 {
            return Err(BundleError::BadManifest(format!("{name} is implausibly large")));
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| BundleError::io(path, e))?;
        Ok(Some(bytes))
    };
    let manifest = read(&mut archive, MANIFEST_NAME)?.ok_or(BundleError::MissingManifest)?;
    let signature = read(&mut archive, SIGNATURE_NAME)?;
    Ok(Opened { archive, index, manifest, signature })
}

fn check_signature(
    manifest: &[u8],
    signature: Option<&[u8]>,
    trusted: &[TrustedKey],
    allow_unsigned: bool,
) -> Result<Signature> {
    match signature {
        None if allow_unsigned => Ok(Signature::Unsigned),
        None => Err(BundleError::Unsigned),
        Some(bytes) => {
            let sig: DetachedSignature = serde_json::from_slice(bytes).map_err(|_| BundleError::BadSignature)?;
            match sig.check(manifest, trusted) {
                Err(BundleError::Untrusted(_)) if allow_unsigned => Ok(Signature::Unsigned),
                other => other.map(Signature::Trusted),
            }
        }
    }
}

/// Streams an entry through SHA-256 into `sink`, checking size and digest against the manifest.
/// Never reads more of an entry than the manifest says it holds (plus one byte, to notice the
/// lie): a zip bomb's expansion stops there instead of filling the disk.
fn copy_checked(archive: &mut Archive, i: usize, f: &crate::BundleFile, sink: &mut dyn Write) -> Result<u64> {
    let entry = archive.by_index(i).map_err(|e| BundleError::io(Path::new(&f.path), e))?;
    if entry.size() != f.size {
        return Err(BundleError::SizeMismatch { path: f.path.clone(), manifest: f.size, archive: entry.size() });
    }
    let mut entry = entry.take(f.size + 1);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n_total = 0u64;
    loop {
        let n = entry.read(&mut buf).map_err(|e| BundleError::Tampered {
            path: f.path.clone(),
            expected: f.sha256.clone(),
            actual: format!("unreadable ({e})"),
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        sink.write_all(&buf[..n]).map_err(|e| BundleError::io(Path::new(&f.path), e))?;
        n_total += n as u64;
    }
    if n_total != f.size {
        return Err(BundleError::SizeMismatch { path: f.path.clone(), manifest: f.size, archive: n_total });
    }
    let actual = hex::encode(h.finalize());
    if actual != f.sha256 {
        return Err(BundleError::Tampered { path: f.path.clone(), expected: f.sha256.clone(), actual });
    }
    Ok(n_total)
}

/// Checks a bundle: safe entry names, no links or duplicates, the signature (by a trusted key
/// unless `allow_unsigned`), and every file's size and SHA-256; no file the manifest lacks.
pub fn verify(path: &Path, trusted: &[TrustedKey], allow_unsigned: bool) -> Result<VerifyReport> {
    let Opened { mut archive, index, manifest: manifest_bytes, signature: sig } = open(path)?;
    let manifest = BundleManifest::parse(&manifest_bytes)?;
    let signature = check_signature(&manifest_bytes, sig.as_deref(), trusted, allow_unsigned)?;
    let listed: std::collections::HashSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    if let Some(extra) =
        index.keys().find(|k| !listed.contains(k.as_str()) && *k != MANIFEST_NAME && *k != SIGNATURE_NAME)
    {
        return Err(BundleError::ExtraFile(extra.clone()));
    }
    let mut bytes_checked = 0;
    for f in &manifest.files {
        match (index.get(&f.path), manifest.carries(&f.path)) {
            (Some(&i), true) => bytes_checked += copy_checked(&mut archive, i, f, &mut std::io::sink())?,
            (None, true) => return Err(BundleError::MissingFile(f.path.clone())),
            (Some(_), false) => return Err(BundleError::ExtraFile(f.path.clone())),
            (None, false) => {}
        }
    }
    Ok(VerifyReport { manifest, signature, bytes_checked })
}

/// Where a delta bundle's omitted files come from: the directory of its base in the library, and
/// the base's manifest.
pub struct BaseDir<'a> {
    /// The base bundle's directory.
    pub dir: &'a Path,
    /// Its manifest.
    pub manifest: &'a BundleManifest,
}

/// Copies the file of `base` with `f`'s bytes into `out`, re-hashing it on the way.
fn copy_from_base(base: &BaseDir, f: &crate::BundleFile, out: &mut dyn Write) -> Result<()> {
    let mismatch = || BundleError::BaseMismatch {
        base: base.manifest.name.clone(),
        path: f.path.clone(),
        sha256: f.sha256.clone(),
    };
    let source = base.manifest.files.iter().find(|b| b.sha256 == f.sha256 && b.size == f.size).ok_or_else(mismatch)?;
    let path = base.dir.join(&source.path);
    let mut input = std::fs::File::open(&path).map_err(|_| mismatch())?.take(f.size + 1);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n_total = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(|e| BundleError::io(&path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| BundleError::io(Path::new(&f.path), e))?;
        n_total += n as u64;
    }
    if n_total != f.size || hex::encode(h.finalize()) != f.sha256 {
        return Err(mismatch());
    }
    Ok(())
}

/// Verifies the bundle and writes it to `target` (which must not exist yet): files go to a
/// temporary sibling directory, each re-hashed as it is written, and the directory is renamed into
/// place only when all are good. Nothing is ever written outside it. A delta bundle needs its
/// `base` (the omitted files are copied from it, re-hashed too): the result is the complete bundle.
pub fn extract(
    path: &Path,
    target: &Path,
    trusted: &[TrustedKey],
    allow_unsigned: bool,
    base: Option<&BaseDir>,
) -> Result<VerifyReport> {
    let report = verify(path, trusted, allow_unsigned)?;
    if let Some(b) = &report.manifest.base
        && base.is_none_or(|dir| dir.manifest.name != b.name)
    {
        return Err(BundleError::BaseMissing { bundle: report.manifest.name.clone(), base: b.name.clone() });
    }
    if target.exists() {
        return Err(BundleError::io(target, "already exists"));
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| BundleError::io(parent, e))?;
    let tmp = parent.join(format!(".{}.partial", target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> Result<()> {
        let Opened { mut archive, index, manifest: manifest_bytes, signature: sig } = open(path)?;
        for f in &report.manifest.files {
            check_entry_path(&f.path)?;
            let out_path = tmp.join(&f.path);
            if !out_path.starts_with(&tmp) {
                return Err(BundleError::UnsafePath { path: f.path.clone(), why: "escapes the target directory" });
            }
            if let Some(dir) = out_path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| BundleError::io(dir, e))?;
            }
            let mut out = std::fs::File::create(&out_path).map_err(|e| BundleError::io(&out_path, e))?;
            match (index.get(&f.path), base) {
                (Some(&i), _) => drop(copy_checked(&mut archive, i, f, &mut out)?),
                (None, Some(base)) => copy_from_base(base, f, &mut out)?,
                (None, None) => return Err(BundleError::MissingFile(f.path.clone())),
            }
        }
        std::fs::write(tmp.join(MANIFEST_NAME), &manifest_bytes).map_err(|e| BundleError::io(&tmp, e))?;
        if let Some(sig) = sig {
            std::fs::write(tmp.join(SIGNATURE_NAME), sig).map_err(|e| BundleError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, target).map_err(|e| BundleError::io(target, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result.map(|()| report)
}

/// The manifest of the bundle at `path`, read without checking its files (what a delta is made
/// against: a wrong one only makes a delta its import refuses).
pub fn read_manifest(path: &Path) -> Result<BundleManifest> {
    BundleManifest::parse(&open(path)?.manifest)
}

/// Makes a delta of bundle `new` on top of bundle `old` at `out`: `new`'s manifest with `old` as
/// its base, and only the files whose bytes `old` lacks (copied as they are, not recompressed).
/// `new` is verified first (signed by a trusted key unless `allow_unsigned`); the delta is
/// unsigned — its manifest differs from `new`'s — until it is signed. Returns its manifest.
pub fn diff(
    old: &Path,
    new: &Path,
    out: &Path,
    trusted: &[TrustedKey],
    allow_unsigned: bool,
) -> Result<BundleManifest> {
    let base = read_manifest(old)?;
    let mut manifest = verify(new, trusted, allow_unsigned)?.manifest;
    if manifest.base.is_some() {
        return Err(BundleError::BadManifest(format!("{} is a delta already: diff complete bundles", new.display())));
    }
    let have: std::collections::HashSet<&str> = base.files.iter().map(|f| f.sha256.as_str()).collect();
    let omitted: Vec<String> =
        manifest.files.iter().filter(|f| have.contains(f.sha256.as_str())).map(|f| f.path.clone()).collect();
    manifest.base = Some(crate::DeltaBase { name: base.name.clone(), omitted });
    let Opened { mut archive, index, .. } = open(new)?;
    let partial = out.with_extension("zip.partial");
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&partial).map_err(|e| BundleError::io(&partial, e))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        for f in manifest.files.iter().filter(|f| manifest.carries(&f.path)) {
            let &i = index.get(&f.path).ok_or_else(|| BundleError::MissingFile(f.path.clone()))?;
            let entry = archive.by_index_raw(i).map_err(|e| BundleError::io(new, e))?;
            zip.raw_copy_file(entry).map_err(|e| BundleError::io(&partial, e))?;
        }
        zip.start_file(MANIFEST_NAME, zip::write::SimpleFileOptions::default())
            .map_err(|e| BundleError::io(&partial, e))?;
        zip.write_all(&manifest.to_bytes()).map_err(|e| BundleError::io(&partial, e))?;
        zip.finish().map_err(|e| BundleError::io(&partial, e))?.flush().map_err(|e| BundleError::io(&partial, e))?;
        std::fs::rename(&partial, out).map_err(|e| BundleError::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.map(|()| manifest)
}
