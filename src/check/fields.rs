//! Rules about where fields come from: fields read where no stage has set
//! them (SQ003) and fields set but never read or shown (SQ004).
//!
//! The analysis follows each pipeline in order. A row of the main query or
//! of a `union` branch starts with the record's fields: `_raw`, metadata
//! and the `<System>` fields. The stages `parse`, `as`, `fields … as` and
//! aggregates set fields, and `fields` and aggregates drop the others.
//! After a `union`, rows come from either side, so a field set on either
//! side counts as set.

use std::collections::{HashMap, HashSet};

use sumoql_syntax::ast::{Expr, FieldsMode, Query, Span, Spanned, Stage};
use sumoql_syntax::Diagnostic;

use super::rules::Rule;
use super::walk::{line_of, walk};

/// Suggestions are offered up to this many single-character edits.
const MAX_SUGGESTION_DISTANCE: usize = 2;

/// Runs both rules. With `extraction_rules`, records may carry fields that
/// Field Extraction Rules add, whose names this analysis cannot know, so a
/// field that no stage sets is not reported.
pub fn check(query: &Query, source: &str, extraction_rules: bool) -> Vec<Diagnostic> {
    let mut analysis = Analysis {
        source,
        extraction_rules,
        definitions: Vec::new(),
        set_anywhere: HashMap::new(),
        findings: Vec::new(),
        reported: HashSet::new(),
    };
    collect_set_names(query, source, &mut analysis.set_anywhere);

    let mut available = analysis.pipeline(query, None, 0);
    // The result shows every field still available at the end.
    for ids in available.defined.values() {
        for id in ids {
            analysis.definitions[*id].used = true;
        }
    }
    available.defined.clear();

    for definition in &analysis.definitions {
        if !definition.used {
            analysis.findings.push(
                Rule::UnusedField
                    .finding(
                        format!("field `{}` is set but never used", definition.name),
                        definition.span.clone(),
                        "no later stage reads this value, and the result does not show it",
                    )
                    .with_note("a value that nothing reads is often a misspelt name of a field that is read")
                    .with_help("read the field, or remove what sets it"),
            );
        }
    }
    analysis.findings
}

struct Definition {
    name: String,
    span: Span,
    used: bool,
}

/// The fields a row may hold at one point of a pipeline.
#[derive(Clone, Default)]
struct Available {
    /// Whether the record's own fields are all still there: true until a
    /// `fields` list or an aggregate.
    record_fields: bool,
    /// Record fields that a `fields` list or an aggregate kept, in lower case.
    kept_record_fields: HashSet<String>,
    /// Lower-case name to the definitions that may have set it.
    defined: HashMap<String, Vec<usize>>,
    /// Lower-case name to the line of the stage that dropped it.
    removed: HashMap<String, usize>,
    /// Set after a stage this analysis does not follow: any field may exist.
    unknown: bool,
}

impl Available {
    fn records() -> Available {
        Available {
            record_fields: true,
            ..Available::default()
        }
    }

    fn has(&self, lowercase: &str) -> bool {
        if self.unknown || lowercase.starts_with('_') || self.defined.contains_key(lowercase) {
            return true;
        }
        if self.removed.contains_key(lowercase) {
            return false;
        }
        is_record_field(lowercase)
            && (self.record_fields || self.kept_record_fields.contains(lowercase))
    }

    /// Keeps only the named fields, as `fields a, b` and aggregates do;
    /// every other field is recorded as dropped at `line`.
    fn keep_only(&mut self, kept_names: &HashSet<String>, line: usize) {
        let dropped: Vec<String> = self
            .defined
            .keys()
            .filter(|name| !kept_names.contains(*name))
            .cloned()
            .collect();
        for name in dropped {
            self.defined.remove(&name);
            self.removed.insert(name, line);
        }
        if self.record_fields {
            for name in sumoql_input::SYSTEM_FIELDS {
                let lowercase = name.to_ascii_lowercase();
                if !kept_names.contains(&lowercase) {
                    self.removed.insert(lowercase, line);
                }
            }
        }
        self.kept_record_fields
            .retain(|name| kept_names.contains(name));
        for name in kept_names {
            if is_record_field(name)
                && (self.record_fields || self.kept_record_fields.contains(name))
            {
                self.kept_record_fields.insert(name.clone());
            }
        }
        self.record_fields = false;
    }

