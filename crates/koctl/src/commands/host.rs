//! `koctl host ...`

use crate::EXIT_FAILED;
use crate::cli::{Format, HostCmd, TrustArgs};
use crate::output::{InputError, Table, done, emit, print_json};
use anyhow::Result;
use ko_api::{Actor, Api, HostDetail, HostSpec, ImportRow, Trust};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

fn trust_of(t: TrustArgs) -> Option<Trust> {
    if t.trust_on_first_use {
        Some(Trust::FirstUse)
    } else if let Some(fp) = t.fingerprint {
        Some(Trust::Fingerprint(fp))
    } else {
        t.known_hosts.map(Trust::KnownHosts)
    }
}

/// Shows the key and asks on a terminal; without one, explains how to decide.
async fn confirm_key(api: &Api, actor: &Actor, spec: &HostSpec) -> Result<Trust> {
    let key = api.host_scan_key(actor, spec).await?;
    let about = format!(
        "The SSH host key of {} ({}:{}) is {} {}.",
        spec.name, spec.address, spec.port, key.algorithm, key.fingerprint
    );
    if !std::io::stdin().is_terminal() {
        return Err(InputError(format!(
            "{about} It is not trusted yet: compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host, then run again with --fingerprint {} (or --trust-on-first-use)",
            key.fingerprint
        ))
        .into());
    }
    eprint!("{about}\nCompare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host. Trust it? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(Trust::Fingerprint(key.fingerprint))
    } else {
        Err(InputError("not trusted; nothing was added".into()).into())
    }
}

fn gib(mib: u64) -> String {
    format!("{:.1} GiB", mib as f64 / 1024.0)
}

