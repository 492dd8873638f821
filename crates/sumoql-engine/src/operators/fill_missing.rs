//! `fillmissing`: adds rows for the key combinations an aggregate left out.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/fillmissing/
//! The generators give the values of each key field. Every combination of
//! them (the Cartesian product, at most 10,000) that no input row has gets a
//! new row. A new row's other fields get the default of their type, as the
//! page's table lists it: 0 for a number, false for a boolean, null for text
//! or an unknown type, unless `with VALUE for F` sets them. A field is a
//! number when an aggregate such as `count` made it, even over no input rows,
//! or when the input rows hold numbers in it.

use std::collections::HashSet;

use indexmap::IndexSet;
use sumoql_syntax::ast::{FillDefault, FillGenerator, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::operators::timeslice::{bucket_start, bucket_width, SliceWidth};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

/// Sumo's limit on the combinations `fillmissing` generates.
const MAX_COMBINATIONS: usize = 10_000;

#[derive(Debug)]
pub(crate) enum KeyValues {
    /// Every bucket start of the query time range.
    Timeslice(SliceWidth),
    Listed(Vec<Value>),
    /// `values all in F`: every value of `F` in the input rows.
    Seen,
}

#[derive(Debug)]
pub(crate) struct FillMissing {
    pub(crate) keys: Vec<(Slot, KeyValues)>,
    pub(crate) defaults: Vec<(Slot, Option<Value>)>,
    /// The other fields of the result, filled with the default of their type.
    pub(crate) others: Vec<Slot>,
    /// The other fields whose type is a number whatever the input.
    pub(crate) numeric: Vec<Slot>,
}

impl FillMissing {
    pub(crate) fn release(
        &self,
        mut rows: Vec<Row>,
        width: usize,
        context: &RowContext,
    ) -> Vec<Row> {
        let existing: HashSet<Vec<GroupKey>> = rows
            .iter_mut()
            .map(|row| {
                self.keys
                    .iter()
                    .map(|(slot, _)| GroupKey(normalize(row.get(*slot, context))))
                    .collect()
            })
            .collect();
        let type_defaults: Vec<Option<Value>> = self
            .others
            .iter()
            .map(|slot| self.type_default(*slot, &mut rows, context))
            .collect();

        let mut value_lists: Vec<Vec<Option<Value>>> = Vec::new();
        for (slot, values) in &self.keys {
            let list = match values {
                KeyValues::Timeslice(width) => timeslice_values(*width, context),
                KeyValues::Listed(values) => values.iter().cloned().map(Some).collect(),
                KeyValues::Seen => {
                    let seen: IndexSet<GroupKey> = rows
                        .iter_mut()
                        .map(|row| GroupKey(row.get(*slot, context)))
                        .collect();
                    seen.into_iter().map(|key| key.0).collect()
                }
            };
            value_lists.push(list);
        }

        let mut added = Vec::new();
        for combination in product(&value_lists) {
            let key: Vec<GroupKey> = combination
                .iter()
                .cloned()
                .map(|value| GroupKey(normalize(value)))
                .collect();
            if existing.contains(&key) {
                continue;
            }
            let mut row = Row::empty(width);
            for ((slot, _), value) in self.keys.iter().zip(combination) {
                row.set(*slot, value);
            }
            for (slot, value) in self.others.iter().zip(&type_defaults) {
                row.set(*slot, value.clone());
            }
            for (slot, value) in &self.defaults {
                row.set(*slot, value.clone());
            }
            added.push(row);
        }
        rows.extend(added);
        rows
    }

    /// Returns the default value of a non-key field: 0 for a number, false
    /// for a boolean, null otherwise. The input rows decide the type of a
    /// field unless the compiled query fixes it as a number. A field whose
    /// rows mix types counts as a number when any row contains one.
    fn type_default(&self, slot: Slot, rows: &mut [Row], context: &RowContext) -> Option<Value> {
        let (mut numbers, mut booleans, mut others) = (false, false, false);
        for row in rows.iter_mut() {
            match row.get(slot, context) {
                Some(Value::Number(_)) => numbers = true,
                Some(Value::Boolean(_)) => booleans = true,
                Some(_) => others = true,
                None => {}
            }
        }
        let typed_number = self.numeric.contains(&slot) && !booleans && !others;
        if numbers || typed_number {
            Some(Value::Number(0.0))
        } else if booleans && !others {
            Some(Value::Boolean(false))
        } else {
            None
        }
    }
}

/// Compares key values as text, so the generated `"5"` matches a number 5.
fn normalize(value: Option<Value>) -> Option<Value> {
    value.map(|value| Value::Text(value.to_text()))
}

fn timeslice_values(width: SliceWidth, context: &RowContext) -> Vec<Option<Value>> {
    let Some(range) = context.time_range else {
        return Vec::new();
    };
    let step = match width {
        SliceWidth::Fixed(width) => width.max(1.0),
        SliceWidth::Buckets(count) => bucket_width(range, count) as f64,
        SliceWidth::WholeRange => return vec![Some(Value::Number(range.start as f64))],
    };
    let Some(mut start) = bucket_start(range.start as f64, width, Some(range)) else {
        return Vec::new();
    };
    let mut values = Vec::new();
    while start < range.end as f64 && values.len() < MAX_COMBINATIONS {
        values.push(Some(Value::Number(start)));
        start += step;
    }
    values
}

/// Returns every combination of one value from each list, the first list
/// varying slowest, up to the combination limit.
fn product(lists: &[Vec<Option<Value>>]) -> Vec<Vec<Option<Value>>> {
    let mut combinations: Vec<Vec<Option<Value>>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::new();
        'outer: for combination in &combinations {
            for value in list {
                if next.len() >= MAX_COMBINATIONS {
                    break 'outer;
                }
                let mut extended = combination.clone();
                extended.push(value.clone());
                next.push(extended);
            }
        }
        combinations = next;
    }
    combinations
}

