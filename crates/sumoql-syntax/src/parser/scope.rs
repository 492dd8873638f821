//! The search scope before the first `|`: keywords, quoted phrases,
//! `field=value` terms and their `!=`, `<`, `>`, `<=`, `>=` forms,
//! subqueries, `AND`/`OR`/`NOT`/`!` and parentheses.
//!
//! Precedence is NOT over AND over OR, as in Sumo's keyword search. Terms
//! written side by side are joined with AND. The operator words match in any
//! case; to search for the word itself, quote it (`"and"`).

use super::lexical::{describe, is_bare_char, is_field_name, token_len};
use super::{PResult, QueryParser, Region};
use crate::ast::{BinaryOperator, Scope, Spanned};

const TERM_EXPECTATION: &str = "expected a keyword, a quoted phrase, a `field=value` term or `(`";

/// Returns the bare scope term at the start of `input` and the rest after it.
///
/// A bare term is a run of [`is_bare_char`] characters. It ends at any other
/// character and at `//` unless the `//` follows a `:`, as in `https://`. A
/// `/*` inside a term belongs to the term, so `Labs/IIS/*` is one term.
fn bare_term(input: &str) -> (&str, &str) {
    let mut end = 0;
    let mut previous = None;
    for (index, c) in input.char_indices() {
        if !is_bare_char(c) {
            break;
        }
        if c == '/' && input[index + 1..].starts_with('/') && previous != Some(':') {
            break;
        }
        end = index + c.len_utf8();
        previous = Some(c);
    }
    (&input[end..], &input[..end])
}

/// The operator between a field and its value in a scope term.
#[derive(Debug, Clone, Copy)]
enum ScopeOperator {
    Equal,
    NotEqual,
    /// `<`, `<=`, `>` or `>=`.
    Order(BinaryOperator),
}

/// Recognises the operator of a scope term at the start of `input` and
/// returns the rest after it.
fn scope_operator(input: &str) -> Option<(&str, ScopeOperator)> {
    let operators = [
        ("!=", ScopeOperator::NotEqual),
        ("<=", ScopeOperator::Order(BinaryOperator::LessOrEqual)),
        (">=", ScopeOperator::Order(BinaryOperator::GreaterOrEqual)),
        ("=", ScopeOperator::Equal),
        ("<", ScopeOperator::Order(BinaryOperator::Less)),
        (">", ScopeOperator::Order(BinaryOperator::Greater)),
    ];
    operators
        .iter()
        .find_map(|(text, operator)| input.strip_prefix(text).map(|rest| (rest, *operator)))
}

/// Returns the rest after the bare term at the start of `input` when that
/// term equals `word`, ignoring case.
fn bare_keyword<'s>(input: &'s str, word: &str) -> Option<&'s str> {
    let (rest, term) = bare_term(input);
    term.eq_ignore_ascii_case(word).then_some(rest)
}

/// Returns whether `input` starts a new scope operand, which joins the
/// previous one with an implicit AND.
fn starts_operand(input: &str) -> bool {
    match input.chars().next() {
        Some('"' | '\'' | '(' | '[') => true,
        Some('!') => !input.starts_with("!="),
        Some(c) => is_bare_char(c) && !bare_term(input).1.is_empty(),
        None => false,
    }
}

impl<'s> QueryParser<'s> {
    /// Parses the scope and checks that it ends at a `|` or the region end.
    pub(super) fn scope_clause(
        &self,
        input: &'s str,
        region: Region,
    ) -> PResult<'s, Spanned<Scope>> {
        let (rest, scope) = self.scope_or(input)?;
        let (after_space, ()) = self.space(rest)?;
        if self.at_stage_end(after_space, region) {
            return Ok((after_space, scope));
        }

