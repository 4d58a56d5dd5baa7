//! Day-2 routes: add workers, remove a worker, add masters, remove a master, upgrade (each `202` with the task's id, or with
//! `"plan": true` the plan as text, `200`, nothing changed); check and renew certificates, reset
//! the hosts (`202`); forget a cluster (`204`).

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use ko_api::{Day2, Started};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/clusters/{name}/workers", routing::post(add_workers))
        .route("/api/clusters/{name}/workers/{host}/remove", routing::post(remove_worker))
        .route("/api/clusters/{name}/masters", routing::post(add_masters))
        .route("/api/clusters/{name}/masters/{host}/remove", routing::post(remove_master))
        .route("/api/clusters/{name}/upgrade", routing::post(upgrade))
        .route("/api/clusters/{name}/reset", routing::post(reset))
        .route("/api/clusters/{name}", routing::delete(delete))
        .route("/api/clusters/{name}/certs/check", routing::post(check_certs))
        .route("/api/clusters/{name}/certs/renew", routing::post(renew_certs))
}

#[derive(Deserialize)]
struct AddWorkers {
    hosts: Vec<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    plan: bool,
}

#[derive(Deserialize)]
struct Removal {
    /// The host is down for good.
    #[serde(default)]
    down: bool,
    #[serde(default)]
    plan: bool,
}

fn reply(op: Day2) -> Response {
    match op {
        Day2::Plan(text) => (StatusCode::OK, text).into_response(),
        Day2::Started(task) => (StatusCode::ACCEPTED, Json(Started { task_id: (*task).spawn() })).into_response(),
    }
}

#[derive(Deserialize)]
struct AddMasters {
    hosts: Vec<String>,
    #[serde(default)]
    replacing: Option<String>,
    #[serde(default)]
    down: Vec<String>,
    #[serde(default)]
    plan: bool,
}

async fn add_masters(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(m): Json<AddMasters>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_add_masters(&a, &name, &m.hosts, m.replacing.as_deref(), &m.down, m.plan).await?))
}

async fn remove_master(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path((name, host)): Path<(String, String)>,
    Json(r): Json<Removal>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_remove_master(&a, &name, &host, r.down, r.plan).await?))
}

#[derive(Deserialize)]
struct Upgrade {
    to: String,
    #[serde(default = "one")]
    batch: usize,
    #[serde(default)]
    plan: bool,
}

fn one() -> usize {
    1
}

async fn upgrade(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(u): Json<Upgrade>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_upgrade(&a, &name, &u.to, u.batch, u.plan).await?))
}

async fn add_workers(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(w): Json<AddWorkers>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_add_workers(&a, &name, &w.hosts, w.zone.as_deref(), w.plan).await?))
}

async fn remove_worker(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path((name, host)): Path<(String, String)>,
    Json(r): Json<Removal>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_remove_worker(&a, &name, &host, r.down, r.plan).await?))
}

async fn check_certs(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok((StatusCode::ACCEPTED, Json(Started { task_id: s.api.cluster_check_certs(&a, &name).await?.spawn() })))
}

async fn renew_certs(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok((StatusCode::ACCEPTED, Json(Started { task_id: s.api.cluster_renew_certs(&a, &name).await?.spawn() })))
}

async fn reset(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<Started>), HttpError> {
    Ok((StatusCode::ACCEPTED, Json(Started { task_id: s.api.cluster_reset(&a, &name).await?.spawn() })))
}

async fn delete(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<StatusCode, HttpError> {
    s.api.cluster_delete(&a, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
