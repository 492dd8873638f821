//! `join`: tables built from the same rows, combined like an inner SQL join.

mod support;

use support::{compile_errors, raw, record, rows, run, TestRecord};

/// Mail log lines: rejections and connections that share a session.
fn mail_log() -> Vec<TestRecord> {
    [
        (1_000, "session=1 cmd=connect from=a.example"),
        (2_000, "session=1 action=reject"),
        (3_000, "session=2 cmd=connect from=b.example"),
        (4_000, "session=3 action=reject"),
        (900_000, "session=3 cmd=connect from=c.example"),
    ]
    .iter()
    .map(|(time, text)| record(&[("_messageTime", &time.to_string()), ("_raw", text)]))
    .collect()
}

const TABLES: &str = r#"| parse "session=* " as session | parse regex "cmd=(?<cmd>\w+)" nodrop
    | parse regex "action=(?<action>\w+)" nodrop | parse regex "from=(?<source>\S+)" nodrop
    | join (where action="reject") as a, (where cmd="connect") as b on a.session=b.session"#;

#[test]
fn join_matches_sessions() {
    let result = run(
        &format!("{TABLES} | fields a_session, a_action, b_source"),
        &mail_log(),
    );
    assert_eq!(result.columns, vec!["a_session", "a_action", "b_source"]);
    insta::assert_snapshot!(support::lines(&result).join("\n"), @r"
    1|reject|a.example
    3|reject|c.example
    ");
}

#[test]
fn join_time_window_limits_pairs() {
    let found = rows(
        &format!("{TABLES} timewindow 1m | fields a_session, b_source"),
        &mail_log(),
    );
    // Session 3's connection comes 15 minutes after its rejection.
    assert_eq!(found, vec!["1|a.example"]);
}

#[test]
fn join_tables_with_aggregates() {
    let records = vec![
        raw("user=ann op=login"),
        raw("user=ann op=read"),
        raw("user=ann op=read"),
        raw("user=bob op=read"),
    ];
    let found = rows(
        r#"| parse "user=* op=*" as user, op
        | join (where op="login" | count by user) as l, (where op="read" | count by user) as r
            on l.user = r.user
        | fields l_user, l__count, r__count"#,
        &records,
    );
    assert_eq!(found, vec!["ann|1|2"]);
}

#[test]
fn join_rejects_invalid_time_window() {
    assert_eq!(
        compile_errors("| join (where a=1) as x, (where a=2) as y on x.a=y.a timewindow 0m"),
        vec!["invalid timewindow: expected a positive time such as `10m`"]
    );
}
