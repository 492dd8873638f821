//! Runs the `sumoql` binary over every input format. The cases: the same Sysmon events
//! in each Windows shape, the OTRF and Winlogbeat samples, compressed files, plain text
//! and JSON logs, and the sources file with its extraction rules. The `convert`,
//! `fields`, `completions` and `man` commands are tested here too.

mod common;

#[path = "../crates/sumoql-input/tests/shapes/mod.rs"]
mod shapes;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{report_skip, run_sumoql, shared_folder, SAMPLE_LOG, SHIPPED_QUERY};
use serde_json::Value as Json;
use sumoql_input::{render_event_xml, Inputs, Item, ReadOptions, Record};

fn sysmon_folder() -> Option<PathBuf> {
    let folder = shared_folder()?.join("data/sysmon");
    if folder.is_dir() {
        Some(folder)
    } else {
        report_skip(&format!("{} not found", folder.display()));
        None
    }
}

fn read_records(path: &Path) -> Vec<Record> {
    Inputs::open(&[path.to_path_buf()], ReadOptions::default())
        .map(|item| match item {
            Ok(Item::Record(record)) => record,
            other => panic!("unexpected item reading {}: {other:?}", path.display()),
        })
        .collect()
}

fn write(path: &Path, content: impl AsRef<[u8]>) -> PathBuf {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
    path.to_path_buf()
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `sumoql run --format csv` with `arguments`, checks that it succeeds and returns
/// the CSV result.
fn run_csv(arguments: &[&str]) -> String {
    let mut command = vec!["run", "--format", "csv"];
    command.extend_from_slice(arguments);
    let output = run_sumoql(&command);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    output.stdout
}

#[test]
fn shipped_query_same_in_every_windows_shape() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let evtx = sysmon.join("evtx");
    let records = read_records(&evtx);
    assert_eq!(records.len(), 1225);

    let folder = tempfile::tempdir().unwrap();
    let lines = |render: &dyn Fn(&Record) -> String| -> String {
        records.iter().map(render).collect::<Vec<_>>().join("\n") + "\n"
    };
    let files = [
        (
            "sumo-json",
            write(
                &folder.path().join("sumo.json"),
                lines(&|record| shapes::to_sumo_json(&record.event).to_string()),
            ),
        ),
        (
            "flat-json",
            write(
                &folder.path().join("nxlog.json"),
                lines(&|record| shapes::to_flat_json(&record.event).to_string()),
            ),
        ),
        (
            "winlogbeat",
            write(
                &folder.path().join("winlogbeat.json"),
                lines(&|record| shapes::to_winlogbeat(&record.event).to_string()),
            ),
        ),
        (
            "syslog",
            write(
                &folder.path().join("syslog.log"),
                lines(&|record| shapes::to_syslog_line(&record.event)),
            ),
        ),
        (
            "windows-xml",
            write(
                &folder.path().join("events.xml"),
                lines(&|record| render_event_xml(&record.event)),
            ),
        ),
    ];

    let from_evtx = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, text(&evtx)]);
    assert_eq!(from_evtx.code(), 0, "{}", from_evtx.stderr);
    assert!(
        from_evtx.stdout.lines().count() > 1,
        "the evtx samples hold detections"
    );
    for (format, path) in files {
        let output = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, text(&path)]);
        assert_eq!(output.code(), 0, "{format}: {}", output.stderr);
        assert!(
            output.stderr.contains(&format!("({format} 1,225)")),
            "{format}: {}",
            output.stderr
        );
        assert_eq!(
            output.stdout, from_evtx.stdout,
            "{format} differs from evtx"
        );
    }
}

