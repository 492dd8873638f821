//! Scalar functions callable in expressions, such as `num(x)` and `concat(a, b)`.
//!
//! Semantics follow the Sumo Logic operator pages under
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/
//! (one page per function, named after it).

use std::ops::RangeInclusive;

use crate::expr::CompiledExpr;
use crate::row::{Row, RowContext};
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    /// `num`, `number`, `toDouble`: text to a double, null when not a number.
    Number,
    /// `toLong`, `toInt`: like `num`, truncated towards zero.
    Integer,
    /// Joins its arguments; null counts as empty ("A null field is treated as
    /// an empty string", concat page).
    Concat,
    ToLowerCase,
    ToUpperCase,
    /// True only for null.
    IsNull,
    /// True for null and "".
    IsEmpty,
    /// True for null, "" and whitespace-only text.
    IsBlank,
    /// Case-sensitive substring test; true when both are empty (contains page).
    Contains,
    /// Number of characters; 0 for null (length page).
    Length,
    Trim,
    /// `substring(text, start[, end])`: 0-based, end exclusive.
    Substring,
    IsNumeric,
    ToString,
    /// `replace(text, "literal" or /regex/, replacement)`: null in, null out.
    Replace,
    Abs,
    Round,
    Ceil,
    Floor,
}

impl Function {
    /// Looks a function up by its case-insensitive name.
    pub(crate) fn by_name(name: &str) -> Option<Function> {
        let function = match name.to_ascii_lowercase().as_str() {
            "num" | "number" | "todouble" => Function::Number,
            "tolong" | "toint" => Function::Integer,
            "concat" => Function::Concat,
            "tolowercase" => Function::ToLowerCase,
            "touppercase" => Function::ToUpperCase,
            "isnull" => Function::IsNull,
            "isempty" => Function::IsEmpty,
            "isblank" => Function::IsBlank,
            "contains" => Function::Contains,
            "length" => Function::Length,
            "trim" => Function::Trim,
            "substring" => Function::Substring,
            "isnumeric" => Function::IsNumeric,
            "tostring" => Function::ToString,
            "replace" => Function::Replace,
            "abs" => Function::Abs,
            "round" => Function::Round,
            "ceil" => Function::Ceil,
            "floor" => Function::Floor,
            _ => return None,
        };
        Some(function)
    }

