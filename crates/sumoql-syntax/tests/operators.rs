//! The operators that are parsed but not yet run: each form Sumo documents
//! or real queries use, checked field by field, and their error messages.

mod common;

use common::{check_spans, expr_sexpr, parse_err, parse_ok, single_stage};
use sumoql_syntax::ast::{
    DelimitedColumn, Expr, FillGenerator, KeyValueMode, MergeStrategy, OptionValue, Quantity,
    Scope, SeriesFunction, SortDirection, Stage, TablePath, TimesliceSpan, TransactionStates,
    TransposeOutput, Unit,
};

fn names(list: &[sumoql_syntax::ast::Spanned<String>]) -> Vec<&str> {
    list.iter().map(|name| name.node.as_str()).collect()
}

#[test]
fn json_keys_names_and_options() {
    let Stage::Json(json) = single_stage("json field=raw \"a.b\", \"c[0]\" as x, y nodrop") else {
        panic!("expected json");
    };
    assert_eq!(json.field.map(|field| field.node), Some("raw".to_string()));
    assert_eq!(names(&json.keys), ["a.b", "c[0]"]);
    assert_eq!(names(&json.names), ["x", "y"]);
    assert!(json.nodrop);
    assert!(!json.auto);

    let Stage::Json(json) = single_stage("JSON auto maxdepth 1 extractarrays keys \"k\" refonly")
    else {
        panic!("expected json auto");
    };
    assert!(json.auto);
    assert!(json.extract_arrays);
    assert!(json.refonly);
    assert_eq!(json.max_depth, Some(1));
    assert_eq!(names(&json.keys), ["k"]);
}

#[test]
fn json_errors() {
    let diagnostics = parse_err("* | json nodrop");
    assert!(
        diagnostics[0]
            .message
            .starts_with("expected a quoted JSON key"),
        "{}",
        diagnostics[0].message
    );
    let diagnostics = parse_err("* | json \"a\", \"b\" as x");
    assert_eq!(diagnostics[0].message, "2 key(s) but 1 name(s) after `as`");
}

#[test]
fn keyvalue_modes() {
    let Stage::KeyValue(kv) = single_stage("kv \"a\", \"b\"") else {
        panic!("expected kv");
    };
    assert_eq!(kv.mode, KeyValueMode::Infer);
    assert_eq!(names(&kv.keys), ["a", "b"]);

    let Stage::KeyValue(kv) =
        single_stage("keyvalue regex \"=(.*?),\" keys \"ip\" as address nodrop")
    else {
        panic!("expected kv regex");
    };
    assert!(matches!(&kv.mode, KeyValueMode::Regex(regex) if regex.node == "=(.*?),"));
    assert_eq!(names(&kv.names), ["address"]);
    assert!(kv.nodrop);

    let Stage::KeyValue(kv) = single_stage("kv auto delim \":\" field=msg") else {
        panic!("expected kv auto");
    };
    assert_eq!(kv.mode, KeyValueMode::Auto);
    assert_eq!(
        kv.delimiter.map(|delimiter| delimiter.node),
        Some(":".to_string())
    );
    assert_eq!(kv.field.map(|field| field.node), Some("msg".to_string()));
}

#[test]
fn csv_and_split_columns() {
    let Stage::Split(split) =
        single_stage("split log delim=':' escape='\\', quote=''' extract 2 as a, b, _")
    else {
        panic!("expected split");
    };
    assert_eq!(split.field.node, "log");
    assert_eq!(
        split.delimiter.map(|value| value.node),
        Some(":".to_string())
    );
    assert_eq!(split.escape.map(|value| value.node), Some("\\".to_string()));
    assert_eq!(split.quote.map(|value| value.node), Some("'".to_string()));
    let columns: Vec<DelimitedColumn> = split
        .columns
        .into_iter()
        .map(|column| column.node)
        .collect();
    assert_eq!(
        columns,
        [
            DelimitedColumn {
                index: Some(2),
                name: Some("a".to_string())
            },
            DelimitedColumn {
                index: None,
                name: Some("b".to_string())
            },
            DelimitedColumn {
                index: None,
                name: None
            },
        ]
    );
    assert!(matches!(
        single_stage("csv _raw extract 1 as a"),
        Stage::Csv(_)
    ));
}

