//! Prints a syntax tree back as query text in one canonical layout.
//!
//! The layout puts the scope on the first line and each stage on its own
//! line starting with `| `. The body of `union [ … ]` is indented by four
//! spaces per level. Every other nested query (`[subquery: …]`, the inner
//! queries of `join`, `filter` and `transactionize`) stays on one line. Keywords
//! are lower case except the scope's `AND`, `OR` and `NOT`; strings are in
//! double quotes with `\"`, `\\`, `\n`, `\r` and `\t` escaped (a regex keeps
//! single backslashes such as `\d`); aliases such as `kv` and `extract` are
//! written as their main name. Comments are not kept.
//!
//! For every tree the parser returns, parsing the printed text gives the
//! same tree again, apart from spans. The corpus and property tests check
//! this.

use std::fmt::Write;

use crate::ast::{
    AggregateCall, BinaryOperator, DelimitedColumn, DelimitedStage, Expr, FieldItem, FieldsMode,
    FillGenerator, JsonStage, KeyValueMode, KeyValueStage, MergeStrategy, NamedOption, OptionValue,
    Quantity, Query, Scope, SortDirection, SortKey, Spanned, Stage, Subquery, TablePath,
    TimesliceSpan, TransactionResults, TransactionStates, TransposeOutput,
};
use crate::parser::lexical::is_field_name;
use crate::parser::OPERATORS;

/// Words that a bare field name must not be, because the parser reads them
/// as keywords where a field name may appear. The stage operators are also
/// such words. A field with such a name is written `%"name"`.
const KEYWORDS: [&str; 27] = [
    // Expression keywords.
    "and",
    "or",
    "not",
    "matches",
    "in",
    "as",
    "true",
    "false",
    "contains",
    // Aggregate functions beyond the stage operators (`parser::stage::OPERATORS`).
    "pct",
    "stddev",
    "values",
    "first",
    "last",
    "most_recent",
    "least_recent",
    // Option words that may follow a field name.
    "by",
    "on",
    "from",
    "with",
    "for",
    "nodrop",
    "multi",
    "field",
    "keys",
    "refonly",
    "null",
];

/// Prints `query` in the canonical layout, without a trailing newline.
pub fn format_query(query: &Query) -> String {
    let mut printer = Printer::default();
    printer.block_query(query, 0);
    printer.output
}

#[derive(Default)]
struct Printer {
    output: String,
}

/// Binding strength of expression levels, lowest first, as in the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Conditional,
    Or,
    And,
    Comparison,
    Additive,
    Multiplicative,
    Prefix,
    Primary,
}

impl Printer {
    /// Prints a query over several lines, each line after the first
    /// indented by `indent` spaces.
    fn block_query(&mut self, query: &Query, indent: usize) {
        let mut first = true;
        if let Some(scope) = &query.scope {
            self.output.push_str(&scope_text(scope));
            first = false;
        }
        for stage in &query.stages {
            if !first {
                self.output.push('\n');
                self.output.push_str(&" ".repeat(indent));
            }
            first = false;
            self.output.push_str("| ");
            self.stage(&stage.node, indent);
        }
    }

    fn stage(&mut self, stage: &Stage, indent: usize) {
        if let Stage::Union(subquery) = stage {
            if subquery.node.scope.is_none() && subquery.node.stages.is_empty() {
                self.output.push_str("union []");
                return;
            }
            let inner = indent + 4;
            self.output.push_str("union [\n");
            self.output.push_str(&" ".repeat(inner));
            self.block_query(&subquery.node, inner);
            self.output.push('\n');
            self.output.push_str(&" ".repeat(indent + 2));
            self.output.push(']');
            return;
        }
        self.output.push_str(&stage_text(stage));
    }
}

