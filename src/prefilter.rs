//! Passes over records that cannot produce a row, before the query reads them.
//!
//! The engine derives the texts `_raw` must contain for a record to produce
//! a row, and the input crate decides which of them can be looked for in the
//! text a record was read from. One multi-pattern search over that text then
//! decides, so most records of a large log never get a canonical `_raw`
//! rendered or a `parse` run on them.
//!
//! Before that search, a cheaper one looks for any of a few texts without
//! which the requirement cannot hold (its gate, see [`gate_texts`]), and for
//! the escapes that may hide a text. It stops at the first hit, and on most
//! records of a log finds none, which decides them at once.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use sumoql_engine::{Plan, Requirement};
use sumoql_input::{
    escape_markers, escapes_may_hide_text, searchable_form, InputFormat, RawMode, Record,
};

pub struct Prefilter {
    requirement: Requirement,
    raw: RawMode,
    by_format: HashMap<InputFormat, Option<FormatFilter>>,
    /// Records passed over, for the summary.
    pub skipped: u64,
}

/// The requirement in the terms one input format can test.
struct FormatFilter {
    requirement: Requirement,
    /// Searches the gate texts and the escape markers of the format; a
    /// record holding none of them fails the requirement.
    gate: Option<AhoCorasick>,
    searcher: AhoCorasick,
    /// Each searchable text and the pattern index of its form.
    patterns: HashMap<String, usize>,
}

impl Prefilter {
    /// Builds the prefilter of a plan, or `None` when the plan requires no text.
    pub fn new(plan: &Plan, raw: RawMode) -> Option<Prefilter> {
        let requirement = plan.raw_requirement(&sumoql_input::provides_field);
        if requirement == Requirement::Always {
            return None;
        }
        Some(Prefilter {
            requirement,
            raw,
            by_format: HashMap::new(),
            skipped: 0,
        })
    }

    /// Reports whether the record may produce a row; `false` is certain.
    pub fn may_produce_rows(&mut self, record: &Record) -> bool {
        let raw = self.raw;
        let requirement = &self.requirement;
        let filter = self
            .by_format
            .entry(record.format)
            .or_insert_with(|| FormatFilter::new(requirement, record.format, raw));
        let Some(filter) = filter else {
            return true;
        };

        let original = record.text_bytes();
        if filter
            .gate
            .as_ref()
            .is_some_and(|gate| !gate.is_match(original))
        {
            self.skipped += 1;
            return false;
        }
        if escapes_may_hide_text(record.format, raw, original) {
            return true;
        }
        let mut found = vec![false; filter.searcher.patterns_len()];
        for hit in filter.searcher.find_overlapping_iter(original) {
            found[hit.pattern().as_usize()] = true;
        }
        let passes = filter
            .requirement
            .holds(&mut |text| filter.patterns.get(text).is_some_and(|index| found[*index]));
        if !passes {
            self.skipped += 1;
        }
        passes
    }
}

impl FormatFilter {
    fn new(requirement: &Requirement, format: InputFormat, raw: RawMode) -> Option<FormatFilter> {
        let restricted = requirement.restrict(&|text| searchable_form(format, raw, text).is_some());
        if restricted == Requirement::Always {
            return None;
        }

        let mut patterns = HashMap::new();
        let mut forms = Vec::new();
        for text in restricted.texts() {
            let form = searchable_form(format, raw, text).expect("restricted to searchable texts");
            patterns.insert(text.to_string(), forms.len());
            forms.push(form);
        }
        // Overlapping search needs every pattern at every position; a DFA does
        // that at one table lookup per byte, several times faster than the NFA.
        let searcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(&forms)
            .ok()?;
        let gate = gate_texts(&restricted).and_then(|texts| {
            let mut gate_forms: Vec<String> = texts
                .into_iter()
                .map(|text| forms[patterns[text]].clone())
                .collect();
            gate_forms.extend(
                escape_markers(format, raw)
                    .iter()
                    .map(|marker| marker.to_string()),
            );
            // Leftmost matching lets the searcher use its SIMD prefilter. Any
            // match shows that one of the texts occurs.
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&gate_forms)
                .ok()
        });
        Some(FormatFilter {
            requirement: restricted,
            gate,
            searcher,
            patterns,
        })
    }
}

/// Returns texts of which `_raw` must contain at least one for the
/// requirement to hold, or `None` when no such set exists (`Always` in a
/// branch). Of the parts that must all hold, the one whose texts look
/// rarest gives the set: the fewest texts, then the longest shortest text.
/// That choice is a guess about the data, and any choice gives the same
/// result.
fn gate_texts(requirement: &Requirement) -> Option<Vec<&str>> {
    match requirement {
        Requirement::Always => None,
        Requirement::Contains(text) => Some(vec![text.as_str()]),
        Requirement::AnyOf(parts) => {
            let mut texts = Vec::new();
            for part in parts {
                texts.extend(gate_texts(part)?);
            }
            texts.sort_unstable();
            texts.dedup();
            Some(texts)
        }
        Requirement::AllOf(parts) => parts.iter().filter_map(gate_texts).max_by_key(|texts| {
            let shortest = texts.iter().map(|text| text.len()).min().unwrap_or(0);
            (std::cmp::Reverse(texts.len()), shortest)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(text: &str) -> Requirement {
        Requirement::Contains(text.to_string())
    }

    #[test]
    fn gate_of_any_of_joins_the_parts() {
        let requirement = Requirement::AnyOf(vec![contains("b"), contains("a"), contains("b")]);
        assert_eq!(gate_texts(&requirement), Some(vec!["a", "b"]));
    }

    #[test]
    fn gate_of_all_of_picks_the_fewest_texts() {
        let requirement = Requirement::AllOf(vec![
            Requirement::AnyOf(vec![contains(".exe"), contains(".dll"), contains(".bat")]),
            Requirement::AnyOf(vec![contains("\\python.exe"), contains("\\node.exe")]),
            Requirement::AnyOf(vec![contains("System32"), contains(".ps1")]),
        ]);
        assert_eq!(
            gate_texts(&requirement),
            Some(vec!["\\node.exe", "\\python.exe"])
        );
    }

    #[test]
    fn gate_needs_every_branch_to_have_texts() {
        let requirement = Requirement::AnyOf(vec![contains("a"), Requirement::Always]);
        assert_eq!(gate_texts(&requirement), None);
        let requirement = Requirement::AllOf(vec![Requirement::Always, contains("a")]);
        assert_eq!(gate_texts(&requirement), Some(vec!["a"]));
    }

    #[test]
    fn gate_is_necessary_for_the_requirement() {
        // Whatever texts a record contains, the requirement is met only if
        // the record contains a gate text.
        let requirement = Requirement::AnyOf(vec![
            Requirement::AllOf(vec![contains("a"), contains("bb")]),
            Requirement::AllOf(vec![
                Requirement::AnyOf(vec![contains("c"), contains("dd")]),
                contains("e"),
            ]),
        ]);
        let gate = gate_texts(&requirement).unwrap();
        let all = ["a", "bb", "c", "dd", "e"];
        for subset in 0..(1u32 << all.len()) {
            let present: Vec<&str> = (0..all.len())
                .filter(|bit| subset & (1 << bit) != 0)
                .map(|bit| all[bit])
                .collect();
            let holds = requirement.holds(&mut |text| present.contains(&text));
            let gate_hit = gate.iter().any(|text| present.contains(text));
            assert!(!holds || gate_hit, "holds without a gate text: {present:?}");
        }
    }
}
