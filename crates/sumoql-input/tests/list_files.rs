//! `Inputs::list_files` lists the files in the order `Inputs::open` reads them, and
//! `Inputs::open_listed` reads each one as that stream does.

use std::path::{Path, PathBuf};

use sumoql_input::{Inputs, Item, ReadOptions};

const EVENT: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2026-03-02T10:00:00.000Z'/><Computer>HOST</Computer></System><EventData><Data Name='Image'>C:\\a.exe</Data></EventData></Event>\n";

fn write(path: &Path, events: usize) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, EVENT.repeat(events)).unwrap();
}

/// Returns the `_sourceName` of every record the stream yields, in order.
fn source_names(items: impl Iterator<Item = Result<Item, sumoql_input::ReadError>>) -> Vec<String> {
    items
        .filter_map(|item| match item {
            Ok(Item::Record(record)) => Some(record.source_name().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn listed_files_follow_reading_order() {
    let folder = tempfile::tempdir().unwrap();
    write(&folder.path().join("logs/b.xml"), 2);
    write(&folder.path().join("logs/a/z.xml"), 1);
    write(&folder.path().join("logs/c.xml"), 1);
    write(&folder.path().join("other/x.xml"), 3);
    let pattern = folder.path().join("other/*.xml");
    let missing = folder.path().join("missing.xml");
    let paths: Vec<PathBuf> = vec![folder.path().join("logs"), missing, pattern];

    let listed = Inputs::list_files(&paths);
    assert_eq!(listed.len(), 5);
    assert!(listed[3].is_err(), "the missing file keeps its place");
    let files: Vec<_> = listed.into_iter().filter_map(Result::ok).collect();
    let names: Vec<PathBuf> = files.iter().map(|file| file.path.clone()).collect();
    assert_eq!(
        names,
        [
            folder.path().join("logs/a/z.xml"),
            folder.path().join("logs/b.xml"),
            folder.path().join("logs/c.xml"),
            folder.path().join("other/x.xml"),
        ]
    );

    let streamed = source_names(Inputs::open(&paths, ReadOptions::default()));
    let mut one_by_one = Vec::new();
    for file in &files {
        one_by_one.extend(source_names(Inputs::open_listed(
            file,
            ReadOptions::default(),
        )));
    }
    assert_eq!(one_by_one, streamed);
    assert_eq!(streamed.len(), 7);
}

#[test]
fn listed_unknown_file_in_folder_is_skipped() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("blob.bin"), [0u8, 1, 2, 3, 0xff, 0xfe]).unwrap();

    let listed = Inputs::list_files(&[folder.path().to_path_buf()]);
    let file = listed.into_iter().next().unwrap().unwrap();
    let items: Vec<_> = Inputs::open_listed(&file, ReadOptions::default()).collect();

    assert_eq!(items.len(), 1);
    let error = items.into_iter().next().unwrap().unwrap_err();
    assert!(error.is_skipped_file(), "{error}");
}
