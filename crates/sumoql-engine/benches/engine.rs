//! Micro-benchmarks of the engine's hot paths: `parse` anchors, `matches` wildcards, and
//! the shipped T1204.005 detection over records held in memory.
//!
//! Run with `cargo bench -p sumoql-engine`. The records are built here, in the canonical
//! `_raw` layout that sumoql's readers produce, because the engine crate reads no files.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sumoql_engine::{AnchorPattern, Execution, Record, Value, WildcardPattern};

/// `<EventData>` fields that sumoql renders as plain text instead of CDATA.
const PLAIN_FIELDS: [&str; 4] = [
    "DestinationIp",
    "DestinationHostname",
    "DestinationPort",
    "SourceIp",
];

/// A record as a reader would present it: System fields, metadata and `_raw`.
struct MemoryRecord {
    event_id: String,
    host: String,
    message_time: f64,
    raw: String,
}

impl Record for MemoryRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        match lowercase_name {
            "_raw" => Some(Value::text(self.raw.as_str())),
            "eventid" => Some(Value::text(self.event_id.as_str())),
            "_sourcehost" | "computer" => Some(Value::text(self.host.as_str())),
            "_sourcecategory" => Some(Value::text("windows/sysmon")),
            "_messagetime" => Some(Value::Number(self.message_time)),
            _ => None,
        }
    }
}

/// Renders an event in the canonical `_raw` layout: the `<System>` values, then one
/// element per field, in CDATA except the network endpoint fields.
fn canonical_raw(event_id: &str, host: &str, fields: &[(&str, &str)]) -> String {
    let mut raw = format!(
        "<Event><System><Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>{event_id}</EventID><Version>5</Version>\
         <Level>4</Level><Task>{event_id}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>\
         <TimeCreated SystemTime=\"2026-03-02T09:14:27.5530000Z\"/><EventRecordID>40215</EventRecordID>\
         <Execution ProcessID=\"3112\" ThreadID=\"4020\"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>\
         <Computer>{host}</Computer><Security UserID=\"S-1-5-18\"/></System><EventData>"
    );
    for (name, value) in fields {
        if PLAIN_FIELDS.contains(name) {
            raw.push_str(&format!("<{name}>{value}</{name}>"));
        } else {
            raw.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>"));
        }
    }
    raw.push_str("</EventData></Event>");
    raw
}

fn process_create(
    image: &str,
    command_line: &str,
    parent_image: &str,
    parent_command_line: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("RuleName", "-".into()),
        ("UtcTime", "2026-03-02 09:14:27.553".into()),
        ("ProcessGuid", "{7c4e2b13-91d2-69a1-2d86-000000002b13}".into()),
        ("ProcessId", "9032".into()),
        ("Image", image.into()),
        ("FileVersion", "10.0.22621.2506 (WinBuild.160101.0800)".into()),
        ("Description", "Windows Command Processor".into()),
        ("Product", "Microsoft® Windows® Operating System".into()),
        ("Company", "Microsoft Corporation".into()),
        ("OriginalFileName", "Cmd.Exe".into()),
        ("CommandLine", command_line.into()),
        ("CurrentDirectory", r"C:\Users\alice.nguyen\projects\report-tool\".into()),
        ("User", r"CORP\alice.nguyen".into()),
        ("LogonGuid", "{7c4e0000-1a2b-69a1-d41c-0b0000000000}".into()),
        ("LogonId", "0xB1CD4".into()),
        ("TerminalSessionId", "1".into()),
        ("IntegrityLevel", "Medium".into()),
        (
            "Hashes",
            "MD5=32EA1B45C17F3C5687F308E25155DE64,SHA256=7640396F7AB3CF6C3B2659835EB83DD7E9F26E42FB7A4921D0B02619AA7B5382,IMPHASH=6E0846117A8E8CA84E555C88049E94F8".into(),
        ),
        ("ParentProcessGuid", "{7c4e2b14-91d2-69a1-2d8d-000000002b14}".into()),
        ("ParentProcessId", "8876".into()),
        ("ParentImage", parent_image.into()),
        ("ParentCommandLine", parent_command_line.into()),
        ("ParentUser", r"CORP\alice.nguyen".into()),
    ]
}

