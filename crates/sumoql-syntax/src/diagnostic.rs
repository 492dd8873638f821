//! Errors and warnings that point at query text.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::ast::Span;

/// The severity of a diagnostic, ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing, such as a construct that Sumo Logic would not run.
    Note,
    /// The query runs but probably does not do what its author meant.
    Warning,
    Error,
}

impl Severity {
    /// Returns the lower-case name used in rendered diagnostics and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem found in a query, located by a byte span of its text.
///
/// Diagnostics are plain data; [`Diagnostic::render`] draws them.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier such as `SQ001`, shown as `warning[SQ001]`, for
    /// findings that can be looked up and silenced.
    pub code: Option<&'static str>,
    /// One-line summary, such as "unterminated string literal".
    pub message: String,
    pub span: Span,
    /// Text shown under the caret, such as "expected `as`".
    pub label: String,
    /// Why the problem matters, shown as a `note:` line.
    pub note: Option<String>,
    /// An optional suggestion of what to write instead.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            span,
            label: label.into(),
            note: None,
            help: None,
        }
    }

    /// Builds a finding of the given severity with a code, such as a
    /// warning that the query runs but misses events.
    pub fn finding(
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code: Some(code),
            ..Diagnostic::error(message, span, label)
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic as a compiler-style report: the severity with
    /// the code if there is one (`warning[SQ001]: …`), the message, a
    /// ` --> name:line:column` header, the source line with the span
    /// underlined and labelled, then the note and help lines if there are any.
    ///
    /// `source` must be the text the span was computed on. A span that reaches
    /// past the end of `source` is clipped to it, and an empty span at the end
    /// puts the caret after the last character. With `color` false the output
    /// contains no ANSI escape codes. No line ends in whitespace.
    pub fn render(&self, source_name: &str, source: &str, color: bool) -> String {
        let span = clip_span(source, &self.span);
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };

        let snippet = Snippet::source(source).path(source_name).annotation(
            AnnotationKind::Primary
                .span(span)
                .label(self.label.as_str()),
        );
        let mut title = level.primary_title(self.message.as_str());
        if let Some(code) = self.code {
            title = title.id(code);
        }
        let mut group: Group<'_> = title.element(snippet);
        if let Some(note) = &self.note {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }

        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let rendered = renderer.render(&[group]);

        let mut output = String::with_capacity(rendered.len());
        for line in rendered.lines() {
            output.push_str(line.trim_end());
            output.push('\n');
        }
        output
    }
}

/// Returns the 1-based line and column of a byte offset in `source`.
///
/// The column counts characters, not bytes. An offset past the end is
/// treated as the end, and an offset inside a multi-byte character as the
/// start of that character.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Clips a span to the source and to character boundaries, so that a stale
/// or hand-made span cannot make the renderer slice inside a character.
fn clip_span(source: &str, span: &Span) -> Span {
    let start = floor_char_boundary(source, span.start);
    let end = floor_char_boundary(source, span.end.max(span.start));
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let source = "ab\ncé|d";
        assert_eq!(line_column(source, 0), (1, 1));
        assert_eq!(line_column(source, 2), (1, 3));
        assert_eq!(line_column(source, 3), (2, 1));
        // `é` is two bytes, so `|` sits at byte 6 but column 3.
        assert_eq!(line_column(source, 6), (2, 3));
        assert_eq!(line_column(source, source.len()), (2, 5));
        assert_eq!(line_column(source, 100), (2, 5));
    }

    #[test]
    fn line_column_inside_character() {
        let source = "é";
        assert_eq!(line_column(source, 1), (1, 1));
    }

    #[test]
    fn render_plain_has_no_escape_codes() {
        let diagnostic =
            Diagnostic::error("bad thing", 4..9, "expected `x`").with_help("write `x`");
        let rendered = diagnostic.render("q.sumo", "* | where", false);
        assert!(!rendered.contains('\u{1b}'), "{rendered}");
        assert!(rendered.contains("error: bad thing"), "{rendered}");
        assert!(rendered.contains(" --> q.sumo:1:5"), "{rendered}");
        assert!(rendered.contains("^^^^^ expected `x`"), "{rendered}");
        assert!(rendered.contains("help: write `x`"), "{rendered}");
    }

    #[test]
    fn render_finding_shows_code_and_note() {
        let diagnostic = Diagnostic::finding(Severity::Warning, "SQ123", "odd thing", 4..9, "here")
            .with_note("it matters")
            .with_help("fix it");
        let rendered = diagnostic.render("q.sumo", "* | where", false);
        assert!(
            rendered.starts_with("warning[SQ123]: odd thing\n"),
            "{rendered}"
        );
        assert!(rendered.contains("= note: it matters"), "{rendered}");
        assert!(rendered.contains("= help: fix it"), "{rendered}");
    }

    #[test]
    fn severity_orders_note_warning_error() {
        assert!(Severity::Note < Severity::Warning);
        assert!(Severity::Warning < Severity::Error);
    }

    #[test]
    fn render_color_has_escape_codes() {
        let diagnostic = Diagnostic::error("bad thing", 0..1, "here");
        let rendered = diagnostic.render("q.sumo", "*", true);
        assert!(rendered.contains('\u{1b}'), "{rendered}");
    }

    #[test]
    fn render_has_no_trailing_whitespace() {
        let diagnostic = Diagnostic::error("bad thing", 0..1, "");
        let rendered = diagnostic.render("q.sumo", "*  \n| x", false);
        for line in rendered.lines() {
            assert_eq!(line, line.trim_end(), "{rendered}");
        }
    }

    #[test]
    fn render_empty_span_at_end() {
        let source = "* | union [ *";
        let diagnostic = Diagnostic::error("unclosed", source.len()..source.len(), "expected `]`");
        let rendered = diagnostic.render("q.sumo", source, false);
        assert!(rendered.contains(" --> q.sumo:1:14"), "{rendered}");
        assert!(rendered.contains("1 | * | union [ *"), "{rendered}");
        // The caret is one column after the last character.
        let caret_line = rendered.lines().find(|line| line.contains('^')).unwrap();
        assert_eq!(caret_line.find('^'), Some(4 + source.len()), "{rendered}");
    }

    #[test]
    fn render_clips_span_past_end() {
        let diagnostic = Diagnostic::error("bad", 3..50, "here");
        let rendered = diagnostic.render("q.sumo", "abcé", false);
        assert!(rendered.contains(" --> q.sumo:1:4"), "{rendered}");
    }
}
