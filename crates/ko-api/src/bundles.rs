//! Offline bundles: signing keys, trusted keys, build, verify, import into the library, remove.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_bundle::{BuildReport, BundleSource, SigningKey, TrustedKey, VerifyReport};
use ko_secrets::Sensitive;
use ko_store::{settings, versions};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Directory of imported bundles inside the data dir.
pub const LIBRARY_DIR: &str = "bundles";

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
}

fn signing_key_entry(name: &str) -> String {
    format!("bundle-signing/{name}")
}

fn blocking_err(e: tokio::task::JoinError) -> ApiError {
    ApiError::Internal(e.to_string())
}

impl Api {
    pub(crate) fn library(&self) -> PathBuf {
        self.data_dir.join(LIBRARY_DIR)
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
            .await
            .map_err(blocking_err)?
        })
        .await
    }

    /// Checks a bundle file completely (signature by a trusted key, every file's hash, safe paths).
    pub async fn bundle_verify(&self, actor: &Actor, path: &Path, allow_unsigned: bool) -> Result<VerifyReport> {
        self.authorize(actor, Permission::ViewVersions, "verify bundles").await?;
        let trusted = self.trusted().await?;
        let p = path.to_path_buf();
        tokio::task::spawn_blocking(move || Ok(ko_bundle::verify(&p, &trusted, allow_unsigned)?))
            .await
            .map_err(blocking_err)?
    }

    /// Builds a bundle from a recipe: from the files in `from_dir`, or, without it, from files
    /// downloaded (parallel, resumable, checked) into the data dir's download cache.
    pub async fn bundle_build(
        &self,
        actor: &Actor,
        req: BuildRequest,
        on_download: impl Fn(ko_bundle::FetchProgress) + Send + Sync + 'static,
        progress: impl FnMut(&str, u64, u64) + Send + 'static,
    ) -> Result<BuildReport> {
        self.authorize(actor, Permission::ManageSystem, "build bundles").await?;
        let BuildRequest { recipe, arches, from: given, out } = req;
        for a in &arches {
            if !matches!(a.as_str(), "amd64" | "arm64") {
                return Err(ApiError::invalid(
                    "arch.invalid",
                    "arch",
                    format!("'{a}' is not an architecture; use amd64 or arm64"),
                ));
            }
        }
        let cache = self.data_dir.join("downloads");
        tokio::task::spawn_blocking(move || {
            let source = BundleSource::load(&recipe)?;
            let from = match given {
                Some(dir) => dir,
                None => {
                    let dir = cache.join(&source.name);
                    ko_bundle::fetch(&source, &arches, &dir, &ko_bundle::FetchOptions::default(), on_download)?;
                    dir
                }
            };
            Ok(ko_bundle::build(&source, &arches, &from, &out, progress)?)
        })
        .await
        .map_err(blocking_err)?
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
            let (p, library) = (path.to_path_buf(), self.library());
            let report = tokio::task::spawn_blocking(move || -> Result<VerifyReport> {
                let peek = ko_bundle::verify(&p, &trusted, allow_unsigned)?;
                check_name("name", &peek.manifest.name)?;
                let target = library.join(&peek.manifest.name);
                if target.exists() {
                    return Err(ApiError::AlreadyExists { kind: "bundle", name: peek.manifest.name });
                }
                Ok(ko_bundle::extract(&p, &target, &trusted, allow_unsigned)?)
            })
            .await
            .map_err(blocking_err)??;
            if let Some(v) = report.manifest.kubernetes_version.clone() {
                let name = report.manifest.name.clone();
                self.db.write(move |tx| versions::add_from_bundle(tx, &v, &name)).await?;
            }
            let entry = self.library_entry(&self.library().join(&report.manifest.name))?;
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
        let Ok(entries) = std::fs::read_dir(self.library()) else { return Ok(out) };
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
            let dir = self.library().join(name);
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

/// Where hosts keep bundle files, by SHA-256.
pub const HOST_STORE: &str = "/var/lib/ko/store/sha256";

/// Progress of a push, across all hosts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PushProgress {
    /// Host the update is about.
    pub host: String,
    /// File being sent.
    pub file: String,
    /// Bytes sent so far, all hosts together.
    pub bytes_done: u64,
    /// Bytes to send, all hosts together (known once every host was asked what it has).
    pub bytes_total: u64,
    /// Files finished, all hosts together.
    pub files_done: usize,
    /// Files to send, all hosts together.
    pub files_total: usize,
}

