//! Writes the findings of `sumoql check`: rendered like compiler
//! diagnostics, or one JSON object per line for tools.

use std::io::{self, Write};

use serde_json::json;
use sumoql_syntax::{line_column, Diagnostic, Severity};

use crate::check::CheckFormat;

/// Writes the findings of one query file.
pub fn write_findings(
    out: &mut dyn Write,
    format: CheckFormat,
    source_name: &str,
    source: &str,
    findings: &[Diagnostic],
    color: bool,
) -> io::Result<()> {
    for finding in findings {
        match format {
            CheckFormat::Text => writeln!(out, "{}", finding.render(source_name, source, color))?,
            CheckFormat::Json => writeln!(out, "{}", to_json(source_name, source, finding))?,
        }
    }
    Ok(())
}

fn to_json(source_name: &str, source: &str, finding: &Diagnostic) -> serde_json::Value {
    let (line, column) = line_column(source, finding.span.start);
    let (end_line, end_column) = line_column(source, finding.span.end);
    json!({
        "file": source_name,
        "code": finding.code,
        "severity": finding.severity.name(),
        "message": finding.message,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "start_byte": finding.span.start,
        "end_byte": finding.span.end,
        "label": finding.label,
        "note": finding.note,
        "help": finding.help,
    })
}

/// Counts findings by severity for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    pub silenced: u64,
}

impl Tally {
    pub fn count(&mut self, finding: &Diagnostic) {
        match finding.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    /// Returns the summary, such as "2 warnings, 1 note, 3 silenced".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.notes, "note", "notes"),
        ]
        .iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|(count, one, many)| format!("{count} {}", if *count == 1 { one } else { many }))
        .collect();
        let mut text = if parts.is_empty() {
            "no findings".to_string()
        } else {
            parts.join(", ")
        };
        if self.silenced > 0 {
            text.push_str(&format!(" ({} silenced)", self.silenced));
        }
        text
    }
}
