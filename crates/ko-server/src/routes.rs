//! The routes: each a one-liner over a ko-api call made as the logged-in user.

use super::AppState;
use super::error::HttpError;
use super::session::{self, Authed, LoggedIn};
use super::task_events;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ko_api::{AuditFilter, Me, PreparedTask, Sensitive, Started};
use serde::Deserialize;

type ApiResult<T> = Result<Json<T>, HttpError>;

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/session", post(login).get(whoami).delete(logout))
        .route("/api/password", post(change_password))
        .route("/api/status", get(status))
        .route("/api/hosts", get(hosts))
        .route("/api/hosts/{name}", get(host))
        .route("/api/credentials", get(credentials))
        .route("/api/projects", get(projects))
        .route("/api/versions", get(versions))
        .route("/api/versions/{version}", post(version_set))
        .route("/api/bundles", get(bundles))
        .route("/api/audit", get(audit))
        .route("/api/clusters", get(clusters).post(cluster_create))
        .route("/api/clusters/validate", post(cluster_validate))
        .route("/api/clusters/plan", post(cluster_plan))
        .route("/api/clusters/{name}", get(cluster))
        .route("/api/backups", get(backups))
        .route("/api/clusters/{name}/backup", post(cluster_backup))
        .route("/api/clusters/{name}/deploy", post(cluster_deploy))
        .route("/api/clusters/{name}/restore", post(cluster_restore))
        .route("/api/clusters/{name}/kubeconfig", get(cluster_kubeconfig))
        .route("/api/tasks", get(tasks))
        .route("/api/tasks/{id}", get(task))
        .route("/api/tasks/{id}/logs", get(task_logs))
        .route("/api/tasks/{id}/events", get(task_events::stream))
        .route("/api/tasks/{id}/retry", post(task_retry))
        .route("/api/tasks/{id}/cancel", post(task_cancel))
        .merge(super::inventory_routes::router())
        .merge(super::settings_routes::router())
        .merge(super::admin_routes::router())
        .merge(super::day2_routes::router())
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

async fn status(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<ko_api::StatusReport> {
    Ok(Json(s.api.status(&a).await?))
}

async fn hosts(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::HostDetail>> {
    Ok(Json(s.api.host_list(&a).await?))
}

async fn host(State(s): State<AppState>, Authed(a): Authed, Path(name): Path<String>) -> ApiResult<ko_api::HostDetail> {
    Ok(Json(s.api.host_show(&a, &name).await?))
}

async fn credentials(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::Credential>> {
    Ok(Json(s.api.credential_list(&a).await?))
}

async fn projects(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::Project>> {
    Ok(Json(s.api.project_list(&a).await?))
}

async fn versions(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::KubernetesVersion>> {
    Ok(Json(s.api.version_list(&a).await?))
}

#[derive(Deserialize)]
struct VersionState {
    enabled: bool,
}

async fn version_set(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(version): Path<String>,
    Json(v): Json<VersionState>,
) -> Result<StatusCode, HttpError> {
    s.api.version_set_enabled(&a, &version, v.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn bundles(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::LibraryBundle>> {
    Ok(Json(s.api.bundle_list(&a).await?))
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
    user: Option<String>,
    action: Option<String>,
}

async fn audit(
    State(s): State<AppState>,
    Authed(a): Authed,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Vec<ko_api::AuditEntry>> {
    let filter = AuditFilter { actor: q.user, action_prefix: q.action, limit: q.limit.unwrap_or(100) };
    Ok(Json(s.api.audit_list(&a, filter).await?))
}

async fn clusters(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::Cluster>> {
    Ok(Json(s.api.cluster_list(&a).await?))
}

async fn cluster(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> ApiResult<ko_api::ClusterDetail> {
    Ok(Json(s.api.cluster_show(&a, &name).await?))
}

async fn backups(State(s): State<AppState>, Authed(a): Authed) -> ApiResult<Vec<ko_api::ClusterBackups>> {
    Ok(Json(s.api.backup_summary(&a).await?))
}

async fn cluster_validate(
    State(s): State<AppState>,
    Authed(a): Authed,
    yaml: String,
) -> ApiResult<ko_api::ClusterValidation> {
    Ok(Json(s.api.cluster_validate(&a, &yaml).await?))
}

async fn cluster_plan(State(s): State<AppState>, Authed(a): Authed, yaml: String) -> Result<String, HttpError> {
    Ok(s.api.cluster_plan(&a, &yaml).await?)
}

/// Runs a prepared task in the background; its progress is in the journal (and its events route).
fn spawn(task: PreparedTask) -> (StatusCode, Json<Started>) {
    (StatusCode::ACCEPTED, Json(Started { task_id: task.spawn() }))
}

#[derive(Deserialize)]
struct Until {
    until: Option<String>,
}

async fn cluster_create(
    State(s): State<AppState>,
    Authed(a): Authed,
    Query(q): Query<Until>,
    yaml: String,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok(spawn(s.api.cluster_create(&a, &yaml, q.until.as_deref()).await?))
}

async fn cluster_deploy(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(u): Json<Until>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok(spawn(s.api.cluster_deploy(&a, &name, u.until.as_deref()).await?))
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

async fn cluster_backup(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok(spawn(s.api.cluster_backup(&a, &name).await?))
}

#[derive(Deserialize)]
struct Restore {
    backup: String,
}

async fn cluster_restore(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(r): Json<Restore>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok(spawn(s.api.cluster_restore(&a, &name, &r.backup).await?))
}

#[derive(Deserialize)]
struct TaskQuery {
    cluster: Option<String>,
    limit: Option<i64>,
}

async fn tasks(
    State(s): State<AppState>,
    Authed(a): Authed,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Vec<ko_api::Task>> {
    Ok(Json(s.api.task_list(&a, q.cluster.as_deref(), q.limit.unwrap_or(50)).await?))
}

async fn task(State(s): State<AppState>, Authed(a): Authed, Path(id): Path<i64>) -> ApiResult<ko_api::TaskDetail> {
    Ok(Json(s.api.task_show(&a, id).await?))
}

#[derive(Deserialize)]
struct LogQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

async fn task_logs(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(id): Path<i64>,
    Query(q): Query<LogQuery>,
) -> ApiResult<Vec<ko_api::LogLine>> {
    Ok(Json(s.api.task_logs(&a, id, q.after.unwrap_or(0), q.limit.unwrap_or(10_000)).await?))
}

async fn task_retry(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok(spawn(s.api.task_retry(&a, id).await?))
}

async fn task_cancel(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(id): Path<i64>,
) -> Result<StatusCode, HttpError> {
    s.api.task_cancel(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
