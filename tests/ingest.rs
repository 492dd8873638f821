//! `sumoql ingest --to parquet DIR`, run as a user runs it: the files it writes, its
//! summary line, malformed records, `--strict` and the checks of the output folder.
//! Built only with `--features datafusion`.

#![cfg(feature = "datafusion")]

mod common;

use common::{run_sumoql, SAMPLE_LOG};

/// Lists the `day=*/part-*.parquet` files under `folder` as paths relative to it.
fn written_files(folder: &std::path::Path) -> Vec<String> {
    let mut files = Vec::new();
    for day in std::fs::read_dir(folder).unwrap() {
        let day = day.unwrap().path();
        for part in std::fs::read_dir(&day).unwrap() {
            let part = part.unwrap().path();
            files.push(part.strip_prefix(folder).unwrap().display().to_string());
        }
    }
    files.sort();
    files
}

#[test]
fn ingest_writes_day_folders_and_summary() {
    let output = tempfile::tempdir().unwrap();
    let folder = output.path().join("parquet");
    let result = run_sumoql(&[
        "ingest",
        SAMPLE_LOG,
        "--to",
        "parquet",
        folder.to_str().unwrap(),
    ]);

    assert_eq!(result.code(), 0, "{}", result.stderr);
    assert_eq!(
        written_files(&folder),
        [
            "day=2026-03-02/part-00000.parquet",
            "day=2026-03-03/part-00000.parquet",
            "day=2026-03-04/part-00000.parquet",
        ]
    );
    assert!(
        result.stderr.starts_with(
            "sumoql: read 33 records from 1 file: 33 processed (windows-xml 33), \
             0 skipped as malformed; wrote 33 records to 3 Parquet files ("
        ),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains(" bytes) in 3 day folders under "),
        "{}",
        result.stderr
    );
}

#[test]
fn ingest_rejects_non_empty_folder() {
    let output = tempfile::tempdir().unwrap();
    let folder = output.path().to_str().unwrap();
    std::fs::write(output.path().join("notes.txt"), "keep me").unwrap();

    let result = run_sumoql(&["ingest", SAMPLE_LOG, "--to", "parquet", folder]);
    assert_eq!(result.code(), 1);
    assert!(result.stderr.contains("is not empty"), "{}", result.stderr);
    assert!(result.stderr.contains("--overwrite"), "{}", result.stderr);

    let again = run_sumoql(&[
        "ingest",
        SAMPLE_LOG,
        "--to",
        "parquet",
        folder,
        "--overwrite",
    ]);
    assert_eq!(again.code(), 1);
    assert!(again.stderr.contains("notes.txt"), "{}", again.stderr);
    assert!(output.path().join("notes.txt").exists());
}

#[test]
fn ingest_overwrite_replaces_earlier_ingest() {
    let output = tempfile::tempdir().unwrap();
    let folder = output.path().to_str().unwrap();
    let first = run_sumoql(&["ingest", SAMPLE_LOG, "--to", "parquet", folder]);
    assert_eq!(first.code(), 0, "{}", first.stderr);

    let again = run_sumoql(&[
        "ingest",
        SAMPLE_LOG,
        "--to",
        "parquet",
        folder,
        "--overwrite",
    ]);
    assert_eq!(again.code(), 0, "{}", again.stderr);
    assert_eq!(written_files(output.path()).len(), 3);
}

#[test]
fn ingest_reports_malformed_and_stops_under_strict() {
    let input = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(SAMPLE_LOG).unwrap();
    let mut lines: Vec<&str> = sample.lines().take(2).collect();
    lines.insert(1, "<Event><System><EventID>1</Even");
    let path = input.path().join("broken.xml");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let path = path.to_str().unwrap();

    let output = tempfile::tempdir().unwrap();
    let folder = output.path().join("lenient");
    let result = run_sumoql(&["ingest", path, "--to", "parquet", folder.to_str().unwrap()]);
    assert_eq!(result.code(), 0, "{}", result.stderr);
    assert!(
        result
            .stderr
            .contains("sumoql: warning: skipped malformed record in ")
            && result.stderr.contains("broken.xml: line 2 (byte "),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains("read 3 records from 1 file: 2 processed"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("wrote 2 records"),
        "{}",
        result.stderr
    );

    let strict_folder = output.path().join("strict");
    let strict = run_sumoql(&[
        "ingest",
        path,
        "--to",
        "parquet",
        strict_folder.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(strict.code(), 2, "{}", strict.stderr);
    assert!(
        strict
            .stderr
            .contains("sumoql: error: malformed record in ")
            && strict.stderr.contains("(stopped by --strict)"),
        "{}",
        strict.stderr
    );
}

#[test]
fn ingest_rejects_unknown_target() {
    let output = tempfile::tempdir().unwrap();
    let result = run_sumoql(&[
        "ingest",
        SAMPLE_LOG,
        "--to",
        "csv",
        output.path().to_str().unwrap(),
    ]);
    assert_eq!(result.code(), 1);
    assert!(
        result
            .stderr
            .contains("invalid output format `csv` for --to: expected one of parquet"),
        "{}",
        result.stderr
    );
}
