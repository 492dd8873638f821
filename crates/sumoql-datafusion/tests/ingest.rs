//! `ingest_parquet` over the bundled samples: the files and folders it writes, and
//! DataFusion reading them back with the same values as the native readers.

mod common;

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use common::{native_records, sample_log, shared_folder};
use datafusion::arrow::array::{Array, Float64Array, StringArray, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use sumoql_datafusion::columns::{is_number_field, record_fields};
use sumoql_datafusion::{ingest_parquet, IngestError, IngestOptions, ReadEvent, SEQUENCE_COLUMN};
use sumoql_input::ReadOptions;

/// What the observer of one ingest saw.
#[derive(Default)]
struct Seen {
    records: u64,
    malformed: Vec<String>,
    unreadable: Vec<String>,
}

fn ingest(paths: &[PathBuf], folder: &Path, settings: &IngestOptions) -> (Seen, IngestReportOr) {
    let mut seen = Seen::default();
    let result = ingest_parquet(paths, ReadOptions::default(), folder, settings, |event| {
        match event {
            ReadEvent::Record(_) => seen.records += 1,
            ReadEvent::Malformed(malformed) => seen.malformed.push(malformed.to_string()),
            ReadEvent::Unreadable(error) => seen.unreadable.push(error.to_string()),
        }
        ControlFlow::Continue(())
    });
    (seen, result)
}

type IngestReportOr = Result<sumoql_datafusion::IngestReport, IngestError>;

/// Lists `folder/day=*/part-*.parquet`, sorted.
fn part_files(folder: &Path) -> Vec<PathBuf> {
    let mut parts = Vec::new();
    for day in std::fs::read_dir(folder).unwrap() {
        for part in std::fs::read_dir(day.unwrap().path()).unwrap() {
            parts.push(part.unwrap().path());
        }
    }
    parts.sort();
    parts
}

/// Reads the ingested folder back with DataFusion's listing table, merging the
/// schemas of its files, in `__sumoql_seq` order.
async fn read_back(folder: &Path) -> Vec<RecordBatch> {
    let context = SessionContext::new();
    let options = ParquetReadOptions::default()
        .table_partition_cols(vec![("day".to_string(), DataType::Utf8)]);
    context
        .register_parquet("logs", folder.to_str().unwrap(), options)
        .await
        .unwrap();
    context
        .sql(&format!("SELECT * FROM logs ORDER BY {SEQUENCE_COLUMN}"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap()
}

/// Returns a column of the batches as text, whatever its string type.
fn text_column(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    let mut values = Vec::new();
    for batch in batches {
        let column = batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name}"));
        let column = cast(column, &DataType::Utf8).unwrap();
        let column = column.as_any().downcast_ref::<StringArray>().unwrap();
        values.extend(
            (0..column.len())
                .map(|row| column.is_valid(row).then(|| column.value(row).to_string())),
        );
    }
    values
}

fn number_column(batches: &[RecordBatch], name: &str) -> Vec<Option<f64>> {
    let mut values = Vec::new();
    for batch in batches {
        let column = batch.column_by_name(name).unwrap();
        let column = column.as_any().downcast_ref::<Float64Array>().unwrap();
        values.extend((0..column.len()).map(|row| column.is_valid(row).then(|| column.value(row))));
    }
    values
}

fn sequence_column(batches: &[RecordBatch]) -> Vec<u64> {
    let mut values = Vec::new();
    for batch in batches {
        let column = batch.column_by_name(SEQUENCE_COLUMN).unwrap();
        let column = column.as_any().downcast_ref::<UInt64Array>().unwrap();
        values.extend(column.values().iter().copied());
    }
    values
}

#[test]
fn samples_ingest_into_day_folders() {
    let folder = tempfile::tempdir().unwrap();
    let (seen, result) = ingest(&[sample_log()], folder.path(), &IngestOptions::default());
    let report = result.unwrap();

    assert_eq!(seen.records, 33);
    assert!(seen.malformed.is_empty(), "{:?}", seen.malformed);
    assert_eq!(report.records_written, 33);
    assert_eq!(report.days, ["2026-03-02", "2026-03-03", "2026-03-04"]);
    // Fewer rows than one batch per day: each day's rows go to one file.
    assert_eq!(report.files_written, 3);
    let day_folders: BTreeSet<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = report.days.iter().map(|day| format!("day={day}")).collect();
    assert_eq!(day_folders, expected);
    let parts = part_files(folder.path());
    assert_eq!(report.files_written, parts.len() as u64);
    let bytes: u64 = parts
        .iter()
        .map(|part| std::fs::metadata(part).unwrap().len())
        .sum();
    assert_eq!(report.bytes_written, bytes);
    assert!(parts.iter().all(|part| {
        let name = part.file_name().unwrap().to_string_lossy();
        name.starts_with("part-") && name.len() == "part-00000.parquet".len()
    }));
}

#[tokio::test]
async fn parquet_reads_back_as_native_values() {
    let folder = tempfile::tempdir().unwrap();
    let (_, result) = ingest(&[sample_log()], folder.path(), &IngestOptions::default());
    result.unwrap();
    let batches = read_back(folder.path()).await;
    let records = native_records(&[sample_log()]);

    let sequences = sequence_column(&batches);
    let expected: Vec<u64> = (0..records.len() as u64).collect();
    assert_eq!(
        sequences, expected,
        "one file, so the sequence is the record index"
    );

    for (row, record) in records.iter().enumerate() {
        for (name, value) in record_fields(record) {
            if name.eq_ignore_ascii_case("_receiptTime") {
                // The native reader stamps each read with the current time.
                continue;
            }
            if is_number_field(&name) {
                let read = number_column(&batches, &name)[row];
                assert_eq!(read, value.parse::<f64>().ok(), "row {row} field {name}");
            } else {
                let read = text_column(&batches, &name)[row].clone();
                assert_eq!(
                    read.as_deref(),
                    Some(value.as_str()),
                    "row {row} field {name}"
                );
            }
        }
    }
    let days = text_column(&batches, "day");
    assert_eq!(days[0].as_deref(), Some("2026-03-02"));
}

#[tokio::test]
async fn schema_merge_reads_missing_columns_as_null() {
    // Sysmon events of different IDs have different EventData fields, so once a few
    // rows are written, a day starts new parts as fields appear.
    let folder = tempfile::tempdir().unwrap();
    let settings = IngestOptions {
        batch_rows: 4,
        ..IngestOptions::default()
    };
    let (_, result) = ingest(&[sample_log()], folder.path(), &settings);
    let report = result.unwrap();
    assert!(
        report.files_written > report.days.len() as u64,
        "expected a day with several parts, got {report:?}"
    );

    let batches = read_back(folder.path()).await;
    let records = native_records(&[sample_log()]);
    // `Image` is missing from network events' schema only when they come first, so
    // check a field that only some events have: `TargetFilename` (file creation).
    let targets = text_column(&batches, "TargetFilename");
    for (row, record) in records.iter().enumerate() {
        let expected = record.event.data_value("TargetFilename");
        assert_eq!(targets[row].as_deref(), expected, "row {row}");
    }
    assert!(targets.iter().any(Option::is_none));
    assert!(targets.iter().any(Option::is_some));
}

#[test]
fn malformed_record_is_reported_and_skipped() {
    let input = tempfile::tempdir().unwrap();
    let lines: Vec<String> = std::fs::read_to_string(sample_log())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let broken = format!(
        "{}\n<Event><System><EventID>1</Even\n{}\n",
        lines[0], lines[1]
    );
    let path = input.path().join("broken.xml");
    std::fs::write(&path, broken).unwrap();

    let folder = tempfile::tempdir().unwrap();
    let (seen, result) = ingest(&[path], folder.path(), &IngestOptions::default());
    let report = result.unwrap();

    assert_eq!(seen.records, 2);
    assert_eq!(seen.malformed.len(), 1, "{:?}", seen.malformed);
    assert!(
        seen.malformed[0].contains("broken.xml: line 2 (byte "),
        "{}",
        seen.malformed[0]
    );
    assert_eq!(report.records_written, 2);
}

#[test]
fn sequence_counts_files_in_reading_order() {
    let input = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(sample_log()).unwrap();
    let first: String = sample
        .lines()
        .take(2)
        .map(|line| format!("{line}\n"))
        .collect();
    let second: String = sample
        .lines()
        .skip(2)
        .take(3)
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(input.path().join("b.xml"), first).unwrap();
    std::fs::write(input.path().join("a.xml"), second).unwrap();

    let folder = tempfile::tempdir().unwrap();
    let (_, result) = ingest(
        &[input.path().to_path_buf()],
        folder.path(),
        &IngestOptions::default(),
    );
    result.unwrap();
    let batches = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(read_back(folder.path()));

    // A folder's files are read by name: a.xml (file 0) before b.xml (file 1).
    let expected = vec![0, 1, 2, 1 << 40, (1 << 40) | 1];
    assert_eq!(sequence_column(&batches), expected);
    let names = text_column(&batches, "_sourceName");
    assert!(names[0].as_deref().unwrap().ends_with("a.xml"));
    assert!(names[4].as_deref().unwrap().ends_with("b.xml"));
}

#[test]
fn records_without_time_go_to_unknown_day() {
    let input = tempfile::tempdir().unwrap();
    let path = input.path().join("plain.log");
    std::fs::write(&path, "no timestamp here\nnor here\n").unwrap();

    let folder = tempfile::tempdir().unwrap();
    let (_, result) = ingest(&[path], folder.path(), &IngestOptions::default());
    let report = result.unwrap();

    // NOTE: a plain text line without a timestamp takes the file's modification time
    // as `_messageTime` when the reader knows it, so this checks whichever applies.
    let records = native_records(&[input.path().join("plain.log")]);
    let expected = match records[0].message_time_ms {
        None => "unknown".to_string(),
        Some(time) => chrono::DateTime::from_timestamp_millis(time)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string(),
    };
    assert_eq!(report.days, [expected]);
}

#[test]
fn non_empty_folder_is_rejected_without_overwrite() {
    let folder = tempfile::tempdir().unwrap();
    let (_, first) = ingest(&[sample_log()], folder.path(), &IngestOptions::default());
    first.unwrap();

    let (_, again) = ingest(&[sample_log()], folder.path(), &IngestOptions::default());
    assert!(matches!(again, Err(IngestError::NotEmpty(_))), "{again:?}");

    let overwrite = IngestOptions {
        overwrite: true,
        ..IngestOptions::default()
    };
    let (_, replaced) = ingest(&[sample_log()], folder.path(), &overwrite);
    assert_eq!(replaced.unwrap().records_written, 33);

    std::fs::write(folder.path().join("notes.txt"), "keep me").unwrap();
    let (_, foreign) = ingest(&[sample_log()], folder.path(), &overwrite);
    assert!(
        matches!(foreign, Err(IngestError::ForeignEntry { .. })),
        "{foreign:?}"
    );
    assert!(folder.path().join("notes.txt").exists());
}

#[test]
fn small_batches_and_file_limit_lose_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let settings = IngestOptions {
        batch_rows: 2,
        row_group_rows: 3,
        max_open_files: 1,
        overwrite: false,
    };
    let (_, result) = ingest(&[sample_log()], folder.path(), &settings);
    let report = result.unwrap();
    assert_eq!(report.records_written, 33);

    let batches = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(read_back(folder.path()));
    let expected: Vec<u64> = (0..33).collect();
    assert_eq!(sequence_column(&batches), expected);
}

#[test]
fn shared_sysmon_ingests_without_loss() {
    let Some(shared) = shared_folder() else {
        return;
    };
    let sysmon = shared.join("data/sysmon");
    if !sysmon.is_dir() {
        common::report_skip(&format!("{} absent", sysmon.display()));
        return;
    }

    let folder = tempfile::tempdir().unwrap();
    let mut read = 0u64;
    let mut skipped = 0u64;
    let result = ingest_parquet(
        &[sysmon],
        ReadOptions::default(),
        folder.path(),
        &IngestOptions::default(),
        |event| {
            match event {
                ReadEvent::Record(_) => read += 1,
                ReadEvent::Malformed(_) => {
                    read += 1;
                    skipped += 1;
                }
                ReadEvent::Unreadable(_) => {}
            }
            ControlFlow::Continue(())
        },
    );
    let report = result.unwrap();

    assert!(read > 0);
    assert_eq!(read, report.records_written + skipped);
    let batches = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let context = SessionContext::new();
        let options = ParquetReadOptions::default()
            .table_partition_cols(vec![("day".to_string(), DataType::Utf8)]);
        context
            .register_parquet("logs", folder.path().to_str().unwrap(), options)
            .await
            .unwrap();
        context
            .sql("SELECT count(*) AS n FROM logs")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap()
    });
    let count = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(count as u64, report.records_written);
}
