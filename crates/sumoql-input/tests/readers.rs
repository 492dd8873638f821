//! Reads the hand-written fixtures in `tests/data`, the sample in `samples/`, and files
//! made on the fly, through the public `Inputs` stream.

use std::fs;
use std::path::{Path, PathBuf};

use sumoql_input::{
    render_canonical, InputFormat, Inputs, Item, Malformed, RawMode, ReadError, ReadOptions,
    Record, RecordKind,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/sysmon_sample.xml")
}

/// Everything one read yields, split by kind, in order.
#[derive(Default)]
struct Outcome {
    records: Vec<Record>,
    malformed: Vec<Malformed>,
    errors: Vec<ReadError>,
    /// `R`, `M` or `E` per item, to check how kinds interleave.
    sequence: String,
}

fn read_with(paths: &[PathBuf], options: ReadOptions) -> Outcome {
    let mut outcome = Outcome::default();
    for item in Inputs::open(paths, options) {
        match item {
            Ok(Item::Record(record)) => {
                outcome.sequence.push('R');
                outcome.records.push(record);
            }
            Ok(Item::Malformed(malformed)) => {
                outcome.sequence.push('M');
                outcome.malformed.push(malformed);
            }
            Err(error) => {
                outcome.sequence.push('E');
                outcome.errors.push(error);
            }
        }
    }
    outcome
}

fn read(paths: &[PathBuf]) -> Outcome {
    read_with(paths, ReadOptions::default())
}

fn field(record: &Record, name: &str) -> String {
    record
        .field(name)
        .map(|value| value.into_owned())
        .unwrap_or_default()
}

fn write_file(directory: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = directory.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, content).unwrap();
    path
}

/// Formats one Sysmon event as a wevtutil-style line, with `quote` around attribute values.
fn event_line(quote: char, record_id: u32, image: &str) -> String {
    format!(
        "<Event xmlns={q}http://schemas.microsoft.com/win/2004/08/events/event{q}><System>\
         <Provider Name={q}Microsoft-Windows-Sysmon{q}/><EventID>1</EventID>\
         <TimeCreated SystemTime={q}2026-01-15T12:00:00.0000000Z{q}/>\
         <EventRecordID>{record_id}</EventRecordID><Execution ProcessID={q}10{q} ThreadID={q}11{q}/>\
         <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>QA-VM01</Computer>\
         <Security UserID={q}S-1-5-18{q}/></System><EventData><Data Name={q}Image{q}>{image}</Data>\
         </EventData></Event>\n",
        q = quote
    )
}

#[test]
fn stream_and_records_cross_threads() {
    fn assert_send<T: Send>() {}
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send::<Inputs>();
    assert_send_sync::<Record>();
}

#[test]
fn document_with_bom_and_crlf() {
    let outcome = read(&[fixture("events_document.xml")]);
    assert!(outcome.errors.is_empty());
    assert!(outcome.malformed.is_empty());
    assert_eq!(outcome.records.len(), 4);

    let lines: Vec<u64> = outcome
        .records
        .iter()
        .map(|record| record.position.line_or_record)
        .collect();
    assert_eq!(lines, vec![3, 32, 52, 74]);
    // BOM (3) + declaration line (40) + `<Events>` line (10) + indentation (2).
    assert_eq!(outcome.records[0].position.byte_offset, 55);
    assert!(outcome
        .records
        .iter()
        .all(|record| record.format == InputFormat::WindowsXml));
    assert_eq!(field(&outcome.records[0], "_source"), "windows-xml");
}

#[test]
fn document_entities_are_decoded() {
    let outcome = read(&[fixture("events_document.xml")]);
    let event = &outcome.records[0].event;
    assert_eq!(
        event.data_value("Image"),
        Some("C:\\Tools\\a&b\\runner.exe")
    );
    assert_eq!(
        event.data_value("CommandLine"),
        Some("runner.exe --expr \"x < 3 && y > 1\" --tail ]]> done")
    );
    assert_eq!(
        event.data_value("ParentCommandLine"),
        Some("cmd.exe /c \"echo one\r\ntwo\"")
    );
}

