//! `manifest.json`: what a bundle holds.

use crate::{BundleError, Result};
use serde::{Deserialize, Serialize};

/// Name of the manifest inside the zip.
pub const MANIFEST_NAME: &str = "manifest.json";
/// Name of the detached signature of the manifest inside the zip.
pub const SIGNATURE_NAME: &str = "manifest.sig";

/// What kind of thing a file is (decides what the playbooks do with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// An executable or an archive of executables.
    Binary,
    /// A .deb or .rpm package.
    Package,
    /// A container image archive (OCI / docker-archive).
    Image,
    /// A Kubernetes manifest (YAML).
    Manifest,
    /// A Helm chart.
    Chart,
    /// Anything else.
    Other,
}

/// One file in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BundleFile {
    /// Path inside the bundle (`/`-separated, relative).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex): the file's address in the hosts' content store.
    pub sha256: String,
    /// Component it belongs to (e.g. `containerd`).
    pub component: String,
    /// Component version.
    pub version: String,
    /// `amd64`, `arm64`, or `all` for arch-independent files.
    pub arch: String,
    /// What it is.
    pub kind: FileKind,
    /// For an image: the reference it is imported as (`docker.io/library/haproxy:3.2.4-alpine`),
    /// which the playbooks run it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BundleManifest {
    /// Manifest format version (1).
    pub format: u32,
    /// Bundle name.
    pub name: String,
    /// Kubernetes version the bundle serves, if any.
    pub kubernetes_version: Option<String>,
    /// Architectures covered.
    pub arches: Vec<String>,
    /// Every file.
    pub files: Vec<BundleFile>,
    /// A delta bundle's base: the files it omits come from that bundle of the library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<DeltaBase>,
}

/// What a delta bundle builds on. Its manifest lists every file of the complete bundle (and is
/// what its signature covers); the zip holds only those the base lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeltaBase {
    /// The base bundle's name.
    pub name: String,
    /// Paths of the files the zip omits, each the same bytes (SHA-256) as a file of the base.
    pub omitted: Vec<String>,
}

impl BundleManifest {
    /// Total size of the files.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Whether the zip holds `path` (a delta omits what its base has).
    pub fn carries(&self, path: &str) -> bool {
        self.base.as_ref().is_none_or(|b| !b.omitted.iter().any(|p| p == path))
    }

    /// Parses and checks a manifest (format, safe unique paths, well-formed digests).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let m: Self = serde_json::from_slice(bytes).map_err(|e| BundleError::BadManifest(e.to_string()))?;
        if m.format != 1 {
            return Err(BundleError::BadManifest(format!(
                "format {} is not supported by this version of the app",
                m.format
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &m.files {
            check_entry_path(&f.path)?;
            if f.path == MANIFEST_NAME || f.path == SIGNATURE_NAME {
                return Err(BundleError::UnsafePath { path: f.path.clone(), why: "a reserved name" });
            }
            if !seen.insert(f.path.as_str()) {
                return Err(BundleError::Duplicate(f.path.clone()));
            }
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(BundleError::BadManifest(format!("'{}' has no valid sha256", f.path)));
            }
        }
        if let Some(base) = &m.base
            && let Some(p) = base.omitted.iter().find(|p| !seen.contains(p.as_str()))
        {
            return Err(BundleError::BadManifest(format!("the delta omits '{p}', which it does not list")));
        }
        Ok(m)
    }

    /// The manifest as stored (stable, pretty JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// Refuses entry names that could land outside the target directory or mean something else on
/// another OS: absolute paths, `..`, backslashes, drive letters, empty or dot components, control
/// characters, over-long names.
pub fn check_entry_path(path: &str) -> Result<()> {
    let unsafe_path = |why| Err(BundleError::UnsafePath { path: path.to_string(), why });
    if path.is_empty() || path.len() > 1024 {
        return unsafe_path("empty or too long");
    }
    if path.starts_with('/') || path.contains('\\') || path.chars().nth(1) == Some(':') {
        return unsafe_path("absolute or not a /-separated relative path");
    }
    if path.chars().any(char::is_control) {
        return unsafe_path("control characters");
    }
    for part in path.split('/') {
        match part {
            "" | "." => return unsafe_path("empty or '.' component"),
            ".." => return unsafe_path("'..' escapes the target directory"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths() {
        for ok in ["a", "bin/kubeadm", "images/pause-3.10.tar", "x/y/z.deb"] {
            assert!(check_entry_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "C:/x", "a/\u{7}b", "a/."] {
            assert_eq!(check_entry_path(bad).unwrap_err().code(), "bundle.unsafe_path", "{bad:?}");
        }
    }

    #[test]
    fn manifests_are_checked() {
        let good = r#"{"format":1,"name":"b","kubernetes_version":null,"arches":["amd64"],"files":[
            {"path":"a","size":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000","component":"c","version":"1","arch":"amd64","kind":"binary"}]}"#;
        assert_eq!(BundleManifest::parse(good.as_bytes()).unwrap().files.len(), 1);
        let twice = good.replace("}]}", "},{\"path\":\"a\",\"size\":1,\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"component\":\"c\",\"version\":\"1\",\"arch\":\"amd64\",\"kind\":\"binary\"}]}");
        assert_eq!(BundleManifest::parse(twice.as_bytes()).unwrap_err().code(), "bundle.duplicate");
        let escape = good.replace("\"path\":\"a\"", "\"path\":\"../a\"");
        assert_eq!(BundleManifest::parse(escape.as_bytes()).unwrap_err().code(), "bundle.unsafe_path");
        let v2 = good.replace("\"format\":1", "\"format\":2");
        assert_eq!(BundleManifest::parse(v2.as_bytes()).unwrap_err().code(), "bundle.bad_manifest");
    }
}