/// What one host got.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HostPush {
    /// Host name.
    pub host: String,
    /// Files sent (missing or partial on the host).
    pub files_sent: usize,
    /// Files the host already had.
    pub files_present: usize,
    /// Bytes sent to it.
    pub bytes_sent: u64,
    /// The seed host its files came from (relay mode); `None` when they came from this machine.
    pub via: Option<String>,
    /// Error code, if the push to this host failed.
    pub error_code: Option<String>,
    /// Error message.
    pub error: Option<String>,
}

pub(crate) struct PushTally {
    bytes_done: std::sync::atomic::AtomicU64,
    bytes_total: std::sync::atomic::AtomicU64,
    files_done: std::sync::atomic::AtomicUsize,
    files_total: std::sync::atomic::AtomicUsize,
}

impl PushTally {
    pub(crate) fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            bytes_done: 0.into(),
            bytes_total: 0.into(),
            files_done: 0.into(),
            files_total: 0.into(),
        })
    }
}

impl Api {
    /// Pushes a library bundle's files into the content-addressed store of each host
    /// (`/var/lib/ko/store/sha256/<hash>`, as root through sudo where needed): files a host has are
    /// skipped, partial ones resume, each is verified on the host before it is renamed into place.
    /// Hosts are served in parallel; every host gets its own result.
    ///
    /// With `relay`, this machine sends every file once, to the seed host `relay`, and the seed
    /// copies to the other hosts over the cluster network (an ephemeral key made on the seed is
    /// authorised on each host only for the copy, only from the seed's addresses, and removed
    /// after; the seed checks each host's pinned host key).
    pub async fn bundle_push(
        &self,
        actor: &Actor,
        bundle: &str,
        hosts: Vec<String>,
        relay: Option<String>,
        progress: impl Fn(PushProgress) + Send + Sync + 'static,
    ) -> Result<Vec<HostPush>> {
        self.authorize(actor, Permission::ManageSystem, "push bundles").await?;
        // each credential is read once for all the hosts
        let api = &self.with_secret_cache();
        check_name("name", bundle)?;
        let dir = api.library().join(bundle);
        let manifest = ko_bundle::BundleManifest::parse(
            &std::fs::read(dir.join(ko_bundle::MANIFEST_NAME))
                .map_err(|_| ApiError::NotFound { kind: "bundle", name: bundle.into() })?,
        )?;
        let tally = PushTally::new();
        let progress = std::sync::Arc::new(progress);
        if let Some(seed) = relay {
            let report = api.push_relayed(&seed, hosts, &manifest, &dir, tally, progress).await?;
            api.audit_push(actor, bundle, &report).await?;
            return Ok(report);
        }
        let results = ko_ssh::fan_out(hosts, ko_ssh::DEFAULT_PARALLELISM, |host| {
            let (tally, progress, manifest, dir) = (tally.clone(), progress.clone(), &manifest, &dir);
            async move {
                let outcome = api.push_one(&host, manifest, dir, tally, progress).await;
                match outcome {
                    Ok(mut r) => {
                        r.host = host;
                        r
                    }
                    Err(e) => HostPush {
                        host,
                        files_sent: 0,
                        files_present: 0,
                        bytes_sent: 0,
                        via: None,
                        error_code: Some(e.code().into()),
                        error: Some(e.to_string()),
                    },
                }
            }
        })
        .await;
        let report: Vec<HostPush> = results.into_iter().map(|(_, r)| r).collect();
        api.audit_push(actor, bundle, &report).await?;
        Ok(report)
    }

    async fn audit_push(&self, actor: &Actor, bundle: &str, report: &[HostPush]) -> Result<()> {
        let failed: Vec<&str> = report.iter().filter(|r| r.error.is_some()).map(|r| r.host.as_str()).collect();
        let target = format!("{bundle} -> {}", report.iter().map(|r| r.host.as_str()).collect::<Vec<_>>().join(","));
        let detail = if failed.is_empty() { String::new() } else { format!("failed on {}", failed.join(", ")) };
        let result = if failed.is_empty() { "ok" } else { "failed" };
        let (who, t) = (actor.name.clone(), target);
        self.db.write(move |tx| ko_store::audit::append(tx, &who, "bundle.push", &t, result, &detail)).await?;
        Ok(())
    }

