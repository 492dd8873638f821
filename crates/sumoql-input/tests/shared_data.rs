//! Reads the public Sysmon samples kept outside the repository. Each test skips, with a
//! message, when they are not present.

use std::path::{Path, PathBuf};

mod shapes;

use sumoql_input::{
    render_canonical, render_event_xml, InputFormat, Inputs, Item, Malformed, RawMode, ReadOptions,
    Record, RecordKind, WindowsEvent,
};

/// Returns the shared folder: `SUMOQL_SHARED`, else `shared` beside the workspace root.
fn shared_dir() -> PathBuf {
    match std::env::var_os("SUMOQL_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// Returns `shared/<relative>` when it exists, else prints why the test is skipped.
fn shared_path(relative: &str) -> Option<PathBuf> {
    let path = shared_dir().join(relative);
    if path.exists() {
        Some(path)
    } else {
        report_skip(&format!("{} not found", path.display()));
        None
    }
}

struct ReadOutcome {
    records: Vec<Record>,
    malformed: Vec<Malformed>,
    errors: Vec<String>,
}

fn read_all(paths: &[PathBuf]) -> ReadOutcome {
    let mut outcome = ReadOutcome {
        records: Vec::new(),
        malformed: Vec::new(),
        errors: Vec::new(),
    };
    for item in Inputs::open(paths, ReadOptions::default()) {
        match item {
            Ok(Item::Record(record)) => outcome.records.push(record),
            Ok(Item::Malformed(malformed)) => outcome.malformed.push(malformed),
            Err(error) => outcome.errors.push(error.to_string()),
        }
    }
    outcome
}

/// Record counts of the curated `.evtx` samples, as their provenance notes list them.
const EVTX_RECORD_COUNTS: [(&str, usize); 15] = [
    ("PanacheSysmon_vs_AtomicRedTeam01.evtx", 565),
    ("panache_sysmon_vs_EDRTestingScript.evtx", 122),
    ("sysmon_20_21_1_CommandLineEventConsumer.evtx", 17),
    ("sysmon_1_7_11_mcx2prov_uacbypass.evtx", 9),
    ("sysmon_11_1_7_uacbypass_cliconfg.evtx", 8),
    ("sysmon_1_7_11_migwiz.evtx", 7),
    ("sysmon_1_11_exec_as_system_via_schedtask.evtx", 6),
    ("sysmon_11_1_15_WScriptBypassUAC.evtx", 15),
    ("powercat_revShell_sysmon_1_3.evtx", 9),
    ("DE_sysmon-3-rdp-tun.evtx", 73),
    ("persistence_sysmon_11_13_1_shime_appfix.evtx", 237),
    ("privesc_unquoted_svc_sysmon_1_11.evtx", 87),
    ("execution_evasion_visual_studio_prebuild_event.evtx", 29),
    (
        "ImpersonateUser-via_local_Pass_The_Hash_Sysmon_and_Security.evtx",
        14,
    ),
    ("smbmap_upload_exec_sysmon.evtx", 27),
];

#[test]
fn evtx_samples_read_completely() {
    let Some(directory) = shared_path("data/sysmon/evtx") else {
        return;
    };

    let mut total = 0;
    for (name, expected) in EVTX_RECORD_COUNTS {
        let outcome = read_all(&[directory.join(name)]);
        assert!(outcome.errors.is_empty(), "{name}: {:?}", outcome.errors);
        assert!(
            outcome.malformed.is_empty(),
            "{name}: {:?}",
            outcome.malformed
        );
        assert_eq!(outcome.records.len(), expected, "{name}");
        total += outcome.records.len();
    }
    assert_eq!(total, 1225);

    let whole_directory = read_all(&[directory]);
    assert_eq!(whole_directory.records.len(), 1225);
    assert!(whole_directory.malformed.is_empty());
    assert!(whole_directory.errors.is_empty());
}

#[test]
fn evtx_bytes_in_memory_read_like_the_file() {
    let Some(directory) = shared_path("data/sysmon/evtx") else {
        return;
    };

    for (name, expected) in EVTX_RECORD_COUNTS.iter().take(4) {
        let path = directory.join(name);
        let from_file = read_all(std::slice::from_ref(&path));
        let bytes = std::fs::read(&path).unwrap();
        let mut from_memory = Vec::new();
        for item in Inputs::from_bytes(name, bytes, ReadOptions::default()) {
            match item {
                Ok(Item::Record(record)) => from_memory.push(record),
                other => panic!("{name}: {other:?}"),
            }
        }

        assert_eq!(from_memory.len(), *expected, "{name}");
        for (memory, file) in from_memory.iter().zip(&from_file.records) {
            assert_eq!(memory.event, file.event, "{name}");
            assert_eq!(memory.position, file.position, "{name}");
            assert_eq!(memory.raw(), file.raw(), "{name}");
        }
    }
}

const CONVERTED: [&str; 4] = [
    "PanacheSysmon_vs_AtomicRedTeam01",
    "panache_sysmon_vs_EDRTestingScript",
    "powercat_revShell_sysmon_1_3",
    "sysmon_20_21_1_CommandLineEventConsumer",
];

#[test]
fn formats_agree_on_every_record() {
    let (Some(evtx_directory), Some(converted_directory)) = (
        shared_path("data/sysmon/evtx"),
        shared_path("data/sysmon/converted"),
    ) else {
        return;
    };

    for name in CONVERTED {
        let from_evtx = read_all(&[evtx_directory.join(format!("{name}.evtx"))]);
        let from_xml = read_all(&[converted_directory.join(format!("{name}.xml"))]);
        let from_json = read_all(&[converted_directory.join(format!("{name}.jsonl"))]);

        for (format, outcome) in [
            ("evtx", &from_evtx),
            ("xml", &from_xml),
            ("jsonl", &from_json),
        ] {
            assert!(
                outcome.errors.is_empty(),
                "{name}.{format}: {:?}",
                outcome.errors
            );
            assert!(
                outcome.malformed.is_empty(),
                "{name}.{format}: {:?}",
                outcome.malformed
            );
        }
        assert_eq!(from_evtx.records.len(), from_xml.records.len(), "{name}");
        assert_eq!(from_evtx.records.len(), from_json.records.len(), "{name}");

        let triples = from_evtx
            .records
            .iter()
            .zip(&from_xml.records)
            .zip(&from_json.records);
        for ((evtx, xml), json) in triples {
            let record_id = evtx.event.system_value("EventRecordID").unwrap_or("?");
            assert_eq!(
                evtx.event, xml.event,
                "{name} record {record_id}: evtx vs xml"
            );
            assert_eq!(
                evtx.event, json.event,
                "{name} record {record_id}: evtx vs jsonl"
            );
            assert_eq!(evtx.raw(), xml.raw(), "{name} record {record_id}");
            assert_eq!(evtx.raw(), json.raw(), "{name} record {record_id}");
            assert_eq!(evtx.raw(), render_canonical(&json.event));
            assert_eq!(evtx.message_time_ms, json.message_time_ms);
        }
    }
}

#[test]
fn evtx_original_matches_converted_xml() {
    let (Some(evtx_directory), Some(converted_directory)) = (
        shared_path("data/sysmon/evtx"),
        shared_path("data/sysmon/converted"),
    ) else {
        return;
    };

    let options = ReadOptions {
        category: None,
        raw: RawMode::Original,
        ..ReadOptions::default()
    };
    for name in CONVERTED {
        let from_evtx = Inputs::open(
            &[evtx_directory.join(format!("{name}.evtx"))],
            options.clone(),
        );
        let converted =
            std::fs::read_to_string(converted_directory.join(format!("{name}.xml"))).unwrap();
        let mut lines = converted.lines();
        for item in from_evtx {
            let Ok(Item::Record(record)) = item else {
                panic!("{name}: unexpected item");
            };
            assert_eq!(Some(record.raw()), lines.next(), "{name}");
        }
        assert_eq!(lines.next(), None, "{name}");
    }
}

#[test]
fn evtx_line_breaks_in_values() {
    let Some(path) = shared_path(
        "data/sysmon/evtx/ImpersonateUser-via_local_Pass_The_Hash_Sysmon_and_Security.evtx",
    ) else {
        return;
    };
    let options = ReadOptions {
        category: None,
        raw: RawMode::Original,
        ..ReadOptions::default()
    };

    let records: Vec<Record> = Inputs::open(&[path], options)
        .map(|item| match item {
            Ok(Item::Record(record)) => record,
            other => panic!("unexpected item {other:?}"),
        })
        .collect();

    let with_line_break: Vec<&Record> = records
        .iter()
        .filter(|record| {
            record
                .event
                .data
                .iter()
                .any(|(_, value)| value.contains("\r\n"))
        })
        .collect();
    assert_eq!(with_line_break.len(), 1);
    let record = with_line_break[0];
    assert_eq!(record.event.system_value("EventID"), Some("5145"));
    assert_eq!(
        record.field("_sourceCategory").as_deref(),
        Some("windows/security")
    );
    assert!(
        !record.raw().contains(['\r', '\n']),
        "original text is one line"
    );
    assert!(record.raw().contains("&#xD;&#xA;"));
}

#[test]
fn truncated_evtx_reports_the_lost_tail() {
    let Some(source) = shared_path("data/sysmon/evtx/PanacheSysmon_vs_AtomicRedTeam01.evtx") else {
        return;
    };
    let bytes = std::fs::read(source).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let truncated = directory.path().join("truncated.evtx");
    // The header, two whole chunks, and part of the third.
    std::fs::write(&truncated, &bytes[..4096 + 2 * 65536 + 30000]).unwrap();

    let outcome = read_all(&[truncated]);
    assert!(outcome.errors.is_empty());
    assert!(!outcome.records.is_empty());
    assert_eq!(outcome.malformed.len(), 1);
    let malformed = &outcome.malformed[0];
    assert_eq!(malformed.position.byte_offset, 4096 + 2 * 65536);
    assert_eq!(
        malformed.position.line_or_record,
        outcome.records.len() as u64 + 1
    );
    assert!(
        malformed.reason.contains("truncated"),
        "{}",
        malformed.reason
    );
}

#[test]
fn corrupted_evtx_never_panics() {
    let Some(source) = shared_path("data/sysmon/evtx/panache_sysmon_vs_EDRTestingScript.evtx")
    else {
        return;
    };
    let original = std::fs::read(source).unwrap();
    let directory = tempfile::tempdir().unwrap();

    // Overwrite bytes after the file header with a fixed pseudo-random pattern.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for round in 0..4 {
        let mut bytes = original.clone();
        for _ in 0..(200 * (round + 1)) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let index = 4096 + (state as usize % (bytes.len() - 4096));
            bytes[index] = (state >> 32) as u8;
        }
        let path = directory.path().join(format!("corrupt-{round}.evtx"));
        std::fs::write(&path, bytes).unwrap();

        let outcome = read_all(&[path]);
        assert!(
            outcome.records.len() + outcome.malformed.len() > 0,
            "round {round}"
        );
    }
}

