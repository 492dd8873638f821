//! End-to-end tests of `sumoql run` over the bundled sample and small files.

mod common;

use std::fs;

use common::{run_sumoql, run_sumoql_with_stdin, SAMPLE_LOG, SHIPPED_QUERY};

/// Drops the timing at the end of the summary line so snapshots are stable.
fn stable_stderr(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| match line.rfind(" rows in ") {
            Some(position) if line.starts_with("sumoql: ") => {
                format!("{} rows in <elapsed>", &line[..position])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_temp(name: &str, contents: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("sumoql-cli-{}", std::process::id()));
    fs::create_dir_all(&folder).unwrap();
    let path = folder.join(name);
    fs::write(&path, contents).unwrap();
    path
}

#[test]
fn shipped_query_on_sample_table() {
    let output = run_sumoql(&["run", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn shipped_query_on_sample_fires_every_branch() {
    let output = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    for branch in [
        "PackageInstallSpawnedSuspiciousProcess",
        "MaliciousLibraryC2Callback",
        "PackageInstallerDroppedExecutable",
    ] {
        assert!(
            output.stdout.contains(branch),
            "{branch} missing from:\n{}",
            output.stdout
        );
    }
}

#[test]
fn shipped_query_on_sample_summary() {
    let output = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, SAMPLE_LOG]);
    insta::assert_snapshot!(stable_stderr(&output.stderr));
}

#[test]
fn ndjson_output_is_one_object_per_row() {
    let output = run_sumoql(&["run", "--format", "ndjson", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(output.code(), 0);
    assert_eq!(output.stdout.lines().count(), 8);
    for line in output.stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["_count"].is_u64(), "{line}");
    }
}

#[test]
fn json_output_is_one_array() {
    let output = run_sumoql(&["run", "--format", "json", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(output.code(), 0);
    let rows: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|row| row["_count"].is_u64()));
}

#[test]
fn original_raw_matches_no_anchor() {
    let output = run_sumoql(&[
        "run",
        "--raw",
        "original",
        "--format",
        "csv",
        SHIPPED_QUERY,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0);
    assert_eq!(
        output.stdout,
        "_sourceHost,Username,ChildImage,DetectionBranch,_count\n"
    );
}

#[test]
fn category_option_changes_scope() {
    let query = "_sourceCategory=lab/test | count";
    let default = run_sumoql(&["run", "--format", "csv", "-e", query, SAMPLE_LOG]);
    assert_eq!(default.stdout, "_count\n0\n");
    let with_category = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--category",
        "lab/test",
        "-e",
        query,
        SAMPLE_LOG,
    ]);
    assert_ne!(with_category.stdout, "_count\n0\n");
}

#[test]
fn standard_input_is_read_for_dash() {
    let sample = fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/sysmon_sample.xml"
    ))
    .unwrap();
    let from_file = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, SAMPLE_LOG]);
    let from_stdin = run_sumoql_with_stdin(
        &["run", "--format", "csv", SHIPPED_QUERY, "-"],
        Some(&sample),
    );
    assert_eq!(from_stdin.code(), 0, "stderr: {}", from_stdin.stderr);
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn invalid_query_exits_one_with_caret() {
    let output = run_sumoql(&["run", "-e", "* | wehre EventID = 1", SAMPLE_LOG]);
    assert_eq!(output.code(), 1);
    assert_eq!(output.stdout, "");
    insta::assert_snapshot!(output.stderr);
}

#[test]
fn compile_error_exits_one_with_caret() {
    let output = run_sumoql(&[
        "run",
        "-e",
        "* | where tolowercas(Image) = \"x\"",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 1);
    insta::assert_snapshot!(output.stderr);
}

#[test]
fn missing_query_file_exits_one() {
    let output = run_sumoql(&["run", "no/such/query.sumo", SAMPLE_LOG]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("no/such/query.sumo"),
        "{}",
        output.stderr
    );
}

#[test]
fn unknown_option_exits_one() {
    let output = run_sumoql(&["run", "--no-such-option", SHIPPED_QUERY]);
    assert_eq!(output.code(), 1);
}

#[test]
fn missing_input_exits_two_and_names_path() {
    let output = run_sumoql(&["run", SHIPPED_QUERY, "no/such/log.xml", SAMPLE_LOG]);
    assert_eq!(output.code(), 2);
    assert!(
        output.stderr.contains("no/such/log.xml"),
        "{}",
        output.stderr
    );
    // The readable input is still processed.
    assert!(output.stdout.contains("MaliciousLibraryC2Callback"));
}

#[test]
fn zero_rows_exit_zero() {
    let output = run_sumoql(&["run", "-e", "* | where EventID = 99999", SAMPLE_LOG]);
    assert_eq!(output.code(), 0);
}

#[test]
fn malformed_record_is_reported_and_skipped() {
    let sample = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/sysmon_sample.xml"
    ))
    .unwrap();
    let mut lines: Vec<&str> = sample.lines().collect();
    lines.insert(
        2,
        "<Event><System><EventID>1</EventID></System><EventData><Data Name='Image'>broken",
    );
    let path = write_temp("broken.xml", &(lines.join("\n") + "\n"));

    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        "* | count",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    let records = sample
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count();
    assert_eq!(output.stdout, format!("_count\n{records}\n"));
    assert!(
        output.stderr.contains("broken.xml: line 3"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("1 skipped as malformed"),
        "{}",
        output.stderr
    );

    let strict = run_sumoql(&["run", "--strict", "-e", "* | count", path.to_str().unwrap()]);
    assert_eq!(strict.code(), 2);
    assert!(
        strict.stderr.contains("broken.xml: line 3"),
        "{}",
        strict.stderr
    );
}

