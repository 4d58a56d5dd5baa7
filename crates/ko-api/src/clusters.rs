//! Cluster files: parsing and validation against the rules and the current registry.

use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::{ClusterContext, ClusterSpec, HostRef, NodeArch, Problem, VersionState};
use ko_store::{clusters, hosts, projects, versions};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the create wizard starts from: a cluster file with every default and nothing chosen, and
/// the modes each network plugin supports (the first is its default).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterDefaults {
    /// The cluster file with its defaults.
    pub spec: ClusterSpec,
    /// Each network plugin's modes, by plugin.
    pub network_modes: BTreeMap<String, Vec<String>>,
}

/// The outcome of validating a cluster file.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterValidation {
    /// The spec with defaults filled in, when the file could be read.
    pub spec: Option<ClusterSpec>,
    /// Every problem found (empty when the file is valid).
    pub problems: Vec<Problem>,
}

impl ClusterValidation {
    /// True when there is nothing to fix.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Api {
    /// The cluster file's defaults ([`ClusterDefaults`]), for anyone who may validate one.
    pub async fn cluster_defaults(&self, actor: &Actor) -> Result<ClusterDefaults> {
        self.authorize(actor, Permission::ViewVersions, "see the cluster file's defaults").await?;
        let network_modes = ko_core::NetworkPlugin::ALL
            .iter()
            .map(|p| (p.as_str().to_string(), p.modes().iter().map(|m| m.to_string()).collect()))
            .collect();
        Ok(ClusterDefaults { spec: ClusterSpec::blank(), network_modes })
    }

    /// Reads a cluster file (YAML or JSON) and runs every rule on it, against the registered hosts,
    /// projects, plans and enabled versions. All problems are returned together.
    pub async fn cluster_validate(&self, actor: &Actor, text: &str) -> Result<ClusterValidation> {
        self.validate_with(actor, text, None).await
    }

    /// [`Api::cluster_validate`], with `planned_version` (a recipe's, not imported yet) available
    /// besides the library's.
    pub(crate) async fn validate_with(
        &self,
        actor: &Actor,
        text: &str,
        planned_version: Option<&str>,
    ) -> Result<ClusterValidation> {
        self.authorize(actor, Permission::ViewVersions, "validate cluster files").await?;
        let spec = match ClusterSpec::from_yaml(text) {
            Ok(s) => s,
            Err(p) => return Ok(ClusterValidation { spec: None, problems: vec![p] }),
        };
        let (mut ctx, projects) = self.db.read(load_context).await?;
        if let Some(v) = planned_version {
            ctx.versions.push(VersionState { version: v.to_string(), enabled: true });
        }
        let mut problems = spec.validate(&ctx);
        if let Some(p) = projects.iter().find(|p| p.name == spec.project)
            && !self.grants(actor).await?.allows(Permission::ManageClusters(p.id))
        {
            problems.push(Problem::new(
                "project.forbidden",
                "project",
                format!("{} may not create clusters in project '{}'; ask a system administrator", actor.name, p.name),
            ));
        }
        Ok(ClusterValidation { spec: Some(spec), problems })
    }
}

pub(crate) fn load_context(c: &ko_store::Connection) -> Result<(ClusterContext, Vec<projects::Project>), ApiError> {
    let hosts = hosts::addresses(c)?
        .into_iter()
        .filter_map(|h| {
            let arch = match h.arch.as_deref() {
                Some("amd64") => Some(NodeArch::Amd64),
                Some("arm64") => Some(NodeArch::Arm64),
                _ => None,
            };
            h.address.parse().ok().map(|address| HostRef { name: h.name, address, arch })
        })
        .collect();
    let versions =
        versions::list(c)?.into_iter().map(|v| VersionState { version: v.version, enabled: v.enabled }).collect();
    let all_projects = projects::list(c)?;
    let ctx = ClusterContext {
        hosts,
        versions,
        projects: all_projects.iter().map(|p| p.name.clone()).collect(),
        plans: clusters::plan_names(c)?,
    };
    Ok((ctx, all_projects))
}
