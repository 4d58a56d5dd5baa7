//! The commands the page invokes: each a one-liner over a ko-api call made as the OS account
//! (the desktop has no log-in: whoever runs the app owns its data dir and keychain). Long
//! operations return their task id at once and run in the background; [`crate::follow`] streams
//! their journal.

use crate::Desktop;
use crate::error::UiResult;
use ko_api::{
    AuditFilter, Cluster, ClusterDetail, ClusterValidation, Credential, CredentialForm, HostDetail, HostForm, HostKey,
    KubernetesVersion, LibraryBundle, Me, NtpServer, Project, StatusReport, Task, TaskDetail, TrustedBundleKey,
    UnlockForm,
};
use tauri::State;

type D<'a> = State<'a, Desktop>;

#[tauri::command]
pub async fn me(d: D<'_>) -> UiResult<Me> {
    Ok(d.api.whoami(&d.actor).await?.into())
}

#[tauri::command]
pub async fn status(d: D<'_>) -> UiResult<StatusReport> {
    Ok(d.api.status(&d.actor).await?)
}

#[tauri::command]
pub async fn unlock_secrets(d: D<'_>, form: UnlockForm) -> UiResult<()> {
    Ok(d.api.secrets_unlock(&d.actor, form.passphrase, form.create).await?)
}

#[tauri::command]
pub async fn change_vault_passphrase(d: D<'_>, passphrase: String) -> UiResult<()> {
    Ok(d.api.secrets_change_passphrase(&d.actor, passphrase.into()).await?)
}

#[tauri::command]
pub async fn hosts(d: D<'_>) -> UiResult<Vec<HostDetail>> {
    Ok(d.api.host_list(&d.actor).await?)
}

#[tauri::command]
pub async fn scan_host(d: D<'_>, form: HostForm) -> UiResult<HostKey> {
    Ok(d.api.host_scan_key(&d.actor, &form.spec()).await?)
}

#[tauri::command]
pub async fn add_host(d: D<'_>, form: HostForm) -> UiResult<HostDetail> {
    Ok(d.api.host_add(&d.actor, form.spec(), form.trust()?).await?)
}

