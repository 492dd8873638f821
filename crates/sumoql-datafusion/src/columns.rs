//! The column conventions shared by [`RecordTable`](crate::RecordTable) and the Parquet
//! export: which fields a record has, their Arrow types, and the reading-order column.

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use sumoql_input::Record;

/// The column that contains a record's place in the order the native engine reads the
/// inputs: `(file_index << 40) | record_index`, where `file_index` counts the files
/// behind the inputs and `record_index` the records of that file, both from 0.
pub const SEQUENCE_COLUMN: &str = "__sumoql_seq";

/// The number of low bits of [`SEQUENCE_COLUMN`] that hold the record's index in its file.
pub const RECORD_INDEX_BITS: u32 = 40;

/// The metadata fields every record offers, in the order an ingested table lists them.
/// A record without a value for one (`_sourceHost` of a plain text line) leaves it null.
pub const METADATA_FIELDS: [&str; 9] = [
    "_raw",
    "_messageTime",
    "_receiptTime",
    "_size",
    "_sourceHost",
    "_sourceCategory",
    "_sourceName",
    "_source",
    "_collector",
];

/// Reports whether the native engine reads `name` from a record: the
/// metadata fields and the `<System>` values of Windows events. The
/// `<EventData>` values that an ingest also writes as columns are not fields;
/// queries parse them out of `_raw`.
pub fn is_record_field(name: &str) -> bool {
    METADATA_FIELDS
        .iter()
        .chain(sumoql_input::SYSTEM_FIELDS.iter())
        .any(|field| field.eq_ignore_ascii_case(name))
}

/// Returns the sequence number of the record at `record_index` in the file at
/// `file_index`.
pub fn sequence_number(file_index: u64, record_index: u64) -> u64 {
    (file_index << RECORD_INDEX_BITS) | record_index
}

/// Returns whether a field is a number column (Float64): the times in epoch
/// milliseconds and `_size`, as the native engine reads them.
pub fn is_number_field(name: &str) -> bool {
    ["_messageTime", "_receiptTime", "_size"]
        .iter()
        .any(|number| number.eq_ignore_ascii_case(name))
}

/// Returns the Arrow field of a record field: Float64 for the number fields, Utf8
/// otherwise, nullable either way.
pub fn arrow_field(name: &str) -> Field {
    let data_type = if is_number_field(name) {
        DataType::Float64
    } else {
        DataType::Utf8
    };
    Field::new(name, data_type, true)
}

/// Returns the Arrow field of [`SEQUENCE_COLUMN`].
pub fn sequence_field() -> Field {
    Field::new(SEQUENCE_COLUMN, DataType::UInt64, false)
}

/// Looks up a field of a record by case-insensitive name: the metadata and `<System>`
/// values that the native engine reads, then the `<EventData>` values of a Windows
/// event.
pub fn field_value<'r>(record: &'r Record, name: &str) -> Option<Cow<'r, str>> {
    if let Some(value) = record.field(name) {
        return Some(value);
    }
    record
        .event
        .data
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| Cow::Borrowed(value.as_str()))
}

/// Parses the text of a number field as the native engine does; text that is not a
/// number gives null.
pub fn number_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// Returns every field of a record with its value, in the order an ingested table
/// lists them: the metadata, the `<System>` values, the `<EventData>` values. A name
/// that differs from an earlier one only in case is left out, because Sumo field
/// names are case-insensitive.
pub fn record_fields(record: &Record) -> Vec<(Arc<str>, String)> {
    let mut fields: Vec<(Arc<str>, String)> = Vec::new();
    let mut push = |name: &str, value: &str| {
        if fields
            .iter()
            .any(|(known, _)| known.eq_ignore_ascii_case(name))
        {
            return;
        }
        fields.push((Arc::from(name), value.to_string()));
    };

    for name in METADATA_FIELDS {
        if let Some(value) = record.field(name) {
            push(name, &value);
        }
    }
    for (name, value) in &record.event.system {
        push(name, value);
    }
    for (name, value) in &record.event.data {
        push(name, value);
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_number_keeps_file_order() {
        assert!(sequence_number(0, (1 << RECORD_INDEX_BITS) - 1) < sequence_number(1, 0));
        assert_eq!(sequence_number(2, 5), (2 << 40) | 5);
    }

    #[test]
    fn number_fields_ignore_case() {
        assert!(is_number_field("_messagetime"));
        assert!(is_number_field("_SIZE"));
        assert!(!is_number_field("_raw"));
        assert_eq!(arrow_field("_receiptTime").data_type(), &DataType::Float64);
        assert_eq!(arrow_field("EventID").data_type(), &DataType::Utf8);
    }
}
