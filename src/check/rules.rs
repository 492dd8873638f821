//! The rules `sumoql check` applies: each has a code that findings show and
//! that a `// sumoql-ignore:` comment names, and a fixed severity.

use sumoql_syntax::ast::Span;
use sumoql_syntax::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A quoted `matches` pattern with regex syntax, which Sumo compares as text.
    LiteralPatternSyntax,
    /// `matches`, `=` or `in` on Windows paths or commands without case folding.
    CaseSensitivePath,
    /// A field read where no stage before it has set it.
    UndefinedField,
    /// A field set and never read nor shown.
    UnusedField,
    /// A sumoql extension that Sumo Logic does not run.
    SumoqlExtension,
    /// A Sumo Logic operator or function that sumoql does not run offline.
    NotRunOffline,
    /// A metadata term with a wildcard inside quotes.
    QuotedWildcard,
    /// A condition that no row can satisfy.
    NeverTrue,
    /// The same term twice in one `or` or `and` chain.
    DuplicateTerm,
    /// A scope term on `_index` or `_view`, which no offline record has.
    StorageMetadata,
    /// With inputs: a `parse` pattern that matched none of the rows it saw.
    ParseNeverMatched,
    /// With inputs: a field that is null in every row a condition reads it in.
    FieldAlwaysNull,
    /// With inputs: a branch that produced no rows.
    BranchWithoutRows,
}

impl Rule {
    #[cfg(test)]
    pub const ALL: [Rule; 13] = [
        Rule::LiteralPatternSyntax,
        Rule::CaseSensitivePath,
        Rule::UndefinedField,
        Rule::UnusedField,
        Rule::SumoqlExtension,
        Rule::NotRunOffline,
        Rule::QuotedWildcard,
        Rule::NeverTrue,
        Rule::DuplicateTerm,
        Rule::StorageMetadata,
        Rule::ParseNeverMatched,
        Rule::FieldAlwaysNull,
        Rule::BranchWithoutRows,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::LiteralPatternSyntax => "SQ001",
            Rule::CaseSensitivePath => "SQ002",
            Rule::UndefinedField => "SQ003",
            Rule::UnusedField => "SQ004",
            Rule::SumoqlExtension => "SQ005",
            Rule::NotRunOffline => "SQ006",
            Rule::QuotedWildcard => "SQ007",
            Rule::NeverTrue => "SQ008",
            Rule::DuplicateTerm => "SQ009",
            Rule::StorageMetadata => "SQ010",
            Rule::ParseNeverMatched => "SQ101",
            Rule::FieldAlwaysNull => "SQ102",
            Rule::BranchWithoutRows => "SQ103",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::UnusedField | Rule::SumoqlExtension | Rule::BranchWithoutRows => Severity::Note,
            Rule::NotRunOffline => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// Builds a finding of this rule.
    pub fn finding(
        self,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::finding(self.severity(), self.code(), message, span, label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
    }
}
