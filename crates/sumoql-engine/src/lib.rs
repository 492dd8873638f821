//! Compiles a query syntax tree into a plan and evaluates it over records.
