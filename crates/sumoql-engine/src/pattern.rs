//! The two pattern languages with `*`: `matches` wildcards and `parse` anchors.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::memmem;

/// A quoted `matches` pattern: `*` matches any run of characters (including
/// none), every other character matches itself, case-sensitively, and the
/// pattern must cover the whole value.
///
/// Sumo documents `*` as the only wildcard of quoted patterns and says the
/// match is case-sensitive
/// (https://www.sumologic.com/help/docs/search/search-query-language/search-operators/matches/),
/// so `?` and `[6-9]` are literal text here. It gives the same answers as
/// `wildmatch` with `*` as its only wildcard; a test checks that.
#[derive(Debug, Clone)]
pub struct WildcardPattern {
    /// The pattern as written, so it can be compiled again elsewhere.
    source: std::sync::Arc<str>,
    prefix: Vec<u8>,
    /// `None` when the pattern has no `*` and must equal the value.
    rest: Option<StarTail>,
}

#[derive(Debug, Clone)]
struct StarTail {
    middles: Vec<memmem::Finder<'static>>,
    suffix: Vec<u8>,
}

impl WildcardPattern {
    pub fn new(pattern: &str) -> WildcardPattern {
        let mut pieces: Vec<&str> = pattern.split('*').collect();
        let prefix = pieces.remove(0).as_bytes().to_vec();
        let rest = pieces.pop().map(|suffix| StarTail {
            middles: pieces
                .iter()
                .filter(|piece| !piece.is_empty())
                .map(|piece| memmem::Finder::new(piece.as_bytes()).into_owned())
                .collect(),
            suffix: suffix.as_bytes().to_vec(),
        });
        WildcardPattern {
            source: pattern.into(),
            prefix,
            rest,
        }
    }

    /// Returns the pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Returns the non-empty literal runs of the pattern, each of which a
    /// matching value contains.
    pub fn literal_pieces(&self) -> impl Iterator<Item = &str> {
        let tail = self.rest.iter().flat_map(|tail| {
            tail.middles
                .iter()
                .map(|finder| finder.needle())
                .chain(std::iter::once(tail.suffix.as_slice()))
        });
        std::iter::once(self.prefix.as_slice())
            .chain(tail)
            .filter(|piece| !piece.is_empty())
            // The pieces are whole runs of a `&str` split at ASCII `*`.
            .map(|piece| std::str::from_utf8(piece).expect("pattern pieces are UTF-8"))
    }

