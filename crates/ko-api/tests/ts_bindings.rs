//! The TypeScript types of the UI (`frontend/src/backend/generated.ts`) are generated from the
//! Rust types through their JSON Schemas; this test fails when the committed file is not what the
//! Rust types say (CI's drift check). `KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test
//! ts_bindings` rewrites it.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value};
use std::fmt::Write;
use std::path::PathBuf;

/// Registers the types the UI receives (serialized shapes).
fn outputs(g: &mut SchemaGenerator) {
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
}

/// Registers the types the UI sends (deserialized shapes: optional fields may be left out).
fn inputs(g: &mut SchemaGenerator) {
    g.subschema_for::<ko_api::CredentialForm>();
    g.subschema_for::<ko_api::HostForm>();
    g.subschema_for::<ko_api::UnlockForm>();
    g.subschema_for::<ko_api::UserForm>();
    g.subschema_for::<ko_api::PushForm>();
    g.subschema_for::<ko_api::NewRepository>();
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
        "// Generated from the Rust types by crates/ko-api/tests/ts_bindings.rs; do not edit.\n\
         // After changing a type: KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test ts_bindings\n",
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

#[test]
fn generated_typescript_matches_the_rust_types() {
    let mut defs = definitions(SchemaSettings::draft2020_12().for_serialize(), outputs);
    for (name, schema) in definitions(SchemaSettings::draft2020_12().for_deserialize(), inputs) {
        defs.entry(name).or_insert(schema);
    }
    defs.sort_keys();
    let text = render(&defs);
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../frontend/src/backend/generated.ts");
    if std::env::var_os("KO_UPDATE_BINDINGS").is_some() {
        std::fs::write(&file, &text).expect("write generated.ts");
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == text,
        "{} is out of date with the Rust types: run KO_UPDATE_BINDINGS=1 cargo test -p ko-api --test ts_bindings and commit it",
        file.display()
    );
}
