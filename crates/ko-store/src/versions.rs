//! Kubernetes versions the app can deploy.

use crate::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// A Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KubernetesVersion {
    /// e.g. `v1.34.1`.
    pub version: String,
    /// New clusters may use it.
    pub enabled: bool,
    /// `catalog` (built in) or `bundle` (brought by an imported bundle).
    pub source: String,
}

/// All versions, newest first.
pub fn list(conn: &Connection) -> Result<Vec<KubernetesVersion>> {
    let mut stmt = conn.prepare_cached("SELECT version, enabled, source FROM kubernetes_versions")?;
    let mut all: Vec<KubernetesVersion> = stmt
        .query_map([], |r| Ok(KubernetesVersion { version: r.get(0)?, enabled: r.get(1)?, source: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    all.sort_by_key(|v| std::cmp::Reverse(semver_key(&v.version)));
    Ok(all)
}

/// Enables or disables a version; returns false when there is no such version.
pub fn set_enabled(conn: &Connection, version: &str, enabled: bool) -> Result<bool> {
    Ok(conn.execute("UPDATE kubernetes_versions SET enabled = ?2 WHERE version = ?1", params![version, enabled])? > 0)
}

/// Sort key of `v1.34.1`: numeric parts, so v1.10 sorts after v1.9.
fn semver_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v').split(['.', '-', '+']).map(|p| p.parse().unwrap_or(0)).collect()
}
