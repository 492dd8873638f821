//! Generates synthetic Sysmon logs with a known number of detections, for sumoql's
//! benchmarks and tests.
//!
//! The generator writes Windows event XML (one `<Event>` per line, as `wevtutil qe /f:xml`
//! prints) or JSON lines in the `evtx` crate's shape. Events come from an invented fleet
//! of workstations, developer machines, build agents and servers, and mix Sysmon event
//! ids 1, 3, 5, 7, 10, 11, 13 and 22 with realistic field values. Rare events fire each
//! branch of `queries/t1204_005_malicious_library.sumo`, and more frequent near misses
//! resemble them without firing. [`Summary`] counts both in each file.
//! The same seed and limit always give the same bytes.

mod builders;
mod catalog;
mod detection;
mod event;
mod fleet;
mod generator;
mod random;
mod scenarios;
mod scene;
mod size;

pub use detection::{detect, Branch};
pub use event::Event;
pub use generator::{
    generate, Config, Format, Generator, Limit, Summary, DEFAULT_DETECTIONS_PER_MILLION,
    DEFAULT_NEAR_MISSES_PER_THOUSAND, DEFAULT_SEED,
};
pub use scenarios::Intent;
pub use size::parse_size;
