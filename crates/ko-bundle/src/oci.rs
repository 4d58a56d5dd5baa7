//! Container images from an OCI registry into self-verifying OCI image-layout tars.
//!
//! The archive holds `oci-layout`, `index.json` (naming the image) and `blobs/sha256/<hex>`: every
//! blob's name is its digest, so [`verify_image_archive`] can check an archive on its own, and
//! `ctr images import` (containerd) loads it as it is.

use crate::{BundleError, Result};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
/// Annotation carrying the digest the recipe pinned when it is a multi-arch index.
const SOURCE_INDEX: &str = "io.kubeoperator.source-index";

/// `registry/repository:tag` or `@sha256:...`, Docker Hub shorthands expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port).
    pub registry: String,
    /// Repository path.
    pub repository: String,
    /// Tag or digest.
    pub reference: String,
}

impl ImageRef {
    /// Parses an image name as `docker pull` does.
    pub fn parse(name: &str) -> Result<Self> {
        let bad = || BundleError::BadManifest(format!("'{name}' is not an image reference"));
        let (rest, reference) = match name.split_once('@') {
            Some((r, d)) => (r, d.to_string()),
            None => match name.rsplit_once(':') {
                Some((r, t)) if !t.contains('/') => (r, t.to_string()),
                _ => (name, "latest".to_string()),
            },
        };
        let (registry, repository) = match rest.split_once('/') {
            Some((host, path)) if host.contains('.') || host.contains(':') || host == "localhost" => {
                (host.to_string(), path.to_string())
            }
            Some(_) => ("registry-1.docker.io".to_string(), rest.to_string()),
            None => ("registry-1.docker.io".to_string(), format!("library/{rest}")),
        };
        if repository.is_empty() || reference.is_empty() {
            return Err(bad());
        }
        let registry = if registry == "docker.io" { "registry-1.docker.io".into() } else { registry };
        Ok(Self { registry, repository, reference })
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

struct Registry {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

impl Registry {
    fn get(&mut self, path: &str, accept: Option<&str>) -> Result<Vec<u8>> {
        for _ in 0..2 {
            let mut req = self.agent.get(&format!("{}{path}", self.base));
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(t) = &self.token {
                req = req.header("Authorization", &format!("Bearer {t}"));
            }
            let resp = req
                .call()
                .map_err(|e| BundleError::Io { path: format!("{}{path}", self.base), cause: e.to_string() })?;
            let status = resp.status().as_u16();
            let challenge = resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(String::from);
            if status == 401 && self.token.is_none() {
                self.token = Some(self.anonymous_token(challenge.as_deref().unwrap_or_default())?);
                continue;
            }
            if status != 200 {
                return Err(BundleError::Io { path: format!("{}{path}", self.base), cause: format!("HTTP {status}") });
            }
            let mut body = Vec::new();
            resp.into_body()
                .into_reader()
                .read_to_end(&mut body)
                .map_err(|e| BundleError::Io { path: path.into(), cause: e.to_string() })?;
            return Ok(body);
        }
        Err(BundleError::Io { path: path.into(), cause: "the registry refused anonymous access".into() })
    }

    /// The anonymous bearer token a `WWW-Authenticate: Bearer realm=...` challenge asks for.
    fn anonymous_token(&self, challenge: &str) -> Result<String> {
        let field =
            |k: &str| challenge.split(&format!("{k}=\"")).nth(1).and_then(|r| r.split('"').next()).map(String::from);
        let realm = field("realm").ok_or_else(|| BundleError::Io {
            path: self.base.clone(),
            cause: format!("unsupported authentication: {challenge}"),
        })?;
        let mut req = self.agent.get(&realm);
        for k in ["service", "scope"] {
            if let Some(v) = field(k) {
                req = req.query(k, &v);
            }
        }
        let mut text = String::new();
        req.call()
            .map_err(|e| BundleError::Io { path: realm.clone(), cause: e.to_string() })?
            .into_body()
            .into_reader()
            .read_to_string(&mut text)
            .map_err(|e| BundleError::Io { path: realm.clone(), cause: e.to_string() })?;
        let body: Value =
            serde_json::from_str(&text).map_err(|e| BundleError::Io { path: realm.clone(), cause: e.to_string() })?;
        body.get("token")
            .or_else(|| body.get("access_token"))
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| BundleError::Io { path: realm, cause: "no token in the answer".into() })
    }

    fn blob(&mut self, repo: &str, digest: &str) -> Result<Vec<u8>> {
        let bytes = self.get(&format!("/v2/{repo}/blobs/{digest}"), None)?;
        let actual = format!("sha256:{}", sha256_hex(&bytes));
        if actual != digest {
            return Err(BundleError::Tampered { path: format!("{repo}@{digest}"), expected: digest.into(), actual });
        }
        Ok(bytes)
    }
}

/// Pulls `image` for `arch` from where `from` says (its own registry, or a mirror), checks that
/// what the tag names has the pinned `digest` (of the image manifest or of a multi-arch index;
/// `None` for an image upstream publishes no digest of: what the tag names now is taken) and that
/// every blob matches its digest, and writes an OCI image-layout tar to `out` naming the image
/// `image` whatever it was pulled from.
pub fn pull_image(image: &str, from: &crate::PullFrom, digest: Option<&str>, arch: &str, out: &Path) -> Result<()> {
    let r = ImageRef::parse(&from.reference)?;
    let named = ImageRef::parse(image)?;
    let scheme = if from.plain_http { "http" } else { "https" };
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut reg = Registry { agent, base: format!("{scheme}://{}", r.registry), token: None };
    let top = reg.get(&format!("/v2/{}/manifests/{}", r.repository, r.reference), Some(ACCEPT))?;
    let top_digest = format!("sha256:{}", sha256_hex(&top));
    if let Some(digest) = digest
        && top_digest != digest
    {
        return Err(BundleError::UpstreamMismatch {
            file: image.into(),
            algorithm: "sha256",
            expected: digest.into(),
            actual: top_digest,
            source_name: "the recipe's pinned image digest".into(),
        });
    }
    let top_json: Value = serde_json::from_slice(&top).map_err(|e| BundleError::BadManifest(e.to_string()))?;
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    let (manifest, manifest_digest, media_type, source_index) = if top_json.get("manifests").is_some() {
        let entry = top_json["manifests"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["platform"]["os"] == "linux" && m["platform"]["architecture"] == arch)
            .ok_or_else(|| BundleError::BadManifest(format!("{image} has no linux/{arch} image")))?;
        let d = entry["digest"].as_str().unwrap_or_default().to_string();
        let m = reg.get(&format!("/v2/{}/manifests/{d}", r.repository), Some(ACCEPT))?;
        let actual = format!("sha256:{}", sha256_hex(&m));
        if actual != d {
            return Err(BundleError::Tampered { path: format!("{image} manifest"), expected: d, actual });
        }
        blobs.push((top_digest.clone(), top.clone()));
        (m, d, entry["mediaType"].as_str().unwrap_or_default().to_string(), Some(top_digest))
    } else {
        let mt = top_json["mediaType"].as_str().unwrap_or("application/vnd.oci.image.manifest.v1+json").to_string();
        (top.clone(), top_digest, mt, None)
    };
    let m: Value = serde_json::from_slice(&manifest).map_err(|e| BundleError::BadManifest(e.to_string()))?;
    let mut needed = vec![m["config"]["digest"].as_str().unwrap_or_default().to_string()];
    needed.extend(m["layers"].as_array().into_iter().flatten().filter_map(|l| l["digest"].as_str().map(String::from)));
    for d in needed {
        let b = reg.blob(&r.repository, &d)?;
        blobs.push((d, b));
    }
    blobs.push((manifest_digest.clone(), manifest.clone()));
    let mut annotations =
        json!({ "org.opencontainers.image.ref.name": named.reference, "io.containerd.image.name": image });
    if let Some(ix) = source_index {
        annotations[SOURCE_INDEX] = json!(ix);
    }
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{ "mediaType": media_type, "digest": manifest_digest, "size": manifest.len(), "annotations": annotations }]
    });
    write_layout(out, &index, &blobs)
}

