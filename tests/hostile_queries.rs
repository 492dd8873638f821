//! Hostile and broken queries: deep nesting, oversized regexes and every kind of
//! unterminated construct each give one clear diagnostic with its position, quickly and
//! without overflowing the stack.

use std::time::{Duration, Instant};

/// A generous bound for parsing and compiling one query in a debug build on a busy
/// machine. A query that recursed without limit or backtracked would take far longer.
const TIME_BOUND: Duration = Duration::from_secs(20);

/// Parses and compiles `query`, which must fail, and returns the rendered diagnostics.
fn rendered_errors(query: &str) -> String {
    let started = Instant::now();
    let diagnostics = match sumoql_syntax::parse_query(query) {
        Err(diagnostics) => diagnostics,
        Ok(parsed) => match sumoql_engine::compile(&parsed) {
            Err(diagnostics) => diagnostics,
            Ok(_) => panic!("{query} compiled"),
        },
    };
    let elapsed = started.elapsed();
    assert!(elapsed < TIME_BOUND, "{query}: took {elapsed:?}");
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.render("<query>", query, false))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn deep_nesting_is_an_error() {
    let depth = 10_000;
    let cases = [
        (
            "parentheses",
            format!("* | where {}a{}", "(".repeat(depth), ")".repeat(depth)),
        ),
        ("negations", format!("* | where {}a", "!".repeat(depth))),
        (
            "function_calls",
            format!(
                "* | abs({}1{}) as x",
                "abs(".repeat(depth),
                ")".repeat(depth)
            ),
        ),
        (
            "unions",
            format!("* {}{}", "| union [ * ".repeat(depth), "]".repeat(depth)),
        ),
        (
            "unclosed_parentheses",
            format!("* | where {}a", "(".repeat(depth)),
        ),
    ];
    for (name, query) in cases {
        insta::assert_snapshot!(format!("deep_{name}"), rendered_errors(&query));
    }
}

#[test]
fn regex_over_size_limit_is_an_error() {
    let cases = [
        ("parse_regex", r#"* | parse regex "(?<a>(a{1000}){1000})""#),
        ("matches_literal", "* | where x matches /(a{1000}){1000}/"),
        ("replace", r#"* | replace(x, /(a{1000}){1000}/, "b") as y"#),
    ];
    for (name, query) in cases {
        insta::assert_snapshot!(format!("regex_size_{name}"), rendered_errors(query));
    }
}

#[test]
fn unterminated_constructs_are_errors() {
    let cases = [
        ("double_quoted_string", r#"* | where x = "abc"#),
        ("single_quoted_string", "* | where x = 'abc"),
        ("regex_literal", "* | where x matches /abc"),
        ("block_comment", "* | where a = 1 /* note"),
        ("parenthesis", "* | where (a = 1"),
        ("in_list", "* | where a in (1, 2"),
        ("union_bracket", "* | union [ * | count"),
        ("function_call", "* | abs(1 as x"),
        ("parse_pattern", r#"* | parse "a*b as x"#),
    ];
    for (name, query) in cases {
        insta::assert_snapshot!(format!("unterminated_{name}"), rendered_errors(query));
    }
}