/// Prints a nested query on one line: its scope, then ` | stage` for each
/// stage. With `leading_stage`, a query without a scope starts with its first
/// stage and no `|`, as the inner queries of `join` are written.
fn inline_query(query: &Query, leading_stage: bool) -> String {
    let mut parts = Vec::new();
    if let Some(scope) = &query.scope {
        parts.push(scope_text(scope));
    }
    for (index, stage) in query.stages.iter().enumerate() {
        let text = match &stage.node {
            Stage::Union(subquery) => format!("union [{}]", inline_query(&subquery.node, false)),
            other => stage_text(other),
        };
        if index == 0 && query.scope.is_none() && leading_stage {
            parts.push(text);
        } else {
            parts.push(format!("| {text}"));
        }
    }
    parts.join(" ")
}

fn scope_text(scope: &Spanned<Scope>) -> String {
    scope_at(scope, ScopeLevel::Or)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ScopeLevel {
    Or,
    And,
    Not,
}

/// Prints a scope node in a place where at least `level` binds, adding
/// parentheses when the node binds more loosely.
fn scope_at(scope: &Spanned<Scope>, level: ScopeLevel) -> String {
    let (own, text) = match &scope.node {
        Scope::All => (ScopeLevel::Not, "*".to_string()),
        Scope::Keyword { text, quoted: true } => (ScopeLevel::Not, quote(text)),
        Scope::Keyword {
            text,
            quoted: false,
        } => (ScopeLevel::Not, text.clone()),
        Scope::Term {
            field,
            negated,
            value,
            quoted,
        } => {
            let operator = if *negated { "!=" } else { "=" };
            let value = if *quoted { quote(value) } else { value.clone() };
            (
                ScopeLevel::Not,
                format!("{}{operator}{value}", scope_field(field)),
            )
        }
        Scope::Compare {
            field,
            operator,
            value,
            quoted,
        } => {
            let value = if *quoted { quote(value) } else { value.clone() };
            let operator = binary_symbol(*operator);
            (
                ScopeLevel::Not,
                format!("{}{operator}{value}", scope_field(field)),
            )
        }
        Scope::Subquery(subquery) => (ScopeLevel::Not, subquery_text(&subquery.node)),
        Scope::Not(operand) => (
            ScopeLevel::Not,
            format!("NOT {}", scope_at(operand, ScopeLevel::Not)),
        ),
        Scope::And(left, right) => (
            ScopeLevel::And,
            format!(
                "{} {}",
                scope_at(left, ScopeLevel::And),
                scope_at(right, ScopeLevel::Not)
            ),
        ),
        Scope::Or(left, right) => (
            ScopeLevel::Or,
            format!(
                "{} OR {}",
                scope_at(left, ScopeLevel::Or),
                scope_at(right, ScopeLevel::And)
            ),
        ),
    };
    if own < level {
        format!("({text})")
    } else {
        text
    }
}

/// Writes the field of a scope term: bare when it is a plain name, which
/// the scope accepts even for words such as `count`.
fn scope_field(name: &str) -> String {
    let is_operator = ["and", "or", "not"]
        .iter()
        .any(|word| word.eq_ignore_ascii_case(name));
    if is_field_name(name) && !is_operator {
        name.to_string()
    } else {
        format!("%{}", quote(name))
    }
}

fn subquery_text(subquery: &Subquery) -> String {
    let mut text = String::from("[subquery");
    if let Some(from) = &subquery.from {
        let _ = write!(text, " from=({})", expr_text(from));
    }
    if let Some(to) = &subquery.to {
        let _ = write!(text, " to=({})", expr_text(to));
    }
    text.push_str(": ");
    text.push_str(&inline_query(&subquery.query.node, false));
    text.push(']');
    text
}

/// Writes a field name: bare when the parser reads it back as the same
/// name everywhere, otherwise `%"…"`.
fn field(name: &str) -> String {
    let is_keyword = KEYWORDS
        .iter()
        .chain(OPERATORS.iter())
        .any(|keyword| keyword.eq_ignore_ascii_case(name));
    if is_field_name(name) && !is_keyword {
        name.to_string()
    } else {
        format!("%{}", quote(name))
    }
}

fn field_list(names: &[Spanned<String>]) -> String {
    names
        .iter()
        .map(|name| field(&name.node))
        .collect::<Vec<_>>()
        .join(", ")
}

fn string_list(items: &[Spanned<String>]) -> String {
    items
        .iter()
        .map(|item| quote(&item.node))
        .collect::<Vec<_>>()
        .join(", ")
}

fn expr_list(items: &[Spanned<Expr>]) -> String {
    items.iter().map(expr_text).collect::<Vec<_>>().join(", ")
}

/// Writes a string literal in double quotes, escaping `"`, `\\`, newline,
/// carriage return and tab, so the text means the same in Sumo, whose
/// documented escapes these are.
fn quote(text: &str) -> String {
    quote_with(text, false)
}

/// Writes the string of a regex (`parse regex`, `keyvalue regex`). A
/// backslash before a character that starts no string escape stays single,
/// because the lexer keeps such a pair as it is. So `\d+` is written `"\d+"`,
/// as Sumo's examples write regexes.
fn quote_regex(text: &str) -> String {
    quote_with(text, true)
}

fn quote_with(text: &str, single_backslashes: bool) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => {
                let plain = single_backslashes
                    && chars.peek().is_some_and(|next| {
                        !matches!(
                            next,
                            '"' | '\'' | '\\' | 'n' | 'r' | 't' | '\n' | '\r' | '\t'
                        )
                    });
                quoted.push_str(if plain { "\\" } else { "\\\\" });
            }
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

fn regex_literal(text: &str) -> String {
    format!("/{}/", text.replace('/', "\\/"))
}

fn number(value: f64) -> String {
    format!("{value}")
}

fn quantity(value: &Quantity) -> String {
    format!("{}{}", number(value.amount), value.unit.suffix())
}

fn alias(name: &Option<Spanned<String>>) -> String {
    name.as_ref()
        .map_or_else(String::new, |name| format!(" as {}", field(&name.node)))
}

fn by_list(items: &[Spanned<Expr>]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(" by {}", expr_list(items))
    }
}

