//! Hosts: where the app connects, how, and what it found there.

use crate::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// The part of a host the cluster rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostAddress {
    /// Host name.
    pub name: String,
    /// Address as stored.
    pub address: String,
    /// `amd64` / `arm64` once facts are gathered.
    pub arch: Option<String>,
}

/// Registers a host (facts and the pinned key come later, from the SSH layer).
pub fn insert(conn: &Connection, name: &str, address: &str, port: u16, credential_id: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO hosts (name, address, port, credential_id) VALUES (?1, ?2, ?3, ?4)",
        params![name, address, port, credential_id],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Name, address and arch of every host.
pub fn addresses(conn: &Connection) -> Result<Vec<HostAddress>> {
    let mut stmt = conn.prepare_cached("SELECT name, address, arch FROM hosts ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok(HostAddress { name: r.get(0)?, address: r.get(1)?, arch: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
