//! Rows: one value cell per field the query names, filled from the record
//! on first read.

use std::collections::HashMap;
use std::sync::Arc;

use crate::expr::Slot;
use crate::formats::ParsedJson;
use crate::value::Value;

/// A record as the engine reads it: a source of named fields.
///
/// Readers implement this for their records. `_raw` and the metadata fields
/// (`_messageTime`, `_sourceHost`, …) are fields like any other.
pub trait Record {
    /// Returns the value of a field the reader provides, or `None`.
    /// `lowercase_name` is the field name in ASCII lower case, because Sumo
    /// field names are case-insensitive.
    fn field(&self, lowercase_name: &str) -> Option<Value>;
}

/// The field names of a plan, each bound to a slot index.
///
/// Names are case-insensitive; the spelling of the first mention is the one
/// results show.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldTable {
    display: Vec<String>,
    lowercase: Vec<String>,
    by_lowercase: HashMap<String, Slot>,
}

impl FieldTable {
    pub(crate) fn slot(&mut self, name: &str) -> Slot {
        let lowercase = name.to_ascii_lowercase();
        if let Some(slot) = self.by_lowercase.get(&lowercase) {
            return *slot;
        }
        let slot = self.display.len();
        self.display.push(name.to_string());
        self.lowercase.push(lowercase.clone());
        self.by_lowercase.insert(lowercase, slot);
        slot
    }

    pub(crate) fn find(&self, name: &str) -> Option<Slot> {
        self.by_lowercase.get(&name.to_ascii_lowercase()).copied()
    }

    pub(crate) fn display_name(&self, slot: Slot) -> &str {
        &self.display[slot]
    }

    pub(crate) fn lowercase_name(&self, slot: Slot) -> &str {
        &self.lowercase[slot]
    }

    pub(crate) fn len(&self) -> usize {
        self.display.len()
    }
}

#[derive(Debug, Clone)]
enum Cell {
    /// Not read yet: the record may provide a value.
    Unread,
    /// Null, either absent from the record or removed by `fields`.
    Null,
    Set(Value),
}

/// The field values of one row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    cells: Vec<Cell>,
    /// Whether a `parse … nodrop` earlier in the current run of parse stages
    /// matched, which keeps the row through later failing parses.
    pub(crate) nodrop_parse_matched: bool,
    /// Columns that `transpose` made from data, by name; they show after
    /// the plan's columns. `fields` clears them.
    pub(crate) dynamic: Vec<(std::sync::Arc<str>, Option<Value>)>,
    /// The JSON that the last `json` stage found, with the text it came
    /// from, so `json` stages over the same field parse it once.
    json: Option<Arc<ParsedJson>>,
}

/// The sources a row reads besides its own cells.
pub(crate) struct RowContext<'a> {
    pub(crate) record: Option<&'a dyn Record>,
    pub(crate) fields: &'a FieldTable,
    pub(crate) time_range: Option<crate::TimeRange>,
}

impl Row {
    /// Starts a row over a record: every cell is read from it on demand.
    pub(crate) fn for_record(width: usize) -> Row {
        Row {
            cells: vec![Cell::Unread; width],
            nodrop_parse_matched: false,
            dynamic: Vec::new(),
            json: None,
        }
    }

    /// Starts a row with every field null, as aggregates produce.
    pub(crate) fn empty(width: usize) -> Row {
        Row {
            cells: vec![Cell::Null; width],
            nodrop_parse_matched: false,
            dynamic: Vec::new(),
            json: None,
        }
    }

    pub(crate) fn get(&mut self, slot: Slot, context: &RowContext) -> Option<Value> {
        if let Cell::Unread = self.cells[slot] {
            let value = context
                .record
                .and_then(|record| record.field(context.fields.lowercase_name(slot)));
            self.cells[slot] = match value {
                Some(value) => Cell::Set(value),
                None => Cell::Null,
            };
        }
        match &self.cells[slot] {
            Cell::Set(value) => Some(value.clone()),
            _ => None,
        }
    }

    pub(crate) fn set(&mut self, slot: Slot, value: Option<Value>) {
        self.cells[slot] = match value {
            Some(value) => Cell::Set(value),
            None => Cell::Null,
        };
    }

    /// Reads the listed cells from the record now, so the row can outlive it.
    pub(crate) fn materialize(&mut self, slots: &[Slot], context: &RowContext) {
        for &slot in slots {
            self.get(slot, context);
        }
        // A held row need not keep its parsed JSON alive.
        self.json = None;
    }

    /// Returns the JSON found in `text`, parsing it unless the last `json`
    /// stage already did for the same text value.
    pub(crate) fn parsed_json(&mut self, text: &Arc<str>) -> Arc<ParsedJson> {
        if let Some(parsed) = &self.json {
            if Arc::ptr_eq(&parsed.text, text) {
                return parsed.clone();
            }
        }
        let parsed = Arc::new(ParsedJson::parse(text.clone()));
        self.json = Some(parsed.clone());
        parsed
    }

    /// Sets every cell to null except the kept ones.
    pub(crate) fn retain(&mut self, keep: &[bool]) {
        self.dynamic.clear();
        for (cell, kept) in self.cells.iter_mut().zip(keep) {
            if !kept {
                *cell = Cell::Null;
            }
        }
    }
}
