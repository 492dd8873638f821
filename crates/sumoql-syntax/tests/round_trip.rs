//! Property test: queries generated from the grammar parse, and printing a
//! parsed query and parsing the text again gives the same tree.

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use sumoql_syntax::{format_query, parse_query};

/// Field names, including ones that need `%"…"` and ones that are keywords.
const FIELDS: [&str; 10] = [
    "a",
    "b",
    "src_ip",
    "_sourceCategory",
    "user.name",
    "Image",
    "%\"odd name\"",
    "%\"count\"",
    "%\"a\\\"b\"",
    "%type",
];

fn field() -> BoxedStrategy<String> {
    prop::sample::select(&FIELDS[..])
        .prop_map(str::to_string)
        .boxed()
}

fn fields(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(field(), 1..=max)
        .prop_map(|names| names.join(", "))
        .boxed()
}

/// Generates string literals whose text includes quotes, backslashes,
/// pipes, commas, wildcards, newlines and template placeholders.
fn string_literal() -> BoxedStrategy<String> {
    let piece = prop::sample::select(
        &[
            "a", "B", " ", "|", ",", "*", "\"", "\\", "\\d", "\n", "\t", "{{x}}", "é", "'", "/*",
            "//",
        ][..],
    );
    (prop::collection::vec(piece, 0..6), any::<bool>())
        .prop_map(|(pieces, single)| {
            let text: String = pieces.concat();
            let quote = if single { '\'' } else { '"' };
            let mut literal = String::from(quote);
            for c in text.chars() {
                match c {
                    '\\' => literal.push_str("\\\\"),
                    '\n' => literal.push_str("\\n"),
                    '\t' => literal.push_str("\\t"),
                    c if c == quote => {
                        literal.push('\\');
                        literal.push(c);
                    }
                    c => literal.push(c),
                }
            }
            literal.push(quote);
            literal
        })
        .boxed()
}

fn number() -> BoxedStrategy<String> {
    prop_oneof![
        (0u32..5000).prop_map(|value| value.to_string()),
        (0u32..1000, 1u32..100).prop_map(|(whole, fraction)| format!("{whole}.{fraction}")),
        Just(".5".to_string()),
        Just("1e3".to_string()),
        prop::sample::select(&["5m", "10k", "1Gi", "1.5s", "100ms", "2K", "3B", "1w"][..])
            .prop_map(str::to_string),
    ]
    .boxed()
}

fn regex_literal() -> BoxedStrategy<String> {
    prop::sample::select(
        &[
            "/a|b/",
            "/x\\/y/",
            "/^(?<n>\\d+),$/",
            "/err/i",
            "/[a-z]+ ok/",
        ][..],
    )
    .prop_map(str::to_string)
    .boxed()
}

/// Binding levels of the expression grammar, lowest first, as grammar.md
/// lists them.
const CONDITIONAL: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT_WORD: u8 = 3;
const COMPARISON: u8 = 4;
const ADDITIVE: u8 = 5;
const MULTIPLICATIVE: u8 = 6;
const PREFIX: u8 = 7;
const PRIMARY: u8 = 8;

/// An expression with the level it binds at.
type Generated = (String, u8);

/// Puts an operand in parentheses when it binds more loosely than `level`.
fn at_least((text, level): Generated, minimum: u8) -> String {
    if level < minimum {
        format!("({text})")
    } else {
        text
    }
}

