//! The JUnit XML report of a test run (`--junit FILE`): one `<testsuite>`
//! per query file, one `<testcase>` per case, as CI systems read it.

use std::io;
use std::time::Duration;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

/// How one case ended, for the report.
pub enum Verdict {
    Passed,
    /// The case failed: the result differs, the snapshot is pending, the
    /// query does not compile, or the case is invalid.
    Failure {
        message: String,
        details: String,
    },
    /// The case could not run: an input could not be read.
    Error {
        message: String,
        details: String,
    },
}

pub struct ReportCase {
    /// The query file, as the suite's name.
    pub suite: String,
    /// The case's folder name.
    pub name: String,
    /// The case folder.
    pub file: String,
    pub elapsed: Duration,
    pub verdict: Verdict,
}

/// Renders the report; cases of one suite must be adjacent.
pub fn render(cases: &[ReportCase]) -> io::Result<String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;

    let failures = |cases: &[ReportCase]| {
        cases
            .iter()
            .filter(|case| matches!(case.verdict, Verdict::Failure { .. }))
            .count()
    };
    let errors = |cases: &[ReportCase]| {
        cases
            .iter()
            .filter(|case| matches!(case.verdict, Verdict::Error { .. }))
            .count()
    };
    let seconds = |cases: &[ReportCase]| {
        format!(
            "{:.3}",
            cases
                .iter()
                .map(|case| case.elapsed.as_secs_f64())
                .sum::<f64>()
        )
    };

    let mut suites: Vec<&[ReportCase]> = Vec::new();
    let mut start = 0;
    for index in 1..=cases.len() {
        if index == cases.len() || cases[index].suite != cases[start].suite {
            suites.push(&cases[start..index]);
            start = index;
        }
    }

    writer
        .create_element("testsuites")
        .with_attribute(("name", "sumoql test"))
        .with_attribute(("tests", cases.len().to_string().as_str()))
        .with_attribute(("failures", failures(cases).to_string().as_str()))
        .with_attribute(("errors", errors(cases).to_string().as_str()))
        .with_attribute(("time", seconds(cases).as_str()))
        .write_inner_content(|writer| {
            for suite in &suites {
                writer
                    .create_element("testsuite")
                    .with_attribute(("name", suite[0].suite.as_str()))
                    .with_attribute(("tests", suite.len().to_string().as_str()))
                    .with_attribute(("failures", failures(suite).to_string().as_str()))
                    .with_attribute(("errors", errors(suite).to_string().as_str()))
                    .with_attribute(("skipped", "0"))
                    .with_attribute(("time", seconds(suite).as_str()))
                    .write_inner_content(|writer| {
                        for case in suite.iter() {
                            write_case(writer, case)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut text = String::from_utf8(writer.into_inner()).expect("the writer writes UTF-8");
    text.push('\n');
    Ok(text)
}

fn write_case(writer: &mut Writer<Vec<u8>>, case: &ReportCase) -> io::Result<()> {
    let element = writer
        .create_element("testcase")
        .with_attribute(("name", case.name.as_str()))
        .with_attribute(("classname", case.suite.as_str()))
        .with_attribute(("file", case.file.as_str()))
        .with_attribute((
            "time",
            format!("{:.3}", case.elapsed.as_secs_f64()).as_str(),
        ));
    let (tag, message, details) = match &case.verdict {
        Verdict::Passed => {
            element.write_empty()?;
            return Ok(());
        }
        Verdict::Failure { message, details } => ("failure", message, details),
        Verdict::Error { message, details } => ("error", message, details),
    };
    element.write_inner_content(|writer| {
        writer
            .create_element(tag)
            .with_attribute(("message", message.as_str()))
            .write_text_content(BytesText::new(&xml_safe(details)))?;
        Ok(())
    })?;
    Ok(())
}

/// Drops characters XML 1.0 cannot hold (control characters other than
/// tab and newline); the report's text already shows them escaped.
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_suite_per_query_and_escaped_text() {
        let case = |suite: &str, name: &str, verdict| ReportCase {
            suite: suite.to_string(),
            name: name.to_string(),
            file: format!("queries/{suite}.tests/{name}"),
            elapsed: Duration::from_millis(12),
            verdict,
        };
        let report = render(&[
            case("a.sumo", "one", Verdict::Passed),
            case(
                "a.sumo",
                "two",
                Verdict::Failure {
                    message: "1 row removed".into(),
                    details: "- | <b> & \"c\" |\u{1b}\n".into(),
                },
            ),
            case(
                "b.sumo",
                "three",
                Verdict::Error {
                    message: "unreadable input".into(),
                    details: "no such file".into(),
                },
            ),
        ])
        .unwrap();
        insta::assert_snapshot!(report);
    }
}
