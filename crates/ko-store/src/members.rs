//! Project members and their roles, and the clusters granted to cluster administrators.

use crate::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// A user's role in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Membership {
    /// Project id.
    pub project_id: i64,
    /// Project name.
    pub project: String,
    /// User id.
    pub user_id: i64,
    /// User name.
    pub user: String,
    /// `project_admin` or `cluster_admin`.
    pub role: String,
}

const SELECT: &str = "SELECT m.project_id, p.name, m.user_id, u.name, m.role
    FROM project_members m JOIN projects p ON p.id = m.project_id JOIN users u ON u.id = m.user_id";

fn collect(conn: &Connection, sql: &str, arg: i64) -> Result<Vec<Membership>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([arg], |r| {
        Ok(Membership {
            project_id: r.get(0)?,
            project: r.get(1)?,
            user_id: r.get(2)?,
            user: r.get(3)?,
            role: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a member or changes an existing member's role.
pub fn upsert(conn: &Connection, project_id: i64, user_id: i64, role: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO project_members (project_id, user_id, role) VALUES (?1, ?2, ?3)
         ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        params![project_id, user_id, role],
    )?;
    Ok(())
}

/// Removes a member; returns whether there was one.
pub fn remove(conn: &Connection, project_id: i64, user_id: i64) -> Result<bool> {
    let n = conn
        .execute("DELETE FROM project_members WHERE project_id = ?1 AND user_id = ?2", params![project_id, user_id])?;
    Ok(n > 0)
}

/// Members of one project.
pub fn of_project(conn: &Connection, project_id: i64) -> Result<Vec<Membership>> {
    collect(conn, &format!("{SELECT} WHERE m.project_id = ?1 ORDER BY u.name"), project_id)
}

/// Projects one user is a member of.
pub fn of_user(conn: &Connection, user_id: i64) -> Result<Vec<Membership>> {
    collect(conn, &format!("{SELECT} WHERE m.user_id = ?1 ORDER BY p.name"), user_id)
}

/// Ids of the clusters granted to a user as cluster administrator.
pub fn clusters_of_user(conn: &Connection, user_id: i64) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT cluster_id FROM cluster_members WHERE user_id = ?1 ORDER BY cluster_id")?;
    Ok(stmt.query_map([user_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}
