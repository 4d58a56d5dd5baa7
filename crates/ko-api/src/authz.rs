//! The role table of the reference system, enforced on every call.
//!
//! | what                                                              | system admin | project admin      | cluster admin       |
//! |-------------------------------------------------------------------|--------------|--------------------|---------------------|
//! | users, projects, members, versions, settings, credentials, hosts, plans, backup accounts | yes | -  | -                   |
//! | view versions                                                     | yes          | yes                | -                   |
//! | view a project (members, clusters, granted resources)              | yes          | own projects       | -                   |
//! | create, delete, scale, upgrade, back up, restore clusters          | yes          | own projects       | -                   |
//! | operate a cluster (overview, nodes, logs, events, tools, scans)    | yes          | own projects       | clusters granted    |
//! | view the system (audit) log                                       | yes          | yes                | yes                 |

use crate::{Actor, Api, ApiError, Result};
use ko_store::{members, users};
use serde::Serialize;

/// A role a user can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere.
    SystemAdmin,
    /// Clusters of one project.
    ProjectAdmin,
    /// Day-to-day operation of granted clusters.
    ClusterAdmin,
}

impl Role {
    /// Parses the stored / typed spelling (`project_admin`, `cluster_admin`).
    pub fn parse_member_role(text: &str) -> Option<Self> {
        match text {
            "project_admin" => Some(Self::ProjectAdmin),
            "cluster_admin" => Some(Self::ClusterAdmin),
            _ => None,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SystemAdmin => "system_admin",
            Self::ProjectAdmin => "project_admin",
            Self::ClusterAdmin => "cluster_admin",
        }
    }
}

/// Something an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Users, projects, members, versions, settings, credentials and resources.
    ManageSystem,
    /// See the Kubernetes versions.
    ViewVersions,
    /// See one project's members, clusters and resources.
    ViewProject(i64),
    /// Create and change clusters of one project.
    ManageClusters(i64),
    /// Operate one cluster.
    OperateCluster {
        /// The cluster's project.
        project_id: i64,
        /// The cluster.
        cluster_id: i64,
    },
    /// See the audit log.
    ViewAuditLog,
}

/// What one user holds: the input of the role table.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// System administrator.
    pub is_admin: bool,
    /// Account active.
    pub active: bool,
    /// (project id, role) pairs.
    pub project_roles: Vec<(i64, Role)>,
    /// Clusters granted to the user as cluster admin.
    pub clusters: Vec<i64>,
}

impl Grants {
    fn role_in(&self, project: i64, role: Role) -> bool {
        self.project_roles.contains(&(project, role))
    }

    fn has_role(&self, role: Role) -> bool {
        self.project_roles.iter().any(|(_, r)| *r == role)
    }

    /// The role table: whether these grants allow `p`.
    pub fn allows(&self, p: Permission) -> bool {
        if !self.active {
            return false;
        }
        if self.is_admin {
            return true;
        }
        match p {
            Permission::ManageSystem => false,
            Permission::ViewVersions => self.has_role(Role::ProjectAdmin),
            Permission::ViewProject(id) | Permission::ManageClusters(id) => self.role_in(id, Role::ProjectAdmin),
            Permission::OperateCluster { project_id, cluster_id } => {
                self.role_in(project_id, Role::ProjectAdmin)
                    || (self.role_in(project_id, Role::ClusterAdmin) && self.clusters.contains(&cluster_id))
            }
            Permission::ViewAuditLog => true,
        }
    }
}

/// The role that would allow `p`, for error messages.
fn needed(p: Permission) -> &'static str {
    match p {
        Permission::ManageSystem => "it needs a system administrator",
        Permission::ViewVersions => "it needs a system or project administrator",
        Permission::ViewProject(_) | Permission::ManageClusters(_) => {
            "it needs a system administrator or an administrator of the project"
        }
        Permission::OperateCluster { .. } => {
            "it needs a system administrator, an administrator of the project, or a cluster administrator granted this cluster"
        }
        Permission::ViewAuditLog => "the account is inactive",
    }
}

impl Api {
    /// Loads what `actor` holds, fresh from the database.
    pub(crate) async fn grants(&self, actor: &Actor) -> Result<Grants> {
        let (id, name) = (actor.user_id, actor.name.clone());
        self.db
            .read(move |c| {
                let user = users::get_by_name(c, &name)?
                    .filter(|u| u.id == id)
                    .ok_or_else(|| crate::AccountRefusal::Gone { name: name.clone() })?;
                let project_roles = members::of_user(c, id)?
                    .into_iter()
                    .filter_map(|m| Role::parse_member_role(&m.role).map(|r| (m.project_id, r)))
                    .collect();
                Ok(Grants {
                    is_admin: user.is_admin,
                    active: user.active,
                    project_roles,
                    clusters: members::clusters_of_user(c, id)?,
                })
            })
            .await
    }

    /// Fails with [`ApiError::Forbidden`] unless `actor` holds `p` — for front ends that must
    /// refuse before doing expensive work of their own (e.g. receiving an upload).
    pub async fn require(&self, actor: &Actor, p: Permission, action: &str) -> Result<()> {
        self.authorize(actor, p, action).await
    }

    /// Fails with [`ApiError::Forbidden`] unless `actor` may do `p`; `action` names it for the user.
    pub(crate) async fn authorize(&self, actor: &Actor, p: Permission, action: &str) -> Result<()> {
        if self.grants(actor).await?.allows(p) {
            Ok(())
        } else {
            Err(ApiError::Forbidden { actor: actor.name.clone(), action: action.into(), reason: needed(p).into() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: i64 = 1;
    const P2: i64 = 2;
    const C1: i64 = 10;
    const C2: i64 = 20;

    fn grants(is_admin: bool, roles: &[(i64, Role)], clusters: &[i64]) -> Grants {
        Grants { is_admin, active: true, project_roles: roles.to_vec(), clusters: clusters.to_vec() }
    }

    fn all(g: &Grants) -> Vec<bool> {
        use Permission::*;
        [
            ManageSystem,
            ViewVersions,
            ViewProject(P1),
            ViewProject(P2),
            ManageClusters(P1),
            ManageClusters(P2),
            OperateCluster { project_id: P1, cluster_id: C1 },
            OperateCluster { project_id: P1, cluster_id: C2 },
            OperateCluster { project_id: P2, cluster_id: C2 },
            ViewAuditLog,
        ]
        .into_iter()
        .map(|p| g.allows(p))
        .collect()
    }

    #[test]
    fn system_admin_may_do_everything() {
        assert!(all(&grants(true, &[], &[])).iter().all(|a| *a));
    }

    #[test]
    fn project_admin_manages_own_projects_only() {
        let g = grants(false, &[(P1, Role::ProjectAdmin)], &[]);
        assert_eq!(all(&g), [false, true, true, false, true, false, true, true, false, true]);
    }

    #[test]
    fn cluster_admin_operates_granted_clusters_only() {
        let g = grants(false, &[(P1, Role::ClusterAdmin)], &[C1]);
        assert_eq!(all(&g), [false, false, false, false, false, false, true, false, false, true]);
    }

    #[test]
    fn a_cluster_grant_outside_the_members_project_gives_nothing() {
        let g = grants(false, &[(P1, Role::ClusterAdmin)], &[C2]);
        assert!(!g.allows(Permission::OperateCluster { project_id: P2, cluster_id: C2 }));
    }

    #[test]
    fn an_inactive_account_may_do_nothing() {
        let mut g = grants(true, &[], &[]);
        g.active = false;
        assert!(all(&g).iter().all(|a| !*a));
    }
}
