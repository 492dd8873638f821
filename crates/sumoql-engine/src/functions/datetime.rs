//! `formatDate` and `parseDate`: epoch milliseconds to and from text, with
//! the pattern letters of Java's `SimpleDateFormat`, which Sumo documents
//! for both (https://www.sumologic.com/help/docs/search/search-query-language/search-operators/formatdate/,
//! https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parsedate/).
//!
//! Names of months, days and eras are the English ones of Java's US
//! locale. A pattern letter that Java does not know makes the call null,
//! where Java would throw.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// The layout when `formatDate` gets no pattern. Sumo documents a "US-style
/// date format", and its screenshots show `MM/DD/YYYY HH:MM:SS.SSS -0700`.
pub(crate) const DEFAULT_PATTERN: &str = "MM/dd/yyyy HH:mm:ss.SSS Z";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MILLIS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    /// A pattern letter and how many times it is repeated.
    Field(char, usize),
}

/// Splits a `SimpleDateFormat` pattern into literal text and fields:
/// letters repeat into one field, `'…'` quotes literal text and `''` is a
/// single quote. Returns `None` for a letter Java rejects or an open quote.
fn pieces(pattern: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut characters = pattern.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\'' {
            if characters.peek() == Some(&'\'') {
                characters.next();
                literal.push('\'');
                continue;
            }
            loop {
                match characters.next()? {
                    '\'' if characters.peek() == Some(&'\'') => {
                        characters.next();
                        literal.push('\'');
                    }
                    '\'' => break,
                    quoted => literal.push(quoted),
                }
            }
        } else if character.is_ascii_alphabetic() {
            if !"GyYMLwWDdFEuaHkKhmsSzZX".contains(character) {
                return None;
            }
            let mut count = 1;
            while characters.peek() == Some(&character) {
                characters.next();
                count += 1;
            }
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field(character, count));
        } else {
            literal.push(character);
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Some(pieces)
}

/// Resolves a time zone argument: an IANA name (`America/New_York`), `UTC`,
/// `GMT`, `Z`, or a fixed offset written `GMT+08:00`, `UTC-5` or `+0530`.
/// Java falls back to GMT for a name it does not know. sumoql returns `None`
/// instead, so a misspelt zone shows as null rather than as a wrong time.
pub(crate) fn time_zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("GMT") || name == "Z" {
        return Some(TimeZone::UTC);
    }
    let offset_text = ["GMT", "UTC"]
        .iter()
        .find_map(|prefix| {
            name.get(..prefix.len())
                .filter(|start| start.eq_ignore_ascii_case(prefix))
                .map(|_| &name[prefix.len()..])
        })
        .unwrap_or(name);
    if offset_text.starts_with(['+', '-']) {
        let seconds = parse_offset(offset_text)?;
        return Some(TimeZone::fixed(Offset::from_seconds(seconds).ok()?));
    }
    TimeZone::get(name).ok()
}

/// Reads `+hh`, `+hhmm`, `+hh:mm` or `+h` as seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        _ => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
    };
    if hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// The calendar fields of one instant in one zone.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millisecond: u32,
    /// 0 for Sunday.
    weekday: u32,
    day_of_year: u32,
    offset_seconds: i32,
    abbreviation: String,
}

impl Civil {
    fn at(milliseconds: i64, zone: &TimeZone) -> Option<Civil> {
        let timestamp = Timestamp::from_millisecond(milliseconds).ok()?;
        let info = zone.to_offset_info(timestamp);
        let offset_seconds = info.offset().seconds();
        let local = milliseconds + i64::from(offset_seconds) * 1000;
        let days = local.div_euclid(MILLIS_PER_DAY);
        let in_day = local.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let abbreviation = match info.abbreviation() {
            // Java names a zone without an abbreviation by its offset.
            text if text.starts_with(['+', '-']) => {
                format!("GMT{}", offset_with_colon(offset_seconds))
            }
            text => text.to_string(),
        };
        Some(Civil {
            year,
            month,
            day,
            hour: (in_day / 3_600_000) as u32,
            minute: (in_day / 60_000 % 60) as u32,
            second: (in_day / 1000 % 60) as u32,
            millisecond: (in_day % 1000) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
            day_of_year: (days - days_from_civil(year, 1, 1) + 1) as u32,
            offset_seconds,
            abbreviation,
        })
    }

