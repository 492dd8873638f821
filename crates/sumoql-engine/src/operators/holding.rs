//! Row-holding operators that release their rows when the execution
//! finishes, behind one `Operator::Holding` variant so the executor needs one
//! arm for all of them.
//!
//! Each state merges exactly with the state of a partial execution over
//! later records (see `Execution::absorb`): buffered rows append in chunk
//! order, and counts add up with new groups after the known ones.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use crate::expr::{CompiledExpr, Slot};
use crate::operators::compare::Compare;
use crate::operators::dedup::Dedup;
use crate::operators::fill_missing::FillMissing;
use crate::operators::filter::Filter;
use crate::operators::join::Join;
use crate::operators::outlier::Outlier;
use crate::operators::predict::Predict;
use crate::operators::rank::{CountRanking, SortedTop, TopK};
use crate::operators::series::Series;
use crate::operators::transaction::{Merge, Transactionize};
use crate::operators::transpose::Transpose;
use crate::operators::window::MovingWindow;
use crate::row::{Row, RowContext};
use crate::value::GroupKey;

#[derive(Debug)]
pub(crate) struct HoldingStage {
    pub(crate) kind: HoldingKind,
    /// Fields later stages read, copied out of the record before a row is stored.
    pub(crate) materialize: Vec<Slot>,
}

#[derive(Debug)]
pub(crate) enum HoldingKind {
    /// `top N f` without `by`, and `count_frequent f`: count the rows per
    /// value and keep the most frequent.
    CountRanking(CountRanking),
    /// `top N f by key`: the rows with the largest keys.
    SortedTop(SortedTop),
    /// `topk(N, f) [by g]`: the rows with the largest `f` in each group, ranked.
    TopK(TopK),
    /// `transpose row a column b`: one row per `a`, one column per `b`.
    Transpose(Transpose),
    /// `fillmissing …`: the input rows, then rows for missing key combinations.
    FillMissing(FillMissing),
    /// `dedup [consecutive] [N] by a, …`: the first N rows of each key.
    Dedup(Dedup),
    /// `accum` and `total`: running and grand totals.
    Series(Series),
    /// `smooth`, `rollingstd`, `backshift` and `diff`: moving windows.
    MovingWindow(MovingWindow),
    /// `outlier F`: values outside the band around the moving average.
    Outlier(Outlier),
    /// `compare with timeshift …`: the current rows, joined at the end with
    /// the rows of the shifted branches.
    Compare(Compare),
    /// `join (…) as t1, (…) as t2 on …`: the input rows, run through each
    /// table's stages and joined at the end.
    Join(Join),
    /// `predict F by SPAN`: a linear trend over the timeslices.
    Predict(Predict),
    /// `transactionize a, …`: rows grouped into transactions.
    Transactionize(Transactionize),
    /// `merge …`: the rows reduced to one.
    Merge(Merge),
    /// `filter F in (…)`: the rows whose `F` the stages keep.
    Filter(Filter),
}

pub(crate) enum HoldingState {
    Rows(Vec<Row>),
    Counts(IndexMap<Vec<GroupKey>, u64>),
    /// The current rows of `compare`, and the rows of each shifted branch
    /// once the execution has finished them.
    Compared {
        rows: Vec<Row>,
        shifted: Vec<Vec<Row>>,
    },
}

impl HoldingState {
    /// Returns the number of rows or counted groups held.
    pub(crate) fn len(&self) -> usize {
        match self {
            HoldingState::Rows(rows) | HoldingState::Compared { rows, .. } => rows.len(),
            HoldingState::Counts(counts) => counts.len(),
        }
    }

    /// Returns what [`HoldingState::len`] counts, for messages.
    pub(crate) fn unit(&self) -> &'static str {
        match self {
            HoldingState::Rows(_) | HoldingState::Compared { .. } => "rows",
            HoldingState::Counts(_) => "groups",
        }
    }
}

