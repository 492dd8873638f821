//! `json`, `keyvalue`, `csv`, `split`, `parse xml` and multi-pattern `parse`
//! over small records, one test per rule.

mod support;

use support::{compile_errors, raw, record, rows, run};

const CLOUDTRAIL: &str = r#"{"eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"10.1.2.3",
"userIdentity":{"userName":"alice","sessionContext":{"mfa":true}},
"requestParameters":{"bucketName":"logs","Grant":[{"Permission":"READ"},{"Permission":"WRITE"}]},
"responseElements":null,"Error Code":"AccessDenied","bytes":1024}"#;

#[test]
fn json_extracts_named_keys() {
    let query = r#"| json "eventSource", "awsRegion" | fields eventSource, awsRegion"#;
    assert_eq!(
        rows(query, &[raw(CLOUDTRAIL)]),
        ["s3.amazonaws.com|us-east-1"]
    );
}

#[test]
fn json_names_with_as_and_nested_paths() {
    let query = r#"| json "userIdentity.userName", "requestParameters.Grant[1].Permission" as user, permission
        | fields user, permission"#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), ["alice|WRITE"]);
}

#[test]
fn json_field_without_as_is_named_by_its_path() {
    let query = r#"| json "userIdentity.userName" | fields %"userIdentity.userName""#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), ["alice"]);
}

#[test]
fn json_wildcards_give_a_json_list() {
    let query =
        r#"| json "requestParameters.Grant[*].Permission" as permissions | fields permissions"#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), [r#"["READ","WRITE"]"#]);
}

#[test]
fn json_brackets_reach_keys_with_spaces() {
    let query = r#"| json "['Error Code']" as code | fields code"#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), ["AccessDenied"]);
}

#[test]
fn json_keys_are_case_sensitive() {
    let query = r#"| json "eventsource" nodrop | fields eventsource"#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), ["∅"]);
}

