//! End-to-end tests of `sumoql check`: every rule firing and not firing,
//! silencing comments, `--deny`, `--format json`, and the findings on the
//! shipped detection, with and without logs.

mod common;

use std::collections::BTreeSet;

use common::{run_sumoql, shared_folder, SAMPLE_LOG, SHIPPED_QUERY};
use serde_json::Value as Json;

/// Runs `sumoql check --format json` on query text with extra arguments,
/// and returns the findings.
fn findings(query: &str, extra: &[&str]) -> Vec<Json> {
    let mut arguments = vec!["check", "--format", "json", "-e", query];
    arguments.extend_from_slice(extra);
    let output = run_sumoql(&arguments);
    output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

/// Returns the codes of the findings on query text, without duplicates.
fn codes(query: &str) -> BTreeSet<String> {
    codes_with(query, &[])
}

fn codes_with(query: &str, extra: &[&str]) -> BTreeSet<String> {
    findings(query, extra)
        .iter()
        .filter_map(|finding| finding["code"].as_str().map(str::to_string))
        .collect()
}

/// Asserts that `firing` has a finding with `code` and `quiet` has none.
fn assert_rule(code: &str, firing: &str, quiet: &str) {
    assert!(
        codes(firing).contains(code),
        "{code} should fire on: {firing}\nfound {:?}",
        codes(firing)
    );
    assert!(
        !codes(quiet).contains(code),
        "{code} should not fire on: {quiet}\nfound {:?}",
        codes(quiet)
    );
}

/// Renders the text findings of query text, without the summary.
fn rendered(query: &str, extra: &[&str]) -> String {
    let mut arguments = vec!["check", "-e", query];
    arguments.extend_from_slice(extra);
    run_sumoql(&arguments).stdout
}

#[test]
fn literal_pattern_syntax_sq001() {
    assert_rule(
        "SQ001",
        r#"* | where ip matches "172.1[6-9].*""#,
        r#"* | where ip matches /172\.1[6-9]\..*/"#,
    );
    assert_rule(
        "SQ001",
        r#"* | where x matches "err?r""#,
        r#"* | where x matches "err*r""#,
    );
    assert_rule(
        "SQ001",
        r#"* | where x matches "*\d{3}*""#,
        r#"* | where x matches "*\\dir\\*""#,
    );
    assert_rule(
        "SQ001",
        r#"* | where x matches "a{2}""#,
        r#"* | where guid matches "{365abb72-*}""#,
    );
    // Brackets around a wildcard are a syslog process id, written literally.
    assert_rule(
        "SQ001",
        r#"* | where x matches "sshd[0-9]*""#,
        r#"* | where x matches "sshd[*""#,
    );
}

#[test]
fn case_sensitive_path_sq002() {
    assert_rule(
        "SQ002",
        r#"* | parse "<Image>*</Image>" as proc | where proc matches "*\\cmd.exe""#,
        r#"* | parse "<Image>*</Image>" as proc | where toLowerCase(proc) matches "*\\cmd.exe""#,
    );
    assert_rule(
        "SQ002",
        r#"* | parse "<CommandLine>*</CommandLine>" as cmd | where cmd matches "*pip install*""#,
        r#"* | parse "<DestinationHostname>*</DestinationHostname>" as host | where host matches "*pypi.org""#,
    );
    assert_rule(
        "SQ002",
        r#"* | parse "x=*;" as path | where path = "C:\\Windows\\cmd.exe""#,
        r#"* | parse "x=*;" as path | where path matches /(?i).*\\cmd\.exe/"#,
    );
    assert_rule(
        "SQ002",
        r#"* | parse "<TargetFilename>*</TargetFilename>" as f | where f in ("a.exe", "b.dll")"#,
        r#"* | parse "<TargetFilename>*</TargetFilename>" as f | where f in ("1", "2")"#,
    );
    // URL paths and dashboard placeholders are not Windows paths.
    assert_rule(
        "SQ002",
        r#"* | parse "path=*;" as path | where path matches "*\\Temp\\*""#,
        r#"* | parse "path=*;" as path | where path matches "/ui*""#,
    );
    assert!(
        !codes(r#"* | parse "<Image>*</Image>" as image | where image matches "{{image}}""#)
            .contains("SQ002")
    );
}

#[test]
fn case_sensitive_path_groups_per_field() {
    let query = r#"* | parse "<Image>*</Image>" as Image
        | where Image matches "*\\a.exe" or Image matches "*\\b.exe" or Image matches "*\\c.exe""#;
    let found = findings(query, &[]);
    let case: Vec<&Json> = found
        .iter()
        .filter(|finding| finding["code"] == "SQ002")
        .collect();
    assert_eq!(case.len(), 1, "{found:?}");
    assert!(
        case[0]["label"]
            .as_str()
            .unwrap()
            .contains("2 more comparisons"),
        "{:?}",
        case[0]
    );
}

#[test]
fn undefined_field_sq003() {
    assert_rule(
        "SQ003",
        r#"* | parse "<Image>*</Image>" as Image | where Imgae = "x""#,
        r#"* | parse "<Image>*</Image>" as Image | where Image = "x""#,
    );
    assert_rule(
        "SQ003",
        "* | where x = 1 | 2 as x",
        "* | 2 as x | where x = 1",
    );
    assert_rule(
        "SQ003",
        "* | count by EventID | where Computer = \"a\"",
        "* | count by Computer | where Computer = \"a\"",
    );
    assert_rule(
        "SQ003",
        "* | 1 as x | union [ * | where x = 1 ]",
        "* | union [ * | 1 as x | where x = 1 ] | where x = 1",
    );
    assert_rule(
        "SQ003",
        "* | fields - EventID | where EventID = 1",
        "* | where EventID = 1 and _sourceHost = \"a\"",
    );
    assert_rule(
        "SQ003",
        r#"* | json "a" as b | where c = 1"#,
        r#"* | json "a" as b | where b = 1"#,
    );
}

#[test]
fn extraction_rules_may_set_fields() {
    let folder = tempfile::tempdir().unwrap();
    let sources = folder.path().join("sources.toml");
    let rule = "[[extraction]]\nname = \"status\"\nscope = \"*\"\nparse = 'parse \"status=*;\" as status nodrop'\n";
    std::fs::write(&sources, rule).unwrap();
    let query = "* | where status = 1";

    assert!(codes(query).contains("SQ003"));
    assert!(!codes_with(query, &["--sources", sources.to_str().unwrap()]).contains("SQ003"));
}

#[test]
fn unknown_stage_stops_field_analysis() {
    // `json auto` and `timeslice` set fields this analysis does not follow,
    // so reads after them are not reported.
    assert!(!codes("* | json auto | where level = \"error\"").contains("SQ003"));
    assert!(!codes("* | 1 as x | timeslice 1h | where y = 1").contains("SQ003"));
    assert!(!codes("* | 1 as x | timeslice 1h | count").contains("SQ004"));
}

#[test]
fn undefined_field_suggests_close_name() {
    let found = findings(
        r#"* | parse "<Image>*</Image>" as Image | where Imgae = "x""#,
        &[],
    );
    let undefined = found
        .iter()
        .find(|finding| finding["code"] == "SQ003")
        .expect("SQ003");
    assert_eq!(undefined["help"], "did you mean `Image`?");
}

#[test]
fn unused_field_sq004() {
    assert_rule(
        "SQ004",
        r#"* | parse "<Image>*</Image>" as Image | count by EventID"#,
        r#"* | parse "<Image>*</Image>" as Image | count by Image"#,
    );
    assert_rule(
        "SQ004",
        "* | 1 as x | 2 as x | where x = 2",
        "* | 1 as x | where x = 1 | 2 as x",
    );
    // A message result shows every field the query sets.
    assert_rule("SQ004", "* | 1 as x | fields EventID", "* | 1 as x");
}

#[test]
fn sumoql_extension_sq005() {
    assert_rule("SQ005", "* | union [ EventID=1 ]", "* | where EventID = 1");
    assert_rule(
        "SQ005",
        "* | fields EventID as id",
        "* | EventID as id | fields id",
    );
}

#[test]
fn not_run_offline_sq006() {
    assert_rule("SQ006", "* | logreduce", "* | wehre x = 1");
    assert_rule("SQ006", "* | threatip ip", "* | where isPrivatIP(ip)");
}

#[test]
fn quoted_wildcard_sq007() {
    assert_rule(
        "SQ007",
        r#"_sourceCategory="*sysmon*""#,
        "_sourceCategory=*sysmon*",
    );
    assert_rule(
        "SQ007",
        r#"* | union [ (_sourceCategory="*a*" or x) ]"#,
        r#"_sourceCategory="windows/sysmon""#,
    );
}

#[test]
fn storage_metadata_sq010() {
    assert_rule(
        "SQ010",
        "_index=sec_signal | count",
        "_sourceCategory=sec_signal | count",
    );
    assert_rule("SQ010", "_view=alb or _sourceCategory=web", "_view!=alb");
    assert_rule("SQ010", "not _INDEX!=a", "not _index=a");
}

#[test]
fn never_true_sq008() {
    assert_rule(
        "SQ008",
        "* | where EventID = 1 and EventID = 2",
        "* | where EventID = 1 or EventID = 2",
    );
    assert_rule(
        "SQ008",
        "* | where x = \"a\" and x != \"a\"",
        "* | where x = \"a\" and y != \"a\"",
    );
    assert_rule(
        "SQ008",
        "* | where isNull(x) and x matches \"a*\"",
        "* | where isNull(x) or x matches \"a*\"",
    );
    assert_rule(
        "SQ008",
        r#"* | where toLowerCase(x) matches "*\\System32\\*""#,
        r#"* | where toLowerCase(x) matches "*\\system32\\*""#,
    );
    // `1` and `"1"` are equal under `=`, so both can hold.
    assert_rule(
        "SQ008",
        "* | where EventID = 1 and EventID = \"2\"",
        "* | where EventID = 1 and EventID = \"1\"",
    );
}

#[test]
fn duplicate_term_sq009() {
    assert_rule(
        "SQ009",
        r#"* | where x matches "a*" or y = 1 or x matches "a*""#,
        r#"* | where x matches "a*" or y = 1 or x matches "b*""#,
    );
    // Field names are case-insensitive, so these are the same term.
    assert_rule(
        "SQ009",
        "* | where (EventID = 1 and eventid = 1)",
        "* | where EventID = 1 and EventID >= 1",
    );
}

#[test]
fn parse_never_matched_sq101() {
    assert_rule_with_input(
        "SQ101",
        r#"* | parse "<Nowhere><![CDATA[*]]></Nowhere>" as x nodrop | count by x"#,
        r#"* | parse "<Image><![CDATA[*]]></Image>" as x nodrop | count by x"#,
    );
    // Without data, no finding is reported.
    assert!(
        !codes(r#"* | parse "<Nowhere>*</Nowhere>" as x nodrop | count by x"#).contains("SQ101")
    );
}

#[test]
fn field_always_null_sq102() {
    assert_rule_with_input(
        "SQ102",
        r#"* | parse "<Image><![CDATA[*]]></Image>" as image nodrop | num(image) as n | where n > 5"#,
        r#"* | num(EventID) as n | where n > 5"#,
    );
}

#[test]
fn branch_without_rows_sq103() {
    assert_rule_with_input(
        "SQ103",
        "EventID=999 | count by EventID",
        "EventID=1 | count by EventID",
    );
    assert_rule_with_input(
        "SQ103",
        "EventID=1 | union [ EventID=3 | where EventID = 4 ]",
        "EventID=1 | union [ EventID=3 | where EventID = 3 ]",
    );
}

fn assert_rule_with_input(code: &str, firing: &str, quiet: &str) {
    let input = ["--input", SAMPLE_LOG];
    let fired = codes_with(firing, &input);
    assert!(
        fired.contains(code),
        "{code} should fire on: {firing}\nfound {fired:?}"
    );
    let quiet_codes = codes_with(quiet, &input);
    assert!(
        !quiet_codes.contains(code),
        "{code} should not fire on: {quiet}\nfound {quiet_codes:?}"
    );
}

#[test]
fn findings_render_with_code_caret_note_and_help() {
    let examples = [
        r#"* | parse "<DestinationIp>*</DestinationIp>" as DestIP | where DestIP matches "172.1[6-9].*""#,
        r#"* | parse "<ParentImage>*</ParentImage>" as ParentImage | where ParentImage matches "*\\pip.exe""#,
        r#"* | parse "<Image>*</Image>" as Image | where Imgae matches "*x*""#,
        "* | 1 as unused | count",
        r#"* | union [ * ] | parse "<Image>*</Image>" as Image | fields Image as ChildImage"#,
        "* | geoip DestIP",
        r#"(_sourceCategory="windows/sysmon" OR _sourceCategory="*sysmon*")"#,
        "* | where EventID = 1 and EventID = 3",
        "* | where EventID = 1 or EventID = 3 or EventID = 1",
        "_index=sec_signal | count",
    ];
    let mut text = String::new();
    for query in examples {
        text.push_str(&format!("$ sumoql check -e '{query}'\n"));
        text.push_str(&rendered(query, &[]));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn data_findings_render() {
    let query = "_sourceCategory=windows/sysmon
| where EventID = 3
| parse \"<CommandLine><![CDATA[*]]></CommandLine>\" as CommandLine nodrop
| parse \"<DestinationPort>*</DestinationPort>\" as port
| num(Image) as image_number
| where image_number > 1";
    let text = rendered(query, &["--input", SAMPLE_LOG]);
    insta::assert_snapshot!(text);
}

#[test]
fn shipped_query_static_findings() {
    let output = run_sumoql(&["check", SHIPPED_QUERY]);
    assert_eq!(
        output.code(),
        0,
        "notes and warnings alone do not fail by default"
    );
    assert_eq!(
        output.stderr,
        format!("sumoql: {SHIPPED_QUERY}: 13 warnings, 6 notes\n")
    );
    insta::assert_snapshot!(output.stdout);
}

#[test]
fn shipped_query_reports_its_three_problems() {
    let found = findings(&std::fs::read_to_string(SHIPPED_QUERY).unwrap(), &[]);
    let lines = |code: &str| -> Vec<u64> {
        found
            .iter()
            .filter(|finding| finding["code"] == code)
            .map(|finding| finding["line"].as_u64().unwrap())
            .collect()
    };
    // The three `172.x[…]` patterns of branch 2.
    assert_eq!(lines("SQ001"), vec![41, 41, 41]);
    // Every `where` that compares an image, command line or file path.
    assert_eq!(lines("SQ002"), vec![10, 13, 18, 39, 56, 57, 58]);
    // `_sourceCategory="*sysmon*"` in each branch.
    assert_eq!(lines("SQ007"), vec![2, 31, 50]);
    // Two `union`s and four `fields … as …`.
    assert_eq!(lines("SQ005").len(), 6);
}

#[test]
fn shipped_query_data_findings_on_sample() {
    let output = run_sumoql(&[
        "check",
        "--format",
        "json",
        SHIPPED_QUERY,
        "--input",
        SAMPLE_LOG,
    ]);
    let found: Vec<Json> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let data: Vec<(String, u64)> = found
        .iter()
        .filter(|finding| finding["code"].as_str().unwrap().starts_with("SQ1"))
        .map(|finding| {
            (
                finding["code"].as_str().unwrap().to_string(),
                finding["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Network and file events have no `CommandLine`, so those two anchors never match.
    assert_eq!(
        data,
        vec![("SQ101".to_string(), 37), ("SQ101".to_string(), 54)]
    );
}

#[test]
fn original_raw_anchors_match_no_record_in_sample() {
    let output = run_sumoql(&[
        "check",
        "--format",
        "json",
        "--raw",
        "original",
        SHIPPED_QUERY,
        "--input",
        SAMPLE_LOG,
    ]);
    let found: Vec<Json> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let parse_lines: Vec<u64> = found
        .iter()
        .filter(|finding| finding["code"] == "SQ101")
        .map(|finding| finding["line"].as_u64().unwrap())
        .collect();
    // Every anchor of every branch.
    assert_eq!(
        parse_lines,
        vec![4, 5, 6, 7, 8, 33, 34, 35, 36, 37, 38, 52, 53, 54, 55]
    );
    let first = found
        .iter()
        .find(|finding| finding["code"] == "SQ101")
        .unwrap();
    assert!(
        first["note"]
            .as_str()
            .unwrap()
            .contains("<Data Name='ParentImage'>"),
        "{first:?}"
    );
}

#[test]
fn real_evtx_samples_show_missing_fields() {
    let Some(shared) = shared_folder() else {
        return;
    };
    let evtx = shared.join("data/sysmon/evtx");
    let found = findings(
        &std::fs::read_to_string(SHIPPED_QUERY).unwrap(),
        &["--input", evtx.to_str().unwrap()],
    );
    let parse_lines: Vec<u64> = found
        .iter()
        .filter(|finding| finding["code"] == "SQ101")
        .map(|finding| finding["line"].as_u64().unwrap())
        .collect();
    // Network events have no `CommandLine`; file events in these samples
    // have neither `CommandLine` nor `User` (older Sysmon versions).
    assert_eq!(parse_lines, vec![37, 54, 55]);
}

#[test]
fn real_samples_as_windows_xml_match_no_anchor() {
    let Some(shared) = shared_folder() else {
        return;
    };
    let converted = shared.join("data/sysmon/converted");
    let xml = converted.join("PanacheSysmon_vs_AtomicRedTeam01.xml");
    if !xml.is_file() {
        common::report_skip(&format!("{} not found", xml.display()));
        return;
    }
    let query = std::fs::read_to_string(SHIPPED_QUERY).unwrap();
    let found = findings(
        &query,
        &["--raw", "original", "--input", xml.to_str().unwrap()],
    );
    let parse_lines: Vec<u64> = found
        .iter()
        .filter(|finding| finding["code"] == "SQ101")
        .map(|finding| finding["line"].as_u64().unwrap())
        .collect();
    assert!(parse_lines.starts_with(&[4, 5, 6, 7, 8]), "{parse_lines:?}");
    let quiet_main = found
        .iter()
        .find(|finding| finding["code"] == "SQ103")
        .expect("the main query produces no rows");
    assert_eq!(quiet_main["line"], 9);
}

#[test]
fn real_evtx_with_original_raw_match_no_anchor() {
    let Some(shared) = shared_folder() else {
        return;
    };
    let evtx = shared.join("data/sysmon/evtx");
    let query = std::fs::read_to_string(SHIPPED_QUERY).unwrap();
    let found = findings(
        &query,
        &["--raw", "original", "--input", evtx.to_str().unwrap()],
    );
    let parse_lines: Vec<u64> = found
        .iter()
        .filter(|finding| finding["code"] == "SQ101")
        .map(|finding| finding["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        parse_lines,
        vec![4, 5, 6, 7, 8, 33, 34, 35, 36, 37, 38, 52, 53, 54, 55]
    );
}

#[test]
fn comment_silences_finding() {
    let loud = "* | where EventID = 1 or EventID = 1";
    let trailing = "* | where EventID = 1 or EventID = 1 // sumoql-ignore: SQ009 copied on purpose";
    let before = "*\n// sumoql-ignore: SQ009\n| where EventID = 1 or\n  EventID = 1";
    let file = "// sumoql-ignore-file: SQ009\n* | where EventID = 1 or EventID = 1";
    let other_code = "* | where EventID = 1 or EventID = 1 // sumoql-ignore: SQ008";
    assert!(codes(loud).contains("SQ009"));
    assert!(!codes(trailing).contains("SQ009"));
    assert!(!codes(before).contains("SQ009"));
    assert!(!codes(file).contains("SQ009"));
    assert!(codes(other_code).contains("SQ009"));

    let output = run_sumoql(&["check", "-e", trailing]);
    assert_eq!(
        output.stderr,
        "sumoql: <expression>: no findings (1 silenced)\n"
    );
}

#[test]
fn deny_sets_exit_status() {
    let warning = "* | where EventID = 1 and EventID = 2";
    let note = "* | union [ * ]";
    assert_eq!(run_sumoql(&["check", "-e", warning]).code(), 0);
    assert_eq!(
        run_sumoql(&["check", "--deny", "warning", "-e", warning]).code(),
        1
    );
    assert_eq!(
        run_sumoql(&["check", "--deny", "error", "-e", warning]).code(),
        1 - 1
    );
    assert_eq!(
        run_sumoql(&["check", "--deny", "warning", "-e", note]).code(),
        0
    );
    assert_eq!(
        run_sumoql(&["check", "--deny", "note", "-e", note]).code(),
        1
    );
    assert_eq!(
        run_sumoql(&["check", "--deny", "warning", SHIPPED_QUERY]).code(),
        1
    );
}

#[test]
fn errors_always_fail() {
    let output = run_sumoql(&["check", "-e", "* | wehre x = 1"]);
    assert_eq!(output.code(), 1);
    assert!(
        output.stdout.contains("error: unknown operator `wehre`"),
        "{}",
        output.stdout
    );

    let unsupported = run_sumoql(&["check", "-e", "* | geoip ip"]);
    assert_eq!(unsupported.code(), 1);
    assert!(
        unsupported.stdout.contains("error[SQ006]"),
        "{}",
        unsupported.stdout
    );
}

#[test]
fn json_finding_has_position_and_texts() {
    let found = findings("*\n| where x = 1 and x = 2", &[]);
    let never_true = found
        .iter()
        .find(|finding| finding["code"] == "SQ008")
        .expect("SQ008");
    assert_eq!(never_true["file"], "<expression>");
    assert_eq!(never_true["severity"], "warning");
    assert_eq!(never_true["line"], 2);
    assert_eq!(never_true["column"], 19);
    assert_eq!(never_true["end_column"], 24);
    assert_eq!(never_true["message"], "this condition can never be true");
    assert!(never_true["note"]
        .as_str()
        .unwrap()
        .contains("cannot equal both `1` and `2`"));
    assert!(never_true["help"].is_string());
}

#[test]
fn missing_query_file_fails() {
    let output = run_sumoql(&["check", "queries/no-such-file.sumo"]);
    assert_eq!(output.code(), 1);
    assert!(
        output
            .stderr
            .contains("failed to read query file queries/no-such-file.sumo"),
        "{}",
        output.stderr
    );
}

#[test]
fn unreadable_input_exits_two() {
    let output = run_sumoql(&["check", "-e", "* | count", "--input", "no-such-folder/"]);
    assert_eq!(output.code(), 2, "{}", output.stderr);
}

#[test]
fn max_groups_limits_input_run() {
    let query = "* | count by EventRecordID";
    let limited = rendered(query, &["--input", SAMPLE_LOG, "--max-groups", "3"]);
    assert!(
        limited.contains("error: this stage holds more than 3 groups, the maximum allowed"),
        "{limited}"
    );
    let unlimited = rendered(query, &["--input", SAMPLE_LOG]);
    assert!(!unlimited.contains("more than"), "{unlimited}");
}