/// Counts by hand what the detection's network branch reads from the OTRF lines: the
/// python.exe connections (EventID 3) and their destinations.
fn otrf_python_connections(path: &Path) -> Vec<(String, String)> {
    let content = std::fs::read_to_string(path).unwrap();
    let mut found = Vec::new();
    for line in content.lines() {
        let event: Json = serde_json::from_str(line).unwrap();
        let python = event["Image"]
            .as_str()
            .is_some_and(|image| image.ends_with("\\python.exe"));
        if event["SourceName"] == "Microsoft-Windows-Sysmon" && event["EventID"] == 3 && python {
            let ip = event["DestinationIp"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let port = event["DestinationPort"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            found.push((ip, port));
        }
    }
    found
}

#[test]
fn otrf_python_connections_reach_the_anchors() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let path = sysmon.join("json/otrf/proxylogon_ssrf_rce_poc_2021-03-14T01401970.json");
    let expected = otrf_python_connections(&path);
    assert_eq!(expected.len(), 10);

    // The network branch of the shipped query with its anchors, without the port filter.
    let query = r#"(_sourceCategory="windows/sysmon" OR _sourceCategory="*sysmon*")
        | where EventID = 3
        | parse "<Image><![CDATA[*]]></Image>" as Image nodrop
        | parse "<DestinationIp>*</DestinationIp>" as DestIP nodrop
        | parse "<DestinationPort>*</DestinationPort>" as DestPort nodrop
        | parse "<User><![CDATA[*]]></User>" as Username nodrop
        | where Image matches "*\\python.exe"
        | count by _sourceHost, Username, DestIP, DestPort"#;
    let output = run_sumoql(&["run", "--format", "ndjson", "-e", query, text(&path)]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let rows: Vec<Json> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{}", output.stdout);
    assert_eq!(rows[0]["_sourceHost"], "MXS01.azsentinel.local");
    assert_eq!(rows[0]["Username"], "MXS01\\wardog");
    assert_eq!(rows[0]["DestIP"], expected[0].0.as_str());
    assert_eq!(rows[0]["DestPort"], expected[0].1.as_str());
    assert_eq!(rows[0]["_count"], 10);

    // Every one of them goes to port 443, which the shipped query leaves out.
    assert!(expected.iter().all(|(_, port)| port == "443"));
    let shipped = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, text(&path)]);
    assert_eq!(shipped.code(), 0, "{}", shipped.stderr);
    assert_eq!(
        shipped.stdout,
        "_sourceHost,Username,ChildImage,DetectionBranch,_count\n"
    );
    assert!(
        shipped.stderr.contains("(flat-json 10,487)"),
        "{}",
        shipped.stderr
    );
}