fn sort_keys(keys: &[Spanned<SortKey>]) -> String {
    keys.iter()
        .map(|key| {
            let text = expr_text(&key.node.key);
            match key.node.direction {
                SortDirection::Descending => text,
                SortDirection::Ascending => format!("{text} asc"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn options_text(options: &[Spanned<NamedOption>], separator: &str) -> String {
    options
        .iter()
        .map(|option| format!("{}={}", option.node.name, option_value(&option.node.value)))
        .collect::<Vec<_>>()
        .join(separator)
}

fn with_options(options: &[Spanned<NamedOption>]) -> String {
    if options.is_empty() {
        String::new()
    } else {
        format!(" {}", options_text(options, ", "))
    }
}

fn option_value(value: &OptionValue) -> String {
    match value {
        OptionValue::Number(value) => number(*value),
        OptionValue::Quantity(value) => quantity(value),
        OptionValue::String(text) => quote(text),
        OptionValue::StrictString(text) => format!("{};strict", quote(text)),
        OptionValue::Word(word) => word.clone(),
    }
}

fn field_option(name: &Option<Spanned<String>>) -> String {
    name.as_ref()
        .map_or_else(String::new, |name| format!(" field={}", field(&name.node)))
}

fn flag(set: bool, word: &str) -> String {
    if set {
        format!(" {word}")
    } else {
        String::new()
    }
}

fn table_text(table: &TablePath) -> String {
    match table {
        TablePath::Library(path) => format!("path://{}", quote(path)),
        TablePath::Url(text) | TablePath::Path(text) => text.clone(),
    }
}

fn capture_text(
    pattern: &Spanned<String>,
    names: &[Spanned<String>],
    parenthesized: bool,
) -> String {
    if parenthesized {
        format!("{} as ({})", quote(&pattern.node), field_list(names))
    } else {
        format!("{} as {}", quote(&pattern.node), field_list(names))
    }
}

/// Prints one stage other than `union` on one line, without the `| `.
fn stage_text(stage: &Stage) -> String {
    match stage {
        Stage::Where(condition) => format!("where {}", expr_text(condition)),
        Stage::Parse {
            field: source,
            pattern,
            names,
            nodrop,
        } => format!(
            "parse{} {}{}",
            field_option(source),
            capture_text(pattern, names, false),
            flag(*nodrop, "nodrop")
        ),
        Stage::ParseMulti {
            field: source,
            patterns,
            nodrop,
        } => {
            let captures: Vec<String> = patterns
                .iter()
                .map(|capture| capture_text(&capture.node.pattern, &capture.node.names, false))
                .collect();
            format!(
                "parse{} {}{}",
                field_option(source),
                captures.join(", "),
                flag(*nodrop, "nodrop")
            )
        }
        Stage::ParseRegex {
            field: source,
            regex,
            multi,
            nodrop,
        } => format!(
            "parse regex{} {}{}{}",
            field_option(source),
            quote_regex(&regex.node),
            flag(*multi, "multi"),
            flag(*nodrop, "nodrop")
        ),
        Stage::Assign { value, name } => format!("{} as {}", expr_text(value), field(&name.node)),
        Stage::Fields { mode, items } => {
            let items: Vec<String> = items.iter().map(|item| fields_item(&item.node)).collect();
            match mode {
                FieldsMode::Keep => format!("fields {}", items.join(", ")),
                FieldsMode::Remove => format!("fields - {}", items.join(", ")),
            }
        }
        Stage::Union(subquery) => format!("union [{}]", inline_query(&subquery.node, false)),
        Stage::Sort(keys) if keys.is_empty() => "sort".to_string(),
        Stage::Sort(keys) => format!("sort by {}", sort_keys(keys)),
        Stage::Aggregate { functions, by } => {
            let calls: Vec<String> = functions
                .iter()
                .map(|call| aggregate_text(&call.node))
                .collect();
            format!("{}{}", calls.join(", "), by_list(by))
        }
        Stage::Limit(count) => format!("limit {count}"),
        Stage::Json(json) => json_text(json),
        Stage::KeyValue(keyvalue) => keyvalue_text(keyvalue),
        Stage::Csv(stage) => delimited_text("csv", stage),
        Stage::Split(stage) => delimited_text("split", stage),
        Stage::ParseXml {
            field: source,
            paths,
            names,
            nodrop,
        } => {
            let names = if names.is_empty() {
                String::new()
            } else {
                format!(" as {}", field_list(names))
            };
            format!(
                "parse xml{} {}{names}{}",
                field_option(source),
                string_list(paths),
                flag(*nodrop, "nodrop")
            )
        }
        Stage::Timeslice { span, alias: name } => {
            let span = match span.as_ref().map(|span| span.node) {
                Some(TimesliceSpan::Duration(duration)) => format!(" {}", quantity(&duration)),
                Some(TimesliceSpan::Buckets(count)) => format!(" {count} buckets"),
                None => String::new(),
            };
            format!("timeslice{span}{}", alias(name))
        }
        Stage::Transpose {
            rows,
            columns,
            outputs,
        } => {
            let mut text = format!(
                "transpose row {} column {}",
                field_list(rows),
                field_list(columns)
            );
            if !outputs.is_empty() {
                let outputs: Vec<String> = outputs
                    .iter()
                    .map(|output| match &output.node {
                        TransposeOutput::Field(name) => field(name),
                        TransposeOutput::Dynamic => "*".to_string(),
                    })
                    .collect();
                let _ = write!(text, " as {}", outputs.join(", "));
            }
            text
        }
        Stage::Lookup(lookup) => {
            let columns: Vec<String> = lookup
                .columns
                .iter()
                .map(|column| {
                    if column.node.name == "*" && column.node.alias.is_none() {
                        "*".to_string()
                    } else {
                        fields_item(&column.node)
                    }
                })
                .collect();
            let keys: Vec<String> = lookup
                .on
                .iter()
                .map(|key| format!("{}={}", field(&key.node.left), field(&key.node.right)))
                .collect();
            format!(
                "lookup {} from {} on {}",
                columns.join(", "),
                table_text(&lookup.table.node),
                keys.join(", ")
            )
        }
        Stage::Save { append, table } => format!(
            "save{} {}",
            flag(*append, "append"),
            table_text(&table.node)
        ),
        Stage::Cat(table) => format!("cat {}", table_text(&table.node)),
        Stage::Top { count, fields, by } => {
            let count = count.map_or_else(String::new, |count| format!(" {count}"));
            let by = if by.is_empty() {
                String::new()
            } else {
                format!(" by {}", sort_keys(by))
            };
            format!("top{count} {}{by}", expr_list(fields))
        }
        Stage::TopK { count, fields, by } => {
            format!("topk({count}, {}){}", expr_list(fields), by_list(by))
        }
        Stage::CountFrequent(fields) => format!("count_frequent {}", expr_list(fields)),
        Stage::Series {
            function,
            field: value,
            window,
            alias: name,
            by,
        } => {
            let window = window.map_or_else(String::new, |window| format!(", {window}"));
            format!(
                "{} {}{window}{}{}",
                function.name(),
                expr_text(value),
                alias(name),
                by_list(by)
            )
        }
        Stage::FillMissing {
            generators,
            defaults,
            take_last,
        } => {
            let generators: Vec<String> = generators
                .iter()
                .map(|generator| fill_generator(&generator.node))
                .collect();
            let mut text = format!("fillmissing {}", generators.join(", "));
            if !defaults.is_empty() {
                let defaults: Vec<String> = defaults
                    .iter()
                    .map(|default| {
                        let value = default
                            .node
                            .value
                            .as_ref()
                            .map_or_else(|| "null".to_string(), expr_text);
                        format!("{value} for {}", field(&default.node.field.node))
                    })
                    .collect();
                let _ = write!(text, " with {}", defaults.join(", "));
            }
            text.push_str(&flag(*take_last, "takeLast"));
            text
        }
        Stage::Dedup {
            consecutive,
            count,
            by,
        } => {
            let count = count.map_or_else(String::new, |count| format!(" {count}"));
            format!(
                "dedup{}{count}{}",
                flag(*consecutive, "consecutive"),
                by_list(by)
            )
        }
        Stage::Outlier {
            field: value,
            by,
            options,
        } => {
            format!(
                "outlier {}{}{}",
                expr_text(value),
                by_list(by),
                with_options(options)
            )
        }
        Stage::Predict {
            field: value,
            interval,
            options,
        } => format!(
            "predict {} by {}{}",
            expr_text(value),
            quantity(&interval.node),
            with_options(options)
        ),
        Stage::Compare(shifts) => {
            let shifts: Vec<String> = shifts
                .iter()
                .map(|shift| {
                    let shift = &shift.node;
                    let mut text = format!("timeshift {}", quantity(&shift.shift));
                    if let Some(count) = shift.count {
                        let _ = write!(text, " {count}");
                    }
                    if let Some(aggregate) = shift.aggregate {
                        let word = match aggregate {
                            crate::ast::CompareAggregate::Avg => "avg",
                            crate::ast::CompareAggregate::Min => "min",
                            crate::ast::CompareAggregate::Max => "max",
                        };
                        let _ = write!(text, " {word}");
                    }
                    if let Some(name) = &shift.alias {
                        let _ = write!(text, " as {}", field(name));
                    }
                    text
                })
                .collect();
            format!("compare with {}", shifts.join(", "))
        }
        Stage::Geoip(name) => format!("geoip {}", field(&name.node)),
        Stage::ThreatIp(name) => format!("threatip {}", field(&name.node)),
        Stage::ThreatLookup {
            single_indicator,
            options,
            fields,
        } => format!(
            "threatlookup{}{} {}",
            flag(*single_indicator, "singleIndicator"),
            with_options(options),
            field_list(fields)
        ),
        Stage::Join {
            tables,
            on,
            time_window,
        } => {
            let tables: Vec<String> = tables
                .iter()
                .map(|table| {
                    format!(
                        "({}) as {}",
                        inline_query(&table.node.query.node, true),
                        field(&table.node.alias.node)
                    )
                })
                .collect();
            let window = time_window.as_ref().map_or_else(String::new, |window| {
                format!(" timewindow {}", quantity(&window.node))
            });
            format!("join {} on {}{window}", tables.join(", "), expr_text(on))
        }
        Stage::Merge(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|item| {
                    let item = &item.node;
                    let mut text = field(&item.field);
                    match &item.strategy {
                        Some(MergeStrategy::TakeFirst) => text.push_str(" takeFirst"),
                        Some(MergeStrategy::TakeLast) => text.push_str(" takeLast"),
                        Some(MergeStrategy::TakeDistinct) => text.push_str(" takeDistinct"),
                        Some(MergeStrategy::JoinWith(None)) => text.push_str(" join with"),
                        Some(MergeStrategy::JoinWith(Some(separator))) => {
                            let _ = write!(text, " join with {}", quote(separator));
                        }
                        None => {}
                    }
                    if let Some(name) = &item.alias {
                        let _ = write!(text, " as {}", field(name));
                    }
                    text
                })
                .collect();
            if fields.is_empty() {
                "merge".to_string()
            } else {
                format!("merge {}", fields.join(", "))
            }
        }
        Stage::Transactionize {
            fields,
            alias: name,
            options,
            subquery,
        } => {
            let subquery = subquery.as_ref().map_or_else(String::new, |query| {
                format!(" ({})", inline_query(&query.node, true))
            });
            format!(
                "transactionize {}{}{}{subquery}",
                field_list(fields),
                alias(name),
                with_options(options)
            )
        }
        Stage::Compose {
            fields,
            max_results,
            keywords,
        } => {
            let max_results =
                max_results.map_or_else(String::new, |count| format!(" maxresults={count}"));
            format!(
                "compose {}{max_results}{}",
                field_list(fields),
                flag(*keywords, "keywords")
            )
        }
        Stage::Filter { field: name, query } => {
            format!(
                "filter {} in ({})",
                field(&name.node),
                inline_query(&query.node, true)
            )
        }
        Stage::Withtime(name) => format!("withtime {}", field(&name.node)),
        Stage::LogReduce {
            field: source,
            by,
            options,
        } => {
            let source = source
                .as_ref()
                .map_or_else(String::new, |name| format!("({})", field(&name.node)));
            format!("logreduce{source}{}{}", by_list(by), with_options(options))
        }
        Stage::LogCompare { timeshift, options } => {
            format!(
                "logcompare timeshift {}{}",
                quantity(&timeshift.node),
                with_options(options)
            )
        }
        Stage::Infer(options) => format!("infer {}", options_text(options, " ")),
        Stage::Bin {
            field: value,
            options,
            alias: name,
        } => {
            format!(
                "bin {}{}{}",
                expr_text(value),
                with_options(options),
                alias(name)
            )
        }
        Stage::Sessionize(captures) => {
            let captures: Vec<String> = captures
                .iter()
                .map(|capture| capture_text(&capture.node.pattern, &capture.node.names, true))
                .collect();
            format!("sessionize {}", captures.join(", "))
        }
        Stage::Transaction {
            on,
            states,
            options,
            results,
        } => {
            let states = match states {
                TransactionStates::Field {
                    states,
                    field: name,
                } => {
                    let states: Vec<String> = states.iter().map(|state| field(state)).collect();
                    format!("with states {} in {}", states.join(", "), field(name))
                }
                TransactionStates::Patterns(patterns) => patterns
                    .iter()
                    .map(|pattern| {
                        format!(
                            "with {} as {}",
                            quote(&pattern.node.pattern),
                            field(&pattern.node.state)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let results = match results {
                Some(TransactionResults::Flow) => " results by flow",
                Some(TransactionResults::Transactions) => " results by transactions",
                None => "",
            };
            format!(
                "transaction on {} {states}{}{results}",
                field_list(on),
                with_options(options)
            )
        }
        Stage::Evaluate(call) => expr_text(call),
    }
}

fn fields_item(item: &FieldItem) -> String {
    match &item.alias {
        Some(name) => format!("{} as {}", field(&item.name), field(name)),
        None => field(&item.name),
    }
}

fn aggregate_text(call: &AggregateCall) -> String {
    let mut text = call.function.clone();
    if !call.arguments.is_empty() {
        let _ = write!(text, "({})", expr_list(&call.arguments));
    }
    text.push_str(&alias(&call.alias));
    text
}

fn json_text(json: &JsonStage) -> String {
    let mut text = format!("json{}", field_option(&json.field));
    text.push_str(&flag(json.auto, "auto"));
    if let Some(depth) = json.max_depth {
        let _ = write!(text, " maxdepth {depth}");
    }
    text.push_str(&flag(json.extract_arrays, "extractarrays"));
    if !json.keys.is_empty() {
        let keyword = if json.auto { " keys" } else { "" };
        let _ = write!(text, "{keyword} {}", string_list(&json.keys));
    }
    text.push_str(&flag(json.refonly, "refonly"));
    if !json.names.is_empty() {
        let _ = write!(text, " as {}", field_list(&json.names));
    }
    text.push_str(&flag(json.nodrop, "nodrop"));
    text
}

fn keyvalue_text(keyvalue: &KeyValueStage) -> String {
    let mut text = format!("keyvalue{}", field_option(&keyvalue.field));
    match &keyvalue.mode {
        KeyValueMode::Infer => {}
        KeyValueMode::Auto => text.push_str(" auto"),
        KeyValueMode::Regex(regex) => {
            let _ = write!(text, " regex {}", quote_regex(&regex.node));
        }
    }
    if !keyvalue.keys.is_empty() {
        let keyword = if keyvalue.mode == KeyValueMode::Auto {
            " keys"
        } else {
            ""
        };
        let _ = write!(text, "{keyword} {}", string_list(&keyvalue.keys));
    }
    if !keyvalue.names.is_empty() {
        let _ = write!(text, " as {}", field_list(&keyvalue.names));
    }
    if let Some(delimiter) = &keyvalue.delimiter {
        let _ = write!(text, " delim {}", quote(&delimiter.node));
    }
    text.push_str(&flag(keyvalue.refonly, "refonly"));
    text.push_str(&flag(keyvalue.nodrop, "nodrop"));
    text
}

fn delimited_text(operator: &str, stage: &DelimitedStage) -> String {
    let mut options = Vec::new();
    for (name, value) in [
        ("delim", &stage.delimiter),
        ("escape", &stage.escape),
        ("quote", &stage.quote),
    ] {
        if let Some(value) = value {
            options.push(format!("{name}={}", character(&value.node)));
        }
    }
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" {}", options.join(", "))
    };
    let columns: Vec<String> = stage
        .columns
        .iter()
        .map(|column| delimited_column(&column.node))
        .collect();
    format!(
        "{operator} {}{options} extract {}",
        field(&stage.field.node),
        columns.join(", ")
    )
}

/// Writes the value of `delim=`, `escape=` or `quote=`: one character in
/// single quotes, taken as it is, or a longer text as a string.
fn character(value: &str) -> String {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => format!("'{c}'"),
        _ => quote(value),
    }
}

fn delimited_column(column: &DelimitedColumn) -> String {
    match (&column.index, &column.name) {
        (Some(index), Some(name)) => format!("{index} as {}", field(name)),
        (Some(index), None) => format!("{index} as _"),
        (None, Some(name)) => field(name),
        (None, None) => "_".to_string(),
    }
}

fn fill_generator(generator: &FillGenerator) -> String {
    match generator {
        FillGenerator::Timeslice { span, field: name } => {
            let mut text = String::from("timeslice");
            if let Some(span) = span {
                let _ = write!(text, "({})", quantity(span));
            }
            if let Some(name) = name {
                let _ = write!(text, " in {}", field(name));
            }
            text
        }
        FillGenerator::Values {
            values,
            field: name,
        } => {
            let values: Vec<String> = values.iter().map(|value| quote(value)).collect();
            format!("values({}) in {}", values.join(", "), field(name))
        }
        FillGenerator::AllValues { field: name } => format!("values all in {}", field(name)),
    }
}

fn binary_symbol(operator: BinaryOperator) -> &'static str {
    match operator {
        BinaryOperator::And => "and",
        BinaryOperator::Or => "or",
        BinaryOperator::Equal => "=",
        BinaryOperator::NotEqual => "!=",
        BinaryOperator::Less => "<",
        BinaryOperator::LessOrEqual => "<=",
        BinaryOperator::Greater => ">",
        BinaryOperator::GreaterOrEqual => ">=",
        BinaryOperator::Add => "+",
        BinaryOperator::Subtract => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Remainder => "%",
    }
}

fn binary_level(operator: BinaryOperator) -> Level {
    match operator {
        BinaryOperator::Or => Level::Or,
        BinaryOperator::And => Level::And,
        BinaryOperator::Equal
        | BinaryOperator::NotEqual
        | BinaryOperator::Less
        | BinaryOperator::LessOrEqual
        | BinaryOperator::Greater
        | BinaryOperator::GreaterOrEqual => Level::Comparison,
        BinaryOperator::Add | BinaryOperator::Subtract => Level::Additive,
        BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Remainder => {
            Level::Multiplicative
        }
    }
}

fn expr_text(expression: &Spanned<Expr>) -> String {
    expr_at(expression, Level::Conditional)
}

/// Prints an expression in a place where at least `level` binds, adding
/// parentheses when it binds more loosely.
fn expr_at(expression: &Spanned<Expr>, level: Level) -> String {
    let (own, text) = match &expression.node {
        Expr::Field(name) => (Level::Primary, field(name)),
        Expr::String(text) => (Level::Primary, quote(text)),
        Expr::Number(value) => (Level::Primary, number(*value)),
        Expr::Quantity(value) => (Level::Primary, quantity(value)),
        Expr::Boolean(value) => (Level::Primary, value.to_string()),
        Expr::Regex(text) => (Level::Primary, regex_literal(text)),
        Expr::Subquery(subquery) => (Level::Primary, subquery_text(subquery)),
        Expr::Call { name, arguments } => {
            (Level::Primary, format!("{name}({})", expr_list(arguments)))
        }
        Expr::Not(operand) => (
            Level::Prefix,
            format!("!{}", expr_at(operand, Level::Prefix)),
        ),
        Expr::Negate(operand) => (
            Level::Prefix,
            format!("-{}", expr_at(operand, Level::Prefix)),
        ),
        Expr::Binary {
            operator,
            left,
            right,
        } => {
            let own = binary_level(*operator);
            let (left_level, right_level) = match own {
                // Comparisons do not chain, so both sides bind tighter.
                Level::Comparison => (Level::Additive, Level::Additive),
                Level::Or => (Level::Or, Level::And),
                Level::And => (Level::And, Level::Comparison),
                Level::Additive => (Level::Additive, Level::Multiplicative),
                _ => (Level::Multiplicative, Level::Prefix),
            };
            let text = format!(
                "{} {} {}",
                expr_at(left, left_level),
                binary_symbol(*operator),
                expr_at(right, right_level)
            );
            (own, text)
        }
        Expr::Matches { value, pattern } => (
            Level::Comparison,
            format!(
                "{} matches {}",
                expr_at(value, Level::Additive),
                expr_at(pattern, Level::Additive)
            ),
        ),
        Expr::In {
            value,
            list,
            negated,
        } => {
            let operator = if *negated { "not in" } else { "in" };
            (
                Level::Comparison,
                format!(
                    "{} {operator} ({})",
                    expr_at(value, Level::Additive),
                    expr_list(list)
                ),
            )
        }
        Expr::Conditional {
            condition,
            then,
            otherwise,
        } => (
            Level::Conditional,
            format!(
                "{} ? {} : {}",
                expr_at(condition, Level::Or),
                expr_at(then, Level::Conditional),
                expr_at(otherwise, Level::Conditional)
            ),
        ),
    };
    if own < level {
        format!("({text})")
    } else {
        text
    }
}
