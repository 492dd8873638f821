//! End-to-end tests of `sumoql test`: the shipped cases pass, and edits to
//! a copy of the shipped query fail with a diff naming the lost rows.
//!
//! Tests that change files work on copies in a temporary folder; the
//! shipped query and its cases are never written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const QUERY: &str = "queries/t1204_005_malicious_library.sumo";
const CASES: &str = "queries/t1204_005_malicious_library.tests";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `sumoql` in `folder` with colour off and `stdin` piped in.
fn sumoql_in(folder: &Path, arguments: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoql"))
        .args(arguments)
        .current_dir(folder)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sumoql binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Output {
        code: output
            .status
            .code()
            .expect("sumoql was not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else if !entry.file_name().to_string_lossy().ends_with(".new") {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of the shipped query, its cases and the sample log (which
/// one case reads), laid out as in the repository.
fn workspace_copy() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    fs::create_dir_all(folder.path().join("queries")).unwrap();
    fs::copy(repository().join(QUERY), folder.path().join(QUERY)).unwrap();
    copy_folder(&repository().join(CASES), &folder.path().join(CASES));
    copy_folder(
        &repository().join("samples"),
        &folder.path().join("samples"),
    );
    folder
}

/// Edits the copied query: replaces `from` (which must occur once) by `to`.
fn edit_query(folder: &Path, from: &str, to: &str) {
    let path = folder.join(QUERY);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur once in the query"
    );
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Branch 2's image list, and the same list without `node.exe`.
const BRANCH_2_IMAGES: &str = r#"| where Image matches "*\\python.exe" OR Image matches "*\\python3.exe" OR Image matches "*\\node.exe"
  | where num(DestPort)"#;
const BRANCH_2_IMAGES_WITHOUT_NODE: &str = r#"| where Image matches "*\\python.exe" OR Image matches "*\\python3.exe"
  | where num(DestPort)"#;

fn pending_files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".snapshot.new") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn shipped_cases_pass() {
    let output = sumoql_in(repository(), &["test", "queries/"], "");
    assert_eq!(
        output.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        output.stdout, output.stderr
    );
    let cases = fs::read_dir(repository().join(CASES))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir())
        .count();
    assert!(cases >= 7, "the shipped cases are missing");
    assert!(
        output
            .stdout
            .contains(&format!("sumoql: {cases} passed, 0 failed")),
        "{}",
        output.stdout
    );
    assert!(!output.stdout.contains('\u{1b}'), "colour on a pipe");
    assert!(pending_files(&repository().join(CASES)).is_empty());
}

#[test]
fn every_branch_has_a_case_that_fires_it() {
    for (case, branch) in [
        (
            "branch1_install_spawns_lolbin",
            "PackageInstallSpawnedSuspiciousProcess",
        ),
        ("branch2_c2_callback", "MaliciousLibraryC2Callback"),
        (
            "branch3_dropped_executable",
            "PackageInstallerDroppedExecutable",
        ),
    ] {
        let snapshot = fs::read_to_string(
            repository()
                .join(CASES)
                .join(case)
                .join("expected.snapshot"),
        )
        .unwrap();
        let rows: Vec<&str> = snapshot
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| _"))
            .skip(1)
            .collect();
        assert!(!rows.is_empty(), "{case} has no detection");
        assert!(
            rows.iter().all(|row| row.contains(branch)),
            "{case} fires another branch:\n{snapshot}"
        );
    }
    for case in ["benign_developer_activity", "scope_other_category"] {
        let snapshot = fs::read_to_string(
            repository()
                .join(CASES)
                .join(case)
                .join("expected.snapshot"),
        )
        .unwrap();
        assert!(
            snapshot.contains("\nrows: 0\n"),
            "{case} must stay silent:\n{snapshot}"
        );
    }
}

