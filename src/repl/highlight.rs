//! Colours query text as it is typed: keywords, strings, regexes, comments,
//! numbers and pipes.
//!
//! rustyline calls the highlighter only when its colour mode allows: not
//! when `NO_COLOR` is set to a non-empty value and not when standard output
//! is not a terminal. The colours are plain SGR codes, which do not change
//! the display width of the text.

use std::borrow::Cow;

use super::lexer::{tokenize, Token, TokenKind};
use super::vocabulary::{is_scope_keyword, is_stage_keyword};

const RESET: &str = "\x1b[0m";
const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const REGEX: &str = "\x1b[35m";
const COMMENT: &str = "\x1b[90m";
const NUMBER: &str = "\x1b[36m";
const PIPE: &str = "\x1b[1m";
const COMMAND: &str = "\x1b[1;33m";

/// Returns `line` with SGR colour codes around its keywords, literals and comments.
pub fn highlight(line: &str) -> Cow<'_, str> {
    if line.trim_start().starts_with(':') {
        return highlight_command(line);
    }

    let mut styled = String::with_capacity(line.len() * 2);
    let mut any_style = false;
    for token in tokenize(line) {
        let text = token.text(line);
        match style_of(&token, text) {
            Some(style) => {
                any_style = true;
                styled.push_str(style);
                styled.push_str(text);
                styled.push_str(RESET);
            }
            None => styled.push_str(text),
        }
    }
    if any_style {
        Cow::Owned(styled)
    } else {
        Cow::Borrowed(line)
    }
}

fn style_of(token: &Token, text: &str) -> Option<&'static str> {
    match token.kind {
        TokenKind::Comment => Some(COMMENT),
        TokenKind::String => Some(STRING),
        TokenKind::Regex => Some(REGEX),
        TokenKind::Number => Some(NUMBER),
        TokenKind::Pipe => Some(PIPE),
        TokenKind::Word if token.in_scope && is_scope_keyword(text) => Some(KEYWORD),
        TokenKind::Word if !token.in_scope && is_stage_keyword(text) => Some(KEYWORD),
        _ => None,
    }
}

/// Colours the command word of a `:` command line.
fn highlight_command(line: &str) -> Cow<'_, str> {
    let leading = line.len() - line.trim_start().len();
    let word_end = line[leading..]
        .find(char::is_whitespace)
        .map_or(line.len(), |offset| leading + offset);
    Cow::Owned(format!(
        "{}{COMMAND}{}{RESET}{}",
        &line[..leading],
        &line[leading..word_end],
        &line[word_end..]
    ))
}

/// Removes SGR sequences, for tests that compare the visible text.
#[cfg(test)]
fn strip_styles(text: &str) -> String {
    let mut plain = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('\x1b') {
        plain.push_str(&rest[..start]);
        let end = rest[start..]
            .find('m')
            .map_or(rest.len(), |offset| start + offset + 1);
        rest = &rest[end..];
    }
    plain.push_str(rest);
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_keep_the_visible_text() {
        let query = include_str!("../../queries/t1204_005_malicious_library.sumo");
        let styled = highlight(query);
        assert_ne!(styled, query);
        assert_eq!(strip_styles(&styled), query);
    }

    #[test]
    fn keywords_strings_and_comments_are_coloured() {
        let styled = highlight("* | where a = \"x\" // note");
        assert!(
            styled.contains(&format!("{KEYWORD}where{RESET}")),
            "{styled:?}"
        );
        assert!(
            styled.contains(&format!("{STRING}\"x\"{RESET}")),
            "{styled:?}"
        );
        assert!(
            styled.contains(&format!("{COMMENT}// note{RESET}")),
            "{styled:?}"
        );
    }

    #[test]
    fn scope_words_are_not_stage_keywords() {
        let styled = highlight("where OR count | count");
        assert!(styled.starts_with("where "), "{styled:?}");
        assert!(
            styled.contains(&format!("{KEYWORD}OR{RESET} count ")),
            "{styled:?}"
        );
        assert!(
            styled.ends_with(&format!("{KEYWORD}count{RESET}")),
            "{styled:?}"
        );
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(highlight("error"), Cow::Borrowed("error")));
    }

    #[test]
    fn command_word_is_coloured() {
        assert_eq!(
            highlight(":load a.sumo"),
            format!("{COMMAND}:load{RESET} a.sumo")
        );
    }
}
