//! A stand-in Kubernetes API server for the tests of the app's Kubernetes client (a real
//! kube-apiserver cannot run on the test machines). It speaks the real wire format over HTTPS:
//! bearer tokens (401 `Status` for anything else), `/version`, `/readyz?verbose` (checks can be
//! made to fail), discovery good enough for the real `kubectl`, lists and gets of generated
//! objects of the real API types, and the SelfSubjectReview an import makes.
//!
//! [`StandIn::stop`] makes it vanish the way a dead API server does (the port closes and every
//! open connection drops); [`StandIn::resume`] brings it back on the same port with the same
//! certificate. The `kube-standin` binary runs one for the UI tests.

mod api;
mod exec;
pub mod objects;
mod tls;

pub use objects::{Objects, Shape};
pub use tls::Identity;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What the running server shares with the test that started it.
pub struct StandInState {
    /// The version `/version` reports.
    pub version: String,
    /// Accepted bearer tokens and the user each authenticates as.
    pub users: Vec<(String, String)>,
    /// The objects served.
    pub objects: Mutex<Objects>,
    /// Readiness checks made to fail (`etcd`...).
    pub failing_checks: Mutex<Vec<String>>,
    /// Every request line (`GET /api/v1/nodes?limit=500`, with ` [CONTENT-TYPE]` when it has a
    /// body), in order.
    pub requests: Mutex<Vec<String>>,
    /// Evictions still to refuse with `429` (a disruption budget in the way).
    pub eviction_refusals: Mutex<u32>,
    /// The resourceVersion after each change (watches wait on it).
    pub changed: tokio::sync::watch::Sender<u64>,
    /// Container logs: (namespace, pod, container, previous instance) -> (unix time, line).
    pub logs: Mutex<std::collections::HashMap<LogKey, Vec<(i64, String)>>>,
    /// Bumped on every appended log line (following readers wait on it).
    pub logged: tokio::sync::watch::Sender<u64>,
    /// Exec sessions open now (a test waits for one to end when its client goes).
    pub exec_sessions: tokio::sync::watch::Sender<usize>,
}

/// Whose log: namespace, pod, container, and whether it is the previous instance's.
pub type LogKey = (String, String, String, bool);

/// The current time in seconds since the epoch.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

impl StandInState {
    /// Adds or replaces an object (watches see it); returns it as stored.
    pub fn apply(&self, obj: serde_json::Value) -> serde_json::Value {
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        let stored = objects.put(obj);
        self.changed.send_replace(objects.resource_version);
        stored
    }

    /// Removes an object (watches see it go); returns it.
    pub fn remove(&self, plural: &str, namespace: Option<&str>, name: &str) -> Option<serde_json::Value> {
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        let gone = objects.remove(plural, namespace, name);
        self.changed.send_replace(objects.resource_version);
        gone
    }

    /// Forgets the change history: watches resuming from before now get `410 Gone`.
    pub fn compact(&self) {
        self.objects.lock().unwrap_or_else(|e| e.into_inner()).compact();
    }

    /// Appends a line to a container's log (followers get it at once).
    pub fn append_log(&self, namespace: &str, pod: &str, container: &str, line: &str) {
        let key = (namespace.to_string(), pod.to_string(), container.to_string(), false);
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        let lines = logs.entry(key).or_insert_with(|| objects::first_log_lines(pod, container, false));
        lines.push((now_secs(), line.to_string()));
        self.logged.send_modify(|n| *n += 1);
    }