#[test]
fn removing_node_from_branch_2_fails_naming_the_lost_rows() {
    let shipped = fs::read_to_string(repository().join(QUERY)).unwrap();
    let work = workspace_copy();
    edit_query(work.path(), BRANCH_2_IMAGES, BRANCH_2_IMAGES_WITHOUT_NODE);

    let output = sumoql_in(work.path(), &["test", "queries/"], "");
    assert_eq!(output.code, 1, "stderr: {}", output.stderr);
    assert!(output.stdout.contains(
        "test t1204_005_malicious_library/branch2_c2_callback ... FAILED (1 row removed)"
    ));
    assert!(output.stdout.contains(
        "  - | CI-RUNNER-3.corp.example | CORP\\ci.runner | C:\\Program Files\\nodejs\\node.exe | MaliciousLibraryC2Callback | 1 |"
    ));
    assert!(output.stdout.contains(
        "  - | BUILD-07.corp.example | CORP\\build.agent | C:\\Program Files\\nodejs\\node.exe | MaliciousLibraryC2Callback | 1 |"
    ));
    // Branch 3's node.exe rows are untouched.
    assert!(
        !output
            .stdout
            .contains("PackageInstallerDroppedExecutable | 1 |\n"),
        "{}",
        output.stdout
    );
    insta::assert_snapshot!(output.stdout);

    // The new results wait as pending files; the accepted snapshots are unchanged.
    let pending = pending_files(work.path());
    assert_eq!(pending.len(), 2, "{pending:?}");
    let accepted = fs::read_to_string(
        work.path()
            .join(CASES)
            .join("branch2_c2_callback/expected.snapshot"),
    )
    .unwrap();
    assert!(accepted.contains("nodejs\\node.exe | MaliciousLibraryC2Callback"));

    // Accepting makes the edit the new expectation.
    let accept = sumoql_in(work.path(), &["test", "--accept", "queries/"], "");
    assert_eq!(accept.code, 0, "{}", accept.stdout);
    assert!(pending_files(work.path()).is_empty());
    let again = sumoql_in(work.path(), &["test", "queries/"], "");
    assert_eq!(again.code, 0, "{}", again.stdout);

    assert_eq!(
        fs::read_to_string(repository().join(QUERY)).unwrap(),
        shipped,
        "the shipped query was edited"
    );
}

