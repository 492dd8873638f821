//! What changed between the accepted snapshot and the current result:
//! header lines, columns, and rows removed, added or changed.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use super::snapshot::{row_line, Snapshot};
use super::style::Style;

/// The difference between an expected and an actual snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diff {
    /// Both snapshots could be read; what differs, part by part.
    Table(TableDiff),
    /// The stored snapshot is not in the snapshot layout (edited by hand?):
    /// a line diff of the two texts.
    Text(Vec<(ChangeTag, String)>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableDiff {
    /// Header lines removed and added (`rows:` lines left out: the row diff
    /// says it better).
    pub header: Vec<(ChangeTag, String)>,
    /// The expected columns, when the columns changed.
    pub old_columns: Option<Vec<String>>,
    /// The columns of the current result.
    pub columns: Vec<String>,
    pub removed: Vec<Vec<String>>,
    pub added: Vec<Vec<String>>,
    /// Pairs of (expected, actual) rows that agree in most columns.
    pub changed: Vec<(Vec<String>, Vec<String>)>,
    /// The same rows in another order (only for cases that keep the
    /// query's order).
    pub reordered: bool,
}

impl Diff {
    /// Compares the stored snapshot text with the current snapshot;
    /// `None` when they match.
    pub fn compute(stored: &str, actual: &Snapshot) -> Option<Diff> {
        match Snapshot::parse(stored) {
            Some(expected) if &expected == actual => None,
            Some(expected) => Some(Diff::Table(TableDiff::between(&expected, actual))),
            None => {
                let rendered = actual.render();
                let diff = TextDiff::from_lines(stored, rendered.as_str());
                let lines = diff
                    .iter_all_changes()
                    .filter(|change| change.tag() != ChangeTag::Equal)
                    .map(|change| (change.tag(), change.value().trim_end().to_string()))
                    .collect();
                Some(Diff::Text(lines))
            }
        }
    }

    /// A one-line account, such as `1 row removed, 2 changed`.
    pub fn summary(&self) -> String {
        match self {
            Diff::Text(_) => "the stored snapshot is not in the snapshot layout".to_string(),
            Diff::Table(diff) => diff.summary(),
        }
    }

    /// Renders the diff for people, indented by two spaces, ending in a newline.
    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        match self {
            Diff::Text(lines) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    style.bold("snapshot text (- expected, + actual):")
                );
                for (tag, line) in lines {
                    out.push_str(&signed_line(style, *tag, line, "  "));
                }
            }
            Diff::Table(diff) => diff.render(style, &mut out),
        }
        out
    }
}

