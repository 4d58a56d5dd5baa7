//! Who is acting: the desktop's OS account, a named user, or a user who logged in.

use crate::refusals::AccountRefusal;
use crate::{Api, ApiError, Result, passwords};
use ko_secrets::Sensitive;
use ko_store::users::{self, NewUser};
use serde::Serialize;

/// The first administrator `koctl serve` creates, as in the reference system.
pub const DEFAULT_ADMIN: &str = "admin";

/// Its password until the first login changes it (the reference system's default).
pub const DEFAULT_ADMIN_PASSWORD: &str = "kubeoperator@admin123";

/// The user an API call is made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// User id.
    pub user_id: i64,
    /// User name (what the audit log records).
    pub name: String,
}

/// The OS account's user name, made safe as an object name.
fn os_user_name() -> String {
    let raw = ["USER", "LOGNAME", "USERNAME"].iter().find_map(|v| std::env::var(v).ok()).unwrap_or_default();
    let clean: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    if clean.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) { clean } else { "operator".into() }
}

impl Api {
    /// The local OS account, which owns the data dir and acts as system administrator. Its user
    /// row is created on first use.
    pub async fn local_actor(&self) -> Result<Actor> {
        let name = os_user_name();
        self.db
            .write(move |tx| {
                let user = match users::get_by_name(tx, &name)? {
                    Some(u) if u.source == "os" => u,
                    Some(_) => {
                        return Err(AccountRefusal::OsAccountTaken { name }.into());
                    }
                    None => users::insert(
                        tx,
                        &NewUser { name: &name, email: "", password_hash: None, source: "os", is_admin: true },
                    )?,
                };
                Ok(Actor { user_id: user.id, name: user.name })
            })
            .await
    }

    /// Acts as the stored user `name` (for scripting and for checking what a role may do; whoever
    /// can run koctl on the data dir owns it anyway, so this is not a security boundary).
    pub async fn actor_named(&self, name: &str) -> Result<Actor> {
        let name = name.to_string();
        self.db
            .read(move |c| match users::get_by_name(c, &name)? {
                Some(u) if u.active => Ok(Actor { user_id: u.id, name: u.name }),
                Some(_) => Err(AccountRefusal::Deactivated { name }.into()),
                None => Err(ApiError::NotFound { kind: "user", name }),
            })
            .await
    }

    /// Creates the reference system's first administrator, [`DEFAULT_ADMIN`] with
    /// [`DEFAULT_ADMIN_PASSWORD`], who must change the password at the first login — unless some
    /// user can already log in with a password. Returns whether it was created.
    pub async fn ensure_default_admin(&self) -> Result<bool> {
        let hash = passwords::hash(&Sensitive::new(DEFAULT_ADMIN_PASSWORD.to_string()))?;
        self.db
            .write(move |tx| {
                let can_log_in = users::list(tx)?.iter().any(|u| {
                    u.active && u.source == "local" && users::password_hash(tx, &u.name).ok().flatten().is_some()
                });
                if can_log_in || users::get_by_name(tx, DEFAULT_ADMIN)?.is_some() {
                    return Ok(false);
                }
                let new =
                    NewUser { name: DEFAULT_ADMIN, email: "", password_hash: None, source: "local", is_admin: true };
                let u = users::insert(tx, &new)?;
                users::set_password_hash(tx, u.id, &hash, true)?;
                Ok::<_, ApiError>(true)
            })
            .await
    }

    /// The actor's own user row (who is logged in, and whether a password change is due).
    pub async fn whoami(&self, actor: &Actor) -> Result<users::User> {
        let (id, name) = (actor.user_id, actor.name.clone());
        self.db.read(move |c| users::get_by_name(c, &name)?.filter(|u| u.id == id).ok_or(ApiError::LoginFailed)).await
    }

    /// Changes the actor's own password, proving the old one; the first administrator's default
    /// password cannot be kept.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        old: Sensitive<String>,
        new: Sensitive<String>,
    ) -> Result<()> {
        self.login(&actor.name, old).await?;
        if new.expose() == DEFAULT_ADMIN_PASSWORD {
            return Err(ApiError::invalid(
                "user.password_default",
                "password",
                "choose a password other than the default one",
            ));
        }
        self.user_set_password(actor, &actor.name.clone(), new).await
    }

    /// Checks a local user's password (`koctl serve` logins).
    pub async fn login(&self, name: &str, password: Sensitive<String>) -> Result<Actor> {
        let name = name.to_string();
        let (user, hash) = self
            .db
            .read(move |c| Ok::<_, ApiError>((users::get_by_name(c, &name)?, users::password_hash(c, &name)?)))
            .await?;
        match (user, hash) {
            (Some(u), Some(h)) if u.active && passwords::verify(&password, &h) => {
                Ok(Actor { user_id: u.id, name: u.name })
            }
            _ => Err(ApiError::LoginFailed),
        }
    }
}
