//! The keyword expression before the first pipe, compiled to a record filter.
//!
//! Sumo documents keyword and metadata matching as case-insensitive, with `*`
//! for any run of characters and `?` for one character
//! (https://www.sumologic.com/help/docs/search/get-started-with-search/build-search/keyword-search-expressions/,
//! https://www.sumologic.com/help/docs/search/get-started-with-search/search-basics/built-in-metadata/).

use regex::{Regex, RegexBuilder};
use sumoql_syntax::ast::{Scope, Span, Spanned, Subquery};
use sumoql_syntax::Diagnostic;
use wildmatch::WildMatchPattern;

use crate::row::Record;
use crate::subquery::SubqueryFilter;

/// `*` is the only wildcard: Sumo says quotes and wildcards "cannot be used
/// together", and sumoql chooses to keep `*` working inside quotes anyway
/// while `?` stays literal there. The single-character wildcard is set to
/// U+0000, which query text cannot contain.
type QuotedPattern = WildMatchPattern<'*', '\u{0}'>;
type BarePattern = WildMatchPattern<'*', '?'>;

#[derive(Debug)]
pub(crate) enum ScopeFilter {
    All,
    /// A keyword or phrase; `text` and `quoted` are kept to compile it again elsewhere.
    #[cfg_attr(not(feature = "datafusion"), allow(dead_code))]
    Keyword {
        regex: Regex,
        text: String,
        quoted: bool,
    },
    #[cfg_attr(not(feature = "datafusion"), allow(dead_code))]
    Term {
        lowercase_field: String,
        pattern: TermPattern,
        /// The value as written, with `quoted` telling how to read its wildcards.
        value: String,
        quoted: bool,
        negated: bool,
    },
    And(Box<ScopeFilter>, Box<ScopeFilter>),
    Or(Box<ScopeFilter>, Box<ScopeFilter>),
    Not(Box<ScopeFilter>),
    /// `[subquery: … | compose …]`: records that match a composed row.
    Subquery(SubqueryFilter),
}

#[derive(Debug)]
pub(crate) enum TermPattern {
    Bare(BarePattern),
    Quoted(QuotedPattern),
}

impl TermPattern {
    pub(crate) fn new(value: &str, quoted: bool) -> TermPattern {
        if quoted {
            TermPattern::Quoted(QuotedPattern::new_case_insensitive(value))
        } else {
            TermPattern::Bare(BarePattern::new_case_insensitive(value))
        }
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            TermPattern::Bare(pattern) => pattern.matches(value),
            TermPattern::Quoted(pattern) => pattern.matches(value),
        }
    }
}

impl ScopeFilter {
    /// Compiles the scope. The error is boxed because a `Diagnostic` is
    /// large next to a filter.
    /// `subquery` compiles each subquery and reports its own errors.
    pub(crate) fn compile(
        scope: Option<&Spanned<Scope>>,
        subquery: &mut CompileSubquery,
    ) -> Result<ScopeFilter, Box<Diagnostic>> {
        match scope {
            None => Ok(ScopeFilter::All),
            Some(scope) => compile_node(scope, subquery),
        }
    }

    pub(crate) fn matches(&self, record: &dyn Record) -> bool {
        match self {
            ScopeFilter::All => true,
            ScopeFilter::Keyword { regex, .. } => record
                .field("_raw")
                .is_some_and(|raw| regex.is_match(&raw.to_text())),
            ScopeFilter::Term {
                lowercase_field,
                pattern,
                negated,
                ..
            } => {
                let matched = record
                    .field(lowercase_field)
                    .is_some_and(|value| pattern.matches(&value.to_text()));
                matched != *negated
            }
            ScopeFilter::And(left, right) => left.matches(record) && right.matches(record),
            ScopeFilter::Or(left, right) => left.matches(record) || right.matches(record),
            ScopeFilter::Not(inner) => !inner.matches(record),
            ScopeFilter::Subquery(filter) => filter.matches_record(record),
        }
    }

    /// Reports whether the filter reads `_raw`, which may be costly to produce.
    pub(crate) fn reads_raw(&self) -> bool {
        match self {
            ScopeFilter::All => false,
            ScopeFilter::Keyword { .. } => true,
            ScopeFilter::Term {
                lowercase_field, ..
            } => lowercase_field == "_raw",
            ScopeFilter::And(left, right) | ScopeFilter::Or(left, right) => {
                left.reads_raw() || right.reads_raw()
            }
            ScopeFilter::Not(inner) => inner.reads_raw(),
            ScopeFilter::Subquery(filter) => filter.fields.iter().any(|field| field == "_raw"),
        }
    }
}

type CompileSubquery<'c> = dyn FnMut(&Subquery, &Span) -> Option<SubqueryFilter> + 'c;

