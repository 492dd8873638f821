//! The moving-window series operators over the ordered rows, each per group
//! of `by`: `smooth` (moving average), `rollingstd` (moving standard
//! deviation), `backshift` (the value some rows earlier) and `diff` (the
//! change since some rows earlier).
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/smooth/
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/rollingstd/
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/backshift/
//! Sumo documents the default output names (`_smooth`, `_rollingstd`,
//! `_backshift`), the default windows (10 for `smooth` and `rollingstd`, 1
//! for `backshift`), the maximum window of 1000, that a window with fewer
//! values than its length uses the values it has, and that `rollingstd` of
//! one value is 0. These operators neither sort nor add a timeslice: they
//! read the rows in the order they arrive.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/diff/
//! Sumo documents for `diff` the default name `_diff`, a null difference on
//! the first row, and that rows whose value is not a number are removed and
//! passed over, so the next number is compared with the last number before
//! them. Its syntax has no window length.

use std::collections::VecDeque;

use indexmap::IndexMap;
use sumoql_syntax::ast::{Expr, SeriesFunction, Span, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::{CompiledExpr, Slot};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

/// The largest window or shift Sumo accepts for these operators.
const MAX_WINDOW: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowFunction {
    Smooth,
    RollingStd,
    Backshift,
    Diff,
}

#[derive(Debug)]
pub(crate) struct MovingWindow {
    pub(crate) function: WindowFunction,
    /// The window length of `smooth` and `rollingstd`, or the shift of
    /// `backshift` and `diff`.
    pub(crate) length: usize,
    pub(crate) value: CompiledExpr,
    pub(crate) by: Vec<Slot>,
    pub(crate) target: Slot,
}

impl MovingWindow {
    /// Sets the output field of each row from the numbers of the rows before
    /// it in its group. A value that is not a number enters no window. `diff`
    /// removes its row, as Sumo documents. Its row gets null from
    /// `backshift`, and the statistic of the values so far from `smooth` and
    /// `rollingstd` (sumoql choices).
    pub(crate) fn release(&self, rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut windows: IndexMap<Vec<GroupKey>, VecDeque<f64>> = IndexMap::new();
        let mut released = Vec::with_capacity(rows.len());
        for mut row in rows {
            let (key, number) = group_and_number(&self.by, &self.value, &mut row, context);
            if number.is_none() && self.function == WindowFunction::Diff {
                continue;
            }
            let window = windows.entry(key).or_default();
            let output = self.output(window, number);
            row.set(self.target, output.map(Value::Number));
            released.push(row);
        }
        released
    }

    /// Adds `number` to the group's window and returns the row's output.
    fn output(&self, window: &mut VecDeque<f64>, number: Option<f64>) -> Option<f64> {
        match self.function {
            WindowFunction::Smooth | WindowFunction::RollingStd => {
                if let Some(number) = number {
                    window.push_back(number);
                    if window.len() > self.length {
                        window.pop_front();
                    }
                }
                if self.function == WindowFunction::Smooth {
                    mean(window)
                } else {
                    sample_deviation(window)
                }
            }
            WindowFunction::Backshift | WindowFunction::Diff => {
                let number = number?;
                // The window keeps the last `length` numbers before this row.
                let earlier = (window.len() == self.length)
                    .then(|| window.front().copied())
                    .flatten();
                window.push_back(number);
                if window.len() > self.length {
                    window.pop_front();
                }
                match self.function {
                    WindowFunction::Backshift => earlier,
                    _ => earlier.map(|earlier| number - earlier),
                }
            }
        }
    }
}

/// Returns a row's group key over `by` and the number that `value` gives,
/// if it gives one.
pub(crate) fn group_and_number(
    by: &[Slot],
    value: &CompiledExpr,
    row: &mut Row,
    context: &RowContext,
) -> (Vec<GroupKey>, Option<f64>) {
    let key = by
        .iter()
        .map(|slot| GroupKey(row.get(*slot, context)))
        .collect();
    let number = value
        .evaluate(row, context)
        .and_then(|value| value.to_number());
    (key, number)
}

pub(crate) fn mean(values: &VecDeque<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// Returns the sample standard deviation, 0 for a single value as Sumo's
/// `rollingstd` page states. Sample rather than population deviation is a
/// sumoql choice, the same as the `stddev` aggregate's.
pub(crate) fn sample_deviation(values: &VecDeque<f64>) -> Option<f64> {
    let mean = mean(values)?;
    if values.len() < 2 {
        return Some(0.0);
    }
    let squares: f64 = values.iter().map(|value| (value - mean).powi(2)).sum();
    Some((squares / (values.len() - 1) as f64).sqrt())
}

impl Compiler<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn moving_window(
        &mut self,
        function: SeriesFunction,
        field: &Spanned<Expr>,
        window: Option<u64>,
        alias: Option<&Spanned<String>>,
        by: &[Spanned<Expr>],
        span: &Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let (function, default_length, default_name) = match function {
            SeriesFunction::Smooth => (WindowFunction::Smooth, 10, "_smooth"),
            SeriesFunction::RollingStd => (WindowFunction::RollingStd, 10, "_rollingstd"),
            SeriesFunction::Backshift => (WindowFunction::Backshift, 1, "_backshift"),
            SeriesFunction::Diff => (WindowFunction::Diff, 1, "_diff"),
            SeriesFunction::Accum | SeriesFunction::Total => {
                unreachable!("accum and total compile in series.rs")
            }
        };
        if function == WindowFunction::Diff && window.is_some() {
            self.diagnostics.push(
                Diagnostic::error(
                    "diff takes no window length",
                    span.clone(),
                    "remove the window length",
                )
                .with_help(
                    "diff compares each row with the row before it; for the value N rows back, use `backshift F, N`",
                ),
            );
            return None;
        }
        let length = window.unwrap_or(default_length);
        if length == 0 || length > MAX_WINDOW {
            self.diagnostics.push(Diagnostic::error(
                format!("invalid window length {length}"),
                span.clone(),
                format!("the window must be from 1 to {MAX_WINDOW} rows"),
            ));
            return None;
        }
        let value = self.expr(field)?;
        let by = self.field_slots(
            by,
            match function {
                WindowFunction::Smooth => "smooth",
                WindowFunction::RollingStd => "rollingstd",
                WindowFunction::Backshift => "backshift",
                WindowFunction::Diff => "diff",
            },
        )?;
        let target = self
            .fields
            .slot(alias.map_or(default_name, |alias| alias.node.as_str()));
        layout.add(target);
        let kind = HoldingKind::MovingWindow(MovingWindow {
            function,
            length: length as usize,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviation_of_one_value_is_zero() {
        assert_eq!(sample_deviation(&VecDeque::from([4.0])), Some(0.0));
        assert_eq!(sample_deviation(&VecDeque::new()), None);
    }

    #[test]
    fn deviation_is_sample_deviation() {
        let values = VecDeque::from([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        let deviation = sample_deviation(&values).unwrap();
        assert!((deviation - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }
}
