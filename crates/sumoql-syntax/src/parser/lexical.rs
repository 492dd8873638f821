//! Tokens shared by the scope, expression and stage grammars: whitespace and
//! comments, words and keywords, field names, and string, regex and number
//! literals.

use nom::bytes::complete::{tag_no_case, take_while, take_while1};
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{not, opt, recognize};
use nom::sequence::{pair, preceded, terminated};
use nom::Parser;

use super::{PResult, QueryParser, SyntaxError};
use crate::ast::{Quantity, Spanned, Unit};

/// A number literal as written: plain, or with a unit suffix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum NumberLiteral {
    Plain(f64),
    Quantity(Quantity),
}

/// Characters of a word: operator names, keywords and the first part of a
/// field name.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters of a bare field name after the first one.
pub(crate) fn is_field_char(c: char) -> bool {
    is_word_char(c) || c == '.'
}

fn is_field_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// Characters allowed in an unquoted scope term: letters, digits and the
/// punctuation that Sumo's keyword search accepts without quotes, plus the
/// `*` and `?` wildcards.
pub(crate) fn is_bare_char(c: char) -> bool {
    c.is_alphanumeric() || "-_:/.+@#$%^*?".contains(c)
}

/// Returns whether `text` is a bare field name: `[A-Za-z_][A-Za-z0-9_.]*`.
pub(crate) fn is_field_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(is_field_start) && chars.all(is_field_char)
}

/// Length in bytes of the token at the start of `input`, used to size the
/// span of an error: a word, a quoted string up to its closing quote or the
/// end of its line, or a single character.
pub(super) fn token_len(input: &str) -> usize {
    let Some(first) = input.chars().next() else {
        return 0;
    };
    if is_field_char(first) {
        return input
            .find(|c: char| !is_field_char(c))
            .unwrap_or(input.len());
    }
    if first == '"' || first == '\'' {
        let line_end = input.find('\n').unwrap_or(input.len());
        return quoted_len(input, first)
            .unwrap_or(line_end)
            .min(line_end)
            .max(1);
    }
    first.len_utf8()
}

/// Length of a quoted literal including both quotes, or `None` when it is
/// not closed.
fn quoted_len(input: &str, quote: char) -> Option<usize> {
    let mut chars = input.char_indices().skip(1);
    while let Some((index, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return Some(index + 1);
        }
    }
    None
}

/// Describes the token at the start of `input` for a message, such as
/// "`foo`" or "the end of the query".
pub(super) fn describe(input: &str) -> String {
    let len = token_len(input);
    if len == 0 {
        "the end of the query".to_string()
    } else {
        format!("`{}`", &input[..len])
    }
}

/// Matches a keyword, case-insensitively, that is not followed by another
/// field-name character.
pub(super) fn keyword<'s>(
    word: &'static str,
) -> impl Parser<&'s str, Output = &'s str, Error = SyntaxError> {
    terminated(tag_no_case(word), not(satisfy(is_field_char)))
}

/// Tries `keyword(word)` at the start of `input`.
pub(super) fn match_keyword<'s>(input: &'s str, word: &'static str) -> Option<&'s str> {
    keyword(word).parse(input).ok().map(|(rest, _)| rest)
}

/// Parses a word made of [`is_word_char`] characters and dots, such as
/// `where`, `count_distinct` or `toLowerCase`.
pub(super) fn word(input: &str) -> PResult<'_, &str> {
    take_while1(is_field_char).parse(input)
}

/// Parses a bare field name: `[A-Za-z_][A-Za-z0-9_.]*`.
pub(super) fn bare_field_name(input: &str) -> PResult<'_, &str> {
    recognize(pair(satisfy(is_field_start), take_while(is_field_char))).parse(input)
}

/// Length of a name written after `%` without quotes: field characters and
/// `[digits]` index groups.
fn percent_name_len(text: &str) -> usize {
    let mut len = 0;
    loop {
        let rest = &text[len..];
        let word_len = rest.find(|c: char| !is_field_char(c)).unwrap_or(rest.len());
        len += word_len;
        let after_word = &text[len..];
        let Some(inside) = after_word.strip_prefix('[') else {
            return len;
        };
        let digits = inside
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(inside.len());
        if digits == 0 || !inside[digits..].starts_with(']') {
            return len;
        }
        len += digits + 2;
    }
}