#[test]
fn json_lines_match_the_document() {
    let from_xml = read(&[fixture("events_document.xml")]);
    let from_json = read(&[fixture("events.jsonl")]);
    assert!(from_json.errors.is_empty());
    assert!(from_json.malformed.is_empty());
    assert_eq!(from_json.records.len(), from_xml.records.len());

    for (xml, json) in from_xml.records.iter().zip(&from_json.records) {
        assert_eq!(json.format, InputFormat::EvtxJson);
        assert_eq!(xml.event, json.event);
        assert_eq!(xml.raw(), json.raw());
        assert_eq!(xml.message_time_ms, json.message_time_ms);
    }

    let lines: Vec<u64> = from_json
        .records
        .iter()
        .map(|record| record.position.line_or_record)
        .collect();
    assert_eq!(lines, vec![1, 2, 4, 5], "the blank third line is skipped");
    assert_eq!(field(&from_json.records[0], "_source"), "evtx-json");
}

#[test]
fn json_numbers_and_booleans_render_as_text() {
    let outcome = read(&[fixture("events.jsonl")]);
    let event = &outcome.records[1].event;
    assert_eq!(event.data_value("Initiated"), Some("true"));
    assert_eq!(event.data_value("DestinationPort"), Some("4444"));
    assert_eq!(event.system_value("EventRecordID"), Some("502"));
}

#[test]
fn canonical_raw_splits_cdata_end() {
    let outcome = read(&[fixture("events_document.xml")]);
    let raw = outcome.records[0].raw();
    assert!(
        raw.contains("<CommandLine><![CDATA[runner.exe --expr \"x < 3 && y > 1\" --tail ]]]]><![CDATA[> done]]></CommandLine>"),
        "{raw}"
    );
}

#[test]
fn canonical_raw_of_fixture_records() {
    let outcome = read(&[fixture("events_document.xml")]);
    for (index, record) in outcome.records.iter().enumerate() {
        // The rendering is one line except for line breaks inside values; writing them as
        // escapes keeps the snapshot files free of CR characters.
        let escaped_raw = record.raw().replace('\r', "\\r").replace('\n', "\\n");
        insta::assert_snapshot!(format!("fixture_record_{}", index + 1), escaped_raw);
    }
}

#[test]
fn missing_system_values_are_omitted() {
    let outcome = read(&[fixture("events_document.xml")]);
    let network = &outcome.records[1];
    let names: Vec<&str> = network
        .event
        .system
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "Provider",
            "EventID",
            "Version",
            "TimeCreated",
            "EventRecordID",
            "ProcessID",
            "Channel",
            "Computer"
        ]
    );
    assert!(network.raw().contains("<Execution ProcessID=\"2840\"/>"));
    assert!(!network.raw().contains("<Security"));
    assert!(!network.raw().contains("<Level>"));
    assert_eq!(network.field("UserID"), None);
    assert_eq!(network.field("ThreadID"), None);
}

#[test]
fn endpoint_fields_render_as_text() {
    let outcome = read(&[fixture("events_document.xml")]);
    let raw = outcome.records[1].raw();
    assert!(
        raw.contains("<DestinationIp>203.0.113.9</DestinationIp>"),
        "{raw}"
    );
    assert!(
        raw.contains("<DestinationPort>4444</DestinationPort>"),
        "{raw}"
    );
    assert!(
        raw.contains("<DestinationHostname>x&amp;y.test.example</DestinationHostname>"),
        "{raw}"
    );
    assert!(
        raw.contains("<Initiated><![CDATA[true]]></Initiated>"),
        "{raw}"
    );
    assert!(
        raw.contains("<Process_Id><![CDATA[]]></Process_Id>"),
        "{raw}"
    );
}

#[test]
fn unnamed_data_is_numbered() {
    let outcome = read(&[fixture("events_document.xml")]);
    let powershell = &outcome.records[3].event;
    let expected = vec![
        ("Data1".to_string(), "Stopped".to_string()),
        ("Data2".to_string(), "Available".to_string()),
    ];
    assert_eq!(powershell.data, expected);
}