fn expression() -> BoxedStrategy<Generated> {
    let leaf = prop_oneof![
        field(),
        string_literal(),
        number(),
        Just("true".to_string()),
        Just("FALSE".to_string()),
    ]
    .prop_map(|text| (text, PRIMARY));

    leaf.prop_recursive(4, 24, 3, |inner| {
        let operand = move || inner.clone();
        let binary = |operators: &'static [&'static str],
                      level: u8,
                      left_minimum: u8,
                      right_minimum: u8,
                      operand: BoxedStrategy<Generated>| {
            (operand.clone(), prop::sample::select(operators), operand)
                .prop_map(move |(left, operator, right)| {
                    let text = format!(
                        "{} {operator} {}",
                        at_least(left, left_minimum),
                        at_least(right, right_minimum)
                    );
                    (text, level)
                })
                .boxed()
        };
        Union::new([
            binary(&["or", "OR", "Or"], OR, OR, AND, operand()),
            binary(&["and", "AND"], AND, AND, NOT_WORD, operand()),
            binary(
                &["=", "==", "!=", "<>", "<", ">", "<=", ">="],
                COMPARISON,
                ADDITIVE,
                ADDITIVE,
                operand(),
            ),
            binary(&["+", "-"], ADDITIVE, ADDITIVE, MULTIPLICATIVE, operand()),
            binary(
                &["*", "/", "%"],
                MULTIPLICATIVE,
                MULTIPLICATIVE,
                PREFIX,
                operand(),
            ),
            (
                operand(),
                prop_oneof![
                    string_literal(),
                    regex_literal(),
                    operand().prop_map(|pattern| at_least(pattern, ADDITIVE)),
                ],
            )
                .prop_map(|(value, pattern)| {
                    (
                        format!("{} matches {pattern}", at_least(value, ADDITIVE)),
                        COMPARISON,
                    )
                })
                .boxed(),
            (
                operand(),
                any::<bool>(),
                prop::collection::vec(operand(), 1..3),
            )
                .prop_map(|(value, negated, items)| {
                    let items: Vec<String> = items.into_iter().map(|(text, _)| text).collect();
                    let operator = if negated { "not in" } else { "in" };
                    (
                        format!(
                            "{} {operator} ({})",
                            at_least(value, ADDITIVE),
                            items.join(", ")
                        ),
                        COMPARISON,
                    )
                })
                .boxed(),
            (operand(), operand())
                .prop_map(|(left, right)| {
                    (
                        format!(
                            "{} contains {}",
                            at_least(left, ADDITIVE),
                            at_least(right, ADDITIVE)
                        ),
                        COMPARISON,
                    )
                })
                .boxed(),
            (operand(), operand(), operand())
                .prop_map(|(condition, (then, _), (otherwise, _))| {
                    (
                        format!("{} ? {then} : {otherwise}", at_least(condition, OR)),
                        CONDITIONAL,
                    )
                })
                .boxed(),
            (operand(), operand(), operand())
                .prop_map(|((condition, _), (then, _), (otherwise, _))| {
                    (format!("if ({condition}, {then}, {otherwise})"), PRIMARY)
                })
                .boxed(),
            (
                prop::sample::select(&["concat", "toLowerCase", "isNull", "num", "REPLACE"][..]),
                prop::collection::vec(
                    prop_oneof![operand().prop_map(|(text, _)| text), regex_literal()],
                    1..3,
                ),
            )
                .prop_map(|(name, arguments)| {
                    (format!("{name}({})", arguments.join(", ")), PRIMARY)
                })
                .boxed(),
            operand()
                .prop_map(|(text, _)| (format!("({text})"), PRIMARY))
                .boxed(),
            operand()
                .prop_map(|operand| (format!("!{}", at_least(operand, PREFIX)), PREFIX))
                .boxed(),
            operand()
                .prop_map(|operand| (format!("-{}", at_least(operand, PREFIX)), PREFIX))
                .boxed(),
            operand()
                .prop_map(|operand| (format!("not {}", at_least(operand, NOT_WORD)), NOT_WORD))
                .boxed(),
            Just((
                "[subquery from=(-2d): error | compose host keywords]".to_string(),
                PRIMARY,
            ))
            .boxed(),
        ])
        .boxed()
    })
    .boxed()
}

fn expr() -> BoxedStrategy<String> {
    expression().prop_map(|(text, _)| text).boxed()
}

fn scope() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        prop::sample::select(
            &[
                "error",
                "fail*",
                "Labs/IIS/*",
                "*",
                "err?r",
                "_index=sec",
                "http://x/y",
                "-x"
            ][..]
        )
        .prop_map(str::to_string),
        string_literal(),
        (
            prop::sample::select(&["_sourceCategory", "_view", "host", "%\"x-key\""][..]),
            prop::sample::select(&["=", "!=", "<", ">=", " = "][..]),
            prop_oneof![
                prop::sample::select(&["windows/sysmon", "*sysmon*", "100", "a:b"][..])
                    .prop_map(str::to_string),
                string_literal(),
            ]
        )
            .prop_map(|(name, operator, value)| format!("{name}{operator}{value}")),
        Just("[subquery: _view=ti | compose ip]".to_string()),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&[" AND ", " and ", " ", " OR ", " or "][..]),
                inner.clone()
            )
                .prop_map(|(left, operator, right)| format!("{left}{operator}{right}")),
            inner.clone().prop_map(|text| format!("NOT {text}")),
            inner.clone().prop_map(|text| format!("!{text}")),
            inner.prop_map(|text| format!("({text})")),
        ]
    })
    .boxed()
}

