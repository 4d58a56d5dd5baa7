//! Running playbooks on hosts: phases in order, hosts in parallel with a bound, guards, retries,
//! rolling batches, registered outputs, cancel — and resuming a task exactly where it stopped.

use crate::events::{Event, EventSink, Status};
use crate::{Action, InvHost, Inventory, Phase, Playbook, Renderer, Selector, Step, UploadFrom};
use ko_ssh::{CancellationToken, ExecOptions, ExecOutcome, OutputLine, shell_quote};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A failure to reach or use a host (not a command's non-zero exit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// Stable code, e.g. `ssh.unreachable`.
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
}

/// What the runner needs from the hosts; ko-api implements it over SSH, tests over fakes.
pub trait Transport: Send + Sync {
    /// Runs `script` on `host`, calling `on_line` for each output line.
    fn exec(
        &self,
        host: &InvHost,
        script: &str,
        opts: &ExecOptions,
        on_line: &mut (dyn FnMut(OutputLine) + Send),
    ) -> impl Future<Output = Result<ExecOutcome, HostError>> + Send;

    /// Writes `content` to `dest` on `host` atomically with `mode`.
    fn write_file(
        &self,
        host: &InvHost,
        dest: &str,
        content: Vec<u8>,
        mode: u32,
        sudo: bool,
    ) -> impl Future<Output = Result<(), HostError>> + Send;

    /// The path on a host of the bundle file `src` (in its content-addressed store).
    fn store_path(&self, src: &str) -> Result<String, HostError>;

    /// Sends the local file `src` (relative to the cluster's directory) to `dest` on `host`,
    /// resumable and verified; returns what was sent, in a sentence.
    fn send_file(
        &self,
        host: &InvHost,
        src: &str,
        dest: &str,
        mode: u32,
        sudo: bool,
    ) -> impl Future<Output = Result<String, HostError>> + Send;

    /// Brings `src` from `host` to the local file `dest` (relative to the cluster's directory);
    /// returns what was fetched, in a sentence.
    fn fetch(
        &self,
        host: &InvHost,
        src: &str,
        dest: &str,
        sudo: bool,
    ) -> impl Future<Output = Result<String, HostError>> + Send;

    /// Keeps `value`, a secret one of `host`'s steps printed, under `name` in the app's keychain
    /// (for the cluster the run is for); returns what was kept, in a sentence.
    fn keep_secret(
        &self,
        host: &InvHost,
        name: &str,
        value: &str,
    ) -> impl Future<Output = Result<String, HostError>> + Send;

    /// Pushes the operation's bundle into `host`'s store, reporting `(done, total)` bytes;
    /// returns what was sent, in a sentence.
    fn push_bundle(
        &self,
        host: &InvHost,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> impl Future<Output = Result<String, HostError>> + Send;
}

/// A step on a host that an earlier attempt finished, with its registered output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    done: BTreeMap<(usize, usize, String), (Status, Option<String>)>,
}

impl Resume {
    /// Records that step `step` of phase `phase` finished on `host` (`status` done) with `output`.
    pub fn insert(&mut self, phase: usize, step: usize, host: &str, status: Status, output: Option<String>) {
        if status.is_done() {
            self.done.insert((phase, step, host.to_string()), (status, output));
        }
    }

    fn get(&self, phase: usize, step: usize, host: &str) -> Option<&(Status, Option<String>)> {
        self.done.get(&(phase, step, host.to_string()))
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Hosts worked on at once.
    pub parallelism: usize,
    /// Cancels the run: remote commands are killed, nothing new starts.
    pub cancel: CancellationToken,
    /// Written with each step into `/var/log/ko/steps.log` on the host (e.g. `task=7 attempt=2`),
    /// so a host shows what ran on it and when.
    pub label: String,
    /// The index the first phase has in its task's journal: a task run in segments (each over its
    /// own inventory) numbers its phases on from the segment before.
    pub first_phase: usize,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// `Ok`, `Failed` or `Cancelled`.
    pub status: Status,
    /// For a failure: which phase, step and hosts, and why.
    pub error: Option<String>,
}

/// The log of steps on each host (only steps run as root write it).
pub const HOST_STEP_LOG: &str = "/var/log/ko/steps.log";

/// A script exits with this code to say "not possible or not needed here" (its last line says
/// why): the step is `skipped` on that host, never counted as done when it was not.
pub const SKIP_EXIT: u32 = 99;

struct Run<'a, T, S> {
    inv: &'a Inventory,
    renderer: &'a Renderer,
    transport: &'a T,
    sink: &'a S,
    resume: &'a Resume,
    opts: &'a RunOptions,
    registered: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
    done: AtomicUsize,
    total: usize,
    resumed_at_start: AtomicUsize,
    started: Instant,
}

