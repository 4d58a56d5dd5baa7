//! The TypeScript of the UI is generated from the Rust: the types (`frontend/src/backend/generated.ts`)
//! through their JSON Schemas, and the client of every operation in ko-api's table
//! (`frontend/src/backend/operations.ts`). These tests fail when a committed file is not what the
//! Rust says (CI's drift check). `KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings`
//! rewrites them.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value};
use std::fmt::Write;
use std::path::PathBuf;

/// Registers the types the UI receives (serialized shapes): every operation's output, and what
/// the streams and files outside the table carry.
fn outputs(g: &mut SchemaGenerator) {
    for op in ko_api::ops::all() {
        (op.output_schema)(g);
    }
    fn add<T: JsonSchema>(g: &mut SchemaGenerator) {
        g.subschema_for::<T>();
    }
    add::<ko_api::StatusReport>(g);
    add::<ko_api::HostDetail>(g);
    add::<ko_api::ImportRow>(g);
    add::<ko_api::HostKey>(g);
    add::<ko_api::Credential>(g);
    add::<ko_api::Project>(g);
    add::<ko_api::ProjectDetail>(g);
    add::<ko_api::User>(g);
    add::<ko_api::KubernetesVersion>(g);
    add::<ko_api::LibraryBundle>(g);
    add::<ko_api::Imported>(g);
    add::<ko_api::VerifyReport>(g);
    add::<ko_api::PushProgress>(g);
    add::<ko_api::HostPush>(g);
    add::<ko_api::AuditEntry>(g);
    add::<ko_api::NtpServer>(g);
    add::<ko_api::TrustedBundleKey>(g);
    add::<ko_api::Repository>(g);
    add::<ko_api::Cluster>(g);
    add::<ko_api::ClusterDetail>(g);
    add::<ko_api::ClusterBackups>(g);
    add::<ko_api::ClusterValidation>(g);
    add::<ko_api::CheckResult>(g);
    add::<ko_api::Task>(g);
    add::<ko_api::TaskDetail>(g);
    add::<ko_api::TaskUpdate>(g);
    add::<ko_api::Started>(g);
    add::<ko_api::Me>(g);
    add::<ko_api::PushUpdate>(g);
    add::<ko_api::BuildUpdate>(g);
    add::<ko_api::ResourceUpdate>(g);
    add::<ko_api::PodLogUpdate>(g);
}

/// Registers the types the UI sends (deserialized shapes: optional fields may be left out):
/// every operation's input, and the push's form.
fn inputs(g: &mut SchemaGenerator) {
    for op in ko_api::ops::all() {
        (op.input_schema)(g);
    }
    g.subschema_for::<ko_api::CredentialForm>();
    g.subschema_for::<ko_api::HostForm>();
    g.subschema_for::<ko_api::UnlockForm>();
    g.subschema_for::<ko_api::UserForm>();
    g.subschema_for::<ko_api::PushForm>();
    g.subschema_for::<ko_api::BuildForm>();
    g.subschema_for::<ko_api::NewRepository>();
    g.subschema_for::<ko_api::WatchForm>();
    g.subschema_for::<ko_api::LogForm>();
    g.subschema_for::<ko_api::ExecTarget>();
}

fn definitions(settings: SchemaSettings, register: fn(&mut SchemaGenerator)) -> Map<String, Value> {
    let mut g = settings.into_generator();
    register(&mut g);
    g.take_definitions(true)
}

/// The TypeScript type of a schema.
fn ts_type(s: &Value) -> String {
    let Value::Object(o) = s else { return "unknown".into() };
    if let Some(r) = o.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or("unknown").to_string();
    }
    if let Some(c) = o.get("const") {
        return c.to_string();
    }
    if let Some(Value::Array(values)) = o.get("enum") {
        return values.iter().map(Value::to_string).collect::<Vec<_>>().join(" | ");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alts)) = o.get(key) {
            let mut parts: Vec<String> = alts.iter().map(ts_type).collect();
            parts.dedup();
            return parts.join(" | ");
        }
    }
    if let Some(Value::Array(all)) = o.get("allOf") {
        return all.iter().map(ts_type).collect::<Vec<_>>().join(" & ");
    }
    match o.get("type") {
        Some(Value::Array(types)) => {
            let mut parts: Vec<String> = types
                .iter()
                .map(|t| {
                    let mut single = o.clone();
                    single.insert("type".into(), t.clone());
                    ts_type(&Value::Object(single))
                })
                .collect();
            parts.dedup();
            parts.join(" | ")
        }
        Some(Value::String(t)) => match t.as_str() {
            "string" => "string".into(),
            "integer" | "number" => "number".into(),
            "boolean" => "boolean".into(),
            "null" => "null".into(),
            "array" => {
                let item = o.get("items").map(ts_type).unwrap_or_else(|| "unknown".into());
                if item.contains(' ') { format!("({item})[]") } else { format!("{item}[]") }
            }
            "object" if o.contains_key("properties") => object_literal(o, ""),
            "object" => match o.get("additionalProperties") {
                Some(v @ Value::Object(_)) => format!("Record<string, {}>", ts_type(v)),
                _ => "Record<string, unknown>".into(),
            },
            _ => "unknown".into(),
        },
        _ => "unknown".into(),
    }
}

/// `{ a: T; b?: U }` over several lines, each field with its doc comment.
fn object_literal(o: &Map<String, Value>, indent: &str) -> String {
    let required: Vec<&str> =
        o.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let mut out = String::from("{\n");
    for (name, schema) in o.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            let _ = writeln!(out, "{indent}  /** {} */", d.replace('\n', " ").replace("*/", "*\\/"));
        }
        let optional = if required.contains(&name.as_str()) { "" } else { "?" };
        let _ = writeln!(out, "{indent}  {name}{optional}: {}", ts_type(schema));
    }
    out.push_str(indent);
    out.push('}');
    out
}

