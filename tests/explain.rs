//! End-to-end tests of `sumoql run --explain`: the per-stage table of every
//! branch on stderr, with the result on stdout unchanged.

mod common;

use common::{run_sumoql, SAMPLE_LOG, SHIPPED_QUERY};

/// Returns stderr without the summary line, whose elapsed time varies.
fn explain_text(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| !line.starts_with("sumoql: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn shipped_query_explained_on_sample() {
    let output = run_sumoql(&["run", "--explain", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(explain_text(&output.stderr));
}

/// Returns the first `count` lines of stderr, with the elapsed time of the
/// summary line replaced by `<elapsed>`.
fn stderr_head(stderr: &str, count: usize) -> String {
    stderr
        .lines()
        .take(count)
        .map(|line| match line.rfind(" in ") {
            Some(cut) if line.starts_with("sumoql: ") && line.ends_with(" s") => {
                format!("{} in <elapsed>\n", &line[..cut])
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn explain_set_apart_from_summary() {
    let output = run_sumoql(&["run", "--explain", "-e", "| count", SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(stderr_head(&output.stderr, 4));
}

#[test]
fn explain_quiet_starts_with_table() {
    let output = run_sumoql(&["run", "--quiet", "--explain", "-e", "| count", SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert!(
        output.stderr.starts_with("explain: main query\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn explain_leaves_result_unchanged() {
    let plain = run_sumoql(&["run", "--format", "json", SHIPPED_QUERY, SAMPLE_LOG]);
    let explained = run_sumoql(&[
        "run",
        "--format",
        "json",
        "--explain",
        SHIPPED_QUERY,
        SAMPLE_LOG,
    ]);
    assert_eq!(explained.stdout, plain.stdout);
    assert!(!plain.stderr.contains("explain:"), "{}", plain.stderr);
}

#[test]
fn explain_shows_where_the_rows_go() {
    let query = r#"* | where EventID = 1 or EventID = 3 or EventID = 99
        | parse "<Nowhere>*</Nowhere>" as nothing nodrop
        | where !(EventID = 3)"#;
    let output = run_sumoql(&["run", "--explain", "-e", query, SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    insta::assert_snapshot!(explain_text(&output.stderr));
}

#[test]
fn explain_with_original_raw_shows_anchors_failing() {
    let output = run_sumoql(&[
        "run",
        "--explain",
        "--raw",
        "original",
        SHIPPED_QUERY,
        SAMPLE_LOG,
    ]);
    let text = explain_text(&output.stderr);
    assert!(text.contains("pattern matched 0 of 7 rows"), "{text}");
    assert!(!text.contains("pattern matched 7 of 7 rows"), "{text}");
}