#[test]
fn json_drops_rows_without_the_key_or_with_invalid_json() {
    let records = [
        raw(r#"{"user":"a"}"#),
        raw(r#"{"other":"b"}"#),
        raw("not json"),
    ];
    assert_eq!(rows(r#"| json "user" | fields user"#, &records), ["a"]);
    assert_eq!(
        rows(r#"| json "user" nodrop | fields user"#, &records),
        ["a", "∅", "∅"]
    );
}

#[test]
fn json_keeps_a_row_that_has_one_of_its_keys() {
    let records = [raw(r#"{"user":"a"}"#), raw(r#"{"other":"b"}"#)];
    assert_eq!(
        rows(r#"| json "user", "host" | fields user, host"#, &records),
        ["a|∅"]
    );
}

#[test]
fn json_values_render_as_text() {
    let query = r#"| json "bytes", "userIdentity.sessionContext.mfa", "responseElements", "userIdentity.sessionContext" as b, m, r, s
        | fields b, m, r, s"#;
    assert_eq!(
        rows(query, &[raw(CLOUDTRAIL)]),
        [r#"1024|true|∅|{"mfa":true}"#]
    );
}

#[test]
fn json_numbers_compare_as_numbers() {
    let query = r#"| json "bytes" | where bytes > 1000 | count"#;
    assert_eq!(support::lines(&run(query, &[raw(CLOUDTRAIL)])), ["1"]);
}

#[test]
fn json_field_option_and_text_around_the_json() {
    let records = [record(&[(
        "message",
        r#"2024-01-01 INFO [main] {"module":"stream","n":1} trailing"#,
    )])];
    assert_eq!(
        rows(r#"| json field=message "module" | fields module"#, &records),
        ["stream"]
    );
}

#[test]
fn json_auto_fills_the_fields_the_query_names() {
    let query = r#"| json auto | count by awsRegion, %"userIdentity.userName""#;
    assert_eq!(
        support::lines(&run(query, &[raw(CLOUDTRAIL)])),
        ["us-east-1|alice|1"]
    );
    let renamed = r#"| json auto keys "awsregion" as region refonly | fields region, eventSource"#;
    assert_eq!(rows(renamed, &[raw(CLOUDTRAIL)]), ["us-east-1|∅"]);
}

/// Found fields become columns of a message result, in the order rows first
/// give them, before `_raw`. Names that differ only in case share a column.
#[test]
fn json_auto_shows_found_fields_in_messages() {
    let records = [
        raw(r#"{"b":"1","a":{"c":2}}"#),
        raw("plain text"),
        raw(r#"{"d":true,"B":"x"}"#),
    ];
    let table = run("| json auto", &records);
    assert_eq!(table.columns, ["_messageTime", "b", "a.c", "d", "_raw"]);
    assert_eq!(
        support::lines(&table),
        [
            r#"∅|1|2|∅|{"b":"1","a":{"c":2}}"#,
            "∅|∅|∅|∅|plain text",
            r#"∅|x|∅|true|{"d":true,"B":"x"}"#,
        ]
    );
}

#[test]
fn json_auto_found_columns_skip_targets_and_removed() {
    let records = [raw(r#"{"b":"1","a":{"c":2},"d":3}"#)];
    let table = run(r#"| json auto keys "b" as bee | fields - %"a.c""#, &records);
    assert_eq!(table.columns, ["_messageTime", "bee", "d", "_raw"]);

    let refonly = run(r#"| json auto keys "b" as bee refonly"#, &records);
    assert_eq!(refonly.columns, ["_messageTime", "bee", "_raw"]);

    let listed = run("| json auto | fields d", &records);
    assert_eq!(listed.columns, ["d"]);
}

/// At most 100 found fields become columns, the first ones the rows give.
#[test]
fn json_auto_found_columns_are_bounded() {
    let members: Vec<String> = (0..150)
        .map(|index| format!(r#""k{index:03}":1"#))
        .collect();
    let text = format!("{{{}}}", members.join(","));
    let table = run("| json auto | fields - _raw", &[raw(&text)]);
    assert_eq!(table.columns.len(), 101);
    assert_eq!(table.columns[1], "k000");
    assert_eq!(table.columns[100], "k099");
}

/// Partial executions over chunks of records give the same found columns
/// as one execution, as `sumoql run --threads` relies on.
#[test]
fn json_auto_found_columns_survive_partials() {
    let query = sumoql_syntax::parse_query("| json auto | fields - _raw").unwrap();
    let plan = sumoql_engine::compile(&query).unwrap();
    let records = [raw(r#"{"a":1}"#), raw(r#"{"b":2}"#), raw(r#"{"a":3}"#)];
    let mut whole = sumoql_engine::Execution::new(&plan);
    for (index, record) in records.iter().enumerate() {
        let mut partial = sumoql_engine::Execution::partial(&plan);
        partial.push(record);
        if index == 0 {
            whole.push(record);
        } else {
            whole.absorb(partial);
        }
    }
    let table = whole
        .finish()
        .expect("the run stays within the group limit");
    assert_eq!(table.columns, ["_messageTime", "a", "b"]);
    assert_eq!(support::lines(&table), ["∅|1|∅", "∅|∅|2", "∅|3|∅"]);
}

#[test]
fn json_auto_keeps_rows_without_json() {
    let records = [raw("plain text"), raw(r#"{"a":"1"}"#)];
    assert_eq!(rows("| json auto | fields a", &records), ["∅", "1"]);
}

#[test]
fn json_auto_max_depth_and_arrays() {
    let records = [raw(r#"{"foo":{"bar":[1,2],"baz":"qux"}}"#)];
    assert_eq!(
        rows(r#"| json auto maxdepth 1 | fields foo"#, &records),
        [r#"{"bar":[1,2],"baz":"qux"}"#]
    );
    assert_eq!(
        rows(r#"| json auto | fields %"foo.bar", %"foo.baz""#, &records),
        ["[1,2]|qux"]
    );
    assert_eq!(
        rows(
            r#"| json auto extractarrays | fields %"foo.bar[1]""#,
            &records
        ),
        ["2"]
    );
}

#[test]
fn consecutive_json_stages_read_the_same_message() {
    let query = r#"| json "eventSource" | where eventSource matches "*s3*" | json "awsRegion" | json "bytes" | fields awsRegion, bytes"#;
    assert_eq!(rows(query, &[raw(CLOUDTRAIL)]), ["us-east-1|1024"]);
}

#[test]
fn invalid_json_paths_are_compile_errors() {
    assert_eq!(
        compile_errors(r#"| json "a[b]""#)[0],
        "invalid JSON path: `b` is not an array index; quote key names: ['b']"
    );
}

#[test]
fn keyvalue_infers_values() {
    let text = r#"2017 INFO module=stream thread="main worker" user: bob remote_ip->10.0.0.1"#;
    let query =
        r#"| kv "module", "thread", "user", "remote_ip" | fields module, thread, user, remote_ip"#;
    assert_eq!(
        rows(query, &[raw(text)]),
        ["stream|main worker|bob|10.0.0.1"]
    );
}

#[test]
fn keyvalue_names_fields_after_keys_without_as() {
    let query = r#"| keyvalue infer keys "serviceinfo.IP" | fields serviceinfo_IP"#;
    assert_eq!(
        rows(query, &[raw("a serviceinfo.IP=10.1.1.1, b=2")]),
        ["10.1.1.1"]
    );
}

#[test]
fn keyvalue_regex_with_key_and_value_groups() {
    let text = "2017 [log] reqId=1 {perf.response_time_ms=129, serviceinfo.IP=10.211.77.111, perf.request_start_timestamp_ms=1339189318397, serviceinfo.service_name=API,";
    let pairs = r#"| keyvalue regex "\s(.*?)=(.*?)," keys "serviceinfo.IP", "perf.request_start_timestamp_ms" as ip, start_ms | fields ip, start_ms"#;
    assert_eq!(rows(pairs, &[raw(text)]), ["10.211.77.111|1339189318397"]);
    let values = r#"| keyvalue regex "=(.*?)," "serviceinfo.IP", "perf.request_start_timestamp_ms" as ip, start_ms | fields ip, start_ms"#;
    assert_eq!(rows(values, &[raw(text)]), ["10.211.77.111|1339189318397"]);
}

#[test]
fn keyvalue_drops_rows_without_any_key() {
    let records = [raw("user=a"), raw("nothing here")];
    assert_eq!(rows(r#"| kv "user" | fields user"#, &records), ["a"]);
    assert_eq!(
        rows(r#"| kv "user" nodrop | fields user"#, &records),
        ["a", "∅"]
    );
}

#[test]
fn keyvalue_auto_shows_found_fields_in_messages() {
    let records = [raw(r#"a=1 src.ip=10.0.0.1 a=4"#)];
    let table = run(r#"| kv auto | where a = "4""#, &records);
    assert_eq!(table.columns, ["_messageTime", "a", "src_ip", "_raw"]);
    assert_eq!(
        support::lines(&table),
        ["∅|4|10.0.0.1|a=1 src.ip=10.0.0.1 a=4"]
    );
}

#[test]
fn keyvalue_auto_finds_pairs() {
    let records = [raw(r#"a=1 b="two words" c:3 a=4"#)];
    assert_eq!(
        rows("| kv auto | fields a, b, c", &records),
        ["4|two words|3"]
    );
    assert_eq!(
        rows(r#"| kv auto delim "=" | fields a, c"#, &records),
        ["4|∅"]
    );
    assert_eq!(
        rows(
            r#"| kv auto keys "b" as bee refonly | fields a, bee"#,
            &records
        ),
        ["∅|two words"]
    );
}

#[test]
fn csv_extracts_by_position_and_index() {
    let records = [raw(r#"alice,42,"Paris, France",x,y,z"#)];
    assert_eq!(
        rows(
            "| csv _raw extract 1 as user, 3 as city | fields user, city",
            &records
        ),
        ["alice|Paris, France"]
    );
    assert_eq!(
        rows(
            "| csv _raw extract user, _, city, 5 as e, f | fields user, city, e, f",
            &records
        ),
        ["alice|Paris, France|y|z"]
    );
}

#[test]
fn csv_columns_past_the_end_are_null_and_rows_stay() {
    let records = [raw("a,b"), raw("")];
    assert_eq!(
        rows(
            "| csv _raw extract 1 as one, 3 as three | fields one, three",
            &records
        ),
        ["a|∅", "|∅"]
    );
}

#[test]
fn split_takes_delimiter_quote_and_escape() {
    let records = [record(&[(
        "line",
        "little@sumologic.com:ABCD00001239:EFGH1234509:",
    )])];
    let query = "| split line delim=':' extract 1 as user, 2 as account_id, 3 as session_id | fields user, account_id, session_id";
    assert_eq!(
        rows(query, &records),
        ["little@sumologic.com|ABCD00001239|EFGH1234509"]
    );
    let quoted = [record(&[("line", r#"a 'b c' d\ e"#)])];
    let query = r#"| split line delim=' ', quote=''', escape='\' extract a, b, c | fields a, b, c"#;
    assert_eq!(rows(query, &quoted), ["a|b c|d e"]);
}

#[test]
fn parse_xml_reads_elements_and_attributes() {
    let records = [record(&[(
        "auditrecord",
        r#"<AuditRecord><OS_User>oracle</OS_User><Sql_Text>select 1 &amp; 2</Sql_Text><Proc id="7"/></AuditRecord>"#,
    )])];
    let query = r#"| parse xml field=auditrecord "/AuditRecord/OS_User", "/AuditRecord/Sql_Text", "/AuditRecord/Proc/@id" as user, sql, id
        | fields user, sql, id"#;
    assert_eq!(rows(query, &records), ["oracle|select 1 & 2|7"]);
}

#[test]
fn parse_xml_drops_rows_without_any_path() {
    let records = [raw("<a><b>1</b></a>"), raw("<a><c>2</c></a>")];
    assert_eq!(
        rows(r#"| parse xml "/a/b" as b | fields b"#, &records),
        ["1"]
    );
    assert_eq!(
        rows(r#"| parse xml "/a/b" as b nodrop | fields b"#, &records),
        ["1", "∅"]
    );
}

#[test]
fn parse_with_several_patterns() {
    let records = [
        raw("user=alice, host=web1,"),
        raw("host=web2,"),
        raw("nothing"),
    ];
    let query = r#"| parse "user=*," as user, "host=*," as host | fields user, host"#;
    assert_eq!(rows(query, &records), ["alice|web1", "∅|web2"]);
}

#[test]
fn extracted_fields_are_result_columns() {
    let table = run(
        r#"| json "awsRegion" | kv "x""#,
        &[raw(r#"{"awsRegion":"eu-west-1"} x=1"#)],
    );
    assert_eq!(table.columns, ["_messageTime", "awsRegion", "x", "_raw"]);
}

#[test]
fn offline_impossible_operators_say_why() {
    assert_eq!(
        compile_errors("| geoip src_ip"),
        ["operator `geoip` cannot run offline: it looks addresses up in Sumo's geolocation database, which sumoql does not have"]
    );
    assert!(compile_errors("| threatip src_ip")[0]
        .starts_with("operator `threatip` cannot run offline"));
    assert!(
        compile_errors("| infer _category=cse _model=severityrecommender")[0]
            .starts_with("operator `infer` cannot run offline")
    );
    assert!(compile_errors("| save shared/lookups/users")[0]
        .starts_with("operator `save` cannot run offline"));
}
