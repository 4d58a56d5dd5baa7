//! Regions of auto mode (system administrators): a vSphere endpoint and one of its datacenters.
//! The endpoint's certificate is pinned like an SSH host key — its fingerprint is read first
//! ([`Api::region_fingerprint`]) and must be given back to add the region — and the region is
//! checked before it is stored: the login must succeed and the datacenter exist. The password
//! goes to the secret store, never to SQLite.

use crate::error::check_name;
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_iaas::vsphere::{About, Inventory, Session};
use ko_secrets::Sensitive;
use ko_store::regions::{self, RegionRow};
use serde::{Deserialize, Serialize};

/// A new region.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
pub struct RegionForm {
    /// Its name.
    pub name: String,
    /// `vsphere` (OpenStack and FusionCompute: not yet).
    pub provider: String,
    /// The vCenter's host name or address.
    pub host: String,
    /// Its HTTPS port.
    #[serde(default = "default_port")]
    pub port: u16,
    /// The user (an administrator's role is advised).
    pub user: String,
    /// The password (kept in the secret store).
    pub password: Sensitive<String>,
    /// The SHA-256 fingerprint of the vCenter's certificate, as read by the fingerprint check.
    pub fingerprint: String,
    /// The datacenter this region is.
    pub datacenter: String,
}

fn default_port() -> u16 {
    443
}

/// How a region is reached (kept as its config; the password is not in it).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RegionEndpoint {
    /// Host name or address.
    pub host: String,
    /// HTTPS port.
    pub port: u16,
    /// The user.
    pub user: String,
    /// The pinned certificate fingerprint.
    pub fingerprint: String,
}

/// A region as listed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegionSummary {
    /// Its name.
    pub name: String,
    /// `vsphere`, `openstack` or `fusioncompute`.
    pub provider: String,
    /// The datacenter.
    pub datacenter: String,
    /// How it is reached.
    pub endpoint: RegionEndpoint,
    /// Its zones.
    pub zones: Vec<String>,
}

/// What a region's endpoint answered now.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RegionCheck {
    /// The product, version and datacenters.
    pub about: About,
    /// What the region's datacenter offers a zone.
    pub inventory: Inventory,
}

fn key_of(name: &str) -> String {
    format!("region/{name}")
}

fn summary(row: RegionRow, zones: Vec<String>) -> Result<RegionSummary> {
    let endpoint: RegionEndpoint = serde_json::from_str(&row.config)?;
    Ok(RegionSummary { name: row.name, provider: row.provider, datacenter: row.datacenter, endpoint, zones })
}

/// Runs blocking IaaS calls off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> ko_iaas::Result<T> + Send + 'static) -> Result<T> {
    Ok(tokio::task::spawn_blocking(f).await??)
}

impl Api {
    /// The SHA-256 fingerprint of the certificate `host:port` presents, to be checked with the
    /// endpoint's administrator before the region is added with it.
    pub async fn region_fingerprint(&self, actor: &Actor, host: &str, port: u16) -> Result<String> {
        self.authorize(actor, Permission::ManageSystem, "add regions").await?;
        let host = host.to_string();
        blocking(move || ko_iaas::vsphere::fingerprint(&host, port)).await
    }

