//! Bundles are imported from where they lie, never copied through the page: a native file
//! picker gives the path (the page has no file-system access of its own). Small files such as
//! private keys are read by the page's own file input.

use crate::Desktop;
use crate::error::{UiError, UiResult};
use ko_api::Imported;
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

async fn pick(app: &AppHandle, title: &str, filter: Option<(&str, &[&str])>) -> UiResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    if let Some((name, extensions)) = filter {
        dialog = dialog.add_filter(name, extensions);
    }
    dialog.pick_file(move |f| {
        let _ = tx.send(f);
    });
    let picked = rx.await.map_err(|_| UiError::shell("dialog", "the file dialog closed unexpectedly"))?;
    picked.map(|f| f.into_path().map_err(|e| UiError::shell("dialog", format!("not a local file: {e}")))).transpose()
}

/// Asks for a bundle zip; its path, or nothing if the person cancelled.
#[tauri::command]
pub async fn pick_bundle_file(app: AppHandle) -> UiResult<Option<String>> {
    Ok(pick(&app, "Bundle", Some(("Bundle (zip)", &["zip"]))).await?.map(|p| p.display().to_string()))
}

/// Asks where to save cluster `name`'s kubeconfig and writes it there, owner-readable only; the
/// path, or nothing if the person cancelled.
#[tauri::command]
pub async fn export_kubeconfig(app: AppHandle, d: State<'_, Desktop>, name: String) -> UiResult<Option<String>> {
    let config = d.api.cluster_kubeconfig(&d.actor, &name).await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("kubeconfig").set_file_name(format!("{name}.kubeconfig")).save_file(move |f| {
        let _ = tx.send(f);
    });
    let picked = rx.await.map_err(|_| UiError::shell("dialog", "the file dialog closed unexpectedly"))?;
    let Some(path) = picked else { return Ok(None) };
    let path = path.into_path().map_err(|e| UiError::shell("dialog", format!("not a local file: {e}")))?;
    ko_api::write_private_file(&path, config.expose().as_bytes())
        .map_err(|e| UiError::shell("file", format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// Imports the bundle at `path` into the library (verified; unsigned only with `allow_unsigned`).
#[tauri::command]
pub async fn import_bundle(d: State<'_, Desktop>, path: String, allow_unsigned: bool) -> UiResult<Imported> {
    let (bundle, report) = d.api.bundle_import(&d.actor, path.as_ref(), allow_unsigned).await?;
    Ok(Imported { bundle, signature: report.signature })
}

/// Pushes library bundle `name` to hosts, streaming [`ko_api::PushUpdate`]s to `on_update`;
/// resolves when the push has ended (the last update says how).
#[tauri::command]
pub async fn push_bundle(
    d: State<'_, Desktop>,
    name: String,
    form: ko_api::PushForm,
    on_update: tauri::ipc::Channel<ko_api::PushUpdate>,
) -> UiResult<()> {
    let mut updates = d.api.bundle_push_updates(&d.actor, &name, form);
    while let Some(u) = updates.recv().await {
        if on_update.send(u).is_err() {
            break; // the page is gone; the push goes on and is audited
        }
    }
    Ok(())
}

/// Builds a bundle from a recipe on this machine (downloads into the data dir; the zip in
/// `DATA_DIR/builds/`), streaming [`ko_api::BuildUpdate`]s to `on_update`; resolves when the
/// build has ended (the last update says how).
#[tauri::command]
pub async fn build_bundle(
    d: State<'_, Desktop>,
    form: ko_api::BuildForm,
    on_update: tauri::ipc::Channel<ko_api::BuildUpdate>,
) -> UiResult<()> {
    let mut updates = d.api.bundle_build_updates(&d.actor, form);
    while let Some(u) = updates.recv().await {
        if on_update.send(u).is_err() {
            break; // the page is gone; the build goes on
        }
    }
    Ok(())
}

/// Verifies the bundle at `path` as an import would (unsigned is reported, not refused) without
/// importing it.
#[tauri::command]
pub async fn verify_bundle(d: State<'_, Desktop>, path: String) -> UiResult<ko_api::VerifyReport> {
    Ok(d.api.bundle_verify(&d.actor, path.as_ref(), true).await?)
}