        let len = token_len(after_space);
        if after_space.starts_with(')') {
            return Err(self.failure(
                after_space,
                len,
                "unmatched `)` in the search scope",
                "this `)` has no matching `(`",
            ));
        }
        Err(self.failure_with_help(
            after_space,
            len,
            format!("unexpected {} in the search scope", describe(after_space)),
            Self::stage_end_expectation(region),
            "enclose terms with spaces or special characters in double quotes, and start each operator with `|`",
        ))
    }

    fn scope_or(&self, input: &'s str) -> PResult<'s, Spanned<Scope>> {
        let (mut rest, mut left) = self.scope_and(input)?;
        loop {
            let (after_space, ()) = self.space(rest)?;
            let Some(after_or) = bare_keyword(after_space, "or") else {
                return Ok((rest, left));
            };
            let (operand_start, ()) = self.space(after_or)?;
            self.check_operand(operand_start, "after `OR`")?;
            let (after_right, right) = self.scope_and(operand_start)?;
            let node = Scope::Or(Box::new(left), Box::new(right));
            left = self.spanned(node, input, after_right);
            rest = after_right;
        }
    }

    fn scope_and(&self, input: &'s str) -> PResult<'s, Spanned<Scope>> {
        let (mut rest, mut left) = self.scope_not(input)?;
        loop {
            let (after_space, ()) = self.space(rest)?;
            let operand_start = if let Some(after_and) = bare_keyword(after_space, "and") {
                self.space(after_and)?.0
            } else if bare_keyword(after_space, "or").is_none() && starts_operand(after_space) {
                after_space
            } else {
                return Ok((rest, left));
            };

            let (after_right, right) = self.scope_operand(operand_start, "after `AND`")?;
            let node = Scope::And(Box::new(left), Box::new(right));
            left = self.spanned(node, input, after_right);
            rest = after_right;
        }
    }

    /// Parses the operand of AND or NOT, where a missing one is an error that
    /// names the operator.
    fn scope_operand(&self, input: &'s str, context: &str) -> PResult<'s, Spanned<Scope>> {
        self.check_operand(input, context)?;
        self.scope_not(input)
    }

    /// Fails unless `input` starts an operand; `context` names what came
    /// before, such as "after `OR`".
    fn check_operand(
        &self,
        input: &'s str,
        context: &str,
    ) -> Result<(), nom::Err<super::SyntaxError>> {
        if starts_operand(input) {
            return Ok(());
        }
        Err(self.failure(
            input,
            token_len(input),
            format!(
                "expected a search term {context}, found {}",
                describe(input)
            ),
            TERM_EXPECTATION,
        ))
    }

    fn scope_not(&self, input: &'s str) -> PResult<'s, Spanned<Scope>> {
        let after_operator = if input.starts_with('!') && !input.starts_with("!=") {
            Some(&input[1..])
        } else {
            bare_keyword(input, "not")
        };
        let Some(after_operator) = after_operator else {
            return self.scope_atom(input);
        };

        let _guard = self.enter(input)?;
        let (operand_start, ()) = self.space(after_operator)?;
        let (rest, operand) = self.scope_operand(operand_start, "after `NOT`")?;
        Ok((
            rest,
            self.spanned(Scope::Not(Box::new(operand)), input, rest),
        ))
    }

    fn scope_atom(&self, input: &'s str) -> PResult<'s, Spanned<Scope>> {
        if let Some(inside) = input.strip_prefix('(') {
            return self.scope_group(input, inside);
        }
        if input.starts_with('[') {
            let (rest, subquery) = self.subquery(input)?;
            let span = subquery.span.clone();
            return Ok((
                rest,
                Spanned::new(Scope::Subquery(Box::new(subquery)), span),
            ));
        }
        if input.starts_with("%\"") {
            let (after_name, name) = self.field_name(input)?;
            let (operator_at, ()) = self.space(after_name)?;
            return match scope_operator(operator_at) {
                Some((value_start, operator)) => {
                    self.scope_comparison(input, &name.node, value_start, operator, true)
                }
                None => Err(self.failure_with_help(
                    operator_at,
                    token_len(operator_at),
                    format!(
                        "expected `=` after the field name, found {}",
                        describe(operator_at)
                    ),
                    "expected `=`, `!=`, `<`, `>`, `<=` or `>=`",
                    "a quoted field name in the scope starts a term such as `%\"x-id\"=abc`",
                )),
            };
        }
        if input.starts_with(['"', '\'']) {
            let (rest, phrase) = self.string_literal(input)?;
            let node = Scope::Keyword {
                text: phrase.node,
                quoted: true,
            };
            return Ok((rest, Spanned::new(node, phrase.span)));
        }

        let (after_term, term) = bare_term(input);
        if term.is_empty() {
            return Err(self.failure_with_help(
                input,
                token_len(input),
                format!("unexpected {} in the search scope", describe(input)),
                TERM_EXPECTATION,
                "enclose terms with spaces or special characters in double quotes",
            ));
        }
        if ["and", "or", "not"]
            .iter()
            .any(|word| term.eq_ignore_ascii_case(word))
        {
            return Err(self.failure_with_help(
                input,
                term.len(),
                format!("expected a search term, found the operator `{term}`"),
                TERM_EXPECTATION,
                format!("to search for the word itself, quote it: \"{term}\""),
            ));
        }

        let (after_space, ()) = self.space(after_term)?;
        if let Some((value_start, operator)) = scope_operator(after_space) {
            return self.scope_comparison(input, term, value_start, operator, false);
        }

        let node = if term == "*" {
            Scope::All
        } else {
            Scope::Keyword {
                text: term.to_string(),
                quoted: false,
            }
        };
        Ok((after_term, self.spanned(node, input, after_term)))
    }

    fn scope_group(&self, open: &'s str, inside: &'s str) -> PResult<'s, Spanned<Scope>> {
        let _guard = self.enter(open)?;
        let (operand_start, ()) = self.space(inside)?;
        self.check_operand(operand_start, "after `(`")?;
        let (rest, scope) = self.scope_or(operand_start)?;

        let (after_space, ()) = self.space(rest)?;
        let Some(after_close) = after_space.strip_prefix(')') else {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(open));
            return Err(self.failure_with_help(
                after_space,
                token_len(after_space),
                format!(
                    "expected `)` to close the group, found {}",
                    describe(after_space)
                ),
                "expected `)`",
                format!("the group opened with `(` at line {line}, column {column}"),
            ));
        };
        // The group's span includes its parentheses.
        Ok((after_close, self.spanned(scope.node, open, after_close)))
    }

    /// Parses the value of `field=value`, `field!=value` or `field>value`
    /// and the other orderings; `input` starts at the field name and
    /// `value_start` right after the operator. `quoted_name` is set for a
    /// `%"…"` field name, which needs no check.
    fn scope_comparison(
        &self,
        input: &'s str,
        field: &str,
        value_start: &'s str,
        operator: ScopeOperator,
        quoted_name: bool,
    ) -> PResult<'s, Spanned<Scope>> {
        if !quoted_name && !is_field_name(field) {
            return Err(self.failure_with_help(
                input,
                field.len(),
                format!("invalid field name `{field}` before `=`"),
                "not a field name",
                "a field name has letters, digits, `_` and `.`, and does not start with a digit; quote the text to search for it as a phrase",
            ));
        }

        let (value_start, ()) = self.space(value_start)?;
        let (rest, value, quoted) = if value_start.starts_with(['"', '\'']) {
            let (rest, value) = self.string_literal(value_start)?;
            (rest, value.node, true)
        } else {
            let (rest, value) = bare_term(value_start);
            if value.is_empty() {
                return Err(self.failure_with_help(
                    value_start,
                    token_len(value_start),
                    format!(
                        "expected a value after `{field}=`, found {}",
                        describe(value_start)
                    ),
                    "expected a value",
                    "write a value such as `windows/sysmon`, or quote it if it has spaces",
                ));
            }
            (rest, value.to_string(), false)
        };

        let node = match operator {
            ScopeOperator::Equal => Scope::Term {
                field: field.to_string(),
                negated: false,
                value,
                quoted,
            },
            ScopeOperator::NotEqual => Scope::Term {
                field: field.to_string(),
                negated: true,
                value,
                quoted,
            },
            ScopeOperator::Order(operator) => Scope::Compare {
                field: field.to_string(),
                operator,
                value,
                quoted,
            },
        };
        Ok((rest, self.spanned(node, input, rest)))
    }
}
