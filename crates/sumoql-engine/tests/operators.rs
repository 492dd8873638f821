//! Rules of the time range and of the operators and aggregates in
//! `operators/` (timeslice, top, transpose, lookup, …), over small in-memory records.

use std::collections::HashMap;

use sumoql_engine::{
    compile, compile_with, Execution, LookupSource, LookupTable, Plan, Record, ResultTable,
    TimeRange, Value,
};
use sumoql_syntax::parse_query;

struct TestRecord(HashMap<String, Value>);

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0.get(lowercase_name).cloned()
    }
}

/// Builds a record from `name=value` pairs; `_messageTime` becomes a number.
fn record(pairs: &[(&str, &str)]) -> TestRecord {
    let mut fields = HashMap::new();
    for (name, value) in pairs {
        let value = if name.eq_ignore_ascii_case("_messageTime") {
            Value::Number(value.parse().unwrap())
        } else {
            Value::text(*value)
        };
        fields.insert(name.to_ascii_lowercase(), value);
    }
    TestRecord(fields)
}

fn plan(query: &str) -> Plan {
    let query = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    compile(&query).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"))
}

fn execute(plan: &Plan, records: &[TestRecord]) -> ResultTable {
    let mut execution = Execution::new(plan);
    for record in records {
        execution.push(record);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

fn run(query: &str, records: &[TestRecord]) -> ResultTable {
    execute(&plan(query), records)
}

/// Renders a result as `a|b` lines, with `∅` for null, for compact asserts.
fn lines(table: &ResultTable) -> Vec<String> {
    table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|value| {
                    value
                        .as_ref()
                        .map_or("∅".to_string(), |value| value.to_string())
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

fn compile_errors(query: &str) -> Vec<String> {
    match compile(&parse_query(query).unwrap()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|error| format!("{}: {}", error.message, error.label))
            .collect(),
    }
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;

/// Records at the given millisecond times, with `user` cycling through the list.
fn timed(times: &[i64], users: &[&str]) -> Vec<TestRecord> {
    times
        .iter()
        .enumerate()
        .map(|(index, time)| {
            record(&[
                ("_messageTime", &time.to_string()),
                ("user", users[index % users.len()]),
            ])
        })
        .collect()
}

#[test]
fn timeslice_aligns_to_clock() {
    let records = timed(
        &[
            HOUR + 5 * MINUTE,
            HOUR + 59 * MINUTE,
            2 * HOUR,
            3 * HOUR + 1,
        ],
        &["a"],
    );
    let table = run("| timeslice 1h | count by _timeslice", &records);
    assert_eq!(table.columns, vec!["_timeslice", "_count"]);
    assert_eq!(
        lines(&table),
        vec![
            format!("{HOUR}|2"),
            format!("{}|1", 2 * HOUR),
            format!("{}|1", 3 * HOUR)
        ]
    );
}

#[test]
fn timeslice_alias_names_field() {
    let records = timed(&[16 * MINUTE], &["a"]);
    let table = run("| timeslice 15m as bucket | count by bucket", &records);
    assert_eq!(table.columns, vec!["bucket", "_count"]);
    assert_eq!(lines(&table), vec![format!("{}|1", 15 * MINUTE)]);
}

#[test]
fn timeslice_day_starts_at_utc_midnight() {
    let day = 24 * HOUR;
    let records = timed(&[3 * day + 13 * HOUR], &["a"]);
    assert_eq!(
        lines(&run("| timeslice 1d | count by _timeslice", &records)),
        vec![format!("{}|1", 3 * day)]
    );
}

#[test]
fn timeslice_without_time_is_null() {
    let records = vec![record(&[("user", "a")])];
    assert_eq!(
        lines(&run("| timeslice 1m | count by _timeslice", &records)),
        vec!["∅|1"]
    );
}

#[test]
fn timeslice_rejects_zero_width() {
    assert_eq!(
        compile_errors("| timeslice 0m | count by _timeslice"),
        vec!["invalid timeslice width: expected a positive time such as `5m`, `1h` or `1d`"]
    );
}

#[test]
fn buckets_divide_time_range() {
    let mut plan = plan("| timeslice 4 buckets | count by _timeslice");
    assert!(plan.reads_time_range());
    plan.set_time_range(TimeRange {
        start: 0,
        end: 4 * HOUR,
    });
    let records = timed(&[0, HOUR + 1, 3 * HOUR + 5], &["a"]);
    assert_eq!(
        lines(&execute(&plan, &records)),
        vec![
            "0|1".to_string(),
            format!("{HOUR}|1"),
            format!("{}|1", 3 * HOUR)
        ]
    );
}

#[test]
fn buckets_round_width_up() {
    // 24 hours in 100 buckets needs 14.4 minutes each, rounded up to 15.
    let mut plan = plan("| timeslice 100 buckets | count by _timeslice");
    plan.set_time_range(TimeRange {
        start: 0,
        end: 24 * HOUR,
    });
    let records = timed(&[29 * MINUTE], &["a"]);
    assert_eq!(
        lines(&execute(&plan, &records)),
        vec![format!("{}|1", 15 * MINUTE)]
    );
}

#[test]
fn timeslice_without_width_covers_range() {
    let mut plan = plan("| timeslice | count by _timeslice");
    plan.set_time_range(TimeRange {
        start: 7,
        end: 4 * HOUR,
    });
    let records = timed(&[10, HOUR, 2 * HOUR], &["a"]);
    assert_eq!(lines(&execute(&plan, &records)), vec!["7|3"]);
}

#[test]
fn time_range_skips_outside_records() {
    let mut plan = plan("| count");
    plan.set_time_range(TimeRange {
        start: HOUR,
        end: 2 * HOUR,
    });
    let records = timed(&[HOUR - 1, HOUR, 2 * HOUR - 1, 2 * HOUR], &["a"]);
    assert_eq!(lines(&execute(&plan, &records)), vec!["2"]);
}

#[test]
fn time_range_keeps_untimed_records() {
    let mut plan = plan("| count");
    plan.set_time_range(TimeRange {
        start: HOUR,
        end: 2 * HOUR,
    });
    assert_eq!(
        lines(&execute(&plan, &[record(&[("user", "a")])])),
        vec!["1"]
    );
}

#[test]
fn query_time_functions_read_range() {
    let mut plan =
        plan("| count | queryStartTime() as start | queryEndTime() as end | fields start, end");
    assert!(plan.reads_time_range());
    plan.set_time_range(TimeRange { start: 5, end: 9 });
    assert_eq!(lines(&execute(&plan, &[])), vec!["5|9"]);
    let unset = self::plan("| count | queryStartTime() as start | fields start");
    assert_eq!(lines(&execute(&unset, &[])), vec!["∅"]);
}

#[test]
fn query_time_function_takes_no_arguments() {
    assert_eq!(
        compile_errors("| queryStartTime(1) as start"),
        vec!["wrong number of arguments: `queryStartTime` takes no arguments, found 1"]
    );
}

#[test]
fn top_counts_most_frequent() {
    let records = timed(&[1, 2, 3, 4, 5, 6], &["a", "b", "b", "c", "c", "c"]);
    let table = run("| top 2 user", &records);
    assert_eq!(table.columns, vec!["user", "_count"]);
    assert_eq!(lines(&table), vec!["c|3", "b|2"]);
}

#[test]
fn top_by_key_sorts_rows() {
    let records = timed(&[1, 2, 3, 4, 5, 6], &["a", "b", "b", "c", "c", "c"]);
    let table = run("| count as n by user | top 2 user by n", &records);
    assert_eq!(table.columns, vec!["user", "n"]);
    assert_eq!(lines(&table), vec!["c|3", "b|2"]);
}

#[test]
fn top_by_key_ascending() {
    let records = timed(&[1, 2, 3, 4, 5, 6], &["a", "b", "b", "c", "c", "c"]);
    assert_eq!(
        lines(&run("| count as n by user | top 1 user by n asc", &records)),
        vec!["a|1"]
    );
}

#[test]
fn count_frequent_names_approxcount() {
    let records = timed(&[1, 2, 3], &["a", "b", "b"]);
    let table = run("| count_frequent user", &records);
    assert_eq!(table.columns, vec!["user", "_approxcount"]);
    assert_eq!(lines(&table), vec!["b|2", "a|1"]);
}

#[test]
fn count_frequent_ties_keep_first_seen_order() {
    let records = timed(&[1, 2, 3, 4], &["x", "y", "y", "x"]);
    assert_eq!(
        lines(&run("| count_frequent user", &records)),
        vec!["x|2", "y|2"]
    );
}

#[test]
fn topk_ranks_within_groups() {
    let records = vec![
        record(&[("host", "h1"), ("n", "5")]),
        record(&[("host", "h2"), ("n", "7")]),
        record(&[("host", "h1"), ("n", "40")]),
        record(&[("host", "h1"), ("n", "9")]),
        record(&[("host", "h2"), ("n", "1")]),
    ];
    let table = run("| topk(2, n) by host | fields host, n, _rank", &records);
    assert_eq!(lines(&table), vec!["h1|40|1", "h1|9|2", "h2|7|1", "h2|1|2"]);
}

#[test]
fn topk_without_by_ranks_all_rows() {
    let records = timed(&[1, 2, 3, 4, 5, 6], &["a", "b", "b", "c", "c", "c"]);
    let table = run("| count by user | topk(1, _count)", &records);
    assert_eq!(table.columns, vec!["user", "_count", "_rank"]);
    assert_eq!(lines(&table), vec!["c|3|1"]);
}

#[test]
fn top_rejects_computed_field() {
    assert_eq!(
        compile_errors("| top 5 num(x)"),
        vec!["`top` takes field names: expected a field name"]
    );
}

#[test]
fn limit_after_top_allows_partials() {
    assert!(plan("| top 5 user | limit 2").supports_partials());
    assert!(plan("| count by user | topk(2, _count) | limit 1").supports_partials());
}

fn action_counts() -> Vec<TestRecord> {
    [
        ("1", "allow"),
        ("1", "deny"),
        ("2", "allow"),
        ("1", "allow"),
    ]
    .iter()
    .map(|(slice, action)| record(&[("slice", slice), ("action", action)]))
    .collect()
}

#[test]
fn transpose_makes_sorted_columns() {
    let table = run(
        "| count by slice, action | transpose row slice column action",
        &action_counts(),
    );
    assert_eq!(table.columns, vec!["slice", "allow", "deny"]);
    assert_eq!(lines(&table), vec!["1|2|1", "2|1|∅"]);
}

#[test]
fn transpose_as_selects_columns() {
    let table = run(
        "| count by slice, action | transpose row slice column action as deny",
        &action_counts(),
    );
    assert_eq!(table.columns, vec!["slice", "deny"]);
    assert_eq!(lines(&table), vec!["1|1", "2|∅"]);
}

#[test]
fn transpose_columns_readable_later() {
    let table = run("| count by slice, action | transpose row slice column action | where allow > 1 | fields slice, allow", &action_counts());
    assert_eq!(lines(&table), vec!["1|2"]);
}

#[test]
fn transpose_needs_value_field() {
    assert_eq!(
        compile_errors("| transpose row slice column action"),
        vec!["transpose has no value field: no field besides the row and column fields holds the cell values"]
    );
}

#[test]
fn fillmissing_values_adds_missing_keys() {
    let table = run(
        r#"| count by action | fillmissing values("allow", "deny", "drop") in action | sort by action asc"#,
        &action_counts(),
    );
    assert_eq!(lines(&table), vec!["allow|3", "deny|1", "drop|0"]);
}

#[test]
fn fillmissing_with_sets_default() {
    let table = run(
        r#"| count by action | fillmissing values("drop") in action with -1 for _count"#,
        &action_counts(),
    );
    assert_eq!(lines(&table), vec!["allow|3", "deny|1", "drop|-1"]);
}

/// Sumo's fillmissing page gives each non-key field the default of its type:
/// 0 for an integer or double, false for a boolean, null for text. The type
/// of an aggregate result is fixed by the query, so it is 0 with no input.
#[test]
fn fillmissing_without_input_fills_aggregate_types() {
    let table = run(
        r#"| count as events, count_distinct(slice), sum(slice), values(slice) by action
           | fillmissing values("allow", "deny") in action"#,
        &[],
    );
    assert_eq!(
        table.columns,
        vec!["action", "events", "_count_distinct", "_sum", "_values"]
    );
    assert_eq!(lines(&table), vec!["allow|0|0|0|∅", "deny|0|0|0|∅"]);
}

#[test]
fn fillmissing_fills_booleans_with_false() {
    let table = run(
        r#"| count by action | isBlank(action) as blank
           | fillmissing values("drop") in action"#,
        &action_counts(),
    );
    assert_eq!(
        lines(&table),
        vec!["allow|3|false", "deny|1|false", "drop|0|false"]
    );
}

#[test]
fn fillmissing_product_of_generators() {
    let table = run(
        "| count by slice, action | fillmissing values all in slice, values all in action",
        &action_counts(),
    );
    assert_eq!(
        lines(&table),
        vec!["1|allow|2", "1|deny|1", "2|allow|1", "2|deny|0"]
    );
}

#[test]
fn fillmissing_timeslice_covers_range() {
    let mut plan = plan(
        "| timeslice 1h | count by _timeslice | fillmissing timeslice | sort by _timeslice asc",
    );
    assert!(plan.reads_time_range());
    plan.set_time_range(TimeRange {
        start: 0,
        end: 3 * HOUR,
    });
    let records = timed(&[5, 2 * HOUR + 5], &["a"]);
    assert_eq!(
        lines(&execute(&plan, &records)),
        vec![
            "0|1".to_string(),
            format!("{HOUR}|0"),
            format!("{}|1", 2 * HOUR)
        ]
    );
}

#[test]
fn fillmissing_timeslice_needs_width() {
    assert_eq!(
        compile_errors("| count by _timeslice | fillmissing timeslice"),
        vec!["fillmissing has no timeslice width: no width given and no timeslice before it"]
    );
}

fn sized() -> Vec<TestRecord> {
    [
        ("30", "h1", "4"),
        ("10", "h1", "1"),
        ("20", "h2", "3"),
        ("40", "h1", "2"),
        ("5", "h2", "x"),
    ]
    .iter()
    .map(|(time, host, size)| record(&[("_messageTime", time), ("host", host), ("size", size)]))
    .collect()
}

#[test]
fn first_and_last_follow_row_order() {
    let table = run("| first(size), last(size) by host", &sized());
    assert_eq!(table.columns, vec!["host", "_first", "_last"]);
    assert_eq!(lines(&table), vec!["h1|4|2", "h2|3|x"]);
}

#[test]
fn first_follows_sort() {
    assert_eq!(
        lines(&run(
            "| sort by _messageTime asc | first(size) by host",
            &sized()
        )),
        vec!["h2|x", "h1|1"]
    );
}

#[test]
fn most_recent_uses_message_time() {
    let table = run("| most_recent(size), least_recent(size) by host", &sized());
    assert_eq!(table.columns, vec!["host", "_mostrecent", "_leastrecent"]);
    assert_eq!(lines(&table), vec!["h1|2|1", "h2|3|x"]);
}

#[test]
fn result_named_as_group_field() {
    // `state` is unset before the aggregate, so every row falls in one group
    // per host, and the result takes the column of the `state` key.
    let table = run(
        "| most_recent(size) as state by host, state | where state = 2",
        &sized(),
    );
    assert_eq!(table.columns, vec!["host", "state"]);
    assert_eq!(lines(&table), vec!["h1|2"]);
}

#[test]
fn result_replaces_group_value() {
    let table = run("| first(size) as host by host, size", &sized());
    assert_eq!(table.columns, vec!["host", "size"]);
    assert_eq!(lines(&table), vec!["4|4", "1|1", "3|3", "2|2", "x|x"]);
}

#[test]
fn two_results_with_one_name_rejected() {
    assert_eq!(
        compile_errors("| first(size) as a, last(size) as a by host"),
        vec!["two results share one name: `a` is already a column"]
    );
}

#[test]
fn values_lists_distinct_values() {
    let records = timed(&[1, 2, 3, 4], &["b", "a", "b", "c"]);
    let table = run("| values(user)", &records);
    assert_eq!(table.columns, vec!["_values"]);
    assert_eq!(lines(&table), vec![r#"["b","a","c"]"#]);
}

#[test]
fn pct_names_field_and_interpolates() {
    let table = run("| pct(size, 50)", &sized());
    assert_eq!(table.columns, vec!["_size_pct_50"]);
    assert_eq!(lines(&table), vec!["2.5"]);
}

#[test]
fn pct_rejects_percent_over_100() {
    assert_eq!(
        compile_errors("| pct(size, 150)"),
        vec!["unsupported aggregate `pct` with 2 argument(s): not an aggregate sumoql runs"]
    );
}

#[test]
fn stddev_is_sample_deviation() {
    let table = run("| stddev(size) by host", &sized());
    assert_eq!(table.columns, vec!["host", "_stddev"]);
    assert_eq!(
        lines(&table),
        vec![
            format!("h1|{}", 7f64.sqrt() / 3f64.sqrt()),
            "h2|0".to_string()
        ]
    );
}

#[test]
fn dedup_keeps_first_row_per_key() {
    let table = run("| dedup host | fields host, size", &sized());
    assert_eq!(lines(&table), vec!["h1|4", "h2|3"]);
}

#[test]
fn dedup_keeps_n_rows() {
    assert_eq!(
        lines(&run("| dedup 2 by host | fields host, size", &sized())),
        vec!["h1|4", "h1|1", "h2|3", "h2|x"]
    );
}

#[test]
fn dedup_consecutive_drops_runs() {
    let records = timed(&[1, 2, 3, 4, 5], &["a", "a", "b", "a", "a"]);
    assert_eq!(
        lines(&run(
            "| dedup consecutive user | fields user, _messageTime",
            &records
        )),
        vec!["a|1", "b|3", "a|4"]
    );
}

#[test]
fn accum_runs_per_group() {
    let table = run(
        "| accum size as running by host | fields host, size, running",
        &sized(),
    );
    assert_eq!(
        lines(&table),
        vec!["h1|4|4", "h1|1|5", "h2|3|3", "h1|2|7", "h2|x|3"]
    );
}

#[test]
fn total_adds_grand_total() {
    let table = run("| count by host | total _count", &sized());
    assert_eq!(table.columns, vec!["host", "_count", "_total"]);
    assert_eq!(lines(&table), vec!["h1|3|5", "h2|2|5"]);
}

#[test]
fn total_by_group() {
    let table = run(
        "| count by host, size | total(_count) as all by host | fields host, all",
        &sized(),
    );
    assert_eq!(lines(&table), vec!["h1|3", "h1|3", "h2|2", "h1|3", "h2|2"]);
}

/// A lookup source with one table, `/users`, keyed by `name`.
struct Tables;

impl LookupSource for Tables {
    fn load(&self, path: &str) -> Result<LookupTable, String> {
        match path {
            "/users" => Ok(LookupTable {
                columns: vec!["Name".to_string(), "team".to_string(), "level".to_string()],
                rows: vec![
                    vec!["alice".to_string(), "red".to_string(), "3".to_string()],
                    vec!["BOB".to_string(), "blue".to_string(), "1".to_string()],
                ],
            }),
            other => Err(format!("no table {other}")),
        }
    }
}

fn run_with_tables(query: &str, records: &[TestRecord]) -> ResultTable {
    let plan = compile_with(&parse_query(query).unwrap(), Some(&Tables))
        .unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    execute(&plan, records)
}

#[test]
fn lookup_matches_keys_without_case() {
    let records = timed(&[1, 2, 3], &["Alice", "bob", "carol"]);
    let table = run_with_tables(
        r#"| lookup team from path://"/users" on user=name | fields user, team"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["Alice|red", "bob|blue", "carol|∅"]);
}

#[test]
fn lookup_accepts_table_column_on_left() {
    let records = timed(&[1], &["bob"]);
    let table = run_with_tables(
        r#"| lookup team as squad from path://"/users" on name=user | fields user, squad"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["bob|blue"]);
}

#[test]
fn lookup_star_adds_every_column() {
    let records = timed(&[1], &["alice"]);
    let table = run_with_tables(
        r#"| lookup * from path://"/users" on user=name | fields name, team, level"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["alice|red|3"]);
}

#[test]
fn lookup_reports_missing_column() {
    let query = parse_query(r#"| lookup age from path://"/users" on user=name"#).unwrap();
    let errors = compile_with(&query, Some(&Tables)).unwrap_err();
    assert_eq!(errors[0].message, "lookup column not found");
}

#[test]
fn lookup_reports_unreadable_table() {
    let query = parse_query(r#"| lookup team from path://"/nope" on user=name"#).unwrap();
    let errors = compile_with(&query, Some(&Tables)).unwrap_err();
    assert_eq!(errors[0].message, "failed to read lookup table");
    assert_eq!(errors[0].label, "no table /nope");
}

#[test]
fn lookup_needs_source() {
    assert_eq!(
        compile_errors(r#"| lookup team from path://"/users" on user=name"#),
        vec!["no lookup directory: lookup needs local table files"]
    );
}

#[test]
fn lookup_without_source_names_table_file() {
    let help_for = |text: &str| {
        let query = parse_query(text).unwrap();
        let errors = compile_with(&query, None).unwrap_err();
        errors[0].help.clone().unwrap_or_default()
    };
    assert_eq!(
        help_for(
            "| lookup Keyword from https://s3.amazonaws.com/app-data/protocol-numbers.csv on protocol=Decimal"
        ),
        "pass --lookup-dir DIR, with this table saved as DIR/https/s3.amazonaws.com/app-data/protocol-numbers.csv"
    );
    assert_eq!(
        help_for(r#"| lookup team from path://"/Library/Users/me/users" on user=name"#),
        "pass --lookup-dir DIR, with this table saved as DIR/Library/Users/me/users.csv"
    );
}

/// Runs `plan` over `records` split into chunks, each in its own partial
/// execution, absorbed in order.
fn execute_in_chunks(plan: &Plan, records: &[TestRecord], chunk_size: usize) -> ResultTable {
    assert!(plan.supports_partials());
    let mut execution = Execution::new(plan);
    for chunk in records.chunks(chunk_size) {
        let mut partial = Execution::partial(plan);
        for record in chunk {
            partial.push(record);
        }
        execution.absorb(partial);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

/// A fuzz run found `stddev` of epoch-millisecond times differing between one
/// execution and merged partials, because squares near 3e24 lose the deviations.
#[test]
fn stddev_of_epoch_times_is_exact() {
    let start = 1_764_806_400_000_i64;
    let times: Vec<i64> = (0..40).map(|index| start + index * 7 * MINUTE).collect();
    let records = timed(&times, &["a"]);
    let plan = plan("| stddev(_messageTime)");
    // The sample deviation of 40 evenly spaced values is step × sqrt(40 × 41 / 12).
    let expected = (7 * MINUTE) as f64 * (40.0_f64 * 41.0 / 12.0).sqrt();

    let whole = execute(&plan, &records);
    let Some(Value::Number(deviation)) = whole.rows[0][0].clone() else {
        panic!("stddev gave {:?}", whole.rows);
    };
    assert!(
        (deviation - expected).abs() < 1e-6,
        "{deviation} against {expected}"
    );

    for chunk_size in [1, 3, 7] {
        let chunked = execute_in_chunks(&plan, &records, chunk_size);
        let Some(Value::Number(merged)) = chunked.rows[0][0].clone() else {
            panic!("stddev in chunks gave {:?}", chunked.rows);
        };
        assert!(
            (merged - expected).abs() < 1e-6,
            "chunks of {chunk_size}: {merged}"
        );
    }
}

#[test]
fn partials_match_one_execution() {
    let users = ["a", "b", "c", "b", "d", "b", "c"];
    let times: Vec<i64> = (0..40).map(|index| index * 7 * MINUTE).collect();
    let records = timed(&times, &users);
    let queries = [
        "| timeslice 1h | count by _timeslice, user",
        "| top 3 user",
        "| count_frequent user",
        "| count by user | top 2 user by _count",
        "| count by user, _messageTime | topk(2, _messageTime) by user",
        "| timeslice 30m | count by _timeslice | topk(3, _count) | limit 2",
        "| timeslice 5 buckets | count by _timeslice",
        "| timeslice 1h | count by _timeslice, user | transpose row _timeslice column user",
        "| timeslice 1h | count by _timeslice, user | fillmissing timeslice, values all in user",
        "| values(user), first(user), last(user), most_recent(user), least_recent(user), pct(_messageTime, 90), stddev(_messageTime) by user",
        "| first(user), last(_messageTime), stddev(_messageTime)",
        "| dedup 2 by user | fields user, _messageTime",
        "| dedup consecutive user | fields user, _messageTime",
        "| accum _messageTime as running by user | total _messageTime | fields user, running, _total",
    ];
    for query in queries {
        let mut plan = plan(query);
        plan.set_time_range(TimeRange {
            start: 0,
            end: 40 * 7 * MINUTE,
        });
        let whole = execute(&plan, &records);
        for chunk_size in [1, 3, 7, 40] {
            assert_eq!(
                execute_in_chunks(&plan, &records, chunk_size),
                whole,
                "{query} in chunks of {chunk_size}"
            );
        }
    }
}
