//! Reads Windows event logs (binary `.evtx`, Windows event XML, JSON lines) as a stream of
//! records with metadata, System fields and a `_raw` text. Queries are not its concern.
//!
//! Every format is parsed into the same [`WindowsEvent`], so a record read from an `.evtx`
//! file and the same record exported as XML or JSON give equal events and equal canonical
//! `_raw` text ([`render_canonical`]).
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
mod detect;
mod error;
mod event;
mod evtx;
mod inputs;
mod json;
mod origin;
mod record;
mod text;
mod xml;

pub use canonical::render_canonical;
pub use detect::detect_format;
pub use error::ReadError;
pub use event::{parse_system_time_ms, WindowsEvent, SYSTEM_FIELDS};
pub use evtx::EVTX_MAGIC;
pub use inputs::{Inputs, ReadStats};
pub use record::{
    category_for_channel, InputFormat, Item, Malformed, Position, RawMode, ReadOptions, Record,
    COLLECTOR_NAME,
};
