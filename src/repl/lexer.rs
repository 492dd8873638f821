//! A forgiving tokenizer for query text that may be unfinished or invalid.
//!
//! The validator uses it to decide whether the text typed so far is a whole
//! query, and the highlighter to colour it. It follows the lexical rules of
//! the parser (grammar.md, "Comments" and "Literals") closely enough for
//! those two jobs. It does not fail: it returns tokens that cover the whole
//! text and marks strings and block comments that are still open.

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Whitespace,
    /// `// …` to the end of the line, or `/* … */`.
    Comment,
    /// A double- or single-quoted string.
    String,
    /// A `/regex/` literal after `matches` or as a function argument.
    Regex,
    /// A name, keyword or bare scope value.
    Word,
    Number,
    Pipe,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
    /// Any other character, such as `=`, `,` or `!`.
    Punctuation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// False for a string or block comment that the text never closes.
    pub closed: bool,
    /// True for a word in the scope (the keyword expression before the
    /// first `|` of a query or a `union [ … ]` branch), false in a stage.
    pub in_scope: bool,
}

impl Token {
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        &source[self.start..self.end]
    }

    /// Returns whether the token carries meaning: not whitespace and not a comment.
    pub fn is_significant(&self) -> bool {
        !matches!(self.kind, TokenKind::Whitespace | TokenKind::Comment)
    }
}

/// The grammar that the text at a position belongs to. Scope values are bare
/// words that may contain `/` and `*` (`_sourceCategory=Labs/IIS/*`), while
/// stages use field names, numbers and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scope,
    Stage,
}

/// Characters of an unquoted scope term, as the parser defines them.
fn is_bare_char(c: char) -> bool {
    c.is_alphanumeric() || "-_:/.+@#$%^*?".contains(c)
}

/// Characters of a field name, keyword or number in a stage.
fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Splits `text` into tokens that cover it from start to end.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    // One mode per open `[`: a `union [` starts a new scope.
    let mut modes = vec![Mode::Scope];
    let mut position = 0;

    while position < text.len() {
        let rest = &text[position..];
        let first = rest.chars().next().unwrap_or_default();
        let mode = *modes.last().unwrap_or(&Mode::Stage);
        let previous = tokens
            .iter()
            .rev()
            .find(|token| token.is_significant())
            .copied();

        let (kind, length, closed) = if first.is_whitespace() {
            (
                TokenKind::Whitespace,
                prefix_length(rest, char::is_whitespace),
                true,
            )
        } else if let Some(body) = rest.strip_prefix("/*") {
            match body.find("*/") {
                Some(end) => (TokenKind::Comment, 2 + end + 2, true),
                None => (TokenKind::Comment, rest.len(), false),
            }
        } else if rest.starts_with("//") && !text[..position].ends_with(':') {
            (
                TokenKind::Comment,
                rest.find('\n').unwrap_or(rest.len()),
                true,
            )
        } else if first == '"' || first == '\'' {
            match quoted_length(rest, first) {
                Some(length) => (TokenKind::String, length, true),
                None => (TokenKind::String, rest.len(), false),
            }
        } else if first == '/' && mode == Mode::Stage && starts_regex(text, previous) {
            (TokenKind::Regex, regex_length(rest), true)
        } else if first == '|' {
            (TokenKind::Pipe, 1, true)
        } else if "([{".contains(first) {
            (TokenKind::Open, 1, true)
        } else if ")]}".contains(first) {
            (TokenKind::Close, 1, true)
        } else if mode == Mode::Scope && is_bare_char(first) {
            (TokenKind::Word, prefix_length(rest, is_bare_char), true)
        } else if mode == Mode::Stage && first.is_ascii_digit() {
            (TokenKind::Number, prefix_length(rest, is_field_char), true)
        } else if mode == Mode::Stage && is_field_char(first) {
            (TokenKind::Word, prefix_length(rest, is_field_char), true)
        } else {
            (TokenKind::Punctuation, first.len_utf8(), true)
        };

        match kind {
            TokenKind::Pipe => {
                if let Some(top) = modes.last_mut() {
                    *top = Mode::Stage;
                }
            }
            TokenKind::Open if first == '[' => {
                let after_union =
                    previous.is_some_and(|token| token.text(text).eq_ignore_ascii_case("union"));
                modes.push(if after_union { Mode::Scope } else { mode });
            }
            TokenKind::Close if first == ']' && modes.len() > 1 => {
                modes.pop();
            }
            _ => {}
        }

        tokens.push(Token {
            kind,
            start: position,
            end: position + length,
            closed,
            in_scope: mode == Mode::Scope,
        });
        position += length;
    }
    tokens
}

/// Length in bytes of the longest prefix of `text` whose characters satisfy `accept`.
fn prefix_length(text: &str, accept: impl Fn(char) -> bool) -> usize {
    text.find(|c: char| !accept(c)).unwrap_or(text.len())
}

/// Length of a quoted string including both quotes, or `None` when the text
/// ends before the closing quote. A backslash escapes the next character,
/// and strings may span lines.
fn quoted_length(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    while let Some((index, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return Some(index + c.len_utf8());
        }
    }
    None
}

