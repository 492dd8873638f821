//! The sources file and the input options of `run`, `convert` and `fields`: which
//! metadata and format each file gets, and the Field Extraction Rules applied to every
//! record as it is read.
//!
//! The sources file is TOML, `sumoql-sources.toml` in the current folder unless
//! `--sources FILE` names another:
//!
//! ```toml
//! [[source]]
//! path = "logs/web/*.log"        # glob, relative to this file's folder
//! category = "web/nginx"         # _sourceCategory
//! host = "web-01"                # _sourceHost
//! name = "nginx-access"          # _sourceName
//! format = "text"                # as --input-format
//! multiline = '^\d{4}-\d{2}-\d{2}'  # a line that starts a message
//! timezone = "+01:00"            # zone of timestamps that have none
//!
//! [[extraction]]
//! name = "nginx access"
//! scope = "_sourceCategory=web/nginx"
//! parse = 'parse regex "^(?<client_ip>\S+) " nodrop'
//! ```
//!
//! The first `[[source]]` whose `path` matches a file applies to it; command-line options
//! override it.

use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use clap::Args;
use regex::Regex;
use serde::Deserialize;
use sumoql_engine::extraction::ExtractionRule;
use sumoql_engine::Value;
use sumoql_input::{InputFormat, RawMode, ReadOptions, SourceRule, SourceSettings};

use crate::run::EngineRecord;

/// The sources file looked for in the current folder.
pub const SOURCES_FILE_NAME: &str = "sumoql-sources.toml";

/// Input options, shared by the commands that read logs.
#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Read every input in this format instead of recognising it from the content:
    /// evtx, windows-xml, evtx-json, sumo-json, flat-json, winlogbeat, syslog, text, json.
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    pub input_format: Option<InputFormat>,

    /// Value of `_sourceCategory` for every record, instead of the sources file's or the
    /// one derived from a Windows event's channel.
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,

    /// Value of `_sourceHost` for every record, instead of the sources file's or a
    /// Windows event's `Computer`.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// Value of `_sourceName` for every record, instead of the sources file's or the
    /// input's path.
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,

    /// For plain text: a regular expression that matches the first line of each message;
    /// the lines up to the next match belong to the message.
    #[arg(long, value_name = "REGEX")]
    pub multiline: Option<String>,

    /// The sources file (TOML) with per-path metadata and Field Extraction Rules.
    /// Default: `sumoql-sources.toml` in the current folder, when it exists.
    #[arg(long, value_name = "FILE", conflicts_with = "no_sources")]
    pub sources: Option<PathBuf>,

    /// Ignore `sumoql-sources.toml` in the current folder.
    #[arg(long)]
    pub no_sources: bool,

    /// The maximum size of one record's text (a line, an XML event, a JSON value, a
    /// multi-line message), such as `16MiB` or `512KiB`. A longer record is reported as
    /// malformed and skipped without being held in memory.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_record_size)]
    pub max_record_size: usize,
}

fn parse_record_size(text: &str) -> Result<usize, String> {
    let bytes = crate::repl::session::parse_bytes(text)?;
    match usize::try_from(bytes) {
        Ok(0) | Err(_) => Err(format!(
            "invalid record size `{text}`: expected a positive size such as 16MiB"
        )),
        Ok(bytes) => Ok(bytes),
    }
}

fn parse_input_format(text: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL
            .iter()
            .map(|format| format.name())
            .collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// The reader options and the Field Extraction Rules of one command.
pub struct InputSetup {
    pub options: ReadOptions,
    pub extractions: Extractions,
}

/// Builds the reader options from the command line and the sources file. Returns a
/// message for the user when the sources file or an option is invalid. For an invalid
/// extraction rule, the message includes the rendered diagnostics.
pub fn input_setup(arguments: &InputArgs, raw: RawMode, color: bool) -> Result<InputSetup, String> {
    let multiline = match &arguments.multiline {
        Some(pattern) => Some(
            Regex::new(pattern)
                .map_err(|error| format!("invalid --multiline pattern {pattern:?}: {error}"))?,
        ),
        None => None,
    };

    let sources_file = match (&arguments.sources, arguments.no_sources) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => None,
        (None, false) => Some(PathBuf::from(SOURCES_FILE_NAME)).filter(|path| path.is_file()),
    };
    let (rules, extractions) = match &sources_file {
        Some(path) => load_sources_file(path, color)?,
        None => (Vec::new(), Extractions::default()),
    };

    let options = ReadOptions {
        category: arguments.category.clone(),
        raw,
        host: arguments.host.clone(),
        source_name: arguments.source_name.clone(),
        format: arguments.input_format,
        multiline,
        sources: rules,
        bytes_read: None,
        defer_decoding: false,
        max_record_bytes: Some(arguments.max_record_size),
    };
    Ok(InputSetup {
        options,
        extractions,
    })
}