#[test]
fn source_category_from_channel() {
    let outcome = read(&[fixture("events_document.xml")]);
    let categories: Vec<String> = outcome
        .records
        .iter()
        .map(|record| field(record, "_sourceCategory"))
        .collect();
    assert_eq!(
        categories,
        vec![
            "windows/sysmon",
            "windows/sysmon",
            "windows/security",
            "windows/windows_powershell"
        ]
    );
}

#[test]
fn source_category_option_overrides() {
    let options = ReadOptions {
        category: Some("lab/sysmon-replay".to_string()),
        raw: RawMode::Canonical,
        ..ReadOptions::default()
    };
    let outcome = read_with(&[fixture("events_document.xml")], options);
    assert!(outcome
        .records
        .iter()
        .all(|record| field(record, "_sourceCategory") == "lab/sysmon-replay"));
}

#[test]
fn metadata_fields_of_a_record() {
    let path = fixture("events_document.xml");
    let outcome = read(std::slice::from_ref(&path));
    let record = &outcome.records[0];

    // 2026-02-10T16:20:05.1239999Z, sub-millisecond digits truncated.
    assert_eq!(record.message_time_ms, Some(1_770_740_405_123));
    assert_eq!(field(record, "_messageTime"), "1770740405123");
    assert_eq!(field(record, "_sourceHost"), "QA-VM03.test.example");
    assert_eq!(field(record, "_sourceName"), path.display().to_string());
    assert_eq!(field(record, "_collector"), "sumoql");
    assert_eq!(field(record, "eventid"), "1");
    assert_eq!(field(record, "Provider"), "Microsoft-Windows-Sysmon");
    assert_eq!(field(record, "UserID"), "S-1-5-18");
    assert_eq!(record.field("Image"), None, "EventData is not a field");
    assert_eq!(field(record, "_size"), record.original().len().to_string());
    assert!(record.original().starts_with("<Event xmlns="));
    assert!(record.original().ends_with("</Event>"));
}

#[test]
fn original_raw_mode_keeps_text() {
    let options = ReadOptions {
        category: None,
        raw: RawMode::Original,
        ..ReadOptions::default()
    };
    let outcome = read_with(&[sample_path()], options);
    let first_line = fs::read_to_string(sample_path()).unwrap();
    let first_line = first_line.lines().next().unwrap();
    assert_eq!(outcome.records[0].raw(), first_line);
    assert_eq!(field(&outcome.records[0], "_raw"), first_line);
}

#[test]
fn bom_counts_in_first_line_offset() {
    let directory = tempfile::tempdir().unwrap();
    let text = format!("\u{FEFF}{}", event_line('\'', 1, "C:\\a.exe"));
    let path = write_file(directory.path(), "bom.xml", text.as_bytes());

    let outcome = read(&[path]);
    assert_eq!(outcome.records.len(), 1);
    assert_eq!(outcome.records[0].position.line_or_record, 1);
    assert_eq!(outcome.records[0].position.byte_offset, 3);
    assert!(outcome.records[0].original().starts_with("<Event"));
}

#[test]
fn single_and_double_quotes_agree() {
    let directory = tempfile::tempdir().unwrap();
    let single = write_file(
        directory.path(),
        "single.xml",
        event_line('\'', 1, "C:\\a.exe").as_bytes(),
    );
    let double = write_file(
        directory.path(),
        "double.xml",
        event_line('"', 1, "C:\\a.exe").as_bytes(),
    );

    let from_single = read(&[single]);
    let from_double = read(&[double]);
    assert_eq!(from_single.records.len(), 1);
    assert_eq!(from_double.records.len(), 1);
    assert_eq!(from_single.records[0].event, from_double.records[0].event);
    assert_eq!(
        from_single.records[0].event.system_value("ThreadID"),
        Some("11")
    );
}

