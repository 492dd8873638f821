//! `compare [with] timeshift SPAN [N] [avg|min|max] [as A], …`: runs the
//! stages before `compare` again over earlier time windows and adds their
//! aggregate results as columns beside the current ones.
//!
//! https://www.sumologic.com/help/docs/search/time-compare/
//! Sumo documents that compare works after an aggregate, runs the query over
//! the time range shifted back by the timeshift, and suffixes the shifted
//! results with the timeshift: after `count`, `compare with timeshift 1d`
//! shows `_count` and `_count_1d`.
//!
//! Offline, one read of the input feeds every window: a shifted branch is a
//! second copy of the stages before `compare` that reads each record with its
//! `_messageTime` moved forward by the shift, and keeps the records whose
//! moved time falls in the query time range. A `_timeslice` computed in the
//! branch is thus already aligned with the current one, and the branch rows
//! join the current rows on the aggregate's group fields.

use indexmap::IndexMap;
use sumoql_syntax::ast::{CompareAggregate, Query, Spanned, Timeshift};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::{Operator, Pipeline};
use crate::row::{Record, Row, RowContext};
use crate::value::{GroupKey, Value};

/// The stages before `compare`, run over records moved forward by `shift`.
#[derive(Debug)]
pub(crate) struct ShiftedBranch {
    /// Milliseconds added to each record's `_messageTime`.
    pub(crate) shift: f64,
    pub(crate) pipeline: Pipeline,
}

#[derive(Debug)]
pub(crate) struct Compare {
    /// The group fields of the aggregate before `compare`.
    pub(crate) keys: Vec<Slot>,
    /// The result fields of that aggregate.
    pub(crate) values: Vec<Slot>,
    pub(crate) outputs: Vec<CompareOutput>,
}

/// Columns filled from one or more shifted branches: one slot per value field.
#[derive(Debug)]
pub(crate) struct CompareOutput {
    /// Indexes into the plan's shifted branches.
    pub(crate) branches: Vec<usize>,
    /// The rule that combines several branches into one column; `None`
    /// for one branch.
    pub(crate) combine: Option<CompareAggregate>,
    pub(crate) slots: Vec<Slot>,
}

/// A record whose `_messageTime` reads as `time`, moved forward by a shift.
pub(crate) struct ShiftedRecord<'r> {
    pub(crate) record: &'r dyn Record,
    pub(crate) time: f64,
}

impl Record for ShiftedRecord<'_> {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        if lowercase_name == "_messagetime" {
            return Some(Value::Number(self.time));
        }
        self.record.field(lowercase_name)
    }
}

impl Compare {
    /// Adds the shifted values to each current row, then appends a row for
    /// each group that only shifted windows have, with null current values.
    pub(crate) fn release(
        &self,
        current: Vec<Row>,
        shifted: Vec<Vec<Row>>,
        width: usize,
        context: &RowContext,
    ) -> Vec<Row> {
        let mut found: Vec<IndexMap<Vec<GroupKey>, Vec<Option<Value>>>> = Vec::new();
        let mut only_shifted: IndexMap<Vec<GroupKey>, ()> = IndexMap::new();
        for rows in shifted {
            let mut by_key = IndexMap::new();
            for mut row in rows {
                let key = self.key(&mut row, context);
                let values = self
                    .values
                    .iter()
                    .map(|slot| row.get(*slot, context))
                    .collect();
                only_shifted.insert(key.clone(), ());
                by_key.entry(key).or_insert(values);
            }
            found.push(by_key);
        }

        let mut rows = Vec::with_capacity(current.len());
        for mut row in current {
            let key = self.key(&mut row, context);
            only_shifted.shift_remove(&key);
            self.fill(&mut row, &key, &found);
            rows.push(row);
        }
        for key in only_shifted.into_keys() {
            let mut row = Row::empty(width);
            for (slot, value) in self.keys.iter().zip(&key) {
                row.set(*slot, value.0.clone());
            }
            self.fill(&mut row, &key, &found);
            rows.push(row);
        }
        rows
    }

    fn key(&self, row: &mut Row, context: &RowContext) -> Vec<GroupKey> {
        self.keys
            .iter()
            .map(|slot| GroupKey(row.get(*slot, context)))
            .collect()
    }

    fn fill(
        &self,
        row: &mut Row,
        key: &[GroupKey],
        found: &[IndexMap<Vec<GroupKey>, Vec<Option<Value>>>],
    ) {
        for output in &self.outputs {
            for (position, slot) in output.slots.iter().enumerate() {
                let mut values = output.branches.iter().map(|branch| {
                    found[*branch]
                        .get(key)
                        .and_then(|values| values[position].clone())
                });
                let value = match output.combine {
                    None => values.next().flatten(),
                    Some(combine) => combine_numbers(combine, values.flatten()),
                };
                row.set(*slot, value);
            }
        }
    }
}

/// Combines the numbers of several windows; windows without a number for
/// the group are left out, and none at all gives null (sumoql choice).
fn combine_numbers(
    combine: CompareAggregate,
    values: impl Iterator<Item = Value>,
) -> Option<Value> {
    let numbers: Vec<f64> = values.filter_map(|value| value.to_number()).collect();
    if numbers.is_empty() {
        return None;
    }
    let result = match combine {
        CompareAggregate::Avg => numbers.iter().sum::<f64>() / numbers.len() as f64,
        CompareAggregate::Min => numbers.iter().copied().fold(f64::INFINITY, f64::min),
        CompareAggregate::Max => numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    };
    Some(Value::Number(result))
}

