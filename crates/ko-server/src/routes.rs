//! The routes: ko-api's operation table ([`super::operation_routes`]), and by hand what is not
//! a plain call — the session (a cookie), the kubeconfig (a download), task journals, cluster
//! views and bundle uploads and pushes (streams).

use super::AppState;
use super::error::HttpError;
use super::session::{self, Authed, LoggedIn};
use super::task_events;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ko_api::{Me, Sensitive};
use serde::Deserialize;

type ApiResult<T> = Result<Json<T>, HttpError>;

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/session", post(login).get(whoami).delete(logout))
        .route("/api/password", post(change_password))
        .route("/api/clusters/{name}/kubeconfig", get(cluster_kubeconfig))
        .route("/api/clusters/{name}/watch", post(cluster_watch))
        .route("/api/clusters/{name}/logs", post(cluster_logs))
        .route("/api/clusters/{name}/terminal", get(super::terminal_socket::open))
        .route("/api/clusters/{name}/exec", get(super::terminal_socket::open_exec))
        .route("/api/tasks/{id}/events", get(task_events::stream))
        .merge(super::operation_routes::router())
        .merge(super::bundle_routes::router())
        .fallback(super::static_files::serve)
        .with_state(state)
}

#[derive(Deserialize)]
struct Credentials {
    name: String,
    password: String,
}

async fn me(state: &AppState, actor: &ko_api::Actor) -> Result<Me, HttpError> {
    Ok(state.api.whoami(actor).await?.into())
}

async fn login(State(state): State<AppState>, Json(c): Json<Credentials>) -> Result<Response, HttpError> {
    let actor = state.api.login(&c.name, Sensitive::new(c.password)).await?;
    let body = me(&state, &actor).await?;
    let token = state.sessions.start(actor);
    Ok(([(SET_COOKIE, session::cookie(&token))], Json(body)).into_response())
}

async fn whoami(State(state): State<AppState>, LoggedIn(actor): LoggedIn) -> ApiResult<Me> {
    Ok(Json(me(&state, &actor).await?))
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session::token(&headers) {
        state.sessions.end(&token);
    }
    (StatusCode::NO_CONTENT, [(SET_COOKIE, session::cleared_cookie())]).into_response()
}

#[derive(Deserialize)]
struct PasswordChange {
    old: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    LoggedIn(actor): LoggedIn,
    Json(p): Json<PasswordChange>,
) -> Result<StatusCode, HttpError> {
    state.api.change_own_password(&actor, Sensitive::new(p.old), Sensitive::new(p.new)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The kubeconfig as a download (it carries the ko-admin token: sent, never cached).
async fn cluster_kubeconfig(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<impl axum::response::IntoResponse, HttpError> {
    let config = s.api.cluster_kubeconfig(&a, &name).await?;
    let disposition = format!("attachment; filename=\"{name}.kubeconfig\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/yaml".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        config.expose().clone(),
    ))
}

/// `POST /api/clusters/{name}/watch {kind, namespace}`: the live rows of one kind
/// (`ko_api::ResourceUpdate`: a snapshot, upserts, removals, reconnecting) as server-sent `update`
/// events, until the client goes; refused before it starts when the user may not see the cluster.
async fn cluster_watch(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(form): Json<ko_api::WatchForm>,
) -> Result<impl IntoResponse, HttpError> {
    Ok(super::update_events::event_stream(s.api.cluster_resource_updates(&a, &name, form).await?))
}

/// `POST /api/clusters/{name}/logs {namespace, pod, container, follow, previous, since_seconds,
/// tail_lines, timestamps}`: a pod's log (`ko_api::PodLogUpdate`: lines in batches, then the end
/// or why it broke) as server-sent `update` events; refused before it starts (no such pod, no
/// previous instance, a user who may not see the cluster).
async fn cluster_logs(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(form): Json<ko_api::LogForm>,
) -> Result<impl IntoResponse, HttpError> {
    Ok(super::update_events::event_stream(s.api.cluster_pod_log_updates(&a, &name, form).await?))
}
