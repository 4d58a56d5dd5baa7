//! What one SSH credential keeps in the keychain.

use crate::{Result, SecretError, Sensitive};
use serde::{Deserialize, Serialize};

/// The secret half of an SSH credential: a password or a private key (with its passphrase), and
/// optionally a separate sudo password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialSecret {
    /// Login password (password credentials).
    pub password: Option<Sensitive<String>>,
    /// Private key text, OpenSSH or PEM (key credentials).
    pub private_key: Option<Sensitive<String>>,
    /// Passphrase of the private key.
    pub passphrase: Option<Sensitive<String>>,
    /// Password `sudo` asks for, when it differs from the login password.
    pub sudo_password: Option<Sensitive<String>>,
}

/// The keychain entry's format; plain strings exist only inside (de)serialisation.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    v: u8,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    password: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    private_key: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    passphrase: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    sudo_password: Option<std::borrow::Cow<'a, str>>,
}

fn borrow(s: &Option<Sensitive<String>>) -> Option<std::borrow::Cow<'_, str>> {
    s.as_ref().map(|s| std::borrow::Cow::Borrowed(s.expose().as_str()))
}

fn own(s: Option<std::borrow::Cow<'_, str>>) -> Option<Sensitive<String>> {
    s.map(|c| Sensitive::new(c.into_owned()))
}

impl CredentialSecret {
    /// The text stored in the keychain.
    pub fn to_entry(&self) -> Sensitive<String> {
        let stored = Stored {
            v: 1,
            password: borrow(&self.password),
            private_key: borrow(&self.private_key),
            passphrase: borrow(&self.passphrase),
            sudo_password: borrow(&self.sudo_password),
        };
        Sensitive::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads what [`CredentialSecret::to_entry`] wrote; `key` names the entry in errors.
    pub fn from_entry(key: &str, entry: &Sensitive<String>) -> Result<Self> {
        let stored: Stored<'_> = serde_json::from_str(entry.expose()).map_err(|_| SecretError::Corrupt(key.into()))?;
        if stored.v != 1 {
            return Err(SecretError::Corrupt(key.into()));
        }
        Ok(Self {
            password: own(stored.password),
            private_key: own(stored.private_key),
            passphrase: own(stored.passphrase),
            sudo_password: own(stored.sudo_password),
        })
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
        for bad in ["", "{}", "{\"v\":2}", "hunter2"] {
            let e = CredentialSecret::from_entry("k", &Sensitive::new(bad.to_string())).unwrap_err();
            assert!(matches!(e, SecretError::Corrupt(_)), "{bad}");
            assert!(!e.to_string().contains("hunter2"));
        }
    }
}
