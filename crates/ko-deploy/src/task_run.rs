//! A task's run: its operation's playbooks on a cluster's hosts, journaled step by step in SQLite.
//! Who may start, see or cancel a task, and what its end means for the cluster, is ko-api's.
//!
//! * One operation per cluster at a time: a run holds the file lock `DATA_DIR/locks/cluster-<name>.lock`
//!   (the OS releases it when the process dies, however it dies), taken before its task is created.
//! * A task the journal shows as running while nobody holds its lock was interrupted (killed,
//!   crashed, power cut): [`Deployer::reconcile_tasks`] marks it `interrupted`.
//! * A retry resumes: steps the journal shows as done on a host are not run again there (their
//!   registered outputs are restored); the failed step and everything after it run.
//! * Cancel works across processes: `koctl task cancel` records the request, the running process
//!   sees it within a moment and kills the remote commands.

use crate::journal::JournalSink;
use crate::{DeployError, Deployer, Result};
use ko_core::{Operation, Segment, Stage};
use ko_playbook::{Event, Playbook, Resume, Status};
use ko_ssh::CancellationToken;
use ko_store::tasks::{self, TaskStatus};
use serde::Serialize;
use std::fs::File;
use std::sync::Arc;
use std::time::Duration;

/// How a run of a task ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskOutcome {
    /// Task id.
    pub task_id: i64,
    /// `ok`, `failed` or `cancelled`.
    pub status: TaskStatus,
    /// Why it failed.
    pub error: Option<String>,
}

/// How often a running task looks for a cancel request from another process.
const CANCEL_POLL: Duration = Duration::from_millis(300);

/// The per-cluster lock of a running operation; released when dropped (or when the process dies).
pub struct ClusterLock {
    _file: File,
}

/// What a run of a task works from: the task, on which cluster, and what it does.
#[derive(Debug, Clone)]
pub struct TaskRun {
    /// The task's id.
    pub id: i64,
    /// The cluster's name.
    pub cluster: String,
    /// What it does.
    pub op: Operation,
}

