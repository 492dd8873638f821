//! Writes records to Parquet files, one Hive-style folder per day of `_messageTime`
//! (`DIR/day=YYYY-MM-DD/part-NNNNN.parquet`, UTC), streaming with bounded memory.
//!
//! Each file has the column [`SEQUENCE_COLUMN`](crate::SEQUENCE_COLUMN) and one column
//! per field its records have, as [`record_fields`] lists them. A record with a field
//! the day's open file lacks closes that file, and the next part gets the wider schema.
//! So files of one folder may differ in their columns, and DataFusion's listing table
//! merges their schemas and reads a missing column as null.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt64Array};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::properties::WriterProperties;
use sumoql_input::{Inputs, Item, ReadOptions, Record};

use crate::columns::{
    arrow_field, is_number_field, number_value, record_fields, sequence_field, sequence_number,
};
use crate::source::ReadEvent;

/// The folder of records without a `_messageTime` of their own.
pub const UNKNOWN_DAY: &str = "unknown";

/// Settings of [`ingest_parquet`].
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Rows of one day held in memory before they are encoded into the day's file.
    pub batch_rows: usize,
    /// Rows of one Parquet row group. The writer keeps one row group in memory per open file.
    pub row_group_rows: usize,
    /// Day files kept open at once. Opening another closes the one written least
    /// recently, and a later record of that day starts a new part.
    pub max_open_files: usize,
    /// Delete the `day=*/part-*.parquet` files of an earlier ingest in the folder
    /// instead of rejecting a folder that is not empty.
    pub overwrite: bool,
}

impl Default for IngestOptions {
    fn default() -> IngestOptions {
        IngestOptions {
            batch_rows: 8192,
            row_group_rows: 65_536,
            max_open_files: 16,
            overwrite: false,
        }
    }
}

/// The counts and folders of a finished ingest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub records_written: u64,
    pub files_written: u64,
    /// The size of the Parquet files written, in bytes.
    pub bytes_written: u64,
    /// The day folders written to, sorted, as `YYYY-MM-DD` or [`UNKNOWN_DAY`].
    pub days: Vec<String>,
}

/// An error that stops an ingest.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the output folder {} is not empty; choose an empty folder or pass --overwrite to replace an earlier ingest", .0.display())]
    NotEmpty(PathBuf),
    #[error("the output folder {} contains {}, which --overwrite does not delete; remove it or choose another folder", .folder.display(), .entry.display())]
    ForeignEntry { folder: PathBuf, entry: PathBuf },
    #[error("failed to write {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("failed to write {}: {source}", .path.display())]
    Parquet { path: PathBuf, source: ParquetError },
    #[error("failed to build a batch for {}: {source}", .path.display())]
    Arrow { path: PathBuf, source: ArrowError },
    /// The observer stopped the ingest (under `--strict`).
    #[error("the ingest was stopped")]
    Stopped,
}

/// Reads every record of `paths` in the order `sumoql run` reads them and writes it to
/// Parquet files under `folder`. `observe` receives each record, malformed record and read
/// error as it comes; returning `Break` stops the ingest with [`IngestError::Stopped`],
/// after closing the files written so far.
pub fn ingest_parquet(
    paths: &[PathBuf],
    options: ReadOptions,
    folder: &Path,
    settings: &IngestOptions,
    mut observe: impl FnMut(ReadEvent<'_>) -> ControlFlow<()>,
) -> Result<IngestReport, IngestError> {
    prepare_folder(folder, settings.overwrite)?;
    let mut writer = DayWriters::new(folder, settings);

    let mut file_index = 0u64;
    let result = (|| {
        for listed in Inputs::list_files(paths) {
            let file = match listed {
                Ok(file) => file,
                Err(error) => {
                    if observe(ReadEvent::Unreadable(&error)).is_break() {
                        return Err(IngestError::Stopped);
                    }
                    continue;
                }
            };
            let mut record_index = 0u64;
            for item in Inputs::open_listed(&file, options.clone()) {
                let flow = match &item {
                    Ok(Item::Record(record)) => {
                        let flow = observe(ReadEvent::Record(record));
                        let sequence = sequence_number(file_index, record_index);
                        writer.push(record, sequence)?;
                        record_index += 1;
                        flow
                    }
                    Ok(Item::Malformed(malformed)) => observe(ReadEvent::Malformed(malformed)),
                    Err(error) => observe(ReadEvent::Unreadable(error)),
                };
                if flow.is_break() {
                    return Err(IngestError::Stopped);
                }
            }
            file_index += 1;
        }
        Ok(())
    })();

    let closed = writer.close_all();
    result?;
    closed?;
    Ok(writer.report())
}

/// Creates the output folder, or checks that it is empty, or with `overwrite` deletes
/// the Parquet files of an earlier ingest in it.
fn prepare_folder(folder: &Path, overwrite: bool) -> Result<(), IngestError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IngestError::Io { path, source }
    };
    fs::create_dir_all(folder).map_err(io_error(folder))?;
    let entries: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(io_error(folder))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error(folder))?;
    if entries.is_empty() {
        return Ok(());
    }
    if !overwrite {
        return Err(IngestError::NotEmpty(folder.to_path_buf()));
    }

    // Check everything before deleting anything, so a wrong folder loses no file.
    let mut parts = Vec::new();
    for entry in &entries {
        let foreign = || IngestError::ForeignEntry {
            folder: folder.to_path_buf(),
            entry: entry.clone(),
        };
        let is_day = entry
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("day="));
        if !is_day || !entry.is_dir() {
            return Err(foreign());
        }
        for part in fs::read_dir(entry).map_err(io_error(entry))? {
            let part = part.map_err(io_error(entry))?.path();
            let is_part = part
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("part-") && name.ends_with(".parquet"));
            if !is_part || !part.is_file() {
                return Err(IngestError::ForeignEntry {
                    folder: folder.to_path_buf(),
                    entry: part,
                });
            }
            parts.push(part);
        }
    }
    for part in &parts {
        fs::remove_file(part).map_err(io_error(part))?;
    }
    for entry in &entries {
        fs::remove_dir(entry).map_err(io_error(entry))?;
    }
    Ok(())
}

