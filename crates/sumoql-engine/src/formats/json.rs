//! `json`: values picked out of JSON text by JSONPath
//! (https://www.sumologic.com/help/docs/search/search-query-language/parse-operators/parse-json-formatted-logs/).
//!
//! Paths support what real queries write: `a.b`, `a[0]`, `a[-1]`, `a[*]`,
//! `a.*`, `['x y']`, `["x"]`, a leading `$` or `@`, recursive descent
//! `..name`, unions `[0,2]` and `['a','b']`, slices `[1:3]`, and filters
//! `[?(@.isFinal == true)]` with `== != < <= > >=`, joined by `&&` or `||`.
//! A path with a wildcard, descent, union, slice or filter selects a list;
//! its value is the JSON array of what it matched, and a list that matched
//! nothing counts as a missing key (sumoql choice: Sumo documents no rule).
//!
//! Strings give their text, numbers their JSON text, `true` and `false`
//! their words, objects and arrays their compact JSON; a JSON `null` gives a
//! null field but counts as present.

use std::sync::Arc;

use serde_json::Value as Json;
use sumoql_syntax::ast::JsonStage;
use sumoql_syntax::Diagnostic;

use super::{auto_target, store_auto_field, ReferencedKey};
use crate::expr::Slot;
use crate::row::{FieldTable, Row};
use crate::value::Value;

/// `json auto` extracts at most this many fields besides the referenced
/// keys (Sumo: "Up to 100 fields are extracted; additional fields must be
/// specified").
const AUTO_FIELD_LIMIT: usize = 100;

/// How many `{` positions are tried when looking for JSON inside text, so a
/// long message full of braces cannot make the search quadratic.
const EMBEDDED_CANDIDATES: usize = 32;

/// The JSON found in one text, kept on the row so consecutive `json` stages
/// over the same field parse it once.
#[derive(Debug)]
pub(crate) struct ParsedJson {
    pub(crate) text: Arc<str>,
    value: Option<Json>,
}

impl ParsedJson {
    pub(crate) fn parse(text: Arc<str>) -> ParsedJson {
        let value = locate(&text);
        ParsedJson { text, value }
    }
}

/// Finds the JSON in a text: the whole text when it is JSON, else the first
/// object that parses starting at a `{`, with any text before or after it.
/// Sumo documents this search for `json auto` ("There can be some text
/// before and after the JSON portion"); sumoql uses it for named keys too.
fn locate(text: &str) -> Option<Json> {
    if let Ok(value) = serde_json::from_str::<Json>(text) {
        return Some(value);
    }
    text.match_indices('{')
        .take(EMBEDDED_CANDIDATES)
        .find_map(|(start, _)| {
            let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Json>();
            values.next().and_then(Result::ok)
        })
}

#[derive(Debug)]
pub(crate) struct JsonExtractor {
    mode: Mode,
    nodrop: bool,
    /// In `auto` mode, when found fields become columns, the slots whose
    /// fields do not; `None` when they do not.
    found_hidden: Option<Vec<Slot>>,
}

#[derive(Debug)]
enum Mode {
    Keys(Vec<(JsonPath, Slot)>),
    Auto {
        referenced: Vec<ReferencedKey>,
        refonly: bool,
        max_depth: Option<u64>,
        extract_arrays: bool,
    },
}

