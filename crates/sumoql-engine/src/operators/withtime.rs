//! `withtime F`: pairs a field with the time of its message, for the
//! `most_recent` and `least_recent` aggregates.
//!
//! https://www.sumologic.com/help/docs/search/search-query-language/group-aggregate-operators/most-recent-least-recent/
//! Sumo documents that `withtime F` creates `F_withtime`, a JSON object of
//! the value and its timestamp in milliseconds, which `most_recent` and
//! `least_recent` order by. sumoql's `most_recent` and `least_recent` read
//! each row's `_messageTime` themselves, so `F_withtime` is a copy of `F`,
//! and the aggregates return the plain value as Sumo's examples use it.
//! NOTE: shown as a result column, `F_withtime` is therefore the value
//! alone, not Sumo's JSON object.

use sumoql_syntax::ast::{Expr, Spanned};

use crate::compile::{Compiler, Layout};
use crate::plan::Operator;

impl Compiler<'_> {
    pub(crate) fn withtime(
        &mut self,
        field: &Spanned<String>,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let source = Spanned::new(Expr::Field(field.node.clone()), field.span.clone());
        let value = self.expr(&source)?;
        let target = self.fields.slot(&format!("{}_withtime", field.node));
        layout.add(target);
        Some(Operator::Assign { target, value })
    }
}
