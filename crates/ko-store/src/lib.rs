//! The SQLite store of KubeOperator Desktop.
//!
//! [`Db`] owns the connections (WAL mode, foreign keys on) and runs every query on tokio's
//! blocking pool. Schema changes are forward-only numbered migrations ([`migrations`]); the query
//! code is one module per aggregate, each a set of plain functions over a `&Connection`, so a
//! caller composes several of them inside one transaction with [`Db::write`].

mod db;
mod error;
pub mod migrations;

pub mod audit;
pub mod cluster_api;
pub mod clusters;
pub mod credentials;
pub mod hosts;
pub mod ip_pools;
pub mod members;
pub mod projects;
pub mod regions;
pub mod settings;
pub mod tasks;
pub mod users;
pub mod versions;

pub use db::Db;
pub use error::{Result, StoreError};
pub use rusqlite::{Connection, Transaction};
