//! `sumoql fields`: the fields present in the inputs, with how many records have each and
//! a few example values, like the field browser of Sumo Logic's search page.

use std::collections::HashMap;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use serde_json::Value as Json;
use sumoql_engine::{ResultTable, Value};
use sumoql_input::{Inputs, Item, RawMode, Record, RecordKind};

use crate::convert::{default_inputs, METADATA_FIELDS};
use crate::output::{write_styled, OutputFormat, TableStyle};
use crate::sources::{input_setup, Extractions, InputArgs};
use crate::summary::Summary;
use crate::{EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

/// Distinct example values kept per field.
const EXAMPLES_PER_FIELD: usize = 3;

/// Example values longer than this many characters are cut.
const EXAMPLE_CHARACTERS: usize = 60;

#[derive(Args)]
pub struct FieldsArgs {
    /// The inputs: files, folders (read recursively), glob patterns, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// Show whole example values even when the table is wider than the terminal.
    #[arg(long)]
    wide: bool,

    /// Print no summary line on standard error.
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    input: InputArgs,
}

/// The origin of a field, which decides how a query reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum FieldKind {
    /// Built-in metadata such as `_sourceHost`.
    Metadata,
    /// A Windows event's System value, a field from the start.
    System,
    /// A field from a Field Extraction Rule of the sources file.
    Extracted,
    /// A Windows event's `EventData` value: queries extract it from `_raw` with `parse`.
    EventData,
    /// A top-level key of a JSON record: queries extract it with `json` or `json auto`.
    JsonKey,
}

impl FieldKind {
    fn label(self) -> &'static str {
        match self {
            FieldKind::Metadata => "metadata",
            FieldKind::System => "field",
            FieldKind::Extracted => "extracted",
            FieldKind::EventData => "in _raw (parse)",
            FieldKind::JsonKey => "in _raw (json)",
        }
    }
}

#[derive(Default)]
struct FieldStats {
    records: u64,
    examples: Vec<String>,
}

#[derive(Default)]
struct FieldCensus {
    records: u64,
    fields: HashMap<(FieldKind, String), FieldStats>,
}

impl FieldCensus {
    fn add(&mut self, kind: FieldKind, name: &str, value: &str) {
        let stats = self.fields.entry((kind, name.to_string())).or_default();
        stats.records += 1;
        if stats.examples.len() < EXAMPLES_PER_FIELD && !value.is_empty() {
            let example = cut(value);
            if !stats.examples.contains(&example) {
                stats.examples.push(example);
            }
        }
    }

    fn count(&mut self, record: &Record, extractions: &Extractions) {
        self.records += 1;
        for name in METADATA_FIELDS {
            if let Some(value) = record.field(name) {
                self.add(FieldKind::Metadata, name, &value);
            }
        }
        for (name, value) in &record.event.system {
            self.add(FieldKind::System, name, value);
        }
        for (name, value) in extractions.apply(record) {
            self.add(FieldKind::Extracted, &name, &value.to_text());
        }
        for (name, value) in &record.event.data {
            self.add(FieldKind::EventData, name, value);
        }
        if record.kind == RecordKind::Json {
            if let Ok(Json::Object(object)) = serde_json::from_str::<Json>(record.raw()) {
                for (name, value) in &object {
                    let text = match value {
                        Json::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    self.add(FieldKind::JsonKey, name, &text);
                }
            }
        }
    }

    /// Builds the result: one row per field, by kind, then by how many records have it.
    fn table(self) -> ResultTable {
        let total = self.records.max(1) as f64;
        let mut entries: Vec<((FieldKind, String), FieldStats)> = self.fields.into_iter().collect();
        entries.sort_by(|(left_key, left), (right_key, right)| {
            left_key
                .0
                .cmp(&right_key.0)
                .then(right.records.cmp(&left.records))
                .then(left_key.1.to_lowercase().cmp(&right_key.1.to_lowercase()))
        });
        let rows = entries
            .into_iter()
            .map(|((kind, name), stats)| {
                let percent = (stats.records as f64 * 1000.0 / total).round() / 10.0;
                vec![
                    Some(Value::text(name)),
                    Some(Value::text(kind.label())),
                    Some(Value::Number(stats.records as f64)),
                    Some(Value::Number(percent)),
                    Some(Value::text(stats.examples.join(" | "))),
                ]
            })
            .collect();
        ResultTable {
            columns: ["field", "kind", "records", "percent", "examples"]
                .map(String::from)
                .to_vec(),
            rows,
        }
    }
}

fn cut(value: &str) -> String {
    let single_line = value.replace(['\r', '\n'], " ");
    if single_line.chars().count() <= EXAMPLE_CHARACTERS {
        return single_line;
    }
    let mut cut: String = single_line.chars().take(EXAMPLE_CHARACTERS - 1).collect();
    cut.push('…');
    cut
}

pub fn fields(arguments: FieldsArgs, color: bool) -> u8 {
    let setup = match input_setup(&arguments.input, RawMode::Canonical, color) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    let Some(inputs) = default_inputs(&arguments.inputs) else {
        return EXIT_QUERY_OR_USAGE;
    };

    let mut census = FieldCensus::default();
    let mut summary = Summary::new();
    for item in Inputs::open(&inputs, setup.options) {
        match item {
            Ok(Item::Record(record)) => {
                summary.count_record(&record.source_name, record.format, record.lossy_utf8);
                census.count(&record, &setup.extractions);
            }
            Ok(Item::Malformed(malformed)) => summary.report_malformed(&malformed),
            Err(error) if error.is_skipped_file() => crate::summary::report_skipped_file(&error),
            Err(error) => summary.report_unreadable(&error),
        }
    }

    let table = census.table();
    let rows = table.rows.len();
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let style = TableStyle {
        max_width: crate::run::terminal_width(terminal && !arguments.wide),
        bold_header: terminal && crate::run::color_allowed(),
        row_count: false,
        total_rows: None,
        keep_csv_formulas: false,
    };
    let mut out = BufWriter::new(stdout.lock());
    let written =
        write_styled(&table, arguments.format, &style, &mut out).and_then(|()| out.flush());
    if let Err(error) = written {
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("sumoql: error: failed to write the result: {error}");
            return EXIT_INPUT;
        }
    }
    if !arguments.quiet {
        summary.print(rows);
    }
    if summary.has_unreadable_inputs() {
        EXIT_INPUT
    } else {
        EXIT_SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_distinct_short_and_few() {
        let mut census = FieldCensus::default();
        for value in ["a", "a", "b", "", "c", "d"] {
            census.add(FieldKind::System, "EventID", value);
        }
        census.add(FieldKind::Metadata, "_source", &"x".repeat(100));
        census.records = 6;
        let table = census.table();
        assert_eq!(table.rows[0][0], Some(Value::text("_source")));
        let example = table.rows[0][4].as_ref().unwrap().to_text();
        assert_eq!(example.chars().count(), EXAMPLE_CHARACTERS);
        assert!(example.ends_with('…'));
        assert_eq!(table.rows[1][2], Some(Value::Number(6.0)));
        assert_eq!(table.rows[1][3], Some(Value::Number(100.0)));
        assert_eq!(table.rows[1][4], Some(Value::text("a | b | c")));
    }
}