/// The layout of the sources file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<SourceEntry>,
    #[serde(default)]
    extraction: Vec<ExtractionEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    path: String,
    category: Option<String>,
    host: Option<String>,
    name: Option<String>,
    format: Option<String>,
    multiline: Option<String>,
    timezone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractionEntry {
    name: String,
    #[serde(default)]
    scope: Option<String>,
    parse: String,
}

fn load_sources_file(path: &Path, color: bool) -> Result<(Vec<SourceRule>, Extractions), String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("failed to read the sources file {shown}: {error}"))?;
    let file: SourcesFile =
        toml::from_str(&text).map_err(|error| format!("invalid sources file {shown}: {error}"))?;
    let base = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));

    let mut rules = Vec::new();
    for (index, entry) in file.source.into_iter().enumerate() {
        let place = format!("{shown}: [[source]] number {} ({})", index + 1, entry.path);
        let settings = source_settings(&entry).map_err(|message| format!("{place}: {message}"))?;
        let rule = SourceRule::new(&entry.path, base, settings)
            .map_err(|message| format!("{place}: {message}"))?;
        rules.push(rule);
    }

    let mut extractions = Extractions::default();
    for entry in file.extraction {
        let text = rule_text(&entry);
        match ExtractionRule::compile(&text) {
            Ok(rule) => extractions.rules.push(rule),
            Err(diagnostics) => {
                let source_name = format!("{shown}: extraction \"{}\"", entry.name);
                let rendered: Vec<String> = diagnostics
                    .iter()
                    .map(|diagnostic| diagnostic.render(&source_name, &text, color))
                    .collect();
                return Err(format!(
                    "invalid Field Extraction Rule \"{}\":\n{}",
                    entry.name,
                    rendered.join("\n")
                ));
            }
        }
    }
    Ok((rules, extractions))
}

/// Joins a rule's scope and parse expression into query text.
fn rule_text(entry: &ExtractionEntry) -> String {
    let scope = entry
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .unwrap_or("*");
    let parse = entry.parse.trim();
    let parse = parse.strip_prefix('|').unwrap_or(parse).trim_start();
    format!("{scope}\n| {parse}")
}

fn source_settings(entry: &SourceEntry) -> Result<SourceSettings, String> {
    let format = match &entry.format {
        Some(name) => Some(
            parse_input_format(name)
                .map_err(|expected| format!("invalid format {name:?}: {expected}"))?,
        ),
        None => None,
    };
    let multiline = match &entry.multiline {
        Some(pattern) => Some(
            Regex::new(pattern).map_err(|error| format!("invalid multiline pattern: {error}"))?,
        ),
        None => None,
    };
    let time_zone = match &entry.timezone {
        Some(zone) => Some(parse_time_zone(zone)?),
        None => None,
    };
    Ok(SourceSettings {
        category: entry.category.clone(),
        host: entry.host.clone(),
        name: entry.name.clone(),
        format,
        multiline,
        time_zone,
    })
}

/// Parses `UTC`, `Z`, or a fixed offset such as `+02:00`, `-0500` or `+05`.
fn parse_time_zone(text: &str) -> Result<FixedOffset, String> {
    let invalid = || format!("invalid timezone {text:?}: expected UTC or an offset such as +02:00");
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("utc") || trimmed == "Z" {
        return Ok(FixedOffset::east_opt(0).expect("zero offset"));
    }
    let (sign, digits) = match trimmed.split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(invalid()),
    };
    let digits: String = digits
        .chars()
        .filter(|character| *character != ':')
        .collect();
    if !digits.chars().all(|character| character.is_ascii_digit()) || !matches!(digits.len(), 2 | 4)
    {
        return Err(invalid());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| invalid())?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().map_err(|_| invalid())?
    } else {
        0
    };
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(invalid)
}

