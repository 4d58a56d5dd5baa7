//! A cluster's secrets besides its etcd certificates, all in the OS keychain: the key that
//! encrypts Secrets at rest in etcd (made by the app, written only to the masters' root-only
//! encryption configuration) and what playbooks keep (`keep_secret`, e.g. the `ko-admin` token).

use crate::{ApiError, Result};
use base64::Engine;
use ko_secrets::{Keychain, Sensitive};

/// What the `post` playbook keeps: the `ko-admin` service account's token the app and the
/// exported kubeconfig use.
pub(crate) const ADMIN_TOKEN: &str = "ko-admin-token";

/// Names playbooks may keep secrets under (anything else is refused, so a playbook cannot fill
/// the keychain with entries nothing forgets).
const KEEPABLE: &[&str] = &[ADMIN_TOKEN];

fn encryption_entry(cluster: &str) -> String {
    format!("cluster/{cluster}/encryption-key")
}

/// The keychain entry of what a playbook kept under `name`.
pub(crate) fn kept_entry(cluster: &str, name: &str) -> Result<String> {
    if !KEEPABLE.contains(&name) {
        return Err(ApiError::Refused(format!(
            "a playbook may keep a secret only as one of {}, not '{name}'",
            KEEPABLE.join(", ")
        )));
    }
    Ok(format!("cluster/{cluster}/kept/{name}"))
}

/// The cluster's key for encryption at rest (32 random bytes, base64), made on first use.
pub(crate) fn encryption_key(keychain: &Keychain, cluster: &str) -> Result<Sensitive<String>> {
    let entry = encryption_entry(cluster);
    match keychain.get(&entry) {
        Ok(k) => return Ok(k),
        Err(ko_secrets::SecretError::Missing(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| ApiError::Internal("the system's random source failed".into()))?;
    let key = Sensitive::new(base64::engine::general_purpose::STANDARD.encode(bytes));
    keychain.put(&entry, &key)?;
    Ok(key)
}

/// Forgets every secret of this module for `cluster` (when the cluster is deleted).
pub(crate) fn forget(keychain: &Keychain, cluster: &str) -> Result<()> {
    keychain.delete(&encryption_entry(cluster))?;
    for name in KEEPABLE {
        keychain.delete(&kept_entry(cluster, name)?)?;
    }
    Ok(())
}
