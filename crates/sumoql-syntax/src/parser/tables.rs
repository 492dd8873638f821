//! Operators that read or combine other row sets: `lookup`, `save`, `cat`,
//! `join`, `merge`, `transactionize`, `transaction`, `filter`, `sessionize`, and the
//! subquery `[subquery: … | compose …]` with its `compose` stage.

use super::lexical::{describe, match_keyword, token_len};
use super::{Lead, PResult, QueryParser, Region};
use crate::ast::{
    AnchorCapture, FieldItem, JoinTable, LookupKey, LookupStage, MergeField, MergeStrategy, Query,
    Spanned, Stage, StatePattern, Subquery, TablePath, TransactionResults, TransactionStates,
};

const TRANSACTIONIZE_OPTIONS: [&str; 6] = [
    "maxspan",
    "maxpause",
    "maxlogs",
    "startswith",
    "endswith",
    "keeporphans",
];

impl<'s> QueryParser<'s> {
    /// Parses `lookup COLUMN [as A], … from TABLE on a=b [, c=d]`; `*`
    /// returns every column.
    pub(super) fn lookup_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut item_start, ()) = self.space(input)?;
        let mut columns = Vec::new();
        let mut rest;
        loop {
            let (after_item, column) = if let Some(after_star) = item_start.strip_prefix('*') {
                let item = FieldItem {
                    name: "*".to_string(),
                    alias: None,
                };
                (after_star, self.spanned(item, item_start, after_star))
            } else {
                let (after_name, name) = self.required_field_name(
                    item_start,
                    "expected a lookup column or `*` after `lookup`",
                )?;
                let (after_alias, alias) = self.optional_alias(after_name)?;
                let item = FieldItem {
                    name: name.node,
                    alias: alias.map(|alias| alias.node),
                };
                (after_alias, self.spanned(item, item_start, after_alias))
            };
            columns.push(column);
            rest = after_item;
            match self.space_then_char(after_item, ',')? {
                Some(after_comma) => item_start = self.space(after_comma)?.0,
                None => break,
            }
        }

        let Some(after_from) = self.space_then_keyword(rest, "from")? else {
            let (at, ()) = self.space(rest)?;
            return Err(self.missing_word(
                at,
                "from",
                "the lookup columns",
                "`lookup name from path://\"/Library/Users/me/Users\" on id=user_id`",
            ));
        };
        let (table_start, ()) = self.space(after_from)?;
        let (after_table, table) = self.table_path(table_start, "from")?;

        let Some(after_on) = self.space_then_keyword(after_table, "on")? else {
            let (at, ()) = self.space(after_table)?;
            return Err(self.missing_word(at, "on", "the lookup table", "`… on id=user_id`"));
        };
        let (mut key_start, ()) = self.space(after_on)?;
        let mut on = Vec::new();
        loop {
            let (after_key, key) = self.lookup_key(key_start)?;
            on.push(key);
            rest = after_key;
            let (separator_at, ()) = self.space(after_key)?;
            let after_separator = match separator_at.strip_prefix(',') {
                Some(after_comma) => after_comma,
                None => match match_keyword(separator_at, "and") {
                    Some(after_and) => after_and,
                    None => break,
                },
            };
            key_start = self.space(after_separator)?.0;
        }
        let stage = LookupStage { columns, table, on };
        Ok((rest, Stage::Lookup(stage)))
    }

    fn lookup_key(&self, input: &'s str) -> PResult<'s, Spanned<LookupKey>> {
        let (after_left, left) =
            self.required_field_name(input, "expected `field=column` after `on`")?;
        // `on ip` alone pairs a field with the column of the same name, as
        // in Sumo's own app content.
        let Some(after_equals) = self.space_then_char(after_left, '=')? else {
            let key = LookupKey {
                right: left.node.clone(),
                left: left.node,
            };
            return Ok((after_left, self.spanned(key, input, after_left)));
        };
        let (right_start, ()) = self.space(after_equals)?;
        let (rest, right) =
            self.required_field_name(right_start, "expected a field name after `=`")?;
        let key = LookupKey {
            left: left.node,
            right: right.node,
        };
        Ok((rest, self.spanned(key, input, rest)))
    }

    /// Parses a table location: `path://"…"`, a URL such as `https://…` or
    /// `geo://location`, or a bare path such as `shared/lookups/users`.
    /// `keyword` names what precedes it, for messages.
    pub(super) fn table_path(
        &self,
        input: &'s str,
        keyword: &str,
    ) -> PResult<'s, Spanned<TablePath>> {
        if let Some(after_scheme) =
            match_keyword(input, "path").and_then(|rest| rest.strip_prefix("://"))
        {
            let (rest, path) = self.required_string(after_scheme, "a library path")?;
            return Ok((
                rest,
                self.spanned(TablePath::Library(path.node), input, rest),
            ));
        }

        let len = input
            .find(|c: char| c.is_whitespace() || matches!(c, '|' | ',' | ')' | ']' | '"' | '\''))
            .unwrap_or(input.len());
        if len == 0 {
            return Err(self.failure_with_help(
                input,
                token_len(input),
                format!("expected a lookup table after `{keyword}`, found {}", describe(input)),
                "expected a table location",
                "write `path://\"/Library/…\"`, a URL, or a shared path such as `shared/lookups/users`",
            ));
        }
        let text = &input[..len];
        let rest = &input[len..];
        let path = if text.contains("://") {
            TablePath::Url(text.to_string())
        } else {
            TablePath::Path(text.to_string())
        };
        Ok((rest, self.spanned(path, input, rest)))
    }

    /// Parses `save [append] TABLE`.
    pub(super) fn save_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut rest = input;
        let append = match self.space_then_keyword(rest, "append")? {
            Some(after) => {
                rest = after;
                true
            }
            None => false,
        };
        let (table_start, ()) = self.space(rest)?;
        let (rest, table) = self.table_path(table_start, "save")?;
        Ok((rest, Stage::Save { append, table }))
    }

    /// Parses `cat TABLE`.
    pub(super) fn cat_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (table_start, ()) = self.space(input)?;
        let (rest, table) = self.table_path(table_start, "cat")?;
        Ok((rest, Stage::Cat(table)))
    }

    /// Parses a parenthesized inner query of `join`, `filter` or
    /// `transactionize`, starting at `(`. Its first segment may be a stage
    /// written without `|`.
    fn parenthesized_query(&self, open: &'s str, operator: &str) -> PResult<'s, Spanned<Query>> {
        let Some(after_open) = open.strip_prefix('(') else {
            return Err(self.missing_word(
                open,
                "(",
                &format!("`{operator}`"),
                "`(parse \"id=*\" as id)`",
            ));
        };
        let _guard = self.enter(open)?;
        let (close_at, query) = self.query_body(after_open, Region::Paren, Lead::StageOrScope);
        let Some(after_close) = close_at.strip_prefix(')') else {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(open));
            return Err(self.failure_with_help(
                close_at,
                0,
                format!("unclosed `(` in `{operator}`"),
                "expected `)` to close the inner query",
                format!("the inner query opened with `(` at line {line}, column {column}"),
            ));
        };
        let span = self.content_span(after_open, close_at, &query);
        Ok((after_close, Spanned::new(query, span)))
    }

    /// Returns the span of a nested query body: from its first token to the
    /// end of its last node, or an empty span at the closing character.
    fn content_span(
        &self,
        after_open: &'s str,
        close_at: &'s str,
        query: &Query,
    ) -> crate::ast::Span {
        let content_start = self.space(after_open).map_or(after_open, |(rest, ())| rest);
        let content_end = query
            .stages
            .last()
            .map(|stage| stage.span.end)
            .or_else(|| query.scope.as_ref().map(|scope| scope.span.end));
        match content_end {
            Some(end) => self.offset(content_start)..end,
            None => self.offset(close_at)..self.offset(close_at),
        }
    }

    /// Parses `join (Q) as t1, (Q) as t2, … on CONDITION [timewindow SPAN]`.
    pub(super) fn join_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut table_start, ()) = self.space(input)?;
        let mut tables = Vec::new();
        let mut rest;
        loop {
            let (after_query, query) = self.parenthesized_query(table_start, "join")?;
            let Some(after_as) = self.space_then_keyword(after_query, "as")? else {
                let (at, ()) = self.space(after_query)?;
                return Err(self.missing_word(
                    at,
                    "as",
                    "the inner query of `join`",
                    "`(parse \"id=*\" as id) as t1`",
                ));
            };
            let (alias_start, ()) = self.space(after_as)?;
            let (after_alias, alias) =
                self.required_field_name(alias_start, "expected a table name after `as`")?;
            tables.push(self.spanned(JoinTable { query, alias }, table_start, after_alias));
            rest = after_alias;
            match self.space_then_char(after_alias, ',')? {
                Some(after_comma) => table_start = self.space(after_comma)?.0,
                None => break,
            }
        }

        let Some(after_on) = self.space_then_keyword(rest, "on")? else {
            let (at, ()) = self.space(rest)?;
            return Err(self.missing_word(at, "on", "the tables of `join`", "`on t1.id = t2.id`"));
        };
        let (condition_start, ()) = self.space(after_on)?;
        let (mut rest, on) = self.expression(condition_start)?;
        let mut time_window = None;
        if let Some(after_keyword) = self.space_then_keyword(rest, "timewindow")? {
            let (window_start, ()) = self.space(after_keyword)?;
            let (after_window, window) =
                self.duration(window_start, false, "after `timewindow`")?;
            time_window = Some(window);
            rest = after_window;
        }
        let stage = Stage::Join {
            tables,
            on,
            time_window,
        };
        Ok((rest, stage))
    }

    /// Parses `merge [F [STRATEGY] [as A], …]`.
    pub(super) fn merge_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut item_start, ()) = self.space(input)?;
        let mut fields = Vec::new();
        if self.field_name(item_start).is_err() {
            return Ok((input, Stage::Merge(fields)));
        }
        loop {
            let (after_field, field) =
                self.required_field_name(item_start, "expected a field name in `merge`")?;
            let (after_strategy, strategy) = self.merge_strategy(after_field)?;
            let (after_alias, alias) = self.optional_alias(after_strategy)?;
            let item = MergeField {
                field: field.node,
                strategy,
                alias: alias.map(|alias| alias.node),
            };
            fields.push(self.spanned(item, item_start, after_alias));
            match self.space_then_char(after_alias, ',')? {
                Some(after_comma) => item_start = self.space(after_comma)?.0,
                None => return Ok((after_alias, Stage::Merge(fields))),
            }
        }
    }

    fn merge_strategy(&self, input: &'s str) -> PResult<'s, Option<MergeStrategy>> {
        let (at, ()) = self.space(input)?;
        for (word, strategy) in [
            ("takefirst", MergeStrategy::TakeFirst),
            ("takelast", MergeStrategy::TakeLast),
            ("takedistinct", MergeStrategy::TakeDistinct),
        ] {
            if let Some(rest) = match_keyword(at, word) {
                return Ok((rest, Some(strategy)));
            }
        }
        let Some(after_join) = match_keyword(at, "join") else {
            return Ok((input, None));
        };
        let Some(after_with) = self.space_then_keyword(after_join, "with")? else {
            return Ok((after_join, Some(MergeStrategy::JoinWith(None))));
        };
        let (separator_at, ()) = self.space(after_with)?;
        if !separator_at.starts_with(['"', '\'']) {
            return Ok((after_with, Some(MergeStrategy::JoinWith(None))));
        }
        let (rest, separator) = self.string_literal(separator_at)?;
        Ok((rest, Some(MergeStrategy::JoinWith(Some(separator.node)))))
    }

    /// Parses `transactionize a, … [as A] [NAME=VALUE …] [(stages)]`.
    pub(super) fn transactionize_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (fields_start, ()) = self.space(input)?;
        let (after_fields, fields) = self.field_name_list(fields_start, "`transactionize`")?;
        let (after_alias, alias) = self.optional_alias(after_fields)?;
        let (mut rest, options) =
            self.named_options(after_alias, "transactionize", &TRANSACTIONIZE_OPTIONS)?;
        let mut subquery = None;
        let (open_at, ()) = self.space(rest)?;
        if open_at.starts_with('(') {
            let (after_query, query) = self.parenthesized_query(open_at, "transactionize")?;
            subquery = Some(Box::new(query));
            rest = after_query;
        }
        let stage = Stage::Transactionize {
            fields,
            alias,
            options,
            subquery,
        };
        Ok((rest, stage))
    }

    /// Parses `filter F in (stages)`.
    pub(super) fn filter_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (field_start, ()) = self.space(input)?;
        let (after_field, field) =
            self.required_field_name(field_start, "expected a field name after `filter`")?;
        let Some(after_in) = self.space_then_keyword(after_field, "in")? else {
            let (at, ()) = self.space(after_field)?;
            return Err(self.missing_word(
                at,
                "in",
                "the field of `filter`",
                "`filter user in (count by user | limit 5)`",
            ));
        };
        let (open_at, ()) = self.space(after_in)?;
        let (rest, query) = self.parenthesized_query(open_at, "filter")?;
        let stage = Stage::Filter {
            field,
            query: Box::new(query),
        };
        Ok((rest, stage))
    }

    /// Parses `compose a, … [maxresults=N] [keywords]`.
    pub(super) fn compose_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (fields_start, ()) = self.space(input)?;
        let (mut rest, fields) = self.field_name_list(fields_start, "`compose`")?;
        let mut max_results = None;
        let mut keywords = false;
        loop {
            let (at, ()) = self.space(rest)?;
            if let Some(after) = match_keyword(at, "keywords") {
                keywords = true;
                rest = after;
            } else if let Some(after_name) = match_keyword(at, "maxresults") {
                let Some(after_equals) = self.space_then_char(after_name, '=')? else {
                    let (at, ()) = self.space(after_name)?;
                    return Err(self.missing_word(at, "=", "`maxresults`", "`maxresults=100`"));
                };
                let (number_start, ()) = self.space(after_equals)?;
                let (after_number, number) =
                    self.whole_number(number_start, "after `maxresults=`")?;
                max_results = Some(number.node);
                rest = after_number;
            } else {
                break;
            }
        }
        let stage = Stage::Compose {
            fields,
            max_results,
            keywords,
        };
        Ok((rest, stage))
    }

    /// Parses `sessionize "pattern" as (a, …), …`; the parentheses around the
    /// names are optional.
    pub(super) fn sessionize_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut pattern_start, ()) = self.space(input)?;
        let mut captures = Vec::new();
        loop {
            let (after_pattern, pattern) = self.required_string(pattern_start, "a pattern")?;
            let Some(after_as) = self.space_then_keyword(after_pattern, "as")? else {
                let (at, ()) = self.space(after_pattern)?;
                return Err(self.missing_word(
                    at,
                    "as",
                    "the pattern",
                    "`sessionize \"id=*\" as (id)`",
                ));
            };
            let (after_names, names) = self.capture_names(after_as)?;
            captures.push(self.spanned(
                AnchorCapture { pattern, names },
                pattern_start,
                after_names,
            ));
            match self.space_then_char(after_names, ',')? {
                Some(after_comma) => pattern_start = self.space(after_comma)?.0,
                None => return Ok((after_names, Stage::Sessionize(captures))),
            }
        }
    }

    /// Parses the names after `as` of an anchor pattern: `a, b` or
    /// `(a, b)`. A `,` followed by a quoted pattern is left for the caller.
    pub(super) fn capture_names(&self, input: &'s str) -> PResult<'s, Vec<Spanned<String>>> {
        let (list_start, ()) = self.space(input)?;
        if let Some(after_open) = list_start.strip_prefix('(') {
            let (names_start, ()) = self.space(after_open)?;
            let (after_names, names) = self.field_name_list(names_start, "`(`")?;
            let Some(after_close) = self.space_then_char(after_names, ')')? else {
                let (at, ()) = self.space(after_names)?;
                return Err(self.missing_word(at, ")", "the names", "`as (a, b)`"));
            };
            return Ok((after_close, names));
        }

        let (mut rest, first) =
            self.required_field_name(list_start, "expected a field name after `as`")?;
        let mut names = vec![first];
        loop {
            let (comma_at, ()) = self.space(rest)?;
            let Some(after_comma) = comma_at.strip_prefix(',') else {
                return Ok((rest, names));
            };
            let (name_start, ()) = self.space(after_comma)?;
            if name_start.starts_with(['"', '\'']) {
                return Ok((rest, names));
            }
            let (after_name, name) =
                self.required_field_name(name_start, "expected a field name after `,`")?;
            names.push(name);
            rest = after_name;
        }
    }

    /// Parses `transaction on a, … (with "pattern" as state, … | with states
    /// s, … in F) [NAME=VALUE …] [results by transactions|flow]`.
    pub(super) fn transaction_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (on_at, ()) = self.space(input)?;
        let Some(after_on) = match_keyword(on_at, "on") else {
            return Err(self.missing_word(
                on_at,
                "on",
                "`transaction`",
                "`transaction on id with states a, b in state`",
            ));
        };
        let (fields_start, ()) = self.space(after_on)?;
        let (after_fields, on) = self.field_name_list(fields_start, "`on`")?;

        let Some(after_with) = self.space_then_keyword(after_fields, "with")? else {
            let (at, ()) = self.space(after_fields)?;
            return Err(self.missing_word(
                at,
                "with",
                "the fields of `transaction`",
                "`with states a, b in state`",
            ));
        };
        let mut rest;
        let states = if let Some(after_states) = self.space_then_keyword(after_with, "states")? {
            let (list_start, ()) = self.space(after_states)?;
            let (after_list, states) = self.field_name_list(list_start, "`states`")?;
            let Some(after_in) = self.space_then_keyword(after_list, "in")? else {
                let (at, ()) = self.space(after_list)?;
                return Err(self.missing_word(
                    at,
                    "in",
                    "the states",
                    "`with states a, b in state`",
                ));
            };
            let (field_start, ()) = self.space(after_in)?;
            let (after_field, field) =
                self.required_field_name(field_start, "expected a field name after `in`")?;
            rest = after_field;
            TransactionStates::Field {
                states: states.into_iter().map(|state| state.node).collect(),
                field: field.node,
            }
        } else {
            let mut patterns = Vec::new();
            let mut with_end = after_with;
            loop {
                let (pattern_start, ()) = self.space(with_end)?;
                let (after_pattern, pattern) =
                    self.required_string(pattern_start, "a state pattern")?;
                let Some(after_as) = self.space_then_keyword(after_pattern, "as")? else {
                    let (at, ()) = self.space(after_pattern)?;
                    return Err(self.missing_word(
                        at,
                        "as",
                        "the state pattern",
                        "`with \"*LOGIN*\" as login`",
                    ));
                };
                let (state_start, ()) = self.space(after_as)?;
                let (after_state, state) =
                    self.required_field_name(state_start, "expected a state name after `as`")?;
                let node = StatePattern {
                    pattern: pattern.node,
                    state: state.node,
                };
                patterns.push(self.spanned(node, pattern_start, after_state));
                rest = after_state;
                let next = self
                    .space_then_char(after_state, ',')?
                    .map(|after_comma| self.space_then_keyword(after_comma, "with"))
                    .transpose()?
                    .flatten();
                match next {
                    Some(after_next_with) => with_end = after_next_with,
                    None => break,
                }
            }
            TransactionStates::Patterns(patterns)
        };

        let (after_options, options) = self.named_options(rest, "transaction", &[])?;
        rest = after_options;
        let mut results = None;
        if let Some(after_results) = self.space_then_keyword(rest, "results")? {
            let Some(after_by) = self.space_then_keyword(after_results, "by")? else {
                let (at, ()) = self.space(after_results)?;
                return Err(self.missing_word(at, "by", "`results`", "`results by flow`"));
            };
            let (kind_at, ()) = self.space(after_by)?;
            if let Some(after) = match_keyword(kind_at, "flow") {
                results = Some(TransactionResults::Flow);
                rest = after;
            } else if let Some(after) = match_keyword(kind_at, "transactions") {
                results = Some(TransactionResults::Transactions);
                rest = after;
            } else {
                return Err(self.missing_word(
                    kind_at,
                    "transactions` or `flow",
                    "`results by`",
                    "`results by flow`",
                ));
            }
        }
        let stage = Stage::Transaction {
            on,
            states,
            options,
            results,
        };
        Ok((rest, stage))
    }

    /// Parses `[subquery [from=(…)] [to=(…)]: query]`, starting at `[`.
    pub(super) fn subquery(&self, open: &'s str) -> PResult<'s, Spanned<Subquery>> {
        let after_open = &open[1..];
        let (keyword_at, ()) = self.space(after_open)?;
        let Some(after_keyword) = match_keyword(keyword_at, "subquery") else {
            return Err(self.failure_with_help(
                keyword_at,
                token_len(keyword_at),
                format!(
                    "expected `subquery` after `[`, found {}",
                    describe(keyword_at)
                ),
                "expected `subquery`",
                "write a subquery as `[subquery: scope | … | compose field]`",
            ));
        };
        let _guard = self.enter(open)?;

        let mut from = None;
        let mut to = None;
        let mut rest = after_keyword;
        loop {
            let (at, ()) = self.space(rest)?;
            let (slot, after_name) = if let Some(after) = match_keyword(at, "from") {
                (&mut from, after)
            } else if let Some(after) = match_keyword(at, "to") {
                (&mut to, after)
            } else {
                break;
            };
            let Some(after_equals) = self.space_then_char(after_name, '=')? else {
                let (at, ()) = self.space(after_name)?;
                return Err(self.missing_word(at, "=", "the subquery time option", "`from=(-2d)`"));
            };
            let (value_start, ()) = self.space(after_equals)?;
            let (after_value, value) = self.expression(value_start)?;
            *slot = Some(value);
            rest = after_value;
        }
        let Some(after_colon) = self.space_then_char(rest, ':')? else {
            let (at, ()) = self.space(rest)?;
            return Err(self.missing_word(
                at,
                ":",
                "`subquery`",
                "`[subquery: error | compose host]`",
            ));
        };

        let (close_at, query) = self.query_body(after_colon, Region::Bracket, Lead::Scope);
        let Some(after_close) = close_at.strip_prefix(']') else {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(open));
            return Err(self.failure_with_help(
                close_at,
                0,
                "unclosed `[subquery`",
                "expected `]` to close the subquery",
                format!("the subquery opened with `[` at line {line}, column {column}"),
            ));
        };
        let span = self.content_span(after_colon, close_at, &query);
        let subquery = Subquery {
            from,
            to,
            query: Spanned::new(query, span),
        };
        Ok((after_close, self.spanned(subquery, open, after_close)))
    }
}
