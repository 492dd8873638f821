//! Turns Sumo Logic search query text into a typed syntax tree with byte
//! spans, renders diagnostics that point into that text, and prints a tree
//! back as text in one canonical layout.

pub mod ast;
pub mod diagnostic;
mod format;
mod parser;
mod placeholder;

pub use diagnostic::{line_column, Diagnostic, Severity};
pub use format::format_query;
pub use parser::parse_query;
pub use placeholder::{has_comments, substitute_placeholders};
