//! Compiled expressions and their evaluation over one row.
//!
//! Null rules (Sumo documents none for log search; these follow its Cloud
//! SIEM rule language, https://www.sumologic.com/help/docs/cse/rules/cse-rules-syntax/):
//! a comparison, `matches` or `in` with a null operand is false, `!` turns
//! that false into true, and most functions of a null argument return null.

use std::sync::Arc;

use crate::subquery::SubqueryFilter;
use crate::sumo_regex::SumoRegex;

use crate::functions::Function;
use crate::pattern::WildcardPattern;
use crate::row::{Row, RowContext};
use crate::value::Value;

pub(crate) type Slot = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledExpr {
    Field(Slot),
    Constant(Option<Value>),
    Not(Box<CompiledExpr>),
    Negate(Box<CompiledExpr>),
    And(Box<CompiledExpr>, Box<CompiledExpr>),
    Or(Box<CompiledExpr>, Box<CompiledExpr>),
    Compare(Comparison, Box<CompiledExpr>, Box<CompiledExpr>),
    Arithmetic(Arithmetic, Box<CompiledExpr>, Box<CompiledExpr>),
    MatchesWildcard(Box<CompiledExpr>, WildcardPattern),
    /// The regex is anchored at both ends when compiled.
    MatchesRegex(Box<CompiledExpr>, SumoRegex),
    /// `x matches y` where `y` is computed per row and used as a wildcard pattern.
    MatchesComputed(Box<CompiledExpr>, Box<CompiledExpr>),
    In {
        value: Box<CompiledExpr>,
        list: Vec<CompiledExpr>,
        negated: bool,
    },
    Call(Function, Vec<CompiledExpr>),
    /// A regex literal passed to a function, such as `replace(x, /a+/, "b")`.
    RegexArgument(SumoRegex),
    Conditional(Box<CompiledExpr>, Box<CompiledExpr>, Box<CompiledExpr>),
    /// `queryStartTime()` (false) or `queryEndTime()` (true): a bound of the
    /// query time range in milliseconds, null when no range is set.
    QueryTime {
        end: bool,
    },
    /// `[subquery: … | compose …]`: true when the row's composed fields
    /// (`slots`, in compose order) match a row of the subquery.
    Subquery {
        filter: SubqueryFilter,
        slots: Vec<Slot>,
    },
}

impl CompiledExpr {
    pub(crate) fn evaluate(&self, row: &mut Row, context: &RowContext) -> Option<Value> {
        match self {
            CompiledExpr::Field(slot) => row.get(*slot, context),
            CompiledExpr::Constant(value) => value.clone(),
            CompiledExpr::Not(inner) => Some(Value::Boolean(!inner.is_true(row, context))),
            CompiledExpr::Negate(inner) => {
                let number = inner.evaluate(row, context)?.to_number()?;
                Some(Value::Number(-number))
            }
            CompiledExpr::And(left, right) => Some(Value::Boolean(
                left.is_true(row, context) && right.is_true(row, context),
            )),
            CompiledExpr::Or(left, right) => Some(Value::Boolean(
                left.is_true(row, context) || right.is_true(row, context),
            )),
            CompiledExpr::Compare(comparison, left, right) => {
                let left = left.evaluate(row, context);
                let right = right.evaluate(row, context);
                let result = match (left, right) {
                    (Some(left), Some(right)) => compare(*comparison, &left, &right),
                    _ => false,
                };
                Some(Value::Boolean(result))
            }
            CompiledExpr::Arithmetic(operator, left, right) => {
                let left = left.evaluate(row, context)?.to_number()?;
                let right = right.evaluate(row, context)?.to_number()?;
                arithmetic(*operator, left, right).map(Value::Number)
            }
            CompiledExpr::MatchesWildcard(value, pattern) => {
                let matched = value
                    .evaluate(row, context)
                    .is_some_and(|value| pattern.is_match(&value.to_text()));
                Some(Value::Boolean(matched))
            }
            CompiledExpr::MatchesRegex(value, regex) => {
                let matched = value
                    .evaluate(row, context)
                    .is_some_and(|value| regex.is_match(&value.to_text()));
                Some(Value::Boolean(matched))
            }
            CompiledExpr::MatchesComputed(value, pattern) => {
                let value = value.evaluate(row, context);
                let pattern = pattern.evaluate(row, context);
                let matched = match (value, pattern) {
                    (Some(value), Some(pattern)) => {
                        WildcardPattern::new(&pattern.to_text()).is_match(&value.to_text())
                    }
                    _ => false,
                };
                Some(Value::Boolean(matched))
            }
            CompiledExpr::In {
                value,
                list,
                negated,
            } => {
                let Some(value) = value.evaluate(row, context) else {
                    return Some(Value::Boolean(false));
                };
                let mut found = false;
                for candidate in list {
                    if let Some(candidate) = candidate.evaluate(row, context) {
                        if compare(Comparison::Equal, &value, &candidate) {
                            found = true;
                            break;
                        }
                    }
                }
                Some(Value::Boolean(found != *negated))
            }
            CompiledExpr::Call(function, arguments) => function.call(arguments, row, context),
            CompiledExpr::RegexArgument(regex) => Some(Value::text(regex.as_str())),
            CompiledExpr::QueryTime { end } => context
                .time_range
                .map(|range| Value::Number(if *end { range.end } else { range.start } as f64)),
            CompiledExpr::Subquery { filter, slots } => Some(Value::Boolean(
                filter.matches(|index| row.get(slots[index], context)),
            )),
            CompiledExpr::Conditional(condition, then, otherwise) => {
                if condition.is_true(row, context) {
                    then.evaluate(row, context)
                } else {
                    otherwise.evaluate(row, context)
                }
            }
        }
    }

