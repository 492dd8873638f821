//! Pipe stages: dispatch on the operator word, then one parser per operator.

use super::lexical::{describe, match_keyword, token_len, word};
use super::{Lead, PResult, QueryParser, Region};
use crate::ast::{
    AggregateCall, AnchorCapture, Expr, FieldItem, FieldsMode, SeriesFunction, SortDirection,
    SortKey, Spanned, Stage,
};

/// Operator words that start a stage, for dispatch, messages and
/// suggestions. A stage that starts with anything else is `<expr> as name`
/// or a bare function call.
pub(crate) const OPERATORS: [&str; 53] = [
    "where",
    "parse",
    "extract",
    "fields",
    "union",
    "sort",
    "order",
    "limit",
    "json",
    "keyvalue",
    "kv",
    "csv",
    "split",
    "timeslice",
    "transpose",
    "lookup",
    "save",
    "cat",
    "top",
    "topk",
    "count_frequent",
    "accum",
    "total",
    "backshift",
    "smooth",
    "rollingstd",
    "diff",
    "fillmissing",
    "dedup",
    "outlier",
    "predict",
    "compare",
    "geoip",
    "threatip",
    "threatlookup",
    "join",
    "merge",
    "transactionize",
    "compose",
    "filter",
    "withtime",
    "logreduce",
    "logcompare",
    "infer",
    "bin",
    "sessionize",
    "transaction",
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
];

/// Aggregate functions, which start an aggregate stage and may follow one
/// another after commas. `pct` takes the field and one or more percentiles.
const AGGREGATE_FUNCTIONS: [&str; 13] = [
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "pct",
    "stddev",
    "values",
    "first",
    "last",
    "most_recent",
    "least_recent",
];

/// Suggestions are offered up to this many single-character edits.
const MAX_SUGGESTION_DISTANCE: usize = 2;

/// Levenshtein distance between two strings, counted in characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != right_char);
            let deletion = previous[j + 1] + 1;
            let insertion = current[j] + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous[right.len()]
}

/// Returns the operator closest to `unknown`, if it is within
/// [`MAX_SUGGESTION_DISTANCE`] edits and fewer edits than the word's length.
fn suggest_operator(unknown: &str) -> Option<&'static str> {
    let unknown = unknown.to_ascii_lowercase();
    OPERATORS
        .iter()
        .map(|operator| (edit_distance(&unknown, operator), *operator))
        .filter(|(distance, _)| {
            *distance <= MAX_SUGGESTION_DISTANCE && *distance < unknown.chars().count()
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, operator)| operator)
}

/// The help line of an unknown operator without a close match.
const OPERATOR_HELP: &str = "each stage starts with an operator such as `where`, `parse`, `json`, `timeslice` or `count`, or computes a field with `<expression> as <field>`; grammar.md lists them all";

/// Options that may follow the pattern of `parse` and `parse regex`.
#[derive(Default)]
struct ParseOptions<'s> {
    field: Option<Spanned<String>>,
    /// Position of the first `field=` option, for the duplicate error.
    field_at: Option<&'s str>,
    multi: bool,
    nodrop: bool,
}

impl<'s> QueryParser<'s> {
    /// Parses the stage after the `|` at the start of `pipe` and checks that
    /// it ends at the next `|` or the region end. Returns the rest there.
    pub(super) fn stage_clause(
        &self,
        pipe: &'s str,
        region: Region,
    ) -> PResult<'s, Spanned<Stage>> {
        let after_pipe = pipe.get(1..).unwrap_or_default();
        let (start, ()) = self.space(after_pipe)?;
        if self.at_stage_end(start, region) {
            return Err(self.failure_with_help(
                pipe,
                1,
                "empty pipe stage",
                "expected an operator after this `|`",
                "remove the extra `|` or write an operator such as `where` after it",
            ));
        }

        let (end, stage) = self.stage(start)?;
        let (after_space, ()) = self.space(end)?;
        if self.at_stage_end(after_space, region) {
            return Ok((after_space, self.spanned(stage, start, end)));
        }