#[test]
fn linux_syslog_excerpt() {
    let Some(path) =
        shared_path("data/sysmon/linux/elastic-integrations_sysmon_linux_sample_excerpt.log")
    else {
        return;
    };
    let outcome = read_all(&[path]);
    assert!(outcome.errors.is_empty());
    assert!(outcome.malformed.is_empty());
    assert_eq!(outcome.records.len(), 11);

    // The three banner lines are plain syslog messages, the other eight Sysmon events.
    let (events, banners): (Vec<&Record>, Vec<&Record>) = outcome
        .records
        .iter()
        .partition(|record| record.kind == RecordKind::WindowsEvent);
    assert_eq!(events.len(), 8);
    assert_eq!(banners.len(), 3);
    assert!(banners[0]
        .raw()
        .ends_with("Sysmon v1.0.0 - Monitors system events"));
    for record in &outcome.records {
        assert_eq!(record.format, InputFormat::Syslog);
    }
    for record in &events {
        assert_eq!(
            record.field("_sourceCategory").as_deref(),
            Some("linux/sysmon")
        );
        assert_eq!(record.field("UserID").as_deref(), Some("0"));
        assert!(record.field("_sourceHost").is_some());
    }
    for banner in &banners {
        assert_eq!(banner.field("_sourceCategory"), None);
        // `Oct 24 17:05:31` gets the year of the file's modification time or the one before.
        assert!(banner.message_time_ms.is_some());
    }
}

