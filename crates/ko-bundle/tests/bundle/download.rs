//! Downloads against a real HTTP server on loopback that supports ranges and can drop a
//! connection half-way.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_bundle::{BundleSource, FetchOptions, FetchProgress, Mirror, fetch};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// (method, path, range start) of every request.
type Log = Arc<Mutex<Vec<(String, String, u64)>>>;

/// Serves `files` on 127.0.0.1; the first GET of each path in `flaky` is cut after half the body.
fn serve(files: HashMap<String, Vec<u8>>, flaky: Vec<String>) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let (files, flaky, log2) = (Arc::new(files), Arc::new(Mutex::new(flaky)), log.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (files, flaky, log) = (files.clone(), flaky.clone(), log2.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                let mut parts = first.split_whitespace();
                let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
                let mut range = 0u64;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        range = v.trim().trim_end_matches('-').parse().unwrap();
                    }
                }
                log.lock().unwrap().push((method.clone(), path.clone(), range));
                let Some(body) = files.get(&path) else {
                    let _ =
                        stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                };
                let rest = &body[range as usize..];
                let status = if range > 0 {
                    format!("206 Partial Content\r\nContent-Range: bytes {range}-{}/{}", body.len() - 1, body.len())
                } else {
                    "200 OK".into()
                };
                let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", rest.len());
                stream.write_all(head.as_bytes()).unwrap();
                if method == "HEAD" {
                    return;
                }
                let cut = {
                    let mut f = flaky.lock().unwrap();
                    let hit = f.iter().position(|p| *p == path);
                    hit.map(|i| f.remove(i)).is_some()
                };
                let _ = stream.write_all(if cut { &rest[..rest.len() / 2] } else { rest });
            });
        }
    });
    (base, log)
}

fn sha256(bytes: &[u8]) -> String {
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()[..64].to_string()
}

fn recipe(base: &str, files: &[(&str, &[u8], Option<&str>)]) -> BundleSource {
    let mut text = String::from("name = \"dl\"\n");
    for (name, body, wrong) in files {
        let digest = wrong.map(String::from).unwrap_or_else(|| sha256(body));
        text.push_str(&format!(
            "\n[[file]]\ncomponent = \"{name}\"\nversion = \"1\"\narch = \"amd64\"\nkind = \"binary\"\npath = \"bin/{name}\"\nurl = \"{base}/{name}\"\nsha256 = \"{digest}\"\nchecksum_source = \"test server\"\n"
        ));
    }
    BundleSource::parse(&text).unwrap()
}

fn fast() -> FetchOptions {
    FetchOptions { parallel: 3, retries: 3, backoff: Duration::from_millis(10), ..FetchOptions::default() }
}

#[test]
fn parallel_downloads_resume_after_a_cut_and_are_checked() {
    let bodies: Vec<(String, Vec<u8>)> =
        (0..5).map(|i| (format!("f{i}"), (0..400_000u32).map(|x| (x * (i + 3)) as u8).collect())).collect();
    let files: HashMap<String, Vec<u8>> = bodies.iter().map(|(n, b)| (format!("/{n}"), b.clone())).collect();
    let (base, log) = serve(files, vec!["/f1".into(), "/f3".into()]);
    let entries: Vec<(&str, &[u8], Option<&str>)> =
        bodies.iter().map(|(n, b)| (n.as_str(), b.as_slice(), None)).collect();
    let source = recipe(&base, &entries);
    let dir = tempfile::tempdir().unwrap();
    let seen = Mutex::new(Vec::new());
    let report = fetch(&source, &["amd64".into()], dir.path(), &fast(), |p| seen.lock().unwrap().push(p)).unwrap();
    assert_eq!((report.downloaded, report.present), (5, 0));
    // the two cut files arrived as a half plus the other half: no byte was received twice
    assert_eq!(report.bytes, 5 * 400_000);
    for (n, b) in &bodies {
        assert_eq!(std::fs::read(dir.path().join(n)).unwrap(), *b);
        assert!(!dir.path().join(format!("{n}.part")).exists());
    }
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen[0], FetchProgress::Planned { total: 2_000_000, files: 5 }, "the size is known first");
    let finished: Vec<usize> = seen
        .iter()
        .filter_map(|p| match p {
            FetchProgress::Bytes { files_done, files: 5, .. } => Some(*files_done),
            _ => None,
        })
        .collect();
    assert!(finished.windows(2).all(|w| w[0] <= w[1]), "files finished only grow: {finished:?}");
    assert_eq!(
        seen.last(),
        Some(&FetchProgress::Bytes { done: 2_000_000, total: 2_000_000, files_done: 5, files: 5 }),
        "the last update counts every file"
    );
    let log = log.lock().unwrap().clone();
    for cut in ["/f1", "/f3"] {
        let gets: Vec<u64> = log.iter().filter(|(m, p, _)| m == "GET" && p == cut).map(|(_, _, r)| *r).collect();
        assert_eq!(gets, [0, 200_000], "{cut}: resumed from the received offset");
    }

    // a second fetch finds everything in place and downloads nothing
    let again = fetch(&source, &["amd64".into()], dir.path(), &fast(), |_| {}).unwrap();
    assert_eq!((again.downloaded, again.present, again.bytes), (0, 5, 0));
}

