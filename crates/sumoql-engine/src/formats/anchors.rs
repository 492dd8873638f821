//! `parse "a=*," as a, "b=*," as b`: several anchor patterns in one stage
//! (Sumo doc, parse-predictable-patterns-using-an-anchor). Each pattern is
//! matched on its own against the whole field, as a single-pattern `parse`
//! is. A row is dropped only when no pattern matches ("messages must match
//! at least one segment of the parse expression", Sumo doc, parse nodrop
//! option), unless `nodrop`; the fields of patterns that do not match stay
//! as they were.

use std::sync::Arc;

use sumoql_syntax::ast::{AnchorCapture, Spanned};
use sumoql_syntax::Diagnostic;

use crate::expr::Slot;
use crate::pattern::AnchorPattern;
use crate::row::{FieldTable, Row};
use crate::value::Value;

#[derive(Debug)]
pub(crate) struct AnchorsExtractor {
    patterns: Vec<(AnchorPattern, Vec<Slot>)>,
    nodrop: bool,
}

impl AnchorsExtractor {
    pub(crate) fn compile(
        patterns: &[Spanned<AnchorCapture>],
        nodrop: bool,
        fields: &mut FieldTable,
    ) -> Result<AnchorsExtractor, Diagnostic> {
        let mut compiled = Vec::new();
        for capture in patterns {
            let pattern = AnchorPattern::new(&capture.node.pattern.node);
            if pattern.capture_count() != capture.node.names.len() {
                return Err(Diagnostic::error(
                    "parse pattern and field list differ in length",
                    capture.node.pattern.span.clone(),
                    format!(
                        "this pattern has {} `*` but {} field names follow `as`",
                        pattern.capture_count(),
                        capture.node.names.len()
                    ),
                ));
            }
            let targets = capture
                .node
                .names
                .iter()
                .map(|name| fields.slot(&name.node))
                .collect();
            compiled.push((pattern, targets));
        }
        Ok(AnchorsExtractor {
            patterns: compiled,
            nodrop,
        })
    }

    pub(crate) fn targets(&self) -> Vec<Slot> {
        self.patterns
            .iter()
            .flat_map(|(_, targets)| targets.iter().copied())
            .collect()
    }

    pub(crate) fn apply(&self, text: Option<&Arc<str>>, row: &mut Row) -> bool {
        let text = text.map_or("", |text| &**text);
        let mut any_matched = false;
        for (pattern, targets) in &self.patterns {
            if let Some(captures) = pattern.captures(text) {
                any_matched = true;
                for (slot, value) in targets.iter().zip(captures) {
                    row.set(*slot, Some(Value::text(value)));
                }
            }
        }
        any_matched || self.nodrop
    }
}
