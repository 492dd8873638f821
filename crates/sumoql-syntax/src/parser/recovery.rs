//! Finding where parsing resumes after a broken pipe stage.

use super::lexical::is_bare_char;

/// Returns the byte offset in `text` at which parsing resumes after an error.
///
/// That is the next `|` outside strings, comments, regex literals, brackets
/// and parentheses. When `closer` is `]` or `)`, an unmatched one, which
/// closes the enclosing subquery, also ends the search. Without either, it is
/// the end of `text`.
///
/// `text` starts where the broken clause starts, so nesting is counted from a
/// known state. When a parenthesis never closes, the first `|` inside it at or
/// after `error_at` is used instead, so that `where (a = 1 | count` still
/// reports the `count` stage.
///
/// The scan mirrors the lexer closely enough for recovery but not exactly: a
/// `/` starts a regex literal only after `matches`, `(` or `,`, and `/*` starts
/// a comment only where no bare scope term is running.
pub(super) fn resume_offset(text: &str, error_at: usize, closer: Option<char>) -> usize {
    let bytes = text.as_bytes();
    let mut index = 0;
    let mut brackets = 0usize;
    let mut parentheses = 0usize;
    let mut fallback = None;
    // Whether a `/` at this point would start a regex literal.
    let mut regex_may_start = false;

    while index < bytes.len() {
        let byte = bytes[index];
        let next = bytes.get(index + 1).copied();
        let previous = index.checked_sub(1).map(|before| bytes[before]);

        match byte {
            b'"' | b'\'' => {
                index = skip_quoted(bytes, index);
                regex_may_start = false;
                continue;
            }
            b'/' if next == Some(b'*') && !previous.is_some_and(is_bare_byte) => {
                index = find_from(bytes, index + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            b'/' if next == Some(b'/') && previous != Some(b':') => {
                index = find_from(bytes, index, b"\n").unwrap_or(bytes.len());
                continue;
            }
            b'/' if regex_may_start => {
                index = skip_regex(bytes, index);
                regex_may_start = false;
                continue;
            }
            b'[' => brackets += 1,
            b']' if brackets > 0 => brackets -= 1,
            b']' if closer == Some(']') => return index,
            b'(' => parentheses += 1,
            b')' if parentheses == 0 && brackets == 0 && closer == Some(')') => return index,
            b')' => parentheses = parentheses.saturating_sub(1),
            b'|' if brackets == 0 => {
                if parentheses == 0 {
                    return index;
                }
                if fallback.is_none() && index >= error_at {
                    fallback = Some(index);
                }
            }
            _ => {}
        }

        if byte.is_ascii_alphanumeric() || byte == b'_' {
            let word_end = bytes[index..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                .map_or(bytes.len(), |len| index + len);
            regex_may_start = bytes[index..word_end].eq_ignore_ascii_case(b"matches");
            index = word_end;
            continue;
        }
        if !byte.is_ascii_whitespace() {
            regex_may_start = byte == b'(' || byte == b',';
        }
        index += 1;
    }

    fallback.unwrap_or(bytes.len())
}

fn is_bare_byte(byte: u8) -> bool {
    byte >= 0x80 || is_bare_char(char::from(byte))
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| from + position)
}

/// Returns the index after the string literal starting at `start`, or the end
/// when it is never closed.
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            byte if byte == quote => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// Returns the index after the regex literal starting at `start`, or the end
/// of its line when it is never closed.
fn skip_regex(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' if bytes.get(index + 1) != Some(&b'\n') => index += 2,
            b'/' => return index + 1,
            b'\n' => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::resume_offset;

    fn resume(text: &str) -> &str {
        &text[resume_offset(text, 0, None)..]
    }

    #[test]
    fn stops_at_next_pipe() {
        assert_eq!(resume("wehre x = 1 | count"), "| count");
    }

    #[test]
    fn skips_pipe_in_string_and_regex() {
        assert_eq!(resume("where x = \"a|b\" | count"), "| count");
        assert_eq!(resume("where x matches /a|b/ | count"), "| count");
        assert_eq!(resume("where x = 'a|b' | count"), "| count");
    }

    #[test]
    fn skips_pipe_in_comments() {
        assert_eq!(resume("where x // a | b\n| count"), "| count");
        assert_eq!(resume("where x /* a | b */ | count"), "| count");
    }

    #[test]
    fn skips_pipe_in_brackets() {
        assert_eq!(resume("union [ * | where x ] | count"), "| count");
    }

    #[test]
    fn stops_at_closing_bracket_inside_subquery() {
        let text = "wehre x ] | count";
        assert_eq!(&text[resume_offset(text, 0, Some(']'))..], "] | count");
        assert_eq!(&text[resume_offset(text, 0, None)..], "| count");
    }

    #[test]
    fn stops_at_closing_parenthesis_inside_subquery() {
        let text = "wehre (x) ) | count";
        assert_eq!(&text[resume_offset(text, 0, Some(')'))..], ") | count");
    }

    #[test]
    fn unclosed_parenthesis_falls_back() {
        assert_eq!(resume("where (a = 1 | count"), "| count");
        assert_eq!(resume("where (a = 1) | count"), "| count");
    }

    #[test]
    fn unterminated_string_runs_to_end() {
        assert_eq!(resume("where x = \"abc | count"), "");
    }

    #[test]
    fn bare_wildcard_value_is_not_a_comment() {
        assert_eq!(resume("_sourceCategory=Labs/IIS/* | count"), "| count");
    }
}
