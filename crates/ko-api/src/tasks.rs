//! Tasks: playbooks run on a cluster's hosts, journaled step by step in SQLite.
//!
//! * One operation per cluster at a time: a run holds the file lock `DATA_DIR/locks/cluster-<name>.lock`
//!   (the OS releases it when the process dies, however it dies), taken before its task is created.
//! * A task the journal shows as running while nobody holds its lock was interrupted (killed,
//!   crashed, power cut): [`Api::reconcile_tasks`] marks it `interrupted`.
//! * A retry resumes: steps the journal shows as done on a host are not run again there (their
//!   registered outputs are restored); the failed step and everything after it run.
//! * Cancel works across processes: `koctl task cancel` records the request, the running process
//!   sees it within a moment and kills the remote commands.

use crate::refusals::{ClusterRefusal, TaskRefusal};
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::Segment;
use ko_playbook::{Event, EventSink, Playbook, Resume, Status};
use ko_ssh::CancellationToken;
use ko_store::tasks::{self, LogLine, Operation, PhaseRow, StepHost, StepHostUpdate, Task, TaskStatus};
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

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
pub(crate) struct ClusterLock {
    _file: File,
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

/// What a run of a task works from: the task, on which cluster, and what it does.
pub(crate) struct TaskRun {
    pub id: i64,
    pub cluster: String,
    pub op: Operation,
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
        api.run_task(&run, first, lock, cancel, Arc::new(on_event)).await
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
    /// Takes the operation lock of cluster `cluster` (a DNS label: a safe file name), or says
    /// what holds it.
    pub(crate) fn lock_cluster(&self, cluster: &str) -> Result<ClusterLock> {
        let path = self.data_dir().join("locks").join(format!("cluster-{cluster}.lock"));
        let io = |e: std::io::Error| ApiError::DataDir { path: path.clone(), cause: e };
        std::fs::create_dir_all(path.parent().unwrap_or(&path)).map_err(io)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(ClusterLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(ClusterRefusal::Busy { cluster: cluster.to_string() }.into()),
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
                    Err(ApiError::Cluster(ClusterRefusal::Busy { .. })) => continue,
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
        let lock = self.lock_cluster(&cluster)?;
        let op = task.operation()?;
        self.audited(actor, "task.retry", &id.to_string(), async {
            let run = TaskRun { id, cluster, op };
            Ok(PreparedTask { api: self.with_secret_cache(), run, first: false, lock })
        })
        .await
    }

    /// The playbooks of a segment of `op`, as it runs them: those it refreshes over the whole
    /// cluster marked so, an upgrade's worker batch size set on its rolling phases over the workers.
    pub(crate) fn playbooks_of(&self, op: &Operation, seg: &Segment) -> Result<Vec<Playbook>> {
        let mut playbooks = seg.stages.iter().map(|s| self.playbook(s.as_str())).collect::<Result<Vec<_>>>()?;
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

    /// Loads a playbook: `DATA_DIR/playbooks/NAME.yaml` when present (an operator's override),
    /// else the one shipped in the binary.
    pub(crate) fn playbook(&self, name: &str) -> Result<Playbook> {
        let path = self.data_dir().join("playbooks").join(format!("{name}.yaml"));
        let parsed = match std::fs::read_to_string(&path) {
            Ok(text) => Playbook::parse(name, &text),
            Err(_) => ko_playbook::builtin(name),
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

    /// Runs an attempt of task `id` on cluster `cluster` while holding its lock: journal, cancel
    /// watch, the playbooks, and the task's end.
    pub(crate) async fn run_task(
        &self,
        run: &TaskRun,
        first: bool,
        _lock: ClusterLock,
        cancel: CancellationToken,
        on_event: Arc<dyn Fn(&Event) + Send + Sync>,
    ) -> Result<TaskOutcome> {
        let TaskRun { id, ref cluster, ref op } = *run;
        self.db.write(move |tx| tasks::start_attempt(tx, id, first)).await?;
        let attempt = self.task_row(id).await?.attempt;
        let (sink, writer) = JournalSink::start(self.clone(), id, attempt, on_event);
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
        self.after_task(run, status).await?;
        Ok(TaskOutcome { task_id: id, status, error })
    }

    fn watch_cancel(&self, id: i64, cancel: CancellationToken) -> tokio::task::JoinHandle<()> {
        let api = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CANCEL_POLL).await;
                if let Ok(true) = api.db.read(move |c| tasks::cancel_requested(c, id)).await {
                    cancel.cancel();
                    return;
                }
            }
        })
    }
}

/// Journals a run's events (batched, one transaction per batch) and passes them on.
struct JournalSink {
    tx: mpsc::UnboundedSender<Msg>,
    on_event: Arc<dyn Fn(&Event) + Send + Sync>,
}

enum Msg {
    Event(Event),
    Checkpoint(oneshot::Sender<()>),
}

/// Names of phases and steps seen so far, and row ids of steps on hosts.
#[derive(Default)]
struct JournalState {
    phases: HashMap<usize, String>,
    steps: HashMap<(usize, usize), String>,
    step_hosts: HashMap<(usize, usize, String), i64>,
}

impl JournalSink {
    fn start(
        api: Api,
        task: i64,
        attempt: i64,
        on_event: Arc<dyn Fn(&Event) + Send + Sync>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
        let writer = tokio::spawn(async move {
            let mut state = JournalState::default();
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 512 {
                    match rx.try_recv() {
                        Ok(m) => batch.push(m),
                        Err(_) => break,
                    }
                }
                let mut acks = Vec::new();
                let mut events = Vec::new();
                for m in batch {
                    match m {
                        Msg::Event(e) => events.push(e),
                        Msg::Checkpoint(ack) => acks.push(ack),
                    }
                }
                let st = std::mem::take(&mut state);
                match api.db.write(move |c| journal(c, task, attempt, st, &events)).await {
                    Ok(st) => state = st,
                    Err(e) => tracing::error!(task, error = %e, "the task journal could not be written"),
                }
                for ack in acks {
                    let _ = ack.send(());
                }
            }
        });
        (Self { tx, on_event }, writer)
    }
}