fn hosts_table(all: &[HostDetail]) -> Table {
    let mut t = Table::new(&["NAME", "IP", "PORT", "CPU", "MEMORY", "OS", "ARCH", "STATUS", "JUMP", "CLUSTER"]);
    for h in all {
        let (cpu, mem, os) = match &h.facts {
            Some(f) => (f.cpus.to_string(), gib(f.memory_mib), format!("{} {}", f.os_id, f.os_version)),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let status = if h.host.status_message.is_empty() {
            h.host.status.clone()
        } else {
            format!("{} ({})", h.host.status, h.host.status_message)
        };
        t.row([
            h.host.name.clone(),
            h.host.address.clone(),
            h.host.port.to_string(),
            cpu,
            mem,
            os,
            h.host.arch.clone().unwrap_or_else(|| "-".into()),
            status,
            h.host.jump.clone().unwrap_or_else(|| "-".into()),
            h.host.cluster.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    t
}

fn detail_table(h: &HostDetail) -> Table {
    let mut t = Table::new(&["FIELD", "VALUE"]);
    let host = &h.host;
    t.row(["name", host.name.as_str()]);
    t.row(["address", &format!("{}:{}", host.address, host.port)]);
    t.row(["credential", &host.credential]);
    t.row(["jump host", host.jump.as_deref().unwrap_or("-")]);
    t.row([
        "host key",
        &format!(
            "{} {}",
            host.host_key_algorithm.as_deref().unwrap_or("-"),
            host.host_key_fingerprint.as_deref().unwrap_or("-")
        ),
    ]);
    t.row(["status", &format!("{} {}", host.status, host.status_message)]);
    if let Some(f) = &h.facts {
        t.row([
            "os",
            &format!(
                "{} ({} {}, like {})",
                f.os_name,
                f.os_id,
                f.os_version,
                if f.os_like.is_empty() { "-" } else { &f.os_like }
            ),
        ]);
        t.row(["kernel", &f.kernel]);
        t.row(["arch", &f.arch]);
        t.row(["cpus", &f.cpus.to_string()]);
        t.row(["memory", &gib(f.memory_mib)]);
        t.row(["swap", &gib(f.swap_mib)]);
        let disks: Vec<String> =
            f.disks.iter().map(|d| format!("{} {:.0} GiB", d.name, d.size as f64 / 1073741824.0)).collect();
        t.row(["disks", &disks.join(", ")]);
        let nics: Vec<String> = f.nics.iter().map(|n| format!("{} {}", n.name, n.addresses.join(" "))).collect();
        t.row(["nics", &nics.join("; ")]);
        t.row(["hostname", &f.hostname]);
        t.row(["time zone", &f.timezone]);
        t.row(["firewall", &if f.firewall.is_empty() { "none active".into() } else { f.firewall.join(", ") }]);
        t.row(["selinux", &f.selinux]);
        t.row(["gpus", &f.gpus.to_string()]);
        t.row(["runtimes", &if f.runtimes.is_empty() { "none".into() } else { f.runtimes.join(", ") }]);
    }
    t.row(["facts from", host.facts_at.as_deref().unwrap_or("-")]);
    t
}

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: HostCmd) -> Result<ExitCode> {
    match cmd {
        HostCmd::Add { name, address, port, credential, jump, trust } => {
            let spec = HostSpec { name, address, port, credential, jump };
            let trust = match trust_of(trust) {
                Some(t) => t,
                None => confirm_key(api, actor, &spec).await?,
            };
            let h = api.host_add(actor, spec, trust).await?;
            emit(f, &h, |h| hosts_table(std::slice::from_ref(h)))?;
        }
        HostCmd::List => {
            let all = api.host_list(actor).await?;
            emit(f, &all, |all: &Vec<HostDetail>| hosts_table(all))?;
        }
        HostCmd::Show { name } => {
            let h = api.host_show(actor, &name).await?;
            emit(f, &h, detail_table)?;
        }
        HostCmd::Refresh { names, all } => {
            let names =
                if all { api.host_list(actor).await?.into_iter().map(|h| h.host.name).collect() } else { names };
            if names.is_empty() {
                return Err(InputError("name the hosts to refresh, or give --all".into()).into());
            }
            let results =
                ko_api::fan_out(
                    names,
                    ko_api::DEFAULT_PARALLELISM,
                    |n| async move { api.host_refresh(actor, &n).await },
                )
                .await;
            let failed = results.iter().filter(|(_, r)| r.is_err()).count();
            match f {
                Format::Json => {
                    let v: Vec<_> = results
                        .iter()
                        .map(|(n, r)| match r {
                            Ok(h) => serde_json::json!({ "name": n, "ok": true, "host": h }),
                            Err(e) => serde_json::json!({
                                "name": n, "ok": false, "code": e.code(), "message": e.to_string(), "next": e.next_step()
                            }),
                        })
                        .collect();
                    print_json(&v)?;
                }
                Format::Table => {
                    let ok: Vec<HostDetail> = results.iter().filter_map(|(_, r)| r.as_ref().ok().cloned()).collect();
                    print!("{}", hosts_table(&ok).render());
                    for (n, r) in &results {
                        if let Err(e) = r {
                            eprintln!("error[{}]: {n}: {e}", e.code());
                            if let Some(next) = e.next_step() {
                                eprintln!("  {}", crate::next_step::line(&next));
                            }
                        }
                    }
                }
            }
            if failed > 0 {
                return Ok(ExitCode::from(EXIT_FAILED));
            }
        }
        HostCmd::Trust { name, trust } => {
            let trust = trust_of(trust)
                .ok_or_else(|| InputError("give --fingerprint, --known-hosts or --trust-on-first-use".into()))?;
            let key = api.host_trust(actor, &name, trust).await?;
            done(f, &format!("{name}: now pinned to {} {}", key.algorithm, key.fingerprint));
        }
        HostCmd::Rm { name } => {
            api.host_rm(actor, &name).await?;
            done(f, &format!("host '{name}' removed"));
        }
        HostCmd::Import { file, trust_on_first_use } => {
            let text = if file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| InputError(format!("cannot read stdin: {e}")))?;
                s
            } else {
                std::fs::read_to_string(&file)
                    .map_err(|e| InputError(format!("cannot read {}: {e}", file.display())))?
            };
            let rows = api.host_import_csv(actor, &text, trust_on_first_use).await?;
            emit(f, &rows, |rows: &Vec<ImportRow>| {
                let mut t = Table::new(&["LINE", "HOST", "RESULT", "MESSAGE"]);
                for r in rows {
                    t.row([r.line.to_string(), r.name.clone(), r.result.clone(), r.message.clone()]);
                }
                t
            })?;
            if rows.iter().any(|r| r.result != "ok") {
                return Ok(ExitCode::from(EXIT_FAILED));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
