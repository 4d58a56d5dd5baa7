//! `koctl region ...`

use crate::cli::{Format, RegionCmd};
use crate::output::{Table, done, emit, print_json};
use crate::secrets_input::StdinSecrets;
use anyhow::Result;
use ko_api::{Actor, Api, RegionCheck, RegionForm, RegionSummary};
use std::process::ExitCode;

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: RegionCmd) -> Result<ExitCode> {
    match cmd {
        RegionCmd::Fingerprint { host, port } => {
            let fp = api.region_fingerprint(actor, &host, port).await?;
            match f {
                Format::Json => print_json(&fp)?,
                Format::Table => {
                    println!("{fp}");
                    eprintln!("check it with {host}'s administrator, then: koctl region add ... --fingerprint {fp}");
                }
            }
        }
        RegionCmd::Add { name, provider, host, port, user, password_stdin: _, fingerprint, datacenter } => {
            let password = StdinSecrets::read(&["the password"])?.next();
            let form = RegionForm { name, provider, host, port, user, password, fingerprint, datacenter };
            let r = api.region_add(actor, form).await?;
            done(
                f,
                &format!(
                    "region {} added: datacenter {} of {}:{}",
                    r.name, r.datacenter, r.endpoint.host, r.endpoint.port
                ),
            );
        }
        RegionCmd::List => {
            let all = api.region_list(actor).await?;
            emit(f, &all, |all: &Vec<RegionSummary>| {
                let mut t = Table::new(&["NAME", "PROVIDER", "ENDPOINT", "DATACENTER", "USER", "ZONES"]);
                for r in all {
                    t.row([
                        r.name.clone(),
                        r.provider.clone(),
                        format!("{}:{}", r.endpoint.host, r.endpoint.port),
                        r.datacenter.clone(),
                        r.endpoint.user.clone(),
                        r.zones.join(","),
                    ]);
                }
                t
            })?;
        }
        RegionCmd::Check { name } => {
            let c = api.region_check(actor, &name).await?;
            emit(f, &c, |c: &RegionCheck| {
                let mut t = Table::new(&["WHAT", "NAMES"]);
                let i = &c.inventory;
                for (what, names) in [
                    ("datacenters", &c.about.datacenters),
                    ("compute", &i.compute),
                    ("resource pools", &i.resource_pools),
                    ("datastores", &i.datastores),
                    ("networks", &i.networks),
                    ("templates", &i.templates),
                ] {
                    t.row([what.to_string(), names.join(", ")]);
                }
                t
            })?;
            if f == Format::Table {
                println!("{}", c.about.product);
            }
        }
        RegionCmd::Rm { name } => {
            api.region_rm(actor, &name).await?;
            done(f, &format!("region {name} removed"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
