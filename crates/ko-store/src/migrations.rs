//! Forward-only schema migrations, tracked in SQLite's `user_version`.
//!
//! Never edit a migration that has shipped: add a new one at the end.

use crate::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// The migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_schema.sql"), include_str!("migrations/0002_seed.sql")];

/// The newest schema version this build knows.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Migrates `conn` up to `target` (each step in its own transaction). Refuses a database newer
/// than this build.
pub fn migrate(conn: &mut Connection, target: u32) -> Result<()> {
    let found = version(conn)?;
    if found > latest() {
        return Err(StoreError::NewerSchema { found, known: latest() });
    }
    for v in found..target.min(latest()) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(MIGRATIONS[v as usize])
            .and_then(|()| tx.pragma_update(None, "user_version", v + 1))
            .map_err(|source| StoreError::Migration { version: v + 1, source })?;
        tx.commit()?;
        tracing::info!(version = v + 1, "schema migrated");
    }
    Ok(())
}
