//! The time-series operators over ordered rows: `smooth`, `rollingstd`,
//! `backshift`, `diff`, `outlier`, and `withtime` with `most_recent`.

mod support;

use support::{compile_errors, lines, record, run, TestRecord};

/// Counts per minute for two hosts, in time order.
fn series() -> Vec<TestRecord> {
    let points = [
        ("a", "10"),
        ("b", "1"),
        ("a", "12"),
        ("a", "11"),
        ("b", "x"),
        ("a", "30"),
        ("b", "3"),
    ];
    points
        .iter()
        .enumerate()
        .map(|(minute, (host, value))| {
            let time = (minute as i64 * 60_000).to_string();
            record(&[("_messageTime", &time), ("host", host), ("n", value)])
        })
        .collect()
}

/// Runs a query and renders its columns and rows for a snapshot.
fn table(query: &str, records: &[TestRecord]) -> String {
    let result = run(query, records);
    let mut text = result.columns.join("|");
    for line in lines(&result) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

#[test]
fn smooth_averages_window() {
    insta::assert_snapshot!(table("| smooth n, 2 by host | fields host, n, _smooth", &series()), @r"
    host|n|_smooth
    a|10|10
    b|1|1
    a|12|11
    a|11|11.5
    b|x|1
    a|30|20.5
    b|3|2
    ");
}

#[test]
fn smooth_default_window_is_ten() {
    let records: Vec<TestRecord> = (1..=12).map(|n| record(&[("n", &n.to_string())])).collect();
    let result = run("| smooth n | fields _smooth", &records);
    // The last row averages 3 to 12.
    assert_eq!(lines(&result).last().unwrap(), "7.5");
}

#[test]
fn rollingstd_of_one_value_is_zero() {
    insta::assert_snapshot!(table("| rollingstd n, 3 as spread by host | fields host, n, spread", &series()), @r"
    host|n|spread
    a|10|0
    b|1|0
    a|12|1.4142135623730951
    a|11|1
    b|x|0
    a|30|10.692676621563626
    b|3|1.4142135623730951
    ");
}

#[test]
fn backshift_and_diff_look_back() {
    insta::assert_snapshot!(
        table("| backshift n by host | diff n as change by host | fields host, n, _backshift, change", &series()),
        @r"
    host|n|_backshift|change
    a|10|∅|∅
    b|1|∅|∅
    a|12|10|2
    a|11|12|-1
    a|30|11|19
    b|3|1|2
    "
    );
}

#[test]
fn diff_removes_rows_without_number() {
    // The row with `x` and the row without `n` leave; 3 is compared with 1.
    let mut records = series();
    records.push(record(&[("host", "b")]));
    records.push(record(&[("host", "b"), ("n", "7")]));
    insta::assert_snapshot!(table("| where host=\"b\" | diff n | fields n, _diff", &records), @r"
    n|_diff
    1|∅
    3|2
    7|4
    ");
}

#[test]
fn backshift_keeps_rows_without_number() {
    let result = run(
        "| where host=\"b\" | backshift n | fields n, _backshift",
        &series(),
    );
    assert_eq!(lines(&result), vec!["1|∅", "x|∅", "3|1"]);
}

#[test]
fn diff_rejects_window_length() {
    assert_eq!(
        compile_errors("| diff n, 2"),
        vec!["diff takes no window length: remove the window length"]
    );
}

#[test]
fn backshift_by_two_rows() {
    let result = run(
        "| where host=\"a\" | backshift n, 2 | fields _backshift",
        &series(),
    );
    assert_eq!(lines(&result), vec!["∅", "∅", "10", "12"]);
}

#[test]
fn window_length_limits() {
    assert_eq!(
        compile_errors("| smooth n, 1001"),
        vec!["invalid window length 1001: the window must be from 1 to 1000 rows"]
    );
    assert_eq!(
        compile_errors("| rollingstd n, 0"),
        vec!["invalid window length 0: the window must be from 1 to 1000 rows"]
    );
}

/// Messages whose count per minute is steady around 10, then spikes to 40
/// and 42 and falls to 1.
fn messages() -> Vec<TestRecord> {
    let per_minute = [10, 11, 9, 10, 11, 40, 42, 10, 1];
    let mut records = Vec::new();
    for (minute, count) in per_minute.iter().enumerate() {
        for second in 0..*count {
            let time = (minute as i64 * 60_000 + second * 1000).to_string();
            records.push(record(&[("_messageTime", &time)]));
        }
    }
    records
}

#[test]
fn outlier_flags_values_outside_band() {
    let query =
        "| timeslice 1m | count by _timeslice | sort + _timeslice | outlier _count window=5";
    insta::assert_snapshot!(table(query, &messages()));
}

#[test]
fn outlier_direction_limits_flags() {
    let mut counts: Vec<&str> = ["10", "11"].repeat(4);
    counts.extend(["30", "1"]);
    let records: Vec<TestRecord> = counts
        .iter()
        .map(|count| record(&[("_count", count)]))
        .collect();
    let flags = |direction: &str| {
        let query = format!(
            "| outlier _count threshold=1, direction={direction} | fields _count_indicator"
        );
        lines(&run(&query, &records))[8..].join(",")
    };
    assert_eq!(flags("+"), "1,0");
    assert_eq!(flags("-"), "0,1");
    assert_eq!(flags("+-"), "1,1");
}

#[test]
fn outlier_violation_needs_consecutive_indicators() {
    let mut counts: Vec<&str> = ["10", "11"].repeat(4);
    counts.extend(["30", "31", "10"]);
    let records: Vec<TestRecord> = counts
        .iter()
        .map(|count| record(&[("_count", count)]))
        .collect();
    let query = "| outlier _count threshold=2, consecutive=2 \
        | fields _count, _count_indicator, _count_violation";
    insta::assert_snapshot!(table(query, &records));
}

#[test]
fn outlier_groups_by_field() {
    let records: Vec<TestRecord> = [
        ("a", "5"),
        ("b", "100"),
        ("a", "5"),
        ("b", "100"),
        ("a", "6"),
        ("b", "101"),
        ("a", "50"),
    ]
    .iter()
    .map(|(host, count)| record(&[("host", host), ("_count", count)]))
    .collect();
    let result = run(
        "| outlier _count by host | fields host, _count, _count_indicator",
        &records,
    );
    assert_eq!(
        lines(&result),
        vec!["a|5|0", "b|100|0", "a|5|0", "b|100|0", "a|6|1", "b|101|1", "a|50|1"]
    );
}

#[test]
fn outlier_rejects_invalid_options() {
    assert_eq!(
        compile_errors("| outlier _count window=0"),
        vec!["invalid `outlier` option `window`: expected a whole number of at least 1"]
    );
    assert_eq!(
        compile_errors("| outlier _count direction=up"),
        vec!["invalid `outlier` option `direction`: expected `+`, `-` or `+-`"]
    );
    assert_eq!(
        compile_errors("| outlier _count threshold=-1"),
        vec!["invalid `outlier` option `threshold`: expected a positive number of standard deviations"]
    );
}

#[test]
fn withtime_feeds_most_recent() {
    let records = vec![
        record(&[("_messageTime", "3000"), ("id", "1"), ("state", "closed")]),
        record(&[("_messageTime", "1000"), ("id", "1"), ("state", "opened")]),
        record(&[("_messageTime", "2000"), ("id", "2"), ("state", "opened")]),
    ];
    insta::assert_snapshot!(
        table(
            "| withtime state | most_recent(state_withtime) as now, least_recent(state_withtime) as then by id",
            &records,
        ),
        @r"
    id|now|then
    1|closed|opened
    2|opened|opened
    "
    );
}

/// Messages whose count per minute rises by 2 each minute, with none in
/// minute 3.
fn rising() -> Vec<TestRecord> {
    let mut records = Vec::new();
    for (minute, count) in [(0, 1), (1, 3), (2, 5), (4, 9)] {
        for second in 0..count {
            let time = (minute * 60_000 + second * 1000).to_string();
            records.push(record(&[("_messageTime", &time)]));
        }
    }
    records
}

#[test]
fn predict_fits_line_and_forecasts() {
    // Minute 3 counts as zero in the fit, as Sumo fills missing points.
    let query = "| timeslice 1m | count by _timeslice | sort + _timeslice \
        | predict _count by 1m forecast=2";
    insta::assert_snapshot!(table(query, &rising()));
}

#[test]
fn predict_on_exact_line() {
    let records: Vec<TestRecord> = [(0, "1"), (1, "3"), (2, "5")]
        .iter()
        .map(|(minute, count)| {
            let time = (minute * 60_000).to_string();
            record(&[("_timeslice", &time), ("_count", count)])
        })
        .collect();
    let result = run(
        "| predict _count by 1m forecast=1m | fields _timeslice, _count_predicted, _count_error",
        &records,
    );
    assert_eq!(
        lines(&result),
        vec!["0|1|0", "60000|3|0", "120000|5|0", "180000|7|∅"]
    );
}

#[test]
fn predict_rejects_autoregressive_model() {
    assert_eq!(
        compile_errors("| predict _count by 1m model=ar, forecast=5"),
        vec!["operator `predict` with `model=ar` is not supported by sumoql: Sumo's auto-regressive model is its own algorithm, which its documentation does not describe closely enough to reproduce"]
    );
}
