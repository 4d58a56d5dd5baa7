//! IP pools of auto mode (system administrators): the addresses VMs are given, each with its
//! state. A pool is checked as a whole (ranges and gateway inside the subnet, the gateway in no
//! range, ranges apart) and against the others (no address in two pools); it cannot go while a
//! zone uses it or a host holds one of its addresses.

use crate::error::must_exist;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::{Invalid, IpPool, IpRange, Problem, compress_ranges, validate_ip_pools};
use ko_store::ip_pools::{self, AddressCounts, IpAddressRow, IpPoolRow};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The most addresses one pool holds (a /16's worth): each is a row with its own state.
pub const MAX_POOL_ADDRESSES: usize = 65_536;

/// A new pool.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
pub struct IpPoolForm {
    /// Its name.
    pub name: String,
    /// The subnet (`10.1.0.0/24`).
    pub subnet: String,
    /// The VMs' default gateway.
    pub gateway: String,
    /// Ranges handed to VMs (`10.1.0.10-10.1.0.200`, or one address).
    pub ranges: Vec<String>,
    /// DNS servers.
    #[serde(default)]
    pub dns: Vec<String>,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// A pool at a glance.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IpPoolSummary {
    /// Its name.
    pub name: String,
    /// The subnet.
    pub subnet: String,
    /// The gateway.
    pub gateway: String,
    /// DNS servers.
    pub dns: Vec<String>,
    /// Free text.
    pub description: String,
    /// Its addresses as the fewest ranges.
    pub ranges: Vec<String>,
    /// How many addresses are in each state.
    pub counts: AddressCounts,
}

/// A pool with each address.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IpPoolDetail {
    /// The pool.
    pub pool: IpPoolSummary,
    /// Every address with its state and holder.
    pub addresses: Vec<IpAddressRow>,
}

/// Problems of a lone pool's fields, named as the form names them (`gateway`, `ranges[1]`).
fn form_problems(pool: &IpPool) -> Vec<Problem> {
    validate_ip_pools(std::slice::from_ref(pool))
        .into_iter()
        .map(|mut p| {
            p.field = p.field.trim_start_matches("ip_pools[0].").to_string();
            p
        })
        .collect()
}

/// The addresses of `ranges` (already checked), or why there are too many.
fn expand(ranges: &[String], field: &str) -> Result<Vec<String>> {
    let mut total: u128 = 0;
    let mut parsed = Vec::new();
    for (i, text) in ranges.iter().enumerate() {
        let r = IpRange::parse(&format!("{field}[{i}]"), text).map_err(|p| ApiError::Invalid(Invalid(vec![p])))?;
        total += r.len();
        parsed.push(r);
    }
    if total > MAX_POOL_ADDRESSES as u128 {
        return Err(ApiError::invalid(
            "ip_pool.too_large",
            field,
            format!(
                "the ranges hold {total} addresses; a pool holds at most {MAX_POOL_ADDRESSES}: split it into pools"
            ),
        ));
    }
    Ok(parsed.iter().flat_map(IpRange::addresses).map(|a| a.to_string()).collect())
}

fn summary(row: IpPoolRow, addresses: &[IpAddressRow], counts: AddressCounts) -> IpPoolSummary {
    let ips: Vec<IpAddr> = addresses.iter().filter_map(|a| a.address.parse().ok()).collect();
    IpPoolSummary {
        name: row.name,
        subnet: row.subnet,
        gateway: row.gateway,
        dns: row.dns,
        description: row.description,
        ranges: compress_ranges(&ips).iter().map(ToString::to_string).collect(),
        counts,
    }
}

impl Api {
    /// Every pool with its ranges and usage.
    pub async fn ip_pool_list(&self, actor: &Actor) -> Result<Vec<IpPoolSummary>> {
        self.authorize(actor, Permission::ManageSystem, "view IP pools").await?;
        Ok(self
            .db
            .read(|c| {
                ip_pools::list(c)?
                    .into_iter()
                    .map(|p| {
                        let addresses = ip_pools::addresses(c, p.id)?;
                        let counts = ip_pools::counts(c, p.id)?;
                        Ok(summary(p, &addresses, counts))
                    })
                    .collect::<ko_store::Result<Vec<_>>>()
            })
            .await?)
    }

    /// One pool with each address's state and holder.
    pub async fn ip_pool_show(&self, actor: &Actor, name: &str) -> Result<IpPoolDetail> {
        self.authorize(actor, Permission::ManageSystem, "view IP pools").await?;
        let n = name.to_string();
        self.db
            .read(move |c| {
                let p = ip_pools::get(c, &n)?.ok_or(ApiError::NotFound { kind: "ip pool", name: n })?;
                let addresses = ip_pools::addresses(c, p.id)?;
                let counts = ip_pools::counts(c, p.id)?;
                Ok(IpPoolDetail { pool: summary(p, &addresses, counts), addresses })
            })
            .await
    }

