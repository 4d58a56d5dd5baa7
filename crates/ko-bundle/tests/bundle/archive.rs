//! Bundles built, signed, verified and extracted for real (real files, real zips).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_bundle::{BundleError, BundleSource, Signature, SigningKey, TrustedKey, build, extract, sign, verify};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn sha(path: &Path, algo: &str) -> String {
    let out = std::process::Command::new(format!("{algo}sum")).arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

fn random(path: &Path, len: usize) {
    let mut f = std::fs::File::open("/dev/urandom").unwrap();
    let mut buf = vec![0u8; len];
    f.read_exact(&mut buf).unwrap();
    std::fs::write(path, buf).unwrap();
}

/// A source dir with three files and a recipe pinning their checksums.
struct Fixture {
    dir: tempfile::TempDir,
    source: BundleSource,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir(&src).unwrap();
        random(&src.join("containerd-1.7.0-linux-amd64.tar.gz"), 300_000);
        random(&src.join("containerd-1.7.0-linux-arm64.tar.gz"), 200_000);
        std::fs::write(src.join("calico.yaml"), "kind: DaemonSet\n".repeat(5000)).unwrap();
        let recipe = format!(
            r#"
name = "test-bundle"
kubernetes_version = "v1.34.1"

[[file]]
component = "containerd"
version = "1.7.0"
arch = "amd64"
kind = "binary"
path = "bin/amd64/containerd.tar.gz"
url = "https://example.invalid/containerd-1.7.0-linux-amd64.tar.gz"
sha256 = "{}"
checksum_source = "test fixture"

[[file]]
component = "containerd"
version = "1.7.0"
arch = "arm64"
kind = "binary"
path = "bin/arm64/containerd.tar.gz"
url = "https://example.invalid/containerd-1.7.0-linux-arm64.tar.gz"
sha512 = "{}"
checksum_source = "test fixture"

[[file]]
component = "calico"
version = "3.28"
arch = "all"
kind = "manifest"
path = "manifests/calico.yaml"
url = "https://example.invalid/calico.yaml"
sha256 = "{}"
checksum_source = "test fixture"
"#,
            sha(&src.join("containerd-1.7.0-linux-amd64.tar.gz"), "sha256"),
            sha(&src.join("containerd-1.7.0-linux-arm64.tar.gz"), "sha512"),
            sha(&src.join("calico.yaml"), "sha256"),
        );
        let source = BundleSource::parse(&recipe).unwrap();
        Self { dir, source }
    }

    fn src(&self) -> PathBuf {
        self.dir.path().join("src")
    }

    fn build(&self, arches: &[&str]) -> PathBuf {
        let out = self.dir.path().join(format!("b-{}.zip", arches.join("-")));
        let arches: Vec<String> = arches.iter().map(|a| a.to_string()).collect();
        build(&self.source, &arches, &self.src(), &out, None, |_| {}).unwrap();
        out
    }
}

