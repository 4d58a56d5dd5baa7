//! ko-deploy's tests, one binary: the built-in playbooks (`playbooks`) and the real recipes
//! (`recipes`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod playbooks;
mod recipes;
