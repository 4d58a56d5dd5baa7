//! `koctl bundle ...`: keys in the real keychain, real zips, the library and the version list.

use crate::support::{Koctl, text};
use ko_secrets::testing::keychain_or_skip;
use ko_testbed::Fault;
use serde_json::Value;
use std::io::Write;

/// `koctl bundle build RECIPE --arch amd64 --out ZIP EXTRA...`.
fn build_with(k: &Koctl, recipe: &std::path::Path, zip: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["bundle", "build", recipe.to_str().unwrap(), "--arch", "amd64", "--out", zip.to_str().unwrap()];
    args.extend_from_slice(extra);
    k.run(&args)
}

/// `koctl bundle build RECIPE --arch amd64 --from SRC --out ZIP`.
pub fn build_from(
    k: &Koctl,
    recipe: &std::path::Path,
    src: &std::path::Path,
    zip: &std::path::Path,
) -> std::process::Output {
    build_with(k, recipe, zip, &["--from", src.to_str().unwrap()])
}

/// A source dir with two files and a recipe pinning their SHA-256.
pub(crate) fn recipe(k: &Koctl) -> (std::path::PathBuf, std::path::PathBuf) {
    let src = k.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("runc.amd64"), vec![7u8; 100_000]).unwrap();
    std::fs::write(src.join("flannel.yaml"), "kind: DaemonSet\n".repeat(100)).unwrap();
    let sum = |name: &str| {
        let out = std::process::Command::new("sha256sum").arg(src.join(name)).output().unwrap();
        text(&out.stdout).split_whitespace().next().unwrap().to_string()
    };
    let recipe = k.file(
        "recipe.toml",
        &format!(
            "name = \"k8s-v1.99.0\"\nkubernetes_version = \"v1.99.0\"\n\n[[file]]\ncomponent = \"runc\"\nversion = \"1.1.0\"\narch = \"amd64\"\nkind = \"binary\"\npath = \"bin/runc.tgz\"\nurl = \"https://example.invalid/runc.amd64\"\nsha256 = \"{}\"\nchecksum_source = \"test\"\n\n[[file]]\ncomponent = \"flannel\"\nversion = \"0.25\"\narch = \"all\"\nkind = \"manifest\"\npath = \"manifests/flannel.yaml\"\nurl = \"https://example.invalid/flannel.yaml\"\nsha256 = \"{}\"\nchecksum_source = \"test\"\n",
            sum("runc.amd64"),
            sum("flannel.yaml")
        ),
    );
    (recipe, src)
}

