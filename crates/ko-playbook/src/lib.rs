//! Playbooks: declarative deployment steps, and what they would do on which host.
//!
//! * [`Playbook`] is the YAML format (`playbooks/*.yaml`, described by `playbooks/schema.json`):
//!   phases of steps, each with a host [`Selector`], one action (`run`, `upload`, `template`,
//!   `fetch`, `wait_for`) and its conditions (`when`, `creates`, `unless`, `os_family`), retries,
//!   timeout, rolling `serial` batches, `become` and `register`.
//! * [`Inventory`] is the cluster's hosts with their roles and facts.
//! * [`Renderer`] renders commands and templates with minijinja (strict undefined; the `q` filter
//!   quotes any value for the remote shell; secrets come from `secret("name")`, which a plan shows
//!   as `<redacted>`).
//! * [`plan`] expands a playbook over an inventory into the exact commands per host, without
//!   touching any host — what `--plan` prints.
//! * [`run`] runs playbooks through a [`Transport`] (SSH in ko-api), reports [`Event`]s to an
//!   [`EventSink`] (the journal, the terminal, the UI), and skips what a [`Resume`] says an
//!   earlier attempt finished.

mod events;
mod inventory;
mod plan;
mod playbook;
mod render;
mod run;
#[cfg(feature = "test-support")]
pub mod testing;

pub use events::{Event, EventSink, Status};
pub use inventory::{InvHost, Inventory, Selector};
pub use plan::{PlannedAction, PlannedPhase, PlannedStep, plan, render_plan};
pub use playbook::{
    Action, FetchSpec, OsFamily, Phase, Playbook, Step, TemplateSpec, UploadFrom, UploadSpec, WaitFor, schema,
};
pub use render::{Mode, Renderer};
pub use run::{HOST_STEP_LOG, HostError, Resume, RunOptions, RunOutcome, SKIP_EXIT, Transport, run};

/// What can be wrong with a playbook or its use.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// The YAML cannot be read.
    #[error("playbook {name}: {cause}")]
    Syntax {
        /// Playbook name.
        name: String,
        /// The parser's message (with line and column).
        cause: String,
    },
    /// A step breaks a rule of the format.
    #[error("playbook {playbook}, step '{step}': {cause}")]
    Invalid {
        /// Playbook name.
        playbook: String,
        /// Step name.
        step: String,
        /// What is wrong.
        cause: String,
    },
    /// A template or expression failed (unknown variable, syntax).
    #[error("step '{step}' on {host}: {cause}")]
    Render {
        /// Step name.
        step: String,
        /// Host name.
        host: String,
        /// minijinja's message.
        cause: String,
    },
}

/// Result of playbook operations.
pub type Result<T, E = PlaybookError> = std::result::Result<T, E>;
