//! Addresses and CIDR blocks: parsing with helpful errors, overlap, and sizing.

use crate::Problem;
use ipnet::IpNet;
use std::net::IpAddr;

/// Parses a CIDR block such as `10.244.0.0/16`.
///
/// With `allow_host_bits` false, an address with host bits set (`10.244.1.0/16`) is refused with
/// the network address it probably meant; with it true (a bridge address like `172.17.0.1/16`)
/// it is accepted as the interface address and prefix it is.
pub fn parse_cidr(field: &str, text: &str, allow_host_bits: bool) -> Result<IpNet, Problem> {
    let net: IpNet = text.trim().parse().map_err(|_| {
        Problem::new(
            "cidr.invalid",
            field,
            format!("'{text}' is not a CIDR block; write an address and a prefix length, e.g. 10.244.0.0/16"),
        )
    })?;
    if !allow_host_bits && net.trunc() != net {
        return Err(Problem::new(
            "cidr.host_bits_set",
            field,
            format!("'{text}' has host bits set; did you mean {}?", net.trunc()),
        ));
    }
    Ok(net)
}

/// Parses one IP address (v4 or v6).
pub fn parse_ip(field: &str, text: &str) -> Result<IpAddr, Problem> {
    text.trim()
        .parse()
        .map_err(|_| Problem::new("ip.invalid", field, format!("'{text}' is not an IP address, e.g. 10.0.0.10")))
}

/// True when the two blocks share at least one address.
pub(crate) fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    let (a, b) = (a.trunc(), b.trunc());
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Number of addresses in a block, saturating at `u128::MAX` for the whole IPv6 space.
pub(crate) fn address_count(net: &IpNet) -> u128 {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
}

/// The prefix length of the pod range each node gets for `max_pods` pods: the smallest block that
/// holds `max_pods` addresses (256 pods -> /24 for IPv4, as kube-controller-manager's
/// `--node-cidr-mask-size` expects).
pub fn node_mask_for_max_pods(max_pods: u32, max_prefix_len: u8) -> u8 {
    let bits = u32::BITS - max_pods.saturating_sub(1).leading_zeros();
    max_prefix_len.saturating_sub(u8::try_from(bits).unwrap_or(u8::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_explains_bad_blocks() {
        assert_eq!(parse_cidr("f", "10.244.0.0/16", false).map(|n| n.prefix_len()), Ok(16));
        let p = parse_cidr("f", "10.244.1.0/16", false).unwrap_err();
        assert_eq!(p.code, "cidr.host_bits_set");
        assert!(p.message.contains("10.244.0.0/16"), "{}", p.message);
        assert!(parse_cidr("f", "172.17.0.1/16", true).is_ok());
        for bad in ["10.244.0.0", "10.244.0.0/33", "banana", "10.0.0.300/8", ""] {
            assert_eq!(parse_cidr("f", bad, true).unwrap_err().code, "cidr.invalid", "{bad}");
        }
        assert!(parse_cidr("f", "fd00:10::/56", false).is_ok());
    }

    #[test]
    fn overlap_both_ways_and_disjoint() {
        let n = |s: &str| s.parse::<IpNet>().unwrap();
        assert!(overlaps(&n("10.0.0.0/8"), &n("10.96.0.0/16")));
        assert!(overlaps(&n("10.96.0.0/16"), &n("10.0.0.0/8")));
        assert!(overlaps(&n("172.17.0.1/16"), &n("172.17.5.0/24")));
        assert!(!overlaps(&n("10.244.0.0/16"), &n("10.96.0.0/16")));
        assert!(!overlaps(&n("10.0.0.0/8"), &n("fd00::/8")));
    }

    #[test]
    fn sizes() {
        let n = |s: &str| s.parse::<IpNet>().unwrap();
        assert_eq!(address_count(&n("10.0.0.0/24")), 256);
        assert_eq!(address_count(&n("::/0")), u128::MAX);
        assert_eq!(node_mask_for_max_pods(256, 32), 24);
        assert_eq!(node_mask_for_max_pods(110, 32), 25);
        assert_eq!(node_mask_for_max_pods(257, 32), 23);
        assert_eq!(node_mask_for_max_pods(1, 32), 32);
    }
}