#[test]
fn parse_with_several_patterns() {
    let Stage::ParseMulti {
        field,
        patterns,
        nodrop,
    } = single_stage("parse field=msg \"*.\" as action, \"User name: *,\" as (user) nodrop")
    else {
        panic!("expected a multi-pattern parse");
    };
    assert_eq!(field.map(|field| field.node), Some("msg".to_string()));
    assert!(nodrop);
    assert_eq!(patterns[1].node.pattern.node, "User name: *,");
    assert_eq!(names(&patterns[1].node.names), ["user"]);
    assert!(matches!(
        single_stage("parse \"a*\" as (x)"),
        Stage::Parse { .. }
    ));
}

#[test]
fn parse_xml_paths() {
    let Stage::ParseXml {
        field,
        paths,
        names: aliases,
        nodrop,
    } = single_stage("parse XML field=x \"/a/b\", \"/a/@c\" as b, c nodrop")
    else {
        panic!("expected parse xml");
    };
    assert_eq!(field.map(|field| field.node), Some("x".to_string()));
    assert_eq!(names(&paths), ["/a/b", "/a/@c"]);
    assert_eq!(names(&aliases), ["b", "c"]);
    assert!(nodrop);
}

#[test]
fn timeslice_forms() {
    let minutes = |amount| {
        TimesliceSpan::Duration(Quantity {
            amount,
            unit: Unit::Minute,
        })
    };
    let span = |text: &str| match single_stage(text) {
        Stage::Timeslice { span, .. } => span.map(|span| span.node),
        other => panic!("expected timeslice, got {other:?}"),
    };
    assert_eq!(span("timeslice 5m"), Some(minutes(5.0)));
    assert_eq!(span("timeslice by 5m"), Some(minutes(5.0)));
    assert_eq!(span("timeslice 5 m"), Some(minutes(5.0)));
    assert_eq!(
        span("timeslice 150 buckets"),
        Some(TimesliceSpan::Buckets(150))
    );
    assert_eq!(span("timeslice"), None);
    let Stage::Timeslice { alias, .. } = single_stage("timeslice 1h as hour") else {
        panic!("expected timeslice");
    };
    assert_eq!(alias.map(|alias| alias.node), Some("hour".to_string()));

    let diagnostics = parse_err("* | timeslice 5k");
    assert!(
        diagnostics[0]
            .message
            .starts_with("expected a time such as `5m`"),
        "{}",
        diagnostics[0].message
    );
}

#[test]
fn transpose_outputs() {
    let Stage::Transpose {
        rows,
        columns,
        outputs,
    } = single_stage("transpose row _timeslice column status as %\"200\", *")
    else {
        panic!("expected transpose");
    };
    assert_eq!(names(&rows), ["_timeslice"]);
    assert_eq!(names(&columns), ["status"]);
    let outputs: Vec<TransposeOutput> = outputs.into_iter().map(|output| output.node).collect();
    assert_eq!(
        outputs,
        [
            TransposeOutput::Field("200".to_string()),
            TransposeOutput::Dynamic
        ]
    );
}