    /// Returns the week of the year in Java's US rules: weeks start on Sunday and
    /// week 1 is the one holding January 1, so the last days of December
    /// may fall in week 1 of the next year.
    fn week_of_year(&self) -> (i64, u32) {
        let next_new_year = days_from_civil(self.year + 1, 1, 1);
        let today = days_from_civil(self.year, self.month, self.day);
        let next_week_one_start = next_new_year - (next_new_year + 4).rem_euclid(7);
        if today >= next_week_one_start {
            return (self.year + 1, 1);
        }
        let new_year = days_from_civil(self.year, 1, 1);
        let week_one_start = new_year - (new_year + 4).rem_euclid(7);
        (self.year, ((today - week_one_start) / 7 + 1) as u32)
    }
}

/// Formats epoch milliseconds with a `SimpleDateFormat` pattern in a zone.
pub(crate) fn format_date(milliseconds: i64, pattern: &str, zone: &TimeZone) -> Option<String> {
    let pieces = pieces(pattern)?;
    let civil = Civil::at(milliseconds, zone)?;
    let mut text = String::new();
    for piece in &pieces {
        match piece {
            Piece::Literal(literal) => text.push_str(literal),
            Piece::Field(letter, count) => format_field(&mut text, *letter, *count, &civil),
        }
    }
    Some(text)
}

fn format_field(text: &mut String, letter: char, count: usize, civil: &Civil) {
    let number = |text: &mut String, value: i64| text.push_str(&format!("{value:0count$}"));
    match letter {
        'G' => text.push_str(if civil.year > 0 { "AD" } else { "BC" }),
        'y' | 'Y' => {
            let year = if letter == 'Y' {
                civil.week_of_year().0
            } else {
                civil.year
            };
            if count == 2 {
                text.push_str(&format!("{:02}", year.rem_euclid(100)));
            } else {
                number(text, year);
            }
        }
        'M' | 'L' => match count {
            1 | 2 => number(text, i64::from(civil.month)),
            3 => text.push_str(&MONTHS[civil.month as usize - 1][..3]),
            _ => text.push_str(MONTHS[civil.month as usize - 1]),
        },
        'w' => number(text, i64::from(civil.week_of_year().1)),
        'W' => {
            let first_weekday = (civil.weekday + 35 - (civil.day - 1) % 7) % 7;
            number(text, i64::from((civil.day - 1 + first_weekday) / 7 + 1));
        }
        'D' => number(text, i64::from(civil.day_of_year)),
        'd' => number(text, i64::from(civil.day)),
        'F' => number(text, i64::from((civil.day - 1) / 7 + 1)),
        'E' => {
            let name = DAYS[civil.weekday as usize];
            text.push_str(if count >= 4 { name } else { &name[..3] });
        }
        'u' => number(
            text,
            i64::from(if civil.weekday == 0 { 7 } else { civil.weekday }),
        ),
        'a' => text.push_str(if civil.hour < 12 { "AM" } else { "PM" }),
        'H' => number(text, i64::from(civil.hour)),
        'k' => number(
            text,
            i64::from(if civil.hour == 0 { 24 } else { civil.hour }),
        ),
        'K' => number(text, i64::from(civil.hour % 12)),
        'h' => number(
            text,
            i64::from(if civil.hour % 12 == 0 {
                12
            } else {
                civil.hour % 12
            }),
        ),
        'm' => number(text, i64::from(civil.minute)),
        's' => number(text, i64::from(civil.second)),
        // Java's `S` is the millisecond count, padded to the letter count.
        'S' => number(text, i64::from(civil.millisecond)),
        'z' => text.push_str(&civil.abbreviation),
        'Z' => text.push_str(&offset_without_colon(civil.offset_seconds)),
        'X' => {
            if civil.offset_seconds == 0 {
                text.push('Z');
            } else {
                match count {
                    1 => text.push_str(&offset_without_colon(civil.offset_seconds)[..3]),
                    2 => text.push_str(&offset_without_colon(civil.offset_seconds)),
                    _ => text.push_str(&offset_with_colon(civil.offset_seconds)),
                }
            }
        }
        _ => unreachable!("pieces() accepts only known letters"),
    }
}

