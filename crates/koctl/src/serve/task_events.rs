//! `GET /api/tasks/{id}/events`: a task's journal as server-sent events — `line` for each log
//! line, `status` when the task's status changes, `end` once it is finished. It reads the journal,
//! so it follows tasks run by this server and by any other process on the data dir alike.

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;

/// How often the journal is read for news.
const POLL: Duration = Duration::from_millis(250);

/// Lines sent per read at most (a long backlog streams in several reads).
const BATCH: i64 = 2_000;

struct Follow {
    state: AppState,
    actor: ko_api::Actor,
    id: i64,
    after: i64,
    status: String,
    pending: std::collections::VecDeque<Event>,
    ended: bool,
}

pub async fn stream(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HttpError> {
    state.api.task_status(&actor, id).await?; // 404 / 403 before the stream starts
    let follow =
        Follow { state, actor, id, after: 0, status: String::new(), pending: Default::default(), ended: false };
    let events = futures::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(e) = f.pending.pop_front() {
                return Some((Ok(e), f));
            }
            if f.ended {
                return None;
            }
            f.read().await;
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

impl Follow {
    /// Reads what is new in the journal into `pending` (waiting a moment when nothing is).
    async fn read(&mut self) {
        let api = &self.state.api;
        let (status, lines) = match (
            api.task_status(&self.actor, self.id).await,
            api.task_logs(&self.actor, self.id, self.after, BATCH).await,
        ) {
            (Ok(s), Ok(l)) => (s, l),
            (Err(e), _) | (_, Err(e)) => {
                let body = serde_json::json!({"code": e.code(), "message": e.to_string()});
                self.pending.push_back(Event::default().event("error").data(body.to_string()));
                self.ended = true;
                return;
            }
        };
        for l in &lines {
            self.after = l.id;
            let data = serde_json::to_string(l).unwrap_or_default();
            self.pending.push_back(Event::default().event("line").id(l.id.to_string()).data(data));
        }
        if status != self.status {
            self.status = status.clone();
            self.pending.push_back(Event::default().event("status").data(status.clone()));
        }
        let finished = !matches!(status.as_str(), "pending" | "running");
        if finished && lines.len() < BATCH as usize {
            self.pending.push_back(Event::default().event("end").data(status));
            self.ended = true;
        } else if lines.is_empty() {
            tokio::time::sleep(POLL).await;
        }
    }
}
