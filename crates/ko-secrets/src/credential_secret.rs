//! What one SSH credential keeps in the keychain.

use crate::{Result, SecretError, Sensitive, from_stored_json, to_stored_json};
use serde::{Deserialize, Serialize};

/// The secret half of an SSH credential: a password or a private key (with its passphrase), and
/// optionally a separate sudo password. Kept in the secret store as one JSON entry (`v: 1`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSecret {
    /// Login password (password credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive<String>>,
    /// Private key text, OpenSSH or PEM (key credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<Sensitive<String>>,
    /// Passphrase of the private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<Sensitive<String>>,
    /// Password `sudo` asks for, when it differs from the login password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sudo_password: Option<Sensitive<String>>,
}

/// The entry as stored: the format version beside the secret.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    v: u8,
    #[serde(flatten)]
    secret: T,
}

impl CredentialSecret {
    /// The text stored in the secret store.
    pub fn to_entry(&self) -> Sensitive<String> {
        to_stored_json(&Stored { v: 1, secret: self })
    }

    /// Reads what [`CredentialSecret::to_entry`] wrote; `key` names the entry in errors.
    pub fn from_entry(key: &str, entry: &Sensitive<String>) -> Result<Self> {
        let stored: Stored<Self> = from_stored_json(key, entry)?;
        if stored.v != 1 {
            return Err(SecretError::Corrupt(key.into()));
        }
        Ok(stored.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_round_trip() {
        let s = CredentialSecret {
            password: None,
            private_key: Some(Sensitive::new("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n".into())),
            passphrase: Some(Sensitive::new("p\"w".into())),
            sudo_password: Some(Sensitive::new("sudo pw".into())),
        };
        let entry = s.to_entry();
        assert_eq!(CredentialSecret::from_entry("k", &entry).unwrap(), s);
        assert!(!format!("{s:?}").contains("sudo pw"));
    }

    #[test]
    fn foreign_entries_are_refused() {
        for bad in ["", "{}", "{\"v\":2}", "hunter2", "{\"v\":1,\"password\":3}"] {
            let e = CredentialSecret::from_entry("k", &Sensitive::new(bad.to_string())).unwrap_err();
            assert!(matches!(e, SecretError::Corrupt(_)), "{bad}");
            assert!(!e.to_string().contains("hunter2"));
        }
    }
}
