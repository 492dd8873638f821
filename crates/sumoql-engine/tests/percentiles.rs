//! `pct` with several percentiles in one call.

mod support;

use support::{compile_errors, record, run, TestRecord};

fn sizes() -> Vec<TestRecord> {
    ["1", "2", "3", "4", "5"]
        .iter()
        .map(|size| record(&[("size", size), ("host", "h")]))
        .collect()
}

#[test]
fn pct_several_percentiles() {
    let result = run("| pct(size, 25, 50, 99.5) by host", &sizes());
    assert_eq!(
        result.columns,
        vec!["host", "_size_pct_25", "_size_pct_50", "_size_pct_99.5"]
    );
    insta::assert_snapshot!(support::lines(&result).join("\n"), @"h|2|3|4.98");
}

#[test]
fn pct_several_percentiles_with_alias_rejected() {
    assert_eq!(
        compile_errors("| pct(size, 25, 50) as p"),
        vec!["unsupported aggregate `pct` with 3 argument(s): not an aggregate sumoql runs"]
    );
}
