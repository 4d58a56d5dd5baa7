//! Settings routes: NTP servers (used by the base phase's chrony), the public keys whose bundle
//! signatures are trusted, and the passphrase of the secrets vault.

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router, routing};
use ko_api::{NtpServer, TrustedBundleKey};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/settings/ntp", routing::get(ntp_list).post(ntp_add))
        .route("/api/settings/ntp/{name}", routing::post(ntp_set).delete(ntp_rm))
        .route("/api/settings/trusted-keys", routing::get(keys_list).post(key_add))
        .route("/api/settings/trusted-keys/{name}", routing::delete(key_rm))
        .route("/api/secrets/unlock", routing::post(secrets_unlock))
        .route("/api/secrets/passphrase", routing::post(secrets_passphrase))
}

async fn secrets_unlock(
    State(s): State<AppState>,
    Authed(a): Authed,
    Json(u): Json<ko_api::UnlockForm>,
) -> Result<StatusCode, HttpError> {
    s.api.secrets_unlock(&a, u.passphrase, u.create).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn ntp_list(State(s): State<AppState>, Authed(a): Authed) -> Result<Json<Vec<NtpServer>>, HttpError> {
    Ok(Json(s.api.ntp_list(&a).await?))
}

#[derive(Deserialize)]
struct NewNtp {
    name: String,
    address: String,
}

async fn ntp_add(
    State(s): State<AppState>,
    Authed(a): Authed,
    Json(n): Json<NewNtp>,
) -> Result<(StatusCode, Json<NtpServer>), HttpError> {
    Ok((StatusCode::CREATED, Json(s.api.ntp_add(&a, &n.name, &n.address).await?)))
}

#[derive(Deserialize)]
struct Enabled {
    enabled: bool,
}

async fn ntp_set(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Json(e): Json<Enabled>,
) -> Result<StatusCode, HttpError> {
    s.api.ntp_set_enabled(&a, &name, e.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn ntp_rm(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<StatusCode, HttpError> {
    s.api.ntp_rm(&a, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn keys_list(State(s): State<AppState>, Authed(a): Authed) -> Result<Json<Vec<TrustedBundleKey>>, HttpError> {
    Ok(Json(s.api.bundle_trust_list(&a).await?))
}

#[derive(Deserialize)]
struct NewKey {
    name: String,
    public_key: String,
}

async fn key_add(State(s): State<AppState>, Authed(a): Authed, Json(k): Json<NewKey>) -> Result<StatusCode, HttpError> {
    s.api.bundle_trust_add(&a, &k.name, &k.public_key).await?;
    Ok(StatusCode::CREATED)
}

async fn key_rm(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
) -> Result<StatusCode, HttpError> {
    s.api.bundle_trust_rm(&a, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The vault's new passphrase.
#[derive(Deserialize)]
struct NewPassphrase {
    passphrase: ko_api::Sensitive<String>,
}

async fn secrets_passphrase(
    State(s): State<AppState>,
    Authed(a): Authed,
    Json(p): Json<NewPassphrase>,
) -> Result<StatusCode, HttpError> {
    s.api.secrets_change_passphrase(&a, p.passphrase).await?;
    Ok(StatusCode::NO_CONTENT)
}