impl JsonExtractor {
    pub(crate) fn compile(
        stage: &JsonStage,
        fields: &mut FieldTable,
    ) -> Result<JsonExtractor, Diagnostic> {
        let target = |index: usize, fields: &mut FieldTable| match stage.names.get(index) {
            Some(name) => fields.slot(&name.node),
            None => fields.slot(&stage.keys[index].node),
        };

        let mode = if stage.auto {
            let referenced = (0..stage.keys.len())
                .map(|index| ReferencedKey {
                    key: stage.keys[index].node.replace(' ', "_"),
                    target: target(index, fields),
                })
                .collect();
            Mode::Auto {
                referenced,
                refonly: stage.refonly,
                max_depth: stage.max_depth,
                extract_arrays: stage.extract_arrays,
            }
        } else {
            let mut paths = Vec::new();
            for (index, key) in stage.keys.iter().enumerate() {
                let path = JsonPath::parse(&key.node).map_err(|reason| {
                    Diagnostic::error("invalid JSON path", key.span.clone(), reason)
                        .with_help("write keys as `a.b`, `a[0]`, `a[*].b` or `['key with spaces']`")
                })?;
                paths.push((path, target(index, fields)));
            }
            Mode::Keys(paths)
        };
        Ok(JsonExtractor {
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
            Mode::Keys(paths) => paths.iter().map(|(_, slot)| *slot).collect(),
            Mode::Auto { referenced, .. } => referenced.iter().map(|key| key.target).collect(),
        }
    }

    pub(crate) fn apply(
        &self,
        text: Option<&Arc<str>>,
        row: &mut Row,
        fields: &FieldTable,
    ) -> bool {
        let parsed = text.map(|text| row.parsed_json(text));
        let root = parsed.as_ref().and_then(|parsed| parsed.value.as_ref());

        match &self.mode {
            Mode::Keys(paths) => {
                let Some(root) = root else {
                    // Invalid JSON: Sumo drops the row, or with `nodrop`
                    // keeps it with the fields null.
                    if self.nodrop {
                        paths.iter().for_each(|(_, slot)| row.set(*slot, None));
                    }
                    return self.nodrop;
                };
                // "For all parse operators, messages must match at least one
                // segment of the parse expression or they are dropped" (Sumo
                // doc, parse nodrop option); a key that is missing is null.
                let mut any_found = false;
                for (path, slot) in paths {
                    let value = path.evaluate(root);
                    any_found |= value.is_some();
                    row.set(*slot, value.flatten());
                }
                any_found || self.nodrop
            }
            Mode::Auto {
                referenced,
                refonly,
                max_depth,
                extract_arrays,
            } => {
                // "Messages that do not contain JSON are not dropped."
                let Some(root) = root else {
                    return true;
                };
                let mut flattened = Vec::new();
                let options = Flatten {
                    max_depth: *max_depth,
                    extract_arrays: *extract_arrays,
                };
                flatten(root, String::new(), 1, &options, &mut flattened);
                let mut unreferenced = 0;
                for (name, value) in flattened {
                    let is_referenced = referenced
                        .iter()
                        .any(|key| key.key.eq_ignore_ascii_case(&name));
                    if !is_referenced {
                        if unreferenced == AUTO_FIELD_LIMIT {
                            continue;
                        }
                        unreferenced += 1;
                    }
                    let slot = auto_target(&name, referenced, *refonly, fields);
                    let hidden = self.found_hidden.as_deref();
                    store_auto_field(row, slot, &name, render(value), hidden);
                }
                true
            }
        }
    }
}

struct Flatten {
    max_depth: Option<u64>,
    extract_arrays: bool,
}

/// Lists the fields `json auto` makes from a value. Nested objects become
/// `a.b`, and elements of arrays that contain objects or arrays `a[0].b`.
/// Flat arrays stay whole unless `extractarrays`. Nothing is split below
/// `maxdepth`, where the top object is depth 1 as in Sumo's example. Spaces
/// in keys become `_`.
fn flatten<'v>(
    value: &'v Json,
    name: String,
    depth: u64,
    options: &Flatten,
    out: &mut Vec<(String, &'v Json)>,
) {
    let may_split = options.max_depth.is_none_or(|max| depth <= max) || name.is_empty();
    match value {
        Json::Object(members) if may_split => {
            for (key, member) in members {
                let key = key.replace(' ', "_");
                let child = if name.is_empty() {
                    key
                } else {
                    format!("{name}.{key}")
                };
                flatten(member, child, depth + 1, options, out);
            }
        }
        Json::Array(elements) if may_split && !name.is_empty() => {
            let nested = elements
                .iter()
                .any(|element| element.is_object() || element.is_array());
            if nested || options.extract_arrays {
                for (index, element) in elements.iter().enumerate() {
                    flatten(element, format!("{name}[{index}]"), depth + 1, options, out);
                }
            } else {
                out.push((name, value));
            }
        }
        Json::Array(elements) if name.is_empty() => {
            for (index, element) in elements.iter().enumerate() {
                flatten(element, format!("[{index}]"), depth + 1, options, out);
            }
        }
        _ if name.is_empty() => {}
        _ => out.push((name, value)),
    }
}

/// Returns the field value of one JSON value: `None` for JSON `null`.
fn render(value: &Json) -> Option<Value> {
    match value {
        Json::Null => None,
        Json::String(text) => Some(Value::text(text.as_str())),
        Json::Bool(flag) => Some(Value::text(if *flag { "true" } else { "false" })),
        Json::Number(number) => Some(Value::text(number.to_string())),
        Json::Array(_) | Json::Object(_) => Some(Value::text(value.to_string())),
    }
}

/// A compiled JSONPath.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonPath {
    steps: Vec<Step>,
    /// `.length()` at the end: the size of the selected array, object or
    /// string instead of its value.
    length: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Child(Selector),
    /// `..selector`: the selector applied to the node and every node below it.
    Descendants(Selector),
}

