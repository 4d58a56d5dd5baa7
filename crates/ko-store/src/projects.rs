//! Projects: the unit clusters, members and granted resources belong to.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Project {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// When it was created (UTC, RFC 3339).
    pub created_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: r.get("id")?,
        name: r.get("name")?,
        description: r.get("description")?,
        created_at: r.get("created_at")?,
    })
}

/// Creates a project.
pub fn insert(conn: &Connection, name: &str, description: &str) -> Result<Project> {
    let mut stmt = conn.prepare_cached("INSERT INTO projects (name, description) VALUES (?1, ?2) RETURNING *")?;
    Ok(stmt.query_row(params![name, description], from_row)?)
}

/// All projects by name.
pub fn list(conn: &Connection) -> Result<Vec<Project>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM projects ORDER BY name")?;
    Ok(stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// The project called `name`, if any.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<Option<Project>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM projects WHERE name = ?1")?;
    Ok(stmt.query_row([name], from_row).optional()?)
}

/// Names of the clusters in a project (a project with clusters cannot be deleted).
pub fn cluster_names(conn: &Connection, project_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM clusters WHERE project_id = ?1 ORDER BY name")?;
    Ok(stmt.query_map([project_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Deletes a project; members and grants go with it.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM projects WHERE id = ?1", [id])?;
    Ok(())
}
