//! `top`, `topk` and `count_frequent`: keep the highest-ranked rows.
//!
//! - top: https://www.sumologic.com/help/docs/search/search-query-language/search-operators/top/
//! - topk: https://www.sumologic.com/help/docs/search/search-query-language/search-operators/topk/
//! - count_frequent: https://www.sumologic.com/help/docs/search/search-query-language/group-aggregate-operators/count-count-distinct-and-count-frequent/

use std::cmp::Ordering;

use indexmap::IndexMap;
use sumoql_syntax::ast::SortDirection;

use crate::expr::Slot;
use crate::row::{Row, RowContext};
use crate::value::{compare_for_sort, GroupKey, Value};

/// Counts rows per combination of `fields` and keeps the `limit` most
/// frequent, most frequent first; equal counts keep their first-seen order.
#[derive(Debug)]
pub(crate) struct CountRanking {
    pub(crate) fields: Vec<Slot>,
    pub(crate) limit: u64,
    /// `_count` for `top`, `_approxcount` for `count_frequent`.
    pub(crate) count: Slot,
}

impl CountRanking {
    pub(crate) fn release(&self, counts: IndexMap<Vec<GroupKey>, u64>, width: usize) -> Vec<Row> {
        let mut groups: Vec<(Vec<GroupKey>, u64)> = counts.into_iter().collect();
        groups.sort_by(|(_, left), (_, right)| right.cmp(left));
        groups
            .into_iter()
            .take(usize::try_from(self.limit).unwrap_or(usize::MAX))
            .map(|(key, count)| {
                let mut row = Row::empty(width);
                for (slot, value) in self.fields.iter().zip(key) {
                    row.set(*slot, value.0);
                }
                row.set(self.count, Some(Value::Number(count as f64)));
                row
            })
            .collect()
    }
}

/// `top N f, … by key, …`: the `limit` rows that sort first by the keys.
#[derive(Debug)]
pub(crate) struct SortedTop {
    pub(crate) fields: Vec<Slot>,
    pub(crate) keys: Vec<(Slot, SortDirection)>,
    pub(crate) limit: u64,
}

impl SortedTop {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut keyed: Vec<(Vec<Option<Value>>, Row)> = rows
            .drain(..)
            .map(|mut row| {
                let values = self
                    .keys
                    .iter()
                    .map(|(slot, _)| row.get(*slot, context))
                    .collect();
                (values, row)
            })
            .collect();
        keyed.sort_by(|(left, _), (right, _)| {
            for ((left, right), (_, direction)) in left.iter().zip(right).zip(&self.keys) {
                let ordering = compare_ranked(left.as_ref(), right.as_ref());
                let ordering = match direction {
                    SortDirection::Descending => ordering,
                    SortDirection::Ascending => ordering.reverse(),
                };
                if ordering.is_ne() {
                    return ordering;
                }
            }
            Ordering::Equal
        });
        keyed
            .into_iter()
            .take(usize::try_from(self.limit).unwrap_or(usize::MAX))
            .map(|(_, row)| row)
            .collect()
    }
}

/// `topk(N, f, …) [by g, …]`: in each group of `by`, the `limit` rows with
/// the largest `fields`, numbered from 1 in `rank`.
#[derive(Debug)]
pub(crate) struct TopK {
    pub(crate) limit: u64,
    pub(crate) fields: Vec<Slot>,
    pub(crate) by: Vec<Slot>,
    pub(crate) rank: Slot,
}

impl TopK {
    /// Releases the groups in order of first appearance, each group's rows
    /// by rank. Rows with equal values get consecutive ranks in input order.
    pub(crate) fn release(&self, rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut groups: IndexMap<Vec<GroupKey>, Vec<SortedRow>> = IndexMap::new();
        for mut row in rows {
            let key = self
                .by
                .iter()
                .map(|slot| GroupKey(row.get(*slot, context)))
                .collect();
            let values = self
                .fields
                .iter()
                .map(|slot| row.get(*slot, context))
                .collect();
            groups.entry(key).or_default().push((values, row));
        }

        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let mut released = Vec::new();
        for (_, mut members) in groups {
            members.sort_by(|(left, _), (right, _)| {
                for (left, right) in left.iter().zip(right) {
                    let ordering = compare_ranked(left.as_ref(), right.as_ref());
                    if ordering.is_ne() {
                        return ordering;
                    }
                }
                Ordering::Equal
            });
            for (index, (_, mut row)) in members.into_iter().take(limit).enumerate() {
                row.set(self.rank, Some(Value::Number((index + 1) as f64)));
                released.push(row);
            }
        }
        released
    }
}

