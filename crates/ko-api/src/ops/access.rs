//! Operations on who may do what: the overview's status, the secret store, users, projects and
//! their members, the audit log.

use super::NoInput;
use crate::{AuditEntry, Project, ProjectDetail, Sensitive, StatusReport, UnlockForm, User, UserForm};
use ko_store::audit::AuditFilter;

operations! {
    /// The overview: counts, the secret store's state, the data dir.
    status: Get "/api/status" NoInput -> StatusReport = |api, a, _| api.status(a).await?;

    /// Gives the secrets vault its passphrase (`create`: makes a new vault with it).
    secrets_unlock: Post "/api/secrets/unlock" [body whole(form)] SecretsUnlock {
        /// The passphrase and whether to create the vault.
        form: UnlockForm,
    } -> () = |api, a, i| api.secrets_unlock(a, i.form.passphrase, i.form.create).await?;

    /// Gives the (open) secrets vault a new passphrase: every secret is encrypted again.
    secrets_passphrase_change: Post "/api/secrets/passphrase" SecretsPassphraseChange {
        /// The new passphrase.
        passphrase: Sensitive<String>,
    } -> () = |api, a, i| api.secrets_change_passphrase(a, i.passphrase).await?;

    /// The users.
    user_list: Get "/api/users" NoInput -> Vec<User> = |api, a, _| api.user_list(a).await?;

    /// Adds a user.
    user_add: Post "/api/users" [body whole(form)] UserAdd {
        /// The new user.
        form: UserForm,
    } -> User = |api, a, i| api.user_add(a, i.form.into()).await?;

    /// Removes a user.
    user_rm: Delete "/api/users/{name}" UserRm {
        /// User name.
        name: String,
    } -> () = |api, a, i| api.user_rm(a, &i.name).await?;

    /// Enables or disables a user's log-in.
    user_set_active: Post "/api/users/{name}/active" UserSetActive {
        /// User name.
        name: String,
        /// Whether the user may log in.
        active: bool,
    } -> () = |api, a, i| api.user_set_active(a, &i.name, i.active).await?;

    /// Sets a user's password (to be changed at the next log-in).
    user_set_password: Post "/api/users/{name}/password" UserSetPassword {
        /// User name.
        name: String,
        /// The new password.
        password: Sensitive<String>,
    } -> () = |api, a, i| api.user_set_password(a, &i.name, i.password).await?;

    /// The projects the actor may see.
    project_list: Get "/api/projects" NoInput -> Vec<Project> = |api, a, _| api.project_list(a).await?;

    /// Adds a project.
    project_add: Post "/api/projects" ProjectAdd {
        /// Project name.
        name: String,
        /// What it is for.
        #[serde(default)]
        description: String,
    } -> Project = |api, a, i| api.project_add(a, &i.name, &i.description).await?;

    /// A project with its members and clusters.
    project_show: Get "/api/projects/{name}" ProjectShow {
        /// Project name.
        name: String,
    } -> ProjectDetail = |api, a, i| api.project_show(a, &i.name).await?;

    /// Removes an empty project.
    project_rm: Delete "/api/projects/{name}" ProjectRm {
        /// Project name.
        name: String,
    } -> () = |api, a, i| api.project_rm(a, &i.name).await?;

    /// Makes a user a member of a project as `project_admin` or `cluster_admin` (or changes the role).
    member_add: Post "/api/projects/{name}/members" MemberAdd {
        /// Project name.
        name: String,
        /// User name.
        user: String,
        /// `project_admin` or `cluster_admin`.
        role: String,
    } -> () = |api, a, i| api.member_add(a, &i.name, &i.user, &i.role).await?;

    /// Takes a user out of a project.
    member_rm: Delete "/api/projects/{name}/members/{user}" MemberRm {
        /// Project name.
        name: String,
        /// User name.
        user: String,
    } -> () = |api, a, i| api.member_rm(a, &i.name, &i.user).await?;

    /// The audit log, newest first.
    audit_list: Get "/api/audit" AuditList {
        /// At most this many entries (100 when absent).
        #[serde(default)]
        limit: Option<u32>,
        /// Only this user's entries.
        #[serde(default)]
        user: Option<String>,
        /// Only actions starting with this (`cluster` matches `cluster.create`).
        #[serde(default)]
        action: Option<String>,
    } -> Vec<AuditEntry> = |api, a, i| {
        let filter = AuditFilter { actor: i.user, action_prefix: i.action, limit: i.limit.unwrap_or(100) };
        api.audit_list(a, filter).await?
    };
}
