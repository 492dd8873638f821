//! `accum` (running total) and `total` (grand total) over the ordered rows,
//! each optionally per group of `by`.
//!
//! NOTE: these rules are sumoql choices, not checked against Sumo's accum
//! and total pages (grammar.md lists them). Values that are not numbers add nothing; a row whose value is not a
//! number still gets the total so far.

use indexmap::IndexMap;
use sumoql_syntax::ast::{Expr, SeriesFunction, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::{CompiledExpr, Slot};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

#[derive(Debug)]
pub(crate) struct Series {
    /// `accum` when true, `total` when false.
    pub(crate) running: bool,
    pub(crate) value: CompiledExpr,
    pub(crate) by: Vec<Slot>,
    pub(crate) target: Slot,
}

impl Series {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut sums: IndexMap<Vec<GroupKey>, f64> = IndexMap::new();
        let mut groups = Vec::with_capacity(rows.len());
        for row in rows.iter_mut() {
            let key: Vec<GroupKey> = self
                .by
                .iter()
                .map(|slot| GroupKey(row.get(*slot, context)))
                .collect();
            let number = self
                .value
                .evaluate(row, context)
                .and_then(|value| value.to_number())
                .unwrap_or(0.0);
            let sum = sums.entry(key.clone()).or_insert(0.0);
            *sum += number;
            if self.running {
                row.set(self.target, Some(Value::Number(*sum)));
            }
            groups.push(key);
        }
        if !self.running {
            for (row, key) in rows.iter_mut().zip(groups) {
                row.set(self.target, Some(Value::Number(sums[&key])));
            }
        }
        rows
    }
}

impl Compiler<'_> {
    pub(crate) fn series(
        &mut self,
        function: SeriesFunction,
        field: &Spanned<Expr>,
        alias: Option<&Spanned<String>>,
        by: &[Spanned<Expr>],
        span: &sumoql_syntax::ast::Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let (running, default_name) = match function {
            SeriesFunction::Accum => (true, "_accum"),
            SeriesFunction::Total => (false, "_total"),
            other => {
                self.diagnostics.push(Diagnostic::error(
                    format!("operator `{}` is not supported by sumoql yet", other.name()),
                    span.clone(),
                    "parsed, but sumoql cannot run it yet",
                ));
                return None;
            }
        };
        let value = self.expr(field)?;
        let by = self.field_slots(by, function.name())?;
        let target = self
            .fields
            .slot(alias.map_or(default_name, |alias| alias.node.as_str()));
        layout.add(target);
        let kind = HoldingKind::Series(Series {
            running,
            value,
            by,
            target,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
