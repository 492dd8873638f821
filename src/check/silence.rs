//! Silencing comments in query text.
//!
//! `// sumoql-ignore: SQ002, SQ005` after code silences those codes in its
//! own line. Alone on its line, it silences them in the next line of code
//! and in the whole pipe stage that starts there, and a `union` stage
//! includes its branch. `// sumoql-ignore-file: SQ005` silences a
//! code in the whole file. Text after the codes is a free reason. Errors
//! are never silenced.

use std::collections::HashMap;

use sumoql_syntax::ast::Span;
use sumoql_syntax::{Diagnostic, Severity};

use super::walk::line_of;
use crate::repl::lexer::{tokenize, TokenKind};

const LINE_DIRECTIVE: &str = "sumoql-ignore:";
const FILE_DIRECTIVE: &str = "sumoql-ignore-file:";

#[derive(Debug, Default)]
pub struct Silences {
    /// Line to the codes silenced on it.
    by_line: HashMap<usize, Vec<String>>,
    /// Codes silenced in the whole file.
    file: Vec<String>,
}

impl Silences {
    pub fn parse(source: &str) -> Silences {
        let tokens = tokenize(source);
        let mut silences = Silences::default();
        for (index, token) in tokens.iter().enumerate() {
            if token.kind != TokenKind::Comment {
                continue;
            }
            let Some(body) = token.text(source).strip_prefix("//") else {
                continue;
            };
            let body = body.trim_start();
            if let Some(codes) = body.strip_prefix(FILE_DIRECTIVE) {
                silences.file.extend(parse_codes(codes));
                continue;
            }
            let Some(codes) = body.strip_prefix(LINE_DIRECTIVE) else {
                continue;
            };

            let line = line_of(source, token.start);
            let trailing = tokens[..index]
                .iter()
                .rev()
                .take_while(|earlier| line_of(source, earlier.start) == line)
                .any(|earlier| earlier.is_significant());
            let target = if trailing {
                Some(line)
            } else {
                tokens[index + 1..]
                    .iter()
                    .find(|later| later.is_significant())
                    .map(|later| line_of(source, later.start))
            };
            if let Some(target) = target {
                silences
                    .by_line
                    .entry(target)
                    .or_default()
                    .extend(parse_codes(codes));
            }
        }
        silences
    }

    /// Reports whether a comment silences `finding`. `stages` are the spans
    /// of the query's pipe stages and scopes, so a comment before a stage
    /// silences findings anywhere inside it.
    pub fn silences(&self, finding: &Diagnostic, source: &str, stages: &[Span]) -> bool {
        let Some(code) = finding.code else {
            return false;
        };
        if finding.severity == Severity::Error {
            return false;
        }
        if self.file.iter().any(|silenced| silenced == code) {
            return true;
        }
        let names_code = |line: usize| {
            self.by_line
                .get(&line)
                .is_some_and(|codes| codes.iter().any(|silenced| silenced == code))
        };
        if names_code(line_of(source, finding.span.start)) {
            return true;
        }
        stages
            .iter()
            .filter(|stage| {
                stage.start <= finding.span.start
                    && finding.span.start < stage.end.max(stage.start + 1)
            })
            .any(|stage| names_code(line_of(source, stage.start)))
    }
}

/// Reads the codes at the start of a directive: `SQ001, SQ002 reason…`.
fn parse_codes(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_uppercase)
        .take_while(|word| {
            word.len() > 2
                && word.starts_with("SQ")
                && word[2..].chars().all(|c| c.is_ascii_digit())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(code: &'static str, span: Span) -> Diagnostic {
        Diagnostic::finding(Severity::Warning, code, "w", span, "")
    }

    #[test]
    fn codes_stop_at_reason() {
        assert_eq!(
            parse_codes(" SQ001, sq002 SQ003 because we want it, SQ004"),
            vec!["SQ001", "SQ002", "SQ003"]
        );
    }

    #[test]
    fn comment_alone_silences_next_code_line() {
        let source = "*\n// sumoql-ignore: SQ003\n\n// why\n| where x = 1";
        let silences = Silences::parse(source);
        let at = source.find("x =").unwrap();
        assert!(silences.silences(&warning("SQ003", at..at + 1), source, &[]));
        assert!(!silences.silences(&warning("SQ001", at..at + 1), source, &[]));
    }

    #[test]
    fn trailing_comment_silences_own_line_only() {
        let source = "* | where x = 1 // sumoql-ignore: SQ003\n| where y = 2";
        let silences = Silences::parse(source);
        let x = source.find("x =").unwrap();
        let y = source.find("y =").unwrap();
        assert!(silences.silences(&warning("SQ003", x..x + 1), source, &[]));
        assert!(!silences.silences(&warning("SQ003", y..y + 1), source, &[]));
    }

    #[test]
    fn comment_before_stage_silences_whole_stage() {
        let source = "*\n// sumoql-ignore: SQ002\n| where (\n  a = 1 or\n  b = 2)";
        let silences = Silences::parse(source);
        let stage_start = source.find("where").unwrap();
        let b = source.find("b =").unwrap();
        let finding = warning("SQ002", b..b + 5);
        assert!(!silences.silences(&finding, source, &[]));
        let stage: Span = stage_start..source.len();
        assert!(silences.silences(&finding, source, std::slice::from_ref(&stage)));
    }

    #[test]
    fn file_directive_silences_everywhere() {
        let source = "// sumoql-ignore-file: SQ005\n* | where x = 1";
        let silences = Silences::parse(source);
        assert!(silences.silences(&warning("SQ005", 5..6), source, &[]));
    }

    #[test]
    fn errors_are_never_silenced() {
        let source = "// sumoql-ignore-file: SQ006\n* | timeslice 1h";
        let silences = Silences::parse(source);
        let error = Diagnostic::finding(Severity::Error, "SQ006", "e", 4..13, "");
        assert!(!silences.silences(&error, source, &[]));
    }

    #[test]
    fn directive_inside_string_is_text() {
        let source = "* | where x = \"// sumoql-ignore: SQ003\"";
        let silences = Silences::parse(source);
        assert!(!silences.silences(&warning("SQ003", 10..11), source, &[]));
    }
}
