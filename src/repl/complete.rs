//! Tab completion: command names and their arguments, operator names after
//! `|`, function names, keywords, and the field names of the loaded input
//! and of the query being typed.

use rustyline::completion::Pair;

use super::commands::{format_names, COMMANDS, RAW_NAMES};
use super::lexer::{tokenize, TokenKind};
use super::vocabulary::{stage_words, METADATA_FIELDS, OPERATORS};

/// The completions at the cursor.
pub enum Completion {
    /// Replace the text from `start` to the cursor with one of `candidates`.
    Words { start: usize, candidates: Vec<Pair> },
    /// The cursor is on a file path argument, which rustyline's file name
    /// completer handles.
    Path,
}

/// Lists the completions for the text before `cursor` (a byte offset in `line`).
/// `input_fields` are the field names found in the loaded input.
pub fn complete(line: &str, cursor: usize, input_fields: &[String]) -> Completion {
    let before = &line[..cursor];
    if before.trim_start().starts_with(':') {
        return complete_command(before);
    }

    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |index| index + 1);
    let prefix = &before[start..];
    let tokens = tokenize(&line[..start]);

    let last = tokens.last();
    let in_comment = last.is_some_and(|token| {
        token.kind == TokenKind::Comment && is_open_at_end(token, line, start)
    });
    if in_comment {
        return Completion::Words {
            start,
            candidates: Vec::new(),
        };
    }
    let in_string = last.is_some_and(|token| token.kind == TokenKind::String && !token.closed);

    let mut names: Vec<(String, String)> = Vec::new();
    if in_string {
        // Inside a string, as in a `parse` anchor `"<Ima`, only field names make sense.
        push_fields(&mut names, input_fields, line);
    } else {
        let previous = tokens.iter().rev().find(|token| token.is_significant());
        let after_pipe = previous.is_some_and(|token| token.kind == TokenKind::Pipe);
        let in_scope = last.is_none_or(|token| token.in_scope && token.kind != TokenKind::Pipe);
        if after_pipe {
            for operator in OPERATORS {
                names.push((operator.to_string(), operator.to_string()));
            }
        }
        if in_scope {
            for word in ["AND", "OR", "NOT"] {
                names.push((word.to_string(), word.to_string()));
            }
            push_fields(&mut names, input_fields, line);
        } else {
            push_functions(&mut names);
            push_fields(&mut names, input_fields, line);
            if !after_pipe {
                for word in stage_words() {
                    names.push((word.to_string(), word.to_string()));
                }
            }
        }
    }

    Completion::Words {
        start,
        candidates: matching(names, prefix),
    }
}

/// Returns whether a comment token is still going on at `offset`: a line
/// comment until its newline, a block comment until its `*/`.
fn is_open_at_end(token: &super::lexer::Token, line: &str, offset: usize) -> bool {
    let text = token.text(line);
    if text.starts_with("//") {
        token.end == offset
    } else {
        !token.closed
    }
}

fn push_functions(names: &mut Vec<(String, String)>) {
    for function in sumoql_engine::function_names() {
        names.push((format!("{function}("), format!("{function}(")));
    }
}

/// Adds the metadata fields, the fields of the input, and the names the
/// query itself creates with `as`.
fn push_fields(names: &mut Vec<(String, String)>, input_fields: &[String], line: &str) {
    for field in METADATA_FIELDS {
        names.push((field.to_string(), field.to_string()));
    }
    for field in input_fields {
        names.push((field.clone(), field.clone()));
    }
    for field in names_created_by_as(line) {
        names.push((field.clone(), field));
    }
}

/// Returns the names that follow `as` in `text`, such as `ChildImage` in
/// `parse "…" as ChildImage nodrop`, including the later names of a list
/// (`as a, b`).
fn names_created_by_as(text: &str) -> Vec<String> {
    let significant: Vec<_> = tokenize(text)
        .into_iter()
        .filter(|token| token.is_significant())
        .collect();
    let mut names = Vec::new();
    for (index, token) in significant.iter().enumerate() {
        if token.kind != TokenKind::Word || !token.text(text).eq_ignore_ascii_case("as") {
            continue;
        }
        let mut next = index + 1;
        while let Some(name) = significant
            .get(next)
            .filter(|token| token.kind == TokenKind::Word)
        {
            names.push(name.text(text).to_string());
            let comma_follows = significant
                .get(next + 1)
                .is_some_and(|token| token.text(text) == ",");
            if !comma_follows {
                break;
            }
            next += 2;
        }
    }
    names
}