    pub(crate) async fn push_one(
        &self,
        host: &str,
        manifest: &ko_bundle::BundleManifest,
        dir: &Path,
        tally: std::sync::Arc<PushTally>,
        progress: std::sync::Arc<impl Fn(PushProgress) + Send + Sync + 'static>,
    ) -> Result<HostPush> {
        use std::sync::atomic::Ordering::Relaxed;
        let StoreState { session, wanted, missing, .. } = self.open_store(host, manifest).await?;
        tally.bytes_total.fetch_add(missing.iter().map(|f| f.size).sum(), Relaxed);
        tally.files_total.fetch_add(missing.len(), Relaxed);
        let mut sent = 0u64;
        for f in &missing {
            let up = ko_ssh::Upload {
                local: dir.join(&f.path),
                remote: format!("{HOST_STORE}/{}", f.sha256),
                mode: 0o644,
                owner: Some("root:root".into()),
                sudo: true,
                sha256: Some(f.sha256.clone()),
            };
            let (t, p, h, file) = (tally.clone(), progress.clone(), host.to_string(), f.path.clone());
            let last = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let outcome = session
                .upload(&up, move |tp| {
                    let delta = tp.sent.saturating_sub(last.swap(tp.sent, Relaxed));
                    let done = t.bytes_done.fetch_add(delta, Relaxed) + delta;
                    p(PushProgress {
                        host: h.clone(),
                        file: file.clone(),
                        bytes_done: done,
                        bytes_total: t.bytes_total.load(Relaxed),
                        files_done: t.files_done.load(Relaxed),
                        files_total: t.files_total.load(Relaxed),
                    });
                })
                .await?;
            sent += outcome.transferred;
            // the file is done: say so (the last byte's update still counted it as in flight)
            progress(PushProgress {
                host: host.to_string(),
                file: f.path.clone(),
                bytes_done: tally.bytes_done.load(Relaxed),
                bytes_total: tally.bytes_total.load(Relaxed),
                files_done: tally.files_done.fetch_add(1, Relaxed) + 1,
                files_total: tally.files_total.load(Relaxed),
            });
        }
        Ok(HostPush {
            host: host.into(),
            files_sent: missing.len(),
            files_present: wanted - missing.len(),
            bytes_sent: sent,
            via: None,
            error_code: None,
            error: None,
        })
    }
}

/// The ephemeral key a seed host copies with.
struct RelayKey {
    /// Root-only temp dir on the seed holding the key and known_hosts files.
    dir: String,
    /// Its public key line.
    public_key: String,
    /// The seed's addresses, comma-separated: the only sources the key is accepted from.
    from: String,
    /// The key's comment: finds its authorized_keys entries for removal.
    nonce: String,
}

/// A host's store as a push finds it.
struct StoreState<'m> {
    target: ko_ssh::Target,
    session: ko_ssh::Session,
    /// Files of the bundle for the host's architecture.
    wanted: usize,
    /// Those the host lacks.
    missing: Vec<&'m ko_bundle::BundleFile>,
}

/// A failed push to one host, as its report row.
fn failed_push(host: String, via: Option<String>, e: &ApiError) -> HostPush {
    HostPush {
        host,
        files_sent: 0,
        files_present: 0,
        bytes_sent: 0,
        via,
        error_code: Some(e.code().into()),
        error: Some(e.to_string()),
    }
}

/// Runs `script` on `session` (as root) and fails unless it exits 0; returns stdout.
async fn root_sh(session: &ko_ssh::Session, what: &str, script: &str) -> Result<String> {
    let out = session.run(script, &ko_ssh::ExecOptions::sudo()).await?;
    if !out.success() {
        return Err(ApiError::Ssh(ko_ssh::SshError::Remote {
            host: session.target().name.clone(),
            what: what.into(),
            status: out.status_text(),
            stderr: out.stderr.trim().to_string(),
        }));
    }
    Ok(out.stdout)
}

