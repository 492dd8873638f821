//! Operators that need Sumo's service: the query parses, and compiling it
//! fails with a message that names the operator, points at its stage and
//! gives the reason.

use sumoql_engine::compile;
use sumoql_syntax::parse_query;

fn rendered_error(query: &str) -> String {
    let tree = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let errors = compile(&tree).expect_err("the query should not compile");
    errors
        .iter()
        .map(|error| error.render("query.sumo", query, false))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn logreduce_cannot_run_offline() {
    insta::assert_snapshot!(rendered_error("error | logreduce by _sourceHost"), @r"
    error: operator `logreduce` cannot run offline
     --> query.sumo:1:9
      |
    1 | error | logreduce by _sourceHost
      |         ^^^^^^^^^^^^^^^^^^^^^^^^ it groups messages by signatures that Sumo's own clustering algorithm finds, which sumoql cannot reproduce
      |
      = help: remove this stage to run the rest of the query with sumoql
    ");
}

#[test]
fn logcompare_cannot_run_offline() {
    let rendered = rendered_error("error | logcompare timeshift -24h");
    assert!(
        rendered.contains("operator `logcompare` cannot run offline"),
        "{rendered}"
    );
}
