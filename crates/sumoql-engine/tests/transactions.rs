//! `transactionize` and `merge`: rows grouped by any shared field value,
//! and rows reduced to one.

mod support;

use support::{compile_errors, lines, record, run, TestRecord};

/// Mail events: two share a message id, one links that message to a
/// session, one has no partner, one has neither field.
fn mail() -> Vec<TestRecord> {
    [
        ("4000", Some("m1"), None, "delivered"),
        ("1000", Some("m1"), None, "queued"),
        ("2000", Some("m1"), Some("s1"), "accepted"),
        ("3000", None, Some("s1"), "closed"),
        ("5000", Some("m2"), None, "queued"),
        ("6000", None, None, "noise"),
    ]
    .iter()
    .map(|(time, message, session, state)| {
        let mut pairs = vec![("_messageTime", *time), ("state", *state)];
        if let Some(message) = message {
            pairs.push(("message", message));
        }
        if let Some(session) = session {
            pairs.push(("session", session));
        }
        record(&pairs)
    })
    .collect()
}

fn table(query: &str, records: &[TestRecord]) -> String {
    let result = run(query, records);
    let mut text = result.columns.join("|");
    for line in lines(&result) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

#[test]
fn transactionize_groups_transitively() {
    insta::assert_snapshot!(
        table("| transactionize message, session | fields _group, _group_size, _group_duration, state", &mail()),
        @r"
    _group|_group_size|_group_duration|state
    0|4|3000|queued
    0|4|3000|accepted
    0|4|3000|closed
    0|4|3000|delivered
    1|1|0|queued
    "
    );
}

#[test]
fn transactionize_keeps_orphans_on_request() {
    let found = lines(&run(
        "| transactionize message as t keepOrphans=true | fields t, t_orphaned, state",
        &mail(),
    ));
    assert_eq!(found.last().unwrap(), "∅|true|noise");
}

#[test]
fn transactionize_cuts_at_max_pause() {
    let found = lines(&run(
        "| transactionize message maxPause=1500ms | fields _group, state",
        &mail(),
    ));
    // The pause from 2000 to 4000 ends the first transaction of `m1`.
    assert_eq!(
        found,
        vec!["0|queued", "0|accepted", "1|delivered", "2|queued"]
    );
}

#[test]
fn transactionize_with_merge_subquery() {
    insta::assert_snapshot!(
        table(
            r#"| transactionize message, session (merge state join with ", ", message takeFirst, _messageTime takeLast as last_seen)"#,
            &mail(),
        ),
        @r"
    _group|_group_duration|_group_size|state|message|last_seen
    0|3000|4|queued, accepted, closed, delivered|m1|4000
    1|0|1|queued|m2|5000
    "
    );
}

#[test]
fn merge_alone_reduces_rows() {
    let found = lines(&run(
        "| where message=\"m1\" | merge state takeLast, state as states | fields state, states",
        &mail(),
    ));
    assert_eq!(found, vec!["delivered|queued\naccepted\ndelivered"]);
}

#[test]
fn transactionize_rejects_unsupported_options() {
    assert_eq!(
        compile_errors("| transactionize message startsWith=\"LOGIN\""),
        vec!["`transactionize` option `startsWith` is not supported by sumoql yet: parsed, but sumoql cannot run it yet"]
    );
    assert_eq!(
        compile_errors("| transactionize message maxLogs=0"),
        vec!["invalid `transactionize` option `maxLogs`: expected maxSpan=TIME, maxPause=TIME, maxLogs=N or keepOrphans=true|false"]
    );
}

#[test]
fn filter_keeps_top_groups() {
    let records: Vec<TestRecord> = [("a", "5"), ("b", "1"), ("a", "2"), ("c", "9"), ("b", "1")]
        .iter()
        .map(|(host, count)| record(&[("host", host), ("count", count)]))
        .collect();
    let found = lines(&run(
        "| filter host in (sum(count) by host | topk(2, _sum)) | fields host, count",
        &records,
    ));
    // Hosts `c` (9) and `a` (7) have the largest sums.
    assert_eq!(found, vec!["a|5", "a|2", "c|9"]);
}
