//! System settings: package repositories per architecture, NTP servers, trusted bundle keys, and
//! single values by key (e.g. where the data dir keeps its secrets).

use crate::Result;
use rusqlite::{Connection, Row, params};
use serde::Serialize;

/// A package repository / registry for one CPU architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Repository {
    /// `amd64` or `arm64`.
    pub arch: String,
    /// `http` or `https`.
    pub protocol: String,
    /// Host name or IP.
    pub hostname: String,
    /// Port of the package repository.
    pub repo_port: u16,
    /// Port of the container registry, if any.
    pub registry_port: Option<u16>,
}

fn repo_from_row(r: &Row<'_>) -> rusqlite::Result<Repository> {
    Ok(Repository {
        arch: r.get("arch")?,
        protocol: r.get("protocol")?,
        hostname: r.get("hostname")?,
        repo_port: r.get("repo_port")?,
        registry_port: r.get("registry_port")?,
    })
}

/// Sets (adds or replaces) the repository of `repo.arch`.
pub fn set_repository(conn: &Connection, repo: &Repository) -> Result<()> {
    conn.execute(
        "INSERT INTO repositories (arch, protocol, hostname, repo_port, registry_port) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (arch) DO UPDATE SET protocol = excluded.protocol, hostname = excluded.hostname,
             repo_port = excluded.repo_port, registry_port = excluded.registry_port",
        params![repo.arch, repo.protocol, repo.hostname, repo.repo_port, repo.registry_port],
    )?;
    Ok(())
}

/// All repositories by arch.
pub fn repositories(conn: &Connection) -> Result<Vec<Repository>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM repositories ORDER BY arch")?;
    Ok(stmt.query_map([], repo_from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Removes the repository of `arch`; returns whether there was one.
pub fn remove_repository(conn: &Connection, arch: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM repositories WHERE arch = ?1", [arch])? > 0)
}

/// An NTP server the nodes synchronise with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NtpServer {
    /// Unique name.
    pub name: String,
    /// Host name or IP.
    pub address: String,
    /// Used by new deployments.
    pub enabled: bool,
}

fn ntp_from_row(r: &Row<'_>) -> rusqlite::Result<NtpServer> {
    Ok(NtpServer { name: r.get("name")?, address: r.get("address")?, enabled: r.get("enabled")? })
}

/// Adds an NTP server.
pub fn add_ntp(conn: &Connection, s: &NtpServer) -> Result<()> {
    conn.execute(
        "INSERT INTO ntp_servers (name, address, enabled) VALUES (?1, ?2, ?3)",
        params![s.name, s.address, s.enabled],
    )?;
    Ok(())
}

/// All NTP servers by name.
pub fn ntp_servers(conn: &Connection) -> Result<Vec<NtpServer>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM ntp_servers ORDER BY name")?;
    Ok(stmt.query_map([], ntp_from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Enables or disables an NTP server; returns whether it exists.
pub fn set_ntp_enabled(conn: &Connection, name: &str, enabled: bool) -> Result<bool> {
    Ok(conn.execute("UPDATE ntp_servers SET enabled = ?2 WHERE name = ?1", params![name, enabled])? > 0)
}

/// Removes an NTP server; returns whether it existed.
pub fn remove_ntp(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM ntp_servers WHERE name = ?1", [name])? > 0)
}

/// A public key whose bundle signatures are trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TrustedBundleKey {
    /// Name.
    pub name: String,
    /// base64 ed25519 public key.
    pub public_key: String,
    /// When it was added.
    pub created_at: String,
}

/// Adds a trusted bundle key.
pub fn add_trusted_key(conn: &Connection, name: &str, public_key: &str) -> Result<()> {
    conn.execute("INSERT INTO trusted_bundle_keys (name, public_key) VALUES (?1, ?2)", params![name, public_key])?;
    Ok(())
}

/// All trusted bundle keys.
pub fn trusted_keys(conn: &Connection) -> Result<Vec<TrustedBundleKey>> {
    let mut stmt = conn.prepare_cached("SELECT name, public_key, created_at FROM trusted_bundle_keys ORDER BY name")?;
    let rows =
        stmt.query_map([], |r| Ok(TrustedBundleKey { name: r.get(0)?, public_key: r.get(1)?, created_at: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes a trusted bundle key; returns whether it existed.
pub fn remove_trusted_key(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM trusted_bundle_keys WHERE name = ?1", [name])? > 0)
}

/// The setting `key`, if it was ever set.
pub fn value(conn: &Connection, key: &str) -> Result<Option<serde_json::Value>> {
    use rusqlite::OptionalExtension;
    let text: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Sets the setting `key` to `value`.
pub fn set_value(conn: &Connection, key: &str, value: &serde_json::Value) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value.to_string()],
    )?;
    Ok(())
}

/// Whether the data dir holds anything whose secret lives in its secret store: credentials,
/// clusters (certificates, keys, tokens) or bundle signing keys.
pub fn has_stored_secrets(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM credentials) OR EXISTS (SELECT 1 FROM clusters)
             OR EXISTS (SELECT 1 FROM trusted_bundle_keys)",
        [],
        |r| r.get(0),
    )?)
}
