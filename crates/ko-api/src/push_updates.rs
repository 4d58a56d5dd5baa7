//! A bundle push and a bundle build as the UIs show them: progress at a steady pace while they
//! run, then the result — one stream each that both the desktop's Channel and `koctl serve`'s
//! event stream carry.

use crate::{Actor, Api, BuildReport, BuildRequest, FetchProgress, HostPush, PushProgress};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Byte progress is passed on at most this often; every finished file is passed on.
const PACE: Duration = Duration::from_millis(100);

/// Passes progress on at [`PACE`], and always when a step (a finished file) was made.
struct Pace(Mutex<(Instant, u64)>);

impl Pace {
    fn new() -> Self {
        Self(Mutex::new((Instant::now() - PACE, 0)))
    }

    /// Whether an update with `steps` finished steps goes out now.
    fn due(&self, steps: u64) -> bool {
        let mut last = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = steps != last.1 || last.0.elapsed() >= PACE;
        if due {
            *last = (Instant::now(), steps);
        }
        due
    }
}

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
            let (pace, progress_tx) = (Pace::new(), tx.clone());
            let on_progress = move |p: PushProgress| {
                if pace.due(p.files_done as u64) {
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

/// A build as the UI asks for it: a recipe on the machine the app (or `koctl serve`) runs on,
/// built with downloads into the data dir; the zip goes to `DATA_DIR/builds/NAME.zip`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct BuildForm {
    /// The recipe file (`bundles/*.toml`).
    pub recipe: String,
    /// Architectures to include.
    pub arches: Vec<String>,
    /// Mirrors, `FROM=TO` each.
    #[serde(default)]
    pub mirrors: Vec<String>,
    /// A bundle zip to make a delta on top of.
    #[serde(default)]
    pub base: Option<String>,
}

/// What a build reports, in order: downloads, then the zip being written, then `done` or
/// `failed`; nothing follows those.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum BuildUpdate {
    /// Downloading the recipe's files.
    Download(FetchProgress),
    /// Writing the zip: bytes and files added so far of the totals.
    Writing(ko_bundle::WriteProgress),
    /// The bundle, and where its zip is.
    Done {
        /// What was built.
        report: BuildReport,
        /// The zip.
        path: String,
    },
    /// The build could not start or broke off.
    Failed {
        /// Stable error code.
        code: String,
        /// What went wrong and what to do.
        message: String,
    },
}

impl Api {
    /// Starts building a bundle as [`Api::bundle_build`] does and returns its updates; the build
    /// goes on in the background until it ends.
    pub fn bundle_build_updates(&self, actor: &Actor, form: BuildForm) -> mpsc::UnboundedReceiver<BuildUpdate> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (api, actor) = (self.clone(), actor.clone());
        tokio::spawn(async move {
            let name = std::path::Path::new(&form.recipe).file_stem().map(|s| s.to_string_lossy().into_owned());
            let out = api.data_dir().join("builds").join(format!("{}.zip", name.unwrap_or_default()));
            let _ = std::fs::create_dir_all(api.data_dir().join("builds"));
            let req = BuildRequest {
                recipe: PathBuf::from(&form.recipe),
                arches: form.arches,
                from: None,
                out: out.clone(),
                mirrors: form.mirrors,
                base: form.base.map(PathBuf::from),
            };
            let (download_pace, download_tx) = (Pace::new(), tx.clone());
            let on_download = move |p: FetchProgress| {
                let (steps, last) = match p {
                    FetchProgress::Planned { .. } => (0, true),
                    FetchProgress::Bytes { files_done, files, .. } => (0, files_done == files),
                };
                if last || download_pace.due(steps) {
                    let _ = download_tx.send(BuildUpdate::Download(p));
                }
            };
            let (write_pace, write_tx) = (Pace::new(), tx.clone());
            let on_write = move |p: &ko_bundle::WriteProgress| {
                if p.files_done == p.files || write_pace.due(0) {
                    let _ = write_tx.send(BuildUpdate::Writing(p.clone()));
                }
            };
            let end = match api.bundle_build(&actor, req, on_download, on_write).await {
                Ok(report) => BuildUpdate::Done { report, path: out.display().to_string() },
                Err(e) => BuildUpdate::Failed { code: e.code().into(), message: e.to_string() },
            };
            let _ = tx.send(end);
        });
        rx
    }
}
