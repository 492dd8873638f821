//! Subqueries: the caller runs each subquery's plan, binds its rows, and
//! the outer query then keeps the records or rows that match a bound row.

mod support;

use sumoql_engine::{compile, Execution, Plan, ResultTable};
use sumoql_syntax::parse_query;
use support::{compile_errors, lines, record, TestRecord};

fn execute(plan: &Plan, records: &[TestRecord]) -> ResultTable {
    let mut execution = Execution::new(plan);
    for record in records {
        execution.push(record);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

/// Compiles `query`, runs and binds each subquery over `records` as
/// `sumoql run` does, then runs the query and renders its rows.
fn run_with_subqueries(query: &str, records: &[TestRecord]) -> Vec<String> {
    let tree = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let plan = compile(&tree).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    for subquery in plan.subqueries() {
        assert!(!subquery.is_bound());
        subquery.bind(&execute(&subquery.plan, records));
        assert!(subquery.is_bound());
    }
    lines(&execute(&plan, records))
}

fn events() -> Vec<TestRecord> {
    vec![
        record(&[("kind", "alert"), ("ip", "10.0.0.1"), ("host", "a")]),
        record(&[("kind", "login"), ("ip", "10.0.0.1"), ("host", "b")]),
        record(&[("kind", "login"), ("ip", "10.0.0.2"), ("host", "c")]),
        record(&[("kind", "login"), ("ip", "10.0.0.3"), ("host", "d")]),
        record(&[("kind", "alert"), ("ip", "10.0.0.3"), ("host", "e")]),
        record(&[("kind", "ALERT"), ("ip", "10.0.0.9"), ("host", "f")]),
    ]
}

#[test]
fn scope_subquery_keeps_composed_values() {
    let found = run_with_subqueries(
        "kind=login [subquery: kind=alert | compose ip] | fields host",
        &events(),
    );
    insta::assert_snapshot!(found.join("\n"), @r"
    b
    d
    ");
}

#[test]
fn where_subquery_negated() {
    let found = run_with_subqueries(
        "kind=login | where ![subquery: kind=alert | compose ip] | fields host",
        &events(),
    );
    assert_eq!(found, vec!["c"]);
}

#[test]
fn subquery_composes_several_fields() {
    let records = vec![
        record(&[("user", "ann"), ("host", "h1"), ("bad", "yes")]),
        record(&[("user", "ann"), ("host", "h2")]),
        record(&[("user", "bob"), ("host", "h1")]),
        record(&[("user", "ANN"), ("host", "H1")]),
    ];
    let found = run_with_subqueries(
        "* | where [subquery: bad=yes | compose user, host] | count",
        &records,
    );
    // Both `ann`/`h1` rows match, the second without regard to case.
    assert_eq!(found, vec!["2"]);
}

#[test]
fn subquery_keywords_search_raw() {
    let records = vec![
        record(&[
            ("_raw", "blocked 10.0.0.7"),
            ("kind", "deny"),
            ("ip", "10.0.0.7"),
        ]),
        record(&[("_raw", "connect from 10.0.0.7 ok")]),
        record(&[("_raw", "connect from 10.0.0.8 ok")]),
    ];
    let found = run_with_subqueries(
        "connect [subquery: kind=deny | compose ip keywords] | fields _raw",
        &records,
    );
    assert_eq!(found, vec!["connect from 10.0.0.7 ok"]);
}

#[test]
fn subquery_max_results_limits_rows() {
    let found = run_with_subqueries(
        "kind=login [subquery: kind=alert | sort by host asc | compose ip maxresults=1] | fields host",
        &events(),
    );
    // The first alert row by host is `a`, with 10.0.0.1, which `b` shares.
    assert_eq!(found, vec!["b"]);
}

#[test]
fn unbound_subquery_matches_nothing() {
    let tree = parse_query("[subquery: kind=alert | compose ip] | fields host").unwrap();
    let plan = compile(&tree).unwrap();
    assert!(lines(&execute(&plan, &events())).is_empty());
}

#[test]
fn subquery_without_compose_rejected() {
    assert_eq!(
        compile_errors("* | where [subquery: kind=alert | fields ip]"),
        vec!["subquery without `compose`: a subquery must end with `compose F, …`"]
    );
}

#[test]
fn subquery_from_reads_end_of_range() {
    use sumoql_engine::TimeRange;

    let hour: i64 = 3_600_000;
    let records: Vec<TestRecord> = [
        (0, "alert", "10.0.0.1"),
        (5, "alert", "10.0.0.2"),
        (5, "login", "10.0.0.1"),
        (5, "login", "10.0.0.2"),
    ]
    .iter()
    .map(|(hours, kind, ip)| {
        let time = (hours * hour).to_string();
        record(&[("_messageTime", &time), ("kind", kind), ("ip", ip)])
    })
    .collect();
    let query = "kind=login [subquery from=(-2h): kind=alert | compose ip] | fields ip";
    let mut plan = compile(&parse_query(query).unwrap()).unwrap();
    assert!(plan.reads_time_range());
    plan.set_time_range(TimeRange {
        start: 0,
        end: 6 * hour,
    });
    let subquery = &plan.subqueries()[0];
    // Only the alert of hour 5 lies in the last two hours of the range.
    subquery.bind(&execute(&subquery.plan, &records));
    assert_eq!(lines(&execute(&plan, &records)), vec!["10.0.0.2"]);
}

#[test]
fn subquery_time_must_be_relative() {
    assert_eq!(
        compile_errors("[subquery from=(\"yesterday\"): kind=alert | compose ip] | count"),
        vec!["invalid subquery `from` time: sumoql reads a time relative to the end of the query time range, such as `(-24h)`"]
    );
}
