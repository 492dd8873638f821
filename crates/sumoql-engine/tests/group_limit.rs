//! The group limit: a stage that keeps more groups, rows or distinct values than
//! `Plan::set_max_groups` allows stops the run and names the stage, in one execution, in
//! merged partials and in the stages that fill when the run finishes.

mod support;

use sumoql_engine::{compile, Execution, GroupLimitExceeded, Plan};
use sumoql_syntax::parse_query;
use support::{record, TestRecord};

fn plan_with_limit(query: &str, limit: usize) -> Plan {
    let parsed = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let mut plan = compile(&parsed).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    plan.set_max_groups(limit);
    plan
}

/// Five records with distinct `user` values `u0` to `u4`.
fn distinct_users() -> Vec<TestRecord> {
    (0..5)
        .map(|index| record(&[("user", &format!("u{index}")), ("n", &index.to_string())]))
        .collect()
}

/// Runs `query` over [`distinct_users`] with a limit of `limit` and returns where it
/// stopped, or `None` when it finished within the limit.
fn run_with_limit(query: &str, limit: usize) -> Option<GroupLimitExceeded> {
    let plan = plan_with_limit(query, limit);
    let mut execution = Execution::new(&plan);
    for record in distinct_users() {
        execution.push(&record);
    }
    execution.finish().err()
}

/// Returns the rendered diagnostic of [`run_with_limit`].
fn exceeded(query: &str, limit: usize) -> Option<String> {
    run_with_limit(query, limit)
        .map(|exceeded| exceeded.diagnostic().render("<query>", query, false))
}

/// Returns the stage text and unit of [`run_with_limit`].
fn exceeded_stage(query: &str, limit: usize) -> Option<(String, &'static str)> {
    run_with_limit(query, limit)
        .map(|exceeded| (query[exceeded.span.clone()].to_string(), exceeded.unit))
}

/// Absorbs partial executions over pairs of [`distinct_users`], each checked to stay
/// within the limit on its own.
fn absorb_pairs(plan: &Plan) -> Execution<'_> {
    let mut execution = Execution::new(plan);
    for chunk in distinct_users().chunks(2) {
        let mut partial = Execution::partial(plan);
        for record in chunk {
            partial.push(record);
        }
        assert!(partial.group_limit_exceeded().is_none());
        execution.absorb(partial);
    }
    execution
}

#[test]
fn count_by_within_limit_runs() {
    assert_eq!(exceeded("* | count by user", 5), None);
}

#[test]
fn count_by_over_limit_names_stage() {
    let query = "* | count by user | sort by user";
    let rendered = exceeded(query, 3).expect("the limit of 3 groups is passed");
    insta::assert_snapshot!(rendered);
}

#[test]
fn every_holding_stage_is_limited() {
    let queries = [
        "* | count_distinct(n) by user",
        "* | sort by user",
        "* | top 2 user",
        "* | count_frequent user",
        "* | top 2 user by n",
        "* | topk(1, n) by user",
        "* | \"x\" as v | fields user, n, v | transpose row user column n",
        "* | dedup by user",
        "* | fillmissing values(\"a\") in user",
        "* | accum n",
        "* | timeslice 1m | count by _timeslice, user",
        "* | where n > 10 | union [ * | count by user ]",
    ];
    for query in queries {
        let rendered = exceeded(query, 2);
        assert!(
            rendered
                .as_deref()
                .is_some_and(|text| text.contains("more than 2")),
            "{query}: {rendered:?}"
        );
    }
}

#[test]
fn merged_partials_are_limited() {
    let query = "* | count by user";
    let plan = plan_with_limit(query, 3);
    assert!(plan.supports_partials());
    let execution = absorb_pairs(&plan);
    let exceeded = execution
        .group_limit_exceeded()
        .expect("the merged state holds 5 groups");
    assert_eq!(exceeded.limit, 3);
    assert_eq!(exceeded.unit, "groups");
    assert_eq!(&query[exceeded.span.clone()], "count by user");
}

#[test]
fn fillmissing_output_is_limited() {
    let query = "* | count by user | fillmissing values(\"u0\", \"u1\", \"u2\", \"u3\", \"u4\", \"u5\", \"u6\") in user";
    assert_eq!(exceeded_stage(query, 7), None);
    let (stage, unit) = exceeded_stage(query, 5).expect("fillmissing releases 7 rows");
    assert!(stage.starts_with("fillmissing"), "{stage}");
    assert_eq!(unit, "rows");
}

#[test]
fn stage_after_holding_stage_is_limited() {
    // `multi` makes two rows of each of the 5 groups, so `sort` receives 10 rows
    // only when the aggregate releases its groups.
    let query = "* | count by user | parse regex field=user \"(?<c>.)\" multi | sort by c";
    assert_eq!(exceeded_stage(query, 10), None);
    let (stage, unit) = exceeded_stage(query, 6).expect("sort holds 10 rows");
    assert_eq!(stage, "sort by c");
    assert_eq!(unit, "rows");
}

#[test]
fn transpose_after_holding_stage_is_limited() {
    let query = "* | count by user, n | parse regex field=user \"(?<c>.)\" multi \
                 | transpose row c column n";
    assert_eq!(exceeded_stage(query, 10), None);
    let (stage, unit) = exceeded_stage(query, 6).expect("transpose holds 10 rows");
    assert_eq!(stage, "transpose row c column n");
    assert_eq!(unit, "rows");
}

#[test]
fn distinct_values_are_limited() {
    let queries = ["* | count_distinct(n)", "* | values(n)", "* | pct(n, 50)"];
    for query in queries {
        assert_eq!(exceeded_stage(query, 5), None, "{query}");
        let (_, unit) = exceeded_stage(query, 3).unwrap_or_else(|| panic!("{query}: 5 values"));
        assert_eq!(unit, "distinct values or samples", "{query}");
    }
}

#[test]
fn distinct_values_count_across_groups() {
    // Each of the 5 groups keeps one value per set, 10 in all.
    let query = "* | count_distinct(n), values(n) by user";
    assert_eq!(exceeded_stage(query, 10), None);
    let (stage, unit) = exceeded_stage(query, 6).expect("10 values are kept");
    assert_eq!(stage, "count_distinct(n), values(n) by user");
    assert_eq!(unit, "distinct values or samples");
}

#[test]
fn distinct_values_rendered() {
    let query = "* | count_distinct(n)";
    let rendered = exceeded(query, 3).expect("the limit of 3 values is passed");
    insta::assert_snapshot!(rendered);
}

#[test]
fn merged_distinct_values_are_limited() {
    let query = "* | count_distinct(n)";
    let plan = plan_with_limit(query, 3);
    assert!(plan.supports_partials());
    let execution = absorb_pairs(&plan);
    let exceeded = execution
        .group_limit_exceeded()
        .expect("the merged set holds 5 values");
    assert_eq!(exceeded.unit, "distinct values or samples");
}
