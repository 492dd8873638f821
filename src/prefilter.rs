//! Passes over records that cannot produce a row, before the query reads them.
//!
//! The engine derives the texts `_raw` must contain for a record to produce
//! a row, and the input crate decides which of them can be looked for in the
//! text a record was read from. One multi-pattern search over that text then
//! decides, so most records of a large log never get a canonical `_raw`
//! rendered or a `parse` run on them.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use sumoql_engine::{Plan, Requirement};
use sumoql_input::{escapes_may_hide_text, searchable_form, InputFormat, RawMode, Record};

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
        Some(FormatFilter {
            requirement: restricted,
            searcher,
            patterns,
        })
    }
}