#[test]
fn build_sign_verify_import_and_remove() {
    if keychain_or_skip("build_sign_verify_import_and_remove").is_none() {
        return;
    }
    let k = Koctl::new();
    let (recipe, src) = recipe(&k);
    let zip = k.dir.path().join("b.zip");
    let out = build_from(&k, &recipe, &src, &zip);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let progress = text(&out.stderr);
    assert!(progress.contains("building: 0.1 MiB in 2 file(s) to add"), "the sizes are shown first: {progress}");
    assert!(progress.contains("100%") && progress.contains("files 2/2"), "bytes and files: {progress}");

    // unsigned: refused unless allowed, with exit 2
    let out = k.run(&["bundle", "import", zip.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bundle.unsigned") && text(&out.stderr).contains("--allow-unsigned"),
        "{}",
        text(&out.stderr)
    );

    let key: Value = k.json(&["bundle", "keygen", "--name", "release"]);
    assert_eq!(key["public_key"].as_str().unwrap().len(), 44);
    k.json(&["bundle", "sign", zip.to_str().unwrap(), "--key", "release"]);
    let v = k.json(&["bundle", "verify", zip.to_str().unwrap()]);
    assert_eq!(v["signature"], serde_json::json!({"state": "trusted", "key": "release"}));
    assert_eq!(v["manifest"]["files"].as_array().unwrap().len(), 2);

    // another data dir does not trust the key until told
    let other = Koctl::new();
    assert_eq!(other.run(&["bundle", "verify", zip.to_str().unwrap()]).status.code(), Some(2));
    other.json(&["bundle", "trust", "add", "--name", "vendor", "--public-key", key["public_key"].as_str().unwrap()]);
    assert_eq!(other.json(&["bundle", "verify", zip.to_str().unwrap()])["signature"]["key"], "vendor");

    let imported = k.json(&["bundle", "import", zip.to_str().unwrap()]);
    assert_eq!((imported["name"].as_str(), imported["signed"].as_bool()), (Some("k8s-v1.99.0"), Some(true)));
    let versions = k.json(&["version", "list"]);
    assert_eq!(versions[0]["version"], "v1.99.0", "the bundle's version is available, newest first");
    assert_eq!(versions[0]["source"], "bundle");
    assert_eq!(k.run(&["bundle", "import", zip.to_str().unwrap()]).status.code(), Some(2), "imported once");
    assert_eq!(k.json(&["bundle", "list"]).as_array().unwrap().len(), 1);

    let out = k.json(&["bundle", "rm", "k8s-v1.99.0"]);
    assert!(out["message"].as_str().unwrap().contains("v1.99.0"));
    assert_eq!(k.json(&["bundle", "list"]), serde_json::json!([]));
    assert!(k.json(&["version", "list"]).as_array().unwrap().iter().all(|v| v["version"] != "v1.99.0"));
}

#[test]
fn a_tampered_bundle_names_the_file_and_nothing_is_imported() {
    let k = Koctl::new();
    let (recipe, src) = recipe(&k);
    let zip = k.dir.path().join("b.zip");
    let out = build_from(&k, &recipe, &src, &zip);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // flip one byte of the stored runc payload (a run of 7s) inside the zip
    let mut bytes = std::fs::read(&zip).unwrap();
    let at = bytes.windows(64).position(|w| w.iter().all(|b| *b == 7)).unwrap() + 10;
    bytes[at] = 8;
    std::fs::File::create(&zip).unwrap().write_all(&bytes).unwrap();
    let out = k.run(&["bundle", "import", zip.to_str().unwrap(), "--allow-unsigned"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bundle.tampered") && text(&out.stderr).contains("bin/runc"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(k.json(&["bundle", "list"]), serde_json::json!([]));
    assert!(!k.data_dir().join("bundles/k8s-v1.99.0").exists());

    // a recipe whose file does not match the published checksum stops the build
    std::fs::write(src.join("flannel.yaml"), "changed").unwrap();
    let zip2 = k.dir.path().join("c.zip");
    let out = build_from(&k, &recipe, &src, &zip2);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bundle.upstream_mismatch"), "{}", text(&out.stderr));
    assert!(!zip2.exists());
}

/// A data dir with the test bundle imported, the bed's credentials, and `hosts` registered
/// (host, credential, jump host); returns it with the bundle's files and their total size.
fn library_on_the_bed(
    bed: &ko_testbed::Bed,
    hosts: &[(&ko_testbed::BedHost, &str, Option<&str>)],
) -> (Koctl, Vec<Value>, u64) {
    for (h, _, _) in hosts {
        bed.root_sh(h, "rm -rf /var/lib/ko");
    }
    let k = Koctl::new();
    let (recipe, src) = recipe(&k);
    let zip = k.dir.path().join("b.zip");
    let out = build_from(&k, &recipe, &src, &zip);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    k.json(&["bundle", "import", zip.to_str().unwrap(), "--allow-unsigned"]);
    k.json(&["credential", "add", "--name", "bedroot", "--key-file", bed.root_key().to_str().unwrap()]);
    let out = k.run_with(
        &["credential", "add", "--name", "ops", "--username", "ops", "--password-stdin"],
        &format!("{}\n", ko_testbed::OPS_PASSWORD),
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    for (h, cred, jump) in hosts {
        let ip = h.ip.to_string();
        let mut args =
            vec!["host", "add", "--name", &h.name, "--address", &ip, "--credential", cred, "--trust-on-first-use"];
        if let Some(j) = jump {
            args.extend(["--jump", j]);
        }
        let out = k.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let files = k.json(&["bundle", "verify", zip.to_str().unwrap(), "--allow-unsigned"])["manifest"]["files"]
        .as_array()
        .unwrap()
        .clone();
    let total = files.iter().map(|f| f["size"].as_u64().unwrap()).sum();
    (k, files, total)
}

#[test]
fn push_fills_the_content_store_and_never_sends_a_file_twice() {
    if keychain_or_skip("push_fills_the_content_store_and_never_sends_a_file_twice").is_none() {
        return;
    }
    let Some(bed) = ko_testbed::bed("push_fills_the_content_store_and_never_sends_a_file_twice") else { return };
    let lease = bed.lease("public", 2);
    let (a, b) = (lease.host(0), lease.host(1));
    let (k, files, total) = library_on_the_bed(bed, &[(a, "bedroot", None), (b, "ops", None)]);

    let push = |k: &Koctl| {
        let out = k.run(&["-o", "json", "bundle", "push", "k8s-v1.99.0", "--host", &a.name, "--host", &b.name]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (serde_json::from_slice::<Value>(&out.stdout).unwrap(), text(&out.stderr))
    };
    let (first, progress) = push(&k);
    for r in first.as_array().unwrap() {
        assert_eq!((r["files_sent"].as_u64(), r["bytes_sent"].as_u64()), (Some(2), Some(total)), "{first:#}");
    }
    assert!(
        progress.contains("files 4/4") || progress.contains("files 3/4"),
        "progress in bytes and files: {progress}"
    );
    // the files are on the hosts under their hashes, owned by root, and verified
    for h in [a, b] {
        for f in &files {
            let sha = f["sha256"].as_str().unwrap();
            let got = bed.root_sh(
                h,
                &format!("stat -c '%U %a' /var/lib/ko/store/sha256/{sha}; sha256sum < /var/lib/ko/store/sha256/{sha}"),
            );
            assert_eq!(got, format!("root 644\n{sha}  -\n"));
        }
    }
    // nothing is sent twice
    let (second, _) = push(&k);
    for r in second.as_array().unwrap() {
        assert_eq!(
            (r["files_sent"].as_u64(), r["files_present"].as_u64(), r["bytes_sent"].as_u64()),
            (Some(0), Some(2), Some(0))
        );
    }
    // a host that lost one file gets exactly that one
    let runc = files.iter().find(|f| f["path"] == "bin/runc.tgz").unwrap();
    bed.root_sh(b, &format!("rm /var/lib/ko/store/sha256/{}", runc["sha256"].as_str().unwrap()));
    let (third, _) = push(&k);
    assert_eq!(third[0]["bytes_sent"], 0);
    assert_eq!((third[1]["files_sent"].as_u64(), third[1]["bytes_sent"].as_u64()), (Some(1), runc["size"].as_u64()));
    let audit = k.json(&["audit", "list", "--action", "bundle.push"]);
    assert_eq!(audit.as_array().unwrap().len(), 3);

    // an amd64 bundle is not pushed to an arm64 host (its facts say so)
    let db = k.data_dir().join("ko.db");
    let name = b.name.clone();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
        let db = ko_store::Db::open(&db).unwrap();
        db.write(move |tx| {
            Ok::<_, ko_store::StoreError>(tx.execute("UPDATE hosts SET arch = 'arm64' WHERE name = ?1", [name])?)
        })
        .await
        .unwrap();
    });
    let out = k.run(&["-o", "json", "bundle", "push", "k8s-v1.99.0", "--host", &a.name, "--host", &b.name]);
    assert_eq!(out.status.code(), Some(1));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["error_code"], Value::Null);
    assert_eq!(rows[1]["error_code"], "bundle.wrong_arch");
    assert!(rows[1]["error"].as_str().unwrap().contains("--arch arm64"), "{rows:#}");
}

#[test]
fn relay_sends_each_byte_once_from_here_and_reaches_hidden_hosts_through_the_seed() {
    if keychain_or_skip("relay_sends_each_byte_once...").is_none() {
        return;
    }
    let Some(bed) = ko_testbed::bed("relay_sends_each_byte_once_from_here_and_reaches_hidden_hosts_through_the_seed")
    else {
        return;
    };
    let public = bed.lease("public", 1);
    let private = bed.lease("private", 1);
    let (seed, hidden, other) = (bed.jump_host(), private.host(0), public.host(0));
    let (k, files, total) =
        library_on_the_bed(bed, &[(seed, "bedroot", None), (other, "ops", None), (hidden, "ops", Some(&seed.name))]);

    let out = k.run(&[
        "-o",
        "json",
        "bundle",
        "push",
        "k8s-v1.99.0",
        "--relay",
        &seed.name,
        "--host",
        &seed.name,
        "--host",
        &other.name,
        "--host",
        &hidden.name,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0]["host"].as_str(), rows[0]["via"].as_str(), rows[0]["bytes_sent"].as_u64()),
        (Some(seed.name.as_str()), None, Some(total)),
        "this machine sent each byte once, to the seed"
    );
    for r in &rows[1..] {
        assert_eq!(
            (r["via"].as_str(), r["files_sent"].as_u64(), r["bytes_sent"].as_u64()),
            (Some(seed.name.as_str()), Some(2), Some(total)),
            "{report:#}"
        );
    }
    // the copies are complete and verified, and the relay key is gone everywhere
    for h in [seed, other, hidden] {
        for f in &files {
            let sha = f["sha256"].as_str().unwrap();
            assert_eq!(bed.root_sh(h, &format!("sha256sum < /var/lib/ko/store/sha256/{sha}")), format!("{sha}  -\n"));
        }
        assert_eq!(
            bed.root_sh(h, "grep -c ko-relay /root/.ssh/authorized_keys || true").trim(),
            "0",
            "relay key left on {}",
            h.name
        );
    }
    assert_eq!(
        bed.root_sh(seed, "ls -d /root/.ko-relay.* 2>/dev/null | wc -l").trim(),
        "0",
        "relay dir left on the seed"
    );
    // a second relayed push sends nothing anywhere
    let out = k.run(&[
        "-o",
        "json",
        "bundle",
        "push",
        "k8s-v1.99.0",
        "--relay",
        &seed.name,
        "--host",
        &other.name,
        "--host",
        &hidden.name,
    ]);
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(again.as_array().unwrap().iter().all(|r| r["bytes_sent"] == 0), "{again:#}");
}

#[test]
fn build_downloads_what_it_is_not_given() {
    let k = Koctl::new();
    let (recipe_path, src) = recipe(&k);
    // serve the source dir over HTTP on loopback and point the recipe's URLs at it
    let mut server = std::process::Command::new("python3")
        .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
        .arg(&src)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut first).unwrap();
    let port = first.split(" port ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let text_recipe = std::fs::read_to_string(&recipe_path)
        .unwrap()
        .replace("https://example.invalid", &format!("http://127.0.0.1:{port}"));
    std::fs::write(&recipe_path, text_recipe).unwrap();
    let zip = k.dir.path().join("d.zip");
    let out = build_with(&k, &recipe_path, &zip, &[]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("downloading: 2 file(s)"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("files 2/2"), "files downloaded: {}", text(&out.stderr));
    assert!(k.data_dir().join("downloads/k8s-v1.99.0/runc.amd64").exists(), "downloads are cached in the data dir");
    let v = k.json(&["bundle", "verify", zip.to_str().unwrap(), "--allow-unsigned"]);
    assert_eq!(v["manifest"]["files"].as_array().unwrap().len(), 2);
}

#[test]
fn a_push_cut_mid_way_resumes_with_the_missing_bytes() {
    if keychain_or_skip("a_push_cut_mid_way_resumes_with_the_missing_bytes").is_none() {
        return;
    }
    let Some(bed) = ko_testbed::bed("a_push_cut_mid_way_resumes_with_the_missing_bytes") else { return };
    let lease = bed.lease("public", 1);
    let h = lease.host(0);
    bed.root_sh(h, "rm -rf /var/lib/ko");
    let k = Koctl::new();
    let src = k.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let big: Vec<u8> = (0..(24u32 << 20)).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(src.join("big.tgz"), &big).unwrap();
    let sha = {
        let out = std::process::Command::new("sha256sum").arg(src.join("big.tgz")).output().unwrap();
        text(&out.stdout)[..64].to_string()
    };
    let recipe = k.file(
        "big.toml",
        &format!("name = \"big\"\n\n[[file]]\ncomponent = \"big\"\nversion = \"1\"\narch = \"all\"\nkind = \"other\"\npath = \"big.tgz\"\nurl = \"https://example.invalid/big.tgz\"\nsha256 = \"{sha}\"\nchecksum_source = \"test\"\n"),
    );
    let zip = k.dir.path().join("big.zip");
    let out = build_from(&k, &recipe, &src, &zip);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    k.json(&["bundle", "import", zip.to_str().unwrap(), "--allow-unsigned"]);
    k.json(&["credential", "add", "--name", "bedroot", "--key-file", bed.root_key().to_str().unwrap()]);
    let out = k.run(&[
        "host",
        "add",
        "--name",
        &h.name,
        "--address",
        &h.ip.to_string(),
        "--credential",
        "bedroot",
        "--trust-on-first-use",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // throttle the host so the push takes a while, start it, and cut the link once part has arrived
    bed.fault(h, Fault::Rate(40_000));
    let push = k
        .command(&["-o", "json", "bundle", "push", "big", "--host", &h.name])
        .env("KO_SSH_KEEPALIVE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let part = format!("/var/lib/ko/store/sha256/{sha}.ko-part");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let size: u64 = bed.root_sh(h, &format!("stat -c %s {part} 2>/dev/null || echo 0")).trim().parse().unwrap();
        if size > 4 << 20 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the push never got going");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bed.fault(h, Fault::Cut);
    let first = push.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let rows: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(rows[0]["error_code"].as_str().unwrap().starts_with("ssh."), "{rows:#}");
    bed.fault(h, Fault::Heal);
    bed.fault(h, Fault::Clear);

    let arrived: u64 = bed.root_sh(h, &format!("stat -c %s {part}")).trim().parse().unwrap();
    assert!(arrived > 0 && arrived < big.len() as u64);
    let out = k.run(&["-o", "json", "bundle", "push", "big", "--host", &h.name]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = rows[0]["bytes_sent"].as_u64().unwrap();
    assert!(
        sent < big.len() as u64 && sent >= big.len() as u64 - arrived,
        "resumed: sent {sent} of {}, {arrived} were there",
        big.len()
    );
    assert_eq!(bed.root_sh(h, &format!("sha256sum < /var/lib/ko/store/sha256/{sha}")), format!("{sha}  -\n"));
}

/// Serves `dir` over HTTP on loopback; returns the server and its base URL.
pub(crate) fn serve_dir(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut server = std::process::Command::new("python3")
        .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut first).unwrap();
    let port = first.split(" port ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    (server, format!("http://127.0.0.1:{port}"))
}

#[test]
fn build_downloads_through_a_mirror_what_upstream_would_serve() {
    let k = Koctl::new();
    let (recipe_path, src) = recipe(&k);
    // the internal mirror keeps upstream's files under its own prefix
    let mirror_root = k.dir.path().join("nexus");
    std::fs::create_dir_all(mirror_root.join("repository/upstream")).unwrap();
    for f in ["runc.amd64", "flannel.yaml"] {
        std::fs::copy(src.join(f), mirror_root.join("repository/upstream").join(f)).unwrap();
    }
    let (mut server, base) = serve_dir(&mirror_root);
    let zip = k.dir.path().join("m.zip");
    let mirror = format!("https://example.invalid={base}/repository/upstream");
    let out = build_with(&k, &recipe_path, &zip, &["--mirror", &mirror]);
    let bad = build_with(&k, &recipe_path, std::path::Path::new("x.zip"), &["--mirror", "nope"]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        k.json(&["bundle", "verify", zip.to_str().unwrap(), "--allow-unsigned"])["manifest"]["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(bad.status.code(), Some(2), "a malformed mirror is the caller's mistake");
    assert!(
        text(&bad.stderr).contains("bundle.bad_mirror") && text(&bad.stderr).contains("FROM=TO"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_delta_bundle_imports_on_top_of_its_base_and_is_refused_without_it() {
    if keychain_or_skip("a_delta_bundle_imports_on_top_of_its_base_and_is_refused_without_it").is_none() {
        return;
    }
    let k = Koctl::new();
    let (recipe_path, src) = recipe(&k);
    let old = k.dir.path().join("old.zip");
    assert_eq!(build_from(&k, &recipe_path, &src, &old).status.code(), Some(0));
    k.json(&["bundle", "import", old.to_str().unwrap(), "--allow-unsigned"]);
    // the next release changes only the manifest; runc stays
    std::fs::write(src.join("flannel.yaml"), "kind: DaemonSet # next\n".repeat(100)).unwrap();
    let sum = text(&std::process::Command::new("sha256sum").arg(src.join("flannel.yaml")).output().unwrap().stdout)
        [..64]
        .to_string();
    let text_recipe = std::fs::read_to_string(&recipe_path).unwrap();
    let old_sum = text_recipe.lines().filter(|l| l.starts_with("sha256")).nth(1).unwrap().to_string();
    let next = text_recipe.replace("1.99.0", "1.99.1").replace(&old_sum, &format!("sha256 = \"{sum}\""));
    std::fs::write(&recipe_path, next).unwrap();
    let delta = k.dir.path().join("delta.zip");
    let out = build_with(&k, &recipe_path, &delta, &["--from", src.to_str().unwrap(), "--base", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("delta on top of k8s-v1.99.0: 1 of 2 files in the zip"),
        "{}",
        text(&out.stdout)
    );
    assert!(std::fs::metadata(&delta).unwrap().len() < std::fs::metadata(&old).unwrap().len() / 10);

    // a site without the base: refused, saying which bundle to import first
    let other = Koctl::new();
    let out = other.run(&["bundle", "import", delta.to_str().unwrap(), "--allow-unsigned"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("bundle.base_missing") && text(&out.stderr).contains("import 'k8s-v1.99.0' first")
    );
    assert_eq!(other.json(&["bundle", "list"]), serde_json::json!([]));

    // the site with it: the complete bundle, its version available
    let imported = k.json(&["bundle", "import", delta.to_str().unwrap(), "--allow-unsigned"]);
    assert_eq!((imported["name"].as_str(), imported["files"].as_u64()), (Some("k8s-v1.99.1"), Some(2)));
    let runc = k.data_dir().join("bundles/k8s-v1.99.1/bin/runc.tgz");
    assert_eq!(std::fs::read(runc).unwrap(), vec![7u8; 100_000], "the omitted file came from the base");
    assert!(k.json(&["version", "list"]).as_array().unwrap().iter().any(|v| v["version"] == "v1.99.1"));
}

#[test]
fn a_real_recipe_is_planned_without_downloading() {
    let k = Koctl::new();
    let recipe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bundles/kubernetes-v1.36.0.toml");
    let entries = k.json(&["bundle", "plan", recipe.to_str().unwrap(), "--arch", "arm64"]);
    let entries = entries.as_array().unwrap();
    assert!(entries.iter().all(|e| e["arch"] == "arm64" || e["arch"] == "all"), "only what arm64 nodes get");
    let pin = |component: &str| entries.iter().find(|e| e["component"] == component).unwrap()["pin"].clone();
    assert_eq!(
        (pin("kubernetes-server"), pin("containerd"), pin("calico")),
        ("sha512".into(), "sha256".into(), "unpublished".into())
    );
    let table = text(&k.run(&["bundle", "plan", recipe.to_str().unwrap()]).stdout);
    assert!(table.contains("without a published checksum (the build pins what it gets)"), "{table}");
}
