//! Rules that need the inputs: `parse` patterns that match no row
//! (SQ101), fields that are null wherever a condition reads them (SQ102),
//! and branches that produce no rows (SQ103). They read the counts of an
//! explained run of the query over the inputs.

use std::collections::HashSet;

use sumoql_engine::{BranchExplain, StageDetail, StageExplain};
use sumoql_input::RawMode;
use sumoql_syntax::ast::{Expr, Query, Span, Spanned, Stage};
use sumoql_syntax::Diagnostic;

use super::patterns::anchor_field_name;
use super::rules::Rule;
use super::walk::{line_of, walk};

pub fn check(
    query: &Query,
    explain: &BranchExplain,
    source: &str,
    raw: RawMode,
) -> Vec<Diagnostic> {
    let mut checker = DataChecker {
        source,
        raw,
        findings: Vec::new(),
    };
    checker.branch(query, explain, None);
    checker.findings
}

struct DataChecker<'s> {
    source: &'s str,
    raw: RawMode,
    findings: Vec<Diagnostic>,
}

impl DataChecker<'_> {
    /// Checks one branch. `union_line` is the line of the `union` that adds
    /// it, `None` for the main query.
    fn branch(&mut self, query: &Query, explain: &BranchExplain, union_line: Option<usize>) {
        // Fields left null because the `parse` that sets them never matched;
        // SQ101 already explains why they are null.
        let mut unset_by_parse: HashSet<String> = HashSet::new();
        let has_union = query
            .stages
            .iter()
            .any(|stage| matches!(stage.node, Stage::Union(_)));

        let branch_description = |after_union: bool| match union_line {
            Some(line) => {
                format!("the `union` branch at line {line} produces no rows over the inputs")
            }
            None if has_union && !after_union => {
                "the main query produces no rows of its own over the inputs".to_string()
            }
            None => "the query produces no rows over the inputs".to_string(),
        };

        if explain.records_in > 0 && explain.records_out == 0 {
            if let Some(scope) = &query.scope {
                self.no_rows(
                    format!(
                        "{}: the scope selects none of the records read",
                        branch_description(false)
                    ),
                    first_line(self.source, &scope.span),
                    format!("none of the {} records matches", explain.records_in),
                );
            }
        }

        let mut after_union = false;
        for counts in &explain.stages {
            let Some(stage) = query.stages.iter().find(|stage| stage.span == counts.span) else {
                continue;
            };
            match (&stage.node, &counts.detail) {
                (
                    Stage::Parse {
                        pattern,
                        names,
                        nodrop,
                        ..
                    },
                    StageDetail::Parse { matched: 0, fields },
                ) if counts.rows_in > 0 => {
                    let element = pattern.node.split('*').next().and_then(anchor_field_name);
                    self.parse_never_matched(
                        pattern.span.clone(),
                        counts,
                        fields,
                        *nodrop,
                        element.as_deref(),
                        names.first(),
                    );
                    unset_by_parse.extend(fields.iter().map(|field| field.to_ascii_lowercase()));
                }
                (
                    Stage::ParseRegex { regex, nodrop, .. },
                    StageDetail::Parse { matched: 0, fields },
                ) if counts.rows_in > 0 => {
                    self.parse_never_matched(
                        regex.span.clone(),
                        counts,
                        fields,
                        *nodrop,
                        None,
                        None,
                    );
                    unset_by_parse.extend(fields.iter().map(|field| field.to_ascii_lowercase()));
                }
                (Stage::Where(condition), StageDetail::Where { fields, .. })
                    if counts.rows_in > 0 =>
                {
                    for field in fields {
                        let lowercase = field.name.to_ascii_lowercase();
                        if field.non_null_rows == 0 && !unset_by_parse.contains(&lowercase) {
                            self.field_always_null(condition, &field.name, counts.rows_in);
                        }
                    }
                }
                (Stage::Union(branch), StageDetail::Union(branch_counts)) => {
                    let line = line_of(self.source, stage.span.start);
                    self.branch(&branch.node, branch_counts, Some(line));
                }
                _ => {}
            }

            let is_union = matches!(stage.node, Stage::Union(_));
            if counts.rows_in > 0 && counts.rows_out == 0 && !is_union {
                self.no_rows(
                    format!(
                        "{}: no row leaves this stage",
                        branch_description(after_union)
                    ),
                    first_line(self.source, &stage.span),
                    format!("{} rows enter this stage and none leaves", counts.rows_in),
                );
            }
            after_union |= is_union;
        }
    }

    fn parse_never_matched(
        &mut self,
        pattern_span: Span,
        counts: &StageExplain,
        fields: &[String],
        nodrop: bool,
        element: Option<&str>,
        first_target: Option<&Spanned<String>>,
    ) {
        let names: Vec<String> = fields.iter().map(|field| format!("`{field}`")).collect();
        let label = if nodrop {
            format!("{} stays null in every row", names.join(", "))
        } else {
            "every row is dropped here".to_string()
        };
        let (note, help) = match (self.raw, element) {
            (RawMode::Original, Some(element)) => {
                let target = first_target.map_or(element, |target| target.node.as_str());
                (
                    format!(
                        "with `--raw original`, `_raw` is the record text as read: Windows event XML holds this \
                         field as `<Data Name='{element}'>…</Data>`, and no Windows tool writes the layout this \
                         pattern expects"
                    ),
                    format!(
                        "to read Windows' own XML, use `parse regex \"<Data Name=['\\\"]{element}['\\\"]>(?<{target}>[^<]*)</Data>\"`, \
                         or run with `--raw canonical`"
                    ),
                )
            }
            (RawMode::Canonical, Some(element)) => (
                format!(
                    "the canonical `_raw` has one element per event field, so none of these records has a `{element}` field"
                ),
                format!("remove this parse, or limit it to event types that have a `{element}` field"),
            ),
            _ => (
                "the pattern's fixed text occurs in none of the values it reads".to_string(),
                "compare the pattern with a record: `sumoql run -e '… | fields _raw' INPUT`".to_string(),
            ),
        };
        self.findings.push(
            Rule::ParseNeverMatched
                .finding(
                    format!(
                        "parse pattern matched none of the {} rows that reached it",
                        counts.rows_in
                    ),
                    pattern_span,
                    label,
                )
                .with_note(note)
                .with_help(help),
        );
    }

    fn field_always_null(&mut self, condition: &Spanned<Expr>, name: &str, rows: u64) {
        let mut first_read: Option<Span> = None;
        walk(condition, &mut |node| {
            if let Expr::Field(field) = &node.node {
                if first_read.is_none() && field.eq_ignore_ascii_case(name) {
                    first_read = Some(node.span.clone());
                }
            }
        });
        let Some(span) = first_read else { return };
        self.findings.push(
            Rule::FieldAlwaysNull
                .finding(
                    format!("field `{name}` is null in all {rows} rows that reach this condition"),
                    span,
                    "null in every row over the inputs",
                )
                .with_note("a comparison with null is false, and `!` of it true, so the terms that read this field decide nothing")
                .with_help(format!("look at the stage that sets `{name}`: over these inputs it set no value")),
        );
    }

    fn no_rows(&mut self, message: String, span: Span, label: String) {
        self.findings.push(
            Rule::BranchWithoutRows
                .finding(message, span, label)
                .with_note(
                    "over inputs where the detection should fire, no rows means it would stay quiet in production too",
                )
                .with_help("`sumoql run --explain` with the same inputs shows the rows of every stage and `where` term"),
        );
    }
}

/// Cuts a span at the end of its first line, so a caret stays on one line.
fn first_line(source: &str, span: &Span) -> Span {
    let text = source.get(span.clone()).unwrap_or_default();
    match text.find('\n') {
        Some(newline) => span.start..span.start + text[..newline].trim_end().len(),
        None => span.clone(),
    }
}