#[test]
fn lookup_tables_and_keys() {
    let Stage::Lookup(lookup) =
        single_stage("lookup cell as c1, cell2 from path://\"/Library/Users/me/Suspicious Users\" on userEmail=email, a=b")
    else {
        panic!("expected lookup");
    };
    assert_eq!(lookup.columns[0].node.alias.as_deref(), Some("c1"));
    assert_eq!(
        lookup.table.node,
        TablePath::Library("/Library/Users/me/Suspicious Users".to_string())
    );
    assert_eq!(lookup.on[0].node.left, "userEmail");
    assert_eq!(lookup.on[1].node.right, "b");

    let Stage::Lookup(lookup) =
        single_stage("lookup * from https://host/table.csv on id=user_id and k=k")
    else {
        panic!("expected lookup");
    };
    assert_eq!(lookup.columns[0].node.name, "*");
    assert_eq!(
        lookup.table.node,
        TablePath::Url("https://host/table.csv".to_string())
    );
    assert_eq!(lookup.on.len(), 2);

    let Stage::Save { append, table } = single_stage("save append shared/lookups/users") else {
        panic!("expected save");
    };
    assert!(append);
    assert_eq!(
        table.node,
        TablePath::Path("shared/lookups/users".to_string())
    );
}

#[test]
fn top_and_topk() {
    let Stage::Top { count, fields, by } = single_stage("top 20 a, b by _count, a asc") else {
        panic!("expected top");
    };
    assert_eq!(count, Some(20));
    assert_eq!(fields.len(), 2);
    assert_eq!(by[0].node.direction, SortDirection::Descending);
    assert_eq!(by[1].node.direction, SortDirection::Ascending);

    let Stage::TopK { count, fields, by } = single_stage("topk (3, _count) by host") else {
        panic!("expected topk");
    };
    assert_eq!(count, 3);
    assert_eq!(expr_sexpr(&fields[0]), "_count");
    assert_eq!(expr_sexpr(&by[0]), "host");
}

#[test]
fn series_operators() {
    let Stage::Series {
        function,
        field,
        window,
        alias,
        by,
    } = single_stage("smooth gbytes, 30 as avg by src")
    else {
        panic!("expected smooth");
    };
    assert_eq!(function, SeriesFunction::Smooth);
    assert_eq!(expr_sexpr(&field), "gbytes");
    assert_eq!(window, Some(30));
    assert_eq!(alias.map(|alias| alias.node), Some("avg".to_string()));
    assert_eq!(by.len(), 1);
    assert!(matches!(
        single_stage("total(_count) as n"),
        Stage::Series {
            function: SeriesFunction::Total,
            ..
        }
    ));
    assert!(matches!(
        single_stage("backshift t BY user"),
        Stage::Series {
            function: SeriesFunction::Backshift,
            ..
        }
    ));
}

#[test]
fn fillmissing_generators_and_defaults() {
    let Stage::FillMissing { generators, defaults, take_last } =
        single_stage("fillmissing timeslice (15m), values(\"web\", \"api\") in type, values all in host with -1 for _count takeLast")
    else {
        panic!("expected fillmissing");
    };
    let generators: Vec<FillGenerator> = generators
        .into_iter()
        .map(|generator| generator.node)
        .collect();
    assert_eq!(
        generators,
        [
            FillGenerator::Timeslice {
                span: Some(Quantity {
                    amount: 15.0,
                    unit: Unit::Minute
                }),
                field: None
            },
            FillGenerator::Values {
                values: vec!["web".to_string(), "api".to_string()],
                field: "type".to_string()
            },
            FillGenerator::AllValues {
                field: "host".to_string()
            },
        ]
    );
    assert_eq!(defaults[0].node.field.node, "_count");
    assert!(take_last);
}

