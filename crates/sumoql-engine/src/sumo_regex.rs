//! Regular expressions of queries: the `regex` crate for every pattern it
//! accepts, and the backtracking `fancy-regex` crate for the Java syntax it
//! lacks.
//!
//! Sumo runs regexes with Java's `java.util.regex` (or RE2), so real queries
//! use look-ahead `(?=…)`, look-behind `(?<=…)`, back-references `\1`,
//! atomic groups and possessive quantifiers `a*+`, which the `regex` crate
//! rejects. A pattern the `regex` crate accepts keeps its linear-time
//! matching; only the others fall back to `fancy-regex`, which delegates
//! the parts without those constructs to the `regex` crate as well.

use std::borrow::Cow;

use regex::RegexBuilder;

/// Steps a backtracking match may take before it gives up, the default of
/// `fancy-regex` written out so the limit is visible here.
const BACKTRACK_LIMIT: usize = 1_000_000;

/// The reason a pattern did not compile.
#[derive(Debug, PartialEq)]
pub(crate) struct InvalidRegex {
    pub(crate) reason: String,
    /// The pattern compiled past the size limit, rather than being invalid.
    pub(crate) too_big: bool,
}

impl InvalidRegex {
    fn syntax(reason: String) -> InvalidRegex {
        InvalidRegex {
            reason,
            too_big: false,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum SumoRegex {
    /// A pattern the `regex` crate accepts.
    Standard(regex::Regex),
    /// A pattern with Java-only syntax, run by `fancy-regex`.
    Backtracking(fancy_regex::Regex),
}

impl SumoRegex {
    /// Compiles `pattern`, falling back to `fancy-regex` when the `regex`
    /// crate rejects its syntax or the pattern has a possessive quantifier.
    /// `size_limit` bounds the compiled size in bytes either way. The error
    /// is the `regex` crate's message, which names the construct it
    /// rejected.
    pub(crate) fn new(pattern: &str, size_limit: usize) -> Result<SumoRegex, InvalidRegex> {
        let standard = RegexBuilder::new(pattern).size_limit(size_limit).build();
        let error = match standard {
            // The `regex` crate reads `a*+` as `(a*)+`, which can match where
            // Java's possessive `a*+` cannot, so such patterns fall back.
            Ok(_) if has_possessive_quantifier(pattern) => String::new(),
            Ok(regex) => return Ok(SumoRegex::Standard(regex)),
            Err(regex::Error::Syntax(message)) => message,
            Err(regex::Error::CompiledTooBig(limit)) => {
                return Err(InvalidRegex {
                    reason: format!("the compiled regex exceeds {limit} bytes"),
                    too_big: true,
                });
            }
            Err(other) => return Err(InvalidRegex::syntax(other.to_string())),
        };
        let fallback = fancy_regex::RegexBuilder::new(pattern)
            .delegate_size_limit(size_limit)
            .backtrack_limit(BACKTRACK_LIMIT)
            .build();
        match fallback {
            Ok(regex) => Ok(SumoRegex::Backtracking(regex)),
            Err(fallback_error) if error.is_empty() => {
                Err(InvalidRegex::syntax(fallback_error.to_string()))
            }
            Err(_) => Err(InvalidRegex::syntax(
                error.lines().last().unwrap_or_default().trim().to_string(),
            )),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            SumoRegex::Standard(regex) => regex.as_str(),
            SumoRegex::Backtracking(regex) => regex.as_str(),
        }
    }

    /// Reports whether the regex matches somewhere in `text`.
    ///
    /// NOTE: a backtracking match that exceeds the step limit counts as no
    /// match, because a row has no way to carry the error.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            SumoRegex::Standard(regex) => regex.is_match(text),
            SumoRegex::Backtracking(regex) => regex.is_match(text).unwrap_or(false),
        }
    }

    /// Returns the number of groups, the whole match included.
    pub(crate) fn captures_len(&self) -> usize {
        match self {
            SumoRegex::Standard(regex) => regex.captures_len(),
            SumoRegex::Backtracking(regex) => regex.captures_len(),
        }
    }

    /// Returns the name of each group by index, `None` for unnamed ones.
    pub(crate) fn capture_names(&self) -> Vec<Option<String>> {
        match self {
            SumoRegex::Standard(regex) => regex
                .capture_names()
                .map(|name| name.map(str::to_string))
                .collect(),
            SumoRegex::Backtracking(regex) => regex
                .capture_names()
                .map(|name| name.map(str::to_string))
                .collect(),
        }
    }

    /// Returns the text of the `groups` in each match of `text`, in order:
    /// the first match only, or every match when `all` is set. Backtracking
    /// matching stops at the first match that exceeds the step limit.
    pub(crate) fn group_matches<'t>(
        &self,
        text: &'t str,
        groups: impl Iterator<Item = usize> + Clone,
        all: bool,
    ) -> Vec<Vec<Option<&'t str>>> {
        let mut found = Vec::new();
        match self {
            SumoRegex::Standard(regex) => {
                for captures in regex.captures_iter(text) {
                    let values = groups
                        .clone()
                        .map(|group| captures.get(group).map(|part| part.as_str()))
                        .collect();
                    found.push(values);
                    if !all {
                        break;
                    }
                }
            }
            SumoRegex::Backtracking(regex) => {
                for captures in regex.captures_iter(text).map_while(Result::ok) {
                    let values = groups
                        .clone()
                        .map(|group| captures.get(group).map(|part| part.as_str()))
                        .collect();
                    found.push(values);
                    if !all {
                        break;
                    }
                }
            }
        }
        found
    }

    /// Replaces every match with `replacement`, written in the `regex`
    /// crate's syntax (`${1}`, `${name}`, `$$`), which `fancy-regex` shares.
    pub(crate) fn replace_all<'t>(&self, text: &'t str, replacement: &str) -> Cow<'t, str> {
        match self {
            SumoRegex::Standard(regex) => regex.replace_all(text, replacement),
            SumoRegex::Backtracking(regex) => regex.replace_all(text, replacement),
        }
    }
}

