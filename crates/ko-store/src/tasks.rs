//! The task journal: task -> phase -> step x host, with statuses, timings, exit codes, registered
//! outputs and log lines. It is what makes a retried task resume where it stopped.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

pub use ko_core::{Operation, TaskKind, TaskStatus};

/// A task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Task {
    /// Row id.
    pub id: i64,
    /// What it does.
    pub kind: TaskKind,
    /// What it does, for people.
    pub title: String,
    /// Cluster it works on.
    pub cluster: Option<String>,
    /// Who started it.
    pub created_by: Option<String>,
    /// Its parameters: its [`Operation`] as JSON, all a retry needs to run it again.
    pub params: String,
    /// Where it is.
    pub status: TaskStatus,
    /// Attempts so far.
    pub attempt: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// Created.
    pub created_at: String,
    /// Last attempt started.
    pub started_at: Option<String>,
    /// Finished.
    pub finished_at: Option<String>,
}

const TASK_COLUMNS: &str =
    "t.id, t.kind, t.title, c.name, u.name, t.params, t.status, t.attempt, t.error, t.created_at,
     t.started_at, t.finished_at
     FROM tasks t LEFT JOIN clusters c ON c.id = t.cluster_id LEFT JOIN users u ON u.id = t.created_by";

fn task_row(r: &Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: r.get(0)?,
        kind: r.get(1)?,
        title: r.get(2)?,
        cluster: r.get(3)?,
        created_by: r.get(4)?,
        params: r.get(5)?,
        status: r.get(6)?,
        attempt: r.get(7)?,
        error: r.get(8)?,
        created_at: r.get(9)?,
        started_at: r.get(10)?,
        finished_at: r.get(11)?,
    })
}

/// Records a task of `operation` (status `pending`): its kind, and the operation as its parameters.
pub fn create(
    conn: &Connection,
    operation: &Operation,
    title: &str,
    cluster_id: Option<i64>,
    created_by: Option<i64>,
) -> Result<i64> {
    let params = serde_json::to_string(operation).map_err(|e| crate::StoreError::Value(e.to_string()))?;
    conn.execute(
        "INSERT INTO tasks (kind, title, cluster_id, created_by, params) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![operation.kind(), title, cluster_id, created_by, params],
    )?;
    Ok(conn.last_insert_rowid())
}

impl Task {
    /// What the task does, as its parameters say.
    pub fn operation(&self) -> Result<Operation> {
        serde_json::from_str(&self.params).map_err(|e| {
            crate::StoreError::Value(format!("task {} has parameters this release cannot read: {e}", self.id))
        })
    }
}

/// The task `id`.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Task>> {
    Ok(conn.query_row(&format!("SELECT {TASK_COLUMNS} WHERE t.id = ?1"), [id], task_row).optional()?)
}

