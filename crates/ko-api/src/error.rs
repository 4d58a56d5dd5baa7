//! Errors that cross to the UI and the CLI: a stable code and a message saying what to do.

use ko_core::{Invalid, Problem};
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
    #[error("{kind} '{name}' does not exist; `koctl {kind} list` shows what does")]
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
    /// The operation would leave the system without a working administrator, or similar.
    #[error("{0}")]
    Refused(String),
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
    /// The data dir cannot be used.
    #[error("cannot use the data dir {path}: {cause}; pass another with --data-dir or KO_DATA_DIR")]
    DataDir {
        /// The data dir.
        path: PathBuf,
        /// What the OS said.
        cause: String,
    },
    /// Database problems.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an impossible state.
    #[error("internal error: {0}")]
    Internal(String),
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
            Self::Refused(_) => "refused",
            Self::LoginFailed => "login_failed",
            Self::Ssh(e) => e.code(),
            Self::Bundle(e) => e.code(),
            Self::Secret(s) => s.code(),
            Self::DataDir { .. } => "data_dir",
            Self::Store(StoreError::NewerSchema { .. }) => "store.newer_schema",
            Self::Store(_) => "store",
            Self::Internal(_) => "internal",
        }
    }

    /// True when the secret store cannot be used right now (a keychain gone or locked, a sealed
    /// vault): the operation can be tried again once that is fixed.
    pub fn is_secret_store_down(&self) -> bool {
        matches!(self, Self::Secret(e) if e.is_store_down())
    }

    /// True when the caller's input is at fault (koctl exits 2), false when the operation failed.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Self::Invalid(_)
                | Self::NotFound { .. }
                | Self::AlreadyExists { .. }
                | Self::Bundle(_)
                | Self::Secret(
                    SecretError::KeyUnreadable(_)
                        | SecretError::PassphraseNeeded
                        | SecretError::WrongPassphrase
                        | SecretError::VaultNewPassphrase(_)
                        | SecretError::VaultPassphrase { .. }
                )
        )
    }

    /// The individual problems (one for errors other than [`ApiError::Invalid`]).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(i) => i.0.clone(),
            other => vec![Problem::new(other.code(), "", other.to_string())],
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