    pub fn is_match(&self, value: &str) -> bool {
        let value = value.as_bytes();
        let Some(tail) = &self.rest else {
            return value == self.prefix.as_slice();
        };
        // An empty prefix or suffix is checked explicitly because the slice
        // comparison costs far more than the test for emptiness.
        if value.len() < self.prefix.len() + tail.suffix.len()
            || (!self.prefix.is_empty() && !value.starts_with(&self.prefix))
            || (!tail.suffix.is_empty() && !value.ends_with(&tail.suffix))
        {
            return false;
        }

        // Between the prefix and the suffix, each middle piece must occur in
        // order. Taking the leftmost occurrence of each leaves the most room
        // for the pieces after it, so it finds a match whenever one exists.
        let mut between = &value[self.prefix.len()..value.len() - tail.suffix.len()];
        for finder in &tail.middles {
            match finder.find(between) {
                Some(start) => between = &between[start + finder.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

/// A `parse` anchor pattern such as `"<Image><![CDATA[*]]></Image>"`.
///
/// Matching follows Sumo's documented example
/// (https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-predictable-patterns-using-an-anchor/):
/// the first occurrence of the start anchor is used and each `*` ends at the
/// first following occurrence of the next anchor. The same example parses
/// `User=` with the anchor `user=`, so anchors match ASCII case-insensitively.
/// A trailing `*` captures to the end of the line; a leading `*` captures
/// from the start of the text.
#[derive(Debug, Clone)]
pub struct AnchorPattern {
    /// The pattern as written, so it can be compiled again elsewhere.
    source: std::sync::Arc<str>,
    start: Option<AhoCorasick>,
    /// One entry per capture: the anchor that ends it, `None` for a trailing `*`.
    stops: Vec<Option<AhoCorasick>>,
}

impl AnchorPattern {
    pub fn new(pattern: &str) -> AnchorPattern {
        let mut pieces = pattern.split('*');
        let start = pieces.next().and_then(anchor_searcher);
        let stops = pieces.map(anchor_searcher).collect();
        AnchorPattern {
            source: pattern.into(),
            start,
            stops,
        }
    }

    /// Returns the pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn capture_count(&self) -> usize {
        self.stops.len()
    }

    /// Returns the captured text of each `*`, or `None` when an anchor is missing.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        let mut position = match &self.start {
            Some(start) => start.find(text)?.end(),
            None => 0,
        };

        let mut captures = Vec::with_capacity(self.stops.len());
        for stop in &self.stops {
            let rest = &text[position..];
            match stop {
                Some(stop) => {
                    let found = stop.find(rest)?;
                    captures.push(&rest[..found.start()]);
                    position += found.end();
                }
                None => {
                    let end = memchr::memchr2(b'\r', b'\n', rest.as_bytes()).unwrap_or(rest.len());
                    captures.push(&rest[..end]);
                    position += end;
                }
            }
        }
        Some(captures)
    }
}

fn anchor_searcher(anchor: &str) -> Option<AhoCorasick> {
    if anchor.is_empty() {
        return None;
    }
    let searcher = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build([anchor])
        .expect("a single literal pattern always builds");
    Some(searcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_matches_whole_value() {
        let pattern = WildcardPattern::new("*\\pip.exe");
        assert!(pattern.is_match("C:\\Python39\\Scripts\\pip.exe"));
        assert!(!pattern.is_match("C:\\Python39\\Scripts\\pip.exe.bak"));
        assert!(!pattern.is_match("C:\\Python39\\Scripts\\PIP.EXE"));
    }

    #[test]
    fn wildcard_brackets_are_literal() {
        let pattern = WildcardPattern::new("172.1[6-9].*");
        assert!(!pattern.is_match("172.17.0.4"));
        assert!(pattern.is_match("172.1[6-9].0.4"));
    }

    #[test]
    fn wildcard_question_mark_is_literal() {
        let pattern = WildcardPattern::new("a?c");
        assert!(!pattern.is_match("abc"));
        assert!(pattern.is_match("a?c"));
    }

    #[test]
    fn wildcard_without_star_is_equality() {
        let pattern = WildcardPattern::new("cmd.exe");
        assert!(pattern.is_match("cmd.exe"));
        assert!(!pattern.is_match("xcmd.exe"));
    }

    #[test]
    fn wildcard_prefix_and_suffix_do_not_overlap() {
        let pattern = WildcardPattern::new("ab*ba");
        assert!(!pattern.is_match("aba"));
        assert!(pattern.is_match("abba"));
    }

    #[test]
    fn wildcard_middles_in_order() {
        let pattern = WildcardPattern::new("*pip install*--index-url*");
        assert!(pattern.is_match("python -m pip install x --index-url http://a"));
        assert!(!pattern.is_match("--index-url http://a pip install x"));
    }

    /// Compares the matcher with `wildmatch`, whose single-character wildcard
    /// is set to a character that the cases never contain.
    #[test]
    fn wildcard_agrees_with_wildmatch() {
        type StarOnly = wildmatch::WildMatchPattern<'*', '\u{1}'>;
        let patterns = [
            "",
            "*",
            "**",
            "a",
            "*a",
            "a*",
            "*a*",
            "a*b",
            "*a*b*",
            "ab*ab",
            "*\\cmd.exe",
            "10.*",
            "*.*.*",
            "a*a*a",
            "*aa*",
            "é*ü",
            "*?*",
        ];
        let values = [
            "",
            "a",
            "aa",
            "aaa",
            "ab",
            "abab",
            "ba",
            "C:\\Windows\\cmd.exe",
            "10.0.0.1",
            "1.2.3",
            "éxü",
            "a?b",
            "aXaYa",
        ];
        for pattern in patterns {
            let ours = WildcardPattern::new(pattern);
            let reference = StarOnly::new(pattern);
            for value in values {
                assert_eq!(
                    ours.is_match(value),
                    reference.matches(value),
                    "pattern {pattern:?} value {value:?}"
                );
            }
        }
    }

    #[test]
    fn anchor_takes_first_occurrence() {
        let pattern = AnchorPattern::new("user=*:");
        let text = "a User=jsmith@demo.com: severity=warning: 0107:5: user=other:";
        assert_eq!(pattern.captures(text), Some(vec!["jsmith@demo.com"]));
    }

    #[test]
    fn anchor_several_captures() {
        let pattern = AnchorPattern::new("user=*: severity=*:");
        let text = "User=jsmith@demo.com: severity=warning: rest";
        assert_eq!(
            pattern.captures(text),
            Some(vec!["jsmith@demo.com", "warning"])
        );
    }

    #[test]
    fn anchor_missing_stop_fails() {
        let pattern = AnchorPattern::new("<Image><![CDATA[*]]></Image>");
        assert_eq!(pattern.captures("<Image><![CDATA[C:\\a.exe"), None);
        assert_eq!(
            pattern.captures("<Data Name='Image'>C:\\a.exe</Data>"),
            None
        );
    }

    #[test]
    fn anchor_cdata_value() {
        let pattern = AnchorPattern::new("<Image><![CDATA[*]]></Image>");
        let text =
            "<EventData><Image><![CDATA[C:\\Py\\python.exe]]></Image><User><![CDATA[x]]></User>";
        assert_eq!(pattern.captures(text), Some(vec!["C:\\Py\\python.exe"]));
    }

    #[test]
    fn anchor_empty_capture() {
        let pattern = AnchorPattern::new("<RuleName><![CDATA[*]]></RuleName>");
        assert_eq!(
            pattern.captures("<RuleName><![CDATA[]]></RuleName>"),
            Some(vec![""])
        );
    }

    #[test]
    fn anchor_trailing_star_stops_at_line_end() {
        let pattern = AnchorPattern::new("GET *");
        assert_eq!(
            pattern.captures("GET /index.html\r\nHost: a"),
            Some(vec!["/index.html"])
        );
        assert_eq!(pattern.captures("GET /a"), Some(vec!["/a"]));
    }

    #[test]
    fn anchor_leading_star_starts_at_text_start() {
        let pattern = AnchorPattern::new("* - - ");
        assert_eq!(pattern.captures("10.1.1.1 - - [x]"), Some(vec!["10.1.1.1"]));
    }

    #[test]
    fn anchor_multibyte_text() {
        let pattern = AnchorPattern::new("<A>*</A>");
        assert_eq!(
            pattern.captures("x<a>héllo wörld</A>"),
            Some(vec!["héllo wörld"])
        );
    }
}