impl TableDiff {
    fn between(expected: &Snapshot, actual: &Snapshot) -> TableDiff {
        let header = line_changes(
            &expected
                .header
                .iter()
                .filter(|line| !line.starts_with("rows:"))
                .cloned()
                .collect::<Vec<_>>(),
            &actual
                .header
                .iter()
                .filter(|line| !line.starts_with("rows:"))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let old_columns = (expected.columns != actual.columns).then(|| expected.columns.clone());

        // Rows as multisets: a row counts as kept as often as it is in both.
        let mut removed: Vec<Vec<String>> = Vec::new();
        let mut unmatched_actual: Vec<Option<&Vec<String>>> =
            actual.rows.iter().map(Some).collect();
        for row in &expected.rows {
            match unmatched_actual
                .iter()
                .position(|candidate| *candidate == Some(row))
            {
                Some(index) => unmatched_actual[index] = None,
                None => removed.push(row.clone()),
            }
        }
        let mut added: Vec<Vec<String>> = unmatched_actual.into_iter().flatten().cloned().collect();
        let reordered = removed.is_empty() && added.is_empty() && expected.rows != actual.rows;

        // A removed and an added row that agree in most columns are one changed row.
        let mut changed = Vec::new();
        let mut still_removed = Vec::new();
        for old in removed {
            let best = added
                .iter()
                .enumerate()
                .filter(|(_, new)| new.len() == old.len())
                .map(|(index, new)| {
                    (
                        index,
                        old.iter().zip(new.iter()).filter(|(a, b)| a == b).count(),
                    )
                })
                .filter(|(_, same)| *same * 2 > old.len())
                .max_by_key(|(index, same)| (*same, std::cmp::Reverse(*index)));
            match best {
                Some((index, _)) => changed.push((old, added.remove(index))),
                None => still_removed.push(old),
            }
        }

        TableDiff {
            header,
            old_columns,
            columns: actual.columns.clone(),
            removed: still_removed,
            added,
            changed,
            reordered,
        }
    }

    fn summary(&self) -> String {
        let mut parts = Vec::new();
        let rows = |count: usize| if count == 1 { "row" } else { "rows" };
        let mut counted = |count: usize, what: &str| {
            if count > 0 {
                let noun = if parts.is_empty() {
                    format!(" {}", rows(count))
                } else {
                    String::new()
                };
                parts.push(format!("{count}{noun} {what}"));
            }
        };
        counted(self.removed.len(), "removed");
        counted(self.added.len(), "added");
        counted(self.changed.len(), "changed");
        if self.reordered {
            parts.push("rows in another order".to_string());
        }
        if self.old_columns.is_some() {
            parts.insert(0, "columns changed".to_string());
        }
        if !self.header.is_empty() {
            parts.push("header changed".to_string());
        }
        parts.join(", ")
    }

    fn render(&self, style: Style, out: &mut String) {
        if !self.header.is_empty() {
            let _ = writeln!(out, "  {}", style.bold("header (- expected, + actual):"));
            for (tag, line) in &self.header {
                out.push_str(&signed_line(style, *tag, line, "  "));
            }
        }
        if let Some(old_columns) = &self.old_columns {
            let _ = writeln!(out, "  {}", style.bold("columns:"));
            out.push_str(&signed_line(
                style,
                ChangeTag::Delete,
                &row_line(old_columns),
                "  ",
            ));
            out.push_str(&signed_line(
                style,
                ChangeTag::Insert,
                &row_line(&self.columns),
                "  ",
            ));
        }
        if self.removed.is_empty()
            && self.added.is_empty()
            && self.changed.is_empty()
            && !self.reordered
        {
            return;
        }
        let _ = writeln!(
            out,
            "  {}",
            style.bold("rows (- removed, + added, ~ changed):")
        );
        let _ = writeln!(out, "    {}", row_line(&self.columns));
        for row in &self.removed {
            out.push_str(&signed_line(style, ChangeTag::Delete, &row_line(row), "  "));
        }
        for row in &self.added {
            out.push_str(&signed_line(style, ChangeTag::Insert, &row_line(row), "  "));
        }
        for (old, new) in &self.changed {
            let _ = writeln!(out, "  {}", style.yellow(&format!("~ {}", row_line(new))));
            for ((column, before), after) in self.columns.iter().zip(old).zip(new) {
                if before != after {
                    let _ = writeln!(
                        out,
                        "      {column}: {} -> {}",
                        style.red(&shown(before)),
                        style.green(&shown(after))
                    );
                }
            }
        }
        if self.reordered {
            let _ = writeln!(
                out,
                "  the same rows in another order (this case keeps the query's order)"
            );
        }
    }
}

/// An empty cell is shown as `(empty)` where a bare empty string would be
/// invisible.
fn shown(cell: &str) -> String {
    if cell.is_empty() {
        "(empty)".to_string()
    } else {
        cell.to_string()
    }
}

fn line_changes(expected: &[String], actual: &[String]) -> Vec<(ChangeTag, String)> {
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let actual: Vec<&str> = actual.iter().map(String::as_str).collect();
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &expected, &actual);
    let mut lines = Vec::new();
    for operation in diff {
        for change in operation.iter_changes(&expected, &actual) {
            if change.tag() != ChangeTag::Equal {
                lines.push((change.tag(), change.value().to_string()));
            }
        }
    }
    lines
}

