//! The bundle library: signing keys, trusted keys, build, verify, import into the library, remove.
//! Sending a bundle to hosts is `bundle_push`.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_bundle::{BuildReport, BundleManifest, BundleSource, PlannedEntry, SigningKey, TrustedKey, VerifyReport};
use ko_secrets::Sensitive;
use ko_store::{settings, versions};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A bundle in the library.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LibraryBundle {
    /// Bundle name (its directory).
    pub name: String,
    /// Where it is.
    pub dir: PathBuf,
    /// Kubernetes version it serves.
    pub kubernetes_version: Option<String>,
    /// Architectures.
    pub arches: Vec<String>,
    /// Number of files.
    pub files: usize,
    /// Total size.
    pub size: u64,
    /// Whether `manifest.sig` is present (it was checked at import).
    pub signed: bool,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Recipe file (`bundles/*.toml`).
    pub recipe: PathBuf,
    /// Architectures to include.
    pub arches: Vec<String>,
    /// Directory with the files; `None` downloads them into the data dir's cache.
    pub from: Option<PathBuf>,
    /// Output zip.
    pub out: PathBuf,
    /// Mirrors (`FROM=TO`) besides the recipe's own: where to download from instead of upstream.
    pub mirrors: Vec<String>,
    /// Make a delta on top of this bundle (a zip the receiving side has imported): only the files
    /// it lacks go into the zip.
    pub base: Option<PathBuf>,
}

fn signing_key_entry(name: &str) -> String {
    format!("bundle-signing/{name}")
}

/// Refuses an architecture the bundles do not know.
fn check_arches(arches: &[String]) -> Result<()> {
    match arches.iter().find(|a| !matches!(a.as_str(), "amd64" | "arm64")) {
        Some(a) => {
            Err(ApiError::invalid("arch.invalid", "arch", format!("'{a}' is not an architecture; use amd64 or arm64")))
        }
        None => Ok(()),
    }
}

impl Api {
    /// What a build of `recipe` for `arches` would hold, without downloading anything: every
    /// file and image as the manifest will list it, how it is pinned and where that was published
    /// (`ko_bundle::BundleSource::plan`).
    pub async fn bundle_plan(&self, actor: &Actor, recipe: &Path, arches: &[String]) -> Result<Vec<PlannedEntry>> {
        self.authorize(actor, Permission::ManageSystem, "plan bundles").await?;
        check_arches(arches)?;
        Ok(BundleSource::load(recipe)?.plan(arches))
    }

    async fn trusted(&self) -> Result<Vec<TrustedKey>> {
        let keys = self.db.read(settings::trusted_keys).await?;
        Ok(keys.into_iter().map(|k| TrustedKey { name: k.name, public_key: k.public_key }).collect())
    }

    /// Makes a signing key: the private half goes to the secret store, the public half becomes a
    /// trusted key of the same name. Returns it.
    pub async fn bundle_keygen(&self, actor: &Actor, name: &str) -> Result<TrustedKey> {
        self.audited(actor, "bundle.keygen", name, async {
            self.authorize(actor, Permission::ManageSystem, "make bundle signing keys").await?;
            check_name("name", name)?;
            let key = SigningKey::generate()?;
            let public_key = key.public_key();
            let secret = Sensitive::new(key.secret_text());
            let (store, n, pk) = (self.secrets.clone(), name.to_string(), public_key.clone());
            self.db
                .write(move |tx| {
                    if settings::trusted_keys(tx)?.iter().any(|k| k.name == n) {
                        return Err(ApiError::AlreadyExists { kind: "bundle key", name: n });
                    }
                    settings::add_trusted_key(tx, &n, &pk)?;
                    store.put(&signing_key_entry(&n), &secret)?;
                    Ok(())
                })
                .await?;
            Ok(TrustedKey { name: name.into(), public_key })
        })
        .await
    }

    /// Trusts bundles signed with `public_key` (base64 ed25519, as `bundle keygen` prints it).
    pub async fn bundle_trust_add(&self, actor: &Actor, name: &str, public_key: &str) -> Result<()> {
        self.audited(actor, "bundle.trust.add", name, async {
            self.authorize(actor, Permission::ManageSystem, "trust bundle keys").await?;
            check_name("name", name)?;
            use base64::Engine;
            let raw = base64::engine::general_purpose::STANDARD.decode(public_key.trim()).unwrap_or_default();
            if raw.len() != 32 {
                return Err(ApiError::invalid(
                    "bundle.public_key_invalid",
                    "public_key",
                    "not an ed25519 public key: expected the base64 text a bundle key generation prints",
                ));
            }
            let (n, pk) = (name.to_string(), public_key.trim().to_string());
            self.db
                .write(move |tx| {
                    let keys = settings::trusted_keys(tx)?;
                    if let Some(k) = keys.iter().find(|k| k.name == n || k.public_key == pk) {
                        return Err(ApiError::AlreadyExists { kind: "bundle key", name: k.name.clone() });
                    }
                    Ok(settings::add_trusted_key(tx, &n, &pk)?)
                })
                .await
        })
        .await
    }

