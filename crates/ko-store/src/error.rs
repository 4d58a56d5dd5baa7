//! Errors of the store.

use std::path::PathBuf;

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened.
    #[error("cannot open the database {path}: {source}; check that the data dir exists and is writable")]
    Open {
        /// Database file.
        path: PathBuf,
        /// Cause.
        source: rusqlite::Error,
    },
    /// The file was written by a newer version of the app.
    #[error(
        "the database is at schema version {found} but this build knows only up to {known}; it was written by a newer KubeOperator Desktop: upgrade the app (nothing was changed)"
    )]
    NewerSchema {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        known: u32,
    },
    /// A migration failed; the file was left at the previous version.
    #[error(
        "migration to schema version {version} failed: {source}; the database was left unchanged at the previous version"
    )]
    Migration {
        /// Version that failed.
        version: u32,
        /// Cause.
        source: rusqlite::Error,
    },
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A stored kind or status this release does not know (a newer release wrote it, or the file
    /// is damaged).
    #[error(transparent)]
    UnknownName(ko_core::UnknownName),
    /// A stored value (JSON) this release cannot read or write.
    #[error("{0}")]
    Value(String),
    /// The blocking task running a query died.
    #[error("database worker stopped: {0}")]
    Worker(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::FromSqlConversionFailure(_, _, cause) = &e
            && let Some(unknown) = cause.downcast_ref::<ko_core::UnknownName>()
        {
            return Self::UnknownName(unknown.clone());
        }
        Self::Sqlite(e)
    }
}

impl StoreError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NewerSchema { .. } => "store.newer_schema",
            Self::UnknownName(u) => u.code,
            _ => "store",
        }
    }

    /// True when a UNIQUE or PRIMARY KEY constraint refused a write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    }

    /// True when a FOREIGN KEY constraint refused a write (e.g. deleting a row still in use).
    /// `ON DELETE RESTRICT` reports as a trigger constraint, so the message decides.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, Some(msg)))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.starts_with("FOREIGN KEY"))
    }
}
