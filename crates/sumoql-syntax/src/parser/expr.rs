//! Expressions of `where`, `as`, `sort by`, `by` lists and function
//! arguments.
//!
//! Precedence from lowest to highest:
//!
//! | level          | operators                                              |
//! |----------------|--------------------------------------------------------|
//! | conditional    | `c ? a : b` (right-associative)                        |
//! | or             | `or`                                                   |
//! | and            | `and`                                                  |
//! | not            | prefix `not`                                           |
//! | comparison     | `= == != <> < > <= >=`, `matches`, `in`, `not in` (one per operand, not chained) |
//! | additive       | `+ -`                                                  |
//! | multiplicative | `* / %`                                                |
//! | prefix         | `-`, `!`                                               |
//! | primary        | literal, field, call, `( … )`                          |
//!
//! `!` binds to the operand right after it, so `!isNull(x)` and
//! `!(x matches "a*")` negate the call and the group, while `!x = 1` reads
//! as `(!x) = 1`. The word `not` sits below the comparisons, so
//! `not x = 1` reads as `not (x = 1)`. Keywords match in any case.

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::combinator::value;
use nom::Parser;

use super::lexical::{bare_field_name, describe, match_keyword, token_len, NumberLiteral};
use super::{PResult, QueryParser, SyntaxError};
use crate::ast::{BinaryOperator, Expr, Spanned};

/// Words that cannot be field names in an expression. Quote a field with
/// such a name: `%"in"`.
const RESERVED_WORDS: [&str; 6] = ["and", "or", "not", "matches", "in", "as"];

const EXPRESSION_EXPECTATION: &str = "expected a field, a literal, a function call or `(`";

fn comparison_operator(input: &str) -> PResult<'_, BinaryOperator> {
    alt((
        value(BinaryOperator::Equal, tag("==")),
        value(BinaryOperator::NotEqual, tag("!=")),
        value(BinaryOperator::NotEqual, tag("<>")),
        value(BinaryOperator::LessOrEqual, tag("<=")),
        value(BinaryOperator::GreaterOrEqual, tag(">=")),
        value(BinaryOperator::Equal, tag("=")),
        value(BinaryOperator::Less, tag("<")),
        value(BinaryOperator::Greater, tag(">")),
    ))
    .parse(input)
}

fn additive_operator(input: &str) -> PResult<'_, BinaryOperator> {
    alt((
        value(BinaryOperator::Add, tag("+")),
        value(BinaryOperator::Subtract, tag("-")),
    ))
    .parse(input)
}

/// Parses `*`, `/` or `%`. A `//` or `/*` is never division. Comments are
/// skipped before an operator is read, so only a `//` right after `:` gets
/// here, and parsing fails at it later.
fn multiplicative_operator(input: &str) -> PResult<'_, BinaryOperator> {
    if input.starts_with("//") || input.starts_with("/*") {
        return Err(nom::Err::Error(SyntaxError::from_input(input)));
    }
    alt((
        value(BinaryOperator::Multiply, tag("*")),
        value(BinaryOperator::Divide, tag("/")),
        value(BinaryOperator::Remainder, tag("%")),
    ))
    .parse(input)
}