impl HoldingStage {
    pub(crate) fn start(&self) -> HoldingState {
        match &self.kind {
            HoldingKind::CountRanking(_) => HoldingState::Counts(IndexMap::new()),
            HoldingKind::SortedTop(_)
            | HoldingKind::TopK(_)
            | HoldingKind::Transpose(_)
            | HoldingKind::FillMissing(_)
            | HoldingKind::Dedup(_)
            | HoldingKind::Series(_)
            | HoldingKind::MovingWindow(_)
            | HoldingKind::Outlier(_)
            | HoldingKind::Join(_)
            | HoldingKind::Predict(_)
            | HoldingKind::Transactionize(_)
            | HoldingKind::Merge(_)
            | HoldingKind::Filter(_) => HoldingState::Rows(Vec::new()),
            HoldingKind::Compare(_) => HoldingState::Compared {
                rows: Vec::new(),
                shifted: Vec::new(),
            },
        }
    }

    pub(crate) fn add(&self, state: &mut HoldingState, mut row: Row, context: &RowContext) {
        match (&self.kind, state) {
            (HoldingKind::CountRanking(ranking), HoldingState::Counts(counts)) => {
                let key = ranking
                    .fields
                    .iter()
                    .map(|slot| GroupKey(row.get(*slot, context)))
                    .collect();
                *counts.entry(key).or_insert(0) += 1;
            }
            (_, HoldingState::Rows(rows)) | (_, HoldingState::Compared { rows, .. }) => {
                row.materialize(&self.materialize, context);
                rows.push(row);
            }
            (_, HoldingState::Counts(_)) => {
                unreachable!("row-buffering operator with a count state")
            }
        }
    }

    /// Adds `other`, the state of a partial execution over later records, to `state`.
    pub(crate) fn merge(&self, state: &mut HoldingState, other: HoldingState) {
        match (state, other) {
            (HoldingState::Rows(rows), HoldingState::Rows(more)) => rows.extend(more),
            (HoldingState::Compared { rows, .. }, HoldingState::Compared { rows: more, .. }) => {
                rows.extend(more)
            }
            (HoldingState::Counts(counts), HoldingState::Counts(more)) => {
                for (key, count) in more {
                    *counts.entry(key).or_insert(0) += count;
                }
            }
            _ => unreachable!("merging different held states"),
        }
    }

    /// Returns the rows the operator releases, in result order.
    pub(crate) fn release(
        &self,
        state: HoldingState,
        width: usize,
        context: &RowContext,
    ) -> Vec<Row> {
        match (&self.kind, state) {
            (HoldingKind::CountRanking(ranking), HoldingState::Counts(counts)) => {
                ranking.release(counts, width)
            }
            (HoldingKind::SortedTop(top), HoldingState::Rows(rows)) => top.release(rows, context),
            (HoldingKind::TopK(topk), HoldingState::Rows(rows)) => topk.release(rows, context),
            (HoldingKind::Transpose(transpose), HoldingState::Rows(rows)) => {
                transpose.release(rows, width, context)
            }
            (HoldingKind::FillMissing(fill), HoldingState::Rows(rows)) => {
                fill.release(rows, width, context)
            }
            (HoldingKind::Dedup(dedup), HoldingState::Rows(rows)) => dedup.release(rows, context),
            (HoldingKind::Series(series), HoldingState::Rows(rows)) => {
                series.release(rows, context)
            }
            (HoldingKind::MovingWindow(window), HoldingState::Rows(rows)) => {
                window.release(rows, context)
            }
            (HoldingKind::Outlier(outlier), HoldingState::Rows(rows)) => {
                outlier.release(rows, context)
            }
            (HoldingKind::Transactionize(transactionize), HoldingState::Rows(rows)) => {
                transactionize.release(rows, context)
            }
            (HoldingKind::Merge(merge), HoldingState::Rows(rows)) => merge.release(rows, context),
            (HoldingKind::Filter(filter), HoldingState::Rows(rows)) => {
                filter.release(rows, context)
            }
            (HoldingKind::Predict(predict), HoldingState::Rows(rows)) => {
                predict.release(rows, width, context)
            }
            (HoldingKind::Join(join), HoldingState::Rows(rows)) => {
                join.release(rows, width, context)
            }
            (HoldingKind::Compare(compare), HoldingState::Compared { rows, shifted }) => {
                compare.release(rows, shifted, width, context)
            }
            _ => unreachable!("held operator paired with the wrong state"),
        }
    }

