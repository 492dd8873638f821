//! The snapshot file of a case: a plain-text header naming the query and
//! the inputs, then the result as one `| a | b |` line per row.
//!
//! ```text
//! # sumoql test snapshot: the expected result of the query over this case's inputs.
//! # `sumoql test` compares the current result with it; `sumoql test --accept` rewrites it.
//! query: t1204_005_malicious_library.sumo
//! input: logs/events.xml (windows-xml, 14 records)
//! category: from each event's channel
//! raw: canonical
//! order: sorted (the query's row order is not compared)
//! rows: 1
//!
//! | _sourceHost | Username | ChildImage | DetectionBranch | _count |
//! | --- | --- | --- | --- | --- |
//! | BUILD-07.corp.example | CORP\build.agent | C:\Python312\python.exe | MaliciousLibraryC2Callback | 1 |
//! ```
//!
//! Each row is one line whatever the column widths, so a pull request shows
//! exactly the rows that changed. Unless the case keeps the query's order,
//! rows are sorted by their text: the order of `count by` groups is not
//! defined without `sort`.

use sumoql_engine::{ResultTable, Value};

/// Lines starting with this are comments, ignored when comparing.
const COMMENT: &str = "#";

const PREAMBLE: &str = "\
# sumoql test snapshot: the expected result of the query over this case's inputs.
# `sumoql test` compares the current result with it; `sumoql test --accept` rewrites it.
";

/// A snapshot: header lines (`key: value`, comments excluded), the columns
/// and the rows, each cell as the text the snapshot file shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub header: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Snapshot {
    /// Builds the snapshot of a result. `header` lines come first; `rows:`
    /// is added. Rows are sorted unless `keep_order` is set.
    pub fn from_result(mut header: Vec<String>, table: &ResultTable, keep_order: bool) -> Snapshot {
        let mut rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|row| row.iter().map(|value| cell_text(value.as_ref())).collect())
            .collect();
        if !keep_order {
            rows.sort_by_cached_key(|row| row_line(row));
        }
        header.push(format!("rows: {}", rows.len()));
        Snapshot {
            header,
            columns: table.columns.iter().map(|name| escape_cell(name)).collect(),
            rows,
        }
    }

    /// Renders the snapshot file.
    pub fn render(&self) -> String {
        let mut text = String::from(PREAMBLE);
        for line in &self.header {
            text.push_str(line);
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&row_line(&self.columns));
        text.push('\n');
        text.push_str(&row_line(&vec!["---".to_string(); self.columns.len()]));
        text.push('\n');
        for row in &self.rows {
            text.push_str(&row_line(row));
            text.push('\n');
        }
        text
    }

    /// Reads a snapshot file. Line endings (LF or CRLF), trailing blanks
    /// and comment lines do not matter. Returns `None` for text that is not
    /// in the snapshot layout, such as a file edited by hand into another
    /// shape.
    pub fn parse(text: &str) -> Option<Snapshot> {
        let mut lines = text
            .lines()
            .map(str::trim_end)
            .filter(|line| !line.starts_with(COMMENT));
        let mut header = Vec::new();
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            if line.starts_with('|') {
                return None;
            }
            header.push(line.to_string());
        }
        let mut table = lines.skip_while(|line| line.is_empty());
        let columns = parse_row(table.next()?)?;
        let rule = parse_row(table.next()?)?;
        if rule.len() != columns.len()
            || rule
                .iter()
                .any(|cell| cell.is_empty() || cell.chars().any(|c| c != '-'))
        {
            return None;
        }
        let mut rows = Vec::new();
        for line in table {
            if line.is_empty() {
                continue;
            }
            rows.push(parse_row(line)?);
        }
        Some(Snapshot {
            header,
            columns,
            rows,
        })
    }
}

/// Renders a row as `| a | b |`.
pub fn row_line(cells: &[String]) -> String {
    if cells.is_empty() {
        return "|".to_string();
    }
    format!("| {} |", cells.join(" | "))
}

/// Splits a `| a | b |` line into its cells. Cells escape `|` as `\|`, so
/// ` | ` occurs only between cells.
fn parse_row(line: &str) -> Option<Vec<String>> {
    if line == "|" {
        return Some(Vec::new());
    }
    let inner = line.strip_prefix("| ")?.strip_suffix(" |")?;
    Some(inner.split(" | ").map(str::to_string).collect())
}

/// The text of a result cell: empty for null; control characters as
/// visible escapes (as the result table shows them) and `|` as `\|`, so a
/// row stays on one line and its cells can be told apart.
pub fn cell_text(value: Option<&Value>) -> String {
    match value {
        None => String::new(),
        Some(value) => escape_cell(&value.to_text()),
    }
}

fn escape_cell(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            '|' => shown.push_str("\\|"),
            c if c.is_control() => shown.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => shown.push(c),
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ResultTable {
        ResultTable {
            columns: vec!["host".into(), "image".into(), "_count".into()],
            rows: vec![
                vec![
                    Some(Value::text("WS-2")),
                    Some(Value::text("C:\\a|b\n.exe")),
                    Some(Value::Number(2.0)),
                ],
                vec![Some(Value::text("WS-1")), None, Some(Value::Number(1.0))],
            ],
        }
    }

    fn header() -> Vec<String> {
        vec![
            "query: q.sumo".to_string(),
            "input: logs/a.xml (windows-xml, 3 records)".to_string(),
        ]
    }

    #[test]
    fn renders_sorted_rows_one_per_line() {
        let snapshot = Snapshot::from_result(header(), &table(), false);
        insta::assert_snapshot!(snapshot.render());
    }

    #[test]
    fn keeps_the_query_order_when_asked() {
        let snapshot = Snapshot::from_result(header(), &table(), true);
        assert_eq!(snapshot.rows[0][0], "WS-2");
    }

    #[test]
    fn parses_what_it_renders() {
        let snapshot = Snapshot::from_result(header(), &table(), false);
        assert_eq!(Snapshot::parse(&snapshot.render()), Some(snapshot.clone()));
        let crlf = snapshot.render().replace('\n', "\r\n");
        assert_eq!(Snapshot::parse(&crlf), Some(snapshot));
    }

    #[test]
    fn parses_empty_cells_and_empty_results() {
        let empty = ResultTable {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![None, None]],
        };
        let snapshot = Snapshot::from_result(Vec::new(), &empty, false);
        assert!(snapshot.render().contains("\n|  |  |\n"));
        assert_eq!(Snapshot::parse(&snapshot.render()), Some(snapshot));

        let no_rows = ResultTable {
            columns: vec!["_count".into()],
            rows: Vec::new(),
        };
        let snapshot = Snapshot::from_result(Vec::new(), &no_rows, false);
        assert_eq!(Snapshot::parse(&snapshot.render()), Some(snapshot));
    }

    #[test]
    fn rejects_text_of_another_shape() {
        assert_eq!(Snapshot::parse("just some notes\n"), None);
        assert_eq!(Snapshot::parse("query: q\n\n| a |\n| b |\n"), None);
        assert_eq!(
            Snapshot::parse("query: q\n\n| a |\n| --- |\nplain line\n"),
            None
        );
    }
}
