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
//! Rows are combined table by table, with each `and` term of the condition
//! checked as soon as the tables it names are in the combination. When a
//! term is `a.x = b.y` between a field of an earlier table and one of the
//! table being added, the table's rows are indexed by that field, so each
//! combination meets only the rows whose value can be equal (a hash join).
//! NOTE: without such a term, rows are combined by nested loops, which take
//! quadratic time on large tables.

use std::collections::HashMap;
use std::sync::Arc;

use sumoql_syntax::ast::{BinaryOperator, Expr, JoinTable, Quantity, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::{Comparison, CompiledExpr, Slot};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::{Operator, Pipeline};
use crate::row::{Row, RowContext};
use crate::value::Value;

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
    /// The equality term that picks this table's rows by hash, if any.
    pub(crate) equality: Option<EqualityKey>,
}

/// An `=` term between a field of an earlier table and a field of this one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EqualityKey {
    /// The earlier table's `t.f` slot, read from the combination.
    pub(crate) earlier: Slot,
    /// This table's field, read from its rows.
    pub(crate) source: Slot,
}

/// The rows of a table by the value of one field. A lookup returns exactly
/// the rows that `compare(Equal, …)` finds equal. A number equals any value
/// that reads as the same number, and two values that are not numbers are
/// equal when their text is.
#[derive(Default)]
struct ValueIndex {
    /// Rows whose value is not a number, by its text.
    by_text: HashMap<Arc<str>, Vec<usize>>,
    /// Rows whose value is a number, by that number.
    numbers: HashMap<u64, Vec<usize>>,
    /// Rows whose value is a number or text that reads as one, by the number.
    readable_numbers: HashMap<u64, Vec<usize>>,
}

impl ValueIndex {
    fn build(rows: &mut [Row], source: Slot, context: &RowContext) -> ValueIndex {
        let mut index = ValueIndex::default();
        for (position, row) in rows.iter_mut().enumerate() {
            let Some(value) = row.get(source, context) else {
                continue;
            };
            if let Value::Number(number) = value {
                if let Some(key) = number_key(number) {
                    index.numbers.entry(key).or_default().push(position);
                }
            } else {
                index
                    .by_text
                    .entry(value.to_text())
                    .or_default()
                    .push(position);
            }
            if let Some(key) = value.to_number().and_then(number_key) {
                index
                    .readable_numbers
                    .entry(key)
                    .or_default()
                    .push(position);
            }
        }
        index
    }

    /// Returns the positions of the rows equal to `value`, in ascending order.
    fn matches(&self, value: Option<Value>) -> Vec<usize> {
        let lookup = |map: &HashMap<u64, Vec<usize>>, number: Option<f64>| {
            number
                .and_then(number_key)
                .and_then(|key| map.get(&key))
                .cloned()
                .unwrap_or_default()
        };
        match value {
            None => Vec::new(),
            Some(Value::Number(number)) => lookup(&self.readable_numbers, Some(number)),
            Some(value) => {
                let mut positions = self
                    .by_text
                    .get(&value.to_text())
                    .cloned()
                    .unwrap_or_default();
                positions.extend(lookup(&self.numbers, value.to_number()));
                // The two lists hold different rows, so sorting only restores
                // row order.
                positions.sort_unstable();
                positions
            }
        }
    }
}

