//! Hosts: registered over SSH with a pinned key, described by their facts.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, HostSpec, Permission, Result, Role};
use ko_core::{Invalid, validate_host_address};
use ko_deploy::host_row;
use ko_ssh::{HostFacts, HostKey, HostKeyPolicy, Session, SshError, gather_facts};
use ko_store::credentials;
use ko_store::hosts::{self, Host, NewHost, PinnedKey};
use serde::Serialize;
use std::path::PathBuf;

/// Which host key to accept for a new or re-trusted host.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Exactly this `SHA256:` fingerprint (shown to and confirmed by a person).
    Fingerprint(String),
    /// Whatever the host presents now (the caller accepted this risk explicitly).
    FirstUse,
    /// The key recorded for the host in an OpenSSH `known_hosts` file.
    KnownHosts(PathBuf),
}

/// A host with its facts parsed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HostDetail {
    /// The host as stored.
    #[serde(flatten)]
    pub host: Host,
    /// Its facts, once gathered.
    pub facts: Option<HostFacts>,
}

impl HostDetail {
    fn from(host: Host) -> Self {
        let facts = host.facts.as_deref().and_then(|f| serde_json::from_str(f).ok());
        Self { host: Host { facts: None, ..host }, facts }
    }
}

/// The outcome of one row of a CSV import.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportRow {
    /// Line number in the file.
    pub line: usize,
    /// Host name in that line.
    pub name: String,
    /// `ok`, or the error code.
    pub result: String,
    /// The error message, for failures.
    pub message: String,
}

fn ssh_error(e: SshError) -> ApiError {
    ApiError::Ssh(e)
}

impl Api {
    fn check_spec(spec: &HostSpec) -> Result<()> {
        check_name("name", &spec.name)?;
        if let Some(p) = validate_host_address("address", &spec.address) {
            return Err(ApiError::Invalid(Invalid(vec![p])));
        }
        if spec.port == 0 {
            return Err(ApiError::invalid("host.port_invalid", "port", "the SSH port must be 1-65535"));
        }
        Ok(())
    }

    /// The key a host presents, to show a person before they trust it. Nothing is stored.
    pub async fn host_scan_key(&self, actor: &Actor, spec: &HostSpec) -> Result<HostKey> {
        self.authorize(actor, Permission::ManageSystem, "add hosts").await?;
        Self::check_spec(spec)?;
        let target = self.deployer().new_target(spec, HostKeyPolicy::TrustOnFirstUse).await?;
        ko_ssh::scan_host_key(&target, &self.deployer().connect_options()).await.map_err(ssh_error)
    }

    async fn policy_for(&self, spec: &HostSpec, trust: &Trust) -> Result<HostKeyPolicy> {
        Ok(match trust {
            Trust::Fingerprint(fp) => HostKeyPolicy::Pinned { fingerprint: fp.clone(), algorithm: None },
            Trust::FirstUse => HostKeyPolicy::TrustOnFirstUse,
            Trust::KnownHosts(path) => {
                let keys = ko_ssh::known_hosts_lookup(path, &spec.address, spec.port).map_err(ssh_error)?;
                let key = keys.iter().find(|k| k.algorithm == "ssh-ed25519").or(keys.first()).ok_or_else(|| {
                    ApiError::invalid(
                        "host.not_in_known_hosts",
                        "known_hosts",
                        format!("{} has no key for {}:{}", path.display(), spec.address, spec.port),
                    )
                })?;
                HostKeyPolicy::Pinned { fingerprint: key.fingerprint.clone(), algorithm: Some(key.algorithm.clone()) }
            }
        })
    }

