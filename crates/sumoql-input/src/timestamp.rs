//! Finds the time of a plain text or generic JSON message, for `_messageTime`.
//!
//! A text message's time is a timestamp at its start, after an optional syslog priority
//! (`<134>`) and RFC 5424 version (`1 `). These layouts are recognised:
//!
//! | layout | example |
//! |---|---|
//! | ISO 8601 / RFC 3339, `T` or space, `.` or `,` before the fraction, optional zone | `2026-03-01T12:34:56.789Z`, `2026-03-01 12:34:56,789 +0100` |
//! | the same with `/` in the date | `2026/03/01 12:34:56` |
//! | syslog (RFC 3164), no year | `Mar  1 12:34:56` |
//! | Common Log Format | `01/Mar/2026:12:34:56 +0000` |
//! | Unix epoch seconds (10 digits) or milliseconds (13 digits) | `1772368496`, `1772368496789` |
//!
//! Any of these may also stand in square brackets, at the start or, as in web server
//! access logs (`10.0.0.1 - - [01/Mar/2026:12:34:56 +0000] "GET …"`), within the first
//! [`BRACKET_SEARCH_BYTES`] bytes. A time without a zone is in the source's time zone
//! (UTC unless the sources file sets one). A syslog time has no year: it gets the year of
//! the reference time (the file's modification time), or the year before when that would
//! put it more than a day after the reference time.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use serde_json::{Map, Value};

/// How far into a message a bracketed timestamp is looked for.
pub(crate) const BRACKET_SEARCH_BYTES: usize = 100;

/// Keys of a generic JSON object that hold its time, tried in this order.
pub(crate) const JSON_TIME_KEYS: [&str; 11] = [
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "datetime",
    "date",
    "eventTime",
    "EventTime",
    "TimeCreated",
    "_time",
    // Office 365 audit records from the Management Activity API.
    "CreationTime",
];

const MILLISECONDS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// The zone and reference time that a timestamp without a zone or year is read against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeContext {
    /// The zone of times that have none.
    pub(crate) zone: FixedOffset,
    /// Epoch milliseconds near which a syslog time without a year lies.
    pub(crate) reference_ms: i64,
}

/// Returns the time of a text message as epoch milliseconds, or `None` when it has no
/// recognised timestamp.
pub(crate) fn message_time_ms(text: &str, context: &TimeContext) -> Option<i64> {
    let start = skip_syslog_header(text);
    let rest = &text[start..];
    if let Some(time) = timestamp_at_start(rest, context) {
        return Some(time);
    }
    bracketed_time(text, context)
}

/// Returns the time of a generic JSON object from the first of [`JSON_TIME_KEYS`] it
/// has: a text timestamp in one of the layouts above, or a number of seconds,
/// milliseconds, microseconds or nanoseconds since the epoch (distinguished by size).
pub(crate) fn json_time_ms(object: &Map<String, Value>, context: &TimeContext) -> Option<i64> {
    let value = JSON_TIME_KEYS.iter().find_map(|key| object.get(*key))?;
    match value {
        Value::String(text) => timestamp_at_start(text.trim(), context),
        Value::Number(number) => epoch_number_ms(number.as_f64()?),
        _ => None,
    }
}

fn epoch_number_ms(number: f64) -> Option<i64> {
    let magnitude = number.abs();
    let milliseconds = if magnitude < 1e11 {
        number * 1000.0
    } else if magnitude < 1e14 {
        number
    } else if magnitude < 1e17 {
        number / 1000.0
    } else {
        number / 1_000_000.0
    };
    milliseconds.is_finite().then_some(milliseconds as i64)
}

/// Returns the length of a syslog priority (`<134>`) and RFC 5424 version (`1 `) at the
/// start of `text`, or 0.
fn skip_syslog_header(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'<') {
        return 0;
    }
    let Some(close) = bytes.iter().take(5).position(|&byte| byte == b'>') else {
        return 0;
    };
    if close < 2 || !bytes[1..close].iter().all(u8::is_ascii_digit) {
        return 0;
    }
    let mut end = close + 1;
    if bytes.get(end).is_some_and(u8::is_ascii_digit) && bytes.get(end + 1) == Some(&b' ') {
        end += 2;
    }
    end
}

fn bracketed_time(text: &str, context: &TimeContext) -> Option<i64> {
    let window = &text.as_bytes()[..text.len().min(BRACKET_SEARCH_BYTES)];
    for (index, byte) in window.iter().enumerate() {
        if *byte != b'[' {
            continue;
        }
        if let Some(time) = timestamp_at_start(&text[index + 1..], context) {
            return Some(time);
        }
    }
    None
}

/// Parses a timestamp at the very start of `text`, in any of the layouts this module
/// recognises, with an optional `[` before it.
fn timestamp_at_start(text: &str, context: &TimeContext) -> Option<i64> {
    let text = text.strip_prefix('[').unwrap_or(text);
    iso_time(text, context)
        .or_else(|| syslog_time(text, context))
        .or_else(|| common_log_time(text, context))
        .or_else(|| epoch_time(text))
}

