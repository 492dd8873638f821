//! Runs the shipped detection over the real Sysmon samples kept beside the
//! repository, and checks the result against detections computed here
//! independently: decoded with the `evtx` crate and filtered in plain Rust.
//!
//! The samples are not part of the repository. Set `SUMOQL_SHARED` to the
//! folder that holds `data/sysmon/`, or keep it at `../shared`; without it
//! these tests print that they are skipped and return.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{run_sumoql, run_sumoql_with_env, shared_folder, SAMPLE_LOG, SHIPPED_QUERY};
use serde_json::Value as Json;

fn sysmon_folder() -> Option<PathBuf> {
    let folder = shared_folder()?.join("data/sysmon");
    if folder.is_dir() {
        Some(folder)
    } else {
        common::report_skip(&format!("{} not found", folder.display()));
        None
    }
}

type DetectionKey = (String, String, String, String);

/// Decodes every record of the `.evtx` files in `folder` as JSON.
fn decode_evtx_folder(folder: &Path) -> Vec<Json> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "evtx")
        })
        .collect();
    paths.sort();

    let mut events = Vec::new();
    for path in paths {
        let mut parser = evtx::EvtxParser::from_path(&path).unwrap();
        for record in parser.records_json_value() {
            events.push(record.unwrap().data);
        }
    }
    events
}