const OTRF_FILES: [(&str, usize); 2] = [
    ("psh_python_webserver_2020-10-2900161507.json", 2395),
    ("proxylogon_ssrf_rce_poc_2021-03-14T01401970.json", 10487),
];

#[test]
fn otrf_lines_read_as_flat_json() {
    let Some(directory) = shared_path("data/sysmon/json/otrf") else {
        return;
    };
    for (name, lines) in OTRF_FILES {
        let path = directory.join(name);
        let outcome = read_all(std::slice::from_ref(&path));
        assert!(outcome.errors.is_empty(), "{name}: {:?}", outcome.errors);
        assert!(
            outcome.malformed.is_empty(),
            "{name}: {:?}",
            outcome.malformed
        );
        assert_eq!(outcome.records.len(), lines, "{name}");
        assert!(outcome
            .records
            .iter()
            .all(|record| record.format == InputFormat::FlatJson
                && record.kind == RecordKind::WindowsEvent));

        // Every Sysmon value of every line is in the event, under its own name.
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, record) in text.lines().zip(&outcome.records) {
            let json: serde_json::Value = serde_json::from_str(line).unwrap();
            if json["SourceName"] != "Microsoft-Windows-Sysmon" {
                continue;
            }
            for key in [
                "Image",
                "User",
                "DestinationIp",
                "DestinationPort",
                "TargetFilename",
                "ParentImage",
            ] {
                assert_eq!(
                    record.event.data_value(key),
                    json.get(key).and_then(|value| value.as_str()),
                    "{name}: {key} of {line}"
                );
            }
            assert_eq!(
                record.field("_sourceHost").as_deref(),
                json["Hostname"].as_str()
            );
            assert_eq!(
                record.field("_sourceCategory").as_deref(),
                Some("windows/sysmon")
            );
        }
    }
}

