//! A running task on the terminal (stderr): phases, each step's result per host, progress with
//! ETA, bundle bytes; Ctrl-C cancels it.

use crate::cli::Format;
use crate::output::Table;
use ko_api::{Actor, Api, CancellationToken, CheckResult, StepStatus, TaskEvent, TaskOutcome, TaskStatus};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

/// A cancel token that Ctrl-C trips (the remote commands are killed, the task ends `cancelled`).
pub fn ctrl_c_cancels() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("cancelling (the remote commands are being stopped)...");
            t.cancel();
        }
    });
    token
}

/// Prints events as they come; with `verbose`, every output line too.
pub fn printer(verbose: bool) -> impl Fn(&TaskEvent) + Send + Sync + 'static {
    let last_progress = Mutex::new(Instant::now());
    let last_bytes = Mutex::new(Instant::now());
    move |e: &TaskEvent| match e {
        TaskEvent::PhaseStarted { name, .. } => eprintln!("== {name}"),
        TaskEvent::HostFinished { host, status, message, resumed, millis, .. } => {
            let (mark, note) = match (status, resumed) {
                (_, true) => ("done", "(earlier attempt)".to_string()),
                (StepStatus::Ok, _) => ("ok", format!("{:.1}s", *millis as f64 / 1000.0)),
                (StepStatus::Skipped, _) => ("skip", String::new()),
                (StepStatus::Failed, _) => ("FAIL", format!("{:.1}s", *millis as f64 / 1000.0)),
                (StepStatus::Cancelled, _) => ("cancel", String::new()),
                _ => ("?", String::new()),
            };
            eprintln!("  {mark:<6} {host:<14} {message} {note}");
        }
        TaskEvent::StepStarted { name, hosts, .. } => eprintln!("-- {name} ({} host(s))", hosts.len()),
        TaskEvent::Line { host, line, stream, .. } if verbose || *stream == "info" => {
            eprintln!("         {host}: {line}");
        }
        TaskEvent::Progress { done, total, eta_secs, .. } => {
            let mut last = last_progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.elapsed().as_millis() >= 2000 || done == total {
                *last = Instant::now();
                let eta = eta_secs.map(|s| format!(", ETA {s}s")).unwrap_or_default();
                eprintln!("   [{done}/{total} steps x hosts{eta}]");
            }
        }
        TaskEvent::Transfer { host, done, total } => {
            let mut last = last_bytes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.elapsed().as_millis() >= 1000 || done == total {
                *last = Instant::now();
                let mib = |b: u64| b as f64 / 1048576.0;
                eprintln!("         {host}: {:.1} / {:.1} MiB", mib(*done), mib(*total));
            }
        }
        _ => {}
    }
}

/// The precheck's results as a table, with the fix for each failure.
pub fn checks_table<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Table {
    let mut t = Table::new(&["HOST", "RESULT", "CHECK", "DETAIL / FIX"]);
    for c in checks {
        t.row([c.host.as_str(), &c.level, &c.check, &c.detail]);
    }
    t
}

/// Prints how a task ended (with the precheck table when a check failed) and picks the exit code.
pub async fn finish(api: &Api, actor: &Actor, f: Format, o: &TaskOutcome) -> anyhow::Result<ExitCode> {
    if f == Format::Json {
        crate::output::print_json(o)?;
    } else if o.status == TaskStatus::Ok {
        println!("task {}: ok", o.task_id);
    } else {
        let checks = api.task_checks(actor, o.task_id).await?;
        if checks.iter().any(|c| c.level == "FAIL") {
            print!("{}", checks_table(checks.iter().filter(|c| c.level != "PASS")).render());
        }
        println!("task {}: {} — {}", o.task_id, o.status, o.error.as_deref().unwrap_or(""));
        println!("resume it with `koctl task retry {}`", o.task_id);
    }
    Ok(if o.status == TaskStatus::Ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
