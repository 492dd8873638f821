//! Operators over aggregated or time-ordered rows: `timeslice`,
//! `transpose`, `top`, `topk`, `count_frequent`, the series operators
//! (`accum`, `total`, `backshift`, `smooth`, `rollingstd`, `diff`),
//! `fillmissing`, `dedup`, `outlier`, `predict`, `compare`, `logreduce`,
//! `logcompare`, `infer`, `bin`, `withtime`, and the IP enrichments
//! `geoip`, `threatip` and `threatlookup`.

use super::lexical::{describe, match_keyword, token_len};
use super::{PResult, QueryParser};
use crate::ast::{
    CompareAggregate, FillDefault, FillGenerator, SeriesFunction, Spanned, Stage, Timeshift,
    TimesliceSpan, TransposeOutput,
};

impl<'s> QueryParser<'s> {
    /// Parses `timeslice [by] [SPAN | N buckets] [as F]` after the operator.
    pub(super) fn timeslice_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut at, ()) = self.space(input)?;
        if let Some(after_by) = match_keyword(at, "by") {
            at = self.space(after_by)?.0;
        }

        let mut rest = input;
        let mut span = None;
        if at.starts_with(|c: char| c.is_ascii_digit()) {
            let buckets = self
                .whole_number(at, "")
                .ok()
                .and_then(|(after_number, count)| {
                    let after_buckets = self.space_then_keyword(after_number, "buckets").ok()??;
                    Some((after_buckets, count.node))
                });
            if let Some((after_buckets, count)) = buckets {
                span = Some(self.spanned(TimesliceSpan::Buckets(count), at, after_buckets));
                rest = after_buckets;
            } else {
                let (after_duration, duration) = self.duration(at, true, "after `timeslice`")?;
                span = Some(Spanned::new(
                    TimesliceSpan::Duration(duration.node),
                    duration.span,
                ));
                rest = after_duration;
            }
        }

        let (rest, alias) = self.optional_alias(rest)?;
        Ok((rest, Stage::Timeslice { span, alias }))
    }

    /// Parses `transpose row a, … column b, … [as c, …, *]`.
    pub(super) fn transpose_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (row_at, ()) = self.space(input)?;
        let Some(after_row) = match_keyword(row_at, "row") else {
            return Err(self.missing_word(
                row_at,
                "row",
                "transpose",
                "`transpose row _timeslice column status`",
            ));
        };
        let (rows_start, ()) = self.space(after_row)?;
        let (after_rows, rows) = self.field_name_list(rows_start, "`row`")?;

        let (column_at, ()) = self.space(after_rows)?;
        let Some(after_column) = match_keyword(column_at, "column") else {
            return Err(self.missing_word(
                column_at,
                "column",
                "the row fields",
                "`transpose row _timeslice column status`",
            ));
        };
        let (columns_start, ()) = self.space(after_column)?;
        let (mut rest, columns) = self.field_name_list(columns_start, "`column`")?;

        let mut outputs = Vec::new();
        if let Some(after_as) = self.space_then_keyword(rest, "as")? {
            let (mut item_start, ()) = self.space(after_as)?;
            loop {
                let (after_item, output) = if let Some(after_star) = item_start.strip_prefix('*') {
                    (
                        after_star,
                        self.spanned(TransposeOutput::Dynamic, item_start, after_star),
                    )
                } else {
                    let (after_name, name) = self.required_field_name(
                        item_start,
                        "expected a field name or `*` after `as`",
                    )?;
                    (
                        after_name,
                        Spanned::new(TransposeOutput::Field(name.node), name.span),
                    )
                };
                outputs.push(output);
                rest = after_item;
                match self.space_then_char(after_item, ',')? {
                    Some(after_comma) => item_start = self.space(after_comma)?.0,
                    None => break,
                }
            }
        }
        Ok((
            rest,
            Stage::Transpose {
                rows,
                columns,
                outputs,
            },
        ))
    }

    /// Builds the error for a required keyword that is missing at `at`.
    pub(super) fn missing_word(
        &self,
        at: &'s str,
        expected: &str,
        after: &str,
        example: &str,
    ) -> nom::Err<super::SyntaxError> {
        self.failure_with_help(
            at,
            token_len(at),
            format!(
                "expected `{expected}` after {after}, found {}",
                describe(at)
            ),
            format!("expected `{expected}`"),
            format!("for example {example}"),
        )
    }

    /// Parses `top [N] a, … [by key [asc|desc], …]`.
    pub(super) fn top_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut at, ()) = self.space(input)?;
        let mut count = None;
        if at.starts_with(|c: char| c.is_ascii_digit()) {
            let (after_count, number) = self.whole_number(at, "after `top`")?;
            count = Some(number.node);
            at = self.space(after_count)?.0;
        }
        let (mut rest, fields) = self.expression_items(at)?;
        let mut by = Vec::new();
        if let Some(after_by) = self.space_then_keyword(rest, "by")? {
            let (mut key_start, ()) = self.space(after_by)?;
            loop {
                let (after_key, key) = self.sort_key(key_start)?;
                by.push(key);
                rest = after_key;
                match self.space_then_char(after_key, ',')? {
                    Some(after_comma) => key_start = self.space(after_comma)?.0,
                    None => break,
                }
            }
        }
        Ok((rest, Stage::Top { count, fields, by }))
    }

    /// Parses `topk(N, a, …) [by b, …]`.
    pub(super) fn topk_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (open_at, ()) = self.space(input)?;
        let Some(after_open) = open_at.strip_prefix('(') else {
            return Err(self.missing_word(open_at, "(", "`topk`", "`topk(10, _count) by host`"));
        };
        let (count_start, ()) = self.space(after_open)?;
        let (after_count, count) =
            self.whole_number(count_start, "as the first argument of `topk`")?;
        let Some(after_comma) = self.space_then_char(after_count, ',')? else {
            let (at, ()) = self.space(after_count)?;
            return Err(self.missing_word(at, ",", "the count of `topk`", "`topk(10, _count)`"));
        };
        let (fields_start, ()) = self.space(after_comma)?;
        let (after_fields, fields) = self.expression_items(fields_start)?;
        let Some(after_close) = self.space_then_char(after_fields, ')')? else {
            let (at, ()) = self.space(after_fields)?;
            return Err(self.missing_word(
                at,
                ")",
                "the arguments of `topk`",
                "`topk(10, _count)`",
            ));
        };
        let (rest, by) = self.optional_by_list(after_close)?;
        let stage = Stage::TopK {
            count: count.node,
            fields,
            by,
        };
        Ok((rest, stage))
    }

    /// Parses `count_frequent a, …`.
    pub(super) fn count_frequent_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (fields_start, ()) = self.space(input)?;
        let (rest, fields) = self.expression_items(fields_start)?;
        Ok((rest, Stage::CountFrequent(fields)))
    }

    /// Parses the series operators: `NAME F [, N] [as A] [by b, …]`; the
    /// field may be in parentheses, as in `total(_count)`.
    pub(super) fn series_stage(
        &self,
        input: &'s str,
        function: SeriesFunction,
    ) -> PResult<'s, Stage> {
        let (field_start, ()) = self.space(input)?;
        let (mut rest, field) = self.expression(field_start)?;
        let mut window = None;
        if let Some(after_comma) = self.space_then_char(rest, ',')? {
            let (number_start, ()) = self.space(after_comma)?;
            let context = format!(
                "after `{} {},`",
                function.name(),
                &self.source[field.span.clone()]
            );
            let (after_number, number) = self.whole_number(number_start, &context)?;
            window = Some(number.node);
            rest = after_number;
        }
        let (rest, alias) = self.optional_alias(rest)?;
        let (rest, by) = self.optional_by_list(rest)?;
        let stage = Stage::Series {
            function,
            field,
            window,
            alias,
            by,
        };
        Ok((rest, stage))
    }

    /// Parses `fillmissing GENERATOR, … [with VALUE for F, …] [takeLast]`.
    pub(super) fn fillmissing_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (mut item_start, ()) = self.space(input)?;
        let mut generators = Vec::new();
        let mut rest;
        loop {
            let (after_item, generator) = self.fill_generator(item_start)?;
            generators.push(generator);
            rest = after_item;
            match self.space_then_char(after_item, ',')? {
                Some(after_comma) => item_start = self.space(after_comma)?.0,
                None => break,
            }
        }

        let mut defaults = Vec::new();
        if let Some(after_with) = self.space_then_keyword(rest, "with")? {
            let (mut default_start, ()) = self.space(after_with)?;
            loop {
                let (after_default, default) = self.fill_default(default_start)?;
                defaults.push(default);
                rest = after_default;
                match self.space_then_char(after_default, ',')? {
                    Some(after_comma) => default_start = self.space(after_comma)?.0,
                    None => break,
                }
            }
        }

        let take_last = match self.space_then_keyword(rest, "takelast")? {
            Some(after) => {
                rest = after;
                true
            }
            None => false,
        };
        let stage = Stage::FillMissing {
            generators,
            defaults,
            take_last,
        };
        Ok((rest, stage))
    }

    fn fill_generator(&self, input: &'s str) -> PResult<'s, Spanned<FillGenerator>> {
        if let Some(after_timeslice) = match_keyword(input, "timeslice") {
            let mut rest = after_timeslice;
            let mut span = None;
            if let Some(after_open) = self.space_then_char(after_timeslice, '(')? {
                let (duration_start, ()) = self.space(after_open)?;
                let (after_duration, duration) =
                    self.duration(duration_start, true, "in `timeslice(…)`")?;
                let Some(after_close) = self.space_then_char(after_duration, ')')? else {
                    let (at, ()) = self.space(after_duration)?;
                    return Err(self.missing_word(
                        at,
                        ")",
                        "the timeslice span",
                        "`timeslice(15m)`",
                    ));
                };
                span = Some(duration.node);
                rest = after_close;
            }
            let mut field = None;
            if let Some(after_in) = self.space_then_keyword(rest, "in")? {
                let (name_start, ()) = self.space(after_in)?;
                let (after_name, name) =
                    self.required_field_name(name_start, "expected a field name after `in`")?;
                field = Some(name.node);
                rest = after_name;
            }
            let generator = FillGenerator::Timeslice { span, field };
            return Ok((rest, self.spanned(generator, input, rest)));
        }

        let Some(after_values) = match_keyword(input, "values") else {
            return Err(self.failure_with_help(
                input,
                token_len(input),
                format!(
                    "expected `timeslice` or `values` in `fillmissing`, found {}",
                    describe(input)
                ),
                "expected a generator",
                "for example `fillmissing timeslice(15m), values(\"a\", \"b\") in type`",
            ));
        };
        let (values_at, ()) = self.space(after_values)?;
        let (after_values, values) = if let Some(after_all) = match_keyword(values_at, "all") {
            (after_all, None)
        } else if let Some(after_open) = values_at.strip_prefix('(') {
            let (list_start, ()) = self.space(after_open)?;
            let (after_list, values) = self.string_list(list_start, "a value")?;
            let Some(after_close) = self.space_then_char(after_list, ')')? else {
                let (at, ()) = self.space(after_list)?;
                return Err(self.missing_word(
                    at,
                    ")",
                    "the values",
                    "`values(\"a\", \"b\") in type`",
                ));
            };
            (
                after_close,
                Some(values.into_iter().map(|value| value.node).collect()),
            )
        } else {
            return Err(self.missing_word(
                values_at,
                "(",
                "`values`",
                "`values(\"a\", \"b\") in type`",
            ));
        };
        let Some(after_in) = self.space_then_keyword(after_values, "in")? else {
            let (at, ()) = self.space(after_values)?;
            return Err(self.missing_word(
                at,
                "in",
                "the values",
                "`values(\"a\", \"b\") in type`",
            ));
        };
        let (name_start, ()) = self.space(after_in)?;
        let (rest, field) =
            self.required_field_name(name_start, "expected a field name after `in`")?;
        let generator = match values {
            Some(values) => FillGenerator::Values {
                values,
                field: field.node,
            },
            None => FillGenerator::AllValues { field: field.node },
        };
        Ok((rest, self.spanned(generator, input, rest)))
    }

    fn fill_default(&self, input: &'s str) -> PResult<'s, Spanned<FillDefault>> {
        let (after_value, value) = match match_keyword(input, "null") {
            Some(after_null) => (after_null, None),
            None => {
                let (after_value, value) = self.expression(input)?;
                (after_value, Some(value))
            }
        };
        let Some(after_for) = self.space_then_keyword(after_value, "for")? else {
            let (at, ()) = self.space(after_value)?;
            return Err(self.missing_word(at, "for", "the default value", "`with 0 for _count`"));
        };
        let (name_start, ()) = self.space(after_for)?;
        let (rest, field) =
            self.required_field_name(name_start, "expected a field name after `for`")?;
        Ok((
            rest,
            self.spanned(FillDefault { value, field }, input, rest),
        ))
    }

    /// Parses `dedup [consecutive] [N] [by] a, …`.
    pub(super) fn dedup_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut rest = input;
        let consecutive = match self.space_then_keyword(rest, "consecutive")? {
            Some(after) => {
                rest = after;
                true
            }
            None => false,
        };
        let mut count = None;
        let (at, ()) = self.space(rest)?;
        if at.starts_with(|c: char| c.is_ascii_digit()) {
            let (after_count, number) = self.whole_number(at, "after `dedup`")?;
            count = Some(number.node);
            rest = after_count;
        }

        let (at, ()) = self.space(rest)?;
        let list_start = match match_keyword(at, "by") {
            Some(after_by) => Some(self.space(after_by)?.0),
            None if self.field_name(at).is_ok() => Some(at),
            None => None,
        };
        let mut by = Vec::new();
        if let Some(list_start) = list_start {
            let (after_list, list) = self.expression_items(list_start)?;
            by = list;
            rest = after_list;
        }
        Ok((
            rest,
            Stage::Dedup {
                consecutive,
                count,
                by,
            },
        ))
    }

    /// Parses `outlier F [by a, …] [window=N, threshold=X, consecutive=N,
    /// direction=+-]`; `by` may also follow the options.
    pub(super) fn outlier_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        const OPTIONS: [&str; 4] = ["window", "threshold", "consecutive", "direction"];
        let (field_start, ()) = self.space(input)?;
        let (rest, field) = self.expression(field_start)?;
        let (rest, mut by) = self.optional_by_list(rest)?;
        let (mut rest, options) = self.named_options(rest, "outlier", &OPTIONS)?;
        if by.is_empty() {
            let (after_by, list) = self.optional_by_list(rest)?;
            by = list;
            rest = after_by;
        }
        Ok((rest, Stage::Outlier { field, by, options }))
    }

    /// Parses `predict F by SPAN [model=ar, ar.window=N, forecast=N]`.
    pub(super) fn predict_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        const OPTIONS: [&str; 3] = ["model", "ar.window", "forecast"];
        let (field_start, ()) = self.space(input)?;
        let (after_field, field) = self.expression(field_start)?;
        let Some(after_by) = self.space_then_keyword(after_field, "by")? else {
            let (at, ()) = self.space(after_field)?;
            return Err(self.missing_word(
                at,
                "by",
                "the field of `predict`",
                "`predict _count by 1m`",
            ));
        };
        let (interval_start, ()) = self.space(after_by)?;
        let (after_interval, interval) = self.duration(interval_start, false, "after `by`")?;
        let (rest, options) = self.named_options(after_interval, "predict", &OPTIONS)?;
        let stage = Stage::Predict {
            field,
            interval,
            options,
        };
        Ok((rest, stage))
    }

    /// Parses `compare [with] timeshift SPAN [N] [avg|min|max] [as A], …`.
    pub(super) fn compare_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut rest = input;
        if let Some(after_with) = self.space_then_keyword(rest, "with")? {
            rest = after_with;
        }
        let mut shifts = Vec::new();
        loop {
            let (shift_start, ()) = self.space(rest)?;
            let (after_shift, shift) = self.timeshift(shift_start)?;
            shifts.push(shift);
            rest = after_shift;
            match self.space_then_char(after_shift, ',')? {
                Some(after_comma) => rest = after_comma,
                None => return Ok((rest, Stage::Compare(shifts))),
            }
        }
    }

    fn timeshift(&self, input: &'s str) -> PResult<'s, Spanned<Timeshift>> {
        let Some(after_keyword) = match_keyword(input, "timeshift") else {
            return Err(self.missing_word(
                input,
                "timeshift",
                "`compare`",
                "`compare with timeshift 1d`",
            ));
        };
        let (shift_start, ()) = self.space(after_keyword)?;
        let (mut rest, shift) = self.duration(shift_start, false, "after `timeshift`")?;

        let mut count = None;
        let (at, ()) = self.space(rest)?;
        if at.starts_with(|c: char| c.is_ascii_digit()) {
            let (after_count, number) = self.whole_number(at, "after the timeshift span")?;
            count = Some(number.node);
            rest = after_count;
        }
        let mut aggregate = None;
        let (at, ()) = self.space(rest)?;
        for (word, kind) in [
            ("avg", CompareAggregate::Avg),
            ("min", CompareAggregate::Min),
            ("max", CompareAggregate::Max),
        ] {
            if let Some(after) = match_keyword(at, word) {
                aggregate = Some(kind);
                rest = after;
                break;
            }
        }
        let (rest, alias) = self.optional_alias(rest)?;
        let node = Timeshift {
            shift: shift.node,
            count,
            aggregate,
            alias: alias.map(|alias| alias.node),
        };
        Ok((rest, self.spanned(node, input, rest)))
    }

    /// Parses `logreduce [(F)] [field=F] [by a, …] [NAME=VALUE …]`.
    pub(super) fn logreduce_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut rest = input;
        let mut field = None;
        if let Some(after_open) = self.space_then_char(rest, '(')? {
            let (name_start, ()) = self.space(after_open)?;
            let (after_name, name) =
                self.required_field_name(name_start, "expected a field name in `logreduce(…)`")?;
            let Some(after_close) = self.space_then_char(after_name, ')')? else {
                let (at, ()) = self.space(after_name)?;
                return Err(self.missing_word(at, ")", "the field", "`logreduce(message)`"));
            };
            field = Some(name);
            rest = after_close;
        }
        let (after_options, mut options) = self.named_options(rest, "logreduce", &[])?;
        rest = after_options;
        if let Some(position) = options
            .iter()
            .position(|option| option.node.name.eq_ignore_ascii_case("field"))
        {
            let option = options.remove(position);
            if let crate::ast::OptionValue::Word(name) = option.node.value {
                field = Some(Spanned::new(name, option.span));
            }
        }
        let (after_by, by) = self.optional_by_list(rest)?;
        let (rest, more) = self.named_options(after_by, "logreduce", &[])?;
        options.extend(more);
        Ok((rest, Stage::LogReduce { field, by, options }))
    }

    /// Parses `logcompare timeshift SPAN [NAME=VALUE …]`.
    pub(super) fn logcompare_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (at, ()) = self.space(input)?;
        let Some(after_keyword) = match_keyword(at, "timeshift") else {
            return Err(self.missing_word(
                at,
                "timeshift",
                "`logcompare`",
                "`logcompare timeshift -1d`",
            ));
        };
        let (shift_start, ()) = self.space(after_keyword)?;
        let (after_shift, timeshift) = self.duration(shift_start, false, "after `timeshift`")?;
        let (rest, options) = self.named_options(after_shift, "logcompare", &[])?;
        Ok((rest, Stage::LogCompare { timeshift, options }))
    }

    /// Parses `infer NAME=VALUE …`.
    pub(super) fn infer_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (rest, options) = self.named_options(input, "infer", &[])?;
        if options.is_empty() {
            let (at, ()) = self.space(input)?;
            return Err(self.missing_word(
                at,
                "NAME=VALUE",
                "`infer`",
                "`infer _category=cloudtrail _model=benchmark`",
            ));
        }
        Ok((rest, Stage::Infer(options)))
    }

    /// Parses `bin F width=W, min=A, max=B [as A]`.
    pub(super) fn bin_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let (field_start, ()) = self.space(input)?;
        let (after_field, field) = self.expression(field_start)?;
        let (after_options, options) = self.named_options(after_field, "bin", &[])?;
        let (rest, alias) = self.optional_alias(after_options)?;
        Ok((
            rest,
            Stage::Bin {
                field,
                options,
                alias,
            },
        ))
    }

    /// Parses an operator that takes one field: `withtime F`, `geoip F`,
    /// `threatip F`.
    pub(super) fn single_field(
        &self,
        input: &'s str,
        operator: &str,
    ) -> PResult<'s, Spanned<String>> {
        let (name_start, ()) = self.space(input)?;
        self.required_field_name(
            name_start,
            &format!("expected a field name after `{operator}`"),
        )
    }

    /// Parses `threatlookup [singleIndicator] [source=…] [include=…] F, …`.
    pub(super) fn threatlookup_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut rest = input;
        let single_indicator = match self.space_then_keyword(rest, "singleindicator")? {
            Some(after) => {
                rest = after;
                true
            }
            None => false,
        };
        let (after_options, options) =
            self.named_options(rest, "threatlookup", &["source", "include"])?;
        let (fields_start, ()) = self.space(after_options)?;
        let (rest, fields) = self.field_name_list(fields_start, "`threatlookup`")?;
        let stage = Stage::ThreatLookup {
            single_indicator,
            options,
            fields,
        };
        Ok((rest, stage))
    }
}
