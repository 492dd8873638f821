//! Errors and warnings that point at query text.

use crate::ast::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem found in a query, located by a byte span of its text.
///
/// Diagnostics are plain data; [`Diagnostic::render`] draws them.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One-line summary, such as "unterminated string literal".
    pub message: String,
    pub span: Span,
    /// Text shown under the caret, such as "expected `as`".
    pub label: String,
    /// An optional suggestion of what to write instead.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
