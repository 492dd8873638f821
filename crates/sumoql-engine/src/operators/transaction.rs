//! `transactionize` (group rows that share a value in any of some fields)
//! and `merge` (reduce rows to one), the transaction analytics that run
//! offline.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/transaction-analytics/transactionize-operator/
//! https://www.sumologic.com/help/docs/search/search-query-language/transaction-analytics/merge-operator/
//! Sumo documents that `transactionize` needs only one field to match to
//! put two rows in one group, transitively; that it adds `_group` (a number
//! unique to each group), `_group_duration` (milliseconds), `_group_size`
//! and `_group_orphaned`, named from the alias when one is given; that
//! `maxSpan`, `maxPause` and `maxLogs` end a transaction; and that a
//! subquery in parentheses runs on each group's rows on its own. `merge`
//! reduces rows to one: `takeFirst` and `takeLast` keep the earliest and
//! latest value, `takeDistinct` the distinct values, `join with "s"` all
//! values with `s` between them, and a field without a strategy is joined
//! with new lines; `merge` alone joins `_raw`.
//!
//! sumoql choices: rows are ordered by `_messageTime` (rows without one
//! last, in input order) before a transaction is cut or merged; groups come in the
//! order of their first row and are numbered from 0; a row with every
//! transaction field null is an orphan, dropped unless `keepOrphans=true`;
//! `takeDistinct` joins the distinct values with new lines; a field that
//! `merge` does not name keeps the value of the first row.

use std::collections::HashMap;

use indexmap::IndexMap;
use sumoql_syntax::ast::{MergeField, MergeStrategy, NamedOption, OptionValue, Query, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::{Operator, Pipeline};
use crate::row::{Row, RowContext};
use crate::value::Value;

#[derive(Debug)]
pub(crate) struct Transactionize {
    pub(crate) fields: Vec<Slot>,
    pub(crate) message_time: Slot,
    pub(crate) outputs: TransactionOutputs,
    pub(crate) limits: TransactionLimits,
    pub(crate) keep_orphans: bool,
    /// The stages in parentheses, run on each transaction's rows.
    pub(crate) subquery: Option<Pipeline>,
    /// The slots that exist when `transactionize` compiles, which the
    /// subquery may read.
    pub(crate) input_width: usize,
}

/// The slots of `_group`, `_group_duration`, `_group_size` and `_group_orphaned`.
#[derive(Debug)]
pub(crate) struct TransactionOutputs {
    pub(crate) group: Slot,
    pub(crate) duration: Slot,
    pub(crate) size: Slot,
    pub(crate) orphaned: Slot,
}

#[derive(Debug, Default)]
pub(crate) struct TransactionLimits {
    pub(crate) max_span: Option<f64>,
    pub(crate) max_pause: Option<f64>,
    pub(crate) max_logs: Option<usize>,
}

impl Transactionize {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let times: Vec<Option<f64>> = rows
            .iter_mut()
            .map(|row| {
                row.get(self.message_time, context)
                    .and_then(|value| value.to_number())
            })
            .collect();
        let (groups, orphans) = self.group_rows(&mut rows, context);

        let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
        let mut released = Vec::new();
        let mut number = 0.0;
        for mut members in groups {
            sort_by_time(&mut members, &times);
            for transaction in self.cut(&members, &times) {
                let duration = span_of(transaction, &times);
                let mut transaction_rows = Vec::with_capacity(transaction.len());
                for index in transaction {
                    let mut row = slots[*index]
                        .take()
                        .expect("each row is in one transaction");
                    row.set(self.outputs.group, Some(Value::Number(number)));
                    row.set(self.outputs.duration, Some(Value::Number(duration)));
                    row.set(
                        self.outputs.size,
                        Some(Value::Number(transaction.len() as f64)),
                    );
                    row.set(self.outputs.orphaned, Some(Value::Boolean(false)));
                    transaction_rows.push(row);
                }
                number += 1.0;
                match &self.subquery {
                    Some(pipeline) => released.extend(crate::execute::run_rows(
                        pipeline,
                        transaction_rows,
                        context,
                    )),
                    None => released.extend(transaction_rows),
                }
            }
        }
        if self.keep_orphans {
            for index in orphans {
                let mut row = slots[index].take().expect("an orphan is in no transaction");
                row.set(self.outputs.orphaned, Some(Value::Boolean(true)));
                released.push(row);
            }
        }
        released
    }

    /// Groups the rows that share a value in any transaction field, also
    /// through other rows, and returns the groups in order of their first
    /// row, and the rows with every field null.
    fn group_rows(&self, rows: &mut [Row], context: &RowContext) -> (Vec<Vec<usize>>, Vec<usize>) {
        let mut parent: Vec<usize> = (0..rows.len()).collect();
        let mut first_with_value: HashMap<(usize, String), usize> = HashMap::new();
        let mut orphans = Vec::new();
        for (index, row) in rows.iter_mut().enumerate() {
            let mut any = false;
            for (position, slot) in self.fields.iter().enumerate() {
                let Some(value) = row.get(*slot, context) else {
                    continue;
                };
                any = true;
                let key = (position, value.to_text().to_string());
                match first_with_value.get(&key) {
                    Some(other) => union(&mut parent, index, *other),
                    None => {
                        first_with_value.insert(key, index);
                    }
                }
            }
            if !any {
                orphans.push(index);
            }
        }
        let mut groups: IndexMap<usize, Vec<usize>> = IndexMap::new();
        for index in 0..rows.len() {
            if orphans.binary_search(&index).is_ok() {
                continue;
            }
            let root = find(&mut parent, index);
            groups.entry(root).or_default().push(index);
        }
        (groups.into_values().collect(), orphans)
    }

    /// Cuts a group, in time order, into transactions at the limits.
    fn cut<'g>(&self, members: &'g [usize], times: &[Option<f64>]) -> Vec<&'g [usize]> {
        let mut transactions = Vec::new();
        let mut start = 0;
        for position in 1..members.len() {
            let time = times[members[position]];
            let first = times[members[start]];
            let previous = times[members[position - 1]];
            let too_long = matches!((self.limits.max_span, time, first),
                (Some(limit), Some(time), Some(first)) if time - first > limit);
            let too_late = matches!((self.limits.max_pause, time, previous),
                (Some(limit), Some(time), Some(previous)) if time - previous > limit);
            let too_many = self
                .limits
                .max_logs
                .is_some_and(|limit| position - start >= limit);
            if too_long || too_late || too_many {
                transactions.push(&members[start..position]);
                start = position;
            }
        }
        if start < members.len() {
            transactions.push(&members[start..]);
        }
        transactions
    }
}

