//! `outlier`: flags values far from the moving average of the values before
//! them, per group of `by`.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/outlier/
//! For a field `F`, Sumo documents the output fields `F_error` (value minus
//! mean), `F_lower` and `F_upper` (mean minus and plus threshold times the
//! standard deviation), `F_indicator` (1 outside the band, else 0) and
//! `F_violation` (1 once `consecutive` indicators in a row are reached, else
//! 0), and the options `window` (the trailing number of data points, default
//! 10), `threshold` (default 3), `consecutive` (default 1) and `direction`
//! (`+`, `-` or `+-`, default `+-`). Sumo requires a timeslice before it; the
//! operator reads the rows in the order they arrive.
//!
//! sumoql choices the page does not settle: the trailing window holds the
//! numbers of the rows before the current one; with fewer than two of them
//! the band, the error and the bounds are null and the indicator is 0; the
//! deviation is the sample deviation, as for `stddev`; a row whose value is
//! not a number gets null outputs and 0 flags, enters no window and leaves
//! the run of consecutive indicators as it was.

use std::collections::VecDeque;

use indexmap::IndexMap;
use sumoql_syntax::ast::{Expr, NamedOption, OptionValue, Span, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::{CompiledExpr, Slot};
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::operators::window::{group_and_number, mean, sample_deviation};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Above,
    Below,
    Both,
}

#[derive(Debug)]
pub(crate) struct Outlier {
    pub(crate) value: CompiledExpr,
    pub(crate) by: Vec<Slot>,
    pub(crate) window: usize,
    pub(crate) threshold: f64,
    pub(crate) consecutive: u64,
    pub(crate) direction: Direction,
    pub(crate) outputs: OutlierOutputs,
}

/// The slots of `F_error`, `F_lower`, `F_upper`, `F_indicator` and `F_violation`.
#[derive(Debug)]
pub(crate) struct OutlierOutputs {
    pub(crate) error: Slot,
    pub(crate) lower: Slot,
    pub(crate) upper: Slot,
    pub(crate) indicator: Slot,
    pub(crate) violation: Slot,
}

#[derive(Default)]
struct GroupState {
    history: VecDeque<f64>,
    /// Indicators in a row, up to the current row.
    run: u64,
}

impl Outlier {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut groups: IndexMap<Vec<GroupKey>, GroupState> = IndexMap::new();
        for row in rows.iter_mut() {
            let (key, number) = group_and_number(&self.by, &self.value, row, context);
            let state = groups.entry(key).or_default();
            self.flag(row, state, number);
        }
        rows
    }

    fn flag(&self, row: &mut Row, state: &mut GroupState, number: Option<f64>) {
        let outputs = &self.outputs;
        let band = match number {
            Some(_) if state.history.len() >= 2 => {
                let mean = mean(&state.history).unwrap_or(0.0);
                let deviation = sample_deviation(&state.history).unwrap_or(0.0);
                Some((
                    mean,
                    mean - self.threshold * deviation,
                    mean + self.threshold * deviation,
                ))
            }
            _ => None,
        };
        let outside = match (number, band) {
            (Some(number), Some((_, lower, upper))) => match self.direction {
                Direction::Above => number > upper,
                Direction::Below => number < lower,
                Direction::Both => number > upper || number < lower,
            },
            _ => false,
        };
        if let Some(number) = number {
            state.run = if outside { state.run + 1 } else { 0 };
            state.history.push_back(number);
            if state.history.len() > self.window {
                state.history.pop_front();
            }
        }
        let violation = outside && state.run >= self.consecutive;

        let error = number.zip(band).map(|(number, (mean, _, _))| number - mean);
        row.set(outputs.error, error.map(Value::Number));
        row.set(
            outputs.lower,
            band.map(|(_, lower, _)| Value::Number(lower)),
        );
        row.set(
            outputs.upper,
            band.map(|(_, _, upper)| Value::Number(upper)),
        );
        row.set(outputs.indicator, Some(flag_value(outside)));
        row.set(outputs.violation, Some(flag_value(violation)));
    }
}

fn flag_value(flag: bool) -> Value {
    Value::Number(if flag { 1.0 } else { 0.0 })
}

impl Compiler<'_> {
    pub(crate) fn outlier(
        &mut self,
        field: &Spanned<Expr>,
        by: &[Spanned<Expr>],
        options: &[Spanned<NamedOption>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let Expr::Field(name) = &field.node else {
            self.diagnostics.push(
                Diagnostic::error(
                    "`outlier` takes a field name",
                    field.span.clone(),
                    "expected a field name",
                )
                .with_help("compute the value first with `… as name`, then use `name`"),
            );
            return None;
        };
        let mut window = 10;
        let mut threshold = 3.0;
        let mut consecutive = 1;
        let mut direction = Direction::Both;
        for option in options {
            let value = &option.node.value;
            let parsed = match option.node.name.to_ascii_lowercase().as_str() {
                "window" => whole_number(value).map(|number| window = number as usize),
                "consecutive" => whole_number(value).map(|number| consecutive = number),
                "threshold" => match value {
                    OptionValue::Number(number) if *number > 0.0 => {
                        threshold = *number;
                        Some(())
                    }
                    _ => None,
                },
                "direction" => match value {
                    OptionValue::Word(word) | OptionValue::String(word) => match word.as_str() {
                        "+" => Some(Direction::Above),
                        "-" => Some(Direction::Below),
                        "+-" | "-+" => Some(Direction::Both),
                        _ => None,
                    }
                    .map(|parsed| direction = parsed),
                    _ => None,
                },
                _ => None,
            };
            if parsed.is_none() {
                self.push_invalid_option(&option.node.name, &option.span);
                return None;
            }
        }

        let value = self.expr(field)?;
        let by = self.field_slots(by, "outlier")?;
        let mut output = |suffix: &str| {
            let slot = self.fields.slot(&format!("{name}_{suffix}"));
            layout.add(slot);
            slot
        };
        let outputs = OutlierOutputs {
            error: output("error"),
            lower: output("lower"),
            upper: output("upper"),
            indicator: output("indicator"),
            violation: output("violation"),
        };
        let kind = HoldingKind::Outlier(Outlier {
            value,
            by,
            window,
            threshold,
            consecutive,
            direction,
            outputs,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }

    fn push_invalid_option(&mut self, name: &str, span: &Span) {
        let expected = match name.to_ascii_lowercase().as_str() {
            "window" | "consecutive" => "a whole number of at least 1",
            "threshold" => "a positive number of standard deviations",
            "direction" => "`+`, `-` or `+-`",
            _ => "one of window, threshold, consecutive, direction",
        };
        self.diagnostics.push(Diagnostic::error(
            format!("invalid `outlier` option `{name}`"),
            span.clone(),
            format!("expected {expected}"),
        ));
    }
}

/// Returns a whole number of at least 1, as `window` and `consecutive` need.
fn whole_number(value: &OptionValue) -> Option<u64> {
    match value {
        OptionValue::Number(number) if *number >= 1.0 && number.fract() == 0.0 => {
            Some(*number as u64)
        }
        _ => None,
    }
}
