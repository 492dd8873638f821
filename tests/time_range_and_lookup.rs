//! End-to-end tests of the `--from`/`--to` time range and `--lookup-dir` of `sumoql run`.

mod common;

use std::fs;

use common::{run_sumoql, run_sumoql_with_stdin, SAMPLE_LOG};

/// The earliest and latest `_messageTime` of the sample, in milliseconds.
const SAMPLE_EARLIEST: &str = "1772441892441";
const SAMPLE_LATEST_PLUS_ONE: &str = "1772634009121";

#[test]
fn from_and_to_select_records() {
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--from",
        "2026-03-03",
        "--to",
        "2026-03-04T00:00:00Z",
        "-e",
        "| count",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    // The same records as filtering on _messageTime in the query.
    let filtered = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        "| where _messageTime >= 1772496000000 and _messageTime < 1772582400000 | count",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.stdout, filtered.stdout);
    assert_eq!(output.stdout, "_count\n11\n");
}

#[test]
fn from_with_offset_matches_utc() {
    let utc = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--from",
        "2026-03-03T00:00:00Z",
        "-e",
        "| count",
        SAMPLE_LOG,
    ]);
    let offset = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--from",
        "2026-03-03T02:00:00+02:00",
        "-e",
        "| count",
        SAMPLE_LOG,
    ]);
    assert_eq!(utc.code(), 0, "stderr: {}", utc.stderr);
    assert_eq!(utc.stdout, offset.stdout);
}

#[test]
fn from_after_to_is_rejected() {
    let output = run_sumoql(&[
        "run",
        "--from",
        "-1h",
        "--to",
        "2000-01-01",
        "-e",
        "| count",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("--from must be earlier than --to"),
        "stderr: {}",
        output.stderr
    );
}

#[test]
fn relative_from_counts_back_from_now() {
    let output = run_sumoql(&[
        "run", "--format", "csv", "--from", "-100000d", "-e", "| count", SAMPLE_LOG,
    ]);
    assert_eq!(output.stdout, "_count\n33\n");
}

#[test]
fn invalid_time_is_reported() {
    let output = run_sumoql(&["run", "--from", "yesterday", "-e", "| count", SAMPLE_LOG]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("invalid time `yesterday`"),
        "stderr: {}",
        output.stderr
    );
}

#[test]
fn range_comes_from_data_without_options() {
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        "| count | queryStartTime() as start | queryEndTime() as end | fields start, end",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(
        output.stdout,
        format!("start,end\n{SAMPLE_EARLIEST},{SAMPLE_LATEST_PLUS_ONE}\n")
    );
}

#[test]
fn buckets_on_stdin_need_range() {
    let sample = fs::read(SAMPLE_LOG).unwrap();
    let output = run_sumoql_with_stdin(
        &[
            "run",
            "-e",
            "| timeslice 10 buckets | count by _timeslice",
            "-",
        ],
        Some(&sample),
    );
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("pass both --from and --to"),
        "stderr: {}",
        output.stderr
    );

    let output = run_sumoql_with_stdin(
        &[
            "run",
            "--format",
            "csv",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-05",
            "-e",
            "| timeslice 3 buckets | count by _timeslice | sort by _timeslice asc",
            "-",
        ],
        Some(&sample),
    );
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

/// Creates a lookup directory with `users.csv` under `Library/Users/me`.
fn lookup_dir(name: &str) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("sumoql-lookup-{}-{name}", std::process::id()));
    let tables = root.join("Library/Users/me");
    fs::create_dir_all(&tables).unwrap();
    fs::write(
        tables.join("hosts.csv"),
        "computer,owner\ndev-ws01.corp.example,alice\nBUILD-07.corp.example,bob\n",
    )
    .unwrap();
    root
}

#[test]
fn lookup_reads_csv_under_directory() {
    let root = lookup_dir("read");
    let query = r#"| count by Computer | lookup owner from path://"/Library/Users/me/hosts" on Computer=computer | sort by Computer asc"#;
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--lookup-dir",
        root.to_str().unwrap(),
        "-e",
        query,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn lookup_path_cannot_escape_directory() {
    let root = lookup_dir("escape");
    let query = r#"| lookup owner from path://"/../secret" on Computer=computer"#;
    let output = run_sumoql(&[
        "run",
        "--lookup-dir",
        root.to_str().unwrap(),
        "-e",
        query,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("leaves the lookup directory"),
        "stderr: {}",
        output.stderr
    );
}

#[test]
fn lookup_without_directory_is_reported() {
    let query = r#"| lookup owner from path://"/Library/Users/me/hosts" on Computer=computer"#;
    let output = run_sumoql(&["run", "-e", query, SAMPLE_LOG]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("pass --lookup-dir DIR"),
        "stderr: {}",
        output.stderr
    );
}

#[test]
fn lookup_missing_table_is_reported() {
    let root = lookup_dir("missing");
    let query = r#"| lookup owner from path://"/Library/Users/me/nothing" on Computer=computer"#;
    let output = run_sumoql(&[
        "run",
        "--lookup-dir",
        root.to_str().unwrap(),
        "-e",
        query,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("failed to read lookup table"),
        "stderr: {}",
        output.stderr
    );
}

/// Runs `query` over the sample with `--lookup-dir root`.
fn run_with_lookup_dir(root: &std::path::Path, query: &str) -> common::Output {
    run_sumoql(&[
        "run",
        "--lookup-dir",
        root.to_str().unwrap(),
        "-e",
        query,
        SAMPLE_LOG,
    ])
}

#[test]
fn lookup_absolute_path_stays_in_directory() {
    let root = lookup_dir("absolute");
    let query = r#"| lookup owner from path://"//etc/passwd" on Computer=computer"#;
    let output = run_with_lookup_dir(&root, query);
    assert_eq!(output.code(), 1);
    let inside = root.join("etc/passwd.csv");
    assert!(
        output.stderr.contains(&inside.display().to_string()),
        "stderr: {}",
        output.stderr
    );
}

#[cfg(unix)]
#[test]
fn lookup_symlink_out_of_directory_is_rejected() {
    let root = lookup_dir("symlink");
    let outside = root.with_extension("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.csv"), "computer,owner\nx,y\n").unwrap();
    let tables = root.join("Library/Users/me");
    let _ = fs::remove_file(tables.join("file.csv"));
    let _ = fs::remove_file(tables.join("folder"));
    std::os::unix::fs::symlink(outside.join("secret.csv"), tables.join("file.csv")).unwrap();
    std::os::unix::fs::symlink(&outside, tables.join("folder")).unwrap();

    for path in ["/Library/Users/me/file", "/Library/Users/me/folder/secret"] {
        let query = format!(r#"| lookup owner from path://"{path}" on Computer=computer"#);
        let output = run_with_lookup_dir(&root, &query);
        assert_eq!(output.code(), 1, "{path}: stderr: {}", output.stderr);
        assert!(
            output
                .stderr
                .contains("leaves the lookup directory through a symbolic link"),
            "{path}: stderr: {}",
            output.stderr
        );
    }
}
