//! The `fmt` command run as a user runs it: standard input to standard
//! output, files rewritten in place, `--check`, and files with comments.

mod common;

use common::{run_sumoql, run_sumoql_with_stdin, SHIPPED_QUERY};

const MESSY: &str = "_sourceCategory=x\n| json \"a\" as b | COUNT by b\n";
const TIDY: &str = "_sourceCategory=x\n| json \"a\" as b\n| count by b\n";

#[test]
fn fmt_prints_canonical_layout() {
    let output = run_sumoql_with_stdin(&["fmt"], Some(MESSY.as_bytes()));
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(output.stdout, TIDY);
    assert_eq!(output.stderr, "");
}

#[test]
fn fmt_warns_when_comments_are_dropped() {
    let output = run_sumoql_with_stdin(&["fmt"], Some(b"* // keep me\n| count\n"));
    assert_eq!(output.code(), 0);
    assert_eq!(output.stdout, "*\n| count\n");
    assert!(
        output.stderr.contains("does not keep comments"),
        "{}",
        output.stderr
    );
}

#[test]
fn fmt_reports_invalid_query() {
    let output = run_sumoql_with_stdin(&["fmt"], Some(b"* | wehre x\n"));
    assert_eq!(output.code(), 1);
    assert!(
        output.stderr.contains("unknown operator `wehre`"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, "");
}

#[test]
fn fmt_check_lists_changed_files() {
    let folder = tempfile::tempdir().unwrap();
    let messy = folder.path().join("messy.sumo");
    let tidy = folder.path().join("tidy.sumo");
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, TIDY).unwrap();

    let output = run_sumoql(&[
        "fmt",
        "--check",
        messy.to_str().unwrap(),
        tidy.to_str().unwrap(),
    ]);
    assert_eq!(output.code(), 1);
    assert_eq!(output.stdout.trim(), messy.display().to_string());
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        MESSY,
        "--check must not change files"
    );

    let output = run_sumoql(&["fmt", "--check", tidy.to_str().unwrap()]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(output.stdout, "");
}

#[test]
fn fmt_check_flags_shipped_query_without_changing_it() {
    let before = std::fs::read_to_string(SHIPPED_QUERY).unwrap();
    let output = run_sumoql(&["fmt", "--check", SHIPPED_QUERY]);
    assert_eq!(
        output.code(),
        1,
        "the shipped query has comments, which the layout drops"
    );
    assert_eq!(output.stdout.trim(), SHIPPED_QUERY);
    assert_eq!(std::fs::read_to_string(SHIPPED_QUERY).unwrap(), before);
}

#[test]
fn fmt_rewrites_files_in_place() {
    let folder = tempfile::tempdir().unwrap();
    let messy = folder.path().join("messy.sumo");
    std::fs::write(&messy, MESSY).unwrap();

    let output = run_sumoql(&["fmt", messy.to_str().unwrap()]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
}

#[test]
fn fmt_leaves_file_with_comments_unchanged() {
    let folder = tempfile::tempdir().unwrap();
    let commented = folder.path().join("commented.sumo");
    let text = "* // why this scope\n|   count\n";
    std::fs::write(&commented, text).unwrap();

    let output = run_sumoql(&["fmt", commented.to_str().unwrap()]);
    assert_eq!(output.code(), 1);
    assert!(output.stderr.contains("has comments"), "{}", output.stderr);
    assert_eq!(std::fs::read_to_string(&commented).unwrap(), text);
}
