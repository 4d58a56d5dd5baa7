//! Every operation the UI can call, declared once: its name, its HTTP route, its input and
//! output types and the [`Api`] call it makes (the `operations!` tables in this module's files).
//! From these tables `koctl serve` builds its routes, the desktop shell its one `call` command
//! and `tests/ts_client.rs` the TypeScript client (`frontend/src/backend/operations.ts`), so an
//! operation added here reaches both doors and the UI with nothing else to write. koctl calls
//! the same [`Api`] functions with its own flags.
//!
//! Streams and files stay outside the tables, written by hand in each door: logging in, task
//! journals, bundle uploads and pushes, the kubeconfig download.

#[macro_use]
mod declare;
mod access;
mod clusters;
mod iaas;
mod inventory;
mod objects;
mod settings;
mod tasks;

use crate::{Actor, Api, ApiError, PreparedTask, Result, Started};
use schemars::{Schema, SchemaGenerator};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// The HTTP method of an operation's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reads; its input comes from the path and the query.
    Get,
    /// Changes or starts something.
    Post,
    /// Removes something.
    Delete,
}

/// Where an operation's input is in an HTTP request, besides the path's `{parameters}` and
/// the query (which may carry any field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// A JSON object whose members are the input's fields (or no body).
    Fields,
    /// A JSON value that is the named field as a whole (a form).
    Whole(&'static str),
    /// Plain text that is the named field (a cluster file, a CSV).
    Text(&'static str),
}

type Call = fn(Api, Actor, Value) -> Pin<Box<dyn Future<Output = Result<Value>> + Send>>;

/// One operation of the API.
pub struct Operation {
    /// Its name (`host_add`): the desktop's command argument, the client function's name.
    pub name: &'static str,
    /// What it does (the declaration's doc comment).
    pub doc: &'static str,
    /// Its HTTP method.
    pub method: Method,
    /// Its HTTP path, with `{field}` for input fields taken from the path.
    pub path: &'static str,
    /// Where the rest of its input is in an HTTP request.
    pub body: Body,
    /// The HTTP status of a success: `200`, `201` (created) or `202` (a task started); an
    /// operation that answers nothing answers `204` unless it declares another status.
    pub status: Option<u16>,
    /// Registers its input type and returns its schema.
    pub input_schema: fn(&mut SchemaGenerator) -> Schema,
    /// Registers its output type and returns its schema.
    pub output_schema: fn(&mut SchemaGenerator) -> Schema,
    call: Call,
}

impl Operation {
    /// Runs the operation as `actor` on `input` (its input type as JSON); its output as JSON
    /// (`null` when it answers nothing).
    pub async fn call(&self, api: &Api, actor: &Actor, input: Value) -> Result<Value> {
        (self.call)(api.clone(), actor.clone(), input).await
    }

    /// The names of the `{parameters}` in its path, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
    }
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation").field("name", &self.name).field("path", &self.path).finish_non_exhaustive()
    }
}

/// Every operation, grouped by area.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    [
        access::OPERATIONS,
        inventory::OPERATIONS,
        iaas::OPERATIONS,
        clusters::OPERATIONS,
        objects::OPERATIONS,
        tasks::OPERATIONS,
        settings::OPERATIONS,
    ]
    .into_iter()
    .flatten()
}

/// The operation called `name`.
pub fn find(name: &str) -> Result<&'static Operation> {
    all().find(|op| op.name == name).ok_or_else(|| ApiError::NotFound { kind: "operation", name: name.into() })
}

/// Runs operation `name` as `actor` on `input` (see [`Operation::call`]).
pub async fn call(api: &Api, actor: &Actor, name: &str, input: Value) -> Result<Value> {
    find(name)?.call(api, actor, input).await
}

/// The input of operation `op` from JSON, or what is wrong with it.
fn input<T: serde::de::DeserializeOwned>(op: &str, input: Value) -> Result<T> {
    let input = if input.is_null() { Value::Object(Default::default()) } else { input };
    serde_json::from_value(input).map_err(|e| ApiError::invalid_request(format!("the input of {op} is not right: {e}")))
}

/// An output as JSON.
fn output<T: serde::Serialize>(out: T) -> Result<Value> {
    serde_json::to_value(out).map_err(|e| ApiError::Internal(format!("an answer could not be written: {e}")))
}

/// Starts a prepared task in the background: the answer of every operation that starts one.
fn started(task: PreparedTask) -> Started {
    Started { task_id: task.spawn() }
}

/// The input of an operation that takes none.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_routes_are_unique_and_path_parameters_are_input_fields() {
        let mut names = HashSet::new();
        let mut routes = HashSet::new();
        let mut g = schemars::generate::SchemaSettings::draft2020_12().for_deserialize().into_generator();
        for op in all() {
            assert!(names.insert(op.name), "two operations are called {}", op.name);
            assert!(routes.insert((op.method, op.path)), "two operations answer {:?} {}", op.method, op.path);
            assert!(op.path.starts_with("/api/"), "{}: {}", op.name, op.path);
            assert!(!op.doc.trim().is_empty(), "{} has no doc comment", op.name);
            let fields = schema_fields(&mut g, op);
            for p in op.path_params() {
                assert!(fields.iter().any(|f| f == p), "{}: path parameter {p} is not an input field", op.name);
            }
            if let Body::Whole(f) | Body::Text(f) = op.body {
                assert!(fields.iter().any(|x| x == f), "{}: body field {f} is not an input field", op.name);
            }
        }
        assert!(names.len() > 50, "only {} operations", names.len());
    }

    /// The field names of an operation's input.
    fn schema_fields(g: &mut SchemaGenerator, op: &Operation) -> Vec<String> {
        let schema = (op.input_schema)(g);
        let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).unwrap_or_default();
        let defs = g.definitions();
        defs.get(name)
            .and_then(|d| d.get("properties"))
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn malformed_input_is_refused_saying_what_is_wrong() {
        let err = input::<NoInput>("x", Value::from(3)).unwrap_err();
        assert_eq!(err.code(), "request.malformed");
        assert!(err.to_string().contains("the input of x"), "{err}");
        assert!(find("no_such_operation").is_err());
    }
}
