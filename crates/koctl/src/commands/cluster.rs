//! `koctl cluster ...`

use super::task_progress::{ctrl_c_cancels, finish, printer};
use crate::EXIT_INVALID;
use crate::cli::{ClusterCmd, Format};
use crate::output::{InputError, Table, done, emit};
use anyhow::Result;
use ko_api::{
    Actor, Api, BackupFile, CertExpiry, Cluster, ClusterDetail, ClusterHealth, ClusterHealthSummary, ClusterImported,
    ClusterValidation, ImportForm, ImportSource, NodeChange, NodeSummary, PreparedTask, Sensitive, TaskStatus,
};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

fn read_file(file: &Path) -> Result<String> {
    Ok(if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| InputError(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| InputError(format!("cannot read {}: {e}", file.display())))?
    })
}

/// Prints a plan: what an operation would run, nothing changed.
fn print_plan(plan: String) -> Result<ExitCode> {
    print!("{plan}");
    Ok(ExitCode::SUCCESS)
}

/// Runs a task in the foreground, with its progress when `verbose`.
async fn run_task(task: PreparedTask, verbose: bool, f: Format) -> Result<ko_api::TaskOutcome> {
    Ok(task.run(ctrl_c_cancels(), printer(verbose && f == Format::Table)).await?)
}

/// A checked change of a cluster's nodes: its plan printed (`None`), or started and followed to
/// the end of its task.
async fn plan_or_run(change: NodeChange, plan: bool, verbose: bool, f: Format) -> Result<Option<ko_api::TaskOutcome>> {
    if plan {
        print!("{}", change.plan().await?);
        return Ok(None);
    }
    Ok(Some(run_task(change.start().await?, verbose, f).await?))
}