#[tauri::command]
pub async fn refresh_host(d: D<'_>, name: String) -> UiResult<HostDetail> {
    Ok(d.api.host_refresh(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn remove_host(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.host_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn credentials(d: D<'_>) -> UiResult<Vec<Credential>> {
    Ok(d.api.credential_list(&d.actor).await?)
}

#[tauri::command]
pub async fn add_credential(d: D<'_>, form: CredentialForm) -> UiResult<Credential> {
    Ok(d.api.credential_add(&d.actor, form.into_new()?).await?)
}

#[tauri::command]
pub async fn remove_credential(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.credential_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn versions(d: D<'_>) -> UiResult<Vec<KubernetesVersion>> {
    Ok(d.api.version_list(&d.actor).await?)
}

#[tauri::command]
pub async fn set_version_enabled(d: D<'_>, version: String, enabled: bool) -> UiResult<()> {
    Ok(d.api.version_set_enabled(&d.actor, &version, enabled).await?)
}

#[tauri::command]
pub async fn bundles(d: D<'_>) -> UiResult<Vec<LibraryBundle>> {
    Ok(d.api.bundle_list(&d.actor).await?)
}

#[tauri::command]
pub async fn audit(d: D<'_>, limit: u32) -> UiResult<Vec<ko_api::AuditEntry>> {
    Ok(d.api.audit_list(&d.actor, AuditFilter { actor: None, action_prefix: None, limit }).await?)
}

#[tauri::command]
pub async fn ntp_servers(d: D<'_>) -> UiResult<Vec<NtpServer>> {
    Ok(d.api.ntp_list(&d.actor).await?)
}

#[tauri::command]
pub async fn add_ntp_server(d: D<'_>, name: String, address: String) -> UiResult<NtpServer> {
    Ok(d.api.ntp_add(&d.actor, &name, &address).await?)
}

#[tauri::command]
pub async fn set_ntp_server_enabled(d: D<'_>, name: String, enabled: bool) -> UiResult<()> {
    Ok(d.api.ntp_set_enabled(&d.actor, &name, enabled).await?)
}

#[tauri::command]
pub async fn remove_ntp_server(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.ntp_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn trusted_keys(d: D<'_>) -> UiResult<Vec<TrustedBundleKey>> {
    Ok(d.api.bundle_trust_list(&d.actor).await?)
}

#[tauri::command]
pub async fn add_trusted_key(d: D<'_>, name: String, public_key: String) -> UiResult<()> {
    Ok(d.api.bundle_trust_add(&d.actor, &name, &public_key).await?)
}

#[tauri::command]
pub async fn remove_trusted_key(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.bundle_trust_rm(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn projects(d: D<'_>) -> UiResult<Vec<Project>> {
    Ok(d.api.project_list(&d.actor).await?)
}

#[tauri::command]
pub async fn validate_cluster(d: D<'_>, file: String) -> UiResult<ClusterValidation> {
    Ok(d.api.cluster_validate(&d.actor, &file).await?)
}

#[tauri::command]
pub async fn create_cluster(d: D<'_>, file: String, until: Option<String>) -> UiResult<i64> {
    Ok(d.api.cluster_create(&d.actor, &file, until.as_deref()).await?.spawn())
}

#[tauri::command]
pub async fn deploy_cluster(d: D<'_>, name: String, until: Option<String>) -> UiResult<i64> {
    Ok(d.api.cluster_deploy(&d.actor, &name, until.as_deref()).await?.spawn())
}

/// The task of a Day-2 operation started (never a plan: the window does not ask for one).
fn day2_task(op: ko_api::Day2) -> UiResult<i64> {
    match op {
        ko_api::Day2::Started(task) => Ok((*task).spawn()),
        ko_api::Day2::Plan(_) => {
            Err(crate::error::UiError::shell("day2", "a plan was returned where a task was asked for"))
        }
    }
}

#[tauri::command]
pub async fn add_workers(d: D<'_>, name: String, hosts: Vec<String>, zone: Option<String>) -> UiResult<i64> {
    day2_task(d.api.cluster_add_workers(&d.actor, &name, &hosts, zone.as_deref(), false).await?)
}

#[tauri::command]
pub async fn remove_worker(d: D<'_>, name: String, host: String, down: bool) -> UiResult<i64> {
    day2_task(d.api.cluster_remove_worker(&d.actor, &name, &host, down, false).await?)
}

#[tauri::command]
pub async fn add_masters(
    d: D<'_>,
    name: String,
    hosts: Vec<String>,
    replacing: Option<String>,
    down: Vec<String>,
) -> UiResult<i64> {
    day2_task(d.api.cluster_add_masters(&d.actor, &name, &hosts, replacing.as_deref(), &down, false).await?)
}

#[tauri::command]
pub async fn remove_master(d: D<'_>, name: String, host: String, down: bool) -> UiResult<i64> {
    day2_task(d.api.cluster_remove_master(&d.actor, &name, &host, down, false).await?)
}

#[tauri::command]
pub async fn upgrade_cluster(d: D<'_>, name: String, to: String, batch: usize) -> UiResult<i64> {
    day2_task(d.api.cluster_upgrade(&d.actor, &name, &to, batch, false).await?)
}

#[tauri::command]
pub async fn reset_cluster(d: D<'_>, name: String) -> UiResult<i64> {
    Ok(d.api.cluster_reset(&d.actor, &name).await?.spawn())
}

#[tauri::command]
pub async fn delete_cluster(d: D<'_>, name: String) -> UiResult<()> {
    Ok(d.api.cluster_delete(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn check_certs(d: D<'_>, name: String) -> UiResult<i64> {
    Ok(d.api.cluster_check_certs(&d.actor, &name).await?.spawn())
}

#[tauri::command]
pub async fn renew_certs(d: D<'_>, name: String) -> UiResult<i64> {
    Ok(d.api.cluster_renew_certs(&d.actor, &name).await?.spawn())
}

#[tauri::command]
pub async fn clusters(d: D<'_>) -> UiResult<Vec<Cluster>> {
    Ok(d.api.cluster_list(&d.actor).await?)
}

#[tauri::command]
pub async fn cluster(d: D<'_>, name: String) -> UiResult<ClusterDetail> {
    Ok(d.api.cluster_show(&d.actor, &name).await?)
}

#[tauri::command]
pub async fn backups(d: D<'_>) -> UiResult<Vec<ko_api::ClusterBackups>> {
    Ok(d.api.backup_summary(&d.actor).await?)
}

#[tauri::command]
pub async fn backup(d: D<'_>, cluster: String) -> UiResult<i64> {
    Ok(d.api.cluster_backup(&d.actor, &cluster).await?.spawn())
}

#[tauri::command]
pub async fn restore(d: D<'_>, cluster: String, backup: String) -> UiResult<i64> {
    Ok(d.api.cluster_restore(&d.actor, &cluster, &backup).await?.spawn())
}

#[tauri::command]
pub async fn tasks(d: D<'_>) -> UiResult<Vec<Task>> {
    Ok(d.api.task_list(&d.actor, None, 50).await?)
}

#[tauri::command]
pub async fn task(d: D<'_>, id: i64) -> UiResult<TaskDetail> {
    Ok(d.api.task_show(&d.actor, id).await?)
}

#[tauri::command]
pub async fn retry(d: D<'_>, task: i64) -> UiResult<i64> {
    Ok(d.api.task_retry(&d.actor, task).await?.spawn())
}

#[tauri::command]
pub async fn cancel(d: D<'_>, task: i64) -> UiResult<()> {
    Ok(d.api.task_cancel(&d.actor, task).await?)
}
