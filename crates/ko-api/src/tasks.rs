//! Tasks as users see them: listed, shown, followed, cancelled and retried (each checked against
//! the role table), prepared to run, and what a finished one means for its cluster. The run itself
//! — the lock, the journal, resuming, cancelling across processes — is `ko_deploy::Deployer`'s.

use crate::refusals::TaskRefusal;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::{After, ClusterStatus};
use ko_deploy::{ClusterLock, TaskOutcome, TaskRun};
use ko_playbook::Event;
use ko_ssh::CancellationToken;
use ko_store::clusters;
use ko_store::tasks::{self, LogLine, PhaseRow, StepHost, Task, TaskStatus};
use serde::Serialize;
use std::sync::Arc;

/// A task with its journal.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskDetail {
    /// The task.
    pub task: Task,
    /// Its phases.
    pub phases: Vec<PhaseRow>,
    /// Every step on every host.
    pub steps: Vec<StepHost>,
}

/// A task ready to run: recorded in the journal, its cluster locked. Run it in the foreground
/// (koctl) or spawn it (the desktop app, `koctl serve`); dropping it unrun leaves the task
/// `pending`, which the next look at the journal reports as `interrupted`. It reads each secret
/// once (a read cache on the secret store that lives as long as the task).
pub struct PreparedTask {
    api: Api,
    run: TaskRun,
    first: bool,
    lock: ClusterLock,
}

impl PreparedTask {
    pub(crate) fn new(api: &Api, run: TaskRun, lock: ClusterLock) -> Self {
        Self { api: api.with_secret_cache(), run, first: true, lock }
    }

    /// The task's id.
    pub fn id(&self) -> i64 {
        self.run.id
    }

    /// Runs the task to its end; `on_event` sees its progress, `cancel` stops it.
    pub async fn run(
        self,
        cancel: CancellationToken,
        on_event: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Result<TaskOutcome> {
        let Self { api, run, first, lock } = self;
        let outcome = api.deployer().run_task(&run, first, lock, cancel, Arc::new(on_event)).await?;
        api.after_task(&run, outcome.status).await?;
        Ok(outcome)
    }

    /// Runs the task in the background (its progress is in the journal, see
    /// [`Api::task_follow`]) and returns its id at once.
    pub fn spawn(self) -> i64 {
        let task_id = self.run.id;
        tokio::spawn(async move {
            if let Err(e) = self.run(CancellationToken::new(), |_| {}).await {
                tracing::error!(task_id, error = %e, "task failed to run");
            }
        });
        task_id
    }
}

impl Api {
    /// Marks tasks the journal shows as running, but that no process is running, as
    /// `interrupted` (resumable with a retry). Returns their ids.
    pub async fn reconcile_tasks(&self) -> Result<Vec<i64>> {
        Ok(self.deployer().reconcile_tasks().await?)
    }

    async fn task_row(&self, id: i64) -> Result<Task> {
        self.db.read(move |c| tasks::get(c, id)).await?.ok_or(ApiError::NotFound { kind: "task", name: id.to_string() })
    }

    /// Checks that `actor` may see (or, with `operate`, run) the tasks of the task's cluster.
    async fn authorize_task(&self, actor: &Actor, task: &Task, operate: bool) -> Result<()> {
        match &task.cluster {
            Some(name) => {
                let c = self.cluster_row(name).await?;
                let p = if operate {
                    Permission::OperateCluster { project_id: c.project_id, cluster_id: c.id }
                } else {
                    Permission::ViewProject(c.project_id)
                };
                self.authorize(actor, p, "work with this cluster's tasks").await
            }
            None => self.authorize(actor, Permission::ManageSystem, "work with tasks of deleted clusters").await,
        }
    }

    /// Tasks, newest first (of one cluster when given); interrupted ones are found first.
    pub async fn task_list(&self, actor: &Actor, cluster: Option<&str>, limit: i64) -> Result<Vec<Task>> {
        self.reconcile_tasks().await?;
        let cluster_id = match cluster {
            Some(name) => {
                let c = self.cluster_row(name).await?;
                self.authorize(actor, Permission::ViewProject(c.project_id), "list this cluster's tasks").await?;
                Some(c.id)
            }
            None => {
                self.authorize(actor, Permission::ManageSystem, "list all tasks").await?;
                None
            }
        };
        Ok(self.db.read(move |c| tasks::list(c, cluster_id, limit)).await?)
    }

    /// A task with its phases and every step on every host.
    pub async fn task_show(&self, actor: &Actor, id: i64) -> Result<TaskDetail> {
        self.reconcile_tasks().await?;
        let task = self.task_row(id).await?;
        self.authorize_task(actor, &task, false).await?;
        let (phases, steps) =
            self.db.read(move |c| Ok::<_, ApiError>((tasks::phases(c, id)?, tasks::step_hosts(c, id)?))).await?;
        Ok(TaskDetail { task, phases, steps })
    }

