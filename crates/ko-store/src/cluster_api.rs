//! How an imported cluster's API server is reached (its credential lives in the secret store),
//! and every cluster's last health probe.

use crate::Result;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// An imported cluster's API server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApiEndpoint {
    /// URL (`https://host:port`).
    pub server: String,
    /// The CA certificates (PEM); none: the system's roots.
    pub ca_pem: Option<String>,
    /// The name its certificate is checked against, when not the URL's host.
    pub tls_server_name: Option<String>,
    /// `token` or `client_certificate`.
    pub credential_kind: String,
    /// Who the credential authenticates as (empty when the server did not say).
    pub username: String,
}

/// Records (or replaces) cluster `id`'s API endpoint.
pub fn set_endpoint(conn: &Connection, id: i64, e: &ApiEndpoint) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO cluster_api (cluster_id, server, ca_pem, tls_server_name, credential_kind, username)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![id, e.server, e.ca_pem, e.tls_server_name, e.credential_kind, e.username],
    )?;
    Ok(())
}

/// Cluster `id`'s API endpoint, if it was imported.
pub fn endpoint(conn: &Connection, id: i64) -> Result<Option<ApiEndpoint>> {
    Ok(conn
        .query_row(
            "SELECT server, ca_pem, tls_server_name, credential_kind, username FROM cluster_api WHERE cluster_id = ?1",
            [id],
            |r| {
                Ok(ApiEndpoint {
                    server: r.get(0)?,
                    ca_pem: r.get(1)?,
                    tls_server_name: r.get(2)?,
                    credential_kind: r.get(3)?,
                    username: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// A cluster's last health probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthRecord {
    /// When it ran.
    pub checked_at: String,
    /// The API server answered.
    pub reachable: bool,
    /// Everything it checked was well.
    pub healthy: bool,
    /// What it found (JSON).
    pub report: String,
    /// The last time the API server answered.
    pub last_ok_at: Option<String>,
}

/// Records a probe of cluster `id` (keeping when the API server last answered).
pub fn record_health(conn: &Connection, id: i64, reachable: bool, healthy: bool, report: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO cluster_health (cluster_id, reachable, healthy, report, last_ok_at)
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?2 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END)
         ON CONFLICT (cluster_id) DO UPDATE SET checked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
           reachable = excluded.reachable, healthy = excluded.healthy, report = excluded.report,
           last_ok_at = CASE WHEN excluded.reachable THEN excluded.last_ok_at ELSE cluster_health.last_ok_at END",
        rusqlite::params![id, reachable, healthy, report],
    )?;
    Ok(())
}

/// Cluster `id`'s last probe, if it had one.
pub fn health(conn: &Connection, id: i64) -> Result<Option<HealthRecord>> {
    Ok(conn
        .query_row(
            "SELECT checked_at, reachable, healthy, report, last_ok_at FROM cluster_health WHERE cluster_id = ?1",
            [id],
            |r| {
                Ok(HealthRecord {
                    checked_at: r.get(0)?,
                    reachable: r.get(1)?,
                    healthy: r.get(2)?,
                    report: r.get(3)?,
                    last_ok_at: r.get(4)?,
                })
            },
        )
        .optional()?)
}