    /// Evaluates the expression as a condition: only a true value is true,
    /// so null is false.
    pub(crate) fn is_true(&self, row: &mut Row, context: &RowContext) -> bool {
        self.evaluate(row, context)
            .is_some_and(|value| value.is_true())
    }

    /// Calls `visit` with every field slot the expression reads.
    pub(crate) fn visit_slots(&self, visit: &mut dyn FnMut(Slot)) {
        match self {
            CompiledExpr::Field(slot) => visit(*slot),
            CompiledExpr::Subquery { slots, .. } => slots.iter().for_each(|slot| visit(*slot)),
            CompiledExpr::Constant(_)
            | CompiledExpr::RegexArgument(_)
            | CompiledExpr::QueryTime { .. } => {}
            CompiledExpr::Not(inner)
            | CompiledExpr::Negate(inner)
            | CompiledExpr::MatchesWildcard(inner, _)
            | CompiledExpr::MatchesRegex(inner, _) => inner.visit_slots(visit),
            CompiledExpr::And(left, right)
            | CompiledExpr::Or(left, right)
            | CompiledExpr::Compare(_, left, right)
            | CompiledExpr::Arithmetic(_, left, right)
            | CompiledExpr::MatchesComputed(left, right) => {
                left.visit_slots(visit);
                right.visit_slots(visit);
            }
            CompiledExpr::In { value, list, .. } => {
                value.visit_slots(visit);
                list.iter().for_each(|item| item.visit_slots(visit));
            }
            CompiledExpr::Call(_, arguments) => arguments
                .iter()
                .for_each(|argument| argument.visit_slots(visit)),
            CompiledExpr::Conditional(condition, then, otherwise) => {
                condition.visit_slots(visit);
                then.visit_slots(visit);
                otherwise.visit_slots(visit);
            }
        }
    }
}

/// Compares two non-null values.
///
/// When either side is a number and the other reads as one, they compare as
/// numbers, so `EventID = 1` holds for the text `"1"`. Sumo shows relational
/// operators working this way without a cast
/// (`where status_code >= 400` in https://www.sumologic.com/help/docs/search/search-query-language/search-operators/timeslice/);
/// it does not say so for `=`, and sumoql chooses the same rule. Two texts
/// compare as text, case-sensitively, except that the ordering operators
/// compare them as numbers when both read as numbers. A number against text
/// that is not a number is never equal, and never less or greater.
pub(crate) fn compare(comparison: Comparison, left: &Value, right: &Value) -> bool {
    use std::cmp::Ordering;

    let either_number = matches!(left, Value::Number(_)) || matches!(right, Value::Number(_));
    let ordering: Option<Ordering> = if either_number {
        match (left.to_number(), right.to_number()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        }
    } else if matches!(comparison, Comparison::Equal | Comparison::NotEqual) {
        Some(left.to_text().cmp(&right.to_text()))
    } else {
        match (left.to_number(), right.to_number()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => Some(left.to_text().cmp(&right.to_text())),
        }
    };

    match (comparison, ordering) {
        (Comparison::Equal, Some(ordering)) => ordering == Ordering::Equal,
        (Comparison::NotEqual, Some(ordering)) => ordering != Ordering::Equal,
        (Comparison::NotEqual, None) => true,
        (Comparison::Less, Some(ordering)) => ordering == Ordering::Less,
        (Comparison::LessOrEqual, Some(ordering)) => ordering != Ordering::Greater,
        (Comparison::Greater, Some(ordering)) => ordering == Ordering::Greater,
        (Comparison::GreaterOrEqual, Some(ordering)) => ordering != Ordering::Less,
        (_, None) => false,
    }
}

fn arithmetic(operator: Arithmetic, left: f64, right: f64) -> Option<f64> {
    let result = match operator {
        Arithmetic::Add => left + right,
        Arithmetic::Subtract => left - right,
        Arithmetic::Multiply => left * right,
        Arithmetic::Divide => left / right,
        Arithmetic::Remainder => left % right,
    };
    // Division by zero gives null rather than an infinity in the results.
    result.is_finite().then_some(result)
}

/// Builds a constant text expression.
pub(crate) fn text_constant(text: &str) -> CompiledExpr {
    CompiledExpr::Constant(Some(Value::Text(Arc::from(text))))
}