fn network_connect(
    image: &str,
    address: &str,
    host_name: &str,
    port: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("RuleName", "-".into()),
        ("UtcTime", "2026-03-02 09:14:21.665".into()),
        (
            "ProcessGuid",
            "{7c4e2b19-91d2-69a1-2db0-000000002b19}".into(),
        ),
        ("ProcessId", "8877".into()),
        ("Image", image.into()),
        ("User", r"CORP\alice.nguyen".into()),
        ("Protocol", "tcp".into()),
        ("Initiated", "true".into()),
        ("SourceIp", "10.10.4.21".into()),
        ("DestinationIp", address.into()),
        ("DestinationHostname", host_name.into()),
        ("DestinationPort", port.into()),
    ]
}

fn file_create(image: &str, target: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RuleName", "-".into()),
        ("UtcTime", "2026-03-02 09:14:28.012".into()),
        (
            "ProcessGuid",
            "{7c4e2b15-91d2-69a1-2d94-000000002b15}".into(),
        ),
        ("ProcessId", "8877".into()),
        ("Image", image.into()),
        ("TargetFilename", target.into()),
        ("CreationUtcTime", "2026-03-02 09:14:28.012".into()),
        ("User", r"CORP\alice.nguyen".into()),
    ]
}

fn image_load() -> Vec<(&'static str, String)> {
    vec![
        ("RuleName", "-".into()),
        ("UtcTime", "2026-03-02 08:58:12.441".into()),
        (
            "ProcessGuid",
            "{7c4e2b10-91d2-69a1-2d71-000000002b10}".into(),
        ),
        ("ProcessId", "7421".into()),
        ("Image", r"C:\Windows\explorer.exe".into()),
        (
            "ImageLoaded",
            r"C:\Windows\System32\twinapi.appcore.dll".into(),
        ),
        (
            "Hashes",
            "SHA256=9A01A2C744D62A013577B7E896629B843C6B8ACD2F663E2414C75C99AC0E59C8".into(),
        ),
        ("Signed", "true".into()),
        ("User", r"CORP\alice.nguyen".into()),
    ]
}

const PYTHON: &str = r"C:\Users\alice.nguyen\AppData\Local\Programs\Python\Python312\python.exe";
const PIP: &str = r"C:\Users\alice.nguyen\AppData\Local\Programs\Python\Python312\Scripts\pip.exe";
const CMD: &str = r"C:\Windows\System32\cmd.exe";

/// Builds `count` records: mostly events the query discards early, some near misses that
/// reach its `where` stages, and one detection of each branch per 100 records.
fn sample_records(count: usize) -> Vec<MemoryRecord> {
    let shapes: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        ("7", image_load()),
        ("7", image_load()),
        ("13", image_load()),
        ("22", image_load()),
        (
            "1",
            process_create(
                CMD,
                r#""C:\Windows\system32\cmd.exe" "#,
                r"C:\Windows\explorer.exe",
                r"C:\Windows\Explorer.EXE",
            ),
        ),
        (
            "1",
            process_create(
                r"C:\Program Files\Git\cmd\git.exe",
                "git status -z -uall",
                PIP,
                "pip install requests==2.31.0",
            ),
        ),
        (
            "3",
            network_connect(PYTHON, "151.101.0.223", "pypi.org", "443"),
        ),
        (
            "3",
            network_connect(
                r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                "142.250.180.4",
                "-",
                "443",
            ),
        ),
        (
            "11",
            file_create(
                PYTHON,
                r"C:\Users\alice.nguyen\AppData\Local\Temp\tmp8x2k1q\report.json",
            ),
        ),
        (
            "11",
            file_create(
                r"C:\Windows\explorer.exe",
                r"C:\Users\alice.nguyen\Downloads\notes.zip",
            ),
        ),
    ];
    let detections: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        (
            "1",
            process_create(
                CMD,
                r"cmd.exe /c whoami /all",
                PIP,
                "pip install colourama==0.4.7",
            ),
        ),
        ("3", network_connect(PYTHON, "198.51.100.23", "-", "4444")),
        (
            "11",
            file_create(
                PYTHON,
                r"C:\Users\alice.nguyen\AppData\Local\Temp\pip-install-q8x3m1\svchostw.exe",
            ),
        ),
    ];
    let hosts = [
        "DEV-WS01.corp.example",
        "DEV-WS02.corp.example",
        "BUILD-07.corp.example",
        "WS-0142.corp.example",
    ];

    (0..count)
        .map(|index| {
            let host = hosts[index % hosts.len()];
            let (event_id, fields) = if index % 100 < detections.len() {
                &detections[index % 100]
            } else {
                &shapes[index % shapes.len()]
            };
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            MemoryRecord {
                event_id: event_id.to_string(),
                host: host.to_string(),
                message_time: 1_772_442_867_553.0 + index as f64,
                raw: canonical_raw(event_id, host, &fields),
            }
        })
        .collect()
}

