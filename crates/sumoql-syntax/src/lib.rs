//! Turns Sumo Logic search query text into a typed syntax tree with byte
//! spans, and renders diagnostics that point into that text.

pub mod ast;
pub mod diagnostic;
mod parser;

pub use diagnostic::{line_column, Diagnostic, Severity};
pub use parser::parse_query;
