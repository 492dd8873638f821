//! The inputs of a table: which files to read with which settings, and the counts and
//! reports of what reading them found.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sumoql_input::{Inputs, ListedFile, Malformed, ReadError, ReadOptions, Record};

/// An item the readers met, passed to the observer of a [`RecordSource`] as it comes.
pub enum ReadEvent<'a> {
    /// A record was read and decoded.
    Record(&'a Record),
    /// A record could not be decoded and was skipped.
    Malformed(&'a Malformed),
    /// A path or file could not be read, or a file of no recognised format was passed
    /// over (`ReadError::is_skipped_file`).
    Unreadable(&'a ReadError),
}

/// Receives every [`ReadEvent`], from the threads that read the files. Files are read in
/// parallel, so events of different files may interleave.
pub type ReadObserver = Arc<dyn Fn(ReadEvent<'_>) + Send + Sync>;

/// Counts of what the scans of one table read, shared with the caller, which reads them
/// after the run for its summary. Every scan of the table adds to them.
#[derive(Debug, Default)]
pub struct ReadCounters {
    records_processed: AtomicU64,
    records_skipped: AtomicU64,
    unreadable_inputs: AtomicU64,
    skipped_files: AtomicU64,
}

/// A snapshot of [`ReadCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Records read and decoded.
    pub records_processed: u64,
    /// Malformed records, reported and skipped.
    pub records_skipped: u64,
    /// Paths and files that failed to open or read.
    pub unreadable_inputs: u64,
    /// Files of no recognised format passed over while reading a directory or pattern.
    pub skipped_files: u64,
}

impl ReadCounts {
    /// Returns every record read: processed plus skipped, as the native summary counts.
    pub fn records_read(&self) -> u64 {
        self.records_processed + self.records_skipped
    }
}

impl ReadCounters {
    /// Returns the counts so far.
    pub fn snapshot(&self) -> ReadCounts {
        ReadCounts {
            records_processed: self.records_processed.load(Ordering::Relaxed),
            records_skipped: self.records_skipped.load(Ordering::Relaxed),
            unreadable_inputs: self.unreadable_inputs.load(Ordering::Relaxed),
            skipped_files: self.skipped_files.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_record(&self) {
        self.records_processed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_malformed(&self) {
        self.records_skipped.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_error(&self, error: &ReadError) {
        let counter = if error.is_skipped_file() {
            &self.skipped_files
        } else {
            &self.unreadable_inputs
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The error that stops a read under `--strict` at the first malformed record. Its
/// message is the one the native run prints after `sumoql: error: `.
#[derive(Debug, thiserror::Error)]
#[error("malformed record in {0} (stopped by --strict)")]
pub struct StrictMalformed(pub Malformed);

/// The input paths of a table and the settings they are read with.
#[derive(Clone)]
pub struct RecordSource {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) options: ReadOptions,
    pub(crate) strict: bool,
    pub(crate) observer: Option<ReadObserver>,
    pub(crate) counters: Arc<ReadCounters>,
    /// The files some scan has reported on: a plan that scans the table more
    /// than once (one scan per `union` branch) reports each file once.
    pub(crate) reported_files: Arc<std::sync::Mutex<std::collections::HashSet<usize>>>,
}

impl std::fmt::Debug for RecordSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RecordSource")
            .field("paths", &self.paths)
            .field("strict", &self.strict)
            .finish()
    }
}

impl RecordSource {
    /// Prepares to read `paths` (files, directories, glob patterns, `-`) as `sumoql run`
    /// does, with the settings of `options`: the sources file's per-path rules, the
    /// command-line metadata, the input format and the record size limit.
    ///
    /// NOTE: the Field Extraction Rules of the sources file are applied by the binary
    /// (`src/sources.rs`), not here, so their fields are not columns.
    pub fn new(paths: Vec<PathBuf>, mut options: ReadOptions) -> RecordSource {
        // Each partition decodes its own records on its reading thread.
        options.defer_decoding = false;
        RecordSource {
            paths,
            options,
            strict: false,
            observer: None,
            counters: Arc::default(),
            reported_files: Arc::default(),
        }
    }

    /// Makes the first malformed record fail the read with [`StrictMalformed`].
    pub fn strict(mut self, strict: bool) -> RecordSource {
        self.strict = strict;
        self
    }

    /// Passes every record, malformed record and read error to `observer`.
    pub fn observe(mut self, observer: ReadObserver) -> RecordSource {
        self.observer = Some(observer);
        self
    }

    /// Returns the counters that every read of this source adds to.
    pub fn counters(&self) -> Arc<ReadCounters> {
        Arc::clone(&self.counters)
    }

    /// Lists the files behind the paths in reading order. Paths that cannot be listed
    /// are counted and reported to the observer now, ahead of every record.
    pub(crate) fn list_files(&self) -> Vec<ListedFile> {
        let mut files = Vec::new();
        for listed in Inputs::list_files(&self.paths) {
            match listed {
                Ok(file) => files.push(file),
                Err(error) => self.report_error(&error),
            }
        }
        files
    }

    /// Claims the reports of file `index` for the calling scan, and returns
    /// whether it is the first to claim them.
    ///
    /// NOTE: a first scan that stops early (a `limit`) leaves the rest of the
    /// file uncounted, although a later scan may read it all.
    pub(crate) fn claim_reports(&self, index: usize) -> bool {
        self.reported_files
            .lock()
            .expect("reported files lock")
            .insert(index)
    }

    pub(crate) fn report_record(&self, record: &Record) {
        self.counters.count_record();
        if let Some(observer) = &self.observer {
            observer(ReadEvent::Record(record));
        }
    }

    /// Counts and reports a malformed record, or under `--strict` returns the error that
    /// stops the read, without counting it, as the native run does.
    pub(crate) fn report_malformed(&self, malformed: Malformed) -> Result<(), StrictMalformed> {
        if self.strict {
            return Err(StrictMalformed(malformed));
        }
        self.counters.count_malformed();
        if let Some(observer) = &self.observer {
            observer(ReadEvent::Malformed(&malformed));
        }
        Ok(())
    }

    pub(crate) fn report_error(&self, error: &ReadError) {
        self.counters.count_error(error);
        if let Some(observer) = &self.observer {
            observer(ReadEvent::Unreadable(error));
        }
    }
}
