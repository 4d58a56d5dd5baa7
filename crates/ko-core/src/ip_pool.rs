//! IP pools for auto mode: a subnet, a gateway, DNS servers and the ranges handed to VMs.

use crate::cidr::{parse_cidr, parse_ip};
use crate::{Problem, validate_object_name};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// An inclusive range of addresses, `start-end` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRange {
    /// First address.
    pub start: IpAddr,
    /// Last address (inclusive).
    pub end: IpAddr,
}

impl IpRange {
    /// Parses `10.0.0.10-10.0.0.50` or `10.0.0.10`.
    pub fn parse(field: &str, text: &str) -> Result<Self, Problem> {
        let (a, b) = text.split_once('-').unwrap_or((text, text));
        let start = parse_ip(field, a)?;
        let end = parse_ip(field, b)?;
        if start.is_ipv4() != end.is_ipv4() {
            return Err(Problem::new("ip_range.mixed_families", field, format!("'{text}' mixes IPv4 and IPv6")));
        }
        if ordinal(start) > ordinal(end) {
            return Err(Problem::new(
                "ip_range.reversed",
                field,
                format!("'{text}' ends before it starts; write it as {end}-{start}"),
            ));
        }
        Ok(Self { start, end })
    }

    /// Number of addresses in the range.
    pub fn len(&self) -> u128 {
        ordinal(self.end) - ordinal(self.start) + 1
    }

    /// Always false: a range holds at least one address.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.start.is_ipv4() && (ordinal(self.start)..=ordinal(self.end)).contains(&ordinal(ip))
    }

    /// Every address of the range, in order.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + use<> {
        let v4 = self.start.is_ipv4();
        (ordinal(self.start)..=ordinal(self.end)).map(move |n| from_ordinal(n, v4))
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.start.is_ipv4() == other.start.is_ipv4()
            && ordinal(self.start) <= ordinal(other.end)
            && ordinal(other.start) <= ordinal(self.end)
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end { write!(f, "{}", self.start) } else { write!(f, "{}-{}", self.start, self.end) }
    }
}

fn from_ordinal(n: u128, v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(std::net::Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX)))
    } else {
        IpAddr::V6(std::net::Ipv6Addr::from(n))
    }
}

/// `addresses` (of one family, any order) as the fewest ranges (`a-b`, or `a` alone), in order:
/// how a pool's addresses read back.
pub fn compress_ranges(addresses: &[IpAddr]) -> Vec<IpRange> {
    let mut sorted: Vec<IpAddr> = addresses.to_vec();
    sorted.sort_by_key(|ip| (ip.is_ipv6(), ordinal(*ip)));
    sorted.dedup();
    let mut out: Vec<IpRange> = Vec::new();
    for ip in sorted {
        match out.last_mut() {
            Some(r) if r.end.is_ipv4() == ip.is_ipv4() && ordinal(r.end) + 1 == ordinal(ip) => r.end = ip,
            _ => out.push(IpRange { start: ip, end: ip }),
        }
    }
    out
}

