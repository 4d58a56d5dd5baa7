//! Administration commands: users, projects and members, repositories, hosts from CSV — one-liners
//! over ko-api like [`crate::commands`].

use crate::Desktop;
use crate::error::UiResult;
use ko_api::{ImportRow, NewRepository, Project, ProjectDetail, Repository, Sensitive, User, UserForm};
use tauri::State;

type D<'a> = State<'a, Desktop>;

#[tauri::command]
pub async fn users(d: D<'_>) -> UiResult<Vec<User>> {
    Ok(d.api.user_list(&d.actor).await?)
}

#[tauri::command]
pub async fn add_user(d: D<'_>, form: UserForm) -> UiResult<User> {
    Ok(d.api.user_add(&d.actor, form.into()).await?)
}

#[tauri::command]
pub async fn set_user_active(d: D<'_>, name: String, active: bool) -> UiResult<()> {
    Ok(d.api.user_set_active(&d.actor, &name, active).await?)
}

#[tauri::command]
pub async fn set_user_password(d: D<'_>, name: String, password: String) -> UiResult<()> {
    Ok(d.api.user_set_password(&d.actor, &name, Sensitive::new(password)).await?)
}

#[tauri::command]
pub async fn remove_user(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.user_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn add_project(d: D<'_>, name: String, description: String) -> UiResult<Project> {
    Ok(d.api.project_add(&d.actor, &name, &description).await?)
}

#[tauri::command]
pub async fn project(d: D<'_>, name: String) -> UiResult<ProjectDetail> {
    Ok(d.api.project_show(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn remove_project(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.project_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn add_member(d: D<'_>, project: String, user: String, role: String) -> UiResult<()> {
    Ok(d.api.member_add(&d.actor, &project, &user, &role).await?)
}

#[tauri::command]
pub async fn remove_member(d: D<'_>, project: String, user: String) -> UiResult<()> {
    Ok(d.api.member_rm(&d.actor, &project, &user).await?)
}

#[tauri::command]
pub async fn repositories(d: D<'_>) -> UiResult<Vec<Repository>> {
    Ok(d.api.repo_list(&d.actor).await?)
}

#[tauri::command]
pub async fn set_repository(d: D<'_>, repo: NewRepository) -> UiResult<()> {
    Ok(d.api.repo_set(&d.actor, repo).await?)
}

#[tauri::command]
pub async fn remove_repository(d: D<'_>, arch: String) -> UiResult<()> {
    Ok(d.api.repo_rm(&d.actor, &arch).await?)
}

/// Rows without a fingerprint are refused, as over HTTP: the page scans and shows keys first.
#[tauri::command]
pub async fn import_hosts(d: D<'_>, csv: String) -> UiResult<Vec<ImportRow>> {
    Ok(d.api.host_import_csv(&d.actor, &csv, false).await?)
}
