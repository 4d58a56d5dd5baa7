//! Projects and their members.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, Permission, Result, Role};
use ko_store::members::{self, Membership};
use ko_store::projects::{self, Project};
use ko_store::{Connection, users};
use serde::Serialize;

/// A project with its members and clusters.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProjectDetail {
    /// The project.
    #[serde(flatten)]
    pub project: Project,
    /// Its members and their roles.
    pub members: Vec<Membership>,
    /// Its clusters.
    pub clusters: Vec<String>,
}

fn project(c: &Connection, name: &str) -> Result<Project> {
    projects::get_by_name(c, name)?.ok_or_else(|| ApiError::NotFound { kind: "project", name: name.into() })
}

impl Api {
    /// Creates a project.
    pub async fn project_add(&self, actor: &Actor, name: &str, description: &str) -> Result<Project> {
        self.audited(actor, "project.add", name, async {
            self.authorize(actor, Permission::ManageSystem, "create projects").await?;
            check_name("name", name)?;
            let (name, description) = (name.to_string(), description.to_string());
            self.db
                .write(move |tx| {
                    if projects::get_by_name(tx, &name)?.is_some() {
                        return Err(ApiError::AlreadyExists { kind: "project", name });
                    }
                    Ok(projects::insert(tx, &name, &description)?)
                })
                .await
        })
        .await
    }

    /// The projects the actor may see: all for a system admin, else those they administer.
    pub async fn project_list(&self, actor: &Actor) -> Result<Vec<Project>> {
        let grants = self.grants(actor).await?;
        let all = self.db.read(projects::list).await?;
        Ok(all.into_iter().filter(|p| grants.allows(Permission::ViewProject(p.id))).collect())
    }

    /// One project with members and clusters.
    pub async fn project_show(&self, actor: &Actor, name: &str) -> Result<ProjectDetail> {
        let name = name.to_string();
        let p = self.db.read(move |c| project(c, &name)).await?;
        self.authorize(actor, Permission::ViewProject(p.id), &format!("view project '{}'", p.name)).await?;
        let id = p.id;
        let (members, clusters) = self
            .db
            .read(move |c| Ok::<_, ApiError>((members::of_project(c, id)?, projects::cluster_names(c, id)?)))
            .await?;
        Ok(ProjectDetail { project: p, members, clusters })
    }

    /// Deletes a project that has no clusters.
    pub async fn project_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "project.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "delete projects").await?;
            let name = name.to_string();
            self.db
                .write(move |tx| {
                    let p = project(tx, &name)?;
                    let clusters = projects::cluster_names(tx, p.id)?;
                    if !clusters.is_empty() {
                        return Err(ApiError::InUse {
                            kind: "project",
                            name,
                            users: clusters.into_iter().map(|c| format!("cluster {c}")).collect(),
                        });
                    }
                    Ok(projects::delete(tx, p.id)?)
                })
                .await
        })
        .await
    }

    /// Makes `user` a member of `project` with `role` (`project_admin` or `cluster_admin`), or
    /// changes the role of an existing member.
    pub async fn member_add(&self, actor: &Actor, project_name: &str, user_name: &str, role: &str) -> Result<()> {
        let target = format!("{project_name}/{user_name}");
        self.audited(actor, "member.add", &target, async {
            self.authorize(actor, Permission::ManageSystem, "manage project members").await?;
            if Role::parse_member_role(role).is_none() {
                return Err(ApiError::invalid(
                    "member.role_invalid",
                    "role",
                    format!("'{role}' is not a project role; use project_admin or cluster_admin"),
                ));
            }
            let (p, u, r) = (project_name.to_string(), user_name.to_string(), role.to_string());
            self.db
                .write(move |tx| {
                    let project = project(tx, &p)?;
                    let user = users::get_by_name(tx, &u)?.ok_or(ApiError::NotFound { kind: "user", name: u })?;
                    Ok(members::upsert(tx, project.id, user.id, &r)?)
                })
                .await
        })
        .await
    }

    /// Members of a project.
    pub async fn member_list(&self, actor: &Actor, project_name: &str) -> Result<Vec<Membership>> {
        Ok(self.project_show(actor, project_name).await?.members)
    }

    /// Removes a member from a project.
    pub async fn member_rm(&self, actor: &Actor, project_name: &str, user_name: &str) -> Result<()> {
        let target = format!("{project_name}/{user_name}");
        self.audited(actor, "member.rm", &target, async {
            self.authorize(actor, Permission::ManageSystem, "manage project members").await?;
            let (p, u) = (project_name.to_string(), user_name.to_string());
            self.db
                .write(move |tx| {
                    let project = project(tx, &p)?;
                    let user = users::get_by_name(tx, &u)?
                        .ok_or_else(|| ApiError::NotFound { kind: "user", name: u.clone() })?;
                    if !members::remove(tx, project.id, user.id)? {
                        return Err(ApiError::NotFound { kind: "member", name: format!("{u} in project {p}") });
                    }
                    Ok(())
                })
                .await
        })
        .await
    }
}
