//! Scalar functions callable in expressions, such as `num(x)` and `concat(a, b)`.
//!
//! Semantics follow the Sumo Logic operator pages under
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/
//! (one page per function, named after it).

mod datetime;
mod network;
mod text;

use std::ops::RangeInclusive;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::tz::TimeZone;

use crate::expr::CompiledExpr;
use crate::row::{Row, RowContext};
use crate::value::Value;
use text::{Charset, FormatArgument};

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
    /// A regex replacement follows Java: `$1`, `${name}`, `\$` for a dollar.
    Replace,
    Abs,
    Round,
    Ceil,
    Floor,
    /// `formatDate(ms[, pattern[, zone]])`: epoch milliseconds as text, in
    /// UTC unless a zone is given (Sumo uses the user's zone; sumoql has none).
    FormatDate,
    /// `parseDate(text, pattern[, zone])`: the epoch milliseconds of a date.
    ParseDate,
    /// `now()`: the current epoch milliseconds, read at each call as in Sumo.
    Now,
    /// `queryStartTime()` and `queryEndTime()`: the search's time range.
    QueryStartTime,
    QueryEndTime,
    UrlDecode,
    UrlEncode,
    /// `base64Decode(text[, charset])`; invalid base64 is returned unaltered.
    Base64Decode,
    Base64Encode,
    IsValidIp,
    IsValidIpv4,
    IsValidIpv6,
    /// `isPrivateIP`, `isPublicIP`, `isReservedIP`: IPv4 only; null for text
    /// that is not an IPv4 address, where Sumo drops the row.
    IsPrivateIp,
    IsPublicIp,
    IsReservedIp,
    /// `compareCIDRPrefix(ip1, ip2, length)`
    CompareCidrPrefix,
    /// `getCIDRPrefix(ip, length)`: the network address.
    GetCidrPrefix,
    /// `maskFromCIDR(length)`: the dotted network mask.
    MaskFromCidr,
    Ipv4ToNumber,
    /// `format(pattern, a, …)`: Java's `String.format`.
    Format,
    /// `hexToDec` and `parseHex`: up to 16 hex digits as a signed 64-bit number.
    HexToDec,
    /// `tourl(url, label[, prefix, suffix])`: a link, written offline as the
    /// Markdown text `[prefix label suffix](url)`.
    ToUrl,
    Pow,
    Sqrt,
    Cbrt,
    /// Natural logarithm.
    Log,
    Log10,
    Log1p,
    Exp,
    Expm1,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Hypot,
    ToDegrees,
    ToRadians,
    Signum,
    /// `min(a, b)` and `max(a, b)` in an expression; as a whole stage they
    /// are aggregates.
    Min,
    Max,
    /// `fromMillis`, `fromSeconds` and `toMillis` are not documented; Sumo's
    /// own app content uses them to turn epoch numbers into the time values
    /// `formatDate` takes and back (`formatDate(fromSeconds(t), "MM-dd-yyyy")`,
    /// `toMillis(parseDate(…))`). sumoql's time values are epoch
    /// milliseconds, so these are `x`, `x * 1000` and `x`.
    FromMillis,
    FromSeconds,
    ToMillis,
    /// `jsonArrayContains(array, item)`: the JSON array text holds the item.
    JsonArrayContains,
    /// `jsonArraySize(array)`: the number of elements; -1 for null (Sumo
    /// doc) and, in sumoql, for text that is not a JSON array.
    JsonArraySize,
    /// `haversine(lat1, lon1, lat2, lon2)`: the great-circle distance in
    /// kilometres.
    Haversine,
}

