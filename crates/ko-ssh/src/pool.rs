//! One connection per host, shared by many concurrent commands, re-established after a drop.

use crate::{ConnectOptions, Result, Session, Target};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

type Slot = Arc<Mutex<Option<Arc<Session>>>>;

/// Connections by host name.
#[derive(Default)]
pub struct SshPool {
    options: ConnectOptions,
    slots: std::sync::Mutex<HashMap<String, Slot>>,
}

impl SshPool {
    /// An empty pool whose connections use `options`.
    pub fn new(options: ConnectOptions) -> Self {
        Self { options, slots: Default::default() }
    }

    fn slot(&self, name: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(name.to_string()).or_default().clone()
    }

    /// The live connection to `target`, connecting (again) when there is none or it dropped.
    /// Different hosts connect in parallel; callers for one host share one connect.
    pub async fn session(&self, target: &Target) -> Result<Arc<Session>> {
        let slot = self.slot(&target.name);
        let mut held = slot.lock().await;
        if let Some(s) = held.as_ref()
            && !s.is_closed()
        {
            return Ok(s.clone());
        }
        if held.is_some() {
            tracing::info!(host = %target.name, "reconnecting after the connection dropped");
        }
        let session = Arc::new(Session::connect(target, &self.options).await?);
        *held = Some(session.clone());
        Ok(session)
    }

    /// Drops the connection to `name` (e.g. after its host key was re-pinned).
    pub async fn forget(&self, name: &str) {
        let slot = self.slot(name);
        slot.lock().await.take();
    }
}
