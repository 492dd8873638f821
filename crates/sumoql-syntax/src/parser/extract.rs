//! Operators that extract fields from structured text: `json`, `keyvalue`
//! (`kv`), `csv`, `split` and `parse xml`.

use super::lexical::{describe, match_keyword, token_len};
use super::{PResult, QueryParser, SyntaxError};
use crate::ast::{
    DelimitedColumn, DelimitedStage, JsonStage, KeyValueMode, KeyValueStage, Spanned, Stage,
};

/// Tracks `field=` so that a second one is reported.
struct FieldOption<'s> {
    field: Option<Spanned<String>>,
    first_at: Option<&'s str>,
}

impl<'s> QueryParser<'s> {
    /// Parses `field = F` at `input` when it is there. Returns the rest after
    /// it, or `None` when `input` does not start with `field =`.
    fn field_option(
        &self,
        input: &'s str,
        state: &mut FieldOption<'s>,
    ) -> Result<Option<&'s str>, nom::Err<SyntaxError>> {
        let Some(after_field) = match_keyword(input, "field") else {
            return Ok(None);
        };
        let Some(after_equals) = self.space_then_char(after_field, '=')? else {
            return Ok(None);
        };
        if let Some(first) = state.first_at {
            let (line, column) = crate::diagnostic::line_column(self.source, self.offset(first));
            return Err(self.failure_with_help(
                input,
                5,
                "duplicate `field=` option",
                "the field to parse is already set",
                format!("the first `field=` is at line {line}, column {column}; keep one"),
            ));
        }
        let (name_start, ()) = self.space(after_equals)?;
        let (rest, name) =
            self.required_field_name(name_start, "expected a field name after `field=`")?;
        state.field = Some(name);
        state.first_at = Some(input);
        Ok(Some(rest))
    }

    /// Parses `json` after the operator word:
    /// `json [field=F] [auto] [maxdepth N] [extractarrays] [keys] "k", …
    /// [refonly] [as a, …] [nodrop]`. The options, the key list and the name
    /// list may come in any order; a second `field=` is an error.
    pub(super) fn json_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut field = FieldOption {
            field: None,
            first_at: None,
        };
        let mut stage = JsonStage {
            field: None,
            auto: false,
            keys: Vec::new(),
            names: Vec::new(),
            max_depth: None,
            extract_arrays: false,
            refonly: false,
            nodrop: false,
        };
        let mut rest = input;

        loop {
            let (at, ()) = self.space(rest)?;
            if let Some(after) = self.field_option(at, &mut field)? {
                rest = after;
            } else if let Some(after) = match_keyword(at, "auto") {
                stage.auto = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "maxdepth") {
                let (number_start, ()) = self.space(after)?;
                let (after_number, depth) = self.whole_number(number_start, "after `maxdepth`")?;
                stage.max_depth = Some(depth.node);
                rest = after_number;
            } else if let Some(after) = match_keyword(at, "extractarrays") {
                stage.extract_arrays = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "refonly") {
                stage.refonly = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "nodrop") {
                stage.nodrop = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "keys") {
                let (keys_start, ()) = self.space(after)?;
                let (after_keys, keys) = self.string_list(keys_start, "a JSON key")?;
                stage.keys.extend(keys);
                rest = after_keys;
            } else if at.starts_with(['"', '\'']) && stage.keys.is_empty() {
                let (after_keys, keys) = self.string_list(at, "a JSON key")?;
                stage.keys = keys;
                rest = after_keys;
            } else if let Some(after) = match_keyword(at, "as").filter(|_| stage.names.is_empty()) {
                let (names_start, ()) = self.space(after)?;
                let (after_names, names) = self.field_name_list(names_start, "`as`")?;
                stage.names = names;
                rest = after_names;
            } else {
                break;
            }
        }

        if !stage.auto && stage.keys.is_empty() {
            let (at, ()) = self.space(rest)?;
            return Err(self.failure_with_help(
                at,
                token_len(at),
                format!("expected a quoted JSON key after `json`, found {}", describe(at)),
                "expected a key such as \"user.name\"",
                "name the keys to extract, `json \"a\", \"b\" as x, y`, or extract every key with `json auto`",
            ));
        }
        if !stage.names.is_empty() && stage.names.len() != stage.keys.len() {
            return Err(self.count_mismatch(
                input,
                rest,
                stage.keys.len(),
                stage.names.len(),
                "key",
            ));
        }
        stage.field = field.field;
        Ok((rest, Stage::Json(stage)))
    }

    /// Reports a list of names whose length differs from the list of keys
    /// or paths before it. The span covers the stage text from `start` to
    /// `end`.
    fn count_mismatch(
        &self,
        start: &'s str,
        end: &'s str,
        expected: usize,
        found: usize,
        item: &str,
    ) -> nom::Err<SyntaxError> {
        let start = self.space(start).map_or(start, |(rest, ())| rest);
        self.failure_with_help(
            start,
            self.offset(end) - self.offset(start),
            format!("{expected} {item}(s) but {found} name(s) after `as`"),
            "the lists differ in length",
            format!("write one name after `as` for each {item}"),
        )
    }

    /// Parses `keyvalue` or `kv` after the operator word:
    /// `[field=F] [infer | auto | regex "re"] [keys] "k", … [as a, …]
    /// [delim "c"] [refonly] [nodrop]`, options in any order.
    pub(super) fn keyvalue_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut field = FieldOption {
            field: None,
            first_at: None,
        };
        let mut stage = KeyValueStage {
            field: None,
            mode: KeyValueMode::Infer,
            keys: Vec::new(),
            names: Vec::new(),
            delimiter: None,
            refonly: false,
            nodrop: false,
        };
        let mut rest = input;

        loop {
            let (at, ()) = self.space(rest)?;
            if let Some(after) = self.field_option(at, &mut field)? {
                rest = after;
            } else if let Some(after) = match_keyword(at, "infer") {
                rest = after;
            } else if let Some(after) = match_keyword(at, "auto") {
                stage.mode = KeyValueMode::Auto;
                rest = after;
            } else if let Some(after) = match_keyword(at, "regex") {
                let (regex_start, ()) = self.space(after)?;
                let (after_regex, regex) = self.required_string(regex_start, "a regex")?;
                stage.mode = KeyValueMode::Regex(regex);
                rest = after_regex;
            } else if let Some(after) = match_keyword(at, "delim") {
                let (delimiter_start, ()) = self.space(after)?;
                let (after_delimiter, delimiter) =
                    self.required_string(delimiter_start, "a delimiter")?;
                stage.delimiter = Some(delimiter);
                rest = after_delimiter;
            } else if let Some(after) = match_keyword(at, "refonly") {
                stage.refonly = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "nodrop") {
                stage.nodrop = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "keys") {
                let (keys_start, ()) = self.space(after)?;
                let (after_keys, keys) = self.string_list(keys_start, "a key")?;
                stage.keys.extend(keys);
                rest = after_keys;
            } else if at.starts_with(['"', '\'']) && stage.keys.is_empty() {
                let (after_keys, keys) = self.string_list(at, "a key")?;
                stage.keys = keys;
                rest = after_keys;
            } else if let Some(after) = match_keyword(at, "as").filter(|_| stage.names.is_empty()) {
                let (names_start, ()) = self.space(after)?;
                let (after_names, names) = self.field_name_list(names_start, "`as`")?;
                stage.names = names;
                rest = after_names;
            } else {
                break;
            }
        }

        if stage.mode != KeyValueMode::Auto && stage.keys.is_empty() {
            let (at, ()) = self.space(rest)?;
            return Err(self.failure_with_help(
                at,
                token_len(at),
                format!(
                    "expected a quoted key after `keyvalue`, found {}",
                    describe(at)
                ),
                "expected a key such as \"user\"",
                "name the keys to extract, `kv \"a\", \"b\"`, or extract every key with `kv auto`",
            ));
        }
        if !stage.names.is_empty() && stage.names.len() != stage.keys.len() {
            return Err(self.count_mismatch(
                input,
                rest,
                stage.keys.len(),
                stage.names.len(),
                "key",
            ));
        }
        stage.field = field.field;
        Ok((rest, Stage::KeyValue(stage)))
    }

    /// Parses `csv` or `split` after the operator word:
    /// `F [delim='c'] [escape='c'] [quote='c'] extract ITEM, …`, where an item
    /// is `N as name`, `name` or `_`. `operator` names the stage.
    pub(super) fn delimited_stage(
        &self,
        input: &'s str,
        operator: &str,
    ) -> PResult<'s, DelimitedStage> {
        let (field_start, ()) = self.space(input)?;
        let (mut rest, field) = self.required_field_name(
            field_start,
            &format!("expected the field to split after `{operator}`, such as `_raw`"),
        )?;
        let mut stage = DelimitedStage {
            field,
            delimiter: None,
            escape: None,
            quote: None,
            columns: Vec::new(),
        };

        loop {
            let (mut at, ()) = self.space(rest)?;
            if stage.delimiter.is_some() || stage.escape.is_some() || stage.quote.is_some() {
                if let Some(after_comma) = at.strip_prefix(',') {
                    at = self.space(after_comma)?.0;
                }
            }
            let (option, after_name) = if let Some(after) = match_keyword(at, "delim") {
                ("delim", after)
            } else if let Some(after) = match_keyword(at, "escape") {
                ("escape", after)
            } else if let Some(after) = match_keyword(at, "quote") {
                ("quote", after)
            } else {
                break;
            };
            let Some(after_equals) = self.space_then_char(after_name, '=')? else {
                return Err(self.failure(
                    after_name,
                    token_len(after_name),
                    format!(
                        "expected `=` after `{option}`, found {}",
                        describe(after_name)
                    ),
                    "expected `=`",
                ));
            };
            let (value_start, ()) = self.space(after_equals)?;
            let (after_value, value) = self.character_option(value_start, option)?;
            match option {
                "delim" => stage.delimiter = Some(value),
                "escape" => stage.escape = Some(value),
                _ => stage.quote = Some(value),
            }
            rest = after_value;
        }

        let (extract_at, ()) = self.space(rest)?;
        let Some(after_extract) = match_keyword(extract_at, "extract") else {
            return Err(self.failure_with_help(
                extract_at,
                token_len(extract_at),
                format!(
                    "expected `extract` after the options of `{operator}`, found {}",
                    describe(extract_at)
                ),
                "expected `extract`",
                format!("name the columns: `{operator} _raw extract 1 as a, 2 as b`"),
            ));
        };
        let (mut item_start, ()) = self.space(after_extract)?;
        loop {
            let (after_item, column) = self.delimited_column(item_start)?;
            stage.columns.push(column);
            match self.space_then_char(after_item, ',')? {
                Some(after_comma) => item_start = self.space(after_comma)?.0,
                None => return Ok((after_item, stage)),
            }
        }
    }

    /// Parses the one-character value of `delim=`, `escape=` or `quote=`:
    /// a character in single quotes taken as it is, so `'\'` is a backslash
    /// and `'''` a single quote (Sumo doc, parse-csv-formatted-logs), or a
    /// double-quoted string.
    fn character_option(&self, input: &'s str, option: &str) -> PResult<'s, Spanned<String>> {
        if let Some(inside) = input.strip_prefix('\'') {
            let mut chars = inside.char_indices();
            if let (Some((_, character)), Some((close, '\''))) = (chars.next(), chars.next()) {
                let rest = &inside[close + 1..];
                return Ok((rest, self.spanned(character.to_string(), input, rest)));
            }
        }
        let result = self.string_literal(input);
        self.expect(
            result,
            input,
            format!(
                "expected a character in quotes after `{option}=`, found {}",
                describe(input)
            ),
            "expected a character such as ':'",
        )
    }

    fn delimited_column(&self, input: &'s str) -> PResult<'s, Spanned<DelimitedColumn>> {
        if input.starts_with(|c: char| c.is_ascii_digit()) {
            let (after_index, index) = self.whole_number(input, "for a column number")?;
            let Some(after_as) = self.space_then_keyword(after_index, "as")? else {
                let (at, ()) = self.space(after_index)?;
                return Err(self.failure(
                    at,
                    token_len(at),
                    format!(
                        "expected `as` after the column number, found {}",
                        describe(at)
                    ),
                    "expected `as name`",
                ));
            };
            let (name_start, ()) = self.space(after_as)?;
            let (rest, name) =
                self.required_field_name(name_start, "expected a field name after `as`")?;
            let column = DelimitedColumn {
                index: Some(index.node),
                name: Some(name.node),
            };
            return Ok((rest, self.spanned(column, input, rest)));
        }

        let (rest, name) =
            self.required_field_name(input, "expected a column number, a field name or `_`")?;
        let name = (name.node != "_").then_some(name.node);
        let column = DelimitedColumn { index: None, name };
        Ok((rest, self.spanned(column, input, rest)))
    }

    /// Parses `parse xml` after `xml`:
    /// `[field=F] "/path", … [field=F] [as a, …] [nodrop]`.
    pub(super) fn parse_xml_stage(&self, input: &'s str) -> PResult<'s, Stage> {
        let mut field = FieldOption {
            field: None,
            first_at: None,
        };
        let (mut at, ()) = self.space(input)?;
        if let Some(after) = self.field_option(at, &mut field)? {
            at = self.space(after)?.0;
        }
        let (mut rest, paths) = self.string_list(at, "an XPath such as \"/a/b\"")?;
        let mut names = Vec::new();
        let mut nodrop = false;
        loop {
            let (at, ()) = self.space(rest)?;
            if let Some(after) = self.field_option(at, &mut field)? {
                rest = after;
            } else if let Some(after) = match_keyword(at, "nodrop") {
                nodrop = true;
                rest = after;
            } else if let Some(after) = match_keyword(at, "as").filter(|_| names.is_empty()) {
                let (names_start, ()) = self.space(after)?;
                let (after_names, list) = self.field_name_list(names_start, "`as`")?;
                names = list;
                rest = after_names;
            } else {
                break;
            }
        }
        if !names.is_empty() && names.len() != paths.len() {
            return Err(self.count_mismatch(input, rest, paths.len(), names.len(), "path"));
        }
        let stage = Stage::ParseXml {
            field: field.field,
            paths,
            names,
            nodrop,
        };
        Ok((rest, stage))
    }
}