impl Function {
    /// Looks a function up by its case-insensitive name.
    pub(crate) fn by_name(name: &str) -> Option<Function> {
        let function = match name.to_ascii_lowercase().as_str() {
            "num" | "number" | "todouble" => Function::Number,
            // `int` and `long` are not documented, but Sumo's own app
            // content uses them (`int(score) >= 80`) as `toInt` and `toLong`.
            "tolong" | "toint" | "int" | "long" => Function::Integer,
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
            "formatdate" => Function::FormatDate,
            "parsedate" => Function::ParseDate,
            "now" => Function::Now,
            "querystarttime" => Function::QueryStartTime,
            "queryendtime" => Function::QueryEndTime,
            "urldecode" => Function::UrlDecode,
            "urlencode" => Function::UrlEncode,
            "base64decode" => Function::Base64Decode,
            "base64encode" => Function::Base64Encode,
            "isvalidip" => Function::IsValidIp,
            "isvalidipv4" => Function::IsValidIpv4,
            "isvalidipv6" => Function::IsValidIpv6,
            "isprivateip" => Function::IsPrivateIp,
            "ispublicip" => Function::IsPublicIp,
            "isreservedip" => Function::IsReservedIp,
            "comparecidrprefix" => Function::CompareCidrPrefix,
            "getcidrprefix" => Function::GetCidrPrefix,
            "maskfromcidr" => Function::MaskFromCidr,
            "ipv4tonumber" => Function::Ipv4ToNumber,
            "format" => Function::Format,
            "hextodec" | "parsehex" => Function::HexToDec,
            "tourl" => Function::ToUrl,
            "pow" => Function::Pow,
            "sqrt" => Function::Sqrt,
            "cbrt" => Function::Cbrt,
            "log" => Function::Log,
            "log10" => Function::Log10,
            "log1p" => Function::Log1p,
            "exp" => Function::Exp,
            "expm1" => Function::Expm1,
            "sin" => Function::Sin,
            "cos" => Function::Cos,
            "tan" => Function::Tan,
            "asin" => Function::Asin,
            "acos" => Function::Acos,
            "atan" => Function::Atan,
            "atan2" => Function::Atan2,
            "sinh" => Function::Sinh,
            "cosh" => Function::Cosh,
            "tanh" => Function::Tanh,
            "hypot" => Function::Hypot,
            "todegrees" => Function::ToDegrees,
            "toradians" => Function::ToRadians,
            "signum" => Function::Signum,
            "min" => Function::Min,
            "max" => Function::Max,
            "frommillis" => Function::FromMillis,
            "fromseconds" => Function::FromSeconds,
            "tomillis" => Function::ToMillis,
            "jsonarraycontains" => Function::JsonArrayContains,
            "jsonarraysize" => Function::JsonArraySize,
            "haversine" => Function::Haversine,
            _ => return None,
        };
        Some(function)
    }

