//! `lookup`: adds columns of a lookup table to each row whose key fields
//! match a table row.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/lookup/
//! Keys match case-insensitively, as Sumo documents for lookup tables. A row
//! without a match keeps going with the looked-up fields null.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::expr::Slot;
use crate::row::{Row, RowContext};
use crate::value::Value;

/// A lookup table read by the caller of [`crate::compile_with`]: a header
/// and text rows.
#[derive(Debug, Clone, Default)]
pub struct LookupTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl LookupTable {
    /// Returns the index of a column, compared without case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name))
    }
}

/// Returns the file, relative to the folder of local tables, that stands for the table
/// at a Sumo lookup path: `/Library/Users/me/users` is `Library/Users/me/users.csv`
/// (`.csv` is added when the path has no extension), and a URL such as `geo://location`
/// is `geo/location.csv`. A path with `..`, or one that stays absolute after its
/// leading `/` is removed, is an error, so tables cannot come from outside the folder.
pub fn lookup_table_file(path: &str) -> Result<PathBuf, String> {
    let path_text = path.replacen("://", "/", 1);
    let relative = Path::new(path_text.trim_start_matches('/'));
    for component in relative.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            _ => {
                return Err(format!(
                    "lookup path `{path}` leaves the lookup directory; use a path without `..`"
                ));
            }
        }
    }
    if relative.as_os_str().is_empty() {
        return Err("the lookup path is empty".to_string());
    }
    let mut file = relative.to_path_buf();
    if file.extension().is_none() {
        file.set_extension("csv");
    }
    Ok(file)
}

/// Reads the lookup tables a query names, for [`crate::compile_with`].
pub trait LookupSource {
    /// Returns the table at a Sumo lookup path as written in the query (such
    /// as `/Library/Users/me/users`, `shared/lookups/users` or a URL such as
    /// `geo://location`), or a message saying why it cannot be read.
    fn load(&self, path: &str) -> Result<LookupTable, String>;
}

#[derive(Debug)]
pub(crate) struct Lookup {
    /// The row fields whose values form the key.
    pub(crate) keys: Vec<Slot>,
    /// The table column that fills each output slot.
    pub(crate) outputs: Vec<(usize, Slot)>,
    /// Table rows by their lower-cased key values; the first row wins when
    /// several share a key.
    pub(crate) index: HashMap<Vec<String>, Vec<Arc<str>>>,
}

impl Lookup {
    /// Builds the index of `table` over the columns `key_columns`.
    pub(crate) fn new(
        table: &LookupTable,
        keys: Vec<Slot>,
        key_columns: &[usize],
        outputs: Vec<(usize, Slot)>,
    ) -> Lookup {
        let mut index = HashMap::new();
        for row in &table.rows {
            let key: Vec<String> = key_columns
                .iter()
                .map(|column| {
                    row.get(*column)
                        .map_or(String::new(), |cell| cell.to_lowercase())
                })
                .collect();
            index
                .entry(key)
                .or_insert_with(|| row.iter().map(|cell| Arc::from(cell.as_str())).collect());
        }
        Lookup {
            keys,
            outputs,
            index,
        }
    }

    pub(crate) fn apply(&self, row: &mut Row, context: &RowContext) {
        let mut key = Vec::with_capacity(self.keys.len());
        for slot in &self.keys {
            match row.get(*slot, context) {
                Some(value) => key.push(value.to_text().to_lowercase()),
                None => {
                    key.clear();
                    break;
                }
            }
        }
        let found = if key.len() == self.keys.len() {
            self.index.get(&key)
        } else {
            None
        };
        for (column, slot) in &self.outputs {
            let value = found
                .and_then(|cells| cells.get(*column))
                .map(|cell| Value::Text(cell.clone()));
            row.set(*slot, value);
        }
    }
}

use sumoql_syntax::ast::{LookupStage, Span, TablePath};

use sumoql_syntax::Diagnostic;

use crate::compile::{Compiler, Layout};
use crate::plan::Operator;

impl Compiler<'_> {
    pub(crate) fn lookup(
        &mut self,
        stage: &LookupStage,
        span: &Span,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let path = match &stage.table.node {
            TablePath::Library(path) | TablePath::Path(path) | TablePath::Url(path) => {
                path.as_str()
            }
        };
        let Some(source) = self.lookups else {
            let help = match lookup_table_file(path) {
                Ok(file) => format!(
                    "pass --lookup-dir DIR, with this table saved as DIR/{}",
                    file.display()
                ),
                Err(_) => "pass --lookup-dir DIR, with the table saved as DIR/<path>.csv".into(),
            };
            self.diagnostics.push(
                Diagnostic::error(
                    "no lookup directory",
                    span.clone(),
                    "lookup needs local table files",
                )
                .with_help(help),
            );
            return None;
        };
        let table = match source.load(path) {
            Ok(table) => table,
            Err(message) => {
                self.diagnostics.push(Diagnostic::error(
                    "failed to read lookup table",
                    stage.table.span.clone(),
                    message,
                ));
                return None;
            }
        };

        // Sumo writes `on event_field=table_column`; its examples also put
        // the table column on the left, so either side may name it.
        let mut keys = Vec::new();
        let mut key_columns = Vec::new();
        for key in &stage.on {
            let (field, column) =
                match (table.column(&key.node.right), table.column(&key.node.left)) {
                    (Some(column), _) => (&key.node.left, column),
                    (None, Some(column)) => (&key.node.right, column),
                    (None, None) => {
                        self.diagnostics.push(Diagnostic::error(
                            "lookup key is not a table column",
                            key.span.clone(),
                            format!(
                                "neither `{}` nor `{}` is a column of `{path}`",
                                key.node.left, key.node.right
                            ),
                        ));
                        return None;
                    }
                };
            keys.push(self.fields.slot(field));
            key_columns.push(column);
        }

        let mut outputs = Vec::new();
        for item in &stage.columns {
            if item.node.name == "*" {
                for (index, column) in table.columns.iter().enumerate() {
                    outputs.push((index, self.fields.slot(column)));
                }
                continue;
            }
            let Some(column) = table.column(&item.node.name) else {
                self.diagnostics.push(Diagnostic::error(
                    "lookup column not found",
                    item.span.clone(),
                    format!("`{path}` has no column `{}`", item.node.name),
                ));
                return None;
            };
            let name = item.node.alias.as_deref().unwrap_or(&item.node.name);
            outputs.push((column, self.fields.slot(name)));
        }
        for (_, slot) in &outputs {
            layout.add(*slot);
        }
        Some(Operator::Lookup(Box::new(Lookup::new(
            &table,
            keys,
            &key_columns,
            outputs,
        ))))
    }
}
