//! Day-2 routes on a running cluster's nodes: add workers, remove a worker. Each answers `202`
//! with the task's id, or with `"plan": true` the plan as text (`200`), nothing changed.

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
struct PlanOnly {
    #[serde(default)]
    plan: bool,
}

fn reply(op: Day2) -> Response {
    match op {
        Day2::Plan(text) => (StatusCode::OK, text).into_response(),
        Day2::Started(task) => (StatusCode::ACCEPTED, Json(Started { task_id: task.spawn() })).into_response(),
    }
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
    Json(p): Json<PlanOnly>,
) -> Result<Response, HttpError> {
    Ok(reply(s.api.cluster_remove_worker(&a, &name, &host, p.plan).await?))
}
