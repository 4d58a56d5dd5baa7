//! The HTTP side: bearer-token authentication, `/version`, `/readyz`, discovery (`/api`, `/apis`,
//! the resource lists, enough for the real kubectl), lists (label and field selectors) and gets of
//! the served kinds (as `Table` when kubectl asks for one), watches (from a resourceVersion, with
//! bookmarks, `410 Gone` after a compaction, ended after `timeoutSeconds`), patches (merge,
//! strategic merge — handled as a merge — and server-side apply, each with `dryRun`), the `scale`
//! subresource, deletes, evictions (`429` while a test makes a disruption budget refuse), and
//! the SelfSubjectReview.

use crate::StandInState;
use crate::objects::{Gone, RESOURCES, Resource, resource};
use axum::body::Bytes;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A Kubernetes `Status` answer.
pub(crate) fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code.as_u16(),
    });
    (code, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn json_ok(v: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// Answers one request.
pub async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<StandInState>>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method.clone(), parts.uri.clone(), parts.headers.clone());
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
    let mut seen = format!("{method} {uri}");
    if !content_type.is_empty() {
        seen.push_str(&format!(" [{content_type}]"));
    }
    if let Some(accept) = headers.get(header::ACCEPT).and_then(|h| h.to_str().ok()).filter(|a| a.contains("as=")) {
        seen.push_str(&format!(" [accept {accept}]"));
    }
    state.requests.lock().unwrap_or_else(|e| e.into_inner()).push(seen);
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "));
    let user = bearer.and_then(|t| state.users.iter().find(|(token, _)| token == t).map(|(_, u)| u.clone()));
    let Some(user) = user else {
        return status(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    };
    let path = uri.path().trim_end_matches('/');
    let query = uri.query().unwrap_or_default();
    let Ok(body) = axum::body::to_bytes(body, 64 << 20).await else {
        return status(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge", "the request body is too large");
    };
    let accept = headers.get(header::ACCEPT).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let wants_table = accept.contains("as=Table");
    // `as=PartialObjectMetadata[List]`: metadata only (what a view of secrets asks for)
    let meta_only = accept.contains("as=PartialObjectMetadata");
    match (method, path) {
        (Method::GET, "/version") => json_ok(json!({
            "major": "1", "minor": state.version.trim_start_matches("v1.").split('.').next().unwrap_or("34"),
            "gitVersion": state.version, "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2025-11-11T00:00:00Z", "goVersion": "go1.24.9",
            "compiler": "gc", "platform": "linux/amd64",
        })),
        (Method::GET, "/readyz" | "/livez" | "/healthz") => readyz(&state, query.contains("verbose")),
        (Method::GET, "/api") => json_ok(json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
        })),
        (Method::GET, "/apis") => json_ok(api_groups()),
        (Method::POST, "/apis/authentication.k8s.io/v1/selfsubjectreviews") => {
            let mut review: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({}));
            review["apiVersion"] = "authentication.k8s.io/v1".into();
            review["kind"] = "SelfSubjectReview".into();
            review["status"] =
                json!({"userInfo": {"username": user, "groups": ["system:masters", "system:authenticated"]}});
            (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], review.to_string()).into_response()
        }
        (method, p) => {
            let Some(target) = Target::parse(p) else {
                return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource");
            };
            let query = Query::parse(query);
            match (method, &target) {
                (Method::GET, Target { resource: None, .. }) => json_ok(resource_list(target.group)),
                (_, Target { resource: None, .. }) => {
                    status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "not allowed")
                }
                (Method::GET, Target { sub: Some("log"), .. }) => pod_log(state.clone(), &target, &query),
                (Method::GET, Target { sub: Some("exec"), .. }) => {
                    crate::exec::open(state.clone(), &mut parts, &target, &query).await
                }
                (Method::GET, _) if query.watch() => watch(state.clone(), &target, &query, meta_only),
                (Method::GET, _) if meta_only => get_metadata(&state, &target, &query),
                (Method::GET, _) => get(&state, &target, &query, wants_table),
                (Method::PATCH, _) => patch(&state, &target, &query, &content_type, &body),
                (Method::DELETE, _) => delete(&state, &target),
                (Method::POST, Target { sub: Some("eviction"), .. }) => evict(&state, &target),
                (m, _) => status(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    &format!("{m} {p} is not served by the stand-in"),
                ),
            }
        }
    }
}

