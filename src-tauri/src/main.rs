//! KubeOperator Desktop: the desktop window. A thin shell: the page talks to ko-api through the
//! commands in [`commands`] (ko-api's operation table), [`files`] and [`follow`]; everything
//! else lives below it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;
mod files;
mod follow;
mod terminals;

use ko_api::{Actor, Api, SecretsChoice, SecretsConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tauri::Manager;

/// What every command works with: the API on the data dir, acting as the OS account.
pub struct Desktop {
    api: Api,
    actor: Actor,
    follows: Arc<follow::Follows>,
    terminals: Arc<terminals::Terminals>,
}

/// Opens the data dir (`KO_DATA_DIR`, or the platform's app-data dir, shared with koctl) and
/// marks tasks a crash left running as interrupted.
fn open() -> Result<(Desktop, Option<ko_logging::WorkerGuard>), String> {
    let data_dir = std::env::var_os("KO_DATA_DIR")
        .map(PathBuf::from)
        .or_else(ko_api::default_data_dir)
        .ok_or("this platform has no app-data dir; set KO_DATA_DIR")?;
    let guard = ko_logging::init(&data_dir, "desktop");
    // the OS keychain, or (Linux without one) the vault the overview asks to create or unlock
    let choice = match std::env::var("KO_SECRETS") {
        Ok(v) => v.parse().map_err(|e| format!("KO_SECRETS: {e}"))?,
        Err(_) => SecretsChoice::Auto,
    };
    let api = Api::open_with(&data_dir, SecretsConfig { choice, passphrase: None }).map_err(|e| e.to_string())?;
    let actor = tauri::async_runtime::block_on(async {
        let interrupted = api.reconcile_tasks().await?;
        if !interrupted.is_empty() {
            tracing::warn!(?interrupted, "tasks interrupted by an earlier stop, resumable with a retry");
        }
        api.local_actor().await
    })
    .map_err(|e| e.to_string())?;
    tracing::info!(data_dir = %data_dir.display(), user = %actor.name, "desktop started");
    Ok((Desktop { api, actor, follows: Arc::default(), terminals: Arc::default() }, guard))
}

fn main() -> ExitCode {
    let (desktop, _log_guard) = match open() {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let monitor = desktop.api.clone().health_monitor(ko_api::HEALTH_PROBE_EVERY);
    let result = tauri::Builder::default()
        // first: a second start only brings the running window to the front
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .manage(desktop)
        // while the window is open, the clusters' API servers are probed now and then
        .setup(move |_| {
            tauri::async_runtime::spawn(monitor);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::call,
            commands::me,
            files::pick_bundle_file,
            files::export_kubeconfig,
            files::import_bundle,
            files::push_bundle,
            files::build_bundle,
            files::verify_bundle,
            follow::follow_task,
            follow::watch_resources,
            follow::pod_log,
            follow::stop_following,
            terminals::terminal_open,
            terminals::exec_open,
            terminals::terminal_input,
            terminals::terminal_resize,
            terminals::terminal_close,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the window failed");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
