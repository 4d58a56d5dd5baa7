//! Host keys: pinned or trusted on first use, never ignored.

use russh::keys::{HashAlg, PublicKey, PublicKeyBase64};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// A host's public key as the app shows and stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostKey {
    /// e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The key in OpenSSH `authorized_keys` form (`ssh-ed25519 AAAA...`).
    pub openssh: String,
}

impl HostKey {
    /// Describes a russh public key.
    pub fn from_public_key(key: &PublicKey) -> Self {
        let algorithm = key.algorithm().as_str().to_string();
        Self {
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
            openssh: format!("{algorithm} {}", key.public_key_base64()),
            algorithm,
        }
    }
}

/// Which host key a connection accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Only the key with this SHA-256 fingerprint; any other is [`crate::SshError::HostKeyChanged`].
    Pinned {
        /// `SHA256:...`
        fingerprint: String,
        /// Its algorithm, so the server is asked for that key type.
        algorithm: Option<String>,
    },
    /// Accept the key presented and report it (the caller pins it): only after a person agreed.
    TrustOnFirstUse,
}

/// russh handler that checks the server key against the policy and remembers what was presented.
pub(crate) struct KeyCheck {
    pub(crate) policy: HostKeyPolicy,
    pub(crate) seen: Arc<Mutex<Option<HostKey>>>,
}

impl russh::client::Handler for KeyCheck {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let presented = HostKey::from_public_key(&key.public_key());
        let ok = match &self.policy {
            HostKeyPolicy::Pinned { fingerprint, .. } => *fingerprint == presented.fingerprint,
            HostKeyPolicy::TrustOnFirstUse => true,
        };
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(presented);
        Ok(ok)
    }
}

/// Keys recorded for `host:port` in an OpenSSH `known_hosts` file (hashed names included).
pub fn known_hosts_lookup(path: &Path, host: &str, port: u16) -> crate::Result<Vec<HostKey>> {
    russh::keys::known_hosts::known_host_keys_path(host, port, path)
        .map(|keys| keys.iter().map(|(_, k)| HostKey::from_public_key(k)).collect())
        .map_err(|e| crate::SshError::Local { path: path.display().to_string(), cause: e.to_string() })
}

pub use crate::connect::scan_host_key;
