//! Pieces shared by many operators: lists of names, strings and
//! expressions, whole numbers, `as` aliases, `by` lists and `name=value`
//! options.

use super::lexical::{describe, match_keyword, token_len, word, NumberLiteral};
use super::{PResult, QueryParser, SyntaxError};
use crate::ast::{Expr, NamedOption, OptionValue, Spanned};

impl<'s> QueryParser<'s> {
    /// Parses `name, name, …`: one or more field names. `context` names what
    /// the list follows, for messages, such as "`as`".
    pub(super) fn field_name_list(
        &self,
        input: &'s str,
        context: &str,
    ) -> PResult<'s, Vec<Spanned<String>>> {
        let (mut rest, first) =
            self.required_field_name(input, &format!("expected a field name after {context}"))?;
        let mut names = vec![first];
        loop {
            let Some(after_comma) = self.space_then_char(rest, ',')? else {
                return Ok((rest, names));
            };
            let (name_start, ()) = self.space(after_comma)?;
            let (after_name, name) =
                self.required_field_name(name_start, "expected a field name after `,`")?;
            names.push(name);
            rest = after_name;
        }
    }

    /// Parses `"text", "text", …`: one or more string literals.
    pub(super) fn string_list(
        &self,
        input: &'s str,
        description: &str,
    ) -> PResult<'s, Vec<Spanned<String>>> {
        let (mut rest, first) = self.required_string(input, description)?;
        let mut items = vec![first];
        loop {
            let (comma_at, ()) = self.space(rest)?;
            let Some(after_comma) = comma_at.strip_prefix(',') else {
                return Ok((rest, items));
            };
            let (item_start, ()) = self.space(after_comma)?;
            if !item_start.starts_with(['"', '\'']) {
                return Ok((rest, items));
            }
            let (after_item, item) = self.string_literal(item_start)?;
            items.push(item);
            rest = after_item;
        }
    }

    /// Parses a string literal where one is required; `description` names
    /// it, such as "a JSON key".
    pub(super) fn required_string(
        &self,
        input: &'s str,
        description: &str,
    ) -> PResult<'s, Spanned<String>> {
        let result = self.string_literal(input);
        self.expect(
            result,
            input,
            format!(
                "expected {description} in double quotes, found {}",
                describe(input)
            ),
            format!("expected {description}"),
        )
    }

    /// Parses `expression, expression, …`: one or more expressions.
    pub(super) fn expression_items(&self, input: &'s str) -> PResult<'s, Vec<Spanned<Expr>>> {
        let (mut rest, first) = self.expression(input)?;
        let mut items = vec![first];
        while let Some(after_comma) = self.space_then_char(rest, ',')? {
            let (item_start, ()) = self.space(after_comma)?;
            let (after_item, item) = self.expression(item_start)?;
            items.push(item);
            rest = after_item;
        }
        Ok((rest, items))
    }

    /// Parses a whole number, such as the `10` of `top 10`. `context` names
    /// the place for messages.
    pub(super) fn whole_number(&self, input: &'s str, context: &str) -> PResult<'s, Spanned<u64>> {
        let digits_len = input
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(input.len());
        let rest = &input[digits_len..];
        match input[..digits_len].parse::<u64>() {
            Ok(value) if !rest.starts_with(super::lexical::is_field_char) => {
                Ok((rest, self.spanned(value, input, rest)))
            }
            _ => Err(self.failure_with_help(
                input,
                token_len(input),
                format!(
                    "expected a whole number {context}, found {}",
                    describe(input)
                ),
                "expected a whole number",
                "write digits only, such as `10`",
            )),
        }
    }

    /// Parses an optional `as name` after space. Returns the rest after the
    /// name, or `input` unchanged when no `as` follows.
    pub(super) fn optional_alias(&self, input: &'s str) -> PResult<'s, Option<Spanned<String>>> {
        let Some(after_as) = self.space_then_keyword(input, "as")? else {
            return Ok((input, None));
        };
        let (name_start, ()) = self.space(after_as)?;
        let (rest, name) =
            self.required_field_name(name_start, "expected a field name after `as`")?;
        Ok((rest, Some(name)))
    }

    /// Parses an optional `by a, b, …` after space, returning an empty list
    /// when no `by` follows.
    pub(super) fn optional_by_list(&self, input: &'s str) -> PResult<'s, Vec<Spanned<Expr>>> {
        let Some(after_by) = self.space_then_keyword(input, "by")? else {
            return Ok((input, Vec::new()));
        };
        let (list_start, ()) = self.space(after_by)?;
        self.expression_items(list_start)
    }

    /// Parses `name=value` options separated by commas or spaces, such as
    /// `window=5, threshold=3` or `maxlogs = 10`. Stops at the first text
    /// that is not `word =`, and returns `input` unchanged when there is no
    /// option. Each name is checked against `allowed` (compared without
    /// case) unless `allowed` is empty; `operator` names the stage for
    /// messages.
    pub(super) fn named_options(
        &self,
        input: &'s str,
        operator: &str,
        allowed: &[&str],
    ) -> PResult<'s, Vec<Spanned<NamedOption>>> {
        let mut options = Vec::new();
        let mut rest = input;
        loop {
            let (mut option_start, ()) = self.space(rest)?;
            if !options.is_empty() {
                if let Some(after_comma) = option_start.strip_prefix(',') {
                    let (after_space, ()) = self.space(after_comma)?;
                    if !self.starts_named_option(after_space) {
                        return Ok((rest, options));
                    }
                    option_start = after_space;
                }
            }
            if !self.starts_named_option(option_start) {
                return Ok((rest, options));
            }
            let (after_option, option) = self.named_option(option_start, operator, allowed)?;
            options.push(option);
            rest = after_option;
        }
    }

    /// Returns whether `input` starts with `word =` (but not `==`).
    fn starts_named_option(&self, input: &'s str) -> bool {
        let Ok((after_name, _)) = word(input) else {
            return false;
        };
        let after_space = self.space(after_name).map_or(after_name, |(rest, ())| rest);
        after_space.starts_with('=') && !after_space.starts_with("==")
    }

    fn named_option(
        &self,
        input: &'s str,
        operator: &str,
        allowed: &[&str],
    ) -> PResult<'s, Spanned<NamedOption>> {
        let (after_name, name) = word(input)?;
        if !allowed.is_empty() && !allowed.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            return Err(self.failure_with_help(
                input,
                name.len(),
                format!("unknown option `{name}` of `{operator}`"),
                "not an option of this operator",
                format!("`{operator}` takes {}", quoted_list(allowed)),
            ));
        }
        let after_equals = self
            .space_then_char(after_name, '=')?
            .ok_or_else(|| nom::Err::Error(SyntaxError::from_input(after_name)))?;
        let (value_start, ()) = self.space(after_equals)?;
        let (rest, value) = self.option_value(value_start, name)?;
        let option = NamedOption {
            name: name.to_string(),
            value,
        };
        Ok((rest, self.spanned(option, input, rest)))
    }

    /// Parses the value of a `name=value` option: a string (with an optional
    /// `;strict`), a number, a number with a unit, or a bare word or sign.
    fn option_value(&self, input: &'s str, name: &str) -> PResult<'s, OptionValue> {
        if input.starts_with(['"', '\'']) {
            let (after_string, text) = self.string_literal(input)?;
            let (strict_at, ()) = self.space(after_string)?;
            if let Some(after_semicolon) = strict_at.strip_prefix(';') {
                let (strict_start, ()) = self.space(after_semicolon)?;
                if let Some(rest) = match_keyword(strict_start, "strict") {
                    return Ok((rest, OptionValue::StrictString(text.node)));
                }
            }
            return Ok((after_string, OptionValue::String(text.node)));
        }

        let (sign, digits) = match input.strip_prefix('-') {
            Some(after_minus) if after_minus.starts_with(|c: char| c.is_ascii_digit()) => {
                (-1.0, after_minus)
            }
            _ => (1.0, input),
        };
        if digits.starts_with(|c: char| c.is_ascii_digit()) {
            let (rest, literal) = self.number_or_quantity(digits)?;
            let value = match literal.node {
                NumberLiteral::Plain(number) => OptionValue::Number(sign * number),
                NumberLiteral::Quantity(mut quantity) => {
                    quantity.amount *= sign;
                    OptionValue::Quantity(quantity)
                }
            };
            return Ok((rest, value));
        }

        let sign_len = input
            .find(|c: char| c != '+' && c != '-')
            .unwrap_or(input.len());
        if sign_len > 0 {
            let rest = &input[sign_len..];
            return Ok((rest, OptionValue::Word(input[..sign_len].to_string())));
        }
        match word(input) {
            Ok((rest, text)) => Ok((rest, OptionValue::Word(text.to_string()))),
            Err(_) => Err(self.failure(
                input,
                token_len(input),
                format!("expected a value for `{name}`, found {}", describe(input)),
                "expected a number, a word or a quoted string",
            )),
        }
    }
}

/// Formats names as "`a`, `b` or `c`".
pub(super) fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, others)) => format!("{} or {last}", others.join(", ")),
        None => String::new(),
    }
}