#[test]
fn otrf_python_network_events_in_canonical_raw() {
    let Some(path) =
        shared_path("data/sysmon/json/otrf/proxylogon_ssrf_rce_poc_2021-03-14T01401970.json")
    else {
        return;
    };
    let outcome = read_all(&[path]);
    let python_connections: Vec<&Record> = outcome
        .records
        .iter()
        .filter(|record| {
            record.field("EventID").as_deref() == Some("3")
                && record
                    .event
                    .data_value("Image")
                    .is_some_and(|image| image.ends_with("\\python.exe"))
        })
        .collect();
    assert_eq!(python_connections.len(), 10);
    for record in python_connections {
        let raw = record.raw();
        assert!(
            raw.contains("<Image><![CDATA[C:\\Users\\wardog.MXS01\\AppData\\Local\\Programs\\Python\\Python39\\python.exe]]></Image>"),
            "{raw}"
        );
        assert!(
            raw.contains("<DestinationPort>443</DestinationPort>"),
            "{raw}"
        );
        assert!(
            raw.contains("<User><![CDATA[MXS01\\wardog]]></User>"),
            "{raw}"
        );
        assert_eq!(
            record.field("Computer").as_deref(),
            Some("MXS01.azsentinel.local")
        );
    }
}

#[test]
fn otrf_zip_archives_in_a_folder_are_skipped() {
    let Some(directory) = shared_path("data/sysmon/json/otrf") else {
        return;
    };
    let outcome = read_all(&[directory]);
    assert_eq!(outcome.errors.len(), 3, "{:?}", outcome.errors);
    assert!(outcome
        .errors
        .iter()
        .all(|error| error.contains("zip archive")));
    assert_eq!(outcome.records.len(), 2395 + 10487);
}