/// Returns the folder name of a record's day: `YYYY-MM-DD` of its own `_messageTime` in
/// UTC, or [`UNKNOWN_DAY`] for a record without one, whose `_messageTime` column contains
/// its receipt time as in the native engine.
fn day_of(record: &Record) -> String {
    record
        .message_time_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|time| time.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| UNKNOWN_DAY.to_string())
}

/// A record waiting to be written: its sequence number and its values by column index.
struct PendingRow {
    sequence: u64,
    values: Vec<(usize, String)>,
}

/// The file being written for one day, and the rows waiting for it.
struct DayFile {
    /// The field columns of the day's current schema, after the sequence column.
    columns: Vec<Arc<str>>,
    /// Lower-case column name to its index in `columns`.
    index: HashMap<String, usize>,
    rows: Vec<PendingRow>,
    writer: Option<(PathBuf, ArrowWriter<File>)>,
    next_part: u32,
    last_written: u64,
}

/// The open files of every day being written.
struct DayWriters<'a> {
    folder: &'a Path,
    settings: &'a IngestOptions,
    days: HashMap<String, DayFile>,
    /// Lower-case field name to the first spelling met, so every file spells a field
    /// the same way.
    spellings: HashMap<String, Arc<str>>,
    report: IngestReport,
    clock: u64,
}