fn readyz(state: &StandInState, verbose: bool) -> Response {
    let failing = state.failing_checks.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut text = String::new();
    for check in [
        "ping",
        "log",
        "etcd",
        "etcd-readiness",
        "informer-sync",
        "poststarthook/start-apiserver-admission-initializer",
    ] {
        if failing.iter().any(|f| f == check) {
            text.push_str(&format!("[-]{check} failed: reason withheld\n"));
        } else {
            text.push_str(&format!("[+]{check} ok\n"));
        }
    }
    let ok = failing.is_empty();
    text.push_str(if ok { "readyz check passed\n" } else { "readyz check failed\n" });
    let code = if ok { StatusCode::OK } else { StatusCode::INTERNAL_SERVER_ERROR };
    (code, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], if verbose || !ok { text } else { "ok".into() })
        .into_response()
}

fn api_groups() -> Value {
    let mut groups: Vec<&str> = RESOURCES.iter().map(|r| r.group).filter(|g| !g.is_empty()).collect();
    groups.dedup();
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| {
            let gv = json!({"groupVersion": format!("{g}/v1"), "version": "v1"});
            json!({"name": g, "versions": [gv], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_list(group: &str) -> Value {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|r| r.group == group)
        .map(|r| {
            let verbs: &[&str] = if r.kind == "SelfSubjectReview" { &["create"] } else { &["get", "list", "watch"] };
            json!({"name": r.plural, "singularName": r.kind.to_lowercase(), "namespaced": r.namespaced,
                   "kind": r.kind, "verbs": verbs, "shortNames": r.short})
        })
        .collect();
    let gv = if group.is_empty() { "v1".to_string() } else { format!("{group}/v1") };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources})
}

/// What a path below `/api/v1` or `/apis/GROUP/v1` names.
pub(crate) struct Target<'a> {
    group: &'a str,
    /// The kind (none: the group's resource list).
    resource: Option<&'static Resource>,
    pub(crate) namespace: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    /// A subresource (`scale`, `eviction`, `log`).
    sub: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn parse(path: &'a str) -> Option<Self> {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (group, rest) = match segs.as_slice() {
            ["api", "v1", rest @ ..] => ("", rest),
            ["apis", group, "v1", rest @ ..] => (*group, rest),
            _ => return None,
        };
        let (namespace, rest) = match rest {
            ["namespaces", ns, more @ ..] if !more.is_empty() => (Some(*ns), more),
            _ => (None, rest),
        };
        let (plural, name, sub) = match rest {
            [] => return Some(Self { group, resource: None, namespace, name: None, sub: None }),
            [plural] => (*plural, None, None),
            [plural, name] => (*plural, Some(*name), None),
            [plural, name, sub] => (*plural, Some(*name), Some(*sub)),
            _ => return None,
        };
        Some(Self { group, resource: Some(resource(group, plural)?), namespace, name, sub })
    }

    fn resource(&self) -> &'static Resource {
        self.resource.unwrap_or(&RESOURCES[0])
    }

    fn not_found(&self) -> Response {
        let what = format!("{} \"{}\" not found", self.resource().plural, self.name.unwrap_or_default());
        status(StatusCode::NOT_FOUND, "NotFound", &what)
    }
}

/// The query's parameters, percent-decoded.
pub(crate) struct Query(Vec<(String, String)>);

fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                rest = &tail[2..];
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    fn parse(q: &str) -> Self {
        Self(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`command=sh&command=-c&...`), in order.
    pub(crate) fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    fn watch(&self) -> bool {
        matches!(self.get("watch"), Some("true" | "1"))
    }

    /// Whether `obj` matches the `labelSelector` and `fieldSelector` (`a=b`, `a==b`, `a!=b`,
    /// comma-separated; fields by their JSON path, `spec.nodeName`).
    fn selects(&self, obj: &Value) -> bool {
        let labels = |k: &str| obj["metadata"]["labels"][k].as_str().map(str::to_string);
        let field = |k: &str| {
            let v = k.split('.').fold(obj, |v, part| &v[part]);
            v.as_str().map(str::to_string).or_else(|| (!v.is_null()).then(|| v.to_string()))
        };
        let check = |sel: Option<&str>, value: &dyn Fn(&str) -> Option<String>| {
            sel.unwrap_or_default().split(',').filter(|t| !t.is_empty()).all(|term| {
                if let Some((k, v)) = term.split_once("!=") {
                    value(k).as_deref() != Some(v)
                } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                    value(k).as_deref() == Some(v)
                } else {
                    value(term).is_some()
                }
            })
        };
        check(self.get("labelSelector"), &labels) && check(self.get("fieldSelector"), &field)
    }
}

/// A list, or one object (GET).
fn get(state: &StandInState, target: &Target<'_>, query: &Query, wants_table: bool) -> Response {
    let res = target.resource();
    let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
    let items: Vec<Value> =
        objects.list(res.plural, target.namespace).into_iter().filter(|o| query.selects(o)).collect();
    match (target.name, target.sub) {
        (Some(name), None) => match items.into_iter().find(|o| o["metadata"]["name"] == name) {
            Some(o) => json_ok(o),
            None => target.not_found(),
        },
        (Some(_), Some(sub)) => status(StatusCode::NOT_FOUND, "NotFound", &format!("subresource {sub} is not served")),
        (None, _) if wants_table => json_ok(table(res, &items, objects.resource_version)),
        (None, _) => json_ok(json!({
            "kind": format!("{}List", res.kind), "apiVersion": res.api_version(),
            "metadata": {"resourceVersion": objects.resource_version.to_string()}, "items": items,
        })),
    }
}

/// An object's metadata as a `PartialObjectMetadata`.
fn metadata_of(o: &Value) -> Value {
    json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": o["metadata"]})
}

/// A list of metadata only (`PartialObjectMetadataList`).
fn get_metadata(state: &StandInState, target: &Target<'_>, query: &Query) -> Response {
    let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
    let items: Vec<Value> = objects
        .list(target.resource().plural, target.namespace)
        .iter()
        .filter(|o| query.selects(o) && target.name.is_none_or(|n| o["metadata"]["name"] == n))
        .map(metadata_of)
        .collect();
    json_ok(json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList",
                   "metadata": {"resourceVersion": objects.resource_version.to_string()}, "items": items}))
}

fn event_line(kind: &str, object: &Value) -> String {
    json!({"type": kind, "object": object}).to_string() + "\n"
}

fn bookmark(res: &Resource, rv: u64) -> String {
    event_line(
        "BOOKMARK",
        &json!({"kind": res.kind, "apiVersion": res.api_version(), "metadata": {"resourceVersion": rv.to_string()}}),
    )
}

