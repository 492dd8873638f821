//! Real Sumo queries on DataFusion: every clean corpus query that compiles
//! and translates runs on both engines over the same Sysmon-like records,
//! and the rows must agree. Needs the shared corpus (`$SUMOQL_SHARED`, or
//! `../shared` beside the repository); skips with a message without it.

#![cfg(feature = "datafusion")]

#[path = "../../sumoql-syntax/tests/corpus_files/mod.rs"]
mod corpus_files;

use std::collections::BTreeMap;

mod datafusion_fixture;

use corpus_files::Subset;
use sumoql_syntax::parse_query;

#[test]
fn corpus_queries_translate() {
    let Some(corpus) = corpus_files::corpus_dir() else {
        eprintln!("skipping: the query corpus is absent; set SUMOQL_SHARED to the shared folder");
        return;
    };
    let queries = corpus_files::load(&corpus).expect("corpus reads");
    let mut compiled = 0;
    let mut translated = 0;
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    let records = datafusion_fixture::records();
    let mut compared = 0;
    let mut with_rows = 0;
    let mut differences = Vec::new();
    let context = datafusion::prelude::SessionContext::new();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
        datafusion::arrow::datatypes::Field::new(
            "_raw",
            datafusion::arrow::datatypes::DataType::Utf8,
            true,
        ),
        datafusion::arrow::datatypes::Field::new(
            sumoql_engine::datafusion::SEQUENCE_COLUMN,
            datafusion::arrow::datatypes::DataType::UInt64,
            false,
        ),
    ]));
    let table = datafusion::datasource::MemTable::try_new(schema, vec![vec![]]).expect("table");
    context
        .register_table("logs", std::sync::Arc::new(table))
        .expect("register");
    let scan = runtime.block_on(async {
        context
            .table("logs")
            .await
            .expect("table")
            .into_unoptimized_plan()
    });
    for query in queries.iter().filter(|query| query.subset == Subset::Main) {
        let Ok(tree) = parse_query(&query.text) else {
            continue;
        };
        let Ok(plan) = sumoql_engine::compile(&tree) else {
            continue;
        };
        compiled += 1;
        match sumoql_engine::datafusion::translate(&plan, scan.clone()) {
            Ok(_) => translated += 1,
            Err(error) => {
                *causes.entry(error.message.clone()).or_default() += 1;
                continue;
            }
        }
        // Every fourth query runs on both engines (all with
        // SUMOQL_CORPUS_FULL=1), which keeps the debug-build run short.
        if translated % 4 != 0 && std::env::var_os("SUMOQL_CORPUS_FULL").is_none() {
            continue;
        }
        if plan.reads_time_range() {
            // The native run would take its range from the data; skip.
            continue;
        }
        let expected = datafusion_fixture::native(&query.text, &records);
        let actual = datafusion_fixture::on_datafusion(&query.text, &records);
        compared += 1;
        if !expected.rows.is_empty() {
            with_rows += 1;
        }
        if let Err(difference) = datafusion_fixture::agree(&expected, &actual) {
            differences.push(format!("{}: {difference}\n{}", query.name, query.text));
        }
    }
    let mut causes: Vec<_> = causes.into_iter().collect();
    causes.sort_by_key(|cause| std::cmp::Reverse(cause.1));
    eprintln!("translated {translated} of {compiled} compiled clean queries");
    for (cause, count) in causes.iter().take(25) {
        eprintln!("{count:>6}  {cause}");
    }
    eprintln!(
        "compared {compared} on both engines ({with_rows} with rows); {} differ",
        differences.len()
    );
    for difference in differences.iter().take(20) {
        eprintln!("{difference}\n");
    }
    assert!(
        compared >= 500,
        "only {compared} corpus queries ran on both engines"
    );
    assert!(
        differences.is_empty(),
        "{} corpus queries differ",
        differences.len()
    );
}
