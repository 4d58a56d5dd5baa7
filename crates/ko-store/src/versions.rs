//! Kubernetes versions the app can deploy.

use crate::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// A Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// Registers `version` as brought by bundle `bundle` (enabled); a version already known keeps
/// its enabled state and now names the bundle. Returns whether it was new.
pub fn add_from_bundle(conn: &Connection, version: &str, bundle: &str) -> Result<bool> {
    let components = serde_json::json!({ "bundle": bundle }).to_string();
    let changed = conn.execute(
        "INSERT INTO kubernetes_versions (version, enabled, components, source) VALUES (?1, 1, ?2, 'bundle')
         ON CONFLICT (version) DO NOTHING",
        params![version, components],
    )?;
    if changed == 0 {
        conn.execute(
            "UPDATE kubernetes_versions SET components = ?2, source = 'bundle' WHERE version = ?1",
            params![version, components],
        )?;
    }
    Ok(changed > 0)
}

/// Forgets the versions bundle `bundle` brought that no cluster uses; returns them.
pub fn remove_from_bundle(conn: &Connection, bundle: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "DELETE FROM kubernetes_versions WHERE source = 'bundle' AND json_extract(components, '$.bundle') = ?1
           AND version NOT IN (SELECT version FROM clusters) RETURNING version",
    )?;
    Ok(stmt.query_map([bundle], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}
