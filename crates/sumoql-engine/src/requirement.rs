//! Text that a record must contain before the query can produce a row from
//! it, derived from the `where` conditions, so a reader can skip records
//! without decoding them.
//!
//! The derivation follows values from `parse` captures of `_raw` into
//! `where` conditions: a capture is a substring of `_raw`, so when a
//! condition needs the capture to contain some text, the record's `_raw`
//! contains it too. Readers then decide which texts they can test against
//! the bytes they read (see the input crate), because `_raw` may be a
//! rendering that differs from those bytes.

use crate::expr::{Comparison, CompiledExpr, Slot};
use crate::functions::Function;
use crate::plan::{Operator, Pipeline, Plan};
use crate::value::Value;

/// A condition on the text of a record's `_raw`, necessary for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// No condition could be derived.
    Always,
    /// `_raw` contains this text, case-sensitively.
    Contains(String),
    AllOf(Vec<Requirement>),
    AnyOf(Vec<Requirement>),
}

impl Requirement {
    fn all_of(parts: Vec<Requirement>) -> Requirement {
        let mut kept: Vec<Requirement> = parts
            .into_iter()
            .filter(|part| *part != Requirement::Always)
            .collect();
        match kept.len() {
            0 => Requirement::Always,
            1 => kept.remove(0),
            _ => Requirement::AllOf(kept),
        }
    }

    fn any_of(parts: Vec<Requirement>) -> Requirement {
        if parts.is_empty() || parts.contains(&Requirement::Always) {
            return Requirement::Always;
        }
        let mut parts = parts;
        if parts.len() == 1 {
            return parts.remove(0);
        }
        Requirement::AnyOf(parts)
    }

    /// Evaluates the requirement, asking `contains` about each text.
    pub fn holds(&self, contains: &mut dyn FnMut(&str) -> bool) -> bool {
        match self {
            Requirement::Always => true,
            Requirement::Contains(text) => contains(text),
            Requirement::AllOf(parts) => parts.iter().all(|part| part.holds(contains)),
            Requirement::AnyOf(parts) => parts.iter().any(|part| part.holds(contains)),
        }
    }

    /// Returns every text the requirement mentions, for building one searcher.
    pub fn texts(&self) -> Vec<&str> {
        let mut texts = Vec::new();
        self.collect_texts(&mut texts);
        texts.sort_unstable();
        texts.dedup();
        texts
    }

    fn collect_texts<'a>(&'a self, texts: &mut Vec<&'a str>) {
        match self {
            Requirement::Always => {}
            Requirement::Contains(text) => texts.push(text),
            Requirement::AllOf(parts) | Requirement::AnyOf(parts) => {
                parts.iter().for_each(|part| part.collect_texts(texts))
            }
        }
    }

    /// Replaces each text that `keep` rejects with [`Requirement::Always`],
    /// for readers that can test only some texts.
    pub fn restrict(&self, keep: &dyn Fn(&str) -> bool) -> Requirement {
        match self {
            Requirement::Always => Requirement::Always,
            Requirement::Contains(text) if keep(text) => self.clone(),
            Requirement::Contains(_) => Requirement::Always,
            Requirement::AllOf(parts) => {
                Requirement::all_of(parts.iter().map(|part| part.restrict(keep)).collect())
            }
            Requirement::AnyOf(parts) => {
                Requirement::any_of(parts.iter().map(|part| part.restrict(keep)).collect())
            }
        }
    }
}

impl Plan {
    /// Returns a condition on `_raw` that every record producing a row
    /// satisfies. A record that fails it produces no row in any pipeline,
    /// so skipping it leaves the result unchanged.
    ///
    /// `record_provides` reports whether records may carry a field of the
    /// given lower-case name before any stage runs (metadata, System
    /// fields). Such a field's value need not occur in `_raw`.
    pub fn raw_requirement(&self, record_provides: &dyn Fn(&str) -> bool) -> Requirement {
        let raw_slot = self.fields.find("_raw");
        let initial: Vec<bool> = (0..self.fields.len())
            .map(|slot| !record_provides(self.fields.lowercase_name(slot)))
            .collect();
        let mut pipelines = Vec::new();
        collect_pipelines(&self.root, &mut pipelines);
        let requirements = pipelines
            .into_iter()
            .map(|pipeline| pipeline_requirement(pipeline, raw_slot, initial.clone()))
            .collect();
        Requirement::any_of(requirements)
    }
}

fn collect_pipelines<'p>(pipeline: &'p Pipeline, pipelines: &mut Vec<&'p Pipeline>) {
    pipelines.push(pipeline);
    for operator in &pipeline.operators {
        if let Operator::Union(sub) = operator {
            collect_pipelines(sub, pipelines);
        }
    }
}

