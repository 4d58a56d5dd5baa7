//! The Secret Service (freedesktop.org) over D-Bus: GNOME Keyring, KWallet, KeePassXC.
//!
//! One connection and one encrypted session (Diffie-Hellman, AES) per process, opened on first use
//! and reused by every call — not one per call, which multiplied the daemon's work by the number of
//! hosts and retries and raced a known gnome-keyring bug with every connect/disconnect. A D-Bus
//! error (the daemon restarted, the session is stale, a call timed out) drops the connection and
//! the call is tried once more on a new one before the error counts.
//!
//! Items carry the attributes the `keyring` crate gave them in earlier releases (`service`,
//! `username` = the entry key, `target` = `default`, `application`), so entries written by either
//! are found by both. Nothing here ever prompts: a locked keyring is reported, not unlocked behind
//! the user's back from a background task.

use crate::{Result, SecretError, Sensitive};
use dbus_secret_service::{Collection, EncryptionType, Error, Item, Path};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use zeroize::Zeroizing;

const BACKEND: &str = "Secret Service over D-Bus";
const UNAVAILABLE_HINT: &str = "log in to a desktop session with GNOME Keyring or KWallet running, or start the \
    keyring daemon again; on a headless machine use the encrypted vault (KO_SECRETS=vault, see the README)";
const LOCKED_HINT: &str =
    "unlock the 'Login' keyring (GNOME: Passwords and Keys; KDE: KWalletManager) or log out and in again";

/// A connection with its session, and the default collection once looked up.
struct Connected {
    service: dbus_secret_service::SecretService,
    default_collection: Option<Path<'static>>,
}

/// The Secret Service of the session bus, for one service name.
pub(crate) struct SecretService {
    service_name: String,
    conn: Mutex<Option<Connected>>,
    calls: AtomicU64,
}

impl SecretService {
    pub(crate) fn new(service_name: &str) -> Self {
        Self { service_name: service_name.into(), conn: Mutex::new(None), calls: AtomicU64::new(0) }
    }

    pub(crate) fn backend(&self) -> &'static str {
        BACKEND
    }

    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn count(&self, n: u64) {
        self.calls.fetch_add(n, Ordering::Relaxed);
    }

    /// Runs `op` on the connection (opened if needed); a D-Bus error drops the connection and runs
    /// `op` once more on a new one.
    fn with_service<T>(
        &self,
        action: &'static str,
        key: &str,
        op: impl Fn(&mut Connected) -> std::result::Result<T, Error>,
    ) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut last = None;
        for attempt in 0..2 {
            if conn.is_none() {
                // Hello + OpenSession
                self.count(2);
                match dbus_secret_service::SecretService::connect_with_max_prompt_timeout(EncryptionType::Dh, 0) {
                    Ok(service) => *conn = Some(Connected { service, default_collection: None }),
                    Err(e) => {
                        tracing::debug!(attempt, error = %e, "cannot connect to the Secret Service");
                        last = Some(e);
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            match op(c) {
                Ok(v) => return Ok(v),
                Err(e) if is_transient(&e) => {
                    tracing::warn!(attempt, action, error = %e, "Secret Service call failed; reconnecting");
                    *conn = None;
                    last = Some(e);
                }
                Err(e) => return Err(map_error(action, key, e)),
            }
        }
        Err(map_error(action, key, last.unwrap_or(Error::Unavailable)))
    }

    fn attributes<'a>(&'a self, key: &'a str) -> HashMap<&'a str, &'a str> {
        HashMap::from([("service", self.service_name.as_str()), ("username", key)])
    }

    /// The items under `key`: (unlocked, locked) paths.
    fn search(&self, c: &Connected, key: &str) -> std::result::Result<(Vec<Path<'static>>, usize), Error> {
        self.count(1);
        let found = c.service.search_items(self.attributes(key))?;
        Ok((found.unlocked.into_iter().map(|i| i.path).collect(), found.locked.len()))
    }

    pub(crate) fn get(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        self.with_service("read", key, |c| {
            let (unlocked, locked) = self.search(c, key)?;
            let Some(path) = unlocked.into_iter().next() else {
                return if locked > 0 { Err(Error::Locked) } else { Ok(None) };
            };
            self.count(1);
            let mut bytes = Zeroizing::new(Item::new(&c.service, path).get_secret()?);
            let text = String::from_utf8(std::mem::take(&mut *bytes)).map_err(|e| {
                let mut b = e.into_bytes();
                zeroize::Zeroize::zeroize(&mut b);
                Error::Parse
            })?;
            Ok(Some(Sensitive::new(text)))
        })
    }

    pub(crate) fn put(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.with_service("write", key, |c| {
            let collection = self.default_collection(c)?;
            let mut attributes = self.attributes(key);
            attributes.insert("target", "default");
            attributes.insert("application", "rust-keyring");
            let label = format!("KubeOperator Desktop: {key}");
            // replace: an item with the same attributes in the collection takes the new secret
            self.count(1);
            Collection::new(&c.service, collection)
                .create_item(&label, attributes, secret.expose().as_bytes(), true, "text/plain")
                .map(drop)
        })
    }

    pub(crate) fn delete(&self, key: &str) -> Result<()> {
        self.with_service("delete", key, |c| {
            self.count(1);
            let found = c.service.search_items(self.attributes(key))?;
            for item in found.unlocked.iter().chain(&found.locked) {
                self.count(1);
                item.delete()?;
            }
            Ok(())
        })
    }

    /// Connects, and checks that the default keyring exists and is unlocked.
    pub(crate) fn probe(&self) -> Result<()> {
        self.with_service("open", "default keyring", |c| {
            let path = self.default_collection(c)?;
            self.count(1);
            if Collection::new(&c.service, path).is_locked()? { Err(Error::Locked) } else { Ok(()) }
        })
    }

    /// The default collection's path (looked up once per connection).
    fn default_collection(&self, c: &mut Connected) -> std::result::Result<Path<'static>, Error> {
        if let Some(p) = &c.default_collection {
            return Ok(p.clone());
        }
        self.count(1);
        let path = c.service.get_default_collection()?.path;
        c.default_collection = Some(path.clone());
        Ok(path)
    }
}

