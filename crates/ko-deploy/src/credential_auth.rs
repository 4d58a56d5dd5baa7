//! How a credential logs in: one shape from the form to the secret store's entry to
//! [`ko_ssh::Auth`].

use crate::HostRefusal;
use ko_secrets::{CredentialSecret, Sensitive};
use ko_store::credentials::{Credential, CredentialKind};
use std::path::PathBuf;

/// How a credential authenticates.
#[derive(Debug, Clone)]
pub enum CredentialAuth {
    /// A login password.
    Password(Sensitive<String>),
    /// Keys held by the ssh-agent (`SSH_AUTH_SOCK`, or this socket).
    Agent {
        /// Agent socket; `None` means the `SSH_AUTH_SOCK` of the process that connects.
        socket: Option<String>,
    },
    /// A private key, optionally protected by a passphrase.
    PrivateKey {
        /// OpenSSH or PEM text.
        key: Sensitive<String>,
        /// Its passphrase.
        passphrase: Option<Sensitive<String>>,
    },
}

impl CredentialAuth {
    /// Its kind, as stored.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::Password(_) => CredentialKind::Password,
            Self::Agent { .. } => CredentialKind::Agent,
            Self::PrivateKey { .. } => CredentialKind::PrivateKey,
        }
    }

    /// How stored credential `cred` logs in, from its entry in the secret store: what its kind
    /// needs must be there.
    pub fn stored(cred: &Credential, secret: &CredentialSecret) -> Result<Self, HostRefusal> {
        let missing = |what: &'static str| HostRefusal::SecretMissing { credential: cred.name.clone(), what };
        Ok(match cred.kind {
            CredentialKind::Password => Self::Password(secret.password.clone().ok_or_else(|| missing("password"))?),
            CredentialKind::PrivateKey => Self::PrivateKey {
                key: secret.private_key.clone().ok_or_else(|| missing("private key"))?,
                passphrase: secret.passphrase.clone(),
            },
            CredentialKind::Agent => Self::Agent { socket: cred.agent_socket.clone() },
        })
    }

    /// Its secret store entry, with the sudo password beside it.
    pub fn into_secret(self, sudo_password: Option<Sensitive<String>>) -> CredentialSecret {
        let none = CredentialSecret { sudo_password, ..Default::default() };
        match self {
            Self::Password(password) => CredentialSecret { password: Some(password), ..none },
            Self::PrivateKey { key, passphrase } => CredentialSecret { private_key: Some(key), passphrase, ..none },
            Self::Agent { .. } => none,
        }
    }
}

impl From<CredentialAuth> for ko_ssh::Auth {
    fn from(auth: CredentialAuth) -> Self {
        match auth {
            CredentialAuth::Password(password) => Self::Password(password),
            CredentialAuth::PrivateKey { key, passphrase } => Self::Key { key, passphrase },
            CredentialAuth::Agent { socket } => Self::Agent { socket: socket.map(PathBuf::from) },
        }
    }
}
