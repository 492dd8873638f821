//! `sumoql convert`: writes the records as sumoql reads them, so users can see what
//! `_raw`, the metadata and the fields of each record are, or turn any Windows format
//! into Windows event XML.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value as Json};
use sumoql_input::{render_canonical, render_event_xml, Inputs, Item, RawMode, Record, RecordKind};

use crate::output::json_value;
use crate::sources::{input_setup, Extractions, InputArgs};
use crate::summary::Summary;
use crate::{RawArgument, EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

#[derive(Args)]
pub struct ConvertArgs {
    /// The inputs: files, folders (read recursively), glob patterns, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// The output for each record. `json` writes an object with its metadata, fields and
    /// `_raw`, one per line. `xml` writes Windows event XML (Windows events only), and
    /// `canonical` the canonical `_raw`.
    #[arg(long, value_enum, default_value_t = ConvertTarget::Json)]
    to: ConvertTarget,

    /// The `_raw` of Windows events in `--to json`: the canonical element-per-field
    /// rendering, or the record text as read.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Stop after this many records.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,

    /// Print no summary line on standard error.
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConvertTarget {
    Json,
    Xml,
    Canonical,
}

pub fn convert(arguments: ConvertArgs, color: bool) -> u8 {
    let raw = match arguments.raw {
        RawArgument::Canonical => RawMode::Canonical,
        RawArgument::Original => RawMode::Original,
    };
    let setup = match input_setup(&arguments.input, raw, color) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    let inputs = match default_inputs(&arguments.inputs) {
        Some(inputs) => inputs,
        None => return EXIT_QUERY_OR_USAGE,
    };

    let destination: Box<dyn Write> = match &arguments.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(file),
            Err(error) => {
                eprintln!(
                    "sumoql: error: failed to create {}: {error}",
                    path.display()
                );
                return EXIT_INPUT;
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::new(destination);
    let mut summary = Summary::new();
    let mut written = 0u64;
    let mut left_out = 0u64;

    for item in Inputs::open(&inputs, setup.options) {
        let record = match item {
            Ok(Item::Record(record)) => record,
            Ok(Item::Malformed(malformed)) => {
                summary.report_malformed(&malformed);
                continue;
            }
            Err(error) if error.is_skipped_file() => {
                crate::summary::report_skipped_file(&error);
                continue;
            }
            Err(error) => {
                summary.report_unreadable(&error);
                continue;
            }
        };
        if arguments.limit.is_some_and(|limit| written >= limit) {
            break;
        }
        summary.count_record(&record.source_name, record.format, record.lossy_utf8);

        let line = match arguments.to {
            ConvertTarget::Json => record_json(&record, &setup.extractions).to_string(),
            ConvertTarget::Xml if record.kind == RecordKind::WindowsEvent => {
                render_event_xml(&record.event)
            }
            ConvertTarget::Xml => {
                left_out += 1;
                continue;
            }
            ConvertTarget::Canonical if record.kind == RecordKind::WindowsEvent => {
                render_canonical(&record.event)
            }
            ConvertTarget::Canonical => record.raw().to_string(),
        };
        let result = out
            .write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"));
        if let Err(error) = result {
            return write_failure(error);
        }
        written += 1;
    }
    if let Err(error) = out.flush() {
        return write_failure(error);
    }

    if left_out > 0 {
        eprintln!("sumoql: warning: left out {left_out} records that are not Windows events, because the XML output contains only events");
    }
    if !arguments.quiet {
        summary.print(written as usize);
    }
    if summary.has_unreadable_inputs() {
        EXIT_INPUT
    } else {
        EXIT_SUCCESS
    }
}

fn write_failure(error: io::Error) -> u8 {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return EXIT_SUCCESS;
    }
    eprintln!("sumoql: error: failed to write the output: {error}");
    EXIT_INPUT
}

/// Returns the inputs, or standard input when none are named and it is not a terminal.
pub fn default_inputs(inputs: &[PathBuf]) -> Option<Vec<PathBuf>> {
    if !inputs.is_empty() {
        return Some(inputs.to_vec());
    }
    if !io::stdin().is_terminal() {
        return Some(vec![PathBuf::from("-")]);
    }
    eprintln!(
        "sumoql: error: no input given; name log files or folders, or `-` for standard input"
    );
    None
}

/// Metadata fields in the order `convert` and `fields` show them. `_receiptTime` is left
/// out because it changes on every run.
pub const METADATA_FIELDS: [&str; 7] = [
    "_messageTime",
    "_sourceHost",
    "_sourceCategory",
    "_sourceName",
    "_source",
    "_collector",
    "_size",
];

/// Describes one record as JSON: metadata, the fields a query can use by name (System
/// fields, then fields from extraction rules), `EventData` (which queries reach through
/// `_raw`), and `_raw`.
fn record_json(record: &Record, extractions: &Extractions) -> Json {
    let mut object = Map::new();
    for name in METADATA_FIELDS {
        let Some(value) = record.field(name) else {
            continue;
        };
        let value = match name {
            "_messageTime" | "_size" => value
                .parse::<i64>()
                .map(Json::from)
                .unwrap_or(Json::from(value.as_ref())),
            _ => Json::from(value.as_ref()),
        };
        object.insert(name.to_string(), value);
    }
    for (name, value) in &record.event.system {
        object.insert(name.clone(), Json::from(value.as_str()));
    }
    for (name, value) in extractions.apply(record) {
        object.insert(name, json_value(Some(&value)));
    }
    if record.kind == RecordKind::WindowsEvent {
        let mut data = Map::new();
        for (name, value) in &record.event.data {
            data.insert(name.clone(), Json::from(value.as_str()));
        }
        object.insert("EventData".to_string(), Json::Object(data));
    }
    object.insert("_raw".to_string(), Json::from(record.raw()));
    Json::Object(object)
}
