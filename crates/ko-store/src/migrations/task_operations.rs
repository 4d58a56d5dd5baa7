//! Migration 7: a task's parameters become its [`Operation`]. Releases before it stored a bag of
//! optional fields (the playbooks to run, a bundle, a backup file, nodes, ...) and worked out
//! from the task's kind and its playbooks what it was; each row is rewritten as the operation it
//! ran, so a retry of a task started by an earlier release runs the same stages on the same hosts.
//! A row that cannot be read is left as it was (its retry then says so).

use ko_core::{ADD_WORKER_STAGES, Operation, REMOVE_MASTER_STAGES, REMOVE_WORKER_STAGES, Stage, TaskKind};
use rusqlite::{Transaction, params};
use serde::Deserialize;

/// The parameters as releases up to schema version 6 stored them.
#[derive(Deserialize)]
struct Legacy {
    playbooks: Vec<String>,
    bundle: Option<String>,
    backup: Option<String>,
    #[serde(default)]
    nodes: Vec<String>,
    version: Option<String>,
    batch: Option<usize>,
    #[serde(default)]
    down: Vec<String>,
}

impl Legacy {
    fn stages(&self) -> Option<Vec<Stage>> {
        self.playbooks.iter().map(|p| Stage::parse(p)).collect()
    }

    /// Where a deployment that ran these stages stopped, unless it ran to the end.
    fn until(stages: &[Stage]) -> Option<Stage> {
        stages.last().copied().filter(|s| Some(s) != Stage::DEPLOYMENT.last())
    }

    /// Where the cluster was staged when a Day-2 operation that would run `full` ran `stages`
    /// instead (none when nothing was left out): the last deployment stage it kept.
    fn staged_at(stages: &[Stage], full: &[Stage]) -> Option<Stage> {
        match stages == full {
            true => None,
            false => stages.iter().rev().copied().find(|s| s.deployment_index().is_some()),
        }
    }

    fn node(&self) -> Option<String> {
        self.nodes.first().cloned()
    }

    /// The operation these parameters ran as a task of `kind`.
    fn operation(self, kind: TaskKind) -> Option<Operation> {
        let stages = self.stages()?;
        Some(match kind {
            TaskKind::Create => Operation::Create { bundle: self.bundle?, until: Self::until(&stages) },
            TaskKind::Deploy => {
                let first = stages.first()?.deployment_index()?;
                let after = *Stage::DEPLOYMENT.get(first.checked_sub(1)?)?;
                Operation::Deploy { bundle: self.bundle, after, until: Self::until(&stages) }
            }
            TaskKind::Backup => Operation::Backup { file: self.backup? },
            TaskKind::Restore => Operation::Restore { file: self.backup? },
            TaskKind::Reset => Operation::Reset,
            TaskKind::CheckCerts => Operation::CheckCerts,
            TaskKind::RenewCerts => Operation::RenewCerts,
            TaskKind::AddWorkers => Operation::AddWorkers {
                staged_at: Self::staged_at(&stages, ADD_WORKER_STAGES),
                bundle: self.bundle,
                nodes: self.nodes,
            },
            TaskKind::AddMasters => {
                let full =
                    Operation::AddMasters { bundle: None, nodes: Vec::new(), down: self.down.clone(), staged_at: None };
                Operation::AddMasters {
                    staged_at: Self::staged_at(&stages, &full.stages()),
                    bundle: self.bundle,
                    nodes: self.nodes,
                    down: self.down,
                }
            }
            TaskKind::RemoveWorker | TaskKind::RemoveMaster => {
                let (node, down) = (self.node()?, !self.down.is_empty());
                let full = match kind {
                    TaskKind::RemoveWorker => REMOVE_WORKER_STAGES,
                    _ => REMOVE_MASTER_STAGES,
                };
                let staged_at = Self::staged_at(&stages, full);
                match kind {
                    TaskKind::RemoveWorker => Operation::RemoveWorker { node, down, staged_at },
                    _ => Operation::RemoveMaster { node, down, staged_at },
                }
            }
            // kinds that came after these parameters: never stored in the old shape
            TaskKind::ReplaceMaster | TaskKind::Delete => return None,
            TaskKind::Upgrade => Operation::Upgrade {
                bundle: self.bundle?,
                version: self.version?,
                batch: self.batch.unwrap_or(1),
                backup: self.backup?,
            },
        })
    }
}

/// Rewrites every task's parameters as its operation.
pub(super) fn migrate(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, kind, params FROM tasks")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare("UPDATE tasks SET params = ?2 WHERE id = ?1")?;
    for (id, kind, params) in rows {
        let operation = TaskKind::parse(&kind)
            .zip(serde_json::from_str::<Legacy>(&params).ok())
            .and_then(|(kind, legacy)| legacy.operation(kind));
        match operation.map(|op| serde_json::to_string(&op)) {
            Some(Ok(json)) => {
                update.execute(params![id, json])?;
            }
            _ => tracing::warn!(task = id, kind, "task parameters of an unknown shape were left as they were"),
        }
    }
    Ok(())
}
