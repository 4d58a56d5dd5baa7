//! The built web UI (`frontend/dist`), served from a directory: files by path (never outside the
//! directory), `index.html` for `/`.

use super::AppState;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use std::path::{Component, Path};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// Serves `uri`'s file from the UI directory.
pub async fn serve(State(state): State<AppState>, uri: Uri) -> Response {
    let Some(dir) = state.ui else {
        let page = "<!doctype html><title>KubeOperator Desktop</title><p>The web UI is not built into this \
                    server. Build it with <code>npm --prefix frontend run build</code> and start \
                    <code>koctl serve --ui frontend/dist</code> (<code>./dev app</code> does both). The API is at \
                    <code>/api/</code>.</p>";
        return Html(page).into_response();
    };
    let rel = uri.path().trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let path = Path::new(rel);
    if path.components().any(|c| !matches!(c, Component::Normal(_))) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    match tokio::fs::read(dir.join(path)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(path))], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
