//! Images pulled from a real registry (Debian's docker-registry on loopback, filled with skopeo).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_bundle::{BundleSource, FetchOptions, PullFrom, build, fetch, pull_image, verify_image_archive};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Registry {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A registry on a free loopback port, or `None` (loudly) where its tools are not installed.
fn registry(test: &str) -> Option<Registry> {
    let missing: Vec<&str> = ["docker-registry", "skopeo"]
        .into_iter()
        .filter(|t| {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .output()
                .map(|o| !o.status.success())
                .unwrap_or(true)
        })
        .collect();
    if !missing.is_empty() {
        if std::env::var_os("KO_REQUIRE_REGISTRY").is_some() {
            panic!("KO_REQUIRE_REGISTRY is set but {missing:?} are not installed");
        }
        eprintln!("\n!!! SKIPPED {test}: {missing:?} not installed (./dev test installs them)\n");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n", dir.path().join("data").display()),
    )
    .unwrap();
    let mut child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return Some(Registry { child, addr, _dir: dir });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the registry did not start on {addr}");
}

/// A one-layer docker-archive made here, pushed to `reg` as `name`; returns the tag's digest.
fn push_image(reg: &Registry, dir: &Path, name: &str, content: &str) -> String {
    let layer_dir = dir.join(format!("layer-{name}"));
    std::fs::create_dir_all(layer_dir.join("etc")).unwrap();
    std::fs::write(layer_dir.join("etc/hello"), content).unwrap();
    let layer = dir.join(format!("{name}-layer.tar"));
    assert!(
        Command::new("tar")
            .args(["--mtime=@0", "--owner=0", "--group=0", "-C"])
            .arg(&layer_dir)
            .arg("-cf")
            .arg(&layer)
            .arg(".")
            .status()
            .unwrap()
            .success()
    );
    let sha = |p: &Path| {
        String::from_utf8(Command::new("sha256sum").arg(p).output().unwrap().stdout).unwrap()[..64].to_string()
    };
    let l = sha(&layer);
    let out = dir.join(format!("{name}-out"));
    std::fs::create_dir_all(out.join(&l)).unwrap();
    std::fs::rename(&layer, out.join(&l).join("layer.tar")).unwrap();
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["sha256:{l}"]}}}}"#
    );
    std::fs::write(out.join("config.json"), &config).unwrap();
    let c = sha(&out.join("config.json"));
    std::fs::rename(out.join("config.json"), out.join(format!("{c}.json"))).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        format!(r#"[{{"Config":"{c}.json","RepoTags":["local/{name}:1"],"Layers":["{l}/layer.tar"]}}]"#),
    )
    .unwrap();
    let archive = dir.join(format!("{name}.tar"));
    assert!(Command::new("tar").arg("-C").arg(&out).arg("-cf").arg(&archive).arg(".").status().unwrap().success());
    let target = format!("docker://{}/local/{name}:1", reg.addr);
    let st = Command::new("skopeo")
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(&target)
        .status()
        .unwrap();
    assert!(st.success());
    let raw = Command::new("skopeo").args(["inspect", "--raw", "--tls-verify=false", &target]).output().unwrap();
    let tmp = dir.join(format!("{name}.manifest"));
    std::fs::write(&tmp, raw.stdout).unwrap();
    format!("sha256:{}", sha(&tmp))
}

