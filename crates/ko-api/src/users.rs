//! Users and their passwords.

use crate::error::check_name;
use crate::refusals::AccountRefusal;
use crate::{Actor, Api, ApiError, Permission, Result, passwords};
use ko_secrets::Sensitive;
use ko_store::Connection;
use ko_store::users::{self, NewUser, User};

/// A user to add.
#[derive(Debug, Clone)]
pub struct NewUserRequest {
    /// Login name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// System administrator.
    pub admin: bool,
    /// Password for `koctl serve` logins.
    pub password: Sensitive<String>,
}

fn user(c: &Connection, name: &str) -> Result<User> {
    users::get_by_name(c, name)?.ok_or_else(|| ApiError::NotFound { kind: "user", name: name.into() })
}

/// Refuses to leave the system without an active administrator.
fn keep_an_admin(c: &Connection, target: &User) -> Result<()> {
    if target.is_admin && target.active && users::count_active_admins(c)? <= 1 {
        return Err(AccountRefusal::LastAdmin { name: target.name.clone() }.into());
    }
    Ok(())
}

impl Api {
    /// Adds a local user.
    pub async fn user_add(&self, actor: &Actor, req: NewUserRequest) -> Result<User> {
        let target = req.name.clone();
        self.audited(actor, "user.add", &target, async {
            self.authorize(actor, Permission::ManageSystem, "add users").await?;
            check_name("name", &req.name)?;
            if !req.email.is_empty() && !req.email.contains('@') {
                return Err(ApiError::invalid(
                    "user.email_invalid",
                    "email",
                    format!("'{}' is not an e-mail address", req.email),
                ));
            }
            let hash = passwords::hash(&req.password)?;
            self.db
                .write(move |tx| {
                    if users::get_by_name(tx, &req.name)?.is_some() {
                        return Err(ApiError::AlreadyExists { kind: "user", name: req.name });
                    }
                    let new = NewUser {
                        name: &req.name,
                        email: &req.email,
                        password_hash: Some(&hash),
                        source: "local",
                        is_admin: req.admin,
                    };
                    Ok(users::insert(tx, &new)?)
                })
                .await
        })
        .await
    }

    /// All users.
    pub async fn user_list(&self, actor: &Actor) -> Result<Vec<User>> {
        self.authorize(actor, Permission::ManageSystem, "list users").await?;
        Ok(self.db.read(users::list).await?)
    }

    /// Removes a user (not yourself, not the last administrator).
    pub async fn user_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "user.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "remove users").await?;
            if name == actor.name {
                return Err(AccountRefusal::SelfRemoval.into());
            }
            let name = name.to_string();
            self.db
                .write(move |tx| {
                    let u = user(tx, &name)?;
                    keep_an_admin(tx, &u)?;
                    Ok(users::delete(tx, u.id)?)
                })
                .await
        })
        .await
    }

    /// Activates or deactivates a user (not the last administrator).
    pub async fn user_set_active(&self, actor: &Actor, name: &str, active: bool) -> Result<()> {
        let action = if active { "user.enable" } else { "user.disable" };
        self.audited(actor, action, name, async {
            self.authorize(actor, Permission::ManageSystem, "enable or disable users").await?;
            let name = name.to_string();
            self.db
                .write(move |tx| {
                    let u = user(tx, &name)?;
                    if !active {
                        keep_an_admin(tx, &u)?;
                    }
                    Ok(users::set_active(tx, u.id, active)?)
                })
                .await
        })
        .await
    }

    /// Sets a user's password: a system admin for anyone, every user for themselves.
    pub async fn user_set_password(&self, actor: &Actor, name: &str, password: Sensitive<String>) -> Result<()> {
        self.audited(actor, "user.password", name, async {
            if name != actor.name {
                self.authorize(actor, Permission::ManageSystem, "set other users' passwords").await?;
            }
            let hash = passwords::hash(&password)?;
            let name = name.to_string();
            self.db
                .write(move |tx| {
                    let u = user(tx, &name)?;
                    if u.source != "local" {
                        return Err(AccountRefusal::NotLocal { name, origin: u.source }.into());
                    }
                    Ok(users::set_password_hash(tx, u.id, &hash, false)?)
                })
                .await
        })
        .await
    }
}