fn keyword_operator<'s>(
    word: &'static str,
    operator: BinaryOperator,
) -> impl Fn(&'s str) -> PResult<'s, BinaryOperator> {
    move |input| match match_keyword(input, word) {
        Some(rest) => Ok((rest, operator)),
        None => Err(nom::Err::Error(SyntaxError::from_input(input))),
    }
}

impl<'s> QueryParser<'s> {
    /// Parses a full expression, the conditional level.
    pub(super) fn expression(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let _guard = self.enter(input)?;
        let (rest, condition) = self.or_expression(input)?;
        let Some(after_question) = self.space_then_char(rest, '?')? else {
            return Ok((rest, condition));
        };

        let (then_start, ()) = self.space(after_question)?;
        let (after_then, then) = self.expression(then_start)?;
        let (colon_at, ()) = self.space(after_then)?;
        let Some(after_colon) = colon_at.strip_prefix(':') else {
            return Err(self.failure(
                colon_at,
                token_len(colon_at),
                format!(
                    "expected `:` in the conditional expression, found {}",
                    describe(colon_at)
                ),
                "expected `:` and the value for false",
            ));
        };
        let (otherwise_start, ()) = self.space(after_colon)?;
        let (rest, otherwise) = self.expression(otherwise_start)?;

        let node = Expr::Conditional {
            condition: Box::new(condition),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        };
        Ok((rest, self.spanned(node, input, rest)))
    }

    fn or_expression(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        self.left_associative(
            input,
            Self::and_expression,
            keyword_operator("or", BinaryOperator::Or),
        )
    }

    fn and_expression(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        self.left_associative(
            input,
            Self::not_expression,
            keyword_operator("and", BinaryOperator::And),
        )
    }

    fn additive(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        self.left_associative(input, Self::multiplicative, additive_operator)
    }

    fn multiplicative(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        self.left_associative(input, Self::prefix, multiplicative_operator)
    }

    /// Parses `operand (operator operand)*` and folds it to the left.
    fn left_associative(
        &self,
        input: &'s str,
        operand: fn(&Self, &'s str) -> PResult<'s, Spanned<Expr>>,
        operator: impl Fn(&'s str) -> PResult<'s, BinaryOperator>,
    ) -> PResult<'s, Spanned<Expr>> {
        let (mut rest, mut left) = operand(self, input)?;
        loop {
            let (operator_start, ()) = self.space(rest)?;
            let Ok((after_operator, operator)) = operator(operator_start) else {
                return Ok((rest, left));
            };
            let (right_start, ()) = self.space(after_operator)?;
            let (after_right, right) = operand(self, right_start)?;

            let node = Expr::Binary {
                operator,
                left: Box::new(left),
                right: Box::new(right),
            };
            left = self.spanned(node, input, after_right);
            rest = after_right;
        }
    }

    fn not_expression(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let Some(after_not) = match_keyword(input, "not") else {
            return self.comparison(input);
        };

        let _guard = self.enter(input)?;
        let (operand_start, ()) = self.space(after_not)?;
        let (rest, operand) = self.not_expression(operand_start)?;
        Ok((
            rest,
            self.spanned(Expr::Not(Box::new(operand)), input, rest),
        ))
    }

    fn comparison(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let (rest, left) = self.additive(input)?;
        let (operator_start, ()) = self.space(rest)?;

        if let Ok((after_operator, operator)) = comparison_operator(operator_start) {
            let (right_start, ()) = self.space(after_operator)?;
            let (rest, right) = self.additive(right_start)?;
            let node = Expr::Binary {
                operator,
                left: Box::new(left),
                right: Box::new(right),
            };
            return Ok((rest, self.spanned(node, input, rest)));
        }

        // `a contains b` is Sumo's infix form of `contains(a, b)` (Sumo doc,
        // OPERATOR/contains), so it becomes that call.
        if let Some(after_contains) = match_keyword(operator_start, "contains") {
            let (right_start, ()) = self.space(after_contains)?;
            let (rest, right) = self.additive(right_start)?;
            let node = Expr::Call {
                name: "contains".to_string(),
                arguments: vec![left, right],
            };
            return Ok((rest, self.spanned(node, input, rest)));
        }

        if let Some(after_matches) = match_keyword(operator_start, "matches") {
            let (pattern_start, ()) = self.space(after_matches)?;
            let (rest, pattern) = if pattern_start.starts_with('/') {
                self.regex_expression(pattern_start)?
            } else {
                self.additive(pattern_start)?
            };
            let node = Expr::Matches {
                value: Box::new(left),
                pattern: Box::new(pattern),
            };
            return Ok((rest, self.spanned(node, input, rest)));
        }

        let (list_start, negated) = if let Some(after_in) = match_keyword(operator_start, "in") {
            (after_in, false)
        } else if let Some(after_not) = match_keyword(operator_start, "not") {
            let (in_start, ()) = self.space(after_not)?;
            match match_keyword(in_start, "in") {
                Some(after_in) => (after_in, true),
                None => return Ok((rest, left)),
            }
        } else {
            return Ok((rest, left));
        };

        let (rest, list) = self.in_list(list_start)?;
        let node = Expr::In {
            value: Box::new(left),
            list,
            negated,
        };
        Ok((rest, self.spanned(node, input, rest)))
    }

    /// Parses the `(a, b, …)` after `in`; the list may not be empty.
    fn in_list(&self, input: &'s str) -> PResult<'s, Vec<Spanned<Expr>>> {
        let (open_at, ()) = self.space(input)?;
        let Some(after_open) = open_at.strip_prefix('(') else {
            return Err(self.failure_with_help(
                open_at,
                token_len(open_at),
                format!("expected `(` after `in`, found {}", describe(open_at)),
                "expected `(`",
                "write the values in parentheses: `x in (\"a\", \"b\")`",
            ));
        };
        self.expression_list(after_open, "the `in` list")
    }

    /// Parses comma-separated items up to and including `)`. A `/regex/`
    /// item is accepted, as function arguments need it. `list_name` names the
    /// list in messages.
    pub(super) fn expression_list(
        &self,
        after_open: &'s str,
        list_name: &str,
    ) -> PResult<'s, Vec<Spanned<Expr>>> {
        let mut items = Vec::new();
        let (mut rest, ()) = self.space(after_open)?;
        if let Some(after_close) = rest.strip_prefix(')') {
            return Ok((after_close, items));
        }

        loop {
            let (after_item, item) = if rest.starts_with('/') {
                self.regex_expression(rest)?
            } else {
                self.expression(rest)?
            };
            items.push(item);

            let (separator_at, ()) = self.space(after_item)?;
            if let Some(after_comma) = separator_at.strip_prefix(',') {
                rest = self.space(after_comma)?.0;
            } else if let Some(after_close) = separator_at.strip_prefix(')') {
                return Ok((after_close, items));
            } else {
                return Err(self.failure(
                    separator_at,
                    token_len(separator_at),
                    format!(
                        "expected `,` or `)` in {list_name}, found {}",
                        describe(separator_at)
                    ),
                    "expected `,` or `)`",
                ));
            }
        }
    }

    fn regex_expression(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let (rest, regex) = self.regex_literal(input)?;
        Ok((rest, Spanned::new(Expr::Regex(regex.node), regex.span)))
    }

    /// Parses prefix `-` and `!`, which bind to the operand right after them.
    fn prefix(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let negate = input.starts_with('-');
        let not = input.starts_with('!') && !input.starts_with("!=");
        if !negate && !not {
            return self.primary(input);
        }

        let _guard = self.enter(input)?;
        let (operand_start, ()) = self.space(&input[1..])?;
        let (rest, operand) = self.prefix(operand_start)?;
        let node = if negate {
            Expr::Negate(Box::new(operand))
        } else {
            Expr::Not(Box::new(operand))
        };
        Ok((rest, self.spanned(node, input, rest)))
    }

    fn primary(&self, input: &'s str) -> PResult<'s, Spanned<Expr>> {
        let Some(first) = input.chars().next() else {
            return Err(self.missing_expression(input));
        };

        match first {
            '(' => self.parenthesized(input),
            '"' | '\'' => {
                let (rest, text) = self.string_literal(input)?;
                Ok((rest, Spanned::new(Expr::String(text.node), text.span)))
            }
            '%' if input[1..]
                .starts_with(|c: char| c == '"' || c.is_ascii_alphabetic() || c == '_') =>
            {
                let (rest, name) = self.field_name(input)?;
                Ok((rest, Spanned::new(Expr::Field(name.node), name.span)))
            }
            '0'..='9' | '.'
                if input
                    .trim_start_matches('.')
                    .starts_with(|c: char| c.is_ascii_digit()) =>
            {
                let (rest, number) = self.number_or_quantity(input)?;
                let node = match number.node {
                    NumberLiteral::Plain(value) => Expr::Number(value),
                    NumberLiteral::Quantity(quantity) => Expr::Quantity(quantity),
                };
                Ok((rest, Spanned::new(node, number.span)))
            }
            '[' => {
                let (rest, subquery) = self.subquery(input)?;
                Ok((
                    rest,
                    Spanned::new(Expr::Subquery(Box::new(subquery.node)), subquery.span),
                ))
            }
            '/' => Err(self.failure_with_help(
                input,
                1,
                "expected an expression, found `/`",
                EXPRESSION_EXPECTATION,
                "a `/regex/` literal is allowed only after `matches` and as a function argument",
            )),
            _ => match bare_field_name(input) {
                Ok((rest, name)) => self.name_expression(input, rest, name),
                Err(_) => Err(self.missing_expression(input)),
            },
        }
    }

    fn missing_expression(&self, input: &'s str) -> nom::Err<SyntaxError> {
        self.failure(
            input,
            token_len(input),
            format!("expected an expression, found {}", describe(input)),
            EXPRESSION_EXPECTATION,
        )
    }

    /// Parses what starts with a bare name: `true`, `false`, a function call
    /// or a field reference.
    fn name_expression(
        &self,
        input: &'s str,
        after_name: &'s str,
        name: &'s str,
    ) -> PResult<'s, Spanned<Expr>> {
        if name.eq_ignore_ascii_case("true") || name.eq_ignore_ascii_case("false") {
            let node = Expr::Boolean(name.eq_ignore_ascii_case("true"));
            return Ok((after_name, self.spanned(node, input, after_name)));
        }
        if let Some(reserved) = RESERVED_WORDS
            .iter()
            .find(|word| name.eq_ignore_ascii_case(word))
        {
            return Err(self.failure_with_help(
                input,
                name.len(),
                format!("expected an expression, found the keyword `{name}`"),
                EXPRESSION_EXPECTATION,
                format!("to use a field named `{reserved}`, quote it: %\"{name}\""),
            ));
        }

        // `if (c, a, b)` appears with a space in real queries, so the space
        // between a name and `(` is allowed.
        if let Some(after_open) = self.space_then_char(after_name, '(')? {
            let _guard = self.enter(input)?;
            let (rest, arguments) =
                self.expression_list(after_open, &format!("the arguments of `{name}`"))?;
            let node = Expr::Call {
                name: name.to_string(),
                arguments,
            };
            return Ok((rest, self.spanned(node, input, rest)));
        }

        Ok((
            after_name,
            self.spanned(Expr::Field(name.to_string()), input, after_name),
        ))
    }

    fn parenthesized(&self, open: &'s str) -> PResult<'s, Spanned<Expr>> {
        let (inner_start, ()) = self.space(&open[1..])?;
        let (after_inner, inner) = self.expression(inner_start)?;
        let (close_at, ()) = self.space(after_inner)?;
        let Some(after_close) = close_at.strip_prefix(')') else {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(open));
            return Err(self.failure_with_help(
                close_at,
                token_len(close_at),
                format!(
                    "expected `)` to close the parenthesis, found {}",
                    describe(close_at)
                ),
                "expected `)`",
                format!("the parenthesis opened at line {line}, column {column}"),
            ));
        };
        // The span of a parenthesized expression includes the parentheses.
        Ok((after_close, self.spanned(inner.node, open, after_close)))
    }
}
