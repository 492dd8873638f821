//! Rules about running the same text in Sumo Logic and in sumoql: sumoql
//! extensions (SQ005), Sumo constructs that sumoql does not run offline
//! (SQ006) and metadata terms that quote a wildcard (SQ007). A term on
//! `_index` or `_view` matches no offline record (SQ010).

use sumoql_syntax::ast::{FieldsMode, Query, Scope, Span, Spanned, Stage};
use sumoql_syntax::Diagnostic;

use super::rules::Rule;
use super::walk::for_each_stage;

const METADATA_DOC: &str =
    "https://www.sumologic.com/help/docs/search/get-started-with-search/search-basics/built-in-metadata/";
const FIELDS_DOC: &str =
    "https://www.sumologic.com/help/docs/search/search-query-language/search-operators/fields/";
const SUBQUERY_DOC: &str = "https://www.sumologic.com/help/docs/search/subqueries/";

/// Sumo Logic search operators, in lower case, as Sumo's operator pages
/// document them. Only names that sumoql rejects as unknown are reported.
const SUMO_OPERATORS: [&str; 25] = [
    "json",
    "timeslice",
    "lookup",
    "geoip",
    "threatip",
    "threatlookup",
    "transpose",
    "top",
    "topk",
    "keyvalue",
    "kv",
    "csv",
    "split",
    "dedup",
    "fillmissing",
    "save",
    "cat",
    "join",
    "first",
    "last",
    "most_recent",
    "least_recent",
    "values",
    "pct",
    "parsehex",
];

/// Sumo Logic scalar functions, in lower case, as Sumo's operator pages
/// document them. Only names that sumoql rejects as unknown are reported.
const SUMO_FUNCTIONS: [&str; 17] = [
    "isprivateip",
    "ispublicip",
    "isreservedip",
    "isvalidip",
    "isvalidipv4",
    "isvalidipv6",
    "comparecidrprefix",
    "getcidrprefix",
    "maskfromcidr",
    "ipv4tonumber",
    "formatdate",
    "now",
    "base64decode",
    "urldecode",
    "hextodec",
    "format",
    "pow",
];

/// Metadata that names where Sumo Logic stores a message: its partition
/// (`_index`) or scheduled view (`_view`). Local logs have neither.
const STORAGE_METADATA: [&str; 2] = ["_index", "_view"];

pub fn check(query: &Query) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    scope_findings(query.scope.as_ref(), &mut findings);
    for_each_stage(query, &mut |stage| match &stage.node {
        Stage::Union(branch) => {
            let keyword = stage.span.start..stage.span.start + "union".len();
            findings.push(
                Rule::SumoqlExtension
                    .finding(
                        "`union` is a sumoql extension that Sumo Logic does not run",
                        keyword,
                        "Sumo has no `union` operator",
                    )
                    .with_note(format!(
                        "Sumo rejects this query; its only bracket syntax is the subquery ({SUBQUERY_DOC})"
                    ))
                    .with_help("to run the detection in Sumo, save each branch as a search of its own"),
            );
            scope_findings(branch.node.scope.as_ref(), &mut findings);
        }
        Stage::Fields {
            mode: FieldsMode::Keep,
            items,
        } => {
            for item in items {
                let Some(alias) = &item.node.alias else {
                    continue;
                };
                let name = &item.node.name;
                findings.push(
                    Rule::SumoqlExtension
                        .finding(
                            "`fields … as …` is a sumoql extension that Sumo Logic does not run",
                            item.span.clone(),
                            "Sumo's `fields` takes field names only",
                        )
                        .with_note(format!("Sumo renames with the `as` operator ({FIELDS_DOC})"))
                        .with_help(format!(
                            "for Sumo, copy the field in a stage of its own: `| {name} as {alias}`, then list `{alias}` here"
                        )),
                );
            }
        }
        _ => {}
    });
    findings
}

fn scope_findings(scope: Option<&Spanned<Scope>>, findings: &mut Vec<Diagnostic>) {
    for_each_scope_term(scope, false, &mut |term, excludes| {
        let Scope::Term {
            field,
            value,
            quoted,
            negated,
        } = &term.node
        else {
            return;
        };
        if *quoted && value.contains('*') {
            findings.push(quoted_wildcard(field, value, *negated, term.span.clone()));
        }
        let storage = STORAGE_METADATA
            .iter()
            .any(|name| field.eq_ignore_ascii_case(name));
        if storage && !excludes {
            findings.push(storage_metadata(field, term.span.clone()));
        }
    });
}

