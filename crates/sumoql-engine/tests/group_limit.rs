//! The group limit: a stage that keeps more groups or rows than `Plan::set_max_groups`
//! allows stops the run and names the stage, in one execution and in merged partials.

mod support;

use sumoql_engine::{compile, Execution, Plan};
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

/// Runs `query` with a limit of `limit` and returns the rendered diagnostic, or `None`
/// when the run stayed within the limit.
fn exceeded(query: &str, limit: usize) -> Option<String> {
    let plan = plan_with_limit(query, limit);
    let mut execution = Execution::new(&plan);
    for record in distinct_users() {
        execution.push(&record);
    }
    execution
        .group_limit_exceeded()
        .map(|exceeded| exceeded.diagnostic().render("<query>", query, false))
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
    let records = distinct_users();
    let mut execution = Execution::new(&plan);
    for chunk in records.chunks(2) {
        let mut partial = Execution::partial(&plan);
        for record in chunk {
            partial.push(record);
        }
        assert!(partial.group_limit_exceeded().is_none());
        execution.absorb(partial);
    }
    let exceeded = execution
        .group_limit_exceeded()
        .expect("the merged state holds 5 groups");
    assert_eq!(exceeded.limit, 3);
    assert_eq!(exceeded.unit, "groups");
    assert_eq!(&query[exceeded.span.clone()], "count by user");
}
