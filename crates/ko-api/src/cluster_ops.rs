//! Cluster operations run as tasks: create (a deployment's stages, possibly in steps),
//! backup, restore, reset and delete; what they would do (`--plan`); list and show. What a run
//! works with is made in `run_context`.

use crate::refusals::{BackupRefusal, ClusterRefusal};
use crate::tasks::PreparedTask;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::{Admission, ClusterSpec, ClusterStatus, NextStep, NodeRole, Operation, Stage};
use ko_deploy::{TaskRun, spec_of};
use ko_store::clusters::{self, BackupFile, Cluster, Node};
use ko_store::tasks::{self as journal, Task, TaskKind, TaskStatus};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The stage `until` names: one of a deployment's (none without it).
fn parse_until(until: Option<&str>) -> Result<Option<Stage>> {
    let Some(u) = until else { return Ok(None) };
    Stage::parse(u).filter(|s| s.deployment_index().is_some()).map(Some).ok_or_else(|| {
        let stages: Vec<&str> = Stage::DEPLOYMENT.iter().map(|s| s.as_str()).collect();
        ApiError::invalid(
            "deploy.until_unknown",
            "until",
            format!("'{u}' is not a phase of a deployment; choose one of {}", stages.join(", ")),
        )
    })
}

/// The name of a new etcd backup file of cluster `name`: `etcd-NAME-YYYYMMDD-HHMMSS-mmm.db` (UTC).
pub(crate) fn backup_file(name: &str) -> String {
    let stamp = time::OffsetDateTime::now_utc();
    // to the millisecond: two backups of a cluster within a second (a retry right after one) differ
    format!(
        "etcd-{name}-{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}.db",
        stamp.year(),
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second(),
        stamp.millisecond()
    )
}

/// A cluster's backups at a glance.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterBackups {
    /// Cluster name.
    pub cluster: String,
    /// How many backup files it has.
    pub count: usize,
    /// The newest one.
    pub latest: Option<BackupFile>,
}

/// A cluster with its nodes, recent tasks and backups.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterDetail {
    /// The cluster.
    pub cluster: Cluster,
    /// Its nodes.
    pub nodes: Vec<Node>,
    /// Its latest tasks.
    pub tasks: Vec<Task>,
    /// Its backup files.
    pub backups: Vec<BackupFile>,
    /// The last deployment stage a finished create or deploy ran (a staged cluster continues
    /// after it).
    pub deployed_up_to: Option<Stage>,
    /// Its hosts' certificates as the last check found them, soonest to expire first.
    pub certificates: Vec<crate::CertExpiry>,
    /// What to do next: continue a staged deployment, resume the task a failed one stopped in.
    pub next: Option<NextStep>,
    /// What the last health probe found (none before the first).
    pub health: Option<crate::ClusterHealth>,
    /// The app did not create it (provider `import`): no deployment operations.
    pub imported: bool,
}

/// One line of a precheck: a host, a check, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CheckResult {
    /// Host name.
    pub host: String,
    /// `PASS`, `WARN`, `FAIL`.
    pub level: String,
    /// What was checked.
    pub check: String,
    /// What was found, and the fix for a failure.
    pub detail: String,
}

impl Api {
    /// The cluster named `name`.
    pub(crate) async fn cluster_row(&self, name: &str) -> Result<Cluster> {
        let n = name.to_string();
        self.db
            .read(move |c| clusters::get(c, &n))
            .await?
            .ok_or_else(|| ApiError::NotFound { kind: "cluster", name: name.into() })
    }

    /// The clusters the actor may see.
    pub async fn cluster_list(&self, actor: &Actor) -> Result<Vec<Cluster>> {
        self.reconcile_tasks().await?;
        let grants = self.grants(actor).await?;
        let all = self.db.read(clusters::list).await?;
        Ok(all.into_iter().filter(|c| grants.allows(Permission::ViewProject(c.project_id))).collect())
    }