/// Generates one stage without its `|`, for every operator the parser
/// accepts.
fn stage() -> BoxedStrategy<String> {
    let options =
        |choices: &'static [&'static str]| prop::sample::select(choices).prop_map(str::to_string);
    Union::new([
        expr().prop_map(|condition| format!("where {condition}")).boxed(),
        (options(&["", " field=a"]), options(&["", " nodrop"]))
            .prop_map(|(source, nodrop)| format!("parse{source} \"a=*, b=*;\" as x, y{nodrop}"))
            .boxed(),
        options(&[
            "parse \"a=*,\" as x, \"b=*;\" as (y) nodrop",
            "parse regex field=a \"(?<x>\\d+)\" multi nodrop",
            "extract \"(?<x>[a-z|,]+)\"",
            "parse xml field=a \"/a/b\", \"/a/@c\" as x, y nodrop",
            "json \"a\", \"b.c[0]\" as x, y nodrop",
            "json field=a auto maxdepth 2 extractarrays",
            "json auto keys \"a\" refonly as x",
            "kv \"a\", \"b\"",
            "keyvalue regex \"(\\w+)=(\\w+)\" keys \"a\" as x nodrop",
            "kv auto field=a delim \":\" refonly",
            "csv _raw extract 1 as a, 2 as b",
            "split a delim=':' escape='\\', quote=''' extract x, _, 3 as y",
            "timeslice 5m",
            "timeslice by 1h as t",
            "timeslice 10 buckets",
            "timeslice 1 h",
            "transpose row _timeslice column a, b as x, *",
            "lookup a, b as c from path://\"/Library/Users/x y\" on src_ip=ip, d=e",
            "lookup * from https://host/t.csv on x=y",
            "lookup latitude from geo://location on ip = src_ip",
            "save append shared/t",
            "cat path://\"/Library/t\"",
            "top 10 a, b by _count asc, c",
            "top a",
            "topk(5, _count) by host",
            "count_frequent a, b",
            "accum rows as total by a",
            "total(_count) as all_count",
            "smooth x, 30 as avg_x by a",
            "backshift t as previous",
            "rollingstd x",
            "diff x by a, b",
            "fillmissing timeslice(15m), values(\"a\", \"b\") in type with 0 for _count takeLast",
            "fillmissing timeslice, values all in x with null for y",
            "dedup consecutive 3 by a, b",
            "dedup a",
            "outlier _count by host window=5, threshold=3, consecutive=2, direction=+-",
            "predict _count by 1m model=ar, ar.window=50, forecast=10m",
            "compare with timeshift 1d 3 avg as x, timeshift -1w",
            "geoip src_ip",
            "threatip ip",
            "threatlookup singleIndicator source=\"s\" ip, host",
            "join (parse \"a=*\" as a) as t1, (* | count by a) as t2 on t1.a = t2.a timewindow 10m",
            "merge a takeLast as x, b join with \"-\", c",
            "merge",
            "transactionize a, b as g maxlogs=10 startswith=\"x\";strict (merge a takeFirst | limit 2)",
            "filter a in (sum(n) by a | sort by _sum | limit 5)",
            "withtime a",
            "logreduce(msg) by a limit=20",
            "logreduce field=msg",
            "logcompare timeshift -24h",
            "infer _category=x _model=y key=\"v\"",
            "bin x width=100, min=0, max=5000 as b",
            "sessionize \"a=*\" as (x), \"b=*\" as (y, z)",
            "transaction on a, b with \"*IN*\" as login, with \"*OUT*\" as logout results by flow",
            "transaction on id with states a, b, c in state",
            "num(x)",
            "fields a, b as c",
            "fields - a, b",
            "fields -(a, b)",
            "sort",
            "sort by a asc, -b, +c",
            "order by _count desc",
            "limit 10",
            "count(*) group by a",
            "count as n, sum(x), pct(y, 50, 95) as p by a, b",
            "count_distinct(x) as c by a",
            "first(x), last(y), most_recent(z) by a",
            "count a, b",
            "x matches \"a*\" ? 1 : 0 as y",
            "union [ _sourceCategory=a | count ]",
        ])
        .boxed(),
        (expr(), field()).prop_map(|(value, name)| format!("{value} as {name}")).boxed(),
        fields(3).prop_map(|names| format!("count by {names}")).boxed(),
        fields(3).prop_map(|names| format!("sort by {names}")).boxed(),
    ])
    .boxed()
}

/// Changes the case of the operator word at the start of a stage.
fn with_case(text: String, case: u8) -> String {
    let word_len = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(word_len);
    let word = match case % 3 {
        0 => word.to_string(),
        1 => word.to_ascii_uppercase(),
        _ => {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        }
    };
    format!("{word}{rest}")
}

fn query() -> BoxedStrategy<String> {
    let separator = prop::sample::select(
        &[
            " | ",
            "\n| ",
            "\n  | ",
            " /* note | x */ | ",
            " // note | x\n| ",
        ][..],
    );
    (
        prop::option::of(scope()),
        prop::collection::vec((stage(), any::<u8>(), separator), 0..6),
    )
        .prop_map(|(scope, stages)| {
            let mut text = scope.unwrap_or_default();
            for (stage, case, separator) in stages {
                text.push_str(separator);
                text.push_str(&with_case(stage, case));
            }
            text
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_queries_round_trip(text in query()) {
        let tree = match parse_query(&text) {
            Ok(tree) => tree,
            Err(diagnostics) => {
                let messages: Vec<String> = diagnostics.iter().map(|diagnostic| diagnostic.message.clone()).collect();
                return Err(TestCaseError::fail(format!("generated query does not parse: {messages:?}\n{text}")));
            }
        };
        let formatted = format_query(&tree);
        let reparsed = parse_query(&formatted);
        prop_assert!(reparsed.is_ok(), "formatted text does not parse:\n{formatted}\nfrom:\n{text}");
        let reparsed = reparsed.unwrap();
        prop_assert_eq!(format!("{reparsed:?}"), format!("{tree:?}"), "formatted text:\n{}", formatted);
        prop_assert_eq!(format_query(&reparsed), formatted);
    }
}
