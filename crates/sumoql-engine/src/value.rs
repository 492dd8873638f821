//! Field values and the coercions between text and numbers.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A non-null field value. A missing or null field is `None` wherever an
/// `Option<Value>` appears.
///
/// Sumo stores most data as text and casts to a number where an operation
/// clearly needs one, so most values are `Text`; numbers come from literals,
/// casts, arithmetic and aggregates.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(Arc<str>),
    Number(f64),
    Boolean(bool),
}

impl Value {
    pub fn text(text: impl Into<Arc<str>>) -> Value {
        Value::Text(text.into())
    }

    /// Returns the value as text, formatting numbers the way results show them.
    pub fn to_text(&self) -> Arc<str> {
        match self {
            Value::Text(text) => text.clone(),
            Value::Number(number) => Arc::from(format_number(*number)),
            Value::Boolean(flag) => Arc::from(if *flag { "true" } else { "false" }),
        }
    }

    /// Returns the value as a number: numbers as they are, text when it reads
    /// as a decimal number (surrounding whitespace allowed), otherwise `None`.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            Value::Text(text) => parse_number(text),
            Value::Boolean(_) => None,
        }
    }

    /// Returns the truth of a value used as a condition: booleans as they
    /// are, and the text `true` in any case.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Boolean(flag) => *flag,
            Value::Text(text) => text.eq_ignore_ascii_case("true"),
            Value::Number(_) => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => formatter.write_str(text),
            Value::Number(number) => formatter.write_str(&format_number(*number)),
            Value::Boolean(flag) => write!(formatter, "{flag}"),
        }
    }
}

/// Formats a number as results show it: whole numbers without a fraction,
/// others in the shortest form that reads back to the same double.
pub fn format_number(number: f64) -> String {
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// Reads text as a decimal number, the way `num()` does. Infinity and NaN
/// spellings are not numbers here.
pub fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let first = trimmed.bytes().next()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    let number: f64 = trimmed.parse().ok()?;
    number.is_finite().then_some(number)
}

/// Orders two values for `sort`: numbers numerically; text as text, with
/// letters compared case-insensitively first and lower case before upper
/// case on a tie ("Sorting is case sensitive with lower-case followed by
/// upper-case", https://www.sumologic.com/help/docs/search/search-query-language/search-operators/sort/).
/// A number sorts before text; `None` (null) sorts before everything.
pub fn compare_for_sort(left: Option<&Value>, right: Option<&Value>) -> Ordering {
    match (left, right) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(left), Some(right)) => match (left, right) {
            (Value::Number(a), Value::Number(b)) => a.total_cmp(b),
            (Value::Number(_), _) => Ordering::Less,
            (_, Value::Number(_)) => Ordering::Greater,
            _ => compare_text(&left.to_text(), &right.to_text()),
        },
    }
}

fn compare_text(left: &str, right: &str) -> Ordering {
    let folded = left
        .chars()
        .flat_map(char::to_lowercase)
        .cmp(right.chars().flat_map(char::to_lowercase));
    folded.then_with(|| {
        // On a case-insensitive tie, lower case sorts first.
        let case_rank = |text: &str| text.chars().map(|c| c.is_uppercase()).collect::<Vec<_>>();
        case_rank(left).cmp(&case_rank(right))
    })
}

/// A value as a grouping key for `count by` and other aggregates: equal keys
/// form one group. Null is a key of its own.
#[derive(Clone, Debug)]
pub struct GroupKey(pub Option<Value>);

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(Value::Number(a)), Some(Value::Number(b))) => a.to_bits() == b.to_bits(),
            (Some(Value::Boolean(a)), Some(Value::Boolean(b))) => a == b,
            (Some(Value::Text(a)), Some(Value::Text(b))) => a == b,
            _ => false,
        }
    }
}

impl Eq for GroupKey {}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            None => state.write_u8(0),
            Some(Value::Text(text)) => {
                state.write_u8(1);
                text.hash(state);
            }
            Some(Value::Number(number)) => {
                state.write_u8(2);
                number.to_bits().hash(state);
            }
            Some(Value::Boolean(flag)) => {
                state.write_u8(3);
                flag.hash(state);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_without_fraction() {
        assert_eq!(format_number(80.0), "80");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(1e20), "100000000000000000000");
    }

    #[test]
    fn text_reads_as_number() {
        assert_eq!(parse_number("443"), Some(443.0));
        assert_eq!(parse_number(" 8.5 "), Some(8.5));
        assert_eq!(parse_number("-2"), Some(-2.0));
        assert_eq!(parse_number("0x10"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("80/tcp"), None);
    }

    #[test]
    fn sort_puts_lower_case_first() {
        let lower = Value::text("apple");
        let upper = Value::text("Apple");
        let later = Value::text("banana");
        assert_eq!(compare_for_sort(Some(&lower), Some(&upper)), Ordering::Less);
        assert_eq!(compare_for_sort(Some(&upper), Some(&later)), Ordering::Less);
        assert_eq!(compare_for_sort(None, Some(&lower)), Ordering::Less);
    }

    #[test]
    fn sort_compares_text_digits_as_text() {
        let nine = Value::text("9");
        let ten = Value::text("10");
        assert_eq!(compare_for_sort(Some(&ten), Some(&nine)), Ordering::Less);
        let nine = Value::Number(9.0);
        let ten = Value::Number(10.0);
        assert_eq!(compare_for_sort(Some(&nine), Some(&ten)), Ordering::Less);
    }

    #[test]
    fn group_keys_separate_text_and_number() {
        assert_ne!(
            GroupKey(Some(Value::text("1"))),
            GroupKey(Some(Value::Number(1.0)))
        );
        assert_eq!(GroupKey(None), GroupKey(None));
    }
}
