//! Compiles a query syntax tree into a plan and evaluates it over records.
//!
//! The engine does not read files: readers hand it records through the
//! [`Record`] trait, and it returns a [`ResultTable`].

// Compile functions return `Diagnostic`s, which carry text for the user and
// are built once per query, never per record, so their size costs nothing.
#![allow(clippy::result_large_err)]

mod aggregate;
mod compile;
#[cfg(feature = "datafusion")]
pub mod datafusion;
mod execute;
mod explain;
mod expr;
pub mod extraction;
mod formats;
mod functions;
mod operators;
mod pattern;
mod plan;
mod requirement;
mod row;
mod scope;
mod subquery;
mod sumo_regex;
mod time_range;
mod value;

pub use compile::{compile, compile_with};
pub use execute::{Execution, GroupLimitExceeded, ResultTable};
pub use explain::{
    collect_chain, split_condition, BranchExplain, ConditionTerms, FieldPresence, StageDetail,
    StageExplain, TermCount, TermCounts, TermJoin,
};
pub use operators::lookup::{lookup_table_file, LookupSource, LookupTable};
pub use pattern::{AnchorPattern, WildcardPattern};
pub use plan::{Plan, DEFAULT_MAX_GROUPS};
pub use requirement::Requirement;
pub use row::Record;
pub use subquery::SubqueryPlan;
pub use time_range::TimeRange;
pub use value::{format_number, Value};

/// Lists the scalar function names the engine accepts.
pub fn function_names() -> &'static [&'static str] {
    functions::Function::names()
}
