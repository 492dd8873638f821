//! Generated logs are deterministic, and sumoql's readers and engine find exactly the
//! detections the generator reports.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use sumoql_engine::{Execution, ResultTable, Value};
use sumoql_input::{Inputs, Item, ReadOptions};
use sumoql_loggen::{generate, Branch, Config, Format, Limit, Summary};

fn shipped_query() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../queries/t1204_005_malicious_library.sumo");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()))
}

/// Presents a reader's record to the engine the way `sumoql run` does: time and size
/// fields as numbers, everything else as text.
struct EngineRecord<'r>(&'r sumoql_input::Record);

impl sumoql_engine::Record for EngineRecord<'_> {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        let text = self.0.field(lowercase_name)?;
        match lowercase_name {
            "_messagetime" | "_receipttime" | "_size" => {
                text.parse::<f64>().ok().map(Value::Number)
            }
            _ => Some(Value::text(text.as_ref())),
        }
    }
}

fn run_query(query: &str, path: &Path) -> ResultTable {
    let syntax = sumoql_syntax::parse_query(query).expect("the query parses");
    let plan = sumoql_engine::compile(&syntax).expect("the query compiles");
    let mut execution = Execution::new(&plan);
    for item in Inputs::open(&[path.to_path_buf()], ReadOptions::default()) {
        match item {
            Ok(Item::Record(record)) => execution.push(&EngineRecord(&record)),
            Ok(Item::Malformed(malformed)) => panic!("generated record is malformed: {malformed}"),
            Err(error) => panic!("failed to read generated file: {error}"),
        }
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

fn column(table: &ResultTable, name: &str) -> usize {
    table
        .columns
        .iter()
        .position(|column| column == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", table.columns))
}

/// Sums `_count` by `DetectionBranch` over the rows of the shipped query's result.
fn detections_by_branch(table: &ResultTable) -> BTreeMap<String, u64> {
    let branch_column = column(table, "DetectionBranch");
    let count_column = column(table, "_count");
    let mut totals = BTreeMap::new();
    for row in &table.rows {
        let branch = row[branch_column]
            .as_ref()
            .expect("every row has a branch")
            .to_text()
            .to_string();
        let count = row[count_column]
            .as_ref()
            .and_then(Value::to_number)
            .expect("_count is a number");
        *totals.entry(branch).or_insert(0) += count as u64;
    }
    totals
}

fn expected_by_branch(summary: &Summary) -> BTreeMap<String, u64> {
    Branch::ALL
        .iter()
        .filter(|branch| summary.detections_of(**branch) > 0)
        .map(|branch| {
            (
                branch.detection_name().to_string(),
                summary.detections_of(*branch),
            )
        })
        .collect()
}

fn write_file(config: &Config) -> (tempfile::NamedTempFile, Summary) {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    let summary = generate(config, &mut file).expect("writing to a temporary file");
    file.flush().unwrap();
    (file, summary)
}

/// Returns a configuration for a few megabytes with detections far more frequent than
/// the default, so every branch fires many times.
fn dense_config(format: Format) -> Config {
    Config {
        seed: 77,
        detections_per_million: 10_000.0,
        near_misses_per_thousand: 20.0,
        ..Config::new(Limit::Bytes(3 << 20), format)
    }
}

#[test]
fn same_seed_same_bytes() {
    for format in [Format::Xml, Format::Jsonl] {
        let config = Config::new(Limit::Bytes(1 << 20), format);
        let mut first = Vec::new();
        let mut second = Vec::new();
        let first_summary = generate(&config, &mut first).unwrap();
        let second_summary = generate(&config, &mut second).unwrap();
        assert!(
            first == second,
            "{format:?} output differs between two runs"
        );
        assert_eq!(first_summary, second_summary);
    }
}

#[test]
fn other_seed_other_bytes() {
    let config = Config::new(Limit::Events(200), Format::Xml);
    let mut first = Vec::new();
    let mut second = Vec::new();
    generate(&config, &mut first).unwrap();
    generate(
        &Config {
            seed: config.seed + 1,
            ..config
        },
        &mut second,
    )
    .unwrap();
    assert!(first != second);
}

#[test]
fn event_limit_is_exact() {
    let mut out = Vec::new();
    let summary = generate(&Config::new(Limit::Events(500), Format::Xml), &mut out).unwrap();
    assert_eq!(summary.events, 500);
    assert_eq!(out.iter().filter(|byte| **byte == b'\n').count(), 500);
}

#[test]
fn sumoql_finds_generated_xml_detections() {
    let (file, summary) = write_file(&dense_config(Format::Xml));
    for branch in Branch::ALL {
        assert!(
            summary.detections_of(branch) >= 5,
            "too few {branch:?} detections: {summary:?}"
        );
    }

    let table = run_query(&shipped_query(), file.path());
    assert_eq!(detections_by_branch(&table), expected_by_branch(&summary));
    assert_eq!(table.rows.len() as u64, summary.result_rows);
}

#[test]
fn sumoql_finds_generated_json_detections() {
    let (file, summary) = write_file(&dense_config(Format::Jsonl));
    let table = run_query(&shipped_query(), file.path());
    assert_eq!(detections_by_branch(&table), expected_by_branch(&summary));
    assert_eq!(table.rows.len() as u64, summary.result_rows);
}

#[test]
fn sumoql_counts_every_generated_event() {
    let (file, summary) = write_file(&Config::new(Limit::Bytes(1 << 20), Format::Xml));
    let table = run_query("* | count", file.path());
    let count = table.rows[0][0].as_ref().and_then(Value::to_number);
    assert_eq!(count, Some(summary.events as f64));
}

#[test]
fn default_rates_agree_with_sumoql() {
    let (file, summary) = write_file(&Config::new(Limit::Bytes(4 << 20), Format::Xml));
    let near_misses: u64 = summary.near_misses.iter().sum();
    let detections: u64 = summary.detections.iter().sum();
    assert!(near_misses > 10 * detections.max(1), "{summary:?}");

    let table = run_query(&shipped_query(), file.path());
    assert_eq!(detections_by_branch(&table), expected_by_branch(&summary));
    assert_eq!(table.rows.len() as u64, summary.result_rows);
}
