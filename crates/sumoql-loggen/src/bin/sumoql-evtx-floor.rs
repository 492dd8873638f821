//! `sumoql-evtx-floor`: decodes `.evtx` files with the `evtx` crate alone and discards the
//! records, to give the time no `.evtx` reader built on that crate can beat.
//!
//! It uses the settings sumoql's reader uses (XML output without indentation, on one
//! thread, because the workspace builds `evtx` without its `multithreading` feature).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use evtx::{EvtxParser, ParserSettings};

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() || paths.iter().any(|path| path == "-h" || path == "--help") {
        eprintln!("usage: sumoql-evtx-floor PATH...\n\nDecodes every record of the .evtx files (directories are read recursively) and prints the counts.");
        return ExitCode::from(2);
    }

    let mut files = Vec::new();
    for path in &paths {
        if let Err(error) = collect_files(path, &mut files) {
            eprintln!(
                "sumoql-evtx-floor: error: failed to read {}: {error}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }

    let started = Instant::now();
    let mut records = 0u64;
    let mut record_errors = 0u64;
    let mut bytes = 0u64;
    for file in &files {
        let parser = match EvtxParser::from_path(file) {
            Ok(parser) => parser,
            Err(error) => {
                eprintln!(
                    "sumoql-evtx-floor: error: failed to open {}: {error}",
                    file.display()
                );
                return ExitCode::from(2);
            }
        };
        bytes += std::fs::metadata(file).map_or(0, |metadata| metadata.len());
        let mut parser = parser.with_configuration(ParserSettings::new().indent(false));
        for record in parser.records() {
            match record {
                Ok(record) => {
                    std::hint::black_box(record.data);
                    records += 1;
                }
                Err(_) => record_errors += 1,
            }
        }
    }

    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "sumoql-evtx-floor: files={} bytes={bytes} records={records} record_errors={record_errors} seconds={seconds:.3} records_per_second={:.0}",
        files.len(),
        records as f64 / seconds.max(1e-9)
    );
    ExitCode::SUCCESS
}

/// Adds `path`, or the files under it when it is a directory, in name order.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        collect_files(&entry, files)?;
    }
    Ok(())
}
