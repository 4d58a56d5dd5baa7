//! The playbook format.

use crate::{PlaybookError, Result, Selector};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A playbook: phases run in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// Name (the file name without `.yaml`).
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// Phases, in order.
    pub phases: Vec<Phase>,
}

/// A phase: steps run in order; inside a step, hosts in parallel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Name shown in progress and the journal.
    pub name: String,
    /// Default host selector of its steps.
    #[serde(default = "all")]
    pub hosts: String,
    /// Run every step even when one fails on a host, and fail the phase at its end (a precheck
    /// reports every problem at once); otherwise the phase stops after the failing step.
    #[serde(default)]
    pub keep_going: bool,
    /// Rolling phase: the phase's hosts in batches of this many, every step on one batch before
    /// the next batch starts (an upgrade: drain, upgrade, uncordon — then the next nodes). A step
    /// runs on the batch's hosts its own selector picks.
    #[serde(default)]
    pub serial: Option<usize>,
    /// In a Day-2 operation on some nodes, run over the whole cluster (the hosts leaving it aside)
    /// rather than only those nodes — set by the app on the playbooks an operation refreshes
    /// everywhere (the load balancer's backends when masters change).
    #[serde(default)]
    pub whole_cluster: bool,
    /// Steps, in order.
    pub steps: Vec<Step>,
}

fn all() -> String {
    "all".into()
}

/// Operating-system family, for package steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    /// Debian, Ubuntu.
    Debian,
    /// RHEL, Rocky, Alma, CentOS, openEuler, Kylin.
    Rhel,
}

/// Where an uploaded file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UploadFrom {
    /// The bundle, already in the host's content-addressed store (copied there, not sent again).
    #[default]
    Bundle,
    /// The cluster's directory on this machine (e.g. a backup), sent over SSH (resumable, verified).
    Cluster,
}

/// Put a file on the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadSpec {
    /// Bundle path of the file (its content address is looked up in the bundle manifest), or a
    /// path relative to the cluster's directory (a template) with `from: cluster`.
    pub src: String,
    /// Where `src` is.
    #[serde(default)]
    pub from: UploadFrom,
    /// Destination on the host (a template).
    pub dest: String,
    /// Mode, e.g. `0755`.
    #[serde(default = "mode_644")]
    pub mode: String,
    /// Owner `user[:group]`.
    #[serde(default)]
    pub owner: Option<String>,
}

fn mode_644() -> String {
    "0644".into()
}

/// Write a rendered template to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateSpec {
    /// The template text (minijinja).
    pub content: String,
    /// Destination on the host (a template).
    pub dest: String,
    /// Mode, e.g. `0644`.
    #[serde(default = "mode_644")]
    pub mode: String,
}

/// Bring a file back to this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchSpec {
    /// Path on the host (a template).
    pub src: String,
    /// Local path relative to the task's directory (a template).
    pub dest: String,
}

/// Wait until a port answers or a command succeeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitFor {
    /// TCP port on the host.
    #[serde(default)]
    pub port: Option<u16>,
    /// Command that must exit 0 (a template).
    #[serde(default)]
    pub command: Option<String>,
    /// Give up after this many seconds.
    #[serde(default = "sixty")]
    pub timeout: u64,
}

fn sixty() -> u64 {
    60
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Name shown in progress and the journal.
    pub name: String,
    /// Host selector (default: the phase's): `all`, `masters`, `workers`, `nodes`, `etcd`,
    /// `first_master`, `first_etcd`, `new_nodes`, or `host:<name>`.
    #[serde(default)]
    pub hosts: Option<String>,
    /// Shell script to run (a template).
    #[serde(default)]
    pub run: Option<String>,
    /// File from the bundle store to put on the host.
    #[serde(default)]
    pub upload: Option<UploadSpec>,
    /// Template to render onto the host.
    #[serde(default)]
    pub template: Option<TemplateSpec>,
    /// File to bring back.
    #[serde(default)]
    pub fetch: Option<FetchSpec>,
    /// Condition to wait for.
    #[serde(default)]
    pub wait_for: Option<WaitFor>,
    /// Push the operation's bundle into the host's content-addressed store (files it has are
    /// skipped, partial ones resume).
    #[serde(default)]
    pub push_bundle: Option<bool>,
    /// Run only where this expression is true (minijinja expression over the host's variables).
    #[serde(default)]
    pub when: Option<String>,
    /// Only on hosts of this OS family.
    #[serde(default)]
    pub os_family: Option<OsFamily>,
    /// Skip when this path exists on the host.
    #[serde(default)]
    pub creates: Option<String>,
    /// Skip when this command succeeds on the host.
    #[serde(default)]
    pub unless: Option<String>,
    /// Attempts after a failure.
    #[serde(default)]
    pub retries: u32,
    /// Seconds between attempts.
    #[serde(default = "five")]
    pub delay: u64,
    /// Seconds before the step fails on a host.
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Hosts at a time (rolling); all at once when absent.
    #[serde(default)]
    pub serial: Option<usize>,
    /// Run the step for each of its hosts on this one instead (`first_master`, `first_etcd` or
    /// `host:<name>`): templates still see the host it is for, the journal records it under that
    /// host — a drain of a node runs on the first master.
    #[serde(default)]
    pub delegate: Option<String>,
    /// Run as root (sudo when the login is not root).
    #[serde(default = "yes", rename = "become")]
    pub become_root: bool,
    /// Keep the step's stdout as `registered.<name>[host]` for later steps.
    #[serde(default)]
    pub register: Option<String>,
    /// The step's output is a secret (a join token, a certificate key): nothing it prints is
    /// logged or journaled, its message says only how it ended, and a registered value lives in
    /// memory for the rest of this run only — so a resumed run runs the step again (it must be
    /// safe to repeat).
    #[serde(default)]
    pub sensitive: bool,
    /// Keep the step's output (trimmed) in the OS keychain under this name, for the app's later
    /// use (a service-account token); needs `sensitive: true`, so it is never logged either.
    #[serde(default)]
    pub keep_secret: Option<String>,
}

