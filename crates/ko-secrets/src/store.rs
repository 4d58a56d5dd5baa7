//! The secret store the app uses: the OS keychain or the vault file, with an optional read cache
//! scoped to one task (or one koctl process).

use crate::vault::{PassphraseSource, Vault};
use crate::{Result, SecretError, Sensitive};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Service name under which the app's entries are kept in the OS keychain.
pub const SERVICE: &str = "io.kubeoperator.desktop";

#[cfg(any(target_os = "macos", target_os = "windows"))]
use crate::native_keychain::NativeKeychain as OsKeychain;
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
use crate::secret_service::SecretService as OsKeychain;

/// Where a data dir's secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// The operating system's keychain.
    Keychain,
    /// The encrypted vault file in the data dir.
    Vault,
}

impl StoreKind {
    /// `keychain` or `vault`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keychain => "keychain",
            Self::Vault => "vault",
        }
    }
}

/// Whether the store can be used now. `unavailable`: no keychain answers (none here, or its
/// daemon stopped or crashed); `sealed`: the vault waits for its passphrase; `new`: there is no
/// vault yet, and the first passphrase given makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoreState {
    /// Reads and writes work.
    Ready,
    /// The keychain answers but is locked.
    Locked,
    /// No keychain answers (none here, or its daemon stopped or crashed).
    Unavailable,
    /// The vault exists and waits for its passphrase.
    Sealed,
    /// There is no vault yet: the first passphrase given creates it.
    New,
    /// The store answers with an error of another kind.
    Failing,
}

enum Backend {
    Keychain(OsKeychain),
    Vault(Vault),
    #[cfg(test)]
    Memory(Mutex<HashMap<String, Sensitive<String>>>, std::sync::atomic::AtomicU64),
}

/// What this process has read from (or written to) the store in one scope; `None` = no entry.
type ReadCache = Mutex<HashMap<String, Option<Sensitive<String>>>>;

/// The app's secret store: a cheap handle, cloned freely. All clones share one backend (for the
/// Secret Service: one D-Bus connection and one encrypted session per process). Every call may
/// block: call it from a blocking context (`spawn_blocking`).
#[derive(Clone)]
pub struct SecretStore {
    backend: Arc<Backend>,
    cache: Option<Arc<ReadCache>>,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore").field("backend", &self.describe()).field("cached", &self.cache.is_some()).finish()
    }
}

impl SecretStore {
    /// The OS keychain, under the app's own service name.
    pub fn os_keychain() -> Self {
        Self::from_backend(Backend::Keychain(OsKeychain::new(SERVICE)))
    }

    /// The vault file at `path`, sealed until a passphrase is given: by `source` when a secret is
    /// first needed, or by [`SecretStore::unlock_vault`].
    pub fn vault(path: PathBuf, source: Option<Box<dyn PassphraseSource>>) -> Self {
        Self::from_backend(Backend::Vault(Vault::new(path, source)))
    }

    fn from_backend(backend: Backend) -> Self {
        Self { backend: Arc::new(backend), cache: None }
    }

    /// A handle on the same backend that reads each entry at most once for as long as it (or a
    /// clone) lives, keeping what it read in memory as [`Sensitive`] (wiped when the last clone
    /// goes). Writes go through and update it. A handle that already caches keeps its cache.
    pub fn with_read_cache(&self) -> Self {
        Self { backend: self.backend.clone(), cache: Some(self.cache.clone().unwrap_or_default()) }
    }

    /// Where the secrets are kept.
    pub fn kind(&self) -> StoreKind {
        match &*self.backend {
            Backend::Keychain(_) => StoreKind::Keychain,
            Backend::Vault(_) => StoreKind::Vault,
            #[cfg(test)]
            Backend::Memory(..) => StoreKind::Keychain,
        }
    }

    /// Human description of the backend ("Secret Service over D-Bus", "encrypted vault file …").
    pub fn describe(&self) -> String {
        match &*self.backend {
            Backend::Keychain(k) => k.backend().to_string(),
            Backend::Vault(v) => format!("encrypted vault file {}", v.path().display()),
            #[cfg(test)]
            Backend::Memory(..) => "memory".into(),
        }
    }