#[test]
fn broken_line_is_counted_and_reading_goes_on() {
    let path = fixture("broken_line.xml");
    let mut inputs = Inputs::open(std::slice::from_ref(&path), ReadOptions::default());
    let mut sequence = String::new();
    let mut malformed = Vec::new();
    for item in &mut inputs {
        match item.unwrap() {
            Item::Record(_) => sequence.push('R'),
            Item::Malformed(item) => {
                sequence.push('M');
                malformed.push(item);
            }
        }
    }

    assert_eq!(sequence, "RRMRR");
    assert_eq!(malformed[0].position.line_or_record, 3);
    assert_eq!(malformed[0].position.byte_offset, 824);
    assert_eq!(malformed[0].format, Some(InputFormat::WindowsXml));
    assert_eq!(&*malformed[0].source_name, path.display().to_string());
    assert!(
        malformed[0].reason.contains("</Dat>"),
        "{}",
        malformed[0].reason
    );
    assert_eq!(inputs.stats().records, 4);
    assert_eq!(inputs.stats().malformed, 1);
}

#[test]
fn bytes_in_memory_read_like_the_file() {
    for name in ["broken_line.xml", "events_document.xml", "events.jsonl"] {
        let path = fixture(name);
        let from_file = read(std::slice::from_ref(&path));

        let bytes = fs::read(&path).unwrap();
        let source_name = path.display().to_string();
        let mut inputs = Inputs::from_bytes(&source_name, bytes, ReadOptions::default());
        let mut records = Vec::new();
        let mut malformed = Vec::new();
        for item in &mut inputs {
            match item.unwrap() {
                Item::Record(record) => records.push(record),
                Item::Malformed(item) => malformed.push(item),
            }
        }

        let raw = |records: &[Record]| -> Vec<String> {
            records
                .iter()
                .map(|record| record.raw().to_string())
                .collect()
        };
        assert_eq!(raw(&records), raw(&from_file.records), "{name}");
        assert_eq!(malformed.len(), from_file.malformed.len(), "{name}");
        for (memory, file) in malformed.iter().zip(&from_file.malformed) {
            assert_eq!(memory.position, file.position, "{name}");
            assert_eq!(memory.source_name, file.source_name, "{name}");
        }
        assert_eq!(inputs.stats().records, records.len() as u64, "{name}");
        assert_eq!(inputs.stats().malformed, malformed.len() as u64, "{name}");
        assert_eq!(inputs.stats().errors, 0, "{name}");
    }
}

#[test]
fn bytes_in_memory_truncated_evtx_header() {
    let mut bytes = sumoql_input::EVTX_MAGIC.to_vec();
    bytes.extend_from_slice(&[0; 40]);
    let items: Vec<_> = Inputs::from_bytes("cut.evtx", bytes, ReadOptions::default()).collect();

    assert_eq!(items.len(), 1);
    let Err(error) = &items[0] else {
        panic!("expected an error, got {:?}", items[0]);
    };
    assert!(matches!(error, ReadError::InvalidEvtx { .. }), "{error}");
    assert_eq!(error.path(), Path::new("cut.evtx"));
}

#[test]
fn invalid_json_line_is_malformed() {
    let directory = tempfile::tempdir().unwrap();
    let good = "{\"Event\":{\"System\":{\"EventID\":1}}}\n";
    let text = format!("{good}{{\"Event\": {{\"System\"\n{good}[1, 2]\n");
    let path = write_file(directory.path(), "events.jsonl", text.as_bytes());

    let outcome = read(&[path]);
    assert_eq!(outcome.sequence, "RMRM");
    assert_eq!(outcome.malformed[0].position.line_or_record, 2);
    assert!(outcome.malformed[0].reason.starts_with("invalid JSON"));
    assert_eq!(outcome.malformed[1].position.line_or_record, 4);
}

#[test]
fn empty_and_blank_files_yield_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let empty = write_file(directory.path(), "empty.xml", b"");
    let blank = write_file(directory.path(), "blank.xml", b" \r\n\t\n");
    let bom_only = write_file(directory.path(), "bom.xml", b"\xEF\xBB\xBF\r\n");

    let outcome = read(&[empty, blank, bom_only]);
    assert_eq!(outcome.sequence, "");
}

#[test]
fn binary_content_is_an_error_naming_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let binary = write_file(
        directory.path(),
        "junk.bin",
        &[0u8, 159, 146, 150, 1, 2, 3, 0, 0],
    );
    let good = write_file(
        directory.path(),
        "good.xml",
        event_line('\'', 1, "C:\\a.exe").as_bytes(),
    );

    let outcome = read(&[binary.clone(), good]);
    assert_eq!(outcome.sequence, "ER");
    assert!(matches!(&outcome.errors[0], ReadError::UnknownFormat { path, .. } if *path == binary));
    let message = outcome.errors[0].to_string();
    assert!(message.contains("junk.bin"), "{message}");
    assert!(message.contains("binary data"), "{message}");
}