#[test]
fn build_takes_the_arch_checks_upstream_digests_and_stores_compressed_files() {
    let f = Fixture::new();
    let out = f.dir.path().join("b.zip");
    let mut calls = Vec::new();
    let report = build(&f.source, &["amd64".into()], &f.src(), &out, None, |p| {
        calls.push((p.file.clone(), p.done, p.total, p.files_done, p.files))
    })
    .unwrap();
    let paths: Vec<_> = report.manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["bin/amd64/containerd.tar.gz", "manifests/calico.yaml"]);
    assert_eq!(calls[0], (String::new(), 0, 300_000 + 80_000, 0, 2), "the sizes are known before writing");
    assert_eq!(calls.last().unwrap(), &("manifests/calico.yaml".to_string(), 380_000, 380_000, 2, 2));
    let first_done = calls.iter().position(|c| c.3 == 1).unwrap();
    assert_eq!(calls[first_done].1, 300_000, "a file counts once all its bytes are in");
    assert_eq!(report.manifest.files[0].sha256, sha(&f.src().join("containerd-1.7.0-linux-amd64.tar.gz"), "sha256"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!(zip.by_name("bin/amd64/containerd.tar.gz").unwrap().compression(), zip::CompressionMethod::Stored);
    let yaml = zip.by_name("manifests/calico.yaml").unwrap();
    assert_eq!(yaml.compression(), zip::CompressionMethod::Deflated);
    assert!(yaml.compressed_size() < 10_000, "text is deflated");
    assert!(!out.with_extension("zip.partial").exists());
}

#[test]
fn a_file_that_does_not_match_its_published_digest_stops_the_build() {
    let f = Fixture::new();
    std::fs::write(f.src().join("calico.yaml"), "kind: Evil\n").unwrap();
    let out = f.dir.path().join("b.zip");
    let e = build(&f.source, &["amd64".into()], &f.src(), &out, None, |_| {}).unwrap_err();
    assert!(
        matches!(&e, BundleError::UpstreamMismatch { algorithm: "sha256", source_name, .. } if source_name == "test fixture"),
        "{e}"
    );
    assert!(!out.exists() && !out.with_extension("zip.partial").exists(), "nothing half written");
    std::fs::remove_file(f.src().join("containerd-1.7.0-linux-arm64.tar.gz")).unwrap();
    let e = build(&f.source, &["arm64".into()], &f.src(), &out, None, |_| {}).unwrap_err();
    assert_eq!(e.code(), "bundle.file_missing");
    assert!(e.to_string().contains("https://example.invalid/containerd-1.7.0-linux-arm64.tar.gz"), "{e}");
}

#[test]
fn signatures_decide_trust() {
    let f = Fixture::new();
    let out = f.build(&["amd64", "arm64"]);
    assert_eq!(verify(&out, &[], false).unwrap_err().code(), "bundle.unsigned");
    let unsigned = verify(&out, &[], true).unwrap();
    assert_eq!((unsigned.signature, unsigned.manifest.files.len()), (Signature::Unsigned, 3));

    let key = SigningKey::generate().unwrap();
    let again = SigningKey::from_secret_text(&key.secret_text()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    sign(&out, &key).unwrap();
    let trusted = [TrustedKey { name: "release".into(), public_key: key.public_key() }];
    let report = verify(&out, &trusted, false).unwrap();
    assert_eq!(report.signature, Signature::Trusted("release".into()));
    assert_eq!(report.bytes_checked, 300_000 + 200_000 + 80_000);

    let stranger = SigningKey::generate().unwrap();
    let strangers = [TrustedKey { name: "other".into(), public_key: stranger.public_key() }];
    assert_eq!(verify(&out, &strangers, false).unwrap_err().code(), "bundle.untrusted");
    // re-signing replaces the signature
    sign(&out, &stranger).unwrap();
    assert_eq!(verify(&out, &strangers, false).unwrap().signature, Signature::Trusted("other".into()));
    assert_eq!(verify(&out, &trusted, false).unwrap_err().code(), "bundle.untrusted");
}

/// Rewrites `zip_path` with `edit` applied to each (name, bytes); `extra` entries appended.
fn rewrite(zip_path: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>, extra: &[(&str, &[u8])]) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        entries.push((e.name().to_string(), bytes));
    }
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    for (name, bytes) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(&edit(&name, bytes)).unwrap();
    }
    for (name, bytes) in extra {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn tampering_is_caught_and_named() {
    let f = Fixture::new();
    let key = SigningKey::generate().unwrap();
    let trusted = [TrustedKey { name: "k".into(), public_key: key.public_key() }];

    let out = f.build(&["amd64"]);
    sign(&out, &key).unwrap();
    rewrite(
        &out,
        |name, mut b| {
            if name == "manifests/calico.yaml" {
                b[10] ^= 1;
            }
            b
        },
        &[],
    );
    let e = verify(&out, &trusted, false).unwrap_err();
    assert!(matches!(&e, BundleError::Tampered { path, .. } if path == "manifests/calico.yaml"), "{e}");

    let out = f.build(&["amd64"]);
    sign(&out, &key).unwrap();
    rewrite(
        &out,
        |name, b| {
            if name == "manifest.json" {
                String::from_utf8(b).unwrap().replace("1.7.0", "1.7.1").into_bytes()
            } else {
                b
            }
        },
        &[],
    );
    assert_eq!(verify(&out, &trusted, false).unwrap_err().code(), "bundle.bad_signature");

    let out = f.build(&["amd64"]);
    rewrite(&out, |_, b| b, &[("bin/extra", b"surprise")]);
    assert_eq!(verify(&out, &[], true).unwrap_err().code(), "bundle.extra_file");

    let not_zip = f.dir.path().join("not.zip");
    std::fs::write(&not_zip, b"PK but not really").unwrap();
    assert_eq!(verify(&not_zip, &[], true).unwrap_err().code(), "bundle.not_a_zip");
}

#[test]
fn paths_escaping_the_target_and_links_are_refused_and_nothing_is_written() {
    let f = Fixture::new();
    let out = f.build(&["amd64"]);
    rewrite(&out, |_, b| b, &[("../escaped", b"x")]);
    let target = f.dir.path().join("lib/bundle");
    let e = extract(&out, &target, &[], true, None).unwrap_err();
    assert!(matches!(&e, BundleError::UnsafePath { path, .. } if path == "../escaped"), "{e}");
    assert!(!f.dir.path().join("lib/escaped").exists() && !f.dir.path().join("escaped").exists());
    assert!(!target.exists());

    let out = f.build(&["amd64"]);
    let mut src = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let linked = f.dir.path().join("linked.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&linked).unwrap());
    for i in 0..src.len() {
        w.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
    }
    w.add_symlink("bin/evil", "/etc/shadow", zip::write::SimpleFileOptions::default()).unwrap();
    w.finish().unwrap();
    assert_eq!(verify(&linked, &[], true).unwrap_err().code(), "bundle.unsafe_path");
}

#[test]
fn extract_writes_a_verified_bundle_atomically() {
    let f = Fixture::new();
    let out = f.build(&["amd64"]);
    let target = f.dir.path().join("library/test-bundle");
    let report = extract(&out, &target, &[], true, None).unwrap();
    for file in &report.manifest.files {
        assert_eq!(sha(&target.join(&file.path), "sha256"), file.sha256);
    }
    assert!(target.join("manifest.json").exists());
    assert_eq!(
        extract(&out, &target, &[], true, None).unwrap_err().code(),
        "bundle.io",
        "an existing target is not overwritten"
    );

    rewrite(
        &out,
        |name, mut b| {
            if name == "bin/amd64/containerd.tar.gz" {
                b[100] ^= 1;
            }
            b
        },
        &[],
    );
    let target2 = f.dir.path().join("library/second");
    assert_eq!(extract(&out, &target2, &[], true, None).unwrap_err().code(), "bundle.tampered");
    assert!(!target2.exists());
    let leftovers: Vec<_> =
        std::fs::read_dir(f.dir.path().join("library")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("test-bundle")], "no partial directory left");
}

#[test]
fn every_recipe_in_the_repository_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bundles");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let source = BundleSource::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                source.files.iter().all(|f| !f.checksum_source.is_empty() && f.url.starts_with("https://")),
                "{}",
                path.display()
            );
            n += 1;
        }
    }
    assert!(n >= 2, "recipes for at least the two newest Kubernetes minors");
}

