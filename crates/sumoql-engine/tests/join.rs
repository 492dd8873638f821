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

/// Generated rows for three tables, with key values that are equal in
/// different ways: numbers and the texts that read as them, `-0` and `0`,
/// case, whitespace, empty and missing values.
fn generated_rows() -> Vec<TestRecord> {
    const KEYS: [&str; 14] = [
        "1", "1.0", "01", " 1", "-0", "0", "true", "TRUE", "a", "A", "", "2", "2e0", "-",
    ];
    const SIDES: [&str; 3] = ["l", "m", "r"];
    // A linear congruential generator, so the input is the same on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % bound as u64) as usize
    };
    (0..240)
        .map(|id| {
            let time = (next(600) * 1_000).to_string();
            let id = id.to_string();
            let side = SIDES[next(SIDES.len())];
            let key = KEYS[next(KEYS.len())];
            if key == "-" {
                record(&[("_messageTime", &time), ("id", &id), ("side", side)])
            } else {
                record(&[
                    ("_messageTime", &time),
                    ("id", &id),
                    ("side", side),
                    ("k", key),
                ])
            }
        })
        .collect()
}

#[test]
fn hash_join_matches_nested_loops() {
    // The `m` table turns its keys into numbers, so the condition compares
    // numbers with texts too.
    let tables = r#"| id as id | side as side | k as k
        | join (where side="l") as l, (where side="m" | num(k) as k) as m, (where side="r") as r"#;
    let columns = "| fields l_id, m_id, r_id, l_k, m_k, r_k";
    let records = generated_rows();
    for (hashed, looped) in [
        (
            "on l.k = m.k and r.k = m.k",
            "on (l.k = m.k or l.k = m.k) and (r.k = m.k or r.k = m.k)",
        ),
        (
            "on l.k = m.k timewindow 2m",
            "on (l.k = m.k or l.k = m.k) timewindow 2m",
        ),
        (
            "on m.k = l.k and l.k = r.k and r.id > l.id",
            "on (m.k = l.k or m.k = l.k) and (l.k = r.k or l.k = r.k) and r.id > l.id",
        ),
    ] {
        let hashed_rows = rows(&format!("{tables} {hashed} {columns}"), &records);
        let looped_rows = rows(&format!("{tables} {looped} {columns}"), &records);
        assert!(!hashed_rows.is_empty(), "{hashed} joins no rows");
        assert_eq!(hashed_rows, looped_rows, "{hashed}");
    }
}
