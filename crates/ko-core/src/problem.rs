//! The one shape every validation finding takes.

use crate::NextStep;
use serde::Serialize;
use std::fmt;

/// One thing wrong with some input: a stable machine-readable code, the field it concerns, and a
/// message for a person that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// Stable code, e.g. `network.cidr_overlap`. UIs and scripts may match on it.
    pub code: &'static str,
    /// Dotted path of the field concerned, e.g. `network.pod_cidr` or `nodes[2].roles`.
    pub field: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// The step that fixes it, when there is one (each door words it: a command, a button).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
}

impl Problem {
    /// A problem with `code` on `field`.
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code, field: field.into(), message: message.into(), next: None }
    }

    /// The problem, with the step that fixes it.
    pub fn with_next(self, next: Option<NextStep>) -> Self {
        Self { next, ..self }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.field, self.message, self.code)
    }
}

/// All the problems found in one piece of input, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<Problem>);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems:", many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl Invalid {
    /// One problem as an error.
    pub fn one(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![Problem::new(code, field, message)])
    }

    /// `Ok(())` when `problems` is empty, else the error holding them all.
    pub fn check(problems: Vec<Problem>) -> Result<(), Self> {
        if problems.is_empty() { Ok(()) } else { Err(Self(problems)) }
    }
}
