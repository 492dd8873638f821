//! Reads log files (binary `.evtx`, Windows event XML, JSON lines) as a stream
//! of records with metadata, read-time fields and a `_raw` text.
//!
//! INTERFACE SKETCH: the types below are the contract the binary codes
//! against; the implementation fills them in.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

/// How a record's `_raw` is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawMode {
    /// The canonical element-per-field rendering of a Windows event.
    #[default]
    Canonical,
    /// The record text as read.
    Original,
}

/// The formats the readers recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    Evtx,
    WindowsXml,
    EvtxJson,
}

#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides the `_sourceCategory` derived from the channel.
    pub category: Option<String>,
    pub raw: RawMode,
}

/// Where a record sits in its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number for text inputs, 1-based record number for `.evtx`.
    pub line_or_record: u64,
    pub byte_offset: u64,
}

/// A parsed Windows event: ordered `<System>` values and `<EventData>` values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowsEvent {
    /// `(name, value)` pairs such as `("EventID", "1")`, `("Computer", "host")`,
    /// `("TimeCreated", "2019-06-20T08:07:42.3318108Z")`, `("Provider", "Microsoft-Windows-Sysmon")`.
    pub system: Vec<(String, String)>,
    /// `(Name, value)` for each `<Data Name='Name'>value</Data>`, values decoded.
    pub data: Vec<(String, String)>,
}

/// One log record.
pub struct Record {
    pub source_name: Arc<str>,
    pub format: InputFormat,
    pub position: Position,
    pub message_time_ms: Option<i64>,
    pub event: WindowsEvent,
    // implementation details: original text, cached canonical _raw, category...
}

impl Record {
    /// Returns a read-time field or metadata value by case-insensitive name:
    /// `_raw`, `_sourceHost`, `_sourceCategory`, `_sourceName`, `_source`,
    /// `_collector`, `_messageTime` (as text), `_receiptTime`, and the System
    /// fields (`EventID`, `Computer`, `Channel`, …).
    pub fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        todo!()
    }
}

/// A record that could not be decoded.
#[derive(Debug, Clone)]
pub struct Malformed {
    pub source_name: Arc<str>,
    pub position: Position,
    pub format: Option<InputFormat>,
    pub reason: String,
}

/// What the input stream yields.
pub enum Item {
    Record(Record),
    Malformed(Malformed),
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