#[test]
fn otrf_folder_skips_zip_archives_with_a_warning() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let output = run_sumoql(&[
        "run",
        "-e",
        "| count by _source",
        text(&sysmon.join("json/otrf")),
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(
        output.stderr.matches("sumoql: warning: skipped").count(),
        3,
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("zip archive"), "{}", output.stderr);
    assert!(
        output.stdout.contains("\nflat-json   12882\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn winlogbeat_golden_event_in_convert() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let path = sysmon.join("json/winlogbeat-ecs/sysmon-12-processcreate.evtx.golden.json");
    let output = run_sumoql(&["convert", text(&path)]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let record: Json = serde_json::from_str(output.stdout.trim()).unwrap();
    assert_eq!(record["_source"], "winlogbeat");
    assert_eq!(record["_sourceHost"], "vagrant");
    assert_eq!(record["EventID"], "1");
    assert_eq!(
        record["EventData"]["ParentImage"],
        "C:\\Windows\\explorer.exe"
    );
    assert!(record["_raw"]
        .as_str()
        .unwrap()
        .contains("<User><![CDATA[VAGRANT\\vagrant]]></User>"));
}

#[test]
fn compressed_and_globbed_inputs() {
    let folder = tempfile::tempdir().unwrap();
    let sample = std::fs::read(SAMPLE_LOG).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&sample).unwrap();
    write(
        &folder.path().join("a/sample.xml.gz"),
        gzip.finish().unwrap(),
    );
    write(
        &folder.path().join("b/sample.xml.zst"),
        zstd::stream::encode_all(&sample[..], 3).unwrap(),
    );
    write(
        &folder.path().join("b/notes.txt"),
        "not matched by the pattern\n",
    );

    let plain = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, SAMPLE_LOG]);
    let pattern = folder.path().join("*/sample.xml.*");
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        "| count by _sourceName",
        text(&pattern),
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let names: Vec<&str> = output.stdout.lines().skip(1).collect();
    assert_eq!(names.len(), 2, "{}", output.stdout);
    assert!(names[0].contains("a/sample.xml.gz,33"), "{}", output.stdout);
    assert!(
        names[1].contains("b/sample.xml.zst,33"),
        "{}",
        output.stdout
    );

    for compressed in ["a/sample.xml.gz", "b/sample.xml.zst"] {
        let output = run_sumoql(&[
            "run",
            "--format",
            "csv",
            SHIPPED_QUERY,
            text(&folder.path().join(compressed)),
        ]);
        assert_eq!(output.stdout, plain.stdout, "{compressed}");
    }

    let nothing = run_sumoql(&["run", "-e", "*", text(&folder.path().join("*.evtx"))]);
    assert_eq!(nothing.code(), 2);
    assert!(
        nothing.stderr.contains("no files match"),
        "{}",
        nothing.stderr
    );
}

const APP_LOG: &str = "\
2026-03-01 12:00:00,120 INFO  [main] service started on port 8080
2026-03-01 12:00:05,001 ERROR [worker-2] request failed: disk full
java.io.IOException: No space left on device
\tat Store.write(Store.java:42)
2026-03-01 12:00:09,500 WARN  [worker-1] retrying in 5s
";

#[test]
fn plain_text_lines_and_multiline_messages() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(&folder.path().join("app.log"), APP_LOG);

    let lines = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        "-e",
        "error | fields _messageTime, _raw",
        text(&log),
    ]);
    assert_eq!(lines.code(), 0, "{}", lines.stderr);
    let rows: Vec<Json> = lines
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        1,
        "the keyword matches one line: {}",
        lines.stdout
    );
    assert_eq!(rows[0]["_messageTime"], 1_772_366_405_001u64);
    assert!(lines.stderr.contains("(text 5)"), "{}", lines.stderr);

    let joined = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        "--multiline",
        r"^\d{4}-\d{2}-\d{2} ",
        "-e",
        "\"No space left\" | fields _raw",
        text(&log),
    ]);
    assert_eq!(joined.code(), 0, "{}", joined.stderr);
    let rows: Vec<Json> = joined
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    let raw = rows[0]["_raw"].as_str().unwrap();
    assert!(raw.starts_with("2026-03-01 12:00:05,001 ERROR"), "{raw}");
    assert!(raw.ends_with("\tat Store.write(Store.java:42)"), "{raw}");
    assert!(joined.stderr.contains("(text 3)"), "{}", joined.stderr);
}

#[test]
fn message_time_falls_back_to_file_time() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(
        &folder.path().join("plain.log"),
        "no timestamp on this line\n",
    );
    let file = std::fs::File::options().write(true).open(&log).unwrap();
    let modified = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600);
    file.set_modified(modified).unwrap();

    let output = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        "-e",
        "| fields _messageTime",
        text(&log),
    ]);
    assert_eq!(output.stdout.trim(), "{\"_messageTime\":1767225600000}");
}

/// Two Windows events as Sumo's legacy WMI source writes them: one message per event,
/// with CRLF line ends that queries for Windows logs match with `\r`.
const WMI_EVENTS: &str = "instance of Win32_NTLogEvent\r\n\
{\r\n\
\tComputerName = \"DC01.corp.example.com\";\r\n\
\tEventCode = 4720;\r\n\
\tMessage = \"A user account was created.\r\n\
\r\n\
Subject:\r\n\
\tAccount Name:\t\tsvc.deploy\r\n\
\r\n\
New Account:\r\n\
\tAccount Name:\t\thelpdesk.tmp\";\r\n\
};\r\n\
instance of Win32_NTLogEvent\r\n\
{\r\n\
\tComputerName = \"DC02.corp.example.com\";\r\n\
\tEventCode = 4720;\r\n\
\tMessage = \"A user account was created.\r\n\
\r\n\
Subject:\r\n\
\tAccount Name:\t\talice\r\n\
\r\n\
New Account:\r\n\
\tAccount Name:\t\tbob.admin\";\r\n\
};\r\n";