/// Tasks, newest first, optionally of one cluster.
pub fn list(conn: &Connection, cluster_id: Option<i64>, limit: i64) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS} WHERE ?1 IS NULL OR t.cluster_id = ?1 ORDER BY t.id DESC LIMIT ?2"
    ))?;
    Ok(stmt.query_map(params![cluster_id, limit], task_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Tasks the journal shows as `pending` or `running`.
pub fn active(conn: &Connection) -> Result<Vec<Task>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {TASK_COLUMNS} WHERE t.status IN ('pending', 'running') ORDER BY t.id"))?;
    Ok(stmt.query_map([], task_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Starts an attempt: `running`, attempt counted (the first attempt is 1), error cleared.
pub fn start_attempt(conn: &Connection, id: i64, first: bool) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET status = 'running', error = NULL, finished_at = NULL, cancel_requested = 0,
                attempt = attempt + ?2, started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, if first { 0 } else { 1 }],
    )?;
    Ok(())
}

/// Asks the process running task `id` to stop it.
pub fn request_cancel(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("UPDATE tasks SET cancel_requested = 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// Whether a cancel of task `id` was asked for.
pub fn cancel_requested(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .query_row("SELECT cancel_requested FROM tasks WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Ends a task with `status` (`ok`, `failed`, `cancelled`, `interrupted`) and its error.
pub fn finish(conn: &Connection, id: i64, status: TaskStatus, error: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET status = ?2, error = ?3, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
        params![id, status, error],
    )?;
    // steps a dead or stopped run left running did not finish
    conn.execute(
        "UPDATE task_step_hosts SET status = 'failed', message = 'interrupted: the run stopped while this ran',
                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE status = 'running' AND step_id IN
               (SELECT s.id FROM task_steps s JOIN task_phases p ON p.id = s.phase_id WHERE p.task_id = ?1)",
        [id],
    )?;
    conn.execute(
        "UPDATE task_steps SET status = 'failed', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE status = 'running' AND phase_id IN (SELECT id FROM task_phases WHERE task_id = ?1)",
        [id],
    )?;
    conn.execute(
        "UPDATE task_phases SET status = 'failed', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE status = 'running' AND task_id = ?1",
        [id],
    )?;
    Ok(())
}

/// Records that phase `seq` of task `task` is `status`; returns the phase's row id.
pub fn set_phase(conn: &Connection, task: i64, seq: usize, name: &str, status: &str) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO task_phases (task_id, seq, name, status, started_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (task_id, seq) DO UPDATE SET status = excluded.status,
             started_at = CASE WHEN excluded.status = 'running' THEN excluded.started_at ELSE started_at END,
             finished_at = CASE WHEN excluded.status = 'running' THEN NULL
                                ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
         RETURNING id",
        params![task, seq as i64, name, status],
        |r| r.get(0),
    )?)
}

fn phase_id(conn: &Connection, task: i64, phase: usize) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT id FROM task_phases WHERE task_id = ?1 AND seq = ?2",
        params![task, phase as i64],
        |r| r.get(0),
    )?)
}

/// Records that step `seq` of phase `phase` is `status`; returns the step's row id.
pub fn set_step(conn: &Connection, task: i64, phase: usize, seq: usize, name: &str, status: &str) -> Result<i64> {
    let phase_id = phase_id(conn, task, phase)?;
    Ok(conn.query_row(
        "INSERT INTO task_steps (phase_id, seq, name, status, started_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (phase_id, seq) DO UPDATE SET status = excluded.status,
             started_at = CASE WHEN excluded.status = 'running' THEN excluded.started_at ELSE started_at END,
             finished_at = CASE WHEN excluded.status = 'running' THEN NULL
                                ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
         RETURNING id",
        params![phase_id, seq as i64, name, status],
        |r| r.get(0),
    )?)
}

/// Where a step stands on one host.
#[derive(Debug, Clone, Default)]
pub struct StepHostUpdate<'a> {
    /// Host name.
    pub host: &'a str,
    /// Status.
    pub status: &'a str,
    /// Attempt of the task.
    pub attempt: i64,
    /// Exit code.
    pub exit_code: Option<i64>,
    /// Message.
    pub message: &'a str,
    /// Registered output.
    pub output: Option<&'a str>,
}

