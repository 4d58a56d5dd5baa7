//! The runner's logic over a scripted fake transport (the SSH transport is tested on the test bed,
//! through koctl): resume, registered outputs, retries, rolling batches, keep_going, skips, cancel.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use ko_playbook::{
    Event, EventSink, HostError, InvHost, Inventory, Mode, Playbook, Renderer, Resume, RunOptions, Status, Transport,
    run,
};
use ko_ssh::{CancellationToken, ExecOptions, ExecOutcome, OutputLine, Stream};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Runs scripts by looking for markers in them: `FAIL@host` fails on that host while its
/// failure budget lasts, `SKIP` exits with the skip code; `echo X` prints X.
#[derive(Default)]
struct Fake {
    ran: Mutex<Vec<(String, String)>>,
    failures_left: Mutex<BTreeMap<String, u32>>,
    /// What `keep_secret` was given: (host, name, value).
    kept: Mutex<Vec<(String, String, String)>>,
    /// What `keep_secret` answers instead of keeping (a secret store gone).
    keep_fails: Option<HostError>,
}

impl Fake {
    fn failing(host: &str, times: u32) -> Self {
        let f = Self::default();
        f.failures_left.lock().unwrap().insert(host.into(), times);
        f
    }

    /// Steps (by their `# step` marker line) run on `host`, in order.
    fn ran_on(&self, host: &str) -> Vec<String> {
        self.ran.lock().unwrap().iter().filter(|(h, _)| h == host).map(|(_, s)| s.clone()).collect()
    }
}

fn marker(script: &str) -> String {
    script.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("?").to_string()
}

impl Transport for Fake {
    async fn exec(
        &self,
        host: &InvHost,
        script: &str,
        _opts: &ExecOptions,
        on_line: &mut (dyn FnMut(OutputLine) + Send),
    ) -> Result<ExecOutcome, HostError> {
        self.ran.lock().unwrap().push((host.name.clone(), marker(script)));
        let mut status = 0;
        if script.contains(&format!("FAIL@{}", host.name)) {
            let mut left = self.failures_left.lock().unwrap();
            let n = left.entry(host.name.clone()).or_insert(0);
            if *n > 0 {
                *n -= 1;
                status = 1;
            }
        }
        if script.contains("SKIP") {
            status = ko_playbook::SKIP_EXIT;
        }
        let mut stdout = String::new();
        for l in script.lines().filter_map(|l| l.strip_prefix("echo ")) {
            on_line(OutputLine { at: SystemTime::now(), stream: Stream::Stdout, line: l.to_string() });
            stdout += l;
            stdout += "\n";
        }
        Ok(ExecOutcome {
            exit_status: Some(status),
            exit_signal: None,
            stdout,
            stderr: if status == 1 { "boom".into() } else { String::new() },
            duration: Duration::ZERO,
        })
    }

    async fn write_file(&self, host: &InvHost, dest: &str, _: Vec<u8>, _: u32, _: bool) -> Result<(), HostError> {
        self.ran.lock().unwrap().push((host.name.clone(), format!("write {dest}")));
        Ok(())
    }

    fn store_path(&self, src: &str) -> Result<String, HostError> {
        Ok(format!("/store/{src}"))
    }

    async fn send_file(&self, _: &InvHost, _: &str, _: &str, _: u32, _: bool) -> Result<String, HostError> {
        Ok("sent".into())
    }

    async fn fetch(&self, _: &InvHost, _: &str, _: &str, _: bool) -> Result<String, HostError> {
        Ok("fetched".into())
    }

    async fn keep_secret(&self, host: &InvHost, name: &str, value: &str) -> Result<String, HostError> {
        if let Some(e) = &self.keep_fails {
            return Err(e.clone());
        }
        self.kept.lock().unwrap().push((host.name.clone(), name.into(), value.into()));
        Ok(format!("kept as {name}"))
    }

    async fn push_bundle(&self, _: &InvHost, _: &(dyn Fn(u64, u64) + Send + Sync)) -> Result<String, HostError> {
        Ok("pushed".into())
    }
}

#[derive(Default)]
struct Events(Mutex<Vec<Event>>);

impl EventSink for Events {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
    async fn checkpoint(&self) {}
}

impl Events {
    /// What the journal would keep: every step on a host that finished.
    fn resume(&self) -> Resume {
        let mut r = Resume::default();
        for e in self.0.lock().unwrap().iter() {
            if let Event::HostFinished { phase, step, host, status, output, .. } = e {
                r.insert(*phase, *step, host, *status, output.clone());
            }
        }
        r
    }

