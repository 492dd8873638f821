//! Each pipe stage form.

mod common;

use common::{check_spans, expr_sexpr, parse_err, parse_ok, scope_sexpr, single_stage};
use sumoql_syntax::ast::{FieldItem, FieldsMode, SortDirection, Stage};

fn field_items(stage: &Stage) -> (FieldsMode, Vec<FieldItem>) {
    match stage {
        Stage::Fields { mode, items } => {
            (*mode, items.iter().map(|item| item.node.clone()).collect())
        }
        other => panic!("expected a fields stage, got {other:?}"),
    }
}

fn item(name: &str, alias: Option<&str>) -> FieldItem {
    FieldItem {
        name: name.to_string(),
        alias: alias.map(str::to_string),
    }
}

/// Returns (function, arguments, alias) per call and the `by` list, as text.
fn aggregate_summary(stage: &Stage) -> (Vec<String>, Vec<String>) {
    let Stage::Aggregate { functions, by } = stage else {
        panic!("expected an aggregate stage, got {stage:?}");
    };
    let calls = functions
        .iter()
        .map(|call| {
            let arguments: Vec<String> = call.node.arguments.iter().map(expr_sexpr).collect();
            let alias = call
                .node
                .alias
                .as_ref()
                .map_or(String::new(), |alias| format!(" as {}", alias.node));
            format!("{}({}){alias}", call.node.function, arguments.join(", "))
        })
        .collect();
    (calls, by.iter().map(expr_sexpr).collect())
}

fn sort_summary(stage: &Stage) -> Vec<(String, SortDirection)> {
    let Stage::Sort(keys) = stage else {
        panic!("expected a sort stage, got {stage:?}");
    };
    keys.iter()
        .map(|key| (expr_sexpr(&key.node.key), key.node.direction))
        .collect()
}

#[test]
fn operator_words_any_case() {
    assert!(matches!(single_stage("WHERE a"), Stage::Where(_)));
    assert!(matches!(
        single_stage("Count By a"),
        Stage::Aggregate { .. }
    ));
    assert!(matches!(
        single_stage("PARSE \"a=*\" AS a NODROP"),
        Stage::Parse { nodrop: true, .. }
    ));
    assert!(matches!(single_stage("Limit 3"), Stage::Limit(3)));
}

#[test]
fn where_stage() {
    let Stage::Where(condition) = single_stage("where EventID = 1") else {
        panic!("expected where");
    };
    assert_eq!(expr_sexpr(&condition), "(= EventID 1)");
}