#[derive(Debug, Clone, PartialEq)]
enum Selector {
    Name(String),
    Index(i64),
    Wildcard,
    Union(Vec<Selector>),
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    },
    Filter(Vec<Vec<Condition>>),
}

/// One comparison of a filter: `@.path OP literal`, or `@.path` alone,
/// which tests that the path exists.
#[derive(Debug, Clone, PartialEq)]
struct Condition {
    path: Vec<Step>,
    comparison: Option<(Operator, Json)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Operator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl JsonPath {
    pub(crate) fn parse(text: &str) -> Result<JsonPath, String> {
        // JsonPath's `length()` function at the end counts the elements.
        let (text, length) = match text.strip_suffix(".length()") {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut parser = PathParser { text, position: 0 };
        let steps = parser.steps(true)?;
        if steps.is_empty() {
            return Err("the path selects nothing".to_string());
        }
        Ok(JsonPath { steps, length })
    }

    fn is_definite(&self) -> bool {
        self.steps
            .iter()
            .all(|step| matches!(step, Step::Child(Selector::Name(_) | Selector::Index(_))))
    }

    /// Returns the value the path selects: `None` when it is missing,
    /// `Some(None)` for a JSON `null`.
    fn evaluate(&self, root: &Json) -> Option<Option<Value>> {
        let mut found: Vec<Json> = select(root, &self.steps).into_iter().cloned().collect();
        if self.length {
            found = found
                .into_iter()
                .filter_map(|value| size(&value).map(Json::from))
                .collect();
        }
        if self.is_definite() {
            return found.first().map(render);
        }
        if found.is_empty() {
            return None;
        }
        let list = Json::Array(found);
        Some(Some(Value::text(list.to_string())))
    }
}

fn size(value: &Json) -> Option<usize> {
    match value {
        Json::Array(elements) => Some(elements.len()),
        Json::Object(members) => Some(members.len()),
        Json::String(text) => Some(text.chars().count()),
        _ => None,
    }
}

fn select<'v>(root: &'v Json, steps: &[Step]) -> Vec<&'v Json> {
    let mut nodes = vec![root];
    for step in steps {
        let mut next = Vec::new();
        for node in nodes {
            match step {
                Step::Child(selector) => apply_selector(node, selector, &mut next),
                Step::Descendants(selector) => {
                    let mut stack = vec![node];
                    while let Some(current) = stack.pop() {
                        apply_selector(current, selector, &mut next);
                        match current {
                            Json::Object(members) => stack.extend(members.values().rev()),
                            Json::Array(elements) => stack.extend(elements.iter().rev()),
                            _ => {}
                        }
                    }
                }
            }
        }
        nodes = next;
    }
    nodes
}