#[test]
fn truncated_zips_lying_sizes_and_zip_bombs_are_refused() {
    let f = Fixture::new();
    let out = f.build(&["amd64"]);
    let bytes = std::fs::read(&out).unwrap();
    let truncated = f.dir.path().join("truncated.zip");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(verify(&truncated, &[], true).unwrap_err().code(), "bundle.not_a_zip");

    // a manifest that lies about a size
    rewrite(
        &out,
        |name, b| {
            if name == "manifest.json" {
                String::from_utf8(b).unwrap().replacen("\"size\": 300000", "\"size\": 300001", 1).into_bytes()
            } else {
                b
            }
        },
        &[],
    );
    let e = verify(&out, &[], true).unwrap_err();
    assert!(
        matches!(&e, BundleError::SizeMismatch { path, manifest: 300_001, archive: 300_000 } if path == "bin/amd64/containerd.tar.gz"),
        "{e}"
    );

    // a zip bomb: 64 MiB of zeros in a few KiB, declared in the manifest as 1 KiB
    let bomb = f.dir.path().join("bomb.zip");
    let manifest = serde_json::json!({
        "format": 1, "name": "bomb", "kubernetes_version": null, "arches": ["amd64"],
        "files": [{"path": "bomb.bin", "size": 1024, "sha256": "0".repeat(64), "component": "x", "version": "1", "arch": "amd64", "kind": "other"}]
    });
    let mut w = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let deflate = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("bomb.bin", deflate).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        w.write_all(&zeros).unwrap();
    }
    w.start_file("manifest.json", deflate).unwrap();
    w.write_all(manifest.to_string().as_bytes()).unwrap();
    w.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let target = f.dir.path().join("bomb-target");
    let e = extract(&bomb, &target, &[], true, None).unwrap_err();
    assert!(matches!(&e, BundleError::SizeMismatch { manifest: 1024, archive, .. } if *archive == 64 << 20), "{e}");
    assert!(!target.exists());
}

