//! Clusters and their nodes.

use crate::Result;
use rusqlite::Connection;
use serde::Serialize;

/// How many objects of each kind the store holds (for `koctl status` and the overview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Projects.
    pub projects: i64,
    /// Users.
    pub users: i64,
    /// Credentials.
    pub credentials: i64,
    /// Hosts.
    pub hosts: i64,
    /// Clusters.
    pub clusters: i64,
    /// Tasks pending or running.
    pub active_tasks: i64,
    /// Enabled Kubernetes versions.
    pub enabled_versions: i64,
    /// Audit log entries.
    pub audit_entries: i64,
}

/// Counts every kind of object in one read.
pub fn counts(conn: &Connection) -> Result<Counts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM users), (SELECT count(*) FROM credentials),
                (SELECT count(*) FROM hosts), (SELECT count(*) FROM clusters),
                (SELECT count(*) FROM tasks WHERE status IN ('pending', 'running')),
                (SELECT count(*) FROM kubernetes_versions WHERE enabled = 1), (SELECT count(*) FROM audit_log)",
        [],
        |r| {
            Ok(Counts {
                projects: r.get(0)?,
                users: r.get(1)?,
                credentials: r.get(2)?,
                hosts: r.get(3)?,
                clusters: r.get(4)?,
                active_tasks: r.get(5)?,
                enabled_versions: r.get(6)?,
                audit_entries: r.get(7)?,
            })
        },
    )?)
}

/// Project id of the cluster `id`, for authorisation.
pub fn project_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT project_id FROM clusters WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

/// Names of the deployment plans.
pub fn plan_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM plans ORDER BY name")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}