#[test]
fn binary_files_in_a_directory_are_skipped() {
    let directory = tempfile::tempdir().unwrap();
    write_file(directory.path(), "a.bin", &[0u8, 1, 2, 3]);
    write_file(directory.path(), "b.zip", b"PK\x03\x04\x14\x00\x00\x00");
    write_file(directory.path(), "c.log", b"one line\n");

    let mut inputs = Inputs::open(&[directory.path().to_path_buf()], ReadOptions::default());
    let items: Vec<_> = inputs.by_ref().collect();
    assert_eq!(items.len(), 3);
    for (index, name) in ["a.bin", "b.zip"].into_iter().enumerate() {
        let Err(error) = &items[index] else {
            panic!("expected {name} to be skipped");
        };
        assert!(error.is_skipped_file(), "{error}");
        assert!(error.to_string().contains(name), "{error}");
    }
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("zip archive"));
    assert_eq!(inputs.stats().skipped_files, 2);
    assert_eq!(inputs.stats().errors, 0);
    assert_eq!(inputs.stats().records, 1);
}

#[test]
fn other_text_is_plain_text() {
    let directory = tempfile::tempdir().unwrap();
    let csv = write_file(directory.path(), "table.csv", b"host,event\nQA-VM01,1\n");

    let outcome = read(&[csv]);
    assert_eq!(outcome.sequence, "RR");
    assert_eq!(outcome.records[0].raw(), "host,event");
    assert_eq!(outcome.records[0].kind, RecordKind::Text);
    assert_eq!(field(&outcome.records[1], "_source"), "text");
}

#[test]
fn junk_in_xml_does_not_stop_reading() {
    let directory = tempfile::tempdir().unwrap();
    let mut text = event_line('\'', 1, "C:\\a.exe").into_bytes();
    text.extend_from_slice(b"\0\0\0 binary \xFF\xFE junk\n");
    text.extend_from_slice(b"<Event><System><EventID>2</EventID>\0</System></Event>\n");
    text.extend_from_slice(event_line('\'', 3, "C:\\c.exe").as_bytes());
    text.extend_from_slice(b"<Event><System>");
    let path = write_file(directory.path(), "mixed.xml", &text);

    let outcome = read(&[path]);
    assert_eq!(outcome.errors.len(), 0);
    assert_eq!(outcome.records.len(), 3, "{:?}", outcome.malformed);
    assert_eq!(outcome.sequence, "RMRRM");
    assert_eq!(outcome.malformed[0].position.line_or_record, 2);
    assert_eq!(outcome.malformed[1].position.line_or_record, 5);
}