#[test]
fn an_allow_list_entry_changes_only_the_rows_it_allows() {
    let work = workspace_copy();
    // Tuning: allow-list the CI runner's telemetry host.
    edit_query(
        work.path(),
        r#"OR DestHost matches "*yarnpkg.com")"#,
        r#"OR DestHost matches "*yarnpkg.com" OR DestHost matches "*.telemetrix.example")"#,
    );
    let output = sumoql_in(
        work.path(),
        &["test", "t1204_005_malicious_library/branch2_c2_callback"],
        "",
    );
    assert_eq!(output.code, 1);
    assert!(
        output.stdout.contains("running 1 case of 1 query"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("  - | CI-RUNNER-3.corp.example | CORP\\ci.runner | C:\\Python311\\python3.exe | MaliciousLibraryC2Callback | 1 |"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_changed_count_is_one_changed_row() {
    let work = workspace_copy();
    // One more callback from the same process: the group's count goes from 1 to 2.
    let log = work
        .path()
        .join(CASES)
        .join("branch2_c2_callback/logs/events.xml");
    let text = fs::read_to_string(&log).unwrap();
    let first = text.lines().next().unwrap().to_string();
    fs::write(&log, format!("{text}{first}\n")).unwrap();

    let output = sumoql_in(work.path(), &["test", "queries/"], "");
    assert_eq!(output.code, 1);
    assert!(
        output
            .stdout
            .contains("FAILED (1 row changed, header changed)"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("      _count: 1 -> 2\n"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("  - input: logs/events.xml (windows-xml, 19 records)\n"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("  + input: logs/events.xml (windows-xml, 20 records)\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_query_that_no_longer_parses_fails_with_its_diagnostic() {
    let work = workspace_copy();
    edit_query(work.path(), "| where EventID = 11", "| wehre EventID = 11");
    let output = sumoql_in(work.path(), &["test", "queries/"], "");
    assert_eq!(output.code, 1, "stderr: {}", output.stderr);
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
    assert!(output.stdout.contains("FAILED (query does not compile)"));
    assert!(
        output.stdout.contains("error: unknown operator `wehre`"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("--> queries/t1204_005_malicious_library.sumo:"),
        "{}",
        output.stdout
    );
    // The diagnostic is shown once, not once per case.
    assert_eq!(
        output.stdout.matches("unknown operator").count(),
        1,
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("sumoql: 0 passed, 7 failed"));
    assert!(pending_files(work.path()).is_empty());
}

#[test]
fn a_new_case_is_pending_until_accepted() {
    let work = workspace_copy();
    let case = work.path().join(CASES).join("new_case");
    fs::create_dir_all(case.join("logs")).unwrap();
    fs::copy(
        work.path().join("samples/sysmon_sample.xml"),
        case.join("logs/sample.xml"),
    )
    .unwrap();

    let output = sumoql_in(work.path(), &["test", "queries/"], "");
    assert_eq!(output.code, 1);
    assert!(output
        .stdout
        .contains("test t1204_005_malicious_library/new_case ... FAILED (new result, no accepted snapshot yet)"));
    assert!(output.stdout.contains(
        "  | DEV-WS01.corp.example | CORP\\alice.nguyen | C:\\Windows\\System32\\cmd.exe"
    ));
    assert!(
        !case.join("expected.snapshot").exists(),
        "a new snapshot was accepted silently"
    );
    assert!(case.join("expected.snapshot.new").exists());

    // Accept only this case, by name.
    let accept = sumoql_in(
        work.path(),
        &["test", "--accept", "t1204_005_malicious_library/new_case"],
        "",
    );
    assert_eq!(accept.code, 0, "{}", accept.stdout);
    assert!(accept.stdout.contains("running 1 case of 1 query"));
    assert!(case.join("expected.snapshot").exists());
    assert!(!case.join("expected.snapshot.new").exists());
    assert_eq!(sumoql_in(work.path(), &["test"], "").code, 0);
}

#[test]
fn review_accepts_discards_and_keeps_pending_as_answered() {
    let work = workspace_copy();
    edit_query(work.path(), BRANCH_2_IMAGES, BRANCH_2_IMAGES_WITHOUT_NODE);
    // Branch 2's change reaches two cases; a third case is new.
    let case = work.path().join(CASES).join("zz_new");
    copy_folder(
        &work
            .path()
            .join(CASES)
            .join("branch3_dropped_executable/logs"),
        &case.join("logs"),
    );

    // Answers: an unknown one, accept (branch2), discard (sample_log), skip (zz_new).
    let output = sumoql_in(work.path(), &["test", "--review"], "maybe\ny\nn\ns\n");
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert!(
        output.stdout.contains("please answer y, n, s"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("review: 1 accepted, 1 discarded, 1 kept pending"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("sumoql: 6 passed, 2 failed"),
        "{}",
        output.stdout
    );
    let cases = work.path().join(CASES);
    assert!(!cases
        .join("branch2_c2_callback/expected.snapshot")
        .read_to_string()
        .contains("nodejs\\node.exe"));
    assert!(cases
        .join("sample_log/expected.snapshot")
        .read_to_string()
        .contains("nodejs\\node.exe | MaliciousLibraryC2Callback"));
    assert!(!cases.join("sample_log/expected.snapshot.new").exists());
    assert!(cases.join("zz_new/expected.snapshot.new").exists());
    assert!(!cases.join("zz_new/expected.snapshot").exists());

    // With no answers left, everything stays pending.
    let silent = sumoql_in(work.path(), &["test", "--review"], "");
    assert_eq!(silent.code, 1);
    assert!(
        silent
            .stdout
            .contains("review: 0 accepted, 0 discarded, 2 kept pending"),
        "{}",
        silent.stdout
    );
}

trait ReadToString {
    fn read_to_string(&self) -> String;
}

impl ReadToString for PathBuf {
    fn read_to_string(&self) -> String {
        fs::read_to_string(self).unwrap_or_else(|error| panic!("{}: {error}", self.display()))
    }
}

#[test]
fn init_creates_a_passing_case_from_the_current_result() {
    let work = tempfile::tempdir().unwrap();
    fs::create_dir_all(work.path().join("queries")).unwrap();
    fs::write(
        work.path().join("queries/net.sumo"),
        "_sourceCategory=*sysmon* | where EventID = 3 | count by _sourceHost\n",
    )
    .unwrap();
    let sample = repository().join("samples/sysmon_sample.xml");
    let sample = sample.to_str().unwrap();

    let output = sumoql_in(
        work.path(),
        &["test", "--init", "queries/net.sumo", sample],
        "",
    );
    assert_eq!(output.code, 0, "stderr: {}", output.stderr);
    assert!(output
        .stdout
        .contains("created case net/sysmon_sample in queries/net.tests/sysmon_sample"));
    assert!(
        output.stdout.contains("    | BUILD-07.corp.example | 5 |"),
        "{}",
        output.stdout
    );
    let case = work.path().join("queries/net.tests/sysmon_sample");
    assert!(case.join("logs/sysmon_sample.xml").is_file());
    assert!(case.join("case.toml").is_file());

    let test = sumoql_in(work.path(), &["test"], "");
    assert_eq!(test.code, 0, "{}", test.stdout);
    assert!(test.stdout.contains("test net/sysmon_sample ... ok"));

    // A second case needs its own name; the settings given are stored.
    let again = sumoql_in(
        work.path(),
        &["test", "--init", "queries/net.sumo", sample],
        "",
    );
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let named = sumoql_in(
        work.path(),
        &[
            "test",
            "--init",
            "queries/net.sumo",
            "--name",
            "lab_category",
            "--category",
            "lab/other",
            sample,
        ],
        "",
    );
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(
        named
            .stdout
            .contains("The query finds nothing in these logs"),
        "{}",
        named.stdout
    );
    assert!(work
        .path()
        .join("queries/net.tests/lab_category/case.toml")
        .read_to_string()
        .contains("category = \"lab/other\""));
    assert_eq!(sumoql_in(work.path(), &["test"], "").code, 0);
}

#[test]
fn init_refuses_a_broken_query_and_missing_logs() {
    let work = tempfile::tempdir().unwrap();
    fs::write(work.path().join("bad.sumo"), "* | count by\n").unwrap();
    let output = sumoql_in(work.path(), &["test", "--init", "bad.sumo", "x.xml"], "");
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("bad.sumo:1:"), "{}", output.stderr);

    fs::write(work.path().join("good.sumo"), "* | count\n").unwrap();
    let output = sumoql_in(
        work.path(),
        &["test", "--init", "good.sumo", "missing.xml"],
        "",
    );
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("missing.xml"), "{}", output.stderr);
    assert!(!work.path().join("good.tests").join("missing").exists());
}

#[test]
fn unreadable_inputs_exit_two() {
    let work = workspace_copy();
    fs::write(
        work.path()
            .join(CASES)
            .join("benign_developer_activity/case.toml"),
        "inputs = [\"no-such-log.xml\"]\n",
    )
    .unwrap();
    let output = sumoql_in(work.path(), &["test"], "");
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(output
        .stdout
        .contains("benign_developer_activity ... ERROR (unreadable input)"));
    assert!(
        output.stdout.contains("no-such-log.xml"),
        "{}",
        output.stdout
    );
}

#[test]
fn a_typo_in_the_settings_fails_the_case() {
    let work = workspace_copy();
    fs::write(
        work.path()
            .join(CASES)
            .join("benign_developer_activity/case.toml"),
        "categroy = \"x\"\n",
    )
    .unwrap();
    let output = sumoql_in(work.path(), &["test"], "");
    assert_eq!(output.code, 1);
    assert!(output
        .stdout
        .contains("benign_developer_activity ... FAILED (invalid case)"));
    assert!(output.stdout.contains("categroy"), "{}", output.stdout);
}

#[test]
fn junit_report_lists_every_case() {
    let work = workspace_copy();
    edit_query(work.path(), BRANCH_2_IMAGES, BRANCH_2_IMAGES_WITHOUT_NODE);
    let output = sumoql_in(
        work.path(),
        &["test", "--junit", "report.xml", "queries/"],
        "",
    );
    assert_eq!(output.code, 1);
    let report = work.path().join("report.xml").read_to_string();
    assert!(report.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sumoql test\" tests=\"7\" failures=\"2\" errors=\"0\""), "{report}");
    assert_eq!(report.matches("<testcase ").count(), 7);
    assert!(report
        .contains("<testcase name=\"branch2_c2_callback\" classname=\"queries/t1204_005_malicious_library.sumo\""));
    assert!(
        report.contains("<failure message=\"1 row removed\">"),
        "{report}"
    );
    assert!(report.contains("C:\\Program Files\\nodejs\\node.exe | MaliciousLibraryC2Callback"));
    assert!(!report.contains('\u{1b}'));
}

#[test]
fn no_cases_is_an_error() {
    let work = tempfile::tempdir().unwrap();
    let output = sumoql_in(work.path(), &["test"], "");
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("no `queries` folder here"),
        "{}",
        output.stderr
    );

    fs::write(work.path().join("lonely.sumo"), "* | count\n").unwrap();
    let output = sumoql_in(work.path(), &["test", "lonely.sumo"], "");
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("sumoql test --init lonely.sumo"),
        "{}",
        output.stderr
    );
}

#[test]
fn group_limit_fails_case_with_own_message() {
    let work = tempfile::tempdir().unwrap();
    fs::create_dir_all(work.path().join("queries")).unwrap();
    fs::write(
        work.path().join("queries/ids.sumo"),
        "* | count by EventRecordID\n",
    )
    .unwrap();
    let sample = repository().join("samples/sysmon_sample.xml");
    let sample = sample.to_str().unwrap();

    let limited_init = sumoql_in(
        work.path(),
        &[
            "test",
            "--init",
            "queries/ids.sumo",
            "--max-groups",
            "3",
            sample,
        ],
        "",
    );
    assert_eq!(limited_init.code, 2, "{}", limited_init.stderr);
    assert!(
        limited_init
            .stderr
            .contains("this stage holds more than 3 groups"),
        "{}",
        limited_init.stderr
    );
    assert!(!work.path().join("queries/ids.tests/sysmon_sample").exists());

    let init = sumoql_in(
        work.path(),
        &["test", "--init", "queries/ids.sumo", sample],
        "",
    );
    assert_eq!(init.code, 0, "{}", init.stderr);

    let limited = sumoql_in(work.path(), &["test", "--max-groups", "3"], "");
    assert_eq!(limited.code, 2, "{}", limited.stdout);
    assert!(
        limited
            .stdout
            .contains("test ids/sysmon_sample ... ERROR (group limit exceeded)"),
        "{}",
        limited.stdout
    );
    assert!(
        limited
            .stdout
            .contains("error: this stage holds more than 3 groups, the maximum allowed"),
        "{}",
        limited.stdout
    );
    assert!(
        limited.stdout.contains("--> queries/ids.sumo:1:5"),
        "{}",
        limited.stdout
    );
    assert!(
        limited
            .stdout
            .contains("raise the limit with --max-groups N"),
        "{}",
        limited.stdout
    );
    assert!(
        !limited.stdout.contains("unreadable input"),
        "{}",
        limited.stdout
    );

    assert_eq!(sumoql_in(work.path(), &["test"], "").code, 0);
}
