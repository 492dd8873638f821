//! Presents log records to DataFusion: [`RecordTable`] is a table provider over the
//! sumoql readers, and [`ingest_parquet`] writes the records to Parquet files by day.
//! Queries are not its concern.
//!
//! Both follow the column conventions of [`columns`]: one column per field name, Float64
//! for `_messageTime`, `_receiptTime` and `_size`, Utf8 for every other field, all
//! nullable, and the column [`SEQUENCE_COLUMN`] that orders rows as the native engine
//! reads them.

pub mod columns;
mod ingest;
mod source;
mod table;

pub use columns::SEQUENCE_COLUMN;
pub use ingest::{ingest_parquet, IngestError, IngestOptions, IngestReport, UNKNOWN_DAY};
pub use source::{
    ReadCounters, ReadCounts, ReadEvent, ReadObserver, RecordSource, StrictMalformed,
};
pub use table::{RecordScanExec, RecordTable};