/// Returns the suffix of a shift, such as `1d` or `3d` for the third of
/// `timeshift 1d 3`.
fn shift_label(shift: &Timeshift, multiple: u64) -> String {
    let amount = shift.shift.amount * multiple as f64;
    format!(
        "{}{}",
        crate::value::format_number(amount),
        shift.shift.unit.suffix()
    )
}

fn combine_name(combine: CompareAggregate) -> &'static str {
    match combine {
        CompareAggregate::Avg => "avg",
        CompareAggregate::Min => "min",
        CompareAggregate::Max => "max",
    }
}

impl Compiler<'_> {
    /// Compiles `compare`, the stage at `index` of `query`, after `operators`.
    pub(crate) fn compare(
        &mut self,
        query: &Query,
        index: usize,
        shifts: &[Spanned<Timeshift>],
        operators: &[Operator],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let span = &query.stages[index].span;
        let reject = |compiler: &mut Self, label: &str, help: &str| {
            compiler.diagnostics.push(
                Diagnostic::error("`compare` cannot run here", span.clone(), label)
                    .with_help(help.to_string()),
            );
            None
        };
        if self.in_union {
            return reject(
                self,
                "sumoql runs `compare` only in the main query, not inside `union`",
                "move `compare` after the `union` stage",
            );
        }
        if self.compare_seen {
            return reject(
                self,
                "sumoql runs one `compare` per query",
                "list every timeshift in one stage: `compare timeshift 1d, timeshift 7d`",
            );
        }
        self.compare_seen = true;
        let Some((keys, values)) = last_aggregate(operators) else {
            return reject(
                self,
                "`compare` needs an aggregate before it",
                "count or sum first, as in `count by _timeslice | compare with timeshift 1d`",
            );
        };
        if !self.diagnostics.is_empty() {
            // The stages before `compare` failed to compile already.
            return None;
        }
        if let Some(shift) = shifts.iter().find(|shift| !valid_shift(&shift.node)) {
            self.diagnostics.push(Diagnostic::error(
                "invalid timeshift",
                shift.span.clone(),
                "expected a nonzero time such as `1d`, `7d` or `-1h`, repeated at most 1000 times",
            ));
            return None;
        }

        let prefix = Query {
            scope: query.scope.clone(),
            stages: query.stages[..index].to_vec(),
        };
        let mut outputs = Vec::new();
        for shift in shifts {
            let count = shift.node.count.unwrap_or(1);
            let mut branches = Vec::new();
            for multiple in 1..=count {
                branches.push(self.shifted_branch(&prefix, &shift.node, multiple));
            }
            match shift.node.aggregate {
                Some(combine) => {
                    let suffix = shift.node.alias.clone().unwrap_or_else(|| {
                        format!(
                            "{}_{}",
                            shift_label(&shift.node, count),
                            combine_name(combine)
                        )
                    });
                    let slots = self.suffixed_slots(&values, &suffix, layout);
                    outputs.push(CompareOutput {
                        branches,
                        combine: Some(combine),
                        slots,
                    });
                }
                None => {
                    for (position, branch) in branches.into_iter().enumerate() {
                        let label = shift_label(&shift.node, position as u64 + 1);
                        let suffix = match (&shift.node.alias, count) {
                            (Some(alias), 1) => alias.clone(),
                            (Some(alias), _) => format!("{alias}_{label}"),
                            (None, _) => label,
                        };
                        let slots = self.suffixed_slots(&values, &suffix, layout);
                        outputs.push(CompareOutput {
                            branches: vec![branch],
                            combine: None,
                            slots,
                        });
                    }
                }
            }
        }
        self.reads_time_range = true;
        let kind = HoldingKind::Compare(Compare {
            keys,
            values,
            outputs,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }

    /// Compiles the stages before `compare` once more as a shifted branch
    /// and returns its index.
    fn shifted_branch(&mut self, prefix: &Query, shift: &Timeshift, multiple: u64) -> usize {
        let (pipeline, _) = self.pipeline(prefix);
        self.shifted.push(ShiftedBranch {
            shift: shift.shift.value() * multiple as f64,
            pipeline,
        });
        self.shifted.len() - 1
    }

    fn suffixed_slots(&mut self, values: &[Slot], suffix: &str, layout: &mut Layout) -> Vec<Slot> {
        values
            .iter()
            .map(|slot| {
                let name = format!("{}_{suffix}", self.fields.display_name(*slot));
                let target = self.fields.slot(&name);
                layout.add(target);
                target
            })
            .collect()
    }
}

/// Returns the group fields and result fields of the last aggregate. A group
/// field that a result replaces counts as a result, because its output value
/// is the result's.
fn last_aggregate(operators: &[Operator]) -> Option<(Vec<Slot>, Vec<Slot>)> {
    operators.iter().rev().find_map(|operator| match operator {
        Operator::Aggregate { keys, functions } => {
            let values: Vec<Slot> = functions.iter().map(|(_, slot)| *slot).collect();
            let keys = keys
                .iter()
                .filter(|key| !values.contains(key))
                .copied()
                .collect();
            Some((keys, values))
        }
        _ => None,
    })
}

fn valid_shift(shift: &Timeshift) -> bool {
    shift.shift.unit.is_time()
        && shift.shift.value() != 0.0
        && shift.count.is_none_or(|count| (1..=1000).contains(&count))
}
