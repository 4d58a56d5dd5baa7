//! Pushing a library bundle's files into the hosts' content-addressed stores: only what a host
//! lacks is sent (partial files resume), each file verified on the host before it is renamed into
//! place, straight from this machine or relayed by seed hosts.

use crate::{DeployError, Deployer, Result};
use serde::Serialize;
use std::path::Path;

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

/// Bytes and files sent and to send, all hosts of a push together.
pub struct PushTally {
    bytes_done: std::sync::atomic::AtomicU64,
    bytes_total: std::sync::atomic::AtomicU64,
    files_done: std::sync::atomic::AtomicUsize,
    files_total: std::sync::atomic::AtomicUsize,
}

impl PushTally {
    /// Nothing counted yet.
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            bytes_done: 0.into(),
            bytes_total: 0.into(),
            files_done: 0.into(),
            files_total: 0.into(),
        })
    }
}

impl Deployer {
    /// Pushes the files of `manifest` (in `dir`) that `host` lacks into its store, counting
    /// into `tally` and reporting each update to `progress`.
    pub async fn push_one(
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
fn failed_push(host: String, via: Option<String>, e: &DeployError) -> HostPush {
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
        return Err(DeployError::Ssh(ko_ssh::SshError::Remote {
            host: session.target().name.clone(),
            what: what.into(),
            status: out.status_text(),
            stderr: out.stderr.trim().to_string(),
        }));
    }
    Ok(out.stdout)
}

impl Deployer {
    /// Connects to `host`, makes sure its store exists, and returns the manifest's files for its
    /// architecture (and arch-independent ones) that it lacks; a bundle without files for the
    /// host's architecture is refused before anything is sent.
    async fn open_store<'m>(&self, host: &str, manifest: &'m ko_bundle::BundleManifest) -> Result<StoreState<'m>> {
        let h = host.to_string();
        let arch = self
            .db
            .read(move |c| Ok::<_, DeployError>(ko_store::hosts::get_by_name(c, &h)?.and_then(|r| r.arch)))
            .await?;
        let wanted: Vec<&ko_bundle::BundleFile> =
            manifest.files.iter().filter(|f| f.arch == "all" || arch.as_deref().is_none_or(|a| a == f.arch)).collect();
        if let Some(a) = &arch
            && manifest.files.iter().any(|f| f.arch != "all")
            && !wanted.iter().any(|f| f.arch == *a)
        {
            return Err(DeployError::invalid(
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

    /// Relay mode of a push: this machine sends every file once, to the seed host `seed`, which
    /// copies to `hosts` over the cluster network (see `Api::bundle_push`).
    pub async fn push_relayed(
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
            return Err(DeployError::Ssh(ko_ssh::SshError::Remote {
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
