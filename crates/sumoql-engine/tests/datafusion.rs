//! The DataFusion translation against the native engine: each query runs on
//! both over the same in-memory records and must give the same rows in the
//! same order.

#![cfg(feature = "datafusion")]

use std::sync::Arc;

use datafusion::prelude::SessionContext;
use sumoql_engine::compile;
use sumoql_engine::datafusion::translate;
use sumoql_syntax::parse_query;

mod datafusion_fixture;

use datafusion_fixture::*;

#[test]
fn scope_keywords_and_terms() {
    same_on_both("_sourceCategory=windows/sysmon");
    same_on_both("python OR node");
    same_on_both("\"error 42\"");
    same_on_both("_sourceCategory=windows* AND NOT _sourceHost=ws-01");
    same_on_both("_sourceHost!=WS-0?");
}

#[test]
fn parse_with_and_without_nodrop() {
    same_on_both(r#"* | parse "<Image><![CDATA[*]]>" as image | fields image"#);
    same_on_both(
        r#"* | parse "<DestinationPort>*</DestinationPort>" as port nodrop | fields _sourceHost, port"#,
    );
    same_on_both(
        r#"* | parse "<Image><![CDATA[*]]>" as image nodrop | parse "<DestinationPort>*</DestinationPort>" as port | fields image, port"#,
    );
    same_on_both(
        r#"* | parse regex "Computer>(?<computer>[^<]+)<" | parse regex "Port>(?<p>\d+)<" nodrop | fields computer, p"#,
    );
}

#[test]
fn where_conditions_and_functions() {
    same_on_both(r#"* | where image matches "*\\cmd.exe" or image matches "*\\certutil.exe""#);
    same_on_both(r#"* | where !(image matches "*python*") | fields image"#);
    same_on_both(r#"* | where num(DestinationPort) > 1000 | fields _sourceHost, DestinationPort"#);
    same_on_both(r#"* | where EventID = 1 and User matches "CORP*" | count by User"#);
    same_on_both(
        r#"* | "T1204.005" as technique | concat(_sourceHost, ":", EventID) as key | fields technique, key"#,
    );
    same_on_both(
        r#"* | if(EventID in ("1", "3"), "process or network", "other") as kind | fields kind"#,
    );
    same_on_both(
        r#"* | toLowerCase(_sourceHost) as host | replace(CommandLine, /\s+/, " ") as cmd | fields host, cmd"#,
    );
    same_on_both(r#"* | where CommandLine matches /.*-(enc|urlcache).*/ | fields CommandLine"#);
    same_on_both(
        r#"* | num(DestinationPort) * 2 + 1 as doubled | where isNull(DestinationPort) or doubled > 900 | fields doubled"#,
    );
}

#[test]
fn fields_union_sort_and_limit() {
    same_on_both(r#"* | fields _sourceHost, EventID as id"#);
    same_on_both(r#"* | sort by _sourceHost asc, EventID"#);
    same_on_both(r#"* | sort by num(DestinationPort) | fields DestinationPort, _sourceHost"#);
    same_on_both(r#"* | limit 3"#);
    same_on_both(r#"* | sort by _messageTime | limit 2 | fields _sourceHost"#);
    let union = same_on_both(
        r#"_sourceCategory=windows/sysmon | where EventID = 1 | "process" as kind
           | union [ python | where EventID = 3 | "network" as kind ]
           | fields _sourceHost, kind"#,
    );
    assert_eq!(union.rows.len(), 5, "four process rows and one network row");
}

#[test]
fn aggregates() {
    same_on_both("* | count");
    let hosts = same_on_both("* | count by _sourceHost");
    assert_eq!(
        hosts.rows.len(),
        8,
        "five Sysmon and text hosts and srv-0 to srv-2"
    );
    same_on_both("* | count by _sourceHost, EventID | sort by _count desc, _sourceHost");
    same_on_both("* | sum(DestinationPort), avg(DestinationPort), min(DestinationPort), max(DestinationPort) by _sourceHost");
    same_on_both("* | count_distinct(Image) as images, count(User) by EventID");
    same_on_both("* | values(_sourceHost), first(EventID), last(EventID) by User");
    same_on_both("* | most_recent(Image), least_recent(Image) by _sourceCategory");
    same_on_both("* | pct(DestinationPort, 50), pct(DestinationPort, 90), stddev(DestinationPort)");
    same_on_both("* | sort by _sourceHost | first(_sourceHost) as host, last(Image) by EventID");
    same_on_both("nothing_matches_this | count");
    same_on_both("nothing_matches_this | count by _sourceHost");
}

#[test]
fn extractions_and_timeslice() {
    same_on_both(
        r#"* | parse "<Computer>*</Computer>" as host, "<EventID>*</EventID>" as id | fields host, id"#,
    );
    same_on_both(r#"* | parse xml "/Event/EventID" as id nodrop | count by id"#);
    same_on_both(r#"* | keyvalue "error" as code nodrop | fields code"#);
    same_on_both(
        r#"* | split CommandLine delim=' ' extract 1 as program, 2 as first | fields program, first"#,
    );
    same_on_both(r#"* | csv CommandLine extract 1 as whole | fields whole"#);
    same_on_both(r#"* | json field=_raw "a" as a nodrop | fields a"#);
    same_on_both(r#"* | timeslice 2m | count by _timeslice | sort by _timeslice"#);
    same_on_both(r#"* | timeslice 1h as hour | count by hour, _sourceHost"#);
}

#[test]
fn row_holding_stages() {
    let top = same_on_both("* | top 3 _sourceHost by _messageTime");
    assert_eq!(top.rows.len(), 3);
    same_on_both("* | count by _sourceHost | top 2 _sourceHost by _count");
    same_on_both("* | count_frequent EventID");
    same_on_both("* | count by _sourceHost, EventID | topk(1, _count) by _sourceHost");
    same_on_both("* | dedup by _sourceHost | fields _sourceHost, EventID");
    let series = same_on_both(
        "* | timeslice 1m | count by _timeslice | accum _count as running | total _count as all",
    );
    assert!(series.rows.len() > 5, "{series:?}");
    same_on_both("* | timeslice 1m | count by _timeslice, _sourceHost | fillmissing timeslice(1m), values(\"ws-01\", \"ws-02\") in _sourceHost");
    same_on_both("* | timeslice 1m | count by _timeslice | sort by _timeslice | smooth _count, 2 | diff _count");
    same_on_both("* | where EventID = 1 | limit 10 | dedup 1 by User");
    // fillmissing takes the aggregate's result fields from the stages before
    // it, and fills them with 0.
    let filled =
        same_on_both("* | count by EventID | fillmissing values(\"1\", \"3\", \"99\") in EventID");
    assert!(filled
        .rows
        .iter()
        .any(|row| row.contains(&Some(sumoql_engine::Value::Number(0.0)))));
}

#[test]
fn parse_regex_multi_gives_a_row_per_match() {
    let matches = same_on_both(
        r#"* | parse regex field=_raw "<(?<tag>[A-Za-z]+)>" multi | count by tag | sort by _count desc, tag"#,
    );
    assert!(matches.rows.len() > 3, "{matches:?}");
    same_on_both(r#"* | parse regex "(?<word>[a-z]+) " multi nodrop | fields _sourceHost, word"#);
    same_on_both(r#"* | parse regex "Port>(?<port>\d+)<" multi | fields port"#);
}

#[test]
fn released_rows_follow_streamed_rows() {
    // The native engine releases held rows when the run ends, stage by
    // stage, after the rows that streamed through a later union.
    same_on_both("* | count by EventID | union [ * | count by _sourceHost ]");
    same_on_both(
        "* | sort by EventID | union [ * | where EventID = 1 ] | fields EventID, _sourceHost",
    );
    same_on_both(
        "* | where EventID = 3 | union [ * | count by User ] | fields _sourceHost, User, _count",
    );
}

#[test]
fn untranslatable_operators_are_named() {
    let query =
        parse_query("* | count by _sourceHost, EventID | transpose row _sourceHost column EventID")
            .expect("parses");
    let plan = compile(&query).expect("compiles");
    let context = SessionContext::new();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let scan = runtime.block_on(async {
        context
            .register_table("logs", Arc::new(table(&records())))
            .expect("register");
        context
            .table("logs")
            .await
            .expect("table")
            .into_unoptimized_plan()
    });
    let error = translate(&plan, scan).expect_err("transpose is not translated");
    assert_eq!(error.message, "`transpose` cannot run on DataFusion yet");
}
