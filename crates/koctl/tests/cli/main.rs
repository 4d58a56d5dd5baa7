//! Integration tests of koctl.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod basics;
mod bundles;
mod clusters;
mod hosts;
mod iaas;
mod imports;
mod kube_plans;
mod secrets;
mod serve;
mod support;
