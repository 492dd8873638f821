//! Expressions inside `where` and other stages.

mod common;

use common::{parse_err, where_sexpr};

#[test]
fn literals() {
    assert_eq!(where_sexpr("x = 80"), "(= x 80)");
    assert_eq!(where_sexpr("x = 1.5"), "(= x 1.5)");
    assert_eq!(where_sexpr("x = 1e3"), "(= x 1000)");
    assert_eq!(where_sexpr("x = 2.5E-1"), "(= x 0.25)");
    assert_eq!(where_sexpr("x = true"), "(= x true)");
    assert_eq!(where_sexpr("x = FALSE"), "(= x false)");
    assert_eq!(where_sexpr(r#"x = "s""#), r#"(= x "s")"#);
}

#[test]
fn field_names() {
    assert_eq!(where_sexpr("_sourceHost = a.b_c"), "(= _sourceHost a.b_c)");
    assert_eq!(where_sexpr(r#"%"Class ID" = 1"#), "(= Class ID 1)");
}

#[test]
fn comparison_operators() {
    assert_eq!(where_sexpr("a = 1"), "(= a 1)");
    assert_eq!(where_sexpr("a == 1"), "(= a 1)");
    assert_eq!(where_sexpr("a != 1"), "(!= a 1)");
    assert_eq!(where_sexpr("a <> 1"), "(!= a 1)");
    assert_eq!(where_sexpr("a < 1"), "(< a 1)");
    assert_eq!(where_sexpr("a <= 1"), "(<= a 1)");
    assert_eq!(where_sexpr("a > 1"), "(> a 1)");
    assert_eq!(where_sexpr("a >= 1"), "(>= a 1)");
    assert_eq!(where_sexpr("a>=1"), "(>= a 1)");
}

#[test]
fn boolean_precedence() {
    assert_eq!(
        where_sexpr("a = 1 or b = 2 and c = 3"),
        "(or (= a 1) (and (= b 2) (= c 3)))"
    );
    assert_eq!(
        where_sexpr("a = 1 and b = 2 or c = 3"),
        "(or (and (= a 1) (= b 2)) (= c 3))"
    );
    assert_eq!(
        where_sexpr("(a = 1 or b = 2) and c"),
        "(and (or (= a 1) (= b 2)) c)"
    );
    assert_eq!(where_sexpr("a AND b Or c"), "(or (and a b) c)");
}

#[test]
fn not_word_binds_below_comparison() {
    assert_eq!(where_sexpr("not a = 1"), "(not (= a 1))");
    assert_eq!(where_sexpr("NOT a = 1 and b"), "(and (not (= a 1)) b)");
    assert_eq!(where_sexpr("not not a"), "(not (not a))");
}

#[test]
fn bang_binds_to_next_operand() {
    assert_eq!(
        where_sexpr(r#"!(x matches "a")"#),
        r#"(not (matches x "a"))"#
    );
    assert_eq!(where_sexpr("!isNull(x)"), "(not (isNull x))");
    assert_eq!(where_sexpr("!x = 1"), "(= (not x) 1)");
    assert_eq!(where_sexpr("! x"), "(not x)");
}

#[test]
fn bang_versus_not_equal() {
    assert_eq!(where_sexpr("a != b"), "(!= a b)");
    assert_eq!(where_sexpr("a!=b"), "(!= a b)");
    assert_eq!(where_sexpr("!a != !b"), "(!= (not a) (not b))");
}

#[test]
fn arithmetic_precedence() {
    assert_eq!(where_sexpr("a + b * c = d"), "(= (+ a (* b c)) d)");
    assert_eq!(where_sexpr("a - b - c"), "(- (- a b) c)");
    assert_eq!(where_sexpr("a * b / c % d"), "(% (/ (* a b) c) d)");
    assert_eq!(where_sexpr("(a + b) * c"), "(* (+ a b) c)");
    assert_eq!(where_sexpr("-a * b"), "(* (neg a) b)");
    assert_eq!(where_sexpr("a - -1"), "(- a (neg 1))");
}

#[test]
fn regex_versus_division() {
    assert_eq!(where_sexpr("a / b > 1"), "(> (/ a b) 1)");
    assert_eq!(where_sexpr("a/b/c"), "(/ (/ a b) c)");
    assert_eq!(where_sexpr("x matches /a.b/"), "(matches x /a.b/)");
    assert_eq!(
        where_sexpr(r#"replace(x, /a|b/, "c") = "d""#),
        r#"(= (replace x /a|b/ "c") "d")"#
    );
    let diagnostics = parse_err("* | where x = /a/");
    assert_eq!(diagnostics[0].message, "expected an expression, found `/`");
}

#[test]
fn matches_right_side_forms() {
    assert_eq!(where_sexpr(r#"x matches "a*""#), r#"(matches x "a*")"#);
    assert_eq!(where_sexpr("x matches y"), "(matches x y)");
    assert_eq!(
        where_sexpr(r#"x matches concat("*", y, "*")"#),
        r#"(matches x (concat "*" y "*"))"#
    );
    assert_eq!(
        where_sexpr(r#"x MATCHES "a*" or y"#),
        r#"(or (matches x "a*") y)"#
    );
}

#[test]
fn in_and_not_in() {
    assert_eq!(where_sexpr(r#"x in ("a", "b")"#), r#"(in x ["a" "b"])"#);
    assert_eq!(where_sexpr("num(x) in (1, 2, 4)"), "(in (num x) [1 2 4])");
    assert_eq!(where_sexpr(r#"x not in ("a")"#), r#"(not-in x ["a"])"#);
    assert_eq!(
        where_sexpr(r#"x NOT IN ("a") and y"#),
        r#"(and (not-in x ["a"]) y)"#
    );
    assert_eq!(
        where_sexpr("x in (1) or not y in (2)"),
        "(or (in x [1]) (not (in y [2])))"
    );
}

#[test]
fn function_calls() {
    assert_eq!(where_sexpr("isNull(x)"), "(isNull x)");
    assert_eq!(where_sexpr("now() > 0"), "(> (now) 0)");
    assert_eq!(
        where_sexpr("toLowerCase(x) = \"a\""),
        r#"(= (toLowerCase x) "a")"#
    );
    assert_eq!(
        where_sexpr("if (isEmpty(a), 1, 0) = 1"),
        "(= (if (isEmpty a) 1 0) 1)"
    );
    assert_eq!(where_sexpr("f(g(h(1)), 2 + 3)"), "(f (g (h 1)) (+ 2 3))");
}

#[test]
fn conditional_expression() {
    assert_eq!(
        where_sexpr(r#"a > 1 ? "x" : "y""#),
        r#"(? (> a 1) "x" "y")"#
    );
    assert_eq!(where_sexpr("a ? b : c ? d : e"), "(? a b (? c d e))");
    assert_eq!(where_sexpr("a or b ? 1 : 0"), "(? (or a b) 1 0)");
    assert_eq!(where_sexpr("a ? (b ? 1 : 2) : 3"), "(? a (? b 1 2) 3)");
}

#[test]
fn keywords_any_case() {
    assert_eq!(where_sexpr("a AND b"), "(and a b)");
    assert_eq!(where_sexpr("a Or b"), "(or a b)");
    assert_eq!(where_sexpr("Not a"), "(not a)");
    assert_eq!(where_sexpr("x In (1)"), "(in x [1])");
}

#[test]
fn word_starting_with_keyword_is_field() {
    assert_eq!(where_sexpr("order = android"), "(= order android)");
    assert_eq!(where_sexpr("notes = inbox"), "(= notes inbox)");
    assert_eq!(where_sexpr("truth"), "truth");
}

#[test]
fn expression_errors() {
    let cases = [
        (
            "* | where",
            "expected an expression, found the end of the query",
        ),
        (
            "* | where a =",
            "expected an expression, found the end of the query",
        ),
        (
            "* | where (a = 1",
            "expected `)` to close the parenthesis, found the end of the query",
        ),
        (
            "* | where f(a b)",
            "expected `,` or `)` in the arguments of `f`, found `b`",
        ),
        ("* | where a in 1", "expected `(` after `in`, found `1`"),
        (
            "* | where a ? b",
            "expected `:` in the conditional expression, found the end of the query",
        ),
        (
            "* | where and",
            "expected an expression, found the keyword `and`",
        ),
        ("* | where x = 5q", "invalid number `5q`"),
        (
            "* | where x = 1 = 2",
            "unexpected `=` after the `where` stage",
        ),
    ];
    for (text, message) in cases {
        let diagnostics = parse_err(text);
        assert_eq!(diagnostics.len(), 1, "{text:?}: {diagnostics:?}");
        assert_eq!(diagnostics[0].message, message, "{text:?}");
    }
}

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    let depth = 10_000;
    let text = format!("* | where {}a{}", "(".repeat(depth), ")".repeat(depth));
    let diagnostics = parse_err(&text);
    assert_eq!(diagnostics[0].message, "the query is nested too deeply");

    let bangs = format!("* | where {}a", "!".repeat(depth));
    assert_eq!(
        parse_err(&bangs)[0].message,
        "the query is nested too deeply"
    );
}

#[test]
fn moderate_nesting_parses() {
    let depth = 30;
    let condition = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(where_sexpr(&condition), "a");
}