    /// Registers a host: connects through its jump host(s), checks the host key against `trust`,
    /// logs in, gathers facts, and stores the host with the key pinned.
    pub async fn host_add(&self, actor: &Actor, spec: HostSpec, trust: Trust) -> Result<HostDetail> {
        let name = spec.name.clone();
        self.audited(actor, "host.add", &name, async {
            self.authorize(actor, Permission::ManageSystem, "add hosts").await?;
            Self::check_spec(&spec)?;
            let exists = {
                let n = spec.name.clone();
                self.db.read(move |c| Ok::<_, ApiError>(hosts::get_by_name(c, &n)?.is_some())).await?
            };
            if exists {
                return Err(ApiError::AlreadyExists { kind: "host", name: spec.name.clone() });
            }
            let policy = self.policy_for(&spec, &trust).await?;
            let target = self.deployer().new_target(&spec, policy).await?;
            let session = Session::connect(&target, &self.deployer().connect_options()).await.map_err(ssh_error)?;
            let facts = gather_facts(&session).await.map_err(ssh_error)?;
            let key = session.host_key().clone();
            let facts_json = serde_json::to_string(&facts)?;
            let arch = facts.arch.clone();
            let s = spec.clone();
            let stored = self
                .db
                .write(move |tx| {
                    let cred = credentials::get_by_name(tx, &s.credential)?
                        .ok_or_else(|| ApiError::NotFound { kind: "credential", name: s.credential.clone() })?;
                    let jump_id = match &s.jump {
                        Some(j) => Some(host_row(tx, j)?.id),
                        None => None,
                    };
                    let new = NewHost {
                        name: &s.name,
                        address: &s.address,
                        port: s.port,
                        credential_id: cred.id,
                        jump_host_id: jump_id,
                    };
                    let id = hosts::insert(tx, &new)?;
                    hosts::pin_key(
                        tx,
                        id,
                        &PinnedKey { algorithm: &key.algorithm, key: &key.openssh, fingerprint: &key.fingerprint },
                    )?;
                    hosts::set_facts(tx, id, &arch, &facts_json)?;
                    Ok::<_, ApiError>(host_row(tx, &s.name)?)
                })
                .await?;
            Ok(HostDetail::from(stored))
        })
        .await
    }

    /// The hosts the actor may see: all for a system admin, those granted to their projects for a
    /// project admin.
    pub async fn host_list(&self, actor: &Actor) -> Result<Vec<HostDetail>> {
        let grants = self.grants(actor).await?;
        if grants.allows(Permission::ManageSystem) {
            return Ok(self.db.read(hosts::list).await?.into_iter().map(HostDetail::from).collect());
        }
        if !grants.allows(Permission::ViewVersions) {
            return Err(ApiError::Forbidden {
                actor: actor.name.clone(),
                action: "list hosts".into(),
                reason: "it needs a system or project administrator".into(),
            });
        }
        let projects: Vec<i64> =
            grants.project_roles.iter().filter(|(_, r)| *r == Role::ProjectAdmin).map(|(p, _)| *p).collect();
        let (all, granted) =
            self.db.read(move |c| Ok::<_, ApiError>((hosts::list(c)?, hosts::granted_to(c, &projects)?))).await?;
        Ok(all.into_iter().filter(|h| granted.contains(&h.id)).map(HostDetail::from).collect())
    }

    /// One host with its facts.
    pub async fn host_show(&self, actor: &Actor, name: &str) -> Result<HostDetail> {
        self.host_list(actor)
            .await?
            .into_iter()
            .find(|h| h.host.name == name)
            .ok_or_else(|| ApiError::NotFound { kind: "host", name: name.into() })
    }

    /// Connects with the pinned key and gathers facts again; a failure is recorded in the host's
    /// status (unreachable / failed) and returned.
    pub async fn host_refresh(&self, actor: &Actor, name: &str) -> Result<HostDetail> {
        self.audited(actor, "host.refresh", name, async {
            self.authorize(actor, Permission::ManageSystem, "refresh hosts").await?;
            let target = self.deployer().target_of(name).await?;
            let outcome = async {
                let session = Session::connect(&target, &self.deployer().connect_options()).await?;
                gather_facts(&session).await
            }
            .await;
            let n = name.to_string();
            match outcome {
                Ok(facts) => Ok(HostDetail::from(self.deployer().record_facts(name, &facts).await?)),
                Err(e) => {
                    let status = if e.is_transient() { "unreachable" } else { "failed" };
                    let message = e.to_string();
                    self.db
                        .write(move |tx| {
                            let id = host_row(tx, &n)?.id;
                            Ok::<_, ApiError>(hosts::set_status(tx, id, status, &message)?)
                        })
                        .await?;
                    Err(ssh_error(e))
                }
            }
        })
        .await
    }