/// D-Bus trouble that a new connection may cure: the daemon restarted (stale session), vanished,
/// or did not answer in time.
fn is_transient(e: &Error) -> bool {
    matches!(e, Error::Dbus(_) | Error::Unavailable)
}

fn map_error(action: &'static str, key: &str, e: Error) -> SecretError {
    let unavailable = |cause: String| SecretError::Unavailable { backend: BACKEND, cause, hint: UNAVAILABLE_HINT };
    let locked = |cause: &str| SecretError::Locked { backend: BACKEND, cause: cause.into(), hint: LOCKED_HINT };
    match e {
        Error::Locked | Error::Prompt => locked("the keyring holding the app's secrets is locked"),
        Error::NoResult => locked(
            "the Secret Service has no unlocked default keyring (a keyring daemon that restarted after a crash \
             starts with its keyrings locked)",
        ),
        Error::Unavailable => unavailable("there is no D-Bus session or no Secret Service on it".into()),
        Error::Dbus(d) => match d.name().unwrap_or_default() {
            "org.freedesktop.DBus.Error.ServiceUnknown" | "org.freedesktop.DBus.Error.NameHasNoOwner" => unavailable(
                "no Secret Service (org.freedesktop.secrets) runs on this D-Bus session: its keyring daemon is not \
                 running, or it stopped or crashed"
                    .into(),
            ),
            "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout" => unavailable(
                "the Secret Service did not answer in time, twice (its daemon is hung or overloaded)".into(),
            ),
            "org.freedesktop.DBus.Error.NoServer"
            | "org.freedesktop.DBus.Error.FileNotFound"
            | "org.freedesktop.DBus.Error.Disconnected"
            | "org.freedesktop.DBus.Error.NotSupported" => {
                unavailable(format!("there is no usable D-Bus session bus ({})", d.message().unwrap_or_default()))
            }
            _ => SecretError::Keychain { action, key: key.into(), cause: d.to_string() },
        },
        other => SecretError::Keychain { action, key: key.into(), cause: other.to_string() },
    }
}
