//! The words of the query language that the REPL completes and highlights.

/// Operator words that start a stage, as the parser dispatches on them.
// NOTE: the parser keeps its own list private, so this copy can fall behind.
// The test below fails when the parser stops accepting one of these. It does
// not notice an operator the parser gains.
pub const OPERATORS: [&str; 14] = [
    "where",
    "parse",
    "extract",
    "fields",
    "union",
    "sort",
    "order",
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "limit",
];

/// Words with a meaning inside stages besides the operator names.
const STAGE_WORDS: [&str; 16] = [
    "and", "or", "not", "matches", "in", "as", "by", "nodrop", "regex", "field", "multi", "asc",
    "desc", "group", "true", "false",
];

/// Boolean operators of the scope (the keyword expression before the first `|`).
const SCOPE_WORDS: [&str; 3] = ["and", "or", "not"];

/// Metadata fields every record has (grammar.md, "Records, metadata and `_raw`").
pub const METADATA_FIELDS: [&str; 9] = [
    "_raw",
    "_messageTime",
    "_receiptTime",
    "_sourceHost",
    "_sourceCategory",
    "_sourceName",
    "_source",
    "_collector",
    "_size",
];

pub fn is_stage_keyword(word: &str) -> bool {
    OPERATORS
        .iter()
        .chain(STAGE_WORDS.iter())
        .any(|keyword| keyword.eq_ignore_ascii_case(word))
}

pub fn is_scope_keyword(word: &str) -> bool {
    SCOPE_WORDS
        .iter()
        .any(|keyword| keyword.eq_ignore_ascii_case(word))
}

/// Returns the keywords to offer for completion inside a stage: the stage
/// words, without the operator names, which [`OPERATORS`] offers after `|`.
pub fn stage_words() -> &'static [&'static str] {
    &STAGE_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_accepts_every_operator() {
        for operator in OPERATORS {
            let query = format!("* | {operator}");
            let Err(diagnostics) = sumoql_syntax::parse_query(&query) else {
                continue;
            };
            for diagnostic in diagnostics {
                assert!(
                    !diagnostic.message.contains("unknown operator"),
                    "{operator}: {}",
                    diagnostic.message
                );
            }
        }
    }

    #[test]
    fn keywords_ignore_case() {
        assert!(is_stage_keyword("WHERE"));
        assert!(is_stage_keyword("Nodrop"));
        assert!(!is_stage_keyword("EventID"));
        assert!(is_scope_keyword("OR"));
        assert!(!is_scope_keyword("where"));
    }
}
