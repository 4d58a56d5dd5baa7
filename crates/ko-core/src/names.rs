//! Names of things: clusters (DNS-1123 labels, since they become host names and label values)
//! and the other objects a user names (credentials, projects, users...).

use crate::Problem;

/// Checks a DNS-1123 label: 1-63 characters, lower-case letters, digits and '-', starting and
/// ending with a letter or digit. Cluster names must be one because they end up in node names,
/// certificate SANs and label values.
pub fn validate_dns1123_label(field: &str, value: &str) -> Option<Problem> {
    let what = |why: &str| {
        Some(Problem::new(
            "name.not_dns1123",
            field,
            format!(
                "'{value}' {why}; use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. 'prod-a')"
            ),
        ))
    };
    if value.is_empty() {
        return what("is empty");
    }
    if value.len() > 63 {
        return what(&format!("is {} characters long", value.len()));
    }
    if let Some(c) = value.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return what(&format!("contains '{c}'"));
    }
    if value.starts_with('-') || value.ends_with('-') {
        return what("starts or ends with '-'");
    }
    None
}

/// Checks the name of a stored object (project, user, credential, NTP server...): 1-64
/// characters of letters, digits, '-', '_', '.' and '@', starting with a letter or digit, so it
/// is safe in a command line, a file name and a keychain entry.
pub fn validate_object_name(field: &str, value: &str) -> Option<Problem> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@');
    let starts_well = value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if value.is_empty() || value.len() > 64 || !starts_well || !value.chars().all(ok_char) {
        return Some(Problem::new(
            "name.invalid",
            field,
            format!(
                "'{value}' is not a valid name; use 1-64 letters, digits, '-', '_', '.' or '@', starting with a letter or digit"
            ),
        ));
    }
    None
}

/// Checks a network address as a user types it: an IPv4/IPv6 address or a DNS host name
/// (dot-separated labels of letters, digits and '-', at most 253 characters).
pub fn validate_host_address(field: &str, value: &str) -> Option<Problem> {
    if value.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let looks_like_ipv4 = value.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()));
    if value.is_empty() || value.len() > 253 || looks_like_ipv4 || !value.split('.').all(label_ok) {
        return Some(Problem::new(
            "address.invalid",
            field,
            format!("'{value}' is neither an IP address nor a host name (e.g. 10.0.0.10 or ntp.example.com)"),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_accepts_typical_names() {
        for ok in ["a", "prod-a", "k8s-1", &"x".repeat(63)] {
            assert_eq!(validate_dns1123_label("name", ok), None, "{ok}");
        }
    }

    #[test]
    fn dns1123_rejects_with_the_reason() {
        let cases = [
            ("", "is empty"),
            ("Prod", "contains 'P'"),
            ("prod_a", "contains '_'"),
            ("-prod", "starts or ends"),
            ("prod-", "starts or ends"),
            (&"x".repeat(64), "64 characters"),
        ];
        for (bad, why) in cases {
            let p = validate_dns1123_label("name", bad).expect(bad);
            assert_eq!(p.code, "name.not_dns1123");
            assert!(p.message.contains(why), "{bad}: {}", p.message);
        }
    }

    #[test]
    fn host_addresses() {
        for ok in ["10.0.0.1", "fd00::1", "ntp.aliyun.com", "repo-1", "a.b-c.d"] {
            assert_eq!(validate_host_address("a", ok), None, "{ok}");
        }
        for bad in ["", "10.0.0.300", "1.2.3", "-x.com", "a..b", "a b", "x;reboot", "http://x"] {
            assert_eq!(validate_host_address("a", bad).map(|p| p.code), Some("address.invalid"), "{bad}");
        }
    }

    #[test]
    fn object_names() {
        assert_eq!(validate_object_name("name", "root-key_1.pem"), None);
        assert_eq!(validate_object_name("name", "ops@corp"), None);
        for bad in ["", "-x", "a b", "a;rm", "名字", &"x".repeat(65)] {
            assert_eq!(validate_object_name("name", bad).map(|p| p.code), Some("name.invalid"), "{bad}");
        }
    }
}