#[test]
fn winlogbeat_golden_event() {
    let Some(path) =
        shared_path("data/sysmon/json/winlogbeat-ecs/sysmon-12-processcreate.evtx.golden.json")
    else {
        return;
    };
    let outcome = read_all(&[path]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(outcome.malformed.is_empty(), "{:?}", outcome.malformed);
    assert_eq!(outcome.records.len(), 1);
    let record = &outcome.records[0];
    assert_eq!(record.format, InputFormat::Winlogbeat);
    assert_eq!(record.field("EventID").as_deref(), Some("1"));
    assert_eq!(record.field("_sourceHost").as_deref(), Some("vagrant"));
    assert_eq!(
        record.field("_sourceCategory").as_deref(),
        Some("windows/sysmon")
    );
    assert_eq!(record.field("EventRecordID").as_deref(), Some("20"));
    assert_eq!(record.field("UserID").as_deref(), Some("S-1-5-18"));

    let event = &record.event;
    assert_eq!(
        event.data_value("Image"),
        Some("C:\\Windows\\System32\\notepad.exe")
    );
    assert_eq!(
        event.data_value("CommandLine"),
        Some("\"C:\\Windows\\system32\\notepad.exe\" ")
    );
    assert_eq!(
        event.data_value("ParentImage"),
        Some("C:\\Windows\\explorer.exe")
    );
    assert_eq!(
        event.data_value("ParentCommandLine"),
        Some("C:\\Windows\\Explorer.EXE")
    );
    assert_eq!(event.data_value("User"), Some("VAGRANT\\vagrant"));
    assert_eq!(event.data_value("ProcessId"), Some("3616"));
    assert_eq!(event.data_value("ParentProcessId"), Some("4212"));
    assert_eq!(event.data_value("UtcTime"), Some("2020-10-27 20:00:14.320"));
    assert_eq!(
        event.data_value("Hashes"),
        Some("SHA1=B6D237154F2E528F0B503B58B025862D66B02B73")
    );
    assert_eq!(event.data_value("OriginalFileName"), Some("NOTEPAD.EXE"));
    let names: Vec<&str> = event.data.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "FileVersion",
            "Description",
            "Product",
            "Company",
            "OriginalFileName",
            "CommandLine",
            "CurrentDirectory",
            "User",
            "LogonGuid",
            "LogonId",
            "TerminalSessionId",
            "IntegrityLevel",
            "Hashes",
            "ParentProcessGuid",
            "ParentProcessId",
            "ParentImage",
            "ParentCommandLine",
        ]
    );
    assert!(record
        .raw()
        .contains("<ParentImage><![CDATA[C:\\Windows\\explorer.exe]]></ParentImage>"));
}

