//! Forward-only schema migrations, tracked in SQLite's `user_version`.
//!
//! Never edit a migration that has shipped: add a new one at the end.

mod task_operations;

use crate::{Result, StoreError};
use rusqlite::{Connection, Transaction, TransactionBehavior};

/// One migration: SQL, or Rust where stored values change shape.
enum Migration {
    Sql(&'static str),
    Rust(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}

use Migration::{Rust, Sql};

/// The migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    Sql(include_str!("migrations/0001_schema.sql")),
    Sql(include_str!("migrations/0002_seed.sql")),
    Sql(include_str!("migrations/0003_agent_credentials.sql")),
    Sql(include_str!("migrations/0004_step_outputs.sql")),
    Sql(include_str!("migrations/0005_password_change.sql")),
    Sql(include_str!("migrations/0006_staged_clusters.sql")),
    Rust(task_operations::migrate),
    Sql(include_str!("migrations/0007_cluster_api.sql")),
];

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
///
/// Foreign keys are off while migrations run (so a migration may rebuild a referenced table, as
/// SQLite's documentation prescribes) and every step must leave no dangling reference.
pub fn migrate(conn: &mut Connection, target: u32) -> Result<()> {
    let found = version(conn)?;
    if found > latest() {
        return Err(StoreError::NewerSchema { found, known: latest() });
    }
    let fk_on: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = (found..target.min(latest())).try_for_each(|v| step(conn, v));
    conn.pragma_update(None, "foreign_keys", fk_on)?;
    result
}

fn step(conn: &mut Connection, v: u32) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let failed = |source| StoreError::Migration { version: v + 1, source };
    match &MIGRATIONS[v as usize] {
        Sql(sql) => tx.execute_batch(sql),
        Rust(f) => f(&tx),
    }
    .map_err(failed)?;
    let dangling: i64 =
        tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).map_err(failed)?;
    if dangling > 0 {
        return Err(failed(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!("{dangling} dangling foreign key(s) after the migration")),
        )));
    }
    tx.pragma_update(None, "user_version", v + 1).map_err(failed)?;
    tx.commit()?;
    tracing::info!(version = v + 1, "schema migrated");
    Ok(())
}
