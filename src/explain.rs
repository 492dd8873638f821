//! Renders the per-stage counts of `sumoql run --explain` as text tables,
//! one per branch: the main query first, then each `union` branch.

use std::fmt::Write;

use sumoql_engine::{BranchExplain, StageDetail, StageExplain, TermCounts, TermJoin};
use sumoql_syntax::ast::Span;
use sumoql_syntax::line_column;

use crate::repl::lexer::{tokenize, TokenKind};

/// Stage text longer than this many characters is cut and ends in `…`.
const STAGE_TEXT_WIDTH: usize = 80;
/// The same for the text of a `where` term.
const TERM_TEXT_WIDTH: usize = 70;

/// Renders the counts of the main query and of every branch inside it.
/// `source` is the query text the spans point into.
pub fn render(explain: &BranchExplain, source: &str) -> String {
    let mut branches = Vec::new();
    collect_branches(explain, "main query".to_string(), source, &mut branches);

    let width = number_width(explain);
    let mut output = String::new();
    for (index, (title, branch)) in branches.iter().enumerate() {
        if index > 0 {
            output.push('\n');
        }
        render_branch(&mut output, title, branch, source, width);
    }
    output
}

/// Lists the branches depth-first, each with its title.
fn collect_branches<'e>(
    branch: &'e BranchExplain,
    title: String,
    source: &str,
    branches: &mut Vec<(String, &'e BranchExplain)>,
) {
    branches.push((title, branch));
    for stage in &branch.stages {
        if let StageDetail::Union(sub) = &stage.detail {
            collect_branches(sub, union_title(stage, source), source, branches);
        }
    }
}

fn union_title(stage: &StageExplain, source: &str) -> String {
    format!("union branch at line {}", line_of(source, &stage.span))
}

/// Returns the width that fits every count and the column headers.
fn number_width(branch: &BranchExplain) -> usize {
    let mut widest = branch.records_in.max(branch.records_out);
    let mut pending = vec![branch];
    while let Some(branch) = pending.pop() {
        widest = widest.max(branch.records_in);
        for stage in &branch.stages {
            widest = widest.max(stage.rows_in).max(stage.rows_out);
            if let StageDetail::Union(sub) = &stage.detail {
                pending.push(sub);
            }
        }
    }
    widest.to_string().len().max("rows out".len())
}

fn render_branch(
    output: &mut String,
    title: &str,
    branch: &BranchExplain,
    source: &str,
    width: usize,
) {
    let _ = writeln!(output, "explain: {title}");
    let _ = writeln!(
        output,
        "{:>5}  {:>width$}  {:>width$}  stage",
        "line", "rows in", "rows out"
    );

    let (scope_line, scope_text) = match &branch.scope_span {
        Some(span) => (
            line_of(source, span).to_string(),
            format!("scope {}", excerpt(source, span, STAGE_TEXT_WIDTH)),
        ),
        None => (String::new(), "scope (none: every record)".to_string()),
    };
    row(
        output,
        &scope_line,
        branch.records_in,
        branch.records_out,
        &scope_text,
        width,
    );

    for stage in &branch.stages {
        let line = line_of(source, &stage.span).to_string();
        row(
            output,
            &line,
            stage.rows_in,
            stage.rows_out,
            &excerpt(source, &stage.span, STAGE_TEXT_WIDTH),
            width,
        );
        let indent = " ".repeat(5 + 2 + width + 2 + width + 2 + 2);
        match &stage.detail {
            StageDetail::Plain => {}
            StageDetail::Parse { matched, .. } => {
                let _ = writeln!(
                    output,
                    "{indent}pattern matched {matched} of {} rows",
                    stage.rows_in
                );
            }
            StageDetail::Where { terms, fields } => {
                let null_fields: Vec<&str> = fields
                    .iter()
                    .filter(|field| stage.rows_in > 0 && field.non_null_rows == 0)
                    .map(|field| field.name.as_str())
                    .collect();
                if !null_fields.is_empty() {
                    let _ = writeln!(
                        output,
                        "{indent}null in every row: {}",
                        null_fields.join(", ")
                    );
                }
                if let Some(terms) = terms {
                    render_terms(output, &indent, terms, source);
                }
            }
            StageDetail::Union(sub) => {
                let _ = writeln!(
                    output,
                    "{indent}adds {} rows from the {}",
                    sub.rows_out,
                    union_title(stage, source)
                );
            }
        }
    }
}

fn row(output: &mut String, line: &str, rows_in: u64, rows_out: u64, text: &str, width: usize) {
    let _ = writeln!(
        output,
        "{line:>5}  {rows_in:>width$}  {rows_out:>width$}  {text}"
    );
}

fn render_terms(output: &mut String, indent: &str, terms: &TermCounts, source: &str) {
    let rule = match (terms.join, terms.negated) {
        (TermJoin::Or, false) => "any true term lets a row through",
        (TermJoin::And, false) => "a row needs every term true",
        (TermJoin::Or, true) => "any true term inside !( ) removes a row",
        (TermJoin::And, true) => "a row is removed when every term inside !( ) is true",
    };
    let _ = writeln!(output, "{indent}{rule}; rows each term is true for:");
    let width = terms
        .terms
        .iter()
        .map(|term| term.true_rows.to_string().len())
        .max()
        .unwrap_or(1);
    for term in &terms.terms {
        let _ = writeln!(
            output,
            "{indent}  {:>width$}  {}",
            term.true_rows,
            excerpt(source, &term.span, TERM_TEXT_WIDTH)
        );
    }
}

fn line_of(source: &str, span: &Span) -> usize {
    line_column(source, span.start).0
}

/// Returns the text of `span` on one line: comments dropped, runs of
/// whitespace as one space, cut to `width` characters.
pub(crate) fn excerpt(source: &str, span: &Span, width: usize) -> String {
    let mut collapsed = String::with_capacity(span.len());
    let mut space_pending = false;
    for token in tokenize(source) {
        if token.start < span.start || token.end > span.end {
            continue;
        }
        match token.kind {
            TokenKind::Whitespace | TokenKind::Comment => space_pending = !collapsed.is_empty(),
            _ => {
                if space_pending {
                    collapsed.push(' ');
                    space_pending = false;
                }
                collapsed.push_str(token.text(source));
            }
        }
    }
    if collapsed.chars().count() <= width {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_collapses_whitespace_and_comments() {
        let source = "where (\n    a = 1 OR // first\n    b = \"//x\"\n  )";
        assert_eq!(
            excerpt(source, &(0..source.len()), 80),
            "where ( a = 1 OR b = \"//x\" )"
        );
    }

    #[test]
    fn excerpt_cuts_long_text() {
        let source = "abcdefghij";
        assert_eq!(excerpt(source, &(0..10), 5), "abcd…");
    }

    #[test]
    fn excerpt_keeps_slashes_in_regex() {
        let source = "| where a matches /x\\/\\/y/ // note";
        assert_eq!(
            excerpt(source, &(2..source.len()), 80),
            "where a matches /x\\/\\/y/"
        );
    }
}
