//! Operations on tasks: their list, journal and logs; retry and cancel.

use super::started;
use crate::{LogLine, Started, Task, TaskDetail};

operations! {
    /// The newest tasks, of one cluster or of all the actor may see.
    task_list: Get "/api/tasks" TaskList {
        /// Only this cluster's tasks.
        #[serde(default)]
        cluster: Option<String>,
        /// At most this many (50 when absent).
        #[serde(default)]
        limit: Option<i64>,
    } -> Vec<Task> = |api, a, i| api.task_list(a, i.cluster.as_deref(), i.limit.unwrap_or(50)).await?;

    /// A task with its journal: phases, and every step on every host.
    task_show: Get "/api/tasks/{id}" TaskShow {
        /// Task id.
        id: i64,
    } -> TaskDetail = |api, a, i| api.task_show(a, i.id).await?;

    /// A task's log lines after line `after`.
    task_logs: Get "/api/tasks/{id}/logs" TaskLogs {
        /// Task id.
        id: i64,
        /// Only lines after this one (0 when absent: from the start).
        #[serde(default)]
        after: Option<i64>,
        /// At most this many lines (10,000 when absent).
        #[serde(default)]
        limit: Option<i64>,
    } -> Vec<LogLine> = |api, a, i| api.task_logs(a, i.id, i.after.unwrap_or(0), i.limit.unwrap_or(10_000)).await?;

    /// Runs a failed, cancelled or interrupted task again from where it stopped.
    task_retry: Post "/api/tasks/{id}/retry" [status 202] TaskRetry {
        /// Task id.
        id: i64,
    } -> Started = |api, a, i| started(api.task_retry(a, i.id).await?);

    /// Asks a running task to stop (whichever process runs it).
    task_cancel: Post "/api/tasks/{id}/cancel" TaskCancel {
        /// Task id.
        id: i64,
    } -> () = |api, a, i| api.task_cancel(a, i.id).await?;
}