/// The parser reads `/` as the start of a regex literal only after `matches`
/// and as a function argument, that is after `(` or `,`.
fn starts_regex(text: &str, previous: Option<Token>) -> bool {
    previous.is_some_and(|token| {
        let previous_text = token.text(text);
        previous_text == "("
            || previous_text == ","
            || previous_text.eq_ignore_ascii_case("matches")
    })
}

/// Length of a regex literal: up to the closing `/`, or to the end of the
/// line, because a regex must end on the line it starts. An unclosed regex
/// is an error for the parser to report, not an unfinished query.
fn regex_length(text: &str) -> usize {
    let mut chars = text.char_indices().skip(1);
    while let Some((index, c)) = chars.next() {
        match c {
            '/' => return index + 1,
            '\n' => return index,
            '\\' => {
                if let Some((escaped_index, '\n')) = chars.next() {
                    return escaped_index;
                }
            }
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .into_iter()
            .filter(|token| token.kind != TokenKind::Whitespace)
            .map(|token| (token.kind, token.text(text)))
            .collect()
    }

    #[test]
    fn tokens_cover_the_text() {
        let text = "(_sourceCategory=\"*sysmon*\") // c\n| where EventID = 1 /* b */ | count by x";
        let tokens = tokenize(text);
        let mut expected_start = 0;
        for token in &tokens {
            assert_eq!(token.start, expected_start);
            expected_start = token.end;
        }
        assert_eq!(expected_start, text.len());
    }

    #[test]
    fn scope_value_keeps_slash_star() {
        assert_eq!(
            kinds("_sourceCategory=Labs/IIS/* | count"),
            vec![
                (TokenKind::Word, "_sourceCategory"),
                (TokenKind::Punctuation, "="),
                (TokenKind::Word, "Labs/IIS/*"),
                (TokenKind::Pipe, "|"),
                (TokenKind::Word, "count"),
            ]
        );
    }

    #[test]
    fn url_slashes_open_no_comment() {
        let tokens = kinds("* | where x = \"a\" | lookup https://host/x");
        assert!(
            tokens.iter().all(|(kind, _)| *kind != TokenKind::Comment),
            "{tokens:?}"
        );
    }

    #[test]
    fn comments_in_scope_and_stage() {
        assert_eq!(
            kinds("// head\n* | where /* inline */ a"),
            vec![
                (TokenKind::Comment, "// head"),
                (TokenKind::Word, "*"),
                (TokenKind::Pipe, "|"),
                (TokenKind::Word, "where"),
                (TokenKind::Comment, "/* inline */"),
                (TokenKind::Word, "a"),
            ]
        );
    }

    #[test]
    fn regex_hides_brackets() {
        let tokens = kinds("* | where x matches /a(b[/ | count");
        assert!(tokens.contains(&(TokenKind::Regex, "/a(b[/")), "{tokens:?}");
        assert!(
            !tokens.iter().any(|(kind, _)| *kind == TokenKind::Open),
            "{tokens:?}"
        );
    }

    #[test]
    fn division_is_no_regex() {
        let tokens = kinds("* | num(a) / 2 as b");
        assert!(
            tokens.contains(&(TokenKind::Punctuation, "/")),
            "{tokens:?}"
        );
    }

    #[test]
    fn regex_ends_at_line_end() {
        let tokens = kinds("* | where x matches /abc\n| count");
        assert!(tokens.contains(&(TokenKind::Regex, "/abc")), "{tokens:?}");
        assert!(tokens.contains(&(TokenKind::Pipe, "|")), "{tokens:?}");
    }

    #[test]
    fn strings_with_escapes_and_brackets() {
        let text = r#"* | parse "<Image><![CDATA[*]]></Image>" as a | where b = 'it\'s'"#;
        let tokens = kinds(text);
        assert!(tokens.contains(&(TokenKind::String, "\"<Image><![CDATA[*]]></Image>\"")));
        assert!(tokens.contains(&(TokenKind::String, r"'it\'s'")));
    }

    #[test]
    fn open_string_is_not_closed() {
        let tokens = tokenize("* | where a = \"abc");
        let last = tokens.last().unwrap();
        assert_eq!(last.kind, TokenKind::String);
        assert!(!last.closed);
    }

    #[test]
    fn union_branch_starts_a_scope() {
        let text = "* | union [ _sourceCategory=a/* | count ] | count";
        let tokens = tokenize(text);
        let scope_word = tokens
            .iter()
            .find(|token| token.text(text) == "a/*")
            .unwrap();
        assert!(scope_word.in_scope);
        let last_count = tokens
            .iter()
            .rev()
            .find(|token| token.text(text) == "count")
            .unwrap();
        assert!(!last_count.in_scope);
    }

    #[test]
    fn numbers_in_stages() {
        assert_eq!(
            kinds("* | where EventID = 11"),
            vec![
                (TokenKind::Word, "*"),
                (TokenKind::Pipe, "|"),
                (TokenKind::Word, "where"),
                (TokenKind::Word, "EventID"),
                (TokenKind::Punctuation, "="),
                (TokenKind::Number, "11"),
            ]
        );
    }
}
