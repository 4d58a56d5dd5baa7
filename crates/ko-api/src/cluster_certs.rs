//! A cluster's certificates: a task that collects them from the hosts (their expiry dates shown
//! per cluster), and one that renews them — etcd's issued again by the app, kubeadm's renewed on
//! the masters — restarting members and masters one at a time.

use crate::cert_expiry::{CertExpiry, read_collected};
use crate::tasks::PreparedTask;
use crate::{Actor, Api, Result};
use ko_core::Operation;
use ko_deploy::ClusterSecrets;
use ko_deploy::spec_of;
use ko_store::tasks::TaskKind;

impl Api {
    /// Prepares collecting the certificates of cluster `name` from its hosts (task `cluster.certs`);
    /// [`Api::cluster_show`] then lists their expiry dates.
    pub async fn cluster_check_certs(&self, actor: &Actor, name: &str) -> Result<PreparedTask> {
        self.cluster_task(actor, name, Operation::CheckCerts).await
    }

    /// Prepares renewing the certificates of cluster `name` (task `cluster.renew_certs`): the etcd
    /// members' and the API servers' etcd client certificates the app issued are forgotten now, so
    /// the task issues new ones once (a retry keeps those); then the hosts' certificates are
    /// collected again, so the expiry dates shown are the new ones.
    pub async fn cluster_renew_certs(&self, actor: &Actor, name: &str) -> Result<PreparedTask> {
        let cluster = self.operable_cluster(actor, name, TaskKind::RenewCerts).await?;
        let inv = self.deployer().stored_inventory(&spec_of(&cluster)?).await?;
        let members: Vec<String> = inv.select(&ko_playbook::Selector::Etcd).iter().map(|h| h.name.clone()).collect();
        let task = self.start_cluster_task(actor, &cluster, Operation::RenewCerts).await?;
        let (store, n) = (self.secrets.clone(), name.to_string());
        let nodes: Vec<String> = inv.hosts.iter().map(|h| h.name.clone()).collect();
        tokio::task::spawn_blocking(move || {
            let mut s = ClusterSecrets::load(&store, &n, &nodes)?;
            s.forget_issued(&members);
            s.save(&store, &n)
        })
        .await??;
        Ok(task)
    }

    /// What renewing the certificates of cluster `name` would run (nothing is touched and no
    /// certificate is issued: the new ones show as placeholders).
    pub async fn cluster_renew_certs_plan(&self, actor: &Actor, name: &str) -> Result<String> {
        let cluster = self.operable_cluster(actor, name, TaskKind::RenewCerts).await?;
        Ok(self.deployer().plan(&mut spec_of(&cluster)?, &Operation::RenewCerts).await?)
    }

    /// The certificates the last check collected from cluster `name`'s hosts, soonest to expire
    /// first (none before a check).
    pub(crate) fn collected_certs(&self, name: &str) -> Vec<CertExpiry> {
        let dir = self.deployer().cluster_dir(name).join("certs");
        let now = time::OffsetDateTime::now_utc();
        let mut out: Vec<CertExpiry> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let path = e.path();
                let host = path.file_name()?.to_str()?.strip_suffix(".pem")?.to_string();
                Some(read_collected(&host, &std::fs::read_to_string(&path).ok()?, now))
            })
            .flatten()
            .collect();
        out.sort_by(|a, b| (a.days_left, &a.host, &a.file).cmp(&(b.days_left, &b.host, &b.file)));
        out
    }
}
