//! `csv` and `split`: columns of delimited text
//! (https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-csv-formatted-logs/,
//! https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-delimited-logs-using-split/).
//!
//! The defaults are Sumo's: `,` delimits, `"` quotes and `\` escapes. A
//! quoted column may hold the delimiter, and `""` inside quotes is one
//! quote. A column the text does not have is null; the row is never
//! dropped (Sumo: `nodrop` "is not supported with the csv, split … operators").

use std::sync::Arc;

use sumoql_syntax::ast::{DelimitedStage, Spanned};
use sumoql_syntax::Diagnostic;

use super::text_value;
use crate::expr::Slot;
use crate::row::{FieldTable, Row};

#[derive(Debug)]
pub(crate) struct DelimitedExtractor {
    delimiter: String,
    quote: Option<char>,
    escape: Option<char>,
    /// 0-based column index and the field it fills.
    columns: Vec<(usize, Slot)>,
}

impl DelimitedExtractor {
    pub(crate) fn compile(
        stage: &DelimitedStage,
        csv: bool,
        fields: &mut FieldTable,
    ) -> Result<DelimitedExtractor, Diagnostic> {
        let operator = if csv { "csv" } else { "split" };
        let delimiter = match &stage.delimiter {
            Some(delimiter) if delimiter.node.is_empty() => {
                return Err(Diagnostic::error(
                    "empty delimiter",
                    delimiter.span.clone(),
                    "the delimiter must be one character",
                ));
            }
            Some(delimiter) => delimiter.node.clone(),
            None => ",".to_string(),
        };
        let quote = single_character(stage.quote.as_ref(), '"', operator)?;
        let escape = single_character(stage.escape.as_ref(), '\\', operator)?;

        // Positional items count on from the last one; `N as name` sets the
        // position, so in `a, b, 5 as e, f` the field `f` is column 6.
        let mut columns = Vec::new();
        let mut next = 0;
        for column in &stage.columns {
            let index = match column.node.index {
                Some(0) => {
                    return Err(Diagnostic::error(
                        "column 0 does not exist",
                        column.span.clone(),
                        "columns are numbered from 1",
                    ));
                }
                Some(number) => number as usize - 1,
                None => next,
            };
            next = index + 1;
            if let Some(name) = &column.node.name {
                columns.push((index, fields.slot(name)));
            }
        }
        Ok(DelimitedExtractor {
            delimiter,
            quote,
            escape,
            columns,
        })
    }

    pub(crate) fn targets(&self) -> Vec<Slot> {
        self.columns.iter().map(|(_, slot)| *slot).collect()
    }

    pub(crate) fn apply(&self, text: Option<&Arc<str>>, row: &mut Row) -> bool {
        let values = text.map(|text| self.split(text)).unwrap_or_default();
        for (index, slot) in &self.columns {
            row.set(
                *slot,
                values.get(*index).and_then(|value| text_value(value)),
            );
        }
        true
    }

    fn split(&self, text: &str) -> Vec<String> {
        let mut values = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        let mut rest = text;
        while let Some(character) = rest.chars().next() {
            let after = &rest[character.len_utf8()..];
            if Some(character) == self.escape {
                if let Some(escaped) = after.chars().next() {
                    current.push(escaped);
                    rest = &after[escaped.len_utf8()..];
                    continue;
                }
            }
            if Some(character) == self.quote {
                if quoted && after.starts_with(character) {
                    current.push(character);
                    rest = &after[character.len_utf8()..];
                    continue;
                }
                quoted = !quoted;
                rest = after;
                continue;
            }
            if !quoted && rest.starts_with(self.delimiter.as_str()) {
                values.push(std::mem::take(&mut current));
                rest = &rest[self.delimiter.len()..];
                continue;
            }
            current.push(character);
            rest = after;
        }
        values.push(current);
        values
    }
}

/// Reads a quote or escape option, which Sumo requires to be one character.
fn single_character(
    option: Option<&Spanned<String>>,
    default: char,
    operator: &str,
) -> Result<Option<char>, Diagnostic> {
    let Some(option) = option else {
        return Ok(Some(default));
    };
    let mut characters = option.node.chars();
    match (characters.next(), characters.next()) {
        (Some(character), None) => Ok(Some(character)),
        (None, _) => Ok(None),
        _ => Err(Diagnostic::error(
            "option is not one character",
            option.span.clone(),
            format!("`{operator}` takes a single character here"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitter(delimiter: &str) -> DelimitedExtractor {
        DelimitedExtractor {
            delimiter: delimiter.to_string(),
            quote: Some('"'),
            escape: Some('\\'),
            columns: Vec::new(),
        }
    }

    #[test]
    fn splits_with_quotes_and_escapes() {
        let csv = splitter(",");
        assert_eq!(csv.split(r#"a,"b,c",d"#), ["a", "b,c", "d"]);
        assert_eq!(
            csv.split(r#"a,"say ""hi""",\,x"#),
            ["a", r#"say "hi""#, ",x"]
        );
        assert_eq!(csv.split("a,,c,"), ["a", "", "c", ""]);
        assert_eq!(csv.split(""), [""]);
    }

    #[test]
    fn splits_on_other_delimiters() {
        assert_eq!(
            splitter(":").split("little@sumologic.com:ABCD00001239:EFGH1234509:"),
            ["little@sumologic.com", "ABCD00001239", "EFGH1234509", ""]
        );
        assert_eq!(splitter("\t").split("a\tb c\td"), ["a", "b c", "d"]);
    }
}
