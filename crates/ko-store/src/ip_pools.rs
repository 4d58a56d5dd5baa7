//! IP pools of auto mode: a subnet, gateway and DNS servers, and one row per address a VM may be
//! given, with its state (`available`, `used` by a host, `locked` by hand, `reachable`: answering
//! although nothing of the app holds it).

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;

/// A pool as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IpPoolRow {
    /// Row id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The subnet (`10.1.0.0/24`).
    pub subnet: String,
    /// The VMs' default gateway.
    pub gateway: String,
    /// DNS servers.
    pub dns: Vec<String>,
    /// Free text.
    pub description: String,
}

/// How many of a pool's addresses are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AddressCounts {
    /// All of them.
    pub total: usize,
    /// Free to hand out.
    pub available: usize,
    /// Held by a host.
    pub used: usize,
    /// Kept out of use by hand.
    pub locked: usize,
    /// Answering on the network although nothing of the app holds them.
    pub reachable: usize,
}

/// One address of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IpAddressRow {
    /// The address.
    pub address: String,
    /// `available`, `used`, `locked` or `reachable`.
    pub status: String,
    /// The host holding it (`used`).
    pub host: Option<String>,
}

/// Adds a pool with its addresses; its id.
pub fn add(tx: &Transaction<'_>, pool: &IpPoolRow, addresses: &[String]) -> Result<i64> {
    // a list of strings always serializes
    let dns = serde_json::Value::from(pool.dns.clone()).to_string();
    tx.execute(
        "INSERT INTO ip_pools (name, subnet, gateway, dns, description) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![pool.name, pool.subnet, pool.gateway, dns, pool.description],
    )?;
    let id = tx.last_insert_rowid();
    add_addresses(tx, id, addresses)?;
    Ok(id)
}

/// Adds addresses to pool `id` (those it has already are left as they are); how many were new.
pub fn add_addresses(tx: &Transaction<'_>, id: i64, addresses: &[String]) -> Result<usize> {
    let mut insert = tx.prepare("INSERT OR IGNORE INTO ip_addresses (pool_id, address) VALUES (?1, ?2)")?;
    let mut added = 0;
    for a in addresses {
        added += insert.execute(rusqlite::params![id, a])?;
    }
    Ok(added)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IpPoolRow> {
    let dns: String = r.get(4)?;
    Ok(IpPoolRow {
        id: r.get(0)?,
        name: r.get(1)?,
        subnet: r.get(2)?,
        gateway: r.get(3)?,
        dns: serde_json::from_str(&dns).unwrap_or_default(),
        description: r.get(5)?,
    })
}

/// Every pool, by name.
pub fn list(conn: &Connection) -> Result<Vec<IpPoolRow>> {
    let mut stmt = conn.prepare("SELECT id, name, subnet, gateway, dns, description FROM ip_pools ORDER BY name")?;
    Ok(stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?)
}

/// The pool named `name`.
pub fn get(conn: &Connection, name: &str) -> Result<Option<IpPoolRow>> {
    Ok(conn
        .query_row("SELECT id, name, subnet, gateway, dns, description FROM ip_pools WHERE name = ?1", [name], row)
        .optional()?)
}

/// Pool `id`'s counts by state.
pub fn counts(conn: &Connection, id: i64) -> Result<AddressCounts> {
    let mut stmt = conn.prepare("SELECT status, count(*) FROM ip_addresses WHERE pool_id = ?1 GROUP BY status")?;
    let mut c = AddressCounts::default();
    for pair in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (status, n) = pair?;
        let n = usize::try_from(n).unwrap_or_default();
        c.total += n;
        match status.as_str() {
            "available" => c.available = n,
            "used" => c.used = n,
            "locked" => c.locked = n,
            _ => c.reachable = n,
        }
    }
    Ok(c)
}

/// Pool `id`'s addresses (in the order they were added: a range's in order).
pub fn addresses(conn: &Connection, id: i64) -> Result<Vec<IpAddressRow>> {
    let mut stmt = conn.prepare(
        "SELECT a.address, a.status, h.name FROM ip_addresses a LEFT JOIN hosts h ON h.id = a.host_id
         WHERE a.pool_id = ?1 ORDER BY a.id",
    )?;
    Ok(stmt
        .query_map([id], |r| Ok(IpAddressRow { address: r.get(0)?, status: r.get(1)?, host: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Which pool (other than `except`) already holds one of `addresses`: its name and the address.
pub fn held_elsewhere(
    conn: &Connection,
    except: Option<i64>,
    addresses: &[String],
) -> Result<Option<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT p.name FROM ip_addresses a JOIN ip_pools p ON p.id = a.pool_id
         WHERE a.address = ?1 AND p.id IS NOT ?2 LIMIT 1",
    )?;
    for a in addresses {
        if let Some(pool) = stmt.query_row(rusqlite::params![a, except], |r| r.get::<_, String>(0)).optional()? {
            return Ok(Some((pool, a.clone())));
        }
    }
    Ok(None)
}

/// Sets an address's state (not of one a host holds); false when the pool has no such free
/// address.
pub fn set_status(tx: &Transaction<'_>, id: i64, address: &str, status: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE ip_addresses SET status = ?3 WHERE pool_id = ?1 AND address = ?2 AND host_id IS NULL",
        rusqlite::params![id, address, status],
    )? == 1)
}

/// What keeps pool `id` from being removed: the zones using it and how many addresses hosts hold.
pub fn users(conn: &Connection, id: i64) -> Result<(Vec<String>, usize)> {
    let mut stmt = conn.prepare("SELECT name FROM zones WHERE ip_pool_id = ?1 ORDER BY name")?;
    let zones = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let held: i64 =
        conn.query_row("SELECT count(*) FROM ip_addresses WHERE pool_id = ?1 AND host_id IS NOT NULL", [id], |r| {
            r.get(0)
        })?;
    Ok((zones, usize::try_from(held).unwrap_or_default()))
}

/// Removes pool `id` and its addresses.
pub fn remove(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM ip_pools WHERE id = ?1", [id])?;
    Ok(())
}
