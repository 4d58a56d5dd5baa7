//! ko-api's tests, one binary: the operations against a real SQLite file and the real OS keychain
//! (`access`), what a cluster operation would run (`plans`, snapshots of the Kubernetes phases),
//! and the UI's generated TypeScript (`ts_bindings`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod access;
mod imports;
mod plans;
mod ts_bindings;