#[test]
fn multiline_crlf_messages_match_carriage_returns() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(&folder.path().join("security.txt"), WMI_EVENTS);

    let result = run_csv(&[
        "--multiline",
        "^instance of ",
        "-e",
        "\"EventCode = 4720;\"\n\
         | parse \"ComputerName = \\\"*\\\";\" as host\n\
         | parse regex \"Message = \\\"(?<summary>[^\\r]+)\\r\"\n\
         | parse regex \"Subject:\\r\\n\\tAccount Name:\\s+(?<actor>[^\\r]+)\\r\"\n\
         | parse \"New Account:\\r\\n\\tAccount Name:\\t\\t*\\\";\" as created\n\
         | fields host, summary, actor, created",
        text(&log),
    ]);
    insta::assert_snapshot!(result);
}

#[test]
fn office_365_creation_time_is_message_time() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(
        &folder.path().join("o365.json"),
        concat!(
            r#"{"CreationTime":"2026-12-03T09:15:30","Operation":"ChannelAdded","Workload":"MicrosoftTeams","ChannelName":"Quarter Close"}"#,
            "\n",
            r#"{"CreationTime":"2026-12-03T11:02:00","Operation":"ChannelAdded","Workload":"MicrosoftTeams","ChannelName":"Incidents"}"#,
            "\n",
        ),
    );

    let result = run_csv(&[
        "-e",
        "MicrosoftTeams\n\
         | json \"ChannelName\"\n\
         | formatDate(_messageTime, \"MM/dd/yyyy HH:mm:ss:SSS\") as created\n\
         | count by created, ChannelName\n\
         | sort by created",
        text(&log),
    ]);
    insta::assert_snapshot!(result);
}

#[test]
fn generic_json_lines() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(
        &folder.path().join("app.ndjson"),
        "{\"ts\":\"2026-03-01T12:00:00Z\",\"level\":\"info\",\"msg\":\"started\"}\n\
         {\"ts\":\"2026-03-01T12:00:05Z\",\"level\":\"error\",\"msg\":\"disk full\"}\n",
    );
    let output = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        "-e",
        r#"| parse regex "\"level\":\"(?<level>[^\"]+)\"" | count by level, _source"#,
        text(&log),
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "{\"level\":\"info\",\"_source\":\"json\",\"_count\":1}\n{\"level\":\"error\",\"_source\":\"json\",\"_count\":1}\n"
    );

    let auto = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        "-e",
        "| json auto | count by level",
        text(&log),
    ]);
    assert_eq!(auto.code(), 0, "{}", auto.stderr);
    assert!(
        auto.stdout.contains("\"level\":\"error\""),
        "{}",
        auto.stdout
    );
}