/// Runs the phases of `playbooks` in order over `inv`. Steps an earlier attempt finished (in
/// `resume`) are not run again; their registered outputs are restored. A step that fails on a host
/// stops the run after the step (after the phase, for `keep_going` phases).
pub async fn run<T: Transport, S: EventSink>(
    playbooks: &[Playbook],
    inv: &Inventory,
    renderer: &Renderer,
    transport: &T,
    sink: &S,
    resume: &Resume,
    opts: &RunOptions,
) -> RunOutcome {
    let total = playbooks
        .iter()
        .flat_map(|p| &p.phases)
        .flat_map(|ph| ph.steps.iter().map(move |s| step_hosts(inv, ph, s, None).len()))
        .sum();
    let run = Run {
        inv,
        renderer,
        transport,
        sink,
        resume,
        opts,
        registered: Mutex::new(BTreeMap::new()),
        done: AtomicUsize::new(0),
        total,
        resumed_at_start: AtomicUsize::new(0),
        started: Instant::now(),
    };
    let phases = playbooks.iter().flat_map(|p| &p.phases).enumerate().map(|(i, p)| (opts.first_phase + i, p));
    for (seq, phase) in phases {
        sink.emit(Event::PhaseStarted { phase: seq, name: phase.name.clone() });
        let mut failures = Vec::new();
        let mut status = Status::Ok;
        // a rolling phase goes batch by batch, every step on a batch before the next
        let batches: Vec<Option<Vec<&InvHost>>> = match phase.serial {
            None => vec![None],
            Some(n) => {
                inv.select_in(&phase_selector(phase), phase.whole_cluster).chunks(n).map(|c| Some(c.to_vec())).collect()
            }
        };
        'batches: for batch in &batches {
            for (i, step) in phase.steps.iter().enumerate() {
                if opts.cancel.is_cancelled() {
                    status = Status::Cancelled;
                    break 'batches;
                }
                let hosts = step_hosts(inv, phase, step, batch.as_deref());
                if batch.is_some() && hosts.is_empty() {
                    continue;
                }
                let (step_status, failed_hosts) = run.step(seq, i, step, hosts).await;
                sink.checkpoint().await;
                match step_status {
                    Status::Failed => {
                        failures.push(format!("'{}' on {}", step.name, failed_hosts.join(", ")));
                        status = Status::Failed;
                        if !phase.keep_going {
                            break 'batches;
                        }
                    }
                    Status::Cancelled => {
                        status = Status::Cancelled;
                        break 'batches;
                    }
                    _ => {}
                }
            }
        }
        sink.emit(Event::PhaseFinished { phase: seq, status });
        sink.checkpoint().await;
        match status {
            Status::Failed => {
                let error = format!("phase '{}' failed: {}", phase.name, failures.join("; "));
                return RunOutcome { status, error: Some(error) };
            }
            Status::Cancelled => return RunOutcome { status, error: Some("cancelled".into()) },
            _ => {}
        }
    }
    RunOutcome { status: Status::Ok, error: None }
}

/// The hosts `step` runs on: its selector's, within the phase's hosts for a rolling phase, and
/// within `batch` when one is running.
pub(crate) fn step_hosts<'i>(
    inv: &'i Inventory,
    phase: &Phase,
    step: &Step,
    batch: Option<&[&InvHost]>,
) -> Vec<&'i InvHost> {
    let mut hosts = inv.select_in(&selector_of(step, &phase.hosts), phase.whole_cluster);
    if phase.serial.is_some() {
        let within = inv.select_in(&phase_selector(phase), phase.whole_cluster);
        hosts.retain(|h| within.iter().any(|w| w.name == h.name));
    }
    if let Some(b) = batch {
        hosts.retain(|h| b.iter().any(|w| w.name == h.name));
    }
    hosts
}

pub(crate) fn phase_selector(phase: &Phase) -> Selector {
    Selector::parse(&phase.hosts).unwrap_or(Selector::All)
}

fn selector_of(step: &Step, phase_hosts: &str) -> Selector {
    // the format was checked on parse; an unparsable selector cannot reach here
    Selector::parse(step.hosts.as_deref().unwrap_or(phase_hosts)).unwrap_or(Selector::All)
}

/// How one step ended on one host.
struct HostResult {
    status: Status,
    exit_code: Option<i64>,
    message: String,
    output: Option<String>,
    /// The message names no secret (the secret store's own error): shown even for a sensitive step.
    safe: bool,
}

