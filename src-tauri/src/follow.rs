//! The streams a page follows over a Tauri Channel: a task's journal (every [`TaskUpdate`] from
//! the start until the task ends) and a cluster view (every [`ResourceUpdate`] of one kind), each
//! until the page stops following it (leaving the view).

use crate::Desktop;
use crate::error::UiResult;
use futures::{Stream, StreamExt};
use ko_api::{CancellationToken, LogForm, PodLogUpdate, ResourceUpdate, TaskUpdate, WatchForm};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tauri::State;
use tauri::ipc::Channel;

/// The streams in progress, by id.
#[derive(Default)]
pub struct Follows {
    next_id: AtomicU32,
    running: Mutex<HashMap<u32, CancellationToken>>,
}

impl Follows {
    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<u32, CancellationToken>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn start(&self) -> (u32, CancellationToken) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let token = CancellationToken::new();
        self.running().insert(id, token.clone());
        (id, token)
    }

    fn stop(&self, id: u32) {
        if let Some(token) = self.running().remove(&id) {
            token.cancel();
        }
    }
}

/// Starts streaming task `id`'s journal to `on_update`; returns the follow's id for
/// [`stop_following`].
#[tauri::command]
pub async fn follow_task(d: State<'_, Desktop>, id: i64, on_update: Channel<TaskUpdate>) -> UiResult<u32> {
    let follow = d.api.task_follow(&d.actor, id).await?;
    let updates = futures::stream::unfold(follow, |mut f| async move { f.next().await.map(|u| (u, f)) });
    Ok(forward(&d, updates, on_update))
}

/// Starts streaming cluster `name`'s live rows of one kind to `on_update`; returns the follow's
/// id for [`stop_following`].
#[tauri::command]
pub async fn watch_resources(
    d: State<'_, Desktop>,
    name: String,
    form: WatchForm,
    on_update: Channel<ResourceUpdate>,
) -> UiResult<u32> {
    let updates = d.api.cluster_resource_updates(&d.actor, &name, form).await?;
    Ok(forward(&d, received(updates), on_update))
}

/// Starts streaming a pod's log to `on_update`; returns the follow's id for [`stop_following`].
#[tauri::command]
pub async fn pod_log(
    d: State<'_, Desktop>,
    name: String,
    form: LogForm,
    on_update: Channel<PodLogUpdate>,
) -> UiResult<u32> {
    let updates = d.api.cluster_pod_log_updates(&d.actor, &name, form).await?;
    Ok(forward(&d, received(updates), on_update))
}

/// What `rx` receives, as a stream.
fn received<T: Send + 'static>(rx: tokio::sync::mpsc::UnboundedReceiver<T>) -> impl Stream<Item = T> + Send + 'static {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|u| (u, rx)) })
}

/// Passes `updates` on to the page until it stops following or the updates end; the follow's id.
fn forward<T: serde::Serialize + Clone + Send + 'static>(
    d: &Desktop,
    updates: impl Stream<Item = T> + Send + 'static,
    on_update: Channel<T>,
) -> u32 {
    let follows = Arc::clone(&d.follows);
    let (follow_id, stop) = follows.start();
    tauri::async_runtime::spawn(async move {
        let mut updates = std::pin::pin!(updates);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                update = updates.next() => {
                    let Some(u) = update else { break };
                    if on_update.send(u).is_err() {
                        break; // the page is gone
                    }
                }
            }
        }
        follows.stop(follow_id);
    });
    follow_id
}

/// Stops a follow (the page left the task's or the cluster view).
#[tauri::command]
pub fn stop_following(d: State<'_, Desktop>, follow: u32) {
    d.follows.stop(follow);
}
