//! `koctl task ...`

use super::task_progress::{checks_table, ctrl_c_cancels, finish, printer};
use crate::cli::{Format, TaskCmd};
use crate::output::{Table, done, emit};
use anyhow::Result;
use ko_api::{Actor, Api, LogLine, Task, TaskDetail, TaskUpdate};
use std::process::ExitCode;

fn task_table(tasks: &[Task]) -> Table {
    let mut t = Table::new(&["ID", "KIND", "CLUSTER", "STATUS", "ATTEMPT", "STARTED", "ERROR"]);
    for x in tasks {
        t.row([
            x.id.to_string(),
            x.kind.to_string(),
            x.cluster.clone().unwrap_or_default(),
            x.status.to_string(),
            x.attempt.to_string(),
            x.started_at.clone().unwrap_or_default(),
            x.error.clone().unwrap_or_default(),
        ]);
    }
    t
}

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: TaskCmd) -> Result<ExitCode> {
    match cmd {
        TaskCmd::List { cluster, limit } => {
            let tasks = api.task_list(actor, cluster.as_deref(), limit).await?;
            emit(f, &tasks, |t| task_table(t))?;
        }
        TaskCmd::Show { id } => {
            let d = api.task_show(actor, id).await?;
            emit(f, &d, |d: &TaskDetail| {
                let mut t = Table::new(&["PHASE", "STEP", "HOST", "STATUS", "ATTEMPT", "EXIT", "MESSAGE"]);
                for s in &d.steps {
                    t.row([
                        s.phase_name.clone(),
                        s.step_name.clone(),
                        s.host.clone(),
                        s.status.clone(),
                        s.attempt.to_string(),
                        s.exit_code.map(|c| c.to_string()).unwrap_or_default(),
                        s.message.clone(),
                    ]);
                }
                t
            })?;
            if f == Format::Table {
                let checks = api.task_checks(actor, id).await?;
                if !checks.is_empty() {
                    println!("\nprecheck:\n{}", checks_table(&checks).render());
                }
                let task = &d.task;
                println!(
                    "task {} ({}): {} after {} attempt(s){}",
                    task.id,
                    task.title,
                    task.status,
                    task.attempt,
                    task.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default()
                );
            }
        }
        TaskCmd::Logs { id, follow } => {
            let print = |l: &LogLine| -> Result<()> {
                if f == Format::Json {
                    println!("{}", serde_json::to_string(l)?);
                } else {
                    let at = l.at.get(11..23).unwrap_or(&l.at);
                    let host = l.host.as_deref().unwrap_or("-");
                    let step = l.step.as_deref().unwrap_or("-");
                    println!("{at} {host} [{step}] {}", l.line);
                }
                Ok(())
            };
            if follow {
                let mut updates = api.task_follow(actor, id).await?;
                while let Some(u) = updates.next().await {
                    match u {
                        TaskUpdate::Lines(lines) => lines.iter().try_for_each(print)?,
                        TaskUpdate::Unreadable { message, .. } => anyhow::bail!(message),
                        TaskUpdate::Status(_) | TaskUpdate::End(_) => {}
                    }
                }
            } else {
                for l in api.task_logs(actor, id, 0, i64::MAX).await? {
                    print(&l)?;
                }
            }
        }
        TaskCmd::Retry { id, verbose } => {
            let o =
                api.task_retry(actor, id).await?.run(ctrl_c_cancels(), printer(verbose && f == Format::Table)).await?;
            return finish(api, actor, f, &o).await;
        }
        TaskCmd::Cancel { id } => {
            api.task_cancel(actor, id).await?;
            done(f, &format!("cancel of task {id} requested; its process stops the remote commands"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