/// Reports whether `pattern` has a Java possessive quantifier: `*+`, `++`,
/// `?+` or `{n,m}+` outside a character class and not escaped.
fn has_possessive_quantifier(pattern: &str) -> bool {
    let mut characters = pattern.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                characters.next();
            }
            '[' => class_depth += 1,
            ']' if class_depth > 0 => class_depth -= 1,
            '*' | '+' | '?' | '}' if class_depth == 0 && characters.peek() == Some(&'+') => {
                return true;
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 10 * 1024 * 1024;

    #[test]
    fn plain_pattern_uses_regex_crate() {
        let regex = SumoRegex::new(r"user=(?<user>\w+)", LIMIT).unwrap();
        assert!(matches!(regex, SumoRegex::Standard(_)));
    }

    #[test]
    fn java_syntax_falls_back() {
        for pattern in [r"foo(?=bar)", r"(?<!x)y", r"(a)\1", r"a*+b", r"(?>ab|a)c"] {
            let regex = SumoRegex::new(pattern, LIMIT).unwrap();
            assert!(
                matches!(regex, SumoRegex::Backtracking(_)),
                "{pattern} should use the fallback"
            );
        }
    }

    #[test]
    fn possessive_quantifier_does_not_give_back() {
        let regex = SumoRegex::new(r"^a*+a$", LIMIT).unwrap();
        assert!(!regex.is_match("aaa"));
        let greedy = SumoRegex::new(r"^a*a$", LIMIT).unwrap();
        assert!(greedy.is_match("aaa"));
    }

    #[test]
    fn possessive_scan_skips_escapes_and_classes() {
        assert!(has_possessive_quantifier(r"\d++"));
        assert!(has_possessive_quantifier(r"x{2}+"));
        assert!(!has_possessive_quantifier(r"\*+"));
        assert!(!has_possessive_quantifier(r"[*+]"));
        assert!(!has_possessive_quantifier(r"a+b*"));
    }

    #[test]
    fn look_ahead_matches() {
        let regex = SumoRegex::new(r"(?<word>\w+)(?=\.exe)", LIMIT).unwrap();
        assert!(regex.is_match("cmd.exe"));
        assert!(!regex.is_match("cmd.dll"));
        assert_eq!(
            regex.group_matches("a.exe b.exe", [1].into_iter(), true),
            vec![vec![Some("a")], vec![Some("b")]]
        );
        assert_eq!(regex.capture_names(), vec![None, Some("word".to_string())]);
    }

    #[test]
    fn invalid_pattern_reports_regex_crate_message() {
        let error = SumoRegex::new(r"(unclosed", LIMIT).unwrap_err();
        assert_eq!(error.reason, "error: unclosed group");
        assert!(!error.too_big);
    }
}