    /// Adds a region after logging in to it (the certificate must have the fingerprint given) and
    /// finding its datacenter; the password is stored last, in the secret store.
    pub async fn region_add(&self, actor: &Actor, form: RegionForm) -> Result<RegionSummary> {
        let name = form.name.clone();
        self.audited(actor, "region.add", &name, async {
            self.authorize(actor, Permission::ManageSystem, "add regions").await?;
            check_name("name", &form.name)?;
            if form.provider != "vsphere" {
                return Err(ApiError::invalid(
                    "region.provider_unsupported",
                    "provider",
                    format!(
                        "'{}' regions cannot be added yet: only vsphere is (OpenStack and FusionCompute come next)",
                        form.provider
                    ),
                ));
            }
            for (field, value) in [("host", &form.host), ("user", &form.user), ("datacenter", &form.datacenter)] {
                if value.trim().is_empty() {
                    return Err(ApiError::invalid("region.missing", field, format!("the region needs its {field}")));
                }
            }
            if form.fingerprint.trim().is_empty() {
                return Err(ApiError::invalid(
                    "region.fingerprint_needed",
                    "fingerprint",
                    format!(
                        "give the fingerprint of {}:{}'s certificate, read with `koctl region fingerprint {} --port {}` \
                         and checked with its administrator",
                        form.host, form.port, form.host, form.port
                    ),
                ));
            }
            let n = form.name.clone();
            if self.db.read(move |c| regions::get(c, &n)).await?.is_some() {
                return Err(ApiError::AlreadyExists { kind: "region", name: form.name });
            }
            let endpoint = RegionEndpoint {
                host: form.host.clone(),
                port: form.port,
                user: form.user.clone(),
                fingerprint: form.fingerprint.trim().to_uppercase(),
            };
            let (e, password, datacenter) = (endpoint.clone(), form.password.clone(), form.datacenter.clone());
            blocking(move || {
                let session = Session::login(&e.host, e.port, &e.fingerprint, &e.user, password.expose())?;
                session.inventory(&datacenter).map(drop)
            })
            .await?;
            let row = RegionRow {
                id: 0,
                name: form.name.clone(),
                provider: form.provider.clone(),
                datacenter: form.datacenter.clone(),
                config: serde_json::to_string(&endpoint)?,
                keychain_ref: key_of(&form.name),
            };
            let (store, secret) = (self.secrets.clone(), form.password.clone());
            let stored = row.clone();
            self.db
                .write(move |tx| {
                    regions::add(tx, &stored)?;
                    // last: a secret store failure rolls the row back
                    store.put(&stored.keychain_ref, &secret)?;
                    Ok::<_, ApiError>(())
                })
                .await?;
            summary(row, Vec::new())
        })
        .await
    }

    /// Every region with its zones.
    pub async fn region_list(&self, actor: &Actor) -> Result<Vec<RegionSummary>> {
        self.authorize(actor, Permission::ManageSystem, "view regions").await?;
        let rows = self
            .db
            .read(|c| {
                regions::list(c)?
                    .into_iter()
                    .map(|r| Ok((regions::zones(c, r.id)?, r)))
                    .collect::<ko_store::Result<Vec<_>>>()
            })
            .await?;
        rows.into_iter().map(|(zones, r)| summary(r, zones)).collect()
    }

    /// Logs in to region `name` now and reads its datacenters and what its datacenter offers.
    pub async fn region_check(&self, actor: &Actor, name: &str) -> Result<RegionCheck> {
        self.authorize(actor, Permission::ManageSystem, "check regions").await?;
        let n = name.to_string();
        let row = self
            .db
            .read(move |c| regions::get(c, &n))
            .await?
            .ok_or_else(|| ApiError::NotFound { kind: "region", name: name.into() })?;
        let endpoint: RegionEndpoint = serde_json::from_str(&row.config)?;
        let (store, key) = (self.secrets.clone(), row.keychain_ref.clone());
        let password = tokio::task::spawn_blocking(move || store.get(&key)).await??;
        blocking(move || {
            let session = Session::login(
                &endpoint.host,
                endpoint.port,
                &endpoint.fingerprint,
                &endpoint.user,
                password.expose(),
            )?;
            Ok(RegionCheck { about: session.about()?, inventory: session.inventory(&row.datacenter)? })
        })
        .await
    }

    /// Removes a region no zone uses, and its password.
    pub async fn region_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "region.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "remove regions").await?;
            let (n, store) = (name.to_string(), self.secrets.clone());
            self.db
                .write(move |tx| {
                    let r = regions::get(tx, &n)?.ok_or(ApiError::NotFound { kind: "region", name: n.clone() })?;
                    let zones = regions::zones(tx, r.id)?;
                    if !zones.is_empty() {
                        let users = zones.into_iter().map(|z| format!("zone {z}")).collect();
                        return Err(ApiError::InUse { kind: "region", name: n, users });
                    }
                    regions::remove(tx, r.id)?;
                    match store.delete(&r.keychain_ref) {
                        Ok(()) | Err(ko_secrets::SecretError::Missing(_)) => Ok(()),
                        Err(e) => Err(ApiError::from(e)),
                    }
                })
                .await
        })
        .await
    }
}
