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

/// The content address a planned entry shows where the recipe cannot know it yet (a SHA-512 pin,
/// an image, an unpublished file): the build records it.
pub const PINNED_AT_BUILD: &str = "<sha256 recorded by the build>";

/// How an entry of a recipe is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Pin {
    /// By the SHA-256 upstream publishes.
    Sha256,
    /// By the SHA-512 upstream publishes (the build records the SHA-256).
    Sha512,
    /// An image, by the digest upstream publishes.
    Digest,
    /// Upstream publishes nothing: the build records what it got, the signed manifest pins it.
    Unpublished,
}

/// One entry of a recipe as a build would put it in the bundle.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PlannedEntry {
    /// The entry as the manifest will list it.
    #[serde(flatten)]
    pub file: crate::BundleFile,
    /// How it is pinned.
    pub pin: Pin,
    /// Where it comes from: the URL, or the image's name.
    pub from: String,
    /// Where its checksum or digest was published (or why there is none).
    pub checksum_source: String,
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
    /// Upstream publishes no checksum for it: the build records the SHA-256 of what it got, and
    /// the signed manifest pins that from then on (`checksum_source` says so, and why).
    #[serde(default)]
    pub unpublished: bool,
    /// Where the checksum was published (named in errors and kept for review).
    pub checksum_source: String,
    /// For an image archive: the reference it is imported as.
    pub reference: Option<String>,
}

impl SourceFile {
    /// The manifest's entry for the file, with its SHA-256 and size.
    pub(crate) fn bundle_file(&self, sha256: String, size: u64) -> crate::BundleFile {
        crate::BundleFile {
            path: self.path.clone(),
            size,
            sha256,
            component: self.component.clone(),
            version: self.version.clone(),
            arch: self.arch.clone(),
            kind: self.kind,
            reference: self.reference.clone(),
        }
    }

    /// The file's name in a source directory.
    pub fn local_name(&self) -> &str {
        self.local.as_deref().unwrap_or_else(|| self.url.rsplit('/').next().unwrap_or(&self.url))
    }

    /// The published digest (none for an unpublished one).
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
    /// The bundle component it belongs to (`pause`, `calico`, `ingress-nginx`...; default: the
    /// image's name without its tag).
    pub component: Option<String>,
    /// Pinned `sha256:` digest of what the tag names (image manifest or multi-arch index).
    pub digest: Option<String>,
    /// Upstream publishes no digest for it: the build takes what the tag names then, and the
    /// signed manifest pins that archive from then on.
    #[serde(default)]
    pub unpublished: bool,
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

    /// Its component and version (the tag).
    pub fn component_version(&self) -> (String, String) {
        let (name, tag) = self.name.rsplit_once(':').unwrap_or((&self.name, ""));
        (self.component.clone().unwrap_or_else(|| name.to_string()), tag.to_string())
    }

    /// The manifest's entry for the archive, with its SHA-256 and size.
    pub(crate) fn bundle_file(&self, sha256: String, size: u64) -> crate::BundleFile {
        let (component, version) = self.component_version();
        crate::BundleFile {
            path: self.path.clone(),
            size,
            sha256,
            component,
            version,
            arch: self.arch.clone(),
            kind: FileKind::Image,
            reference: Some(self.name.clone()),
        }
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
    /// Where to fetch from instead of upstream (see [`crate::Mirror`]).
    #[serde(rename = "mirror", default)]
    pub mirrors: Vec<crate::Mirror>,
}

impl BundleSource {
    /// Every entry a build for `arches` would put in the bundle, as the manifest will list it
    /// (sizes unknown: 0; the SHA-256 the recipe pins where it pins one, else [`PINNED_AT_BUILD`]),
    /// with how it is pinned, where it comes from and where its pin was published.
    pub fn plan(&self, arches: &[String]) -> Vec<PlannedEntry> {
        let files = self.files.iter().filter(|f| f.arch == "all" || arches.contains(&f.arch)).map(|f| {
            let (pin, sha256) = match f.checksum() {
                Some(UpstreamChecksum::Sha256(h)) => (Pin::Sha256, h),
                Some(UpstreamChecksum::Sha512(_)) => (Pin::Sha512, PINNED_AT_BUILD.to_string()),
                None => (Pin::Unpublished, PINNED_AT_BUILD.to_string()),
            };
            PlannedEntry {
                file: f.bundle_file(sha256, 0),
                pin,
                from: f.url.clone(),
                checksum_source: f.checksum_source.clone(),
            }
        });
        let images = self.images.iter().filter(|i| arches.contains(&i.arch)).map(|i| {
            let pin = if i.unpublished { Pin::Unpublished } else { Pin::Digest };
            PlannedEntry {
                file: i.bundle_file(PINNED_AT_BUILD.to_string(), 0),
                pin,
                from: i.name.clone(),
                checksum_source: i.checksum_source.clone(),
            }
        });
        files.chain(images).collect()
    }

    /// The manifest a build for `arches` would make, without downloading anything (see
    /// [`BundleSource::plan`]): what plans of a create are checked against.
    pub fn planned_manifest(&self, arches: &[String]) -> crate::BundleManifest {
        crate::BundleManifest {
            format: 1,
            name: self.name.clone(),
            kubernetes_version: self.kubernetes_version.clone(),
            arches: arches.to_vec(),
            files: self.plan(arches).into_iter().map(|e| e.file).collect(),
            base: None,
        }
    }

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
                None if f.unpublished => {}
                Some(_) if f.unpublished => {
                    return Err(format!("'{}' is unpublished but pins a checksum: drop one of them", f.path));
                }
                None => {
                    return Err(format!(
                        "'{}' has no sha256 or sha512: pin the checksum upstream publishes (or, where it publishes \
                         none, say unpublished = true)",
                        f.path
                    ));
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
        for m in &s.mirrors {
            m.check().map_err(|why| format!("mirror {} = {}: {why}", m.from, m.to))?;
        }
        for i in &s.images {
            crate::check_entry_path(&i.path).map_err(|e| e.to_string())?;
            if !paths.insert(i.path.as_str()) {
                return Err(format!("'{}' is listed twice", i.path));
            }
            match (&i.digest, i.unpublished) {
                (Some(_), true) => {
                    return Err(format!("image '{}' is unpublished but pins a digest: drop one of them", i.name));
                }
                (None, false) => {
                    return Err(format!(
                        "image '{}' has no digest: pin the one upstream publishes (or say unpublished = true)",
                        i.name
                    ));
                }
                (Some(d), false) => {
                    let hex = d.strip_prefix("sha256:").unwrap_or_default();
                    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(format!("image '{}': digest must be sha256:<64 hex digits>", i.name));
                    }
                }
                (None, true) => {}
            }
            if !matches!(i.arch.as_str(), "amd64" | "arm64") {
                return Err(format!("image '{}': arch '{}' is not amd64 or arm64", i.name, i.arch));
            }
        }
        Ok(s)
    }
}