    /// Lists the function names the engine accepts, for help and completion.
    pub(crate) fn names() -> &'static [&'static str] {
        &[
            "abs",
            "acos",
            "asin",
            "atan",
            "atan2",
            "base64Decode",
            "base64Encode",
            "cbrt",
            "ceil",
            "compareCIDRPrefix",
            "concat",
            "contains",
            "cos",
            "cosh",
            "exp",
            "expm1",
            "floor",
            "format",
            "formatDate",
            "fromMillis",
            "fromSeconds",
            "getCIDRPrefix",
            "haversine",
            "hexToDec",
            "hypot",
            "if",
            "int",
            "ipv4ToNumber",
            "isBlank",
            "isEmpty",
            "isNull",
            "isNumeric",
            "isPrivateIP",
            "isPublicIP",
            "isReservedIP",
            "isValidIP",
            "isValidIPv4",
            "isValidIPv6",
            "jsonArrayContains",
            "jsonArraySize",
            "length",
            "log",
            "log10",
            "log1p",
            "long",
            "maskFromCIDR",
            "max",
            "min",
            "now",
            "num",
            "number",
            "parseDate",
            "parseHex",
            "pow",
            "queryEndTime",
            "queryStartTime",
            "replace",
            "round",
            "signum",
            "sin",
            "sinh",
            "sqrt",
            "substring",
            "tan",
            "tanh",
            "toDegrees",
            "toDouble",
            "toInt",
            "toLong",
            "toLowerCase",
            "toMillis",
            "toRadians",
            "toString",
            "toUpperCase",
            "tourl",
            "trim",
            "urldecode",
            "urlencode",
        ]
    }

    pub(crate) fn arity(self) -> RangeInclusive<usize> {
        match self {
            Function::Concat => 1..=16,
            Function::Contains => 2..=2,
            Function::Substring => 2..=3,
            Function::Replace => 3..=3,
            Function::FormatDate => 1..=3,
            Function::ParseDate => 2..=3,
            Function::Now | Function::QueryStartTime | Function::QueryEndTime => 0..=0,
            Function::Base64Decode | Function::Base64Encode => 1..=2,
            Function::CompareCidrPrefix => 3..=3,
            Function::GetCidrPrefix => 2..=2,
            // The pattern and up to 16 values (Sumo doc, format).
            Function::Format => 1..=17,
            Function::ToUrl => 2..=4,
            Function::Pow | Function::Atan2 | Function::Hypot | Function::Min | Function::Max => {
                2..=2
            }
            Function::JsonArrayContains => 2..=2,
            Function::Haversine => 4..=4,
            // `round(x, places)` appears in Sumo's own app content.
            Function::Round => 1..=2,
            _ => 1..=1,
        }
    }

    pub(crate) fn call(
        self,
        arguments: &[CompiledExpr],
        row: &mut Row,
        context: &RowContext,
    ) -> Option<Value> {
        let mut argument =
            |index: usize| -> Option<Value> { arguments[index].evaluate(row, context) };

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
                        let replacement =
                            text::java_replacement(&replacement, regex.captures_len());
                        Some(Value::text(
                            regex.replace_all(&text, replacement.as_str()).into_owned(),
                        ))
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
            Function::Round => {
                let number = argument(0)?.to_number()?;
                match arguments.len() {
                    2 => {
                        let scale = 10f64.powi(argument(1)?.to_number()?.trunc() as i32);
                        finite((number * scale).round() / scale)
                    }
                    _ => Some(Value::Number(number.round())),
                }
            }
            Function::Ceil => argument(0)?.to_number().map(|n| Value::Number(n.ceil())),
            Function::Floor => argument(0)?.to_number().map(|n| Value::Number(n.floor())),
            Function::FormatDate => {
                let milliseconds = argument(0)?.to_number()?;
                let pattern = match arguments.len() {
                    1 => datetime::DEFAULT_PATTERN.into(),
                    _ => argument(1)?.to_text(),
                };
                let zone = match arguments.len() {
                    3 => datetime::time_zone(&argument(2)?.to_text())?,
                    _ => TimeZone::UTC,
                };
                datetime::format_date(milliseconds.trunc() as i64, &pattern, &zone).map(Value::text)
            }
            Function::ParseDate => {
                let text = argument(0)?.to_text();
                let pattern = argument(1)?.to_text();
                let zone = match arguments.len() {
                    3 => datetime::time_zone(&argument(2)?.to_text())?,
                    _ => TimeZone::UTC,
                };
                datetime::parse_date(&text, &pattern, &zone).map(|ms| Value::Number(ms as f64))
            }
            Function::Now => {
                let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
                Some(Value::Number(elapsed.as_millis() as f64))
            }
            // The compiler turns these calls into reads of the query time range
            // before functions are looked up, so this arm only serves direct callers.
            Function::QueryStartTime | Function::QueryEndTime => None,
            Function::UrlDecode => Some(Value::text(text::url_decode(&argument(0)?.to_text()))),
            Function::UrlEncode => Some(Value::text(text::url_encode(&argument(0)?.to_text()))),
            Function::Base64Decode | Function::Base64Encode => {
                let input = argument(0)?.to_text();
                let charset = match arguments.len() {
                    2 => Charset::by_name(&argument(1)?.to_text())?,
                    _ => Charset::Utf8,
                };
                let output = match self {
                    Function::Base64Decode => text::base64_decode(&input, charset),
                    _ => text::base64_encode(&input, charset),
                };
                Some(Value::text(output))
            }
            Function::IsValidIp => {
                let text = argument(0)?.to_text();
                Some(Value::Boolean(
                    network::ipv4(&text).is_some() || network::is_ipv6(&text),
                ))
            }
            Function::IsValidIpv4 => Some(Value::Boolean(
                network::ipv4(&argument(0)?.to_text()).is_some(),
            )),
            Function::IsValidIpv6 => {
                Some(Value::Boolean(network::is_ipv6(&argument(0)?.to_text())))
            }
            Function::IsPrivateIp | Function::IsPublicIp | Function::IsReservedIp => {
                let address = network::ipv4(&argument(0)?.to_text())?;
                let answer = match self {
                    Function::IsPrivateIp => network::is_private(address),
                    Function::IsPublicIp => network::is_public(address),
                    _ => network::is_reserved(address),
                };
                Some(Value::Boolean(answer))
            }
            Function::CompareCidrPrefix => {
                let first = network::ipv4(&argument(0)?.to_text())?;
                let second = network::ipv4(&argument(1)?.to_text())?;
                let length = network::prefix_length(argument(2)?.to_number()?)?;
                Some(Value::Boolean(
                    network::network(first, length) == network::network(second, length),
                ))
            }
            Function::GetCidrPrefix => {
                let address = network::ipv4(&argument(0)?.to_text())?;
                let length = network::prefix_length(argument(1)?.to_number()?)?;
                Some(Value::text(network::network(address, length).to_string()))
            }
            Function::MaskFromCidr => {
                let length = network::prefix_length(argument(0)?.to_number()?)?;
                Some(Value::text(
                    std::net::Ipv4Addr::from(network::mask(length)).to_string(),
                ))
            }
            Function::Ipv4ToNumber => {
                let address = network::ipv4(&argument(0)?.to_text())?;
                Some(Value::Number(f64::from(u32::from(address))))
            }
            Function::Format => {
                let pattern = argument(0)?.to_text();
                let values: Vec<Option<FormatArgument>> = (1..arguments.len())
                    .map(|index| {
                        argument(index).map(|value| match value {
                            Value::Text(text) => FormatArgument::Text(text.to_string()),
                            Value::Number(number) => FormatArgument::Number(number),
                            Value::Boolean(flag) => FormatArgument::Boolean(flag),
                        })
                    })
                    .collect();
                text::java_format(&pattern, &values).map(Value::text)
            }
            Function::HexToDec => {
                text::hex_to_number(&argument(0)?.to_text()).map(|n| Value::Number(n as f64))
            }
            Function::ToUrl => {
                let url = argument(0)?.to_text();
                let label = argument(1).map(|value| value.to_text()).unwrap_or_default();
                let (prefix, suffix) = match arguments.len() {
                    4 => (
                        argument(2).map(|value| value.to_text()).unwrap_or_default(),
                        argument(3).map(|value| value.to_text()).unwrap_or_default(),
                    ),
                    _ => (Default::default(), Default::default()),
                };
                Some(Value::text(format!("[{prefix}{label}{suffix}]({url})")))
            }
            Function::FromMillis | Function::ToMillis => {
                argument(0)?.to_number().map(|n| Value::Number(n.trunc()))
            }
            Function::FromSeconds => argument(0)?
                .to_number()
                .and_then(|n| finite((n * 1000.0).trunc())),
            Function::Haversine => {
                let mut coordinates = [0.0; 4];
                for (index, coordinate) in coordinates.iter_mut().enumerate() {
                    *coordinate = argument(index)?.to_number()?.to_radians();
                }
                let [latitude1, longitude1, latitude2, longitude2] = coordinates;
                let half_chord = ((latitude2 - latitude1) / 2.0).sin().powi(2)
                    + latitude1.cos()
                        * latitude2.cos()
                        * ((longitude2 - longitude1) / 2.0).sin().powi(2);
                finite(2.0 * EARTH_RADIUS_KM * half_chord.sqrt().asin())
            }
            Function::JsonArrayContains => {
                let array = json_array(&argument(0)?.to_text());
                let item = argument(1)?.to_text();
                let found = array.is_some_and(|elements| {
                    elements.iter().any(|element| match element {
                        serde_json::Value::String(text) => *text == *item,
                        other => *item == *other.to_string(),
                    })
                });
                Some(Value::Boolean(found))
            }
            Function::JsonArraySize => {
                let size = argument(0)
                    .and_then(|array| json_array(&array.to_text()))
                    .map_or(-1.0, |elements| elements.len() as f64);
                Some(Value::Number(size))
            }
            Function::Pow | Function::Atan2 | Function::Hypot | Function::Min | Function::Max => {
                let left = argument(0)?.to_number()?;
                let right = argument(1)?.to_number()?;
                let result = match self {
                    Function::Pow => left.powf(right),
                    Function::Atan2 => left.atan2(right),
                    Function::Hypot => left.hypot(right),
                    Function::Min => left.min(right),
                    _ => left.max(right),
                };
                finite(result)
            }
            Function::Sqrt
            | Function::Cbrt
            | Function::Log
            | Function::Log10
            | Function::Log1p
            | Function::Exp
            | Function::Expm1
            | Function::Sin
            | Function::Cos
            | Function::Tan
            | Function::Asin
            | Function::Acos
            | Function::Atan
            | Function::Sinh
            | Function::Cosh
            | Function::Tanh
            | Function::ToDegrees
            | Function::ToRadians
            | Function::Signum => {
                let number = argument(0)?.to_number()?;
                let result = match self {
                    Function::Sqrt => number.sqrt(),
                    Function::Cbrt => number.cbrt(),
                    Function::Log => number.ln(),
                    Function::Log10 => number.log10(),
                    Function::Log1p => number.ln_1p(),
                    Function::Exp => number.exp(),
                    Function::Expm1 => number.exp_m1(),
                    Function::Sin => number.sin(),
                    Function::Cos => number.cos(),
                    Function::Tan => number.tan(),
                    Function::Asin => number.asin(),
                    Function::Acos => number.acos(),
                    Function::Atan => number.atan(),
                    Function::Sinh => number.sinh(),
                    Function::Cosh => number.cosh(),
                    Function::Tanh => number.tanh(),
                    Function::ToDegrees => number.to_degrees(),
                    Function::ToRadians => number.to_radians(),
                    _ if number == 0.0 => 0.0,
                    _ => number.signum(),
                };
                finite(result)
            }
        }
    }

    /// Reports whether the function's result is a boolean test of its
    /// argument rather than a new form of it, which decides where a bare
    /// `| f(x)` stage puts its result.
    pub(crate) fn is_predicate(self) -> bool {
        matches!(
            self,
            Function::IsNull
                | Function::IsEmpty
                | Function::IsBlank
                | Function::Contains
                | Function::IsNumeric
                | Function::IsValidIp
                | Function::IsValidIpv4
                | Function::IsValidIpv6
                | Function::IsPrivateIp
                | Function::IsPublicIp
                | Function::IsReservedIp
                | Function::CompareCidrPrefix
                | Function::JsonArrayContains
        )
    }
}

