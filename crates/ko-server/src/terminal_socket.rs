//! Terminals over a WebSocket, for users who may operate the cluster:
//!
//! - `GET /api/clusters/{name}/terminal?cols=&rows=`: a kubectl terminal (the PTY runs in this
//!   server; its PATH holds kubectl only);
//! - `GET /api/clusters/{name}/exec?namespace=&pod=&container=&command=...&cols=&rows=`: a
//!   command (`command` repeated, one per argument) in a pod's container, with a terminal.
//!
//! The handshake must come from this server's own page (its `Origin` is this `Host`), and is
//! refused with a plain answer (`403`, `404`) when the user may not operate the cluster. After it,
//! text messages say how the session goes: `{"ready": true}` once it runs, `{"error": {"code",
//! "message"}}` if it could not start (the API server refused the exec...), `{"exit": CODE}` at
//! its end. Binary messages are the terminal's bytes both ways; the page sends `{"cols", "rows"}`
//! as text to resize.

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures::SinkExt;
use futures::future::BoxFuture;
use ko_api::{ApiError, ExecTarget, Terminal, TerminalInput, TerminalOutput};
use serde::Deserialize;
use serde_json::json;

/// The terminal's first size.
#[derive(Deserialize)]
pub struct Size {
    #[serde(default = "default_cols")]
    cols: u16,
    #[serde(default = "default_rows")]
    rows: u16,
}

fn default_cols() -> u16 {
    120
}

fn default_rows() -> u16 {
    32
}

/// Whether the request's `Origin` is this server (a page elsewhere must not open a shell here
/// with the user's cookie).
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        // not a browser (no Origin): the session cookie alone decides
        (Some(_), None) => true,
        _ => false,
    }
}

fn check_origin(headers: &HeaderMap) -> Result<(), HttpError> {
    if same_origin(headers) {
        return Ok(());
    }
    Err(HttpError(
        StatusCode::FORBIDDEN,
        "origin",
        "a terminal opens only from this server's own page".into(),
        Vec::new(),
    ))
}

/// The kubectl terminal's upgrade.
pub async fn open(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Query(size): Query<Size>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    check_origin(&headers)?;
    s.api.check_may_operate(&a, &name, "open a kubectl terminal on this cluster").await?;
    let start: BoxFuture<'static, Result<Terminal, ApiError>> =
        Box::pin(async move { s.api.cluster_terminal(&a, &name, size.cols, size.rows).await });
    Ok(ws.on_upgrade(move |socket| relay(socket, start)))
}

/// The exec's upgrade.
pub async fn open_exec(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    check_origin(&headers)?;
    let bad = |message: &str| HttpError(StatusCode::BAD_REQUEST, "invalid", message.into(), Vec::new());
    let mut target = ExecTarget { namespace: String::new(), pod: String::new(), container: None, command: Vec::new() };
    let mut size = (default_cols(), default_rows());
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let number = || value.parse::<u16>().map_err(|_| bad(&format!("{key} must be a number, not '{value}'")));
        match &*key {
            "namespace" => target.namespace = value.into_owned(),
            "pod" => target.pod = value.into_owned(),
            "container" if !value.is_empty() => target.container = Some(value.into_owned()),
            "command" => target.command.push(value.into_owned()),
            "cols" => size.0 = number()?,
            "rows" => size.1 = number()?,
            _ => {}
        }
    }
    if target.namespace.is_empty() || target.pod.is_empty() {
        return Err(bad("name the pod: namespace= and pod="));
    }
    if target.command.is_empty() {
        return Err(bad("name the command: command= once per argument (command=sh)"));
    }
    s.api.check_may_operate(&a, &name, "run commands in this cluster's pods").await?;
    let start: BoxFuture<'static, Result<Terminal, ApiError>> =
        Box::pin(async move { s.api.cluster_exec(&a, &name, &target, Some(size)).await });
    Ok(ws.on_upgrade(move |socket| relay(socket, start)))
}

/// Starts the session, says whether it runs, then carries bytes both ways until it ends or the
/// page goes.
async fn relay(mut socket: WebSocket, start: BoxFuture<'static, Result<Terminal, ApiError>>) {
    let mut terminal = match start.await {
        Ok(t) => t,
        Err(e) => {
            let said = json!({"error": {"code": e.code(), "message": e.to_string()}});
            let _ = socket.send(Message::Text(said.to_string().into())).await;
            let _ = socket.close().await;
            return;
        }
    };
    if socket.send(Message::Text(json!({"ready": true}).to_string().into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            out = terminal.output.recv() => match out {
                Some(TerminalOutput::Data(bytes) | TerminalOutput::Stderr(bytes)) => {
                    if socket.send(Message::Binary(bytes.into())).await.is_err() {
                        break;
                    }
                }
                Some(TerminalOutput::Exit(code)) => {
                    let _ = socket.send(Message::Text(json!({"exit": code}).to_string().into())).await;
                    break;
                }
                None => break,
            },
            msg = socket.recv() => {
                let input = match msg {
                    Some(Ok(Message::Binary(b))) => TerminalInput::Data(b.to_vec()),
                    Some(Ok(Message::Text(t))) => match serde_json::from_str::<Size>(&t) {
                        Ok(Size { cols, rows }) => TerminalInput::Resize { cols, rows },
                        Err(_) => TerminalInput::Data(t.as_bytes().to_vec()),
                    },
                    Some(Ok(_)) => continue,
                    // the page went: dropping the input ends the session
                    Some(Err(_)) | None => break,
                };
                if terminal.input.send(input).is_err() {
                    break;
                }
            }
        }
    }
    let _ = socket.close().await;
}