#[test]
fn a_file_that_is_not_what_upstream_published_is_refused_and_not_kept() {
    let files = HashMap::from([("/evil".to_string(), b"not the release".to_vec())]);
    let (base, _) = serve(files, vec![]);
    let source = recipe(&base, &[("evil", b"the release", None)]);
    let dir = tempfile::tempdir().unwrap();
    let e = fetch(&source, &["amd64".into()], dir.path(), &fast(), |_| {}).unwrap_err();
    assert_eq!(e.code(), "bundle.upstream_mismatch");
    assert!(e.to_string().contains("test server"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing kept");

    let (base, _) = serve(HashMap::new(), vec![]);
    let source = recipe(&base, &[("gone", b"x", None)]);
    let e = fetch(&source, &["amd64".into()], dir.path(), &fast(), |_| {}).unwrap_err();
    assert!(e.to_string().contains("after 4 attempts") && e.to_string().contains("404"), "{e}");
}

#[test]
fn a_mirror_serves_the_files_and_they_are_still_checked_against_the_recipe() {
    let good = b"the release".to_vec();
    let files = HashMap::from([
        ("/repository/k8s/v1/kubeadm".to_string(), good.clone()),
        ("/repository/k8s/v1/kubelet".to_string(), b"something else".to_vec()),
    ]);
    let (mirror, log) = serve(files, vec![]);
    // upstream is unreachable from here: only the mirror can serve the recipe
    let source = recipe("https://dl.k8s.io.invalid/v1", &[("kubeadm", &good, None)]);
    let dir = tempfile::tempdir().unwrap();
    let opts = FetchOptions {
        mirrors: vec![Mirror::parse(&format!("https://dl.k8s.io.invalid={mirror}/repository/k8s")).unwrap()],
        ..fast()
    };
    let report = fetch(&source, &["amd64".into()], dir.path(), &opts, |_| {}).unwrap();
    assert_eq!(report.downloaded, 1);
    assert_eq!(std::fs::read(dir.path().join("kubeadm")).unwrap(), good);
    assert!(log.lock().unwrap().iter().any(|(m, p, _)| m == "GET" && p == "/repository/k8s/v1/kubeadm"));

    // what the mirror serves must still be what the recipe pins
    let source = recipe("https://dl.k8s.io.invalid/v1", &[("kubelet", b"the real kubelet", None)]);
    let e = fetch(&source, &["amd64".into()], dir.path(), &opts, |_| {}).unwrap_err();
    assert_eq!(e.code(), "bundle.upstream_mismatch");
    assert!(e.to_string().contains("/repository/k8s/v1/kubelet"), "names the file it got: {e}");

    // the recipe's own [[mirror]] works the same
    let text = format!(
        "name = \"m\"\n\n[[mirror]]\nfrom = \"dl.k8s.io.invalid\"\nto = \"{mirror}/repository/k8s\"\n\n[[file]]\ncomponent = \"kubeadm\"\nversion = \"1\"\narch = \"amd64\"\nkind = \"binary\"\npath = \"bin/kubeadm\"\nurl = \"https://dl.k8s.io.invalid/v1/kubeadm\"\nsha256 = \"{}\"\nchecksum_source = \"test\"\n",
        sha256(&good)
    );
    let source = BundleSource::parse(&text).unwrap();
    let other = tempfile::tempdir().unwrap();
    assert_eq!(fetch(&source, &["amd64".into()], other.path(), &fast(), |_| {}).unwrap().downloaded, 1);
}

#[test]
fn a_file_upstream_publishes_no_checksum_of_is_pinned_by_the_build() {
    let body = b"calico.yaml as the release has it".to_vec();
    let (base, _) = serve(HashMap::from([("/calico.yaml".to_string(), body.clone())]), vec![]);
    let entry = |pin: &str| {
        format!(
            "name = \"u\"\n\n[[file]]\ncomponent = \"calico\"\nversion = \"v3.31.7\"\narch = \"all\"\nkind = \"manifest\"\npath = \"manifests/calico.yaml\"\nurl = \"{base}/calico.yaml\"\n{pin}checksum_source = \"upstream publishes none; the build pins it\"\n"
        )
    };
    let source = BundleSource::parse(&entry("unpublished = true\n")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    fetch(&source, &["amd64".into()], dir.path(), &fast(), |_| {}).unwrap();
    let zip = dir.path().join("u.zip");
    let report = ko_bundle::build(&source, &["amd64".into()], dir.path(), &zip, None, |_| {}).unwrap();
    assert_eq!(report.manifest.files[0].sha256, sha256(&body), "the signed manifest pins what the build got");

    // a recipe says one or the other: a published checksum, or that there is none
    let both = entry(&format!("unpublished = true\nsha256 = \"{}\"\n", sha256(&body)));
    assert!(BundleSource::parse(&both).unwrap_err().contains("drop one of them"));
    assert!(BundleSource::parse(&entry("")).unwrap_err().contains("unpublished = true"));
}
