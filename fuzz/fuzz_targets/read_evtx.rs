//! Feeds `.evtx` data to the reader through `Inputs::from_bytes`. The first
//! byte picks how the rest is used:
//!
//! - 0: the whole file;
//! - 1: a patch on a valid two-record file (two bytes of offset, then the
//!   bytes to write there), so mutations start from a file that parses;
//! - 2: the BinXML of one record, in a valid file header and chunk.
//!
//! Every item is checked as `sumoql_fuzz::read_and_check` describes. The
//! reader turns a panic inside the `evtx` crate's chunk parsing into a
//! malformed item, so the target lets such a panic unwind to that handler
//! and prints the first one. A panic anywhere else still ends the run as a
//! crash.
//!
//! With `SUMOQL_FUZZ_WRITE_SEEDS=DIR` set, the target writes one seed input
//! per mode into DIR when it starts.

#![no_main]

use std::panic::{self, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sumoql_fuzz::evtx_file::{file_with_record, sample_file};
use sumoql_fuzz::read_and_check;
use sumoql_input::ReadOptions;

static SAMPLE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();

fn sample() -> &'static (Vec<u8>, Vec<u8>) {
    SAMPLE.get_or_init(sample_file)
}

fn is_inside_evtx_crate(info: &PanicHookInfo) -> bool {
    info.location().is_some_and(|location| {
        let file = location.file();
        file.contains("/evtx-") && !file.contains("sumoql")
    })
}

fn init() {
    let abort_hook = panic::take_hook();
    static REPORTED: AtomicBool = AtomicBool::new(false);
    panic::set_hook(Box::new(move |info| {
        if !is_inside_evtx_crate(info) {
            abort_hook(info);
            return;
        }
        if !REPORTED.swap(true, Ordering::Relaxed) {
            eprintln!("read_evtx: the evtx crate panicked (the reader reports the chunk as malformed): {info}");
        }
    }));

    if let Some(directory) = std::env::var_os("SUMOQL_FUZZ_WRITE_SEEDS") {
        let (file, binxml) = sample();
        let directory = std::path::PathBuf::from(directory);
        let seeds = [
            ("evtx-file", [&[0u8][..], file].concat()),
            ("evtx-patch", vec![1u8]),
            ("evtx-record", [&[2u8][..], binxml].concat()),
        ];
        for (name, bytes) in seeds {
            std::fs::write(directory.join(name), bytes).expect("failed to write a seed input");
        }
    }
}

fn patched_sample(patch: &[u8]) -> Vec<u8> {
    let mut file = sample().0.clone();
    let Some((offset, bytes)) = patch.split_first_chunk::<2>() else {
        return file;
    };
    // Most of the chunk is free space, so offsets cover only the file
    // header, the chunk header and the first 4 KiB of records, where the
    // sample's records lie.
    let records_end = 4096 + 512 + 4096;
    let offset = usize::from(u16::from_le_bytes(*offset)) % records_end;
    let end = (offset + bytes.len()).min(file.len());
    file[offset..end].copy_from_slice(&bytes[..end - offset]);
    file
}

fuzz_target!(init: init(), |data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let file = match mode % 3 {
        0 => rest.to_vec(),
        1 => patched_sample(rest),
        _ => file_with_record(rest),
    };
    read_and_check(file, ReadOptions::default());
});
