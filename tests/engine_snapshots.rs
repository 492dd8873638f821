//! Snapshot tests (insta) of what the engine gives for the shipped detection
//! and of the diagnostics it draws for broken queries. `cargo insta review`
//! shows a changed snapshot; accept it only if the change is intended.

use std::path::PathBuf;

use sumoql_engine::{Execution, Record, ResultTable, Value};
use sumoql_input::{Inputs, Item, ReadOptions};

const SHIPPED_QUERY: &str = include_str!("../queries/t1204_005_malicious_library.sumo");

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/sysmon_sample.xml")
}

/// A reader's record as the engine sees it, as `sumoql run` presents it.
struct Adapter<'r>(&'r sumoql_input::Record);

impl Record for Adapter<'_> {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        let text = self.0.field(lowercase_name)?;
        match lowercase_name {
            "_messagetime" | "_receipttime" | "_size" => Some(
                text.parse::<f64>()
                    .map_or_else(|_| Value::text(text.as_ref()), Value::Number),
            ),
            _ => Some(Value::text(text.as_ref())),
        }
    }
}

fn run(query: &str) -> ResultTable {
    let parsed = sumoql_syntax::parse_query(query)
        .unwrap_or_else(|errors| panic!("parse failed: {errors:?}"));
    let plan = sumoql_engine::compile(&parsed)
        .unwrap_or_else(|errors| panic!("compile failed: {errors:?}"));
    let mut execution = Execution::new(&plan);
    for item in Inputs::open(&[sample()], ReadOptions::default()) {
        if let Ok(Item::Record(record)) = item {
            execution.push(&Adapter(&record));
        }
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

/// Renders a result one row per line, `column=value` pairs, nulls left out.
fn render(table: &ResultTable) -> String {
    let mut text = format!("{} rows\n", table.rows.len());
    for row in &table.rows {
        let cells: Vec<String> = table
            .columns
            .iter()
            .zip(row)
            .filter_map(|(column, value)| value.as_ref().map(|value| format!("{column}={value}")))
            .collect();
        text.push_str(&format!("- {}\n", cells.join(" | ")));
    }
    text
}

/// Every detection row of the shipped query before its final `count by`,
/// newest first as its `sort by _messageTime desc` orders them.
#[test]
fn shipped_query_detections_before_count() {
    let (before_count, _) = SHIPPED_QUERY
        .rsplit_once("| count by")
        .expect("the query ends in count by");
    insta::assert_snapshot!(render(&run(before_count)));
}

/// `EventID` is text, so its groups sort as text: 1, 11, 13, 3, …
#[test]
fn sample_events_by_id() {
    let table = run("_sourceCategory=windows/sysmon | count by EventID | sort by EventID asc");
    insta::assert_snapshot!(render(&table));
}

#[test]
fn branch_2_destinations() {
    let table = run(r#"_sourceCategory=windows/sysmon | where EventID = 3
        | parse "<Image><![CDATA[*]]></Image>" as Image nodrop
        | parse "<DestinationIp>*</DestinationIp>" as DestIP nodrop
        | parse "<DestinationPort>*</DestinationPort>" as DestPort nodrop
        | concat(DestIP, ":", DestPort) as NetworkDest
        | count by Image, NetworkDest | sort by NetworkDest asc"#);
    insta::assert_snapshot!(render(&table));
}

/// The diagnostics of broken queries, as `sumoql run` and `sumoql test` show them.
#[test]
fn diagnostics_of_broken_queries() {
    // (`tests/cli.rs` has the unknown-operator diagnostic.)
    let broken = [
        "* | parse \"<Image>*</Image>\" Image",
        "* | where Image matches \"*\\\\cmd.exe",
        "* | where tolowercas(Image) = \"x\"",
        "* | where concat() = \"x\"",
        "* | union [ * | where EventID = 3",
        "* | count by",
    ];
    let mut text = String::new();
    for query in broken {
        text.push_str(&format!("=== {query}\n"));
        let diagnostics = match sumoql_syntax::parse_query(query) {
            Err(diagnostics) => diagnostics,
            Ok(parsed) => match sumoql_engine::compile(&parsed) {
                Err(diagnostics) => diagnostics,
                Ok(_) => panic!("{query} compiled"),
            },
        };
        for diagnostic in diagnostics {
            text.push_str(&diagnostic.render("<query>", query, false));
        }
    }
    insta::assert_snapshot!(text);
}
