//! Per-stage row counts of an explained run, which show why a query returns
//! few or no rows.
//!
//! [`crate::Execution::explained`] turns the counting on; without it the
//! executor only checks an empty counter list per operator.

use sumoql_syntax::ast::{BinaryOperator, Expr, Span, Spanned};

/// The counts of one pipeline: the main query or a `union` branch.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchExplain {
    /// The byte range of the scope; `None` when the branch has no scope.
    pub scope_span: Option<Span>,
    /// Records offered to the branch: every record read.
    pub records_in: u64,
    /// Records that the scope selected.
    pub records_out: u64,
    pub stages: Vec<StageExplain>,
    /// Rows that left the last stage of the branch.
    pub rows_out: u64,
}

/// The counts of one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageExplain {
    /// The byte range of the stage text, from its operator word to its end.
    pub span: Span,
    pub rows_in: u64,
    /// Rows passed on to the next stage. For `union` this includes the
    /// branch's rows; for `sort` and aggregates it counts the rows they
    /// release when the run finishes.
    pub rows_out: u64,
    pub detail: StageDetail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StageDetail {
    /// No counts beyond rows in and out.
    Plain,
    /// `parse` and `parse regex`: how many rows the pattern matched, and the
    /// fields it sets.
    Parse { matched: u64, fields: Vec<String> },
    Where {
        /// Counts per top-level term, when the condition has more than one.
        terms: Option<TermCounts>,
        /// Every field the condition reads, with the number of rows in
        /// which it was not null.
        fields: Vec<FieldPresence>,
    },
    /// The counts of the branch this `union` adds.
    Union(BranchExplain),
}

/// The operator that joins the top-level terms of a `where` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermJoin {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TermCounts {
    pub join: TermJoin,
    /// True for `!(a or b)`: a row passes when the joined terms are false.
    pub negated: bool,
    pub terms: Vec<TermCount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TermCount {
    pub span: Span,
    /// Rows for which this term alone was true.
    pub true_rows: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldPresence {
    /// The field name as the query first spells it.
    pub name: String,
    pub non_null_rows: u64,
}

/// The top-level terms of a condition, as [`split_condition`] finds them.
#[derive(Debug)]
pub struct ConditionTerms<'a> {
    pub join: TermJoin,
    pub negated: bool,
    pub terms: Vec<&'a Spanned<Expr>>,
}

/// Splits a condition at its top-level `and` or `or`, after at most one
/// leading `!` or `not`, so `!(a or b or c)` gives `a`, `b` and `c`.
/// Returns `None` for a condition of one term.
pub fn split_condition(condition: &Spanned<Expr>) -> Option<ConditionTerms<'_>> {
    let (inner, negated) = match &condition.node {
        Expr::Not(inner) => (&**inner, true),
        _ => (condition, false),
    };
    let (join, operator) = match &inner.node {
        Expr::Binary {
            operator: BinaryOperator::Or,
            ..
        } => (TermJoin::Or, BinaryOperator::Or),
        Expr::Binary {
            operator: BinaryOperator::And,
            ..
        } => (TermJoin::And, BinaryOperator::And),
        _ => return None,
    };
    let mut terms = Vec::new();
    collect_chain(inner, operator, &mut terms);
    Some(ConditionTerms {
        join,
        negated,
        terms,
    })
}

/// Collects the operands of a chain of one operator, left to right, so
/// `a or (b or c)` gives `a`, `b`, `c`.
pub fn collect_chain<'a>(
    expr: &'a Spanned<Expr>,
    operator: BinaryOperator,
    terms: &mut Vec<&'a Spanned<Expr>>,
) {
    match &expr.node {
        Expr::Binary {
            operator: found,
            left,
            right,
        } if *found == operator => {
            collect_chain(left, operator, terms);
            collect_chain(right, operator, terms);
        }
        _ => terms.push(expr),
    }
}
