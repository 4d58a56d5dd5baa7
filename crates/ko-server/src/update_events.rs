//! A stream of updates (a push's, a build's, a cluster view's) as server-sent `update` events.

use axum::response::sse::{Event, KeepAlive, Sse};

/// Updates from `rx` as server-sent `update` events (JSON), until the sender is done or the
/// client goes (dropping the receiver, which the sender notices).
pub(crate) fn event_stream<T: serde::Serialize + Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let events = futures::stream::unfold(rx, |mut rx| async move {
        let update = rx.recv().await?;
        Some((Ok(Event::default().event("update").data(serde_json::to_string(&update).unwrap_or_default())), rx))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
