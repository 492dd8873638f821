//! `Record::undecoded_is_well_formed` must agree with `Record::decode` on every record,
//! because a run that counts records without decoding them relies on it.

use std::path::{Path, PathBuf};

use sumoql_input::{Inputs, Item, ReadOptions};

/// Reads `paths` with decoding deferred and compares, for every record the check can
/// judge, its verdict with the decoder's outcome. Returns how many were compared.
fn compare_verdicts(paths: &[PathBuf]) -> usize {
    let options = ReadOptions {
        defer_decoding: true,
        ..ReadOptions::default()
    };
    let mut compared = 0;
    for item in Inputs::open(paths, options) {
        let Ok(Item::Record(record)) = item else {
            continue;
        };
        let position = record.position;
        let source = record.source_name.clone();
        let verdict = record.undecoded_is_well_formed();
        let decoded = record.decode();
        if let Some(well_formed) = verdict {
            let decodes = matches!(decoded, Item::Record(_));
            assert_eq!(
                well_formed, decodes,
                "{source} at {position:?}: check says {well_formed}, decoding gave {decoded:?}"
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn check_agrees_with_decoding_on_sample() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/sysmon_sample.xml");
    assert_eq!(compare_verdicts(&[sample]), 33);
}

#[test]
fn check_agrees_with_decoding_on_broken_lines() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("broken.xml");
    let text = "<Event><System><EventID>1</EventID></System></Event>\n\
                <Event><System><EventID>1</EventID></Sys></Event>\n\
                <Event><System><Provider Name='a' Name='b'/></System></Event>\n\
                <Event><EventData><Data Name='A'>&#0;</Data></EventData></Event>\n\
                <Event><EventData><Data Name='A'>a & b</Data></EventData></Event>\n\
                <Event><EventData><Data Name=A>x</Data></EventData></Event>\n\
                <Event><EventData><Data Name='A'>\u{0}</Data></EventData></Event>\n\
                <Event><EventData><Data Name='A'>x</Data></EventData><Event/></Event>\n";
    std::fs::write(&path, text).unwrap();
    assert_eq!(compare_verdicts(&[path]), 8);
}

#[test]
fn check_agrees_with_decoding_on_shared_data() {
    let shared = match std::env::var_os("SUMOQL_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let sysmon = shared.join("data/sysmon");
    if !sysmon.exists() {
        eprintln!("skipping: {} not found", sysmon.display());
        return;
    }
    assert!(compare_verdicts(&[sysmon]) > 0);
}
