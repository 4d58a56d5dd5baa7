//! Mirrors: download and registry locations rewritten to an internal artifact server (Nexus,
//! Artifactory, Harbor, a plain HTTP directory), the usual case on sites that reach upstream only
//! through one. A rewrite changes where a file or image is fetched from, never what it must be:
//! every file is still checked against the checksum the recipe pins, every image against its
//! digest, and an image keeps its upstream name in the bundle.

use crate::{BundleError, Result};
use serde::Deserialize;

/// One rewrite, `FROM=TO`: a location starting with `FROM` is fetched from `TO` plus the rest.
///
/// * Files: `https://dl.k8s.io=http://nexus.local/repository/k8s` fetches
///   `https://dl.k8s.io/v1.36.4/bin/linux/amd64/kubeadm` from
///   `http://nexus.local/repository/k8s/v1.36.4/bin/linux/amd64/kubeadm`. A `FROM` without a scheme
///   (`github.com`) matches either scheme; a `TO` without one keeps the original's.
/// * Images: `registry.k8s.io=harbor.local/k8s` pulls `registry.k8s.io/pause:3.10` as
///   `harbor.local/k8s/pause:3.10`; `TO` starting with `http://` is a registry without TLS.
///
/// `FROM` matches whole path segments only (`dl.k8s.io` does not match `dl.k8s.io.example.com`);
/// the longest matching `FROM` wins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mirror {
    /// The upstream location (a URL or image-name prefix).
    pub from: String,
    /// Where to fetch it instead.
    pub to: String,
}

/// Where to pull an image from: its reference on the registry, and whether that registry
/// speaks plain HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFrom {
    /// The reference pulled (the image's own name when no mirror applies).
    pub reference: String,
    /// The registry has no TLS.
    pub plain_http: bool,
}

fn split_scheme(s: &str) -> (Option<&str>, &str) {
    match s.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, s),
    }
}

/// `rest` continues a match at a segment boundary.
fn at_boundary(prefix: &str, rest: &str) -> bool {
    rest.is_empty() || prefix.ends_with('/') || rest.starts_with(['/', ':', '@'])
}

impl Mirror {
    /// Parses `FROM=TO` (the `--mirror` flag).
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| BundleError::BadMirror { mirror: text.to_string(), cause: why.to_string() };
        let (from, to) = text.split_once('=').ok_or_else(|| bad("write it as FROM=TO"))?;
        let m = Self { from: from.trim().to_string(), to: to.trim().to_string() };
        m.check().map_err(|why| bad(&why))?;
        Ok(m)
    }

    /// Checks both sides: not empty, no spaces, an `http`/`https` scheme if any.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (side, value) in [("FROM", &self.from), ("TO", &self.to)] {
            if value.is_empty() || value.contains(char::is_whitespace) {
                return Err(format!("{side} must be a location without spaces"));
            }
            if let (Some(scheme), _) = split_scheme(value)
                && !matches!(scheme, "http" | "https")
            {
                return Err(format!("{side} may start with http:// or https:// only, not {scheme}://"));
            }
        }
        Ok(())
    }

    /// The length of `FROM` when it matches the start of `location` (scheme compared only when
    /// `FROM` has one), and the rest after it.
    fn matches<'l>(&self, location: &'l str) -> Option<(usize, &'l str)> {
        let (from_scheme, from) = split_scheme(&self.from);
        let (scheme, body) = split_scheme(location);
        if from_scheme.is_some() && from_scheme != scheme {
            return None;
        }
        let rest = body.strip_prefix(from.trim_end_matches('/'))?;
        at_boundary(from.trim_end_matches('/'), rest).then_some((from.len(), rest))
    }
}

fn best<'m, 'l>(location: &'l str, mirrors: &'m [Mirror]) -> Option<(&'m Mirror, &'l str)> {
    mirrors
        .iter()
        .filter_map(|m| m.matches(location).map(|(len, rest)| (len, m, rest)))
        .max_by_key(|(len, ..)| *len)
        .map(|(_, m, rest)| (m, rest))
}