    fn finished(&self, step_name: &str) -> Vec<(String, Status, bool)> {
        let events = self.0.lock().unwrap();
        let mut names = BTreeMap::new();
        let mut out = Vec::new();
        for e in events.iter() {
            match e {
                Event::StepStarted { phase, step, name, .. } => {
                    names.insert((*phase, *step), name.clone());
                }
                Event::HostFinished { phase, step, host, status, resumed, .. }
                    if names.get(&(*phase, *step)).map(String::as_str) == Some(step_name) =>
                {
                    out.push((host.clone(), *status, *resumed));
                }
                _ => {}
            }
        }
        out
    }
}

fn inventory() -> Inventory {
    let h = |name: &str, roles: &[&str]| InvHost {
        name: name.into(),
        address: "10.0.0.1".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        new: true,
        facts: serde_json::json!({"os_id": "debian", "os_like": ""}),
        down: false,
    };
    Inventory { hosts: vec![h("m1", &["master"]), h("m2", &["master"]), h("w1", &["worker"])], ..Inventory::default() }
}

fn opts() -> RunOptions {
    RunOptions { parallelism: 8, cancel: CancellationToken::new(), label: "test".into(), first_phase: 0 }
}

async fn go(p: &Playbook, fake: &Fake, events: &Events, resume: &Resume, o: &RunOptions) -> ko_playbook::RunOutcome {
    let renderer = Renderer::new(serde_json::json!({}), BTreeMap::new(), Mode::Run);
    run(std::slice::from_ref(p), &inventory(), &renderer, fake, events, resume, o).await
}

const DEPLOY: &str = r#"
name: deploy
phases:
  - name: one
    steps:
      - name: token
        hosts: first_master
        register: token
        run: |
          # token
          echo tok-123
      - name: prepare
        run: |
          # prepare
  - name: two
    steps:
      - name: join
        hosts: workers
        run: |
          # join {{ registered.token['m1'] }}
          FAIL@w1
      - name: after
        run: |
          # after
"#;

