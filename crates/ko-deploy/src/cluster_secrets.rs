//! A cluster's secrets, kept together in one entry of the secret store (`cluster/<name>`): the etcd
//! CA and what it issued (each member's certificate, the API servers' client certificate), the key
//! that encrypts Secrets at rest in etcd (made by the app, written only to the masters' root-only
//! encryption configuration), and what playbooks keep (`keep_secret`, e.g. the `ko-admin` token).
//!
//! A run reads them once and writes them once, whatever the number of hosts. Earlier releases kept
//! each in an entry of its own (`cluster/<name>/etcd-ca`, `…/etcd-member/<host>`, …); such a
//! cluster's entries are gathered into the one entry the first time it is read, then removed.

use crate::etcd_pki::{self, CertAndKey};
use crate::{DeployError, Result};
use base64::Engine;
use ko_secrets::{SecretStore, Sensitive, from_stored_json, to_stored_json};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What the `post` playbook keeps: the `ko-admin` service account's token the app and the
/// exported kubeconfig use.
pub const ADMIN_TOKEN: &str = "ko-admin-token";

/// Names playbooks may keep secrets under (anything else is refused, so a playbook cannot fill
/// the store with entries nothing forgets).
const KEEPABLE: &[&str] = &[ADMIN_TOKEN];

fn entry(cluster: &str) -> String {
    format!("cluster/{cluster}")
}

/// Every secret of one cluster, as kept (`v: 1`).
#[derive(Default, Serialize, Deserialize)]
pub struct ClusterSecrets {
    v: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etcd_ca: Option<CertAndKey>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    etcd_members: BTreeMap<String, CertAndKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etcd_client: Option<CertAndKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encryption_key: Option<Sensitive<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    kept: BTreeMap<String, Sensitive<String>>,
    /// Changed since it was read: [`ClusterSecrets::save`] writes it.
    #[serde(skip)]
    changed: bool,
}

impl ClusterSecrets {
    /// The secrets of `cluster` (none yet: empty). `hosts` are its nodes, for gathering the entries
    /// of an earlier release. Call from a blocking context.
    pub fn load(store: &SecretStore, cluster: &str, hosts: &[String]) -> Result<Self> {
        let key = entry(cluster);
        if let Some(text) = store.find(&key)? {
            let s: Self = from_stored_json(&key, &text)?;
            if s.v != 1 {
                return Err(ko_secrets::SecretError::Corrupt(key).into());
            }
            return Ok(s);
        }
        legacy::gather(store, cluster, hosts)
    }

    /// Writes the secrets back when something changed (one write).
    pub fn save(&mut self, store: &SecretStore, cluster: &str) -> Result<()> {
        if self.changed {
            self.v = 1;
            store.put(&entry(cluster), &to_stored_json(self))?;
            self.changed = false;
        }
        Ok(())
    }

    /// Forgets every secret of `cluster` (when it is deleted).
    pub fn forget(store: &SecretStore, cluster: &str, hosts: &[String]) -> Result<()> {
        // gathers (and so removes) an earlier release's entries first
        Self::load(store, cluster, hosts)?;
        Ok(store.delete(&entry(cluster))?)
    }

    /// The etcd CA, made on first use.
    pub(crate) fn etcd_ca(&mut self, cluster: &str) -> Result<CertAndKey> {
        if let Some(ca) = &self.etcd_ca {
            return Ok(ca.clone());
        }
        let ca = etcd_pki::make_ca(cluster)?;
        self.etcd_ca = Some(ca.clone());
        self.changed = true;
        Ok(ca)
    }

    /// The certificate of etcd member `host`, issued on first use (a retried task gets the same).
    pub(crate) fn etcd_member(&mut self, cluster: &str, host: &str, ips: &[IpAddr], days: u32) -> Result<CertAndKey> {
        if let Some(m) = self.etcd_members.get(host) {
            return Ok(m.clone());
        }
        let m = etcd_pki::make_member(&self.etcd_ca(cluster)?, cluster, host, ips, days)?;
        self.etcd_members.insert(host.into(), m.clone());
        self.changed = true;
        Ok(m)
    }

