//! Recursive-descent parser for query text, built from nom 8 combinators.
//!
//! Conventions shared by the submodules:
//! - A parser function takes the remaining input positioned at a token and
//!   returns the rest right after its last token. It never consumes the
//!   whitespace or comments that follow, so node spans end at the last token.
//! - Every remainder is a suffix of the text given to [`parse_query`], so a
//!   byte offset is the source length minus the remainder length.
//! - `nom::Err::Error` means "this alternative does not apply" and lets a
//!   caller try another one. `nom::Err::Failure` carries a finished
//!   diagnostic and abandons the current pipe stage.

mod analytics;
mod expr;
mod extract;
pub(crate) mod lexical;
mod options;
mod recovery;
mod scope;
mod stage;
mod tables;

pub(crate) use stage::OPERATORS;

use std::cell::{Cell, RefCell};

use nom::error::{ErrorKind, ParseError};
use nom::IResult;

use crate::ast::{Query, Span, Spanned, Stage};
use crate::diagnostic::Diagnostic;

/// Parses a whole query. Every byte must belong to the query: trailing text
/// that is not a valid stage is an error.
///
/// A broken stage does not stop the parse: its diagnostic is recorded and
/// parsing resumes at the next `|` that is not inside a string, comment,
/// bracket or parenthesis, so one call reports every broken stage. The
/// diagnostics are returned in source order.
pub fn parse_query(text: &str) -> Result<Query, Vec<Diagnostic>> {
    let parser = QueryParser::new(text);
    let (_, query) = parser.query_body(text, Region::Whole, Lead::Scope);

    let mut diagnostics = parser.diagnostics.into_inner();
    if diagnostics.is_empty() {
        Ok(query)
    } else {
        diagnostics.sort_by_key(|diagnostic| diagnostic.span.start);
        Err(diagnostics)
    }
}

/// Maximum nesting of parentheses, function calls, prefix operators and
/// subqueries. Deeper input is rejected with a diagnostic instead of
/// overflowing the stack. Each level of parentheses costs about a dozen
/// recursive calls, so the limit is low enough for a debug build to stay
/// within the 2 MiB stack that Rust gives spawned threads by default.
const MAX_NESTING: usize = 32;

/// The text a query body may span: the whole input, the inside of
/// `union [ … ]` or `[subquery: …]`, which ends at the `]` that closes it, or
/// the inside of the parentheses of `join`, `filter` and `transactionize`,
/// which ends at the `)` that closes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Whole,
    Bracket,
    Paren,
}

impl Region {
    /// Returns the character that closes the region, if any.
    fn closer(self) -> Option<char> {
        match self {
            Region::Whole => None,
            Region::Bracket => Some(']'),
            Region::Paren => Some(')'),
        }
    }
}

/// What the text before the first `|` of a query body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// A search scope, as in a whole query or a subquery.
    Scope,
    /// A stage without a leading `|`, or else a scope: the inner queries of
    /// `join`, `filter` and `transactionize` start either way in Sumo's
    /// examples, as in `(parse "…" as a)` and `(* | count by a)`.
    StageOrScope,
}

/// A syntax error found while parsing, not yet tied to the source text.
#[derive(Debug)]
struct SyntaxError {
    /// Length of the input that remained where the problem starts. The byte
    /// offset is the source length minus this value.
    remaining: usize,
    /// Length in bytes of the offending text, 0 for a point.
    len: usize,
    message: String,
    label: String,
    help: Option<String>,
}

impl SyntaxError {
    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl<'s> ParseError<&'s str> for SyntaxError {
    // Errors built here only decide between alternatives, and there are many
    // of them, so they allocate nothing: an empty message stands for
    // "unexpected <token>", which `record` fills in should one ever be reported.
    fn from_error_kind(input: &'s str, _kind: ErrorKind) -> Self {
        SyntaxError {
            remaining: input.len(),
            len: 0,
            message: String::new(),
            label: String::new(),
            help: None,
        }
    }

    fn append(_input: &'s str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    // Of two failed alternatives, the one that got further explains more.
    fn or(self, other: Self) -> Self {
        if other.remaining <= self.remaining {
            other
        } else {
            self
        }
    }
}

type PResult<'s, T> = IResult<&'s str, T, SyntaxError>;

/// Parser state shared by all grammar functions of one `parse_query` call.
struct QueryParser<'s> {
    source: &'s str,
    diagnostics: RefCell<Vec<Diagnostic>>,
    depth: Cell<usize>,
}

/// Decrements the nesting depth when a nested construct is left.
struct NestingGuard<'p> {
    depth: &'p Cell<usize>,
}