fn backups_table(b: &[BackupFile]) -> Table {
    let mut t = Table::new(&["NAME", "SIZE", "SHA256", "TAKEN", "FILE"]);
    for x in b {
        t.row([
            x.name.clone(),
            x.size.to_string(),
            x.sha256[..16].to_string(),
            x.created_at.clone(),
            x.location.clone(),
        ]);
    }
    t
}

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: ClusterCmd) -> Result<ExitCode> {
    let verbose_printer = |v: bool| printer(v && f == Format::Table);
    let outcome = match cmd {
        ClusterCmd::Validate { file } => return validate(api, actor, f, &file).await,
        ClusterCmd::Create { file, plan: true, recipe, .. } => {
            let yaml = read_file(&file)?;
            let plan = match recipe {
                Some(r) => api.cluster_plan_with_recipe(actor, &yaml, &r).await?,
                None => api.cluster_plan(actor, &yaml).await?,
            };
            print!("{plan}");
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Create { file, plan: false, until, verbose, .. } => {
            api.cluster_create(actor, &read_file(&file)?, until.as_deref())
                .await?
                .run(ctrl_c_cancels(), verbose_printer(verbose))
                .await?
        }
        ClusterCmd::Deploy { name, until, verbose } => {
            api.cluster_deploy(actor, &name, until.as_deref())
                .await?
                .run(ctrl_c_cancels(), verbose_printer(verbose))
                .await?
        }
        ClusterCmd::AddWorker { name, hosts, zone, plan, verbose } => {
            let change = api.cluster_add_workers(actor, &name, &hosts, zone.as_deref()).await?;
            let Some(outcome) = plan_or_run(change, plan, verbose, f).await? else { return Ok(ExitCode::SUCCESS) };
            outcome
        }
        ClusterCmd::RemoveWorker { name, host, down, plan, verbose } => {
            let change = api.cluster_remove_worker(actor, &name, &host, down).await?;
            let Some(outcome) = plan_or_run(change, plan, verbose, f).await? else { return Ok(ExitCode::SUCCESS) };
            outcome
        }
        ClusterCmd::AddMaster { name, hosts, replacing, down, plan, verbose } => {
            let change = api.cluster_add_masters(actor, &name, &hosts, replacing.as_deref(), &down).await?;
            let Some(outcome) = plan_or_run(change, plan, verbose, f).await? else { return Ok(ExitCode::SUCCESS) };
            outcome
        }
        ClusterCmd::RemoveMaster { name, host, down, plan, verbose } => {
            let change = api.cluster_remove_master(actor, &name, &host, down).await?;
            let Some(outcome) = plan_or_run(change, plan, verbose, f).await? else { return Ok(ExitCode::SUCCESS) };
            outcome
        }
        ClusterCmd::ReplaceMaster { name, old, new, old_down, plan, verbose } => {
            let change = api.cluster_replace_master(actor, &name, &old, &new, old_down).await?;
            let Some(outcome) = plan_or_run(change, plan, verbose, f).await? else { return Ok(ExitCode::SUCCESS) };
            outcome
        }
        ClusterCmd::Upgrade { name, to, batch, plan, verbose } => {
            let upgrade = api.cluster_upgrade(actor, &name, &to, batch).await?;
            if plan {
                return print_plan(upgrade.plan().await?);
            }
            run_task(upgrade.start().await?, verbose, f).await?
        }
        ClusterCmd::Certs { name, check } => {
            if check {
                let o =
                    api.cluster_check_certs(actor, &name).await?.run(ctrl_c_cancels(), verbose_printer(false)).await?;
                if o.status != TaskStatus::Ok {
                    return finish(api, actor, f, &o).await;
                }
            }
            let certs = api.cluster_show(actor, &name).await?.certificates;
            emit(f, &certs, |c: &Vec<CertExpiry>| {
                let mut t = Table::new(&["HOST", "FILE", "EXPIRES", "DAYS LEFT"]);
                for x in c {
                    t.row([x.host.clone(), x.file.clone(), x.not_after.clone(), x.days_left.to_string()]);
                }
                t
            })?;
            if f == Format::Table && certs.is_empty() {
                println!("no certificates collected yet: `koctl cluster certs {name} --check`");
            }
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::RenewCerts { name, plan: true, .. } => {
            print!("{}", api.cluster_renew_certs_plan(actor, &name).await?);
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::RenewCerts { name, plan: false, verbose } => {
            api.cluster_renew_certs(actor, &name).await?.run(ctrl_c_cancels(), verbose_printer(verbose)).await?
        }
        ClusterCmd::Import { name, project, kubeconfig, context, server, ca, token_file } => {
            let source = match server {
                Some(server) => {
                    let ca_pem = ca.map(|p| read_file(&p)).transpose()?;
                    let token = read_file(token_file.as_deref().unwrap_or(Path::new("-")))?;
                    ImportSource::Token { server, ca_pem, token: Sensitive::new(token.trim().to_string()) }
                }
                None => ImportSource::LocalKubeconfig { path: kubeconfig.map(|p| p.display().to_string()), context },
            };
            let form = ImportForm { name, project: Some(project), source };
            let imported = api.cluster_import(actor, form).await?;
            emit(f, &imported, |i: &ClusterImported| node_table(&i.nodes))?;
            if f == Format::Table {
                let c = &imported.cluster;
                println!(
                    "imported cluster {} (Kubernetes {}, {}) as user {}",
                    c.name,
                    imported.version,
                    c.arch,
                    if imported.user.is_empty() { "(not told)" } else { &imported.user }
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Health { name: None } => {
            // what the API server answered (or not) is recorded and on the board; a probe that
            // could not even start (no credential in the keychain...) is said here
            let mut unprobed = false;
            for s in api.health_summary(actor).await? {
                if let Err(e) = api.cluster_health(actor, &s.cluster).await {
                    eprintln!("cluster {}: not probed: {e}", s.cluster);
                    unprobed = true;
                }
            }
            let board = api.health_summary(actor).await?;
            emit(f, &board, |b: &Vec<ClusterHealthSummary>| {
                let mut t = Table::new(&["CLUSTER", "STATUS", "HEALTH", "CHECKED", "PROBLEM"]);
                for s in b {
                    let health = match &s.health {
                        None => "never",
                        Some(h) if !h.reachable => "unreachable",
                        Some(h) if !h.healthy => "unhealthy",
                        Some(_) => "healthy",
                    };
                    let checked = s.health.as_ref().map_or("-", |h| h.checked_at.as_str());
                    t.row([&s.cluster, s.status.as_str(), health, checked, s.problem.as_deref().unwrap_or("-")]);
                }
                t
            })?;
            let well = !unprobed && board.iter().all(|s| s.health.as_ref().is_some_and(|h| h.healthy));
            return Ok(if well { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        ClusterCmd::Health { name: Some(name) } => {
            let h = api.cluster_health(actor, &name).await?;
            emit(f, &h, |h: &ClusterHealth| health_table(h))?;
            if f == Format::Table {
                print_health_summary(&name, &h);
            }
            return Ok(if h.healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        ClusterCmd::List => {
            let clusters = api.cluster_list(actor).await?;
            emit(f, &clusters, |c: &Vec<Cluster>| {
                let mut t = Table::new(&["NAME", "PROJECT", "VERSION", "ARCH", "STATUS", "MESSAGE"]);
                for x in c {
                    t.row([x.name.as_str(), &x.project, &x.version, &x.arch, x.status.as_str(), &x.status_message]);
                }
                t
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Show { name } => {
            let d = api.cluster_show(actor, &name).await?;
            emit(f, &d, |d: &ClusterDetail| {
                let mut t = Table::new(&["NODE", "HOST", "ROLES", "STATUS"]);
                for n in &d.nodes {
                    let roles: Vec<&str> = [(n.master, "master"), (n.etcd, "etcd"), (n.worker, "worker")]
                        .into_iter()
                        .filter_map(|(has, r)| has.then_some(r))
                        .collect();
                    t.row([n.name.clone(), n.host.clone(), roles.join(","), n.status.clone()]);
                }
                t
            })?;
            if f == Format::Table {
                let c = &d.cluster;
                println!(
                    "cluster {} ({}, Kubernetes {}, {}): {} {}",
                    c.name, c.project, c.version, c.arch, c.status, c.status_message
                );
                if let Some(next) = &d.next {
                    println!("  {}", crate::next_step::line(next));
                }
                for t in &d.tasks {
                    println!("  task {} {} {} (attempt {})", t.id, t.kind, t.status, t.attempt);
                }
                if !d.backups.is_empty() {
                    print!("{}", backups_table(&d.backups).render());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Backup { name } => {
            api.cluster_backup(actor, &name).await?.run(ctrl_c_cancels(), verbose_printer(false)).await?
        }
        ClusterCmd::Kubeconfig { name, file } => {
            let config = api.cluster_kubeconfig(actor, &name).await?;
            match file {
                Some(path) => {
                    ko_api::write_private_file(&path, config.expose().as_bytes())
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    eprintln!("koctl: kubeconfig of {name} written to {}", path.display());
                }
                None => print!("{}", config.expose()),
            }
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Backups { name } => {
            let b = api.cluster_backups(actor, &name).await?;
            emit(f, &b, |b: &Vec<BackupFile>| backups_table(b))?;
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Restore { name, backup } => {
            api.cluster_restore(actor, &name, &backup).await?.run(ctrl_c_cancels(), verbose_printer(false)).await?
        }
        ClusterCmd::Reset { name, plan: true } => {
            print!("{}", api.cluster_reset_plan(actor, &name).await?);
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Reset { name, plan: false } => {
            api.cluster_reset(actor, &name).await?.run(ctrl_c_cancels(), verbose_printer(false)).await?
        }
        ClusterCmd::Delete { name, reset: true } => {
            let o =
                api.cluster_reset_and_delete(actor, &name).await?.run(ctrl_c_cancels(), verbose_printer(false)).await?;
            if o.status != TaskStatus::Ok {
                return finish(api, actor, f, &o).await;
            }
            done(f, &format!("cluster {name} reset and deleted (its hosts stay registered)"));
            return Ok(ExitCode::SUCCESS);
        }
        ClusterCmd::Delete { name, reset: false } => {
            api.cluster_delete(actor, &name).await?;
            done(f, &format!("cluster {name} deleted (its hosts stay registered)"));
            return Ok(ExitCode::SUCCESS);
        }
    };
    finish(api, actor, f, &outcome).await
}

async fn validate(api: &Api, actor: &Actor, f: Format, file: &Path) -> Result<ExitCode> {
    let text = read_file(file)?;
    let v = api.cluster_validate(actor, &text).await?;
    emit(f, &v, |v: &ClusterValidation| {
        let mut t = Table::new(&["FIELD", "PROBLEM", "CODE"]);
        for p in &v.problems {
            t.row([p.field.as_str(), &p.message, p.code]);
        }
        t
    })?;
    if f == Format::Table {
        match (&v.spec, v.is_valid()) {
            (Some(s), true) => println!(
                "{}: valid — cluster '{}', Kubernetes {}, {} nodes, {} etcd members, {} {}",
                file.display(),
                s.name,
                s.version,
                s.nodes.len(),
                s.etcd_member_count(),
                s.network.plugin,
                s.network.effective_mode()
            ),
            _ => eprintln!("{}: {} problem(s); fix them all and validate again", file.display(), v.problems.len()),
        }
    }
    Ok(if v.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// The nodes as the API server lists them.
fn node_table(nodes: &[NodeSummary]) -> Table {
    let mut t = Table::new(&["NODE", "ROLES", "READY", "VERSION", "ARCH", "ADDRESS"]);
    for n in nodes {
        let ready = if n.ready { "Ready".to_string() } else { format!("NotReady ({})", n.not_ready_reason) };
        t.row([
            n.name.clone(),
            n.roles.join(","),
            ready,
            n.kubelet_version.clone(),
            n.arch.clone(),
            n.internal_ip.clone(),
        ]);
    }
    t
}

/// What a probe found: the API server's checks that failed, the nodes, the unwell system pods.
fn health_table(h: &ClusterHealth) -> Table {
    let mut t = Table::new(&["WHAT", "NAME", "STATE", "DETAIL"]);
    if let Some(r) = &h.report {
        for c in r.checks.iter().filter(|c| !c.ok || c.name.starts_with("etcd")) {
            t.row(["check".into(), c.name.clone(), if c.ok { "ok" } else { "failed" }.to_string(), c.detail.clone()]);
        }
        for n in &r.nodes {
            let state = if n.ready { "Ready" } else { "NotReady" };
            t.row(["node".into(), n.name.clone(), state.to_string(), n.not_ready_reason.clone()]);
        }
        for p in &r.pod_problems {
            let detail = format!("{} on {}, {} restarts", p.reason, p.node, p.restarts);
            t.row(["pod".into(), format!("kube-system/{}", p.name), p.phase.clone(), detail]);
        }
    }
    t
}

fn print_health_summary(name: &str, h: &ClusterHealth) {
    match (&h.error, &h.report) {
        (Some(e), _) => println!("cluster {name}: {} [{}]", e.message, e.code),
        (None, Some(r)) => {
            let ready = r.nodes.iter().filter(|n| n.ready).count();
            println!(
                "cluster {name}: {} — API server {}, {ready}/{} nodes ready, {}/{} system pods well",
                if h.healthy { "healthy" } else { "UNHEALTHY" },
                r.version,
                r.nodes.len(),
                r.system_pods - r.pod_problems.len(),
                r.system_pods
            );
        }
        (None, None) => println!("cluster {name}: no report"),
    }
    if let Some(c) = &h.serving_cert {
        println!("  serving certificate valid until {} ({} days)", c.not_after, c.days_left);
    }
}
