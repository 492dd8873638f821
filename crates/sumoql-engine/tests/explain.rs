//! Counts of explained runs: rows in and out per stage of every branch,
//! `parse` matches, `where` terms and null fields.

use std::collections::HashMap;

use sumoql_engine::{
    compile, BranchExplain, Execution, Plan, Record, StageDetail, TermJoin, Value,
};
use sumoql_syntax::parse_query;

struct TestRecord(HashMap<String, Value>);

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0.get(lowercase_name).cloned()
    }
}

fn record(pairs: &[(&str, &str)]) -> TestRecord {
    let fields = pairs
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), Value::text(*value)))
        .collect();
    TestRecord(fields)
}

fn plan(query: &str) -> Plan {
    let query = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    compile(&query).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"))
}

fn explain(query: &str, records: &[TestRecord]) -> BranchExplain {
    let plan = plan(query);
    let mut execution = Execution::explained(&plan);
    for record in records {
        execution.push(record);
    }
    let (_, explain) = execution
        .finish_explained()
        .expect("the run stays within the group limit");
    explain.expect("an explained execution returns counts")
}

/// Returns `(rows in, rows out)` of every stage.
fn flow(branch: &BranchExplain) -> Vec<(u64, u64)> {
    branch
        .stages
        .iter()
        .map(|stage| (stage.rows_in, stage.rows_out))
        .collect()
}

fn events() -> Vec<TestRecord> {
    vec![
        record(&[("EventID", "1"), ("_raw", "<Image>C:\\a\\cmd.exe</Image>")]),
        record(&[
            ("EventID", "1"),
            ("_raw", "<Image>C:\\a\\python.exe</Image>"),
        ]),
        record(&[("EventID", "1"), ("_raw", "no image here")]),
        record(&[("EventID", "3"), ("_raw", "<Image>C:\\a\\node.exe</Image>")]),
    ]
}

#[test]
fn stages_count_rows_in_and_out() {
    let branch = explain(
        r#"* | where EventID = 1 | parse "<Image>*</Image>" as Image nodrop | where Image matches "*.exe""#,
        &events(),
    );

    assert_eq!(branch.records_in, 4);
    assert_eq!(branch.records_out, 4);
    assert_eq!(flow(&branch), vec![(4, 3), (3, 3), (3, 2)]);
    assert_eq!(branch.rows_out, 2);
}

#[test]
fn scope_counts_selected_records() {
    let branch = explain("EventID=3 | count", &events());

    assert_eq!(branch.records_in, 4);
    assert_eq!(branch.records_out, 1);
    assert_eq!(branch.scope_span, Some(0..9));
}

#[test]
fn parse_counts_anchor_matches() {
    let branch = explain(
        r#"| parse "<Image>*</Image>" as Image nodrop | parse "<User>*</User>" as User nodrop"#,
        &events(),
    );

    let StageDetail::Parse { matched, fields } = &branch.stages[0].detail else {
        panic!("not a parse: {:?}", branch.stages[0]);
    };
    assert_eq!(*matched, 3);
    assert_eq!(fields, &["Image"]);
    let StageDetail::Parse { matched, .. } = &branch.stages[1].detail else {
        panic!("not a parse: {:?}", branch.stages[1]);
    };
    assert_eq!(*matched, 0);
    assert_eq!(flow(&branch), vec![(4, 4), (4, 4)]);
}

#[test]
fn parse_regex_counts_matches_once_per_row() {
    let branch = explain(
        r#"| parse regex "(?<letter>[a-z])" multi"#,
        &[record(&[("_raw", "ab")]), record(&[("_raw", "1")])],
    );

    let StageDetail::Parse { matched, .. } = &branch.stages[0].detail else {
        panic!("not a parse: {:?}", branch.stages[0]);
    };
    assert_eq!(*matched, 1);
    // `multi` makes one row per match.
    assert_eq!(flow(&branch), vec![(2, 2)]);
}

#[test]
fn where_counts_each_or_term() {
    let query = r#"| parse "<Image>*</Image>" as Image nodrop
        | where Image matches "*\\cmd.exe" or Image matches "*\\CMD.EXE" or Image matches "*\\python.exe""#;
    let branch = explain(query, &events());

    let StageDetail::Where {
        terms: Some(terms),
        fields,
    } = &branch.stages[1].detail
    else {
        panic!("no terms: {:?}", branch.stages[1]);
    };
    assert_eq!(terms.join, TermJoin::Or);
    assert!(!terms.negated);
    let counts: Vec<u64> = terms.terms.iter().map(|term| term.true_rows).collect();
    assert_eq!(counts, vec![1, 0, 1]);
    assert_eq!(
        &query[terms.terms[1].span.clone()],
        r#"Image matches "*\\CMD.EXE""#
    );
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "Image");
    assert_eq!(fields[0].non_null_rows, 3);
}

