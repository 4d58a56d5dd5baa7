//! `kube-standin --dir DIR [--port N] [--masters N] [--workers N] [--pods N] [--token T]
//! [--log-every MS]`: runs a
//! stand-in Kubernetes API server on 127.0.0.1 for the UI tests, writes `DIR/kubeconfig` (and its
//! certificates, reused when started again with the same DIR), prints one JSON line
//! `{"url", "kubeconfig", "token"}` and serves until it is stopped (SIGTERM / Ctrl-C). With
//! `--log-every`, pod `default/web-00000` logs a request that often (a log to follow).

use ko_kube_standin::{Options, Shape, StandIn};
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut opts = Options::default();
    let mut dir = None;
    let mut log_every = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let number = || value.parse::<usize>().map_err(|e| std::io::Error::other(format!("{flag} {value}: {e}")));
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(&value)),
            "--port" => opts.port = number()? as u16,
            "--masters" => opts.shape = Shape { masters: number()?, ..opts.shape },
            "--workers" => opts.shape = Shape { workers: number()?, ..opts.shape },
            "--pods" => opts.shape = Shape { app_pods: number()?, ..opts.shape },
            "--token" => opts.token = value,
            "--log-every" => log_every = Some(std::time::Duration::from_millis(number()? as u64)),
            other => return Err(std::io::Error::other(format!("unknown flag {other}; see the doc comment"))),
        }
    }
    let dir = dir.ok_or_else(|| std::io::Error::other("--dir DIR is required"))?;
    std::fs::create_dir_all(&dir)?;
    opts.dir = Some(dir.clone());
    let standin = StandIn::start(opts)?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, standin.kubeconfig("standin"))?;
    let line = serde_json::json!({"url": standin.url(), "kubeconfig": kubeconfig, "token": standin.token()});
    println!("{line}");
    if let Some(every) = log_every {
        let state = standin.shared();
        std::thread::spawn(move || {
            for n in 1.. {
                std::thread::sleep(every);
                state.append_log("default", "web-00000", "web", &format!("GET /healthz 200 ({n})"));
            }
        });
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        tokio::select! {
            r = terminated() => r?,
            r = tokio::signal::ctrl_c() => r?,
        }
        Ok::<_, std::io::Error>(())
    })?;
    drop(standin);
    Ok(())
}

#[cfg(unix)]
async fn terminated() -> std::io::Result<()> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?.recv().await;
    Ok(())
}

#[cfg(not(unix))]
async fn terminated() -> std::io::Result<()> {
    std::future::pending().await
}