#[test]
fn dedup_outlier_predict_compare() {
    assert!(matches!(
        single_stage("dedup consecutive 3 by a, b"),
        Stage::Dedup {
            consecutive: true,
            count: Some(3),
            ..
        }
    ));
    let Stage::Dedup { by, .. } = single_stage("dedup id") else {
        panic!("expected dedup");
    };
    assert_eq!(expr_sexpr(&by[0]), "id");

    let Stage::Outlier { options, by, .. } =
        single_stage("outlier _count window=5,threshold=3,consecutive=2,direction=+- by host")
    else {
        panic!("expected outlier");
    };
    assert_eq!(options.len(), 4);
    assert_eq!(options[3].node.value, OptionValue::Word("+-".to_string()));
    assert_eq!(by.len(), 1);
    let diagnostics = parse_err("* | outlier x windows=5");
    assert_eq!(
        diagnostics[0].message,
        "unknown option `windows` of `outlier`"
    );

    let Stage::Predict {
        interval, options, ..
    } = single_stage("predict _count by 1m model=ar, forecast=10m")
    else {
        panic!("expected predict");
    };
    assert_eq!(
        interval.node,
        Quantity {
            amount: 1.0,
            unit: Unit::Minute
        }
    );
    assert_eq!(
        options[1].node.value,
        OptionValue::Quantity(Quantity {
            amount: 10.0,
            unit: Unit::Minute
        })
    );

    let Stage::Compare(shifts) = single_stage("compare timeshift 1d 7 avg as week, timeshift -1d")
    else {
        panic!("expected compare");
    };
    assert_eq!(shifts[0].node.count, Some(7));
    assert_eq!(shifts[0].node.alias.as_deref(), Some("week"));
    assert_eq!(shifts[1].node.shift.amount, -1.0);
}

#[test]
fn join_merge_transactionize() {
    let Stage::Join { tables, on, time_window } = single_stage(
        "join (parse \"starting stream from *\" AS a) AS t1, (* | count by b) as t2 on t1.a = t2.b timewindow 10m",
    ) else {
        panic!("expected join");
    };
    assert!(tables[0].node.query.node.scope.is_none());
    assert!(matches!(
        tables[0].node.query.node.stages[0].node,
        Stage::Parse { .. }
    ));
    assert!(matches!(
        tables[1].node.query.node.scope.as_ref().unwrap().node,
        Scope::All
    ));
    assert_eq!(expr_sexpr(&on), "(= t1.a t2.b)");
    assert!(time_window.is_some());

    let Stage::Merge(fields) = single_stage("merge a takeLast as x, b join with \"--\", c") else {
        panic!("expected merge");
    };
    assert_eq!(fields[0].node.strategy, Some(MergeStrategy::TakeLast));
    assert_eq!(
        fields[1].node.strategy,
        Some(MergeStrategy::JoinWith(Some("--".to_string())))
    );
    assert_eq!(fields[2].node.strategy, None);

    let Stage::Transactionize {
        fields,
        options,
        subquery,
        ..
    } = single_stage(
        "transactionize id maxlogs = 10 endswith=\"done\";strict (merge type takeLast)",
    )
    else {
        panic!("expected transactionize");
    };
    assert_eq!(names(&fields), ["id"]);
    assert_eq!(
        options[1].node.value,
        OptionValue::StrictString("done".to_string())
    );
    assert!(matches!(
        subquery.unwrap().node.stages[0].node,
        Stage::Merge(_)
    ));
}

#[test]
fn transaction_states() {
    let Stage::Transaction { states, .. } =
        single_stage("transaction on user with \"*LOGIN*\" as login, with \"*LOGOUT*\" as logout")
    else {
        panic!("expected transaction");
    };
    assert!(matches!(states, TransactionStates::Patterns(patterns) if patterns.len() == 2));
    let Stage::Transaction {
        states, results, ..
    } = single_stage("transaction on id with states a, b in state results by flow")
    else {
        panic!("expected transaction");
    };
    assert!(matches!(states, TransactionStates::Field { field, .. } if field == "state"));
    assert!(results.is_some());
}

#[test]
fn subqueries_in_scope_and_where() {
    let text = "_sourceCategory=x [subquery: _view=ti | compose ip keywords] | where ![subquery from=(-2d): y | compose a, b maxresults=100]";
    let query = parse_ok(text);
    check_spans(text, &query);
    let scope = query.scope.as_ref().unwrap();
    let Scope::And(_, right) = &scope.node else {
        panic!("expected an AND scope");
    };
    assert!(matches!(right.node, Scope::Subquery(_)));
    let Stage::Where(condition) = &query.stages[0].node else {
        panic!("expected where");
    };
    let Expr::Not(inner) = &condition.node else {
        panic!("expected a negated subquery");
    };
    let Expr::Subquery(subquery) = &inner.node else {
        panic!("expected a subquery");
    };
    assert!(subquery.from.is_some());
    assert!(matches!(
        subquery.query.node.stages[0].node,
        Stage::Compose {
            max_results: Some(100),
            keywords: false,
            ..
        }
    ));
}

