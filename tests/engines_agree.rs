//! The native engine and DataFusion (`--engine datafusion`) give the same
//! rows, in the same order, for the shipped detection and a set of queries
//! over the bundled sample, the shared Sysmon data, generated data, and the
//! Parquet that `sumoql ingest` writes from each. Built only with
//! `--features datafusion`.

#![cfg(feature = "datafusion")]

mod common;

use std::path::Path;

use common::{run_sumoql, SAMPLE_LOG, SHIPPED_QUERY};

/// Queries beside the shipped detection, over Sysmon fields.
const QUERIES: &[&str] = &[
    "* | count by EventID | sort by EventID",
    "_sourceCategory=* | count by _sourceHost, EventID",
    r#"* | parse "<Image><![CDATA[*]]>" as image nodrop | where image matches "*.exe" | count by image | sort by _count desc, image | limit 20"#,
    r#"* | where EventID = "1" | parse regex field=_raw "<CommandLine><!\[CDATA\[(?<cmd>[^\]]*)" nodrop | fields _messageTime, _sourceHost, cmd"#,
    r#"* | timeslice 1h | count by _timeslice, EventID | sort by _timeslice, EventID"#,
    r#"powershell OR cmd | fields _sourceHost, EventID, Image, CommandLine"#,
    r#"* | where num(EventID) in (3, 22) | values(_sourceHost) as hosts, first(Image) as first_image, last(Image) as last_image, count by EventID"#,
    r#"* | min(_messageTime), max(_messageTime), count_distinct(Image) by Computer"#,
    r#"* | parse "<DestinationPort>*</DestinationPort>" as port nodrop | where EventID = 1 | fields _sourceHost | union [ * | where EventID = 3 | sort by num(port) desc | limit 2 | fields _sourceHost, port ]"#,
];

fn run_csv(engine: &str, query: &[&str], input: &Path) -> String {
    let input = input.to_string_lossy();
    let mut arguments = vec!["run", "--quiet", "--format", "csv", "--engine", engine];
    arguments.extend_from_slice(query);
    arguments.push(&input);
    let output = run_sumoql(&arguments);
    assert_eq!(
        output.code(),
        0,
        "sumoql {arguments:?} failed: {}",
        output.stderr
    );
    output.stdout
}

/// Checks every query on both engines over `input`, and over its Parquet ingest.
fn agree_on(input: &Path, scratch: &Path) -> usize {
    let parquet = scratch.join("parquet");
    let ingest = run_sumoql(&[
        "ingest",
        "--quiet",
        &input.to_string_lossy(),
        "--to",
        "parquet",
        &parquet.to_string_lossy(),
    ]);
    assert_eq!(
        ingest.code(),
        0,
        "ingest of {} failed: {}",
        input.display(),
        ingest.stderr
    );

    let mut rows = 0;
    let shipped = ["--", SHIPPED_QUERY];
    let mut queries: Vec<Vec<&str>> = vec![shipped[1..].to_vec()];
    queries.extend(QUERIES.iter().map(|query| vec!["-e", *query]));
    for query in &queries {
        let native = run_csv("native", query, input);
        let on_datafusion = run_csv("datafusion", query, input);
        assert_eq!(on_datafusion, native, "{query:?} over {}", input.display());
        let over_parquet = run_csv("datafusion", query, &parquet);
        assert_eq!(
            over_parquet,
            native,
            "{query:?} over the Parquet of {}",
            input.display()
        );
        rows += native.lines().count() - 1;
    }
    rows
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

#[test]
fn bundled_sample() {
    let rows = agree_on(Path::new(SAMPLE_LOG), scratch().path());
    assert!(rows > 50, "the queries find rows in the sample ({rows})");
}

#[test]
fn generated_data() {
    let folder = scratch();
    let path = folder.path().join("generated.xml");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let config = sumoql_loggen::Config::new(
        sumoql_loggen::Limit::Events(20_000),
        sumoql_loggen::Format::Xml,
    );
    let summary = sumoql_loggen::generate(&config, &mut file).expect("generate");
    drop(file);
    assert!(summary.events == 20_000);
    let rows = agree_on(&path, folder.path());
    assert!(
        rows > 100,
        "the queries find rows in generated data ({rows})"
    );
}

#[test]
fn shared_sysmon_data() {
    let Some(inputs) = common::shared_sysmon_inputs() else {
        return;
    };
    let mut rows = 0;
    for input in &inputs {
        rows += agree_on(input, scratch().path());
    }
    assert!(
        rows > 100,
        "the queries find rows in the shared data ({rows})"
    );
}

/// Returns the summary line of a run without its time.
fn summary_line(engine: &str, input: &Path) -> String {
    let input = input.to_string_lossy();
    let output = run_sumoql(&["run", "--engine", engine, SHIPPED_QUERY, &input]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let line = output
        .stderr
        .lines()
        .find(|line| line.starts_with("sumoql: read "))
        .unwrap_or_else(|| panic!("no summary line in {}", output.stderr))
        .to_string();
    line.rsplit_once(" in ")
        .map_or(line.clone(), |(head, _)| head.to_string())
}

#[test]
fn summaries_count_each_record_once() {
    // The shipped query has two union branches, so DataFusion scans the
    // input three times; the summary still counts each record once.
    let folder = scratch();
    let path = folder.path().join("with-broken-line.xml");
    let mut text = std::fs::read_to_string(SAMPLE_LOG).expect("sample");
    text.push_str("<Event><System><EventID>1</EventID></System>\n");
    std::fs::write(&path, text).expect("write");
    let native = summary_line("native", &path);
    assert!(native.contains("1 skipped as malformed"), "{native}");
    assert_eq!(summary_line("datafusion", &path), native);
}
