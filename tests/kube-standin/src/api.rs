//! The HTTP side: bearer-token authentication, `/version`, `/readyz`, discovery (`/api`, `/apis`,
//! the resource lists, enough for the real kubectl), lists and gets of the served kinds (as
//! `Table` when kubectl asks for one), and the SelfSubjectReview.

use crate::StandInState;
use crate::objects::{RESOURCES, Resource, resource};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// A Kubernetes `Status` answer.
fn status(code: StatusCode, reason: &str, message: &str) -> Response {
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
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.requests.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{method} {uri}"));
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "));
    let user = bearer.and_then(|t| state.users.iter().find(|(token, _)| token == t).map(|(_, u)| u.clone()));
    let Some(user) = user else {
        return status(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    };
    let path = uri.path().trim_end_matches('/');
    let query = uri.query().unwrap_or_default();
    let wants_table = headers.get(header::ACCEPT).and_then(|h| h.to_str().ok()).is_some_and(|a| a.contains("as=Table"));
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
        (Method::GET, p) => get(&state, p, wants_table),
        (m, p) => status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("{m} {p} is not served by the stand-in"),
        ),
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

/// A GET below `/api/v1` or `/apis/GROUP/v1`: the resource list, a list, or one object.
fn get(state: &StandInState, path: &str, wants_table: bool) -> Response {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, "v1", rest @ ..] => (*group, rest),
        _ => return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource"),
    };
    let (namespace, plural, name) = match rest {
        [] => return json_ok(resource_list(group)),
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource"),
    };
    let Some(res) = resource(group, plural) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "the server could not find the requested resource");
    };
    let objects = state.objects.lock().unwrap_or_else(|e| e.into_inner());
    let items = objects.list(res.plural, namespace);
    match name {
        Some(name) => match items.into_iter().find(|o| o["metadata"]["name"] == name) {
            Some(o) => json_ok(o),
            None => status(StatusCode::NOT_FOUND, "NotFound", &format!("{} \"{name}\" not found", res.plural)),
        },
        None if wants_table => json_ok(table(res, &items, objects.resource_version)),
        None => json_ok(json!({
            "kind": format!("{}List", res.kind), "apiVersion": res.api_version(),
            "metadata": {"resourceVersion": objects.resource_version.to_string()}, "items": items,
        })),
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