    /// Works out which fields to copy out of records, given the fields read
    /// after this operator, and returns the fields read before it.
    pub(crate) fn finalize(&mut self, needed_after: &BTreeSet<Slot>) -> BTreeSet<Slot> {
        match &self.kind {
            // The counted rows are new; only the counted fields come from records.
            HoldingKind::CountRanking(ranking) => ranking.fields.iter().copied().collect(),
            HoldingKind::SortedTop(top) => {
                let mut needed = needed_after.clone();
                needed.extend(top.keys.iter().map(|(slot, _)| *slot));
                needed.extend(top.fields.iter().copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::TopK(topk) => {
                let mut needed = needed_after.clone();
                needed.extend(topk.fields.iter().chain(&topk.by).copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::FillMissing(fill) => {
                let mut needed = needed_after.clone();
                needed.extend(
                    fill.keys
                        .iter()
                        .map(|(slot, _)| *slot)
                        .chain(fill.others.iter().copied()),
                );
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Dedup(dedup) => {
                let mut needed = needed_after.clone();
                needed.extend(dedup.keys.iter().copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Series(series) => materialize_value_and_keys(
                &mut self.materialize,
                needed_after,
                &series.value,
                &series.by,
            ),
            HoldingKind::MovingWindow(window) => materialize_value_and_keys(
                &mut self.materialize,
                needed_after,
                &window.value,
                &window.by,
            ),
            // The subquery may read any field that exists before the stage.
            HoldingKind::Transactionize(transactionize) => {
                let mut needed: BTreeSet<Slot> = (0..transactionize.input_width).collect();
                needed.extend(needed_after.iter().copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            // The stages may read any field that exists before `filter`.
            HoldingKind::Filter(filter) => {
                let mut needed: BTreeSet<Slot> = (0..filter.input_width).collect();
                needed.extend(needed_after.iter().copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Merge(merge) => {
                let mut needed = needed_after.clone();
                needed.extend(merge.fields.iter().map(|(source, _, _)| *source));
                needed.insert(merge.message_time);
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Predict(predict) => {
                let mut needed = needed_after.clone();
                needed.extend([predict.value, predict.timeslice]);
                self.materialize = needed.iter().copied().collect();
                needed
            }
            // The tables may read any field that exists before `join`.
            HoldingKind::Join(join) => {
                let needed: BTreeSet<Slot> = (0..join.input_width).collect();
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Compare(compare) => {
                let mut needed = needed_after.clone();
                needed.extend(compare.keys.iter().chain(&compare.values).copied());
                self.materialize = needed.iter().copied().collect();
                needed
            }
            HoldingKind::Outlier(outlier) => materialize_value_and_keys(
                &mut self.materialize,
                needed_after,
                &outlier.value,
                &outlier.by,
            ),
            // The transposed rows are new; they read only these fields.
            HoldingKind::Transpose(transpose) => {
                let needed: BTreeSet<Slot> = transpose
                    .rows
                    .iter()
                    .chain(&transpose.columns)
                    .chain([&transpose.value])
                    .copied()
                    .collect();
                self.materialize = needed.iter().copied().collect();
                needed
            }
        }
    }
}

/// Keeps the fields read after an operator over one value per group, its
/// group keys `by` and the fields `value` reads, and returns them.
fn materialize_value_and_keys(
    materialize: &mut Vec<Slot>,
    needed_after: &BTreeSet<Slot>,
    value: &CompiledExpr,
    by: &[Slot],
) -> BTreeSet<Slot> {
    let mut needed = needed_after.clone();
    needed.extend(by.iter().copied());
    value.visit_slots(&mut |slot| {
        needed.insert(slot);
    });
    *materialize = needed.iter().copied().collect();
    needed
}