impl Deployer {
    /// Takes the operation lock of cluster `cluster` (a DNS label: a safe file name), or says
    /// what holds it.
    pub fn lock_cluster(&self, cluster: &str) -> Result<ClusterLock> {
        let path = self.data_dir.join("locks").join(format!("cluster-{cluster}.lock"));
        let io = |e: std::io::Error| DeployError::DataDir { path: path.clone(), cause: e };
        std::fs::create_dir_all(path.parent().unwrap_or(&path)).map_err(io)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(ClusterLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(DeployError::Busy { cluster: cluster.to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Marks tasks the journal shows as running, but that no process is running, as
    /// `interrupted` (resumable with a retry). Returns their ids.
    pub async fn reconcile_tasks(&self) -> Result<Vec<i64>> {
        let active = self.db.read(tasks::active).await?;
        let mut interrupted = Vec::new();
        for t in active {
            // holding the lock proves nobody else runs the task; it is released at the end of the block
            let _lock = match &t.cluster {
                Some(name) => match self.lock_cluster(name) {
                    Ok(lock) => Some(lock),
                    Err(DeployError::Busy { .. }) => continue,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            let id = t.id;
            let error = format!(
                "interrupted: the process running it stopped (killed or crashed) during attempt {}; a retry of task \
                 {id} resumes it",
                t.attempt
            );
            self.db.write(move |tx| tasks::finish(tx, id, TaskStatus::Interrupted, Some(&error))).await?;
            interrupted.push(id);
        }
        Ok(interrupted)
    }

    /// The playbooks of a segment of `op`, as it runs them: those it refreshes over the whole
    /// cluster marked so, an upgrade's worker batch size set on its rolling phases over the workers.
    pub(crate) fn playbooks_of(&self, op: &Operation, seg: &Segment) -> Result<Vec<Playbook>> {
        let mut playbooks = seg.stages.iter().map(|s| self.playbook(*s)).collect::<Result<Vec<_>>>()?;
        for p in playbooks.iter_mut().filter(|p| seg.whole_cluster.iter().any(|s| s.as_str() == p.name)) {
            p.phases.iter_mut().for_each(|phase| phase.whole_cluster = true);
        }
        if let Some(n) = op.worker_batch() {
            for phase in playbooks.iter_mut().flat_map(|p| &mut p.phases) {
                if phase.serial.is_some() && phase.hosts == "workers" {
                    phase.serial = Some(n);
                }
            }
        }
        Ok(playbooks)
    }

    /// The playbook of `stage`: `DATA_DIR/playbooks/NAME.yaml` when present (an operator's
    /// override), else the one shipped in the binary.
    fn playbook(&self, stage: Stage) -> Result<Playbook> {
        let name = stage.as_str();
        let path = self.data_dir.join("playbooks").join(format!("{name}.yaml"));
        let parsed = match std::fs::read_to_string(&path) {
            Ok(text) => Playbook::parse(name, &text),
            Err(_) => crate::builtin_playbook(stage),
        };
        Ok(parsed?)
    }

    /// What earlier attempts of task `id` finished, for the steps that are still the same.
    pub(crate) async fn resume_of(&self, id: i64, playbooks: &[Playbook]) -> Result<Resume> {
        let rows = self.db.read(move |c| tasks::step_hosts(c, id)).await?;
        let names: Vec<Vec<&str>> = playbooks
            .iter()
            .flat_map(|p| &p.phases)
            .map(|ph| ph.steps.iter().map(|s| s.name.as_str()).collect())
            .collect();
        let mut resume = Resume::default();
        for r in rows {
            let same =
                names.get(r.phase as usize).and_then(|steps| steps.get(r.step as usize)) == Some(&r.step_name.as_str());
            if let (true, Some(status)) = (same, Status::parse(&r.status)) {
                resume.insert(r.phase as usize, r.step as usize, &r.host, status, r.output);
            }
        }
        Ok(resume)
    }

    /// Runs an attempt of `run` while holding its cluster's lock: journal, cancel watch, the
    /// playbooks, and the task's end in the journal (what the end means for the cluster is the
    /// caller's). `first` is the task's first attempt.
    pub async fn run_task(
        &self,
        run: &TaskRun,
        first: bool,
        _lock: ClusterLock,
        cancel: CancellationToken,
        on_event: Arc<dyn Fn(&Event) + Send + Sync>,
    ) -> Result<TaskOutcome> {
        let TaskRun { id, ref cluster, ref op } = *run;
        self.db.write(move |tx| tasks::start_attempt(tx, id, first)).await?;
        let attempt = self
            .db
            .read(move |c| tasks::get(c, id))
            .await?
            .ok_or(DeployError::NotFound { kind: "task", name: id.to_string() })?
            .attempt;
        let (sink, writer) = JournalSink::start(self.db.clone(), id, attempt, on_event);
        let watcher = self.watch_cancel(id, cancel.clone());
        let outcome = self.run_attempt(id, cluster, op, attempt, &sink, cancel).await;
        watcher.abort();
        drop(sink);
        let _ = writer.await;
        let (status, error) = match outcome {
            Ok(o) if o.status == TaskStatus::Ok => (TaskStatus::Ok, None),
            Ok(o) if o.status == TaskStatus::Cancelled => (TaskStatus::Cancelled, o.error),
            Ok(o) => (TaskStatus::Failed, o.error),
            Err(e) => (TaskStatus::Failed, Some(e.to_string())),
        };
        let e2 = error.clone();
        self.db.write(move |tx| tasks::finish(tx, id, status, e2.as_deref())).await?;
        Ok(TaskOutcome { task_id: id, status, error })
    }

    fn watch_cancel(&self, id: i64, cancel: CancellationToken) -> tokio::task::JoinHandle<()> {
        let db = self.db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CANCEL_POLL).await;
                if let Ok(true) = db.read(move |c| tasks::cancel_requested(c, id)).await {
                    cancel.cancel();
                    return;
                }
            }
        })
    }
}