fn offset_without_colon(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

fn offset_with_colon(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Reads a date at the start of `text` with a `SimpleDateFormat` pattern and
/// returns its epoch milliseconds. Text after the pattern is ignored (Sumo:
/// "strDate must start with the characters to match"). Fields the pattern
/// lacks default to 1970-01-01 00:00:00.000; a zone in the text wins over
/// `zone`.
pub(crate) fn parse_date(text: &str, pattern: &str, zone: &TimeZone) -> Option<i64> {
    let pieces = pieces(pattern)?;
    let mut fields = ParsedFields::default();
    let mut rest = text;
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(literal) => {
                rest = strip_literal(rest, literal)?;
            }
            Piece::Field(letter, count) => {
                // Adjacent numeric fields, as in `yyyyMMdd`, take exactly
                // their width; otherwise a number takes all its digits.
                let next_is_number = matches!(
                    pieces.get(index + 1),
                    Some(Piece::Field(next, next_count)) if is_numeric_field(*next, *next_count)
                );
                let width = next_is_number.then_some(*count);
                rest = parse_field(rest, *letter, *count, width, &mut fields)?;
            }
        }
    }
    fields.to_milliseconds(zone)
}

#[derive(Default)]
struct ParsedFields {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: u32,
    pm: Option<bool>,
    minute: u32,
    second: u32,
    millisecond: u32,
    offset_seconds: Option<i32>,
    /// `h` or `K`: an hour of the half day, which `a` completes.
    twelve_hour: bool,
}

impl ParsedFields {
    fn to_milliseconds(&self, zone: &TimeZone) -> Option<i64> {
        let year = self.year.unwrap_or(1970);
        let mut hour = self.hour;
        if self.twelve_hour && self.pm == Some(true) && hour < 12 {
            hour += 12;
        }
        if self.twelve_hour && self.pm == Some(false) && hour == 12 {
            hour = 0;
        }
        let (month, day) = match (self.month, self.day, self.day_of_year) {
            (None, None, Some(day_of_year)) => {
                let days = days_from_civil(year, 1, 1) + i64::from(day_of_year) - 1;
                let (_, month, day) = civil_from_days(days);
                (month, day)
            }
            (month, day, _) => (month.unwrap_or(1), day.unwrap_or(1)),
        };
        if !(1..=12).contains(&month)
            || day == 0
            || day > 31
            || hour > 24
            || self.minute > 59
            || self.second > 60
        {
            return None;
        }

        let civil_millis = days_from_civil(year, month, day) * MILLIS_PER_DAY
            + i64::from(hour) * 3_600_000
            + i64::from(self.minute) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millisecond);
        if let Some(offset) = self.offset_seconds {
            return Some(civil_millis - i64::from(offset) * 1000);
        }
        // Resolve the wall-clock time in the zone. A time that a
        // daylight-saving change skips or repeats takes the offset jiff's
        // `compatible` rule picks: the later one for a gap, the earlier one
        // for a fold.
        let date = civil_from_days(civil_millis.div_euclid(MILLIS_PER_DAY));
        let in_day = civil_millis.rem_euclid(MILLIS_PER_DAY);
        let wall = DateTime::new(
            i16::try_from(date.0).ok()?,
            date.1 as i8,
            date.2 as i8,
            (in_day / 3_600_000) as i8,
            (in_day / 60_000 % 60) as i8,
            (in_day / 1000 % 60) as i8,
            (in_day % 1000) as i32 * 1_000_000,
        )
        .ok()?;
        let timestamp = zone.to_ambiguous_timestamp(wall).compatible().ok()?;
        Some(timestamp.as_millisecond())
    }
}

fn is_numeric_field(letter: char, count: usize) -> bool {
    match letter {
        'M' | 'L' => count <= 2,
        'G' | 'E' | 'a' | 'z' | 'Z' | 'X' => false,
        _ => true,
    }
}

/// Matches literal pattern text; a space in the pattern also accepts any
/// run of whitespace, as Java's lenient parser does.
fn strip_literal<'t>(text: &'t str, literal: &str) -> Option<&'t str> {
    let mut rest = text;
    for expected in literal.chars() {
        let actual = rest.chars().next()?;
        if actual != expected && !(expected == ' ' && actual.is_whitespace()) {
            return None;
        }
        rest = &rest[actual.len_utf8()..];
    }
    Some(rest)
}

