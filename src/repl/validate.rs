//! Decides whether the text entered so far is a whole query, so that Enter
//! runs it or starts a new line.

use rustyline::validate::{ValidationContext, ValidationResult, Validator};

use super::lexer::{tokenize, TokenKind};

/// Whether Enter runs the text or continues it on a new line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// More lines are needed, for the reason given.
    Incomplete(OpenConstruct),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenConstruct {
    String,
    BlockComment,
    /// A `(`, `[` or `{` without its closing partner.
    Bracket,
    /// The last thing entered is `|`, so a stage must follow.
    TrailingPipe,
    /// Only comments so far: a query starting with a comment line, as the
    /// shipped detection does, is still to come.
    OnlyComments,
}

/// Classifies `text`. Empty text and `:` commands are complete. Brackets
/// that close more than they open are left for the parser to report.
pub fn completeness(text: &str) -> Completeness {
    if text.trim_start().starts_with(':') {
        return Completeness::Complete;
    }

    let tokens = tokenize(text);
    let mut open_brackets = 0usize;
    for token in &tokens {
        match token.kind {
            TokenKind::String if !token.closed => {
                return Completeness::Incomplete(OpenConstruct::String)
            }
            TokenKind::Comment if !token.closed => {
                return Completeness::Incomplete(OpenConstruct::BlockComment)
            }
            TokenKind::Open => open_brackets += 1,
            TokenKind::Close => open_brackets = open_brackets.saturating_sub(1),
            _ => {}
        }
    }
    if open_brackets > 0 {
        return Completeness::Incomplete(OpenConstruct::Bracket);
    }

    let last_significant = tokens.iter().rev().find(|token| token.is_significant());
    match last_significant {
        Some(token) if token.kind == TokenKind::Pipe => {
            Completeness::Incomplete(OpenConstruct::TrailingPipe)
        }
        Some(_) => Completeness::Complete,
        None if tokens.iter().any(|token| token.kind == TokenKind::Comment) => {
            Completeness::Incomplete(OpenConstruct::OnlyComments)
        }
        None => Completeness::Complete,
    }
}

/// The rustyline side of [`completeness`].
pub struct QueryValidator;

impl Validator for QueryValidator {
    fn validate(&self, context: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match completeness(context.input()) {
            Completeness::Complete => ValidationResult::Valid(None),
            Completeness::Incomplete(_) => ValidationResult::Incomplete,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incomplete(text: &str) -> OpenConstruct {
        match completeness(text) {
            Completeness::Incomplete(reason) => reason,
            Completeness::Complete => panic!("expected incomplete: {text:?}"),
        }
    }

    fn assert_complete(text: &str) {
        assert_eq!(completeness(text), Completeness::Complete, "{text:?}");
    }

    #[test]
    fn single_line_queries_are_complete() {
        assert_complete("* | count");
        assert_complete(
            "_sourceCategory=windows/sysmon | where EventID = 1 | count by _sourceHost",
        );
        assert_complete("");
        assert_complete("   ");
    }

    #[test]
    fn trailing_pipe_is_incomplete() {
        assert_eq!(
            incomplete("* | where EventID = 1 |"),
            OpenConstruct::TrailingPipe
        );
        assert_eq!(incomplete("* |   \n"), OpenConstruct::TrailingPipe);
        assert_eq!(
            incomplete("* | // more to come"),
            OpenConstruct::TrailingPipe
        );
    }

    #[test]
    fn open_brackets_are_incomplete() {
        assert_eq!(incomplete("* | where ("), OpenConstruct::Bracket);
        assert_eq!(
            incomplete("* | union [\n  * | where EventID = 3"),
            OpenConstruct::Bracket
        );
        assert_eq!(incomplete("* | where concat(a,"), OpenConstruct::Bracket);
        assert_complete("* | union [ * | where EventID = 3 ] | count");
    }

    #[test]
    fn open_strings_and_comments_are_incomplete() {
        assert_eq!(incomplete("* | parse \"<Image>"), OpenConstruct::String);
        assert_eq!(incomplete("* | where a = 'x"), OpenConstruct::String);
        assert_eq!(incomplete("* /* note"), OpenConstruct::BlockComment);
        assert_eq!(
            incomplete("// Branch 1: package managers"),
            OpenConstruct::OnlyComments
        );
        assert_complete("* | where a = \"x\" /* done */");
    }

    #[test]
    fn brackets_inside_literals_do_not_count() {
        assert_complete("* | parse \"<![CDATA[*]]>\" as a");
        assert_complete("* | where a matches /x(y/");
        assert_complete("* | where a = \")\" // (");
    }

    #[test]
    fn extra_closing_brackets_are_for_the_parser() {
        assert_complete("* | where a = 1)");
    }

    #[test]
    fn commands_are_complete() {
        assert_complete(":save my(query.sumo");
        assert_complete("  :help");
    }

    #[test]
    fn shipped_query_is_complete_only_at_its_end() {
        let query = include_str!("../../queries/t1204_005_malicious_library.sumo");
        assert_complete(query);
        let lines: Vec<&str> = query.lines().collect();
        let union_start = lines
            .iter()
            .position(|line| line.contains("| union ["))
            .unwrap();
        let partial = lines[..union_start + 3].join("\n");
        assert_eq!(incomplete(&partial), OpenConstruct::Bracket);
    }
}
