//! Pushing a library bundle's files into the hosts' content-addressed stores: only what a host
//! lacks is sent (partial files resume), each file verified on the host before it is renamed into
//! place, straight from this machine or relayed by seed hosts.

use crate::error::check_name;
use crate::{Actor, Api, HostPush, Permission, PushProgress, Result};
use ko_deploy::{PushTally, RunBundle};

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
        let deployer = &api.deployer();
        let RunBundle { manifest, dir } = deployer.run_bundle(bundle)?;
        let tally = PushTally::new();
        let progress = std::sync::Arc::new(progress);
        if let Some(seed) = relay {
            let report = deployer.push_relayed(&seed, hosts, &manifest, &dir, tally, progress).await?;
            api.audit_push(actor, bundle, &report).await?;
            return Ok(report);
        }
        let results = ko_ssh::fan_out(hosts, ko_ssh::DEFAULT_PARALLELISM, |host| {
            let (tally, progress, manifest, dir) = (tally.clone(), progress.clone(), &manifest, &dir);
            async move {
                let outcome = deployer.push_one(&host, manifest, dir, tally, progress).await;
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
}