/// Calls `visit` with every `field=value` term of a scope and whether the term,
/// after its own `!=` and any enclosing `NOT`, excludes the records it matches.
fn for_each_scope_term(
    scope: Option<&Spanned<Scope>>,
    inside_not: bool,
    visit: &mut dyn FnMut(&Spanned<Scope>, bool),
) {
    let Some(scope) = scope else { return };
    match &scope.node {
        Scope::Term { negated, .. } => visit(scope, inside_not != *negated),
        Scope::And(left, right) | Scope::Or(left, right) => {
            for_each_scope_term(Some(left), inside_not, visit);
            for_each_scope_term(Some(right), inside_not, visit);
        }
        Scope::Not(inner) => for_each_scope_term(Some(inner), !inside_not, visit),
        _ => {}
    }
}

fn quoted_wildcard(field: &str, value: &str, negated: bool, span: Span) -> Diagnostic {
    let operator = if negated { "!=" } else { "=" };
    let bare = value
        .chars()
        .all(|c| c.is_alphanumeric() || "-_:/.+@#$%^*?".contains(c));
    let help = if bare {
        format!("drop the quotes: `{field}{operator}{value}`")
    } else {
        "remove the `*`, or the quotes and the characters that need them".to_string()
    };
    Rule::QuotedWildcard
        .finding(
            format!("quoted `{field}` value contains `*`, but Sumo does not combine quotes and wildcards"),
            span,
            "sumoql treats `*` as a wildcard here; Sumo may look for the text as written",
        )
        .with_note(format!(
            "Sumo: \"Quotes and wildcards cannot be used together\" ({METADATA_DOC}). In Sumo this \
             term may match no record at all."
        ))
        .with_help(help)
}

fn storage_metadata(field: &str, span: Span) -> Diagnostic {
    Rule::StorageMetadata
        .finding(
            format!("`{field}` names where Sumo Logic stores messages, which local logs do not have"),
            span,
            "no record read by sumoql has this field, so this term matches none",
        )
        .with_note(format!(
            "Sumo's partitions (`_index`) and scheduled views (`_view`) exist only in its service ({METADATA_DOC})"
        ))
        .with_help(
            "to run the query over local logs, replace the term with one the logs match, such as \
             `_sourceCategory=…` set by `--category` or the sources file",
        )
}

/// The step at which sumoql gave up on a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The query does not parse, so no rule ran.
    Parse,
    /// The query parses but does not compile, so only the rules that need
    /// `--input` did not run.
    Compile,
}

/// Turns an "unknown operator" or "unknown function" error about a name
/// that Sumo Logic defines into a finding stating that sumoql does not run
/// it offline. Other diagnostics are returned unchanged.
pub fn explain_unsupported(diagnostic: Diagnostic, stop: Stop) -> Diagnostic {
    let message = diagnostic.message.as_str();
    let name = message.split('`').nth(1);
    let known =
        |list: &[&str]| name.is_some_and(|name| list.contains(&name.to_ascii_lowercase().as_str()));

    // The compiler reports constructs that the parser accepts from Sumo but
    // the engine cannot run yet as "… is not supported by sumoql yet".
    let summary = match (message, name) {
        (_, Some(name)) if message.starts_with("unknown operator") && known(&SUMO_OPERATORS) => {
            format!("`{name}` is a Sumo Logic operator that sumoql does not run offline")
        }
        (_, Some(name)) if message.starts_with("unknown function") && known(&SUMO_FUNCTIONS) => {
            format!("`{name}` is a Sumo Logic function that sumoql does not run offline")
        }
        (_, Some(name))
            if message.starts_with("operator `")
                && (message.ends_with("is not supported by sumoql yet")
                    || message.ends_with("cannot run offline")) =>
        {
            format!("`{name}` is a Sumo Logic operator that sumoql does not run offline")
        }
        ("this expression is not supported by sumoql yet", _) => {
            "this Sumo Logic expression is one sumoql does not evaluate offline".to_string()
        }
        ("this search term is not supported by sumoql yet", _) => {
            "this Sumo Logic search term is one sumoql does not run offline".to_string()
        }
        _ => return diagnostic,
    };
    Rule::NotRunOffline
        .finding(
            summary,
            diagnostic.span.clone(),
            "valid in Sumo, not supported by sumoql",
        )
        .with_note(match stop {
            Stop::Parse => "sumoql cannot parse this query, so no other rule checked it",
            Stop::Compile => {
                "sumoql cannot run this query, so the rules that read `--input` did not run"
            }
        })
        .with_help(
            "run this query in Sumo Logic, or remove the construct to check the rest offline",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_sumo_operator_is_explained() {
        let error = Diagnostic::error(
            "unknown operator `timeslice`",
            4..13,
            "not a supported operator",
        );
        let finding = explain_unsupported(error, Stop::Parse);
        assert_eq!(finding.code, Some("SQ006"));
        assert!(
            finding
                .message
                .contains("`timeslice` is a Sumo Logic operator"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn misspelt_operator_stays_an_error() {
        let error = Diagnostic::error("unknown operator `wehre`", 4..9, "not a supported operator");
        let finding = explain_unsupported(error.clone(), Stop::Compile);
        assert_eq!(finding, error);
    }
}
