//! The shapes the UI sends and receives where they differ from the API's own types: one
//! definition for both doors (`koctl serve` and the desktop shell), exported to TypeScript.

use crate::{
    ApiError, CredentialAuth, HostSpec, LibraryBundle, NewCredential, NewUserRequest, Result, Sensitive, Signature,
    Trust, User,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A credential as the UI sends it; secrets go straight on to the secret store.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CredentialForm {
    /// Credential name.
    pub name: String,
    /// SSH user name.
    pub username: String,
    /// `password`, `private_key` or `agent`.
    pub kind: String,
    /// The password (kind `password`).
    #[serde(default)]
    pub password: Option<String>,
    /// The private key in OpenSSH or PEM form (kind `private_key`).
    #[serde(default)]
    pub private_key: Option<String>,
    /// The key's passphrase, if it has one.
    #[serde(default)]
    pub passphrase: Option<String>,
    /// The password `sudo` asks for, if the user is not root.
    #[serde(default)]
    pub sudo_password: Option<String>,
    /// The agent's socket (kind `agent`); the environment's `SSH_AUTH_SOCK` when empty.
    #[serde(default)]
    pub agent_socket: Option<String>,
}

fn secret(v: Option<String>) -> Option<Sensitive<String>> {
    v.filter(|s| !s.is_empty()).map(Sensitive::new)
}

impl CredentialForm {
    /// The credential it describes, or which field is missing.
    pub fn into_new(self) -> Result<NewCredential> {
        let missing = |field: &str| {
            ApiError::invalid(
                "credential.secret_missing",
                field,
                format!("'{field}' is required for kind '{}'", self.kind),
            )
        };
        let kind = ko_core::CredentialKind::parse_stored(&self.kind)
            .map_err(|e| ApiError::invalid(e.code, "kind", e.to_string()))?;
        let auth = match kind {
            ko_core::CredentialKind::Password => {
                CredentialAuth::Password(secret(self.password.clone()).ok_or_else(|| missing("password"))?)
            }
            ko_core::CredentialKind::PrivateKey => CredentialAuth::PrivateKey {
                key: secret(self.private_key.clone()).ok_or_else(|| missing("private_key"))?,
                passphrase: secret(self.passphrase.clone()),
            },
            ko_core::CredentialKind::Agent => {
                CredentialAuth::Agent { socket: self.agent_socket.clone().filter(|s| !s.is_empty()) }
            }
        };
        Ok(NewCredential { name: self.name, username: self.username, auth, sudo_password: secret(self.sudo_password) })
    }
}

/// Where a host is and how to log in, as the UI sends it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct HostForm {
    /// Host name.
    pub name: String,
    /// IP address or DNS name.
    pub address: String,
    /// SSH port (22 when absent).
    #[serde(default)]
    pub port: Option<u16>,
    /// Credential name.
    pub credential: String,
    /// Jump host name, if any.
    #[serde(default)]
    pub jump: Option<String>,
    /// The `SHA256:` fingerprint the person confirmed after a scan; required to add.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

impl HostForm {
    /// Where the host is.
    pub fn spec(&self) -> HostSpec {
        HostSpec {
            name: self.name.clone(),
            address: self.address.clone(),
            port: self.port.unwrap_or(22),
            credential: self.credential.clone(),
            jump: self.jump.clone().filter(|j| !j.is_empty()),
        }
    }

    /// How its key is trusted: only as confirmed by a person, never "whatever answers".
    pub fn trust(&self) -> Result<Trust> {
        let fingerprint = self.fingerprint.clone().filter(|x| !x.is_empty()).ok_or_else(|| {
            ApiError::invalid(
                "host.fingerprint_required",
                "fingerprint",
                "a host is added with the fingerprint of its key as confirmed by a person: scan it first",
            )
        })?;
        Ok(Trust::Fingerprint(fingerprint))
    }
}

/// The secrets vault's passphrase, as an administrator gives it in the UI.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UnlockForm {
    /// The passphrase.
    pub passphrase: Sensitive<String>,
    /// Make a new vault with it (there is none yet); else open the existing one.
    #[serde(default)]
    pub create: bool,
}

/// What a bundle import brought.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Imported {
    /// The bundle now in the library.
    pub bundle: LibraryBundle,
    /// Who vouched for it.
    pub signature: Signature,
}

/// The answer to a started task: where to follow it.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct Started {
    /// The task's id.
    pub task_id: i64,
}

/// Who is acting, as the UI shows it (the desktop: the OS account; `koctl serve`: who logged in).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Me {
    /// User name.
    pub name: String,
    /// Whether the user is a system administrator.
    pub is_admin: bool,
    /// Whether the password must be changed before anything else (`koctl serve` only).
    pub must_change_password: bool,
}

impl From<User> for Me {
    fn from(u: User) -> Self {
        Self { name: u.name, is_admin: u.is_admin, must_change_password: u.must_change_password }
    }
}

/// A user as the UI sends it.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UserForm {
    /// Login name.
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// System administrator.
    #[serde(default)]
    pub admin: bool,
    /// Password for `koctl serve` logins.
    pub password: String,
}

impl From<UserForm> for NewUserRequest {
    fn from(f: UserForm) -> Self {
        Self { name: f.name, email: f.email, admin: f.admin, password: Sensitive::new(f.password) }
    }
}
