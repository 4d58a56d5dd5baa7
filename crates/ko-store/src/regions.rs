//! Regions of auto mode: an IaaS endpoint (vSphere: a vCenter and one of its datacenters) whose
//! password lives in the secret store under `keychain_ref`; the rest of how it is reached
//! (address, port, user, the certificate's pinned fingerprint) is `config`.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Transaction};

/// A region as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    /// Row id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `vsphere`, `openstack` or `fusioncompute`.
    pub provider: String,
    /// The datacenter (vSphere).
    pub datacenter: String,
    /// How it is reached (JSON).
    pub config: String,
    /// Where its password is kept.
    pub keychain_ref: String,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegionRow> {
    Ok(RegionRow {
        id: r.get(0)?,
        name: r.get(1)?,
        provider: r.get(2)?,
        datacenter: r.get(3)?,
        config: r.get(4)?,
        keychain_ref: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
    })
}

const COLUMNS: &str = "id, name, provider, datacenter, config, keychain_ref";

/// Adds a region; its id.
pub fn add(tx: &Transaction<'_>, r: &RegionRow) -> Result<i64> {
    tx.execute(
        "INSERT INTO regions (name, provider, datacenter, config, keychain_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![r.name, r.provider, r.datacenter, r.config, r.keychain_ref],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Every region, by name.
pub fn list(conn: &Connection) -> Result<Vec<RegionRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM regions ORDER BY name"))?;
    Ok(stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?)
}

/// The region named `name`.
pub fn get(conn: &Connection, name: &str) -> Result<Option<RegionRow>> {
    Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM regions WHERE name = ?1"), [name], row).optional()?)
}

/// The zones of region `id`, by name.
pub fn zones(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM zones WHERE region_id = ?1 ORDER BY name")?;
    Ok(stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Removes region `id`.
pub fn remove(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM regions WHERE id = ?1", [id])?;
    Ok(())
}
