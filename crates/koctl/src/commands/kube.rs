//! `koctl kube CLUSTER ...`: inside a cluster, through its API server.

use crate::cli::{Format, KubeCmd};
use crate::output::{InputError, Table, done, emit, print_json};
use anyhow::Result;
use ko_api::{
    Actor, Api, ApplyChange, ContainerSummary, ExecTarget, LogForm, LogOptions, PodLogUpdate, ResourceKind,
    ResourceRow, ResourceUpdate, Terminal, TerminalInput, TerminalOutput, WatchForm, WorkloadKind,
};
use std::io::{Read, Write};
use std::process::ExitCode;

fn kind_of(s: &str) -> Result<ResourceKind> {
    ResourceKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ResourceKind::ALL.iter().map(|k| k.as_str()).collect();
        InputError(format!("unknown kind '{s}'; one of: {}", all.join(", "))).into()
    })
}

fn workload_of(s: &str) -> Result<WorkloadKind> {
    match s.to_ascii_lowercase().as_str() {
        "deployment" | "deployments" | "deploy" => Ok(WorkloadKind::Deployment),
        "stateful_set" | "statefulset" | "statefulsets" | "sts" => Ok(WorkloadKind::StatefulSet),
        "daemon_set" | "daemonset" | "daemonsets" | "ds" => Ok(WorkloadKind::DaemonSet),
        _ => {
            Err(InputError(format!("unknown workload kind '{s}'; one of: deployment, stateful_set, daemon_set")).into())
        }
    }
}

/// `NAMESPACE/NAME` split in two.
fn namespaced(s: &str) -> Result<(&str, &str)> {
    s.split_once('/')
        .filter(|(ns, n)| !ns.is_empty() && !n.is_empty())
        .ok_or_else(|| InputError(format!("'{s}' is not NAMESPACE/NAME")).into())
}

fn rows_table(kind: ResourceKind, rows: &[ResourceRow]) -> Table {
    let mut headers: Vec<String> = Vec::new();
    if kind.namespaced() {
        headers.push("NAMESPACE".into());
    }
    headers.push("NAME".into());
    headers.extend(kind.columns().iter().map(|c| c.to_uppercase()));
    let mut t = Table::new(&headers);
    let mut rows: Vec<&ResourceRow> = rows.iter().collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    for r in rows {
        let mut cells: Vec<String> = Vec::new();
        if kind.namespaced() {
            cells.push(r.namespace.clone().unwrap_or_default());
        }
        cells.push(r.name.clone());
        cells.extend(r.cells.iter().map(|c| if c.is_empty() { "-".to_string() } else { c.clone() }));
        t.row(cells);
    }
    t
}

fn print_changes(f: Format, changes: &[ApplyChange], planned: bool) -> Result<()> {
    if f == Format::Json {
        return print_json(changes);
    }
    for c in changes {
        let ns = c.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
        let verb = match (c.action.as_str(), planned) {
            ("unchanged", _) => "unchanged",
            ("create", true) => "would be created",
            ("create", false) => "created",
            (_, true) => "would change",
            (_, false) => "changed",
        };
        println!("{} {ns}{}: {verb}", c.kind, c.name);
        print!("{}", c.diff);
    }
    Ok(())
}