/// The Field Extraction Rules of a run, applied to every record in file order.
#[derive(Default)]
pub struct Extractions {
    rules: Vec<ExtractionRule>,
}

impl Extractions {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Returns the number of rules.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Runs every rule on a record and returns the extracted fields. When two rules
    /// extract the same field (names are case-insensitive), the later rule's value wins.
    pub fn apply(&self, record: &sumoql_input::Record) -> Vec<(String, Value)> {
        let mut fields: Vec<(String, Value)> = Vec::new();
        let base = EngineRecord(record);
        for rule in &self.rules {
            for (name, value) in rule.apply(&base) {
                match fields
                    .iter_mut()
                    .find(|(existing, _)| existing.eq_ignore_ascii_case(&name))
                {
                    Some(slot) => slot.1 = value,
                    None => fields.push((name, value)),
                }
            }
        }
        fields
    }
}

/// A record with the fields its extraction rules produced. Extracted fields hide record
/// fields of the same name, as fields assigned at ingest do in Sumo.
pub struct ExtractedRecord<'r> {
    pub base: EngineRecord<'r>,
    /// The fields [`Extractions::apply`] returned.
    pub extracted: Vec<(String, Value)>,
}

impl sumoql_engine::Record for ExtractedRecord<'_> {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        let extracted = self
            .extracted
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(lowercase_name));
        match extracted {
            Some((_, value)) => Some(value.clone()),
            None => self.base.field(lowercase_name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones() {
        assert_eq!(parse_time_zone("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(parse_time_zone("+02:00").unwrap().local_minus_utc(), 7200);
        assert_eq!(parse_time_zone("-0530").unwrap().local_minus_utc(), -19800);
        assert_eq!(parse_time_zone("+05").unwrap().local_minus_utc(), 18000);
        assert!(parse_time_zone("Europe/Paris").is_err());
        assert!(parse_time_zone("+5").is_err());
    }

    #[test]
    fn rule_text_joins_scope_and_parse() {
        let entry = ExtractionEntry {
            name: "x".into(),
            scope: None,
            parse: "| parse \"a=*\" as a".into(),
        };
        assert_eq!(rule_text(&entry), "*\n| parse \"a=*\" as a");
    }

    #[test]
    fn sources_file_is_read() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("sources.toml");
        std::fs::write(
            &path,
            r#"
[[source]]
path = "web/*.log"
category = "web/nginx"
format = "text"
timezone = "+01:00"

[[extraction]]
name = "client"
scope = "_sourceCategory=web/*"
parse = 'parse regex "^(?<client_ip>\S+) " nodrop'
"#,
        )
        .unwrap();
        let (rules, extractions) = load_sources_file(&path, false).unwrap();
        assert_eq!(rules.len(), 1);
        assert!(rules[0].matches(&directory.path().join("web/access.log")));
        assert_eq!(rules[0].settings.format, Some(InputFormat::Text));
        assert_eq!(extractions.len(), 1);
    }

    #[test]
    fn sources_file_errors_name_the_place() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("sources.toml");
        std::fs::write(&path, "[[source]]\npath = \"a\"\nformat = \"csv\"\n").unwrap();
        let error = load_sources_file(&path, false).err().unwrap();
        assert!(error.contains("[[source]] number 1"), "{error}");
        assert!(error.contains("invalid format \"csv\""), "{error}");

        std::fs::write(&path, "[[source]]\npath = \"a\"\ncolour = \"red\"\n").unwrap();
        let error = load_sources_file(&path, false).err().unwrap();
        assert!(error.contains("unknown field"), "{error}");

        std::fs::write(
            &path,
            "[[extraction]]\nname = \"bad\"\nparse = \"count by x\"\n",
        )
        .unwrap();
        let error = load_sources_file(&path, false).err().unwrap();
        assert!(
            error.contains("invalid Field Extraction Rule \"bad\""),
            "{error}"
        );
        assert!(error.contains("aggregate"), "{error}");
    }
}
