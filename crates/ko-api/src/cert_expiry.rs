//! When a cluster's certificates expire, from the certificates its hosts hold (collected by the
//! `certs` playbook into `DATA_DIR/clusters/<name>/certs/<host>.pem`, certificates only — never a
//! key): each one's file on the host, subject and end of validity. Read with a small DER reader
//! of the one path through X.509 this needs, so no parser library and no `openssl` on the hosts.

use base64::Engine;
use serde::Serialize;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// One certificate on one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CertExpiry {
    /// The host it was found on.
    pub host: String,
    /// Its file on the host (a kubeconfig for the certificates embedded in one).
    pub file: String,
    /// When it stops being valid (RFC 3339, UTC).
    pub not_after: String,
    /// Whole days from now until then (negative: expired).
    pub days_left: i64,
}

/// The certificates in a collected file: `# file PATH` lines, each followed by PEM certificates.
/// Blocks that do not parse are left out (a file is listed only with what can be read).
pub(crate) fn read_collected(host: &str, text: &str, now: OffsetDateTime) -> Vec<CertExpiry> {
    let mut out = Vec::new();
    let mut file = String::new();
    let mut pem: Option<String> = None;
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("# file ") {
            file = f.trim().to_string();
        } else if line.starts_with("-----BEGIN CERTIFICATE-----") {
            pem = Some(String::new());
        } else if line.starts_with("-----END CERTIFICATE-----") {
            let der = pem.take().and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
            if let Some(end) = der.as_deref().and_then(not_after) {
                out.push(CertExpiry {
                    host: host.to_string(),
                    file: file.clone(),
                    not_after: rfc3339(end),
                    days_left: (end - now).whole_days(),
                });
            }
        } else if let Some(b) = pem.as_mut() {
            b.push_str(line.trim());
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// One DER element: (tag, content, the rest after it).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The end of validity of a DER certificate: Certificate -> tbsCertificate -> (version),
/// serialNumber, signature, issuer, validity -> notAfter.
pub(crate) fn not_after(der: &[u8]) -> Option<OffsetDateTime> {
    let (_, cert, _) = tlv(der)?;
    let (_, tbs, _) = tlv(cert)?;
    let mut rest = tbs;
    let (tag, _, after) = tlv(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    for _ in 0..3 {
        rest = tlv(rest)?.2; // serial, signature algorithm, issuer
    }
    let (_, validity, _) = tlv(rest)?;
    let (_, _, after_not_before) = tlv(validity)?;
    let (tag, time, _) = tlv(after_not_before)?;
    der_time(tag, std::str::from_utf8(time).ok()?)
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn der_time(tag: u8, text: &str) -> Option<OffsetDateTime> {
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match (tag, digits.len()) {
        (0x17, 12) => {
            let yy: i32 = digits[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &digits[2..])
        }
        (0x18, 14) => (digits[..4].parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let n = |i: usize| rest.get(i..i + 2)?.parse::<u8>().ok();
    let date = Date::from_calendar_date(year, Month::try_from(n(0)?).ok()?, n(2)?).ok()?;
    let time = Time::from_hms(n(4)?, n(6)?, n(8)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(not_after: OffsetDateTime) -> String {
        let mut p = rcgen::CertificateParams::new(vec!["x".to_string()]).unwrap_or_else(|e| panic!("{e}"));
        p.not_after = not_after;
        let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        p.self_signed(&key).unwrap_or_else(|e| panic!("{e}")).pem()
    }

    #[test]
    fn reads_both_time_forms_and_skips_what_does_not_parse() {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|e| panic!("{e}"));
        let soon = now + time::Duration::days(30);
        let late = Date::from_calendar_date(2061, Month::March, 4)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_hms(5, 6, 7)
            .unwrap_or_else(|e| panic!("{e}"))
            .assume_utc(); // after 2049: GeneralizedTime
        let text = format!(
            "# file /etc/etcd/pki/member.crt\n{}# file /etc/kubernetes/admin.conf\n{}# file /broken\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            cert(soon),
            cert(late)
        );
        let got = read_collected("m1", &text, now);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].file.as_str(), got[0].days_left), ("/etc/etcd/pki/member.crt", 30));
        assert_eq!(got[0].not_after, rfc3339(soon));
        assert_eq!(
            (got[1].file.as_str(), got[1].not_after.as_str()),
            ("/etc/kubernetes/admin.conf", "2061-03-04T05:06:07Z")
        );
        assert!(got.iter().all(|c| c.host == "m1"));
    }
}