/// Row id of step `step` of phase `phase` on `host`, if it was recorded.
pub fn step_host_id(conn: &Connection, task: i64, phase: usize, step: usize, host: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT h.id FROM task_step_hosts h JOIN task_steps s ON s.id = h.step_id
             JOIN task_phases p ON p.id = s.phase_id
             WHERE p.task_id = ?1 AND p.seq = ?2 AND s.seq = ?3 AND h.host_name = ?4",
            params![task, phase as i64, step as i64, host],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records a step on one host: `running` stamps the start, anything else the end.
pub fn set_step_host(conn: &Connection, task: i64, phase: usize, step: usize, u: &StepHostUpdate<'_>) -> Result<i64> {
    let step_id: i64 = conn.query_row(
        "SELECT s.id FROM task_steps s JOIN task_phases p ON p.id = s.phase_id
         WHERE p.task_id = ?1 AND p.seq = ?2 AND s.seq = ?3",
        params![task, phase as i64, step as i64],
        |r| r.get(0),
    )?;
    Ok(conn.query_row(
        "INSERT INTO task_step_hosts (step_id, host_name, host_id, status, exit_code, message, attempt, output,
                                      started_at)
         VALUES (?1, ?2, (SELECT id FROM hosts WHERE name = ?2), ?3, ?4, ?5, ?6, ?7,
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (step_id, host_name) DO UPDATE SET status = excluded.status, exit_code = excluded.exit_code,
             message = excluded.message, attempt = excluded.attempt, output = excluded.output,
             started_at = CASE WHEN excluded.status = 'running' THEN excluded.started_at ELSE started_at END,
             finished_at = CASE WHEN excluded.status = 'running' THEN NULL
                                ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
         RETURNING id",
        params![step_id, u.host, u.status, u.exit_code, u.message, u.attempt, u.output],
        |r| r.get(0),
    )?)
}

/// Appends a log line.
pub fn append_line(conn: &Connection, task: i64, step_host: Option<i64>, stream: &str, line: &str) -> Result<i64> {
    conn.prepare_cached("INSERT INTO task_log_lines (task_id, step_host_id, stream, line) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![task, step_host, stream, line])?;
    Ok(conn.last_insert_rowid())
}

/// A step on a host as the journal has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StepHost {
    /// Phase number.
    pub phase: i64,
    /// Phase name.
    pub phase_name: String,
    /// Step number in the phase.
    pub step: i64,
    /// Step name.
    pub step_name: String,
    /// Host name.
    pub host: String,
    /// Status.
    pub status: String,
    /// Attempt of the task that last ran it.
    pub attempt: i64,
    /// Exit code.
    pub exit_code: Option<i64>,
    /// What happened.
    pub message: String,
    /// Registered output.
    #[serde(skip)]
    pub output: Option<String>,
    /// Started.
    pub started_at: Option<String>,
    /// Finished.
    pub finished_at: Option<String>,
}

/// Every step x host of task `task`, in run order.
pub fn step_hosts(conn: &Connection, task: i64) -> Result<Vec<StepHost>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.seq, p.name, s.seq, s.name, h.host_name, h.status, h.attempt, h.exit_code, h.message, h.output,
                h.started_at, h.finished_at
         FROM task_step_hosts h JOIN task_steps s ON s.id = h.step_id JOIN task_phases p ON p.id = s.phase_id
         WHERE p.task_id = ?1 ORDER BY p.seq, s.seq, h.id",
    )?;
    Ok(stmt
        .query_map([task], |r| {
            Ok(StepHost {
                phase: r.get(0)?,
                phase_name: r.get(1)?,
                step: r.get(2)?,
                step_name: r.get(3)?,
                host: r.get(4)?,
                status: r.get(5)?,
                attempt: r.get(6)?,
                exit_code: r.get(7)?,
                message: r.get(8)?,
                output: r.get(9)?,
                started_at: r.get(10)?,
                finished_at: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A phase as the journal has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PhaseRow {
    /// Phase number.
    pub seq: i64,
    /// Name.
    pub name: String,
    /// Status.
    pub status: String,
    /// Started.
    pub started_at: Option<String>,
    /// Finished.
    pub finished_at: Option<String>,
}

/// The phases of task `task`, in order.
pub fn phases(conn: &Connection, task: i64) -> Result<Vec<PhaseRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, name, status, started_at, finished_at FROM task_phases WHERE task_id = ?1 ORDER BY seq",
    )?;
    Ok(stmt
        .query_map([task], |r| {
            Ok(PhaseRow {
                seq: r.get(0)?,
                name: r.get(1)?,
                status: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogLine {
    /// Row id (increasing: `--follow` asks for lines after the last one it saw).
    pub id: i64,
    /// When it was recorded.
    pub at: String,
    /// Host, when the line came from a step on a host.
    pub host: Option<String>,
    /// Step name.
    pub step: Option<String>,
    /// `stdout`, `stderr`, `info`.
    pub stream: String,
    /// The text.
    pub line: String,
}

/// Lines of task `task` after line id `after`, at most `limit`.
pub fn lines(conn: &Connection, task: i64, after: i64, limit: i64) -> Result<Vec<LogLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.at, h.host_name, s.name, l.stream, l.line FROM task_log_lines l
         LEFT JOIN task_step_hosts h ON h.id = l.step_host_id LEFT JOIN task_steps s ON s.id = h.step_id
         WHERE l.task_id = ?1 AND l.id > ?2 ORDER BY l.id LIMIT ?3",
    )?;
    Ok(stmt
        .query_map(params![task, after, limit], |r| {
            Ok(LogLine {
                id: r.get(0)?,
                at: r.get(1)?,
                host: r.get(2)?,
                step: r.get(3)?,
                stream: r.get(4)?,
                line: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