/// Parses the text of an unsigned number literal: digits, an optional
/// fraction and an optional exponent, as in `80`, `1.5`, `.5` and `1e3`.
fn number_text(input: &str) -> PResult<'_, &str> {
    let fraction_only = recognize((char('.'), digit1));
    let with_integer = recognize((digit1, opt(preceded(char('.'), digit1))));
    recognize((
        nom::branch::alt((with_integer, fraction_only)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(input)
}

impl<'s> QueryParser<'s> {
    /// Skips whitespace, `// line` comments and `/* block */` comments.
    ///
    /// `//` directly after `:` is not a comment, so the `//` of a URL such
    /// as `https://host` survives. An unterminated block comment fails.
    pub(super) fn space(&self, mut input: &'s str) -> PResult<'s, ()> {
        loop {
            input = input.trim_start();
            if input.starts_with("/*") {
                match input[2..].find("*/") {
                    Some(end) => input = &input[2 + end + 2..],
                    None => {
                        return Err(self.failure_with_help(
                            input,
                            2,
                            "unterminated block comment",
                            "this comment is never closed",
                            "close the comment with `*/`",
                        ))
                    }
                }
            } else if input.starts_with("//") && !self.preceded_by_colon(input) {
                let line_end = input.find('\n').unwrap_or(input.len());
                input = &input[line_end..];
            } else {
                return Ok((input, ()));
            }
        }
    }

    /// Returns whether the source character just before `input` is `:`.
    pub(super) fn preceded_by_colon(&self, input: &str) -> bool {
        self.source[..self.offset(input)].ends_with(':')
    }

    /// Parses a quoted string literal and decodes its escapes.
    ///
    /// Double quotes are Sumo's string quotes. Single quotes are accepted as
    /// well, because real queries use them. Decoding rules, in both forms:
    /// `\"` and `\'` become the quote character, `\\` one backslash, and
    /// `\n`, `\r`, `\t` the newline, carriage return and tab characters. Any
    /// other backslash pair is kept as written, so `"\d+"` stays `\d+` and
    /// regexes survive, while `"*\\pip.exe"` becomes `*\pip.exe`. A string may
    /// span lines.
    ///
    /// Returns a recoverable error when `input` does not start with a quote.
    pub(super) fn string_literal(&self, input: &'s str) -> PResult<'s, Spanned<String>> {
        let quote = match input.chars().next() {
            Some(quote @ ('"' | '\'')) => quote,
            _ => return Err(nom::Err::Error(SyntaxError::from_input(input))),
        };

        let mut decoded = String::new();
        let mut chars = input.char_indices().skip(1);
        while let Some((index, c)) = chars.next() {
            if c == quote {
                let rest = &input[index + 1..];
                return Ok((rest, self.spanned(decoded, input, rest)));
            }
            if c != '\\' {
                decoded.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => decoded.push('"'),
                Some((_, '\'')) => decoded.push('\''),
                Some((_, '\\')) => decoded.push('\\'),
                Some((_, 'n')) => decoded.push('\n'),
                Some((_, 'r')) => decoded.push('\r'),
                Some((_, 't')) => decoded.push('\t'),
                Some((_, other)) => {
                    decoded.push('\\');
                    decoded.push(other);
                }
                None => break,
            }
        }

        let quote_name = if quote == '"' { "`\"`" } else { "`'`" };
        Err(self.failure_with_help(
            input,
            token_len(input),
            "unterminated string literal",
            format!("the closing {quote_name} is missing"),
            format!("end the string with {quote_name}; write `\\{quote}` for a quote inside it"),
        ))
    }

    /// Parses a `/regex/` literal. The text is kept verbatim except that
    /// `\/` becomes `/`. A regex literal must end on the line it starts.
    ///
    /// Returns a recoverable error when `input` does not start with `/`.
    pub(super) fn regex_literal(&self, input: &'s str) -> PResult<'s, Spanned<String>> {
        if !input.starts_with('/') {
            return Err(nom::Err::Error(SyntaxError::from_input(input)));
        }

        let mut text = String::new();
        let mut chars = input.char_indices().skip(1);
        while let Some((index, c)) = chars.next() {
            match c {
                '/' => {
                    let mut rest = &input[index + 1..];
                    // Trailing flags, as in `/error/i`, become an inline
                    // group such as `(?i)`, which RE2 reads the same way.
                    let flags_len = rest
                        .find(|c: char| !matches!(c, 'i' | 'm' | 's'))
                        .unwrap_or(rest.len());
                    if flags_len > 0 && !rest[flags_len..].starts_with(is_field_char) {
                        text.insert_str(0, &format!("(?{})", &rest[..flags_len]));
                        rest = &rest[flags_len..];
                    }
                    return Ok((rest, self.spanned(text, input, rest)));
                }
                '\n' => break,
                '\\' => match chars.next() {
                    Some((_, '/')) => text.push('/'),
                    Some((_, '\n')) | None => break,
                    Some((_, other)) => {
                        text.push('\\');
                        text.push(other);
                    }
                },
                other => text.push(other),
            }
        }

        let line_len = input.find('\n').unwrap_or(input.len());
        Err(self.failure_with_help(
            input,
            line_len,
            "unterminated regex literal",
            "the closing `/` is missing on this line",
            "end the regex with `/`; write `\\/` for a slash inside it",
        ))
    }

    /// Parses an unsigned number literal, with or without one of Sumo's
    /// case-sensitive unit suffixes: `ns us ms s m h d w` for times and
    /// `k K M G B T P Ki Mi Gi Ti Pi` for sizes (Sumo doc, field expressions).
    ///
    /// Returns a recoverable error when `input` does not start with a digit.
    pub(super) fn number_or_quantity(&self, input: &'s str) -> PResult<'s, Spanned<NumberLiteral>> {
        let (after_number, text) = number_text(input)?;
        let invalid = |len: usize| {
            self.failure_with_help(
                input,
                len,
                format!("invalid number `{}`", &input[..len]),
                "not a number",
                "write plain digits such as `80` or `1.5`, a unit such as `5m` or `10k`, and quote other text such as an IP address",
            )
        };
        let Ok(amount) = text.parse::<f64>() else {
            return Err(invalid(text.len()));
        };

        let suffix_len = after_number
            .find(|c: char| !is_field_char(c))
            .unwrap_or(after_number.len());
        if suffix_len == 0 {
            return Ok((
                after_number,
                self.spanned(NumberLiteral::Plain(amount), input, after_number),
            ));
        }
        let suffix = &after_number[..suffix_len];
        let Some(unit) = Unit::from_suffix(suffix) else {
            return Err(invalid(text.len() + suffix_len));
        };
        let rest = &after_number[suffix_len..];
        let literal = NumberLiteral::Quantity(Quantity { amount, unit });
        Ok((rest, self.spanned(literal, input, rest)))
    }

    /// Parses a number with a time suffix, such as `5m`, optionally signed.
    /// When `allow_space` is set, space may separate the number from its unit,
    /// as in `timeslice 1 h`. `context` names the place for messages.
    pub(super) fn duration(
        &self,
        input: &'s str,
        allow_space: bool,
        context: &str,
    ) -> PResult<'s, Spanned<Quantity>> {
        let (sign, digits_start) = match input.strip_prefix('-') {
            Some(after_minus) => (-1.0, after_minus),
            None => (1.0, input.strip_prefix('+').unwrap_or(input)),
        };
        let expected = || {
            self.failure_with_help(
                input,
                token_len(input),
                format!(
                    "expected a time such as `5m` {context}, found {}",
                    describe(input)
                ),
                "expected a time",
                "write a number and one of the units ns, us, ms, s, m, h, d, w",
            )
        };
        if !digits_start.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(expected());
        }

        let (rest, literal) = self
            .number_or_quantity(digits_start)
            .map_err(|_| expected())?;
        let (rest, quantity) = match literal.node {
            NumberLiteral::Quantity(quantity) => (rest, quantity),
            NumberLiteral::Plain(amount) if allow_space => {
                let (unit_start, ()) = self.space(rest)?;
                let unit_len = unit_start
                    .find(|c: char| !is_field_char(c))
                    .unwrap_or(unit_start.len());
                match Unit::from_suffix(&unit_start[..unit_len]) {
                    Some(unit) => (&unit_start[unit_len..], Quantity { amount, unit }),
                    None => return Err(expected()),
                }
            }
            NumberLiteral::Plain(_) => return Err(expected()),
        };
        if !quantity.unit.is_time() {
            return Err(expected());
        }
        let signed = Quantity {
            amount: sign * quantity.amount,
            unit: quantity.unit,
        };
        Ok((rest, self.spanned(signed, input, rest)))
    }

    /// Parses a field name: bare (`Image`, `_sourceHost`, `a.b`) or quoted
    /// with `%"…"` for names with other characters.
    ///
    /// Returns a recoverable error when neither form starts at `input`.
    pub(super) fn field_name(&self, input: &'s str) -> PResult<'s, Spanned<String>> {
        if let Some(quoted) = input.strip_prefix('%') {
            if quoted.starts_with('"') {
                let (rest, name) = self.string_literal(quoted)?;
                return Ok((rest, self.spanned(name.node, input, rest)));
            }
            // Real queries also mark plain names, such as `%type` and
            // `%a.b[0].c`, where the JSON path may hold `[N]`.
            if quoted.starts_with(is_field_start) {
                let len = percent_name_len(quoted);
                let rest = &quoted[len..];
                return Ok((rest, self.spanned(quoted[..len].to_string(), input, rest)));
            }
        }
        let (rest, name) = bare_field_name(input)?;
        Ok((rest, self.spanned(name.to_string(), input, rest)))
    }

    /// Parses a field name where one is required, failing with `message`.
    pub(super) fn required_field_name(
        &self,
        input: &'s str,
        message: &str,
    ) -> PResult<'s, Spanned<String>> {
        let result = self.field_name(input);
        self.expect(
            result,
            input,
            format!("{message}, found {}", describe(input)),
            "expected a field name",
        )
    }

    /// Skips space, then matches `keyword`. On a match returns the rest after
    /// the keyword; otherwise `None`.
    pub(super) fn space_then_keyword(
        &self,
        input: &'s str,
        word: &'static str,
    ) -> Result<Option<&'s str>, nom::Err<SyntaxError>> {
        let (after_space, ()) = self.space(input)?;
        Ok(match_keyword(after_space, word))
    }

    /// Skips space, then matches the character `expected`.
    pub(super) fn space_then_char(
        &self,
        input: &'s str,
        expected: char,
    ) -> Result<Option<&'s str>, nom::Err<SyntaxError>> {
        let (after_space, ()) = self.space(input)?;
        Ok(char::<&str, SyntaxError>(expected)
            .parse(after_space)
            .ok()
            .map(|(rest, _)| rest))
    }
}

impl SyntaxError {
    /// Builds a recoverable "does not apply" error at `input`.
    pub(super) fn from_input(input: &str) -> Self {
        <SyntaxError as nom::error::ParseError<&str>>::from_error_kind(
            input,
            nom::error::ErrorKind::Verify,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_len_cases() {
        assert_eq!(token_len(""), 0);
        assert_eq!(token_len("where x"), 5);
        assert_eq!(token_len("\"ab\" c"), 4);
        assert_eq!(token_len("\"ab"), 3);
        assert_eq!(token_len("\"ab\ncd\""), 3);
        assert_eq!(token_len("é x"), 2);
        assert_eq!(token_len(") x"), 1);
    }

    #[test]
    fn field_name_check() {
        assert!(is_field_name("_sourceCategory"));
        assert!(is_field_name("a.b"));
        assert!(!is_field_name("1a"));
        assert!(!is_field_name("a-b"));
        assert!(!is_field_name(""));
    }
}
