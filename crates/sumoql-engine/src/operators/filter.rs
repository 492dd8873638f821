//! `filter F in (STAGES)`: keeps the rows whose `F` is among the values of
//! `F` in the rows that the stages compute over the same rows.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/search-operators/filter/
//! Sumo documents that `filter` follows an aggregate and keeps the records
//! that match the child query's output, as in `filter _sourceHost in
//! (sum(_count) by _sourceHost | top 2 _sourceHost by _sum)`. Values compare
//! as text, exactly (sumoql choice).

use std::collections::HashSet;

use sumoql_syntax::ast::{Query, Spanned};

use crate::compile::Compiler;
use crate::expr::Slot;
use crate::operators::holding::{HoldingKind, HoldingStage};
use crate::plan::{Operator, Pipeline};
use crate::row::{Row, RowContext};

#[derive(Debug)]
pub(crate) struct Filter {
    pub(crate) field: Slot,
    pub(crate) pipeline: Pipeline,
    /// The slots that exist when `filter` compiles, which the stages may read.
    pub(crate) input_width: usize,
}

impl Filter {
    pub(crate) fn release(&self, mut rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
        let mut kept_values = HashSet::new();
        for mut row in crate::execute::run_rows(&self.pipeline, rows.clone(), context) {
            if let Some(value) = row.get(self.field, context) {
                kept_values.insert(value.to_text().to_string());
            }
        }
        rows.retain_mut(|row| {
            row.get(self.field, context)
                .is_some_and(|value| kept_values.contains(value.to_text().as_ref()))
        });
        rows
    }
}

impl Compiler<'_> {
    pub(crate) fn filter(
        &mut self,
        field: &Spanned<String>,
        query: &Spanned<Query>,
    ) -> Option<Operator> {
        let field = self.fields.slot(&field.node);
        let input_width = self.fields.len();
        let (pipeline, _) = self.pipeline(&query.node);
        let kind = HoldingKind::Filter(Filter {
            field,
            pipeline,
            input_width,
        });
        Some(Operator::Holding(HoldingStage {
            kind,
            materialize: Vec::new(),
        }))
    }
}