/// A watch: the changes after `resourceVersion` (every current object as `ADDED` without one),
/// a bookmark, then each change as it happens until `timeoutSeconds` (default 30 min); an
/// `ERROR 410` event when the history it asks for was compacted.
fn watch(state: Arc<StandInState>, target: &Target<'_>, query: &Query, meta_only: bool) -> Response {
    let res = target.resource();
    let line =
        move |kind: &str, o: &Value| if meta_only { event_line(kind, &metadata_of(o)) } else { event_line(kind, o) };
    let namespace = target.namespace.map(str::to_string);
    let from: u64 = query.get("resourceVersion").and_then(|v| v.parse().ok()).unwrap_or(0);
    let timeout = Duration::from_secs(query.get("timeoutSeconds").and_then(|v| v.parse().ok()).unwrap_or(1800));
    let mut rx = state.changed.subscribe();
    let (first, last) = {
        let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
        let now = objects.resource_version;
        let selected = |o: &Value| query.selects(o);
        if from == 0 {
            let lines: String = objects
                .list(res.plural, namespace.as_deref())
                .iter()
                .filter(|o| selected(o))
                .map(|o| line("ADDED", o))
                .collect();
            (lines + &bookmark(res, now), Some(now))
        } else {
            match objects.changes_since(from, res.plural, namespace.as_deref()) {
                Ok(changes) => {
                    let lines: String =
                        changes.iter().filter(|c| selected(&c.object)).map(|c| line(c.kind, &c.object)).collect();
                    (lines + &bookmark(res, now), Some(now))
                }
                Err(Gone) => {
                    let gone = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": format!("too old resource version: {from} ({now})"), "reason": "Expired", "code": 410});
                    (event_line("ERROR", &gone), None)
                }
            }
        }
    };
    rx.mark_unchanged();
    let selectors = Arc::new(Query(query.0.clone()));
    let deadline = tokio::time::Instant::now() + timeout;
    let initial = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) });
    let rest = futures::stream::unfold((rx, last), move |(mut rx, last)| {
        let (state, namespace, selectors) = (state.clone(), namespace.clone(), selectors.clone());
        async move {
            let mut last = last?;
            loop {
                tokio::time::timeout_at(deadline, rx.changed()).await.ok()?.ok()?;
                let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
                let changes = objects.changes_since(last, res.plural, namespace.as_deref()).ok()?;
                last = objects.resource_version;
                let lines: String =
                    changes.iter().filter(|c| selectors.selects(&c.object)).map(|c| line(c.kind, &c.object)).collect();
                if !lines.is_empty() {
                    return Some((Ok(Bytes::from(lines)), (rx, Some(last))));
                }
            }
        }
    });
    let body = axum::body::Body::from_stream(initial.chain(rest));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A container's log (`text/plain`): `container` (required when the pod has several),
/// `previous` (400 when it never restarted), `sinceSeconds`, `tailLines`, `timestamps`, and
/// `follow` — then every line appended until the client goes.
/// The pod `target` names and the container the query chooses (or its only one); the API
/// server's refusal otherwise.
pub(crate) fn pod_and_container(
    state: &StandInState,
    target: &Target<'_>,
    query: &Query,
) -> Result<(Value, String), Box<Response>> {
    let (ns, name) = (target.namespace.unwrap_or_default(), target.name.unwrap_or_default());
    let pod = {
        let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
        objects.list("pods", Some(ns)).into_iter().find(|p| p["metadata"]["name"] == name)
    };
    let Some(pod) = pod else { return Err(Box::new(target.not_found())) };
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let bad = |message: String| Err(Box::new(status(StatusCode::BAD_REQUEST, "BadRequest", &message)));
    match query.get("container").filter(|c| !c.is_empty()) {
        Some(c) if containers.iter().any(|x| x == c) => Ok((pod, c.to_string())),
        Some(c) => bad(format!("container {c} is not valid for pod {name}")),
        None if containers.len() == 1 => Ok((pod, containers[0].clone())),
        None => {
            bad(format!("a container name must be specified for pod {name}, choose one of: [{}]", containers.join(" ")))
        }
    }
}

