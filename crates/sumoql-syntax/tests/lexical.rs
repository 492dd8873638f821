//! Comments, string and regex literal decoding, and whitespace handling.

mod common;

use common::{parse_err, parse_ok, scope_sexpr, single_stage, where_sexpr};
use sumoql_syntax::ast::{Expr, Stage};

#[test]
fn line_comment_before_scope() {
    let query = parse_ok("// Branch 1: description\n_sourceCategory=x\n| count");
    assert!(query.scope.is_some());
    assert_eq!(query.stages.len(), 1);
}

#[test]
fn comments_between_stages() {
    let text = "* | where a = 1 // trailing\n\n// a whole line\n| /* block */ count /* after */ | limit 5 // end";
    let query = parse_ok(text);
    assert_eq!(query.stages.len(), 3);
}

#[test]
fn block_comment_spans_lines() {
    let query = parse_ok("* /* one\ntwo | three */ | count");
    assert_eq!(query.stages.len(), 1);
}

#[test]
fn comments_inside_where_list() {
    let condition = where_sexpr("(\n  a = 1 OR // first\n  /* second */ b = 2\n)");
    assert_eq!(condition, "(or (= a 1) (= b 2))");
}

#[test]
fn comment_markers_inside_strings() {
    assert_eq!(
        where_sexpr(r#"url = "http://x // y /* z */""#),
        r#"(= url "http://x // y /* z */")"#
    );
    assert_eq!(scope_sexpr(r#""a // b""#), r#""a // b""#);
}

#[test]
fn comment_markers_inside_regex() {
    assert_eq!(
        where_sexpr(r"url matches /https:\/\/x.*/"),
        "(matches url /https://x.*/)"
    );
}

#[test]
fn double_slash_after_colon_is_not_comment() {
    assert_eq!(
        scope_sexpr("https://example.com/x | count"),
        "https://example.com/x"
    );
    assert_eq!(scope_sexpr("a // comment\n| count"), "a");
}

#[test]
fn bare_wildcard_value_is_not_comment() {
    assert_eq!(
        scope_sexpr("_sourceCategory=Labs/IIS/* | count"),
        "_sourceCategory=Labs/IIS/*"
    );
    assert_eq!(scope_sexpr("Labs/IIS/*"), "Labs/IIS/*");
}

#[test]
fn unterminated_block_comment_fails() {
    let diagnostics = parse_err("* | count /* never closed");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].message, "unterminated block comment");
    assert_eq!(diagnostics[0].span, 10..12);
}

#[test]
fn string_escapes_decode() {
    let cases = [
        (r#""*\\pip.exe""#, r"*\pip.exe"),
        (r#""say \"hi\"""#, r#"say "hi""#),
        (r#""a\nb\rc\td""#, "a\nb\rc\td"),
        (r#""\d+\.\w""#, r"\d+\.\w"),
        (r#""\\\\""#, r"\\"),
        (r#""it\'s""#, "it's"),
        (r#""""#, ""),
    ];
    for (literal, decoded) in cases {
        match single_stage(&format!("{literal} as x")) {
            Stage::Assign { value, .. } => {
                assert_eq!(value.node, Expr::String(decoded.to_string()), "{literal}")
            }
            other => panic!("expected an assignment, got {other:?}"),
        }
    }
}

#[test]
fn single_quoted_strings() {
    assert_eq!(where_sexpr("x = 'a\"b'"), r#"(= x "a\"b")"#);
    assert_eq!(where_sexpr(r"x = 'it\'s'"), r#"(= x "it's")"#);
}

#[test]
fn string_may_span_lines() {
    assert_eq!(where_sexpr("x = \"a\nb\""), r#"(= x "a\nb")"#);
}

#[test]
fn regex_literal_keeps_text() {
    assert_eq!(
        where_sexpr(r"x matches /\d+\.\w\\/"),
        r"(matches x /\d+\.\w\\/)"
    );
    assert_eq!(where_sexpr(r"x matches /a\/b/"), "(matches x /a/b/)");
}

#[test]
fn regex_literal_must_end_on_its_line() {
    let diagnostics = parse_err("* | where x matches /abc\n/ | count");
    assert_eq!(diagnostics[0].message, "unterminated regex literal");
}

#[test]
fn whitespace_and_newlines_between_tokens() {
    let query = parse_ok("\n\t*\n|\nwhere\n  a\n  =\n  1\n|\n count\n by\n a\n");
    assert_eq!(query.stages.len(), 2);
}

#[test]
fn crlf_line_endings() {
    let query = parse_ok("* // comment\r\n| where a = 1\r\n| count\r\n");
    assert_eq!(query.stages.len(), 2);
}