    /// Lists the function names the engine accepts, for help and completion.
    pub(crate) fn names() -> &'static [&'static str] {
        &[
            "abs", "ceil", "concat", "contains", "floor", "if", "isBlank", "isEmpty", "isNull",
            "isNumeric", "length", "num", "number", "replace", "round", "substring", "toDouble",
            "toInt", "toLong", "toLowerCase", "toString", "toUpperCase", "trim",
        ]
    }

    pub(crate) fn arity(self) -> RangeInclusive<usize> {
        match self {
            Function::Concat => 1..=16,
            Function::Contains => 2..=2,
            Function::Substring => 2..=3,
            Function::Replace => 3..=3,
            _ => 1..=1,
        }
    }

    pub(crate) fn call(
        self,
        arguments: &[CompiledExpr],
        row: &mut Row,
        context: &RowContext,
    ) -> Option<Value> {
        let mut argument = |index: usize| -> Option<Value> { arguments[index].evaluate(row, context) };

        match self {
            Function::Number => argument(0)?.to_number().map(Value::Number),
            Function::Integer => argument(0)?.to_number().map(|n| Value::Number(n.trunc())),
            Function::Concat => {
                let mut joined = String::new();
                for index in 0..arguments.len() {
                    if let Some(value) = argument(index) {
                        joined.push_str(&value.to_text());
                    }
                }
                Some(Value::text(joined))
            }
            Function::ToLowerCase => Some(Value::text(argument(0)?.to_text().to_lowercase())),
            Function::ToUpperCase => Some(Value::text(argument(0)?.to_text().to_uppercase())),
            Function::IsNull => Some(Value::Boolean(argument(0).is_none())),
            Function::IsEmpty => {
                let empty = argument(0).is_none_or(|value| value.to_text().is_empty());
                Some(Value::Boolean(empty))
            }
            Function::IsBlank => {
                let blank = argument(0).is_none_or(|value| value.to_text().trim().is_empty());
                Some(Value::Boolean(blank))
            }
            Function::Contains => {
                let haystack = argument(0).map(|value| value.to_text()).unwrap_or_default();
                let needle = argument(1).map(|value| value.to_text()).unwrap_or_default();
                let found = if haystack.is_empty() || needle.is_empty() {
                    haystack.is_empty() && needle.is_empty()
                } else {
                    haystack.contains(&*needle)
                };
                Some(Value::Boolean(found))
            }
            Function::Length => {
                let length = argument(0).map_or(0, |value| value.to_text().chars().count());
                Some(Value::Number(length as f64))
            }
            Function::Trim => Some(Value::text(argument(0)?.to_text().trim())),
            Function::Substring => {
                let text = argument(0)?.to_text();
                let start = argument(1)?.to_number()?;
                let end = match arguments.len() {
                    3 => Some(argument(2)?.to_number()?),
                    _ => None,
                };
                substring(&text, start, end).map(Value::text)
            }
            Function::IsNumeric => {
                let numeric = argument(0).is_some_and(|value| value.to_number().is_some());
                Some(Value::Boolean(numeric))
            }
            Function::ToString => Some(Value::Text(argument(0)?.to_text())),
            Function::Replace => {
                let text = argument(0)?.to_text();
                let replacement = argument(2)?.to_text();
                match &arguments[1] {
                    CompiledExpr::RegexArgument(regex) => {
                        Some(Value::text(regex.replace_all(&text, &*replacement).into_owned()))
                    }
                    _ => {
                        let target = argument(1)?.to_text();
                        if target.is_empty() {
                            return Some(Value::Text(text));
                        }
                        Some(Value::text(text.replace(&*target, &replacement)))
                    }
                }
            }
            Function::Abs => argument(0)?.to_number().map(|n| Value::Number(n.abs())),
            Function::Round => argument(0)?.to_number().map(|n| Value::Number(n.round())),
            Function::Ceil => argument(0)?.to_number().map(|n| Value::Number(n.ceil())),
            Function::Floor => argument(0)?.to_number().map(|n| Value::Number(n.floor())),
        }
    }
}

/// Takes characters `start..end` of `text`. Sumo says a negative start or an
/// end before the start "will not work"; sumoql returns null for those and
/// for a start past the end, and clamps an end past the end.
fn substring(text: &str, start: f64, end: Option<f64>) -> Option<String> {
    let length = text.chars().count();
    if start < 0.0 || start.fract() != 0.0 || start as usize >= length {
        return None;
    }
    let start = start as usize;
    let end = match end {
        Some(end) if end < start as f64 || end.fract() != 0.0 => return None,
        Some(end) => (end as usize).min(length),
        None => length,
    };
    Some(text.chars().skip(start).take(end - start).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_takes_zero_based_range() {
        assert_eq!(substring("Sumo Logic", 0.0, Some(4.0)).as_deref(), Some("Sumo"));
        assert_eq!(substring("Sumo Logic", 5.0, None).as_deref(), Some("Logic"));
        assert_eq!(substring("Sumo Logic", 5.0, Some(99.0)).as_deref(), Some("Logic"));
    }

    #[test]
    fn substring_rejects_bad_bounds() {
        assert_eq!(substring("abc", -1.0, None), None);
        assert_eq!(substring("abc", 3.0, None), None);
        assert_eq!(substring("abc", 2.0, Some(1.0)), None);
    }

    #[test]
    fn function_names_resolve_in_any_case() {
        for name in Function::names() {
            if *name != "if" {
                assert!(Function::by_name(name).is_some(), "{name}");
            }
        }
        assert_eq!(Function::by_name("TOLOWERCASE"), Some(Function::ToLowerCase));
        assert_eq!(Function::by_name("nosuch"), None);
    }
}
