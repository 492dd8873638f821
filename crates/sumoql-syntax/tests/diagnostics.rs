//! Rendered diagnostics for malformed queries, pinned as snapshots. Each
//! snapshot's description contains the query text.

mod common;

use common::{parse_err, render_all};

/// Parses `text`, which must fail, and snapshots the rendered diagnostics.
fn assert_rendered(name: &str, text: &str) {
    let rendered = render_all(text, &parse_err(text));
    insta::with_settings!({ description => text, omit_expression => true }, {
        insta::assert_snapshot!(name, rendered);
    });
}

#[test]
fn unclosed_union() {
    assert_rendered("unclosed_union", "* | union [ * | where a = 1\n| count");
}

#[test]
fn unterminated_string() {
    assert_rendered(
        "unterminated_string",
        "* | where Image matches \"*\\\\cmd.exe\n| count",
    );
}

#[test]
fn unterminated_block_comment() {
    assert_rendered(
        "unterminated_block_comment",
        "* | where a = 1 /* note\n| count",
    );
}

#[test]
fn unknown_operator_with_suggestion() {
    assert_rendered("unknown_operator_with_suggestion", "* | wehre EventID = 1");
}

#[test]
fn unknown_operator_without_suggestion() {
    assert_rendered(
        "unknown_operator_without_suggestion",
        "* | frobnicate 1h | count",
    );
}

#[test]
fn trailing_text_after_stage() {
    assert_rendered("trailing_text_after_stage", "* | count by a b c");
}

#[test]
fn parse_missing_as() {
    assert_rendered(
        "parse_missing_as",
        "* | parse \"<Image>*</Image>\" Image nodrop",
    );
}

#[test]
fn parse_capture_count_mismatch() {
    assert_rendered(
        "parse_capture_count_mismatch",
        "* | parse \"user=*, host=*\" as user",
    );
}

#[test]
fn parse_double_star() {
    assert_rendered("parse_double_star", "* | parse \"a=**\" as a, b");
}

#[test]
fn missing_field_after_as() {
    assert_rendered("missing_field_after_as", "* | \"x\" as");
}

#[test]
fn empty_stage() {
    assert_rendered("empty_stage", "* | where a = 1 | | count");
}

#[test]
fn unbalanced_parenthesis_in_where() {
    assert_rendered(
        "unbalanced_parenthesis_in_where",
        "* | where (a = 1 OR b = 2\n| count by a",
    );
}

#[test]
fn bad_token_in_scope() {
    assert_rendered("bad_token_in_scope", "error ; fail | count");
}

#[test]
fn unterminated_regex() {
    assert_rendered("unterminated_regex", "* | where x matches /ab+ | count");
}

#[test]
fn two_bad_stages() {
    assert_rendered(
        "two_bad_stages",
        "* | wehre a = 1\n| count by a b\n| limit 5",
    );
}

#[test]
fn bad_stage_inside_union() {
    assert_rendered(
        "bad_stage_inside_union",
        "* | union [ * | cout ] | sort by a asc desc",
    );
}

#[test]
fn missing_expression_at_end() {
    assert_rendered("missing_expression_at_end", "* | count\n| where");
}

#[test]
fn two_bad_stages_report_both() {
    let diagnostics = parse_err("* | wehre a = 1\n| count by a b\n| limit 5");
    assert_eq!(diagnostics.len(), 2);
    assert_eq!(diagnostics[0].message, "unknown operator `wehre`");
    assert_eq!(
        diagnostics[1].message,
        "unexpected `b` after the `count` stage"
    );
}

#[test]
fn recovery_skips_pipes_in_strings_and_brackets() {
    let text = "* | wehre \"a | b\" | union [ * | count ] | where x matches /a|b/ | cuont";
    let diagnostics = parse_err(text);
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["unknown operator `wehre`", "unknown operator `cuont`"]
    );
}

#[test]
fn recovery_inside_union_continues_outside() {
    let text = "* | union [ * | cout | wehre ] | limit x";
    let diagnostics = parse_err(text);
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "unknown operator `cout`",
            "unknown operator `wehre`",
            "expected a row count after `limit`, found `x`",
        ]
    );
}

#[test]
fn diagnostics_are_in_source_order() {
    let diagnostics = parse_err("a ; | wehre | union [ | | ] | limit");
    let starts: Vec<usize> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic.span.start)
        .collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
    assert_eq!(diagnostics.len(), 5, "{diagnostics:?}");
}
