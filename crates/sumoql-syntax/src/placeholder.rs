//! Substitution of template placeholders, so that a dashboard or app-template
//! query can be parsed as plain Sumo Logic text.
//!
//! Sumo dashboards fill `{{name}}` variables before a query runs, and app
//! installers fill `$$name` parameters; app guides also write scope values as
//! `<SOURCE CATEGORY>` or `<proofpoint source>`. Text with these placeholders outside a string literal
//! is not valid Sumo, so [`substitute_placeholders`] puts a stand-in value in
//! each place. Placeholders inside string literals are valid text and stay.

use crate::parser::lexical::{is_bare_char, is_field_char};

/// Replaces every template placeholder outside string literals and comments
/// with a stand-in that keeps the query parseable:
///
/// - in a search scope (the query's, or a subquery's after its `:`): `*`;
/// - alone on its line, apart from a `//` comment: nothing, because such a
///   placeholder stands for optional extra stages;
/// - after `timeslice`, `timeshift` or `timeslice(`: the duration `1h`;
/// - after `=`, a comparison or arithmetic operator, `limit`, `top` or
///   `topk`: the number `1`;
/// - anywhere else: a field name made from the placeholder's name, with
///   characters other than letters, digits and `_` replaced by `_`
///   (`{{host.name}}` becomes `host_name`).
///
/// Placeholders are `{{name}}` (also with three braces), `$$name`, and, in
/// a scope only, `<words>` such as `<PAN SOURCE CATEGORY>`. The rules are a heuristic for
/// measuring the parser on templates, not a template engine: a placeholder
/// that stands for an operator or a whole condition still fails to parse.
pub fn substitute_placeholders(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    // One entry per open `[`: whether the enclosing text was a scope, and
    // whether this bracket is a subquery header still waiting for its `:`.
    let mut frames: Vec<BracketFrame> = Vec::new();
    let mut in_scope = true;
    let mut index = 0;

    while index < text.len() {
        let rest = &text[index..];
        let c = rest.chars().next().unwrap_or_default();

        if c == '"' || c == '\'' {
            let len = quoted_len(rest, c);
            output.push_str(&rest[..len]);
            index += len;
            continue;
        }
        if let Some(len) = comment_len(text, index) {
            output.push_str(&rest[..len]);
            index += len;
            continue;
        }
        if let Some(placeholder) = Placeholder::at(rest, in_scope) {
            let stand_in = stand_in(text, index, placeholder.len, &placeholder.name, in_scope);
            output.push_str(&stand_in);
            index += placeholder.len;
            continue;
        }

        match c {
            '|' if !frames.last().is_some_and(|frame| frame.awaiting_colon) => in_scope = false,
            '[' => {
                let awaiting_colon = rest[1..]
                    .trim_start()
                    .get(..8)
                    .is_some_and(|word| word.eq_ignore_ascii_case("subquery"));
                frames.push(BracketFrame {
                    outer_in_scope: in_scope,
                    awaiting_colon,
                });
                // `union [` opens a whole query, whose scope comes first.
                in_scope = !awaiting_colon;
            }
            ':' if frames.last().is_some_and(|frame| frame.awaiting_colon) => {
                if let Some(frame) = frames.last_mut() {
                    frame.awaiting_colon = false;
                }
                in_scope = true;
            }
            ']' => {
                if let Some(frame) = frames.pop() {
                    in_scope = frame.outer_in_scope;
                }
            }
            _ => {}
        }
        output.push(c);
        index += c.len_utf8();
    }
    output
}

struct BracketFrame {
    outer_in_scope: bool,
    awaiting_colon: bool,
}

struct Placeholder {
    len: usize,
    name: String,
}

impl Placeholder {
    /// Recognises a placeholder at the start of `text`.
    fn at(text: &str, in_scope: bool) -> Option<Placeholder> {
        if let Some(inner) = text.strip_prefix("{{") {
            let braces = if inner.starts_with('{') { 3 } else { 2 };
            let name_start = braces;
            let close = "}".repeat(braces);
            let name_len = text[name_start..].find(&close)?;
            let name = &text[name_start..name_start + name_len];
            if name.contains(['\n', '{']) {
                return None;
            }
            return Some(Placeholder {
                len: name_start + name_len + braces,
                name: name.to_string(),
            });
        }
        if let Some(inner) = text.strip_prefix("$$") {
            let name_len = inner
                .find(|c: char| !is_field_char(c))
                .unwrap_or(inner.len());
            if name_len == 0 {
                return None;
            }
            return Some(Placeholder {
                len: 2 + name_len,
                name: inner[..name_len].to_string(),
            });
        }
        if in_scope && text.starts_with('<') {
            let close = text.find('>')?;
            let name = &text[1..close];
            let is_words = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'));
            if is_words {
                return Some(Placeholder {
                    len: close + 1,
                    name: name.to_string(),
                });
            }
        }
        None
    }
}