fn text(value: Option<&Json>) -> Option<String> {
    match value? {
        Json::String(text) => Some(text.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

/// Applies the three branches of the shipped query to one decoded event,
/// written out by hand from the query text.
fn detection(event: &Json) -> Option<DetectionKey> {
    let system = &event["Event"]["System"];
    let data = &event["Event"]["EventData"];
    let channel = text(system.get("Channel"))?;
    if channel != "Microsoft-Windows-Sysmon/Operational" {
        return None;
    }
    let event_id = match &system["EventID"] {
        Json::Object(object) => text(object.get("#text"))?,
        other => text(Some(other))?,
    };
    let host = text(system.get("Computer")).unwrap_or_default();
    let field = |name: &str| text(data.get(name));
    let ends_with_any = |value: &Option<String>, suffixes: &[&str]| {
        value
            .as_ref()
            .is_some_and(|value| suffixes.iter().any(|suffix| value.ends_with(suffix)))
    };
    let contains_any = |value: &Option<String>, needles: &[&str]| {
        value
            .as_ref()
            .is_some_and(|value| needles.iter().any(|needle| value.contains(needle)))
    };
    let user = field("User").unwrap_or_default();

    match event_id.as_str() {
        "1" => {
            let parent = field("ParentImage");
            let parent_command = field("ParentCommandLine");
            let child = field("Image");
            let parent_hit = ends_with_any(
                &parent,
                &[
                    "\\pip.exe",
                    "\\pip3.exe",
                    "\\python.exe",
                    "\\python3.exe",
                    "\\node.exe",
                    "\\npm.cmd",
                ],
            ) || contains_any(
                &parent_command,
                &[
                    "pip install",
                    "pip3 install",
                    "npm install",
                    "npm ci",
                    "yarn add",
                    "setup.py",
                ],
            );
            let child_hit = ends_with_any(
                &child,
                &[
                    "\\cmd.exe",
                    "\\powershell.exe",
                    "\\pwsh.exe",
                    "\\mshta.exe",
                    "\\rundll32.exe",
                    "\\certutil.exe",
                    "\\bitsadmin.exe",
                    "\\wscript.exe",
                    "\\cscript.exe",
                    "\\regsvr32.exe",
                    "\\msiexec.exe",
                    "\\schtasks.exe",
                    "\\sc.exe",
                    "\\reg.exe",
                ],
            );
            (parent_hit && child_hit).then(|| {
                (
                    host,
                    user,
                    child.unwrap_or_default(),
                    "PackageInstallSpawnedSuspiciousProcess".to_string(),
                )
            })
        }
        "3" => {
            let image = field("Image");
            let port = field("DestinationPort").and_then(|port| port.trim().parse::<f64>().ok())?;
            let ip = field("DestinationIp");
            let destination_host = field("DestinationHostname");
            let image_hit = ends_with_any(&image, &["\\python.exe", "\\python3.exe", "\\node.exe"]);
            let port_hit = ![80.0, 443.0, 8080.0, 8443.0].contains(&port);
            // The quoted patterns `172.1[6-9].*` and so on are literal text in
            // Sumo, so only these prefixes exclude an address.
            let private = ip.as_ref().is_some_and(|ip| {
                ["10.", "192.168.", "127."]
                    .iter()
                    .any(|prefix| ip.starts_with(prefix))
                    || ["172.1[6-9].", "172.2[0-9].", "172.3[0-1]."]
                        .iter()
                        .any(|prefix| ip.starts_with(prefix))
            });
            let trusted = ends_with_any(
                &destination_host,
                &[
                    "pypi.org",
                    "pythonhosted.org",
                    "npmjs.com",
                    "github.com",
                    "githubusercontent.com",
                    "anaconda.com",
                    "yarnpkg.com",
                ],
            );
            (image_hit && port_hit && !private && !trusted).then(|| {
                (
                    host,
                    user,
                    image.unwrap_or_default(),
                    "MaliciousLibraryC2Callback".to_string(),
                )
            })
        }
        "11" => {
            let image = field("Image");
            let dropped = field("TargetFilename");
            let image_hit = ends_with_any(
                &image,
                &[
                    "\\python.exe",
                    "\\python3.exe",
                    "\\node.exe",
                    "\\pip.exe",
                    "\\pip3.exe",
                ],
            );
            let extension_hit =
                ends_with_any(&dropped, &[".exe", ".dll", ".bat", ".ps1", ".vbs", ".scr"]);
            let place_hit = contains_any(
                &dropped,
                &[
                    "\\Startup\\",
                    "AppData\\Local\\Temp\\",
                    "Windows\\Temp\\",
                    "System32\\",
                    "SysWOW64\\",
                    "\\ProgramData\\",
                ],
            );
            (image_hit && extension_hit && place_hit).then(|| {
                (
                    host,
                    user,
                    image.unwrap_or_default(),
                    "PackageInstallerDroppedExecutable".to_string(),
                )
            })
        }
        _ => None,
    }
}

fn expected_counts(events: &[Json]) -> BTreeMap<DetectionKey, u64> {
    let mut counts = BTreeMap::new();
    for event in events {
        if let Some(key) = detection(event) {
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// Reads sumoql's JSON-lines output (`--format ndjson`) into the same shape as [`expected_counts`].
fn actual_counts(output: &str) -> BTreeMap<DetectionKey, u64> {
    let mut counts = BTreeMap::new();
    for line in output.lines() {
        let row: Json = serde_json::from_str(line).unwrap();
        let column = |name: &str| text(row.get(name)).unwrap_or_default();
        let key = (
            column("_sourceHost"),
            column("Username"),
            column("ChildImage"),
            column("DetectionBranch"),
        );
        counts.insert(key, row["_count"].as_u64().unwrap());
    }
    counts
}

#[test]
fn shipped_query_finds_real_detections_in_evtx() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let evtx_folder = sysmon.join("evtx");

    let expected = expected_counts(&decode_evtx_folder(&evtx_folder));
    let output = run_sumoql(&[
        "run",
        "--format",
        "ndjson",
        SHIPPED_QUERY,
        evtx_folder.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "stderr: {}", output.stderr);
    let actual = actual_counts(&output.stdout);

    assert!(
        !expected.is_empty(),
        "the samples hold python.exe parents spawning cmd.exe"
    );
    assert_eq!(actual, expected);
}

#[test]
fn shipped_query_same_over_evtx_xml_and_json() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let converted = sysmon.join("converted");
    let stems = [
        "PanacheSysmon_vs_AtomicRedTeam01",
        "panache_sysmon_vs_EDRTestingScript",
        "powercat_revShell_sysmon_1_3",
        "sysmon_20_21_1_CommandLineEventConsumer",
    ];

    for stem in stems {
        let inputs = [
            sysmon.join("evtx").join(format!("{stem}.evtx")),
            converted.join(format!("{stem}.xml")),
            converted.join(format!("{stem}.jsonl")),
        ];
        let outputs: Vec<String> = inputs
            .iter()
            .map(|input| {
                let output = run_sumoql(&[
                    "run",
                    "--format",
                    "csv",
                    SHIPPED_QUERY,
                    input.to_str().unwrap(),
                ]);
                assert!(
                    output.status.success(),
                    "{}: {}",
                    input.display(),
                    output.stderr
                );
                output.stdout
            })
            .collect();
        assert_eq!(outputs[0], outputs[1], "{stem}: evtx and XML differ");
        assert_eq!(outputs[0], outputs[2], "{stem}: evtx and JSON lines differ");
    }
}

#[test]
fn original_raw_finds_nothing_in_real_data() {
    let Some(sysmon) = sysmon_folder() else {
        return;
    };
    let evtx_folder = sysmon.join("evtx");
    let output = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "--raw",
        "original",
        SHIPPED_QUERY,
        evtx_folder.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "stderr: {}", output.stderr);
    assert_eq!(
        output.stdout,
        "_sourceHost,Username,ChildImage,DetectionBranch,_count\n"
    );
}

/// The prefilter passes over records that cannot produce a row; the result
/// must be the same as when every record goes through the query.
#[test]
fn prefilter_keeps_results() {
    let mut inputs = vec![SAMPLE_LOG.to_string()];
    if let Some(sysmon) = sysmon_folder() {
        for folder in ["evtx", "converted", "json/otrf", "linux"] {
            inputs.push(sysmon.join(folder).display().to_string());
        }
    }
    for input in &inputs {
        for raw in ["canonical", "original"] {
            let arguments = [
                "run",
                "--format",
                "csv",
                "--raw",
                raw,
                SHIPPED_QUERY,
                input.as_str(),
            ];
            let filtered = run_sumoql(&arguments);
            let unfiltered = run_sumoql_with_env(&arguments, &[("SUMOQL_NO_PREFILTER", "1")]);
            assert!(filtered.status.success(), "{input}: {}", filtered.stderr);
            assert_eq!(
                filtered.stdout, unfiltered.stdout,
                "{input} with --raw {raw}"
            );

            let mut one_thread = arguments.to_vec();
            one_thread.insert(1, "--threads=1");
            let sequential = run_sumoql_with_env(&one_thread, &[("SUMOQL_NO_PREFILTER", "1")]);
            assert_eq!(
                filtered.stdout, sequential.stdout,
                "{input} with --raw {raw} on one thread"
            );
        }
    }
}

/// Splitting a run across threads must not change any result, including
/// the order of rows that no `sort` fixes.
#[test]
fn threads_give_same_results() {
    let mut inputs = vec![SAMPLE_LOG.to_string()];
    if let Some(sysmon) = sysmon_folder() {
        inputs.push(sysmon.display().to_string());
    }
    let queries = [
        "* | count",
        "* | count by EventID, _sourceHost",
        "_sourceCategory=windows/sysmon | where EventID = 1 | parse \"<Image><![CDATA[*]]></Image>\" as image nodrop | count_distinct(image) by _sourceHost",
        "* | parse \"<CommandLine><![CDATA[*]]></CommandLine>\" as command | fields _messageTime, command",
        "* | sort by _messageTime asc | fields _messageTime, EventRecordID | count by EventRecordID | sort by _count | limit 3",
        "* | where EventID = 3 | union [ * | where EventID = 11 | count as files ] | count by EventID, files",
    ];
    for input in &inputs {
        for query in queries {
            let arguments = |threads: &'static str| {
                vec![
                    "run",
                    threads,
                    "--format",
                    "csv",
                    "-e",
                    query,
                    input.as_str(),
                ]
            };
            let one = run_sumoql(&arguments("--threads=1"));
            let two = run_sumoql(&arguments("--threads=2"));
            let four = run_sumoql(&arguments("--threads=4"));
            assert!(one.status.success(), "{query}: {}", one.stderr);
            assert!(!one.stdout.is_empty());
            assert_eq!(two.stdout, one.stdout, "{query} over {input} on 2 threads");
            assert_eq!(four.stdout, one.stdout, "{query} over {input} on 4 threads");
        }
    }
}
