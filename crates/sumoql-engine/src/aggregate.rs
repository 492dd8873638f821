//! Aggregate functions (`count`, `sum`, …) and their per-group state.
//!
//! Output names and rules follow
//! https://www.sumologic.com/help/docs/search/search-query-language/group-aggregate-operators/
//! (`_count`, `_count_distinct`, `_sum`, `_avg`, `_min`, `_max`).

use std::collections::HashSet;

use crate::expr::{CompiledExpr, Slot};
use crate::operators::aggregates::{ExtraAggregate, ExtraState};
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum AggregateKind {
    /// `count`: rows in the group.
    Count,
    /// `count(x)`: rows where `x` is not null.
    CountValues,
    CountDistinct,
    Sum,
    Average,
    Minimum,
    Maximum,
    /// `values`, `first`, `last`, `most_recent`, `least_recent`, `pct`, `stddev`.
    Extra(ExtraAggregate),
}

impl AggregateKind {
    /// Resolves a function name and argument count, returning the kind and
    /// its default output field.
    pub(crate) fn resolve(
        name: &str,
        argument_count: usize,
    ) -> Option<(AggregateKind, &'static str)> {
        let resolved = match (name, argument_count) {
            ("count", 0) => (AggregateKind::Count, "_count"),
            ("count", 1) => (AggregateKind::CountValues, "_count"),
            ("count_distinct", 1) => (AggregateKind::CountDistinct, "_count_distinct"),
            ("sum", 1) => (AggregateKind::Sum, "_sum"),
            ("avg", 1) => (AggregateKind::Average, "_avg"),
            ("min", 1) => (AggregateKind::Minimum, "_min"),
            ("max", 1) => (AggregateKind::Maximum, "_max"),
            _ => return None,
        };
        Some(resolved)
    }

