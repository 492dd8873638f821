//! Field Extraction Rules: a scope and parse stages that run on each record as it is
//! read, the way Sumo Logic applies its rules at ingest, so that queries see the fields
//! without parsing them.
//!
//! A rule is written in sumoql's own query language, `scope | parse … | parse regex …`,
//! and may use only stages that add fields to one record: the parse operators, `as`
//! assignments and `fields`. Sumo's Field Extraction Rules allow the parse operators
//! only (https://www.sumologic.com/help/docs/manage/field-extractions/). sumoql also
//! accepts `as` and `fields`, because they too work on one record at a time.

use sumoql_syntax::ast::{Query, Stage};
use sumoql_syntax::{parse_query, Diagnostic};

use crate::execute::Execution;
use crate::plan::Plan;
use crate::row::Record;
use crate::value::Value;

/// A compiled Field Extraction Rule.
#[derive(Debug)]
pub struct ExtractionRule {
    plan: Plan,
    fields: Vec<String>,
}

impl ExtractionRule {
    /// Compiles a rule from query text: a scope, then the stages that extract fields.
    /// Returns every diagnostic when the text is invalid, uses a stage that needs more than
    /// one record (`where`, `sort`, aggregates, `limit`, `union`), or extracts no field.
    pub fn compile(text: &str) -> Result<ExtractionRule, Vec<Diagnostic>> {
        let query = parse_query(text)?;
        check_stages(&query)?;

        let plan = crate::compile(&query)?;
        let fields: Vec<String> = plan
            .column_names()
            .into_iter()
            .filter(|name| !name.starts_with('_'))
            .collect();
        if fields.is_empty() {
            let span = query
                .stages
                .last()
                .map_or(0..text.len(), |stage| stage.span.clone());
            // Sumo field names start with a letter or digit; `_` marks metadata.
            let diagnostic = Diagnostic::error(
                "the field extraction rule extracts no field",
                span,
                "no field is named here",
            )
            .with_help(
                "name the fields to extract, as in `parse \"user=*,\" as user`. \
                 A name that starts with `_`, such as `_index`, is metadata, which a rule cannot set",
            );
            return Err(vec![diagnostic]);
        }

        // Keeping only the extracted fields stops every application from reading `_raw`
        // and `_messageTime` into the result row, which the query does not need.
        let names: Vec<String> = fields.iter().map(|name| quote_field(name)).collect();
        let narrowed = format!("{text}\n| fields {}", names.join(", "));
        let plan = parse_query(&narrowed).and_then(|query| crate::compile(&query))?;
        Ok(ExtractionRule { plan, fields })
    }

    /// Returns the names of the fields the rule can extract, in the order it creates them.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Runs the rule on one record and returns the fields it extracted. A record outside
    /// the rule's scope, or one that a parse without `nodrop` fails on, gets none; a
    /// `parse regex … multi` contributes its first match only.
    pub fn apply(&self, record: &dyn Record) -> Vec<(String, Value)> {
        let mut execution = Execution::new(&self.plan);
        execution.push(record);
        // One record cannot fill a stage up to the default group limit.
        let Ok(table) = execution.finish() else {
            return Vec::new();
        };
        let Some(row) = table.rows.into_iter().next() else {
            return Vec::new();
        };
        table
            .columns
            .into_iter()
            .zip(row)
            .filter_map(|(name, value)| Some((name, value?)))
            .collect()
    }
}

fn check_stages(query: &Query) -> Result<(), Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    for stage in &query.stages {
        let name = match &stage.node {
            Stage::Where(_) => "where",
            Stage::Union(_) => "union",
            Stage::Sort(_) => "sort",
            Stage::Aggregate { .. } => "an aggregate",
            Stage::Limit(_) => "limit",
            _ => continue,
        };
        let diagnostic = Diagnostic::error(
            format!("{name} cannot be used in a field extraction rule"),
            stage.span.clone(),
            "this stage needs more than one record",
        )
        .with_help("a rule may use parse, parse regex, `as` assignments and fields");
        diagnostics.push(diagnostic);
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(diagnostics)
    }
}

/// Writes a field name so the parser reads it back: bare when it is a plain name,
/// otherwise as `%"name"`.
fn quote_field(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '_' | '.'));
    if plain {
        name.to_string()
    } else {
        format!("%\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Line {
        raw: &'static str,
        category: &'static str,
    }

    impl Record for Line {
        fn field(&self, lowercase_name: &str) -> Option<Value> {
            match lowercase_name {
                "_raw" => Some(Value::text(self.raw)),
                "_sourcecategory" => Some(Value::text(self.category)),
                _ => None,
            }
        }
    }

    fn texts(fields: Vec<(String, Value)>) -> Vec<(String, String)> {
        fields
            .into_iter()
            .map(|(name, value)| (name, value.to_text().to_string()))
            .collect()
    }

    #[test]
    fn extracts_fields_in_scope() {
        let rule = ExtractionRule::compile(
            "_sourceCategory=web/* | parse \"user=*,\" as user nodrop | parse regex \"status=(?<status>\\d+)\" nodrop",
        )
        .unwrap();
        assert_eq!(rule.fields(), ["user", "status"]);

        let web = Line {
            raw: "GET / user=alice, status=200",
            category: "web/nginx",
        };
        assert_eq!(
            texts(rule.apply(&web)),
            vec![
                ("user".to_string(), "alice".to_string()),
                ("status".to_string(), "200".to_string())
            ]
        );

        let partial = Line {
            raw: "GET / status=404",
            category: "web/nginx",
        };
        assert_eq!(
            texts(rule.apply(&partial)),
            vec![("status".to_string(), "404".to_string())]
        );

        let other = Line {
            raw: "user=bob, status=500",
            category: "db/postgres",
        };
        assert!(rule.apply(&other).is_empty());
    }

    #[test]
    fn failing_parse_without_nodrop_extracts_nothing() {
        let rule = ExtractionRule::compile("* | parse \"user=*,\" as user").unwrap();
        let line = Line {
            raw: "no user here",
            category: "x",
        };
        assert!(rule.apply(&line).is_empty());
    }

    #[test]
    fn stages_over_many_records_are_rejected() {
        let errors =
            ExtractionRule::compile("* | parse \"a=*\" as a | where a = \"1\" | count by a")
                .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("where"), "{}", errors[0].message);
        assert!(
            errors[1].message.contains("aggregate"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn rule_without_fields_is_rejected() {
        let errors = ExtractionRule::compile("error").unwrap_err();
        assert!(errors[0].message.contains("extracts no field"));
    }

    #[test]
    fn rule_setting_only_metadata_names_it() {
        let errors = ExtractionRule::compile("* | \"sec_signal\" as _index").unwrap_err();
        assert!(errors[0].message.contains("extracts no field"));
        let help = errors[0].help.as_deref().unwrap_or_default();
        assert!(help.contains("starts with `_`"), "{help}");
    }

    #[test]
    fn unusual_names_are_quoted() {
        assert_eq!(quote_field("user"), "user");
        assert_eq!(quote_field("src.ip"), "src.ip");
        assert_eq!(quote_field("Class ID"), "%\"Class ID\"");
    }
}
