//! The OS keychain through the `keyring` crate.

use crate::{Result, SecretError, Sensitive};
use keyring::Entry;

/// Service name under which the app's entries are kept.
pub const SERVICE: &str = "io.kubeoperator.desktop";

/// The OS keychain, scoped to one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

#[cfg(target_os = "macos")]
const BACKEND: (&str, &str) = ("macOS Keychain", "unlock the login keychain in Keychain Access");
#[cfg(target_os = "windows")]
const BACKEND: (&str, &str) = ("Windows Credential Manager", "log in to Windows with a user profile");
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const BACKEND: (&str, &str) = (
    "Secret Service over D-Bus",
    "log in to a desktop session with GNOME Keyring or KWallet, or on a headless machine run the app inside `dbus-run-session` with `gnome-keyring-daemon --unlock --components=secrets` started",
);

impl Default for Keychain {
    fn default() -> Self {
        Self { service: SERVICE.into() }
    }
}

impl Keychain {
    /// The keychain under the app's own service name.
    pub fn os() -> Self {
        Self::default()
    }

    /// Human name of the platform backend.
    pub fn backend(&self) -> &'static str {
        BACKEND.0
    }

    fn unavailable(e: impl ToString) -> SecretError {
        SecretError::Unavailable { backend: BACKEND.0, cause: e.to_string(), hint: BACKEND.1 }
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        Entry::new(&self.service, key).map_err(Self::unavailable)
    }

    fn map(action: &'static str, key: &str, e: keyring::Error) -> SecretError {
        match e {
            keyring::Error::NoEntry => SecretError::Missing(key.into()),
            keyring::Error::PlatformFailure(c) | keyring::Error::NoStorageAccess(c) => Self::unavailable(c),
            other => SecretError::Keychain { action, key: key.into(), cause: other.to_string() },
        }
    }

    /// Checks that the keychain answers, by reading an entry that does not exist.
    pub fn probe(&self) -> Result<()> {
        match self.entry("probe")?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Self::map("read", "probe", e)),
        }
    }

    /// Stores `secret` under `key`, replacing what was there.
    pub fn put(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.entry(key)?.set_password(secret.expose()).map_err(|e| Self::map("write", key, e))
    }

    /// Reads the secret under `key`.
    pub fn get(&self, key: &str) -> Result<Sensitive<String>> {
        self.entry(key)?.get_password().map(Sensitive::new).map_err(|e| Self::map("read", key, e))
    }

    /// Deletes the entry under `key`; an entry already gone is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Self::map("delete", key, e)),
        }
    }
}