fn signed_line(style: Style, tag: ChangeTag, line: &str, indent: &str) -> String {
    match tag {
        ChangeTag::Delete => format!("{indent}{}\n", style.red(&format!("- {line}"))),
        ChangeTag::Insert => format!("{indent}{}\n", style.green(&format!("+ {line}"))),
        ChangeTag::Equal => format!("{indent}  {line}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(rows: &[&[&str]]) -> Snapshot {
        Snapshot {
            header: vec!["query: q.sumo".into(), format!("rows: {}", rows.len())],
            columns: vec![
                "host".into(),
                "image".into(),
                "branch".into(),
                "_count".into(),
            ],
            rows: rows
                .iter()
                .map(|row| row.iter().map(|cell| cell.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn equal_snapshots_have_no_diff() {
        let expected = snapshot(&[&["WS1", "cmd.exe", "B1", "1"]]);
        assert_eq!(Diff::compute(&expected.render(), &expected), None);
        // Comments and line endings do not matter.
        let crlf = format!("# a note\r\n{}", expected.render().replace('\n', "\r\n"));
        assert_eq!(Diff::compute(&crlf, &expected), None);
    }

    #[test]
    fn names_removed_added_and_changed_rows() {
        let expected = snapshot(&[
            &["WS1", "cmd.exe", "B1", "1"],
            &["WS1", "node.exe", "B2", "1"],
            &["WS2", "python.exe", "B3", "1"],
        ]);
        let actual = snapshot(&[
            &["WS1", "cmd.exe", "B1", "1"],
            &["WS2", "python.exe", "B3", "2"],
            &["WS3", "mshta.exe", "B1", "1"],
        ]);
        let diff = Diff::compute(&expected.render(), &actual).unwrap();
        assert_eq!(diff.summary(), "1 row removed, 1 added, 1 changed");
        insta::assert_snapshot!(diff.render(Style::plain()));
    }

    #[test]
    fn duplicate_rows_count_as_often_as_they_appear() {
        let expected = snapshot(&[
            &["WS1", "cmd.exe", "B1", "1"],
            &["WS1", "cmd.exe", "B1", "1"],
        ]);
        let actual = snapshot(&[&["WS1", "cmd.exe", "B1", "1"]]);
        let Some(Diff::Table(diff)) = Diff::compute(&expected.render(), &actual) else {
            panic!("expected a table diff");
        };
        assert_eq!(diff.removed.len(), 1);
        assert!(
            diff.header.is_empty(),
            "rows: lines are left out: {:?}",
            diff.header
        );
    }

    #[test]
    fn column_and_header_changes_are_shown() {
        let expected = snapshot(&[&["WS1", "cmd.exe", "B1", "1"]]);
        let mut actual = expected.clone();
        actual.columns[1] = "ChildImage".into();
        actual.header[0] = "query: other.sumo".into();
        let diff = Diff::compute(&expected.render(), &actual).unwrap();
        assert_eq!(diff.summary(), "columns changed, header changed");
        let text = diff.render(Style::plain());
        assert!(text.contains("- query: q.sumo\n"), "{text}");
        assert!(
            text.contains("+ | host | ChildImage | branch | _count |"),
            "{text}"
        );
    }

    #[test]
    fn order_matters_only_when_kept() {
        let expected = snapshot(&[&["WS1", "a", "B1", "1"], &["WS2", "b", "B1", "1"]]);
        let actual = snapshot(&[&["WS2", "b", "B1", "1"], &["WS1", "a", "B1", "1"]]);
        let diff = Diff::compute(&expected.render(), &actual).unwrap();
        assert_eq!(diff.summary(), "rows in another order");
    }

    #[test]
    fn text_of_another_shape_gets_a_line_diff() {
        let actual = snapshot(&[&["WS1", "cmd.exe", "B1", "1"]]);
        let diff = Diff::compute("hand-written notes\n", &actual).unwrap();
        let text = diff.render(Style::plain());
        assert!(text.contains("- hand-written notes"), "{text}");
        assert!(text.contains("+ | WS1 | cmd.exe | B1 | 1 |"), "{text}");
    }

    #[test]
    fn colour_marks_lines() {
        let expected = snapshot(&[&["WS1", "cmd.exe", "B1", "1"]]);
        let actual = snapshot(&[]);
        let diff = Diff::compute(&expected.render(), &actual).unwrap();
        assert!(diff.render(Style::colored()).contains("\u{1b}[31m- | WS1"));
        assert!(!diff.render(Style::plain()).contains('\u{1b}'));
    }
}