#[test]
fn sources_file_sets_metadata_and_extracts_fields() {
    let folder = tempfile::tempdir().unwrap();
    write(
        &folder.path().join("web/access.log"),
        "10.0.0.5 - - [01/Mar/2026:12:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 512\n\
         10.0.0.9 - - [01/Mar/2026:12:00:02 +0000] \"POST /login HTTP/1.1\" 401 64\n\
         10.0.0.5 - - [01/Mar/2026:12:00:03 +0000] \"GET /admin HTTP/1.1\" 403 0\n",
    );
    let sources = write(
        &folder.path().join("sumoql-sources.toml"),
        r#"
[[source]]
path = "web/*.log"
category = "web/nginx"
host = "web-01"

[[extraction]]
name = "access log"
scope = "_sourceCategory=web/*"
parse = 'parse regex "^(?<client_ip>\S+) .*\" (?<status>\d{3}) " nodrop'
"#,
    );
    let log = folder.path().join("web/access.log");
    let query =
        "_sourceCategory=web/nginx | where status >= 400 | count by _sourceHost, client_ip, status";
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--sources",
        text(&sources),
        "-e",
        query,
        text(&log),
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "_sourceHost,client_ip,status,_count\nweb-01,10.0.0.9,401,1\nweb-01,10.0.0.5,403,1\n"
    );

    // A command-line option wins over the sources file.
    let overridden = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--sources",
        text(&sources),
        "--host",
        "from-flag",
        "-e",
        "| count by _sourceHost",
        text(&log),
    ]);
    assert_eq!(overridden.stdout, "_sourceHost,_count\nfrom-flag,3\n");

    // Without the sources file the records have no category, so the scope matches none.
    let without = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--no-sources",
        "-e",
        query,
        text(&log),
    ]);
    assert_eq!(without.stdout, "_sourceHost,client_ip,status,_count\n");
}

#[test]
fn extraction_rule_sets_collection_fields_for_scope() {
    let folder = tempfile::tempdir().unwrap();
    let log = write(
        &folder.path().join("access.log"),
        "192.0.2.10 - - [03/Dec/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8.4.0\"\n\
         198.51.100.23 - - [03/Dec/2026:10:00:03 +0000] \"POST /login HTTP/1.1\" 401 87 \"-\" \"curl/8.4.0\"\n",
    );
    let other = write(
        &folder.path().join("other.log"),
        "203.0.113.7 - - [03/Dec/2026:10:00:05 +0000] \"GET / HTTP/1.1\" 200 26 \"-\" \"curl/8.4.0\"\n",
    );
    let sources = write(
        &folder.path().join("sumoql-sources.toml"),
        r#"
[[source]]
path = "access.log"
category = "web/apache"

[[extraction]]
name = "collection fields"
scope = "_sourceCategory=web/apache"
parse = '"apache" as webserver_system | "farm-a" as %"webserver.farm"'
"#,
    );

    let result = run_csv(&[
        "--sources",
        text(&sources),
        "-e",
        "webserver_system=apache webserver.farm=farm-* HTTP | count by _sourceName, webserver_system",
        text(&log),
        text(&other),
    ]);
    insta::assert_snapshot!(result.replace(text(folder.path()), "DIR"));
}

#[test]
fn invalid_sources_file_exits_one() {
    let folder = tempfile::tempdir().unwrap();
    let sources = write(
        &folder.path().join("sources.toml"),
        "[[extraction]]\nname = \"broken\"\nparse = \"parse \\\"a=*\\\" as a | sort by a\"\n",
    );
    let output = run_sumoql(&["run", "--sources", text(&sources), "-e", "*", SAMPLE_LOG]);
    assert_eq!(output.code(), 1);
    assert!(
        output
            .stderr
            .contains("invalid Field Extraction Rule \"broken\""),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("sort cannot be used in a field extraction rule"),
        "{}",
        output.stderr
    );
}