fn parse_field<'t>(
    text: &'t str,
    letter: char,
    count: usize,
    width: Option<usize>,
    fields: &mut ParsedFields,
) -> Option<&'t str> {
    match letter {
        'M' | 'L' if count >= 3 => {
            let (index, rest) = parse_name(text, &MONTHS)?;
            fields.month = Some(index as u32 + 1);
            Some(rest)
        }
        'E' => parse_name(text, &DAYS).map(|(_, rest)| rest),
        'G' => ["AD", "BC"]
            .iter()
            .find_map(|era| strip_prefix_ignore_case(text, era)),
        'a' => {
            if let Some(rest) = strip_prefix_ignore_case(text, "AM") {
                fields.pm = Some(false);
                Some(rest)
            } else {
                let rest = strip_prefix_ignore_case(text, "PM")?;
                fields.pm = Some(true);
                Some(rest)
            }
        }
        'z' | 'Z' | 'X' => {
            let (seconds, rest) = parse_zone(text)?;
            fields.offset_seconds = Some(seconds);
            Some(rest)
        }
        _ => {
            let (value, rest) = parse_number(text, width)?;
            match letter {
                'y' | 'Y' => {
                    let digits = text.len() - rest.len();
                    // Java reads a two-digit year for `yy` within 80 years
                    // before and 20 after now; sumoql pins that window to 2000.
                    let year = if count == 2 && digits == 2 {
                        if value < 80 {
                            2000 + value
                        } else {
                            1900 + value
                        }
                    } else {
                        value
                    };
                    fields.year = Some(year);
                }
                'M' | 'L' => fields.month = Some(u32::try_from(value).ok()?),
                'd' => fields.day = Some(u32::try_from(value).ok()?),
                'D' => fields.day_of_year = Some(u32::try_from(value).ok()?),
                'H' => fields.hour = u32::try_from(value).ok()?,
                'k' => fields.hour = u32::try_from(value).ok()? % 24,
                'h' | 'K' => {
                    fields.hour = u32::try_from(value).ok()?;
                    fields.twelve_hour = true;
                }
                'm' => fields.minute = u32::try_from(value).ok()?,
                's' => fields.second = u32::try_from(value).ok()?,
                'S' => {
                    // Java reads `S` as a count of milliseconds, so
                    // ".123456" is 123456 ms; sumoql reads it the way
                    // people write it, as a decimal fraction of a second.
                    let digits = &text[..text.len() - rest.len()];
                    let padded = format!("{digits:0<3}");
                    fields.millisecond = padded[..3].parse().ok()?;
                }
                // Week fields and `u` and `F` do not fix a date alone.
                _ => {}
            }
            Some(rest)
        }
    }
}

fn parse_number(text: &str, width: Option<usize>) -> Option<(i64, &str)> {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let available = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let length = width.map_or(available, |width| width.min(available));
    if length == 0 || length > 18 {
        return None;
    }
    let value: i64 = unsigned[..length].parse().ok()?;
    Some((sign * value, &unsigned[length..]))
}

/// Matches a full or three-letter English name, in any case.
fn parse_name<'t>(text: &'t str, names: &[&str]) -> Option<(usize, &'t str)> {
    for (index, name) in names.iter().enumerate() {
        if let Some(rest) = strip_prefix_ignore_case(text, name) {
            return Some((index, rest));
        }
    }
    for (index, name) in names.iter().enumerate() {
        if let Some(rest) = strip_prefix_ignore_case(text, &name[..3]) {
            return Some((index, rest));
        }
    }
    None
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads a zone in the text: `Z`, `+hh[:mm]`, `GMT+hh:mm`, `UTC`, `GMT` or
/// a North American abbreviation.
fn parse_zone(text: &str) -> Option<(i32, &str)> {
    const NAMED: [(&str, i32); 11] = [
        ("UTC", 0),
        ("GMT", 0),
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
        ("Z", 0),
    ];
    let mut rest = text;
    let mut named = None;
    for (name, hours) in NAMED {
        if let Some(after) = strip_prefix_ignore_case(text, name) {
            named = Some(hours * 3600);
            rest = after;
            break;
        }
    }
    if rest.starts_with(['+', '-']) {
        let sign_and_digits: usize = 1 + rest[1..]
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b':')
            .count();
        let seconds = parse_offset(&rest[..sign_and_digits])?;
        return Some((seconds, &rest[sign_and_digits..]));
    }
    named.map(|seconds| (seconds, rest))
}