    /// Adds what rows from a `union` branch may hold.
    fn merge(&mut self, branch: Available) {
        self.record_fields |= branch.record_fields;
        self.kept_record_fields.extend(branch.kept_record_fields);
        for (name, ids) in branch.defined {
            self.defined.entry(name).or_default().extend(ids);
        }
        self.unknown |= branch.unknown;
        let still_removed: HashMap<String, usize> = self
            .removed
            .iter()
            .filter(|(name, _)| {
                !self.defined.contains_key(*name) && branch.removed.contains_key(*name)
            })
            .map(|(name, line)| (name.clone(), *line))
            .collect();
        self.removed = still_removed;
    }
}

fn is_record_field(lowercase: &str) -> bool {
    lowercase.starts_with('_')
        || sumoql_input::SYSTEM_FIELDS
            .iter()
            .any(|name| name.eq_ignore_ascii_case(lowercase))
}

struct Analysis<'s> {
    source: &'s str,
    extraction_rules: bool,
    definitions: Vec<Definition>,
    /// Every field any stage of the query sets, in lower case, with the
    /// line of the first stage that sets it.
    set_anywhere: HashMap<String, usize>,
    findings: Vec<Diagnostic>,
    /// Fields already reported, per pipeline, so each is reported once.
    reported: HashSet<(usize, String)>,
}

