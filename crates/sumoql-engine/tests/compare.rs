//! `compare with timeshift`: the stages before `compare` run again over
//! earlier windows of the same records, joined on the aggregate's groups.

mod support;

use sumoql_engine::{compile, Execution, TimeRange};
use sumoql_syntax::parse_query;
use support::{compile_errors, lines, record, TestRecord};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Runs `query` over `records` with the query time range set to day 2.
fn run_on_day_two(query: &str, records: &[TestRecord]) -> String {
    let tree = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let mut plan = compile(&tree).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    assert!(
        plan.reads_time_range(),
        "compare needs the query time range"
    );
    assert!(!plan.supports_partials(), "compare runs in one execution");
    plan.set_time_range(TimeRange {
        start: 2 * DAY,
        end: 3 * DAY,
    });
    let mut execution = Execution::new(&plan);
    for record in records {
        execution.push(record);
    }
    let result = execution
        .finish()
        .expect("the run stays within the group limit");
    let mut text = result.columns.join("|");
    for line in lines(&result) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

/// Logins by user on days 0, 1 and 2, at the given hour of each day.
fn logins() -> Vec<TestRecord> {
    let events = [
        (0, 1, "alice"),
        (0, 1, "bob"),
        (1, 1, "alice"),
        (1, 1, "alice"),
        (1, 2, "carol"),
        (2, 1, "alice"),
        (2, 1, "alice"),
        (2, 1, "alice"),
        (2, 2, "bob"),
    ];
    events
        .iter()
        .map(|(day, hour, user)| {
            let time = (day * DAY + hour * HOUR).to_string();
            record(&[("_messageTime", &time), ("user", user)])
        })
        .collect()
}

#[test]
fn compare_with_previous_day() {
    let result = run_on_day_two("| count by user | compare with timeshift 1d", &logins());
    insta::assert_snapshot!(result, @r"
    user|_count|_count_1d
    alice|3|2
    bob|1|∅
    carol|∅|1
    ");
}

#[test]
fn compare_aligns_timeslices() {
    let result = run_on_day_two(
        "| timeslice 1h | count by _timeslice | compare timeshift 1d as yesterday",
        &logins(),
    );
    insta::assert_snapshot!(result, @r"
    _timeslice|_count|_count_yesterday
    176400000|3|2
    180000000|1|1
    ");
}

#[test]
fn compare_several_days() {
    let result = run_on_day_two("| count by user | compare with timeshift 1d 2", &logins());
    insta::assert_snapshot!(result, @r"
    user|_count|_count_1d|_count_2d
    alice|3|2|1
    bob|1|∅|1
    carol|∅|1|∅
    ");
}

#[test]
fn compare_average_of_days() {
    let result = run_on_day_two(
        "| count by user | compare with timeshift 1d 2 avg | where _count > _count_2d_avg",
        &logins(),
    );
    insta::assert_snapshot!(result, @r"
    user|_count|_count_2d_avg
    alice|3|1.5
    ");
}

#[test]
fn compare_rejects_without_aggregate() {
    assert_eq!(
        compile_errors("| where user = \"alice\" | compare with timeshift 1d"),
        vec!["`compare` cannot run here: `compare` needs an aggregate before it"]
    );
    assert_eq!(
        compile_errors("| count | union [ * | count | compare timeshift 1d ]"),
        vec!["`compare` cannot run here: sumoql runs `compare` only in the main query, not inside `union`"]
    );
}

#[test]
fn compare_result_named_as_group_field() {
    // `last` is unset before the aggregate, so it joins nothing: the rows
    // join on `user`, and `last` is compared as a result.
    let result = run_on_day_two(
        "| count as last by user, last | compare with timeshift 1d",
        &logins(),
    );
    insta::assert_snapshot!(result, @r"
    user|last|last_1d
    alice|3|2
    bob|1|∅
    carol|∅|1
    ");
}
