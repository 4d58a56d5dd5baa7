//! `koctl ip-pool ...`

use crate::cli::{Format, IpPoolCmd};
use crate::output::{Table, done, emit};
use anyhow::Result;
use ko_api::{Actor, Api, IpPoolDetail, IpPoolForm, IpPoolSummary};
use std::process::ExitCode;

fn pools_table(pools: &[IpPoolSummary]) -> Table {
    let mut t = Table::new(&["NAME", "SUBNET", "GATEWAY", "RANGES", "TOTAL", "AVAILABLE", "USED", "LOCKED"]);
    for p in pools {
        let c = &p.counts;
        t.row([
            p.name.clone(),
            p.subnet.clone(),
            p.gateway.clone(),
            p.ranges.join(","),
            c.total.to_string(),
            c.available.to_string(),
            c.used.to_string(),
            c.locked.to_string(),
        ]);
    }
    t
}

pub async fn run(api: &Api, actor: &Actor, f: Format, cmd: IpPoolCmd) -> Result<ExitCode> {
    match cmd {
        IpPoolCmd::List => {
            let pools = api.ip_pool_list(actor).await?;
            emit(f, &pools, |p: &Vec<IpPoolSummary>| pools_table(p))?;
        }
        IpPoolCmd::Show { name } => {
            let d = api.ip_pool_show(actor, &name).await?;
            emit(f, &d, |d: &IpPoolDetail| {
                let mut t = Table::new(&["ADDRESS", "STATUS", "HOST"]);
                for a in &d.addresses {
                    t.row([a.address.as_str(), &a.status, a.host.as_deref().unwrap_or("-")]);
                }
                t
            })?;
        }
        IpPoolCmd::Add { name, subnet, gateway, ranges, dns, description } => {
            let p = api.ip_pool_add(actor, IpPoolForm { name, subnet, gateway, ranges, dns, description }).await?;
            done(f, &format!("pool {} added: {} addresses ({})", p.name, p.counts.total, p.ranges.join(", ")));
        }
        IpPoolCmd::AddRange { name, range } => {
            let p = api.ip_pool_add_range(actor, &name, &range).await?;
            done(f, &format!("pool {} now holds {} addresses ({})", p.name, p.counts.total, p.ranges.join(", ")));
        }
        IpPoolCmd::Lock { name, address } => {
            api.ip_pool_lock(actor, &name, &address, true).await?;
            done(f, &format!("{address} locked in pool {name}"));
        }
        IpPoolCmd::Unlock { name, address } => {
            api.ip_pool_lock(actor, &name, &address, false).await?;
            done(f, &format!("{address} available again in pool {name}"));
        }
        IpPoolCmd::Rm { name } => {
            api.ip_pool_rm(actor, &name).await?;
            done(f, &format!("pool {name} removed"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
