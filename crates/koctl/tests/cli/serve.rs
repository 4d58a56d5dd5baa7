//! `koctl serve` over real HTTP: logins, the forced first password change, cookies, roles,
//! errors, starting a task and following its journal as server-sent events.

use crate::clusters::fake_hosts_and_bundle;
use crate::support::{Koctl, text};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

/// A running `koctl serve` on an ephemeral port, stopped on drop.
pub(crate) struct Server {
    child: Child,
    pub url: String,
    /// What it said on stderr before it printed its URL... and after, once it stopped.
    stderr: Option<std::process::ChildStderr>,
}

impl Server {
    /// Stops the server and returns everything it wrote on stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        err
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(k: &Koctl) -> Server {
    start_server(k, &[], false)
}

/// `koctl serve` with extra arguments; its stderr is kept for [`Server::stop`].
pub(crate) fn serve_with(k: &Koctl, args: &[&str]) -> Server {
    start_server(k, args, true)
}

fn start_server(k: &Koctl, args: &[&str], keep_stderr: bool) -> Server {
    let mut child = k
        .command(&[&["serve", "--listen", "127.0.0.1:0"], args].concat())
        .env("KO_SSH_CONNECT_TIMEOUT", "2")
        .stdout(Stdio::piped())
        .stderr(if keep_stderr { Stdio::piped() } else { Stdio::null() })
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("koctl serve: ").unwrap_or_else(|| panic!("no URL in {first:?}")).to_string();
    let stderr = child.stderr.take();
    Server { child, url, stderr }
}

/// A client that keeps the session cookie it is given.
pub(crate) struct Client {
    pub agent: ureq::Agent,
    base: String,
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(server: &Server) -> Self {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Self { agent, base: server.url.clone(), cookie: None }
    }

    pub fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let url = format!("{}{}", self.base, path.trim_start_matches('/'));
        let mut req = http_request(method, &url);
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let resp = match body {
            Some(b) => req.header("Content-Type", "application/json").body(b.to_string()),
            None => req.body(String::new()),
        };
        let resp = self.agent.run(resp.unwrap()).unwrap();
        if let Some(set) = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
            let pair = set.split(';').next().unwrap().to_string();
            self.cookie = if pair.ends_with('=') { None } else { Some(pair) };
        }
        let status = resp.status().as_u16();
        let mut text = String::new();
        resp.into_body().into_reader().read_to_string(&mut text).unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn get(&mut self, path: &str) -> (u16, Value) {
        self.send("GET", path, None)
    }

    pub fn post(&mut self, path: &str, body: &str) -> (u16, Value) {
        self.send("POST", path, Some(body))
    }
}

pub(crate) fn http_request(method: &str, url: &str) -> ureq::http::request::Builder {
    ureq::http::Request::builder().method(method).uri(url)
}

pub(crate) fn login(c: &mut Client, name: &str, password: &str) -> (u16, Value) {
    c.post("/api/session", &serde_json::json!({"name": name, "password": password}).to_string())
}