impl<'a> DayWriters<'a> {
    fn new(folder: &'a Path, settings: &'a IngestOptions) -> DayWriters<'a> {
        DayWriters {
            folder,
            settings,
            days: HashMap::new(),
            spellings: HashMap::new(),
            report: IngestReport::default(),
            clock: 0,
        }
    }

    fn push(&mut self, record: &Record, sequence: u64) -> Result<(), IngestError> {
        let fields = record_fields(record);
        let day = day_of(record);
        self.clock += 1;
        if !self.days.contains_key(&day) {
            self.days.insert(
                day.clone(),
                DayFile {
                    columns: Vec::new(),
                    index: HashMap::new(),
                    rows: Vec::new(),
                    writer: None,
                    next_part: 0,
                    last_written: self.clock,
                },
            );
        }

        let widens = {
            let file = &self.days[&day];
            fields
                .iter()
                .any(|(name, _)| !file.index.contains_key(&name.to_lowercase()))
        };
        if widens {
            // Rows already encoded keep the open file's schema, so that file is finished
            // and the next part gets the wider one. Rows still waiting simply gain the
            // new columns as nulls.
            self.close_day(&day)?;
            let file = self.days.get_mut(&day).expect("the day was just inserted");
            for (name, _) in &fields {
                let lower = name.to_lowercase();
                if file.index.contains_key(&lower) {
                    continue;
                }
                let spelling = self
                    .spellings
                    .entry(lower.clone())
                    .or_insert_with(|| Arc::clone(name));
                file.index.insert(lower, file.columns.len());
                file.columns.push(Arc::clone(spelling));
            }
        }

        let file = self.days.get_mut(&day).expect("the day was just inserted");
        let values = fields
            .into_iter()
            .map(|(name, value)| (file.index[&name.to_lowercase()], value))
            .collect();
        file.rows.push(PendingRow { sequence, values });
        file.last_written = self.clock;
        if file.rows.len() >= self.settings.batch_rows {
            self.flush_day(&day)?;
        }
        Ok(())
    }

    /// Encodes the waiting rows of a day into its current file, opening the next part
    /// when none is open.
    fn flush_day(&mut self, day: &str) -> Result<(), IngestError> {
        let needs_file = {
            let file = &self.days[day];
            !file.rows.is_empty() && file.writer.is_none()
        };
        if needs_file {
            self.make_room()?;
            self.open_part(day)?;
        }
        let file = self.days.get_mut(day).expect("flushed days exist");
        if file.rows.is_empty() {
            return Ok(());
        }
        let (path, writer) = file.writer.as_mut().expect("a part was opened above");
        let batch =
            build_batch(&file.columns, &file.rows).map_err(|source| IngestError::Arrow {
                path: path.clone(),
                source,
            })?;
        writer
            .write(&batch)
            .map_err(|source| IngestError::Parquet {
                path: path.clone(),
                source,
            })?;
        self.report.records_written += file.rows.len() as u64;
        file.rows.clear();
        Ok(())
    }

    /// Closes the file written least recently when the open files reach the limit.
    fn make_room(&mut self) -> Result<(), IngestError> {
        let open = self.days.values().filter(|file| file.writer.is_some());
        if open.count() < self.settings.max_open_files.max(1) {
            return Ok(());
        }
        let oldest = self
            .days
            .iter()
            .filter(|(_, file)| file.writer.is_some())
            .min_by_key(|(_, file)| file.last_written)
            .map(|(day, _)| day.clone());
        match oldest {
            Some(day) => {
                self.flush_day(&day)?;
                self.close_day(&day)
            }
            None => Ok(()),
        }
    }

    fn open_part(&mut self, day: &str) -> Result<(), IngestError> {
        let folder = self.folder.join(format!("day={day}"));
        fs::create_dir_all(&folder).map_err(|source| IngestError::Io {
            path: folder.clone(),
            source,
        })?;
        let file = self.days.get_mut(day).expect("opened days exist");
        let path = folder.join(format!("part-{:05}.parquet", file.next_part));
        file.next_part += 1;

        let output = File::create(&path).map_err(|source| IngestError::Io {
            path: path.clone(),
            source,
        })?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(self.settings.row_group_rows.max(1)))
            .build();
        let writer = ArrowWriter::try_new(output, schema_of(&file.columns), Some(properties))
            .map_err(|source| IngestError::Parquet {
                path: path.clone(),
                source,
            })?;
        file.writer = Some((path, writer));
        if let Err(position) = self
            .report
            .days
            .binary_search_by(|known| known.as_str().cmp(day))
        {
            self.report.days.insert(position, day.to_string());
        }
        Ok(())
    }

    /// Finishes a day's open file, if any, so the next rows of that day go to a new part.
    fn close_day(&mut self, day: &str) -> Result<(), IngestError> {
        let file = self.days.get_mut(day).expect("closed days exist");
        let Some((path, writer)) = file.writer.take() else {
            return Ok(());
        };
        writer.close().map_err(|source| IngestError::Parquet {
            path: path.clone(),
            source,
        })?;
        let size = fs::metadata(&path)
            .map_err(|source| IngestError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        self.report.files_written += 1;
        self.report.bytes_written += size;
        Ok(())
    }

    /// Writes the waiting rows of every day and closes every file, even after an error,
    /// so the files written stay readable. Returns the first error.
    fn close_all(&mut self) -> Result<(), IngestError> {
        let mut days: Vec<String> = self.days.keys().cloned().collect();
        days.sort();
        let mut first_error = None;
        for day in days {
            let result = self.flush_day(&day).and_then(|()| self.close_day(&day));
            if let Err(error) = result {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn report(&self) -> IngestReport {
        self.report.clone()
    }
}

fn schema_of(columns: &[Arc<str>]) -> SchemaRef {
    let mut fields = vec![sequence_field()];
    fields.extend(columns.iter().map(|name| arrow_field(name)));
    Arc::new(Schema::new(fields))
}

/// Builds one batch of a day's waiting rows in the columns of its current schema.
fn build_batch(columns: &[Arc<str>], rows: &[PendingRow]) -> Result<RecordBatch, ArrowError> {
    let sequences: UInt64Array = rows.iter().map(|row| row.sequence).collect();
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(sequences)];

    // Each row lists only the fields it has, so gather them by column first.
    let mut by_column: Vec<Vec<Option<&str>>> = vec![vec![None; rows.len()]; columns.len()];
    for (row_index, row) in rows.iter().enumerate() {
        for (column, value) in &row.values {
            by_column[*column][row_index] = Some(value.as_str());
        }
    }
    for (name, values) in columns.iter().zip(by_column) {
        let array: ArrayRef = if is_number_field(name) {
            let mut builder = Float64Builder::with_capacity(values.len());
            for value in values {
                builder.append_option(value.and_then(number_value));
            }
            Arc::new(builder.finish())
        } else {
            let mut builder = StringBuilder::new();
            for value in values {
                builder.append_option(value);
            }
            Arc::new(builder.finish())
        };
        arrays.push(array);
    }
    RecordBatch::try_new(schema_of(columns), arrays)
}