#[test]
fn missing_path_is_io_error() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("does-not-exist.evtx");
    let good = write_file(
        directory.path(),
        "good.xml",
        event_line('\'', 1, "C:\\a.exe").as_bytes(),
    );

    let mut inputs = Inputs::open(&[missing.clone(), good], ReadOptions::default());
    let first = inputs.next().unwrap();
    match first {
        Err(ReadError::Io { path, source }) => {
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    let message = ReadError::Io {
        path: missing.clone(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    }
    .to_string();
    assert!(message.contains("does-not-exist.evtx"), "{message}");

    assert!(matches!(inputs.next(), Some(Ok(Item::Record(_)))));
    assert!(inputs.next().is_none());
    assert_eq!(inputs.stats().errors, 1);
    assert_eq!(inputs.stats().records, 1);
}

#[test]
fn directories_are_read_recursively_in_name_order() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path();
    write_file(root, "b.xml", event_line('\'', 2, "b").as_bytes());
    write_file(root, "a/z.xml", event_line('\'', 1, "a/z").as_bytes());
    write_file(
        root,
        "a/inner/y.xml",
        event_line('\'', 0, "a/inner/y").as_bytes(),
    );
    write_file(
        root,
        "c/x.jsonl",
        b"{\"Event\":{\"EventData\":{\"Image\":\"c/x\"}}}\n",
    );
    write_file(
        root,
        "A_upper.xml",
        event_line('\'', 9, "A_upper").as_bytes(),
    );
    fs::create_dir_all(root.join("empty")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let after = write_file(
        elsewhere.path(),
        "after.xml",
        event_line('"', 5, "after").as_bytes(),
    );

    let outcome = read(&[root.to_path_buf(), after]);
    let images: Vec<&str> = outcome
        .records
        .iter()
        .map(|record| record.event.data_value("Image").unwrap())
        .collect();
    assert_eq!(
        images,
        vec!["A_upper", "a/inner/y", "a/z", "b", "c/x", "after"]
    );
    assert!(outcome.errors.is_empty());

    let source_name = field(&outcome.records[2], "_sourceName");
    assert_eq!(
        source_name,
        root.join("a").join("z.xml").display().to_string()
    );
}

#[cfg(unix)]
#[test]
fn directory_symlink_loop_is_reported_once() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path();
    write_file(root, "a.xml", event_line('\'', 1, "a").as_bytes());
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();

    let outcome = read(&[root.to_path_buf()]);
    assert_eq!(outcome.records.len(), 1);
    assert_eq!(outcome.errors.len(), 1);
    assert!(
        matches!(&outcome.errors[0], ReadError::DirectoryCycle { path } if path.ends_with("loop"))
    );
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    let directory = tempfile::tempdir().unwrap();
    let mut text = event_line('\'', 1, "C:\\ok.exe").into_bytes();
    text.extend_from_slice(event_line('\'', 2, "C:\\caf\u{e9}.exe").as_bytes());
    // A Latin-1 é (0xE9) is not valid UTF-8.
    let mut bad_line = event_line('\'', 3, "C:\\caf@.exe").into_bytes();
    let at = bad_line.iter().position(|&byte| byte == b'@').unwrap();
    bad_line[at] = 0xE9;
    text.extend_from_slice(&bad_line);
    let path = write_file(directory.path(), "latin1.xml", &text);

    let mut inputs = Inputs::open(&[path], ReadOptions::default());
    let records: Vec<Record> = inputs
        .by_ref()
        .filter_map(|item| match item {
            Ok(Item::Record(record)) => Some(record),
            _ => None,
        })
        .collect();

    assert_eq!(records.len(), 3);
    assert!(!records[0].lossy_utf8);
    assert!(!records[1].lossy_utf8);
    assert_eq!(
        records[1].event.data_value("Image"),
        Some("C:\\caf\u{e9}.exe")
    );
    assert!(records[2].lossy_utf8);
    assert_eq!(
        records[2].event.data_value("Image"),
        Some("C:\\caf\u{FFFD}.exe")
    );
    assert_eq!(inputs.stats().lossy_utf8_records, 1);
}

#[test]
fn utf16_files_are_read() {
    let directory = tempfile::tempdir().unwrap();
    let text = format!(
        "\u{FEFF}{}",
        event_line('\'', 1, "C:\\Temp\\r\u{e9}sum\u{e9}.exe")
    );
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let path = write_file(directory.path(), "powershell-export.xml", &bytes);

    let outcome = read(&[path]);
    assert_eq!(
        outcome.records.len(),
        1,
        "{:?} {:?}",
        outcome.malformed,
        outcome.errors
    );
    assert_eq!(
        outcome.records[0].event.data_value("Image"),
        Some("C:\\Temp\\r\u{e9}sum\u{e9}.exe")
    );
}

#[test]
fn syslog_lines_with_events_are_read() {
    let directory = tempfile::tempdir().unwrap();
    let event = "<Event><System><Provider Name=\"Linux-Sysmon\"/><EventID>3</EventID>\
        <TimeCreated SystemTime=\"2026-01-20T10:00:00.123456789Z\"/><EventRecordID>20</EventRecordID>\
        <Channel>Linux-Sysmon/Operational</Channel><Computer>qa-linux-02</Computer>\
        <Security UserId=\"0\"/></System><EventData><Data Name=\"Image\">/usr/bin/curl</Data>\
        <Data Name=\"DestinationPort\">443</Data></EventData></Event>";
    let text = format!(
        "Jan 20 10:00:00 qa-linux-02 sysmon[812]: Sysmon v1.3.0 - Monitors system events\n\
         Jan 20 10:00:00 qa-linux-02 sysmon: {event}\n"
    );
    let path = write_file(directory.path(), "syslog", text.as_bytes());

    let outcome = read(&[path]);
    assert_eq!(outcome.sequence, "RR");
    let banner = &outcome.records[0];
    assert_eq!(
        banner.kind,
        RecordKind::Text,
        "the banner line is not an event"
    );
    assert_eq!(field(banner, "_source"), "syslog");
    assert_eq!(field(banner, "_sourceCategory"), "");
    let record = &outcome.records[1];
    assert_eq!(record.kind, RecordKind::WindowsEvent);
    assert_eq!(record.position.line_or_record, 2);
    assert_eq!(field(record, "_sourceCategory"), "linux/sysmon");
    assert_eq!(field(record, "UserID"), "0");
    assert_eq!(record.message_time_ms, Some(1_768_903_200_123));
    assert_eq!(record.original(), event);
}

#[test]
fn sample_reads_cleanly() {
    let outcome = read(&[sample_path()]);
    assert!(outcome.errors.is_empty());
    assert!(outcome.malformed.is_empty());
    assert!(
        (25..=60).contains(&outcome.records.len()),
        "{}",
        outcome.records.len()
    );

    let hosts: std::collections::BTreeSet<String> = outcome
        .records
        .iter()
        .map(|record| field(record, "_sourceHost"))
        .collect();
    assert_eq!(hosts.len(), 3);
    assert!(outcome
        .records
        .iter()
        .all(|record| field(record, "_sourceCategory") == "windows/sysmon"));
    assert!(outcome.records.iter().all(|record| record
        .message_time_ms
        .is_some_and(|time| time >= 1_767_225_600_000)));
}

#[test]
fn canonical_raw_of_sample_records() {
    let outcome = read(&[sample_path()]);
    let record_with = |event_id: &str, image_suffix: &str| {
        outcome
            .records
            .iter()
            .find(|record| {
                record.event.system_value("EventID") == Some(event_id)
                    && record
                        .event
                        .data_value("Image")
                        .is_some_and(|image| image.ends_with(image_suffix))
            })
            .unwrap_or_else(|| panic!("no EventID {event_id} record with Image *{image_suffix}"))
    };

    insta::assert_snapshot!(
        "sample_process_create",
        record_with("1", "\\certutil.exe").raw()
    );
    insta::assert_snapshot!(
        "sample_network_connect",
        record_with("3", "\\node.exe").raw()
    );
    insta::assert_snapshot!(
        "sample_file_create",
        record_with("11", "\\explorer.exe").raw()
    );
}

#[test]
fn canonical_raw_is_rebuilt_from_the_event() {
    let outcome = read(&[sample_path()]);
    for record in &outcome.records {
        assert_eq!(record.raw(), render_canonical(&record.event));
    }
}

/// A file cut short between two reads ends the stream with the records read so far,
/// without a panic: the reader sees the end of the file.
#[test]
fn file_truncated_while_read_ends_cleanly() {
    let directory = tempfile::tempdir().unwrap();
    let lines: String = (0..20_000)
        .map(|index| event_line('\'', index, "C:\\a.exe"))
        .collect();
    let path = write_file(directory.path(), "shrinking.xml", lines.as_bytes());

    let mut inputs = Inputs::open(std::slice::from_ref(&path), ReadOptions::default());
    let first = inputs.next();
    assert!(matches!(first, Some(Ok(Item::Record(_)))), "{first:?}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1000)
        .unwrap();

    let mut records = 1;
    let mut other = Vec::new();
    for item in inputs {
        match item {
            Ok(Item::Record(_)) => records += 1,
            Ok(Item::Malformed(malformed)) => other.push(malformed.to_string()),
            Err(error) => other.push(error.to_string()),
        }
    }
    assert!(records < 20_000, "{records} records");
    // What the reader had buffered before the cut is read; the last event may be cut.
    assert!(other.len() <= 1, "{other:?}");
}