/// Evaluates an expression that reads no field, such as `-1`; returns
/// `None` for one that reads a field.
fn constant_value(
    expression: &crate::expr::CompiledExpr,
    fields: &crate::row::FieldTable,
) -> Option<Option<Value>> {
    let mut reads_field = false;
    expression.visit_slots(&mut |_| reads_field = true);
    if reads_field {
        return None;
    }
    let context = RowContext {
        record: None,
        fields,
        time_range: None,
    };
    Some(expression.evaluate(&mut Row::empty(fields.len()), &context))
}

impl Compiler<'_> {
    pub(crate) fn fill_missing(
        &mut self,
        generators: &[Spanned<FillGenerator>],
        defaults: &[Spanned<FillDefault>],
        take_last: bool,
        span: &sumoql_syntax::ast::Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        if take_last {
            self.diagnostics.push(Diagnostic::error(
                "`fillmissing … takeLast` is not supported by sumoql yet",
                span.clone(),
                "parsed, but sumoql cannot run it yet",
            ));
            return None;
        }

        let mut keys = Vec::new();
        for generator in generators {
            let (slot, values) = match &generator.node {
                FillGenerator::Timeslice { span: width, field } => {
                    let width = match (width, self.last_timeslice) {
                        (Some(quantity), _)
                            if quantity.unit.is_time() && quantity.value() > 0.0 =>
                        {
                            SliceWidth::Fixed(quantity.value())
                        }
                        (None, Some(width)) => width,
                        _ => {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    "fillmissing has no timeslice width",
                                    generator.span.clone(),
                                    "no width given and no timeslice before it",
                                )
                                .with_help("write the width, as in `fillmissing timeslice(15m)`"),
                            );
                            return None;
                        }
                    };
                    self.reads_time_range = true;
                    (
                        self.fields.slot(field.as_deref().unwrap_or("_timeslice")),
                        KeyValues::Timeslice(width),
                    )
                }
                FillGenerator::Values { values, field } => (
                    self.fields.slot(field),
                    KeyValues::Listed(
                        values
                            .iter()
                            .map(|value| Value::text(value.as_str()))
                            .collect(),
                    ),
                ),
                FillGenerator::AllValues { field } => (self.fields.slot(field), KeyValues::Seen),
            };
            keys.push((slot, values));
        }

        let mut filled = Vec::new();
        for default in defaults {
            let value = match &default.node.value {
                Some(expression) => match constant_value(&self.expr(expression)?, &self.fields) {
                    Some(value) => value,
                    None => {
                        self.diagnostics.push(Diagnostic::error(
                            "fillmissing default is not a constant",
                            expression.span.clone(),
                            "expected a number, a string or null",
                        ));
                        return None;
                    }
                },
                None => None,
            };
            filled.push((self.fields.slot(&default.node.field.node), value));
        }

        let others = layout
            .columns
            .iter()
            .copied()
            .filter(|slot| !keys.iter().any(|(key, _)| key == slot))
            .collect();
        let numeric = layout.numeric.clone();
        for (slot, _) in &keys {
            layout.add(*slot);
        }
        let kind = HoldingKind::FillMissing(FillMissing {
            keys,
            defaults: filled,
            others,
            numeric,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
