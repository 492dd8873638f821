//! End-to-end tests of `sumoql run` over hostile and broken input: control characters,
//! DTD entities, huge records and files that change or deny access while read.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{run_sumoql, SAMPLE_LOG};

/// Creates an empty folder of its own for one test.
fn test_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("sumoql-hostile-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&folder);
    fs::create_dir_all(&folder).unwrap();
    folder
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Runs `query` over `inputs` with CSV output.
fn run_csv(query: &str, inputs: &[&Path]) -> common::Output {
    let mut arguments = vec!["run", "--format", "csv", "-e", query];
    arguments.extend(inputs.iter().map(|path| path_text(path)));
    run_sumoql(&arguments)
}

/// Asserts that a run's standard error contains `text`, showing it otherwise.
fn assert_stderr_contains(output: &common::Output, text: &str) {
    assert!(output.stderr.contains(text), "{}", output.stderr);
}

/// Asserts that `text` contains no C0 control character but the line break, no DEL and
/// no C1 control character.
fn assert_no_raw_controls(name: &str, text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|character| character.is_control() && *character != '\n')
        .collect();
    assert!(raw.is_empty(), "{name} has raw controls {raw:?}: {text:?}");
}

#[test]
fn control_characters_never_reach_terminal() {
    let folder = test_folder("controls");
    let json = folder.join("values.json");
    fs::write(
        &json,
        r#"{"message":"red \u001b[31m bell \u0007 cr \r back \b csi \u009b"}"#,
    )
    .unwrap();
    let xml = folder.join("evil\u{1b}[31m\u{7}.xml");
    fs::write(&xml, "<Event><System><EventID>1\u{1b}[2J</Event>\n").unwrap();

    let output = run_sumoql(&[
        "run",
        "-e",
        "* | json auto | count by message",
        path_text(&json),
        path_text(&xml),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_no_raw_controls("stdout", &output.stdout);
    assert_no_raw_controls("stderr", &output.stderr);
    assert!(
        output
            .stdout
            .contains(r"red \u{1b}[31m bell \u{7} cr \r back \u{8} csi \u{9b}"),
        "stdout: {}",
        output.stdout
    );
    assert!(
        output.stderr.contains(r"evil\u{1b}[31m\u{7}.xml: line 1"),
        "stderr: {}",
        output.stderr
    );
}

/// Runs `query` over the bundled sample on `threads` threads with `--max-groups limit`.
fn run_on_sample_with_limit(query: &str, threads: &str, limit: &str) -> common::Output {
    run_sumoql(&[
        "run",
        "--threads",
        threads,
        "--max-groups",
        limit,
        "-e",
        query,
        SAMPLE_LOG,
    ])
}

#[test]
fn max_groups_stops_count_by() {
    let query = "* | count by Image, EventRecordID";
    for threads in ["1", "2"] {
        let output = run_on_sample_with_limit(query, threads, "3");
        assert_eq!(output.code(), 2, "threads {threads}: {}", output.stderr);
        assert_eq!(output.stdout, "", "threads {threads}");
        insta::assert_snapshot!(format!("max_groups_threads_{threads}"), output.stderr);

        let unlimited = run_sumoql(&["run", "--threads", threads, "-e", query, SAMPLE_LOG]);
        assert_eq!(
            unlimited.code(),
            0,
            "threads {threads}: {}",
            unlimited.stderr
        );
    }
}

/// The stages the limit checks when the run finishes, and the distinct values an
/// aggregate keeps, stop the run too, with one thread and with several.
#[test]
fn max_groups_stops_late_stages_and_distinct_values() {
    let values: Vec<String> = (1..=20).map(|id| format!("\"{id}\"")).collect();
    let fillmissing = format!(
        "* | count by EventID | fillmissing values({}) in EventID",
        values.join(", ")
    );
    let cases = [
        (fillmissing.as_str(), "more than 6 rows"),
        (
            "* | count_distinct(EventRecordID)",
            "more than 6 distinct values or samples",
        ),
    ];
    for (query, expected) in cases {
        for threads in ["1", "2"] {
            let output = run_on_sample_with_limit(query, threads, "6");
            assert_eq!(
                output.code(),
                2,
                "{query}, threads {threads}: {}",
                output.stderr
            );
            assert_eq!(output.stdout, "", "{query}, threads {threads}");
            assert!(
                output.stderr.contains(expected),
                "{query}, threads {threads}: {}",
                output.stderr
            );
        }
    }
}

/// Runs `sumoql ARGUMENTS` and returns its output with its peak resident set size in
/// bytes (`VmHWM` of /proc), or `None` where /proc is missing. The peak is read every few
/// milliseconds, so the last moments before exit can be missed.
fn run_measuring_memory(arguments: &[&str]) -> (std::process::Output, Option<u64>) {
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoql"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sumoql binary starts");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    while child.try_wait().unwrap().is_none() {
        let resident = fs::read_to_string(&status_path).ok().and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
        if let Some(resident) = resident {
            peak = Some(peak.unwrap_or(0).max(resident));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    (child.wait_with_output().unwrap(), peak)
}

/// A 200 MiB line is longer than the default 16 MiB record size: it is reported and
/// skipped, and reading streams past it without holding it.
#[test]
fn huge_line_is_skipped_in_bounded_memory() {
    use std::io::Write;

    const LINE_MIB: usize = 200;
    let folder = test_folder("huge-line");
    let path = folder.join("huge.log");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    file.write_all(b"first message\n").unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..LINE_MIB {
        file.write_all(&chunk).unwrap();
    }
    file.write_all(b"\nlast message\n").unwrap();
    file.into_inner().unwrap().sync_all().unwrap();

    let (output, peak) = run_measuring_memory(&[
        "run",
        "--format",
        "csv",
        "-e",
        "* | count",
        path_text(&path),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    fs::remove_dir_all(&folder).unwrap();

    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stdout, "_count\n2\n");
    assert!(
        stderr.contains("huge.log: line 2 (byte 14): line is longer than 16777216 bytes"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains("1 skipped as malformed"),
        "stderr: {stderr}"
    );
    // One copy of the line would take 200 MiB; the reader keeps at most 16 MiB of it.
    if let Some(peak) = peak {
        assert!(peak < 100 << 20, "peak resident memory {peak} bytes");
    }
}

#[test]
fn max_record_size_is_configurable() {
    let folder = test_folder("record-size");
    let path = folder.join("lines.log");
    fs::write(&path, format!("short\n{}\nshort again\n", "y".repeat(2000))).unwrap();

    let output = run_sumoql(&[
        "run",
        "--max-record-size",
        "1KiB",
        "--format",
        "csv",
        "-e",
        "* | count",
        path_text(&path),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "_count\n2\n");
    assert!(
        output
            .stderr
            .contains("line 2 (byte 6): line is longer than 1024 bytes"),
        "stderr: {}",
        output.stderr
    );

    let default = run_csv("* | count", &[&path]);
    assert_eq!(default.stdout, "_count\n3\n");

    let invalid = run_sumoql(&[
        "run",
        "--max-record-size",
        "0",
        "-e",
        "* | count",
        path_text(&path),
    ]);
    assert_eq!(invalid.code(), 1);
    assert_stderr_contains(&invalid, "invalid record size `0`");
}

#[test]
fn million_json_keys_are_read() {
    let folder = test_folder("wide-json");
    let path = folder.join("wide.json");
    // Hexadecimal keys keep the object under the 16 MiB record size: key 999,999 is f423f.
    let keys: Vec<String> = (0..1_000_000)
        .map(|key| format!("\"{key:x}\":{key}"))
        .collect();
    fs::write(&path, format!("{{{}}}\n{{\"small\":1}}\n", keys.join(","))).unwrap();

    let output = run_csv(
        r#"* | json "0", "f423f" as first, last nodrop | count by first, last"#,
        &[&path],
    );
    fs::remove_dir_all(&folder).unwrap();
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "first,last,_count\n0,999999,1\n,,1\n");
    assert_stderr_contains(
        &output,
        "read 2 records from 1 file: 2 processed (json 2), 0 skipped",
    );
}

#[test]
fn million_xml_data_elements_are_read() {
    let folder = test_folder("wide-xml");
    let path = folder.join("wide.xml");
    let data = "<Data>7</Data>".repeat(1_000_000);
    let events = format!(
        "<Event><System><EventID>1</EventID></System><EventData>{data}</EventData></Event>\n\
         <Event><System><EventID>2</EventID></System></Event>\n"
    );
    fs::write(&path, events).unwrap();

    let output = run_csv(
        r#"* | parse "<Data1000000><![CDATA[*]]>" as last nodrop | count by EventID, last"#,
        &[&path],
    );
    fs::remove_dir_all(&folder).unwrap();
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "EventID,last,_count\n1,7,1\n2,,1\n");
}

#[test]
fn ten_megabyte_command_line_is_kept_whole() {
    let folder = test_folder("long-command");
    let path = folder.join("long.xml");
    let command_line = format!("cmd.exe /c {}", "A".repeat(10_000_000));
    let event = format!(
        "<Event><System><EventID>1</EventID></System><EventData>\
         <Data Name='CommandLine'>{command_line}</Data></EventData></Event>\n"
    );
    fs::write(&path, event).unwrap();

    let output = run_csv(
        r#"* | parse "<CommandLine><![CDATA[*]]>" as cmd | length(cmd) as n | fields n"#,
        &[&path],
    );
    fs::remove_dir_all(&folder).unwrap();
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "n\n10000011\n");
}

/// NUL bytes after the first 64 KiB that recognise the format, and invalid UTF-8, stay
/// in the records: a NUL shows as an escape, invalid UTF-8 as U+FFFD with a warning.
#[test]
fn nul_bytes_and_invalid_utf8_are_kept() {
    let folder = test_folder("nul-utf8");
    let text = folder.join("messages.log");
    let mut bytes = "padding line\n".repeat(6000).into_bytes();
    bytes.extend_from_slice(b"nul \x00 inside\nbad \xff\xfe utf-8\n");
    fs::write(&text, bytes).unwrap();
    let xml = folder.join("events.xml");
    fs::write(
        &xml,
        b"<Event><System><EventID>1</EventID></System><EventData>\
          <Data Name='Image'>a\x00b \xc3\x28</Data></EventData></Event>\n",
    )
    .unwrap();

    let output = run_sumoql(&[
        "run",
        "-e",
        r#"* | where !(_raw matches "padding*") | fields _raw"#,
        path_text(&text),
        path_text(&xml),
    ]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_no_raw_controls("stdout", &output.stdout);
    assert!(
        output.stdout.contains(r"nul \u{0} inside"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("bad \u{fffd}\u{fffd} utf-8"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("<Image><![CDATA[a\\u{0}b \u{fffd}(]]></Image>"),
        "{}",
        output.stdout
    );
    assert_stderr_contains(
        &output,
        "2 records held invalid UTF-8, replaced with U+FFFD",
    );
}

/// serde_json rejects a lone UTF-16 surrogate escape such as `\ud800`, so such a line of
/// a JSON events file is reported and skipped, on the first line too: the next line that
/// parses decides the format.
#[test]
fn lone_surrogate_escapes_are_reported() {
    let folder = test_folder("surrogates");
    let later = folder.join("later.json");
    fs::write(
        &later,
        "{\"Event\":{\"System\":{\"EventID\":1}}}\n\
         {\"Event\":{\"System\":{\"EventID\":2},\"EventData\":{\"Image\":\"\\ud800\"}}}\n\
         {\"Event\":{\"System\":{\"EventID\":3}}}\n",
    )
    .unwrap();
    let output = run_csv("* | count", &[&later]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "_count\n2\n");
    assert_stderr_contains(&output, "later.json: line 2 (byte 35): invalid JSON");

    // Events in the Windows JSON shape: the bad first event is reported and skipped.
    let first = folder.join("first.json");
    fs::write(
        &first,
        "{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{\"Image\":\"\\udc00\"}}}\n\
         {\"Event\":{\"System\":{\"EventID\":2}}}\n\
         {\"Event\":{\"System\":{\"EventID\":3}}}\n",
    )
    .unwrap();
    let output = run_csv("* | count by EventID", &[&first]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "EventID,_count\n2,1\n3,1\n");
    assert_stderr_contains(&output, "first.json: line 1 (byte 0): invalid JSON");
    assert_stderr_contains(
        &output,
        "read 3 records from 1 file: 2 processed (evtx-json 2), 1 skipped as malformed",
    );

    // Generic JSON lines keep every line as a message, which `json` parses or not later.
    let generic = folder.join("generic.json");
    fs::write(
        &generic,
        "{\"a\":\"\\udc00\"}\n{\"a\":\"ok\"}\n{\"a\":\"fine\"}\n",
    )
    .unwrap();
    let output = run_csv("* | json \"a\" nodrop | count by a", &[&generic]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "a,_count\n,1\nok,1\nfine,1\n");
    assert_stderr_contains(&output, "3 processed (json 3)");
}

#[test]
fn utf16_without_bom_is_read() {
    let folder = test_folder("utf16");
    let path = folder.join("events.xml");
    let text = "<Event><System><EventID>7</EventID></System></Event>\r\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    fs::write(&path, bytes).unwrap();

    let output = run_csv("* | count by EventID", &[&path]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "EventID,_count\n7,1\n");
}

#[test]
fn empty_files_read_no_records() {
    let folder = test_folder("empty");
    for name in ["empty.xml", "empty.json", "empty.log"] {
        fs::write(folder.join(name), "").unwrap();
    }
    fs::write(folder.join("empty.evtx"), "").unwrap();

    let output = run_csv("* | count", &[&folder]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "_count\n0\n");
    assert_stderr_contains(
        &output,
        "read 0 records: 0 processed, 0 skipped as malformed",
    );
}

/// Returns the effective user id of this process, from /proc.
fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Runs `sumoql ARGUMENTS` as a user that permissions apply to: directly, or through
/// `setpriv` as user and group 65534 when this process runs as root. Returns `None`, after
/// saying why, when neither is possible.
fn run_sumoql_unprivileged(arguments: &[&str]) -> Option<std::process::Output> {
    use std::process::{Command, Stdio};

    let binary = env!("CARGO_BIN_EXE_sumoql");
    let mut command = match effective_uid() {
        Some(0) => {
            let mut command = Command::new("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
            command
        }
        Some(_) => Command::new(binary),
        None => {
            common::report_skip("the effective user id is unknown (no /proc/self/status)");
            return None;
        }
    };
    let output = command
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.code() != Some(127) => Some(output),
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            common::report_skip(&format!("setpriv could not run sumoql: {stderr}"));
            None
        }
        Err(error) => {
            common::report_skip(&format!("setpriv is not available to drop root: {error}"));
            None
        }
    }
}

#[cfg(unix)]
#[test]
fn permission_denied_is_reported() {
    use std::os::unix::fs::PermissionsExt;

    let folder = test_folder("permissions");
    let readable = folder.join("readable.xml");
    fs::write(
        &readable,
        "<Event><System><EventID>1</EventID></System></Event>\n",
    )
    .unwrap();
    let denied = folder.join("denied.xml");
    fs::write(
        &denied,
        "<Event><System><EventID>2</EventID></System></Event>\n",
    )
    .unwrap();
    fs::set_permissions(&denied, fs::Permissions::from_mode(0o000)).unwrap();
    let denied_folder = folder.join("denied-folder");
    fs::create_dir(&denied_folder).unwrap();
    fs::write(denied_folder.join("inside.xml"), "<Event></Event>\n").unwrap();
    fs::set_permissions(&denied_folder, fs::Permissions::from_mode(0o000)).unwrap();

    let arguments = [
        "run",
        "--format",
        "csv",
        "-e",
        "* | count",
        path_text(&folder),
    ];
    let Some(output) = run_sumoql_unprivileged(&arguments) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "_count\n1\n");
    for path in [&denied, &denied_folder] {
        let message = format!("failed to read {}: Permission denied", path.display());
        assert!(stderr.contains(&message), "{message}: {stderr}");
    }
    assert!(stderr.contains("2 inputs unreadable"), "stderr: {stderr}");
}

#[cfg(unix)]
#[test]
fn directory_symlink_loop_terminates() {
    let folder = test_folder("loop");
    fs::create_dir(folder.join("logs")).unwrap();
    fs::write(
        folder.join("logs/a.xml"),
        "<Event><System><EventID>1</EventID></System></Event>\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&folder, folder.join("logs/up")).unwrap();

    let output = run_csv("* | count", &[&folder]);
    assert_eq!(output.code(), 2, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "_count\n1\n");
    assert_stderr_contains(&output, "it was already read (symbolic link loop?)");
}

/// A file truncated by another thread while sumoql reads it: the run ends without a
/// panic, with the records read before the cut, which depends on timing.
#[test]
fn file_truncated_during_run_ends_cleanly() {
    use std::process::{Command, Stdio};

    let folder = test_folder("shrinking");
    let path = folder.join("shrinking.log");
    let line = "2024-05-01T12:00:00Z host message number\n";
    let lines = 500_000;
    fs::write(&path, line.repeat(lines)).unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_sumoql"))
        .args([
            "run",
            "--format",
            "csv",
            "-e",
            "* | count",
            path_text(&path),
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let truncating = {
        let path = path.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(0)
                .unwrap();
        })
    };
    let output = child.wait_with_output().unwrap();
    truncating.join().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(
        matches!(output.status.code(), Some(0) | Some(2)),
        "stderr: {stderr}"
    );
    if output.status.code() == Some(0) {
        let count: usize = stdout
            .strip_prefix("_count\n")
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or_else(|| panic!("stdout: {stdout}"));
        assert!(count <= lines, "{count}");
    }
}

/// Runs `* | count` over `inputs` with `--summary json` and returns the summary object,
/// the last line on stderr.
fn json_summary(threads: &str, inputs: &[&Path]) -> serde_json::Value {
    let mut arguments = vec![
        "run",
        "--threads",
        threads,
        "--summary",
        "json",
        "-e",
        "* | count",
    ];
    arguments.extend(inputs.iter().map(|path| path_text(path)));
    let output = run_sumoql(&arguments);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    let last_line = output.stderr.lines().last().unwrap_or_default();
    serde_json::from_str(last_line).unwrap_or_else(|error| panic!("{error}: {}", output.stderr))
}

/// Runs `* | count` over `inputs` with the text summary and returns the records read,
/// processed and skipped and the files it names, after checking that the counts add up.
fn text_summary(inputs: &[&Path]) -> (u64, u64, u64, u64) {
    let mut arguments = vec!["run", "--threads", "1", "-e", "* | count"];
    arguments.extend(inputs.iter().map(|path| path_text(path)));
    let output = run_sumoql(&arguments);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    let line = output.stderr.lines().last().unwrap_or_default();
    let pattern = regex::Regex::new(
        r"^sumoql: read ([\d,]+) records? from ([\d,]+) files?: ([\d,]+) processed \([^)]*\), ([\d,]+) skipped as malformed; [\d,]+ result rows? in ",
    )
    .unwrap();
    let captures = pattern
        .captures(line)
        .unwrap_or_else(|| panic!("summary line: {line}"));
    let number = |index: usize| -> u64 { captures[index].replace(',', "").parse().unwrap() };
    let (read, files, processed, skipped) = (number(1), number(2), number(3), number(4));
    assert_eq!(read, processed + skipped, "{line}");
    (read, files, processed, skipped)
}

/// Returns the `records_read`, `records_processed` and `records_skipped` of a summary
/// object, after checking that they add up.
fn read_processed_skipped(counts: &serde_json::Value) -> (u64, u64, u64) {
    let number = |key: &str| {
        counts[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} in {counts}"))
    };
    let (read, processed, skipped) = (
        number("records_read"),
        number("records_processed"),
        number("records_skipped"),
    );
    assert_eq!(read, processed + skipped, "{counts}");
    (read, processed, skipped)
}

/// Copies the header and the first chunk and a half of a shared `.evtx` sample into
/// `folder`, so the second chunk is cut short. Returns `None`, after saying why, when the
/// shared data is absent.
fn truncated_evtx(folder: &Path) -> Option<PathBuf> {
    let shared = common::shared_folder()?;
    let source = shared.join("data/sysmon/evtx/PanacheSysmon_vs_AtomicRedTeam01.evtx");
    let Ok(bytes) = fs::read(&source) else {
        common::report_skip(&format!("{} is missing", source.display()));
        return None;
    };
    let path = folder.join("truncated.evtx");
    fs::write(&path, &bytes[..4096 + 65536 + 30000]).unwrap();
    Some(path)
}

/// Every record read is processed or skipped, per input and in total, with one thread
/// and with two, and both runs count the same.
#[test]
fn summary_counts_add_up() {
    let folder = test_folder("accounting");
    let event = |id: u32| format!("<Event><System><EventID>{id}</EventID></System></Event>");
    let xml = folder.join("mixed.xml");
    fs::write(
        &xml,
        format!(
            "{}\nnot an event\n{}\n<Event><System>\n{}\n",
            event(1),
            event(2),
            event(3)
        ),
    )
    .unwrap();
    let json_event = |id: u32| format!("{{\"Event\":{{\"System\":{{\"EventID\":{id}}}}}}}");
    let json = folder.join("mixed.json");
    fs::write(
        &json,
        format!(
            "{}\n{{broken\n{}\n{{\"Event\":\n",
            json_event(1),
            json_event(2)
        ),
    )
    .unwrap();
    let mut inputs = vec![xml.clone(), json.clone()];
    let evtx = truncated_evtx(&folder);
    inputs.extend(evtx.clone());
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();

    let one_thread = json_summary("1", &inputs);
    let two_threads = json_summary("2", &inputs);
    assert_eq!(one_thread, two_threads);

    let per_input = one_thread["inputs"].as_array().unwrap();
    assert_eq!(per_input.len(), inputs.len(), "{one_thread}");
    let mut totals = (0, 0, 0);
    for counts in per_input {
        let (read, processed, skipped) = read_processed_skipped(counts);
        totals = (totals.0 + read, totals.1 + processed, totals.2 + skipped);
        let name = counts["input"].as_str().unwrap();
        if name == path_text(&xml) {
            // The unclosed event on line 4 ends at the next event, which is read.
            assert_eq!((read, processed, skipped), (5, 3, 2), "{counts}");
        } else if name == path_text(&json) {
            assert_eq!((read, processed, skipped), (4, 2, 2), "{counts}");
        } else {
            assert!(processed > 0, "{counts}");
            assert_eq!(skipped, 1, "{counts}");
        }
    }
    assert_eq!(read_processed_skipped(&one_thread), totals);

    let (read, files, processed, skipped) = text_summary(&inputs);
    assert_eq!(
        (read, processed, skipped),
        totals,
        "text and JSON summaries differ"
    );
    assert_eq!(files, inputs.len() as u64);
}

/// A "billion laughs" document and external entities pointing at a local file and at a
/// listening port: the DOCTYPEs and the events that use their entities are reported with
/// file, line and offset and skipped, nothing is expanded and nothing connects.
#[test]
fn dtd_entities_are_neither_expanded_nor_fetched() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();

    let folder = test_folder("entities");
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE Events [\n<!ENTITY lol0 \"lol\">\n");
    for level in 1..10 {
        let previous = format!("&lol{};", level - 1).repeat(10);
        laughs.push_str(&format!("<!ENTITY lol{level} \"{previous}\">\n"));
    }
    laughs.push_str(
        "]>\n<Events>\n\
         <Event><System><EventID>1</EventID></System><EventData><Data Name='Image'>&lol9;</Data></EventData></Event>\n\
         <Event><System><EventID>2</EventID></System></Event>\n\
         </Events>\n",
    );
    let document = folder.join("laughs.xml");
    fs::write(&document, laughs).unwrap();

    let external = folder.join("external.xml");
    fs::write(
        &external,
        format!(
            "<!DOCTYPE Event [<!ENTITY file SYSTEM \"file:///etc/passwd\">]><Event><System><EventID>3</EventID></System><EventData><Data Name='Image'>&file;</Data></EventData></Event>\n\
             <!DOCTYPE Event [<!ENTITY web SYSTEM \"http://127.0.0.1:{port}/x\">]><Event><System><EventID>4</EventID></System><EventData><Data Name='Image'>&web;</Data></EventData></Event>\n\
             <!DOCTYPE Event SYSTEM \"http://127.0.0.1:{port}/event.dtd\"><Event><System><EventID>5</EventID></System></Event>\n"
        ),
    )
    .unwrap();

    let output = run_csv("* | count by EventID", &[&document, &external]);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout, "EventID,_count\n2,1\n5,1\n");
    let expected = [
        "laughs.xml: line 2 (byte 22): DOCTYPE with entity declarations",
        "laughs.xml: line 15 (byte 776): reference to the undefined entity &lol9;",
        "external.xml: line 1 (byte 0): DOCTYPE with entity declarations",
        "external.xml: line 1 (byte 61): reference to the undefined entity &file;",
        "external.xml: line 2 (byte 169): DOCTYPE with entity declarations",
    ];
    for report in expected {
        assert!(
            output.stderr.contains(report),
            "{report}: {}",
            output.stderr
        );
    }
    assert_stderr_contains(&output, "7 skipped as malformed");
    assert!(!output.stdout.contains("root:"), "{}", output.stdout);
    assert!(
        matches!(listener.accept(), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock),
        "sumoql connected to the port of an external entity"
    );
}
