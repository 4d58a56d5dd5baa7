//! Administration routes: users, projects and their members, package repositories per
//! architecture, and hosts imported from CSV (each row with the fingerprint a person confirmed).

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router, routing};
use ko_api::{ImportRow, NewRepository, Project, ProjectDetail, Repository, User, UserForm};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", routing::get(users).post(user_add))
        .route("/api/users/{name}", routing::delete(user_rm))
        .route("/api/users/{name}/active", routing::post(user_active))
        .route("/api/users/{name}/password", routing::post(user_password))
        .route("/api/projects", routing::post(project_add))
        .route("/api/projects/{name}", routing::get(project).delete(project_rm))
        .route("/api/projects/{name}/members", routing::post(member_add))
        .route("/api/projects/{name}/members/{user}", routing::delete(member_rm))
        .route("/api/settings/repositories", routing::get(repos).post(repo_set))
        .route("/api/settings/repositories/{arch}", routing::delete(repo_rm))
        .route("/api/hosts/import", routing::post(hosts_import))
}

type Answer<T> = Result<Json<T>, HttpError>;
type Done = Result<StatusCode, HttpError>;

async fn users(State(s): State<AppState>, Authed(a): Authed) -> Answer<Vec<User>> {
    Ok(Json(s.api.user_list(&a).await?))
}

async fn user_add(State(s): State<AppState>, Authed(a): Authed, Json(f): Json<UserForm>) -> Answer<User> {
    Ok(Json(s.api.user_add(&a, f.into()).await?))
}

async fn user_rm(State(s): State<AppState>, Authed(a): Authed, Path(name): Path<String>) -> Done {
    s.api.user_rm(&a, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Active {
    active: bool,
}

async fn user_active(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(b): Json<Active>,
) -> Done {
    s.api.user_set_active(&a, &name, b.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Password {
    password: String,
}

async fn user_password(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(b): Json<Password>,
) -> Done {
    s.api.user_set_password(&a, &name, ko_api::Sensitive::new(b.password)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewProject {
    name: String,
    #[serde(default)]
    description: String,
}

async fn project_add(State(s): State<AppState>, Authed(a): Authed, Json(p): Json<NewProject>) -> Answer<Project> {
    Ok(Json(s.api.project_add(&a, &p.name, &p.description).await?))
}

async fn project(State(s): State<AppState>, Authed(a): Authed, Path(name): Path<String>) -> Answer<ProjectDetail> {
    Ok(Json(s.api.project_show(&a, &name).await?))
}

async fn project_rm(State(s): State<AppState>, Authed(a): Authed, Path(name): Path<String>) -> Done {
    s.api.project_rm(&a, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewMember {
    user: String,
    role: String,
}

async fn member_add(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(project): Path<String>,
    Json(m): Json<NewMember>,
) -> Done {
    s.api.member_add(&a, &project, &m.user, &m.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn member_rm(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path((project, user)): Path<(String, String)>,
) -> Done {
    s.api.member_rm(&a, &project, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn repos(State(s): State<AppState>, Authed(a): Authed) -> Answer<Vec<Repository>> {
    Ok(Json(s.api.repo_list(&a).await?))
}

async fn repo_set(State(s): State<AppState>, Authed(a): Authed, Json(r): Json<NewRepository>) -> Done {
    s.api.repo_set(&a, r).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn repo_rm(State(s): State<AppState>, Authed(a): Authed, Path(arch): Path<String>) -> Done {
    s.api.repo_rm(&a, &arch).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The CSV as the body; rows without a fingerprint are refused (no trust-on-first-use here).
async fn hosts_import(State(s): State<AppState>, Authed(a): Authed, csv: String) -> Answer<Vec<ImportRow>> {
    Ok(Json(s.api.host_import_csv(&a, &csv, false).await?))
}