impl Drop for NestingGuard<'_> {
    fn drop(&mut self) {
        self.depth.set(self.depth.get() - 1);
    }
}

impl<'s> QueryParser<'s> {
    fn new(source: &'s str) -> Self {
        QueryParser {
            source,
            diagnostics: RefCell::new(Vec::new()),
            depth: Cell::new(0),
        }
    }

    fn offset(&self, rest: &str) -> usize {
        self.source.len() - rest.len()
    }

    /// Returns the byte range from the start of `from` to the start of `to`,
    /// where both are remainders of the source and `to` is a suffix of `from`.
    fn span(&self, from: &str, to: &str) -> Span {
        self.offset(from)..self.offset(to)
    }

    fn spanned<T>(&self, node: T, from: &str, to: &str) -> Spanned<T> {
        Spanned::new(node, self.span(from, to))
    }

    fn end_of_source(&self) -> &'s str {
        &self.source[self.source.len()..]
    }

    /// Builds a `Failure` that points at `len` bytes from the start of `at`.
    fn failure(
        &self,
        at: &str,
        len: usize,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> nom::Err<SyntaxError> {
        nom::Err::Failure(SyntaxError {
            remaining: at.len(),
            len,
            message: message.into(),
            label: label.into(),
            help: None,
        })
    }

    /// Like [`Self::failure`], with a help line.
    fn failure_with_help(
        &self,
        at: &str,
        len: usize,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> nom::Err<SyntaxError> {
        match self.failure(at, len, message, label) {
            nom::Err::Failure(error) => nom::Err::Failure(error.with_help(help)),
            other => other,
        }
    }

    /// Turns a recoverable `Error` from `result` into a `Failure` at the
    /// token starting at `at`; a `Failure` passes through unchanged.
    fn expect<T>(
        &self,
        result: PResult<'s, T>,
        at: &'s str,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> PResult<'s, T> {
        match result {
            Err(nom::Err::Error(_)) => {
                Err(self.failure(at, lexical::token_len(at), message, label))
            }
            other => other,
        }
    }

    /// Enters one level of nesting, failing when [`MAX_NESTING`] is reached.
    fn enter(&self, at: &'s str) -> Result<NestingGuard<'_>, nom::Err<SyntaxError>> {
        if self.depth.get() >= MAX_NESTING {
            return Err(self.failure_with_help(
                at,
                lexical::token_len(at),
                "the query is nested too deeply",
                format!("more than {MAX_NESTING} nested levels"),
                "split the expression into several stages",
            ));
        }
        self.depth.set(self.depth.get() + 1);
        Ok(NestingGuard { depth: &self.depth })
    }

    /// Converts a parse error into a diagnostic, stores it and returns its
    /// byte offset.
    fn record(&self, error: nom::Err<SyntaxError>) -> usize {
        let error = match error {
            nom::Err::Error(error) | nom::Err::Failure(error) => error,
            // Only the streaming parsers of nom return `Incomplete`, and
            // none are used; report it at the end rather than panic.
            nom::Err::Incomplete(_) => SyntaxError {
                remaining: 0,
                len: 0,
                message: "unexpected end of the query".to_string(),
                label: "more text was expected".to_string(),
                help: None,
            },
        };

        let start = self.source.len() - error.remaining.min(self.source.len());
        let (message, label, len) = if error.message.is_empty() {
            let at = &self.source[start..];
            let message = format!("unexpected {}", lexical::describe(at));
            (
                message,
                "unexpected text".to_string(),
                lexical::token_len(at),
            )
        } else {
            (error.message, error.label, error.len)
        };
        let end = (start + len).min(self.source.len());
        let mut diagnostic = Diagnostic::error(message, start..end, label);
        diagnostic.help = error.help;
        self.diagnostics.borrow_mut().push(diagnostic);
        start
    }

    /// Skips whitespace and comments; an unterminated block comment is
    /// recorded and the rest of the source is skipped.
    fn skip_space_or_record(&self, input: &'s str) -> &'s str {
        match self.space(input) {
            Ok((rest, ())) => rest,
            Err(error) => {
                self.record(error);
                self.end_of_source()
            }
        }
    }

    fn at_region_end(&self, input: &str, region: Region) -> bool {
        input.is_empty()
            || region
                .closer()
                .is_some_and(|closer| input.starts_with(closer))
    }

    fn at_stage_end(&self, input: &str, region: Region) -> bool {
        self.at_region_end(input, region) || input.starts_with('|')
    }

    /// Returns the label that names what may follow the end of a stage.
    fn stage_end_expectation(region: Region) -> &'static str {
        match region {
            Region::Whole => "expected `|` or the end of the query",
            Region::Bracket => "expected `|` or the `]` that closes the subquery",
            Region::Paren => "expected `|` or the `)` that closes the subquery",
        }
    }

    /// Parses a scope and its pipe stages up to the end of `region`, recording
    /// diagnostics instead of stopping. Returns the rest, which starts at the
    /// closing `]` or `)` of a bracket or parenthesis region or is empty.
    fn query_body(&self, input: &'s str, region: Region, lead: Lead) -> (&'s str, Query) {
        let mut query = Query {
            scope: None,
            stages: Vec::new(),
        };
        let mut rest = self.skip_space_or_record(input);

        if !self.at_stage_end(rest, region) {
            let leading_stage = match lead {
                Lead::StageOrScope => self.try_leading_stage(rest, region),
                Lead::Scope => None,
            };
            if let Some((after, stage)) = leading_stage {
                query.stages.push(stage);
                rest = after;
            } else {
                let scope_start = rest;
                match self.scope_clause(rest, region) {
                    Ok((after, scope)) => {
                        query.scope = Some(scope);
                        rest = after;
                    }
                    Err(error) => {
                        let error_offset = self.record(error);
                        rest = self.resume_after_error(scope_start, error_offset, region);
                    }
                }
            }
        }

        loop {
            rest = self.skip_space_or_record(rest);
            if self.at_region_end(rest, region) {
                break;
            }

            // Every path above leaves `rest` at a `|` or at the region end.
            debug_assert!(rest.starts_with('|'), "stage loop resumed at {rest:?}");
            let after_pipe = rest.get(1..).unwrap_or_default();
            match self.stage_clause(rest, region) {
                Ok((after, stage)) => {
                    query.stages.push(stage);
                    rest = after;
                }
                Err(error) => {
                    let error_offset = self.record(error);
                    rest = self.resume_after_error(after_pipe, error_offset, region);
                }
            }
        }

        (rest, query)
    }

    /// Returns the remainder at which parsing resumes after an error in the
    /// clause that starts at `clause_start`.
    fn resume_after_error(
        &self,
        clause_start: &'s str,
        error_offset: usize,
        region: Region,
    ) -> &'s str {
        let error_at = error_offset.saturating_sub(self.offset(clause_start));
        let resume = recovery::resume_offset(clause_start, error_at, region.closer());
        &clause_start[resume..]
    }

    /// Tries to parse a stage written without a leading `|` at `input`.
    /// Returns it when it parses and ends where a stage may end; otherwise
    /// leaves no trace, so the caller can parse a scope instead.
    fn try_leading_stage(
        &self,
        input: &'s str,
        region: Region,
    ) -> Option<(&'s str, Spanned<Stage>)> {
        let recorded = self.diagnostics.borrow().len();
        let attempt = self.stage(input).ok().and_then(|(end, stage)| {
            let (after_space, ()) = self.space(end).ok()?;
            self.at_stage_end(after_space, region)
                .then(|| (after_space, self.spanned(stage, input, end)))
        });
        if attempt.is_none() {
            self.diagnostics.borrow_mut().truncate(recorded);
        }
        attempt
    }
}