#[test]
fn logins_force_the_first_password_change_and_roles_decide_what_each_user_sees() {
    let k = Koctl::new();
    let server = serve(&k);
    let mut c = Client::new(&server);

    let (status, body) = c.get("/api/status");
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(login(&mut c, "admin", "wrong-password").0, 401);
    let (status, me) = login(&mut c, ko_api::DEFAULT_ADMIN, ko_api::DEFAULT_ADMIN_PASSWORD);
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["must_change_password"], true);
    assert!(c.cookie.is_some());

    // nothing but the password change until it is done, and never back to the default
    let (status, body) = c.get("/api/hosts");
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("password_change_required")));
    let same =
        serde_json::json!({"old": ko_api::DEFAULT_ADMIN_PASSWORD, "new": ko_api::DEFAULT_ADMIN_PASSWORD}).to_string();
    assert_eq!(c.post("/api/password", &same).0, 400);
    let change = serde_json::json!({"old": ko_api::DEFAULT_ADMIN_PASSWORD, "new": "admin-new-password"}).to_string();
    assert_eq!(c.post("/api/password", &change).0, 204);
    let (status, s) = c.get("/api/status");
    assert_eq!(status, 200);
    assert_eq!(s["schema_version"], ko_store::migrations::latest());
    assert_eq!(c.get("/api/session").1["must_change_password"], false);

    // another user, added from the CLI on the same data dir while the server runs
    let out = k.run_with(&["user", "add", "--name", "alice", "--password-stdin"], "alice-password\n", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut alice = Client::new(&server);
    assert_eq!(login(&mut alice, "alice", "alice-password").0, 200);
    let (status, body) = alice.get("/api/credentials");
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(alice.get("/api/projects"), (200, serde_json::json!([])));
    // a bundle upload by a user who may not import is refused before it is read
    let (status, body) = alice.post("/api/bundles", "not a zip");
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    assert!(!k.data_dir().join("uploads").exists(), "nothing of the upload was written");
    assert_eq!(c.get("/api/credentials"), (200, serde_json::json!([])));

    // errors carry the same codes and problems as koctl -o json
    let (status, v) = c.post("/api/clusters/validate", "name: Bad_Name\nversion: v9.9.9\n");
    assert_eq!(status, 200);
    let codes: Vec<&str> = v["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"name.not_dns1123") && codes.contains(&"version.unknown"), "{codes:?}");
    assert_eq!(c.get("/api/clusters/nope").0, 404);

    // logging out ends the session on the server, not only in the browser
    let old = c.cookie.clone();
    assert_eq!(c.send("DELETE", "/api/session", None).0, 204);
    assert!(c.cookie.is_none());
    c.cookie = old;
    assert_eq!(c.get("/api/status").0, 401);
}

#[test]
fn a_started_task_returns_its_id_and_its_journal_streams_as_server_sent_events() {
    let k = Koctl::new();
    let spec = std::fs::read_to_string(fake_hosts_and_bundle(&k)).unwrap();
    let server = serve(&k);
    let mut c = admin_client(&server);

    // the create starts and answers at once; its hosts cannot be reached, so the task fails
    let (status, started) = c.post("/api/clusters", &spec);
    assert_eq!(status, 202, "{started}");
    let id = started["task_id"].as_i64().unwrap();
    let url = format!("{}api/tasks/{id}/events", server.url);
    let req = http_request("GET", &url).header("Cookie", c.cookie.clone().unwrap()).body(String::new()).unwrap();
    let resp = c.agent.run(req).unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers().get("content-type").unwrap(), "text/event-stream");
    let mut events = Vec::new();
    let mut kind = String::new();
    for line in BufReader::new(resp.into_body().into_reader()).lines() {
        let line = line.unwrap();
        if let Some(k) = line.strip_prefix("event: ") {
            kind = k.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            events.push((kind.clone(), data.to_string()));
            if kind == "end" {
                break;
            }
        }
    }
    assert_eq!(events.last().unwrap(), &("end".to_string(), "failed".to_string()), "{events:?}");
    assert!(events.iter().any(|(k, d)| k == "status" && d == "failed"), "{events:?}");
    let (_, task) = c.get(&format!("/api/tasks/{id}"));
    let error = task["task"]["error"].as_str().unwrap();
    assert!(error.contains("node-1"), "the task says which host: {error}");
    // the same journal from the CLI
    assert_eq!(k.json(&["task", "list"])[0]["status"], "failed");
    // a second create of the same cluster is refused: it exists
    assert_eq!(c.post("/api/clusters", &spec).0, 409);
    // a staged deployment: an unknown stage is named, a cluster that is not staged cannot continue
    let (status, e) = c.post("/api/clusters?until=nope", &spec);
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("deploy.until_unknown")), "{e}");
    let (status, e) = c.post("/api/clusters/planned/deploy", "{}");
    assert_eq!(status, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("failed, not staged"), "{e}");
    // the overview's backups at a glance: the cluster, never backed up
    let (_, backups) = c.get("/api/backups");
    assert_eq!(backups, serde_json::json!([{"cluster": "planned", "count": 0, "latest": null}]));
}

/// A server with `admin` logged in (password changed).
pub(crate) fn admin_client(server: &Server) -> Client {
    let mut c = Client::new(server);
    login(&mut c, ko_api::DEFAULT_ADMIN, ko_api::DEFAULT_ADMIN_PASSWORD);
    let change = serde_json::json!({"old": ko_api::DEFAULT_ADMIN_PASSWORD, "new": "admin-new-password"}).to_string();
    assert_eq!(c.post("/api/password", &change).0, 204);
    c
}

