//! `dedup [consecutive] [N] [by] a, …`: keeps the first N rows of each key.
//!
//! NOTE: these rules are sumoql choices, not checked against Sumo's dedup
//! page (grammar.md lists them). Sumo's default order is newest first, but
//! sumoql keeps the first rows in the current order. That is input order
//! unless a `sort` comes before.

use std::collections::HashMap;

use sumoql_syntax::ast::{Expr, Spanned};

use crate::compile::Compiler;
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
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
        let mut released = Vec::new();
        for mut row in rows {
            let key: Vec<GroupKey> = self
                .keys
                .iter()
                .map(|slot| GroupKey(row.get(*slot, context)))
                .collect();
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
                released.push(row);
            }
        }
        released
    }
}

impl Compiler<'_> {
    pub(crate) fn dedup(
        &mut self,
        consecutive: bool,
        count: Option<u64>,
        by: &[Spanned<Expr>],
    ) -> Option<Operator> {
        let keys = self.field_slots(by, "dedup")?;
        let kind = HoldingKind::Dedup(Dedup {
            keys,
            count: count.unwrap_or(1),
            consecutive,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
