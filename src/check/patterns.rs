//! Rules about the text that `matches`, `=` and `in` compare with: regex
//! syntax inside a quoted pattern (SQ001) and case-sensitive comparisons of
//! Windows paths and command lines (SQ002).

use std::collections::HashMap;

use sumoql_syntax::ast::{BinaryOperator, Expr, Query, Spanned, Stage};
use sumoql_syntax::Diagnostic;

use super::rules::Rule;
use super::walk::{field_name, for_each_stage, quote, stage_expressions, walk};

const MATCHES_DOC: &str =
    "https://www.sumologic.com/help/docs/search/search-query-language/search-operators/matches/";

/// Sysmon event fields that hold paths or command lines, in lower case.
const PATH_FIELDS: [&str; 14] = [
    "image",
    "parentimage",
    "commandline",
    "parentcommandline",
    "targetfilename",
    "imageloaded",
    "currentdirectory",
    "sourceimage",
    "targetimage",
    "originalfilename",
    "targetobject",
    "pipename",
    "device",
    "scriptblocktext",
];

/// Name endings that mark a field as holding paths or command lines.
const PATH_SUFFIXES: [&str; 6] = [
    "image",
    "commandline",
    "filename",
    "file",
    "path",
    "directory",
];

/// File name extensions that mark a literal as a Windows path.
const PATH_EXTENSIONS: [&str; 12] = [
    ".exe", ".dll", ".sys", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".scr", ".msi", ".hta", ".cpl",
];

pub fn check(query: &Query, source: &str) -> Vec<Diagnostic> {
    let origins = FieldOrigins::of(query);
    let mut findings = Vec::new();
    for_each_stage(query, &mut |stage| {
        let mut groups: Vec<(String, Vec<CaseComparison>)> = Vec::new();
        for expr in stage_expressions(&stage.node) {
            walk(expr, &mut |node| {
                if let Some(finding) = literal_pattern(node, source) {
                    findings.push(finding);
                }
                if let Some(comparison) = case_sensitive_comparison(node, &origins, source) {
                    let key = comparison.field.to_ascii_lowercase();
                    match groups.iter_mut().find(|(known, _)| *known == key) {
                        Some((_, comparisons)) => comparisons.push(comparison),
                        None => groups.push((key, vec![comparison])),
                    }
                }
            });
        }
        for (_, comparisons) in groups {
            findings.push(case_finding(&comparisons));
        }
    });
    findings
}

// --- SQ001: regex syntax inside a quoted pattern -------------------------

fn literal_pattern(node: &Spanned<Expr>, source: &str) -> Option<Diagnostic> {
    let Expr::Matches { value, pattern } = &node.node else {
        return None;
    };
    let Expr::String(text) = &pattern.node else {
        return None;
    };
    // The literal as written, without its quotes: `"\\d"` is a backslash
    // and a `d`, while `"\d"` is regex syntax kept by the string decoder.
    let written = source.get(pattern.span.start + 1..pattern.span.end.saturating_sub(1))?;
    let syntax = regex_syntax_in(written)?;

    let value_text = source.get(value.span.clone()).unwrap_or("x");
    let ip_like = looks_like_address_pattern(text);
    let mut note = format!(
        "Sumo's quoted `matches` patterns know only the `*` wildcard; regex syntax works only \
         between slashes ({MATCHES_DOC}). This pattern matches only values that contain `{syntax}` as written"
    );
    note.push_str(if ip_like {
        ", which no IP address does."
    } else {
        "."
    });
    let mut help = format!(
        "write it as a regex: `{value_text} matches /{}/`",
        wildcard_to_regex(written)
    );
    if ip_like {
        help.push_str(&format!(
            "; for address ranges Sumo also has `isPrivateIP({value_text})` and \
             `compareCIDRPrefix(\"172.16.0.0\", {value_text}, \"12\")`"
        ));
    }

    let finding = Rule::LiteralPatternSyntax
        .finding(
            format!("quoted `matches` pattern contains `{syntax}`, which Sumo compares as literal text"),
            pattern.span.clone(),
            format!("only `*` is a wildcard in quotes, so `{syntax}` must occur in the value as written"),
        )
        .with_note(note)
        .with_help(help);
    Some(finding)
}

