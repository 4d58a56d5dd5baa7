//! The database handle: one writer connection, a small pool of readers, all on the blocking pool.

use crate::{Result, StoreError, migrations};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Readers kept open for reuse.
const MAX_IDLE_READERS: usize = 4;

/// A cheap-to-clone handle to the SQLite database.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` for an in-memory database, whose only connection is the writer.
    path: Option<PathBuf>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA synchronous = NORMAL;",
    )?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database file at `path` and migrates it to the newest schema.
    pub fn open(path: &Path) -> Result<Self> {
        let open = |flags| {
            Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open { path: path.into(), source })
        };
        let mut writer = open(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        migrations::migrate(&mut writer, migrations::latest())?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: Some(path.into()),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// A fresh, fully migrated in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        let mut writer = Connection::open_in_memory()?;
        configure(&writer)?;
        migrations::migrate(&mut writer, migrations::latest())?;
        Ok(Self { inner: Arc::new(Inner { path: None, writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) }) })
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs `f` with a read-only connection on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        spawn(move || {
            let Some(path) = &inner.path else {
                return f(&lock(&inner.writer));
            };
            let pooled = lock(&inner.readers).pop();
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .map_err(|source| StoreError::Open { path: path.clone(), source })?;
                    configure(&c)?;
                    c
                }
            };
            let out = f(&conn);
            let mut idle = lock(&inner.readers);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
            out
        })
        .await
    }

    /// Runs `f` inside an immediate write transaction on this thread (while the app opens, before
    /// anything runs concurrently); commits when `f` returns `Ok`.
    pub fn write_now<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<StoreError>,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E>,
    {
        let mut conn = lock(&self.inner.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` inside an immediate write transaction on the blocking pool; commits when `f`
    /// returns `Ok`, rolls back when it returns `Err` (so a failed step leaves nothing half written).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        spawn(move || {
            let mut conn = lock(&inner.writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
            let out = f(&tx)?;
            tx.commit().map_err(StoreError::from)?;
            Ok(out)
        })
        .await
    }
}

async fn spawn<T, E, F>(f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| E::from(StoreError::Worker(e.to_string())))?
}
