//! Encodings and formatting: `urldecode`, `urlencode`, `base64Decode`,
//! `base64Encode`, `hexToDec`, `parseHex` and `format`.

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Decodes `application/x-www-form-urlencoded` text as Java's `URLDecoder`
/// does: `+` is a space and `%XX` a byte of UTF-8. Text with a `%` not
/// followed by two hex digits, where Java throws, is returned as it is.
pub(crate) fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' => {
                let byte = bytes
                    .get(index + 1..index + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                match byte {
                    Some(byte) => {
                        decoded.push(byte);
                        index += 2;
                    }
                    None => return text.to_string(),
                }
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Encodes as Java's `URLEncoder` with UTF-8: letters, digits and `.-*_`
/// stay, a space becomes `+`, every other byte `%XX`.
pub(crate) fn url_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                encoded.push(byte as char)
            }
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// The character encodings Sumo lists for `base64Decode` and `base64Encode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    Ascii,
    Utf8,
    /// Java's `UTF-16`: big-endian unless a byte-order mark indicates otherwise.
    Utf16,
    Utf16Be,
    Utf16Le,
    Utf32,
    Utf32Be,
    Utf32Le,
}

impl Charset {
    pub(crate) fn by_name(name: &str) -> Option<Charset> {
        let charset = match name.trim().to_ascii_uppercase().replace('_', "-").as_str() {
            "US-ASCII" | "ASCII" => Charset::Ascii,
            "UTF-8" | "UTF8" => Charset::Utf8,
            "UTF-16" | "UTF16" => Charset::Utf16,
            "UTF-16BE" => Charset::Utf16Be,
            "UTF-16LE" => Charset::Utf16Le,
            "UTF-32" | "UTF32" => Charset::Utf32,
            "UTF-32BE" => Charset::Utf32Be,
            "UTF-32LE" => Charset::Utf32Le,
            _ => return None,
        };
        Some(charset)
    }

    /// Decodes bytes, replacing what is not valid with U+FFFD as Java does.
    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Ascii => bytes
                .iter()
                .map(|byte| {
                    if byte.is_ascii() {
                        *byte as char
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                })
                .collect(),
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Utf16 | Charset::Utf16Be | Charset::Utf16Le => {
                let (little_endian, body) = match (self, bytes) {
                    (Charset::Utf16, [0xFF, 0xFE, rest @ ..]) => (true, rest),
                    (Charset::Utf16, [0xFE, 0xFF, rest @ ..]) => (false, rest),
                    (charset, bytes) => (charset == Charset::Utf16Le, bytes),
                };
                let units = body.chunks(2).map(|pair| match pair {
                    [first, second] if little_endian => u16::from_le_bytes([*first, *second]),
                    [first, second] => u16::from_be_bytes([*first, *second]),
                    _ => 0xFFFD,
                });
                char::decode_utf16(units)
                    .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect()
            }
            Charset::Utf32 | Charset::Utf32Be | Charset::Utf32Le => bytes
                .chunks(4)
                .map(|quad| {
                    let unit = match quad {
                        [a, b, c, d] if self == Charset::Utf32Le => {
                            u32::from_le_bytes([*a, *b, *c, *d])
                        }
                        [a, b, c, d] => u32::from_be_bytes([*a, *b, *c, *d]),
                        _ => 0xFFFD,
                    };
                    char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
                })
                .collect(),
        }
    }

    fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Ascii => text
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
            Charset::Utf8 => text.as_bytes().to_vec(),
            // Java's `UTF-16` encoder writes a big-endian byte-order mark.
            Charset::Utf16 => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
            Charset::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Charset::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Charset::Utf32 | Charset::Utf32Be => text
                .chars()
                .flat_map(|c| (c as u32).to_be_bytes())
                .collect(),
            Charset::Utf32Le => text
                .chars()
                .flat_map(|c| (c as u32).to_le_bytes())
                .collect(),
        }
    }
}

/// Decodes base64 (standard alphabet, padding optional) into text of the
/// charset. Sumo: "Invalid input is returned unaltered."
pub(crate) fn base64_decode(text: &str, charset: Charset) -> String {
    match base64_bytes(text) {
        Some(bytes) => charset.decode(&bytes),
        None => text.to_string(),
    }
}

