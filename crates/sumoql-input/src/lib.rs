//! Reads log files as a stream of records with metadata, fields and a `_raw` text.
//! The records are Windows events (binary `.evtx`, Windows event XML, the JSON of the
//! `evtx` crate, Sumo Logic, NXLog/OTRF and Winlogbeat, Sysmon for Linux in syslog),
//! plain text messages and generic JSON, from plain or compressed files. Queries are not
//! its concern.
//!
//! Every Windows format is parsed into the same [`WindowsEvent`], so a record read from an
//! `.evtx` file and the same record exported as XML or JSON give equal events and equal
//! canonical `_raw` text ([`render_canonical`]).
//!
//! ```no_run
//! use sumoql_input::{Inputs, Item, ReadOptions};
//!
//! let paths = vec![std::path::PathBuf::from("samples/sysmon_sample.xml")];
//! for item in Inputs::open(&paths, ReadOptions::default()) {
//!     match item {
//!         Ok(Item::Record(record)) => println!("{}", record.raw()),
//!         Ok(Item::Malformed(malformed)) => eprintln!("skipped {malformed}"),
//!         Err(error) => eprintln!("{error}"),
//!     }
//! }
//! ```

mod canonical;
mod decompress;
mod detect;
mod error;
mod event;
mod event_xml;
mod evtx;
mod inputs;
mod json;
mod json_stream;
mod origin;
mod plain;
mod prefilter;
mod record;
mod source_rules;
mod sysmon_schema;
mod text;
mod timestamp;
mod walk;
mod xml;

pub use canonical::render_canonical;
pub use detect::detect_format;
pub use error::ReadError;
pub use event::{parse_system_time_ms, WindowsEvent, SYSTEM_FIELDS};
pub use event_xml::render_event_xml;
pub use evtx::EVTX_MAGIC;
pub use inputs::{Inputs, ListedFile, ReadStats};
pub use prefilter::{escape_markers, escapes_may_hide_text, provides_field, searchable_form};
pub use record::{
    category_for_channel, InputFormat, Item, Malformed, Position, RawMode, ReadOptions, Record,
    RecordKind, SourceMetadata, COLLECTOR_NAME, DEFAULT_MAX_RECORD_BYTES,
};
pub use source_rules::{SourceRule, SourceSettings};
pub use walk::total_input_bytes;