/// Counts the days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Returns the proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-05 14:07:09.045 UTC, a Tuesday.
    const INSTANT: i64 = 1_709_647_629_045;

    fn utc(pattern: &str) -> String {
        format_date(INSTANT, pattern, &TimeZone::UTC).unwrap()
    }

    #[test]
    fn formats_common_patterns() {
        assert_eq!(utc("yyyy-MM-dd"), "2024-03-05");
        assert_eq!(utc("MM/dd/yyyy HH:mm:ss:SSS"), "03/05/2024 14:07:09:045");
        assert_eq!(
            utc("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
            "2024-03-05T14:07:09.045Z"
        );
        assert_eq!(utc("EEE"), "Tue");
        assert_eq!(
            utc("EEEE, MMMM d, yy h:mm a"),
            "Tuesday, March 5, 24 2:07 PM"
        );
        assert_eq!(utc("MMM dd HH"), "Mar 05 14");
        assert_eq!(utc("D u w"), "65 2 10");
        assert_eq!(utc("'o''clock' ''"), "o'clock '");
        assert_eq!(utc(DEFAULT_PATTERN), "03/05/2024 14:07:09.045 +0000");
        assert_eq!(utc("XXX z"), "Z UTC");
    }

    #[test]
    fn formats_in_a_named_zone() {
        let zone = time_zone("America/New_York").unwrap();
        let text = format_date(INSTANT, "yyyy-MM-dd HH:mm Z z XXX", &zone).unwrap();
        assert_eq!(text, "2024-03-05 09:07 -0500 EST -05:00");
        let fixed = time_zone("GMT+05:30").unwrap();
        assert_eq!(
            format_date(INSTANT, "HH:mm z", &fixed).unwrap(),
            "19:37 GMT+05:30"
        );
    }

    #[test]
    fn rejects_unknown_letters_and_zones() {
        assert_eq!(format_date(INSTANT, "yyyy-qq", &TimeZone::UTC), None);
        assert_eq!(format_date(INSTANT, "'open", &TimeZone::UTC), None);
        assert!(time_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn formats_before_the_epoch() {
        assert_eq!(
            format_date(-1, "yyyy-MM-dd HH:mm:ss.SSS", &TimeZone::UTC).unwrap(),
            "1969-12-31 23:59:59.999"
        );
    }

    #[test]
    fn parses_what_it_formats() {
        for pattern in [
            "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
            "MM/dd/yyyy HH:mm:ss:SSS",
            "yyyyMMddHHmmssSSS",
            "dd MMM yyyy hh:mm:ss.SSS a",
        ] {
            let text = utc(pattern);
            assert_eq!(
                parse_date(&text, pattern, &TimeZone::UTC),
                Some(INSTANT),
                "{pattern}: {text}"
            );
        }
    }

    #[test]
    fn parses_zones_in_text_and_arguments() {
        let pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
        assert_eq!(
            parse_date("2019-11-18T19:00:00.000-08:00", pattern, &TimeZone::UTC),
            Some(1_574_132_400_000)
        );
        let zone = time_zone("America/Los_Angeles").unwrap();
        assert_eq!(
            parse_date("2019-11-18 19:00:00", "yyyy-MM-dd HH:mm:ss", &zone),
            Some(1_574_132_400_000)
        );
    }

    #[test]
    fn parse_ignores_trailing_text_and_needs_leading_match() {
        assert_eq!(
            parse_date("3/4/2005 other", "M/d/yyyy", &TimeZone::UTC),
            Some(1_109_894_400_000)
        );
        assert_eq!(
            parse_date("other 3/4/2005", "M/d/yyyy", &TimeZone::UTC),
            None
        );
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-800_000, -1, 0, 59, 365, 11_016, 19_787, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