fn base64_bytes(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in trimmed.bytes() {
        let value = BASE64_ALPHABET
            .iter()
            .position(|candidate| *candidate == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

pub(crate) fn base64_encode(text: &str, charset: Charset) -> String {
    let bytes = charset.encode(text);
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (index, byte)| {
            group | u32::from(*byte) << (16 - 8 * index)
        });
        for position in 0..4 {
            if position <= chunk.len() {
                encoded
                    .push(BASE64_ALPHABET[(group >> (18 - 6 * position) & 0x3F) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

/// Reads up to 16 hex digits, with or without `0x`, as a 64-bit two's
/// complement number (Sumo doc, hexToDec and parseHex).
pub(crate) fn hex_to_number(text: &str) -> Option<i64> {
    let digits = text.trim();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(digits);
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16)
        .ok()
        .map(|value| value as i64)
}

/// Rewrites a replacement string of Java's `Matcher.replaceAll`, which
/// Sumo's `replace` follows, into the syntax of the `regex` crate. `$2` and
/// `${name}` refer to groups, and `\` escapes the next character, so `\$` is
/// a dollar sign. A group number takes more digits only while it remains a
/// group of the regex, which has `groups` groups counting the whole match:
/// with two groups, `$20` is group 2 followed by `0`.
pub(crate) fn java_replacement(replacement: &str, groups: usize) -> String {
    let mut rewritten = String::with_capacity(replacement.len());
    let mut characters = replacement.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => match characters.next() {
                Some('$') => rewritten.push_str("$$"),
                Some(escaped) => rewritten.push(escaped),
                None => rewritten.push('\\'),
            },
            '$' if characters.peek() == Some(&'{') => {
                let name: String = characters
                    .by_ref()
                    .skip(1)
                    .take_while(|c| *c != '}')
                    .collect();
                rewritten.push_str(&format!("${{{name}}}"));
            }
            '$' if characters.peek().is_some_and(char::is_ascii_digit) => {
                let mut group = characters
                    .next()
                    .and_then(|digit| digit.to_digit(10))
                    .unwrap_or(0) as usize;
                while let Some(next) = characters.peek().and_then(|digit| digit.to_digit(10)) {
                    let longer = group * 10 + next as usize;
                    if longer >= groups {
                        break;
                    }
                    group = longer;
                    characters.next();
                }
                rewritten.push_str(&format!("${{{group}}}"));
            }
            '$' => rewritten.push_str("$$"),
            other => rewritten.push(other),
        }
    }
    rewritten
}

/// One argument of `format`, as the conversion needs it.
pub(crate) enum FormatArgument {
    Text(String),
    Number(f64),
    Boolean(bool),
}

/// Formats like Java's `String.format` for the conversions real queries
/// use: `%s %S %d %x %X %o %f %e %E %g %c %b %% %n`, with argument indexes
/// (`%2$s`), the flags `- 0 + , ( #` and space, width and precision. Sumo:
/// "If a field is null or incompatible, an error will be thrown"; sumoql
/// gives `None` then, and for a conversion it does not support.
pub(crate) fn java_format(pattern: &str, arguments: &[Option<FormatArgument>]) -> Option<String> {
    let mut output = String::new();
    let mut characters = pattern.char_indices().peekable();
    let mut next_argument = 0;
    while let Some((_, character)) = characters.next() {
        if character != '%' {
            output.push(character);
            continue;
        }

        let mut spec = String::new();
        let conversion = loop {
            let (_, next) = characters.next()?;
            if next.is_ascii_alphabetic() || next == '%' {
                break next;
            }
            spec.push(next);
        };
        let spec = FormatSpec::parse(&spec)?;

        match conversion {
            '%' => {
                output.push_str(&pad(&spec, "%".to_string()));
                continue;
            }
            'n' => {
                output.push('\n');
                continue;
            }
            _ => {}
        }
        let index = match spec.argument_index {
            Some(index) => index.checked_sub(1)?,
            None => {
                next_argument += 1;
                next_argument - 1
            }
        };
        let argument = arguments.get(index)?.as_ref()?;
        let text = convert(conversion, &spec, argument)?;
        output.push_str(&pad(&spec, text));
    }
    Some(output)
}

#[derive(Debug, Default)]
struct FormatSpec {
    argument_index: Option<usize>,
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    grouping: bool,
    parentheses: bool,
    alternate: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl FormatSpec {
    /// Parses the text between `%` and the conversion letter.
    fn parse(text: &str) -> Option<FormatSpec> {
        let mut spec = FormatSpec::default();
        let mut rest = text;
        if let Some(dollar) = rest.find('$') {
            spec.argument_index = Some(rest[..dollar].parse().ok()?);
            rest = &rest[dollar + 1..];
        }
        while let Some(flag) = rest.chars().next() {
            match flag {
                '-' => spec.left = true,
                '0' => spec.zero = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                ',' => spec.grouping = true,
                '(' => spec.parentheses = true,
                '#' => spec.alternate = true,
                _ => break,
            }
            rest = &rest[1..];
        }
        let (width, precision) = match rest.split_once('.') {
            Some((width, precision)) => (width, Some(precision.parse().ok()?)),
            None => (rest, None),
        };
        if !width.is_empty() {
            spec.width = Some(width.parse().ok()?);
        }
        spec.precision = precision;
        Some(spec)
    }
}

fn convert(conversion: char, spec: &FormatSpec, argument: &FormatArgument) -> Option<String> {
    let text = match conversion {
        's' | 'S' => {
            let text = match argument {
                FormatArgument::Text(text) => text.clone(),
                FormatArgument::Number(number) => crate::value::format_number(*number),
                FormatArgument::Boolean(flag) => flag.to_string(),
            };
            let text = match spec.precision {
                Some(precision) => text.chars().take(precision).collect(),
                None => text,
            };
            if conversion == 'S' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'b' | 'B' => {
            let flag = match argument {
                FormatArgument::Boolean(flag) => *flag,
                FormatArgument::Text(text) => text.eq_ignore_ascii_case("true"),
                FormatArgument::Number(_) => true,
            };
            let text = flag.to_string();
            if conversion == 'B' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'c' | 'C' => {
            let character = match argument {
                FormatArgument::Text(text) if text.chars().count() == 1 => text.chars().next()?,
                other => char::from_u32(u32::try_from(integer(other)?).ok()?)?,
            };
            let text = character.to_string();
            if conversion == 'C' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'd' => signed(spec, integer(argument)? as f64, |magnitude| {
            group(spec, &format!("{magnitude:.0}"))
        }),
        'x' | 'X' | 'o' => {
            let value = integer(argument)?;
            let digits = match conversion {
                'o' => format!("{:o}", value as u64),
                _ => format!("{:x}", value as u64),
            };
            let prefix = match (spec.alternate, conversion) {
                (false, _) => "",
                (true, 'o') => "0",
                (true, _) => "0x",
            };
            let text = zero_fill(spec, prefix, &digits);
            if conversion == 'X' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'f' => {
            let precision = spec.precision.unwrap_or(6);
            signed(spec, number(argument)?, |magnitude| {
                let text = format!("{magnitude:.precision$}");
                match text.split_once('.') {
                    Some((whole, fraction)) => format!("{}.{fraction}", group(spec, whole)),
                    None => group(spec, &text),
                }
            })
        }
        'e' | 'E' => {
            let precision = spec.precision.unwrap_or(6);
            let text = signed(spec, number(argument)?, |magnitude| {
                scientific(magnitude, precision)
            });
            if conversion == 'E' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'g' | 'G' => {
            // Java: scientific when the rounded value is below 10^-4 or at
            // least 10^precision, otherwise fixed with `precision` significant digits.
            let precision = spec.precision.unwrap_or(6).max(1);
            let value = number(argument)?;
            let text = signed(spec, value, |magnitude| {
                if magnitude != 0.0
                    && (magnitude < 1e-4 || magnitude >= 10f64.powi(precision as i32))
                {
                    scientific(magnitude, precision - 1)
                } else {
                    let integer_digits = if magnitude < 1.0 {
                        1
                    } else {
                        magnitude.log10().floor() as usize + 1
                    };
                    let decimals = precision.saturating_sub(integer_digits);
                    group(spec, &format!("{magnitude:.decimals$}"))
                }
            });
            if conversion == 'G' {
                text.to_uppercase()
            } else {
                text
            }
        }
        _ => return None,
    };
    Some(text)
}

/// Java's `%e` body: one digit, the fraction, and a signed exponent of at
/// least two digits.
fn scientific(magnitude: f64, precision: usize) -> String {
    let text = format!("{magnitude:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

fn integer(argument: &FormatArgument) -> Option<i64> {
    let value = number(argument)?;
    (value.fract() == 0.0 && value.abs() < 9.2e18).then_some(value as i64)
}

fn number(argument: &FormatArgument) -> Option<f64> {
    match argument {
        FormatArgument::Number(number) => Some(*number),
        FormatArgument::Text(text) => crate::value::parse_number(text),
        FormatArgument::Boolean(_) => None,
    }
}

/// Applies the sign flags and zero padding around the formatted magnitude.
fn signed(spec: &FormatSpec, value: f64, body: impl Fn(f64) -> String) -> String {
    let magnitude = body(value.abs());
    let (prefix, suffix) = match (value < 0.0, spec.parentheses, spec.plus, spec.space) {
        (true, true, _, _) => ("(", ")"),
        (true, false, _, _) => ("-", ""),
        (false, _, true, _) => ("+", ""),
        (false, _, false, true) => (" ", ""),
        _ => ("", ""),
    };
    zero_fill(spec, prefix, &format!("{magnitude}{suffix}"))
}

fn zero_fill(spec: &FormatSpec, prefix: &str, body: &str) -> String {
    match spec.width {
        Some(width) if spec.zero && !spec.left => {
            let length = prefix.chars().count() + body.chars().count();
            format!("{prefix}{}{body}", "0".repeat(width.saturating_sub(length)))
        }
        _ => format!("{prefix}{body}"),
    }
}

/// Inserts thousands separators into a run of digits when `,` is set.
fn group(spec: &FormatSpec, digits: &str) -> String {
    if !spec.grouping {
        return digits.to_string();
    }
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn pad(spec: &FormatSpec, text: String) -> String {
    let Some(width) = spec.width else {
        return text;
    };
    let length = text.chars().count();
    if length >= width {
        return text;
    }
    let padding = " ".repeat(width - length);
    if spec.left {
        text + &padding
    } else {
        padding + &text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(pattern: &str, arguments: &[FormatArgument]) -> Option<String> {
        let arguments: Vec<Option<FormatArgument>> = arguments
            .iter()
            .map(|argument| {
                Some(match argument {
                    FormatArgument::Text(text) => FormatArgument::Text(text.clone()),
                    FormatArgument::Number(number) => FormatArgument::Number(*number),
                    FormatArgument::Boolean(flag) => FormatArgument::Boolean(*flag),
                })
            })
            .collect();
        java_format(pattern, &arguments)
    }

    fn text(value: &str) -> FormatArgument {
        FormatArgument::Text(value.to_string())
    }

    #[test]
    fn url_round_trip() {
        let encoded = "http%3A%2F%2Fexample.org%2Fmain.php%3Fgk%3DGk4%26a+b";
        assert_eq!(
            url_decode(encoded),
            "http://example.org/main.php?gk=Gk4&a b"
        );
        assert_eq!(
            url_encode("http://example.org/main.php?gk=Gk4&a b"),
            encoded
        );
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%E3%81%82"), "あ");
    }

    #[test]
    fn base64_documented_examples() {
        assert_eq!(
            base64_decode(
                "aHR0cDovL2NvZGVjLmFwYWNoZS5vcmcvY29tbW1vbnM=",
                Charset::Utf8
            ),
            "http://codec.apache.org/commmons"
        );
        assert_eq!(
            base64_decode(
                "VABoAGkAcwAgAGkAcwAgAGEAIAB0AGUAcwB0ACAAcwB0AHIAaQBuAGcA",
                Charset::Utf16Le
            ),
            "This is a test string"
        );
        assert_eq!(
            base64_decode("44GC44KK44GM44GoIOOBlOOBluOBhOOBvuOBmQ==", Charset::Utf8),
            "ありがと ございます"
        );
        assert_eq!(base64_decode("not base64!", Charset::Utf8), "not base64!");
        for sample in ["", "a", "ab", "abc", "abcd", "héllo"] {
            for charset in [
                Charset::Utf8,
                Charset::Utf16Le,
                Charset::Utf16,
                Charset::Utf32,
            ] {
                assert_eq!(
                    base64_decode(&base64_encode(sample, charset), charset),
                    sample
                );
            }
        }
        assert_eq!(base64_encode("abc", Charset::Utf8), "YWJj");
        assert_eq!(base64_encode("ab", Charset::Utf8), "YWI=");
    }

    #[test]
    fn java_replacements() {
        let regex = regex::Regex::new(r"(flight)/(?<id>[0-9]{5,})").unwrap();
        let replace = |replacement: &str| {
            let rewritten = java_replacement(replacement, regex.captures_len());
            regex
                .replace_all("x/flight/12345678/y", rewritten.as_str())
                .into_owned()
        };
        assert_eq!(replace("new-$2-url"), "x/new-12345678-url/y");
        assert_eq!(replace("$2url"), "x/12345678url/y");
        assert_eq!(replace("${id}!"), "x/12345678!/y");
        assert_eq!(replace(r"\$1 costs \\"), r"x/$1 costs \/y");
        assert_eq!(replace("$0"), "x/flight/12345678/y");
        assert_eq!(replace("$20"), "x/123456780/y");
        assert_eq!(replace("a$"), "x/a$/y");
    }

    #[test]
    fn hex_numbers() {
        assert_eq!(hex_to_number("0000000000001337"), Some(4919));
        assert_eq!(hex_to_number("7AF"), Some(1967));
        assert_eq!(hex_to_number("0x12D230"), Some(1_233_456));
        assert_eq!(hex_to_number("FFFFFFFFFFFFFFFF"), Some(-1));
        assert_eq!(hex_to_number("12345678901234567"), None);
        assert_eq!(hex_to_number("xyz"), None);
    }

    #[test]
    fn java_format_conversions() {
        assert_eq!(
            format("%s : %s", &[text("Five Minute Rate is :"), text("3")]).unwrap(),
            "Five Minute Rate is : : 3"
        );
        assert_eq!(format("$%.2f", &[text("1234.5")]).unwrap(), "$1234.50");
        assert_eq!(
            format("$%,.2f", &[FormatArgument::Number(1234567.891)]).unwrap(),
            "$1,234,567.89"
        );
        assert_eq!(
            format("%d/%d/%d", &[text("12"), text("31"), text("2024")]).unwrap(),
            "12/31/2024"
        );
        assert_eq!(
            format("%S: %d", &[text("bob"), text("42")]).unwrap(),
            "BOB: 42"
        );
        assert_eq!(
            format("%016X", &[FormatArgument::Number(255.0)]).unwrap(),
            "00000000000000FF"
        );
        assert_eq!(
            format("%.3f %s", &[FormatArgument::Number(2.0 / 3.0), text("%")]).unwrap(),
            "0.667 %"
        );
        assert_eq!(
            format(
                "%5s|%-5s|%05d",
                &[text("ab"), text("cd"), FormatArgument::Number(-42.0)]
            )
            .unwrap(),
            "   ab|cd   |-0042"
        );
        assert_eq!(format("%2$s %1$s", &[text("a"), text("b")]).unwrap(), "b a");
        assert_eq!(
            format("%e", &[FormatArgument::Number(12345.678)]).unwrap(),
            "1.234568e+04"
        );
        assert_eq!(format("100%%", &[]).unwrap(), "100%");
        assert_eq!(
            format("%(,d", &[FormatArgument::Number(-1234.0)]).unwrap(),
            "(1,234)"
        );
    }

    #[test]
    fn java_format_rejects_incompatible_arguments() {
        assert_eq!(format("%d", &[text("1.5")]), None);
        assert_eq!(format("%d", &[text("abc")]), None);
        assert_eq!(format("%s %s", &[text("a")]), None);
        assert_eq!(java_format("%s", &[None]), None);
        assert_eq!(format("%tY", &[FormatArgument::Number(0.0)]), None);
    }
}
