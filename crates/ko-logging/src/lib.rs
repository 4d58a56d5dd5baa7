//! Logging for the binaries: everything to a daily rolling file in the data dir (`logs/`),
//! warnings and errors to stderr. Libraries only emit `tracing` events; binaries call [`init`].

use std::path::Path;
pub use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, Layer, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// Installs the subscriber, writing `logs/<file_prefix>.<date>.log`; keep the guard alive until exit so the file is flushed. `RUST_LOG`
/// sets the file's level (default `info`); `KO_LOG_STDERR` the terminal's (default `warn`, without
/// kube-rs's own events: what it runs into reaches the user as the app's error, which says what
/// to check; the file keeps them).
pub fn init(data_dir: &Path, file_prefix: &str) -> Option<WorkerGuard> {
    let stderr_filter = EnvFilter::try_from_env("KO_LOG_STDERR")
        .unwrap_or_else(|_| EnvFilter::new("warn,kube_client=off,kube_runtime=off"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false).with_filter(stderr_filter);
    let logs = data_dir.join("logs");
    let file = std::fs::create_dir_all(&logs).ok().and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(file_prefix)
            .filename_suffix("log")
            .max_log_files(14)
            .build(&logs)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
            let file_layer = fmt::layer().with_writer(writer).with_ansi(false).with_filter(file_filter);
            tracing_subscriber::registry().with(stderr).with(file_layer).init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!("cannot write logs under {}", logs.display());
            None
        }
    }
}