/// Where a file published at `url` is downloaded from.
pub fn mirrored_url(url: &str, mirrors: &[Mirror]) -> String {
    let Some((m, rest)) = best(url, mirrors) else { return url.to_string() };
    let to = m.to.trim_end_matches('/');
    match split_scheme(to) {
        (Some(_), _) => format!("{to}{rest}"),
        (None, _) => format!("{}://{to}{rest}", split_scheme(url).0.unwrap_or("https")),
    }
}

/// Where image `name` (as a recipe names it, `plain_http` as the recipe says) is pulled from.
pub fn mirrored_image(name: &str, plain_http: bool, mirrors: &[Mirror]) -> PullFrom {
    let Some((m, rest)) = best(name, mirrors) else { return PullFrom { reference: name.to_string(), plain_http } };
    let (scheme, to) = split_scheme(m.to.trim_end_matches('/'));
    PullFrom { reference: format!("{to}{rest}"), plain_http: scheme == Some("http") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Mirror {
        Mirror::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn files_are_fetched_from_the_longest_matching_mirror() {
        let ms = [m("https://dl.k8s.io=http://nexus.local/repository/k8s"), m("github.com=files.local/gh/")];
        assert_eq!(
            mirrored_url("https://dl.k8s.io/v1.36.4/bin/linux/amd64/kubeadm", &ms),
            "http://nexus.local/repository/k8s/v1.36.4/bin/linux/amd64/kubeadm"
        );
        assert_eq!(
            mirrored_url("https://github.com/etcd-io/etcd/releases/download/v3.6.14/x.tgz", &ms),
            "https://files.local/gh/etcd-io/etcd/releases/download/v3.6.14/x.tgz",
            "a TO without a scheme keeps the original's"
        );
        assert_eq!(mirrored_url("https://dl.k8s.io.example.com/x", &ms), "https://dl.k8s.io.example.com/x");
        assert_eq!(mirrored_url("http://dl.k8s.io/x", &ms), "http://dl.k8s.io/x", "a FROM's scheme must match");
        let nested = [m("github.com=a.local"), m("github.com/containerd=b.local/ctr")];
        assert_eq!(mirrored_url("https://github.com/containerd/x", &nested), "https://b.local/ctr/x");
        assert_eq!(mirrored_url("https://github.com/containerdx/y", &nested), "https://a.local/containerdx/y");
    }

    #[test]
    fn images_keep_their_path_and_learn_whether_the_mirror_has_tls() {
        let ms = [m("registry.k8s.io=http://harbor.local:5000/k8s"), m("quay.io/cilium=harbor.local/cilium")];
        assert_eq!(
            mirrored_image("registry.k8s.io/pause:3.10", false, &ms),
            PullFrom { reference: "harbor.local:5000/k8s/pause:3.10".into(), plain_http: true }
        );
        assert_eq!(
            mirrored_image("quay.io/cilium/cilium:v1.20.0", false, &ms),
            PullFrom { reference: "harbor.local/cilium/cilium:v1.20.0".into(), plain_http: false }
        );
        assert_eq!(
            mirrored_image("docker.io/flannel/flannel:v0.28.4", true, &ms),
            PullFrom { reference: "docker.io/flannel/flannel:v0.28.4".into(), plain_http: true }
        );
    }

    #[test]
    fn a_malformed_mirror_says_how_to_write_it() {
        for bad in ["dl.k8s.io", "=x", "a=", "ftp://x=y", "a b=c"] {
            let e = Mirror::parse(bad).unwrap_err();
            assert_eq!(e.code(), "bundle.bad_mirror", "{bad}");
        }
        assert!(Mirror::parse("dl.k8s.io").unwrap_err().to_string().contains("FROM=TO"));
    }
}