/// Keeps the names that start with `prefix`, ignoring ASCII case, without
/// case-insensitive duplicates, in the order given.
fn matching(names: Vec<(String, String)>, prefix: &str) -> Vec<Pair> {
    let prefix = prefix.to_ascii_lowercase();
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|(display, _)| display.to_ascii_lowercase().starts_with(&prefix))
        .filter(|(display, _)| seen.insert(display.to_ascii_lowercase()))
        .map(|(display, replacement)| Pair {
            display,
            replacement,
        })
        .collect()
}

fn complete_command(before: &str) -> Completion {
    let leading = before.len() - before.trim_start().len();
    let command_text = &before[leading..];
    let Some(space) = command_text.find(char::is_whitespace) else {
        let names = COMMANDS
            .iter()
            .map(|command| (command.name.to_string(), command.name.to_string()))
            .collect();
        return Completion::Words {
            start: leading,
            candidates: matching(names, command_text),
        };
    };

    let command = &command_text[..space];
    let argument_start = before
        .rfind(char::is_whitespace)
        .map_or(before.len(), |index| index + 1);
    let argument = &before[argument_start..];
    let choices: Vec<String> = match command {
        ":format" => format_names(),
        ":raw" => RAW_NAMES.iter().map(|name| name.to_string()).collect(),
        ":rows" => vec!["all".to_string()],
        ":category" => vec!["channel".to_string()],
        ":load" | ":save" | ":input" => return Completion::Path,
        _ => Vec::new(),
    };
    let names = choices
        .into_iter()
        .map(|choice| (choice.clone(), choice))
        .collect();
    Completion::Words {
        start: argument_start,
        candidates: matching(names, argument),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str, fields: &[&str]) -> (usize, Vec<String>) {
        let fields: Vec<String> = fields.iter().map(|field| field.to_string()).collect();
        match complete(line, line.len(), &fields) {
            Completion::Words { start, candidates } => (
                start,
                candidates
                    .into_iter()
                    .map(|pair| pair.replacement)
                    .collect(),
            ),
            Completion::Path => panic!("expected words for {line:?}"),
        }
    }

    #[test]
    fn operator_after_pipe() {
        let (start, candidates) = words("* | wh", &[]);
        assert_eq!(start, 4);
        assert_eq!(candidates, vec!["where"]);
    }

    #[test]
    fn operators_come_first_after_pipe() {
        let (_, candidates) = words("* | co", &[]);
        assert_eq!(candidates[0], "count");
        assert_eq!(candidates[1], "count_distinct");
        assert!(
            candidates.contains(&"concat(".to_string()),
            "{candidates:?}"
        );
    }

    #[test]
    fn field_names_from_input_ignore_case() {
        let (start, candidates) = words("* | where eve", &["EventID", "Image"]);
        assert_eq!(start, 10);
        assert_eq!(candidates, vec!["EventID"]);
    }

    #[test]
    fn metadata_fields_in_scope() {
        let (_, candidates) = words("_sourceC", &[]);
        assert_eq!(candidates, vec!["_sourceCategory"]);
    }

    #[test]
    fn function_names_get_a_parenthesis() {
        let (_, candidates) = words("* | where isN", &[]);
        assert!(
            candidates.contains(&"isNull(".to_string()),
            "{candidates:?}"
        );
        assert!(
            candidates.contains(&"isNumeric(".to_string()),
            "{candidates:?}"
        );
    }

    #[test]
    fn keywords_inside_stages() {
        let (_, candidates) = words("* | parse \"a*b\" as x nod", &[]);
        assert_eq!(candidates, vec!["nodrop"]);
    }

    #[test]
    fn names_created_by_the_query() {
        let line = "* | parse \"<Image>*</Image>\" as ChildImage, Other nodrop | where Chi";
        let (_, candidates) = words(line, &[]);
        assert_eq!(candidates, vec!["ChildImage"]);
        assert_eq!(names_created_by_as(line), vec!["ChildImage", "Other"]);
    }

    #[test]
    fn field_names_inside_a_parse_anchor() {
        let (start, candidates) = words("* | parse \"<Ima", &["Image", "ImageLoaded"]);
        assert_eq!(start, 12);
        assert_eq!(candidates, vec!["Image", "ImageLoaded"]);
    }

    #[test]
    fn nothing_inside_a_comment() {
        let (_, candidates) = words("* | count // wh", &[]);
        assert!(candidates.is_empty(), "{candidates:?}");
    }

    #[test]
    fn command_names() {
        let (start, candidates) = words(":f", &[]);
        assert_eq!(start, 0);
        assert_eq!(candidates, vec![":format", ":fields"]);
    }

    #[test]
    fn command_arguments() {
        assert_eq!(words(":format c", &[]), (8, vec!["csv".to_string()]));
        assert_eq!(words(":raw ", &[]).1, vec!["canonical", "original"]);
        assert!(matches!(complete(":load que", 9, &[]), Completion::Path));
        assert!(matches!(complete(":input a b", 10, &[]), Completion::Path));
    }
}
