//! The routes of ko-api's operation table ([`ko_api::ops`]): each operation at its method and
//! path, acting as the logged-in user. Its input is gathered from the path's parameters, the
//! query and the body (as the operation declares it); its answer is JSON with the operation's
//! status, or `204` when it answers nothing.

use super::AppState;
use super::error::HttpError;
use super::session::Authed;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use ko_api::ApiError;
use ko_api::ops::{Body, Method, Operation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Every operation's route (axum joins the methods of one path).
pub fn router() -> Router<AppState> {
    ko_api::ops::all().fold(Router::new(), |router, op| {
        let types = Arc::new(field_types(op));
        let handler = move |State(s): State<AppState>,
                            Authed(actor): Authed,
                            Path(params): Path<HashMap<String, String>>,
                            Query(query): Query<Vec<(String, String)>>,
                            body: Bytes| async move {
            let input = gather_input(op, &types, params.into_iter().chain(query), &body)?;
            let output = op.call(&s.api, &actor, input).await?;
            Ok::<_, HttpError>(answer(op, output))
        };
        router.route(
            op.path,
            match op.method {
                Method::Get => get(handler),
                Method::Post => post(handler),
                Method::Delete => delete(handler),
            },
        )
    })
}

/// The JSON types (`integer`, `boolean`...) of each field of `op`'s input, to read the strings
/// of a path or query as what they are.
fn field_types(op: &Operation) -> HashMap<String, Vec<String>> {
    let mut g = schemars::generate::SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let schema = (op.input_schema)(&mut g);
    let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).unwrap_or_default();
    let definitions = g.definitions();
    let properties = definitions.get(name).and_then(|d| d.get("properties")).and_then(Value::as_object);
    properties
        .into_iter()
        .flatten()
        .map(|(field, s)| {
            let types = match s.get("type") {
                Some(Value::String(t)) => vec![t.clone()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                _ => Vec::new(),
            };
            (field.clone(), types)
        })
        .collect()
}

/// A path or query string as the JSON value its field takes.
fn typed(types: &HashMap<String, Vec<String>>, field: &str, text: String) -> Value {
    let takes = |t: &str| types.get(field).is_some_and(|ts| ts.iter().any(|x| x == t));
    if (takes("integer") || takes("number"))
        && let Ok(n) = text.parse::<serde_json::Number>()
    {
        return Value::Number(n);
    }
    if takes("boolean")
        && let Ok(b) = text.parse::<bool>()
    {
        return Value::Bool(b);
    }
    Value::String(text)
}

fn bad_body(why: String) -> HttpError {
    ApiError::invalid_request(why).into()
}

/// The input of `op` from the strings of the path and query and from the body.
fn gather_input(
    op: &Operation,
    types: &HashMap<String, Vec<String>>,
    strings: impl Iterator<Item = (String, String)>,
    body: &[u8],
) -> Result<Value, HttpError> {
    let json =
        |body: &[u8]| serde_json::from_slice::<Value>(body).map_err(|e| bad_body(format!("the body is not JSON: {e}")));
    let mut input = match op.body {
        Body::Fields if body.iter().all(u8::is_ascii_whitespace) => Map::new(),
        Body::Fields => match json(body)? {
            Value::Object(fields) => fields,
            _ => return Err(bad_body("the body must be a JSON object".into())),
        },
        Body::Whole(field) => Map::from_iter([(field.to_string(), json(body)?)]),
        Body::Text(field) => {
            let text = String::from_utf8(body.to_vec()).map_err(|_| bad_body("the body is not UTF-8 text".into()))?;
            Map::from_iter([(field.to_string(), Value::String(text))])
        }
    };
    for (field, text) in strings {
        let value = typed(types, &field, text);
        if input.insert(field.clone(), value).is_some() {
            return Err(bad_body(format!("'{field}' is given twice (in the path or query, and in the body)")));
        }
    }
    Ok(Value::Object(input))
}

/// The operation's output as a response: JSON with its status, or `204` (its declared status)
/// without a body when it answers nothing.
fn answer(op: &Operation, output: Value) -> Response {
    let status = |default: StatusCode| op.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(default);
    match output {
        Value::Null => status(StatusCode::NO_CONTENT).into_response(),
        output => (status(StatusCode::OK), axum::Json(output)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str) -> &'static Operation {
        ko_api::ops::find(name).unwrap()
    }

    fn input(name: &str, strings: &[(&str, &str)], body: &str) -> Result<Value, HttpError> {
        let o = op(name);
        let strings = strings.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        gather_input(o, &field_types(o), strings, body.as_bytes())
    }

    #[test]
    fn path_query_and_body_make_one_input_with_strings_read_as_their_fields_types() {
        let i = input("task_logs", &[("id", "7"), ("after", "12")], "").ok().unwrap();
        assert_eq!(i, serde_json::json!({"id": 7, "after": 12}));
        let i = input("version_set_enabled", &[("version", "v1.35.2")], r#"{"enabled": true}"#).ok().unwrap();
        assert_eq!(i, serde_json::json!({"version": "v1.35.2", "enabled": true}));
        // a name that looks like a number stays a name
        let i = input("host_show", &[("name", "123")], "").ok().unwrap();
        assert_eq!(i, serde_json::json!({"name": "123"}));
        let i = input("cluster_create", &[("until", "etcd")], "name: c\n").ok().unwrap();
        assert_eq!(i, serde_json::json!({"yaml": "name: c\n", "until": "etcd"}));
        let i = input("host_add", &[], r#"{"name": "h"}"#).ok().unwrap();
        assert_eq!(i, serde_json::json!({"form": {"name": "h"}}));
    }

    #[test]
    fn a_body_that_is_not_the_operations_shape_is_refused() {
        for (name, strings, body) in [
            ("ntp_add", vec![], "[1]"),
            ("ntp_add", vec![], "{"),
            ("ntp_set_enabled", vec![("name", "a")], r#"{"name": "b", "enabled": true}"#),
        ] {
            let Err(HttpError(status, code, ..)) = input(name, &strings, body) else { panic!("{name} {body}") };
            assert_eq!((status, code), (StatusCode::BAD_REQUEST, "request.malformed"), "{name} {body}");
        }
    }
}
