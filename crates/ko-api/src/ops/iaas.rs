//! Operations on auto mode's infrastructure (system administrators): regions (a vSphere
//! endpoint's datacenter, its certificate pinned), IP pools and their addresses.

use super::NoInput;
use crate::{IpPoolDetail, IpPoolForm, IpPoolSummary, RegionCheck, RegionForm, RegionSummary};

operations! {
    /// The SHA-256 fingerprint of the certificate an endpoint presents: check it with its
    /// administrator, then give it to the region (the certificate is pinned).
    region_fingerprint: Post "/api/regions/fingerprint" RegionFingerprint {
        /// Host name or address.
        host: String,
        /// HTTPS port.
        #[serde(default = "https_port")]
        port: u16,
    } -> String = |api, a, i| api.region_fingerprint(a, &i.host, i.port).await?;

    /// Adds a region after logging in to it (its certificate must have the fingerprint given)
    /// and finding its datacenter; the password goes to the secret store.
    region_add: Post "/api/regions" [body whole(region)] [status 201] RegionAdd {
        /// The region.
        region: RegionForm,
    } -> RegionSummary = |api, a, i| api.region_add(a, i.region).await?;

    /// Every region with its zones.
    region_list: Get "/api/regions" NoInput -> Vec<RegionSummary> = |api, a, _| api.region_list(a).await?;

    /// Logs in to a region now: its product and datacenters, and what its datacenter offers a
    /// zone (compute resources, resource pools, datastores, networks, templates).
    region_check: Post "/api/regions/{name}/check" RegionCheckInput {
        /// Region name.
        name: String,
    } -> RegionCheck = |api, a, i| api.region_check(a, &i.name).await?;

    /// Removes a region no zone uses (and its password).
    region_rm: Delete "/api/regions/{name}" RegionRm {
        /// Region name.
        name: String,
    } -> () = |api, a, i| api.region_rm(a, &i.name).await?;

    /// Every IP pool with its ranges and how many addresses are available, used, locked.
    ip_pool_list: Get "/api/ip-pools" NoInput -> Vec<IpPoolSummary> = |api, a, _| api.ip_pool_list(a).await?;

    /// One IP pool with each address's state and the host holding it.
    ip_pool_show: Get "/api/ip-pools/{name}" IpPoolShow {
        /// Pool name.
        name: String,
    } -> IpPoolDetail = |api, a, i| api.ip_pool_show(a, &i.name).await?;

    /// Adds an IP pool: ranges and gateway inside the subnet, the gateway in no range, ranges
    /// apart, no address in another pool (at most 65,536 addresses).
    ip_pool_add: Post "/api/ip-pools" [body whole(pool)] [status 201] IpPoolAdd {
        /// The pool.
        pool: IpPoolForm,
    } -> IpPoolSummary = |api, a, i| api.ip_pool_add(a, i.pool).await?;

    /// Adds a range of addresses to a pool.
    ip_pool_add_range: Post "/api/ip-pools/{name}/ranges" IpPoolAddRange {
        /// Pool name.
        name: String,
        /// `10.1.0.50-10.1.0.60`, or one address.
        range: String,
    } -> IpPoolSummary = |api, a, i| api.ip_pool_add_range(a, &i.name, &i.range).await?;

    /// Locks a free address (never handed to a VM) or unlocks it.
    ip_pool_lock: Post "/api/ip-pools/{name}/addresses/{address}" [status 204] IpPoolLock {
        /// Pool name.
        name: String,
        /// The address.
        address: String,
        /// Locked (true) or available again (false).
        locked: bool,
    } -> () = |api, a, i| api.ip_pool_lock(a, &i.name, &i.address, i.locked).await?;

    /// Removes an IP pool that no zone uses and whose addresses no host holds.
    ip_pool_rm: Delete "/api/ip-pools/{name}" IpPoolRm {
        /// Pool name.
        name: String,
    } -> () = |api, a, i| api.ip_pool_rm(a, &i.name).await?;
}

fn https_port() -> u16 {
    443
}