/// The Earth radius that reproduces Sumo's example, 3,512.71 km from
/// (39.0438, -77.4879) to (45.73723, -119.81143); the mean radius, 6371 km,
/// gives 3,511.71.
const EARTH_RADIUS_KM: f64 = 6372.8;

fn json_array(text: &str) -> Option<Vec<serde_json::Value>> {
    match serde_json::from_str(text).ok()? {
        serde_json::Value::Array(elements) => Some(elements),
        _ => None,
    }
}

/// Like arithmetic, a math function whose result is not a finite number
/// (`sqrt(-1)`, `log(0)`) gives null.
fn finite(number: f64) -> Option<Value> {
    number.is_finite().then_some(Value::Number(number))
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
        assert_eq!(
            substring("Sumo Logic", 0.0, Some(4.0)).as_deref(),
            Some("Sumo")
        );
        assert_eq!(substring("Sumo Logic", 5.0, None).as_deref(), Some("Logic"));
        assert_eq!(
            substring("Sumo Logic", 5.0, Some(99.0)).as_deref(),
            Some("Logic")
        );
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
        assert_eq!(
            Function::by_name("TOLOWERCASE"),
            Some(Function::ToLowerCase)
        );
        assert_eq!(Function::by_name("nosuch"), None);
    }
}