    /// The trusted bundle keys.
    pub async fn bundle_trust_list(&self, actor: &Actor) -> Result<Vec<settings::TrustedBundleKey>> {
        self.authorize(actor, Permission::ManageSystem, "view trusted bundle keys").await?;
        Ok(self.db.read(settings::trusted_keys).await?)
    }

    /// Stops trusting a key (and forgets its private half, if this app made it).
    pub async fn bundle_trust_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "bundle.trust.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "trust bundle keys").await?;
            let (store, n) = (self.secrets.clone(), name.to_string());
            self.db
                .write(move |tx| {
                    if !settings::remove_trusted_key(tx, &n)? {
                        return Err(ApiError::NotFound { kind: "bundle key", name: n });
                    }
                    store.delete(&signing_key_entry(&n))?;
                    Ok(())
                })
                .await
        })
        .await
    }

    /// Signs a bundle file with a key made by [`Api::bundle_keygen`].
    pub async fn bundle_sign(&self, actor: &Actor, path: &Path, key_name: &str) -> Result<()> {
        self.audited(actor, "bundle.sign", &path.display().to_string(), async {
            self.authorize(actor, Permission::ManageSystem, "sign bundles").await?;
            let (store, k, p) = (self.secrets.clone(), signing_key_entry(key_name), path.to_path_buf());
            tokio::task::spawn_blocking(move || -> Result<()> {
                let secret = store.get(&k)?;
                let key = SigningKey::from_secret_text(secret.expose())?;
                Ok(ko_bundle::sign(&p, &key)?)
            })
            .await?
        })
        .await
    }

    /// Checks a bundle file completely (signature by a trusted key, every file's hash, safe paths).
    pub async fn bundle_verify(&self, actor: &Actor, path: &Path, allow_unsigned: bool) -> Result<VerifyReport> {
        self.authorize(actor, Permission::ViewVersions, "verify bundles").await?;
        let trusted = self.trusted().await?;
        let p = path.to_path_buf();
        tokio::task::spawn_blocking(move || Ok(ko_bundle::verify(&p, &trusted, allow_unsigned)?)).await?
    }

    /// Makes a delta of bundle `new` on top of bundle `old` at `out` (`ko_bundle::diff`): only the
    /// files `old` lacks; it imports only where `old` is in the library. Unsigned until signed.
    pub async fn bundle_diff(
        &self,
        actor: &Actor,
        old: &Path,
        new: &Path,
        out: &Path,
        allow_unsigned: bool,
    ) -> Result<BundleManifest> {
        self.authorize(actor, Permission::ManageSystem, "build bundles").await?;
        let trusted = self.trusted().await?;
        let (old, new, out) = (old.to_path_buf(), new.to_path_buf(), out.to_path_buf());
        tokio::task::spawn_blocking(move || Ok(ko_bundle::diff(&old, &new, &out, &trusted, allow_unsigned)?)).await?
    }

    /// Builds a bundle from a recipe: from the files in `from_dir`, or, without it, from files
    /// downloaded (parallel, resumable, checked) into the data dir's download cache.
    pub async fn bundle_build(
        &self,
        actor: &Actor,
        req: BuildRequest,
        on_download: impl Fn(ko_bundle::FetchProgress) + Send + Sync + 'static,
        progress: impl FnMut(&ko_bundle::WriteProgress) + Send + 'static,
    ) -> Result<BuildReport> {
        self.authorize(actor, Permission::ManageSystem, "build bundles").await?;
        let BuildRequest { recipe, arches, from: given, out, mirrors, base } = req;
        let mirrors = mirrors.iter().map(|m| ko_bundle::Mirror::parse(m)).collect::<Result<Vec<_>, _>>()?;
        check_arches(&arches)?;
        let cache = self.data_dir.join("downloads");
        tokio::task::spawn_blocking(move || {
            let source = BundleSource::load(&recipe)?;
            let from = match given {
                Some(dir) => dir,
                None => {
                    let dir = cache.join(&source.name);
                    let opts = ko_bundle::FetchOptions { mirrors, ..ko_bundle::FetchOptions::default() };
                    ko_bundle::fetch(&source, &arches, &dir, &opts, on_download)?;
                    dir
                }
            };
            let base = base.map(|b| ko_bundle::read_manifest(&b)).transpose()?;
            Ok(ko_bundle::build(&source, &arches, &from, &out, base.as_ref(), progress)?)
        })
        .await?
    }

    /// Verifies a bundle and adds it to the library; the Kubernetes version it serves becomes
    /// available for new clusters.
    pub async fn bundle_import(
        &self,
        actor: &Actor,
        path: &Path,
        allow_unsigned: bool,
    ) -> Result<(LibraryBundle, VerifyReport)> {
        self.audited(actor, "bundle.import", &path.display().to_string(), async {
            self.authorize(actor, Permission::ManageSystem, "import bundles").await?;
            let trusted = self.trusted().await?;
            let (p, deployer) = (path.to_path_buf(), self.deployer());
            let library = deployer.library();
            let report = tokio::task::spawn_blocking(move || -> Result<VerifyReport> {
                let peek = ko_bundle::verify(&p, &trusted, allow_unsigned)?;
                check_name("name", &peek.manifest.name)?;
                let target = library.join(&peek.manifest.name);
                if target.exists() {
                    return Err(ApiError::AlreadyExists { kind: "bundle", name: peek.manifest.name });
                }
                // a delta takes what it omits from its base in the library
                let base = match &peek.manifest.base {
                    Some(b) => {
                        check_name("base", &b.name)?;
                        Some(deployer.run_bundle(&b.name).map_err(|e| match e {
                            ko_deploy::DeployError::NotFound { .. } => {
                                ApiError::Bundle(ko_bundle::BundleError::BaseMissing {
                                    bundle: peek.manifest.name.clone(),
                                    base: b.name.clone(),
                                })
                            }
                            other => other.into(),
                        })?)
                    }
                    None => None,
                };
                let base = base.as_ref().map(|b| ko_bundle::BaseDir { dir: &b.dir, manifest: &b.manifest });
                Ok(ko_bundle::extract(&p, &target, &trusted, allow_unsigned, base.as_ref())?)
            })
            .await??;
            if let Some(v) = report.manifest.kubernetes_version.clone() {
                let name = report.manifest.name.clone();
                self.db.write(move |tx| versions::add_from_bundle(tx, &v, &name)).await?;
            }
            let entry = self.library_entry(&self.deployer().library().join(&report.manifest.name))?;
            Ok((entry, report))
        })
        .await
    }

    fn library_entry(&self, dir: &Path) -> Result<LibraryBundle> {
        let bytes = std::fs::read(dir.join(ko_bundle::MANIFEST_NAME))
            .map_err(|e| ApiError::Internal(format!("{}: {e}", dir.display())))?;
        let m = ko_bundle::BundleManifest::parse(&bytes)?;
        Ok(LibraryBundle {
            name: m.name.clone(),
            dir: dir.to_path_buf(),
            kubernetes_version: m.kubernetes_version.clone(),
            arches: m.arches.clone(),
            files: m.files.len(),
            size: m.total_size(),
            signed: dir.join(ko_bundle::SIGNATURE_NAME).exists(),
        })
    }

    /// The bundles in the library.
    pub async fn bundle_list(&self, actor: &Actor) -> Result<Vec<LibraryBundle>> {
        self.authorize(actor, Permission::ViewVersions, "list bundles").await?;
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.deployer().library()) else { return Ok(out) };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() && !e.file_name().to_string_lossy().starts_with('.') {
                out.push(self.library_entry(&path)?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes a bundle from the library and the versions only it brought (unless a cluster uses them).
    pub async fn bundle_rm(&self, actor: &Actor, name: &str) -> Result<Vec<String>> {
        self.audited(actor, "bundle.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "remove bundles").await?;
            check_name("name", name)?;
            let dir = self.deployer().library().join(name);
            if !dir.is_dir() {
                return Err(ApiError::NotFound { kind: "bundle", name: name.into() });
            }
            let n = name.to_string();
            let removed = self.db.write(move |tx| versions::remove_from_bundle(tx, &n)).await?;
            std::fs::remove_dir_all(&dir).map_err(|e| ApiError::Internal(format!("{}: {e}", dir.display())))?;
            Ok(removed)
        })
        .await
    }
}