#[test]
fn expression_additions() {
    let condition = |text: &str| match single_stage(&format!("where {text}")) {
        Stage::Where(condition) => expr_sexpr(&condition),
        other => panic!("expected where, got {other:?}"),
    };
    assert_eq!(condition("size / 1Gi > .5"), "(> (/ size 1Gi) 0.5)");
    assert_eq!(condition("msg contains \"x\""), "(contains msg \"x\")");
    assert_eq!(condition("%type = 1"), "(= type 1)");
    assert_eq!(condition("%a.b[0].c = 1"), "(= a.b[0].c 1)");
    assert_eq!(condition("x matches /err/i"), "(matches x /(?i)err/)");
}

#[test]
fn whole_stage_function_and_ternary() {
    let Stage::Evaluate(call) = single_stage("num(hour)") else {
        panic!("expected a bare function stage");
    };
    assert_eq!(expr_sexpr(&call), "(num hour)");
    assert!(matches!(
        single_stage("x matches \"a\" ? 1 : 0 as y"),
        Stage::Assign { .. }
    ));
    let diagnostics = parse_err("* | hour");
    assert_eq!(diagnostics[0].message, "unknown operator `hour`");
}

#[test]
fn aggregate_additions() {
    let Stage::Aggregate { functions, by } =
        single_stage("count(*) as n, pct(latency, 50, 95), first(x) group by a")
    else {
        panic!("expected aggregate");
    };
    assert!(functions[0].node.arguments.is_empty());
    assert_eq!(functions[1].node.function, "pct");
    assert_eq!(functions[1].node.arguments.len(), 3);
    assert_eq!(functions[2].node.function, "first");
    assert_eq!(by.len(), 1);
    let diagnostics = parse_err("* | pct(latency)");
    assert_eq!(
        diagnostics[0].message,
        "wrong number of arguments for `pct`"
    );
}

#[test]
fn scope_additions() {
    let query =
        parse_ok("_size>=1000 %\"x-event-key\"=\"issue:updated\" _index=sec _view!=v | count");
    let text = format!("{:?}", query.scope.unwrap());
    assert!(
        text.contains("Compare { field: \"_size\", operator: GreaterOrEqual, value: \"1000\""),
        "{text}"
    );
    assert!(text.contains("Term { field: \"x-event-key\", negated: false, value: \"issue:updated\", quoted: true }"), "{text}");
    assert!(
        text.contains("Term { field: \"_view\", negated: true"),
        "{text}"
    );
}

#[test]
fn sort_alone_and_fields_in_parentheses() {
    assert!(matches!(single_stage("sort"), Stage::Sort(keys) if keys.is_empty()));
    assert!(
        matches!(single_stage("fields -(a, b)"), Stage::Fields { items, .. } if items.len() == 2)
    );
    let diagnostics = parse_err("* | sort by");
    assert!(
        diagnostics[0].message.starts_with("expected an expression"),
        "{}",
        diagnostics[0].message
    );
}

#[test]
fn engine_reports_parsed_operator_as_not_supported() {
    let query = parse_ok("* | sessionize \"a=*\" as (a) | count");
    let diagnostics = sumoql_engine::compile(&query).expect_err("sessionize does not run yet");
    assert_eq!(
        diagnostics[0].message,
        "operator `sessionize` is not supported by sumoql yet"
    );
    assert_eq!(diagnostics[0].span, 4..27);

    let query = parse_ok("* | where size > 1Gi");
    assert!(
        sumoql_engine::compile(&query).is_ok(),
        "numbers with units evaluate"
    );
}
