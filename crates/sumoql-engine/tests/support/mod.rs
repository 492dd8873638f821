//! Helpers shared by the engine's test files: in-memory records, running a
//! query over them, and compact renderings of the result.

#![allow(dead_code)]

use std::collections::HashMap;

use sumoql_engine::{compile, Execution, Record, ResultTable, Value};
use sumoql_syntax::parse_query;

pub struct TestRecord(HashMap<String, Value>);

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0.get(lowercase_name).cloned()
    }
}

/// Builds a record from `name=value` pairs; `_messageTime` becomes a number.
pub fn record(pairs: &[(&str, &str)]) -> TestRecord {
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

/// A record whose `_raw` is `raw`.
pub fn raw(raw: &str) -> TestRecord {
    record(&[("_raw", raw)])
}

pub fn run(query: &str, records: &[TestRecord]) -> ResultTable {
    let query = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let plan = compile(&query).unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    let mut execution = Execution::new(&plan);
    for record in records {
        execution.push(record);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

/// Renders a result as `a|b` lines, with `∅` for null, for compact asserts.
pub fn lines(table: &ResultTable) -> Vec<String> {
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

/// Runs a query that ends with `fields …` and returns its rows as lines.
pub fn rows(query: &str, records: &[TestRecord]) -> Vec<String> {
    lines(&run(query, records))
}

/// Evaluates one expression over an empty record and renders the value.
pub fn value(expression: &str) -> String {
    let table = run(&format!("| {expression} as v | fields v"), &[record(&[])]);
    lines(&table).remove(0)
}

pub fn compile_errors(query: &str) -> Vec<String> {
    let query = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    match compile(&query) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| format!("{}: {}", error.message, error.label))
            .collect(),
    }
}