        let len = token_len(after_space);
        if after_space.starts_with(')') {
            return Err(self.failure(
                after_space,
                len,
                format!("unmatched `)` after the `{}` stage", stage.name()),
                "this `)` has no matching `(`",
            ));
        }
        Err(self.failure_with_help(
            after_space,
            len,
            format!(
                "unexpected {} after the `{}` stage",
                describe(after_space),
                stage.name()
            ),
            Self::stage_end_expectation(region),
            "separate operators with `|`; separate list items with `,`",
        ))
    }

    pub(super) fn stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let operator = word(input)
            .map(|(_, name)| name.to_ascii_lowercase())
            .unwrap_or_default();
        let after_operator = &input[operator.len()..];

        match operator.as_str() {
            "where" => {
                let (start, ()) = self.space(after_operator)?;
                let (rest, condition) = self.expression(start)?;
                Ok((rest, Stage::Where(condition)))
            }
            "parse" => self.parse_stage(after_operator),
            "extract" => self.parse_regex_stage(after_operator, "extract"),
            "fields" => self.fields_stage(after_operator),
            "union" => self.union_stage(input, after_operator),
            "sort" | "order" => self.sort_stage(after_operator),
            "limit" => self.limit_stage(after_operator),
            "json" => self.json_stage(after_operator),
            "keyvalue" | "kv" => self.keyvalue_stage(after_operator),
            "csv" => {
                let (rest, stage) = self.delimited_stage(after_operator, "csv")?;
                Ok((rest, Stage::Csv(stage)))
            }
            "split" => {
                let (rest, stage) = self.delimited_stage(after_operator, "split")?;
                Ok((rest, Stage::Split(stage)))
            }
            "timeslice" => self.timeslice_stage(after_operator),
            "transpose" => self.transpose_stage(after_operator),
            "lookup" => self.lookup_stage(after_operator),
            "save" => self.save_stage(after_operator),
            "cat" => self.cat_stage(after_operator),
            "top" => self.top_stage(after_operator),
            "topk" => self.topk_stage(after_operator),
            "count_frequent" => self.count_frequent_stage(after_operator),
            "accum" => self.series_stage(after_operator, SeriesFunction::Accum),
            "total" => self.series_stage(after_operator, SeriesFunction::Total),
            "backshift" => self.series_stage(after_operator, SeriesFunction::Backshift),
            "smooth" => self.series_stage(after_operator, SeriesFunction::Smooth),
            "rollingstd" => self.series_stage(after_operator, SeriesFunction::RollingStd),
            "diff" => self.series_stage(after_operator, SeriesFunction::Diff),
            "fillmissing" => self.fillmissing_stage(after_operator),
            "dedup" => self.dedup_stage(after_operator),
            "outlier" => self.outlier_stage(after_operator),
            "predict" => self.predict_stage(after_operator),
            "compare" => self.compare_stage(after_operator),
            "geoip" => {
                let (rest, field) = self.single_field(after_operator, "geoip")?;
                Ok((rest, Stage::Geoip(field)))
            }
            "threatip" => {
                let (rest, field) = self.single_field(after_operator, "threatip")?;
                Ok((rest, Stage::ThreatIp(field)))
            }
            "threatlookup" => self.threatlookup_stage(after_operator),
            "join" => self.join_stage(after_operator),
            "merge" => self.merge_stage(after_operator),
            "transactionize" => self.transactionize_stage(after_operator),
            "compose" => self.compose_stage(after_operator),
            "filter" => self.filter_stage(after_operator),
            "withtime" => {
                let (rest, field) = self.single_field(after_operator, "withtime")?;
                Ok((rest, Stage::Withtime(field)))
            }
            "logreduce" => self.logreduce_stage(after_operator),
            "logcompare" => self.logcompare_stage(after_operator),
            "infer" => self.infer_stage(after_operator),
            "bin" => self.bin_stage(after_operator),
            "sessionize" => self.sessionize_stage(after_operator),
            "transaction" => self.transaction_stage(after_operator),
            name if AGGREGATE_FUNCTIONS.contains(&name) => self.aggregate_stage(input),
            _ => self.assign_stage(input),
        }
    }

    /// Parses `<expr> as name`. A stage that starts with a lone unknown word
    /// is reported as an unknown operator.
    fn assign_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (after_value, value) = self.expression(input)?;
        let (as_at, ()) = self.space(after_value)?;
        if let Some(after_as) = match_keyword(as_at, "as") {
            let (name_start, ()) = self.space(after_as)?;
            let (rest, name) =
                self.required_field_name(name_start, "expected a field name after `as`")?;
            return Ok((rest, Stage::Assign { value, name }));
        }

        if let Expr::Field(name) = &value.node {
            if !input.starts_with('%') {
                return Err(self.unknown_operator(input, name));
            }
        }
        if matches!(value.node, Expr::Call { .. }) {
            return Ok((after_value, Stage::Evaluate(value)));
        }
        Err(self.failure_with_help(
            as_at,
            token_len(as_at),
            format!(
                "expected `as` after the expression, found {}",
                describe(as_at)
            ),
            "expected `as` and a field name",
            "a computed value needs a name: `<expression> as <field>`",
        ))
    }

    fn unknown_operator(&self, input: &'s str, name: &str) -> nom::Err<super::SyntaxError> {
        let help = match suggest_operator(name) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => OPERATOR_HELP.to_string(),
        };
        self.failure_with_help(
            input,
            name.len(),
            format!("unknown operator `{name}`"),
            "not a supported operator",
            help,
        )
    }

    /// Parses `parse [field=F] "pattern" [field=F] as a, b [nodrop] [field=F]`,
    /// or hands over to `parse regex`. `input` starts after `parse`.
    fn parse_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (start, ()) = self.space(input)?;
        if let Some(after_regex) = match_keyword(start, "regex") {
            return self.parse_regex_stage(after_regex, "parse regex");
        }
        if let Some(after_xml) = match_keyword(start, "xml") {
            return self.parse_xml_stage(after_xml);
        }

        let mut options = ParseOptions::default();
        let mut rest = self.parse_field_option(start, &mut options)?;

        let (pattern_start, ()) = self.space(rest)?;
        let (after_pattern, pattern) = self.expect(
            self.string_literal(pattern_start),
            pattern_start,
            format!(
                "expected a quoted pattern after `parse`, found {}",
                describe(pattern_start)
            ),
            "expected a pattern such as \"user=*,\"",
        )?;
        rest = self.parse_field_option(after_pattern, &mut options)?;

        let (as_at, ()) = self.space(rest)?;
        let Some(after_as) = match_keyword(as_at, "as") else {
            return Err(self.failure_with_help(
                as_at,
                token_len(as_at),
                format!(
                    "expected `as` after the parse pattern, found {}",
                    describe(as_at)
                ),
                "expected `as` after the pattern",
                "name the captured values: parse \"…*…\" as name",
            ));
        };
        let (after_names, names) = self.capture_names(after_as)?;
        self.check_pattern(pattern_start, &pattern, &names)?;

        let mut patterns =
            vec![self.spanned(AnchorCapture { pattern, names }, pattern_start, after_names)];
        let mut rest = after_names;
        while let Some(after_comma) = self.space_then_char(rest, ',')? {
            let (next_start, ()) = self.space(after_comma)?;
            let (after_next, next) = self.required_string(next_start, "a parse pattern")?;
            let Some(after_as) = self.space_then_keyword(after_next, "as")? else {
                let (at, ()) = self.space(after_next)?;
                return Err(self.failure(
                    at,
                    token_len(at),
                    format!(
                        "expected `as` after the parse pattern, found {}",
                        describe(at)
                    ),
                    "expected `as` after the pattern",
                ));
            };
            let (after_names, names) = self.capture_names(after_as)?;
            self.check_pattern(next_start, &next, &names)?;
            patterns.push(self.spanned(
                AnchorCapture {
                    pattern: next,
                    names,
                },
                next_start,
                after_names,
            ));
            rest = after_names;
        }
        let rest = self.parse_trailing_options(rest, &mut options, false)?;

        if patterns.len() > 1 {
            let stage = Stage::ParseMulti {
                field: options.field,
                patterns,
                nodrop: options.nodrop,
            };
            return Ok((rest, stage));
        }
        let AnchorCapture { pattern, names } = patterns.remove(0).node;
        let stage = Stage::Parse {
            field: options.field,
            pattern,
            names,
            nodrop: options.nodrop,
        };
        Ok((rest, stage))
    }

    /// Parses `[field=F] "regex" [multi] [nodrop] [field=F]`; `input` starts
    /// after `parse regex` or `extract`, which `operator` names.
    fn parse_regex_stage(&self, input: &'s str, operator: &str) -> PResult<'s, Stage> {
        let (start, ()) = self.space(input)?;
        let mut options = ParseOptions::default();
        let rest = self.parse_field_option(start, &mut options)?;

        let (regex_start, ()) = self.space(rest)?;
        let (after_regex, regex) = self.expect(
            self.string_literal(regex_start),
            regex_start,
            format!(
                "expected a quoted regex after `{operator}`, found {}",
                describe(regex_start)
            ),
            "expected a regex such as \"user=(?<user>\\w+)\"",
        )?;
        let rest = self.parse_trailing_options(after_regex, &mut options, true)?;

        if !has_named_group(&regex.node) {
            return Err(self.failure_with_help(
                regex_start,
                regex.span.len(),
                "the regex has no named capture group",
                "no `(?<name>…)` group",
                "name each value to extract: `(?<name>…)`; group without capturing with `(?:…)`",
            ));
        }
        let stage = Stage::ParseRegex {
            field: options.field,
            regex,
            multi: options.multi,
            nodrop: options.nodrop,
        };
        Ok((rest, stage))
    }

    /// Parses an optional `field=F` after space; returns the rest after it,
    /// or `input` unchanged when there is none.
    fn parse_field_option(
        &self,
        input: &'s str,
        options: &mut ParseOptions<'s>,
    ) -> Result<&'s str, nom::Err<super::SyntaxError>> {
        let (option_at, ()) = self.space(input)?;
        let Some(after_field) = match_keyword(option_at, "field") else {
            return Ok(input);
        };
        let Some(after_equals) = self.space_then_char(after_field, '=')? else {
            return Ok(input);
        };

        if let Some(first) = options.field_at {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(first));
            return Err(self.failure_with_help(
                option_at,
                5,
                "duplicate `field=` option",
                "the field to parse is already set",
                format!("the first `field=` is at line {line}, column {column}; keep one"),
            ));
        }
        let (name_start, ()) = self.space(after_equals)?;
        let (rest, name) =
            self.required_field_name(name_start, "expected a field name after `field=`")?;
        options.field = Some(name);
        options.field_at = Some(option_at);
        Ok(rest)
    }

    /// Parses `nodrop`, `field=F` and, when `allow_multi`, `multi`, in any
    /// order after the names or regex.
    fn parse_trailing_options(
        &self,
        input: &'s str,
        options: &mut ParseOptions<'s>,
        allow_multi: bool,
    ) -> Result<&'s str, nom::Err<super::SyntaxError>> {
        let mut rest = input;
        loop {
            let (option_at, ()) = self.space(rest)?;
            if let Some(after) = match_keyword(option_at, "nodrop") {
                options.nodrop = true;
                rest = after;
            } else if let Some(after) = match_keyword(option_at, "multi").filter(|_| allow_multi) {
                options.multi = true;
                rest = after;
            } else {
                let after = self.parse_field_option(rest, options)?;
                if after.len() == rest.len() {
                    return Ok(rest);
                }
                rest = after;
            }
        }
    }

    /// Checks an anchor pattern: no `**`, and one `*` per name.
    fn check_pattern(
        &self,
        pattern_start: &'s str,
        pattern: &Spanned<String>,
        names: &[Spanned<String>],
    ) -> Result<(), nom::Err<super::SyntaxError>> {
        let raw = &pattern_start[..pattern.span.len()];
        if let Some(position) = raw.find("**") {
            return Err(self.failure_with_help(
                &pattern_start[position..],
                2,
                "`**` is not valid in a parse pattern",
                "two captures next to each other",
                "separate the `*` captures with at least one character of anchor text",
            ));
        }

        let captures = pattern.node.matches('*').count();
        if captures == names.len() {
            return Ok(());
        }
        let (Some(first), Some(last)) = (names.first(), names.last()) else {
            return Ok(());
        };
        let names_at = &self.source[first.span.start..];
        let plural = |count: usize, word: &str| {
            if count == 1 {
                format!("{count} {word}")
            } else {
                format!("{count} {word}s")
            }
        };
        Err(self.failure_with_help(
            names_at,
            last.span.end - first.span.start,
            format!(
                "the parse pattern has {} but {} after `as`",
                plural(captures, "`*` capture"),
                plural(names.len(), "field name"),
            ),
            format!("expected {} here", plural(captures, "name")),
            "write one field name after `as` for each `*` in the pattern",
        ))
    }

    /// Parses `fields a, b as c` (keep) or `fields - a, b` (remove);
    /// `input` starts after `fields`.
    fn fields_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (start, ()) = self.space(input)?;
        let (mode, first_item) = match start.strip_prefix('-') {
            Some(after_minus) => (FieldsMode::Remove, self.space(after_minus)?.0),
            None => (FieldsMode::Keep, start),
        };

        // Real queries also put the list in parentheses: `fields -(a, b)`.
        let (first_item, parenthesized) = match first_item.strip_prefix('(') {
            Some(after_open) => (self.space(after_open)?.0, true),
            None => (first_item, false),
        };

        let mut items: Vec<Spanned<FieldItem>> = Vec::new();
        let mut item_start = first_item;
        loop {
            let (after_item, item) = self.fields_item(item_start, mode)?;
            self.check_duplicate_field(&items, &item)?;
            items.push(item);
            match self.space_then_char(after_item, ',')? {
                Some(after_comma) => item_start = self.space(after_comma)?.0,
                None if parenthesized => {
                    let Some(after_close) = self.space_then_char(after_item, ')')? else {
                        let (at, ()) = self.space(after_item)?;
                        return Err(self.missing_word(
                            at,
                            ")",
                            "the `fields` list",
                            "`fields (a, b)`",
                        ));
                    };
                    return Ok((after_close, Stage::Fields { mode, items }));
                }
                None => return Ok((after_item, Stage::Fields { mode, items })),
            }
        }
    }

    /// Rejects a `fields` item whose resulting name, the alias if there is
    /// one, is already in the list. Sumo fails such a query, and field names
    /// compare without case.
    fn check_duplicate_field(
        &self,
        items: &[Spanned<FieldItem>],
        item: &Spanned<FieldItem>,
    ) -> Result<(), nom::Err<super::SyntaxError>> {
        let output_name =
            |item: &FieldItem| item.alias.clone().unwrap_or_else(|| item.name.clone());
        let name = output_name(&item.node);
        let Some(first) = items
            .iter()
            .find(|earlier| output_name(&earlier.node).eq_ignore_ascii_case(&name))
        else {
            return Ok(());
        };

        let (line, column) = crate::diagnostic::line_column(self.source, first.span.start);
        Err(self.failure_with_help(
            &self.source[item.span.start..],
            item.span.len(),
            format!("field `{name}` is listed twice in `fields`"),
            "already listed",
            format!("the first mention is at line {line}, column {column}; remove one of them"),
        ))
    }

    fn fields_item(&self, input: &'s str, mode: FieldsMode) -> PResult<'s, Spanned<FieldItem>> {
        let (after_name, name) =
            self.required_field_name(input, "expected a field name in the `fields` list")?;
        let (as_at, ()) = self.space(after_name)?;
        let mut rest = after_name;
        let mut alias = None;

        if let Some(after_as) = match_keyword(as_at, "as") {
            if mode == FieldsMode::Remove {
                return Err(self.failure_with_help(
                    as_at,
                    2,
                    "`as` is not allowed in `fields -`",
                    "a removed field cannot be renamed",
                    "rename in a separate stage: `| a as b`",
                ));
            }
            let (alias_start, ()) = self.space(after_as)?;
            let (after_alias, alias_name) =
                self.required_field_name(alias_start, "expected a field name after `as`")?;
            alias = Some(alias_name.node);
            rest = after_alias;
        }

        let item = FieldItem {
            name: name.node,
            alias,
        };
        Ok((rest, self.spanned(item, input, rest)))
    }

    /// Parses `union [ query ]`; `input` starts at `union`.
    fn union_stage(&self, input: &'s str, after_operator: &'s str) -> PResult<'s, Stage> {
        let (open_at, ()) = self.space(after_operator)?;
        let Some(after_open) = open_at.strip_prefix('[') else {
            return Err(self.failure_with_help(
                open_at,
                token_len(open_at),
                format!("expected `[` after `union`, found {}", describe(open_at)),
                "expected `[`",
                "write the subquery in brackets: `union [ scope | stages ]`",
            ));
        };

        let _guard = self.enter(input)?;
        let (close_at, query) = self.query_body(after_open, Region::Bracket, Lead::Scope);
        let Some(after_close) = close_at.strip_prefix(']') else {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(open_at));
            return Err(self.failure_with_help(
                close_at,
                0,
                "unclosed `union [`",
                "expected `]` to close `union [`",
                format!("the subquery opened with `[` at line {line}, column {column}"),
            ));
        };

        // The subquery span runs from its first token to the end of its last
        // node; an empty subquery gets an empty span at the `]`.
        let content_start = self.space(after_open).map_or(after_open, |(rest, ())| rest);
        let content_end = query
            .stages
            .last()
            .map(|stage| stage.span.end)
            .or_else(|| query.scope.as_ref().map(|scope| scope.span.end));
        let span = match content_end {
            Some(end) => self.offset(content_start)..end,
            None => self.offset(close_at)..self.offset(close_at),
        };
        Ok((
            after_close,
            Stage::Union(Box::new(Spanned::new(query, span))),
        ))
    }

    /// Parses `sort [by] key [asc|desc], …` (also `order`); `input` starts
    /// after the operator word.
    fn sort_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (start, ()) = self.space(input)?;
        let first_key = match match_keyword(start, "by") {
            Some(after_by) => self.space(after_by)?.0,
            None => {
                // `sort` alone appears in real queries; Sumo documents no
                // meaning for it, and it becomes a sort with no key, which
                // keeps the order.
                if start.is_empty() || start.starts_with(['|', ']', ')']) {
                    return Ok((input, Stage::Sort(Vec::new())));
                }
                start
            }
        };

        let mut keys = Vec::new();
        let mut key_start = first_key;
        loop {
            let (after_key, key) = self.sort_key(key_start)?;
            keys.push(key);
            match self.space_then_char(after_key, ',')? {
                Some(after_comma) => key_start = self.space(after_comma)?.0,
                None => return Ok((after_key, Stage::Sort(keys))),
            }
        }
    }

    pub(super) fn sort_key(&self, input: &'s str) -> PResult<'s, Spanned<SortKey>> {
        let (prefix, expression_start) = match input.chars().next() {
            Some('+') => (Some(SortDirection::Ascending), self.space(&input[1..])?.0),
            Some('-') => (Some(SortDirection::Descending), self.space(&input[1..])?.0),
            _ => (None, input),
        };
        let (after_key, key) = self.expression(expression_start)?;

        let (direction_at, ()) = self.space(after_key)?;
        let (rest, suffix) = if let Some(after) = match_keyword(direction_at, "asc") {
            (after, Some(SortDirection::Ascending))
        } else if let Some(after) = match_keyword(direction_at, "desc") {
            (after, Some(SortDirection::Descending))
        } else {
            (after_key, None)
        };

        if let (Some(prefix), Some(suffix)) = (prefix, suffix) {
            if prefix != suffix {
                return Err(self.failure_with_help(
                    direction_at,
                    token_len(direction_at),
                    "conflicting sort directions",
                    "this contradicts the `+` or `-` before the key",
                    "keep either the `+`/`-` prefix or the `asc`/`desc` suffix",
                ));
            }
        }

        // Sumo sorts in descending order unless a direction is given.
        let direction = suffix.or(prefix).unwrap_or(SortDirection::Descending);
        Ok((rest, self.spanned(SortKey { key, direction }, input, rest)))
    }

    /// Parses `limit N`; `input` starts after `limit`.
    fn limit_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (start, ()) = self.space(input)?;
        let digits_len = start
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(start.len());
        let rest = &start[digits_len..];
        let count = start[..digits_len].parse::<u64>();
        match count {
            Ok(count) if !rest.starts_with(super::lexical::is_field_char) => {
                Ok((rest, Stage::Limit(count)))
            }
            _ => Err(self.failure_with_help(
                start,
                token_len(start),
                format!(
                    "expected a row count after `limit`, found {}",
                    describe(start)
                ),
                "expected a whole number",
                "write the maximum number of rows, such as `limit 10`",
            )),
        }
    }

    /// Parses `f [(args)] [as name], … [[group] by a, b]`, and Sumo's
    /// `count a, b`, where a list of fields without `by` is the group list.
    fn aggregate_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut rest, first) = self.aggregate_call(input)?;
        let mut functions = vec![first];
        loop {
            let (comma_at, ()) = self.space(rest)?;
            let Some(after_comma) = comma_at.strip_prefix(',') else {
                break;
            };
            let (call_start, ()) = self.space(after_comma)?;
            let is_aggregate = word(call_start).is_ok_and(|(_, name)| {
                AGGREGATE_FUNCTIONS
                    .iter()
                    .any(|f| name.eq_ignore_ascii_case(f))
            });
            if !is_aggregate {
                return Err(self.failure_with_help(
                    call_start,
                    token_len(call_start),
                    format!(
                        "expected an aggregate function after `,`, found {}",
                        describe(call_start)
                    ),
                    "expected an aggregate function",
                    format!(
                        "aggregate functions: {}; group with `by`: `count by a, b`",
                        AGGREGATE_FUNCTIONS.join(", ")
                    ),
                ));
            }
            let (after_call, call) = self.aggregate_call(call_start)?;
            functions.push(call);
            rest = after_call;
        }

        let (by_at, ()) = self.space(rest)?;
        let list_start = if let Some(after_by) = match_keyword(by_at, "by") {
            Some(after_by)
        } else if let Some(after_group) = match_keyword(by_at, "group") {
            let (by_at, ()) = self.space(after_group)?;
            match match_keyword(by_at, "by") {
                Some(after_by) => Some(after_by),
                None => {
                    return Err(self.failure(
                        by_at,
                        token_len(by_at),
                        format!("expected `by` after `group`, found {}", describe(by_at)),
                        "expected `by`",
                    ))
                }
            }
        } else if self.field_name(by_at).is_ok() {
            Some(by_at)
        } else {
            None
        };

        let Some(list_start) = list_start else {
            return Ok((
                rest,
                Stage::Aggregate {
                    functions,
                    by: Vec::new(),
                },
            ));
        };
        let (rest, by) = self.group_list(list_start)?;
        Ok((rest, Stage::Aggregate { functions, by }))
    }

    fn group_list(&self, input: &'s str) -> PResult<'s, Vec<Spanned<Expr>>> {
        let (start, ()) = self.space(input)?;
        let (mut rest, first) = self.expression(start)?;
        let mut by = vec![first];
        while let Some(after_comma) = self.space_then_char(rest, ',')? {
            let (item_start, ()) = self.space(after_comma)?;
            let (after_item, item) = self.expression(item_start)?;
            by.push(item);
            rest = after_item;
        }
        Ok((rest, by))
    }

    /// Returns whether the argument list after `(` is `*)`.
    fn is_star_argument(&self, after_open: &'s str) -> bool {
        let Ok((star_at, ())) = self.space(after_open) else {
            return false;
        };
        let Some(after_star) = star_at.strip_prefix('*') else {
            return false;
        };
        self.space(after_star)
            .is_ok_and(|(close_at, ())| close_at.starts_with(')'))
    }

    /// Parses one aggregate function with its arguments and alias.
    fn aggregate_call(&self, input: &'s str) -> PResult<'s, Spanned<AggregateCall>> {
        let (after_name, name) = word(input)?;
        let function = name.to_ascii_lowercase();

        let (mut rest, arguments) = match self.space_then_char(after_name, '(')? {
            // `count(*)` counts every row, as `count` does (Sumo doc,
            // OPERATOR/sort example `count (*) group by user`).
            Some(after_open) if function == "count" && self.is_star_argument(after_open) => {
                let (star_at, ()) = self.space(after_open)?;
                let after_star = self.space(&star_at[1..])?.0;
                (&after_star[1..], Vec::new())
            }
            Some(after_open) => {
                self.expression_list(after_open, &format!("the arguments of `{function}`"))?
            }
            None => (after_name, Vec::new()),
        };

        let (min_arguments, max_arguments) = match function.as_str() {
            "count" => (0, 1),
            "pct" => (2, usize::MAX),
            _ => (1, 1),
        };
        if arguments.len() < min_arguments || arguments.len() > max_arguments {
            let expected = match function.as_str() {
                "count" => "`count` takes at most one argument, as in `count(field)`".to_string(),
                "pct" => {
                    "`pct` takes a field and one or more percentiles, as in `pct(latency, 95)`"
                        .to_string()
                }
                _ => format!("`{function}` takes one argument, as in `{function}(field)`"),
            };
            return Err(self.failure_with_help(
                input,
                self.offset(rest) - self.offset(input),
                format!("wrong number of arguments for `{function}`"),
                format!("{} given", arguments.len()),
                expected,
            ));
        }

        let mut alias = None;
        if let Some(after_as) = self.space_then_keyword(rest, "as")? {
            let (alias_start, ()) = self.space(after_as)?;
            let (after_alias, alias_name) =
                self.required_field_name(alias_start, "expected a field name after `as`")?;
            alias = Some(alias_name);
            rest = after_alias;
        }

        let call = AggregateCall {
            function,
            arguments,
            alias,
        };
        Ok((rest, self.spanned(call, input, rest)))
    }
}

/// Returns whether a regex has a named capture group: `(?<name>…)` or
/// `(?P<name>…)`.
/// Lookbehind groups `(?<=` and `(?<!` do not count.
fn has_named_group(regex: &str) -> bool {
    ["(?<", "(?P<"].iter().any(|opening| {
        regex.match_indices(opening).any(|(index, matched)| {
            regex[index + matched.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_cases() {
        assert_eq!(edit_distance("wehre", "where"), 2);
        assert_eq!(edit_distance("where", "where"), 0);
        assert_eq!(edit_distance("cout", "count"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggestion_cases() {
        assert_eq!(suggest_operator("wehre"), Some("where"));
        assert_eq!(suggest_operator("WHER"), Some("where"));
        assert_eq!(suggest_operator("jsn"), Some("json"));
        assert_eq!(suggest_operator("timeslise"), Some("timeslice"));
        assert_eq!(suggest_operator("frobnicate"), None);
    }

    #[test]
    fn named_group_detection() {
        assert!(has_named_group("(?<user>\\w+)"));
        assert!(has_named_group("a(?P<x>b)"));
        assert!(!has_named_group("(?<=a)b"));
        assert!(!has_named_group("(a)"));
    }
}