#[test]
fn forced_input_format_reads_xml_as_text() {
    let output = run_sumoql(&[
        "run",
        "--input-format",
        "text",
        "-e",
        "| count by _source",
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert!(
        output.stdout.contains("\ntext         33\n"),
        "{}",
        output.stdout
    );

    let invalid = run_sumoql(&["run", "--input-format", "csv", "-e", "*", SAMPLE_LOG]);
    assert_eq!(invalid.code(), 1);
    assert!(
        invalid.stderr.contains("expected one of evtx, windows-xml"),
        "{}",
        invalid.stderr
    );
}

#[test]
fn limit_output_file_quiet_and_markdown() {
    let folder = tempfile::tempdir().unwrap();
    let result = folder.path().join("result.md");
    let output = run_sumoql(&[
        "run",
        "--format",
        "markdown",
        "--limit",
        "2",
        "--quiet",
        "--output",
        text(&result),
        SHIPPED_QUERY,
        SAMPLE_LOG,
    ]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    assert_eq!(output.stdout, "");
    assert_eq!(output.stderr, "", "--quiet prints no summary");
    let written = std::fs::read_to_string(&result).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 4, "{written}");
    assert_eq!(
        lines[0],
        "| _sourceHost | Username | ChildImage | DetectionBranch | _count |"
    );
    assert_eq!(lines[1], "|---|---|---|---|--:|");

    let table = run_sumoql(&["run", "--limit", "3", SHIPPED_QUERY, SAMPLE_LOG]);
    assert_eq!(table.stdout.lines().count(), 2 + 3, "{}", table.stdout);
    assert!(
        table.stderr.contains("; 8 result rows in "),
        "{}",
        table.stderr
    );
}

#[test]
fn convert_writes_json_xml_and_canonical() {
    let json = run_sumoql(&["convert", "--limit", "1", SAMPLE_LOG]);
    assert_eq!(json.code(), 0, "{}", json.stderr);
    let record: Json = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(record["_source"], "windows-xml");
    assert_eq!(record["_sourceCategory"], "windows/sysmon");
    assert!(record["_messageTime"].is_u64());
    assert!(record["EventData"].is_object());
    assert!(record["_raw"]
        .as_str()
        .unwrap()
        .starts_with("<Event><System>"));

    let folder = tempfile::tempdir().unwrap();
    let xml = folder.path().join("events.xml");
    let converted = run_sumoql(&["convert", "--to", "xml", "--output", text(&xml), SAMPLE_LOG]);
    assert_eq!(converted.code(), 0, "{}", converted.stderr);
    let original = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, SAMPLE_LOG]);
    let again = run_sumoql(&["run", "--format", "csv", SHIPPED_QUERY, text(&xml)]);
    assert_eq!(again.stdout, original.stdout);

    let canonical = run_sumoql(&["convert", "--to", "canonical", "--quiet", SAMPLE_LOG]);
    assert_eq!(canonical.stdout.lines().count(), 33);
    assert!(canonical
        .stdout
        .lines()
        .all(|line| line.starts_with("<Event><System>")));
}

#[test]
fn fields_lists_kinds_counts_and_examples() {
    let output = run_sumoql(&["fields", "--format", "ndjson", SAMPLE_LOG]);
    assert_eq!(output.code(), 0, "{}", output.stderr);
    let rows: Vec<Json> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|row| row["field"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(row("_sourceHost")["kind"], "metadata");
    assert_eq!(row("_sourceHost")["records"], 33);
    assert_eq!(row("EventID")["kind"], "field");
    assert_eq!(row("Image")["kind"], "in _raw (parse)");
    assert_eq!(row("EventID")["percent"], 100);
    assert!(row("_sourceCategory")["examples"]
        .as_str()
        .unwrap()
        .contains("windows/sysmon"));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run_sumoql(&["completions", shell]);
        assert_eq!(output.code(), 0, "{shell}: {}", output.stderr);
        for word in ["convert", "fields", "input-format"] {
            assert!(
                output.stdout.contains(word),
                "{shell} completions lack {word}"
            );
        }
    }
    let man = run_sumoql(&["man"]);
    assert_eq!(man.code(), 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie"),
        "{}",
        &man.stdout[..80.min(man.stdout.len())]
    );
    assert!(
        man.stdout.contains(".TH sumoql"),
        "the page has a title line"
    );
}

#[test]
fn every_subcommand_help_has_examples() {
    for command in ["run", "convert", "fields", "completions", "man"] {
        let output = run_sumoql(&[command, "--help"]);
        assert_eq!(output.code(), 0, "{command}");
        assert!(
            output.stdout.contains("Examples:"),
            "{command} --help has no examples"
        );
    }
}