impl HostResult {
    fn skipped(message: String) -> Self {
        Self { status: Status::Skipped, exit_code: None, message, output: None, safe: false }
    }
    fn failed(message: String, exit_code: Option<i64>) -> Self {
        Self { status: Status::Failed, exit_code, message, output: None, safe: false }
    }
}

impl<T: Transport, S: EventSink> Run<'_, T, S> {
    /// Runs a step on its hosts (in rolling batches with `serial`); returns its status and the
    /// hosts it failed on.
    async fn step(&self, phase: usize, index: usize, step: &Step, hosts: Vec<&InvHost>) -> (Status, Vec<String>) {
        self.sink.emit(Event::StepStarted {
            phase,
            step: index,
            name: step.name.clone(),
            hosts: hosts.iter().map(|h| h.name.clone()).collect(),
        });
        let batch = step.serial.unwrap_or(hosts.len().max(1));
        let mut failed = Vec::new();
        let mut status = Status::Ok;
        for chunk in hosts.chunks(batch) {
            if self.opts.cancel.is_cancelled() {
                status = Status::Cancelled;
                break;
            }
            let results =
                ko_ssh::fan_out(chunk.to_vec(), self.opts.parallelism, |h| self.on_host(phase, index, step, h)).await;
            for (h, r) in results {
                match r {
                    Status::Failed => failed.push(h.name.clone()),
                    Status::Cancelled if status != Status::Failed => status = Status::Cancelled,
                    _ => {}
                }
            }
            if !failed.is_empty() {
                status = Status::Failed;
                break;
            }
        }
        if status == Status::Ok && hosts.is_empty() {
            status = Status::Skipped;
        }
        self.sink.emit(Event::StepFinished { phase, step: index, status });
        (status, failed)
    }

    async fn on_host(&self, phase: usize, index: usize, step: &Step, host: &InvHost) -> Status {
        let started = Instant::now();
        // a sensitive step's output was never journaled: it runs again to have it
        let earlier = if step.sensitive { None } else { self.resume.get(phase, index, &host.name) };
        let (result, resumed) = match earlier {
            Some((status, output)) => {
                self.resumed_at_start.fetch_add(1, Ordering::Relaxed);
                let message = "done by an earlier attempt; not run again".to_string();
                (HostResult { status: *status, exit_code: None, message, output: output.clone(), safe: false }, true)
            }
            None => {
                self.sink.emit(Event::HostStarted { phase, step: index, host: host.name.clone(), attempt: 1 });
                (self.attempts(phase, index, step, host).await, false)
            }
        };
        if let (Some(name), Some(out)) = (&step.register, &result.output) {
            let mut reg = self.registered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            reg.entry(name.clone()).or_default().insert(host.name.clone(), out.clone());
        }
        let status = result.status;
        let (message, output) = match (step.sensitive, result.safe) {
            (true, false) => (format!("{} (output hidden: sensitive step)", status.as_str()), None),
            (true, true) => (format!("{} (output hidden: sensitive step): {}", status.as_str(), result.message), None),
            (false, _) => (result.message, result.output),
        };
        self.sink.emit(Event::HostFinished {
            phase,
            step: index,
            host: host.name.clone(),
            status,
            exit_code: result.exit_code,
            message,
            output,
            resumed,
            millis: started.elapsed().as_millis() as u64,
        });
        self.progress();
        status
    }

    fn progress(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let elapsed = self.started.elapsed();
        let worked = done.saturating_sub(self.resumed_at_start.load(Ordering::Relaxed));
        let eta_secs = (worked > 0 && self.total >= done)
            .then(|| (elapsed.as_secs_f64() / worked as f64 * (self.total - done) as f64).round() as u64);
        self.sink.emit(Event::Progress { done, total: self.total, elapsed_secs: elapsed.as_secs(), eta_secs });
    }

    /// Conditions, guards, then the action with its retries.
    async fn attempts(&self, phase: usize, index: usize, step: &Step, host: &InvHost) -> HostResult {
        if let Some(family) = step.os_family
            && host.os_family() != Some(family)
        {
            return HostResult::skipped(format!("only for {family:?}-family hosts"));
        }
        let ctx = {
            let reg = self.registered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            self.renderer.context(self.inv, host, &reg)
        };
        if let Some(when) = &step.when {
            match self.renderer.truthy(when, &ctx, &step.name, &host.name) {
                Ok(true) => {}
                Ok(false) => return HostResult::skipped(format!("when: {when} is false")),
                Err(e) => return HostResult::failed(e.to_string(), None),
            }
        }
        let render = |t: &str| self.renderer.render(t, &ctx, &step.name, &host.name).map_err(|e| e.to_string());
        let guard = match (&step.creates, &step.unless) {
            (Some(path), _) => match render(path) {
                Ok(p) => Some((format!("test -e {}", shell_quote(&p)), format!("{p} exists"))),
                Err(e) => return HostResult::failed(e, None),
            },
            (None, Some(cmd)) => match render(cmd) {
                Ok(c) => Some((c.clone(), format!("`{}` succeeded", c.trim()))),
                Err(e) => return HostResult::failed(e, None),
            },
            (None, None) => None,
        };
        if let Some((check, reason)) = guard {
            let opts = self.exec_options(step, step.become_root);
            match self.transport.exec(self.target(step, host), &check, &opts, &mut |_| {}).await {
                Ok(o) if o.success() => return HostResult::skipped(format!("skipped: {reason}")),
                Ok(_) => {}
                Err(e) => return HostResult::failed(e.message, None),
            }
        }
        let mut attempt = 1;
        loop {
            let result = self.act(phase, index, step, host, &render).await;
            if result.status != Status::Failed || attempt > step.retries || self.opts.cancel.is_cancelled() {
                return result;
            }
            self.note(
                phase,
                index,
                host,
                match step.sensitive {
                    true => format!("attempt {attempt} failed; retrying in {}s", step.delay),
                    false => format!("attempt {attempt} failed: {}; retrying in {}s", result.message, step.delay),
                },
            );
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(step.delay)) => {}
                () = self.opts.cancel.cancelled() => return result,
            }
            attempt += 1;
            self.sink.emit(Event::HostStarted { phase, step: index, host: host.name.clone(), attempt });
        }
    }

    fn note(&self, phase: usize, step: usize, host: &InvHost, line: String) {
        self.sink.emit(Event::Line { phase, step, host: host.name.clone(), stream: "info", line });
    }

    fn exec_options(&self, step: &Step, sudo: bool) -> ExecOptions {
        ExecOptions {
            sudo,
            timeout: Some(Duration::from_secs(step.timeout)),
            cancel: Some(self.opts.cancel.clone()),
            ..ExecOptions::default()
        }
    }

    /// The step's action, once.
    async fn act(
        &self,
        phase: usize,
        index: usize,
        step: &Step,
        host: &InvHost,
        render: &(dyn Fn(&str) -> Result<String, String> + Sync),
    ) -> HostResult {
        let sudo = step.become_root;
        let result: Result<HostResult, String> = async {
            match step.action() {
                Action::Run(script) => {
                    let result = self.script(phase, index, step, host, &render(script)?).await;
                    match (&step.keep_secret, &result.output) {
                        (Some(name), Some(value)) if result.status == Status::Ok => {
                            match self.transport.keep_secret(host, name, value).await {
                                Ok(message) => Ok(HostResult { message, ..result }),
                                // the store's error (a keychain gone or locked) says why, and holds no secret
                                Err(e) => Ok(HostResult {
                                    safe: true,
                                    ..HostResult::failed(
                                        format!("could not keep {name}: {} ({})", e.message, e.code),
                                        None,
                                    )
                                }),
                            }
                        }
                        _ => Ok(result),
                    }
                }
                Action::Upload(u) if u.from == UploadFrom::Cluster => {
                    let mode = octal(&u.mode)?;
                    let (src, dest) = (render(&u.src)?, render(&u.dest)?);
                    let message = self
                        .transport
                        .send_file(self.target(step, host), &src, &dest, mode, sudo)
                        .await
                        .map_err(|e| e.message)?;
                    Ok(ok(message))
                }
                Action::Upload(u) => {
                    let store = self.transport.store_path(&u.src).map_err(|e| e.message)?;
                    let dest = render(&u.dest)?;
                    let mut script = format!("install -D -m {} {} {}", u.mode, shell_quote(&store), shell_quote(&dest));
                    if let Some(owner) = &u.owner {
                        script += &format!(" && chown {} {}", shell_quote(owner), shell_quote(&dest));
                    }
                    Ok(self.script(phase, index, step, host, &script).await)
                }
                Action::Template(t) => {
                    let dest = render(&t.dest)?;
                    let content = render(&t.content)?;
                    let mode = octal(&t.mode)?;
                    self.transport
                        .write_file(self.target(step, host), &dest, content.into_bytes(), mode, sudo)
                        .await
                        .map_err(|e| e.message)?;
                    Ok(ok(format!("wrote {dest}")))
                }
                Action::Fetch(f) => {
                    let message = self
                        .transport
                        .fetch(self.target(step, host), &render(&f.src)?, &render(&f.dest)?, sudo)
                        .await
                        .map_err(|e| e.message)?;
                    Ok(ok(message))
                }
                Action::WaitFor(w) => {
                    let check = match (w.port, &w.command) {
                        (Some(port), _) => format!("ss -Hltn 'sport = :{port}' | grep -q ."),
                        (None, Some(c)) => render(c)?,
                        (None, None) => return Err("wait_for needs a port or a command".into()),
                    };
                    let script = format!(
                        "end=$(( $(date +%s) + {t} )); until {{ {check}\n}} >/dev/null 2>&1; do \
                         if [ \"$(date +%s)\" -ge \"$end\" ]; then echo 'still not ready after {t}s' >&2; exit 1; fi; \
                         sleep 0.2; done",
                        t = w.timeout
                    );
                    Ok(self.script(phase, index, step, host, &script).await)
                }
                Action::PushBundle => {
                    let name = host.name.clone();
                    let progress =
                        move |done, total| self.sink.emit(Event::Transfer { host: name.clone(), done, total });
                    let message = self.transport.push_bundle(host, &progress).await.map_err(|e| e.message)?;
                    Ok(ok(message))
                }
            }
        }
        .await;
        result.unwrap_or_else(|message| HostResult::failed(message, None))
    }

    /// Where `step` runs for `host`: the host itself, or the one it delegates to.
    fn target<'h>(&'h self, step: &Step, host: &'h InvHost) -> &'h InvHost {
        step.delegate
            .as_deref()
            .and_then(|d| Selector::parse(d).ok())
            .and_then(|sel| self.inv.select(&sel).into_iter().next())
            .unwrap_or(host)
    }

    /// Runs a script (stopping at the first failing command), streaming its lines as events.
    async fn script(&self, phase: usize, index: usize, step: &Step, host: &InvHost, script: &str) -> HostResult {
        let mut full = String::from("set -e\n");
        if step.become_root {
            let entry = format!("{} step={}", self.opts.label, step.name);
            full += &format!(
                "mkdir -p /var/log/ko && printf '%s %s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" {} >> {HOST_STEP_LOG}\n",
                shell_quote(&entry)
            );
        }
        full += script;
        let opts = self.exec_options(step, step.become_root);
        let name = host.name.clone();
        let mut on_line = |l: OutputLine| {
            if step.sensitive {
                return; // never logged; the step's message says so
            }
            let stream = match l.stream {
                ko_ssh::Stream::Stdout => "stdout",
                ko_ssh::Stream::Stderr => "stderr",
            };
            self.sink.emit(Event::Line { phase, step: index, host: name.clone(), stream, line: l.line });
        };
        match self.transport.exec(self.target(step, host), &full, &opts, &mut on_line).await {
            Ok(o) if o.success() => HostResult {
                status: Status::Ok,
                exit_code: Some(0),
                message: last_line(&o.stdout).unwrap_or_else(|| "done".into()),
                output: (step.register.is_some() || step.keep_secret.is_some()).then(|| o.stdout.trim().to_string()),
                safe: false,
            },
            Ok(o) if o.exit_status == Some(SKIP_EXIT) => {
                let why = last_line(&o.stdout).or_else(|| last_line(&o.stderr)).unwrap_or_default();
                HostResult { exit_code: Some(SKIP_EXIT.into()), ..HostResult::skipped(why) }
            }
            Ok(o) => {
                let why = last_line(&o.stderr).or_else(|| last_line(&o.stdout)).unwrap_or_default();
                let message =
                    format!("exited {}{}", o.status_text(), if why.is_empty() { why } else { format!(": {why}") });
                HostResult::failed(message, o.exit_status.map(i64::from))
            }
            Err(e) if self.opts.cancel.is_cancelled() => {
                HostResult { status: Status::Cancelled, exit_code: None, message: e.message, output: None, safe: false }
            }
            Err(e) => HostResult::failed(format!("{} ({})", e.message, e.code), None),
        }
    }
}

fn octal(mode: &str) -> Result<u32, String> {
    u32::from_str_radix(mode, 8).map_err(|_| format!("mode '{mode}' is not octal"))
}

fn ok(message: String) -> HostResult {
    HostResult { status: Status::Ok, exit_code: None, message, output: None, safe: false }
}

fn last_line(text: &str) -> Option<String> {
    text.lines().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_string())
}
