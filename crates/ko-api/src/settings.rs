//! System settings: repositories per architecture and NTP servers.

use crate::error::{check_name, must_exist};
use crate::{Actor, Api, ApiError, Permission, Result};
use ko_core::{Invalid, validate_host_address};
use ko_store::settings::{self, NtpServer, Repository};

/// A repository to set for one architecture.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct NewRepository {
    /// `amd64` or `arm64`.
    pub arch: String,
    /// `http` or `https`.
    pub protocol: String,
    /// Host name or IP.
    pub hostname: String,
    /// Package repository port.
    pub repo_port: u16,
    /// Container registry port.
    pub registry_port: Option<u16>,
}

fn check_arch(arch: &str) -> Result<()> {
    match arch {
        "amd64" | "arm64" => Ok(()),
        _ => Err(ApiError::invalid(
            "arch.invalid",
            "arch",
            format!("'{arch}' is not an architecture; use amd64 or arm64"),
        )),
    }
}

fn check_address(field: &str, value: &str) -> Result<()> {
    validate_host_address(field, value).map_or(Ok(()), |p| Err(ApiError::Invalid(Invalid(vec![p]))))
}

impl Api {
    /// Sets the repository of one architecture (adding or replacing it).
    pub async fn repo_set(&self, actor: &Actor, repo: NewRepository) -> Result<()> {
        let target = repo.arch.clone();
        self.audited(actor, "setting.repo.set", &target, async {
            self.authorize(actor, Permission::ManageSystem, "change repositories").await?;
            check_arch(&repo.arch)?;
            if !matches!(repo.protocol.as_str(), "http" | "https") {
                return Err(ApiError::invalid(
                    "repo.protocol_invalid",
                    "protocol",
                    format!("'{}' is not a protocol; use http or https", repo.protocol),
                ));
            }
            check_address("hostname", &repo.hostname)?;
            if repo.repo_port == 0 || repo.registry_port == Some(0) {
                return Err(ApiError::invalid("repo.port_invalid", "port", "ports are 1-65535"));
            }
            let row = Repository {
                arch: repo.arch,
                protocol: repo.protocol,
                hostname: repo.hostname,
                repo_port: repo.repo_port,
                registry_port: repo.registry_port,
            };
            Ok(self.db.write(move |tx| settings::set_repository(tx, &row)).await?)
        })
        .await
    }

    /// All repositories.
    pub async fn repo_list(&self, actor: &Actor) -> Result<Vec<Repository>> {
        self.authorize(actor, Permission::ManageSystem, "view repositories").await?;
        Ok(self.db.read(settings::repositories).await?)
    }

    /// Removes the repository of one architecture.
    pub async fn repo_rm(&self, actor: &Actor, arch: &str) -> Result<()> {
        self.audited(actor, "setting.repo.rm", arch, async {
            self.authorize(actor, Permission::ManageSystem, "change repositories").await?;
            check_arch(arch)?;
            let a = arch.to_string();
            self.db.write(move |tx| must_exist(settings::remove_repository(tx, &a)?, "repository", a)).await
        })
        .await
    }

    /// Adds an NTP server (enabled).
    pub async fn ntp_add(&self, actor: &Actor, name: &str, address: &str) -> Result<NtpServer> {
        self.audited(actor, "setting.ntp.add", name, async {
            self.authorize(actor, Permission::ManageSystem, "change NTP servers").await?;
            check_name("name", name)?;
            check_address("address", address)?;
            let server = NtpServer { name: name.into(), address: address.into(), enabled: true };
            let row = server.clone();
            self.db
                .write(move |tx| {
                    if let Some(existing) =
                        settings::ntp_servers(tx)?.into_iter().find(|s| s.name == row.name || s.address == row.address)
                    {
                        return Err(ApiError::AlreadyExists {
                            kind: "ntp server",
                            name: format!("{} ({})", existing.name, existing.address),
                        });
                    }
                    Ok(settings::add_ntp(tx, &row)?)
                })
                .await?;
            Ok(server)
        })
        .await
    }

    /// All NTP servers.
    pub async fn ntp_list(&self, actor: &Actor) -> Result<Vec<NtpServer>> {
        self.authorize(actor, Permission::ManageSystem, "view NTP servers").await?;
        Ok(self.db.read(settings::ntp_servers).await?)
    }

    /// Enables or disables an NTP server.
    pub async fn ntp_set_enabled(&self, actor: &Actor, name: &str, enabled: bool) -> Result<()> {
        let action = if enabled { "setting.ntp.enable" } else { "setting.ntp.disable" };
        self.audited(actor, action, name, async {
            self.authorize(actor, Permission::ManageSystem, "change NTP servers").await?;
            let n = name.to_string();
            self.db.write(move |tx| must_exist(settings::set_ntp_enabled(tx, &n, enabled)?, "ntp server", n)).await
        })
        .await
    }

    /// Removes an NTP server.
    pub async fn ntp_rm(&self, actor: &Actor, name: &str) -> Result<()> {
        self.audited(actor, "setting.ntp.rm", name, async {
            self.authorize(actor, Permission::ManageSystem, "change NTP servers").await?;
            let n = name.to_string();
            self.db.write(move |tx| must_exist(settings::remove_ntp(tx, &n)?, "ntp server", n)).await
        })
        .await
    }
}
