//! `GET /api/tasks/{id}/events`: a task's journal as server-sent events — `lines` with the log
//! lines read since the last event (a JSON array), `status` when the task's status changes, `end` once it is finished, `error` if the
//! journal cannot be read. It follows tasks of any process on the data dir (see
//! [`ko_api::TaskFollow`]).

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use ko_api::TaskUpdate;
use std::convert::Infallible;

pub async fn stream(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HttpError> {
    let follow = state.api.task_follow(&actor, id).await?; // 404 / 403 before the stream starts
    let events = futures::stream::unfold(follow, |mut f| async move {
        let event = match f.next().await? {
            TaskUpdate::Lines(lines) => {
                let last = lines.last().map_or(0, |l| l.id);
                Event::default()
                    .event("lines")
                    .id(last.to_string())
                    .data(serde_json::to_string(&lines).unwrap_or_default())
            }
            TaskUpdate::Status(s) => Event::default().event("status").data(s.as_str()),
            TaskUpdate::End(s) => Event::default().event("end").data(s.as_str()),
            TaskUpdate::Unreadable { code, message } => {
                Event::default().event("error").data(serde_json::json!({"code": code, "message": message}).to_string())
            }
        };
        Some((Ok(event), f))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