    /// Each visible cluster's backups at a glance: how many, and the latest (none is a warning
    /// sign the overview shows).
    pub async fn backup_summary(&self, actor: &Actor) -> Result<Vec<ClusterBackups>> {
        let visible = self.cluster_list(actor).await?;
        self.db
            .read(move |c| {
                visible
                    .into_iter()
                    .map(|cl| {
                        let backups = clusters::backups(c, cl.id)?;
                        Ok(ClusterBackups {
                            count: backups.len(),
                            latest: backups.into_iter().next(),
                            cluster: cl.name,
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .await
    }

    /// A cluster with its nodes, latest tasks and backups.
    pub async fn cluster_show(&self, actor: &Actor, name: &str) -> Result<ClusterDetail> {
        self.reconcile_tasks().await?;
        let cluster = self.cluster_row(name).await?;
        self.authorize(actor, Permission::ViewProject(cluster.project_id), "see this cluster").await?;
        let id = cluster.id;
        let (nodes, tasks, backups) = self
            .db
            .read(move |c| {
                Ok::<_, ApiError>((clusters::nodes(c, id)?, journal::list(c, Some(id), 10)?, clusters::backups(c, id)?))
            })
            .await?;
        let deployed_up_to = self.deployed_stage(id).await?.map(|(last, _)| last);
        let certificates = self.collected_certs(name);
        let next = match cluster.status {
            ClusterStatus::Staged => Some(NextStep::ClusterDeploy { cluster: cluster.name.clone() }),
            ClusterStatus::Failed => tasks
                .iter()
                .find(|t| t.status.is_resumable() && matches!(t.kind, TaskKind::Create | TaskKind::Deploy))
                .map(|t| NextStep::TaskRetry { task: t.id }),
            _ => None,
        };
        let health = self.last_health(id).await?;
        let imported = cluster.provider == crate::cluster_access::IMPORTED;
        Ok(ClusterDetail { cluster, nodes, tasks, backups, deployed_up_to, certificates, next, health, imported })
    }

    /// Checks a cluster file and picks its bundle; every problem is returned together.
    async fn checked_spec(&self, actor: &Actor, yaml: &str) -> Result<(ClusterSpec, String)> {
        let spec = self.valid_spec(actor, yaml, None).await?;
        let bundle = self.bundle_for(actor, &spec).await?;
        Ok((spec, bundle))
    }

    /// The cluster file, valid and one this release can create (`planned_version`: a recipe's
    /// Kubernetes version, available besides the library's).
    async fn valid_spec(&self, actor: &Actor, yaml: &str, planned_version: Option<&str>) -> Result<ClusterSpec> {
        let v = self.validate_with(actor, yaml, planned_version).await?;
        let spec = match (v.spec, v.problems.is_empty()) {
            (Some(spec), true) => spec,
            (_, _) => return Err(ApiError::Invalid(ko_core::Invalid(v.problems))),
        };
        if spec.provider != ko_core::Provider::Manual {
            return Err(ClusterRefusal::ProviderUnsupported.into());
        }
        if let Some(outside) = spec.load_balancer.hosts.iter().find(|h| !spec.nodes.iter().any(|n| &n.host == *h)) {
            return Err(ApiError::invalid(
                "lb.host_not_node",
                "load_balancer.hosts",
                format!(
                    "load-balancer host '{outside}' is not a node of this cluster; only nodes can carry the VIP yet"
                ),
            ));
        }
        Ok(spec)
    }

    /// The library bundle the cluster file names, or the one that brings its version.
    async fn bundle_for(&self, actor: &Actor, spec: &ClusterSpec) -> Result<String> {
        let bundles = self.bundle_list(actor).await?;
        let bundle = match &spec.bundle {
            Some(b) => bundles.iter().find(|x| &x.name == b).ok_or_else(|| {
                ApiError::invalid_then(
                    "bundle.unknown",
                    "bundle",
                    format!("no bundle '{b}' in the library; import it first"),
                    NextStep::BundleImport,
                )
            })?,
            None => {
                bundles.iter().find(|x| x.kubernetes_version.as_deref() == Some(&spec.version)).ok_or_else(|| {
                    ApiError::invalid_then(
                        "bundle.none_for_version",
                        "version",
                        format!(
                            "no bundle in the library brings Kubernetes {}; import one, or name one with `bundle:`",
                            spec.version
                        ),
                        NextStep::BundleImport,
                    )
                })?
            }
        };
        Ok(bundle.name.clone())
    }

    /// What creating the cluster in `yaml` would run on which host, rendered, secrets redacted,
    /// without touching any host or the secret store (facts are those gathered when hosts were added).
    pub async fn cluster_plan(&self, actor: &Actor, yaml: &str) -> Result<String> {
        let (mut spec, bundle) = self.checked_spec(actor, yaml).await?;
        Ok(self.deployer().plan(&mut spec, &Operation::Create { bundle, until: None }).await?)
    }

    /// [`Api::cluster_plan`] against what a build of `recipe` would hold (both arches) instead of
    /// a bundle of the library: a full create checked against the real recipe — its coverage and
    /// every command — before anything is downloaded. Content addresses a recipe cannot know yet
    /// (SHA-512 pins, images, unpublished files) show as `ko_bundle::PINNED_AT_BUILD`.
    pub async fn cluster_plan_with_recipe(&self, actor: &Actor, yaml: &str, recipe: &Path) -> Result<String> {
        let source = ko_bundle::BundleSource::load(recipe)?;
        let mut spec = self.valid_spec(actor, yaml, source.kubernetes_version.as_deref()).await?;
        let manifest = source.planned_manifest(&["amd64".into(), "arm64".into()]);
        let bundle = ko_deploy::RunBundle { dir: recipe.parent().unwrap_or(recipe).to_path_buf(), manifest };
        let op = Operation::Create { bundle: source.name.clone(), until: None };
        Ok(self.deployer().plan_with(&mut spec, &op, Some(bundle)).await?)
    }

    /// Registers the cluster in `yaml` and prepares its creation: a deployment's stages up to
    /// `until` (all without it), the precheck stopping it before any change when a check fails.
    /// A failed or interrupted create resumes with `task_retry`.
    pub async fn cluster_create(&self, actor: &Actor, yaml: &str, until: Option<&str>) -> Result<PreparedTask> {
        let until = parse_until(until)?;
        let (mut spec, bundle) = self.checked_spec(actor, yaml).await?;
        let op = Operation::Create { bundle, until };
        // the nodes are named now, for good: a node added later takes the next free name
        self.deployer().checked_inventory(&mut spec, &op).await?;
        let spec_json = serde_json::to_string(&spec)?;
        let nodes: Vec<(String, bool, bool, bool)> = spec
            .nodes
            .iter()
            .map(|n| (n.host.clone(), n.has(NodeRole::Master), n.has(NodeRole::Etcd), n.has(NodeRole::Worker)))
            .collect();
        let (name, by, project) = (spec.name.clone(), actor.user_id, spec.project.clone());
        let (title, stored) = (op.title(&name), op.clone());
        let (provider, version, arch) = (spec.provider.as_str(), spec.version.clone(), spec.arch.as_str());
        // locked before the task exists: no other process can take it for an interrupted one
        let lock = self.deployer().lock_cluster(&spec.name)?;
        let task_id = self
            .audited(actor, "cluster.create", &spec.name, async {
                self.db
                    .write(move |tx| {
                        if clusters::get(tx, &name)?.is_some() {
                            return Err(ApiError::AlreadyExists { kind: "cluster", name });
                        }
                        let project_id = ko_store::projects::get_by_name(tx, &project)?
                            .ok_or_else(|| ApiError::NotFound { kind: "project", name: project.clone() })?
                            .id;
                        let new = clusters::NewCluster {
                            name: &name,
                            project_id,
                            provider,
                            version: &version,
                            arch,
                            spec: &spec_json,
                        };
                        let id = clusters::insert(tx, &new, &nodes)?;
                        clusters::set_status(tx, id, ClusterStatus::Initializing, "")?;
                        Ok(journal::create(tx, &stored, &title, Some(id), Some(by))?)
                    })
                    .await
            })
            .await?;
        let run = TaskRun { id: task_id, cluster: spec.name.clone(), op };
        Ok(PreparedTask::new(self, run, lock))
    }

    /// Cluster `name`, if the actor may operate it and it is in a status that admits a `kind`
    /// task ([`TaskKind::admits`]).
    pub(crate) async fn operable_cluster(&self, actor: &Actor, name: &str, kind: TaskKind) -> Result<Cluster> {
        self.reconcile_tasks().await?;
        let cluster = self.cluster_row(name).await?;
        let p = Permission::OperateCluster { project_id: cluster.project_id, cluster_id: cluster.id };
        self.authorize(actor, p, "operate this cluster").await?;
        if let Some(refusal) = ClusterRefusal::imported(&cluster) {
            return Err(refusal.into());
        }
        let (status, msg) = (cluster.status, &cluster.status_message);
        match kind.admits(status, self.staged_at(&cluster).await?) {
            Admission::Admitted => Ok(cluster),
            Admission::NotStaged => Err(ClusterRefusal::NotStaged { cluster: name.to_string(), status }.into()),
            Admission::NotRunning => {
                Err(ClusterRefusal::NotRunning { cluster: name.to_string(), status, message: msg.clone(), kind }.into())
            }
        }
    }

    /// Where a staged cluster's deployment stopped (none for a cluster that is not staged).
    pub(crate) async fn staged_at(&self, cluster: &Cluster) -> Result<Option<Stage>> {
        match cluster.status {
            ClusterStatus::Staged => Ok(self.deployed_stage(cluster.id).await?.map(|(last, _)| last)),
            _ => Ok(None),
        }
    }

    /// Prepares a new task running `op` on a cluster that may take it.
    pub(crate) async fn cluster_task(&self, actor: &Actor, name: &str, op: Operation) -> Result<PreparedTask> {
        let cluster = self.operable_cluster(actor, name, op.kind()).await?;
        self.start_cluster_task(actor, &cluster, op).await
    }

    /// Records the task of `op` (checked by [`Api::operable_cluster`]) and takes the cluster's lock.
    pub(crate) async fn start_cluster_task(
        &self,
        actor: &Actor,
        cluster: &Cluster,
        op: Operation,
    ) -> Result<PreparedTask> {
        let name = cluster.name.as_str();
        let lock = self.deployer().lock_cluster(name)?;
        let (id, by, kind, title, stored) = (cluster.id, actor.user_id, op.kind(), op.title(name), op.clone());
        let task = self
            .audited(actor, kind.as_str(), name, async {
                Ok(self.db.write(move |tx| journal::create(tx, &stored, &title, Some(id), Some(by))).await?)
            })
            .await?;
        Ok(PreparedTask::new(self, TaskRun { id: task, cluster: name.to_string(), op }, lock))
    }

    /// Prepares the rest of a staged deployment (`cluster_create` with `until`): the phases after the
    /// last one that finished, up to `until` (all without it), with the bundle it used.
    pub async fn cluster_deploy(&self, actor: &Actor, name: &str, until: Option<&str>) -> Result<PreparedTask> {
        let until = parse_until(until)?;
        let cluster = self.operable_cluster(actor, name, TaskKind::Deploy).await?;
        let (after, done) = self
            .deployed_stage(cluster.id)
            .await?
            .ok_or_else(|| ClusterRefusal::NothingToContinue { cluster: name.to_string() })?;
        if until.unwrap_or(Stage::Post).deployment_index() <= after.deployment_index() {
            return Err(ApiError::invalid(
                "deploy.until_done",
                "until",
                format!("cluster '{name}' is already deployed up to {after}"),
            ));
        }
        let op = Operation::Deploy { bundle: done.bundle().map(str::to_string), after, until };
        self.deployer().checked_inventory(&mut spec_of(&cluster)?, &op).await?;
        self.start_cluster_task(actor, &cluster, op).await
    }

    /// How far the cluster's deployment got: the last stage a finished create or deploy ran,
    /// with that task's operation (its bundle).
    pub(crate) async fn deployed_stage(&self, cluster_id: i64) -> Result<Option<(Stage, Operation)>> {
        let done = self
            .db
            .read(move |c| journal::list(c, Some(cluster_id), 1000))
            .await?
            .into_iter()
            .find(|t| t.status == TaskStatus::Ok && matches!(t.kind, TaskKind::Create | TaskKind::Deploy))
            .and_then(|t| t.operation().ok());
        Ok(done.and_then(|op| Some((op.deploys_up_to()?, op))))
    }

    /// Prepares an etcd snapshot on the first member, brought to this machine as a backup file.
    pub async fn cluster_backup(&self, actor: &Actor, name: &str) -> Result<PreparedTask> {
        self.cluster_task(actor, name, Operation::Backup { file: backup_file(name) }).await
    }

    /// The backup files of a cluster.
    pub async fn cluster_backups(&self, actor: &Actor, name: &str) -> Result<Vec<BackupFile>> {
        Ok(self.cluster_show(actor, name).await?.backups)
    }

    /// Prepares restoring etcd on every member from the backup file `backup` (checked against the
    /// SHA-256 recorded when it was taken, before anything is stopped).
    pub async fn cluster_restore(&self, actor: &Actor, name: &str, backup: &str) -> Result<PreparedTask> {
        let cluster = self.cluster_row(name).await?;
        let id = cluster.id;
        let file = self
            .db
            .read(move |c| clusters::backups(c, id))
            .await?
            .into_iter()
            .find(|b| b.name == backup)
            .ok_or_else(|| ApiError::NotFound { kind: "backup", name: backup.into() })?;
        let path = PathBuf::from(&file.location);
        let (sha, _) = tokio::task::spawn_blocking(move || ko_bundle::sha256_file(&path))
            .await?
            .map_err(|e| BackupRefusal::Unreadable { file: file.location.clone(), cause: e.to_string() })?;
        if sha != file.sha256 {
            return Err(BackupRefusal::Changed { file: file.location, found: sha, recorded: file.sha256 }.into());
        }
        self.cluster_task(actor, name, Operation::Restore { file: file.name }).await
    }

    /// What resetting the cluster would run on which host (nothing is touched).
    pub async fn cluster_reset_plan(&self, actor: &Actor, name: &str) -> Result<String> {
        let cluster = self.operable_cluster(actor, name, TaskKind::Reset).await?;
        Ok(self.deployer().plan(&mut spec_of(&cluster)?, &Operation::Reset).await?)
    }

    /// Prepares removing what the deployment put on the cluster's hosts.
    pub async fn cluster_reset(&self, actor: &Actor, name: &str) -> Result<PreparedTask> {
        self.cluster_task(actor, name, Operation::Reset).await
    }

    /// Forgets a cluster: its rows, its secrets in the secret store and its directory (backups
    /// included). The hosts stay registered; [`Api::cluster_reset_and_delete`] cleans them first.
    pub async fn cluster_delete(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "cluster.delete", name, async {
            self.reconcile_tasks().await?;
            let cluster = self.deletable_cluster(actor, name).await?;
            let _lock = self.deployer().lock_cluster(name)?;
            self.forget_cluster(&cluster).await
        })
        .await
    }

    /// Prepares resetting the cluster's hosts and, when that ended `ok`, forgetting the cluster —
    /// one task ([`Operation::Delete`]); a failed reset deletes nothing and resumes with a retry.
    pub async fn cluster_reset_and_delete(&self, actor: &Actor, name: &str) -> Result<PreparedTask> {
        self.deletable_cluster(actor, name).await?;
        self.cluster_task(actor, name, Operation::Delete).await
    }

    /// Cluster `name`, if the actor may delete clusters of its project.
    async fn deletable_cluster(&self, actor: &Actor, name: &str) -> Result<Cluster> {
        let cluster = self.cluster_row(name).await?;
        self.authorize(actor, Permission::ManageClusters(cluster.project_id), "delete clusters of this project")
            .await?;
        Ok(cluster)
    }

    /// Removes the cluster's secrets, rows and directory (its lock held by the caller).
    pub(crate) async fn forget_cluster(&self, cluster: &Cluster) -> Result<()> {
        let (id, name) = (cluster.id, cluster.name.clone());
        let hosts: Vec<String> =
            self.db.read(move |c| clusters::nodes(c, id)).await?.into_iter().map(|n| n.host).collect();
        let store = self.secrets.clone();
        tokio::task::spawn_blocking(move || ko_deploy::ClusterSecrets::forget(&store, &name, &hosts)).await??;
        self.forget_api_credential(&cluster.name).await?;
        self.db.write(move |tx| Ok::<_, ApiError>(clusters::delete(tx, id)?)).await?;
        let dir = self.deployer().cluster_dir(&cluster.name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| ApiError::DataDir { path: dir.clone(), cause: e })?;
        }
        Ok(())
    }

    /// The PASS / WARN / FAIL lines of a task's precheck, per host; a host whose check failed
    /// without such a line (unreachable, say) gets a FAIL with the step's message.
    pub async fn task_checks(&self, actor: &Actor, id: i64) -> Result<Vec<CheckResult>> {
        let detail = self.task_show(actor, id).await?;
        let lines = self.task_logs(actor, id, 0, i64::MAX).await?;
        let mut out = Vec::new();
        for l in &lines {
            let (Some(host), Some((level, rest))) = (&l.host, l.line.split_once(' ')) else { continue };
            if !matches!(level, "PASS" | "WARN" | "FAIL") {
                continue;
            }
            let (check, detail) = rest.split_once(": ").unwrap_or((rest, ""));
            out.push(CheckResult {
                host: host.clone(),
                level: level.into(),
                check: check.into(),
                detail: detail.into(),
            });
        }
        for s in detail.steps.iter().filter(|s| s.phase_name == "precheck" && s.status == "failed") {
            if !out.iter().any(|c| c.host == s.host && c.level == "FAIL") {
                out.push(CheckResult {
                    host: s.host.clone(),
                    level: "FAIL".into(),
                    check: s.step_name.clone(),
                    detail: s.message.clone(),
                });
            }
        }
        Ok(out)
    }
}