fn apply_selector<'v>(node: &'v Json, selector: &Selector, out: &mut Vec<&'v Json>) {
    match (selector, node) {
        (Selector::Name(name), Json::Object(members)) => out.extend(members.get(name)),
        (Selector::Index(index), Json::Array(elements)) => {
            let position = if *index < 0 {
                elements.len() as i64 + index
            } else {
                *index
            };
            if let Ok(position) = usize::try_from(position) {
                out.extend(elements.get(position));
            }
        }
        (Selector::Wildcard, Json::Object(members)) => out.extend(members.values()),
        (Selector::Wildcard, Json::Array(elements)) => out.extend(elements.iter()),
        (Selector::Union(selectors), _) => {
            for selector in selectors {
                apply_selector(node, selector, out);
            }
        }
        (Selector::Slice { start, end, step }, Json::Array(elements)) => {
            let length = elements.len() as i64;
            let clamp = |bound: i64| {
                if bound < 0 {
                    (length + bound).max(0)
                } else {
                    bound.min(length)
                }
            };
            let start = start.map_or(0, clamp);
            let end = end.map_or(length, clamp);
            let mut position = start;
            while position < end {
                out.push(&elements[position as usize]);
                position += step;
            }
        }
        (Selector::Filter(alternatives), _) => {
            let candidates: Vec<&Json> = match node {
                Json::Array(elements) => elements.iter().collect(),
                Json::Object(members) => members.values().collect(),
                _ => Vec::new(),
            };
            for candidate in candidates {
                let holds = alternatives.iter().any(|conditions| {
                    conditions
                        .iter()
                        .all(|condition| condition.holds(candidate))
                });
                if holds {
                    out.push(candidate);
                }
            }
        }
        _ => {}
    }
}

impl Condition {
    fn holds(&self, node: &Json) -> bool {
        let found = select(node, &self.path);
        let Some(value) = found.first() else {
            return false;
        };
        let Some((operator, literal)) = &self.comparison else {
            return true;
        };
        let ordering = match (value, literal) {
            (Json::Number(left), Json::Number(right)) => left.as_f64().partial_cmp(&right.as_f64()),
            (Json::String(left), Json::String(right)) => Some(left.cmp(right)),
            (left, right) if *left == right => Some(std::cmp::Ordering::Equal),
            _ => None,
        };
        match (operator, ordering) {
            (Operator::Equal, Some(ordering)) => ordering.is_eq(),
            (Operator::NotEqual, Some(ordering)) => ordering.is_ne(),
            (Operator::NotEqual, None) => true,
            (Operator::Less, Some(ordering)) => ordering.is_lt(),
            (Operator::LessOrEqual, Some(ordering)) => ordering.is_le(),
            (Operator::Greater, Some(ordering)) => ordering.is_gt(),
            (Operator::GreaterOrEqual, Some(ordering)) => ordering.is_ge(),
            (_, None) => false,
        }
    }
}

struct PathParser<'t> {
    text: &'t str,
    position: usize,
}