/// Returns the first piece of regex syntax in a quoted pattern as written
/// in the query: a bracket class, `?`, a `{n}` repetition, a `\d`-like
/// class, or `^`/`$` at the ends. An escaped backslash (`\\`) is a
/// backslash in the value, so `\\bin` is not a `\b`. Brackets count only
/// as a class with text and no `*` inside, so `sshd[*` and `[*]` are taken
/// as the literal brackets of a syslog process id.
fn regex_syntax_in(written: &str) -> Option<String> {
    let characters: Vec<char> = written.chars().collect();
    let mut escaped_until = 0;
    for (index, &character) in characters.iter().enumerate() {
        if index < escaped_until {
            continue;
        }
        match character {
            '[' => {
                let close = characters[index..].iter().position(|&c| c == ']');
                if let Some(close) = close {
                    let inside = &characters[index + 1..index + close];
                    if !inside.is_empty() && !inside.contains(&'*') {
                        return Some(characters[index..=index + close].iter().collect());
                    }
                }
            }
            '?' => return Some(character.to_string()),
            '{' => {
                if let Some(repetition) = repetition_at(&characters[index..]) {
                    return Some(repetition);
                }
            }
            '\\' => {
                let next = characters.get(index + 1).copied();
                if next.is_some_and(|class| "dwsbDWSB".contains(class)) {
                    return Some(format!("\\{}", next.unwrap_or_default()));
                }
                escaped_until = index + 2;
            }
            '^' if index == 0 => return Some("^".to_string()),
            '$' if index + 1 == characters.len() => return Some("$".to_string()),
            _ => {}
        }
    }
    None
}

/// Returns `{n}`, `{n,}` or `{n,m}` at the start of `characters`. Braces
/// around other text, such as a GUID, are not repetitions.
fn repetition_at(characters: &[char]) -> Option<String> {
    let close = characters.iter().position(|&c| c == '}')?;
    let inside: String = characters[1..close].iter().collect();
    let mut parts = inside.splitn(2, ',');
    let low = parts.next()?;
    let is_number = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let valid = is_number(low)
        && parts
            .next()
            .is_none_or(|high| high.is_empty() || is_number(high));
    valid.then(|| characters[..=close].iter().collect())
}

fn looks_like_address_pattern(pattern: &str) -> bool {
    pattern.contains('.')
        && pattern.chars().any(|c| c.is_ascii_digit())
        && pattern
            .chars()
            .all(|c| c.is_ascii_digit() || ".[]-*".contains(c))
}

/// Turns a quoted pattern, as written in the query, into the regex it was
/// meant to be: `*` becomes `.*`, `.` and other special characters are
/// escaped, and the regex syntax the pattern already has is kept.
fn wildcard_to_regex(written: &str) -> String {
    let mut regex = String::with_capacity(written.len() * 2);
    let mut characters = written.chars();
    while let Some(character) = characters.next() {
        match character {
            '*' => regex.push_str(".*"),
            '.' | '(' | ')' | '+' | '|' => {
                regex.push('\\');
                regex.push(character);
            }
            '/' => regex.push_str("\\/"),
            '\\' => match characters.next() {
                Some(class) if "dwsbDWSBnrt".contains(class) => {
                    regex.push('\\');
                    regex.push(class);
                }
                Some('"') => regex.push('"'),
                Some('\\') | None => regex.push_str("\\\\"),
                Some(other) => {
                    regex.push_str("\\\\");
                    regex.push(other);
                }
            },
            other => regex.push(other),
        }
    }
    regex
}

// --- SQ002: case-sensitive comparison of Windows paths -------------------

/// A case-sensitive comparison of a field that contains Windows paths.
struct CaseComparison {
    span: sumoql_syntax::ast::Span,
    field: String,
    command_lines: bool,
    /// A literal the comparison uses, to show a value of other case that it misses.
    literal: String,
    /// The comparison rewritten to fold case.
    rewrite: String,
}

