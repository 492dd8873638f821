//! `keyvalue` (`kv`): values found next to their keys
//! (https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-keyvalue-formatted-logs/).
//!
//! Sumo's inference mode uses "an internal list of regular expressions" it
//! does not publish. sumoql's rule: a key is found where it appears as a
//! whole word (quotes around it allowed) followed by `=`, `:` or `->`; a
//! value in double or single quotes is the quoted text, otherwise it runs to
//! the first space or one of `, ; & " ' } ] ) |`. Keys are case-sensitive
//! except in `auto` mode, and the first occurrence wins; in `auto` mode the
//! last one does, as Sumo documents.

use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use sumoql_syntax::ast::{KeyValueMode, KeyValueStage};
use sumoql_syntax::Diagnostic;

use super::{auto_target, sanitized_name, store_auto_field, text_value, ReferencedKey};
use crate::expr::Slot;
use crate::row::{FieldTable, Row};

/// `kv auto` extracts at most this many pairs (Sumo: "the operator extracts
/// the first 100 key value pairs from left to right").
const AUTO_PAIR_LIMIT: usize = 100;

const DELIMITERS: [&str; 3] = ["->", "=", ":"];

#[derive(Debug)]
pub(crate) struct KeyValueExtractor {
    mode: Mode,
    nodrop: bool,
    /// In `auto` mode, when found fields become columns, the slots whose
    /// fields do not; `None` when they do not.
    found_hidden: Option<Vec<Slot>>,
}

#[derive(Debug)]
enum Mode {
    /// Each key with the field it fills.
    Infer {
        keys: Vec<(String, Slot)>,
        delimiters: Vec<String>,
    },
    Auto {
        referenced: Vec<ReferencedKey>,
        refonly: bool,
        pairs: Regex,
    },
    /// A regex whose one group is the value, searched after the key.
    RegexValue {
        regex: Regex,
        keys: Vec<(String, Slot)>,
    },
    /// A regex whose first group is the key and second the value.
    RegexPairs {
        regex: Regex,
        keys: Vec<(String, Slot)>,
    },
}

impl KeyValueExtractor {
    pub(crate) fn compile(
        stage: &KeyValueStage,
        fields: &mut FieldTable,
        size_limit: usize,
    ) -> Result<KeyValueExtractor, Diagnostic> {
        let mut targets = Vec::new();
        for (index, key) in stage.keys.iter().enumerate() {
            let target = match stage.names.get(index) {
                Some(name) => fields.slot(&name.node),
                None => fields.slot(&sanitized_name(&key.node)),
            };
            targets.push((key.node.clone(), target));
        }
        let delimiters: Vec<String> = match &stage.delimiter {
            Some(delimiter) => vec![delimiter.node.clone()],
            None => DELIMITERS.iter().map(|text| text.to_string()).collect(),
        };

        let mode = match &stage.mode {
            KeyValueMode::Infer => Mode::Infer {
                keys: targets,
                delimiters,
            },
            KeyValueMode::Auto => {
                let alternatives: Vec<String> =
                    delimiters.iter().map(|text| regex::escape(text)).collect();
                let pattern = format!(
                    r#"(?:^|[^\w.\-@])["']?([A-Za-z_@][\w.\-@]*)["']?[ \t]*(?:{})[ \t]*"#,
                    alternatives.join("|")
                );
                let pairs = Regex::new(&pattern).expect("the key pattern is valid");
                let referenced = targets
                    .into_iter()
                    .map(|(key, target)| ReferencedKey { key, target })
                    .collect();
                Mode::Auto {
                    referenced,
                    refonly: stage.refonly,
                    pairs,
                }
            }
            KeyValueMode::Regex(source) => {
                let regex = RegexBuilder::new(&source.node)
                    .size_limit(size_limit)
                    .build()
                    .map_err(|error| {
                        let reason = match error {
                            regex::Error::Syntax(message) => message
                                .lines()
                                .last()
                                .unwrap_or_default()
                                .trim()
                                .to_string(),
                            other => other.to_string(),
                        };
                        Diagnostic::error("invalid regular expression", source.span.clone(), reason)
                    })?;
                match regex.captures_len() - 1 {
                    0 => {
                        return Err(Diagnostic::error(
                            "regex has no capture group",
                            source.span.clone(),
                            "keyvalue regex needs a group for the value, or one for the key and one for the value",
                        )
                        .with_help("for example `kv regex \"=(.*?),\" \"user\"`"));
                    }
                    1 => Mode::RegexValue {
                        regex,
                        keys: targets,
                    },
                    _ => Mode::RegexPairs {
                        regex,
                        keys: targets,
                    },
                }
            }
        };
        Ok(KeyValueExtractor {
            mode,
            nodrop: stage.nodrop,
            found_hidden: None,
        })
    }

