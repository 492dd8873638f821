//! The operators that read fields out of structured text in one field:
//! `json`, `keyvalue`, `csv`, `split`, `parse xml` and `parse` with several
//! patterns (Sumo's parse-operator pages,
//! https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/).
//!
//! Each compiles to an [`Extractor`] that fills slots of the row from the
//! text and says whether the row goes on. The `auto` modes find keys that
//! the query may never name; they fill only the fields the query names
//! somewhere, because the result columns are fixed when the query compiles.

mod anchors;
mod delimited;
mod json;
mod keyvalue;
mod xml;

use std::sync::Arc;

use sumoql_syntax::ast::{AnchorCapture, DelimitedStage, JsonStage, KeyValueStage, Spanned};
use sumoql_syntax::Diagnostic;

use crate::expr::Slot;
use crate::row::{FieldTable, Row};
use crate::value::Value;

pub(crate) use json::ParsedJson;

#[derive(Debug)]
pub(crate) enum Extractor {
    Anchors(anchors::AnchorsExtractor),
    Json(json::JsonExtractor),
    KeyValue(keyvalue::KeyValueExtractor),
    Delimited(delimited::DelimitedExtractor),
    Xml(xml::XmlExtractor),
}

impl Extractor {
    /// Fills the row from `text` and reports whether the row is kept.
    /// `text` is `None` when the source field is null, which counts as text
    /// without any of the keys.
    pub(crate) fn apply(
        &self,
        text: Option<&Arc<str>>,
        row: &mut Row,
        fields: &FieldTable,
    ) -> bool {
        match self {
            Extractor::Anchors(anchors) => anchors.apply(text, row),
            Extractor::Json(json) => json.apply(text, row, fields),
            Extractor::KeyValue(keyvalue) => keyvalue.apply(text, row, fields),
            Extractor::Delimited(delimited) => delimited.apply(text, row),
            Extractor::Xml(xml) => xml.apply(text, row),
        }
    }

    /// Reports whether the extractor is an `auto` mode, which may fill any
    /// field the query names, not only its [`Extractor::targets`].
    pub(crate) fn fills_any_field(&self) -> bool {
        match self {
            Extractor::Json(json) => json.is_auto(),
            Extractor::KeyValue(keyvalue) => keyvalue.is_auto(),
            Extractor::Anchors(_) | Extractor::Delimited(_) | Extractor::Xml(_) => false,
        }
    }

    /// Returns the slots the extractor fills for the keys the stage names;
    /// they become result columns.
    pub(crate) fn targets(&self) -> Vec<Slot> {
        match self {
            Extractor::Anchors(anchors) => anchors.targets(),
            Extractor::Json(json) => json.targets(),
            Extractor::KeyValue(keyvalue) => keyvalue.targets(),
            Extractor::Delimited(delimited) => delimited.targets(),
            Extractor::Xml(xml) => xml.targets(),
        }
    }
}

pub(crate) fn anchors(
    patterns: &[Spanned<AnchorCapture>],
    nodrop: bool,
    fields: &mut FieldTable,
) -> Result<Extractor, Diagnostic> {
    anchors::AnchorsExtractor::compile(patterns, nodrop, fields).map(Extractor::Anchors)
}

pub(crate) fn json(stage: &JsonStage, fields: &mut FieldTable) -> Result<Extractor, Diagnostic> {
    json::JsonExtractor::compile(stage, fields).map(Extractor::Json)
}

pub(crate) fn keyvalue(
    stage: &KeyValueStage,
    fields: &mut FieldTable,
    regex_size_limit: usize,
) -> Result<Extractor, Diagnostic> {
    keyvalue::KeyValueExtractor::compile(stage, fields, regex_size_limit).map(Extractor::KeyValue)
}

/// `csv` is `split` with a fixed comma delimiter.
pub(crate) fn delimited(
    stage: &DelimitedStage,
    csv: bool,
    fields: &mut FieldTable,
) -> Result<Extractor, Diagnostic> {
    delimited::DelimitedExtractor::compile(stage, csv, fields).map(Extractor::Delimited)
}

pub(crate) fn xml(
    paths: &[Spanned<String>],
    names: &[Spanned<String>],
    nodrop: bool,
    fields: &mut FieldTable,
) -> Result<Extractor, Diagnostic> {
    xml::XmlExtractor::compile(paths, names, nodrop, fields).map(Extractor::Xml)
}

/// Names an extracted key the way `keyvalue` documents for keys without
/// `as`: "replaces every character (other than a..z, A..Z, 0..9, or _) with
/// an underscore".
pub(crate) fn sanitized_name(key: &str) -> String {
    key.chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || character == '_' {
                character
            } else {
                '_'
            }
        })
        .collect()
}

/// One key of an `auto` mode named in `keys`, with the field it fills.
#[derive(Debug)]
struct ReferencedKey {
    /// Compared without case: `auto` keys are not case-sensitive.
    key: String,
    target: Slot,
}

/// The slot an `auto` mode fills for a key it found: the target of a
/// referenced key, else a field the query names, unless `refonly`.
fn auto_target(
    key: &str,
    referenced: &[ReferencedKey],
    refonly: bool,
    fields: &FieldTable,
) -> Option<Slot> {
    if let Some(found) = referenced
        .iter()
        .find(|candidate| candidate.key.eq_ignore_ascii_case(key))
    {
        return Some(found.target);
    }
    if refonly {
        return None;
    }
    fields.find(key)
}

fn text_value(text: &str) -> Option<Value> {
    Some(Value::text(text))
}