    /// Reports whether the result is a number for any input, as Sumo types
    /// the results of counts and arithmetic aggregates (its `min` and `max`
    /// "return value gets reformatted as a Double").
    pub(crate) fn gives_number(self) -> bool {
        match self {
            AggregateKind::Count
            | AggregateKind::CountValues
            | AggregateKind::CountDistinct
            | AggregateKind::Sum
            | AggregateKind::Average
            | AggregateKind::Minimum
            | AggregateKind::Maximum => true,
            AggregateKind::Extra(extra) => matches!(
                extra,
                ExtraAggregate::Percentile(_) | ExtraAggregate::StandardDeviation
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AggregateFunction {
    pub(crate) kind: AggregateKind,
    pub(crate) argument: Option<CompiledExpr>,
}

/// The running state of one aggregate function in one group.
#[derive(Debug, Clone)]
pub(crate) enum AggregateState {
    Count(u64),
    Distinct(HashSet<GroupKey>),
    Sum { total: f64, seen: bool },
    Average { total: f64, count: u64 },
    Extreme(Option<f64>),
    Extra(ExtraState),
}

impl AggregateState {
    /// Returns the number of values the state keeps one by one: the distinct
    /// values of `count_distinct` and `values`, and the samples of `pct`.
    /// The group limit counts them, because they grow with the input.
    pub(crate) fn kept_values(&self) -> usize {
        match self {
            AggregateState::Distinct(seen) => seen.len(),
            AggregateState::Extra(state) => state.kept_values(),
            AggregateState::Count(_)
            | AggregateState::Sum { .. }
            | AggregateState::Average { .. }
            | AggregateState::Extreme(_) => 0,
        }
    }
}

impl AggregateFunction {
    pub(crate) fn start(&self) -> AggregateState {
        match self.kind {
            AggregateKind::Count | AggregateKind::CountValues => AggregateState::Count(0),
            AggregateKind::CountDistinct => AggregateState::Distinct(HashSet::new()),
            AggregateKind::Sum => AggregateState::Sum {
                total: 0.0,
                seen: false,
            },
            AggregateKind::Average => AggregateState::Average {
                total: 0.0,
                count: 0,
            },
            AggregateKind::Minimum | AggregateKind::Maximum => AggregateState::Extreme(None),
            AggregateKind::Extra(function) => AggregateState::Extra(function.start()),
        }
    }

    /// Adds one row to the state. Values that are not numbers are skipped by
    /// `sum`, `avg`, `min` and `max`, whose inputs Sumo casts to numbers.
    pub(crate) fn add(&self, state: &mut AggregateState, row: &mut Row, context: &RowContext) {
        let value = match &self.argument {
            Some(argument) => argument.evaluate(row, context),
            None => None,
        };
        match (self.kind, state) {
            (AggregateKind::Count, AggregateState::Count(count)) => *count += 1,
            (AggregateKind::CountValues, AggregateState::Count(count)) => {
                if value.is_some() {
                    *count += 1;
                }
            }
            (AggregateKind::CountDistinct, AggregateState::Distinct(seen)) => {
                // "An empty value still counts as a unique value"; null does not.
                if let Some(value) = value {
                    seen.insert(GroupKey(Some(Value::Text(value.to_text()))));
                }
            }
            (AggregateKind::Sum, AggregateState::Sum { total, seen }) => {
                if let Some(number) = value.and_then(|value| value.to_number()) {
                    *total += number;
                    *seen = true;
                }
            }
            (AggregateKind::Average, AggregateState::Average { total, count }) => {
                if let Some(number) = value.and_then(|value| value.to_number()) {
                    *total += number;
                    *count += 1;
                }
            }
            (AggregateKind::Minimum, AggregateState::Extreme(extreme)) => {
                if let Some(number) = value.and_then(|value| value.to_number()) {
                    *extreme = Some(extreme.map_or(number, |current| current.min(number)));
                }
            }
            (AggregateKind::Maximum, AggregateState::Extreme(extreme)) => {
                if let Some(number) = value.and_then(|value| value.to_number()) {
                    *extreme = Some(extreme.map_or(number, |current| current.max(number)));
                }
            }
            (AggregateKind::Extra(function), AggregateState::Extra(state)) => {
                function.add(state, value, row, context)
            }
            (kind, state) => unreachable!("aggregate {kind:?} paired with state {state:?}"),
        }
    }

    /// Adds `other`, the state of the same function over later rows, to `state`.
    pub(crate) fn merge(&self, state: &mut AggregateState, other: AggregateState) {
        match (state, other) {
            (AggregateState::Count(count), AggregateState::Count(more)) => *count += more,
            (AggregateState::Distinct(seen), AggregateState::Distinct(more)) => seen.extend(more),
            (
                AggregateState::Sum { total, seen },
                AggregateState::Sum {
                    total: more,
                    seen: more_seen,
                },
            ) => {
                *total += more;
                *seen |= more_seen;
            }
            (
                AggregateState::Average { total, count },
                AggregateState::Average {
                    total: more_total,
                    count: more_count,
                },
            ) => {
                *total += more_total;
                *count += more_count;
            }
            (AggregateState::Extreme(extreme), AggregateState::Extreme(more)) => {
                *extreme = match (*extreme, more) {
                    (Some(current), Some(more)) if self.kind == AggregateKind::Minimum => {
                        Some(current.min(more))
                    }
                    (Some(current), Some(more)) => Some(current.max(more)),
                    (current, more) => current.or(more),
                };
            }
            (AggregateState::Extra(state), AggregateState::Extra(more)) => match self.kind {
                AggregateKind::Extra(function) => function.merge(state, more),
                kind => unreachable!("aggregate {kind:?} with an extra state"),
            },
            (state, other) => unreachable!("merging aggregate states {state:?} and {other:?}"),
        }
    }

    /// Returns the field the function reads besides its argument: the
    /// `_messageTime` of `most_recent` and `least_recent`.
    pub(crate) fn time_slot(&self) -> Option<Slot> {
        match self.kind {
            AggregateKind::Extra(
                ExtraAggregate::MostRecent(slot) | ExtraAggregate::LeastRecent(slot),
            ) => Some(slot),
            _ => None,
        }
    }

    pub(crate) fn result(&self, state: &AggregateState) -> Option<Value> {
        match state {
            AggregateState::Count(count) => Some(Value::Number(*count as f64)),
            AggregateState::Distinct(seen) => Some(Value::Number(seen.len() as f64)),
            AggregateState::Sum { total, seen } => seen.then_some(Value::Number(*total)),
            AggregateState::Average { total, count } => {
                (*count > 0).then(|| Value::Number(total / *count as f64))
            }
            AggregateState::Extreme(extreme) => extreme.map(Value::Number),
            AggregateState::Extra(state) => match self.kind {
                AggregateKind::Extra(function) => function.result(state),
                _ => None,
            },
        }
    }
}