fn case_sensitive_comparison(
    node: &Spanned<Expr>,
    origins: &FieldOrigins,
    source: &str,
) -> Option<CaseComparison> {
    let text_of = |expr: &Spanned<Expr>| {
        source
            .get(expr.span.clone())
            .unwrap_or_default()
            .to_string()
    };
    let (field, literal, rewrite) = match &node.node {
        Expr::Matches { value, pattern } => {
            let field = field_name(&value.node)?;
            match &pattern.node {
                Expr::String(text) => {
                    let rewrite = format!(
                        "toLowerCase({}) matches {}",
                        text_of(value),
                        quote(&text.to_lowercase())
                    );
                    (field, text.clone(), rewrite)
                }
                Expr::Regex(regex) if !regex.contains("(?i)") => {
                    let rewrite = format!("{} matches /(?i){regex}/", text_of(value));
                    (field, regex.replace(".*", "*"), rewrite)
                }
                _ => return None,
            }
        }
        Expr::Binary {
            operator: operator @ (BinaryOperator::Equal | BinaryOperator::NotEqual),
            left,
            right,
        } => {
            let (field_side, text) = match (&left.node, &right.node) {
                (Expr::Field(_), Expr::String(text)) => (left, text),
                (Expr::String(text), Expr::Field(_)) => (right, text),
                _ => return None,
            };
            let symbol = if *operator == BinaryOperator::Equal {
                "="
            } else {
                "!="
            };
            let rewrite = format!(
                "toLowerCase({}) {symbol} {}",
                text_of(field_side),
                quote(&text.to_lowercase())
            );
            (field_name(&field_side.node)?, text.clone(), rewrite)
        }
        Expr::In {
            value,
            list,
            negated,
        } => {
            let field = field_name(&value.node)?;
            let literal = list.iter().find_map(|item| match &item.node {
                Expr::String(text) if text.chars().any(|c| c.is_ascii_alphabetic()) => {
                    Some(text.clone())
                }
                _ => None,
            })?;
            let items: Vec<String> = list
                .iter()
                .map(|item| match &item.node {
                    Expr::String(text) => quote(&text.to_lowercase()),
                    _ => text_of(item),
                })
                .collect();
            let keyword = if *negated { "not in" } else { "in" };
            let rewrite = format!(
                "toLowerCase({}) {keyword} ({})",
                text_of(value),
                items.join(", ")
            );
            (field, literal, rewrite)
        }
        _ => return None,
    };

    // A dashboard placeholder such as `{{file}}` is filled in by Sumo, and a
    // literal with `/` and no `\` is a URL or Unix path, not a Windows one.
    let unix_like = literal.contains('/') && !literal.contains('\\');
    if !literal.chars().any(|c| c.is_ascii_alphabetic()) || literal.contains("{{") || unix_like {
        return None;
    }
    let origin = origins.origin(field);
    if !(holds_paths(field) || holds_paths(&origin) || looks_like_path(&literal)) {
        return None;
    }
    Some(CaseComparison {
        span: node.span.clone(),
        field: field.to_string(),
        command_lines: origin.contains("commandline")
            || field.to_ascii_lowercase().contains("commandline"),
        literal,
        rewrite,
    })
}

fn case_finding(comparisons: &[CaseComparison]) -> Diagnostic {
    let first = &comparisons[0];
    let kind_of_value = if first.command_lines {
        "command lines"
    } else {
        "paths"
    };
    let mut label = format!(
        "case-sensitive: `{}` would not match",
        other_case_example(&first.literal)
    );
    if comparisons.len() > 1 {
        let more = comparisons.len() - 1;
        let noun = if more == 1 {
            "comparison"
        } else {
            "comparisons"
        };
        label.push_str(&format!(
            "; {more} more {noun} of `{}` in this stage as well",
            first.field
        ));
    }
    Rule::CaseSensitivePath
        .finding(
            format!("`{}` holds Windows {kind_of_value}, but this comparison is case-sensitive", first.field),
            first.span.clone(),
            label,
        )
        .with_note(format!(
            "Windows ignores case in paths and commands, so logs keep the case a program was started with: \
             real Sysmon logs contain both `C:\\Python27\\python.exe` and `c:\\python27\\python.exe`. \
             Sumo compares `matches`, `=` and `in` case-sensitively ({MATCHES_DOC})."
        ))
        .with_help(format!("fold the case on both sides: `{}`", first.rewrite))
}

/// Turns a pattern into a value that differs only in case, with `*` shown as `…`.
fn other_case_example(literal: &str) -> String {
    let flipped = if literal.chars().any(|c| c.is_ascii_lowercase()) {
        literal.to_uppercase()
    } else {
        literal.to_lowercase()
    };
    flipped.replace('*', "…")
}

fn holds_paths(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    PATH_FIELDS.contains(&lower.as_str())
        || PATH_SUFFIXES.iter().any(|suffix| lower.ends_with(suffix))
}

/// Reports whether a literal reads as a Windows path: it has a backslash,
/// starts with a drive letter, or ends in a program or script extension.
fn looks_like_path(literal: &str) -> bool {
    let lower = literal.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    literal.contains('\\')
        || drive
        || PATH_EXTENSIONS
            .iter()
            .any(|extension| lower.trim_end_matches('*').ends_with(extension))
}

/// The event field each field of the query was taken from, so that
/// `parse "<Image><![CDATA[*]]></Image>" as ChildImage` marks `ChildImage`
/// as a path like `Image`.
struct FieldOrigins {
    /// Lower-case field name to lower-case origin.
    origins: HashMap<String, String>,
}

impl FieldOrigins {
    fn of(query: &Query) -> FieldOrigins {
        let mut origins = FieldOrigins {
            origins: HashMap::new(),
        };
        for_each_stage(query, &mut |stage| match &stage.node {
            Stage::Parse { pattern, names, .. } => {
                let segments: Vec<&str> = pattern.node.split('*').collect();
                for (name, before) in names.iter().zip(&segments) {
                    if let Some(element) = anchor_field_name(before) {
                        origins.record(&name.node, &element);
                    }
                }
            }
            Stage::Assign { value, name } => {
                if let Expr::Field(source) = &value.node {
                    origins.record(&name.node, source);
                }
            }
            Stage::Fields { items, .. } => {
                for item in items {
                    if let Some(alias) = &item.node.alias {
                        origins.record(alias, &item.node.name);
                    }
                }
            }
            _ => {}
        });
        origins
    }

