//! A bundle push as the UIs show it: progress at a steady pace while it runs, then the result
//! per host — one stream both the desktop's Channel and `koctl serve`'s event stream carry.

use crate::{Actor, Api, HostPush, PushProgress};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Byte progress is passed on at most this often; every finished file is passed on.
const PACE: Duration = Duration::from_millis(100);

/// A push as the UI asks for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PushForm {
    /// Hosts to push to.
    pub hosts: Vec<String>,
    /// Seed host that copies to the others (relay mode), if any.
    #[serde(default)]
    pub relay: Option<String>,
}

/// What a push reports, in order: progress, then `done` or `failed`; nothing follows those.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum PushUpdate {
    /// Bytes and files so far, all hosts together.
    Progress(PushProgress),
    /// Every host's result (some may have failed; see their `error`).
    Done(Vec<HostPush>),
    /// The push could not start or broke off as a whole.
    Failed {
        /// Stable error code.
        code: String,
        /// What went wrong and what to do.
        message: String,
    },
}

impl Api {
    /// Starts pushing library bundle `bundle` as [`Api::bundle_push`] does and returns its
    /// updates; the push goes on in the background until it ends.
    pub fn bundle_push_updates(
        &self,
        actor: &Actor,
        bundle: &str,
        form: PushForm,
    ) -> mpsc::UnboundedReceiver<PushUpdate> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (api, actor, bundle) = (self.clone(), actor.clone(), bundle.to_string());
        tokio::spawn(async move {
            // when the last update went out, and how many files were done then
            let last = Mutex::new((Instant::now() - PACE, 0));
            let progress_tx = tx.clone();
            let on_progress = move |p: PushProgress| {
                let mut last = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if p.files_done != last.1 || last.0.elapsed() >= PACE {
                    *last = (Instant::now(), p.files_done);
                    let _ = progress_tx.send(PushUpdate::Progress(p));
                }
            };
            let end = match api.bundle_push(&actor, &bundle, form.hosts, form.relay, on_progress).await {
                Ok(report) => PushUpdate::Done(report),
                Err(e) => PushUpdate::Failed { code: e.code().into(), message: e.to_string() },
            };
            let _ = tx.send(end);
        });
        rx
    }
}