fn pod_log(state: Arc<StandInState>, target: &Target<'_>, query: &Query) -> Response {
    let (ns, name) = (target.namespace.unwrap_or_default().to_string(), target.name.unwrap_or_default().to_string());
    let (pod, container) = match pod_and_container(&state, target, query) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let previous = query.get("previous") == Some("true");
    let restarts: i64 = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["name"] == container.as_str())
        .filter_map(|c| c["restartCount"].as_i64())
        .sum();
    if previous && restarts == 0 {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("previous terminated container \"{container}\" in pod \"{name}\" not found"),
        );
    }
    let key: crate::LogKey = (ns, name.clone(), container.clone(), previous);
    let timestamps = query.get("timestamps") == Some("true");
    let since = query.get("sinceSeconds").and_then(|s| s.parse::<i64>().ok()).map(|s| crate::now_secs() - s);
    let tail = query.get("tailLines").and_then(|s| s.parse::<usize>().ok());
    let follow = query.get("follow") == Some("true") && !previous;
    let render = move |lines: &[(i64, String)]| -> String {
        lines
            .iter()
            .map(|(t, l)| {
                let at = time::OffsetDateTime::from_unix_timestamp(*t)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                    .unwrap_or_default();
                if timestamps { format!("{at} {l}\n") } else { format!("{l}\n") }
            })
            .collect()
    };
    let mut rx = state.logged.subscribe();
    let (first, seen) = {
        let mut logs = state.logs.lock().unwrap_or_else(|e| e.into_inner());
        let lines =
            logs.entry(key.clone()).or_insert_with(|| crate::objects::first_log_lines(&name, &container, previous));
        let mut picked: Vec<(i64, String)> =
            lines.iter().filter(|(t, _)| since.is_none_or(|s| *t >= s)).cloned().collect();
        if let Some(n) = tail {
            picked = picked.split_off(picked.len().saturating_sub(n));
        }
        (render(&picked), lines.len())
    };
    rx.mark_unchanged();
    let initial = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) });
    if !follow {
        return ([(header::CONTENT_TYPE, "text/plain")], axum::body::Body::from_stream(initial)).into_response();
    }
    let rest = futures::stream::unfold((rx, seen), move |(mut rx, seen)| {
        let (state, key) = (state.clone(), key.clone());
        async move {
            rx.changed().await.ok()?;
            let logs = state.logs.lock().unwrap_or_else(|e| e.into_inner());
            let lines = logs.get(&key).map(Vec::as_slice).unwrap_or_default();
            let new = render(lines.get(seen..).unwrap_or_default());
            Some((Ok(Bytes::from(new)), (rx, lines.len())))
        }
    });
    ([(header::CONTENT_TYPE, "text/plain")], axum::body::Body::from_stream(initial.chain(rest))).into_response()
}

/// RFC 7386 JSON merge patch.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// PATCH: merge (and strategic merge, handled as one), server-side apply (creates what is not
/// there), the `scale` subresource; `dryRun=All` stores nothing.
fn patch(state: &StandInState, target: &Target<'_>, query: &Query, content_type: &str, body: &[u8]) -> Response {
    let res = target.resource();
    let Some(name) = target.name else {
        return status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "patch a named object");
    };
    let patch: Value = match content_type {
        "application/apply-patch+yaml" => match serde_yaml_ng::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return status(StatusCode::BAD_REQUEST, "BadRequest", &format!("the apply body is not YAML: {e}"));
            }
        },
        "application/merge-patch+json" | "application/strategic-merge-patch+json" => match serde_json::from_slice(body)
        {
            Ok(v) => v,
            Err(e) => return status(StatusCode::BAD_REQUEST, "BadRequest", &format!("the patch is not JSON: {e}")),
        },
        other => {
            return status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                &format!("{other} is not served"),
            );
        }
    };
    let apply = content_type == "application/apply-patch+yaml";
    if apply && query.get("fieldManager").is_none_or(str::is_empty) {
        return status(StatusCode::BAD_REQUEST, "BadRequest", "fieldManager is required for apply patch");
    }
    let existing = {
        let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
        objects.list(res.plural, target.namespace).into_iter().find(|o| o["metadata"]["name"] == name)
    };
    let mut obj = match (existing, apply) {
        (Some(o), _) => o,
        (None, true) => json!({"apiVersion": res.api_version(), "kind": res.kind,
                               "metadata": {"name": name, "namespace": target.namespace, "creationTimestamp": "2026-12-07T00:00:00Z",
                                            "uid": format!("{name}-applied")}}),
        (None, false) => return target.not_found(),
    };
    if target.sub == Some("scale") {
        let replicas = patch["spec"]["replicas"].clone();
        obj["spec"]["replicas"] = replicas.clone();
        obj["status"]["replicas"] = replicas.clone();
        obj["status"]["readyReplicas"] = replicas;
    } else {
        merge(&mut obj, &patch);
        if target.namespace.is_none()
            && let Some(m) = obj["metadata"].as_object_mut()
        {
            m.remove("namespace");
        }
    }
    if query.get("dryRun") != Some("All") {
        obj = state.apply(obj);
    }
    if target.sub == Some("scale") {
        return json_ok(json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
            "metadata": {"name": name, "namespace": target.namespace, "resourceVersion": obj["metadata"]["resourceVersion"]},
            "spec": {"replicas": obj["spec"]["replicas"]}, "status": {"replicas": obj["spec"]["replicas"]}}));
    }
    json_ok(obj)
}