impl Analysis<'_> {
    /// Follows one pipeline and returns what its rows hold at its end.
    /// `enclosing` is what rows of the enclosing pipeline hold where a
    /// `union` starts this one; `id` distinguishes pipelines.
    fn pipeline(&mut self, query: &Query, enclosing: Option<&Available>, id: usize) -> Available {
        let mut available = Available::records();
        for stage in &query.stages {
            let line = line_of(self.source, stage.span.start);
            match &stage.node {
                Stage::Where(condition) => self.read_expr(condition, &available, enclosing, id),
                Stage::Parse {
                    field,
                    names,
                    nodrop,
                    ..
                } => {
                    self.read_source(field.as_ref(), &available, enclosing, id);
                    for name in names {
                        self.define(
                            &mut available,
                            &name.node,
                            name.span.clone(),
                            !*nodrop,
                            false,
                        );
                    }
                }
                Stage::ParseRegex {
                    field,
                    regex,
                    nodrop,
                    ..
                } => {
                    self.read_source(field.as_ref(), &available, enclosing, id);
                    for name in regex_group_names(&regex.node) {
                        self.define(&mut available, &name, regex.span.clone(), !*nodrop, false);
                    }
                }
                Stage::Assign { value, name } => {
                    self.read_expr(value, &available, enclosing, id);
                    self.define(&mut available, &name.node, name.span.clone(), true, false);
                }
                Stage::Fields {
                    mode: FieldsMode::Keep,
                    items,
                } => {
                    let mut kept_names = HashSet::new();
                    for item in items {
                        self.read(
                            &item.node.name,
                            item.span.clone(),
                            &available,
                            enclosing,
                            id,
                        );
                        kept_names.insert(
                            item.node
                                .alias
                                .as_ref()
                                .unwrap_or(&item.node.name)
                                .to_ascii_lowercase(),
                        );
                    }
                    available.keep_only(&kept_names, line);
                    for item in items {
                        if let Some(alias) = &item.node.alias {
                            // The copy is what this `fields` list shows, so it counts as used.
                            self.define(&mut available, alias, item.span.clone(), true, true);
                        }
                    }
                }
                Stage::Fields {
                    mode: FieldsMode::Remove,
                    items,
                } => {
                    for item in items {
                        let lowercase = item.node.name.to_ascii_lowercase();
                        available.defined.remove(&lowercase);
                        available.kept_record_fields.remove(&lowercase);
                        available.removed.insert(lowercase, line);
                    }
                }
                Stage::Union(branch) => {
                    let branch_available =
                        self.pipeline(&branch.node, Some(&available), stage.span.start + 1);
                    available.merge(branch_available);
                }
                Stage::Sort(keys) => {
                    for key in keys {
                        self.read_expr(&key.node.key, &available, enclosing, id);
                    }
                }
                Stage::Aggregate { functions, by } => {
                    for call in functions {
                        for argument in &call.node.arguments {
                            self.read_expr(argument, &available, enclosing, id);
                        }
                    }
                    let mut kept_names = HashSet::new();
                    for key in by {
                        self.read_expr(key, &available, enclosing, id);
                        if let Expr::Field(name) = &key.node {
                            kept_names.insert(name.to_ascii_lowercase());
                        }
                    }
                    available.keep_only(&kept_names, line);
                    for call in functions {
                        if let Some(alias) = &call.node.alias {
                            self.define(
                                &mut available,
                                &alias.node,
                                alias.span.clone(),
                                true,
                                false,
                            );
                        }
                    }
                }
                Stage::Limit(_) => {}
                Stage::ParseMulti {
                    field,
                    patterns,
                    nodrop,
                } => {
                    self.read_source(field.as_ref(), &available, enclosing, id);
                    for name in patterns.iter().flat_map(|pattern| &pattern.node.names) {
                        self.define(
                            &mut available,
                            &name.node,
                            name.span.clone(),
                            !*nodrop,
                            false,
                        );
                    }
                }
                Stage::Json(json) if !json.auto && !json.names.is_empty() => {
                    self.read_source(json.field.as_ref(), &available, enclosing, id);
                    for name in &json.names {
                        self.define(
                            &mut available,
                            &name.node,
                            name.span.clone(),
                            !json.nodrop,
                            false,
                        );
                    }
                }
                Stage::ParseXml {
                    field,
                    names,
                    nodrop,
                    ..
                } if !names.is_empty() => {
                    self.read_source(field.as_ref(), &available, enclosing, id);
                    for name in names {
                        self.define(
                            &mut available,
                            &name.node,
                            name.span.clone(),
                            !*nodrop,
                            false,
                        );
                    }
                }
                _ => self.follow_unknown_stage(&mut available),
            }
        }
        available
    }

    /// Gives up on a stage this analysis does not follow: it may read any
    /// field and set any field, so every field set so far counts as used,
    /// and no later read is reported.
    fn follow_unknown_stage(&mut self, available: &mut Available) {
        for ids in available.defined.values() {
            for id in ids {
                self.definitions[*id].used = true;
            }
        }
        available.unknown = true;
    }

    fn read_source(
        &mut self,
        field: Option<&Spanned<String>>,
        available: &Available,
        enclosing: Option<&Available>,
        id: usize,
    ) {
        if let Some(field) = field {
            self.read(&field.node, field.span.clone(), available, enclosing, id);
        }
    }

    fn read_expr(
        &mut self,
        expr: &Spanned<Expr>,
        available: &Available,
        enclosing: Option<&Available>,
        id: usize,
    ) {
        let mut fields = Vec::new();
        walk(expr, &mut |node| {
            if let Expr::Field(name) = &node.node {
                fields.push((name.clone(), node.span.clone()));
            }
        });
        for (name, span) in fields {
            self.read(&name, span, available, enclosing, id);
        }
    }

    /// Marks the definitions a read may see as used, or reports the read.
    fn read(
        &mut self,
        name: &str,
        span: Span,
        available: &Available,
        enclosing: Option<&Available>,
        id: usize,
    ) {
        let lowercase = name.to_ascii_lowercase();
        if let Some(ids) = available.defined.get(&lowercase) {
            for definition in ids {
                self.definitions[*definition].used = true;
            }
            return;
        }
        if available.has(&lowercase) || !self.reported.insert((id, lowercase.clone())) {
            return;
        }

        let line = line_of(self.source, span.start);
        let (message, label) = if let Some(removed_at) = available.removed.get(&lowercase) {
            (
                format!("field `{name}` was dropped before this stage"),
                format!("the stage at line {removed_at} keeps only the fields it lists"),
            )
        } else if enclosing.is_some_and(|outer| outer.has(&lowercase)) {
            (
                format!("field `{name}` is not set in this `union` branch"),
                "a branch starts from the records, not from the rows of the query around it"
                    .to_string(),
            )
        } else if let Some(set_at) = self.set_anywhere.get(&lowercase) {
            let place = if *set_at > line {
                "after this stage"
            } else {
                "in another branch"
            };
            (
                format!("field `{name}` is read before any stage sets it"),
                format!("set only at line {set_at}, {place}"),
            )
        } else if self.extraction_rules {
            return;
        } else {
            (
                format!("field `{name}` is never set"),
                "no stage sets this field, and records have none of this name unless a Field Extraction Rule adds it"
                    .to_string(),
            )
        };

        let help = match self.closest_known_name(&lowercase) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => {
                "extract the field from `_raw` with `parse` before this stage, or check its name"
                    .to_string()
            }
        };
        self.findings.push(
            Rule::UndefinedField
                .finding(message, span, label)
                .with_note("a field that is not set reads as null: comparisons with it are false, and it shows as an empty column")
                .with_help(help),
        );
    }

    /// Records a definition. `replaces` is true when the row surely has
    /// this value afterwards, which is so except for `parse … nodrop`: it
    /// keeps the old value when the pattern does not match.
    fn define(
        &mut self,
        available: &mut Available,
        name: &str,
        span: Span,
        replaces: bool,
        used: bool,
    ) {
        let id = self.definitions.len();
        self.definitions.push(Definition {
            name: name.to_string(),
            span,
            used,
        });
        let lowercase = name.to_ascii_lowercase();
        available.removed.remove(&lowercase);
        let ids = available.defined.entry(lowercase).or_default();
        if replaces {
            ids.clear();
        }
        ids.push(id);
    }

    fn closest_known_name(&self, lowercase: &str) -> Option<String> {
        let candidates = self
            .definitions
            .iter()
            .map(|definition| definition.name.clone())
            .chain(
                sumoql_input::SYSTEM_FIELDS
                    .iter()
                    .map(|name| name.to_string()),
            );
        candidates
            .filter(|candidate| !candidate.eq_ignore_ascii_case(lowercase))
            .map(|candidate| {
                (
                    edit_distance(lowercase, &candidate.to_ascii_lowercase()),
                    candidate,
                )
            })
            .filter(|(distance, _)| *distance <= MAX_SUGGESTION_DISTANCE)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, candidate)| candidate)
    }
}

