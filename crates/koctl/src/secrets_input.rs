//! Secrets read from standard input, never from arguments (which `ps` shows to everyone).

use crate::output::InputError;
use anyhow::Result;
use ko_api::Sensitive;
use std::io::Read;

/// Lines of stdin handed out in order: one secret per line.
pub struct StdinSecrets {
    lines: std::vec::IntoIter<Sensitive<String>>,
}

impl StdinSecrets {
    /// Reads stdin when `what` is not empty; `what` names the secrets in order, for errors.
    pub fn read(what: &[&str]) -> Result<Self> {
        if what.is_empty() {
            return Ok(Self { lines: Vec::new().into_iter() });
        }
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| InputError(format!("cannot read secrets from stdin: {e}")))?;
        let text = Sensitive::new(text);
        let lines: Vec<Sensitive<String>> =
            text.expose().lines().map(|l| Sensitive::new(l.trim_end_matches('\r').to_string())).collect();
        if lines.len() < what.len() {
            return Err(InputError(format!(
                "expected {} line(s) on stdin ({}), got {}; e.g. printf '%s\\n' \"$PASSWORD\" | koctl ...",
                what.len(),
                what.join(", then "),
                lines.len()
            ))
            .into());
        }
        Ok(Self { lines: lines.into_iter() })
    }

    /// The next secret.
    pub fn next(&mut self) -> Sensitive<String> {
        self.lines.next().unwrap_or_default()
    }
}
