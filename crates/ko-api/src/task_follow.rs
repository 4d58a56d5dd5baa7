//! Following a task through its journal: what the browser's event stream and the desktop's
//! Channel carry. It reads the journal, so it follows tasks run by this process and by any other
//! process on the same data dir alike.

use crate::{Actor, Api, LogLine, Result, TaskStatus};
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;

/// How often the journal is read for news while nothing is new.
const POLL: Duration = Duration::from_millis(250);

/// Lines read at most per look (a long backlog arrives in several looks).
const BATCH: i64 = 2_000;

/// What a follower learns, in journal order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum TaskUpdate {
    /// Log lines, in order: everything the journal had since the last update (a long backlog
    /// comes in a few big batches, not one message a line).
    Lines(Vec<LogLine>),
    /// The task's status changed (the first update says the status it had).
    Status(TaskStatus),
    /// The task finished with this status; nothing follows.
    End(TaskStatus),
    /// The journal could not be read (the task was removed, the user lost the right to see it,
    /// the database is gone); nothing follows.
    Unreadable {
        /// Stable error code.
        code: String,
        /// What went wrong.
        message: String,
    },
}

/// A task being followed from the start of its journal.
pub struct TaskFollow {
    api: Api,
    actor: Actor,
    id: i64,
    after: i64,
    status: Option<TaskStatus>,
    pending: VecDeque<TaskUpdate>,
    ended: bool,
}

impl Api {
    /// Starts following task `id` (refused at once when it does not exist or is not the actor's
    /// to see).
    pub async fn task_follow(&self, actor: &Actor, id: i64) -> Result<TaskFollow> {
        self.task_status(actor, id).await?;
        Ok(TaskFollow {
            api: self.clone(),
            actor: actor.clone(),
            id,
            after: 0,
            status: None,
            pending: VecDeque::new(),
            ended: false,
        })
    }
}

impl TaskFollow {
    /// The next update, waiting for it; `None` after [`TaskUpdate::End`] or
    /// [`TaskUpdate::Unreadable`].
    pub async fn next(&mut self) -> Option<TaskUpdate> {
        loop {
            if let Some(u) = self.pending.pop_front() {
                return Some(u);
            }
            if self.ended {
                return None;
            }
            if let Err(e) = self.read().await {
                self.ended = true;
                return Some(TaskUpdate::Unreadable { code: e.code().into(), message: e.to_string() });
            }
        }
    }

    /// Reads what is new in the journal into `pending`, waiting a moment when nothing is.
    async fn read(&mut self) -> Result<()> {
        let status = self.api.task_status(&self.actor, self.id).await?;
        let lines = self.api.task_logs(&self.actor, self.id, self.after, BATCH).await?;
        let backlog = lines.len() as i64 == BATCH;
        let quiet = lines.is_empty();
        if let Some(last) = lines.last() {
            self.after = last.id;
            self.pending.push_back(TaskUpdate::Lines(lines));
        }
        if Some(status) != self.status {
            self.status = Some(status);
            self.pending.push_back(TaskUpdate::Status(status));
        }
        if !status.is_active() && !backlog {
            self.pending.push_back(TaskUpdate::End(status));
            self.ended = true;
        } else if quiet {
            tokio::time::sleep(POLL).await;
        }
        Ok(())
    }
}
