//! Rendering results and errors as aligned tables or JSON.

use crate::cli::Format;
use crate::{EXIT_FAILED, EXIT_INVALID};
use ko_api::ApiError;
use serde::Serialize;
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// Rows under headers, printed with columns aligned (CJK-aware).
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Self { headers: headers.iter().map(|h| h.as_ref().to_string()).collect(), rows: Vec::new() }
    }

    /// Appends a row (one cell per header).
    pub fn row<I: IntoIterator<Item = S>, S: ToString>(&mut self, cells: I) {
        self.rows.push(cells.into_iter().map(|c| c.to_string()).collect());
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.zip(&widths).enumerate() {
                if i + 1 == widths.len() {
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(w - cell.width() + 2));
                }
            }
            out.trim_end().to_string() + "\n"
        };
        let mut out = line(&mut self.headers.iter().map(String::as_str));
        for row in &self.rows {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
        }
        out
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints `value` as JSON, or the table `table` builds.
pub fn emit<T: Serialize + ?Sized>(format: Format, value: &T, table: impl FnOnce(&T) -> Table) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(value)?,
        Format::Table => print!("{}", table(value).render()),
    }
    Ok(())
}

/// Prints a one-line confirmation (table mode) or `{"ok": true, ...}` (JSON mode).
pub fn done(format: Format, message: &str) {
    match format {
        Format::Json => println!("{}", serde_json::json!({ "ok": true, "message": message })),
        Format::Table => println!("{message}"),
    }
}

/// `yes` / `no`.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A problem with what the user typed that is not an API error (unreadable file, stdin...).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Prints an error the way the format asks and returns the exit code it deserves.
pub fn report_error(format: Format, err: &anyhow::Error) -> ExitCode {
    let (code, problems, exit) = match err.downcast_ref::<ApiError>() {
        Some(api) => {
            let exit = if api.is_input_error() { EXIT_INVALID } else { EXIT_FAILED };
            (api.code(), api.problems(), exit)
        }
        None if err.downcast_ref::<InputError>().is_some() => ("invalid_input", Vec::new(), EXIT_INVALID),
        None => ("failed", Vec::new(), EXIT_FAILED),
    };
    match format {
        Format::Json => {
            let body =
                serde_json::json!({ "error": { "code": code, "message": format!("{err:#}"), "problems": problems } });
            println!("{body}");
        }
        Format::Table => {
            if problems.len() > 1 {
                eprintln!("error: {} problems:", problems.len());
                for p in &problems {
                    eprintln!("  - {}: {} [{}]", p.field, p.message, p.code);
                    if let Some(next) = &p.next {
                        eprintln!("    {}", crate::next_step::line(next));
                    }
                }
            } else {
                eprintln!("error[{code}]: {err:#}");
                if let Some(next) = problems.first().and_then(|p| p.next.as_ref()) {
                    eprintln!("  {}", crate::next_step::line(next));
                }
            }
        }
    }
    ExitCode::from(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_with_wide_characters() {
        let mut t = Table::new(&["NAME", "DESCRIPTION"]);
        t.row(["默认", "默认项目"]);
        t.row(["prod-a", "x"]);
        assert_eq!(t.render(), "NAME    DESCRIPTION\n默认    默认项目\nprod-a  x\n");
    }
}
