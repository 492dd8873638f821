//! The project's reference detection query, and robustness of the parser
//! against truncated and random input.

mod common;

use common::{check_spans, parse_ok};
use sumoql_syntax::ast::{Scope, Stage};
use sumoql_syntax::parse_query;

const REFERENCE_QUERY: &str = include_str!("../../../queries/t1204_005_malicious_library.sumo");

#[test]
fn reference_query_snapshot() {
    let query = parse_ok(REFERENCE_QUERY);
    insta::assert_debug_snapshot!(query);
}

#[test]
fn reference_query_shape() {
    let query = parse_ok(REFERENCE_QUERY);
    check_spans(REFERENCE_QUERY, &query);

    assert!(matches!(
        query.scope.as_ref().unwrap().node,
        Scope::Or(_, _)
    ));
    let names: Vec<&str> = query
        .stages
        .iter()
        .map(|stage| match &stage.node {
            Stage::Where(_) => "where",
            Stage::Parse { .. } => "parse",
            Stage::ParseRegex { .. } => "parse regex",
            Stage::Assign { .. } => "as",
            Stage::Fields { .. } => "fields",
            Stage::Union(_) => "union",
            Stage::Sort(_) => "sort",
            Stage::Aggregate { .. } => "aggregate",
            Stage::Limit(_) => "limit",
            other => panic!("the reference query has no `{}` stage", other.name()),
        })
        .collect();
    assert_eq!(
        names,
        [
            "where",
            "parse",
            "parse",
            "parse",
            "parse",
            "parse",
            "where",
            "where",
            "as",
            "fields",
            "union",
            "union",
            "sort",
            "aggregate",
        ]
    );

    let union_stage_counts: Vec<usize> = query
        .stages
        .iter()
        .filter_map(|stage| match &stage.node {
            Stage::Union(subquery) => {
                assert!(subquery.node.scope.is_some());
                Some(subquery.node.stages.len())
            }
            _ => None,
        })
        .collect();
    assert_eq!(union_stage_counts, [14, 10]);
}

#[test]
fn reference_query_first_stage_span() {
    let query = parse_ok(REFERENCE_QUERY);
    let first = &query.stages[0];
    assert_eq!(&REFERENCE_QUERY[first.span.clone()], "where EventID = 1");
    let scope = query.scope.unwrap();
    assert_eq!(
        &REFERENCE_QUERY[scope.span],
        "(_sourceCategory=\"windows/sysmon\" OR _sourceCategory=\"*sysmon*\")"
    );
}

#[test]
fn every_prefix_returns() {
    for (end, _) in REFERENCE_QUERY.char_indices() {
        let _ = parse_query(&REFERENCE_QUERY[..end]);
    }
}

#[test]
fn every_single_deletion_returns() {
    for (start, c) in REFERENCE_QUERY.char_indices() {
        let mut text = String::with_capacity(REFERENCE_QUERY.len());
        text.push_str(&REFERENCE_QUERY[..start]);
        text.push_str(&REFERENCE_QUERY[start + c.len_utf8()..]);
        let _ = parse_query(&text);
    }
}

/// A small xorshift generator, so the random inputs are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn random_bytes_return() {
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..500 {
        let len = random.below(80);
        let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        let _ = parse_query(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn random_query_fragments_return() {
    const FRAGMENTS: &[&str] = &[
        "*", "|", " ", "\n", "where", "parse", "regex", "union", "[", "]", "(", ")", "\"", "'",
        "/", "//", "/*", "*/", "\\", "as", "by", "count", "sort", "fields", "-", "!", "=", "!=",
        "matches", "in", "not", "and", "or", "?", ":", ",", "a", "1", "1e", "%\"", "nodrop",
        "field=", "limit", "é", "https://",
    ];
    let mut random = Xorshift(0x2545_f491_4f6c_dd1d);
    for _ in 0..3000 {
        let count = random.below(25);
        let text: String = (0..count)
            .map(|_| FRAGMENTS[random.below(FRAGMENTS.len())])
            .collect();
        if let Err(diagnostics) = parse_query(&text) {
            for diagnostic in &diagnostics {
                assert!(
                    diagnostic.span.start <= diagnostic.span.end,
                    "{text:?}: {diagnostic:?}"
                );
                assert!(
                    diagnostic.span.end <= text.len(),
                    "{text:?}: {diagnostic:?}"
                );
                assert!(
                    text.is_char_boundary(diagnostic.span.start),
                    "{text:?}: {diagnostic:?}"
                );
                assert!(
                    text.is_char_boundary(diagnostic.span.end),
                    "{text:?}: {diagnostic:?}"
                );
                let _ = diagnostic.render("random.sumo", &text, false);
            }
        }
    }
}
