//! Subqueries: `[subquery: QUERY | compose F, …]` in the scope or in an
//! expression, such as `where ![subquery: … | compose ip]`.
//!
//! https://www.sumologic.com/help/docs/search/subqueries/
//! Sumo runs the subquery first and rewrites its result rows into a search
//! expression, `(f1="v1" AND f2="v2") OR (…)`, or with `keywords` into the
//! keyword expression `("v1" AND "v2") OR (…)`, which the outer query then
//! uses in place of the brackets. sumoql compiles the subquery to a plan of
//! its own; the caller runs it over the same inputs before the outer query
//! ([`SubqueryPlan::bind`]) and the bound rows then filter like that
//! expression: a record matches when, for some row, every composed field
//! equals that row's value, compared without case as scope terms are.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use sumoql_syntax::ast::{Expr, FieldItem, FieldsMode, Span, Spanned, Stage, Subquery};
use sumoql_syntax::Diagnostic;

use crate::compile::Compiler;
use crate::execute::ResultTable;
use crate::plan::Plan;
use crate::row::Record;
use crate::value::Value;

/// A subquery's plan and the rows it composes once run.
#[derive(Debug)]
pub struct SubqueryPlan {
    /// The subquery without its `compose` stage, ending with
    /// `fields F, …` so that its columns are the composed fields.
    pub plan: Plan,
    composed: ComposedRows,
    max_results: Option<u64>,
    /// `from=(-24h)` and `to=(-1d)`: milliseconds relative to the end of the
    /// outer query's time range.
    pub(crate) from: Option<i64>,
    pub(crate) to: Option<i64>,
}

/// The composed rows, shared with the filters that read them; empty until
/// [`SubqueryPlan::bind`] sets them.
pub(crate) type ComposedRows = Arc<OnceLock<Composed>>;

/// Each composed row's values in lower case, in field order.
#[derive(Debug, Default)]
pub(crate) struct Composed {
    rows: HashSet<Vec<String>>,
}

/// The test of a record or row against a subquery's composed rows.
#[derive(Debug, Clone)]
pub(crate) struct SubqueryFilter {
    pub(crate) composed: ComposedRows,
    /// The composed field names in lower case, or only `_raw` with `keywords`.
    pub(crate) fields: Vec<String>,
    /// `compose … keywords`: each row is a set of keywords to find in `_raw`.
    pub(crate) keywords: bool,
}

impl SubqueryPlan {
    /// Stores the result of running [`SubqueryPlan::plan`] as the rows the
    /// subquery composes, keeping the first `maxresults` rows when given. A
    /// row with a null field composes nothing. Binding twice keeps the first.
    pub fn bind(&self, result: &ResultTable) {
        let limit = self.max_results.map_or(usize::MAX, |limit| limit as usize);
        let rows = result
            .rows
            .iter()
            .filter_map(|row| {
                row.iter()
                    .map(|value| value.as_ref().map(|value| value.to_text().to_lowercase()))
                    .collect::<Option<Vec<String>>>()
            })
            .take(limit)
            .collect();
        // A second binding changes nothing, so its error is of no use.
        let _ = self.composed.set(Composed { rows });
    }

    /// Reports whether [`SubqueryPlan::bind`] has set the rows.
    pub fn is_bound(&self) -> bool {
        self.composed.get().is_some()
    }
}

impl SubqueryFilter {
    /// Reports whether a record or row matches a composed row, reading the
    /// value of `fields[index]` through `field`. Before the subquery is
    /// bound, nothing matches.
    pub(crate) fn matches(&self, mut field: impl FnMut(usize) -> Option<Value>) -> bool {
        let Some(composed) = self.composed.get() else {
            return false;
        };
        if self.keywords {
            let Some(raw) = field(0) else {
                return false;
            };
            let raw = raw.to_text().to_lowercase();
            return composed
                .rows
                .iter()
                .any(|row| row.iter().all(|value| raw.contains(value.as_str())));
        }
        let values: Option<Vec<String>> = (0..self.fields.len())
            .map(|index| field(index).map(|value| value.to_text().to_lowercase()))
            .collect();
        values.is_some_and(|values| composed.rows.contains(&values))
    }

    /// Reports whether a record matches, for a subquery in the scope.
    pub(crate) fn matches_record(&self, record: &dyn Record) -> bool {
        self.matches(|index| record.field(&self.fields[index]))
    }
}

impl Compiler<'_> {
    /// Compiles a subquery into its own plan, registers it, and returns the
    /// rows its filters will read.
    pub(crate) fn subquery(&mut self, subquery: &Subquery, span: &Span) -> Option<SubqueryFilter> {
        let query = &subquery.query.node;
        let Some((last, stages)) = query.stages.split_last() else {
            self.push_missing_compose(span);
            return None;
        };
        let Stage::Compose {
            fields,
            max_results,
            keywords,
        } = &last.node
        else {
            self.push_missing_compose(span);
            return None;
        };

        // The composed fields become the result columns, in order.
        let items = fields
            .iter()
            .map(|field| {
                Spanned::new(
                    FieldItem {
                        name: field.node.clone(),
                        alias: None,
                    },
                    field.span.clone(),
                )
            })
            .collect();
        let mut inner = query.clone();
        inner.stages = stages.to_vec();
        inner.stages.push(Spanned::new(
            Stage::Fields {
                mode: FieldsMode::Keep,
                items,
            },
            last.span.clone(),
        ));
        let plan = match crate::compile::compile_with(&inner, self.lookups) {
            Ok(plan) => plan,
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                return None;
            }
        };
        let from = self.relative_time(subquery.from.as_ref(), "from")?;
        let to = self.relative_time(subquery.to.as_ref(), "to")?;
        if from.is_some() || to.is_some() {
            self.reads_time_range = true;
        }
        let composed = ComposedRows::default();
        self.subqueries.push(SubqueryPlan {
            plan,
            composed: composed.clone(),
            max_results: *max_results,
            from,
            to,
        });
        let fields = match keywords {
            true => vec!["_raw".to_string()],
            false => fields
                .iter()
                .map(|field| field.node.to_ascii_lowercase())
                .collect(),
        };
        Some(SubqueryFilter {
            composed,
            fields,
            keywords: *keywords,
        })
    }

    /// Reads a subquery time bound, a time such as `(-24h)` relative to
    /// the end of the outer time range: `Some(None)` when there is no bound,
    /// `None` after reporting an invalid one.
    fn relative_time(&mut self, bound: Option<&Spanned<Expr>>, name: &str) -> Option<Option<i64>> {
        let Some(bound) = bound else {
            return Some(None);
        };
        let offset = match &bound.node {
            Expr::Quantity(quantity) if quantity.unit.is_time() => Some(quantity.value()),
            Expr::Negate(inner) => match &inner.node {
                Expr::Quantity(quantity) if quantity.unit.is_time() => Some(-quantity.value()),
                _ => None,
            },
            _ => None,
        };
        match offset {
            Some(offset) => Some(Some(offset as i64)),
            None => {
                self.diagnostics.push(Diagnostic::error(
                    format!("invalid subquery `{name}` time"),
                    bound.span.clone(),
                    "sumoql reads a time relative to the end of the query time range, such as `(-24h)`",
                ));
                None
            }
        }
    }

    fn push_missing_compose(&mut self, span: &Span) {
        self.diagnostics.push(
            Diagnostic::error(
                "subquery without `compose`",
                span.clone(),
                "a subquery must end with `compose F, …`",
            )
            .with_help("end the subquery with the fields to match, as in `| compose src_ip`"),
        );
    }
}
