//! `RecordTable` under DataFusion: columns, partitions, order, projection, malformed
//! records and `--strict`.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::{native_records, sample_log};
use datafusion::arrow::array::{Array, Float64Array, Int64Array, StringArray, UInt64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::config::SessionConfig;
use datafusion::physical_plan::ExecutionPlanProperties;
use datafusion::prelude::SessionContext;
use sumoql_datafusion::{ReadEvent, RecordSource, RecordTable, StrictMalformed, SEQUENCE_COLUMN};
use sumoql_input::ReadOptions;

fn fields(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

async fn query(
    table: RecordTable,
    sql: &str,
    batch_size: usize,
) -> Result<Vec<RecordBatch>, DataFusionError> {
    let context = SessionContext::new_with_config(SessionConfig::new().with_batch_size(batch_size));
    context.register_table("logs", Arc::new(table))?;
    context.sql(sql).await?.collect().await
}

fn texts(batches: &[RecordBatch], column: usize) -> Vec<Option<String>> {
    let mut values = Vec::new();
    for batch in batches {
        let array = batch
            .column(column)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        values.extend(
            (0..array.len()).map(|row| array.is_valid(row).then(|| array.value(row).to_string())),
        );
    }
    values
}

fn sequences(batches: &[RecordBatch], column: usize) -> Vec<u64> {
    let mut values = Vec::new();
    for batch in batches {
        let array = batch
            .column(column)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .unwrap();
        values.extend(array.values().iter().copied());
    }
    values
}

/// Writes the sample's lines `range` to `folder/name`.
fn write_lines(folder: &std::path::Path, name: &str, range: std::ops::Range<usize>) -> PathBuf {
    let sample = std::fs::read_to_string(sample_log()).unwrap();
    let text: String = sample
        .lines()
        .skip(range.start)
        .take(range.len())
        .map(|line| format!("{line}\n"))
        .collect();
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn schema_has_sequence_and_named_fields() {
    let source = RecordSource::new(vec![sample_log()], ReadOptions::default());
    let table = RecordTable::new(
        source,
        fields(&["_raw", "EventID", "eventid", "_messageTime", "Image"]),
    );
    let schema = datafusion::catalog::TableProvider::schema(&table);

    let names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .collect();
    assert_eq!(
        names,
        [SEQUENCE_COLUMN, "_raw", "EventID", "_messageTime", "Image"]
    );
    assert_eq!(schema.field(0).data_type(), &DataType::UInt64);
    assert!(!schema.field(0).is_nullable());
    assert_eq!(schema.field(3).data_type(), &DataType::Float64);
    assert_eq!(schema.field(4).data_type(), &DataType::Utf8);
    assert!(schema.field(4).is_nullable());
}

#[tokio::test]
async fn scan_returns_native_values_in_order() {
    let source = RecordSource::new(vec![sample_log()], ReadOptions::default());
    let counters = source.counters();
    let table = RecordTable::new(
        source,
        fields(&["_messageTime", "EventID", "image", "_sourceHost"]),
    );
    let sql = format!("SELECT {SEQUENCE_COLUMN}, \"_messageTime\", \"EventID\", image, \"_sourceHost\" FROM logs ORDER BY {SEQUENCE_COLUMN}");
    let batches = query(table, &sql, 4).await.unwrap();
    let records = native_records(&[sample_log()]);

    assert_eq!(sequences(&batches, 0), (0..33).collect::<Vec<u64>>());
    let event_ids = texts(&batches, 2);
    let images = texts(&batches, 3);
    let hosts = texts(&batches, 4);
    let mut row = 0;
    for batch in &batches {
        let times = batch
            .column(1)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        for index in 0..times.len() {
            let record = &records[row];
            assert_eq!(
                times.value(index),
                record.message_time_ms.unwrap() as f64,
                "row {row}"
            );
            row += 1;
        }
    }
    for (row, record) in records.iter().enumerate() {
        assert_eq!(
            event_ids[row].as_deref(),
            record.event.system_value("EventID"),
            "row {row}"
        );
        // The field was named in lower case; the lookup ignores case.
        assert_eq!(
            images[row].as_deref(),
            record.event.data_value("Image"),
            "row {row}"
        );
        assert_eq!(hosts[row].as_deref(), record.source_host(), "row {row}");
    }
    let counts = counters.snapshot();
    assert_eq!(counts.records_processed, 33);
    assert_eq!(counts.records_read(), 33);
}

#[tokio::test]
async fn scan_has_one_partition_per_file() {
    let input = tempfile::tempdir().unwrap();
    write_lines(input.path(), "b.xml", 0..2);
    write_lines(input.path(), "a.xml", 2..5);
    write_lines(input.path(), "c.xml", 5..6);

    let source = RecordSource::new(vec![input.path().to_path_buf()], ReadOptions::default());
    let table = RecordTable::new(source, fields(&["_sourceName"]));
    assert_eq!(table.file_count(), 3);

    let context = SessionContext::new();
    let state = context.state();
    let plan = datafusion::catalog::TableProvider::scan(&table, &state, None, &[], None)
        .await
        .unwrap();
    assert_eq!(plan.output_partitioning().partition_count(), 3);

    let sql =
        format!("SELECT {SEQUENCE_COLUMN}, \"_sourceName\" FROM logs ORDER BY {SEQUENCE_COLUMN}");
    let batches = query(table, &sql, 8192).await.unwrap();
    let expected = vec![0, 1, 2, 1 << 40, (1 << 40) | 1, 2 << 40];
    assert_eq!(sequences(&batches, 0), expected);
    let names = texts(&batches, 1);
    assert!(names[0].as_deref().unwrap().ends_with("a.xml"));
    assert!(names[3].as_deref().unwrap().ends_with("b.xml"));
    assert!(names[5].as_deref().unwrap().ends_with("c.xml"));
}

#[tokio::test]
async fn count_reads_every_record_without_columns() {
    let source = RecordSource::new(vec![sample_log()], ReadOptions::default());
    let table = RecordTable::new(source, fields(&["_raw"]));
    let batches = query(table, "SELECT count(*) FROM logs", 5).await.unwrap();
    let count = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(count, 33);
}

#[tokio::test]
async fn malformed_record_is_reported_and_skipped() {
    let input = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(sample_log()).unwrap();
    let mut lines: Vec<&str> = sample.lines().take(3).collect();
    lines.insert(1, "<Event><System><EventID>1</Even");
    let path = input.path().join("broken.xml");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&reports);
    let source = RecordSource::new(vec![path.clone()], ReadOptions::default()).observe(Arc::new(
        move |event| {
            if let ReadEvent::Malformed(malformed) = event {
                sink.lock().unwrap().push(malformed.to_string());
            }
        },
    ));
    let counters = source.counters();
    let table = RecordTable::new(source, fields(&["EventID"]));
    let batches = query(table, "SELECT \"EventID\" FROM logs", 8192)
        .await
        .unwrap();

    assert_eq!(texts(&batches, 0).len(), 3);
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].contains("broken.xml: line 2 (byte "),
        "{}",
        reports[0]
    );
    let counts = counters.snapshot();
    assert_eq!(counts.records_processed, 3);
    assert_eq!(counts.records_skipped, 1);
    assert_eq!(counts.records_read(), 4);

    let strict = RecordSource::new(vec![path], ReadOptions::default()).strict(true);
    let table = RecordTable::new(strict, fields(&["EventID"]));
    let error = query(table, "SELECT \"EventID\" FROM logs", 8192)
        .await
        .unwrap_err();
    let root = error.find_root();
    let DataFusionError::External(external) = root else {
        panic!("expected the strict error, got {root:?}");
    };
    let strict_error = external
        .downcast_ref::<StrictMalformed>()
        .expect("a StrictMalformed error");
    let message = strict_error.to_string();
    assert!(message.starts_with("malformed record in "), "{message}");
    assert!(message.ends_with("(stopped by --strict)"), "{message}");
}

