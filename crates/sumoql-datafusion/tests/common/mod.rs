//! Helpers of the DataFusion tests: paths of the samples and the records the native
//! readers give for them.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use sumoql_input::{Inputs, Item, ReadOptions, Record};

/// Returns the repository's root folder.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Returns the path of the bundled sample of 33 Sysmon events.
pub fn sample_log() -> PathBuf {
    repository().join("samples/sysmon_sample.xml")
}

/// Returns the shared sample folder from `SUMOQL_SHARED`, or `../shared` beside the
/// repository, or prints why the test is skipped and returns `None`.
pub fn shared_folder() -> Option<PathBuf> {
    let folder = match std::env::var_os("SUMOQL_SHARED") {
        Some(folder) => PathBuf::from(folder),
        None => repository().join("../shared"),
    };
    if folder.is_dir() {
        Some(folder)
    } else {
        report_skip(&format!(
            "shared sample data absent at {} (set SUMOQL_SHARED to its folder)",
            folder.display()
        ));
        None
    }
}

/// Prints why a test is skipped on the stderr handle, which the test harness does not
/// capture.
pub fn report_skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipping: {reason}");
}

/// Reads every record of `paths` with the native stream, in its order.
pub fn native_records(paths: &[PathBuf]) -> Vec<Record> {
    Inputs::open(paths, ReadOptions::default())
        .filter_map(|item| match item {
            Ok(Item::Record(record)) => Some(record),
            _ => None,
        })
        .collect()
}