fn find(parent: &mut [usize], mut index: usize) -> usize {
    while parent[index] != index {
        parent[index] = parent[parent[index]];
        index = parent[index];
    }
    index
}

/// Joins two sets, keeping the smaller index as the root so that a group's
/// root is its first row.
fn union(parent: &mut [usize], left: usize, right: usize) {
    let (left, right) = (find(parent, left), find(parent, right));
    let (root, child) = if left < right {
        (left, right)
    } else {
        (right, left)
    };
    parent[child] = root;
}

/// Sorts row indexes by time, rows without a time last, keeping input
/// order for equal times. The order is total, as `sort_by` requires.
fn sort_by_time(members: &mut [usize], times: &[Option<f64>]) {
    members.sort_by(|left, right| match (times[*left], times[*right]) {
        (Some(left), Some(right)) => left.total_cmp(&right),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

fn span_of(members: &[usize], times: &[Option<f64>]) -> f64 {
    let known: Vec<f64> = members.iter().filter_map(|index| times[*index]).collect();
    let earliest = known.iter().copied().fold(f64::INFINITY, f64::min);
    let latest = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if known.is_empty() {
        0.0
    } else {
        latest - earliest
    }
}

#[derive(Debug)]
pub(crate) struct Merge {
    /// Each merged field: its source, its target and the strategy.
    pub(crate) fields: Vec<(Slot, Slot, MergeStrategy)>,
    pub(crate) message_time: Slot,
}

impl Merge {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        if rows.is_empty() {
            return rows;
        }
        let times: Vec<Option<f64>> = rows
            .iter_mut()
            .map(|row| {
                row.get(self.message_time, context)
                    .and_then(|value| value.to_number())
            })
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        sort_by_time(&mut order, &times);

        let mut merged_values = Vec::with_capacity(self.fields.len());
        for (source, target, strategy) in &self.fields {
            let values: Vec<Value> = order
                .iter()
                .filter_map(|index| rows[*index].get(*source, context))
                .collect();
            merged_values.push((*target, merge_values(strategy, values)));
        }
        let mut merged = rows.swap_remove(order[0]);
        for (target, value) in merged_values {
            merged.set(target, value);
        }
        vec![merged]
    }
}

fn merge_values(strategy: &MergeStrategy, values: Vec<Value>) -> Option<Value> {
    let join = |values: Vec<String>, separator: &str| {
        (!values.is_empty()).then(|| Value::text(values.join(separator).as_str()))
    };
    match strategy {
        MergeStrategy::TakeFirst => values.into_iter().next(),
        MergeStrategy::TakeLast => values.into_iter().last(),
        MergeStrategy::TakeDistinct => {
            let mut distinct: Vec<String> = Vec::new();
            for value in values {
                let text = value.to_text().to_string();
                if !distinct.contains(&text) {
                    distinct.push(text);
                }
            }
            join(distinct, "\n")
        }
        MergeStrategy::JoinWith(separator) => {
            let texts = values
                .iter()
                .map(|value| value.to_text().to_string())
                .collect();
            join(texts, separator.as_deref().unwrap_or("\n"))
        }
    }
}

impl Compiler<'_> {
    pub(crate) fn transactionize(
        &mut self,
        fields: &[Spanned<String>],
        alias: Option<&Spanned<String>>,
        options: &[Spanned<NamedOption>],
        subquery: Option<&Spanned<Query>>,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let mut limits = TransactionLimits::default();
        let mut keep_orphans = false;
        for option in options {
            let value = &option.node.value;
            let parsed = match (option.node.name.to_ascii_lowercase().as_str(), value) {
                ("maxspan", OptionValue::Quantity(quantity)) if quantity.unit.is_time() => {
                    limits.max_span = Some(quantity.value());
                    true
                }
                ("maxpause", OptionValue::Quantity(quantity)) if quantity.unit.is_time() => {
                    limits.max_pause = Some(quantity.value());
                    true
                }
                ("maxlogs", OptionValue::Number(count))
                    if *count >= 1.0 && count.fract() == 0.0 =>
                {
                    limits.max_logs = Some(*count as usize);
                    true
                }
                ("keeporphans", OptionValue::Word(word)) => {
                    match word.to_ascii_lowercase().as_str() {
                        "true" => {
                            keep_orphans = true;
                            true
                        }
                        "false" => true,
                        _ => false,
                    }
                }
                ("startswith" | "endswith", _) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            format!(
                                "`transactionize` option `{}` is not supported by sumoql yet",
                                option.node.name
                            ),
                            option.span.clone(),
                            "parsed, but sumoql cannot run it yet",
                        )
                        .with_help("remove the option to group by the fields alone"),
                    );
                    return None;
                }
                _ => false,
            };
            if !parsed {
                self.diagnostics.push(Diagnostic::error(
                    format!("invalid `transactionize` option `{}`", option.node.name),
                    option.span.clone(),
                    "expected maxSpan=TIME, maxPause=TIME, maxLogs=N or keepOrphans=true|false",
                ));
                return None;
            }
        }

        let field_slots: Vec<Slot> = fields
            .iter()
            .map(|field| self.fields.slot(&field.node))
            .collect();
        let message_time = self.fields.slot("_messageTime");
        let prefix = alias
            .map_or("_group", |alias| alias.node.as_str())
            .to_string();
        let outputs = TransactionOutputs {
            group: self.fields.slot(&prefix),
            duration: self.fields.slot(&format!("{prefix}_duration")),
            size: self.fields.slot(&format!("{prefix}_size")),
            orphaned: self.fields.slot(&format!("{prefix}_orphaned")),
        };
        let input_width = self.fields.len();
        let subquery = match subquery {
            Some(query) => {
                let (pipeline, sub_layout) = self.pipeline(&query.node);
                let mut columns = vec![outputs.group, outputs.duration, outputs.size];
                for slot in sub_layout.columns {
                    if !columns.contains(&slot) {
                        columns.push(slot);
                    }
                }
                layout.explicit = sub_layout.explicit || layout.explicit;
                layout.columns = columns;
                Some(pipeline)
            }
            None => {
                layout.add(outputs.group);
                layout.add(outputs.duration);
                layout.add(outputs.size);
                None
            }
        };
        if keep_orphans {
            layout.add(outputs.orphaned);
        }
        let kind = HoldingKind::Transactionize(Transactionize {
            fields: field_slots,
            message_time,
            outputs,
            limits,
            keep_orphans,
            subquery,
            input_width,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }

    pub(crate) fn merge(
        &mut self,
        fields: &[Spanned<MergeField>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let mut merged = Vec::new();
        if fields.is_empty() {
            let raw = self.fields.slot("_raw");
            merged.push((raw, raw, MergeStrategy::JoinWith(None)));
        }
        for field in fields {
            let source = self.fields.slot(&field.node.field);
            let target = match &field.node.alias {
                Some(alias) => self.fields.slot(alias),
                None => source,
            };
            let strategy = field
                .node
                .strategy
                .clone()
                .unwrap_or(MergeStrategy::JoinWith(None));
            if field.node.field.eq_ignore_ascii_case("_messageTime")
                && !matches!(strategy, MergeStrategy::TakeFirst | MergeStrategy::TakeLast)
            {
                self.diagnostics.push(Diagnostic::error(
                    "invalid merge strategy for `_messageTime`",
                    field.span.clone(),
                    "`_messageTime` can only use takeFirst or takeLast",
                ));
                return None;
            }
            layout.add(target);
            merged.push((source, target, strategy));
        }
        // The merged row is a new row: it shows the fields known so far and
        // the merged ones, without `_messageTime` and `_raw` unless merged.
        layout.explicit = true;
        let message_time = self.fields.slot("_messageTime");
        let kind = HoldingKind::Merge(Merge {
            fields: merged,
            message_time,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