    /// The API servers' etcd client certificate, issued on first use.
    pub(crate) fn etcd_client(&mut self, cluster: &str, days: u32) -> Result<CertAndKey> {
        if let Some(c) = &self.etcd_client {
            return Ok(c.clone());
        }
        let c = etcd_pki::make_apiserver_client(&self.etcd_ca(cluster)?, cluster, days)?;
        self.etcd_client = Some(c.clone());
        self.changed = true;
        Ok(c)
    }

    /// Forgets the certificates the CA issued — the API servers' client certificate and those of
    /// `members` — so the next run issues new ones (a renewal).
    pub fn forget_issued(&mut self, members: &[String]) {
        for m in members {
            self.changed |= self.etcd_members.remove(m).is_some();
        }
        self.changed |= self.etcd_client.take().is_some();
    }

    /// The key for encryption at rest (32 random bytes, base64), made on first use.
    pub(crate) fn encryption_key(&mut self) -> Result<Sensitive<String>> {
        if let Some(k) = &self.encryption_key {
            return Ok(k.clone());
        }
        let mut bytes = Sensitive::new([0u8; 32]);
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), bytes.expose_mut())
            .map_err(|_| DeployError::Internal("the system's random source failed".into()))?;
        let key = Sensitive::new(base64::engine::general_purpose::STANDARD.encode(bytes.expose()));
        self.encryption_key = Some(key.clone());
        self.changed = true;
        Ok(key)
    }

    /// Keeps `value` under `name` (one of the names playbooks may keep).
    pub(crate) fn keep(&mut self, name: &str, value: Sensitive<String>) -> Result<()> {
        check_keepable(name)?;
        self.kept.insert(name.into(), value);
        self.changed = true;
        Ok(())
    }

    /// What a playbook kept under `name`.
    pub fn kept(&self, name: &str) -> Option<&Sensitive<String>> {
        self.kept.get(name)
    }
}

fn check_keepable(name: &str) -> Result<()> {
    if KEEPABLE.contains(&name) {
        Ok(())
    } else {
        Err(DeployError::NotKeepable { name: name.to_string(), allowed: KEEPABLE.join(", ") })
    }
}

/// The entries of earlier releases: one per secret.
mod legacy {
    use super::*;

    fn get_json<T: for<'de> Deserialize<'de>>(store: &SecretStore, key: &str) -> Result<Option<T>> {
        store.find(key)?.map(|text| from_stored_json(key, &text)).transpose().map_err(Into::into)
    }

    /// Gathers an earlier release's entries of `cluster` into one value, writes it, and removes
    /// them. Every cluster that has any has its CA: one read tells a cluster without any.
    pub(super) fn gather(store: &SecretStore, cluster: &str, hosts: &[String]) -> Result<ClusterSecrets> {
        let ca_key = format!("cluster/{cluster}/etcd-ca");
        let Some(ca) = get_json::<CertAndKey>(store, &ca_key)? else { return Ok(ClusterSecrets::default()) };
        let mut s = ClusterSecrets { etcd_ca: Some(ca), changed: true, ..ClusterSecrets::default() };
        let mut old = vec![ca_key];
        for h in hosts {
            let key = format!("cluster/{cluster}/etcd-member/{h}");
            if let Some(m) = get_json(store, &key)? {
                s.etcd_members.insert(h.clone(), m);
            }
            old.push(key);
        }
        let client_key = format!("cluster/{cluster}/etcd-client/kube-apiserver-etcd-client");
        s.etcd_client = get_json(store, &client_key)?;
        let encryption_key = format!("cluster/{cluster}/encryption-key");
        s.encryption_key = store.find(&encryption_key)?;
        old.extend([client_key, encryption_key]);
        for name in KEEPABLE {
            let key = format!("cluster/{cluster}/kept/{name}");
            if let Some(v) = store.find(&key)? {
                s.kept.insert(name.to_string(), v);
            }
            old.push(key);
        }
        s.save(store, cluster)?;
        for key in old {
            store.delete(&key)?;
        }
        tracing::info!(cluster, "the cluster's secrets were gathered into one entry of the secret store");
        Ok(s)
    }
}