fn delete(state: &StandInState, target: &Target<'_>) -> Response {
    match target.name.and_then(|name| state.remove(target.resource().plural, target.namespace, name)) {
        Some(gone) => json_ok(gone),
        None => target.not_found(),
    }
}

/// An eviction: `429` while the test's disruption budget refuses, else the pod goes.
fn evict(state: &StandInState, target: &Target<'_>) -> Response {
    {
        let mut refusals = state.eviction_refusals.lock().unwrap_or_else(|e| e.into_inner());
        if *refusals > 0 {
            *refusals -= 1;
            return status(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Cannot evict pod as it would violate the pod's disruption budget.",
            );
        }
    }
    match target.name.and_then(|name| state.remove("pods", target.namespace, name)) {
        Some(_) => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}).to_string(),
        )
            .into_response(),
        None => target.not_found(),
    }
}

/// The `Table` kubectl prints: Name and Age for every kind, the usual columns for nodes and pods.
fn table(res: &Resource, items: &[Value], rv: u64) -> Value {
    let col = |name: &str| {
        json!({"name": name, "type": "string", "format": if name == "Name" { "name" } else { "" },
                                  "description": "", "priority": 0})
    };
    let names: &[&str] = match res.kind {
        "Node" => &["Name", "Status", "Roles", "Age", "Version"],
        "Pod" => &["Name", "Ready", "Status", "Restarts", "Age"],
        _ => &["Name", "Age"],
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let name = o["metadata"]["name"].clone();
            let cells: Vec<Value> = match res.kind {
                "Node" => {
                    let ready = o["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True");
                    let roles: Vec<String> = o["metadata"]["labels"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string))
                        .collect();
                    vec![
                        name,
                        if ready { "Ready" } else { "NotReady" }.into(),
                        roles.join(",").into(),
                        "1y".into(),
                        o["status"]["nodeInfo"]["kubeletVersion"].clone(),
                    ]
                }
                "Pod" => {
                    let cs = o["status"]["containerStatuses"].as_array().cloned().unwrap_or_default();
                    let ready = cs.iter().filter(|c| c["ready"] == true).count();
                    let restarts: i64 = cs.iter().filter_map(|c| c["restartCount"].as_i64()).sum();
                    let waiting = cs.iter().find_map(|c| c["state"]["waiting"]["reason"].as_str().map(str::to_string));
                    vec![
                        name,
                        format!("{ready}/{}", cs.len()).into(),
                        waiting.unwrap_or_else(|| o["status"]["phase"].as_str().unwrap_or("Unknown").into()).into(),
                        restarts.into(),
                        "1y".into(),
                    ]
                }
                _ => vec![name, "1y".into()],
            };
            json!({"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                               "metadata": o["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv.to_string()},
           "columnDefinitions": names.iter().map(|n| col(n)).collect::<Vec<_>>(), "rows": rows})
}