impl<'t> PathParser<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.position..]
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.position += prefix.len();
            true
        } else {
            false
        }
    }

    /// Parses steps up to the end of the text, or, inside a filter, up to
    /// the first character that cannot continue a path.
    fn steps(&mut self, top_level: bool) -> Result<Vec<Step>, String> {
        let mut steps = Vec::new();
        if !self.eat("$") && !self.eat("@") && top_level && !self.rest().starts_with(['.', '[']) {
            // A bare first name: `a.b` is `$.a.b`.
            steps.push(Step::Child(self.name(top_level)?));
        }
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                break;
            }
            if self.eat("..") {
                let selector = if self.rest().starts_with('[') {
                    self.bracket()?
                } else {
                    self.name(top_level)?
                };
                steps.push(Step::Descendants(selector));
            } else if self.eat(".") {
                // Real queries write `a.[0]` for `a[0]` and end paths with
                // a stray `.`; both are accepted.
                match self.rest() {
                    "" => break,
                    rest if rest.starts_with('[') => steps.push(Step::Child(self.bracket()?)),
                    _ => steps.push(Step::Child(self.name(top_level)?)),
                }
            } else if rest.starts_with('[') {
                steps.push(Step::Child(self.bracket()?));
            } else if self.eat("*") {
                steps.push(Step::Child(Selector::Wildcard));
            } else if top_level {
                return Err(format!(
                    "unexpected `{}` in the path",
                    rest.chars().next().unwrap_or(' ')
                ));
            } else {
                break;
            }
        }
        Ok(steps)
    }

    /// Reads a name after `.` or at the start: everything up to the next `.` or
    /// `[`, spaces included (`details.Logon ID`), or in a filter up to a
    /// space, comparison or the end of the condition.
    fn name(&mut self, top_level: bool) -> Result<Selector, String> {
        let rest = self.rest();
        let end = rest
            .find(|character: char| {
                matches!(character, '.' | '[') || (!top_level && " =!<>)&|".contains(character))
            })
            .unwrap_or(rest.len());
        if end == 0 {
            return Err("expected a key name".to_string());
        }
        let name = &rest[..end];
        self.position += end;
        Ok(if name == "*" {
            Selector::Wildcard
        } else {
            Selector::Name(name.to_string())
        })
    }

    fn bracket(&mut self) -> Result<Selector, String> {
        self.eat("[");
        let selector = if self.eat("?(") {
            let alternatives = self.filter()?;
            if !self.eat(")") {
                return Err("expected `)` to close the filter".to_string());
            }
            Selector::Filter(alternatives)
        } else {
            let mut selectors = vec![self.bracket_item()?];
            while self.eat(",") {
                self.skip_spaces();
                selectors.push(self.bracket_item()?);
            }
            if selectors.len() == 1 {
                selectors.pop().expect("one selector")
            } else {
                Selector::Union(selectors)
            }
        };
        self.skip_spaces();
        if !self.eat("]") {
            return Err("expected `]`".to_string());
        }
        Ok(selector)
    }

    fn skip_spaces(&mut self) {
        let spaces = self.rest().len() - self.rest().trim_start().len();
        self.position += spaces;
    }

    /// Reads one item of a bracket: a quoted name, `*`, an index, a slice or
    /// the script index `(@.length-N)`.
    fn bracket_item(&mut self) -> Result<Selector, String> {
        self.skip_spaces();
        let rest = self.rest();
        if rest.starts_with(['\'', '"']) {
            return Ok(Selector::Name(self.quoted()?));
        }
        if self.eat("*") {
            return Ok(Selector::Wildcard);
        }

        let end = rest.find([',', ']']).unwrap_or(rest.len());
        let item = rest[..end].trim();
        self.position += end;

        let from_end = item
            .strip_prefix("(@.length-")
            .and_then(|tail| tail.strip_suffix(')'));
        if let Some(back) = from_end {
            let back: i64 = back
                .trim()
                .parse()
                .map_err(|_| format!("`{item}` is not an array index"))?;
            return Ok(Selector::Index(-back));
        }
        if item.contains(':') {
            return slice(item);
        }
        item.parse()
            .map(Selector::Index)
            .map_err(|_| format!("`{item}` is not an array index; quote key names: ['{item}']"))
    }

    /// Reads a quoted key inside brackets, where `\` escapes the next character.
    fn quoted(&mut self) -> Result<String, String> {
        let quote = self
            .rest()
            .chars()
            .next()
            .expect("caller checked for a quote");
        self.position += 1;
        let mut name = String::new();
        let mut characters = self.rest().char_indices();
        while let Some((offset, character)) = characters.next() {
            match character {
                '\\' => {
                    if let Some((_, escaped)) = characters.next() {
                        name.push(escaped);
                    }
                }
                _ if character == quote => {
                    self.position += offset + 1;
                    return Ok(name);
                }
                _ => name.push(character),
            }
        }
        Err("a quoted key is not closed".to_string())
    }

    /// `cond && cond || cond`: alternatives of conjunctions.
    fn filter(&mut self) -> Result<Vec<Vec<Condition>>, String> {
        let mut alternatives = vec![Vec::new()];
        loop {
            self.skip_spaces();
            let grouped = self.eat("(");
            self.skip_spaces();
            if !self.eat("@") {
                return Err("a filter condition must start with `@`".to_string());
            }
            let path = self.steps(false)?;
            self.skip_spaces();
            let comparison = self.comparison()?;
            self.skip_spaces();
            if grouped && !self.eat(")") {
                return Err("expected `)` after the condition".to_string());
            }
            self.skip_spaces();
            alternatives
                .last_mut()
                .expect("one alternative")
                .push(Condition { path, comparison });
            if self.eat("&&") {
                continue;
            }
            if self.eat("||") {
                alternatives.push(Vec::new());
                continue;
            }
            return Ok(alternatives);
        }
    }

    fn comparison(&mut self) -> Result<Option<(Operator, Json)>, String> {
        const OPERATORS: [(&str, Operator); 6] = [
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
            ("<=", Operator::LessOrEqual),
            (">=", Operator::GreaterOrEqual),
            ("<", Operator::Less),
            (">", Operator::Greater),
        ];
        let Some(operator) = OPERATORS
            .iter()
            .find_map(|(text, operator)| self.eat(text).then_some(*operator))
        else {
            return Ok(None);
        };
        self.skip_spaces();
        let literal = if self.rest().starts_with(['\'', '"']) {
            Json::String(self.quoted()?)
        } else {
            let rest = self.rest();
            let end = rest.find([')', ' ', '&', '|']).unwrap_or(rest.len());
            let word = &rest[..end];
            self.position += end;
            serde_json::from_str(word).map_err(|_| format!("`{word}` is not a filter value"))?
        };
        Ok(Some((operator, literal)))
    }
}