impl EventSink for JournalSink {
    fn emit(&self, event: Event) {
        (self.on_event)(&event);
        if !matches!(event, Event::Progress { .. } | Event::Transfer { .. }) {
            let _ = self.tx.send(Msg::Event(event));
        }
    }

    async fn checkpoint(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Checkpoint(ack)).is_ok() {
            let _ = done.await;
        }
    }
}

/// Writes `events` of task `task` in one transaction.
fn journal(
    c: &ko_store::Connection,
    task: i64,
    attempt: i64,
    mut st: JournalState,
    events: &[Event],
) -> Result<JournalState> {
    for e in events {
        match e {
            Event::PhaseStarted { phase, name } => {
                st.phases.insert(*phase, name.clone());
                tasks::set_phase(c, task, *phase, name, "running")?;
            }
            Event::PhaseFinished { phase, status } => {
                let name = st.phases.get(phase).cloned().unwrap_or_default();
                tasks::set_phase(c, task, *phase, &name, status.as_str())?;
            }
            Event::StepStarted { phase, step, name, .. } => {
                st.steps.insert((*phase, *step), name.clone());
                tasks::set_step(c, task, *phase, *step, name, "running")?;
            }
            Event::StepFinished { phase, step, status } => {
                let name = st.steps.get(&(*phase, *step)).cloned().unwrap_or_default();
                tasks::set_step(c, task, *phase, *step, &name, status.as_str())?;
            }
            Event::HostStarted { phase, step, host, .. } => {
                let u = StepHostUpdate { host, status: "running", attempt, ..StepHostUpdate::default() };
                let id = tasks::set_step_host(c, task, *phase, *step, &u)?;
                st.step_hosts.insert((*phase, *step, host.clone()), id);
            }
            Event::HostFinished { phase, step, host, status, exit_code, message, output, resumed, .. } => {
                if *resumed {
                    continue;
                }
                let u = StepHostUpdate {
                    host,
                    status: status.as_str(),
                    attempt,
                    exit_code: *exit_code,
                    message,
                    output: output.as_deref(),
                };
                tasks::set_step_host(c, task, *phase, *step, &u)?;
            }
            Event::Line { phase, step, host, stream, line } => {
                let id = st.step_hosts.get(&(*phase, *step, host.clone())).copied();
                tasks::append_line(c, task, id, stream, line)?;
            }
            Event::Progress { .. } | Event::Transfer { .. } => {}
        }
    }
    Ok(st)
}