/// A cursor over the bytes of a timestamp.
struct Cursor<'t> {
    bytes: &'t [u8],
    position: usize,
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str) -> Cursor<'t> {
        Cursor {
            bytes: text.as_bytes(),
            position: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.position += 1)
    }

    fn eat_any(&mut self, choices: &[u8]) -> Option<u8> {
        let byte = self.peek()?;
        choices.contains(&byte).then(|| {
            self.position += 1;
            byte
        })
    }

    /// Reads exactly `count` digits.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let end = self.position + count;
        let slice = self.bytes.get(self.position..end)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.position = end;
        Some(
            slice
                .iter()
                .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')),
        )
    }

    /// Reads a fraction of a second after `.` or `,` as nanoseconds, if there is one.
    fn fraction_nanos(&mut self) -> u32 {
        let save = self.position;
        if self.eat_any(b".,").is_none() {
            return 0;
        }
        let start = self.position;
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.position += 1;
        }
        let digits = &self.bytes[start..self.position];
        if digits.is_empty() {
            self.position = save;
            return 0;
        }
        let mut nanos: u32 = 0;
        for index in 0..9 {
            let digit = digits.get(index).map_or(0, |digit| u32::from(digit - b'0'));
            nanos = nanos * 10 + digit;
        }
        nanos
    }

    /// Reads `Z`, `±HH:MM`, `±HHMM` or `±HH` after optional spaces, if there is one.
    fn zone(&mut self) -> Option<FixedOffset> {
        let save = self.position;
        while self.peek() == Some(b' ') {
            self.position += 1;
        }
        if self.eat(b'Z').is_some() {
            return FixedOffset::east_opt(0);
        }
        let sign = match self.eat_any(b"+-") {
            Some(b'+') => 1,
            Some(_) => -1,
            None => {
                self.position = save;
                return None;
            }
        };
        let Some(hours) = self.digits(2) else {
            self.position = save;
            return None;
        };
        let _ = self.eat(b':');
        let minutes = self.digits(2).unwrap_or(0);
        FixedOffset::east_opt(sign * (hours as i32 * 3600 + minutes as i32 * 60))
    }

    /// Returns whether the timestamp ends here: at the end of text or before a non-alphanumeric
    /// character, so that `2026-03-01T10:00:00abc` is not read as a time.
    fn at_boundary(&self) -> bool {
        self.peek().is_none_or(|byte| !byte.is_ascii_alphanumeric())
    }
}

