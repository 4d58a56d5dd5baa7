//! ko-deploy's tests, one binary: the built-in playbooks (`playbooks`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod playbooks;
