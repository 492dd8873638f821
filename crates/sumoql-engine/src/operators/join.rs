//! `join (QUERY) as t1, (QUERY) as t2, … on CONDITION [timewindow SPAN]`:
//! an inner join of tables built from the same rows.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/join/
//! Sumo documents that each table runs its stages over the rows that reach
//! `join` (a scope written in a table is ignored), that the result works
//! "much like an inner SQL join", that the condition names table fields as
//! `t1.a` and later stages as `t1_a`, and that `timewindow` bounds how far
//! apart in time joined records may be.
//!
//! sumoql choices: a table's fields are the fields known before `join` and
//! the ones its own stages create; result rows come in the order of the
//! tables' rows, the first table outermost; a `timewindow` compares the
//! `_messageTime` of the table rows that have one.
//!
//! NOTE: rows are combined by nested loops, with each `and` term of the
//! condition checked as soon as the tables it names are in the combination,
//! so large tables without a selective condition take quadratic time.

use sumoql_syntax::ast::{BinaryOperator, Expr, JoinTable, Quantity, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::{CompiledExpr, Slot};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::{Operator, Pipeline};
use crate::row::{Row, RowContext};

#[derive(Debug)]
pub(crate) struct Join {
    pub(crate) tables: Vec<Table>,
    /// The `and` terms of the condition, each with the index of the last
    /// table it names, so it is checked once that table is joined.
    pub(crate) terms: Vec<(usize, CompiledExpr)>,
    /// The largest time between joined rows, in milliseconds.
    pub(crate) time_window: Option<f64>,
    pub(crate) message_time: Slot,
    /// The slots that exist when `join` compiles; rows entering it keep them
    /// all, since the tables may read any of them.
    pub(crate) input_width: usize,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) pipeline: Pipeline,
    /// Each table field, and the two result slots it fills: `t_f` for later
    /// stages and `t.f` for the condition.
    pub(crate) outputs: Vec<(Slot, Slot, Slot)>,
}

/// A combination of table rows being built.
struct Combination {
    row: Row,
    times: Vec<f64>,
}

impl Join {
    pub(crate) fn release(&self, rows: Vec<Row>, width: usize, context: &RowContext) -> Vec<Row> {
        let mut combinations = vec![Combination {
            row: Row::empty(width),
            times: Vec::new(),
        }];
        for (index, table) in self.tables.iter().enumerate() {
            let table_rows = crate::execute::run_rows(&table.pipeline, rows.clone(), context);
            let mut joined = Vec::new();
            for combination in &combinations {
                for table_row in &table_rows {
                    let mut table_row = table_row.clone();
                    let time = table_row
                        .get(self.message_time, context)
                        .and_then(|value| value.to_number());
                    if !self.within_window(&combination.times, time) {
                        continue;
                    }
                    let mut row = combination.row.clone();
                    for (source, target, condition_target) in &table.outputs {
                        let value = table_row.get(*source, context);
                        row.set(*target, value.clone());
                        row.set(*condition_target, value);
                    }
                    let passes = self
                        .terms
                        .iter()
                        .filter(|(last_table, _)| *last_table == index)
                        .all(|(_, term)| term.is_true(&mut row, context));
                    if passes {
                        let mut times = combination.times.clone();
                        times.extend(time);
                        joined.push(Combination { row, times });
                    }
                }
            }
            combinations = joined;
        }
        combinations
            .into_iter()
            .map(|combination| combination.row)
            .collect()
    }

    fn within_window(&self, times: &[f64], time: Option<f64>) -> bool {
        match (self.time_window, time) {
            (Some(window), Some(time)) => times.iter().all(|other| (time - other).abs() <= window),
            _ => true,
        }
    }
}

impl Compiler<'_> {
    pub(crate) fn join(
        &mut self,
        tables: &[Spanned<JoinTable>],
        on: &Spanned<Expr>,
        time_window: Option<&Spanned<Quantity>>,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let time_window = match time_window {
            Some(window) if !window.node.unit.is_time() || window.node.value() <= 0.0 => {
                self.diagnostics.push(Diagnostic::error(
                    "invalid timewindow",
                    window.span.clone(),
                    "expected a positive time such as `10m`",
                ));
                return None;
            }
            Some(window) => Some(window.node.value()),
            None => None,
        };

        let message_time = self.fields.slot("_messageTime");
        let inherited = layout.columns.clone();
        let mut compiled_tables = Vec::new();
        let mut result_columns = Vec::new();
        for table in tables {
            // Sumo ignores a scope written in a table.
            let mut query = table.node.query.node.clone();
            query.scope = None;
            let (pipeline, table_layout) = self.pipeline(&query);
            let mut fields = inherited.clone();
            for slot in table_layout.columns {
                if !fields.contains(&slot) {
                    fields.push(slot);
                }
            }
            let alias = &table.node.alias.node;
            let outputs: Vec<(Slot, Slot, Slot)> = fields
                .iter()
                .map(|slot| {
                    let name = self.fields.display_name(*slot).to_string();
                    let target = self.fields.slot(&format!("{alias}_{name}"));
                    let condition_target = self.fields.slot(&format!("{alias}.{name}"));
                    (*slot, target, condition_target)
                })
                .collect();
            result_columns.extend(outputs.iter().map(|(_, target, _)| *target));
            compiled_tables.push((alias.to_ascii_lowercase(), Table { pipeline, outputs }));
        }

        let mut terms = Vec::new();
        for term in and_terms(on) {
            let compiled = self.expr(term)?;
            let mut last_table = 0;
            compiled.visit_slots(&mut |slot| {
                for (index, (_, table)) in compiled_tables.iter().enumerate() {
                    if table.outputs.iter().any(|(_, _, target)| *target == slot) {
                        last_table = last_table.max(index);
                    }
                }
            });
            terms.push((last_table, compiled));
        }

        layout.explicit = true;
        layout.columns = result_columns;
        let kind = HoldingKind::Join(Join {
            tables: compiled_tables
                .into_iter()
                .map(|(_, table)| table)
                .collect(),
            terms,
            time_window,
            message_time,
            input_width: self.fields.len(),
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}

/// Splits a condition at its top-level `and`s.
fn and_terms(condition: &Spanned<Expr>) -> Vec<&Spanned<Expr>> {
    match &condition.node {
        Expr::Binary {
            operator: BinaryOperator::And,
            left,
            right,
        } => {
            let mut terms = and_terms(left);
            terms.extend(and_terms(right));
            terms
        }
        _ => vec![condition],
    }
}