    /// Pins a host's current key deliberately (after it changed): the key presented must match
    /// `Trust::Fingerprint`, or is taken as it is with `Trust::FirstUse`.
    pub async fn host_trust(&self, actor: &Actor, name: &str, trust: Trust) -> Result<HostKey> {
        self.audited(actor, "host.trust", name, async {
            self.authorize(actor, Permission::ManageSystem, "trust host keys").await?;
            let mut target = self.deployer().target_of(name).await?;
            let row = {
                let n = name.to_string();
                self.db.read(move |c| host_row(c, &n)).await?
            };
            let spec = HostSpec {
                name: row.name.clone(),
                address: row.address.clone(),
                port: row.port,
                credential: row.credential.clone(),
                jump: row.jump.clone(),
            };
            target.host_key = self.policy_for(&spec, &trust).await?;
            let session = Session::connect(&target, &self.deployer().connect_options()).await.map_err(ssh_error)?;
            let key = session.host_key().clone();
            let k = key.clone();
            self.db
                .write(move |tx| {
                    hosts::pin_key(
                        tx,
                        row.id,
                        &PinnedKey { algorithm: &k.algorithm, key: &k.openssh, fingerprint: &k.fingerprint },
                    )
                })
                .await?;
            Ok(key)
        })
        .await
    }

    /// Removes a host that no cluster uses and no host jumps through.
    pub async fn host_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "host.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "remove hosts").await?;
            let n = name.to_string();
            self.db
                .write(move |tx| {
                    let row = host_row(tx, &n)?;
                    let users = hosts::users_of(tx, row.id)?;
                    if !users.is_empty() {
                        return Err(ApiError::InUse { kind: "host", name: n, users });
                    }
                    Ok(hosts::delete(tx, row.id)?)
                })
                .await
        })
        .await
    }

    /// Adds hosts from CSV text (`name,address,port,credential,jump,fingerprint`; a header line is
    /// optional; port, jump and fingerprint may be empty). Rows without a fingerprint need
    /// `trust_first_use`. Hosts without a jump host are added in parallel, then the others;
    /// every row gets its own result.
    pub async fn host_import_csv(&self, actor: &Actor, csv: &str, trust_first_use: bool) -> Result<Vec<ImportRow>> {
        self.authorize(actor, Permission::ManageSystem, "add hosts").await?;
        let mut rows = Vec::new();
        let mut results = Vec::new();
        for (i, raw) in csv.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || (i == 0 && line.to_ascii_lowercase().starts_with("name,")) {
                continue;
            }
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            let bad = |message: String| ImportRow {
                line: i + 1,
                name: cols[0].to_string(),
                result: "invalid".into(),
                message,
            };
            if cols.len() < 4 {
                results.push(bad("expected name,address,port,credential[,jump[,fingerprint]]".into()));
                continue;
            }
            let port = if cols[2].is_empty() { Ok(22) } else { cols[2].parse::<u16>() };
            let Ok(port) = port else {
                results.push(bad(format!("'{}' is not a port", cols[2])));
                continue;
            };
            let opt = |i: usize| cols.get(i).filter(|v| !v.is_empty()).map(|v| v.to_string());
            let trust = match opt(5) {
                Some(fp) => Trust::Fingerprint(fp),
                None if trust_first_use => Trust::FirstUse,
                None => {
                    results.push(bad(
                        "no fingerprint: add one in the 6th column or import with --trust-on-first-use".into()
                    ));
                    continue;
                }
            };
            let spec = HostSpec {
                name: cols[0].into(),
                address: cols[1].into(),
                port,
                credential: cols[3].into(),
                jump: opt(4),
            };
            rows.push((i + 1, spec, trust));
        }
        let (direct, behind): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, s, _)| s.jump.is_none());
        // each credential is read once for all the rows
        let api = &self.with_secret_cache();
        for batch in [direct, behind] {
            let done = ko_ssh::fan_out(batch, ko_ssh::DEFAULT_PARALLELISM, |(line, spec, trust)| async move {
                let name = spec.name.clone();
                let r = api.host_add(actor, spec, trust).await;
                ImportRow {
                    line,
                    name,
                    result: r.as_ref().map_or_else(|e| e.code().to_string(), |_| "ok".into()),
                    message: r.err().map(|e| e.to_string()).unwrap_or_default(),
                }
            })
            .await;
            results.extend(done.into_iter().map(|(_, r)| r));
        }
        results.sort_by_key(|r| r.line);
        Ok(results)
    }
}