#[tokio::test]
async fn a_retry_runs_only_what_did_not_finish_and_keeps_registered_outputs() {
    let p = Playbook::parse("deploy", DEPLOY).unwrap();
    let fake = Fake::failing("w1", 1);
    let first = Events::default();
    let o = go(&p, &fake, &first, &Resume::default(), &opts()).await;
    assert_eq!(o.status, Status::Failed);
    let error = o.error.unwrap();
    assert!(error.contains("phase 'two'") && error.contains("'join' on w1"), "{error}");
    assert_eq!(fake.ran_on("w1"), ["prepare", "join tok-123"], "nothing after the failed step ran");

    // the retry: token and prepare are not run again, the token still reaches `join`
    let second = Events::default();
    let fake2 = Fake::default();
    let o = go(&p, &fake2, &second, &first.resume(), &opts()).await;
    assert_eq!(o, ko_playbook::RunOutcome { status: Status::Ok, error: None });
    assert_eq!(fake2.ran_on("m1"), ["after"]);
    assert_eq!(fake2.ran_on("w1"), ["join tok-123", "after"]);
    assert!(second.finished("token").iter().all(|(_, s, resumed)| *s == Status::Ok && *resumed));
    let progress = second.0.lock().unwrap().iter().rev().find_map(|e| match e {
        Event::Progress { done, total, .. } => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(progress, Some((8, 8)), "1 token + 3 prepare + 1 join + 3 after");
}

/// A task run in segments numbers its phases on: a segment starting at phase 5 journals phases
/// 5 and 6, and resumes from what the journal holds under those numbers.
#[tokio::test]
async fn a_segment_numbers_its_phases_on_from_the_one_before() {
    let p = Playbook::parse("deploy", DEPLOY).unwrap();
    let later = RunOptions { first_phase: 5, ..opts() };
    let first = Events::default();
    let o = go(&p, &Fake::failing("w1", 1), &first, &Resume::default(), &later).await;
    assert_eq!(o.status, Status::Failed);
    let phases: Vec<usize> = first
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::PhaseStarted { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(phases, [5, 6]);
    let fake = Fake::default();
    let o = go(&p, &fake, &Events::default(), &first.resume(), &later).await;
    assert_eq!(o.status, Status::Ok);
    assert_eq!(fake.ran_on("w1"), ["join tok-123", "after"], "resumed under the same phase numbers");
}

#[tokio::test]
async fn retries_batches_keep_going_and_skips() {
    // a step that fails twice succeeds on its third attempt
    let retried = "name: r\nphases:\n  - name: p\n    steps:\n      - name: flaky\n        hosts: host:m1\n        retries: 2\n        delay: 0\n        run: |\n          # flaky\n          FAIL@m1\n";
    let fake = Fake::failing("m1", 2);
    let ev = Events::default();
    let o = go(&Playbook::parse("r", retried).unwrap(), &fake, &ev, &Resume::default(), &opts()).await;
    assert_eq!(o.status, Status::Ok);
    assert_eq!(fake.ran_on("m1").len(), 3);
    let attempts: Vec<u32> =
        ev.0.lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::HostStarted { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .collect();
    assert_eq!(attempts, [1, 2, 3]);

    // serial: 1 stops the rolling update at the first failing batch
    let rolling = "name: s\nphases:\n  - name: p\n    steps:\n      - name: roll\n        serial: 1\n        run: |\n          # roll\n          FAIL@m2\n";
    let fake = Fake::failing("m2", 1);
    let o = go(&Playbook::parse("s", rolling).unwrap(), &fake, &Events::default(), &Resume::default(), &opts()).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!((fake.ran_on("m1").len(), fake.ran_on("m2").len(), fake.ran_on("w1").len()), (1, 1, 0));

    // keep_going: every check runs, the phase fails at its end; exit 99 is a skip with its reason
    let checks = "name: c\nphases:\n  - name: p\n    keep_going: true\n    steps:\n      - name: a\n        run: |\n          # a\n          FAIL@w1\n      - name: b\n        run: |\n          # b\n          echo not here\n          SKIP\n  - name: never\n    steps:\n      - name: z\n        run: '# z'\n";
    let fake = Fake::failing("w1", 1);
    let ev = Events::default();
    let o = go(&Playbook::parse("c", checks).unwrap(), &fake, &ev, &Resume::default(), &opts()).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(fake.ran_on("w1"), ["a", "b"], "the second check ran after the first failed");
    assert!(!fake.ran.lock().unwrap().iter().any(|(_, s)| s == "z"), "the next phase did not start");
    let b = ev.finished("b");
    assert!(b.iter().all(|(_, s, _)| *s == Status::Skipped), "{b:?}");
    let msg = ev.0.lock().unwrap().iter().find_map(|e| match e {
        Event::HostFinished { status: Status::Skipped, message, .. } => Some(message.clone()),
        _ => None,
    });
    assert_eq!(msg.as_deref(), Some("not here"));
}

#[tokio::test]
async fn a_cancelled_run_starts_nothing_new() {
    let p = Playbook::parse("deploy", DEPLOY).unwrap();
    let o = opts();
    o.cancel.cancel();
    let fake = Fake::default();
    let out = go(&p, &fake, &Events::default(), &Resume::default(), &o).await;
    assert_eq!(out.status, Status::Cancelled);
    assert!(fake.ran.lock().unwrap().is_empty());
}

const SECRET: &str = r#"
name: secret
phases:
  - name: one
    steps:
      - name: token
        hosts: first_master
        register: token
        sensitive: true
        run: |
          # token
          echo s3cr3t-join-token
      - name: prepare
        run: |
          # prepare
  - name: two
    steps:
      - name: join
        hosts: workers
        run: |
          # join {{ registered.token['m1'] }}
          FAIL@w1
"#;

#[tokio::test]
async fn a_sensitive_output_reaches_later_steps_but_no_event_and_its_step_reruns_on_resume() {
    let p = Playbook::parse("secret", SECRET).unwrap();
    let fake = Fake::failing("w1", 1);
    let first = Events::default();
    assert_eq!(go(&p, &fake, &first, &Resume::default(), &opts()).await.status, Status::Failed);
    assert_eq!(fake.ran_on("w1"), ["prepare", "join s3cr3t-join-token"], "the later step got the value");
    let seen = format!("{:?}", first.0.lock().unwrap());
    assert!(!seen.contains("s3cr3t"), "no event (so no journal, no log) carries it: {seen}");
    assert!(seen.contains("output hidden: sensitive step"), "its message says why it is quiet");

    // the retry: `prepare` is done and stays done; `token` runs again, as nothing of it was kept
    let fake2 = Fake::default();
    let second = Events::default();
    assert_eq!(go(&p, &fake2, &second, &first.resume(), &opts()).await.status, Status::Ok);
    assert_eq!(fake2.ran_on("m1"), ["token"]);
    assert_eq!(fake2.ran_on("w1"), ["join s3cr3t-join-token"]);
    assert!(second.finished("token").iter().all(|(_, s, resumed)| *s == Status::Ok && !*resumed));
    assert!(second.finished("prepare").iter().all(|(_, _, resumed)| *resumed));
}

const KEEP: &str = r#"
name: keep
phases:
  - name: one
    steps:
      - name: token
        hosts: first_master
        sensitive: true
        keep_secret: admin-token
        run: |
          # token
          echo   s3cr3t-sa-token
"#;

#[tokio::test]
async fn a_kept_secret_goes_to_the_transport_trimmed_and_into_no_event() {
    let p = Playbook::parse("keep", KEEP).unwrap();
    let fake = Fake::default();
    let events = Events::default();
    assert_eq!(go(&p, &fake, &events, &Resume::default(), &opts()).await.status, Status::Ok);
    assert_eq!(
        *fake.kept.lock().unwrap(),
        [("m1".to_string(), "admin-token".to_string(), "s3cr3t-sa-token".to_string())]
    );
    let seen = format!("{:?}", events.0.lock().unwrap());
    assert!(!seen.contains("s3cr3t"), "no event carries it: {seen}");
    // without sensitive it does not parse: the value would be logged
    let e = Playbook::parse("keep", &KEEP.replace("        sensitive: true\n", "")).unwrap_err();
    assert!(e.to_string().contains("keep_secret needs a run action and sensitive: true"), "{e}");
}

#[tokio::test]
async fn a_secret_store_gone_mid_run_fails_the_step_saying_so_and_a_retry_keeps_the_secret() {
    let p = Playbook::parse("keep", KEEP).unwrap();
    let gone = HostError {
        code: "keychain.unavailable".into(),
        message: "no Secret Service runs on this D-Bus session: its keyring daemon stopped or crashed".into(),
    };
    let fake = Fake { keep_fails: Some(gone), ..Fake::default() };
    let first = Events::default();
    let outcome = go(&p, &fake, &first, &Resume::default(), &opts()).await;
    assert_eq!(outcome.status, Status::Failed);
    assert!(first.finished("token").iter().all(|(_, s, _)| *s == Status::Failed));
    // the step says why (the store's error holds no secret), though its output stays hidden
    let seen = format!("{:?}", first.0.lock().unwrap());
    assert!(
        seen.contains("(output hidden: sensitive step): could not keep admin-token: no Secret Service runs")
            && seen.contains("(keychain.unavailable)"),
        "{seen}"
    );
    assert!(!seen.contains("s3cr3t"), "the secret is in no event: {seen}");

    // the store is back: the retry runs the step again (its output was never kept) and keeps it
    let fake2 = Fake::default();
    let second = Events::default();
    assert_eq!(go(&p, &fake2, &second, &first.resume(), &opts()).await.status, Status::Ok);
    assert_eq!(
        *fake2.kept.lock().unwrap(),
        [("m1".to_string(), "admin-token".to_string(), "s3cr3t-sa-token".to_string())]
    );
}

const ROLL: &str = r#"
name: roll
phases:
  - name: roll
    hosts: masters
    serial: 1
    steps:
      - name: drain
        delegate: host:w1
        run: |
          # drain {{ host.name }}
      - name: upgrade
        run: |
          # upgrade {{ host.name }}
          FAIL@m2
"#;

#[tokio::test]
async fn a_rolling_phase_finishes_each_batch_before_the_next_and_delegated_steps_run_elsewhere() {
    let p = Playbook::parse("roll", ROLL).unwrap();
    let fake = Fake::failing("m2", 1);
    let first = Events::default();
    assert_eq!(go(&p, &fake, &first, &Resume::default(), &opts()).await.status, Status::Failed);
    let all: Vec<(String, String)> = fake.ran.lock().unwrap().clone();
    let on = |h: &str, s: &str| (h.to_string(), s.to_string());
    assert_eq!(all, [on("w1", "drain m1"), on("m1", "upgrade m1"), on("w1", "drain m2"), on("m2", "upgrade m2")]);
    // the delegated step is journaled under the host it was for
    let drained: Vec<String> = first.finished("drain").into_iter().map(|(h, _, _)| h).collect();
    assert_eq!(drained, ["m1", "m2"]);
    // a retry runs only the failed step of the second batch
    let fake2 = Fake::default();
    assert_eq!(go(&p, &fake2, &Events::default(), &first.resume(), &opts()).await.status, Status::Ok);
    assert_eq!(*fake2.ran.lock().unwrap(), [on("m2", "upgrade m2")]);
    // a delegate must be one host
    let e = Playbook::parse("roll", &ROLL.replace("host:w1", "workers")).unwrap_err();
    assert!(e.to_string().contains("delegate must name one host"), "{e}");
}