#[test]
fn parse_anchor_forms() {
    let cases = [
        (r#"parse "a=*," as a"#, None, vec!["a"], false),
        (r#"parse "a=*," as a nodrop"#, None, vec!["a"], true),
        (r#"parse "a=*, b=*;" as a, b"#, None, vec!["a", "b"], false),
        (
            r#"parse field=src "a=*" as a"#,
            Some("src"),
            vec!["a"],
            false,
        ),
        (
            r#"parse "a=*" field=src as a"#,
            Some("src"),
            vec!["a"],
            false,
        ),
        (
            r#"parse "a=*" as a field=src nodrop"#,
            Some("src"),
            vec!["a"],
            true,
        ),
        (
            r#"parse "a=*" as a nodrop field = src"#,
            Some("src"),
            vec!["a"],
            true,
        ),
        (
            r#"parse "a=*" as %"my field""#,
            None,
            vec!["my field"],
            false,
        ),
    ];
    for (text, expected_field, expected_names, expected_nodrop) in cases {
        let Stage::Parse {
            field,
            pattern,
            names,
            nodrop,
        } = single_stage(text)
        else {
            panic!("{text}: expected parse");
        };
        assert_eq!(
            field.map(|field| field.node).as_deref(),
            expected_field,
            "{text}"
        );
        assert!(pattern.node.contains('*'), "{text}");
        let names: Vec<String> = names.into_iter().map(|name| name.node).collect();
        assert_eq!(names, expected_names, "{text}");
        assert_eq!(nodrop, expected_nodrop, "{text}");
    }
}

#[test]
fn parse_pattern_is_decoded() {
    let Stage::Parse { pattern, .. } = single_stage(r#"parse "\"tier\" : *," as tier"#) else {
        panic!("expected parse");
    };
    assert_eq!(pattern.node, r#""tier" : *,"#);
}

#[test]
fn parse_regex_forms() {
    let cases = [
        (r#"parse regex "(?<a>\d+)""#, None, false, false),
        (r#"parse regex "(?<a>\d+)" nodrop"#, None, false, true),
        (r#"parse regex "(?<a>\d+)" multi"#, None, true, false),
        (
            r#"parse regex field=x "(?<a>\d+)" multi nodrop"#,
            Some("x"),
            true,
            true,
        ),
        (
            r#"parse regex "(?<a>\d+)" nodrop multi field=x"#,
            Some("x"),
            true,
            true,
        ),
        (r#"extract "(?<a>\d+)""#, None, false, false),
        (
            r#"EXTRACT field=x "(?<a>\d+)" nodrop"#,
            Some("x"),
            false,
            true,
        ),
    ];
    for (text, expected_field, expected_multi, expected_nodrop) in cases {
        let Stage::ParseRegex {
            field,
            regex,
            multi,
            nodrop,
        } = single_stage(text)
        else {
            panic!("{text}: expected parse regex");
        };
        assert_eq!(
            field.map(|field| field.node).as_deref(),
            expected_field,
            "{text}"
        );
        assert_eq!(regex.node, r"(?<a>\d+)", "{text}");
        assert_eq!(multi, expected_multi, "{text}");
        assert_eq!(nodrop, expected_nodrop, "{text}");
    }
}

#[test]
fn parse_regex_keeps_backslashes() {
    let Stage::ParseRegex { regex, .. } =
        single_stage(r#"parse regex "\nImage\:\s(?<Image>[^\r]*)\r\n" nodrop"#)
    else {
        panic!("expected parse regex");
    };
    assert_eq!(regex.node, "\nImage\\:\\s(?<Image>[^\r]*)\r\n");
}

#[test]
fn assign_forms() {
    let cases = [
        (
            r#""PackageInstallSpawnedSuspiciousProcess" as DetectionBranch"#,
            r#""PackageInstallSpawnedSuspiciousProcess""#,
            "DetectionBranch",
        ),
        (
            r#"concat(DestIP, ":", DestPort) as NetworkDest"#,
            r#"(concat DestIP ":" DestPort)"#,
            "NetworkDest",
        ),
        ("x + 1 as y", "(+ x 1)", "y"),
        ("if(a, 1, 0) as f", "(if a 1 0)", "f"),
        (
            r#"a matches "x*" ? 1 : 0 as y"#,
            r#"(? (matches a "x*") 1 0)"#,
            "y",
        ),
        ("Image as ChildImage", "Image", "ChildImage"),
        ("num(x) AS n", "(num x)", "n"),
        (r#"(a) as %"b c""#, "a", "b c"),
    ];
    for (text, expected_value, expected_name) in cases {
        let Stage::Assign { value, name } = single_stage(text) else {
            panic!("{text}: expected an assignment");
        };
        assert_eq!(expr_sexpr(&value), expected_value, "{text}");
        assert_eq!(name.node, expected_name, "{text}");
    }
}

#[test]
fn fields_keep_with_alias() {
    let (mode, items) = field_items(&single_stage("fields a, b, Image as ChildImage"));
    assert_eq!(mode, FieldsMode::Keep);
    assert_eq!(
        items,
        vec![
            item("a", None),
            item("b", None),
            item("Image", Some("ChildImage"))
        ]
    );
}

#[test]
fn fields_remove_forms() {
    for text in ["fields - a, b", "fields -a, b", "fields -  a ,b"] {
        let (mode, items) = field_items(&single_stage(text));
        assert_eq!(mode, FieldsMode::Remove, "{text}");
        assert_eq!(items, vec![item("a", None), item("b", None)], "{text}");
    }
    let (_, items) = field_items(&single_stage("fields -_count"));
    assert_eq!(items, vec![item("_count", None)]);
}

#[test]
fn fields_quoted_name() {
    let (_, items) = field_items(&single_stage(r#"fields %"Class ID", b"#));
    assert_eq!(items, vec![item("Class ID", None), item("b", None)]);
}

#[test]
fn union_has_full_subquery() {
    let text = "* | union [\n  // inner comment\n  _sourceCategory=x error\n  | where a = 1 /* c */\n  | count by a\n] | limit 5";
    let query = parse_ok(text);
    check_spans(text, &query);
    assert_eq!(query.stages.len(), 2);
    let Stage::Union(subquery) = &query.stages[0].node else {
        panic!("expected union");
    };
    let scope = subquery.node.scope.as_ref().unwrap();
    assert_eq!(
        common::scope_to_sexpr(scope),
        "(and _sourceCategory=x error)"
    );
    assert_eq!(subquery.node.stages.len(), 2);
    assert_eq!(
        &text[subquery.span.clone()],
        "_sourceCategory=x error\n  | where a = 1 /* c */\n  | count by a"
    );
}

#[test]
fn union_nested_and_without_scope() {
    let query = parse_ok("* | union [ | union [ a | count ] ]");
    let Stage::Union(outer) = &query.stages[0].node else {
        panic!("expected union");
    };
    assert!(outer.node.scope.is_none());
    assert!(matches!(outer.node.stages[0].node, Stage::Union(_)));
}

#[test]
fn union_empty_subquery() {
    let query = parse_ok("* | union []");
    let Stage::Union(subquery) = &query.stages[0].node else {
        panic!("expected union");
    };
    assert!(subquery.node.scope.is_none());
    assert!(subquery.node.stages.is_empty());
}

#[test]
fn sort_forms() {
    use SortDirection::{Ascending, Descending};
    let key = |name: &str, direction| (name.to_string(), direction);
    assert_eq!(
        sort_summary(&single_stage("sort by a")),
        vec![key("a", Descending)]
    );
    assert_eq!(
        sort_summary(&single_stage("sort a")),
        vec![key("a", Descending)]
    );
    assert_eq!(
        sort_summary(&single_stage("sort by a asc, b")),
        vec![key("a", Ascending), key("b", Descending)]
    );
    assert_eq!(
        sort_summary(&single_stage("sort by +a, -b")),
        vec![key("a", Ascending), key("b", Descending)]
    );
    assert_eq!(
        sort_summary(&single_stage("order by _count DESC")),
        vec![key("_count", Descending)]
    );
    assert_eq!(
        sort_summary(&single_stage("ORDER a ASC")),
        vec![key("a", Ascending)]
    );
    assert_eq!(
        sort_summary(&single_stage("sort by num(a) asc")),
        vec![key("(num a)", Ascending)]
    );
}

#[test]
fn aggregate_forms() {
    let summary = |text: &str| aggregate_summary(&single_stage(text));
    let strings = |items: &[&str]| {
        items
            .iter()
            .map(|item| item.to_string())
            .collect::<Vec<_>>()
    };

    assert_eq!(summary("count"), (strings(&["count()"]), vec![]));
    assert_eq!(
        summary("count by a, b"),
        (strings(&["count()"]), strings(&["a", "b"]))
    );
    assert_eq!(
        summary("count as n by a"),
        (strings(&["count() as n"]), strings(&["a"]))
    );
    assert_eq!(summary("count(x)"), (strings(&["count(x)"]), vec![]));
    assert_eq!(
        summary("count(x) as n"),
        (strings(&["count(x) as n"]), vec![])
    );
    assert_eq!(
        summary("count_distinct(x) by a"),
        (strings(&["count_distinct(x)"]), strings(&["a"]))
    );
    assert_eq!(
        summary("count_distinct(x) as n by a"),
        (strings(&["count_distinct(x) as n"]), strings(&["a"]))
    );
    assert_eq!(summary("sum(x)"), (strings(&["sum(x)"]), vec![]));
    assert_eq!(
        summary("avg(x) by a"),
        (strings(&["avg(x)"]), strings(&["a"]))
    );
    assert_eq!(
        summary("min(x) as lo, max(x) as hi"),
        (strings(&["min(x) as lo", "max(x) as hi"]), vec![])
    );
    assert_eq!(
        summary("count, sum(b) by a"),
        (strings(&["count()", "sum(b)"]), strings(&["a"]))
    );
    assert_eq!(
        summary("count group by a"),
        (strings(&["count()"]), strings(&["a"]))
    );
    assert_eq!(
        summary("COUNT_DISTINCT(x) GROUP BY a"),
        (strings(&["count_distinct(x)"]), strings(&["a"]))
    );
    assert_eq!(
        summary("count date, Computer"),
        (strings(&["count()"]), strings(&["date", "Computer"]))
    );
}

#[test]
fn limit_stage() {
    assert!(matches!(single_stage("limit 10"), Stage::Limit(10)));
    assert!(matches!(single_stage("limit 0"), Stage::Limit(0)));
}

#[test]
fn stage_spans_exclude_pipes_and_comments() {
    let text = "* | where a = 1 // c\n| count by a /* d */";
    let query = parse_ok(text);
    check_spans(text, &query);
    assert_eq!(&text[query.stages[0].span.clone()], "where a = 1");
    assert_eq!(&text[query.stages[1].span.clone()], "count by a");
}

#[test]
fn whole_input_is_consumed() {
    assert_eq!(
        parse_err("* | count by a b c")[0].message,
        "unexpected `b` after the `count` stage"
    );
    assert_eq!(
        parse_err("* | where x = 1 )")[0].message,
        "unmatched `)` after the `where` stage"
    );
    assert_eq!(
        parse_err("* | limit 5 6")[0].message,
        "unexpected `6` after the `limit` stage"
    );
    assert_eq!(
        parse_err("* | count ]")[0].message,
        "unexpected `]` after the `count` stage"
    );
}

#[test]
fn stage_errors() {
    let cases = [
        ("* | wehre x = 1", "unknown operator `wehre`"),
        ("* | frobnicate \"a\"", "unknown operator `frobnicate`"),
        (
            "* | 1 + x",
            "expected `as` after the expression, found the end of the query",
        ),
        (
            "* | parse \"a=*\"",
            "expected `as` after the parse pattern, found the end of the query",
        ),
        (
            "* | parse as a",
            "expected a quoted pattern after `parse`, found `as`",
        ),
        (
            "* | parse regex \"(\\d+)\"",
            "the regex has no named capture group",
        ),
        (
            "* | parse \"a=*\" as a field=x field=y",
            "duplicate `field=` option",
        ),
        (
            "* | fields",
            "expected a field name in the `fields` list, found the end of the query",
        ),
        ("* | fields - a as b", "`as` is not allowed in `fields -`"),
        (
            "* | fields a, b, A",
            "field `A` is listed twice in `fields`",
        ),
        (
            "* | fields a as c, b as C",
            "field `C` is listed twice in `fields`",
        ),
        ("* | fields - a, a", "field `a` is listed twice in `fields`"),
        (
            "* | union * | count",
            "expected `[` after `union`, found `*`",
        ),
        ("* | sort by +a desc", "conflicting sort directions"),
        (
            "* | sort by",
            "expected an expression, found the end of the query",
        ),
        (
            "* | limit",
            "expected a row count after `limit`, found the end of the query",
        ),
        (
            "* | limit -1",
            "expected a row count after `limit`, found `-`",
        ),
        ("* | sum by a", "wrong number of arguments for `sum`"),
        ("* | count(a, b)", "wrong number of arguments for `count`"),
        (
            "* | count, x",
            "expected an aggregate function after `,`, found `x`",
        ),
        (
            "* | count group a",
            "expected `by` after `group`, found `a`",
        ),
        (
            "* | count as",
            "expected a field name after `as`, found the end of the query",
        ),
    ];
    for (text, message) in cases {
        let diagnostics = parse_err(text);
        assert_eq!(diagnostics.len(), 1, "{text:?}: {diagnostics:?}");
        assert_eq!(diagnostics[0].message, message, "{text:?}");
    }
}

#[test]
fn unknown_operator_help() {
    let diagnostics = parse_err("* | wehre x = 1");
    let help = diagnostics[0].help.as_deref().unwrap();
    assert_eq!(help, "did you mean `where`?");

    let diagnostics = parse_err("* | frobnicate 1h");
    let help = diagnostics[0].help.as_deref().unwrap();
    assert!(!help.contains("did you mean"), "{help}");
    assert!(
        help.starts_with("each stage starts with an operator such as `where`"),
        "{help}"
    );
}

#[test]
fn scope_inside_union_is_parsed_like_top_level() {
    let query = parse_ok("a | union [ b OR c d ]");
    let Stage::Union(subquery) = &query.stages[0].node else {
        panic!("expected union");
    };
    assert_eq!(
        common::scope_to_sexpr(subquery.node.scope.as_ref().unwrap()),
        "(or b (and c d))"
    );
    assert_eq!(scope_sexpr("a | union [ b ]"), "a");
}