/// Returns the hash key of a number, with -0 and 0 as one key, or `None` for
/// NaN, which equals nothing.
fn number_key(number: f64) -> Option<u64> {
    if number.is_nan() {
        None
    } else if number == 0.0 {
        Some(0.0f64.to_bits())
    } else {
        Some(number.to_bits())
    }
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
            let mut table_rows = crate::execute::run_rows(&table.pipeline, rows.clone(), context);
            let value_index = table
                .equality
                .map(|key| (key, ValueIndex::build(&mut table_rows, key.source, context)));
            let every_row: Vec<usize> = (0..table_rows.len()).collect();
            let mut joined = Vec::new();
            for combination in &mut combinations {
                let candidates = match &value_index {
                    Some((key, value_index)) => {
                        value_index.matches(combination.row.get(key.earlier, context))
                    }
                    None => every_row.clone(),
                };
                for position in candidates {
                    let mut table_row = table_rows[position].clone();
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
            compiled_tables.push((
                alias.to_ascii_lowercase(),
                Table {
                    pipeline,
                    outputs,
                    equality: None,
                },
            ));
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
        let mut tables: Vec<Table> = compiled_tables
            .into_iter()
            .map(|(_, table)| table)
            .collect();
        for index in 0..tables.len() {
            tables[index].equality = terms
                .iter()
                .find_map(|(_, term)| equality_key(term, &tables, index));
        }

        layout.explicit = true;
        layout.columns = result_columns;
        let kind = HoldingKind::Join(Join {
            tables,
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

/// Returns the key for hashing table `index` when `term` is `x = y` with one
/// side a field of that table and the other a field of an earlier table only.
fn equality_key(term: &CompiledExpr, tables: &[Table], index: usize) -> Option<EqualityKey> {
    let CompiledExpr::Compare(Comparison::Equal, left, right) = term else {
        return None;
    };
    let (CompiledExpr::Field(left), CompiledExpr::Field(right)) = (&**left, &**right) else {
        return None;
    };
    let source_in = |table: &Table, slot: Slot| {
        table
            .outputs
            .iter()
            .find(|(_, _, condition_target)| *condition_target == slot)
            .map(|(source, _, _)| *source)
    };
    let earlier_only = |slot: Slot| {
        source_in(&tables[index], slot).is_none()
            && tables[..index]
                .iter()
                .any(|table| source_in(table, slot).is_some())
    };
    for (own, other) in [(*left, *right), (*right, *left)] {
        if let Some(source) = source_in(&tables[index], own) {
            if earlier_only(other) {
                return Some(EqualityKey {
                    earlier: other,
                    source,
                });
            }
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles `query` and returns whether each table of its `join` has an
    /// equality key.
    fn hashed_tables(query: &str) -> Vec<bool> {
        let tree = sumoql_syntax::parse_query(query).expect("query parses");
        let plan = crate::compile(&tree).expect("query compiles");
        let join = plan
            .root
            .operators
            .iter()
            .find_map(|operator| match operator {
                Operator::Holding(HoldingStage {
                    kind: HoldingKind::Join(join),
                    ..
                }) => Some(join),
                _ => None,
            })
            .expect("query has a join");
        join.tables
            .iter()
            .map(|table| table.equality.is_some())
            .collect()
    }

    #[test]
    fn equality_of_fields_is_hashed() {
        let tables = r#"| parse "a=* k=* m=*" as a, k, m
            | join (where a=1) as x, (where a=2) as y, (where a=3) as z"#;
        assert_eq!(
            hashed_tables(&format!("{tables} on x.k = y.k and z.k = y.k")),
            vec![false, true, true]
        );
        assert_eq!(
            hashed_tables(&format!("{tables} on y.k = x.k and x.k = z.m")),
            vec![false, true, true]
        );
    }

    #[test]
    fn other_conditions_use_nested_loops() {
        let tables = r#"| parse "a=* k=* m=*" as a, k, m
            | join (where a=1) as x, (where a=2) as y"#;
        for condition in [
            "x.k = y.k or x.k = y.m",
            "x.k != y.k",
            "x.k = 1",
            "y.k = y.m",
            "x.k < y.k",
        ] {
            assert_eq!(
                hashed_tables(&format!("{tables} on {condition}")),
                vec![false, false],
                "{condition}"
            );
        }
    }

    #[test]
    fn index_matches_compare() {
        let values: Vec<Option<Value>> = vec![
            None,
            Some(Value::Number(1.0)),
            Some(Value::Number(-0.0)),
            Some(Value::Number(0.0)),
            Some(Value::Number(f64::NAN)),
            Some(Value::text("1")),
            Some(Value::text("1.0")),
            Some(Value::text(" 1")),
            Some(Value::text("-0")),
            Some(Value::text("true")),
            Some(Value::text("a")),
            Some(Value::text("")),
            Some(Value::Boolean(true)),
        ];
        let source: Slot = 0;
        let fields = crate::row::FieldTable::default();
        let context = RowContext {
            record: None,
            fields: &fields,
            time_range: None,
        };
        let mut rows: Vec<Row> = values
            .iter()
            .map(|value| {
                let mut row = Row::empty(1);
                row.set(source, value.clone());
                row
            })
            .collect();
        let index = ValueIndex::build(&mut rows, source, &context);
        for probe in &values {
            let expected: Vec<usize> = values
                .iter()
                .enumerate()
                .filter(|(_, value)| match (probe, value) {
                    (Some(left), Some(right)) => {
                        crate::expr::compare(Comparison::Equal, left, right)
                    }
                    _ => false,
                })
                .map(|(position, _)| position)
                .collect();
            assert_eq!(index.matches(probe.clone()), expected, "{probe:?}");
        }
    }
}
