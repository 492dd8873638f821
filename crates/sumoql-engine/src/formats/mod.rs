//! The operators that read fields out of structured text in one field:
//! `json`, `keyvalue`, `csv`, `split`, `parse xml` and `parse` with several
//! patterns (Sumo's parse-operator pages,
//! https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/).
//!
//! Each compiles to an [`Extractor`] that fills slots of the row from the
//! text and says whether the row goes on. The `auto` modes find keys that
//! the query may never name. They fill the fields the query names somewhere,
//! because the field slots are fixed when the query compiles. When the result
//! shows messages, the fields they find that the query never names also
//! become result columns, after the plan's own columns.

mod anchors;
mod delimited;
mod json;
mod keyvalue;
mod xml;

use std::sync::Arc;

use sumoql_syntax::ast::{AnchorCapture, DelimitedStage, JsonStage, KeyValueStage, Spanned};
use sumoql_syntax::Diagnostic;

use crate::expr::Slot;
use crate::plan::{Operator, Pipeline};
use crate::row::{FieldTable, Row};
use crate::value::Value;

/// At most this many fields that `auto` modes find, and the query does not
/// name, become result columns, in the order rows first give them. Sumo
/// extracts up to 100 fields per message in `json auto`. This limit keeps a
/// log with many different keys from making a table too wide to read.
pub(crate) const FOUND_COLUMN_LIMIT: usize = 100;

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

    /// Makes an `auto` mode add the fields it finds to the row as columns
    /// made from data, except its own targets and the `hidden` slots.
    /// Returns whether the extractor is an `auto` mode.
    fn show_found_fields(&mut self, hidden: &[Slot]) -> bool {
        let mut hidden = hidden.to_vec();
        hidden.extend(self.targets());
        match self {
            Extractor::Json(json) => json.show_found_fields(hidden),
            Extractor::KeyValue(keyvalue) => keyvalue.show_found_fields(hidden),
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

/// Makes every `auto` extractor of a pipeline, and of its `union` branches,
/// add the fields it finds to its rows as columns made from data, except
/// the `hidden` slots (the fields `fields -` removes). Returns whether the
/// pipeline has one.
pub(crate) fn show_found_fields(pipeline: &mut Pipeline, hidden: &[Slot]) -> bool {
    let mut any = false;
    for operator in &mut pipeline.operators {
        match operator {
            Operator::Extract { extractor, .. } => any |= extractor.show_found_fields(hidden),
            Operator::Union(sub) => any |= show_found_fields(sub, hidden),
            _ => {}
        }
    }
    any
}

/// Stores a field an `auto` mode found: in its slot when the query names
/// it, and as a column made from data when `found_hidden` is set (the
/// result shows found fields) and does not list the slot. A named field
/// that the result shows already is skipped when the columns are made.
fn store_auto_field(
    row: &mut Row,
    slot: Option<Slot>,
    name: &str,
    value: Option<Value>,
    found_hidden: Option<&[Slot]>,
) {
    if let Some(hidden) = found_hidden {
        if slot.is_none_or(|slot| !hidden.contains(&slot)) {
            row.dynamic.push((Arc::from(name), value.clone()));
        }
    }
    if let Some(slot) = slot {
        row.set(slot, value);
    }
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
