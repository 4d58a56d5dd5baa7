//! The audit (system) log.

use crate::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Row id (increasing).
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `credential.add`.
    pub action: String,
    /// On what, e.g. the credential's name.
    pub target: String,
    /// `ok`, `denied` or `failed`.
    pub result: String,
    /// Error code and message for failures; never a secret.
    pub detail: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions starting with this prefix (`credential` matches `credential.add`).
    pub action_prefix: Option<String>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// Appends an entry.
pub fn append(conn: &Connection, actor: &str, action: &str, target: &str, result: &str, detail: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO audit_log (actor, action, target, result, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![actor, action, target, result, detail])?;
    Ok(())
}

/// Entries matching `f`, newest first.
pub fn list(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let prefix = f.action_prefix.as_ref().map(|p| format!("{}%", p.replace('%', "\\%").replace('_', "\\_")));
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, target, result, detail FROM audit_log
         WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action LIKE ?2 ESCAPE '\\')
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![f.actor, prefix, f.limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            result: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
