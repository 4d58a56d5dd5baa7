//! `koctl serve`: the API over HTTP for the browser UI, bound to 127.0.0.1 by default.
//!
//! Users log in with their password (argon2 hashes in the store); a session is an HttpOnly,
//! SameSite=Strict cookie. Every route acts as the logged-in user, so ko-api's role table decides
//! what each may see and do. On first start the reference system's `admin` is created with its
//! default password, which must be changed before anything else. Long operations start as tasks
//! and return their id at once; `GET /api/tasks/{id}/events` streams the journal (server-sent
//! events) — for tasks run by this server or by any other process on the same data dir.

mod bundle_routes;
mod error;
mod operation_routes;
mod routes;
mod session;
mod static_files;
mod task_events;
mod terminal_socket;
mod update_events;

use anyhow::{Context, Result};
use ko_api::{Api, StoreState};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    api: Api,
    sessions: session::Sessions,
    /// The built web UI, if any.
    ui: Option<PathBuf>,
}

/// Serves until Ctrl-C: prints the URL first (tests read it to find an ephemeral port); probes
/// the clusters' health every `health_every` meanwhile.
pub async fn run(
    api: Api,
    listen: SocketAddr,
    ui: Option<PathBuf>,
    health_every: Option<Duration>,
) -> Result<ExitCode> {
    if let Some(dir) = &ui
        && !dir.join("index.html").exists()
    {
        anyhow::bail!("{} has no index.html: build the UI first (npm --prefix frontend run build)", dir.display());
    }
    if api.ensure_default_admin().await? {
        eprintln!(
            "created user '{}' with the default password '{}': log in and change it",
            ko_api::DEFAULT_ADMIN,
            ko_api::DEFAULT_ADMIN_PASSWORD
        );
    }
    // a vault opens now when its passphrase was given; else an administrator unlocks it in the UI
    let _ = api.secrets_probe().await;
    let secrets = api.secrets_status().await?;
    match (secrets.state, &secrets.problem) {
        (StoreState::Ready, _) => eprintln!("secrets: kept in the {}", secrets.backend),
        (StoreState::New, _) => eprintln!(
            "secrets: no OS keychain answers here, so secrets will be kept in an {}; an administrator chooses its \
             passphrase in the web UI (or restart with --vault-passphrase-file FILE)",
            secrets.backend
        ),
        (StoreState::Sealed, _) => eprintln!(
            "secrets: the {} is sealed: an administrator unlocks it in the web UI (or restart with \
             --vault-passphrase-file FILE)",
            secrets.backend
        ),
        (state, problem) => {
            eprintln!("secrets: {}: {state:?} — {}", secrets.backend, problem.as_deref().unwrap_or_default())
        }
    }
    let interrupted = api.reconcile_tasks().await?;
    if !interrupted.is_empty() {
        eprintln!("tasks interrupted by an earlier stop, resumable with a retry: {interrupted:?}");
    }
    if let Some(every) = health_every {
        tokio::spawn(api.clone().health_monitor(every));
    }
    let state = AppState { api, sessions: session::Sessions::default(), ui };
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("koctl serve: http://{addr}/");
    if !addr.ip().is_loopback() {
        eprintln!("warning: listening on {addr}, reachable from other machines; put TLS in front of it");
    }
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}
