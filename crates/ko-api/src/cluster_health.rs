//! A cluster's health, from its API server ([`ko_k8s::probe`]): on demand, and on a schedule
//! while the app runs ([`Api::health_monitor`]). A running cluster whose API server stops
//! answering becomes `lost`, and `running` again when it answers (as in the reference system);
//! each change is in the audit log. The last probe is kept for the cluster page.

use crate::{Actor, Api, ApiError, Cluster, Permission, Result};
use futures::StreamExt;
use ko_core::ClusterStatus;
use ko_k8s::Health;
use ko_store::{audit, cluster_api, clusters};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use time::OffsetDateTime;

/// How often the desktop probes its clusters (`koctl serve --health-every` sets its own).
pub const HEALTH_PROBE_EVERY: Duration = Duration::from_secs(60);

/// How many clusters one round of the monitor probes at once.
const PROBES_AT_ONCE: usize = 8;

/// Who the audit log names for the monitor's status changes.
const MONITOR: &str = "health-monitor";

/// What a probe found, as kept and shown.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClusterHealth {
    /// When the probe ran (RFC 3339, UTC).
    pub checked_at: String,
    /// The API server answered.
    pub reachable: bool,
    /// Everything checked was well (readiness checks, nodes, system pods).
    pub healthy: bool,
    /// Why the probe could not read the cluster (not answering, a refused credential...).
    pub error: Option<HealthError>,
    /// What the API server reported.
    pub report: Option<Health>,
    /// The API server's serving certificate.
    pub serving_cert: Option<ServingCert>,
    /// The last time the API server answered.
    pub last_ok_at: Option<String>,
}

/// A cluster's health at a glance.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterHealthSummary {
    /// Cluster name.
    pub cluster: String,
    /// Its status (`lost` when its API server stopped answering).
    pub status: ClusterStatus,
    /// Its last probe (none before the first).
    pub health: Option<ClusterHealth>,
    /// The first thing wrong in one line (why it does not answer, a failed check, a node, a system
    /// pod); none when all is well or before the first probe.
    pub problem: Option<String>,
}

impl ClusterHealth {
    /// The first thing wrong in one line, if anything is.
    pub fn problem(&self) -> Option<String> {
        match (&self.error, &self.report) {
            (Some(e), _) => Some(e.message.clone()),
            (None, Some(r)) => r.first_problem(),
            (None, None) => None,
        }
    }
}

/// Why a probe failed.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HealthError {
    /// Stable code (`k8s.unreachable`, `k8s.unauthorized`...).
    pub code: String,
    /// What happened and what to check.
    pub message: String,
}

/// When the API server's serving certificate expires.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServingCert {
    /// End of validity (RFC 3339, UTC).
    pub not_after: String,
    /// Whole days from the probe until then.
    pub days_left: i64,
}

/// The part of [`ClusterHealth`] kept as the record's report.
#[derive(Serialize, Deserialize)]
struct StoredReport {
    error: Option<HealthError>,
    report: Option<Health>,
    serving_cert: Option<ServingCert>,
}

impl ClusterHealth {
    fn from_record(r: cluster_api::HealthRecord) -> Result<Self> {
        let stored: StoredReport = serde_json::from_str(&r.report)?;
        Ok(Self {
            checked_at: r.checked_at,
            reachable: r.reachable,
            healthy: r.healthy,
            error: stored.error,
            report: stored.report,
            serving_cert: stored.serving_cert,
            last_ok_at: r.last_ok_at,
        })
    }
}

/// Whether the app looks for `cluster`'s API server: an imported one, or a deployed one that is
/// (or was) running.
fn has_api(cluster: &Cluster) -> bool {
    cluster.provider == crate::cluster_access::IMPORTED
        || matches!(cluster.status, ClusterStatus::Running | ClusterStatus::Lost)
}

impl Api {
    /// Probes cluster `name` now, records what was found, and turns it `lost` or back to
    /// `running` accordingly.
    pub async fn cluster_health(&self, actor: &Actor, name: &str) -> Result<ClusterHealth> {
        let cluster = self.cluster_row(name).await?;
        self.authorize(actor, Permission::ViewProject(cluster.project_id), "see this cluster").await?;
        if !has_api(&cluster) {
            return Err(ApiError::Cluster(crate::ClusterRefusal::NotDeployed {
                cluster: name.into(),
                what: "API server",
                stage: "control-plane",
            }));
        }
        self.probe_and_record(&cluster).await
    }