fn ordinal(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An IP pool as the user enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpPool {
    /// Pool name.
    pub name: String,
    /// Subnet, e.g. `10.1.0.0/24`.
    pub subnet: String,
    /// Default gateway for the VMs.
    pub gateway: String,
    /// Address ranges handed out to VMs.
    pub ranges: Vec<String>,
    /// DNS servers.
    pub dns: Vec<String>,
}

/// Checks each pool (ranges and gateway inside the subnet, gateway outside the ranges, ranges not
/// overlapping) and that no two pools hand out the same address.
pub fn validate_ip_pools(pools: &[IpPool]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut all_ranges: Vec<(&str, IpRange)> = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        let at = |f: &str| format!("ip_pools[{i}].{f}");
        out.extend(validate_object_name(&at("name"), &pool.name));
        let subnet = parse_cidr(&at("subnet"), &pool.subnet, false).map_err(|p| out.push(p)).ok();
        let gateway = parse_ip(&at("gateway"), &pool.gateway).map_err(|p| out.push(p)).ok();
        for (d, dns) in pool.dns.iter().enumerate() {
            if let Err(p) = parse_ip(&at(&format!("dns[{d}]")), dns) {
                out.push(p);
            }
        }
        if let (Some(net), Some(gw)) = (subnet, gateway)
            && !net.contains(&gw)
        {
            out.push(Problem::new(
                "ip_pool.gateway_outside",
                at("gateway"),
                format!("gateway {gw} is not in the subnet {net}; use an address inside it"),
            ));
        }
        if pool.ranges.is_empty() {
            out.push(Problem::new(
                "ip_pool.no_ranges",
                at("ranges"),
                "the pool has no address range; add one such as 10.1.0.10-10.1.0.200",
            ));
        }
        let mut own: Vec<IpRange> = Vec::new();
        for (r, text) in pool.ranges.iter().enumerate() {
            let field = at(&format!("ranges[{r}]"));
            let Ok(range) = IpRange::parse(&field, text).map_err(|p| out.push(p)) else { continue };
            if let Some(net) = subnet
                && !(net.contains(&range.start) && net.contains(&range.end))
            {
                out.push(Problem::new(
                    "ip_pool.range_outside",
                    &field,
                    format!("range {range} is not inside the subnet {net}"),
                ));
            }
            if let Some(gw) = gateway
                && range.contains(gw)
            {
                out.push(Problem::new(
                    "ip_pool.gateway_in_range",
                    &field,
                    format!("range {range} contains the gateway {gw}; a VM would be given the gateway's address"),
                ));
            }
            if let Some(other) = own.iter().find(|o| o.overlaps(&range)) {
                out.push(Problem::new(
                    "ip_pool.ranges_overlap",
                    &field,
                    format!("range {range} overlaps range {other} of the same pool"),
                ));
            } else if let Some((name, other)) = all_ranges.iter().find(|(_, o)| o.overlaps(&range)) {
                out.push(Problem::new(
                    "ip_pool.pools_overlap",
                    &field,
                    format!("range {range} overlaps range {other} of pool '{name}'; two pools must never hand out the same address"),
                ));
            }
            own.push(range);
        }
        all_ranges.extend(own.into_iter().map(|r| (pool.name.as_str(), r)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_lists_its_addresses_and_addresses_read_back_as_the_fewest_ranges() {
        let r = IpRange::parse("r", "10.0.0.254-10.0.1.1").unwrap();
        let all: Vec<String> = r.addresses().map(|a| a.to_string()).collect();
        assert_eq!(all, ["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"]);
        let mut some: Vec<IpAddr> = all.iter().map(|a| a.parse().unwrap()).collect();
        some.push("10.0.2.7".parse().unwrap());
        some.reverse();
        let back: Vec<String> = compress_ranges(&some).iter().map(ToString::to_string).collect();
        assert_eq!(back, ["10.0.0.254-10.0.1.1", "10.0.2.7"]);
        let v6: Vec<String> =
            IpRange::parse("r", "fd00::fffe-fd00::1:0").unwrap().addresses().map(|a| a.to_string()).collect();
        assert_eq!(v6, ["fd00::fffe", "fd00::ffff", "fd00::1:0"]);
    }

    fn pool(name: &str, subnet: &str, gw: &str, ranges: &[&str]) -> IpPool {
        IpPool {
            name: name.into(),
            subnet: subnet.into(),
            gateway: gw.into(),
            ranges: ranges.iter().map(|r| r.to_string()).collect(),
            dns: vec!["10.1.0.2".into()],
        }
    }

    fn codes(pools: &[IpPool]) -> Vec<&'static str> {
        validate_ip_pools(pools).into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn ranges_parse() {
        let r = IpRange::parse("r", "10.0.0.10-10.0.0.19").unwrap();
        assert_eq!(r.len(), 10);
        assert!(r.contains("10.0.0.19".parse().unwrap()) && !r.contains("10.0.0.20".parse().unwrap()));
        assert_eq!(IpRange::parse("r", "10.0.0.5").unwrap().len(), 1);
        assert_eq!(IpRange::parse("r", "10.0.0.20-10.0.0.10").unwrap_err().code, "ip_range.reversed");
        assert_eq!(IpRange::parse("r", "10.0.0.1-fd00::1").unwrap_err().code, "ip_range.mixed_families");
        assert_eq!(IpRange::parse("r", "10.0.0.1-10.0.0").unwrap_err().code, "ip.invalid");
    }

    #[test]
    fn a_good_pool_passes() {
        assert!(
            codes(&[pool("p1", "10.1.0.0/24", "10.1.0.1", &["10.1.0.10-10.1.0.100", "10.1.0.150-10.1.0.200"])])
                .is_empty()
        );
    }

    #[test]
    fn ranges_and_gateway_inside_the_subnet() {
        assert_eq!(
            codes(&[pool("p1", "10.1.0.0/24", "10.1.0.1", &["10.1.0.200-10.1.1.10"])]),
            ["ip_pool.range_outside"]
        );
        assert_eq!(
            codes(&[pool("p1", "10.1.0.0/24", "10.2.0.1", &["10.1.0.10-10.1.0.20"])]),
            ["ip_pool.gateway_outside"]
        );
        assert_eq!(
            codes(&[pool("p1", "10.1.0.0/24", "10.1.0.15", &["10.1.0.10-10.1.0.20"])]),
            ["ip_pool.gateway_in_range"]
        );
    }

    #[test]
    fn no_overlap_within_or_across_pools() {
        assert_eq!(
            codes(&[pool("p1", "10.1.0.0/24", "10.1.0.1", &["10.1.0.10-10.1.0.50", "10.1.0.40-10.1.0.60"])]),
            ["ip_pool.ranges_overlap"]
        );
        let p = validate_ip_pools(&[
            pool("p1", "10.1.0.0/24", "10.1.0.1", &["10.1.0.10-10.1.0.50"]),
            pool("p2", "10.1.0.0/24", "10.1.0.1", &["10.1.0.50-10.1.0.60"]),
        ]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, "ip_pool.pools_overlap");
        assert!(p[0].message.contains("pool 'p1'"));
    }

    #[test]
    fn bad_text_is_reported_per_field() {
        let mut p = pool("p 1", "10.1.0.0/33", "x", &[]);
        p.dns = vec!["8.8.8".into()];
        let got: Vec<_> = validate_ip_pools(&[p]).into_iter().map(|p| (p.code, p.field)).collect();
        assert_eq!(
            got,
            [
                ("name.invalid", "ip_pools[0].name".to_string()),
                ("cidr.invalid", "ip_pools[0].subnet".into()),
                ("ip.invalid", "ip_pools[0].gateway".into()),
                ("ip.invalid", "ip_pools[0].dns[0]".into()),
                ("ip_pool.no_ranges", "ip_pools[0].ranges".into()),
            ]
        );
    }
}