    /// The requests seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// How to start a stand-in.
#[derive(Debug, Clone)]
pub struct Options {
    /// The cluster it pretends to be.
    pub shape: Shape,
    /// The token it accepts (as user `kubernetes-admin`).
    pub token: String,
    /// Port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// Where to keep its certificates (none: made in memory).
    pub dir: Option<PathBuf>,
    /// Days the serving certificate is valid.
    pub cert_days: i64,
}

impl Default for Options {
    fn default() -> Self {
        Self { shape: Shape::default(), token: "standin-admin-token".into(), port: 0, dir: None, cert_days: 365 }
    }
}

/// A running (or stopped) stand-in API server.
pub struct StandIn {
    state: Arc<StandInState>,
    identity: Identity,
    addr: SocketAddr,
    token: String,
    running: Option<Running>,
}

struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl StandIn {
    /// Starts one on 127.0.0.1 (in its own thread and runtime).
    pub fn start(opts: Options) -> io::Result<Self> {
        let identity = match &opts.dir {
            Some(dir) => Identity::in_dir(dir, opts.cert_days)?,
            None => Identity::generate(opts.cert_days)?,
        };
        let objects = Objects::of(&opts.shape);
        let (changed, _) = tokio::sync::watch::channel(objects.resource_version);
        let state = Arc::new(StandInState {
            version: opts.shape.version.to_string(),
            users: vec![(opts.token.clone(), "kubernetes-admin".to_string())],
            objects: Mutex::new(objects),
            failing_checks: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            eviction_refusals: Mutex::new(0),
            changed,
            logs: Mutex::new(std::collections::HashMap::new()),
            logged: tokio::sync::watch::channel(0).0,
            exec_sessions: tokio::sync::watch::channel(0).0,
        });
        let tcp = std::net::TcpListener::bind(("127.0.0.1", opts.port))?;
        let addr = tcp.local_addr()?;
        let mut s = Self { state, identity, addr, token: opts.token, running: None };
        s.serve(tcp)?;
        Ok(s)
    }

    fn serve(&mut self, tcp: std::net::TcpListener) -> io::Result<()> {
        tcp.set_nonblocking(true)?;
        let acceptor = self.identity.acceptor()?;
        let state = self.state.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(tcp) = tokio::net::TcpListener::from_std(tcp) else { return };
                let app = axum::Router::new().fallback(api::handle).with_state(state);
                tokio::select! {
                    _ = axum::serve(tls::TlsListener { tcp, acceptor }, app) => {}
                    _ = stopped => {}
                }
            });
            // dropping the runtime drops every connection task: clients see the connection go
            drop(rt);
        });
        self.running = Some(Running { stop, thread });
        Ok(())
    }

    /// Stops answering: the port closes and open connections drop.
    pub fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.stop.send(());
            let _ = r.thread.join();
        }
    }

    /// Answers again, on the same port with the same certificate and objects.
    pub fn resume(&mut self) -> io::Result<()> {
        if self.running.is_some() {
            return Ok(());
        }
        let tcp = std::net::TcpListener::bind(self.addr)?;
        self.serve(tcp)
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA certificate (PEM) its serving certificate chains to.
    pub fn ca_pem(&self) -> &str {
        &self.identity.ca_pem
    }

    /// The token it accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// What it shares with the test (objects, failing checks, requests seen).
    pub fn state(&self) -> &StandInState {
        &self.state
    }

    /// The shared state, to keep beyond this value (a thread writing logs).
    pub fn shared(&self) -> Arc<StandInState> {
        self.state.clone()
    }

    /// Makes readiness check `name` fail (or pass again).
    pub fn set_check_failing(&self, name: &str, failing: bool) {
        let mut f = self.state.failing_checks.lock().unwrap_or_else(|e| e.into_inner());
        f.retain(|c| c != name);
        if failing {
            f.push(name.to_string());
        }
    }

    /// A kubeconfig with one context `name` reaching it with its token.
    pub fn kubeconfig(&self, name: &str) -> String {
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.identity.ca_pem);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {url}\n    \
             certificate-authority-data: {ca}\nusers:\n- name: admin@{name}\n  user:\n    token: {token}\n\
             contexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: admin@{name}\n\
             current-context: {name}\n",
            url = self.url(),
            token = self.token,
        )
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop();
    }
}
