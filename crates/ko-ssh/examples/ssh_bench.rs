//! Benchmark (not a test): ko-ssh against OpenSSH tools on the same test-bed hosts, same run.
//!
//! `tests/bench/ssh` brings the bed up and runs this. It prints ratios against named baselines:
//! upload of one file to 1 and to 3 hosts vs `scp`, and `true` on 10 hosts vs `parallel-ssh`.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly

use ko_secrets::Sensitive;
use ko_ssh::{Auth, ConnectOptions, ExecOptions, HostKeyPolicy, Session, Target, Upload, fan_out};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn target(ip: &str, key: &Path) -> Target {
    Target {
        name: ip.into(),
        address: ip.into(),
        port: 22,
        user: "root".into(),
        auth: Auth::Key { key: Sensitive::new(std::fs::read_to_string(key).unwrap()), passphrase: None },
        sudo_password: None,
        host_key: HostKeyPolicy::TrustOnFirstUse,
        jump: None,
    }
}

fn ssh_opts(key: &Path) -> Vec<String> {
    [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
        "-i",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([key.display().to_string()])
    .collect()
}

fn clean(ips: &[String], key: &Path) {
    for ip in ips {
        Command::new("ssh")
            .args(ssh_opts(key))
            .arg(format!("root@{ip}"))
            .arg("rm -f /var/tmp/bench*")
            .status()
            .unwrap();
    }
}

async fn ko_upload(ips: &[String], key: &Path, file: &Path, sha256: Option<&str>) -> Duration {
    let start = Instant::now();
    let results = fan_out(ips.to_vec(), 32, |ip| async move {
        let s = Session::connect(&target(&ip, key), &ConnectOptions::default()).await?;
        let up = Upload {
            local: file.to_path_buf(),
            remote: "/var/tmp/bench.ko".into(),
            mode: 0o644,
            owner: None,
            sudo: false,
            sha256: sha256.map(String::from),
        };
        s.upload(&up, |_| {}).await
    })
    .await;
    let took = start.elapsed();
    for (_, r) in results {
        r.unwrap();
    }
    took
}

fn scp_upload(ips: &[String], key: &Path, file: &Path) -> Duration {
    let start = Instant::now();
    let children: Vec<_> = ips
        .iter()
        .map(|ip| {
            Command::new("scp")
                .args(ssh_opts(key))
                .arg("-q")
                .arg(file)
                .arg(format!("root@{ip}:/var/tmp/bench.scp"))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    start.elapsed()
}

async fn ko_true(ips: &[String], key: &Path) -> Duration {
    let start = Instant::now();
    let results = fan_out(ips.to_vec(), 32, |ip| async move {
        let s = Session::connect(&target(&ip, key), &ConnectOptions::default()).await?;
        s.run("true", &ExecOptions::default()).await
    })
    .await;
    let took = start.elapsed();
    for (_, r) in results {
        assert!(r.unwrap().success());
    }
    took
}

fn pssh_true(ips: &[String], key: &Path, hosts_file: &Path) -> Duration {
    let _ = ips;
    let start = Instant::now();
    let mut cmd = Command::new("parallel-ssh");
    cmd.arg("-h").arg(hosts_file).args(["-l", "root", "-p", "32"]);
    for o in ssh_opts(key).chunks(2) {
        if o[0] == "-o" {
            cmd.arg("-O").arg(&o[1]);
        }
    }
    cmd.args(["-x", &format!("-i {}", key.display()), "true"]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    start.elapsed()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "/var/tmp/ko-testbed".into()));
    let mib: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(256);
    let key = dir.join("id_ed25519");
    let ips: Vec<String> = (1..=10).map(|i| format!("10.77.0.{}", 10 + i)).collect();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("bench.bin");
    let data = Command::new("head").args(["-c", &(mib << 20).to_string(), "/dev/urandom"]).output().unwrap().stdout;
    std::fs::write(&file, data).unwrap();
    let hosts_file = work.path().join("hosts");
    std::fs::write(&hosts_file, ips.join("\n")).unwrap();

    println!("ko-ssh vs OpenSSH on the test bed, median of {RUNS} runs, file {mib} MiB\n");
    println!("| what | ko-ssh | baseline | baseline time | ratio (baseline / ko-ssh) |");
    println!("|---|---|---|---|---|");
    let sum = Command::new("sha256sum").arg(&file).output().unwrap();
    let known = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().unwrap().to_string();
    for n in [1usize, 3] {
        for (label, sha) in [("", None), (" (hash known, as for bundles)", Some(known.as_str()))] {
            let targets = &ips[1..=n];
            let (mut ko, mut scp) = (Vec::new(), Vec::new());
            for _ in 0..RUNS {
                clean(targets, &key);
                ko.push(ko_upload(targets, &key, &file, sha).await);
                scp.push(scp_upload(targets, &key, &file));
            }
            clean(targets, &key);
            let (k, s) = (median(ko), median(scp));
            let mb = (mib * n) as f64;
            println!(
                "| upload {mib} MiB to {n} host(s){label}, verified | {:.2} s ({:.0} MiB/s) | scp | {:.2} s ({:.0} MiB/s) | {:.2} |",
                k.as_secs_f64(),
                mb / k.as_secs_f64(),
                s.as_secs_f64(),
                mb / s.as_secs_f64(),
                s.as_secs_f64() / k.as_secs_f64()
            );
        }
    }
    let (mut ko, mut pssh) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ko.push(ko_true(&ips, &key).await);
        pssh.push(pssh_true(&ips, &key, &hosts_file));
    }
    let (k, p) = (median(ko), median(pssh));
    println!(
        "| `true` on 10 hosts (connect + exec) | {:.3} s | parallel-ssh | {:.3} s | {:.2} |",
        k.as_secs_f64(),
        p.as_secs_f64(),
        p.as_secs_f64() / k.as_secs_f64()
    );
}