    /// Adds a pool: checked whole, and none of its addresses in another pool.
    pub async fn ip_pool_add(&self, actor: &Actor, form: IpPoolForm) -> Result<IpPoolSummary> {
        let name = form.name.clone();
        self.audited(actor, "ip_pool.add", &name, async {
            self.authorize(actor, Permission::ManageSystem, "change IP pools").await?;
            let pool = IpPool {
                name: form.name.clone(),
                subnet: form.subnet.clone(),
                gateway: form.gateway.clone(),
                ranges: form.ranges.clone(),
                dns: form.dns.clone(),
            };
            let problems = form_problems(&pool);
            if !problems.is_empty() {
                return Err(ApiError::Invalid(Invalid(problems)));
            }
            let addresses = expand(&form.ranges, "ranges")?;
            let row = IpPoolRow {
                id: 0,
                name: form.name,
                subnet: form.subnet,
                gateway: form.gateway,
                dns: form.dns,
                description: form.description,
            };
            self.db
                .write(move |tx| {
                    if ip_pools::get(tx, &row.name)?.is_some() {
                        return Err(ApiError::AlreadyExists { kind: "ip pool", name: row.name.clone() });
                    }
                    refuse_held_elsewhere(tx, None, &addresses, "ranges")?;
                    ip_pools::add(tx, &row, &addresses)?;
                    Ok(())
                })
                .await?;
            Ok(self.ip_pool_show(actor, &name).await?.pool)
        })
        .await
    }

    /// Adds a range to pool `name` (inside its subnet, not its gateway, in no other pool).
    pub async fn ip_pool_add_range(&self, actor: &Actor, name: &str, range: &str) -> Result<IpPoolSummary> {
        self.audited(actor, "ip_pool.add_range", &format!("{name} {range}"), async {
            self.authorize(actor, Permission::ManageSystem, "change IP pools").await?;
            let n = name.to_string();
            let range = range.to_string();
            self.db
                .write(move |tx| {
                    let p = ip_pools::get(tx, &n)?.ok_or(ApiError::NotFound { kind: "ip pool", name: n.clone() })?;
                    let pool = IpPool {
                        name: p.name.clone(),
                        subnet: p.subnet.clone(),
                        gateway: p.gateway.clone(),
                        ranges: vec![range.clone()],
                        dns: p.dns.clone(),
                    };
                    let problems: Vec<Problem> = form_problems(&pool)
                        .into_iter()
                        .map(|mut pr| {
                            pr.field = "range".into();
                            pr
                        })
                        .collect();
                    if !problems.is_empty() {
                        return Err(ApiError::Invalid(Invalid(problems)));
                    }
                    let addresses = expand(std::slice::from_ref(&range), "range")?;
                    let total = ip_pools::counts(tx, p.id)?.total + addresses.len();
                    if total > MAX_POOL_ADDRESSES {
                        return Err(ApiError::invalid(
                            "ip_pool.too_large",
                            "range",
                            format!("the pool would hold {total} addresses; at most {MAX_POOL_ADDRESSES}"),
                        ));
                    }
                    refuse_held_elsewhere(tx, Some(p.id), &addresses, "range")?;
                    ip_pools::add_addresses(tx, p.id, &addresses)?;
                    Ok(())
                })
                .await?;
            Ok(self.ip_pool_show(actor, name).await?.pool)
        })
        .await
    }

    /// Locks an address (never handed out) or makes a locked one available again; an address a
    /// host holds is not changed.
    pub async fn ip_pool_lock(&self, actor: &Actor, name: &str, address: &str, locked: bool) -> Result<()> {
        let action = if locked { "ip_pool.lock" } else { "ip_pool.unlock" };
        self.audited(actor, action, &format!("{name} {address}"), async {
            self.authorize(actor, Permission::ManageSystem, "change IP pools").await?;
            let (n, a) = (name.to_string(), address.to_string());
            self.db
                .write(move |tx| {
                    let p = ip_pools::get(tx, &n)?.ok_or(ApiError::NotFound { kind: "ip pool", name: n.clone() })?;
                    let status = if locked { "locked" } else { "available" };
                    must_exist(ip_pools::set_status(tx, p.id, &a, status)?, "free address", format!("{a} in pool {n}"))
                })
                .await
        })
        .await
    }

    /// Removes a pool no zone uses and whose addresses no host holds.
    pub async fn ip_pool_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "ip_pool.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "change IP pools").await?;
            let n = name.to_string();
            self.db
                .write(move |tx| {
                    let p = ip_pools::get(tx, &n)?.ok_or(ApiError::NotFound { kind: "ip pool", name: n.clone() })?;
                    let (zones, held) = ip_pools::users(tx, p.id)?;
                    if !zones.is_empty() || held > 0 {
                        let mut users: Vec<String> = zones.into_iter().map(|z| format!("zone {z}")).collect();
                        if held > 0 {
                            users.push(format!("{held} addresses held by hosts"));
                        }
                        return Err(ApiError::InUse { kind: "ip pool", name: n, users });
                    }
                    Ok(ip_pools::remove(tx, p.id)?)
                })
                .await
        })
        .await
    }
}

/// Refuses when another pool already holds one of `addresses`.
fn refuse_held_elsewhere(
    tx: &ko_store::Transaction<'_>,
    except: Option<i64>,
    addresses: &[String],
    field: &str,
) -> Result<()> {
    match ip_pools::held_elsewhere(tx, except, addresses)? {
        Some((pool, address)) => Err(ApiError::invalid(
            "ip_pool.overlap",
            field,
            format!("{address} is already in pool {pool}: pools may not share addresses"),
        )),
        None => Ok(()),
    }
}
