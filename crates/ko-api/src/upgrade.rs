//! The guarded upgrade of a running cluster's Kubernetes: one minor version at a time (or within
//! one), never down, with a bundle of the target version in the library; an etcd snapshot fetched
//! to this machine before anything changes, the new bundle pushed, then the `upgrade` playbook
//! (masters one at a time, workers in drained batches), resumable mid-way. Planned, it says what
//! changes before what would run.

use crate::cluster_ops::backup_file;
use crate::tasks::PreparedTask;
use crate::{Actor, Api, ApiError, Result};
use ko_core::Operation;
use ko_deploy::spec_of;
use ko_playbook::Selector;
use ko_store::tasks::TaskKind;

/// A checked upgrade: [`Upgrade::plan`] says what changes and runs where, [`Upgrade::start`]
/// records and locks its task.
pub struct Upgrade {
    api: Api,
    actor: Actor,
    cluster: ko_store::clusters::Cluster,
    spec: ko_core::ClusterSpec,
    /// An [`Operation::Upgrade`].
    op: Operation,
}

impl Upgrade {
    /// Starts the upgrade.
    pub async fn start(self) -> Result<PreparedTask> {
        let Self { api, actor, cluster, mut spec, op } = self;
        op.apply_to(&mut spec);
        api.deployer().checked_inventory(&mut spec, &op).await?;
        api.start_cluster_task(&actor, &cluster, op).await
    }

    /// What the upgrade would change, then what it would run on which host (secrets redacted);
    /// nothing changes.
    pub async fn plan(self) -> Result<String> {
        let Self { api, cluster, mut spec, op, .. } = self;
        let Operation::Upgrade { bundle, version: to, batch, backup } = &op else {
            return Err(ApiError::Internal("an upgrade that is not an upgrade operation".into()));
        };
        let (name, from, batch) = (&cluster.name, spec.version.clone(), *batch);
        let inv = api.deployer().stored_inventory(&spec).await?;
        let names = |sel| inv.select(&sel).iter().map(|h| h.name.clone()).collect::<Vec<_>>();
        let masters = names(Selector::Masters);
        let workers: Vec<String> = names(Selector::Workers).into_iter().filter(|w| !masters.contains(w)).collect();
        let batches: Vec<String> = workers.chunks(batch).map(|c| c.join(", ")).collect();
        let header = format!(
            "# upgrade {name} from {from} to {to} with bundle {bundle}\n\
             # 1. an etcd snapshot fetched to this machine first: backups/{backup}\n\
             # 2. the bundle pushed to every host; the new kubeadm and images on every node\n\
             # 3. masters one at a time: {}\n\
             # 4. workers in drained batches of {batch}: {}\n",
            masters.join(" -> "),
            if batches.is_empty() { "none".to_string() } else { batches.join(" -> ") },
        );
        Ok(header + &api.deployer().plan(&mut spec, &op).await?)
    }
}

/// `vMAJOR.MINOR.PATCH`.
fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut parts = v.strip_prefix('v')?.splitn(3, '.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

impl Api {
    /// Upgrades running cluster `name` to Kubernetes `to`, workers `batch` at a time (see the
    /// module's description): the checked upgrade, to plan or start; refused, saying why, when
    /// `to` is not a newer version within the next minor or no bundle in the library brings it.
    pub async fn cluster_upgrade(&self, actor: &Actor, name: &str, to: &str, batch: usize) -> Result<Upgrade> {
        let cluster = self.operable_cluster(actor, name, TaskKind::Upgrade).await?;
        let spec = spec_of(&cluster)?;
        let from = spec.version.clone();
        let bad = |code, why: String| Err(ApiError::invalid(code, "version", why));
        let (Some(old), Some(new)) = (parse_version(&from), parse_version(to)) else {
            return bad("upgrade.bad_version", format!("'{to}' is not a Kubernetes version like v1.35.2"));
        };
        if new <= old {
            return bad(
                "upgrade.not_newer",
                format!("{to} is not newer than the cluster's {from}; a cluster is never downgraded"),
            );
        }
        if new.0 != old.0 || new.1 > old.1 + 1 {
            return bad(
                "upgrade.skips_minor",
                format!(
                    "kubeadm upgrades one minor version at a time: from {from} go to v{}.{}.x first",
                    old.0,
                    old.1 + 1
                ),
            );
        }
        if batch == 0 {
            return Err(ApiError::invalid("upgrade.batch", "batch", "workers are upgraded at least one at a time"));
        }
        let bundles = self.bundle_list(actor).await?;
        let Some(bundle) = bundles.iter().find(|b| b.kubernetes_version.as_deref() == Some(to)) else {
            return Err(ApiError::invalid_then(
                "bundle.none_for_version",
                "version",
                format!("no bundle in the library brings Kubernetes {to}; import one first"),
                ko_core::NextStep::BundleImport,
            ));
        };
        let op = Operation::Upgrade {
            bundle: bundle.name.clone(),
            version: to.to_string(),
            batch,
            backup: backup_file(name),
        };
        Ok(Upgrade { api: self.clone(), actor: actor.clone(), cluster, spec, op })
    }

    /// After an upgrade ended `ok`: the cluster runs the new version.
    pub(crate) async fn record_upgrade(&self, cluster: &str, version: &str) -> Result<()> {
        let row = self.cluster_row(cluster).await?;
        let mut spec = spec_of(&row)?;
        spec.version = version.to_string();
        let json = serde_json::to_string(&spec)?;
        let (id, v) = (row.id, version.to_string());
        self.db.write(move |tx| Ok::<_, ApiError>(ko_store::clusters::set_version(tx, id, &v, &json)?)).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_parse_only_in_their_one_form() {
        assert_eq!(super::parse_version("v1.35.2"), Some((1, 35, 2)));
        for bad in ["1.35.2", "v1.35", "v1.x.2", "v1.35.2.1", ""] {
            assert_eq!(super::parse_version(bad), None, "{bad}");
        }
    }
}
