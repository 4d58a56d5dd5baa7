//! What a playbook would do on which host, rendered, without touching any host.

use crate::{Action, Inventory, Playbook, Renderer, Result, Selector};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A rendered action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedAction {
    /// Shell script.
    Run {
        /// The script.
        script: String,
    },
    /// Upload from the bundle store.
    Upload {
        /// Bundle path.
        src: String,
        /// Destination.
        dest: String,
        /// Mode.
        mode: String,
    },
    /// Render a template onto the host.
    Template {
        /// Destination.
        dest: String,
        /// Rendered content.
        content: String,
        /// Mode.
        mode: String,
    },
    /// Fetch a file back.
    Fetch {
        /// Path on the host.
        src: String,
        /// Local path.
        dest: String,
    },
    /// Wait for a port or command.
    WaitFor {
        /// What is waited for.
        what: String,
        /// Seconds.
        timeout: u64,
    },
    /// Push the bundle into the host's store.
    PushBundle,
}

/// One step on one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedStep {
    /// Step name.
    pub step: String,
    /// Host name.
    pub host: String,
    /// As root.
    pub become_root: bool,
    /// Skipped when this path exists.
    pub creates: Option<String>,
    /// Skipped when this command succeeds.
    pub unless: Option<String>,
    /// Rolling batch number (0 when not serial).
    pub batch: usize,
    /// The step's output is secret (never shown or logged).
    pub sensitive: bool,
    /// The keychain entry the output is kept in.
    pub keep_secret: Option<String>,
    /// The host the step runs on for this one (a delegated step).
    pub on: Option<String>,
    /// What it does.
    pub action: PlannedAction,
}

/// A phase of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedPhase {
    /// Phase name.
    pub name: String,
    /// Steps x hosts, in run order.
    pub steps: Vec<PlannedStep>,
}

/// Expands `playbook` over `inv`: every step on every selected host where its `when` and
/// `os_family` hold, rendered with `renderer`. Registered outputs are placeholders.
pub fn plan(playbook: &Playbook, inv: &Inventory, renderer: &Renderer) -> Result<Vec<PlannedPhase>> {
    let mut registered: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut phases = Vec::new();
    for phase in &playbook.phases {
        let mut steps = Vec::new();
        // a rolling phase: batch by batch, every step on a batch before the next
        let batches: Vec<Option<Vec<&crate::InvHost>>> = match phase.serial {
            None => vec![None],
            Some(n) => inv
                .select_in(&crate::run::phase_selector(phase), phase.whole_cluster)
                .chunks(n)
                .map(|c| Some(c.to_vec()))
                .collect(),
        };
        for (b, batch) in batches.iter().enumerate() {
            for step in &phase.steps {
                let hosts = crate::run::step_hosts(inv, phase, step, batch.as_deref());
                let mut chosen = Vec::new();
                for h in hosts {
                    if step.os_family.is_some_and(|f| h.os_family() != Some(f)) {
                        continue;
                    }
                    let ctx = renderer.context(inv, h, &registered);
                    if let Some(when) = &step.when
                        && !renderer.truthy(when, &ctx, &step.name, &h.name)?
                    {
                        continue;
                    }
                    chosen.push((h, ctx));
                }
                let on = step
                    .delegate
                    .as_deref()
                    .and_then(|d| Selector::parse(d).ok())
                    .and_then(|sel| inv.select(&sel).first().map(|h| h.name.clone()));
                for (i, (h, ctx)) in chosen.iter().enumerate() {
                    let r = |t: &str| renderer.render(t, ctx, &step.name, &h.name);
                    let action = match step.action() {
                        Action::Run(script) => PlannedAction::Run { script: r(script)? },
                        Action::Upload(u) => {
                            PlannedAction::Upload { src: u.src.clone(), dest: r(&u.dest)?, mode: u.mode.clone() }
                        }
                        Action::Template(t) => {
                            PlannedAction::Template { dest: r(&t.dest)?, content: r(&t.content)?, mode: t.mode.clone() }
                        }
                        Action::Fetch(f) => PlannedAction::Fetch { src: r(&f.src)?, dest: r(&f.dest)? },
                        Action::WaitFor(w) => PlannedAction::WaitFor {
                            what: match (w.port, &w.command) {
                                (Some(p), _) => format!("port {p}"),
                                (None, Some(c)) => format!("command: {}", r(c)?),
                                (None, None) => String::new(),
                            },
                            timeout: w.timeout,
                        },
                        Action::PushBundle => PlannedAction::PushBundle,
                    };
                    steps.push(PlannedStep {
                        step: step.name.clone(),
                        host: h.name.clone(),
                        become_root: step.become_root,
                        creates: step.creates.as_deref().map(r).transpose()?,
                        unless: step.unless.as_deref().map(r).transpose()?,
                        batch: match phase.serial {
                            Some(_) => b + 1,
                            None => step.serial.map_or(0, |n| i / n + 1),
                        },
                        sensitive: step.sensitive,
                        keep_secret: step.keep_secret.clone(),
                        on: on.clone(),
                        action,
                    });
                }
                if let Some(name) = &step.register {
                    let values = chosen
                        .iter()
                        .map(|(h, _)| (h.name.clone(), format!("<output of '{}' on {}>", step.name, h.name)));
                    registered.entry(name.clone()).or_default().extend(values);
                }
            }
        }
        phases.push(PlannedPhase { name: phase.name.clone(), steps });
    }
    Ok(phases)
}

/// The plan as text: phase, step, host, then the exact commands, indented.
pub fn render_plan(phases: &[PlannedPhase]) -> String {
    let mut out = String::new();
    for p in phases {
        let _ = writeln!(out, "== phase {}", p.name);
        for s in &p.steps {
            let mut flags = Vec::new();
            if s.become_root {
                flags.push("as root".to_string());
            }
            if s.batch > 0 {
                flags.push(format!("batch {}", s.batch));
            }
            if let Some(on) = &s.on {
                flags.push(format!("run on {on}"));
            }
            if let Some(c) = &s.creates {
                flags.push(format!("skip if {c} exists"));
            }
            if let Some(u) = &s.unless {
                flags.push(format!("skip if `{u}` succeeds"));
            }
            match (&s.keep_secret, s.sensitive) {
                (Some(k), _) => flags.push(format!("output hidden, kept in the keychain as {k}")),
                (None, true) => flags.push("output hidden".into()),
                (None, false) => {}
            }
            let _ = writeln!(
                out,
                "-- {} @ {}{}",
                s.step,
                s.host,
                if flags.is_empty() { String::new() } else { format!(" ({})", flags.join(", ")) }
            );
            let body = match &s.action {
                PlannedAction::Run { script } => script.clone(),
                PlannedAction::Upload { src, dest, mode } => format!("upload {src} -> {dest} (mode {mode})"),
                PlannedAction::Template { dest, content, mode } => format!("write {dest} (mode {mode}):\n{content}"),
                PlannedAction::Fetch { src, dest } => format!("fetch {src} -> {dest}"),
                PlannedAction::WaitFor { what, timeout } => format!("wait up to {timeout}s for {what}"),
                PlannedAction::PushBundle => "push the bundle's files for this host into its store".into(),
            };
            for line in body.trim_end().lines() {
                let _ = writeln!(out, "   {line}");
            }
        }
    }
    out
}
