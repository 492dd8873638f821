//! One case: its settings file, its inputs, and running the query over them.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sumoql_engine::{GroupLimitExceeded, Plan};
use sumoql_input::{RawMode, ReadOptions};

use super::snapshot::Snapshot;
use crate::run::{execute_inputs, Observed};

/// The optional settings file of a case.
pub const SETTINGS_FILE: &str = "case.toml";
/// The folder of input logs, unless the settings name other inputs.
pub const LOGS_FOLDER: &str = "logs";
/// The accepted snapshot.
pub const SNAPSHOT_FILE: &str = "expected.snapshot";
/// A result waiting to be accepted or discarded.
pub const PENDING_FILE: &str = "expected.snapshot.new";

/// The settings of a case, from `case.toml`; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// What the case checks, shown when it fails.
    pub description: Option<String>,
    /// `_sourceCategory` of every record, as `sumoql run --category`.
    pub category: Option<String>,
    /// What `_raw` holds, as `sumoql run --raw`.
    #[serde(default)]
    pub raw: RawSetting,
    /// Input files or folders, relative to the case folder; `["logs"]` by default.
    pub inputs: Option<Vec<String>>,
    /// Compare rows in the query's order instead of sorting them (for
    /// queries that end in `sort`).
    #[serde(default)]
    pub keep_order: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawSetting {
    #[default]
    Canonical,
    Original,
}

impl RawSetting {
    pub fn mode(self) -> RawMode {
        match self {
            RawSetting::Canonical => RawMode::Canonical,
            RawSetting::Original => RawMode::Original,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RawSetting::Canonical => "canonical",
            RawSetting::Original => "original",
        }
    }
}

impl Settings {
    /// Reads `case.toml` in `dir`; a missing file gives the defaults.
    pub fn load(dir: &Path) -> Result<Settings, String> {
        let path = dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Settings::default())
            }
            Err(error) => return Err(format!("failed to read {}: {error}", path.display())),
        };
        toml::from_str(&text).map_err(|error| {
            format!(
                "invalid {}: {}",
                path.display(),
                error.to_string().trim_end()
            )
        })
    }

    pub fn inputs(&self) -> Vec<String> {
        self.inputs
            .clone()
            .unwrap_or_else(|| vec![LOGS_FOLDER.to_string()])
    }
}

/// What running a case's query over its inputs gave.
pub struct CaseRun {
    pub snapshot: Snapshot,
    /// Inputs that could not be read, as messages.
    pub unreadable: Vec<String>,
    /// The stage that passed the group limit, which stopped the run without a result.
    pub group_limit: Option<GroupLimitExceeded>,
}

/// Renders the error of a run that passed the group limit, with the stage in the query
/// file when the file can still be read.
pub fn render_group_limit(exceeded: &GroupLimitExceeded, query: &Path, color: bool) -> String {
    let diagnostic = crate::run::group_limit_diagnostic(exceeded);
    match std::fs::read_to_string(query) {
        Ok(text) if text.get(exceeded.span.clone()).is_some() => {
            diagnostic.render(&super::display(query), &text, color)
        }
        _ => format!(
            "error: {}
",
            diagnostic.message
        ),
    }
}

/// Records and malformed records read from one input file.
struct InputCount {
    name: String,
    format: &'static str,
    records: u64,
    malformed: u64,
}

/// Runs `plan` over the inputs of the case in `dir` and builds the
/// snapshot of the result.
pub fn run_case(plan: &Plan, query_file_name: &str, dir: &Path, settings: &Settings) -> CaseRun {
    let inputs: Vec<PathBuf> = settings
        .inputs()
        .iter()
        .map(|input| dir.join(input))
        .collect();
    let options = ReadOptions {
        category: settings.category.clone(),
        raw: settings.raw.mode(),
        ..ReadOptions::default()
    };
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let shown_name = |source: &Arc<str>| -> String {
        source
            .strip_prefix(prefix.as_str())
            .unwrap_or(source)
            .replace('\\', "/")
    };

    let mut counts: Vec<InputCount> = Vec::new();
    let mut unreadable = Vec::new();
    let mut group_limit = None;
    let table = execute_inputs(plan, &inputs, options, |item| {
        match item {
            Observed::Record(record) => {
                entry(
                    &mut counts,
                    shown_name(&record.source_name),
                    Some(record.format.name()),
                )
                .records += 1;
            }
            Observed::Malformed(malformed) => {
                let format = malformed.format.map(|format| format.name());
                entry(&mut counts, shown_name(&malformed.source_name), format).malformed += 1;
            }
            Observed::Unreadable(error) => unreadable.push(error.to_string()),
            Observed::GroupLimitExceeded(exceeded) => group_limit = Some(exceeded.clone()),
        }
        ControlFlow::Continue(())
    })
    .unwrap_or_else(|| sumoql_engine::ResultTable {
        columns: plan.column_names(),
        rows: Vec::new(),
    });

    let mut header = vec![format!("query: {query_file_name}")];
    for count in &counts {
        let mut line = format!(
            "input: {} ({}, {} {}",
            count.name,
            count.format,
            count.records,
            plural(count.records, "record")
        );
        if count.malformed > 0 {
            line.push_str(&format!(", {} malformed skipped", count.malformed));
        }
        line.push(')');
        header.push(line);
    }
    if counts.is_empty() {
        header.push(format!(
            "input: none ({} read no record)",
            settings.inputs().join(", ")
        ));
    }
    header.push(match &settings.category {
        Some(category) => format!("category: {category}"),
        None => "category: from each event's channel".to_string(),
    });
    header.push(format!("raw: {}", settings.raw.name()));
    header.push(if settings.keep_order {
        "order: as the query returns them".to_string()
    } else {
        "order: sorted (the query's row order is not compared)".to_string()
    });

    CaseRun {
        snapshot: Snapshot::from_result(header, &table, settings.keep_order),
        unreadable,
        group_limit,
    }
}

/// The count of the input `name`, added at the end on first sight so
/// inputs stay in reading order.
fn entry<'a>(
    counts: &'a mut Vec<InputCount>,
    name: String,
    format: Option<&'static str>,
) -> &'a mut InputCount {
    let index = match counts.iter().position(|count| count.name == name) {
        Some(index) => index,
        None => {
            counts.push(InputCount {
                name,
                format: format.unwrap_or("unknown format"),
                records: 0,
                malformed: 0,
            });
            counts.len() - 1
        }
    };
    &mut counts[index]
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        assert_eq!(Settings::default().inputs(), ["logs"]);
    }

    #[test]
    fn settings_are_read_and_typos_rejected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "description = \"d\"\ncategory = \"lab/x\"\nraw = \"original\"\ninputs = [\"a.xml\"]\nkeep_order = true\n",
        )
        .unwrap();
        let settings = Settings::load(dir.path()).unwrap();
        assert_eq!(settings.category.as_deref(), Some("lab/x"));
        assert_eq!(settings.raw, RawSetting::Original);
        assert_eq!(settings.inputs(), ["a.xml"]);
        assert!(settings.keep_order);

        std::fs::write(dir.path().join(SETTINGS_FILE), "categroy = \"lab/x\"\n").unwrap();
        let error = Settings::load(dir.path()).unwrap_err();
        assert!(error.contains("categroy"), "{error}");
    }
}