impl Api {
    /// Connects to `host`, makes sure its store exists, and returns the manifest's files for its
    /// architecture (and arch-independent ones) that it lacks; a bundle without files for the
    /// host's architecture is refused before anything is sent.
    async fn open_store<'m>(&self, host: &str, manifest: &'m ko_bundle::BundleManifest) -> Result<StoreState<'m>> {
        let h = host.to_string();
        let arch =
            self.db.read(move |c| Ok::<_, ApiError>(ko_store::hosts::get_by_name(c, &h)?.and_then(|r| r.arch))).await?;
        let wanted: Vec<&ko_bundle::BundleFile> =
            manifest.files.iter().filter(|f| f.arch == "all" || arch.as_deref().is_none_or(|a| a == f.arch)).collect();
        if let Some(a) = &arch
            && manifest.files.iter().any(|f| f.arch != "all")
            && !wanted.iter().any(|f| f.arch == *a)
        {
            return Err(ApiError::invalid(
                "bundle.wrong_arch",
                "host",
                format!(
                    "bundle '{}' has no {a} files (it was built for {}) but host '{host}' is {a}; build it with --arch {a}",
                    manifest.name,
                    manifest.arches.join(",")
                ),
            ));
        }
        let target = self.target_of(host).await?;
        let session = ko_ssh::Session::connect(&target, &self.connect_options()).await?;
        let listing =
            root_sh(&session, "reading the store", &format!("mkdir -p {HOST_STORE} && ls {HOST_STORE}")).await?;
        let present: std::collections::HashSet<&str> = listing.lines().map(str::trim).collect();
        let wanted_count = wanted.len();
        let missing = wanted.into_iter().filter(|f| !present.contains(f.sha256.as_str())).collect();
        Ok(StoreState { target, session, wanted: wanted_count, missing })
    }

    /// Relay mode of [`Api::bundle_push`].
    async fn push_relayed(
        &self,
        seed: &str,
        hosts: Vec<String>,
        manifest: &ko_bundle::BundleManifest,
        dir: &Path,
        tally: std::sync::Arc<PushTally>,
        progress: std::sync::Arc<impl Fn(PushProgress) + Send + Sync + 'static>,
    ) -> Result<Vec<HostPush>> {
        use ko_ssh::shell_quote as q;
        let mut report = vec![match self.push_one(seed, manifest, dir, tally.clone(), progress.clone()).await {
            Ok(r) => r,
            Err(e) => {
                return Ok(std::iter::once(seed.to_string()).chain(hosts).map(|h| failed_push(h, None, &e)).collect());
            }
        }];
        let seed_target = self.target_of(seed).await?;
        let seed_session = ko_ssh::Session::connect(&seed_target, &self.connect_options()).await?;
        let nonce = format!("ko-relay-{}", uuid::Uuid::new_v4().simple());
        let setup = root_sh(
            &seed_session,
            "making the relay key",
            &format!(
                "d=$(mktemp -d /root/.ko-relay.XXXXXX) && ssh-keygen -q -t ed25519 -N '' -C {nonce} -f $d/key && echo \"$d\" && cat $d/key.pub && hostname -I"
            ),
        )
        .await?;
        let mut lines = setup.lines();
        let key = RelayKey {
            dir: lines.next().unwrap_or_default().to_string(),
            public_key: lines.next().unwrap_or_default().to_string(),
            from: lines.next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(","),
            nonce,
        };
        let others: Vec<String> = hosts.into_iter().filter(|h| h != seed).collect();
        let results = ko_ssh::fan_out(others, ko_ssh::DEFAULT_PARALLELISM, |host| {
            let (seed_session, key, tally, progress) = (&seed_session, &key, tally.clone(), progress.clone());
            async move {
                let r = self.relay_one(&host, seed_session, key, manifest, tally, progress).await;
                r.unwrap_or_else(|e| failed_push(host, Some(seed.to_string()), &e))
            }
        })
        .await;
        let _ = root_sh(&seed_session, "removing the relay key", &format!("rm -rf {}", q(&key.dir))).await;
        report.extend(results.into_iter().map(|(_, r)| r));
        Ok(report)
    }

    /// Copies the files `host` lacks from the seed's store to `host`'s.
    async fn relay_one(
        &self,
        host: &str,
        seed: &ko_ssh::Session,
        key: &RelayKey,
        manifest: &ko_bundle::BundleManifest,
        tally: std::sync::Arc<PushTally>,
        progress: std::sync::Arc<impl Fn(PushProgress) + Send + Sync + 'static>,
    ) -> Result<HostPush> {
        use ko_ssh::shell_quote as q;
        use std::sync::atomic::Ordering::Relaxed;
        let StoreState { target, session, wanted, missing } = self.open_store(host, manifest).await?;
        let seed_name = seed.target().name.clone();
        if missing.is_empty() {
            return Ok(HostPush {
                host: host.into(),
                files_sent: 0,
                files_present: wanted,
                bytes_sent: 0,
                via: Some(seed_name),
                error_code: None,
                error: None,
            });
        }
        tally.files_total.fetch_add(missing.len(), Relaxed);
        tally.bytes_total.fetch_add(missing.iter().map(|f| f.size).sum(), Relaxed);
        let entry = format!("from=\"{}\",restrict {}", key.from, key.public_key);
        root_sh(
            &session,
            "authorising the relay key",
            &format!(
                "mkdir -p /root/.ssh && chmod 700 /root/.ssh && printf '%s\\n' {} >> /root/.ssh/authorized_keys",
                q(&entry)
            ),
        )
        .await?;
        let host_key = session.host_key().openssh.clone();
        let known = if target.port == 22 {
            format!("{} {host_key}", target.address)
        } else {
            format!("[{}]:{} {host_key}", target.address, target.port)
        };
        let kh = format!("{}/known_hosts.{host}", key.dir);
        let mut script = format!("printf '%s\\n' {} > {}\n", q(&known), q(&kh));
        for f in &missing {
            let part = format!("{HOST_STORE}/{}.ko-part", f.sha256);
            let dest = format!("{HOST_STORE}/{}", f.sha256);
            let remote = format!(
                "{} mkdir -p {HOST_STORE} && cat > {part} && if [ \"$(kosha < {part})\" = {sha} ]; then chmod 644 {part} && mv -f {part} {dest}; else rm -f {part}; echo 'hash mismatch' >&2; exit 3; fi",
                ko_ssh::REMOTE_SHA,
                sha = f.sha256
            );
            script.push_str(&format!(
                "ssh -i {dir}/key -o UserKnownHostsFile={kh} -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=15 -p {port} root@{addr} {cmd} < {dest} || exit $?\necho ko-relayed {size} {path}\n",
                dir = q(&key.dir),
                kh = q(&kh),
                port = target.port,
                addr = q(&target.address),
                cmd = q(&remote),
                size = f.size,
                path = q(&f.path),
            ));
        }
        let (t, p, h) = (tally.clone(), progress.clone(), host.to_string());
        let outcome = seed
            .exec(&script, &ko_ssh::ExecOptions::sudo(), move |line| {
                let mut parts = line.line.splitn(3, ' ');
                if parts.next() == Some("ko-relayed") {
                    let size: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                    let done = t.bytes_done.fetch_add(size, Relaxed) + size;
                    let files = t.files_done.fetch_add(1, Relaxed) + 1;
                    p(PushProgress {
                        host: h.clone(),
                        file: parts.next().unwrap_or_default().to_string(),
                        bytes_done: done,
                        bytes_total: t.bytes_total.load(Relaxed),
                        files_done: files,
                        files_total: t.files_total.load(Relaxed),
                    });
                }
            })
            .await;
        let _ = root_sh(
            &session,
            "removing the relay key",
            &format!("sed -i '/{}/d' /root/.ssh/authorized_keys", key.nonce),
        )
        .await;
        let outcome = outcome?;
        if !outcome.success() {
            return Err(ApiError::Ssh(ko_ssh::SshError::Remote {
                host: host.into(),
                what: format!("copying from the seed {seed_name}"),
                status: outcome.status_text(),
                stderr: outcome.stderr.trim().to_string(),
            }));
        }
        Ok(HostPush {
            host: host.into(),
            files_sent: missing.len(),
            files_present: wanted - missing.len(),
            bytes_sent: missing.iter().map(|f| f.size).sum(),
            via: Some(seed_name),
            error_code: None,
            error: None,
        })
    }
}
