//! Sumo values as Arrow arrays.
//!
//! A sumoql value is text, a number or a boolean, and a field may hold any of
//! them from one row to the next, so one Arrow type carries all three: a
//! struct with the children `number` (Float64), `text` (Utf8) and `boolean`
//! (Boolean), of which one is set, and a null struct for Sumo's null.
//! Grouping on the struct keeps text `"1"` and number `1` apart, as the
//! native engine's group keys do.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Float64Array,
    Float64Builder, StringArray, StringBuilder, StructArray,
};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{exec_err, Result};

use crate::value::{format_number, Value};

/// Returns the children of a value struct.
pub(crate) fn value_fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        Fields::from(vec![
            Field::new("number", DataType::Float64, true),
            Field::new("text", DataType::Utf8, true),
            Field::new("boolean", DataType::Boolean, true),
        ])
    })
}

/// Returns the Arrow type of a sumoql value.
pub fn value_type() -> DataType {
    DataType::Struct(value_fields().clone())
}

/// Reports whether `data_type` is the value struct.
pub(crate) fn is_value_type(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Struct(fields) if fields == value_fields())
}

/// A borrowed view of a value array.
pub(crate) struct Values<'a> {
    array: &'a StructArray,
    number: &'a Float64Array,
    text: &'a StringArray,
    boolean: &'a BooleanArray,
}

impl<'a> Values<'a> {
    pub(crate) fn new(array: &'a ArrayRef) -> Result<Values<'a>> {
        let Some(array) = array.as_struct_opt() else {
            return exec_err!("expected a sumoql value, found {}", array.data_type());
        };
        if array.num_columns() != 3 {
            return exec_err!("expected a sumoql value, found {}", array.data_type());
        }
        Ok(Values {
            array,
            number: array.column(0).as_primitive(),
            text: array.column(1).as_string(),
            boolean: array.column(2).as_boolean(),
        })
    }

    pub(crate) fn get(&self, index: usize) -> Option<Value> {
        if self.array.is_null(index) {
            None
        } else if self.number.is_valid(index) {
            Some(Value::Number(self.number.value(index)))
        } else if self.text.is_valid(index) {
            Some(Value::text(self.text.value(index)))
        } else if self.boolean.is_valid(index) {
            Some(Value::Boolean(self.boolean.value(index)))
        } else {
            None
        }
    }

    /// Returns the value as text without copying text values, the way
    /// [`Value::to_text`] shows numbers and booleans.
    pub(crate) fn text(&self, index: usize) -> Option<Cow<'a, str>> {
        if self.array.is_null(index) {
            None
        } else if self.text.is_valid(index) {
            Some(Cow::Borrowed(self.text.value(index)))
        } else if self.number.is_valid(index) {
            Some(Cow::Owned(format_number(self.number.value(index))))
        } else if self.boolean.is_valid(index) {
            Some(Cow::Borrowed(if self.boolean.value(index) {
                "true"
            } else {
                "false"
            }))
        } else {
            None
        }
    }
}

/// Builds a value array row by row.
pub(crate) struct ValueBuilder {
    number: Float64Builder,
    text: StringBuilder,
    boolean: BooleanBuilder,
    valid: Vec<bool>,
}

impl ValueBuilder {
    pub(crate) fn with_capacity(rows: usize) -> ValueBuilder {
        ValueBuilder {
            number: Float64Builder::with_capacity(rows),
            text: StringBuilder::with_capacity(rows, rows * 16),
            boolean: BooleanBuilder::with_capacity(rows),
            valid: Vec::with_capacity(rows),
        }
    }

    pub(crate) fn push(&mut self, value: Option<&Value>) {
        match value {
            Some(Value::Number(number)) => {
                self.number.append_value(*number);
                self.text.append_null();
                self.boolean.append_null();
            }
            Some(Value::Text(text)) => self.push_text(Some(text)),
            Some(Value::Boolean(flag)) => {
                self.number.append_null();
                self.text.append_null();
                self.boolean.append_value(*flag);
            }
            None => {
                self.number.append_null();
                self.text.append_null();
                self.boolean.append_null();
            }
        }
        if !matches!(value, Some(Value::Text(_))) {
            self.valid.push(value.is_some());
        }
    }

    pub(crate) fn push_text(&mut self, text: Option<&str>) {
        self.number.append_null();
        self.text.append_option(text);
        self.boolean.append_null();
        self.valid.push(text.is_some());
    }

    pub(crate) fn finish(mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.number.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.boolean.finish()),
        ];
        let nulls = NullBuffer::from(self.valid);
        Arc::new(StructArray::new(
            value_fields().clone(),
            children,
            Some(nulls),
        ))
    }
}

/// Wraps a plain Arrow array as values: text types as text, integer and
/// floating-point types as numbers, booleans as booleans, and null as null.
/// Text is not copied.
pub(crate) fn wrap(array: &ArrayRef) -> Result<ArrayRef> {
    let rows = array.len();
    let data_type = array.data_type();
    if is_value_type(data_type) {
        return Ok(array.clone());
    }
    let null_number = || new_null_array(&DataType::Float64, rows);
    let null_text = || new_null_array(&DataType::Utf8, rows);
    let null_boolean = || new_null_array(&DataType::Boolean, rows);
    let children: Vec<ArrayRef> = match data_type {
        DataType::Null => vec![null_number(), null_text(), null_boolean()],
        DataType::Utf8 => vec![null_number(), array.clone(), null_boolean()],
        DataType::Utf8View | DataType::LargeUtf8 | DataType::Dictionary(_, _) => {
            vec![null_number(), cast(array, &DataType::Utf8)?, null_boolean()]
        }
        DataType::Boolean => vec![null_number(), null_text(), array.clone()],
        data_type if data_type.is_numeric() => {
            vec![
                cast(array, &DataType::Float64)?,
                null_text(),
                null_boolean(),
            ]
        }
        other => return exec_err!("sumoql cannot read a column of type {other}"),
    };
    let nulls = match data_type {
        DataType::Null => Some(NullBuffer::new_null(rows)),
        _ => array.logical_nulls(),
    };
    Ok(Arc::new(StructArray::new(
        value_fields().clone(),
        children,
        nulls,
    )))
}
