use crate::ast::Query;
use crate::diagnostic::Diagnostic;

/// Parses a whole query. Every byte must belong to the query: trailing text
/// that is not a valid stage is an error.
pub fn parse_query(text: &str) -> Result<Query, Vec<Diagnostic>> {
    let _ = text;
    todo!("parser")
}