/// Reads every `.evtx` sample, then the same events written in each other Windows shape.
#[test]
fn every_windows_shape_reads_back_the_evtx_events() {
    let Some(directory) = shared_path("data/sysmon/evtx") else {
        return;
    };
    let from_evtx = read_all(&[directory]);
    assert_eq!(from_evtx.records.len(), 1225);
    let events: Vec<&WindowsEvent> = from_evtx
        .records
        .iter()
        .map(|record| &record.event)
        .collect();

    let folder = tempfile::tempdir().unwrap();
    let write_lines = |name: &str, lines: Vec<String>| {
        let path = folder.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let sumo = write_lines(
        "sumo.json",
        events
            .iter()
            .map(|event| shapes::to_sumo_json(event).to_string())
            .collect(),
    );
    let flat = write_lines(
        "nxlog.json",
        events
            .iter()
            .map(|event| shapes::to_flat_json(event).to_string())
            .collect(),
    );
    let syslog = write_lines(
        "syslog",
        events
            .iter()
            .map(|event| shapes::to_syslog_line(event))
            .collect(),
    );
    let xml = write_lines(
        "events.xml",
        events.iter().map(|event| render_event_xml(event)).collect(),
    );

    for (path, format) in [
        (sumo, InputFormat::SumoJson),
        (flat, InputFormat::FlatJson),
        (syslog, InputFormat::Syslog),
        (xml, InputFormat::WindowsXml),
    ] {
        let outcome = read_all(std::slice::from_ref(&path));
        assert!(
            outcome.errors.is_empty(),
            "{format:?}: {:?}",
            outcome.errors
        );
        assert!(
            outcome.malformed.is_empty(),
            "{format:?}: {:?}",
            outcome.malformed
        );
        assert_eq!(outcome.records.len(), events.len(), "{format:?}");
        for (record, original) in outcome.records.iter().zip(&from_evtx.records) {
            assert_eq!(record.format, format);
            let record_id = original.event.system_value("EventRecordID").unwrap_or("?");
            assert_eq!(
                &record.event, &original.event,
                "{format:?}, record {record_id}"
            );
            assert_eq!(
                record.raw(),
                original.raw(),
                "{format:?}, record {record_id}"
            );
            assert_eq!(
                record.message_time_ms, original.message_time_ms,
                "{format:?}"
            );
        }
    }
}

#[test]
fn winlogbeat_shape_keeps_the_fields_the_detection_reads() {
    let Some(directory) = shared_path("data/sysmon/evtx") else {
        return;
    };
    let from_evtx = read_all(&[directory]);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("winlogbeat.ndjson");
    let lines: Vec<String> = from_evtx
        .records
        .iter()
        .map(|record| shapes::to_winlogbeat(&record.event).to_string())
        .collect();
    std::fs::write(&path, lines.join("\n")).unwrap();

    let outcome = read_all(&[path]);
    assert!(outcome.malformed.is_empty(), "{:?}", outcome.malformed);
    assert_eq!(outcome.records.len(), from_evtx.records.len());
    let read_fields = [
        "Image",
        "ParentImage",
        "CommandLine",
        "ParentCommandLine",
        "User",
        "TargetFilename",
        "DestinationIp",
        "DestinationPort",
        "DestinationHostname",
        "Initiated",
        "ProcessGuid",
        "Hashes",
    ];
    for (record, original) in outcome.records.iter().zip(&from_evtx.records) {
        assert_eq!(record.format, InputFormat::Winlogbeat);
        for name in [
            "EventID",
            "Computer",
            "Channel",
            "EventRecordID",
            "Provider",
        ] {
            assert_eq!(record.field(name), original.field(name), "{name}");
        }
        for name in read_fields {
            let expected = original.event.data_value(name);
            let expected = if name == "Hashes" {
                expected.map(str::to_uppercase)
            } else {
                expected.map(str::to_string)
            };
            assert_eq!(
                record.event.data_value(name).map(str::to_string),
                expected,
                "{name} of record {:?}",
                original.event.system_value("EventRecordID")
            );
        }
    }
}

#[test]
fn compressed_samples_read_like_the_originals() {
    let (Some(evtx), Some(xml)) = (
        shared_path("data/sysmon/evtx/powercat_revShell_sysmon_1_3.evtx"),
        shared_path("data/sysmon/converted/powercat_revShell_sysmon_1_3.xml"),
    ) else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for source in [&evtx, &xml] {
        let bytes = std::fs::read(source).unwrap();
        let name = source.file_name().unwrap().to_string_lossy().to_string();

        let gzip_path = folder.path().join(format!("{name}.gz"));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &bytes).unwrap();
        std::fs::write(&gzip_path, encoder.finish().unwrap()).unwrap();

        let zstd_path = folder.path().join(format!("{name}.zst"));
        std::fs::write(&zstd_path, zstd::stream::encode_all(&bytes[..], 3).unwrap()).unwrap();
        paths.push((source.clone(), gzip_path, zstd_path));
    }

    for (source, gzip_path, zstd_path) in paths {
        let plain = read_all(std::slice::from_ref(&source));
        for compressed in [gzip_path, zstd_path] {
            let outcome = read_all(std::slice::from_ref(&compressed));
            assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
            assert!(outcome.malformed.is_empty(), "{:?}", outcome.malformed);
            assert_eq!(
                outcome.records.len(),
                plain.records.len(),
                "{}",
                compressed.display()
            );
            for (record, original) in outcome.records.iter().zip(&plain.records) {
                assert_eq!(record.event, original.event);
                assert_eq!(record.format, original.format);
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn evtx_from_a_pipe_is_read() {
    let Some(source) = shared_path("data/sysmon/evtx/powercat_revShell_sysmon_1_3.evtx") else {
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let fifo = directory.path().join("pipe");
    let mkfifo_status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !mkfifo_status.is_ok_and(|status| status.success()) {
        report_skip("mkfifo is not available");
        return;
    }

    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let bytes = std::fs::read(source).unwrap();
        std::fs::write(writer_path, bytes).unwrap();
    });
    let outcome = read_all(&[fifo]);
    writer.join().unwrap();

    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(outcome.malformed.is_empty());
    assert_eq!(outcome.records.len(), 9);
    assert_eq!(outcome.records[0].format, sumoql_input::InputFormat::Evtx);
}

/// Prints why a test is skipped where `cargo test` shows it even for a
/// passing test: the test harness captures `eprintln!`, but not writes to
/// the stderr handle.
fn report_skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipping: {reason}");
}