    fn record(&mut self, field: &str, source: &str) {
        let origin = self.origin(source);
        self.origins.insert(field.to_ascii_lowercase(), origin);
    }

    /// Returns the lower-case event field `field` was taken from, or its own name.
    fn origin(&self, field: &str) -> String {
        let lower = field.to_ascii_lowercase();
        self.origins.get(&lower).cloned().unwrap_or(lower)
    }
}

/// Returns the event field named by the anchor text before a `*`:
/// `<Image><![CDATA[` and `<Image>` name `Image`, so does `<Data Name='Image'>`,
/// and `Image=` or `Image: ` too.
pub(super) fn anchor_field_name(before: &str) -> Option<String> {
    let text = before.trim_end();
    let text = text.strip_suffix("<![CDATA[").unwrap_or(text);
    if let Some(open) = text.strip_suffix('>') {
        let tag = &open[open.rfind('<')? + 1..];
        if let Some(value) = tag.strip_prefix("Data Name=") {
            return Some(value.trim_matches(|c| c == '\'' || c == '"').to_string());
        }
        // A closing tag such as `</Image>` names no field.
        return tag
            .split_whitespace()
            .next()
            .filter(|name| !name.starts_with('/'))
            .map(str::to_string);
    }
    let key = text
        .strip_suffix('=')
        .or_else(|| text.strip_suffix(':'))?
        .trim_end();
    let word = key
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    (!word.is_empty()).then(|| word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_syntax_found() {
        assert_eq!(regex_syntax_in("172.1[6-9].*").as_deref(), Some("[6-9]"));
        assert_eq!(regex_syntax_in("err?r").as_deref(), Some("?"));
        assert_eq!(regex_syntax_in("a{2,3}").as_deref(), Some("{2,3}"));
        assert_eq!(regex_syntax_in("*\\d+*").as_deref(), Some("\\d"));
        assert_eq!(regex_syntax_in("*\\\\\\w*").as_deref(), Some("\\w"));
        assert_eq!(regex_syntax_in("^cmd").as_deref(), Some("^"));
        assert_eq!(regex_syntax_in("cmd$").as_deref(), Some("$"));
    }

    #[test]
    fn plain_patterns_have_no_regex_syntax() {
        assert_eq!(regex_syntax_in("*\\\\pip.exe"), None);
        assert_eq!(regex_syntax_in("*\\\\bitsadmin.exe"), None);
        assert_eq!(regex_syntax_in("*\\\\Startup\\\\*"), None);
        assert_eq!(regex_syntax_in("10.*"), None);
        assert_eq!(regex_syntax_in("{365abb72-3ece-*}"), None);
        assert_eq!(regex_syntax_in("a^b$c"), None);
        assert_eq!(regex_syntax_in("sshd[*"), None);
        assert_eq!(regex_syntax_in("sshd[*]:*"), None);
        assert_eq!(regex_syntax_in("*]*"), None);
    }

    #[test]
    fn wildcard_pattern_becomes_regex() {
        assert_eq!(wildcard_to_regex("172.1[6-9].*"), "172\\.1[6-9]\\..*");
        assert_eq!(wildcard_to_regex("*\\d{3}/x"), ".*\\d{3}\\/x");
        assert_eq!(wildcard_to_regex("*\\\\temp?"), ".*\\\\temp?");
    }

    #[test]
    fn anchor_names_field() {
        assert_eq!(
            anchor_field_name("<Image><![CDATA[").as_deref(),
            Some("Image")
        );
        assert_eq!(
            anchor_field_name("<DestinationIp>").as_deref(),
            Some("DestinationIp")
        );
        assert_eq!(
            anchor_field_name("<Data Name='Image'>").as_deref(),
            Some("Image")
        );
        assert_eq!(anchor_field_name("user=").as_deref(), Some("user"));
        assert_eq!(anchor_field_name("Image: ").as_deref(), Some("Image"));
        assert_eq!(anchor_field_name("]]></Image> "), None);
    }

    #[test]
    fn paths_recognised() {
        assert!(looks_like_path("*\\pip.exe"));
        assert!(looks_like_path("C:/tools"));
        assert!(looks_like_path("c:\\python27\\python.exe"));
        assert!(looks_like_path("*.ps1"));
        assert!(!looks_like_path("*pypi.org"));
        assert!(holds_paths("ChildImage"));
        assert!(holds_paths("DroppedFile"));
        assert!(!holds_paths("DestHost"));
    }
}