/// Orders two values largest first: numbers by value when both read as
/// numbers, otherwise in reverse sort order; null ranks last.
fn compare_ranked(left: Option<&Value>, right: Option<&Value>) -> Ordering {
    match (left, right) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(left), Some(right)) => match (left.to_number(), right.to_number()) {
            (Some(left), Some(right)) => right.partial_cmp(&left).unwrap_or(Ordering::Equal),
            _ => compare_for_sort(Some(right), Some(left)),
        },
    }
}

use sumoql_syntax::ast::{Expr, SortKey, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::Operator;

/// A row with the values of its sort keys.
type SortedRow = (Vec<Option<Value>>, Row);

/// The number of values `count_frequent` returns.
const COUNT_FREQUENT_LIMIT: u64 = 10_000;

/// The row count of `top` without a number. NOTE: Sumo documents no default;
/// 10 is a sumoql choice.
const TOP_DEFAULT: u64 = 10;

impl Compiler<'_> {
    /// Resolves each expression to a field slot, reporting any that is not a field name.
    pub(crate) fn field_slots(
        &mut self,
        expressions: &[Spanned<Expr>],
        operator: &str,
    ) -> Option<Vec<Slot>> {
        let mut slots = Vec::new();
        for expression in expressions {
            match &expression.node {
                Expr::Field(name) => slots.push(self.fields.slot(name)),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            format!("`{operator}` takes field names"),
                            expression.span.clone(),
                            "expected a field name",
                        )
                        .with_help("compute the value first with `… as name`, then use `name`"),
                    );
                    return None;
                }
            }
        }
        Some(slots)
    }

    pub(crate) fn top(
        &mut self,
        count: Option<u64>,
        fields: &[Spanned<Expr>],
        by: &[Spanned<SortKey>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let fields = self.field_slots(fields, "top")?;
        let limit = count.unwrap_or(TOP_DEFAULT);
        let kind = if by.is_empty() {
            let count = self.fields.slot("_count");
            layout.columns = fields.iter().copied().chain([count]).collect();
            layout.numeric.push(count);
            HoldingKind::CountRanking(CountRanking {
                fields,
                limit,
                count,
            })
        } else {
            let key_expressions: Vec<Spanned<Expr>> =
                by.iter().map(|key| key.node.key.clone()).collect();
            let key_slots = self.field_slots(&key_expressions, "top")?;
            let keys: Vec<(Slot, SortDirection)> = key_slots
                .into_iter()
                .zip(by.iter().map(|key| key.node.direction))
                .collect();
            layout.columns = fields.clone();
            for (slot, _) in &keys {
                layout.add(*slot);
            }
            HoldingKind::SortedTop(SortedTop {
                fields,
                keys,
                limit,
            })
        };
        layout.explicit = true;
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }

    pub(crate) fn topk(
        &mut self,
        count: u64,
        fields: &[Spanned<Expr>],
        by: &[Spanned<Expr>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let fields = self.field_slots(fields, "topk")?;
        let by = self.field_slots(by, "topk")?;
        let rank = self.fields.slot("_rank");
        layout.add(rank);
        let kind = HoldingKind::TopK(TopK {
            limit: count,
            fields,
            by,
            rank,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }

    pub(crate) fn count_frequent(
        &mut self,
        fields: &[Spanned<Expr>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let fields = self.field_slots(fields, "count_frequent")?;
        let count = self.fields.slot("_approxcount");
        layout.explicit = true;
        layout.columns = fields.iter().copied().chain([count]).collect();
        layout.numeric.push(count);
        let kind = HoldingKind::CountRanking(CountRanking {
            fields,
            limit: COUNT_FREQUENT_LIMIT,
            count,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
