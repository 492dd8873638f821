//! Tokens shared by the scope, expression and stage grammars: whitespace and
//! comments, words and keywords, field names, and string, regex and number
//! literals.

use nom::bytes::complete::{tag_no_case, take_while, take_while1};
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{not, opt, recognize};
use nom::sequence::{pair, preceded, terminated};
use nom::Parser;

use super::{PResult, QueryParser, SyntaxError};
use crate::ast::Spanned;

/// Characters of a word: operator names, keywords and the first part of a
/// field name.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters of a bare field name after the first one.
pub(super) fn is_field_char(c: char) -> bool {
    is_word_char(c) || c == '.'
}

fn is_field_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// Characters allowed in an unquoted scope term: letters, digits and the
/// punctuation that Sumo's keyword search accepts without quotes, plus the
/// `*` and `?` wildcards.
pub(super) fn is_bare_char(c: char) -> bool {
    c.is_alphanumeric() || "-_:/.+@#$%^*?".contains(c)
}

/// Returns whether `text` is a bare field name: `[A-Za-z_][A-Za-z0-9_.]*`.
pub(super) fn is_field_name(text: &str) -> bool {
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

/// Parses the text of an unsigned number literal: digits, an optional
/// fraction and an optional exponent, as in `80`, `1.5` and `1e3`.
fn number_text(input: &str) -> PResult<'_, &str> {
    recognize((
        digit1,
        opt(preceded(char('.'), digit1)),
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
                    let rest = &input[index + 1..];
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

    /// Parses an unsigned number literal.
    ///
    /// Sumo's size and time suffixes (`10k`, `5m`) are not supported and
    /// are rejected, as is any other word glued to the digits.
    pub(super) fn number_literal(&self, input: &'s str) -> PResult<'s, Spanned<f64>> {
        let (rest, text) = number_text(input)?;
        if rest.starts_with(is_field_char) {
            let len = token_len(input);
            return Err(self.failure_with_help(
                input,
                len,
                format!("invalid number `{}`", &input[..len]),
                "not a number",
                "write plain digits such as `80` or `1.5`, and quote text such as an IP address; unit suffixes such as `5m` are not supported",
            ));
        }
        let Ok(value) = text.parse::<f64>() else {
            return Err(self.failure(
                input,
                text.len(),
                format!("invalid number `{text}`"),
                "not a number",
            ));
        };
        Ok((rest, self.spanned(value, input, rest)))
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
