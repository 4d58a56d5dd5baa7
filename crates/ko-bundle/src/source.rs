//! Bundle recipes (`bundles/*.toml`): what goes into a bundle and how to check it came from
//! upstream intact.

use crate::{BundleError, FileKind, Result};
use serde::Deserialize;
use std::path::Path;

/// A digest as the upstream project publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamChecksum {
    /// SHA-256 (hex).
    Sha256(String),
    /// SHA-512 (hex), e.g. from Kubernetes' CHANGELOG download tables.
    Sha512(String),
}

/// One file of a recipe.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Component (e.g. `containerd`).
    pub component: String,
    /// Component version.
    pub version: String,
    /// `amd64`, `arm64` or `all`.
    pub arch: String,
    /// What it is.
    pub kind: FileKind,
    /// Path inside the bundle.
    pub path: String,
    /// Where upstream publishes it.
    pub url: String,
    /// File name in the source directory (default: the URL's last segment).
    pub local: Option<String>,
    /// Published SHA-256.
    pub sha256: Option<String>,
    /// Published SHA-512.
    pub sha512: Option<String>,
    /// Where the checksum was published (named in errors and kept for review).
    pub checksum_source: String,
}

impl SourceFile {
    /// The file's name in a source directory.
    pub fn local_name(&self) -> &str {
        self.local.as_deref().unwrap_or_else(|| self.url.rsplit('/').next().unwrap_or(&self.url))
    }

    /// The published digest.
    pub fn checksum(&self) -> Option<UpstreamChecksum> {
        match (&self.sha256, &self.sha512) {
            (Some(h), _) => Some(UpstreamChecksum::Sha256(h.to_ascii_lowercase())),
            (None, Some(h)) => Some(UpstreamChecksum::Sha512(h.to_ascii_lowercase())),
            (None, None) => None,
        }
    }
}

/// A container image of a recipe, pulled from its registry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceImage {
    /// Image reference with its tag, e.g. `registry.k8s.io/pause:3.10`.
    pub name: String,
    /// Pinned `sha256:` digest of what the tag names (image manifest or multi-arch index).
    pub digest: String,
    /// `amd64` or `arm64`.
    pub arch: String,
    /// Path of the image archive inside the bundle.
    pub path: String,
    /// Where the digest was published.
    pub checksum_source: String,
    /// The registry speaks plain HTTP (a local mirror).
    #[serde(default)]
    pub plain_http: bool,
}

impl SourceImage {
    /// The archive's file name in a source directory.
    pub fn local_name(&self) -> String {
        self.path.replace('/', "_")
    }
}

/// A bundle recipe.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSource {
    /// Bundle name.
    pub name: String,
    /// Kubernetes version served, if any.
    pub kubernetes_version: Option<String>,
    /// The files.
    #[serde(rename = "file", default)]
    pub files: Vec<SourceFile>,
    /// The container images.
    #[serde(rename = "image", default)]
    pub images: Vec<SourceImage>,
}

impl BundleSource {
    /// Reads and checks a recipe.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| BundleError::io(path, e))?;
        Self::parse(&text).map_err(|cause| BundleError::BadSource { path: path.display().to_string(), cause })
    }

    /// Parses a recipe; every file needs a safe unique path and a published checksum.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let s: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut paths = std::collections::HashSet::new();
        for f in &s.files {
            crate::check_entry_path(&f.path).map_err(|e| e.to_string())?;
            if !paths.insert(f.path.as_str()) {
                return Err(format!("'{}' is listed twice", f.path));
            }
            let hex_ok = |h: &str, len: usize| h.len() == len && h.bytes().all(|b| b.is_ascii_hexdigit());
            match f.checksum() {
                None => {
                    return Err(format!("'{}' has no sha256 or sha512: pin the checksum upstream publishes", f.path));
                }
                Some(UpstreamChecksum::Sha256(h)) if !hex_ok(&h, 64) => {
                    return Err(format!("'{}': sha256 is not 64 hex digits", f.path));
                }
                Some(UpstreamChecksum::Sha512(h)) if !hex_ok(&h, 128) => {
                    return Err(format!("'{}': sha512 is not 128 hex digits", f.path));
                }
                Some(_) => {}
            }
            if !matches!(f.arch.as_str(), "amd64" | "arm64" | "all") {
                return Err(format!("'{}': arch '{}' is not amd64, arm64 or all", f.path, f.arch));
            }
        }
        for i in &s.images {
            crate::check_entry_path(&i.path).map_err(|e| e.to_string())?;
            if !paths.insert(i.path.as_str()) {
                return Err(format!("'{}' is listed twice", i.path));
            }
            let hex = i.digest.strip_prefix("sha256:").unwrap_or_default();
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("image '{}': digest must be sha256:<64 hex digits>", i.name));
            }
            if !matches!(i.arch.as_str(), "amd64" | "arm64") {
                return Err(format!("image '{}': arch '{}' is not amd64 or arm64", i.name, i.arch));
            }
        }
        Ok(s)
    }
}
