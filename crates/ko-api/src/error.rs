//! Errors that cross to the UI and the CLI: a stable code and a message saying what to do.

use crate::refusals::{AccountRefusal, BackupRefusal, ClusterRefusal, TaskRefusal};
use ko_core::{Invalid, NextStep, Problem};
use ko_deploy::DeployError;
use ko_secrets::SecretError;
use ko_store::StoreError;
use std::path::PathBuf;

/// Result of an API call.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Why an API call failed. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The input breaks one or more rules.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// A named object does not exist.
    #[error("{kind} '{name}' does not exist")]
    NotFound {
        /// Kind of object (credential, project, user...).
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// An object with that name already exists.
    #[error("{kind} '{name}' already exists; choose another name or remove it first")]
    AlreadyExists {
        /// Kind of object.
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// The object is still used by others.
    #[error("{kind} '{name}' is still used by {}; change or remove those first", .users.join(", "))]
    InUse {
        /// Kind of object.
        kind: &'static str,
        /// Its name.
        name: String,
        /// What uses it.
        users: Vec<String>,
    },
    /// The acting user's role does not allow this.
    #[error("{actor} may not {action}: {reason}")]
    Forbidden {
        /// Who tried.
        actor: String,
        /// What they tried.
        action: String,
        /// Which role would allow it.
        reason: String,
    },
    /// The cluster is not in a state for the operation.
    #[error(transparent)]
    Cluster(#[from] ClusterRefusal),
    /// The task cannot do that in its state.
    #[error(transparent)]
    Task(#[from] TaskRefusal),
    /// A run (or getting ready for one) was refused: the cluster busy, hosts that cannot be
    /// used, a secret a playbook may not keep.
    #[error(transparent)]
    Deploy(DeployError),
    /// The account change would break the system, or the account cannot act.
    #[error(transparent)]
    Account(#[from] AccountRefusal),
    /// The backup file is not restored.
    #[error(transparent)]
    Backup(#[from] BackupRefusal),
    /// A playbook (an operator's override, say) cannot be read or planned.
    #[error(transparent)]
    Playbook(#[from] ko_playbook::PlaybookError),
    /// The data dir keeps its secrets in another store than the one asked for.
    #[error(
        "this data dir keeps its secrets in the {recorded} and cannot switch to the {asked} while it holds credentials \
         or clusters; leave the choice out (or use a new data dir)"
    )]
    SecretsSwitch {
        /// The store it uses.
        recorded: &'static str,
        /// The store asked for.
        asked: &'static str,
    },
    /// Login failed (wrong name or password: deliberately not told apart).
    #[error("user name or password is wrong")]
    LoginFailed,
    /// Talking to a host failed.
    #[error(transparent)]
    Ssh(#[from] ko_ssh::SshError),
    /// A bundle cannot be built, trusted or used.
    #[error(transparent)]
    Bundle(#[from] ko_bundle::BundleError),
    /// Secret store (keychain, vault) or key problems.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// A cluster's API server could not be reached or read, or what would reach it is not usable.
    #[error(transparent)]
    Kubernetes(#[from] ko_k8s::Error),
    /// An IaaS endpoint (a region's vCenter) could not be reached, refused, or lacks something.
    #[error(transparent)]
    Iaas(#[from] ko_iaas::Error),
    /// The data dir cannot be used.
    #[error("cannot use the data dir {path}: {cause}; pass another with --data-dir or KO_DATA_DIR")]
    DataDir {
        /// The data dir.
        path: PathBuf,
        /// What the OS said.
        #[source]
        cause: std::io::Error,
    },
    /// Database problems.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an impossible state.
    #[error("internal error: {0}")]
    Internal(String),
    /// A background job (a blocking read or write) stopped before it finished: a bug.
    #[error("internal error: a background job stopped: {0}")]
    Worker(#[from] tokio::task::JoinError),
    /// A value could not be written or read as JSON: a bug.
    #[error("internal error: {0}")]
    Json(#[from] serde_json::Error),
}

impl ApiError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(i) => i.0.first().map_or("invalid", |p| p.code),
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::InUse { .. } => "in_use",
            Self::Forbidden { .. } => "forbidden",
            Self::Cluster(r) => r.code(),
            Self::Task(r) => r.code(),
            Self::Deploy(e) => e.code(),
            Self::Account(r) => r.code(),
            Self::Backup(r) => r.code(),
            Self::Playbook(_) => "playbook.invalid",
            Self::SecretsSwitch { .. } => "secrets.switch",
            Self::LoginFailed => "login_failed",
            Self::Ssh(e) => e.code(),
            Self::Bundle(e) => e.code(),
            Self::Secret(s) => s.code(),
            Self::Kubernetes(e) => e.code(),
            Self::Iaas(e) => e.code(),
            Self::DataDir { .. } => "data_dir",
            Self::Store(e) => e.code(),
            Self::Internal(_) | Self::Worker(_) | Self::Json(_) => "internal",
        }
    }

    /// True when the secret store cannot be used right now (a keychain gone or locked, a sealed
    /// vault): the operation can be tried again once that is fixed.
    pub fn is_secret_store_down(&self) -> bool {
        match self {
            Self::Secret(e) => e.is_store_down(),
            Self::Deploy(e) => e.is_secret_store_down(),
            _ => false,
        }
    }

    /// True when the caller's input is at fault (koctl exits 2), false when the operation failed.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Self::Invalid(_)
                | Self::NotFound { .. }
                | Self::AlreadyExists { .. }
                | Self::Bundle(_)
                | Self::Kubernetes(_)
                | Self::Iaas(
                    ko_iaas::Error::LoginRefused { .. }
                        | ko_iaas::Error::NotFound { .. }
                        | ko_iaas::Error::CertificateChanged { .. }
                )
                | Self::Store(StoreError::UnknownName(_))
                | Self::Secret(
                    SecretError::KeyUnreadable(_)
                        | SecretError::PassphraseNeeded
                        | SecretError::WrongPassphrase
                        | SecretError::VaultNewPassphrase(_)
                        | SecretError::VaultPassphrase { .. }
                )
        )
    }

    /// The step that gets past it, when there is one (the doors word it: a command, a button).
    pub fn next_step(&self) -> Option<NextStep> {
        match self {
            Self::Invalid(i) => i.0.iter().find_map(|p| p.next.clone()),
            Self::NotFound { kind, .. } => Some(NextStep::List { kind: kind.to_string() }),
            Self::Cluster(r) => r.next_step(),
            Self::Deploy(e) => e.next_step(),
            Self::Account(r) => r.next_step(),
            Self::Ssh(ko_ssh::SshError::HostKeyChanged { host, presented, .. }) => {
                Some(NextStep::HostTrust { host: host.clone(), fingerprint: Some(presented.clone()) })
            }
            _ => None,
        }
    }

    /// Whether the operation was refused for the state things are in (a conflict, not a fault).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Cluster(_)
                | Self::Task(_)
                | Self::Deploy(_)
                | Self::Account(_)
                | Self::Backup(_)
                | Self::Playbook(_)
                | Self::SecretsSwitch { .. }
        )
    }

    /// The individual problems (one for errors other than [`ApiError::Invalid`]), each with its
    /// next step.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(i) => i.0.clone(),
            other => vec![Problem::new(other.code(), "", other.to_string()).with_next(other.next_step())],
        }
    }

    /// A request that does not have the operation's shape (a missing or unknown field, a
    /// body that is not what the operation reads).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::invalid("request.malformed", "", message)
    }

    pub(crate) fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(Invalid::one(code, field, message))
    }

    /// [`ApiError::invalid`] with the step that fixes it.
    pub(crate) fn invalid_then(code: &'static str, field: &str, message: impl Into<String>, next: NextStep) -> Self {
        Self::Invalid(Invalid(vec![Problem::new(code, field, message).with_next(Some(next))]))
    }
}