#[tokio::test]
async fn unreadable_path_is_counted() {
    let missing = PathBuf::from("/nonexistent/sumoql/input.xml");
    let source = RecordSource::new(vec![missing, sample_log()], ReadOptions::default());
    let counters = source.counters();
    let table = RecordTable::new(source, fields(&["EventID"]));
    assert_eq!(table.file_count(), 1);
    let batches = query(table, "SELECT \"EventID\" FROM logs", 8192)
        .await
        .unwrap();
    assert_eq!(texts(&batches, 0).len(), 33);
    assert_eq!(counters.snapshot().unreadable_inputs, 1);
}

#[tokio::test]
async fn all_fields_table_finds_event_data() {
    let source = RecordSource::new(vec![sample_log()], ReadOptions::default());
    let table = RecordTable::with_all_fields(source);
    let schema = datafusion::catalog::TableProvider::schema(&table);
    for name in [
        "_raw",
        "_messageTime",
        "_sourceCategory",
        "EventID",
        "Computer",
        "Image",
        "TargetFilename",
    ] {
        assert!(schema.field_with_name(name).is_ok(), "missing {name}");
    }
}

#[tokio::test]
async fn read_options_set_metadata_columns() {
    let options = ReadOptions {
        host: Some("override-host".to_string()),
        category: Some("test/category".to_string()),
        ..ReadOptions::default()
    };
    let source = RecordSource::new(vec![sample_log()], options);
    let table = RecordTable::new(source, fields(&["_sourceHost", "_sourceCategory"]));
    let sql = "SELECT \"_sourceHost\", \"_sourceCategory\" FROM logs";
    let batches = query(table, sql, 8192).await.unwrap();

    let hosts = texts(&batches, 0);
    let categories = texts(&batches, 1);
    assert_eq!(hosts.len(), 33);
    assert!(hosts
        .iter()
        .all(|host| host.as_deref() == Some("override-host")));
    assert!(categories
        .iter()
        .all(|category| category.as_deref() == Some("test/category")));
}