/// Chooses the stand-in for the placeholder of `len` bytes at `index`.
fn stand_in(text: &str, index: usize, len: usize, name: &str, in_scope: bool) -> String {
    if in_scope {
        return "*".to_string();
    }

    let line_start = text[..index].rfind('\n').map_or(0, |newline| newline + 1);
    let line_end = text[index..]
        .find('\n')
        .map_or(text.len(), |newline| index + newline);
    let before = text[line_start..index].trim();
    let after = text[index + len..line_end].trim();
    if before.is_empty() && (after.is_empty() || after.starts_with("//")) {
        return String::new();
    }

    let preceding = text[..index].trim_end();
    let previous_word = preceding
        .rsplit(|c: char| !is_field_char(c))
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let previous_char = preceding.chars().last();
    let after_word_boundary = previous_char.is_some_and(is_field_char);

    if preceding.to_ascii_lowercase().ends_with("timeslice(")
        || (after_word_boundary && matches!(previous_word.as_str(), "timeslice" | "timeshift"))
    {
        return "1h".to_string();
    }
    if matches!(previous_char, Some('=' | '<' | '>' | '*' | '/' | '+' | '-'))
        || (after_word_boundary && matches!(previous_word.as_str(), "limit" | "top" | "topk"))
    {
        return "1".to_string();
    }

    let mut field: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !field.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        field.insert(0, '_');
    }
    field
}

/// Length of the quoted literal at the start of `text`, up to the end of the
/// text when it is not closed.
fn quoted_len(text: &str, quote: char) -> usize {
    let mut chars = text.char_indices().skip(1);
    while let Some((position, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return position + 1;
        }
    }
    text.len()
}

/// Returns whether `text` has a `//` or `/* */` comment outside string
/// literals, by the lexer's rules. The formatter drops comments, so callers
/// use this to warn before they would be lost.
pub fn has_comments(text: &str) -> bool {
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let c = rest.chars().next().unwrap_or_default();
        if c == '"' || c == '\'' {
            index += quoted_len(rest, c);
            continue;
        }
        if comment_len(text, index).is_some() {
            return true;
        }
        index += c.len_utf8();
    }
    false
}

/// Length of the comment starting at byte `index` of `text`, if one does.
/// The rules follow the lexer: `//` after `:` is part of a URL, and `/*`
/// right after a bare scope character continues a wildcard path.
fn comment_len(text: &str, index: usize) -> Option<usize> {
    let rest = &text[index..];
    let previous = text[..index].chars().last();
    if rest.starts_with("//") && previous != Some(':') {
        return Some(rest.find('\n').unwrap_or(rest.len()));
    }
    if rest.starts_with("/*") && !previous.is_some_and(is_bare_char) {
        return Some(rest[2..].find("*/").map_or(rest.len(), |end| end + 4));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::substitute_placeholders as substitute;

    #[test]
    fn scope_placeholders_become_wildcards() {
        assert_eq!(
            substitute("_sourceCategory={{src}} error"),
            "_sourceCategory=* error"
        );
        assert_eq!(
            substitute("_sourceCategory=$$logsrc | count"),
            "_sourceCategory=* | count"
        );
        assert_eq!(
            substitute("_sourceCategory=<PAN SOURCE CATEGORY> x"),
            "_sourceCategory=* x"
        );
        assert_eq!(substitute("_index={{{index}}}"), "_index=*");
    }

    #[test]
    fn strings_and_comments_are_kept() {
        let text = "x | where a matches \"{{a}}\" // {{b}}\n| count";
        assert_eq!(substitute(text), text);
    }

    #[test]
    fn pipeline_placeholders_follow_context() {
        assert_eq!(substitute("* | limit {{n}}"), "* | limit 1");
        assert_eq!(substitute("* | timeslice {{interval}}"), "* | timeslice 1h");
        assert_eq!(substitute("* | where x > {{min}}"), "* | where x > 1");
        assert_eq!(
            substitute("* | sum({{field}}) as {{out.name}}"),
            "* | sum(field) as out_name"
        );
    }

    #[test]
    fn placeholder_alone_on_line_is_removed() {
        assert_eq!(
            substitute("* | count\n{{post_filter}} // extra stages\n"),
            "* | count\n // extra stages\n"
        );
    }

    #[test]
    fn subquery_scope_gets_wildcard() {
        assert_eq!(
            substitute("a | where [subquery: _sourceCategory={{x}} | compose id] | limit {{n}}"),
            "a | where [subquery: _sourceCategory=* | compose id] | limit 1"
        );
    }

    #[test]
    fn comments_are_detected_outside_strings() {
        use super::has_comments;
        assert!(has_comments("* // note\n| count"));
        assert!(has_comments("* /* note */ | count"));
        assert!(!has_comments("* | where x = \"a // b\""));
        assert!(!has_comments("_sourceCategory=Labs/IIS/* | count"));
        assert!(!has_comments("* | lookup a from https://host/t.csv on a=b"));
    }

    #[test]
    fn angle_brackets_outside_scope_stay() {
        assert_eq!(substitute("* | where a <B> 1"), "* | where a <B> 1");
    }
}
