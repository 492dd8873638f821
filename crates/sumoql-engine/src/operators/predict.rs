//! `predict F by SPAN [forecast=N|SPAN]`: a linear trend of `F` over the
//! timeslices, with predictions past the last one.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/predict/
//! Sumo documents that `predict` follows an aggregate by `_timeslice`, that
//! its linear regression model fits a line to the data of the query time
//! range and extrapolates it, that it adds `F_predicted` and `F_error` (the
//! absolute difference between the predicted and the actual value), and
//! that a missing data point counts as zero. The auto-regressive model
//! (`model=ar`) is Sumo's own algorithm, which the page does not describe
//! closely enough to reproduce, so it is a compile error.
//!
//! sumoql choices: the line is fitted by least squares over the rows'
//! `_timeslice` values, with a zero for each `SPAN` step between the first
//! and last timeslice that no row has; `forecast=N` (or a time, divided by
//! `SPAN`) appends `N` rows after the last timeslice with only
//! `_timeslice` and `F_predicted`; with fewer than two points the outputs
//! are null.

use std::collections::BTreeMap;

use sumoql_syntax::ast::{Expr, NamedOption, OptionValue, Quantity, Span, Spanned};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::Value;

/// The maximum number of rows `forecast` may add, so a typo cannot make millions.
const MAX_FORECAST: u64 = 10_000;

#[derive(Debug)]
pub(crate) struct Predict {
    pub(crate) value: Slot,
    pub(crate) timeslice: Slot,
    /// The series step, in milliseconds.
    pub(crate) interval: f64,
    pub(crate) forecast: u64,
    pub(crate) predicted: Slot,
    pub(crate) error: Slot,
}

impl Predict {
    pub(crate) fn release(
        &self,
        mut rows: Vec<Row>,
        width: usize,
        context: &RowContext,
    ) -> Vec<Row> {
        let mut series: BTreeMap<i64, f64> = BTreeMap::new();
        let mut points = Vec::with_capacity(rows.len());
        for row in rows.iter_mut() {
            let time = row
                .get(self.timeslice, context)
                .and_then(|value| value.to_number());
            let number = row
                .get(self.value, context)
                .and_then(|value| value.to_number());
            if let (Some(time), Some(number)) = (time, number) {
                *series.entry(time as i64).or_insert(0.0) += number;
            }
            points.push((time, number));
        }
        let line = self.fit(&series);

        for (row, (time, number)) in rows.iter_mut().zip(points) {
            let predicted = line
                .zip(time)
                .map(|((intercept, slope), time)| intercept + slope * time);
            let error = predicted
                .zip(number)
                .map(|(predicted, number)| (number - predicted).abs());
            row.set(self.predicted, predicted.map(Value::Number));
            row.set(self.error, error.map(Value::Number));
        }
        if let (Some((intercept, slope)), Some(last)) = (line, series.keys().next_back()) {
            for step in 1..=self.forecast {
                let time = *last as f64 + step as f64 * self.interval;
                let mut row = Row::empty(width);
                row.set(self.timeslice, Some(Value::Number(time)));
                row.set(
                    self.predicted,
                    Some(Value::Number(intercept + slope * time)),
                );
                rows.push(row);
            }
        }
        rows
    }

    /// Fits `value = intercept + slope × time` by least squares, with a zero
    /// for every missing step. Returns `None` below two points.
    fn fit(&self, series: &BTreeMap<i64, f64>) -> Option<(f64, f64)> {
        let (first, last) = (*series.keys().next()?, *series.keys().next_back()?);
        let step = self.interval.max(1.0);
        let steps = ((last - first) as f64 / step).floor() as u64;
        let mut points: Vec<(f64, f64)> = series
            .iter()
            .map(|(time, value)| (*time as f64, *value))
            .collect();
        // NOTE: a series wider than a million steps skips the zero filling.
        if steps <= 1_000_000 {
            for index in 0..=steps {
                let time = first as f64 + index as f64 * step;
                if !series.contains_key(&(time as i64)) {
                    points.push((time, 0.0));
                }
            }
        }
        if points.len() < 2 {
            return None;
        }
        let count = points.len() as f64;
        let mean_time = points.iter().map(|(time, _)| time).sum::<f64>() / count;
        let mean_value = points.iter().map(|(_, value)| value).sum::<f64>() / count;
        let spread: f64 = points
            .iter()
            .map(|(time, _)| (time - mean_time).powi(2))
            .sum();
        if spread == 0.0 {
            return None;
        }
        let covariance: f64 = points
            .iter()
            .map(|(time, value)| (time - mean_time) * (value - mean_value))
            .sum();
        let slope = covariance / spread;
        Some((mean_value - slope * mean_time, slope))
    }
}

impl Compiler<'_> {
    pub(crate) fn predict(
        &mut self,
        field: &Spanned<Expr>,
        interval: &Spanned<Quantity>,
        options: &[Spanned<NamedOption>],
        span: &Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let Expr::Field(name) = &field.node else {
            self.diagnostics.push(Diagnostic::error(
                "`predict` takes a field name",
                field.span.clone(),
                "expected a field name, such as `_count`",
            ));
            return None;
        };
        let step = interval.node.value();
        if !interval.node.unit.is_time() || step <= 0.0 {
            self.diagnostics.push(Diagnostic::error(
                "invalid predict interval",
                interval.span.clone(),
                "expected a positive time such as `1m`, the timeslice width",
            ));
            return None;
        }

        let mut forecast = 0;
        for option in options {
            let value = &option.node.value;
            match (option.node.name.to_ascii_lowercase().as_str(), value) {
                ("model", OptionValue::Word(model)) if model.eq_ignore_ascii_case("linear") => {}
                ("model", _) | ("ar.window", _) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "operator `predict` with `model=ar` is not supported by sumoql",
                            span.clone(),
                            "Sumo's auto-regressive model is its own algorithm, which its documentation does not describe closely enough to reproduce",
                        )
                        .with_help("remove `model=ar` and `ar.window` to use the linear model"),
                    );
                    return None;
                }
                ("forecast", OptionValue::Number(count))
                    if *count >= 0.0 && count.fract() == 0.0 =>
                {
                    forecast = *count as u64;
                }
                ("forecast", OptionValue::Quantity(quantity)) if quantity.unit.is_time() => {
                    forecast = (quantity.value() / step).ceil().max(0.0) as u64;
                }
                _ => {
                    self.diagnostics.push(Diagnostic::error(
                        format!("invalid `predict` option `{}`", option.node.name),
                        option.span.clone(),
                        "expected `forecast=N` or `forecast=SPAN`",
                    ));
                    return None;
                }
            }
        }
        if forecast > MAX_FORECAST {
            self.diagnostics.push(Diagnostic::error(
                "forecast too long",
                span.clone(),
                format!("`predict` adds at most {MAX_FORECAST} rows"),
            ));
            return None;
        }

        let value = self.fields.slot(name);
        let timeslice = self.fields.slot("_timeslice");
        let predicted = self.fields.slot(&format!("{name}_predicted"));
        let error = self.fields.slot(&format!("{name}_error"));
        layout.add(predicted);
        layout.add(error);
        let kind = HoldingKind::Predict(Predict {
            value,
            timeslice,
            interval: step,
            forecast,
            predicted,
            error,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