    pub(crate) fn is_auto(&self) -> bool {
        matches!(self.mode, Mode::Auto { .. })
    }

    /// Makes `auto` add the fields it finds, except the `hidden` slots, to
    /// the row as columns, unless `refonly`. Returns whether the extractor
    /// is `auto`.
    pub(crate) fn show_found_fields(&mut self, hidden: Vec<Slot>) -> bool {
        if let Mode::Auto { refonly, .. } = self.mode {
            self.found_hidden = (!refonly).then_some(hidden);
            return true;
        }
        false
    }

    pub(crate) fn targets(&self) -> Vec<Slot> {
        match &self.mode {
            Mode::Infer { keys, .. }
            | Mode::RegexValue { keys, .. }
            | Mode::RegexPairs { keys, .. } => keys.iter().map(|(_, slot)| *slot).collect(),
            Mode::Auto { referenced, .. } => referenced.iter().map(|key| key.target).collect(),
        }
    }

    /// Fills the keys' fields and reports whether the row is kept. A row
    /// without any of the keys is dropped unless `nodrop`, because "messages
    /// must match at least one segment of the parse expression" (Sumo doc,
    /// parse nodrop option). The fields of missing keys keep their values,
    /// as after a failed `parse`, and `auto` never drops.
    pub(crate) fn apply(
        &self,
        text: Option<&Arc<str>>,
        row: &mut Row,
        fields: &FieldTable,
    ) -> bool {
        let text = text.map_or("", |text| &**text);
        let keys = match &self.mode {
            Mode::Auto {
                referenced,
                refonly,
                pairs,
            } => {
                for (key, value) in auto_pairs(text, pairs) {
                    let slot = auto_target(key, referenced, *refonly, fields).or_else(|| {
                        (!refonly)
                            .then(|| fields.find(&sanitized_name(key)))
                            .flatten()
                    });
                    let name = sanitized_name(key);
                    let hidden = self.found_hidden.as_deref();
                    store_auto_field(row, slot, &name, text_value(value), hidden);
                }
                return true;
            }
            Mode::Infer { keys, .. }
            | Mode::RegexValue { keys, .. }
            | Mode::RegexPairs { keys, .. } => keys,
        };

        let mut any_found = false;
        for (key, slot) in keys {
            let value = match &self.mode {
                Mode::Infer { delimiters, .. } => infer(text, key, delimiters),
                Mode::RegexValue { regex, .. } => value_after_key(text, key, regex),
                Mode::RegexPairs { regex, .. } => regex
                    .captures_iter(text)
                    .find(|captures| {
                        captures
                            .get(1)
                            .is_some_and(|found| found.as_str().trim() == key)
                    })
                    .and_then(|captures| captures.get(2))
                    .map(|found| found.as_str()),
                Mode::Auto { .. } => unreachable!("auto mode returned above"),
            };
            if let Some(value) = value {
                row.set(*slot, text_value(value));
                any_found = true;
            }
        }
        any_found || self.nodrop
    }
}

/// Finds the value of `key` by the inference rule in the module comment.
fn infer<'t>(text: &'t str, key: &str, delimiters: &[String]) -> Option<&'t str> {
    if key.is_empty() {
        return None;
    }
    for (start, _) in text.match_indices(key) {
        let before = text[..start].chars().next_back();
        if before.is_some_and(|character| character.is_alphanumeric() || character == '_') {
            continue;
        }
        let mut after = start + key.len();
        if let Some(quote @ ('"' | '\'')) = before {
            if text[after..].starts_with(quote) {
                after += 1;
            }
        }
        if let Some(value) = value_after_delimiter(&text[after..], delimiters) {
            return Some(value);
        }
    }
    None
}