    /// The last probe of each visible cluster whose API server the app looks for (the
    /// overview's health board): lost clusters first, then unhealthy ones, then the rest, by name.
    pub async fn health_summary(&self, actor: &Actor) -> Result<Vec<ClusterHealthSummary>> {
        let mut all = Vec::new();
        for cluster in self.cluster_list(actor).await?.into_iter().filter(has_api) {
            let health = self.last_health(cluster.id).await?;
            let problem = health.as_ref().and_then(ClusterHealth::problem);
            all.push(ClusterHealthSummary { cluster: cluster.name, status: cluster.status, health, problem });
        }
        let rank = |s: &ClusterHealthSummary| match (&s.status, &s.health) {
            (ClusterStatus::Lost, _) => 0,
            (_, Some(h)) if !h.healthy => 1,
            (_, None) => 2,
            _ => 3,
        };
        all.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cluster.cmp(&b.cluster)));
        Ok(all)
    }

    /// The last probe of cluster `id`, if any.
    pub(crate) async fn last_health(&self, id: i64) -> Result<Option<ClusterHealth>> {
        self.db.read(move |c| cluster_api::health(c, id)).await?.map(ClusterHealth::from_record).transpose()
    }

    /// Probes `cluster`, keeps the result and moves its status between `running` and `lost`.
    pub(crate) async fn probe_and_record(&self, cluster: &Cluster) -> Result<ClusterHealth> {
        let access = self.cluster_access(cluster).await?;
        let now = OffsetDateTime::now_utc();
        let (stored, reachable, healthy) = match ko_k8s::probe(&access).await {
            Ok(h) => {
                let serving_cert =
                    h.serving_chain.first().and_then(|der| crate::cert_expiry::not_after(der)).map(|t| ServingCert {
                        not_after: crate::cert_expiry::rfc3339(t),
                        days_left: (t - now).whole_days(),
                    });
                let healthy = h.is_healthy();
                (StoredReport { error: None, report: Some(h), serving_cert }, true, healthy)
            }
            Err(e) => {
                let error = HealthError { code: e.code().into(), message: e.to_string() };
                (StoredReport { error: Some(error), report: None, serving_cert: None }, !e.is_unreachable(), false)
            }
        };
        let report = serde_json::to_string(&stored)?;
        let (id, name, was) = (cluster.id, cluster.name.clone(), cluster.status);
        let lost_message = stored.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
        let record = self
            .db
            .write(move |tx| {
                cluster_api::record_health(tx, id, reachable, healthy, &report)?;
                let change = match (was, reachable) {
                    (ClusterStatus::Running, false) => Some((ClusterStatus::Lost, "cluster.lost", lost_message)),
                    (ClusterStatus::Lost, true) => Some((ClusterStatus::Running, "cluster.recovered", String::new())),
                    _ => None,
                };
                if let Some((status, action, message)) = change {
                    clusters::set_status(tx, id, status, &message)?;
                    audit::append(tx, MONITOR, action, &name, "ok", &message)?;
                    tracing::warn!(cluster = %name, status = %status.as_str(), "cluster health changed");
                }
                Ok::<_, ApiError>(cluster_api::health(tx, id)?)
            })
            .await?
            .ok_or_else(|| ApiError::Internal("a health record vanished as it was written".into()))?;
        ClusterHealth::from_record(record)
    }

    /// Probes every cluster with an API server, [`PROBES_AT_ONCE`] at a time; a cluster that
    /// cannot be probed (no access yet) is skipped with a log line.
    pub async fn probe_all_clusters(&self) -> Result<()> {
        let all = self.db.read(clusters::list).await?;
        futures::stream::iter(all.into_iter().filter(has_api))
            .for_each_concurrent(PROBES_AT_ONCE, |c| async move {
                if let Err(e) = self.probe_and_record(&c).await {
                    tracing::info!(cluster = %c.name, error = %e, "cluster not probed");
                }
            })
            .await;
        Ok(())
    }

    /// Probes every cluster now and then `every` (for as long as the returned future runs:
    /// the desktop and `koctl serve` spawn it).
    pub async fn health_monitor(self, every: Duration) {
        loop {
            if let Err(e) = self.probe_all_clusters().await {
                tracing::warn!(error = %e, "the health monitor could not list the clusters");
            }
            tokio::time::sleep(every).await;
        }
    }
}
