//! Writing and reading the audit log.

use crate::{Actor, Api, ApiError, Permission, Result};
use ko_store::audit::{self, AuditEntry, AuditFilter};
use std::future::Future;

impl Api {
    /// Runs a mutating operation and records who did what to which target and how it ended.
    pub(crate) async fn audited<T, Fut>(&self, actor: &Actor, action: &str, target: &str, op: Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let out = op.await;
        let (result, detail) = match &out {
            Ok(_) => ("ok", String::new()),
            Err(e @ ApiError::Forbidden { .. }) => ("denied", e.to_string()),
            Err(e) => ("failed", format!("[{}] {e}", e.code())),
        };
        tracing::info!(actor = %actor.name, action, target, result, "audit");
        let (who, what, on) = (actor.name.clone(), action.to_string(), target.to_string());
        let written = self.db.write(move |tx| audit::append(tx, &who, &what, &on, result, &detail)).await;
        if let Err(e) = written {
            tracing::error!(action, target, error = %e, "could not write the audit log");
            if out.is_ok() {
                return Err(ApiError::Store(e));
            }
        }
        out
    }

    /// Lists audit entries, newest first.
    pub async fn audit_list(&self, actor: &Actor, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
        self.authorize(actor, Permission::ViewAuditLog, "view the system log").await?;
        let filter = AuditFilter { limit: filter.limit.clamp(1, 10_000), ..filter };
        self.db.read(move |c| audit::list(c, &filter)).await.map_err(ApiError::from)
    }
}
