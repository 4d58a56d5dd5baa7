//! Templating: minijinja with strict undefined, a quoting filter, and secrets a plan never shows.

use crate::{InvHost, Inventory, PlaybookError, Result};
use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::BTreeMap;

/// Whether secrets are real (running) or shown as `<redacted>` (a plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Render for running: `secret("x")` gives the value.
    Run,
    /// Render for showing: `secret("x")` gives `<redacted>`.
    Plan,
}

/// Renders a playbook's templates and conditions for one host.
pub struct Renderer {
    env: Environment<'static>,
    vars: serde_json::Value,
}

impl Renderer {
    /// A renderer with the operation's variables (cluster spec, settings...) and its secrets.
    pub fn new(vars: serde_json::Value, secrets: BTreeMap<String, String>, mode: Mode) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // block tags on lines of their own leave no blank lines in scripts
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build();
        env.set_syntax(syntax.unwrap_or_default());
        env.add_filter("q", |v: Value| ko_ssh::shell_quote(&value_text(&v)));
        env.add_function("secret", move |name: String| -> std::result::Result<String, minijinja::Error> {
            match (mode, secrets.get(&name)) {
                (Mode::Plan, Some(_)) => Ok("<redacted>".into()),
                (Mode::Run, Some(v)) => Ok(v.clone()),
                (_, None) => Err(minijinja::Error::new(
                    minijinja::ErrorKind::UndefinedError,
                    format!("no secret named '{name}'"),
                )),
            }
        });
        Self { env, vars }
    }

    /// The variables a host's templates see: the operation's, plus `host`, `hosts` and `registered`.
    pub fn context(
        &self,
        inv: &Inventory,
        host: &InvHost,
        registered: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Value {
        let mut ctx = match &self.vars {
            serde_json::Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        ctx.insert("host".into(), serde_json::to_value(host).unwrap_or_default());
        ctx.insert("hosts".into(), serde_json::to_value(&inv.hosts).unwrap_or_default());
        ctx.insert("registered".into(), serde_json::to_value(registered).unwrap_or_default());
        Value::from(minijinja::value::Serde(ctx))
    }

    /// Renders `template` in `ctx`.
    pub fn render(&self, template: &str, ctx: &Value, step: &str, host: &str) -> Result<String> {
        self.env.render_str(template, ctx).map_err(|e| render_error(step, host, &e))
    }

    /// Evaluates the `when` expression `expr` in `ctx`.
    pub fn truthy(&self, expr: &str, ctx: &Value, step: &str, host: &str) -> Result<bool> {
        let compiled = self.env.compile_expression(expr).map_err(|e| render_error(step, host, &e))?;
        Ok(compiled.eval(ctx).map_err(|e| render_error(step, host, &e))?.is_true())
    }
}

fn value_text(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None => v.to_string(),
    }
}

fn render_error(step: &str, host: &str, e: &minijinja::Error) -> PlaybookError {
    let mut cause = e.to_string();
    if let Some(detail) = e.detail() {
        cause = format!("{cause} ({detail})");
    }
    PlaybookError::Render { step: step.into(), host: host.into(), cause }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(r: &Renderer) -> Value {
        let host = InvHost {
            name: "n1".into(),
            address: "10.0.0.1".into(),
            roles: vec!["master".into()],
            new: true,
            facts: serde_json::json!({"os_id": "debian"}),
            down: false,
        };
        let inv = Inventory { hosts: vec![host.clone()], ..Inventory::default() };
        r.context(&inv, &host, &BTreeMap::new())
    }

    #[test]
    fn quoting_strictness_and_secrets() {
        let vars = serde_json::json!({"dir": "/var/lib/it's here", "n": 3});
        let secrets = BTreeMap::from([("token".to_string(), "s3cr3t".to_string())]);
        let run = Renderer::new(vars.clone(), secrets.clone(), Mode::Run);
        let plan = Renderer::new(vars, secrets, Mode::Plan);
        let c = ctx(&run);
        assert_eq!(
            run.render("mkdir -p {{ dir | q }} && echo {{ n | q }}", &c, "s", "n1").unwrap(),
            r"mkdir -p '/var/lib/it'\''s here' && echo 3"
        );
        assert_eq!(run.render("{{ secret('token') | q }}", &c, "s", "n1").unwrap(), "s3cr3t");
        assert_eq!(plan.render("{{ secret('token') | q }}", &ctx(&plan), "s", "n1").unwrap(), "'<redacted>'");
        let e = run.render("echo {{ typo }}", &c, "step one", "n1").unwrap_err();
        assert!(
            e.to_string().contains("step one") && e.to_string().contains("n1") && e.to_string().contains("undefined"),
            "{e}"
        );
        assert!(run.render("{{ secret('nope') }}", &c, "s", "n1").is_err());
        assert!(run.truthy("'master' in host.roles and host.facts.os_id == 'debian'", &c, "s", "n1").unwrap());
        assert!(!run.truthy("host.new == false", &c, "s", "n1").unwrap());
    }
}
