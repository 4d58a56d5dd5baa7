//! Secret material of KubeOperator Desktop.
//!
//! * [`Sensitive`] wraps a secret so that it prints and serialises as `<redacted>` and is wiped
//!   from memory when dropped; [`to_stored_json`] is the one way to write it for the store.
//! * [`SecretStore`] keeps secrets either in the operating system's keychain (Secret Service on
//!   Linux — one D-Bus connection and session per process, reused; Keychain on macOS; Credential
//!   Manager on Windows) or, where there is none (a headless Linux machine), in an encrypted vault
//!   file ([`vault`]: argon2id + ChaCha20-Poly1305, sealed until its passphrase is given). There is
//!   no plaintext fallback. [`SecretStore::with_read_cache`] reads each secret once per task.
//! * [`CredentialSecret`] is what one SSH credential keeps in the store, and
//!   [`inspect_private_key`] checks a private key (and its passphrase) before it is stored.
//! * [`write_private_file`] writes a secret the user exports (a kubeconfig) owner-readable only.

mod credential_secret;
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod native_keychain;
mod private_file;
mod private_key;
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
mod secret_service;
mod sensitive;
mod store;
pub mod vault;

pub use credential_secret::CredentialSecret;
pub use private_file::write_private_file;
pub use private_key::{KeyInfo, inspect_private_key};
pub use sensitive::{Sensitive, from_stored_json, to_stored_json};
pub use store::{SERVICE, SecretStore, StoreKind, StoreState};
pub use vault::PassphraseSource;

use std::path::PathBuf;

/// Errors of secret handling. None of them ever contains secret material.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable OS keychain: none on this machine, or it stopped answering.
    #[error(
        "no OS keychain is available ({backend}): {cause}. Secrets are never stored in plaintext, so this must be fixed first: {hint}"
    )]
    Unavailable {
        /// Backend tried.
        backend: &'static str,
        /// What the platform said.
        cause: String,
        /// What the user can do on this platform.
        hint: &'static str,
    },
    /// The keychain answers but keeps the app's secrets locked.
    #[error(
        "the OS keychain ({backend}) is locked: {cause}. Unlock it, then try again (a failed task resumes with `task retry`): {hint}"
    )]
    Locked {
        /// Backend tried.
        backend: &'static str,
        /// What is locked, and why that matters.
        cause: String,
        /// How to unlock it on this platform.
        hint: &'static str,
    },
    /// The keychain has no entry under this key.
    #[error("the secret store has no entry '{0}'; the secret was removed outside the app: add the credential again")]
    Missing(String),
    /// The keychain refused or failed an operation.
    #[error("the OS keychain failed to {action} entry '{key}': {cause}")]
    Keychain {
        /// read / write / delete.
        action: &'static str,
        /// Entry key.
        key: String,
        /// What the platform said.
        cause: String,
    },
    /// The entry does not hold what the app wrote there.
    #[error(
        "the secret store's entry '{0}' is not in the format the app writes; remove it and add the credential again"
    )]
    Corrupt(String),
    /// The vault's passphrase has not been given in this process.
    #[error("the secrets vault {path} is sealed: {hint}")]
    Sealed {
        /// The vault file.
        path: PathBuf,
        /// How to give the passphrase here.
        hint: String,
    },
    /// The passphrase does not open the vault.
    #[error(
        "the passphrase does not open the secrets vault {path} (or the file was changed outside the app); give the right one"
    )]
    VaultPassphrase {
        /// The vault file.
        path: PathBuf,
    },
    /// A new vault's passphrase is too weak, or the two entries differ.
    #[error("{0}")]
    VaultNewPassphrase(String),
    /// The vault file cannot be read or written, or is not a vault.
    #[error("the secrets vault {path} cannot be used: {cause}")]
    Vault {
        /// The vault file.
        path: PathBuf,
        /// What is wrong.
        cause: String,
    },
    /// Not a private key the app can read.
    #[error(
        "this is not a private key the app can read ({0}); give an OpenSSH or PEM (PKCS#1, PKCS#8, SEC1) Ed25519, ECDSA or RSA private key"
    )]
    KeyUnreadable(String),
    /// The key is encrypted and no passphrase was given.
    #[error("the private key is protected by a passphrase; give it (koctl: --passphrase-stdin)")]
    PassphraseNeeded,
    /// The passphrase does not decrypt the key.
    #[error("the passphrase does not decrypt this private key; check it and try again")]
    WrongPassphrase,
}

impl SecretError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable { .. } => "keychain.unavailable",
            Self::Locked { .. } => "keychain.locked",
            Self::Missing(_) => "keychain.missing",
            Self::Keychain { .. } => "keychain.failed",
            Self::Corrupt(_) => "keychain.corrupt",
            Self::Sealed { .. } => "vault.sealed",
            Self::VaultPassphrase { .. } => "vault.wrong_passphrase",
            Self::VaultNewPassphrase(_) => "vault.new_passphrase",
            Self::Vault { .. } => "vault.unusable",
            Self::KeyUnreadable(_) => "credential.key_unreadable",
            Self::PassphraseNeeded => "credential.passphrase_needed",
            Self::WrongPassphrase => "credential.wrong_passphrase",
        }
    }

    /// True when the store itself cannot be used right now (gone, locked, sealed): the operation
    /// can be retried once that is fixed.
    pub fn is_store_down(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Locked { .. } | Self::Sealed { .. })
    }
}

/// Result of secret handling.
pub type Result<T, E = SecretError> = std::result::Result<T, E>;

/// Test support shared by the workspace's integration tests.
#[cfg(feature = "test-support")]
pub mod testing;
