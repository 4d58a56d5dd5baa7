//! SSH credentials: names and metadata; the secret material is in the OS keychain.

use crate::Result;
pub use ko_core::CredentialKind;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A credential as stored (no secret material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Credential {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// How it logs in.
    pub kind: CredentialKind,
    /// SSH login user.
    pub username: String,
    /// Key algorithm, e.g. `ssh-ed25519` (keys only).
    pub key_algorithm: Option<String>,
    /// `SHA256:...` fingerprint of the public key (keys only).
    pub key_fingerprint: Option<String>,
    /// The key is protected by a passphrase (kept in the keychain).
    pub has_passphrase: bool,
    /// A separate sudo password is kept in the keychain.
    pub has_sudo_password: bool,
    /// ssh-agent socket (agent credentials; `None` means `SSH_AUTH_SOCK`).
    pub agent_socket: Option<String>,
    /// Key of the keychain entry holding the secrets.
    pub keychain_ref: String,
    /// When it was created.
    pub created_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    Ok(Credential {
        id: r.get("id")?,
        name: r.get("name")?,
        kind: r.get("kind")?,
        username: r.get("username")?,
        key_algorithm: r.get("key_algorithm")?,
        key_fingerprint: r.get("key_fingerprint")?,
        has_passphrase: r.get("has_passphrase")?,
        has_sudo_password: r.get("has_sudo_password")?,
        agent_socket: r.get("agent_socket")?,
        keychain_ref: r.get("keychain_ref")?,
        created_at: r.get("created_at")?,
    })
}

/// Stores a credential's metadata; `c.id` and `c.created_at` are ignored.
pub fn insert(conn: &Connection, c: &Credential) -> Result<Credential> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO credentials (name, kind, username, key_algorithm, key_fingerprint, has_passphrase, has_sudo_password, agent_socket, keychain_ref)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING *",
    )?;
    Ok(stmt.query_row(
        params![
            c.name,
            c.kind,
            c.username,
            c.key_algorithm,
            c.key_fingerprint,
            c.has_passphrase,
            c.has_sudo_password,
            c.agent_socket,
            c.keychain_ref
        ],
        from_row,
    )?)
}

/// All credentials by name.
pub fn list(conn: &Connection) -> Result<Vec<Credential>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM credentials ORDER BY name")?;
    Ok(stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// The credential called `name`, if any.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<Option<Credential>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM credentials WHERE name = ?1")?;
    Ok(stmt.query_row([name], from_row).optional()?)
}

/// Names of what uses the credential (hosts, zones), which must change before it can go.
pub fn users_of(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'host ' || name FROM hosts WHERE credential_id = ?1
         UNION ALL SELECT 'zone ' || name FROM zones WHERE credential_id = ?1 ORDER BY 1",
    )?;
    Ok(stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Deletes a credential's row.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM credentials WHERE id = ?1", [id])?;
    Ok(())
}
