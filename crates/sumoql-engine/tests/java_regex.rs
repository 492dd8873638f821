//! Regexes with Java-only syntax (look-around, back-references, possessive
//! quantifiers), which run through the backtracking fallback, beside
//! patterns the `regex` crate runs.

mod support;

use support::{compile_errors, raw, record, rows};

#[test]
fn parse_regex_with_look_ahead() {
    let records = [
        raw("started cmd.exe and note.txt"),
        raw("started powershell.exe"),
    ];
    let found = rows(
        r#"| parse regex "(?<image>\w+)(?=\.exe)" multi | fields image"#,
        &records,
    );
    insta::assert_snapshot!(found.join("\n"), @r"
    cmd
    powershell
    ");
}

#[test]
fn parse_regex_without_java_syntax() {
    let found = rows(
        r#"| parse regex "user=(?<user>\w+)" | fields user"#,
        &[raw("user=alice id=4")],
    );
    assert_eq!(found, vec!["alice"]);
}

#[test]
fn matches_with_look_behind() {
    let records = [
        record(&[("path", r"C:\Windows\Temp\a.ps1")]),
        record(&[("path", r"C:\Users\Temp\a.ps1")]),
    ];
    let found = rows(
        r#"| where path matches /.*(?<!Windows\\)Temp.*/ | fields path"#,
        &records,
    );
    assert_eq!(found, vec![r"C:\Users\Temp\a.ps1"]);
}

#[test]
fn replace_with_back_reference() {
    let found = rows(
        r#"| replace(word, /(\w)\1/, "<$1$1>") as doubled | fields doubled"#,
        &[record(&[("word", "balloon")])],
    );
    assert_eq!(found, vec!["ba<ll><oo>n"]);
}

#[test]
fn possessive_quantifier_keeps_java_meaning() {
    let records = [record(&[("x", "aaa")])];
    // A possessive `a*+` takes every `a`, leaving none for the last one.
    let possessive = rows(r#"| where x matches /a*+a/ | fields x"#, &records);
    assert!(possessive.is_empty());
    let greedy = rows(r#"| where x matches /a*a/ | fields x"#, &records);
    assert_eq!(greedy, vec!["aaa"]);
}

#[test]
fn invalid_regex_still_rejected() {
    insta::assert_snapshot!(
        compile_errors(r#"| parse regex "(?<a>x" | fields a"#).join("\n"),
        @"invalid regular expression: error: unclosed group"
    );
}
