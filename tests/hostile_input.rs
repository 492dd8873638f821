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
