//! Why a run (or getting ready for one) failed: a stable code, a message saying what to do, and
//! the step that gets past it ([`NextStep`]). ko-api turns these into its own errors, keeping the
//! codes.

use ko_core::{Invalid, NextStep};
use std::path::PathBuf;

/// Result of a deployment call.
pub type Result<T, E = DeployError> = std::result::Result<T, E>;

/// Why a deployment call failed. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The input breaks one or more rules (a bundle that lacks what a run installs, say).
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// A named object does not exist.
    #[error("{kind} '{name}' does not exist")]
    NotFound {
        /// Kind of object (host, bundle, credential...).
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// Another operation holds the cluster's lock.
    #[error("cluster '{cluster}' has an operation running; wait for it or cancel it")]
    Busy {
        /// The cluster.
        cluster: String,
    },
    /// Hosts the operation needs cannot be used.
    #[error(transparent)]
    Hosts(#[from] HostRefusal),
    /// A playbook tried to keep a secret under a name the app does not keep.
    #[error("a playbook may keep a secret only as one of {allowed}, not '{name}'")]
    NotKeepable {
        /// The name it used.
        name: String,
        /// The names allowed.
        allowed: String,
    },
    /// A playbook (an operator's override, say) cannot be read or planned.
    #[error(transparent)]
    Playbook(#[from] ko_playbook::PlaybookError),
    /// Talking to a host failed.
    #[error(transparent)]
    Ssh(#[from] ko_ssh::SshError),
    /// A bundle cannot be read or used.
    #[error(transparent)]
    Bundle(#[from] ko_bundle::BundleError),
    /// Secret store (keychain, vault) or key problems.
    #[error(transparent)]
    Secret(#[from] ko_secrets::SecretError),
    /// A file of the data dir cannot be used.
    #[error("cannot use the data dir {path}: {cause}; pass another with --data-dir or KO_DATA_DIR")]
    DataDir {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        cause: std::io::Error,
    },
    /// Database problems.
    #[error(transparent)]
    Store(#[from] ko_store::StoreError),
    /// A bug or an impossible state.
    #[error("internal error: {0}")]
    Internal(String),
    /// A background job stopped before it finished: a bug.
    #[error("internal error: a background job stopped: {0}")]
    Worker(#[from] tokio::task::JoinError),
    /// A value could not be written or read as JSON: a bug.
    #[error("internal error: {0}")]
    Json(#[from] serde_json::Error),
}

impl DeployError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(i) => i.0.first().map_or("invalid", |p| p.code),
            Self::NotFound { .. } => "not_found",
            Self::Busy { .. } => "cluster.busy",
            Self::Hosts(r) => r.code(),
            Self::NotKeepable { .. } => "playbook.not_keepable",
            Self::Playbook(_) => "playbook.invalid",
            Self::Ssh(e) => e.code(),
            Self::Bundle(e) => e.code(),
            Self::Secret(e) => e.code(),
            Self::DataDir { .. } => "data_dir",
            Self::Store(e) => e.code(),
            Self::Internal(_) | Self::Worker(_) | Self::Json(_) => "internal",
        }
    }

    /// The step that gets past it, when there is one.
    pub fn next_step(&self) -> Option<NextStep> {
        match self {
            Self::Invalid(i) => i.0.iter().find_map(|p| p.next.clone()),
            Self::NotFound { kind, .. } => Some(NextStep::List { kind: kind.to_string() }),
            Self::Busy { cluster } => Some(NextStep::TaskCancel { cluster: cluster.clone() }),
            Self::Hosts(r) => r.next_step(),
            Self::Ssh(ko_ssh::SshError::HostKeyChanged { host, presented, .. }) => {
                Some(NextStep::HostTrust { host: host.clone(), fingerprint: Some(presented.clone()) })
            }
            _ => None,
        }
    }

    /// True when the secret store cannot be used right now (a keychain gone or locked, a sealed
    /// vault).
    pub fn is_secret_store_down(&self) -> bool {
        matches!(self, Self::Secret(e) if e.is_store_down())
    }

    pub(crate) fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(Invalid::one(code, field, message))
    }
}

/// Hosts an operation needs cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HostRefusal {
    /// Some hosts did not answer; nothing was changed.
    #[error(
        "cannot reach every host, nothing was changed: {}; check the hosts and retry — or, for a node that is down for good, \
         remove or replace it saying so (down)",
        .failures.iter().map(|(h, e)| format!("{h}: {e}")).collect::<Vec<_>>().join("; ")
    )]
    Unreachable {
        /// Each host that did not answer, with why.
        failures: Vec<(String, String)>,
    },
    /// A host cannot be connected to as registered.
    #[error("cannot connect to host '{host}', nothing was changed: {cause}")]
    Unusable {
        /// The host.
        host: String,
        /// Why.
        cause: Box<DeployError>,
    },
    /// No key is pinned for the host.
    #[error("host '{host}' has no pinned host key; trust one first")]
    NoPinnedKey {
        /// The host.
        host: String,
    },
    /// Its jump chain is too long (or a loop).
    #[error("host '{host}' is behind more than {max} jump hosts")]
    JumpTooDeep {
        /// The host.
        host: String,
        /// How many are allowed.
        max: usize,
    },
    /// Its credential's secret is gone from the secret store.
    #[error("credential '{credential}' has no {what} in the secret store; add it again")]
    SecretMissing {
        /// The credential.
        credential: String,
        /// What is missing.
        what: &'static str,
    },
}

impl HostRefusal {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "hosts.unreachable",
            Self::Unusable { cause, .. } => cause.code(),
            Self::NoPinnedKey { .. } => "host.no_pinned_key",
            Self::JumpTooDeep { .. } => "host.jump_too_deep",
            Self::SecretMissing { .. } => "credential.secret_missing",
        }
    }

    /// The step that gets past it, when there is one.
    pub fn next_step(&self) -> Option<NextStep> {
        match self {
            Self::Unreachable { failures } => {
                Some(NextStep::MarkDown { hosts: failures.iter().map(|(h, _)| h.clone()).collect() })
            }
            Self::Unusable { cause, .. } => cause.next_step(),
            Self::NoPinnedKey { host } => Some(NextStep::HostTrust { host: host.clone(), fingerprint: None }),
            Self::SecretMissing { credential, .. } => Some(NextStep::CredentialAdd { name: credential.clone() }),
            Self::JumpTooDeep { .. } => None,
        }
    }
}