#[test]
fn message_query_shows_time_fields_and_raw() {
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        r#"_sourceCategory=windows/sysmon | where EventID = 3 | parse "<DestinationPort>*</DestinationPort>" as port | limit 1"#,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let header = output.stdout.lines().next().unwrap();
    assert_eq!(header, "_messageTime,port,_raw");
}

/// A long `or` chain nests as deeply as it has terms; compiling, evaluating
/// and dropping it must not overflow the stack.
#[test]
fn long_or_chain_runs() {
    let terms: Vec<String> = (0..20_000)
        .map(|index| format!("EventID = {index}"))
        .collect();
    let query = format!("* | where {} | count", terms.join(" or "));
    let query_file = write_temp("long_or_chain.sumo", &query);
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        query_file.to_str().unwrap(),
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    let records = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/sysmon_sample.xml"
    ))
    .unwrap()
    .lines()
    .filter(|line| !line.trim().is_empty())
    .count();
    assert_eq!(output.stdout, format!("_count\n{records}\n"));
}

/// Text messages with a leading timestamp and a LEEF-style `key=value` tail.
const KEY_VALUE_LOG: &str = "\
2026-12-04T22:15:12.345Z LEEF:1.0|Zscaler|NSS|4.1|web|cat=Search\tsrc=192.0.2.10\tusrName=alice@example.com\taction=Allowed
2026-12-04T22:16:40.000Z LEEF:1.0|Zscaler|NSS|4.1|web|cat=Malware\tsrc=192.0.2.11\taction=Blocked\trespcode=403
";

/// Runs `query` quietly over a file with `KEY_VALUE_LOG`, in `format`, and
/// returns standard output after checking that the run succeeded.
fn run_on_key_value_log(file_name: &str, format: &str, query: &str) -> String {
    let log = write_temp(file_name, KEY_VALUE_LOG);
    let arguments = ["run", "-q", "--format", format, "-e", query];
    let output = run_sumoql(&[&arguments[..], &[log.to_str().unwrap()]].concat());
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    output.stdout
}

/// The table shows time fields as UTC dates; CSV keeps their milliseconds.
#[test]
fn table_shows_time_fields_as_dates() {
    let query = "* | timeslice 1m | count by _timeslice | sort by _timeslice asc";
    insta::assert_snapshot!(run_on_key_value_log("times.log", "table", query), @r"
    _timeslice                     _count
    -----------------------------  ------
    2026-12-04 22:15:00.000 +0000       1
    2026-12-04 22:16:00.000 +0000       1
    ");

    insta::assert_snapshot!(run_on_key_value_log("times.log", "csv", query), @r"
    _timeslice,_count
    1796422500000,1
    1796422560000,1
    ");
}

/// `kv auto` in a query that shows messages adds the fields it finds as
/// columns, in the order the rows first give them, before `_raw`.
#[test]
fn kv_auto_shows_found_fields() {
    let query = r#"* | parse "|*|*|*|*|*" as vendor, product, version, category, kvout
        | kv auto field=kvout | where action != "" | fields - _raw"#;
    insta::assert_snapshot!(run_on_key_value_log("leef.log", "csv", query));
}

/// After an aggregate, `kv auto` adds no columns: only the named fields exist.
#[test]
fn kv_auto_after_aggregate_adds_no_columns() {
    let query = r#"* | kv auto | count by action | sort by action"#;
    assert_eq!(
        run_on_key_value_log("leef_count.log", "csv", query),
        "action,_count\nBlocked,1\nAllowed,1\n"
    );
}

/// Over no input rows, `fillmissing` gives `count` its numeric default 0.
#[test]
fn fillmissing_without_rows_counts_zero() {
    let query = r#"* | where action = "Quarantined" | count by action
        | fillmissing values("Allowed", "Blocked") in action"#;
    insta::assert_snapshot!(run_on_key_value_log("no_match.log", "csv", query), @r"
    action,_count
    Allowed,0
    Blocked,0
    ");
}