    /// Log lines of task `id` after line `after` (at most `limit`).
    pub async fn task_logs(&self, actor: &Actor, id: i64, after: i64, limit: i64) -> Result<Vec<LogLine>> {
        let task = self.task_row(id).await?;
        self.authorize_task(actor, &task, false).await?;
        Ok(self.db.read(move |c| tasks::lines(c, id, after, limit)).await?)
    }

    /// The task's status now (for `logs --follow`).
    pub async fn task_status(&self, actor: &Actor, id: i64) -> Result<TaskStatus> {
        self.reconcile_tasks().await?;
        let task = self.task_row(id).await?;
        self.authorize_task(actor, &task, false).await?;
        Ok(task.status)
    }

    /// Asks the process running task `id` to stop it (remote commands are killed).
    pub async fn task_cancel(&self, actor: &Actor, id: i64) -> Result<()> {
        self.audited(actor, "task.cancel", &id.to_string(), async {
            self.reconcile_tasks().await?;
            let task = self.task_row(id).await?;
            self.authorize_task(actor, &task, true).await?;
            if !task.status.is_active() {
                return Err(TaskRefusal::NotRunning { id, status: task.status }.into());
            }
            self.db.write(move |tx| tasks::request_cancel(tx, id)).await?;
            Ok(())
        })
        .await
    }

    /// Prepares task `id` to run again, resuming where it stopped.
    pub async fn task_retry(&self, actor: &Actor, id: i64) -> Result<PreparedTask> {
        self.reconcile_tasks().await?;
        let task = self.task_row(id).await?;
        self.authorize_task(actor, &task, true).await?;
        if !task.status.is_resumable() {
            return Err(TaskRefusal::NotResumable { id, status: task.status }.into());
        }
        let cluster = task.cluster.clone().ok_or(TaskRefusal::ClusterDeleted { id })?;
        let lock = self.deployer().lock_cluster(&cluster)?;
        let op = task.operation()?;
        self.audited(actor, "task.retry", &id.to_string(), async {
            let run = TaskRun { id, cluster, op };
            Ok(PreparedTask { api: self.with_secret_cache(), run, first: false, lock })
        })
        .await
    }

    /// What a finished task means for its cluster, as its operation says ([`Operation::after`]):
    /// a deployment's status (running, staged, failed), an upgrade's new version, a backup file
    /// recorded, removed nodes forgotten, the cluster forgotten after its reset.
    pub(crate) async fn after_task(&self, run: &TaskRun, status: TaskStatus) -> Result<()> {
        let TaskRun { id, ref cluster, ref op } = *run;
        for after in op.after(status) {
            match after {
                After::Deployed { complete: true, .. } => {
                    self.set_cluster_status(cluster, ClusterStatus::Running, String::new()).await?
                }
                After::Deployed { up_to, complete: false } => {
                    let msg = format!("deployed up to {up_to}");
                    self.set_cluster_status(cluster, ClusterStatus::Staged, msg).await?
                }
                After::DeploymentStopped => {
                    let msg = format!("task {id} {status}");
                    self.set_cluster_status(cluster, ClusterStatus::Failed, msg).await?
                }
                After::Version(version) => self.record_upgrade(cluster, &version).await?,
                After::BackupTaken(file) => self.record_backup(id, cluster, &file).await?,
                After::NodesLeft(nodes) => self.forget_nodes(cluster, &nodes).await?,
                After::ClusterDeleted => self.forget_cluster(&self.cluster_row(cluster).await?).await?,
            }
        }
        Ok(())
    }

    async fn set_cluster_status(&self, cluster: &str, status: ClusterStatus, msg: String) -> Result<()> {
        let cid = self.cluster_row(cluster).await?.id;
        self.db.write(move |tx| Ok::<_, ApiError>(clusters::set_status(tx, cid, status, &msg)?)).await
    }

    /// The backup file the task fetched, with its size and hash, on the cluster's list.
    async fn record_backup(&self, id: i64, cluster: &str, name: &str) -> Result<()> {
        let cid = self.cluster_row(cluster).await?.id;
        let path = self.deployer().cluster_dir(cluster).join("backups").join(name);
        let p2 = path.clone();
        let (sha, size) = tokio::task::spawn_blocking(move || ko_bundle::sha256_file(&p2))
            .await?
            .map_err(|e| ApiError::DataDir { path: path.clone(), cause: std::io::Error::other(e) })?;
        let (n, loc) = (name.to_string(), path.display().to_string());
        self.db
            .write(move |tx| Ok::<_, ApiError>(clusters::add_backup(tx, cid, Some(id), &n, &loc, size as i64, &sha)?))
            .await
            .map(drop)
    }
}