impl From<DeployError> for ApiError {
    /// The deployment's errors as the API's: the kinds both have become the API's own (a missing
    /// host is `NotFound` here too), the deployment's refusals are kept whole; codes do not change.
    fn from(e: DeployError) -> Self {
        match e {
            DeployError::Invalid(i) => Self::Invalid(i),
            DeployError::NotFound { kind, name } => Self::NotFound { kind, name },
            DeployError::Playbook(e) => Self::Playbook(e),
            DeployError::Ssh(e) => Self::Ssh(e),
            DeployError::Bundle(e) => Self::Bundle(e),
            DeployError::Secret(e) => Self::Secret(e),
            DeployError::DataDir { path, cause } => Self::DataDir { path, cause },
            DeployError::Store(e) => Self::Store(e),
            DeployError::Internal(m) => Self::Internal(m),
            DeployError::Worker(e) => Self::Worker(e),
            DeployError::Json(e) => Self::Json(e),
            refusal @ (DeployError::Busy { .. } | DeployError::Hosts(_) | DeployError::NotKeepable { .. }) => {
                Self::Deploy(refusal)
            }
        }
    }
}

/// Checks an object name with [`ko_core::validate_object_name`].
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    match ko_core::validate_object_name(field, name) {
        Some(p) => Err(ApiError::Invalid(Invalid(vec![p]))),
        None => Ok(()),
    }
}

/// `Ok` when an update or delete `found` its object, else [`ApiError::NotFound`].
pub(crate) fn must_exist(found: bool, kind: &'static str, name: String) -> Result<()> {
    if found { Ok(()) } else { Err(ApiError::NotFound { kind, name }) }
}
