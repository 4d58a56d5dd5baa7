//! Sessions: a random token in an HttpOnly, SameSite=Strict cookie, kept in memory (a restart
//! logs everyone out), expiring after 12 hours of inactivity.

use super::AppState;
use super::error::HttpError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use ko_api::Actor;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Cookie name.
pub const COOKIE_NAME: &str = "ko_session";

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);

/// Logged-in sessions by token.
#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<String, (Actor, Instant)>>>);

impl Sessions {
    /// Starts a session for `actor`; returns its token.
    pub fn start(&self, actor: Actor) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.lock().insert(token.clone(), (actor, Instant::now()));
        token
    }

    /// The actor of a live session (refreshing its idle timer).
    pub fn actor(&self, token: &str) -> Option<Actor> {
        let mut map = self.lock();
        map.retain(|_, (_, seen)| seen.elapsed() < IDLE_TIMEOUT);
        let (actor, seen) = map.get_mut(token)?;
        *seen = Instant::now();
        Some(actor.clone())
    }

    /// Ends a session.
    pub fn end(&self, token: &str) {
        self.lock().remove(token);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Actor, Instant)>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The `Set-Cookie` value of a new session.
pub fn cookie(token: &str) -> String {
    format!("{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", IDLE_TIMEOUT.as_secs())
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn cleared_cookie() -> String {
    format!("{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The session token a request's headers carry.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE_NAME && !v.is_empty()).then(|| v.to_string())
    })
}

/// A logged-in user, whatever the state of their password.
pub struct LoggedIn(pub Actor);

/// A logged-in user whose password need not be changed: what every route but the session and
/// password routes requires.
pub struct Authed(pub Actor);

impl FromRequestParts<AppState> for LoggedIn {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = token(&parts.headers).ok_or_else(HttpError::unauthenticated)?;
        state.sessions.actor(&token).map(LoggedIn).ok_or_else(HttpError::unauthenticated)
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let LoggedIn(actor) = LoggedIn::from_request_parts(parts, state).await?;
        if state.api.whoami(&actor).await?.must_change_password {
            return Err(HttpError::password_change_required());
        }
        Ok(Authed(actor))
    }
}