fn clock(cursor: &mut Cursor) -> Option<NaiveTime> {
    let hour = cursor.digits(2)?;
    cursor.eat(b':')?;
    let minute = cursor.digits(2)?;
    cursor.eat(b':')?;
    let second = cursor.digits(2)?;
    let nanos = cursor.fraction_nanos();
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

fn to_epoch_ms(local: NaiveDateTime, zone: FixedOffset) -> Option<i64> {
    let time: DateTime<FixedOffset> = zone.from_local_datetime(&local).single()?;
    Some(time.timestamp_millis())
}

fn iso_time(text: &str, context: &TimeContext) -> Option<i64> {
    let mut cursor = Cursor::new(text);
    let year = cursor.digits(4)?;
    let separator = cursor.eat_any(b"-/")?;
    let month = cursor.digits(2)?;
    cursor.eat(separator)?;
    let day = cursor.digits(2)?;
    cursor.eat_any(b"T ")?;
    let time = clock(&mut cursor)?;
    let zone = cursor.zone().unwrap_or(context.zone);
    if !cursor.at_boundary() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    to_epoch_ms(date.and_time(time), zone)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_number(cursor: &mut Cursor) -> Option<u32> {
    let name = cursor.bytes.get(cursor.position..cursor.position + 3)?;
    let index = MONTHS
        .iter()
        .position(|month| month.as_bytes().eq_ignore_ascii_case(name))?;
    cursor.position += 3;
    Some(index as u32 + 1)
}

fn syslog_time(text: &str, context: &TimeContext) -> Option<i64> {
    let mut cursor = Cursor::new(text);
    let month = month_number(&mut cursor)?;
    cursor.eat(b' ')?;
    let _ = cursor.eat(b' ');
    let day = match cursor.digits(2) {
        Some(day) => day,
        None => cursor.digits(1)?,
    };
    cursor.eat(b' ')?;
    let time = clock(&mut cursor)?;
    if !cursor.at_boundary() {
        return None;
    }

    let reference = context
        .zone
        .timestamp_millis_opt(context.reference_ms)
        .single()?;
    let in_year = |year: i32| -> Option<i64> {
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        to_epoch_ms(date.and_time(time), context.zone)
    };
    let this_year = in_year(reference.year())?;
    if this_year > context.reference_ms + MILLISECONDS_PER_DAY {
        return in_year(reference.year() - 1);
    }
    Some(this_year)
}

fn common_log_time(text: &str, context: &TimeContext) -> Option<i64> {
    let mut cursor = Cursor::new(text);
    let day = cursor.digits(2)?;
    cursor.eat(b'/')?;
    let month = month_number(&mut cursor)?;
    cursor.eat(b'/')?;
    let year = cursor.digits(4)?;
    cursor.eat(b':')?;
    let time = clock(&mut cursor)?;
    let zone = cursor.zone().unwrap_or(context.zone);
    if !cursor.at_boundary() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    to_epoch_ms(date.and_time(time), zone)
}

fn epoch_time(text: &str) -> Option<i64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let next = text.as_bytes().get(digits);
    if next.is_some_and(|byte| byte.is_ascii_alphanumeric()) {
        return None;
    }
    let value: i64 = text[..digits].parse().ok()?;
    match digits {
        10 => Some(value * 1000),
        13 => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_context(reference_ms: i64) -> TimeContext {
        TimeContext {
            zone: FixedOffset::east_opt(0).unwrap(),
            reference_ms,
        }
    }

    /// 2026-03-01T12:34:56Z
    const BASE: i64 = 1_772_368_496_000;

    fn time(text: &str) -> Option<i64> {
        message_time_ms(text, &utc_context(BASE))
    }

    #[test]
    fn iso_layouts() {
        assert_eq!(time("2026-03-01T12:34:56Z started"), Some(BASE));
        assert_eq!(time("2026-03-01T12:34:56.789Z x"), Some(BASE + 789));
        assert_eq!(time("2026-03-01 12:34:56,789 INFO x"), Some(BASE + 789));
        assert_eq!(time("2026-03-01T13:34:56+01:00 x"), Some(BASE));
        assert_eq!(time("2026-03-01 13:34:56 +0100 x"), Some(BASE));
        assert_eq!(time("2026/03/01 12:34:56 x"), Some(BASE));
        assert_eq!(time("2026-03-01T12:34:56.123456789Z"), Some(BASE + 123));
    }

    #[test]
    fn syslog_and_priority() {
        assert_eq!(time("Mar  1 12:34:56 host app[1]: hello"), Some(BASE));
        assert_eq!(time("Mar 01 12:34:56 host app: hello"), Some(BASE));
        assert_eq!(time("<34>Mar  1 12:34:56 host app: hello"), Some(BASE));
        assert_eq!(
            time("<165>1 2026-03-01T12:34:56.000Z host app - - - msg"),
            Some(BASE)
        );
    }

    #[test]
    fn syslog_year_rolls_back_after_new_year() {
        // A file modified on 2026-01-02 holding a line from 31 December.
        let reference = 1_767_312_000_000;
        let december = message_time_ms("Dec 31 23:00:00 host app: x", &utc_context(reference));
        assert_eq!(december, Some(1_767_222_000_000));
    }

    #[test]
    fn common_log_format_in_brackets() {
        assert_eq!(
            time("10.1.2.3 - - [01/Mar/2026:13:34:56 +0100] \"GET / HTTP/1.1\" 200 5"),
            Some(BASE)
        );
        assert_eq!(time("[2026-03-01 12:34:56] worker started"), Some(BASE));
    }

    #[test]
    fn epoch_numbers() {
        assert_eq!(time("1772368496 tick"), Some(BASE));
        assert_eq!(time("1772368496000 tick"), Some(BASE));
        assert_eq!(time("17723684960 tick"), None);
    }

    #[test]
    fn zone_of_the_source_applies_to_local_times() {
        let context = TimeContext {
            zone: FixedOffset::east_opt(2 * 3600).unwrap(),
            reference_ms: BASE,
        };
        assert_eq!(
            message_time_ms("2026-03-01 14:34:56 x", &context),
            Some(BASE)
        );
        assert_eq!(
            message_time_ms("2026-03-01 12:34:56Z x", &context),
            Some(BASE)
        );
    }

    #[test]
    fn text_without_a_time() {
        assert_eq!(time("hello world"), None);
        assert_eq!(time("2026-03-01 is a date"), None);
        assert_eq!(time("2026-13-01 12:00:00 bad month"), None);
        assert_eq!(time("2026-03-01T12:34:56abc"), None);
        assert_eq!(time(""), None);
        assert_eq!(time("<12"), None);
    }

    #[test]
    fn json_time_keys() {
        let context = utc_context(BASE);
        let object = |text: &str| -> Map<String, Value> { serde_json::from_str(text).unwrap() };
        assert_eq!(
            json_time_ms(
                &object(r#"{"@timestamp":"2026-03-01T12:34:56Z"}"#),
                &context
            ),
            Some(BASE)
        );
        assert_eq!(
            json_time_ms(&object(r#"{"msg":"x","ts":1772368496.5}"#), &context),
            Some(BASE + 500)
        );
        assert_eq!(
            json_time_ms(&object(r#"{"time":1772368496000}"#), &context),
            Some(BASE)
        );
        assert_eq!(
            json_time_ms(&object(r#"{"msg":"no time"}"#), &context),
            None
        );
    }

    #[test]
    fn office_365_creation_time() {
        let context = utc_context(BASE);
        let object: Map<String, Value> = serde_json::from_str(
            r#"{"CreationTime":"2026-03-01T12:34:56","Operation":"ChannelAdded"}"#,
        )
        .unwrap();
        assert_eq!(json_time_ms(&object, &context), Some(BASE));
    }
}