/// Reads `[spaces] delimiter [spaces] value` at the start of `text`.
fn value_after_delimiter<'t>(text: &'t str, delimiters: &[String]) -> Option<&'t str> {
    let unspaced = text.trim_start_matches([' ', '\t']);
    let delimiter = delimiters
        .iter()
        .find(|delimiter| unspaced.starts_with(delimiter.as_str()))?;
    let rest = unspaced[delimiter.len()..].trim_start_matches([' ', '\t']);
    Some(read_value(rest))
}

/// Reads a value: quoted text without its quotes, else a run up to a space
/// or separator.
fn read_value(text: &str) -> &str {
    if let Some(quote @ ('"' | '\'')) = text.chars().next() {
        let body = &text[1..];
        let mut escaped = false;
        for (offset, character) in body.char_indices() {
            match character {
                '\\' if !escaped => escaped = true,
                _ if character == quote && !escaped => return &body[..offset],
                _ => escaped = false,
            }
        }
        return body;
    }
    let end = text
        .find(|character: char| character.is_whitespace() || ",;&\"'}])|".contains(character))
        .unwrap_or(text.len());
    &text[..end]
}

/// Finds a value in the single-group regex mode: "the operator first finds the key itself in
/// the message (first occurrence), and then finds the closest match of the
/// regular expression to the location in the message where the key was found."
fn value_after_key<'t>(text: &'t str, key: &str, regex: &Regex) -> Option<&'t str> {
    let start = text.find(key)? + key.len();
    regex
        .captures_at(text, start)?
        .get(1)
        .map(|found| found.as_str())
}

/// Lists every key and value `kv auto` finds, left to right, at most 100.
fn auto_pairs<'t>(text: &'t str, pairs: &Regex) -> Vec<(&'t str, &'t str)> {
    let mut found = Vec::new();
    let mut position = 0;
    while found.len() < AUTO_PAIR_LIMIT {
        let Some(captures) = pairs.captures_at(text, position) else {
            break;
        };
        let key = captures.get(1).expect("group 1 always takes part").as_str();
        let value_start = captures.get(0).expect("the whole match").end();
        let value = read_value(&text[value_start..]);
        found.push((key, value));
        // The match contains at least the key and the delimiter, so this moves on.
        position = value.as_ptr() as usize - text.as_ptr() as usize + value.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delimiters() -> Vec<String> {
        DELIMITERS.iter().map(|text| text.to_string()).collect()
    }

    #[test]
    fn infers_common_shapes() {
        let text = r#"2017 INFO module=stream thread="main worker" user: bob, "agent":"curl/8" ip->10.0.0.1 done"#;
        assert_eq!(infer(text, "module", &delimiters()), Some("stream"));
        assert_eq!(infer(text, "thread", &delimiters()), Some("main worker"));
        assert_eq!(infer(text, "user", &delimiters()), Some("bob"));
        assert_eq!(infer(text, "agent", &delimiters()), Some("curl/8"));
        assert_eq!(infer(text, "ip", &delimiters()), Some("10.0.0.1"));
        assert_eq!(infer(text, "done", &delimiters()), None);
        assert_eq!(infer(text, "Module", &delimiters()), None);
    }

    #[test]
    fn infer_needs_a_whole_word() {
        let text = "subuser=x user=y";
        assert_eq!(infer(text, "user", &delimiters()), Some("y"));
    }

    #[test]
    fn regex_value_follows_the_key() {
        let text =
            "reqId=1 {perf.response_time_ms=129, serviceinfo.IP=10.211.77.111, request.country=US,";
        let regex = Regex::new("=(.*?),").unwrap();
        assert_eq!(
            value_after_key(text, "serviceinfo.IP", &regex),
            Some("10.211.77.111")
        );
        assert_eq!(value_after_key(text, "nosuch", &regex), None);
    }

    #[test]
    fn auto_finds_every_pair() {
        let regex =
            Regex::new(r#"(?:^|[^\w.\-@])["']?([A-Za-z_@][\w.\-@]*)["']?[ \t]*(?:->|=|:)[ \t]*"#)
                .unwrap();
        let pairs = auto_pairs(r#"a=1 b="two words" c:3 x.y->z a=4"#, &regex);
        assert_eq!(
            pairs,
            [
                ("a", "1"),
                ("b", "two words"),
                ("c", "3"),
                ("x.y", "z"),
                ("a", "4")
            ]
        );
    }
}
