//! `transpose row a column b`: turns the values of `b` into columns.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/transpose/
//! The cell values come from the one field of the input rows that is neither
//! a row nor a column field (normally the aggregate, such as `_count`).
//! Columns made from data show after the plan's columns, in alphabetical
//! order, as Sumo returns them.

use std::collections::BTreeSet;
use std::sync::Arc;

use indexmap::IndexMap;
use sumoql_syntax::ast::{Spanned, TransposeOutput};
use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::{GroupKey, Value};

/// The data-made cells of result rows: the row index and its named cells.
pub(crate) type DynamicCells = Vec<(usize, Vec<(Arc<str>, Option<Value>)>)>;

#[derive(Debug)]
pub(crate) struct Transpose {
    pub(crate) rows: Vec<Slot>,
    pub(crate) columns: Vec<Slot>,
    pub(crate) value: Slot,
    /// The columns named after `as`, which keep only those columns unless `*` follows.
    pub(crate) selected: Vec<(String, Slot)>,
    /// Whether every column is kept: no `as`, or `*` among the outputs.
    pub(crate) keep_all: bool,
}

impl Transpose {
    /// Releases one row per combination of the row fields, in order of first
    /// appearance. NOTE: when two input rows give the same cell, sumoql keeps
    /// the first; Sumo documents no rule.
    pub(crate) fn release(&self, rows: Vec<Row>, width: usize, context: &RowContext) -> Vec<Row> {
        let mut table: IndexMap<Vec<GroupKey>, IndexMap<String, Option<Value>>> = IndexMap::new();
        for mut row in rows {
            let key = self
                .rows
                .iter()
                .map(|slot| GroupKey(row.get(*slot, context)))
                .collect();
            let parts: Vec<String> = self
                .columns
                .iter()
                .filter_map(|slot| {
                    row.get(*slot, context)
                        .map(|value| value.to_text().to_string())
                })
                .collect();
            let cells = table.entry(key).or_default();
            // A row whose column fields are all null adds no column.
            if parts.is_empty() {
                continue;
            }
            let value = row.get(self.value, context);
            cells.entry(parts.join("_")).or_insert(value);
        }

        let mut released = Vec::new();
        for (key, cells) in table {
            let mut row = Row::empty(width);
            for (slot, value) in self.rows.iter().zip(key) {
                row.set(*slot, value.0);
            }
            for (name, value) in cells {
                if let Some((_, slot)) = self
                    .selected
                    .iter()
                    .find(|(selected, _)| selected.eq_ignore_ascii_case(&name))
                {
                    row.set(*slot, value);
                    continue;
                }
                if !self.keep_all {
                    continue;
                }
                // A name that the query mentions later is a field it can read.
                if let Some(slot) = context.fields.find(&name) {
                    row.set(slot, value.clone());
                }
                row.dynamic.push((Arc::from(name.as_str()), value));
            }
            released.push(row);
        }
        released
    }
}

/// The order of the columns made from data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ColumnOrder {
    /// Every name, in alphabetical order, as Sumo returns `transpose` columns.
    Alphabetical,
    /// The first this many names, in the order rows first give them, before
    /// a last `_raw` column.
    FirstSeen(usize),
}

/// Adds the data-made columns to a result: the names not already among
/// `columns`, in `order`, with null where a row has no cell. Found fields
/// (`FirstSeen`) that differ only in case share a column, as field names are
/// case-insensitive; `transpose` keeps one column per spelling.
///
/// NOTE: the group limit bounds the rows and the cells, not the rows times the
/// columns this fills with null, so a sparse transposed table can still be large.
pub(crate) fn widen(
    mut columns: Vec<String>,
    mut rows: Vec<Vec<Option<Value>>>,
    dynamic: DynamicCells,
    order: ColumnOrder,
) -> (Vec<String>, Vec<Vec<Option<Value>>>) {
    if dynamic.is_empty() {
        return (columns, rows);
    }
    let known: BTreeSet<String> = columns
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let key = |name: &str| match order {
        ColumnOrder::Alphabetical => name.to_string(),
        ColumnOrder::FirstSeen(_) => name.to_ascii_lowercase(),
    };
    let mut added: IndexMap<String, Arc<str>> = IndexMap::new();
    for name in dynamic
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|(name, _)| name))
    {
        if !known.contains(&name.to_ascii_lowercase()) && !added.contains_key(&key(name)) {
            added.insert(key(name), name.clone());
        }
    }
    match order {
        ColumnOrder::Alphabetical => added.sort_by(|_, first, _, second| first.cmp(second)),
        ColumnOrder::FirstSeen(limit) => added.truncate(limit),
    }

    // Found fields go before the message text when it is the last column,
    // so a long `_raw` does not push them out of view.
    let raw_last = columns
        .last()
        .is_some_and(|name| name.eq_ignore_ascii_case("_raw"));
    let at = match order {
        ColumnOrder::FirstSeen(_) if raw_last => columns.len() - 1,
        _ => columns.len(),
    };
    for row in rows.iter_mut() {
        row.splice(at..at, std::iter::repeat_n(None, added.len()));
    }
    for (index, cells) in dynamic {
        for (name, value) in cells {
            if let Some(position) = added.get_index_of(&key(&name)) {
                rows[index][at + position] = value;
            }
        }
    }
    columns.splice(at..at, added.values().map(|name| name.to_string()));
    (columns, rows)
}

impl Compiler<'_> {
    pub(crate) fn transpose(
        &mut self,
        rows: &[Spanned<String>],
        columns: &[Spanned<String>],
        outputs: &[Spanned<TransposeOutput>],
        span: &sumoql_syntax::ast::Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let rows: Vec<Slot> = rows
            .iter()
            .map(|name| self.fields.slot(&name.node))
            .collect();
        let columns: Vec<Slot> = columns
            .iter()
            .map(|name| self.fields.slot(&name.node))
            .collect();
        let value = layout
            .columns
            .iter()
            .copied()
            .find(|slot| layout.explicit && !rows.contains(slot) && !columns.contains(slot));
        let Some(value) = value else {
            self.diagnostics.push(
                Diagnostic::error("transpose has no value field", span.clone(), "no field besides the row and column fields holds the cell values")
                    .with_help("aggregate first, as in `count by _timeslice, action | transpose row _timeslice column action`"),
            );
            return None;
        };

        let mut selected = Vec::new();
        let mut keep_all = outputs.is_empty();
        for output in outputs {
            match &output.node {
                TransposeOutput::Field(name) => {
                    selected.push((name.clone(), self.fields.slot(name)))
                }
                TransposeOutput::Dynamic => keep_all = true,
            }
        }

        layout.explicit = true;
        layout.columns = rows.clone();
        for (_, slot) in &selected {
            layout.add(*slot);
        }
        let kind = HoldingKind::Transpose(Transpose {
            rows,
            columns,
            value,
            selected,
            keep_all,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