#[test]
fn where_splits_negated_group() {
    let query = r#"| where !(EventID = 1 OR EventID = 2)"#;
    let branch = explain(query, &events());

    let StageDetail::Where {
        terms: Some(terms), ..
    } = &branch.stages[0].detail
    else {
        panic!("no terms: {:?}", branch.stages[0]);
    };
    assert!(terms.negated);
    let counts: Vec<u64> = terms.terms.iter().map(|term| term.true_rows).collect();
    assert_eq!(counts, vec![3, 0]);
    assert_eq!(flow(&branch), vec![(4, 1)]);
}

#[test]
fn where_of_one_term_has_no_term_counts() {
    let branch = explain("| where EventID = 1", &events());

    let StageDetail::Where { terms, fields } = &branch.stages[0].detail else {
        panic!("not a where: {:?}", branch.stages[0]);
    };
    assert!(terms.is_none());
    assert_eq!(fields[0].non_null_rows, 4);
}

#[test]
fn where_counts_null_fields() {
    let branch = explain("| where Imgae = \"x\" and EventID = 1", &events());

    let StageDetail::Where { fields, .. } = &branch.stages[0].detail else {
        panic!("not a where: {:?}", branch.stages[0]);
    };
    let presence: Vec<(&str, u64)> = fields
        .iter()
        .map(|field| (field.name.as_str(), field.non_null_rows))
        .collect();
    assert_eq!(presence, vec![("Imgae", 0), ("EventID", 4)]);
}

#[test]
fn union_branch_has_own_counts() {
    let query = "EventID=1 | \"a\" as branch | union [ EventID=3 | where EventID = 4 ] | union [ EventID=3 | \"b\" as branch ] | count by branch";
    let branch = explain(query, &events());

    assert_eq!(branch.records_out, 3);
    // The first union adds nothing, the second adds one row.
    assert_eq!(flow(&branch), vec![(3, 3), (3, 3), (3, 4), (4, 2)]);
    let StageDetail::Union(first) = &branch.stages[1].detail else {
        panic!("not a union: {:?}", branch.stages[1]);
    };
    assert_eq!(first.records_in, 4);
    assert_eq!(first.records_out, 1);
    assert_eq!(flow(first), vec![(1, 0)]);
    assert_eq!(first.rows_out, 0);
    let StageDetail::Union(second) = &branch.stages[2].detail else {
        panic!("not a union: {:?}", branch.stages[2]);
    };
    assert_eq!(second.rows_out, 1);
    assert_eq!(branch.rows_out, 2);
}

#[test]
fn held_rows_count_when_released() {
    let branch = explain("| sort by EventID | count by EventID | limit 1", &events());

    assert_eq!(flow(&branch), vec![(4, 4), (4, 2), (2, 1)]);
    assert_eq!(branch.rows_out, 1);
}

#[test]
fn partials_add_up_to_one_execution() {
    let query = r#"| parse "<Image>*</Image>" as Image nodrop | where Image matches "*cmd*" or EventID = 3 | count by EventID"#;
    let records = events();
    let whole = explain(query, &records);

    let plan = plan(query);
    let mut execution = Execution::explained(&plan);
    for chunk in records.chunks(3) {
        let mut partial = Execution::explained(&plan);
        for record in chunk {
            partial.push(record);
        }
        execution.absorb(partial);
    }
    let (_, merged) = execution
        .finish_explained()
        .expect("the run stays within the group limit");

    assert_eq!(merged, Some(whole));
}

#[test]
fn plain_execution_returns_no_counts() {
    let plan = plan("| where EventID = 1");
    let mut execution = Execution::new(&plan);
    execution.push(&events()[0]);
    let (table, explain) = execution
        .finish_explained()
        .expect("the run stays within the group limit");

    assert_eq!(table.rows.len(), 1);
    assert!(explain.is_none());
}

#[test]
fn explained_result_equals_plain_result() {
    let query = r#"| parse "<Image>*</Image>" as Image nodrop | where Image matches "*.exe" or EventID = 1 | union [ EventID=3 ] | sort by EventID"#;
    let plan = plan(query);
    let mut plain = Execution::new(&plan);
    let mut explained = Execution::explained(&plan);
    for record in &events() {
        plain.push(record);
        explained.push(record);
    }

    assert_eq!(
        explained.finish_explained().unwrap().0,
        plain.finish().unwrap()
    );
}
