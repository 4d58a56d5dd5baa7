//! The task journal: a run's events written to SQLite in batches (one transaction per batch),
//! and passed on to whoever watches the run.

use crate::Result;
use ko_playbook::{Event, EventSink};
use ko_store::Db;
use ko_store::tasks::{self, StepHostUpdate};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Journals a run's events (batched, one transaction per batch) and passes them on.
pub(crate) struct JournalSink {
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
    pub(crate) fn start(
        db: Db,
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
                match db.write(move |c| journal(c, task, attempt, st, &events)).await {
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
