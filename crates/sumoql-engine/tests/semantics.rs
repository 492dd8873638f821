//! One test per semantic rule the engine implements, over small in-memory records.

use std::collections::HashMap;

use sumoql_engine::{compile, Execution, Record, ResultTable, Value};
use sumoql_syntax::parse_query;

struct TestRecord(HashMap<String, Value>);

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0.get(lowercase_name).cloned()
    }
}

/// Builds a record from `name=value` pairs; `_messageTime` becomes a number.
fn record(pairs: &[(&str, &str)]) -> TestRecord {
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

fn run(query: &str, records: &[TestRecord]) -> ResultTable {
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
fn lines(table: &ResultTable) -> Vec<String> {
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

fn count(query: &str, records: &[TestRecord]) -> String {
    let table = run(query, records);
    assert_eq!(table.columns, vec!["_count"], "query {query}");
    lines(&table).join(",")
}

fn compile_errors(query: &str) -> Vec<String> {
    let query = parse_query(query).unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    match compile(&query) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| format!("{}: {}", error.message, error.label))
            .collect(),
    }
}

fn images() -> Vec<TestRecord> {
    vec![
        record(&[("img", "C:\\Python39\\Scripts\\pip.exe")]),
        record(&[("img", "C:\\PYTHON39\\SCRIPTS\\PIP.EXE")]),
        record(&[("img", "C:\\tools\\pip.exe.bak")]),
        record(&[("other", "x")]),
    ]
}

#[test]
fn matches_is_case_sensitive() {
    assert_eq!(
        count(r#"| where img matches "*\\pip.exe" | count"#, &images()),
        "1"
    );
}

#[test]
fn matches_covers_whole_value() {
    assert_eq!(
        count(r#"| where img matches "*pip.exe" | count"#, &images()),
        "1"
    );
    assert_eq!(
        count(r#"| where img matches "*pip*" | count"#, &images()),
        "2"
    );
}

#[test]
fn matches_brackets_are_literal() {
    let records = [
        record(&[("ip", "172.17.0.4")]),
        record(&[("ip", "172.1[6-9].0.4")]),
    ];
    assert_eq!(
        count(r#"| where ip matches "172.1[6-9].*" | count"#, &records),
        "1"
    );
}

#[test]
fn matches_question_mark_is_literal() {
    let records = [record(&[("v", "abc")]), record(&[("v", "a?c")])];
    assert_eq!(count(r#"| where v matches "a?c" | count"#, &records), "1");
}

#[test]
fn matches_regex_covers_whole_value() {
    let records = [
        record(&[("ip", "172.17.0.4")]),
        record(&[("ip", "x172.17.0.4")]),
    ];
    assert_eq!(
        count(
            r#"| where ip matches /172\.(1[6-9]|2[0-9]|3[01])\..*/ | count"#,
            &records
        ),
        "1"
    );
}

#[test]
fn negated_matches_is_true_for_null() {
    assert_eq!(
        count(r#"| where !(img matches "*\\pip.exe") | count"#, &images()),
        "3"
    );
}

#[test]
fn comparison_with_null_is_false() {
    let records = [record(&[("port", "80")]), record(&[])];
    assert_eq!(count("| where port = 80 | count", &records), "1");
    assert_eq!(count("| where port != 80 | count", &records), "0");
    assert_eq!(count("| where num(port) != 443 | count", &records), "1");
}

#[test]
fn number_of_text_is_null() {
    let records = [record(&[("port", "http")]), record(&[("port", "8080")])];
    assert_eq!(count("| where num(port) != 80 | count", &records), "1");
    let table = run("| num(port) as n | fields n", &records);
    assert_eq!(lines(&table), vec!["∅", "8080"]);
}

#[test]
fn text_compares_numerically_with_number() {
    let records = [
        record(&[("EventID", "1")]),
        record(&[("EventID", "11")]),
        record(&[("EventID", "01")]),
    ];
    assert_eq!(count("| where EventID = 1 | count", &records), "2");
    assert_eq!(count(r#"| where EventID = "1" | count"#, &records), "1");
    assert_eq!(count("| where EventID > 5 | count", &records), "1");
}

#[test]
fn text_equality_is_case_sensitive() {
    let records = [record(&[("user", "root")]), record(&[("user", "Root")])];
    assert_eq!(count(r#"| where user = "root" | count"#, &records), "1");
    assert_eq!(count(r#"| where user <> "root" | count"#, &records), "1");
}

#[test]
fn in_and_not_in() {
    let records = [
        record(&[("c", "a")]),
        record(&[("c", "b")]),
        record(&[("c", "z")]),
        record(&[]),
    ];
    assert_eq!(count(r#"| where c in ("a", "b") | count"#, &records), "2");
    assert_eq!(
        count(r#"| where c not in ("a", "b") | count"#, &records),
        "1"
    );
}

#[test]
fn field_names_ignore_case() {
    let records = [record(&[("EventID", "3")])];
    assert_eq!(count("| where eventid = 3 | count", &records), "1");
    let table = run(r#"| "x" as Branch | count by branch"#, &records);
    assert_eq!(table.columns, vec!["Branch", "_count"]);
}

#[test]
fn string_escapes_decode_backslashes() {
    let records = [
        record(&[("p", "C:\\a\\b")]),
        record(&[("p", "C:\\\\a\\\\b")]),
    ];
    assert_eq!(count(r#"| where p = "C:\\a\\b" | count"#, &records), "1");
}

#[test]
fn scope_metadata_ignores_case_and_matches_whole_value() {
    let records = [
        record(&[("_sourceCategory", "Windows/Sysmon")]),
        record(&[("_sourceCategory", "windows/sysmon/extra")]),
        record(&[("_sourceCategory", "linux/syslog")]),
    ];
    assert_eq!(
        count(r#"_sourceCategory="windows/sysmon" | count"#, &records),
        "1"
    );
    assert_eq!(
        count("_sourceCategory=windows/sysmon* | count", &records),
        "2"
    );
    assert_eq!(
        count(r#"_sourceCategory="*sysmon*" | count"#, &records),
        "2"
    );
    assert_eq!(count("_sourcecategory=*SYSLOG | count", &records), "1");
}

#[test]
fn scope_boolean_operators() {
    let records = [
        record(&[("_sourceHost", "a"), ("_raw", "login failed for bob")]),
        record(&[("_sourceHost", "b"), ("_raw", "login ok for bob")]),
        record(&[("_sourceHost", "c"), ("_raw", "FAILED disk")]),
    ];
    assert_eq!(count("failed | count", &records), "2");
    assert_eq!(count("login failed | count", &records), "1");
    assert_eq!(count("login OR disk | count", &records), "3");
    assert_eq!(count("NOT failed | count", &records), "1");
    assert_eq!(
        count("_sourceHost=a or _sourceHost=c and disk | count", &records),
        "2"
    );
    assert_eq!(
        count(
            "(_sourceHost=a or _sourceHost=c) and disk | count",
            &records
        ),
        "1"
    );
    assert_eq!(count("fail | count", &records), "0");
    assert_eq!(count("fail* | count", &records), "2");
}

#[test]
fn parse_takes_first_occurrence_and_ignores_case() {
    let records = [record(&[(
        "_raw",
        "a User=jsmith@demo.com: severity=warning: user=x:",
    )])];
    let table = run(
        r#"| parse "user=*: severity=*:" as user, severity | fields user, severity"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["jsmith@demo.com|warning"]);
}

#[test]
fn parse_without_nodrop_drops_non_matching() {
    let records = [record(&[("_raw", "k=1,")]), record(&[("_raw", "nothing")])];
    assert_eq!(count(r#"| parse "k=*," as k | count"#, &records), "1");
}

#[test]
fn parse_nodrop_keeps_rows_with_null_fields() {
    let records = [record(&[("_raw", "k=1,")]), record(&[("_raw", "nothing")])];
    let table = run(r#"| parse "k=*," as k nodrop | fields k"#, &records);
    assert_eq!(lines(&table), vec!["1", "∅"]);
}

#[test]
fn parse_nodrop_chain_acts_as_or() {
    let records = [
        record(&[("_raw", "a=1,")]),
        record(&[("_raw", "b=2,")]),
        record(&[("_raw", "a=3, b=4,")]),
        record(&[("_raw", "c=5,")]),
    ];
    let query = r#"| parse "a=*," as f1 nodrop | parse "b=*," as f2 | fields f1, f2"#;
    assert_eq!(lines(&run(query, &records)), vec!["1|∅", "∅|2", "3|4"]);
}

#[test]
fn parse_nodrop_chain_ends_at_other_operator() {
    let records = [record(&[("_raw", "a=1,")]), record(&[("_raw", "b=2,")])];
    let query = r#"| parse "a=*," as f1 nodrop | where true | parse "b=*," as f2 | count"#;
    assert_eq!(count(query, &records), "1");
}

#[test]
fn parse_failure_keeps_existing_value() {
    let records = [record(&[("_raw", "nothing")])];
    let query = r#"| "-" as hash | parse "md5=*;" as hash nodrop | fields hash"#;
    assert_eq!(lines(&run(query, &records)), vec!["-"]);
}

#[test]
fn parse_field_option_reads_that_field() {
    let records = [record(&[("_raw", "x"), ("email", "bob@corp.example")])];
    let query = r#"| parse field=email "*@*" as user, domain | fields user, domain"#;
    assert_eq!(lines(&run(query, &records)), vec!["bob|corp.example"]);
}

#[test]
fn parse_regex_named_groups_and_multi() {
    let records = [record(&[("_raw", "ip=10.0.0.1 ip=10.0.0.2")])];
    let single = run(r#"| parse regex "ip=(?<ip>[0-9.]+)" | fields ip"#, &records);
    assert_eq!(lines(&single), vec!["10.0.0.1"]);
    let multi = run(
        r#"| parse regex "ip=(?<ip>[0-9.]+)" multi | fields ip"#,
        &records,
    );
    assert_eq!(lines(&multi), vec!["10.0.0.1", "10.0.0.2"]);
}

#[test]
fn parse_regex_is_case_sensitive() {
    let records = [record(&[("_raw", "USER=bob")])];
    assert_eq!(
        count(r#"| parse regex "user=(?<u>\w+)" | count"#, &records),
        "0"
    );
    assert_eq!(
        count(r#"| parse regex "(?i)user=(?<u>\w+)" | count"#, &records),
        "1"
    );
}

#[test]
fn concat_treats_null_as_empty() {
    let records = [record(&[("ip", "1.2.3.4")])];
    let table = run(r#"| concat(ip, ":", port) as dest | fields dest"#, &records);
    assert_eq!(lines(&table), vec!["1.2.3.4:"]);
}

#[test]
fn literal_assignment_sets_constant() {
    let records = [record(&[]), record(&[])];
    let table = run(
        r#"| "PackageInstall" as DetectionBranch | count by DetectionBranch"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["PackageInstall|2"]);
}

#[test]
fn count_by_keeps_null_group() {
    let records = [
        record(&[("user", "a")]),
        record(&[]),
        record(&[("user", "a")]),
        record(&[]),
    ];
    let table = run("| count by user", &records);
    assert_eq!(table.columns, vec!["user", "_count"]);
    assert_eq!(lines(&table), vec!["a|2", "∅|2"]);
}

#[test]
fn count_without_input_reports_zero() {
    assert_eq!(count("| count", &[]), "0");
}

#[test]
fn aggregates_over_numbers() {
    let records = [
        record(&[("n", "2")]),
        record(&[("n", "4")]),
        record(&[("n", "x")]),
        record(&[]),
    ];
    let table = run(
        "| count(n), count_distinct(n), sum(n), avg(n), min(n), max(n)",
        &records,
    );
    assert_eq!(
        table.columns,
        vec!["_count", "_count_distinct", "_sum", "_avg", "_min", "_max"]
    );
    assert_eq!(lines(&table), vec!["3|3|6|3|2|4"]);
}

#[test]
fn sort_defaults_to_descending() {
    let records = [
        record(&[("n", "2")]),
        record(&[("n", "10")]),
        record(&[("n", "3")]),
    ];
    let numeric = run("| num(n) as v | sort by v | fields v", &records);
    assert_eq!(lines(&numeric), vec!["10", "3", "2"]);
    let ascending = run("| num(n) as v | sort by v asc | fields v", &records);
    assert_eq!(lines(&ascending), vec!["2", "3", "10"]);
    let text = run("| sort by n | fields n", &records);
    assert_eq!(lines(&text), vec!["3", "2", "10"]);
}

#[test]
fn sort_keeps_record_fields_for_later_stages() {
    let records = [
        record(&[("_messageTime", "1"), ("_sourceHost", "a")]),
        record(&[("_messageTime", "2"), ("_sourceHost", "b")]),
    ];
    let table = run("| sort by _messageTime | fields _sourceHost", &records);
    assert_eq!(lines(&table), vec!["b", "a"]);
}

#[test]
fn limit_keeps_first_rows() {
    let records = [
        record(&[("n", "1")]),
        record(&[("n", "2")]),
        record(&[("n", "3")]),
    ];
    assert_eq!(
        lines(&run("| limit 2 | fields n", &records)),
        vec!["1", "2"]
    );
}

#[test]
fn fields_keep_passes_internal_fields() {
    let records = [record(&[("a", "1"), ("b", "2"), ("_sourceHost", "h")])];
    let query = "| fields a | count by a, b, _sourceHost";
    assert_eq!(lines(&run(query, &records)), vec!["1|∅|h|1"]);
}

#[test]
fn fields_remove_drops_listed() {
    let records = [record(&[("a", "1"), ("b", "2")])];
    let table = run(r#"| "x" as c | fields - a | count by a, b, c"#, &records);
    assert_eq!(lines(&table), vec!["∅|2|x|1"]);
}

#[test]
fn fields_rename_extension_copies_then_keeps() {
    let records = [record(&[("Image", "cmd.exe")])];
    let table = run(
        "| fields Image as ChildImage | count by ChildImage, Image",
        &records,
    );
    assert_eq!(lines(&table), vec!["cmd.exe|∅|1"]);
}

#[test]
fn message_columns_show_time_fields_and_raw() {
    let records = [record(&[("_messageTime", "5"), ("_raw", "k=v")])];
    let table = run(r#"| parse "k=*" as k"#, &records);
    assert_eq!(table.columns, vec!["_messageTime", "k", "_raw"]);
    assert_eq!(lines(&table), vec!["5|v|k=v"]);
}

#[test]
fn union_appends_rows_of_own_scope() {
    let records = [
        record(&[("_sourceCategory", "a"), ("n", "1")]),
        record(&[("_sourceCategory", "b"), ("n", "2")]),
    ];
    let query = r#"_sourceCategory=a | "first" as branch | union [ _sourceCategory=b | "second" as branch ] | count by branch"#;
    assert_eq!(lines(&run(query, &records)), vec!["first|1", "second|1"]);
}

#[test]
fn union_sees_every_record_once() {
    let records = [record(&[("n", "1")]), record(&[("n", "2")])];
    let query = "| where n = 1 | union [ * | where n = 2 ] | union [ * ] | count";
    assert_eq!(count(query, &records), "4");
}

#[test]
fn union_with_aggregate_inside() {
    let records = [
        record(&[("n", "1")]),
        record(&[("n", "2")]),
        record(&[("n", "2")]),
    ];
    let query = "| count by n | union [ * | count as total ] | fields n, _count, total";
    assert_eq!(
        lines(&run(query, &records)),
        vec!["1|1|∅", "2|2|∅", "∅|∅|3"]
    );
}

#[test]
fn conditional_and_if() {
    let records = [record(&[("n", "1")]), record(&[("n", "5")])];
    let table = run(
        r#"| if(num(n) > 2, "big", "small") as size | fields size"#,
        &records,
    );
    assert_eq!(lines(&table), vec!["small", "big"]);
}

#[test]
fn string_functions() {
    let records = [record(&[("s", "  Hello  ")])];
    let query = r#"| toLowerCase(s) as lower | toUpperCase(s) as upper | trim(s) as trimmed | length(s) as size | fields lower, upper, trimmed, size"#;
    assert_eq!(
        lines(&run(query, &records)),
        vec!["  hello  |  HELLO  |Hello|9"]
    );
}

#[test]
fn emptiness_functions() {
    let records = [record(&[("v", "")]), record(&[("v", " ")]), record(&[])];
    let table = run(
        "| isNull(v) as n | isEmpty(v) as e | isBlank(v) as b | fields n, e, b",
        &records,
    );
    assert_eq!(
        lines(&table),
        vec!["false|true|true", "false|false|true", "true|true|true"]
    );
}

#[test]
fn contains_follows_documented_empty_rule() {
    let records = [
        record(&[("a", "abc"), ("b", "b")]),
        record(&[("a", ""), ("b", "")]),
        record(&[("a", "abc"), ("b", "")]),
    ];
    let table = run("| contains(a, b) as found | fields found", &records);
    assert_eq!(lines(&table), vec!["true", "true", "false"]);
}

#[test]
fn unknown_function_suggests_name() {
    let errors = compile_errors(r#"| where tolowercas(x) = "a""#);
    assert_eq!(
        errors,
        vec!["unknown function `tolowercas`: not a function sumoql knows"]
    );
}

#[test]
fn invalid_regex_is_reported() {
    let errors = compile_errors(r#"| where x matches /a(b/"#);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("invalid regular expression"),
        "{errors:?}"
    );
}

#[test]
fn parse_regex_needs_named_group() {
    let errors = parse_query(r#"| parse regex "a(b)c""#).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "the regex has no named capture group");
}

#[test]
fn wrong_argument_count_is_reported() {
    let errors = compile_errors("| num(a, b) as c");
    assert_eq!(
        errors,
        vec!["wrong number of arguments: `num` takes 1 argument(s), found 2"]
    );
}

/// Runs `query` over `records` split into chunks of `chunk_size`, each in its
/// own partial execution, absorbed in order.
fn run_in_chunks(query: &str, records: &[TestRecord], chunk_size: usize) -> ResultTable {
    let query = parse_query(query).unwrap();
    let plan = compile(&query).unwrap();
    assert!(plan.supports_partials());
    let mut execution = Execution::new(&plan);
    for chunk in records.chunks(chunk_size) {
        let mut partial = Execution::partial(&plan);
        for record in chunk {
            partial.push(record);
        }
        execution.absorb(partial);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

fn mixed_records() -> Vec<TestRecord> {
    let hosts = ["a", "b", "c", "d"];
    (0..40)
        .map(|index| {
            let host = hosts[index * 7 % 4];
            let size = (index * 13 % 17).to_string();
            let time = (1000 - index * 3 % 50).to_string();
            let raw = format!("host={host} size={size} n={index}");
            record(&[
                ("_sourceHost", host),
                ("size", &size),
                ("_messageTime", &time),
                ("_raw", &raw),
            ])
        })
        .collect()
}

#[test]
fn partials_match_one_execution() {
    let queries = [
        "| count",
        "| count by _sourceHost",
        "| count, count_distinct(size), sum(size), avg(size), min(size), max(size) by _sourceHost",
        "| sort by _messageTime | fields _sourceHost, size",
        "| where size > 5 | fields _sourceHost, size",
        r#"| parse "n=*" as n | where num(n) > 30"#,
        "| count by _sourceHost | sort by _count | limit 2",
        r#"_sourceHost=a | "x" as branch | union [ _sourceHost=b | "y" as branch ] | count by branch, size"#,
        "| count by size | union [ * | count as total ] | sort by _count asc",
        "| sort by size asc, _messageTime | count by _sourceHost",
    ];
    let records = mixed_records();
    for query in queries {
        let whole = run(query, &records);
        for chunk_size in [1, 3, 7, 40] {
            assert_eq!(
                run_in_chunks(query, &records, chunk_size),
                whole,
                "{query} in chunks of {chunk_size}"
            );
        }
    }
}

#[test]
fn streaming_limits_prevent_partials() {
    let cases = [
        ("| limit 5", false),
        ("| where a = 1 | limit 5", false),
        ("| count by a | limit 5", true),
        ("| sort by a | where a = 1 | limit 5", true),
        ("| count | union [ * ] | limit 5", false),
        ("| count | union [ * | limit 1 | count ]", false),
        ("| count by a | limit 5 | limit 2", false),
        ("| count | union [ * | count ] | fields _count", true),
    ];
    for (query, expected) in cases {
        let plan = compile(&parse_query(query).unwrap()).unwrap();
        assert_eq!(plan.supports_partials(), expected, "{query}");
    }
}