fn five() -> u64 {
    5
}
fn default_timeout() -> u64 {
    600
}
fn yes() -> bool {
    true
}

/// The one action of a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<'a> {
    /// Shell script.
    Run(&'a str),
    /// Upload from the bundle store.
    Upload(&'a UploadSpec),
    /// Render a template onto the host.
    Template(&'a TemplateSpec),
    /// Fetch a file back.
    Fetch(&'a FetchSpec),
    /// Wait for a port or command.
    WaitFor(&'a WaitFor),
    /// Push the bundle into the host's store.
    PushBundle,
}

impl Step {
    /// The step's action (the format guarantees exactly one).
    pub fn action(&self) -> Action<'_> {
        match (&self.run, &self.upload, &self.template, &self.fetch, &self.wait_for) {
            (Some(r), ..) => Action::Run(r),
            (_, Some(u), ..) => Action::Upload(u),
            (_, _, Some(t), ..) => Action::Template(t),
            (_, _, _, Some(f), _) => Action::Fetch(f),
            (.., Some(w)) => Action::WaitFor(w),
            _ => Action::PushBundle,
        }
    }
}

impl Playbook {
    /// Parses and checks a playbook.
    pub fn parse(name: &str, yaml: &str) -> Result<Self> {
        let p: Self = serde_yaml_ng::from_str(yaml)
            .map_err(|e| PlaybookError::Syntax { name: name.into(), cause: e.to_string() })?;
        let invalid =
            |step: &str, cause: String| PlaybookError::Invalid { playbook: name.into(), step: step.into(), cause };
        for phase in &p.phases {
            Selector::parse(&phase.hosts).map_err(|e| invalid(&phase.name, e))?;
            if phase.serial == Some(0) {
                return Err(invalid(&phase.name, "serial must be at least 1".into()));
            }
            for s in &phase.steps {
                let actions = [
                    s.run.is_some(),
                    s.upload.is_some(),
                    s.template.is_some(),
                    s.fetch.is_some(),
                    s.wait_for.is_some(),
                    s.push_bundle == Some(true),
                ];
                if actions.iter().filter(|a| **a).count() != 1 {
                    return Err(invalid(
                        &s.name,
                        "needs exactly one of run, upload, template, fetch, wait_for, push_bundle: true".into(),
                    ));
                }
                if let Some(h) = &s.hosts {
                    Selector::parse(h).map_err(|e| invalid(&s.name, e))?;
                }
                if let Some(w) = &s.wait_for
                    && w.port.is_none() == w.command.is_none()
                {
                    return Err(invalid(&s.name, "wait_for needs exactly one of port, command".into()));
                }
                if s.keep_secret.is_some() && !(s.sensitive && s.run.is_some()) {
                    return Err(invalid(&s.name, "keep_secret needs a run action and sensitive: true".into()));
                }
                if let Some(d) = &s.delegate {
                    match Selector::parse(d) {
                        Ok(Selector::FirstMaster | Selector::FirstEtcd | Selector::Host(_)) => {}
                        _ => {
                            return Err(invalid(
                                &s.name,
                                format!(
                                    "delegate must name one host (first_master, first_etcd, host:<name>), not '{d}'"
                                ),
                            ));
                        }
                    }
                }
                if s.serial == Some(0) {
                    return Err(invalid(&s.name, "serial must be at least 1".into()));
                }
            }
        }
        Ok(p)
    }
}

/// The JSON Schema of the format (committed as `playbooks/schema.json`).
pub fn schema() -> String {
    serde_json::to_string_pretty(&schemars::schema_for!(Playbook)).unwrap_or_default() + "\n"
}
