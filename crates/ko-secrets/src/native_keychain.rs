//! The macOS Keychain and the Windows Credential Manager through the `keyring` crate. Both are
//! local calls into the OS (no session to negotiate), so an entry handle per call costs little.
//! Not built or tested on the Linux machines this project is developed on.

use crate::{Result, SecretError, Sensitive};
use keyring::Entry;
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(target_os = "macos")]
const BACKEND: (&str, &str) = ("macOS Keychain", "unlock the login keychain in Keychain Access");
#[cfg(target_os = "windows")]
const BACKEND: (&str, &str) = ("Windows Credential Manager", "log in to Windows with a user profile");

/// The platform's keychain, for one service name.
pub(crate) struct NativeKeychain {
    service: String,
    calls: AtomicU64,
}

impl NativeKeychain {
    pub(crate) fn new(service: &str) -> Self {
        Self { service: service.into(), calls: AtomicU64::new(0) }
    }

    pub(crate) fn backend(&self) -> &'static str {
        BACKEND.0
    }

    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Entry::new(&self.service, key).map_err(|e| unavailable(e.to_string()))
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map("read", key, e)),
        }
    }

    pub(crate) fn put(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.entry(key)?.set_password(secret.expose()).map_err(|e| map("write", key, e))
    }

    pub(crate) fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map("delete", key, e)),
        }
    }

    pub(crate) fn probe(&self) -> Result<()> {
        self.get("probe").map(drop)
    }
}

fn unavailable(cause: String) -> SecretError {
    SecretError::Unavailable { backend: BACKEND.0, cause, hint: BACKEND.1 }
}

fn map(action: &'static str, key: &str, e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(c) => {
            SecretError::Locked { backend: BACKEND.0, cause: c.to_string(), hint: BACKEND.1 }
        }
        keyring::Error::PlatformFailure(c) => unavailable(c.to_string()),
        other => SecretError::Keychain { action, key: key.into(), cause: other.to_string() },
    }
}
