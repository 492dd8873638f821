//! The search scope before the first `|`.

mod common;

use common::{check_spans, parse_err, parse_ok, scope_sexpr};
use sumoql_syntax::ast::Scope;

#[test]
fn star_is_all() {
    assert_eq!(scope_sexpr("*"), "*");
    assert_eq!(scope_sexpr("* | count"), "*");
}

#[test]
fn empty_scope_is_none() {
    assert!(parse_ok("| count").scope.is_none());
    assert!(parse_ok("  // only a comment\n| count").scope.is_none());
    assert!(parse_ok("").scope.is_none());
}

#[test]
fn bare_keywords_with_wildcards_and_punctuation() {
    assert_eq!(scope_sexpr("error"), "error");
    assert_eq!(scope_sexpr("fail*"), "fail*");
    assert_eq!(scope_sexpr("err?r"), "err?r");
    assert_eq!(scope_sexpr("jsmith@*.com"), "jsmith@*.com");
    assert_eq!(
        scope_sexpr("a-b_c:d/e.f+g@h#i$j%k^l"),
        "a-b_c:d/e.f+g@h#i$j%k^l"
    );
}

#[test]
fn quoted_phrase_is_decoded() {
    assert_eq!(scope_sexpr(r#""Access denied""#), r#""Access denied""#);
    let query = parse_ok(r#""say \"hi\"""#);
    let scope = query.scope.unwrap().node;
    assert_eq!(
        scope,
        Scope::Keyword {
            text: r#"say "hi""#.to_string(),
            quoted: true
        }
    );
}

#[test]
fn field_terms_bare_and_quoted() {
    assert_eq!(
        scope_sexpr("_sourceCategory=windows/sysmon"),
        "_sourceCategory=windows/sysmon"
    );
    assert_eq!(
        scope_sexpr(r#"_sourceCategory="*sysmon*""#),
        r#"_sourceCategory="*sysmon*""#
    );
    assert_eq!(scope_sexpr("_sourceHost=web*"), "_sourceHost=web*");
    assert_eq!(scope_sexpr("_sourceHost!=web*"), "_sourceHost!=web*");
    assert_eq!(scope_sexpr("_sourceHost = web*"), "_sourceHost=web*");
}

#[test]
fn bare_value_keeps_slash_star() {
    assert_eq!(
        scope_sexpr("_sourceCategory=Labs/IIS/*"),
        "_sourceCategory=Labs/IIS/*"
    );
    assert_eq!(
        scope_sexpr("_sourceCategory=Labs/IIS/* error | count"),
        "(and _sourceCategory=Labs/IIS/* error)"
    );
}

#[test]
fn implicit_and_by_juxtaposition() {
    assert_eq!(scope_sexpr("a b c"), "(and (and a b) c)");
}

#[test]
fn precedence_not_and_or() {
    assert_eq!(scope_sexpr("a OR b AND c"), "(or a (and b c))");
    assert_eq!(scope_sexpr("a AND b OR c"), "(or (and a b) c)");
    assert_eq!(scope_sexpr("NOT a AND b"), "(and (not a) b)");
    assert_eq!(scope_sexpr("a OR b c"), "(or a (and b c))");
    assert_eq!(scope_sexpr("!a OR b"), "(or (not a) b)");
}

#[test]
fn parentheses_override_precedence() {
    assert_eq!(scope_sexpr("(a OR b) c"), "(and (or a b) c)");
    assert_eq!(scope_sexpr("NOT (a OR b)"), "(not (or a b))");
    assert_eq!(
        scope_sexpr(r#"(_sourceCategory="windows/sysmon" OR _sourceCategory="*sysmon*")"#),
        r#"(or _sourceCategory="windows/sysmon" _sourceCategory="*sysmon*")"#
    );
}

#[test]
fn operators_in_any_case() {
    assert_eq!(
        scope_sexpr("(error OR fail) and debug"),
        "(and (or error fail) debug)"
    );
    assert_eq!(scope_sexpr("a Or b"), "(or a b)");
    assert_eq!(scope_sexpr("not a"), "(not a)");
    assert_eq!(scope_sexpr("a aNd b"), "(and a b)");
}

#[test]
fn operator_word_quoted_is_keyword() {
    assert_eq!(scope_sexpr(r#""and""#), r#""and""#);
    // A word that only starts with an operator name is a keyword.
    assert_eq!(scope_sexpr("order android"), "(and order android)");
}

#[test]
fn bang_negates_term() {
    assert_eq!(scope_sexpr("!error"), "(not error)");
    assert_eq!(scope_sexpr("! error"), "(not error)");
    assert_eq!(scope_sexpr("a !b"), "(and a (not b))");
}

#[test]
fn url_keyword_keeps_double_slash() {
    assert_eq!(
        scope_sexpr("https://example.com/a"),
        "https://example.com/a"
    );
}

#[test]
fn scope_spans_cover_terms() {
    let text = "(a OR b) c=d";
    let query = parse_ok(text);
    check_spans(text, &query);
    let scope = query.scope.unwrap();
    assert_eq!(&text[scope.span.clone()], "(a OR b) c=d");
    let Scope::And(left, right) = scope.node else {
        panic!("expected AND");
    };
    assert_eq!(&text[left.span], "(a OR b)");
    assert_eq!(&text[right.span], "c=d");
}

#[test]
fn scope_errors() {
    let cases = [
        ("error ; fail", "unexpected `;` in the search scope"),
        (
            "a OR",
            "expected a search term after `OR`, found the end of the query",
        ),
        (
            "a AND | count",
            "expected a search term after `AND`, found `|`",
        ),
        ("OR a", "expected a search term, found the operator `OR`"),
        (
            "(a OR b",
            "expected `)` to close the group, found the end of the query",
        ),
        ("a)", "unmatched `)` in the search scope"),
        ("a-b=c", "invalid field name `a-b` before `=`"),
        (
            "a=",
            "expected a value after `a=`, found the end of the query",
        ),
        ("\"open", "unterminated string literal"),
    ];
    for (text, message) in cases {
        let diagnostics = parse_err(text);
        assert_eq!(diagnostics.len(), 1, "{text:?}: {diagnostics:?}");
        assert_eq!(diagnostics[0].message, message, "{text:?}");
    }
}
