//! `GET /api/clusters/{name}/terminal?cols=&rows=`: a kubectl terminal over a WebSocket, for
//! users who may operate the cluster (the PTY runs in this server; its PATH holds kubectl only).
//! Binary messages are the terminal's bytes both ways; the page sends `{"cols", "rows"}` as text
//! to resize, and the server ends with `{"exit": CODE}`. The handshake must come from this
//! server's own page (its `Origin` is this `Host`).

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures::SinkExt;
use ko_api::{Terminal, TerminalInput, TerminalOutput};
use serde::Deserialize;

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

/// The upgrade: refused (`403`, `404`...) before any shell starts.
pub async fn open(
    State(s): State<AppState>,
    Authed(a): Authed,
    Path(name): Path<String>,
    Query(size): Query<Size>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    if !same_origin(&headers) {
        return Err(HttpError(
            StatusCode::FORBIDDEN,
            "origin",
            "a terminal opens only from this server's own page".into(),
            Vec::new(),
        ));
    }
    let terminal = s.api.cluster_terminal(&a, &name, size.cols, size.rows).await?;
    Ok(ws.on_upgrade(move |socket| relay(socket, terminal)))
}

/// Carries bytes both ways until the shell ends or the page goes.
async fn relay(mut socket: WebSocket, mut terminal: Terminal) {
    loop {
        tokio::select! {
            out = terminal.output.recv() => match out {
                Some(TerminalOutput::Data(bytes)) => {
                    if socket.send(Message::Binary(bytes.into())).await.is_err() {
                        break;
                    }
                }
                Some(TerminalOutput::Exit(code)) => {
                    let _ = socket.send(Message::Text(format!("{{\"exit\":{code}}}").into())).await;
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
                    // the page went: dropping the input ends the shell
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