/// Records every field name the query sets, with the line of its first setter.
fn collect_set_names(query: &Query, source: &str, names: &mut HashMap<String, usize>) {
    let mut add = |name: &str, offset: usize| {
        names
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| line_of(source, offset));
    };
    super::walk::for_each_stage(query, &mut |stage| match &stage.node {
        Stage::Parse { names: targets, .. } => targets
            .iter()
            .for_each(|name| add(&name.node, name.span.start)),
        Stage::ParseRegex { regex, .. } => regex_group_names(&regex.node)
            .iter()
            .for_each(|name| add(name, regex.span.start)),
        Stage::Assign { name, .. } => add(&name.node, name.span.start),
        Stage::Fields { items, .. } => items
            .iter()
            .filter_map(|item| {
                item.node
                    .alias
                    .as_ref()
                    .map(|alias| (alias, item.span.start))
            })
            .for_each(|(alias, offset)| add(alias, offset)),
        Stage::Aggregate { functions, .. } => functions
            .iter()
            .filter_map(|call| call.node.alias.as_ref())
            .for_each(|alias| add(&alias.node, alias.span.start)),
        _ => {}
    });
}

/// Returns the names of the named groups of a regex: `(?<name>…)` and `(?P<name>…)`.
fn regex_group_names(regex: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = regex;
    while let Some(open) = rest.find("(?") {
        let after = &rest[open + 2..];
        let after = after.strip_prefix('P').unwrap_or(after);
        if let Some(named) = after.strip_prefix('<') {
            if let Some(close) = named.find('>') {
                let name = &named[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    names.push(name.to_string());
                }
            }
        }
        rest = &rest[open + 2..];
    }
    names
}

/// Levenshtein distance between two strings, counted in characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != right_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_found() {
        assert_eq!(
            regex_group_names("(?<user>\\w+)@(?P<host>[^ ]+)(?:x)(?i)"),
            vec!["user", "host"]
        );
    }
}