    /// Round trips to the backend so far, over every clone (Secret Service: method calls on the
    /// bus; vault: file reads and writes).
    pub fn backend_calls(&self) -> u64 {
        match &*self.backend {
            Backend::Keychain(k) => k.calls(),
            Backend::Vault(v) => v.calls(),
            #[cfg(test)]
            Backend::Memory(_, calls) => calls.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn cached(&self, key: &str) -> Option<Option<Sensitive<String>>> {
        let cache = self.cache.as_ref()?;
        cache.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
    }

    fn remember(&self, key: &str, value: Option<Sensitive<String>>) {
        if let Some(cache) = &self.cache {
            cache.lock().unwrap_or_else(PoisonError::into_inner).insert(key.to_string(), value);
        }
    }

    /// The secret under `key`, or `None` when there is no such entry.
    pub fn find(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        if let Some(hit) = self.cached(key) {
            return Ok(hit);
        }
        let value = match &*self.backend {
            Backend::Keychain(k) => k.get(key)?,
            Backend::Vault(v) => v.get(key)?,
            #[cfg(test)]
            Backend::Memory(m, calls) => {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                m.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
            }
        };
        self.remember(key, value.clone());
        Ok(value)
    }

    /// The secret under `key`; [`SecretError::Missing`] when there is none.
    pub fn get(&self, key: &str) -> Result<Sensitive<String>> {
        self.find(key)?.ok_or_else(|| SecretError::Missing(key.into()))
    }

    /// Stores `secret` under `key`, replacing what was there.
    pub fn put(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        match &*self.backend {
            Backend::Keychain(k) => k.put(key, secret)?,
            Backend::Vault(v) => v.update(|entries| {
                entries.insert(key.to_string(), secret.clone());
            })?,
            #[cfg(test)]
            Backend::Memory(m, calls) => {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                m.lock().unwrap_or_else(PoisonError::into_inner).insert(key.into(), secret.clone());
            }
        }
        self.remember(key, Some(secret.clone()));
        Ok(())
    }

    /// Deletes the entry under `key`; an entry already gone is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        match &*self.backend {
            Backend::Keychain(k) => k.delete(key)?,
            Backend::Vault(v) => v.update(|entries| {
                entries.remove(key);
            })?,
            #[cfg(test)]
            Backend::Memory(m, calls) => {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                m.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
            }
        }
        self.remember(key, None);
        Ok(())
    }

    /// Checks that the store can be used now: the keychain answers and is unlocked; the vault is
    /// unlocked (asking its passphrase source, if it has one).
    pub fn probe(&self) -> Result<()> {
        match &*self.backend {
            Backend::Keychain(k) => k.probe(),
            Backend::Vault(v) => v.key().map(drop),
            #[cfg(test)]
            Backend::Memory(..) => Ok(()),
        }
    }

    /// Whether the store can be used now, with the reason when it cannot. Never asks for a
    /// passphrase.
    pub fn state(&self) -> (StoreState, Option<SecretError>) {
        let result = match &*self.backend {
            Backend::Vault(v) if !v.exists() => return (StoreState::New, None),
            Backend::Vault(v) if !v.is_unlocked() => return (StoreState::Sealed, None),
            _ => self.probe(),
        };
        match result {
            Ok(()) => (StoreState::Ready, None),
            Err(e) => {
                let state = match &e {
                    SecretError::Unavailable { .. } => StoreState::Unavailable,
                    SecretError::Locked { .. } => StoreState::Locked,
                    SecretError::Sealed { .. } => StoreState::Sealed,
                    _ => StoreState::Failing,
                };
                (state, Some(e))
            }
        }
    }

    /// Gives the (unlocked) vault a new passphrase; refused for the OS keychain.
    pub fn change_vault_passphrase(&self, new: &Sensitive<String>) -> Result<()> {
        match &*self.backend {
            Backend::Vault(v) => v.change_passphrase(new),
            _ => Err(self.not_a_vault()),
        }
    }

    fn not_a_vault(&self) -> SecretError {
        SecretError::VaultNewPassphrase(format!(
            "this data dir keeps its secrets in the OS keychain ({}), not in a vault",
            self.describe()
        ))
    }

    /// Gives the vault its passphrase: opens an existing vault (a wrong passphrase is refused)
    /// or, with `create`, makes a new, empty one. Refused for the OS keychain.
    pub fn unlock_vault(&self, passphrase: &Sensitive<String>, create: bool) -> Result<()> {
        match &*self.backend {
            Backend::Vault(v) if create => v.create(passphrase),
            Backend::Vault(v) => v.unlock(passphrase),
            _ => Err(self.not_a_vault()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> SecretStore {
        SecretStore::from_backend(Backend::Memory(Mutex::default(), Default::default()))
    }

    #[test]
    fn a_cached_handle_reads_each_entry_once_and_sees_its_own_writes() {
        let store = memory();
        store.put("a", &Sensitive::new("1".into())).unwrap();
        let calls = store.backend_calls();
        let task = store.with_read_cache();
        for _ in 0..10 {
            assert_eq!(task.get("a").unwrap().expose(), "1");
            assert!(task.find("absent").unwrap().is_none());
        }
        assert_eq!(store.backend_calls() - calls, 2, "one read of each entry, the missing one too");
        task.put("a", &Sensitive::new("2".into())).unwrap();
        assert_eq!(task.with_read_cache().get("a").unwrap().expose(), "2", "a clone shares the cache");
        task.delete("a").unwrap();
        assert!(matches!(task.get("a"), Err(SecretError::Missing(k)) if k == "a"));
        assert_eq!(store.backend_calls() - calls, 4, "the writes went through, the reads after them did not");
        // an uncached handle reads every time
        store.put("b", &Sensitive::new("3".into())).unwrap();
        let before = store.backend_calls();
        store.get("b").unwrap();
        store.get("b").unwrap();
        assert_eq!(store.backend_calls() - before, 2);
    }
}
