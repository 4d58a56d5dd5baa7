//! Checking a private key before it is stored: readable, passphrase right, and its fingerprint.

use crate::{Result, SecretError, Sensitive};
use russh::keys::{Error as KeyError, HashAlg, decode_secret_key};
use serde::Serialize;

/// What the app records about a private key (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// SSH algorithm name, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`.
    pub algorithm: String,
    /// `SHA256:...` fingerprint of the public key, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The key needs a passphrase.
    pub encrypted: bool,
}

/// Reads a private key (OpenSSH, PKCS#1, PKCS#8 or SEC1 PEM; Ed25519, ECDSA or RSA), decrypting it
/// with `passphrase` when it is encrypted. A passphrase given for an unencrypted key is ignored
/// (`encrypted` is false, so the caller need not keep it).
pub fn inspect_private_key(key: &Sensitive<String>, passphrase: Option<&Sensitive<String>>) -> Result<KeyInfo> {
    let text = key.expose();
    if text.contains("-----BEGIN EC PRIVATE KEY-----") && text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(SecretError::KeyUnreadable(
            "a legacy-encrypted EC PEM key; rewrite it in OpenSSH format with `ssh-keygen -p -f <file>`".into(),
        ));
    }
    let pem_encrypted =
        text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED");
    let first_try = if pem_encrypted { Err(KeyError::KeyIsEncrypted) } else { decode_secret_key(text, None) };
    let (decoded, encrypted) = match first_try {
        Ok(k) => (k, false),
        Err(KeyError::KeyIsEncrypted) => {
            let p = passphrase.ok_or(SecretError::PassphraseNeeded)?;
            (decode_secret_key(text, Some(p.expose())).map_err(|_| SecretError::WrongPassphrase)?, true)
        }
        Err(e) => return Err(SecretError::KeyUnreadable(describe(&e))),
    };
    Ok(KeyInfo {
        algorithm: decoded.algorithm().as_str().to_string(),
        fingerprint: decoded.public_key().fingerprint(HashAlg::Sha256).to_string(),
        encrypted,
    })
}

/// A short reason that never quotes the key.
fn describe(e: &KeyError) -> String {
    match e {
        KeyError::CouldNotReadKey => "no private key block found".into(),
        KeyError::UnsupportedKeyType { key_type_string, .. } => format!("unsupported key type {key_type_string}"),
        KeyError::UnknownAlgorithm(oid) => format!("unknown algorithm {oid}"),
        _ => "the key data is damaged or in an unknown format".into(),
    }
}
