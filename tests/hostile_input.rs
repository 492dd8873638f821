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

/// Asserts that `text` holds no C0 control character but the line break, no DEL and no C1
/// control character.
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

#[test]
fn max_groups_stops_count_by() {
    let query = "* | count by Image, EventRecordID";
    for threads in ["1", "2"] {
        let output = run_sumoql(&[
            "run",
            "--threads",
            threads,
            "--max-groups",
            "3",
            "-e",
            query,
            SAMPLE_LOG,
        ]);
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

/// Runs `sumoql ARGUMENTS` and returns its output with the largest peak resident set size
/// (`VmHWM` of /proc) seen while it ran, in bytes; `None` where /proc is missing. The
/// peak is read every few milliseconds, so the last moments before exit can be missed.
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

    let default = run_sumoql(&[
        "run",
        "--format",
        "csv",
        "-e",
        "* | count",
        path_text(&path),
    ]);
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
    assert!(
        invalid.stderr.contains("invalid record size `0`"),
        "{}",
        invalid.stderr
    );
}
