//! Users: system administrators and the people project and cluster roles are given to.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A user, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Unique login name.
    pub name: String,
    /// E-mail address for notifications.
    pub email: String,
    /// `local`, `ldap` or `os` (the desktop's own OS account).
    pub source: String,
    /// System administrator.
    pub is_admin: bool,
    /// May log in / act.
    pub active: bool,
    /// Must change the password at the next login before anything else.
    pub must_change_password: bool,
    /// When it was created.
    pub created_at: String,
}

/// What a new user is made of.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name.
    pub name: &'a str,
    /// E-mail.
    pub email: &'a str,
    /// argon2 PHC string, or `None` for users that do not log in with a password.
    pub password_hash: Option<&'a str>,
    /// `local`, `ldap` or `os`.
    pub source: &'a str,
    /// System administrator.
    pub is_admin: bool,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get("id")?,
        name: r.get("name")?,
        email: r.get("email")?,
        source: r.get("source")?,
        is_admin: r.get("is_admin")?,
        active: r.get("active")?,
        must_change_password: r.get("must_change_password")?,
        created_at: r.get("created_at")?,
    })
}

const COLUMNS: &str = "id, name, email, source, is_admin, active, must_change_password, created_at";

/// Creates a user.
pub fn insert(conn: &Connection, u: &NewUser<'_>) -> Result<User> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO users (name, email, password_hash, source, is_admin) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {COLUMNS}"
    ))?;
    Ok(stmt.query_row(params![u.name, u.email, u.password_hash, u.source, u.is_admin], from_row)?)
}

/// All users by name.
pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY name"))?;
    Ok(stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// The user called `name`, if any.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<Option<User>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE name = ?1"))?;
    Ok(stmt.query_row([name], from_row).optional()?)
}

/// The stored password hash of `name` (`None` if the user has none or does not exist).
pub fn password_hash(conn: &Connection, name: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT password_hash FROM users WHERE name = ?1")?;
    Ok(stmt.query_row([name], |r| r.get(0)).optional()?.flatten())
}

/// Replaces a user's password hash; `must_change` forces a change at the next login.
pub fn set_password_hash(conn: &Connection, id: i64, hash: &str, must_change: bool) -> Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
        params![id, hash, must_change],
    )?;
    Ok(())
}

/// Activates or deactivates a user.
pub fn set_active(conn: &Connection, id: i64, active: bool) -> Result<()> {
    conn.execute("UPDATE users SET active = ?2 WHERE id = ?1", params![id, active])?;
    Ok(())
}

/// Number of active system administrators.
pub fn count_active_admins(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users WHERE is_admin = 1 AND active = 1", [], |r| r.get(0))?)
}

/// Deletes a user; memberships go with it.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(())
}
