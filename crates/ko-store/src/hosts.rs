//! Hosts: where the app connects, how, the key pinned for it, and what it found there.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A registered host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Host {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// IP address or DNS name.
    pub address: String,
    /// SSH port.
    pub port: u16,
    /// Credential name.
    pub credential: String,
    /// Jump host name, if the host is reached through one.
    pub jump: Option<String>,
    /// Pinned host key algorithm.
    pub host_key_algorithm: Option<String>,
    /// Pinned host key (OpenSSH public key line).
    pub host_key: Option<String>,
    /// Pinned host key's `SHA256:` fingerprint.
    pub host_key_fingerprint: Option<String>,
    /// `amd64` / `arm64` once facts are gathered.
    pub arch: Option<String>,
    /// Gathered facts (JSON of ko-ssh's `HostFacts`).
    pub facts: Option<String>,
    /// When facts were gathered.
    pub facts_at: Option<String>,
    /// `new`, `running`, `unreachable`, `failed`, `initializing`.
    pub status: String,
    /// Why the status is what it is.
    pub status_message: String,
    /// When it was registered.
    pub created_at: String,
    /// The cluster it is a node of, if any.
    pub cluster: Option<String>,
}

/// A host to register, with what the first connection found.
#[derive(Debug, Clone)]
pub struct NewHost<'a> {
    /// Name.
    pub name: &'a str,
    /// Address.
    pub address: &'a str,
    /// Port.
    pub port: u16,
    /// Credential id.
    pub credential_id: i64,
    /// Jump host id.
    pub jump_host_id: Option<i64>,
}

/// The pinned key.
#[derive(Debug, Clone)]
pub struct PinnedKey<'a> {
    /// Algorithm.
    pub algorithm: &'a str,
    /// OpenSSH public key line.
    pub key: &'a str,
    /// `SHA256:` fingerprint.
    pub fingerprint: &'a str,
}

const SELECT: &str = "SELECT h.*, c.name AS credential_name, j.name AS jump_name,
    (SELECT cl.name FROM cluster_nodes n JOIN clusters cl ON cl.id = n.cluster_id WHERE n.name = h.name LIMIT 1)
        AS cluster_name
    FROM hosts h JOIN credentials c ON c.id = h.credential_id LEFT JOIN hosts j ON j.id = h.jump_host_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Host> {
    Ok(Host {
        id: r.get("id")?,
        name: r.get("name")?,
        address: r.get("address")?,
        port: r.get("port")?,
        credential: r.get("credential_name")?,
        jump: r.get("jump_name")?,
        host_key_algorithm: r.get("host_key_algorithm")?,
        host_key: r.get("host_key")?,
        host_key_fingerprint: r.get("host_key_fingerprint")?,
        arch: r.get("arch")?,
        facts: r.get("facts")?,
        facts_at: r.get("facts_at")?,
        status: r.get("status")?,
        status_message: r.get("status_message")?,
        created_at: r.get("created_at")?,
        cluster: r.get("cluster_name")?,
    })
}

/// Registers a host; returns its id.
pub fn insert(conn: &Connection, h: &NewHost<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO hosts (name, address, port, credential_id, jump_host_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![h.name, h.address, h.port, h.credential_id, h.jump_host_id],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Pins a host key.
pub fn pin_key(conn: &Connection, id: i64, key: &PinnedKey<'_>) -> Result<()> {
    conn.execute(
        "UPDATE hosts SET host_key_algorithm = ?2, host_key = ?3, host_key_fingerprint = ?4 WHERE id = ?1",
        params![id, key.algorithm, key.key, key.fingerprint],
    )?;
    Ok(())
}

/// Stores gathered facts and marks the host running.
pub fn set_facts(conn: &Connection, id: i64, arch: &str, facts_json: &str) -> Result<()> {
    conn.execute(
        "UPDATE hosts SET arch = CASE WHEN ?2 IN ('amd64', 'arm64') THEN ?2 END, facts = ?3,
             facts_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), status = 'running', status_message = '' WHERE id = ?1",
        params![id, arch, facts_json],
    )?;
    Ok(())
}

/// Sets the status and its reason.
pub fn set_status(conn: &Connection, id: i64, status: &str, message: &str) -> Result<()> {
    conn.execute("UPDATE hosts SET status = ?2, status_message = ?3 WHERE id = ?1", params![id, status, message])?;
    Ok(())
}

/// All hosts by name.
pub fn list(conn: &Connection) -> Result<Vec<Host>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY h.name"))?;
    Ok(stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// The host called `name`, if any.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<Option<Host>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE h.name = ?1"))?;
    Ok(stmt.query_row([name], from_row).optional()?)
}

/// Ids of the hosts granted to the projects `project_ids`.
pub fn granted_to(conn: &Connection, project_ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT resource_id FROM project_resources WHERE resource_kind = 'host' AND project_id IN (SELECT value FROM json_each(?1))",
    )?;
    let ids = serde_json::to_string(project_ids).unwrap_or_else(|_| "[]".into());
    Ok(stmt.query_map([ids], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// What uses the host: clusters it is a node of and hosts that jump through it.
pub fn users_of(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'cluster ' || c.name FROM cluster_nodes n JOIN clusters c ON c.id = n.cluster_id WHERE n.host_id = ?1
         UNION ALL SELECT 'host ' || name || ' (jump host)' FROM hosts WHERE jump_host_id = ?1 ORDER BY 1",
    )?;
    Ok(stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Deletes a host.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM hosts WHERE id = ?1", [id])?;
    Ok(())
}

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

/// Name, address and arch of every host.
pub fn addresses(conn: &Connection) -> Result<Vec<HostAddress>> {
    let mut stmt = conn.prepare_cached("SELECT name, address, arch FROM hosts ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok(HostAddress { name: r.get(0)?, address: r.get(1)?, arch: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
