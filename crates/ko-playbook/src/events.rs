//! What a run reports while it works: a typed event stream for the journal, the terminal and the UI.

use serde::{Deserialize, Serialize};

/// Where a phase, a step, or a step on one host stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not started.
    Pending,
    /// Started, not finished.
    Running,
    /// Done.
    Ok,
    /// Not needed: a guard, `when` or `os_family` said so (the message says which).
    Skipped,
    /// Failed (the message and exit code say why).
    Failed,
    /// Stopped by a cancel.
    Cancelled,
}

impl Status {
    /// The journal's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads the journal's spelling (`changed` counts as done).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "ok" | "changed" => Self::Ok,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// Finished without failing: a retry does not run it again.
    pub fn is_done(self) -> bool {
        matches!(self, Self::Ok | Self::Skipped)
    }
}

/// One thing that happened during a run. Phases are numbered across the whole task (from 0),
/// steps inside their phase (from 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A phase began.
    PhaseStarted {
        /// Phase number.
        phase: usize,
        /// Its name.
        name: String,
    },
    /// A step began on the hosts it selected.
    StepStarted {
        /// Phase number.
        phase: usize,
        /// Step number in the phase.
        step: usize,
        /// Its name.
        name: String,
        /// Hosts it runs on.
        hosts: Vec<String>,
    },
    /// A step began on one host.
    HostStarted {
        /// Phase number.
        phase: usize,
        /// Step number.
        step: usize,
        /// Host name.
        host: String,
        /// Attempt (1 + retries so far).
        attempt: u32,
    },
    /// A line of output (or a note of the runner's, on stream `info`).
    Line {
        /// Phase number.
        phase: usize,
        /// Step number.
        step: usize,
        /// Host name.
        host: String,
        /// `stdout`, `stderr` or `info`.
        stream: &'static str,
        /// The text.
        line: String,
    },
    /// A step finished on one host.
    HostFinished {
        /// Phase number.
        phase: usize,
        /// Step number.
        step: usize,
        /// Host name.
        host: String,
        /// How it ended.
        status: Status,
        /// Exit code of the command, when one ran.
        exit_code: Option<i64>,
        /// What happened, in a sentence.
        message: String,
        /// The registered output, for steps with `register`.
        output: Option<String>,
        /// Finished by an earlier attempt: not run again.
        resumed: bool,
        /// How long it took.
        millis: u64,
    },
    /// A step finished on all its hosts.
    StepFinished {
        /// Phase number.
        phase: usize,
        /// Step number.
        step: usize,
        /// Failed when it failed on any host.
        status: Status,
    },
    /// A phase finished.
    PhaseFinished {
        /// Phase number.
        phase: usize,
        /// How it ended.
        status: Status,
    },
    /// Steps x hosts finished so far, of all, with an estimate of the time left.
    Progress {
        /// Finished (including skipped and resumed).
        done: usize,
        /// All.
        total: usize,
        /// Seconds since the run started.
        elapsed_secs: u64,
        /// Estimated seconds left, once something has run.
        eta_secs: Option<u64>,
    },
    /// Bytes of a transfer to one host.
    Transfer {
        /// Host name.
        host: String,
        /// Bytes sent so far.
        done: u64,
        /// Bytes to send.
        total: u64,
    },
}

/// Receives a run's events, in order.
pub trait EventSink: Send + Sync {
    /// Takes one event; must not block.
    fn emit(&self, event: Event);

    /// Resolves once every event emitted so far is durable (the runner waits for it after each
    /// step, so a step the journal shows as done really is).
    fn checkpoint(&self) -> impl Future<Output = ()> + Send;
}