fn write_layout(out: &Path, index: &Value, blobs: &[(String, Vec<u8>)]) -> Result<()> {
    let partial = out.with_extension("tar.partial");
    let file = std::fs::File::create(&partial).map_err(|e| BundleError::io(&partial, e))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let mut add = |name: &str, bytes: &[u8]| -> Result<()> {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        tar.append_data(&mut h, name, bytes).map_err(|e| BundleError::io(&partial, e))
    };
    add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    add("index.json", &serde_json::to_vec(index).unwrap_or_default())?;
    let mut seen = std::collections::HashSet::new();
    for (digest, bytes) in blobs {
        if seen.insert(digest.clone()) {
            add(&format!("blobs/sha256/{}", digest.trim_start_matches("sha256:")), bytes)?;
        }
    }
    tar.into_inner().map_err(|e| BundleError::io(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| BundleError::io(out, e))
}

/// Checks an image archive made by [`pull_image`] on its own: every blob matches its name, the
/// image's manifest, config and layers are present, and the image is the one `digest` pins
/// (its manifest, or the multi-arch index kept beside it that lists that manifest); with no
/// `digest` (unpublished), only that it is whole.
pub fn verify_image_archive(path: &Path, digest: Option<&str>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| BundleError::io(path, e))?;
    let mut archive = tar::Archive::new(file);
    let mut blobs: HashMap<String, Vec<u8>> = HashMap::new();
    let mut index = None;
    for entry in archive.entries().map_err(|e| BundleError::io(path, e))? {
        let mut entry = entry.map_err(|e| BundleError::io(path, e))?;
        let name = entry.path().map_err(|e| BundleError::io(path, e))?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| BundleError::io(path, e))?;
        if name == "index.json" {
            index = Some(bytes);
        } else if let Some(hex) = name.strip_prefix("blobs/sha256/") {
            let actual = sha256_hex(&bytes);
            if actual != hex {
                return Err(BundleError::Tampered {
                    path: format!("{}:{name}", path.display()),
                    expected: hex.into(),
                    actual,
                });
            }
            blobs.insert(format!("sha256:{hex}"), bytes);
        }
    }
    let bad = |why: &str| BundleError::BadManifest(format!("{}: {why}", path.display()));
    let index: Value =
        serde_json::from_slice(&index.ok_or_else(|| bad("no index.json"))?).map_err(|e| bad(&e.to_string()))?;
    let entry = &index["manifests"][0];
    let manifest_digest = entry["digest"].as_str().ok_or_else(|| bad("index.json names no image"))?;
    let manifest: Value =
        serde_json::from_slice(blobs.get(manifest_digest).ok_or_else(|| bad("the image manifest is missing"))?)
            .map_err(|e| bad(&e.to_string()))?;
    let mut needed = vec![manifest["config"]["digest"].as_str().unwrap_or_default().to_string()];
    needed.extend(
        manifest["layers"].as_array().into_iter().flatten().filter_map(|l| l["digest"].as_str().map(String::from)),
    );
    if let Some(missing) = needed.iter().find(|d| !blobs.contains_key(*d)) {
        return Err(bad(&format!("blob {missing} is missing")));
    }
    let Some(digest) = digest else { return Ok(()) };
    if manifest_digest == digest {
        return Ok(());
    }
    let source = entry["annotations"][SOURCE_INDEX].as_str().unwrap_or_default();
    let listed = blobs
        .get(source)
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .is_some_and(|ix| ix["manifests"].as_array().into_iter().flatten().any(|m| m["digest"] == manifest_digest));
    if source == digest && listed {
        return Ok(());
    }
    Err(BundleError::UpstreamMismatch {
        file: path.display().to_string(),
        algorithm: "sha256",
        expected: digest.into(),
        actual: manifest_digest.into(),
        source_name: "the recipe's pinned image digest".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        let r = ImageRef::parse("registry.k8s.io/pause:3.10").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.reference.as_str()),
            ("registry.k8s.io", "pause", "3.10")
        );
        let r = ImageRef::parse("busybox").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.reference.as_str()),
            ("registry-1.docker.io", "library/busybox", "latest")
        );
        let r = ImageRef::parse("127.0.0.1:5000/local/busybox@sha256:abc").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.reference.as_str()),
            ("127.0.0.1:5000", "local/busybox", "sha256:abc")
        );
        let r = ImageRef::parse("calico/node:v3.28.0").unwrap();
        assert_eq!(r.repository, "calico/node");
    }
}
