//! Following a task's journal over a Tauri Channel: the page gets every [`TaskUpdate`] from the
//! start of the journal until the task ends, or until it stops following (leaving the view).

use crate::Desktop;
use crate::error::UiResult;
use ko_api::{CancellationToken, TaskUpdate};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tauri::State;
use tauri::ipc::Channel;

/// The follows in progress, by id.
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
/// [`unfollow_task`].
#[tauri::command]
pub async fn follow_task(d: State<'_, Desktop>, id: i64, on_update: Channel<TaskUpdate>) -> UiResult<u32> {
    let mut follow = d.api.task_follow(&d.actor, id).await?;
    let follows = Arc::clone(&d.follows);
    let (follow_id, stop) = follows.start();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                update = follow.next() => {
                    let Some(u) = update else { break };
                    if on_update.send(u).is_err() {
                        break; // the page is gone
                    }
                }
            }
        }
        follows.stop(follow_id);
    });
    Ok(follow_id)
}

/// Stops a follow (the page left the task's view).
#[tauri::command]
pub fn unfollow_task(d: State<'_, Desktop>, follow: u32) {
    d.follows.stop(follow);
}
