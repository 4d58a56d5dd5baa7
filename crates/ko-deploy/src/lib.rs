//! The deployment of a cluster, apart from who may ask for it: a task's run of its operation's
//! playbooks on the cluster's hosts over SSH, journaled step by step and resumable
//! ([`Deployer::run_task`]); what that run is given (the cluster's, load balancer's, bundle's and
//! Kubernetes variables, the cluster's secrets: the etcd PKI, the key for encryption at rest); the
//! built-in playbooks; what a bundle must hold for it; reaching the registered hosts; the push of
//! a bundle's files into the hosts' stores; and what the run would do (`--plan`).
//!
//! ko-api decides who may do what, writes the audit log and applies what a task's end means for
//! its cluster; it turns a [`DeployError`] into its own error, keeping the codes.

mod bundle_needs;
mod bundle_push;
mod cluster_secrets;
mod cluster_vars;
mod credential_auth;
mod error;
mod etcd_pki;
mod host_access;
mod journal;
mod kube_vars;
mod playbooks;
mod run_context;
mod ssh_transport;
mod task_run;

pub use bundle_needs::check_bundle_covers;
pub use bundle_push::{HOST_STORE, HostPush, PushProgress, PushTally};
pub use cluster_secrets::{ADMIN_TOKEN, ClusterSecrets};
pub use cluster_vars::{API_SERVER_PORT, LB_PORT, LB_STATS_PORT, RunBundle, bundle_vars, lb_vars};
pub use credential_auth::CredentialAuth;
pub use error::{DeployError, HostRefusal, Result};
pub use host_access::{HostSpec, host_row};
pub use kube_vars::{assign_node_names, kube_vars};
pub use playbooks::builtin_playbook;
pub use run_context::spec_of;
pub use task_run::{ClusterLock, TaskOutcome, TaskRun};

use ko_secrets::SecretStore;
use ko_store::Db;
use std::path::{Path, PathBuf};

/// Where the library of imported bundles lives inside the data dir.
pub const LIBRARY_DIR: &str = "bundles";

/// What a deployment works with: the data dir (the cluster directories, the bundle library,
/// the operation locks, operators' playbook overrides), the database and the secret store.
#[derive(Clone)]
pub struct Deployer {
    data_dir: PathBuf,
    db: Db,
    secrets: SecretStore,
}

impl Deployer {
    /// A deployer over an opened data dir.
    pub fn new(data_dir: &Path, db: Db, secrets: SecretStore) -> Self {
        Self { data_dir: data_dir.to_path_buf(), db, secrets }
    }

    /// `DATA_DIR/clusters/<name>`: files fetched from or sent to the cluster's hosts, its backups.
    pub fn cluster_dir(&self, name: &str) -> PathBuf {
        self.data_dir.join("clusters").join(name)
    }

    /// `DATA_DIR/bundles`: the library of imported bundles, one directory each.
    pub fn library(&self) -> PathBuf {
        self.data_dir.join(LIBRARY_DIR)
    }
}
