//! Secret material of KubeOperator Desktop.
//!
//! * [`Sensitive`] wraps a secret so that it prints and serialises as `<redacted>` and is wiped
//!   from memory when dropped.
//! * [`Keychain`] keeps secrets in the operating system's keychain (Secret Service on Linux,
//!   Keychain on macOS, Credential Manager on Windows). There is no plaintext fallback: without a
//!   keychain every call fails with [`SecretError::Unavailable`].
//! * [`CredentialSecret`] is what one SSH credential keeps in the keychain, and
//!   [`inspect_private_key`] checks a private key (and its passphrase) before it is stored.
//! * [`write_private_file`] writes a secret the user exports (a kubeconfig) owner-readable only.

mod credential_secret;
mod keychain;
mod private_file;
mod private_key;
mod sensitive;

pub use credential_secret::CredentialSecret;
pub use keychain::Keychain;
pub use private_file::write_private_file;
pub use private_key::{KeyInfo, inspect_private_key};
pub use sensitive::Sensitive;

/// Errors of secret handling. None of them ever contains secret material.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable OS keychain.
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
    /// The keychain has no entry under this key.
    #[error("the OS keychain has no entry '{0}'; the secret was removed outside the app: add the credential again")]
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
    #[error("the OS keychain entry '{0}' is not in the format the app writes; remove it and add the credential again")]
    Corrupt(String),
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

/// Result of secret handling.
pub type Result<T, E = SecretError> = std::result::Result<T, E>;

/// Test support shared by the workspace's integration tests.
#[cfg(feature = "test-support")]
pub mod testing {
    use crate::Keychain;

    /// The real OS keychain if it answers. When it does not, tests that need it fail if
    /// `KO_REQUIRE_KEYCHAIN` is set (CI and `./dev test` set it) and are otherwise skipped with a
    /// loud message on stderr.
    pub fn keychain_or_skip(test: &str) -> Option<Keychain> {
        let kc = Keychain::os();
        match kc.probe() {
            Ok(()) => Some(kc),
            Err(e) if std::env::var_os("KO_REQUIRE_KEYCHAIN").is_some() => {
                panic!("{test}: KO_REQUIRE_KEYCHAIN is set but the keychain is unavailable: {e}")
            }
            Err(e) => {
                eprintln!(
                    "\n!!! SKIPPED {test}: no OS keychain ({e}).\n!!! Run the tests with ./dev test to get one.\n"
                );
                None
            }
        }
    }
}