/// Derives the requirement of the rows a pipeline starts, from its own
/// operators up to the first one that keeps rows back or mixes in other rows.
///
/// `raw_or_null[slot]` tracks whether the slot is null or contains a substring
/// of `_raw` at the current operator.
fn pipeline_requirement(
    pipeline: &Pipeline,
    raw_slot: Option<Slot>,
    mut raw_or_null: Vec<bool>,
) -> Requirement {
    let mut parts = Vec::new();

    for operator in &pipeline.operators {
        match operator {
            Operator::Where(condition) => {
                parts.push(condition_requirement(condition, &raw_or_null))
            }
            Operator::Parse {
                source,
                targets,
                nodrop,
                starts_chain,
                ..
            } => {
                let captures_raw = Some(*source) == raw_slot || raw_or_null[*source];
                // A parse that fails but keeps the row leaves the old value.
                let keeps_old_value = *nodrop || !*starts_chain;
                for target in targets {
                    raw_or_null[*target] =
                        captures_raw && (!keeps_old_value || raw_or_null[*target]);
                }
            }
            Operator::ParseRegex {
                source,
                targets,
                nodrop,
                starts_chain,
                ..
            } => {
                let captures_raw = Some(*source) == raw_slot || raw_or_null[*source];
                let keeps_old_value = *nodrop || !*starts_chain;
                for (_, target) in targets {
                    raw_or_null[*target] =
                        captures_raw && (!keeps_old_value || raw_or_null[*target]);
                }
            }
            Operator::Assign { target, value } => {
                raw_or_null[*target] =
                    matches!(value, CompiledExpr::Field(source) if raw_or_null[*source]);
            }
            // Extracted values are decoded (JSON escapes, quotes, entities),
            // so they need not occur in `_raw` as they read.
            Operator::Extract { extractor, .. } if extractor.fills_any_field() => {
                raw_or_null.fill(false)
            }
            Operator::Extract { extractor, .. } => {
                extractor
                    .targets()
                    .into_iter()
                    .for_each(|target| raw_or_null[target] = false);
            }
            Operator::Keep { copies, mask, .. } => {
                let copied: Vec<bool> = copies
                    .iter()
                    .map(|(source, _)| raw_or_null[*source])
                    .collect();
                for (slot, kept) in mask.iter().enumerate() {
                    if !kept {
                        raw_or_null[slot] = true;
                    }
                }
                for ((_, target), value) in copies.iter().zip(copied) {
                    raw_or_null[*target] = value;
                }
            }
            Operator::Remove(slots) => slots.iter().for_each(|slot| raw_or_null[*slot] = true),
            Operator::Timeslice(timeslice) => raw_or_null[timeslice.target] = false,
            Operator::Lookup(lookup) => lookup
                .outputs
                .iter()
                .for_each(|(_, slot)| raw_or_null[*slot] = false),
            Operator::Union(_)
            | Operator::Sort { .. }
            | Operator::Aggregate { .. }
            | Operator::Limit(_)
            | Operator::Holding(_) => break,
        }
    }
    Requirement::all_of(parts)
}

/// Derives what `_raw` must contain for `condition` to be true.
fn condition_requirement(condition: &CompiledExpr, raw_or_null: &[bool]) -> Requirement {
    let raw_field =
        |expr: &CompiledExpr| matches!(expr, CompiledExpr::Field(slot) if raw_or_null[*slot]);
    let text_constant = |expr: &CompiledExpr| match expr {
        CompiledExpr::Constant(Some(Value::Text(text))) if !text.is_empty() => {
            Some(text.to_string())
        }
        _ => None,
    };

    match condition {
        CompiledExpr::And(left, right) => Requirement::all_of(vec![
            condition_requirement(left, raw_or_null),
            condition_requirement(right, raw_or_null),
        ]),
        CompiledExpr::Or(left, right) => Requirement::any_of(vec![
            condition_requirement(left, raw_or_null),
            condition_requirement(right, raw_or_null),
        ]),
        CompiledExpr::MatchesWildcard(value, pattern) if raw_field(value) => Requirement::all_of(
            pattern
                .literal_pieces()
                .map(|piece| Requirement::Contains(piece.to_string()))
                .collect(),
        ),
        CompiledExpr::Compare(Comparison::Equal, left, right) => {
            match (
                raw_field(left),
                text_constant(right),
                raw_field(right),
                text_constant(left),
            ) {
                (true, Some(text), _, _) | (_, _, true, Some(text)) => Requirement::Contains(text),
                _ => Requirement::Always,
            }
        }
        CompiledExpr::In {
            value,
            list,
            negated: false,
        } if raw_field(value) => {
            let texts: Option<Vec<Requirement>> = list
                .iter()
                .map(|item| text_constant(item).map(Requirement::Contains))
                .collect();
            texts.map_or(Requirement::Always, Requirement::any_of)
        }
        CompiledExpr::Call(Function::Contains, arguments) if raw_field(&arguments[0]) => {
            text_constant(&arguments[1]).map_or(Requirement::Always, Requirement::Contains)
        }
        _ => Requirement::Always,
    }
}
