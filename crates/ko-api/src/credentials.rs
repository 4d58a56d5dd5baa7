//! SSH credentials: metadata in SQLite, secret material in the secret store, written together or
//! not at all.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, CredentialAuth, Permission, Result};
use ko_secrets::{CredentialSecret, SecretError, Sensitive, inspect_private_key};
use ko_store::credentials::{self, Credential, CredentialKind};
use serde::Serialize;

/// A credential to add.
#[derive(Debug, Clone)]
pub struct NewCredential {
    /// Unique name.
    pub name: String,
    /// SSH login user.
    pub username: String,
    /// Password or key.
    pub auth: CredentialAuth,
    /// Password sudo asks for, when it is not the login password.
    pub sudo_password: Option<Sensitive<String>>,
}

/// Whether the secret store still holds a credential's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum KeychainState {
    /// The entry is there and readable.
    Present,
    /// The entry is gone.
    Missing,
    /// The secret store could not be asked.
    Unavailable(String),
}

/// A credential with what uses it and the state of its entry in the secret store.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialDetail {
    /// Metadata.
    #[serde(flatten)]
    pub credential: Credential,
    /// State of its entry in the secret store.
    pub keychain: KeychainState,
    /// Hosts and zones that use it.
    pub used_by: Vec<String>,
}

fn check_username(username: &str) -> Result<()> {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '$'))
        && !username.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "credential.username_invalid",
            "username",
            format!("'{username}' is not a login name; use letters, digits, '-', '_', '.' (e.g. root or ops)"),
        ))
    }
}

fn check_not_empty(field: &str, s: &Sensitive<String>) -> Result<()> {
    if s.expose().is_empty() {
        return Err(ApiError::invalid("credential.secret_empty", field, format!("the {field} is empty")));
    }
    Ok(())
}

impl Api {
    /// Adds a credential: checks it (a key must be readable with its passphrase), stores the secret
    /// in the secret store and the metadata in SQLite, in one step that leaves nothing behind on failure.
    pub async fn credential_add(&self, actor: &Actor, new: NewCredential) -> Result<Credential> {
        let target = new.name.clone();
        self.audited(actor, "credential.add", &target, async {
            self.authorize(actor, Permission::ManageSystem, "add credentials").await?;
            check_name("name", &new.name)?;
            check_username(&new.username)?;
            if let Some(s) = &new.sudo_password {
                check_not_empty("sudo password", s)?;
            }
            let sudo = new.sudo_password.is_some();
            let row = match &new.auth {
                CredentialAuth::Password(password) => {
                    check_not_empty("password", password)?;
                    metadata(&new.name, &new.username, CredentialKind::Password, None, sudo)
                }
                CredentialAuth::Agent { socket } => Credential {
                    agent_socket: socket.clone(),
                    ..metadata(&new.name, &new.username, CredentialKind::Agent, None, sudo)
                },
                CredentialAuth::PrivateKey { key, passphrase } => {
                    let info = inspect_private_key(key, passphrase.as_ref())?;
                    metadata(&new.name, &new.username, CredentialKind::PrivateKey, Some(&info), sudo)
                }
            };
            let auth = match new.auth {
                // a passphrase an unencrypted key does not need is not kept
                CredentialAuth::PrivateKey { key, passphrase } => {
                    CredentialAuth::PrivateKey { key, passphrase: passphrase.filter(|_| row.has_passphrase) }
                }
                other => other,
            };
            let secret = auth.into_secret(new.sudo_password);
            let store = self.secrets.clone();
            self.db
                .write(move |tx| {
                    if credentials::get_by_name(tx, &row.name)?.is_some() {
                        return Err(ApiError::AlreadyExists { kind: "credential", name: row.name });
                    }
                    let stored = credentials::insert(tx, &row)?;
                    // last: a secret store failure rolls the row back, so nothing is half written
                    store.put(&stored.keychain_ref, &secret.to_entry())?;
                    Ok(stored)
                })
                .await
        })
        .await
    }

    /// All credentials (metadata only).
    pub async fn credential_list(&self, actor: &Actor) -> Result<Vec<Credential>> {
        self.authorize(actor, Permission::ManageSystem, "list credentials").await?;
        Ok(self.db.read(credentials::list).await?)
    }

    /// One credential, what uses it, and whether its secret is still in the secret store.
    pub async fn credential_show(&self, actor: &Actor, name: &str) -> Result<CredentialDetail> {
        self.authorize(actor, Permission::ManageSystem, "view credentials").await?;
        let name = name.to_string();
        let (credential, used_by) = self
            .db
            .read(move |c| {
                let cred =
                    credentials::get_by_name(c, &name)?.ok_or(ApiError::NotFound { kind: "credential", name })?;
                let users = credentials::users_of(c, cred.id)?;
                Ok::<_, ApiError>((cred, users))
            })
            .await?;
        let store = self.secrets.clone();
        let key = credential.keychain_ref.clone();
        let keychain = tokio::task::spawn_blocking(move || match store.get(&key) {
            Ok(entry) => match CredentialSecret::from_entry(&key, &entry) {
                Ok(_) => KeychainState::Present,
                Err(e) => KeychainState::Unavailable(e.to_string()),
            },
            Err(SecretError::Missing(_)) => KeychainState::Missing,
            Err(e) => KeychainState::Unavailable(e.to_string()),
        })
        .await?;
        Ok(CredentialDetail { credential, keychain, used_by })
    }

    /// Removes a credential that nothing uses, from SQLite and the secret store together.
    pub async fn credential_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "credential.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "remove credentials").await?;
            let name = name.to_string();
            let store = self.secrets.clone();
            self.db
                .write(move |tx| {
                    let cred = credentials::get_by_name(tx, &name)?
                        .ok_or_else(|| ApiError::NotFound { kind: "credential", name: name.clone() })?;
                    let users = credentials::users_of(tx, cred.id)?;
                    if !users.is_empty() {
                        return Err(ApiError::InUse { kind: "credential", name, users });
                    }
                    credentials::delete(tx, cred.id)?;
                    store.delete(&cred.keychain_ref)?;
                    Ok(())
                })
                .await
        })
        .await
    }
}

fn metadata(
    name: &str,
    username: &str,
    kind: CredentialKind,
    key: Option<&ko_secrets::KeyInfo>,
    sudo: bool,
) -> Credential {
    Credential {
        id: 0,
        name: name.into(),
        kind,
        username: username.into(),
        key_algorithm: key.map(|k| k.algorithm.clone()),
        key_fingerprint: key.map(|k| k.fingerprint.clone()),
        has_passphrase: key.is_some_and(|k| k.encrypted),
        has_sudo_password: sudo,
        agent_socket: None,
        keychain_ref: format!("credential/{}", uuid::Uuid::new_v4()),
        created_at: String::new(),
    }
}
