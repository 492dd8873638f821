//! `dedup [consecutive] [N] [by] a, …`: keeps the first N rows of each key.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/dedup/
//! NOTE: Sumo keeps the most recent rows because its default order is
//! newest first; sumoql keeps the first rows in the current row order, which
//! is input order unless a `sort` comes before.

use std::collections::HashMap;

use sumoql_syntax::ast::{Expr, Spanned};

use crate::compile::Compiler;
use crate::expr::Slot;
use crate::operators::held::{Held, HeldKind};
use crate::plan::Operator;
use crate::row::{Row, RowContext};
use crate::value::GroupKey;

#[derive(Debug)]
pub(crate) struct Dedup {
    pub(crate) keys: Vec<Slot>,
    pub(crate) count: u64,
    /// Only rows equal to the rows just before them count as duplicates.
    pub(crate) consecutive: bool,
}

impl Dedup {
    pub(crate) fn release(&self, rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut seen: HashMap<Vec<GroupKey>, u64> = HashMap::new();
        let mut previous: Option<(Vec<GroupKey>, u64)> = None;
        let mut kept = Vec::new();
        for mut row in rows {
            let key: Vec<GroupKey> = self.keys.iter().map(|slot| GroupKey(row.get(*slot, context))).collect();
            let count = if self.consecutive {
                let run = match &previous {
                    Some((last, run)) if *last == key => run + 1,
                    _ => 1,
                };
                previous = Some((key, run));
                run
            } else {
                let count = seen.entry(key).or_insert(0);
                *count += 1;
                *count
            };
            if count <= self.count {
                kept.push(row);
            }
        }
        kept
    }
}

impl Compiler<'_> {
    pub(crate) fn dedup(&mut self, consecutive: bool, count: Option<u64>, by: &[Spanned<Expr>]) -> Option<Operator> {
        let keys = self.field_slots(by, "dedup")?;
        let kind = HeldKind::Dedup(Dedup {
            keys,
            count: count.unwrap_or(1),
            consecutive,
        });
        Some(Operator::Held(Held { kind, materialize: Vec::new() }))
    }
}