fn anchors(c: &mut Criterion) {
    let fields = process_create(
        CMD,
        r"cmd.exe /c whoami /all",
        PIP,
        "pip install colourama==0.4.7",
    );
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let raw = canonical_raw("1", "DEV-WS01.corp.example", &fields);

    let mut group = c.benchmark_group("anchor_captures");
    group.throughput(Throughput::Bytes(raw.len() as u64));
    let cases = [
        ("image_found", "<Image><![CDATA[*]]></Image>"),
        (
            "parent_command_line_found",
            "<ParentCommandLine><![CDATA[*]]></ParentCommandLine>",
        ),
        (
            "target_filename_missing",
            "<TargetFilename><![CDATA[*]]></TargetFilename>",
        ),
    ];
    for (name, pattern) in cases {
        let anchor = AnchorPattern::new(pattern);
        group.bench_function(name, |bencher| {
            bencher.iter(|| {
                anchor
                    .captures(black_box(&raw))
                    .map(|captures| captures.len())
            })
        });
    }
    group.finish();
}

fn wildcards(c: &mut Criterion) {
    let mut group = c.benchmark_group("wildcard_is_match");
    let cases = [
        ("suffix_hit", r"*\pip.exe", PIP),
        ("suffix_miss", r"*\pip.exe", PYTHON),
        ("infix_hit", "*pip install*", "pip install colourama==0.4.7"),
        (
            "infix_miss",
            "*npm install*",
            r#""C:\Windows\system32\cmd.exe" /c "C:\Scripts\logon.bat""#,
        ),
        (
            "two_infixes_miss",
            r"*AppData\Local\Temp\*",
            r"C:\Users\alice.nguyen\Downloads\notes.zip",
        ),
    ];
    for (name, pattern, value) in cases {
        let wildcard = WildcardPattern::new(pattern);
        group.bench_with_input(BenchmarkId::new(name, pattern), value, |bencher, value| {
            bencher.iter(|| wildcard.is_match(black_box(value)))
        });
    }
    group.finish();
}

fn shipped_query(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../queries/t1204_005_malicious_library.sumo"
    );
    let text = std::fs::read_to_string(path).expect("the shipped query is in the repository");
    let query = sumoql_syntax::parse_query(&text).expect("the shipped query parses");
    let plan = sumoql_engine::compile(&query).expect("the shipped query compiles");

    let records = sample_records(10_000);

    let mut group = c.benchmark_group("shipped_query");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("10k_records", |bencher| {
        bencher.iter(|| {
            let mut execution = Execution::new(&plan);
            for record in &records {
                execution.push(record);
            }
            execution
                .finish()
                .expect("within the group limit")
                .rows
                .len()
        })
    });
    group.finish();
}

/// Short runs, because the benchmarks share two cores with builds. Criterion's
/// confidence intervals show when the noise is too large to read a change.
fn quick() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = quick();
    targets = anchors, wildcards, shipped_query
}
criterion_main!(benches);