fn compile_node(
    scope: &Spanned<Scope>,
    subquery: &mut CompileSubquery,
) -> Result<ScopeFilter, Box<Diagnostic>> {
    let filter = match &scope.node {
        Scope::All => ScopeFilter::All,
        Scope::Keyword { text, quoted } => {
            let regex = keyword_regex(text, *quoted).map_err(|error| {
                Box::new(Diagnostic::error(
                    "invalid keyword",
                    scope.span.clone(),
                    format!("this keyword cannot be matched: {error}"),
                ))
            })?;
            ScopeFilter::Keyword {
                regex,
                text: text.clone(),
                quoted: *quoted,
            }
        }
        Scope::Term {
            field,
            negated,
            value,
            quoted,
        } => ScopeFilter::Term {
            lowercase_field: field.to_ascii_lowercase(),
            pattern: TermPattern::new(value, *quoted),
            value: value.clone(),
            quoted: *quoted,
            negated: *negated,
        },
        Scope::And(left, right) => ScopeFilter::And(
            Box::new(compile_node(left, subquery)?),
            Box::new(compile_node(right, subquery)?),
        ),
        Scope::Or(left, right) => ScopeFilter::Or(
            Box::new(compile_node(left, subquery)?),
            Box::new(compile_node(right, subquery)?),
        ),
        Scope::Not(inner) => ScopeFilter::Not(Box::new(compile_node(inner, subquery)?)),
        // A subquery that fails to compile has reported why; the query then
        // does not compile, so the stand-in filter never runs.
        Scope::Subquery(inner) => {
            subquery(&inner.node, &inner.span).map_or(ScopeFilter::All, ScopeFilter::Subquery)
        }
        Scope::Compare { .. } => {
            return Err(Box::new(Diagnostic::error(
                "this search term is not supported by sumoql yet",
                scope.span.clone(),
                "parsed, but sumoql cannot run it yet",
            )
            .with_help("the scope supports keywords, phrases, `field=value`, `field!=value`, AND, OR, NOT and parentheses")));
        }
    };
    Ok(filter)
}

/// Builds the matcher of one keyword or phrase.
///
/// A keyword matches whole terms of `_raw`: it must not start or end inside a
/// word unless a `*` stands there, so `456` does not match `1234567` but
/// `*456*` does, as Sumo's examples show. Letters match in any case, runs of
/// whitespace in a phrase match any run of whitespace, and `*` matches any
/// run of non-space characters (`?` one, outside quotes).
pub(crate) fn keyword_regex(text: &str, quoted: bool) -> Result<Regex, regex::Error> {
    let mut body = String::new();
    let mut in_whitespace = false;
    for character in text.chars() {
        if character.is_whitespace() {
            if !in_whitespace {
                body.push_str(r"\s+");
            }
            in_whitespace = true;
            continue;
        }
        in_whitespace = false;
        match character {
            '*' => body.push_str(r"\S*"),
            '?' if !quoted => body.push_str(r"\S"),
            other => body.push_str(&regex::escape(&other.to_string())),
        }
    }

    let is_word =
        |character: Option<char>| character.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut pattern = String::new();
    if is_word(text.chars().next()) {
        pattern.push_str(r"\b");
    }
    pattern.push_str(&body);
    if is_word(text.chars().last()) {
        pattern.push_str(r"\b");
    }
    RegexBuilder::new(&pattern).case_insensitive(true).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_matches_whole_terms() {
        let regex = keyword_regex("456", false).unwrap();
        assert!(!regex.is_match("TEST1234567"));
        assert!(regex.is_match("code 456 returned"));
    }

    #[test]
    fn keyword_wildcards_reach_into_terms() {
        assert!(keyword_regex("*456*", false)
            .unwrap()
            .is_match("TEST1234567"));
        assert!(keyword_regex("TEST*", false)
            .unwrap()
            .is_match("a TESTClientImpl b"));
        assert!(keyword_regex("err?r", false)
            .unwrap()
            .is_match("an error here"));
    }

    #[test]
    fn keyword_ignores_case() {
        let regex = keyword_regex("sysmon", false).unwrap();
        assert!(regex.is_match("Microsoft-Windows-Sysmon/Operational"));
    }

    #[test]
    fn phrase_folds_whitespace() {
        let regex = keyword_regex("access  denied", true).unwrap();
        assert!(regex.is_match("ACCESS\t\tDenied for user"));
    }

    #[test]
    fn quoted_term_keeps_question_mark_literal() {
        let quoted = TermPattern::Quoted(QuotedPattern::new_case_insensitive("a?c"));
        assert!(!quoted.matches("abc"));
        assert!(quoted.matches("A?C"));
        let bare = TermPattern::Bare(BarePattern::new_case_insensitive("a?c"));
        assert!(bare.matches("ABC"));
    }

    #[test]
    fn term_matches_whole_value() {
        let quoted = TermPattern::Quoted(QuotedPattern::new_case_insensitive("*sysmon*"));
        assert!(quoted.matches("Windows/SYSMON"));
        let exact = TermPattern::Quoted(QuotedPattern::new_case_insensitive("windows/sysmon"));
        assert!(exact.matches("Windows/Sysmon"));
        assert!(!exact.matches("windows/sysmon/extra"));
    }
}