/// Reads `start:end[:step]`, each part optional.
fn slice(item: &str) -> Result<Selector, String> {
    let mut parts = item.split(':').map(str::trim);
    let mut bound = || -> Result<Option<i64>, String> {
        match parts.next() {
            None | Some("") => Ok(None),
            Some(number) => number
                .parse()
                .map(Some)
                .map_err(|_| format!("`{number}` is not an array index")),
        }
    };
    let start = bound()?;
    let end = bound()?;
    let step = bound()?.unwrap_or(1);
    if step < 1 {
        return Err("a slice step must be positive".to_string());
    }
    Ok(Selector::Slice { start, end, step })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(path: &str, json: &str) -> Option<Option<String>> {
        let root: Json = serde_json::from_str(json).unwrap();
        JsonPath::parse(path)
            .unwrap()
            .evaluate(&root)
            .map(|value| value.map(|value| value.to_string()))
    }

    fn found(text: &str) -> Option<Option<String>> {
        Some(Some(text.to_string()))
    }

    const SAMPLE: &str = r#"{"a":{"b":"x","n":1.50,"t":true,"z":null},
        "Actor":[{"Type":1,"ID":"u1"},{"Type":2,"ID":"u2"}],
        "x y":{"@k":"v"},"labels":[],"abc.pqr":7,
        "filter":{"actions":[{"isFinal":false,"rule":"r1"},{"isFinal":true,"rule":"r2"}]}}"#;

    #[test]
    fn definite_paths() {
        assert_eq!(pick("a.b", SAMPLE), found("x"));
        assert_eq!(pick("$.a.b", SAMPLE), found("x"));
        assert_eq!(pick("$['a']['b']", SAMPLE), found("x"));
        assert_eq!(pick("a.n", SAMPLE), found("1.5"));
        assert_eq!(pick("a.t", SAMPLE), found("true"));
        assert_eq!(pick("a.z", SAMPLE), Some(None));
        assert_eq!(pick("a.missing", SAMPLE), None);
        assert_eq!(pick("A.b", SAMPLE), None, "keys are case-sensitive");
        assert_eq!(pick("Actor[1].ID", SAMPLE), found("u2"));
        assert_eq!(pick("Actor[-1].ID", SAMPLE), found("u2"));
        assert_eq!(pick("Actor[5].ID", SAMPLE), None);
        assert_eq!(pick("['x y']['@k']", SAMPLE), found("v"));
        assert_eq!(pick("['abc.pqr']", SAMPLE), found("7"));
        assert_eq!(
            pick("a", SAMPLE),
            found(r#"{"b":"x","n":1.5,"t":true,"z":null}"#)
        );
    }

    #[test]
    fn list_paths() {
        assert_eq!(pick("Actor[*].Type", SAMPLE), found("[1,2]"));
        assert_eq!(pick("$..ID", SAMPLE), found(r#"["u1","u2"]"#));
        assert_eq!(pick("Actor[0,1].ID", SAMPLE), found(r#"["u1","u2"]"#));
        assert_eq!(pick("Actor[0:1].ID", SAMPLE), found(r#"["u1"]"#));
        assert_eq!(pick("labels[*].name", SAMPLE), None);
        assert_eq!(
            pick("filter.actions[?(@.isFinal == true)].rule", SAMPLE),
            found(r#"["r2"]"#)
        );
        assert_eq!(
            pick("Actor[?(@.Type > 1 || @.ID == 'u1')].ID", SAMPLE),
            found(r#"["u1","u2"]"#)
        );
        assert_eq!(pick("Actor[?(@.Type)].ID", SAMPLE), found(r#"["u1","u2"]"#));
    }

    #[test]
    fn forms_real_queries_write() {
        let json = r#"{"details":{"Logon ID":"0x3e7"},"included":[{"n":1},{"n":2}],"commits":[{"id":"a"},{"id":"b"},{"id":"c"}]}"#;
        assert_eq!(pick("details.Logon ID", json), found("0x3e7"));
        assert_eq!(pick("included.[1].n", json), found("2"));
        assert_eq!(pick("included.[*].n", json), found("[1,2]"));
        assert_eq!(pick("details.", json), found(r#"{"Logon ID":"0x3e7"}"#));
        assert_eq!(pick("commits[(@.length-1)].id", json), found("c"));
        assert_eq!(pick("commits.length()", json), found("3"));
        assert_eq!(pick("commits[*].id.length()", json), found("[1,1,1]"));
    }

    #[test]
    fn bad_paths_are_reported() {
        assert!(JsonPath::parse("a[b]").is_err());
        assert!(JsonPath::parse("a['b").is_err());
        assert!(JsonPath::parse("").is_err());
    }

    #[test]
    fn finds_json_inside_text() {
        let text = r#"2014-03-11 15:00:42,611 -0700 INFO [hostId=prod-search-6] {thread} {"module":"stream","n":{"k":1}} trailing"#;
        let value = locate(text).unwrap();
        assert_eq!(value["module"], "stream");
        assert!(locate("no json here {").is_none());
        assert_eq!(locate(r#"[1,2]"#).unwrap(), serde_json::json!([1, 2]));
    }

    #[test]
    fn flattens_like_the_documented_example() {
        let root: Json = serde_json::from_str(
            r#"{"foo":{"bar":[{"k1":"v1"},{"k2":"v2"}],"baz":"qux","f":[1,2]},"a b":1}"#,
        )
        .unwrap();
        let names = |max_depth, extract_arrays| {
            let mut out = Vec::new();
            flatten(
                &root,
                String::new(),
                1,
                &Flatten {
                    max_depth,
                    extract_arrays,
                },
                &mut out,
            );
            out.into_iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Some(1), false),
            [
                r#"foo={"bar":[{"k1":"v1"},{"k2":"v2"}],"baz":"qux","f":[1,2]}"#,
                "a_b=1"
            ]
        );
        assert_eq!(
            names(Some(2), false),
            [
                r#"foo.bar=[{"k1":"v1"},{"k2":"v2"}]"#,
                r#"foo.baz="qux""#,
                "foo.f=[1,2]",
                "a_b=1"
            ]
        );
        assert_eq!(
            names(None, false),
            [
                r#"foo.bar[0].k1="v1""#,
                r#"foo.bar[1].k2="v2""#,
                r#"foo.baz="qux""#,
                "foo.f=[1,2]",
                "a_b=1"
            ]
        );
        assert_eq!(
            names(None, true)[3..5],
            ["foo.f[0]=1".to_string(), "foo.f[1]=2".to_string()]
        );
    }
}
