//! End-to-end tests of the operators that read the inputs more than once
//! or in more than one time window: subqueries and `compare with timeshift`.

mod common;

use common::{run_sumoql, run_sumoql_with_stdin};

/// Writes a log of plain text lines, each starting with its time.
fn write_log(lines: &[&str]) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".log").tempfile().unwrap();
    std::io::Write::write_all(&mut file, (lines.join("\n") + "\n").as_bytes()).unwrap();
    file
}

fn network_log() -> tempfile::NamedTempFile {
    write_log(&[
        "2024-05-01T00:00:00Z alert ip=10.0.0.1 ",
        "2024-05-01T00:01:00Z login ip=10.0.0.1 user=bob",
        "2024-05-01T00:02:00Z login ip=10.0.0.2 user=eve",
    ])
}

#[test]
fn subquery_runs_over_same_inputs() {
    let log = network_log();
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        r#"login | parse "ip=* " as ip | where [subquery: alert | parse "ip=* " as ip | compose ip] | parse "user=*" as user | fields user"#,
        log.path().to_str().unwrap(),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "user\nbob\n");
}

#[test]
fn subquery_rejects_standard_input() {
    let output = run_sumoql_with_stdin(
        &[
            "run",
            "-e",
            "login [subquery: alert | compose ip] | count",
            "-",
        ],
        Some(b"2024-05-01T00:00:00Z alert ip=10.0.0.1\n"),
    );
    assert_eq!(output.code(), 1, "stdout: {}", output.stdout);
    assert!(
        output.stderr.contains("standard input does not allow"),
        "stderr: {}",
        output.stderr
    );
}

#[test]
fn compare_uses_query_time_range() {
    let log = write_log(&[
        "2024-05-01T01:00:00Z login user=alice",
        "2024-05-01T01:00:00Z login user=alice",
        "2024-05-02T01:00:00Z login user=alice",
        "2024-05-02T01:00:00Z login user=alice",
        "2024-05-02T01:00:00Z login user=alice",
        "2024-05-02T02:00:00Z login user=bob",
    ]);
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--from",
        "2024-05-02",
        "--to",
        "2024-05-03",
        "-e",
        r#"| parse "user=*" as user | count by user | compare with timeshift 1d"#,
        log.path().to_str().unwrap(),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "user,_count,_count_1d\nalice,3,2\nbob,1,\n");
}

#[test]
fn range_taken_from_data_is_reported() {
    let log = network_log();
    let path = log.path().to_str().unwrap();
    let query = "* | timeslice 1m | count by _timeslice | compare with timeshift 1m";
    let output = run_sumoql(&["run", "--format", "csv", "-e", query, path]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert!(
        output.stderr.contains(
            "the query time range covers 2024-05-01 00:00:00.000 UTC \
             through 2024-05-01 00:02:00.000 UTC, taken from the data's \
             earliest and latest _messageTime"
        ),
        "stderr: {}",
        output.stderr
    );

    let quiet = run_sumoql(&["run", "--quiet", "--format", "csv", "-e", query, path]);
    assert_eq!(quiet.code(), 0, "stderr: {}", quiet.stderr);
    assert!(
        !quiet.stderr.contains("time range"),
        "stderr: {}",
        quiet.stderr
    );

    let bounded = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-02",
        "-e",
        query,
        path,
    ]);
    assert_eq!(bounded.code(), 0, "stderr: {}", bounded.stderr);
    assert!(
        !bounded.stderr.contains("time range"),
        "stderr: {}",
        bounded.stderr
    );
}
