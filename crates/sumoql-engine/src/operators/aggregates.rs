//! The aggregate functions beyond count, sum, avg, min and max: `values`,
//! `first`, `last`, `most_recent`, `least_recent`, `pct` and `stddev`.
//!
//! - first, last: https://www.sumologic.com/help/docs/search/search-query-language/group-aggregate-operators/first-last/
//! - pct: https://www.sumologic.com/help/docs/search/search-query-language/group-aggregate-operators/pct-percentile/
//!
//! NOTE: the output names and rules of `values`, `most_recent` and
//! `least_recent` are sumoql choices, not checked against Sumo's pages;
//! grammar.md lists them.

use indexmap::IndexSet;

use crate::expr::Slot;
use crate::row::{Row, RowContext};
use crate::value::{format_number, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ExtraAggregate {
    /// `values(x)`: the distinct values, in order of first appearance.
    Values,
    /// `first(x)`: the value of the first row in the current order.
    First,
    /// `last(x)`: the value of the last row in the current order.
    Last,
    /// `most_recent(x)`: the value of the row with the latest `_messageTime`.
    MostRecent(Slot),
    /// `least_recent(x)`: the value of the row with the earliest `_messageTime`.
    LeastRecent(Slot),
    /// `pct(x, p)`, with `p` from 0 to 100.
    Percentile(f64),
    StandardDeviation,
}

#[derive(Debug, Clone)]
pub(crate) enum ExtraState {
    Distinct(IndexSet<String>),
    /// The chosen value, with the time of its row for `most_recent` and `least_recent`.
    Pick(Option<(f64, Value)>),
    Samples(Vec<f64>),
    /// The count, mean and sum of squared deviations from the mean, kept by
    /// Welford's method so that epoch-millisecond values keep their precision.
    Moments {
        count: u64,
        mean: f64,
        squared_deviations: f64,
    },
}

impl ExtraState {
    /// Returns the number of distinct values or samples kept.
    pub(crate) fn kept_values(&self) -> usize {
        match self {
            ExtraState::Distinct(seen) => seen.len(),
            ExtraState::Samples(samples) => samples.len(),
            ExtraState::Pick(_) | ExtraState::Moments { .. } => 0,
        }
    }
}

impl ExtraAggregate {
    /// Resolves a function name and argument count, returning the function
    /// and its default output field (for `pct`, the caller builds the name).
    pub(crate) fn resolve(
        name: &str,
        argument_count: usize,
        message_time: impl FnOnce() -> Slot,
    ) -> Option<(ExtraAggregate, &'static str)> {
        let resolved = match (name, argument_count) {
            ("values", 1) => (ExtraAggregate::Values, "_values"),
            ("first", 1) => (ExtraAggregate::First, "_first"),
            ("last", 1) => (ExtraAggregate::Last, "_last"),
            ("most_recent", 1) => (ExtraAggregate::MostRecent(message_time()), "_mostrecent"),
            ("least_recent", 1) => (ExtraAggregate::LeastRecent(message_time()), "_leastrecent"),
            ("pct", 2) => (ExtraAggregate::Percentile(0.0), "_pct"),
            ("stddev", 1) => (ExtraAggregate::StandardDeviation, "_stddev"),
            _ => return None,
        };
        Some(resolved)
    }

    pub(crate) fn start(self) -> ExtraState {
        match self {
            ExtraAggregate::Values => ExtraState::Distinct(IndexSet::new()),
            ExtraAggregate::First
            | ExtraAggregate::Last
            | ExtraAggregate::MostRecent(_)
            | ExtraAggregate::LeastRecent(_) => ExtraState::Pick(None),
            ExtraAggregate::Percentile(_) => ExtraState::Samples(Vec::new()),
            ExtraAggregate::StandardDeviation => ExtraState::Moments {
                count: 0,
                mean: 0.0,
                squared_deviations: 0.0,
            },
        }
    }

    /// Adds one row's value of the argument. Null values are skipped, and
    /// `pct` and `stddev` skip values that are not numbers.
    pub(crate) fn add(
        self,
        state: &mut ExtraState,
        value: Option<Value>,
        row: &mut Row,
        context: &RowContext,
    ) {
        let Some(value) = value else {
            return;
        };
        match (self, state) {
            (ExtraAggregate::Values, ExtraState::Distinct(seen)) => {
                seen.insert(value.to_text().to_string());
            }
            (ExtraAggregate::First, ExtraState::Pick(pick)) => {
                if pick.is_none() {
                    *pick = Some((0.0, value));
                }
            }
            (ExtraAggregate::Last, ExtraState::Pick(pick)) => *pick = Some((0.0, value)),
            (
                ExtraAggregate::MostRecent(time) | ExtraAggregate::LeastRecent(time),
                ExtraState::Pick(pick),
            ) => {
                let Some(time) = row.get(time, context).and_then(|time| time.to_number()) else {
                    return;
                };
                self.keep_by_time(pick, (time, value));
            }
            (ExtraAggregate::Percentile(_), ExtraState::Samples(samples)) => {
                samples.extend(value.to_number())
            }
            (
                ExtraAggregate::StandardDeviation,
                ExtraState::Moments {
                    count,
                    mean,
                    squared_deviations,
                },
            ) => {
                if let Some(number) = value.to_number() {
                    *count += 1;
                    let delta = number - *mean;
                    *mean += delta / *count as f64;
                    *squared_deviations += delta * (number - *mean);
                }
            }
            (function, state) => unreachable!("aggregate {function:?} paired with state {state:?}"),
        }
    }

    /// Keeps the later (`most_recent`) or earlier (`least_recent`) of the
    /// current pick and `candidate`; on equal times the current pick stays.
    fn keep_by_time(self, pick: &mut Option<(f64, Value)>, candidate: (f64, Value)) {
        let replace = match pick {
            None => true,
            Some((current, _)) => match self {
                ExtraAggregate::MostRecent(_) => candidate.0 > *current,
                _ => candidate.0 < *current,
            },
        };
        if replace {
            *pick = Some(candidate);
        }
    }

    /// Adds `other`, the state over later rows, to `state`.
    pub(crate) fn merge(self, state: &mut ExtraState, other: ExtraState) {
        match (state, other) {
            (ExtraState::Distinct(seen), ExtraState::Distinct(more)) => seen.extend(more),
            (ExtraState::Pick(pick), ExtraState::Pick(more)) => match self {
                ExtraAggregate::First => {
                    if pick.is_none() {
                        *pick = more;
                    }
                }
                ExtraAggregate::Last => {
                    if more.is_some() {
                        *pick = more;
                    }
                }
                _ => {
                    if let Some(candidate) = more {
                        self.keep_by_time(pick, candidate);
                    }
                }
            },
            (ExtraState::Samples(samples), ExtraState::Samples(more)) => samples.extend(more),
            (
                ExtraState::Moments {
                    count,
                    mean,
                    squared_deviations,
                },
                ExtraState::Moments {
                    count: more_count,
                    mean: more_mean,
                    squared_deviations: more_deviations,
                },
            ) => {
                if more_count > 0 {
                    let total = *count + more_count;
                    let (left, right) = (*count as f64, more_count as f64);
                    let delta = more_mean - *mean;
                    *mean += delta * right / total as f64;
                    *squared_deviations +=
                        more_deviations + delta * delta * left * right / total as f64;
                    *count = total;
                }
            }
            (state, other) => unreachable!("merging aggregate states {state:?} and {other:?}"),
        }
    }

    pub(crate) fn result(self, state: &ExtraState) -> Option<Value> {
        match (self, state) {
            (_, ExtraState::Distinct(seen)) => Some(Value::text(json_array(seen))),
            (_, ExtraState::Pick(pick)) => pick.as_ref().map(|(_, value)| value.clone()),
            (ExtraAggregate::Percentile(percent), ExtraState::Samples(samples)) => {
                percentile(samples, percent).map(Value::Number)
            }
            (_, ExtraState::Samples(_)) => None,
            (
                _,
                ExtraState::Moments {
                    count,
                    squared_deviations,
                    ..
                },
            ) => standard_deviation(*count, *squared_deviations).map(Value::Number),
        }
    }
}

/// Returns the exact percentile by linear interpolation between the two
/// nearest ranks, so `pct(x, 50)` of 1, 2, 3, 4 is 2.5. NOTE: Sumo computes
/// exact percentiles below 1,000 values but does not document the
/// interpolation; this rule is a sumoql choice.
fn percentile(samples: &[f64], percent: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = (percent.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
}

/// Returns the sample standard deviation (dividing by n − 1), 0 for a
/// single value and null for none. NOTE: Sumo does not say whether
/// `stddev` is the sample or the population deviation; sample is a sumoql choice.
fn standard_deviation(count: u64, squared_deviations: f64) -> Option<f64> {
    match count {
        0 => None,
        1 => Some(0.0),
        _ => Some((squared_deviations / (count - 1) as f64).max(0.0).sqrt()),
    }
}

/// Writes the values as a JSON array of strings.
fn json_array(values: &IndexSet<String>) -> String {
    let mut out = String::from("[");
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push('"');
        for character in value.chars() {
            match character {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                control if (control as u32) < 0x20 => {
                    out.push_str(&format!("\\u{:04x}", control as u32))
                }
                other => out.push(other),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// Returns the default output name of `pct(x, p)`: `_x_pct_p`.
pub(crate) fn percentile_name(field: Option<&str>, percent: f64) -> String {
    match field {
        Some(field) => format!("_{field}_pct_{}", format_number(percent)),
        None => format!("_pct_{}", format_number(percent)),
    }
}

impl crate::compile::Compiler<'_> {
    /// Resolves an aggregate call to its function and default output name.
    pub(crate) fn resolve_aggregate(
        &mut self,
        function: &str,
        arguments: &[sumoql_syntax::ast::Spanned<sumoql_syntax::ast::Expr>],
    ) -> Option<(crate::aggregate::AggregateKind, String)> {
        use crate::aggregate::AggregateKind;
        use sumoql_syntax::ast::Expr;

        if let Some((kind, name)) = AggregateKind::resolve(function, arguments.len()) {
            return Some((kind, name.to_string()));
        }
        let (extra, name) = ExtraAggregate::resolve(function, arguments.len(), || {
            self.fields.slot("_messageTime")
        })?;
        if let ExtraAggregate::Percentile(_) = extra {
            let Expr::Number(percent) = arguments[1].node else {
                return None;
            };
            if !(0.0..=100.0).contains(&percent) {
                return None;
            }
            let field = match &arguments[0].node {
                Expr::Field(field) => Some(field.as_str()),
                _ => None,
            };
            return Some((
                AggregateKind::Extra(ExtraAggregate::Percentile(percent)),
                percentile_name(field, percent),
            ));
        }
        Some((AggregateKind::Extra(extra), name.to_string()))
    }
}

/// Splits `pct(x, p1, p2, …)` into one `pct(x, p)` call per percentile, each
/// with its default name `_x_pct_p` (Sumo doc, AGGREGATE/pct-percentile:
/// "pct(<field>, <percentile>[, <percentile>, ...])"). A call with `as`
/// keeps its arguments, so a name given to several percentiles is reported
/// as an unsupported form.
pub(crate) fn split_percentiles(
    calls: &[sumoql_syntax::ast::Spanned<sumoql_syntax::ast::AggregateCall>],
) -> Vec<sumoql_syntax::ast::Spanned<sumoql_syntax::ast::AggregateCall>> {
    use sumoql_syntax::ast::{AggregateCall, Spanned};

    let mut split = Vec::with_capacity(calls.len());
    for call in calls {
        let node = &call.node;
        if node.function != "pct" || node.arguments.len() <= 2 || node.alias.is_some() {
            split.push(call.clone());
            continue;
        }
        for percentile in &node.arguments[1..] {
            let single = AggregateCall {
                function: node.function.clone(),
                arguments: vec![node.arguments[0].clone(), percentile.clone()],
                alias: None,
            };
            split.push(Spanned::new(single, call.span.clone()));
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates() {
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 50.0), Some(2.5));
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 100.0), Some(4.0));
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 95.0), None);
    }

    #[test]
    fn standard_deviation_is_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: population deviation 2, sample sqrt(32/7).
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mean = values.iter().sum::<f64>() / 8.0;
        let squares: f64 = values.iter().map(|value| (value - mean).powi(2)).sum();
        let deviation = standard_deviation(8, squares).unwrap();
        assert!((deviation - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn values_render_as_json_array() {
        let values: IndexSet<String> = ["a", "b\"c"].iter().map(|text| text.to_string()).collect();
        assert_eq!(json_array(&values), r#"["a","b\"c"]"#);
    }
}