#[test]
fn users_projects_members_repositories_and_host_imports_over_http_are_what_koctl_sees() {
    let k = Koctl::new();
    let server = serve(&k);
    let mut c = admin_client(&server);

    // users: added, deactivated (cannot log in), given a new password, removed
    let (status, u) = c.post("/api/users", r#"{"name":"bob","email":"bob@example.com","password":"bob-password-1"}"#);
    assert_eq!((status, u["name"].as_str(), u["is_admin"].as_bool()), (200, Some("bob"), Some(false)), "{u}");
    assert_eq!(k.json(&["user", "list"]).as_array().unwrap().iter().filter(|u| u["name"] == "bob").count(), 1);
    assert_eq!(c.post("/api/users/bob/active", r#"{"active":false}"#).0, 204);
    assert_eq!(login(&mut Client::new(&server), "bob", "bob-password-1").0, 401);
    assert_eq!(c.post("/api/users/bob/active", r#"{"active":true}"#).0, 204);
    assert_eq!(c.post("/api/users/bob/password", r#"{"password":"bob-password-2"}"#).0, 204);
    assert_eq!(login(&mut Client::new(&server), "bob", "bob-password-2").0, 200);

    // projects and members: a wrong role is refused with its code, a right one is listed
    assert_eq!(c.post("/api/projects", r#"{"name":"payments","description":"team P"}"#).0, 200);
    let (status, e) = c.post("/api/projects/payments/members", r#"{"user":"bob","role":"owner"}"#);
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("member.role_invalid")));
    assert_eq!(c.post("/api/projects/payments/members", r#"{"user":"bob","role":"project_admin"}"#).0, 204);
    let (_, p) = c.get("/api/projects/payments");
    assert_eq!((p["description"].as_str(), p["members"][0]["user"].as_str()), (Some("team P"), Some("bob")), "{p}");
    assert_eq!(p["members"][0]["role"], "project_admin");
    let mut bob = Client::new(&server);
    assert_eq!(login(&mut bob, "bob", "bob-password-2").0, 200);
    assert_eq!(bob.get("/api/projects").1[0]["name"], "payments", "a member sees the project");
    assert_eq!(bob.post("/api/users", r#"{"name":"eve","password":"eve-password-1"}"#).0, 403);
    assert_eq!(c.send("DELETE", "/api/projects/payments/members/bob", None).0, 204);
    assert_eq!(bob.get("/api/projects").1, serde_json::json!([]));
    assert_eq!(c.send("DELETE", "/api/users/bob", None).0, 204);

    // repositories per arch: a bad arch named, a good one stored, removed
    let (status, e) = c.post(
        "/api/settings/repositories",
        r#"{"arch":"sparc","protocol":"http","hostname":"10.1.0.5","repo_port":8081}"#,
    );
    assert_eq!(status, 400, "{e}");
    let repo = r#"{"arch":"arm64","protocol":"https","hostname":"repo.lab","repo_port":8443,"registry_port":5000}"#;
    assert_eq!(c.post("/api/settings/repositories", repo).0, 204);
    let listed = k.json(&["setting", "repo", "list"]);
    assert_eq!((listed[0]["arch"].as_str(), listed[0]["registry_port"].as_u64()), (Some("arm64"), Some(5000)));
    assert_eq!(c.send("DELETE", "/api/settings/repositories/arm64", None).0, 204);
    assert_eq!(c.get("/api/settings/repositories").1, serde_json::json!([]));

    // a CSV import over HTTP never trusts on first use: a row without a fingerprint is refused
    let (status, rows) = c.send("POST", "/api/hosts/import", Some("name,address,port,credential\nh1,10.9.9.9,,none\n"));
    assert_eq!(status, 200, "{rows}");
    assert_eq!((rows[0]["line"].as_u64(), rows[0]["result"].as_str()), (Some(2), Some("invalid")), "{rows}");
    assert!(rows[0]["message"].as_str().unwrap().contains("fingerprint"), "{rows}");
    assert_eq!(k.json(&["host", "list"]), serde_json::json!([]));
}

/// The server-sent updates of a streaming POST, as JSON values.
fn stream(c: &mut Client, url: &str, body: &str) -> Vec<Value> {
    let req = http_request("POST", url)
        .header("Cookie", c.cookie.clone().unwrap())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .unwrap();
    let resp = c.agent.run(req).unwrap();
    assert_eq!(resp.headers().get("content-type").unwrap(), "text/event-stream");
    BufReader::new(resp.into_body().into_reader())
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| l.strip_prefix("data: ").map(|d| serde_json::from_str(d).unwrap()))
        .collect()
}

#[test]
fn a_bundle_build_streams_its_downloads_and_says_where_the_zip_is() {
    let k = Koctl::new();
    let (recipe, src) = crate::bundles::recipe(&k);
    let (mut files, base) = crate::bundles::serve_dir(&src);
    let text_recipe = std::fs::read_to_string(&recipe).unwrap().replace("https://example.invalid", &base);
    std::fs::write(&recipe, text_recipe).unwrap();
    let server = serve(&k);
    let mut c = admin_client(&server);
    let body = serde_json::json!({"recipe": recipe, "arches": ["amd64"]}).to_string();
    let updates = stream(&mut c, &format!("{}api/bundles/build", server.url), &body);
    files.kill().unwrap();
    files.wait().unwrap();
    let kinds: Vec<&str> = updates.iter().map(|u| u["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"download"), "{updates:?}");
    assert!(kinds.contains(&"writing"), "{updates:?}");
    let last = updates.last().unwrap();
    assert_eq!(last["kind"], "done", "{updates:?}");
    let zip = last["data"]["path"].as_str().unwrap();
    assert!(zip.ends_with("builds/recipe.zip"), "{zip}");
    assert_eq!(k.json(&["bundle", "verify", zip, "--allow-unsigned"])["manifest"]["name"], "k8s-v1.99.0");
    // a recipe that is not there ends the stream with `failed`, saying so
    let updates =
        stream(&mut c, &format!("{}api/bundles/build", server.url), r#"{"recipe":"/nope.toml","arches":["amd64"]}"#);
    assert_eq!(updates.last().unwrap()["kind"], "failed", "{updates:?}");
}

#[test]
fn a_bundle_push_streams_its_progress_and_each_hosts_result() {
    let k = Koctl::new();
    fake_hosts_and_bundle(&k); // hosts that cannot be reached, a bundle in the library
    let server = serve(&k);
    let mut c = admin_client(&server);
    let url = format!("{}api/bundles/k8s-test/push", server.url);
    let updates = stream(&mut c, &url, r#"{"hosts":["node-1","node-2"]}"#);
    let last = updates.last().unwrap();
    assert_eq!(last["kind"], "done", "{updates:?}");
    let hosts: Vec<&str> = last["data"].as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["node-1", "node-2"]);
    assert!(last["data"].as_array().unwrap().iter().all(|h| h["error"].is_string()), "unreachable hosts fail: {last}");
    // an unknown bundle ends the stream with `failed`, and a user who may not push gets 403 at once
    let (status, body) = c.post("/api/bundles/nope/push", r#"{"hosts":["node-1"]}"#);
    assert_eq!(status, 200);
    assert!(body.as_str().unwrap().contains(r#""kind":"failed""#), "{body}");
    assert_eq!(
        k.run_with(&["user", "add", "--name", "carol", "--password-stdin"], "carol-password\n", &[]).status.code(),
        Some(0)
    );
    let mut carol = Client::new(&server);
    login(&mut carol, "carol", "carol-password");
    assert_eq!(carol.post("/api/bundles/k8s-test/push", r#"{"hosts":["node-1"]}"#).0, 403);

    // verifying an upload that is not a bundle says so, and the upload is not kept
    let (status, e) = c.send("POST", "/api/bundles/verify", Some("not a zip"));
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("bundle.not_a_zip")), "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("the uploaded file is not a bundle"), "named as the upload: {message}");
    assert!(std::fs::read_dir(k.data_dir().join("uploads")).unwrap().next().is_none(), "the upload is removed");
}

#[test]
fn day_two_operations_answer_with_a_plan_or_a_task_over_http() {
    let k = Koctl::new();
    crate::kube_plans::running_cluster(&k);
    let server = serve(&k);
    let mut c = admin_client(&server);
    let (status, plan) = c.post("/api/clusters/c/workers/plan", r#"{"hosts": ["w2"]}"#);
    assert_eq!(status, 200);
    let plan = plan.as_str().unwrap();
    assert!(plan.contains("kubeadm join (worker) @ w2") && !plan.contains("@ w1"), "{plan}");
    let (status, plan) = c.post("/api/clusters/c/workers/w1/remove/plan", "{}");
    assert_eq!(status, 200);
    assert!(plan.as_str().unwrap().contains("kubectl delete node c-worker-1"));
    // a plan is its own operation: a stray "plan" is refused, never taken for the real thing
    let (status, e) = c.post("/api/clusters/c/workers", r#"{"hosts": ["w2"], "plan": true}"#);
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("request.malformed")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("unknown field `plan`"), "{e}");
    let (status, e) = c.post("/api/clusters/c/workers/m1/remove", "{}");
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("remove.not_worker")), "{e}");
    // an upgrade without a bundle of the version is refused with its code
    let (status, e) = c.post("/api/clusters/c/upgrade/plan", r#"{"to": "v1.35.0"}"#);
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("bundle.none_for_version")), "{e}");
    // forgotten (its keychain entries too, so with a keychain): 204, then no such cluster
    if ko_secrets::testing::keychain_or_skip("day_two_operations_answer_with_a_plan_or_a_task_over_http (delete)")
        .is_some()
    {
        assert_eq!(c.send("DELETE", "/api/clusters/c", None).0, 204);
        assert_eq!(c.get("/api/clusters/c").0, 404);
    }
}
