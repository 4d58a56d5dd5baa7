//! `koctl setting repo|ntp ...`

use crate::cli::{Format, NtpCmd, RepoCmd, SettingCmd};
use crate::output::{Table, done, emit, yes_no};
use anyhow::Result;
use ko_api::{Actor, Api, NewRepository, NtpServer, Repository};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: SettingCmd) -> Result<ExitCode> {
    match cmd {
        SettingCmd::Repo(RepoCmd::Set { arch, hostname, protocol, repo_port, registry_port }) => {
            api.repo_set(actor, NewRepository { arch: arch.clone(), protocol, hostname, repo_port, registry_port })
                .await?;
            done(f, &format!("repository for {arch} set"));
        }
        SettingCmd::Repo(RepoCmd::List) => {
            let all = api.repo_list(actor).await?;
            emit(f, &all, |all: &Vec<Repository>| {
                let mut t = Table::new(&["ARCH", "PROTOCOL", "HOSTNAME", "REPO PORT", "REGISTRY PORT"]);
                for r in all {
                    let registry = r.registry_port.map_or("-".into(), |p| p.to_string());
                    t.row([r.arch.clone(), r.protocol.clone(), r.hostname.clone(), r.repo_port.to_string(), registry]);
                }
                t
            })?;
        }
        SettingCmd::Repo(RepoCmd::Rm { arch }) => {
            api.repo_rm(actor, &arch).await?;
            done(f, &format!("repository for {arch} removed"));
        }
        SettingCmd::Ntp(NtpCmd::Add { name, address }) => {
            let s = api.ntp_add(actor, &name, &address).await?;
            emit(f, &s, |s| ntp_table(std::slice::from_ref(s)))?;
        }
        SettingCmd::Ntp(NtpCmd::List) => {
            let all = api.ntp_list(actor).await?;
            emit(f, &all, |all: &Vec<NtpServer>| ntp_table(all))?;
        }
        SettingCmd::Ntp(NtpCmd::Enable { name }) => {
            api.ntp_set_enabled(actor, &name, true).await?;
            done(f, &format!("NTP server '{name}' enabled"));
        }
        SettingCmd::Ntp(NtpCmd::Disable { name }) => {
            api.ntp_set_enabled(actor, &name, false).await?;
            done(f, &format!("NTP server '{name}' disabled"));
        }
        SettingCmd::Ntp(NtpCmd::Rm { name }) => {
            api.ntp_rm(actor, &name).await?;
            done(f, &format!("NTP server '{name}' removed"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn ntp_table(all: &[NtpServer]) -> Table {
    let mut t = Table::new(&["NAME", "ADDRESS", "ENABLED"]);
    for s in all {
        t.row([s.name.as_str(), &s.address, yes_no(s.enabled)]);
    }
    t
}