/// Runs one `koctl kube` command.
pub async fn run(api: &Api, actor: &Actor, f: Format, cluster: &str, cmd: KubeCmd) -> Result<ExitCode> {
    match cmd {
        KubeCmd::Get { kind, namespace, watch } => {
            let kind = kind_of(&kind)?;
            let mut updates = api.cluster_resource_updates(actor, cluster, WatchForm { kind, namespace }).await?;
            while let Some(u) = updates.recv().await {
                match (&u, watch) {
                    (ResourceUpdate::Snapshot(rows), false) => {
                        emit(f, rows, |rows: &Vec<ResourceRow>| rows_table(kind, rows))?;
                        return Ok(ExitCode::SUCCESS);
                    }
                    (ResourceUpdate::Reconnecting(why), false) => {
                        anyhow::bail!("the API server did not answer: {why}");
                    }
                    (_, true) if f == Format::Json => println!("{}", serde_json::to_string(&u)?),
                    (ResourceUpdate::Snapshot(rows), true) => print!("{}", rows_table(kind, rows).render()),
                    (ResourceUpdate::Upsert(r), true) => println!("~ {} {}", r.key, r.cells.join("  ")),
                    (ResourceUpdate::Remove(key), true) => println!("- {key}"),
                    (ResourceUpdate::Reconnecting(why), true) => eprintln!("reconnecting: {why}"),
                    // before the first snapshot only a snapshot or a failure comes
                    (ResourceUpdate::Upsert(_) | ResourceUpdate::Remove(_), false) => {}
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Yaml { kind, object, namespace, reveal } => {
            let kind = kind_of(&kind)?;
            print!("{}", api.cluster_object_yaml(actor, cluster, kind, namespace.as_deref(), &object, reveal).await?);
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Apply { file, namespace, plan } => {
            let yaml = if file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| InputError(format!("cannot read stdin: {e}")))?;
                s
            } else {
                std::fs::read_to_string(&file)
                    .map_err(|e| InputError(format!("cannot read {}: {e}", file.display())))?
            };
            let changes = api.cluster_apply(actor, cluster, &yaml, &namespace, plan).await?;
            print_changes(f, &changes, plan)?;
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Cordon { node } => {
            api.cluster_node_schedulable(actor, cluster, &node, false).await?;
            done(f, &format!("node {node} cordoned"));
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Uncordon { node } => {
            api.cluster_node_schedulable(actor, cluster, &node, true).await?;
            done(f, &format!("node {node} uncordoned"));
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Drain { node } => {
            let report = api.cluster_node_drain(actor, cluster, &node).await?;
            emit(f, &report, |r: &ko_api::DrainReport| {
                let mut t = Table::new(&["POD", "DONE"]);
                for p in &r.evicted {
                    t.row([p.as_str(), "evicted"]);
                }
                for p in &r.skipped {
                    t.row([p.as_str(), "left (DaemonSet or static)"]);
                }
                t
            })?;
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Logs { pod, container, follow, previous, since, tail, timestamps } => {
            let (namespace, pod) = namespaced(&pod)?;
            let options =
                LogOptions { container, follow, previous, since_seconds: since, tail_lines: tail, timestamps };
            let form = LogForm { namespace: namespace.into(), pod: pod.into(), options };
            let mut updates = api.cluster_pod_log_updates(actor, cluster, form).await?;
            while let Some(u) = updates.recv().await {
                match u {
                    PodLogUpdate::Lines(lines) => lines.iter().for_each(|l| println!("{l}")),
                    PodLogUpdate::End => break,
                    PodLogUpdate::Failed { message, .. } => anyhow::bail!("{message}"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Containers { pod } => {
            let (ns, name) = namespaced(&pod)?;
            let containers = api.cluster_pod_containers(actor, cluster, ns, name).await?;
            emit(f, &containers, |cs: &Vec<ContainerSummary>| {
                let mut t = Table::new(&["NAME", "IMAGE", "INIT", "STATE"]);
                for c in cs {
                    t.row([c.name.clone(), c.image.clone(), if c.init { "yes" } else { "-" }.into(), c.state.clone()]);
                }
                t
            })?;
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Exec { pod, container, stdin, command } => {
            let (ns, name) = namespaced(&pod)?;
            let target = ExecTarget { namespace: ns.into(), pod: name.into(), container, command };
            let session = api.cluster_exec(actor, cluster, &target, None).await?;
            Ok(ExitCode::from(run_exec(session, stdin).await?))
        }
        KubeCmd::DeletePod { pod } => {
            let (ns, name) = namespaced(&pod)?;
            api.cluster_pod_delete(actor, cluster, ns, name).await?;
            done(f, &format!("pod {pod} deleted"));
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Restart { kind, workload } => {
            let (ns, name) = namespaced(&workload)?;
            api.cluster_workload_restart(actor, cluster, workload_of(&kind)?, ns, name).await?;
            done(f, &format!("{workload} restarting"));
            Ok(ExitCode::SUCCESS)
        }
        KubeCmd::Scale { kind, workload, replicas } => {
            let (ns, name) = namespaced(&workload)?;
            api.cluster_workload_scale(actor, cluster, workload_of(&kind)?, ns, name, replicas).await?;
            done(f, &format!("{workload} scaled to {replicas}"));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Carries an exec session: this process's standard input to it (`stdin`; else it gets none),
/// its output to standard output and error; the command's exit code (255 and above: 255).
async fn run_exec(session: Terminal, stdin: bool) -> Result<u8> {
    let Terminal { input, mut output } = session;
    if stdin {
        // a thread: reading the terminal or a pipe blocks
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut inp = std::io::stdin().lock();
            while let Ok(n) = inp.read(&mut buf) {
                if n == 0 || input.send(TerminalInput::Data(buf[..n].to_vec())).is_err() {
                    break;
                }
            }
            // dropping the input: the command's standard input ends
        });
    } else {
        drop(input);
    }
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    while let Some(o) = output.recv().await {
        match o {
            TerminalOutput::Data(b) => {
                out.write_all(&b)?;
                out.flush()?;
            }
            TerminalOutput::Stderr(b) => {
                err.write_all(&b)?;
                err.flush()?;
            }
            TerminalOutput::Exit(code) => return Ok(u8::try_from(code).unwrap_or(u8::MAX)),
        }
    }
    Ok(1)
}
