//! The bundle routes that carry files and streams (outside ko-api's operation table): a bundle
//! uploaded into the library or only verified, and a push whose progress streams as it comes.

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use super::update_events::event_stream;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::{Json, Router, routing};
use ko_api::{BuildForm, Imported, PushForm};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/bundles", routing::post(bundle_import))
        .route("/api/bundles/verify", routing::post(bundle_verify))
        .route("/api/bundles/{name}/push", routing::post(bundle_push))
        .route("/api/bundles/build", routing::post(bundle_build))
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    allow_unsigned: bool,
}

/// Streams an uploaded body to a private file in the data dir (never held in memory); the
/// caller removes it.
async fn receive_upload(s: &AppState, body: axum::body::Body) -> Result<std::path::PathBuf, HttpError> {
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;
    let dir = s.api.data_dir().join("uploads");
    let io = |e: std::io::Error| HttpError(StatusCode::INTERNAL_SERVER_ERROR, "upload", e.to_string(), Vec::new());
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let path = dir.join(format!("{}.zip", uuid::Uuid::new_v4().simple()));
    let written = async {
        let mut file = tokio::fs::File::create(&path).await.map_err(io)?;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                HttpError(StatusCode::BAD_REQUEST, "upload", format!("the upload broke off: {e}"), Vec::new())
            })?;
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    written.map(|()| path)
}

/// An error about an uploaded file, naming it as the upload rather than by its temporary path.
fn about_upload(e: ko_api::ApiError, path: &std::path::Path) -> HttpError {
    let HttpError(status, code, message, problems) = e.into();
    let path = path.display().to_string();
    let problems = problems.into_iter().map(|mut p| {
        p.message = p.message.replace(&path, "the uploaded file");
        p
    });
    HttpError(status, code, message.replace(&path, "the uploaded file"), problems.collect())
}

/// `POST /api/bundles?allow_unsigned=BOOL`, the zip as the body: received into the data dir,
/// verified and imported like `koctl bundle import`, then removed.
async fn bundle_import(
    State(s): State<AppState>,
    Authed(a): Authed,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Imported>), HttpError> {
    // refused before a byte of the upload is read
    s.api.require(&a, ko_api::Permission::ManageSystem, "import bundles").await?;
    let path = receive_upload(&s, body).await?;
    let result = s.api.bundle_import(&a, &path, q.allow_unsigned).await;
    let _ = tokio::fs::remove_file(&path).await;
    let (bundle, report) = result.map_err(|e| about_upload(e, &path))?;
    Ok((StatusCode::CREATED, Json(Imported { bundle, signature: report.signature })))
}

/// `POST /api/bundles/verify`, the zip as the body: every check of an import (hashes, sizes,
/// paths, signature: unsigned is reported, an unknown key refused) without importing it.
async fn bundle_verify(
    State(s): State<AppState>,
    Authed(a): Authed,
    body: axum::body::Body,
) -> Result<Json<ko_api::VerifyReport>, HttpError> {
    s.api.require(&a, ko_api::Permission::ViewVersions, "verify bundles").await?;
    let path = receive_upload(&s, body).await?;
    let result = s.api.bundle_verify(&a, &path, true).await;
    let _ = tokio::fs::remove_file(&path).await;
    Ok(Json(result.map_err(|e| about_upload(e, &path))?))
}

/// `POST /api/bundles/{name}/push {hosts, relay}`: the push's updates (`ko_api::PushUpdate` as
/// JSON: progress, then done or failed) as server-sent `update` events, read from the response
/// body as they come.
async fn bundle_push(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(form): Json<PushForm>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>>, HttpError> {
    // refused before anything starts unless the user may push
    s.api.require(&a, ko_api::Permission::ManageSystem, "push bundles").await?;
    Ok(event_stream(s.api.bundle_push_updates(&a, &name, form)))
}

/// `POST /api/bundles/build {recipe, arches, mirrors, base}`: builds a bundle from a recipe on the
/// server's machine (downloading into its data dir; the zip in `DATA_DIR/builds/`), its updates
/// (`ko_api::BuildUpdate`: downloads, writing, then done or failed) as server-sent `update` events.
async fn bundle_build(
    State(s): State<AppState>,
    Authed(a): Authed,
    Json(form): Json<BuildForm>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>>, HttpError> {
    s.api.require(&a, ko_api::Permission::ManageSystem, "build bundles").await?;
    Ok(event_stream(s.api.bundle_build_updates(&a, form)))
}