fn render(defs: &Map<String, Value>) -> String {
    let mut out = String::from(
        "// Generated from the Rust types by crates/ko-api/tests/api/ts_bindings.rs; do not edit.\n\
         // After changing a type: KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings\n",
    );
    for (name, schema) in defs {
        out.push('\n');
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            let _ = writeln!(out, "/** {} */", d.replace('\n', " ").replace("*/", "*\\/"));
        }
        match schema.as_object() {
            Some(o) if o.get("type") == Some(&Value::from("object")) && o.contains_key("properties") => {
                let _ = writeln!(out, "export interface {name} {}", object_literal(o, ""));
            }
            _ => {
                let _ = writeln!(out, "export type {name} = {}", ts_type(schema));
            }
        }
    }
    out
}

/// `host_add` -> `hostAdd`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// A doc comment (one line per line of `doc`).
fn doc_comment(doc: &str, indent: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}/** {} */\n", one.replace("*/", "*\\/")),
        many => {
            let body: String = many.iter().map(|l| format!("{indent} * {}\n", l.replace("*/", "*\\/"))).collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

/// The client of every operation: its route (for the HTTP transport) and a typed function that
/// calls it through whichever transport the page has.
fn render_operations(defs: &Map<String, Value>) -> String {
    let mut g = SchemaSettings::draft2020_12().for_serialize().into_generator();
    let mut types = std::collections::BTreeSet::new();
    let mut routes = String::new();
    let mut functions = String::new();
    for op in ko_api::ops::all() {
        let input = ts_type(&(op.input_schema)(&mut g).to_value());
        let output = match ts_type(&(op.output_schema)(&mut g).to_value()).as_str() {
            "null" => "void".to_string(),
            t => t.to_string(),
        };
        for t in [&input, &output] {
            types.extend(t.split(|c: char| !c.is_alphanumeric()).filter(|w| defs.contains_key(*w)).map(str::to_string));
        }
        let method = match op.method {
            ko_api::ops::Method::Get => "GET",
            ko_api::ops::Method::Post => "POST",
            ko_api::ops::Method::Delete => "DELETE",
        };
        let body = match op.body {
            ko_api::ops::Body::Fields => "'fields'".to_string(),
            ko_api::ops::Body::Whole(f) => format!("{{ whole: '{f}' }}"),
            ko_api::ops::Body::Text(f) => format!("{{ text: '{f}' }}"),
        };
        let _ = writeln!(routes, "  {}: {{ method: '{method}', path: '{}', body: {body} }},", op.name, op.path);
        let required =
            defs.get(&input).and_then(|d| d.get("required")).and_then(Value::as_array).is_some_and(|r| !r.is_empty());
        let param = match (input.as_str(), required) {
            ("NoInput", _) => String::new(),
            (_, true) => format!("input: {input}"),
            (_, false) => format!("input: {input} = {{}}"),
        };
        let arg = if input == "NoInput" { "{}" } else { "input" };
        functions.push_str(&doc_comment(op.doc, "    "));
        let _ = writeln!(
            functions,
            "    {}: ({param}) => call('{}', {arg}) as Promise<{output}>,",
            camel(op.name),
            op.name
        );
    }
    let imports = types.into_iter().filter(|t| t != "NoInput").collect::<Vec<_>>().join(",\n  ");
    format!(
        "// Generated from ko-api's operation table (crates/ko-api/src/ops) by crates/ko-api/tests/api/ts_bindings.rs;\n\
         // do not edit. After changing an operation: KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings\n\
         import type {{\n  {imports},\n}} from './generated'\n\n\
         /** Where the rest of an operation's input goes in an HTTP request, besides its path's `{{field}}`s. */\n\
         export type RouteBody = 'fields' | {{ whole: string }} | {{ text: string }}\n\n\
         /** How each operation is reached over HTTP (`koctl serve`). */\n\
         export const routes = {{\n{routes}}} as const satisfies Record<string, {{ method: string; path: string; body: RouteBody }}>\n\n\
         /** An operation's name. */\n\
         export type OperationName = keyof typeof routes\n\n\
         /** Calls an operation through a transport (the desktop's command, or HTTP). */\n\
         export type Call = (op: OperationName, input: object) => Promise<unknown>\n\n\
         /** Every operation as a typed function over `call`. */\n\
         export function operations(call: Call) {{\n  return {{\n{functions}  }}\n}}\n\n\
         /** The operations' functions. */\n\
         export type Operations = ReturnType<typeof operations>\n"
    )
}

/// Writes `text` to `file` under `KO_UPDATE_BINDINGS`, else fails unless the file holds it.
fn check_or_update(name: &str, text: &str) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../frontend/src/backend").join(name);
    if std::env::var_os("KO_UPDATE_BINDINGS").is_some() {
        std::fs::write(&file, text).expect("write the generated file");
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == text,
        "{} is out of date with the Rust: run KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test api ts_bindings and commit it",
        file.display()
    );
}

fn all_definitions() -> Map<String, Value> {
    let mut defs = definitions(SchemaSettings::draft2020_12().for_serialize(), outputs);
    for (name, schema) in definitions(SchemaSettings::draft2020_12().for_deserialize(), inputs) {
        defs.entry(name).or_insert(schema);
    }
    defs.sort_keys();
    defs
}

#[test]
fn generated_typescript_matches_the_rust_types() {
    check_or_update("generated.ts", &render(&all_definitions()));
}

#[test]
fn the_generated_client_matches_the_operation_table() {
    check_or_update("operations.ts", &render_operations(&all_definitions()));
}