#[test]
fn a_delta_carries_only_what_its_base_lacks_and_imports_only_on_top_of_it() {
    let f = Fixture::new();
    let old = f.build(&["amd64", "arm64"]);
    // the next release: a new calico manifest, the same containerd archives
    std::fs::write(f.src().join("calico.yaml"), "kind: DaemonSet # v2\n".repeat(5000)).unwrap();
    let mut source = f.source.clone();
    source.files[2].sha256 = Some(sha(&f.src().join("calico.yaml"), "sha256"));
    source.files[2].version = "3.29".into();
    let arches = ["amd64".to_string(), "arm64".to_string()];
    let base = ko_bundle::read_manifest(&old).unwrap();
    let delta = f.dir.path().join("delta.zip");
    let report = build(&source, &arches, &f.src(), &delta, Some(&base), |_| {}).unwrap();
    let omitted = &report.manifest.base.as_ref().unwrap().omitted;
    assert_eq!(omitted, &["bin/amd64/containerd.tar.gz", "bin/arm64/containerd.tar.gz"]);
    assert_eq!(report.manifest.files.len(), 3, "the manifest lists the whole bundle");
    assert!(std::fs::metadata(&delta).unwrap().len() < 20_000, "the zip holds only the new manifest file");
    let v = verify(&delta, &[], true).unwrap();
    let carried = std::fs::metadata(f.src().join("calico.yaml")).unwrap().len();
    assert_eq!(v.bytes_checked, carried, "only the carried file is hashed");

    // imported on its base: the complete bundle, every file re-hashed
    let library = f.dir.path().join("library");
    extract(&old, &library.join("test-bundle"), &[], true, None).unwrap();
    let base_dir = library.join("test-bundle");
    let base_ref = ko_bundle::BaseDir { dir: &base_dir, manifest: &base };
    let target = library.join("next");
    extract(&delta, &target, &[], true, Some(&base_ref)).unwrap();
    for file in &report.manifest.files {
        assert_eq!(sha(&target.join(&file.path), "sha256"), file.sha256, "{}", file.path);
    }
    // without its base it is refused, naming the base; nothing is written
    let e = extract(&delta, &library.join("other"), &[], true, None).unwrap_err();
    assert_eq!(e.code(), "bundle.base_missing");
    assert!(e.to_string().contains("'test-bundle'"), "{e}");
    assert!(!library.join("other").exists());
    // on a base that is not the one it was made on: refused, nothing written
    std::fs::write(base_dir.join("bin/amd64/containerd.tar.gz"), b"changed").unwrap();
    let e = extract(&delta, &library.join("other"), &[], true, Some(&base_ref)).unwrap_err();
    assert_eq!(e.code(), "bundle.base_mismatch");
    assert!(!library.join("other").exists() && !library.join(".other.partial").exists());

    // `diff` makes the same delta from two complete bundles
    let new = f.dir.path().join("new.zip");
    build(&source, &arches, &f.src(), &new, None, |_| {}).unwrap();
    let diffed = f.dir.path().join("diffed.zip");
    let m = ko_bundle::diff(&old, &new, &diffed, &[], true).unwrap();
    assert_eq!(m.base.as_ref().unwrap().omitted, *omitted);
    assert_eq!(verify(&diffed, &[], true).unwrap().manifest, m);
}