#[test]
fn pulls_verify_digests_and_make_self_checking_archives() {
    let Some(reg) = registry("pulls_verify_digests_and_make_self_checking_archives") else { return };
    let dir = tempfile::tempdir().unwrap();
    let digest = push_image(&reg, dir.path(), "hello", "hello from the registry\n");
    let image = format!("{}/local/hello:1", reg.addr);
    let out = dir.path().join("hello.oci.tar");
    let direct = PullFrom { reference: image.clone(), plain_http: true };
    pull_image(&image, &direct, Some(&digest), "amd64", &out).unwrap();
    verify_image_archive(&out, Some(&digest)).unwrap();
    let listing = String::from_utf8(Command::new("tar").arg("-tf").arg(&out).output().unwrap().stdout).unwrap();
    assert!(
        listing.contains("oci-layout")
            && listing.contains("index.json")
            && listing.contains(&format!("blobs/sha256/{}", &digest[7..])),
        "{listing}"
    );
    // another OCI implementation reads the archive as the same image
    let inspected =
        Command::new("skopeo").arg("inspect").arg(format!("oci-archive:{}", out.display())).output().unwrap();
    assert!(inspected.status.success(), "{}", String::from_utf8_lossy(&inspected.stderr));
    assert!(String::from_utf8_lossy(&inspected.stdout).contains(&digest), "skopeo sees the pinned digest");

    // a tag that now names something else than the pinned digest is refused
    let wrong = format!("sha256:{}", "0".repeat(64));
    let e = pull_image(&image, &direct, Some(&wrong), "amd64", &dir.path().join("x.tar")).unwrap_err();
    assert_eq!(e.code(), "bundle.upstream_mismatch");
    assert!(!dir.path().join("x.tar").exists());
    assert_eq!(verify_image_archive(&out, Some(&wrong)).unwrap_err().code(), "bundle.upstream_mismatch");

    // a changed byte in a blob (here the image config) is found and named
    let tampered = dir.path().join("tampered.tar");
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.windows(22).position(|w| w == br#""architecture":"amd64""#).unwrap();
    bytes[at + 16..at + 21].copy_from_slice(b"arm64");
    std::fs::write(&tampered, bytes).unwrap();
    let e = verify_image_archive(&tampered, Some(&digest)).unwrap_err();
    assert!(matches!(&e, ko_bundle::BundleError::Tampered { path, .. } if path.contains("blobs/sha256/")), "{e}");
}

#[test]
fn a_recipe_with_images_fetches_and_builds() {
    let Some(reg) = registry("a_recipe_with_images_fetches_and_builds") else { return };
    let dir = tempfile::tempdir().unwrap();
    let digest = push_image(&reg, dir.path(), "pause", "pause\n");
    let recipe = format!(
        "name = \"imgs\"\n\n[[image]]\nname = \"{}/local/pause:1\"\ndigest = \"{digest}\"\narch = \"amd64\"\npath = \"images/pause.tar\"\nchecksum_source = \"test registry\"\nplain_http = true\n",
        reg.addr
    );
    let source = BundleSource::parse(&recipe).unwrap();
    let cache: PathBuf = dir.path().join("cache");
    let r = fetch(&source, &["amd64".into()], &cache, &FetchOptions::default(), |_| {}).unwrap();
    assert_eq!((r.downloaded, r.present), (1, 0));
    let again = fetch(&source, &["amd64".into()], &cache, &FetchOptions::default(), |_| {}).unwrap();
    assert_eq!((again.downloaded, again.present), (0, 1), "a verified archive is not pulled again");
    let zip = dir.path().join("imgs.zip");
    let report = build(&source, &["amd64".into()], &cache, &zip, None, |_| {}).unwrap();
    assert_eq!(report.manifest.files[0].kind, ko_bundle::FileKind::Image);
    assert_eq!(report.manifest.files[0].path, "images/pause.tar");
    let v = ko_bundle::verify(&zip, &[], true).unwrap();
    assert_eq!(v.manifest.files.len(), 1);
}

#[test]
fn an_image_pulled_through_a_mirror_keeps_its_upstream_name() {
    let Some(reg) = registry("an_image_pulled_through_a_mirror_keeps_its_upstream_name") else { return };
    let dir = tempfile::tempdir().unwrap();
    let digest = push_image(&reg, dir.path(), "coredns", "coredns\n");
    // the recipe names the image upstream (unreachable here); the mirror holds it under local/
    let recipe = format!(
        "name = \"m\"\n\n[[image]]\nname = \"registry.k8s.io.invalid/local/coredns:1\"\ndigest = \"{digest}\"\narch = \"amd64\"\npath = \"images/coredns.tar\"\nchecksum_source = \"test registry\"\n"
    );
    let source = BundleSource::parse(&recipe).unwrap();
    let opts = FetchOptions {
        mirrors: vec![ko_bundle::Mirror::parse(&format!("registry.k8s.io.invalid=http://{}", reg.addr)).unwrap()],
        ..FetchOptions::default()
    };
    let cache = dir.path().join("cache");
    assert_eq!(fetch(&source, &["amd64".into()], &cache, &opts, |_| {}).unwrap().downloaded, 1);
    let archive = cache.join("images_coredns.tar");
    verify_image_archive(&archive, Some(&digest)).unwrap();
    let index = Command::new("tar").arg("-xOf").arg(&archive).arg("index.json").output().unwrap();
    let index = String::from_utf8(index.stdout).unwrap();
    assert!(index.contains("\"io.containerd.image.name\":\"registry.k8s.io.invalid/local/coredns:1\""), "{index}");
}

#[test]
fn an_image_without_a_published_digest_is_taken_as_the_tag_names_it_and_pinned_by_the_bundle() {
    let Some(reg) =
        registry("an_image_without_a_published_digest_is_taken_as_the_tag_names_it_and_pinned_by_the_bundle")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let digest = push_image(&reg, dir.path(), "flannel", "flannel\n");
    let recipe = format!(
        "name = \"u\"\n\n[[image]]\nname = \"{}/local/flannel:1\"\ncomponent = \"flannel\"\nunpublished = true\narch = \"amd64\"\npath = \"images/flannel.tar\"\nchecksum_source = \"upstream publishes tags only\"\nplain_http = true\n",
        reg.addr
    );
    let source = BundleSource::parse(&recipe).unwrap();
    let cache = dir.path().join("cache");
    fetch(&source, &["amd64".into()], &cache, &FetchOptions::default(), |_| {}).unwrap();
    verify_image_archive(&cache.join("images_flannel.tar"), Some(&digest)).unwrap();
    let zip = dir.path().join("u.zip");
    let report = build(&source, &["amd64".into()], &cache, &zip, None, |_| {}).unwrap();
    let f = &report.manifest.files[0];
    assert_eq!((f.component.as_str(), f.version.as_str()), ("flannel", "1"));
    assert_eq!(f.sha256, ko_bundle::sha256_file(&cache.join("images_flannel.tar")).unwrap().0);
}
