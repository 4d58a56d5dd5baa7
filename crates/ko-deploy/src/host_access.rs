//! Reaching the registered hosts: the SSH target of each (its pinned key, its jump chain, the
//! login its credential makes, sudo), the connect options, and the facts a connection gathers.

use crate::{CredentialAuth, DeployError, Deployer, HostRefusal, Result};
use ko_secrets::{CredentialSecret, Sensitive};
use ko_ssh::{Auth, ConnectOptions, HostFacts, HostKeyPolicy, Target};
use ko_store::hosts::{self, Host};
use ko_store::{Connection, credentials};

/// Bastions one host may be behind, at most.
const MAX_JUMP_DEPTH: usize = 5;

/// A host to register.
#[derive(Debug, Clone)]
pub struct HostSpec {
    /// Unique name.
    pub name: String,
    /// IP address or DNS name.
    pub address: String,
    /// SSH port.
    pub port: u16,
    /// Credential name.
    pub credential: String,
    /// Name of the registered host to jump through.
    pub jump: Option<String>,
}

/// Registered host `name`'s row.
pub fn host_row(c: &Connection, name: &str) -> Result<Host> {
    hosts::get_by_name(c, name)?.ok_or_else(|| DeployError::NotFound { kind: "host", name: name.into() })
}

impl Deployer {
    /// Connect options for host operations: `KO_SSH_CONNECT_TIMEOUT` and `KO_SSH_KEEPALIVE`
    /// (seconds) override the defaults (15 s; a dead link is noticed after 4 keepalive intervals of 10 s).
    pub fn connect_options(&self) -> ConnectOptions {
        let mut o = ConnectOptions::default();
        let secs = |var: &str| std::env::var(var).ok().and_then(|s| s.parse().ok()).map(std::time::Duration::from_secs);
        if let Some(t) = secs("KO_SSH_CONNECT_TIMEOUT") {
            o.connect_timeout = t;
        }
        if let Some(t) = secs("KO_SSH_KEEPALIVE") {
            o.keepalive_interval = t;
        }
        o
    }

    /// Reads a credential's secret from the secret store and makes the SSH login of it.
    async fn login_for(&self, credential: &str) -> Result<(String, Auth, Option<Sensitive<String>>)> {
        let name = credential.to_string();
        let cred = self
            .db
            .read(move |c| {
                credentials::get_by_name(c, &name)?.ok_or(DeployError::NotFound { kind: "credential", name })
            })
            .await?;
        let store = self.secrets.clone();
        let key = cred.keychain_ref.clone();
        let secret = tokio::task::spawn_blocking(move || -> Result<CredentialSecret> {
            Ok(CredentialSecret::from_entry(&key, &store.get(&key)?)?)
        })
        .await??;
        // the stored kind is an enum: one this release does not know failed the read, never agent auth
        let auth = CredentialAuth::stored(&cred, &secret)?.into();
        Ok((cred.username, auth, secret.sudo_password))
    }

    /// The SSH target of a registered host, with its pinned key and its jump chain.
    pub async fn target_of(&self, name: &str) -> Result<Target> {
        let mut chain = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next {
            if chain.len() > MAX_JUMP_DEPTH {
                return Err(HostRefusal::JumpTooDeep { host: name.to_string(), max: MAX_JUMP_DEPTH }.into());
            }
            let row = self.db.read(move |c| host_row(c, &n)).await?;
            next = row.jump.clone();
            chain.push(row);
        }
        let mut target: Option<Target> = None;
        for row in chain.into_iter().rev() {
            let fingerprint =
                row.host_key_fingerprint.clone().ok_or_else(|| HostRefusal::NoPinnedKey { host: row.name.clone() })?;
            let (user, auth, sudo_password) = self.login_for(&row.credential).await?;
            target = Some(Target {
                name: row.name,
                address: row.address,
                port: row.port,
                user,
                auth,
                sudo_password,
                host_key: HostKeyPolicy::Pinned { fingerprint, algorithm: row.host_key_algorithm },
                jump: target.map(Box::new),
            });
        }
        target.ok_or_else(|| DeployError::Internal("empty jump chain".into()))
    }

    /// A target for a host that is not registered yet, its key checked by `policy`.
    pub async fn new_target(&self, spec: &HostSpec, policy: HostKeyPolicy) -> Result<Target> {
        let (user, auth, sudo_password) = self.login_for(&spec.credential).await?;
        let jump = match &spec.jump {
            Some(j) => Some(Box::new(self.target_of(j).await?)),
            None => None,
        };
        Ok(Target {
            name: spec.name.clone(),
            address: spec.address.clone(),
            port: spec.port,
            user,
            auth,
            sudo_password,
            host_key: policy,
            jump,
        })
    }

    /// Stores freshly gathered `facts` with host `name` (which is then `running`); returns its row.
    pub async fn record_facts(&self, name: &str, facts: &HostFacts) -> Result<Host> {
        let json = serde_json::to_string(facts)?;
        let (n, arch) = (name.to_string(), facts.arch.clone());
        self.db
            .write(move |tx| {
                let id = host_row(tx, &n)?.id;
                hosts::set_facts(tx, id, &arch, &json)?;
                host_row(tx, &n)
            })
            .await
    }
}
