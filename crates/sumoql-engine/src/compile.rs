//! Turns a syntax tree into a [`Plan`], reporting every problem it finds.

use std::collections::BTreeSet;

use sumoql_syntax::ast::{
    AggregateCall, BinaryOperator, Expr, FieldItem, FieldsMode, Query, SeriesFunction, SortKey,
    Span, Spanned, Stage,
};
use sumoql_syntax::Diagnostic;

use crate::aggregate::AggregateFunction;
use crate::explain::split_condition;
use crate::expr::{text_constant, Arithmetic, Comparison, CompiledExpr, Slot};
use crate::formats::{self, Extractor};
use crate::functions::Function;
use crate::operators::lookup::LookupSource;
use crate::pattern::{AnchorPattern, WildcardPattern};
use crate::plan::{Operator, Pipeline, Plan, StageSource, WhereTerms};
use crate::row::FieldTable;
use crate::scope::ScopeFilter;
use crate::sumo_regex::SumoRegex;
use crate::value::Value;

/// Regexes larger than this compiled size are rejected, so a pasted query
/// cannot make the engine build an enormous automaton.
const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;

/// Compiles a parsed query.
pub fn compile(query: &Query) -> Result<Plan, Vec<Diagnostic>> {
    compile_with(query, None)
}

/// Compiles a parsed query whose `lookup` stages read their tables from `lookups`.
pub fn compile_with(
    query: &Query,
    lookups: Option<&dyn LookupSource>,
) -> Result<Plan, Vec<Diagnostic>> {
    let mut compiler = Compiler {
        lookups,
        ..Compiler::default()
    };
    let (mut root, layout) = compiler.pipeline(query);
    if !compiler.diagnostics.is_empty() {
        return Err(compiler.diagnostics);
    }

    let shows_messages = !layout.explicit;
    let removed = layout.removed.clone();
    let columns = compiler.output_columns(layout);
    let shows_found_fields =
        shows_messages && crate::formats::show_found_fields(&mut root, &removed);
    let width = compiler.fields.len();
    let needed: BTreeSet<Slot> = columns.iter().copied().collect();
    finalize(&mut root, &needed, &compiler.fields, width);
    let shifted_needed = root.compare_inputs();
    for branch in &mut compiler.shifted {
        finalize(
            &mut branch.pipeline,
            &shifted_needed,
            &compiler.fields,
            width,
        );
    }

    Ok(Plan {
        fields: compiler.fields,
        root,
        columns,
        time_range: None,
        reads_time_range: compiler.reads_time_range,
        max_groups: crate::plan::DEFAULT_MAX_GROUPS,
        shifted: compiler.shifted,
        subqueries: compiler.subqueries,
        shows_found_fields,
    })
}

/// The columns a pipeline's rows show, tracked while compiling.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// Set once `fields` or an aggregate has fixed the exact column list.
    pub(crate) explicit: bool,
    pub(crate) columns: Vec<Slot>,
    /// Fields removed with `fields -`, which then also hides `_messageTime` or `_raw`.
    removed: Vec<Slot>,
    /// Result fields whose type is a number whatever the input, such as the
    /// output of `count` or `sum`; `fillmissing` fills them with 0.
    pub(crate) numeric: Vec<Slot>,
}

impl Layout {
    pub(crate) fn add(&mut self, slot: Slot) {
        if !self.columns.contains(&slot) {
            self.columns.push(slot);
        }
    }
}

#[derive(Default)]
pub(crate) struct Compiler<'l> {
    pub(crate) fields: FieldTable,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) lookups: Option<&'l dyn LookupSource>,
    pub(crate) reads_time_range: bool,
    /// The bucket width of the latest `timeslice`, for `fillmissing timeslice`.
    pub(crate) last_timeslice: Option<crate::operators::timeslice::SliceWidth>,
    /// Whether the stages being compiled are inside a `union`.
    pub(crate) in_union: bool,
    pub(crate) compare_seen: bool,
    /// The shifted copies of the stages before `compare`.
    pub(crate) shifted: Vec<crate::operators::compare::ShiftedBranch>,
    /// The subqueries of the scope and of expressions, in query order.
    pub(crate) subqueries: Vec<crate::subquery::SubqueryPlan>,
}

impl Compiler<'_> {
    pub(crate) fn pipeline(&mut self, query: &Query) -> (Pipeline, Layout) {
        let scope = ScopeFilter::compile(query.scope.as_ref(), &mut |subquery, span| {
            self.subquery(subquery, span)
        });
        let scope = match scope {
            Ok(scope) => scope,
            Err(diagnostic) => {
                self.diagnostics.push(*diagnostic);
                ScopeFilter::All
            }
        };

        let mut layout = Layout::default();
        let mut operators = Vec::new();
        let mut sources = Vec::new();
        let mut previous_was_parse = false;
        for (index, stage) in query.stages.iter().enumerate() {
            let is_parse = matches!(stage.node, Stage::Parse { .. } | Stage::ParseRegex { .. });
            let starts_chain = !previous_was_parse;
            previous_was_parse = is_parse;
            let operator = match &stage.node {
                Stage::Compare(shifts) => {
                    self.compare(query, index, shifts, &operators, &mut layout)
                }
                _ => self.stage(stage, starts_chain, &mut layout),
            };
            if let Some(operator) = operator {
                let terms = match &stage.node {
                    Stage::Where(condition) => self.where_terms(condition),
                    _ => None,
                };
                // Another process may have to compile a per-row stage again
                // from its text (see `crate::datafusion`).
                let text = Some(
                    sumoql_syntax::format_query(&Query {
                        scope: None,
                        stages: vec![stage.clone()],
                    })
                    .into(),
                );
                sources.push(StageSource {
                    span: stage.span.clone(),
                    terms,
                    text,
                });
                operators.push(operator);
            }
        }
        let pipeline = Pipeline {
            scope,
            scope_span: query.scope.as_ref().map(|scope| scope.span.clone()),
            operators,
            sources,
        };
        (pipeline, layout)
    }

    /// Compiles the top-level terms of a `where` condition one by one, so an
    /// explained run can count the rows each lets through. The whole
    /// condition compiled already, so its terms add no diagnostics.
    fn where_terms(&mut self, condition: &Spanned<Expr>) -> Option<WhereTerms> {
        let split = split_condition(condition)?;
        let mut terms = Vec::with_capacity(split.terms.len());
        for term in split.terms {
            terms.push((term.span.clone(), self.expr(term)?));
        }
        Some(WhereTerms {
            join: split.join,
            negated: split.negated,
            terms,
        })
    }

    fn stage(
        &mut self,
        stage: &Spanned<Stage>,
        starts_chain: bool,
        layout: &mut Layout,
    ) -> Option<Operator> {
        match &stage.node {
            Stage::Where(condition) => Some(Operator::Where(self.expr(condition)?)),
            Stage::Parse {
                field,
                pattern,
                names,
                nodrop,
            } => {
                let anchors = AnchorPattern::new(&pattern.node);
                if anchors.capture_count() != names.len() {
                    self.diagnostics.push(Diagnostic::error(
                        "parse pattern and field list differ in length",
                        pattern.span.clone(),
                        format!(
                            "this pattern has {} `*` but {} field names follow `as`",
                            anchors.capture_count(),
                            names.len()
                        ),
                    ));
                    return None;
                }
                let source = self.source_slot(field.as_ref());
                let targets: Vec<Slot> = names
                    .iter()
                    .map(|name| self.fields.slot(&name.node))
                    .collect();
                targets.iter().for_each(|slot| layout.add(*slot));
                Some(Operator::Parse {
                    source,
                    pattern: anchors,
                    targets,
                    nodrop: *nodrop,
                    starts_chain,
                })
            }
            Stage::ParseRegex {
                field,
                regex,
                multi,
                nodrop,
            } => {
                let compiled = self.regex(&regex.node, &regex.span, false)?;
                let targets: Vec<(usize, Slot)> = compiled
                    .capture_names()
                    .into_iter()
                    .enumerate()
                    .filter_map(|(index, name)| Some((index, self.fields.slot(&name?))))
                    .collect();
                if targets.is_empty() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "regex has no named capture group",
                            regex.span.clone(),
                            "parse regex needs at least one `(?<name>…)` group",
                        )
                        .with_help("name the group to extract, for example `(?<user>\\w+)`"),
                    );
                    return None;
                }
                let source = self.source_slot(field.as_ref());
                targets.iter().for_each(|(_, slot)| layout.add(*slot));
                Some(Operator::ParseRegex {
                    source,
                    regex: compiled,
                    targets,
                    multi: *multi,
                    nodrop: *nodrop,
                    starts_chain,
                })
            }
            Stage::Assign { value, name } => {
                let value = self.expr(value)?;
                let target = self.fields.slot(&name.node);
                layout.add(target);
                Some(Operator::Assign { target, value })
            }
            Stage::Fields { mode, items } => self.fields_stage(*mode, items, layout),
            Stage::Union(subquery) => {
                let outer_in_union = std::mem::replace(&mut self.in_union, true);
                let (sub, sub_layout) = self.pipeline(&subquery.node);
                self.in_union = outer_in_union;
                layout.explicit = layout.explicit && sub_layout.explicit;
                for slot in sub_layout.columns {
                    layout.add(slot);
                }
                layout.removed.extend(sub_layout.removed);
                Some(Operator::Union(sub))
            }
            Stage::Sort(keys) => {
                let keys = keys
                    .iter()
                    .map(|key: &Spanned<SortKey>| {
                        Some((self.expr(&key.node.key)?, key.node.direction))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(Operator::Sort {
                    keys,
                    materialize: Vec::new(),
                })
            }
            Stage::Aggregate { functions, by } => self.aggregate(functions, by, layout),
            Stage::Limit(count) => Some(Operator::Limit(*count)),
            Stage::Timeslice { span, alias } => {
                self.timeslice(span.as_ref(), alias.as_ref(), layout)
            }
            Stage::Lookup(lookup) => self.lookup(lookup, &stage.span, layout),
            Stage::Top { count, fields, by } => self.top(*count, fields, by, layout),
            Stage::TopK { count, fields, by } => self.topk(*count, fields, by, layout),
            Stage::CountFrequent(fields) => self.count_frequent(fields, layout),
            Stage::FillMissing {
                generators,
                defaults,
                take_last,
            } => self.fill_missing(generators, defaults, *take_last, &stage.span, layout),
            Stage::Dedup {
                consecutive,
                count,
                by,
            } => self.dedup(*consecutive, *count, by),
            Stage::Series {
                function: function @ (SeriesFunction::Accum | SeriesFunction::Total),
                field,
                window: None,
                alias,
                by,
            } => self.series(*function, field, alias.as_ref(), by, &stage.span, layout),
            Stage::Series {
                function:
                    function @ (SeriesFunction::Smooth
                    | SeriesFunction::RollingStd
                    | SeriesFunction::Backshift
                    | SeriesFunction::Diff),
                field,
                window,
                alias,
                by,
            } => self.moving_window(
                *function,
                field,
                *window,
                alias.as_ref(),
                by,
                &stage.span,
                layout,
            ),
            Stage::Outlier { field, by, options } => self.outlier(field, by, options, layout),
            Stage::Transactionize {
                fields,
                alias,
                options,
                subquery,
            } => self.transactionize(fields, alias.as_ref(), options, subquery.as_deref(), layout),
            Stage::Merge(fields) => self.merge(fields, layout),
            Stage::Filter { field, query } => self.filter(field, query),
            Stage::Predict {
                field,
                interval,
                options,
            } => self.predict(field, interval, options, &stage.span, layout),
            Stage::Join {
                tables,
                on,
                time_window,
            } => self.join(tables, on, time_window.as_ref(), layout),
            Stage::Withtime(field) => self.withtime(field, layout),
            Stage::Transpose {
                rows,
                columns,
                outputs,
            } => self.transpose(rows, columns, outputs, &stage.span, layout),
            Stage::Evaluate(expression) => self.evaluate_stage(expression, layout),
            Stage::ParseMulti {
                field,
                patterns,
                nodrop,
            } => {
                let source = self.source_slot(field.as_ref());
                let extractor = formats::anchors(patterns, *nodrop, &mut self.fields);
                self.extract(source, extractor, layout)
            }
            Stage::Json(json) => {
                let source = self.source_slot(json.field.as_ref());
                let extractor = formats::json(json, &mut self.fields);
                self.extract(source, extractor, layout)
            }
            Stage::KeyValue(keyvalue) => {
                let source = self.source_slot(keyvalue.field.as_ref());
                let extractor = formats::keyvalue(keyvalue, &mut self.fields, REGEX_SIZE_LIMIT);
                self.extract(source, extractor, layout)
            }
            Stage::Csv(delimited) | Stage::Split(delimited) => {
                let source = self.fields.slot(&delimited.field.node);
                let csv = matches!(stage.node, Stage::Csv(_));
                let extractor = formats::delimited(delimited, csv, &mut self.fields);
                self.extract(source, extractor, layout)
            }
            Stage::ParseXml {
                field,
                paths,
                names,
                nodrop,
            } => {
                let source = self.source_slot(field.as_ref());
                let extractor = formats::xml(paths, names, *nodrop, &mut self.fields);
                self.extract(source, extractor, layout)
            }
            Stage::Geoip(_)
            | Stage::ThreatIp(_)
            | Stage::ThreatLookup { .. }
            | Stage::Infer(_)
            | Stage::LogReduce { .. }
            | Stage::LogCompare { .. }
            | Stage::Save { .. } => {
                let reason = match &stage.node {
                    Stage::Geoip(_) => "it looks addresses up in Sumo's geolocation database, which sumoql does not have",
                    Stage::ThreatIp(_) | Stage::ThreatLookup { .. } => {
                        "it looks indicators up in Sumo's threat intelligence service, which sumoql cannot reach"
                    }
                    Stage::Infer(_) => "it runs Sumo's machine-learning models, which exist only in Sumo's service",
                    Stage::LogReduce { .. } | Stage::LogCompare { .. } => {
                        "it groups messages by signatures that Sumo's own clustering algorithm finds, which sumoql cannot reproduce"
                    }
                    _ => "it writes a lookup table into a Sumo account",
                };
                self.diagnostics.push(
                    Diagnostic::error(
                        format!("operator `{}` cannot run offline", stage.node.name()),
                        stage.span.clone(),
                        reason,
                    )
                    .with_help("remove this stage to run the rest of the query with sumoql"),
                );
                None
            }
            unsupported => {
                self.diagnostics.push(
                    Diagnostic::error(
                        format!(
                            "operator `{}` is not supported by sumoql yet",
                            unsupported.name()
                        ),
                        stage.span.clone(),
                        "parsed, but sumoql cannot run it yet",
                    )
                    .with_help("grammar.md lists the operators sumoql runs"),
                );
                None
            }
        }
    }

    /// Finishes a `json`, `keyvalue`, `csv`, `split`, `parse xml` or
    /// multi-pattern `parse` stage, whose extracted fields become result columns.
    fn extract(
        &mut self,
        source: Slot,
        extractor: Result<Extractor, Diagnostic>,
        layout: &mut Layout,
    ) -> Option<Operator> {
        match extractor {
            Ok(extractor) => {
                extractor
                    .targets()
                    .into_iter()
                    .for_each(|slot| layout.add(slot));
                Some(Operator::Extract { source, extractor })
            }
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// A function call written as a whole stage, such as `| num(x)`. Sumo
    /// documents only `num(x)` alone, converting `x` in place; sumoql does
    /// the same for every function whose first argument is a field, which
    /// is how real queries use `| toLowerCase(x)` or `| urldecode(x)`. A
    /// test such as `| isPrivateIP(ip)`, or a call on something other than
    /// a field, stores its result in `_` and the function name in lower
    /// case (`_isprivateip`), after Sumo's default names for aggregates.
    fn evaluate_stage(
        &mut self,
        expression: &Spanned<Expr>,
        layout: &mut Layout,
    ) -> Option<Operator> {
        let Expr::Call { name, arguments } = &expression.node else {
            self.diagnostics.push(Diagnostic::error(
                "expected `as` after the expression",
                expression.span.clone(),
                "a computed value needs a name: `<expression> as <field>`",
            ));
            return None;
        };
        let value = self.expr(expression)?;
        let is_predicate = Function::by_name(name).is_some_and(Function::is_predicate);
        let target = match arguments.first().map(|argument| &argument.node) {
            Some(Expr::Field(field)) if !is_predicate => self.fields.slot(field),
            _ => self.fields.slot(&format!("_{}", name.to_ascii_lowercase())),
        };
        layout.add(target);
        Some(Operator::Assign { target, value })
    }

    fn source_slot(&mut self, field: Option<&Spanned<String>>) -> Slot {
        match field {
            Some(field) => self.fields.slot(&field.node),
            None => self.fields.slot("_raw"),
        }
    }

    fn fields_stage(
        &mut self,
        mode: FieldsMode,
        items: &[Spanned<FieldItem>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        // Sumo rejects a field listed twice: "Make sure that your query does
        // not repeat or duplicate individual fields, or your search query will fail."
        let mut seen = BTreeSet::new();
        for item in items {
            let shown = item.node.alias.as_ref().unwrap_or(&item.node.name);
            if !seen.insert(shown.to_ascii_lowercase()) {
                self.diagnostics.push(Diagnostic::error(
                    "field listed twice",
                    item.span.clone(),
                    format!("`{shown}` already appears in this `fields` list"),
                ));
                return None;
            }
        }

        match mode {
            FieldsMode::Keep => {
                let mut kept = Vec::new();
                let mut copies = Vec::new();
                for item in items {
                    let source = self.fields.slot(&item.node.name);
                    let shown = match &item.node.alias {
                        Some(alias) => {
                            let target = self.fields.slot(alias);
                            copies.push((source, target));
                            target
                        }
                        None => source,
                    };
                    kept.push(shown);
                }
                layout.explicit = true;
                layout.columns = kept.clone();
                Some(Operator::Keep {
                    kept,
                    copies,
                    mask: Vec::new(),
                })
            }
            FieldsMode::Remove => {
                let mut removed = Vec::new();
                for item in items {
                    if item.node.alias.is_some() {
                        self.diagnostics.push(Diagnostic::error(
                            "renaming inside `fields -` is not supported",
                            item.span.clone(),
                            "remove the `as` part",
                        ));
                        return None;
                    }
                    removed.push(self.fields.slot(&item.node.name));
                }
                layout.columns.retain(|slot| !removed.contains(slot));
                layout.removed.extend(removed.iter().copied());
                Some(Operator::Remove(removed))
            }
        }
    }

    fn aggregate(
        &mut self,
        calls: &[Spanned<AggregateCall>],
        by: &[Spanned<Expr>],
        layout: &mut Layout,
    ) -> Option<Operator> {
        let mut keys = Vec::new();
        for key in by {
            match &key.node {
                Expr::Field(name) => keys.push(self.fields.slot(name)),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "group key is not a field",
                            key.span.clone(),
                            "expected a field name",
                        )
                        .with_help(
                            "compute the value first with `… as name`, then group by `name`",
                        ),
                    );
                    return None;
                }
            }
        }

        let mut functions = Vec::new();
        let mut outputs: Vec<Slot> = Vec::new();
        for call in &crate::operators::aggregates::split_percentiles(calls) {
            let AggregateCall {
                function,
                arguments,
                alias,
            } = &call.node;
            let Some((kind, default_name)) = self.resolve_aggregate(function, arguments) else {
                self.diagnostics.push(
                    Diagnostic::error(
                        format!("unsupported aggregate `{function}` with {} argument(s)", arguments.len()),
                        call.span.clone(),
                        "not an aggregate sumoql runs",
                    )
                    .with_help("supported: count, count(x), count_distinct(x), sum(x), avg(x), min(x), max(x), values(x), first(x), last(x), most_recent(x), least_recent(x), pct(x, p), stddev(x)"),
                );
                return None;
            };
            let argument = match arguments.first() {
                Some(argument) => Some(self.expr(argument)?),
                None => None,
            };
            let name = alias
                .as_ref()
                .map_or(default_name.as_str(), |alias| alias.node.as_str());
            let output = self.fields.slot(name);
            // A result may take the name of a group field: Sumo's own
            // published queries do it (`most_recent(state_withtime) as
            // state by id, state`) and then read the result under that name.
            // The result replaces the key's value in the output row.
            if outputs.contains(&output) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "two results share one name",
                        call.span.clone(),
                        format!("`{name}` is already a column"),
                    )
                    .with_help("give each aggregate its own name with `as`"),
                );
                return None;
            }
            outputs.push(output);
            functions.push((AggregateFunction { kind, argument }, output));
        }

        layout.explicit = true;
        layout.columns = keys
            .iter()
            .chain(outputs.iter().filter(|output| !keys.contains(output)))
            .copied()
            .collect();
        layout.numeric = functions
            .iter()
            .filter(|(function, _)| function.kind.gives_number())
            .map(|(_, output)| *output)
            .collect();
        Some(Operator::Aggregate { keys, functions })
    }

    fn regex(&mut self, pattern: &str, span: &Span, anchored: bool) -> Option<SumoRegex> {
        let text = if anchored {
            format!("^(?:{pattern})$")
        } else {
            pattern.to_string()
        };
        match SumoRegex::new(&text, REGEX_SIZE_LIMIT) {
            Ok(regex) => Some(regex),
            Err(error) => {
                let mut diagnostic =
                    Diagnostic::error("invalid regular expression", span.clone(), error.reason);
                if error.too_big {
                    diagnostic = diagnostic.with_help(
                        "use smaller repetition counts, such as `+` in place of `{1000}`, or fewer alternatives",
                    );
                }
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    pub(crate) fn expr(&mut self, expr: &Spanned<Expr>) -> Option<CompiledExpr> {
        let compiled = match &expr.node {
            Expr::Field(name) => CompiledExpr::Field(self.fields.slot(name)),
            Expr::String(text) => text_constant(text),
            Expr::Number(number) => CompiledExpr::Constant(Some(Value::Number(*number))),
            Expr::Boolean(flag) => CompiledExpr::Constant(Some(Value::Boolean(*flag))),
            Expr::Regex(_) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "regex literal out of place",
                        expr.span.clone(),
                        "a regex can only follow `matches` or be a function argument",
                    )
                    .with_help("to compare text, use a quoted string"),
                );
                return None;
            }
            Expr::Not(inner) => CompiledExpr::Not(Box::new(self.expr(inner)?)),
            Expr::Negate(inner) => CompiledExpr::Negate(Box::new(self.expr(inner)?)),
            Expr::Binary {
                operator,
                left,
                right,
            } => {
                let left = Box::new(self.expr(left)?);
                let right = Box::new(self.expr(right)?);
                binary(*operator, left, right)
            }
            Expr::Matches { value, pattern } => {
                let value = Box::new(self.expr(value)?);
                match &pattern.node {
                    Expr::String(text) => {
                        CompiledExpr::MatchesWildcard(value, WildcardPattern::new(text))
                    }
                    Expr::Regex(source) => {
                        // Sumo's `matches` covers the whole value for both forms.
                        CompiledExpr::MatchesRegex(value, self.regex(source, &pattern.span, true)?)
                    }
                    _ => CompiledExpr::MatchesComputed(value, Box::new(self.expr(pattern)?)),
                }
            }
            Expr::In {
                value,
                list,
                negated,
            } => {
                let value = Box::new(self.expr(value)?);
                let list = list
                    .iter()
                    .map(|item| self.expr(item))
                    .collect::<Option<Vec<_>>>()?;
                CompiledExpr::In {
                    value,
                    list,
                    negated: *negated,
                }
            }
            Expr::Call { name, arguments } => self.call(name, arguments, &expr.span)?,
            Expr::Conditional {
                condition,
                then,
                otherwise,
            } => CompiledExpr::Conditional(
                Box::new(self.expr(condition)?),
                Box::new(self.expr(then)?),
                Box::new(self.expr(otherwise)?),
            ),
            // "The suffix multiplies the number" (Sumo doc, field
            // expressions): `5m` is 300000 milliseconds, `1Gi` 1073741824.
            Expr::Quantity(quantity) => {
                CompiledExpr::Constant(Some(Value::Number(quantity.value())))
            }
            Expr::Subquery(subquery) => {
                let filter = self.subquery(subquery, &expr.span)?;
                let slots = filter
                    .fields
                    .iter()
                    .map(|field| self.fields.slot(field))
                    .collect();
                CompiledExpr::Subquery { filter, slots }
            }
        };
        Some(compiled)
    }

    fn call(
        &mut self,
        name: &str,
        arguments: &[Spanned<Expr>],
        span: &Span,
    ) -> Option<CompiledExpr> {
        if name.eq_ignore_ascii_case("if") {
            if arguments.len() != 3 {
                self.diagnostics.push(Diagnostic::error(
                    "wrong number of arguments",
                    span.clone(),
                    format!(
                        "`if` takes 3 arguments (condition, then, else), found {}",
                        arguments.len()
                    ),
                ));
                return None;
            }
            return Some(CompiledExpr::Conditional(
                Box::new(self.expr(&arguments[0])?),
                Box::new(self.expr(&arguments[1])?),
                Box::new(self.expr(&arguments[2])?),
            ));
        }

        if let Some(end) = query_time_bound(name) {
            if !arguments.is_empty() {
                self.diagnostics.push(Diagnostic::error(
                    "wrong number of arguments",
                    span.clone(),
                    format!("`{name}` takes no arguments, found {}", arguments.len()),
                ));
                return None;
            }
            self.reads_time_range = true;
            return Some(CompiledExpr::QueryTime { end });
        }

        let Some(function) = Function::by_name(name) else {
            let mut diagnostic = Diagnostic::error(
                format!("unknown function `{name}`"),
                span.clone(),
                "not a function sumoql knows",
            );
            if let Some(suggestion) = closest_name(name, Function::names()) {
                diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
            }
            self.diagnostics.push(diagnostic);
            return None;
        };

        let arity = function.arity();
        if !arity.contains(&arguments.len()) {
            let expected = if arity.start() == arity.end() {
                format!("{}", arity.start())
            } else {
                format!("{} to {}", arity.start(), arity.end())
            };
            self.diagnostics.push(Diagnostic::error(
                "wrong number of arguments",
                span.clone(),
                format!(
                    "`{name}` takes {expected} argument(s), found {}",
                    arguments.len()
                ),
            ));
            return None;
        }

        let mut compiled = Vec::with_capacity(arguments.len());
        for argument in arguments {
            match &argument.node {
                Expr::Regex(source) if function == Function::Replace => {
                    compiled.push(CompiledExpr::RegexArgument(self.regex(
                        source,
                        &argument.span,
                        false,
                    )?));
                }
                _ => compiled.push(self.expr(argument)?),
            }
        }
        Some(CompiledExpr::Call(function, compiled))
    }

    fn output_columns(&mut self, layout: Layout) -> Vec<Slot> {
        if layout.explicit {
            return layout.columns;
        }
        // Message results show the time, the extracted fields, then the message.
        let message_time = self.fields.slot("_messageTime");
        let raw = self.fields.slot("_raw");
        let mut columns = Vec::new();
        if !layout.removed.contains(&message_time) {
            columns.push(message_time);
        }
        columns.extend(
            layout
                .columns
                .iter()
                .copied()
                .filter(|slot| *slot != message_time && *slot != raw),
        );
        if !layout.removed.contains(&raw) {
            columns.push(raw);
        }
        columns
    }
}

fn binary(
    operator: BinaryOperator,
    left: Box<CompiledExpr>,
    right: Box<CompiledExpr>,
) -> CompiledExpr {
    let comparison = |comparison| CompiledExpr::Compare(comparison, left.clone(), right.clone());
    let arithmetic = |arithmetic| CompiledExpr::Arithmetic(arithmetic, left.clone(), right.clone());
    match operator {
        BinaryOperator::And => CompiledExpr::And(left, right),
        BinaryOperator::Or => CompiledExpr::Or(left, right),
        BinaryOperator::Equal => comparison(Comparison::Equal),
        BinaryOperator::NotEqual => comparison(Comparison::NotEqual),
        BinaryOperator::Less => comparison(Comparison::Less),
        BinaryOperator::LessOrEqual => comparison(Comparison::LessOrEqual),
        BinaryOperator::Greater => comparison(Comparison::Greater),
        BinaryOperator::GreaterOrEqual => comparison(Comparison::GreaterOrEqual),
        BinaryOperator::Add => arithmetic(Arithmetic::Add),
        BinaryOperator::Subtract => arithmetic(Arithmetic::Subtract),
        BinaryOperator::Multiply => arithmetic(Arithmetic::Multiply),
        BinaryOperator::Divide => arithmetic(Arithmetic::Divide),
        BinaryOperator::Remainder => arithmetic(Arithmetic::Remainder),
    }
}

/// Fills in what needs the whole plan: the `fields` masks, which need every
/// field name, and the fields each `sort` must copy out of the record, which
/// are those read after it. `needed_after` contains the fields read once
/// rows leave this pipeline.
fn finalize(
    pipeline: &mut Pipeline,
    needed_after: &BTreeSet<Slot>,
    fields: &FieldTable,
    width: usize,
) {
    let mut needed = needed_after.clone();
    for operator in pipeline.operators.iter_mut().rev() {
        match operator {
            Operator::Where(condition) => condition.visit_slots(&mut |slot| {
                needed.insert(slot);
            }),
            Operator::Parse { source, .. } | Operator::ParseRegex { source, .. } => {
                needed.insert(*source);
            }
            Operator::Assign { value, .. } => value.visit_slots(&mut |slot| {
                needed.insert(slot);
            }),
            Operator::Extract { source, .. } => {
                needed.insert(*source);
            }
            Operator::Keep { kept, copies, mask } => {
                // "Allowlist queries allow all system internal fields (fields
                // prefixed with an underscore) to pass."
                *mask = (0..width)
                    .map(|slot| kept.contains(&slot) || fields.display_name(slot).starts_with('_'))
                    .collect();
                needed.extend(copies.iter().map(|(source, _)| *source));
            }
            Operator::Remove(_) | Operator::Limit(_) => {}
            Operator::Timeslice(timeslice) => {
                needed.insert(timeslice.time);
            }
            Operator::Lookup(lookup) => needed.extend(lookup.keys.iter().copied()),
            Operator::Holding(holding) => needed = holding.finalize(&needed),
            Operator::Union(sub) => finalize(sub, &needed, fields, width),
            Operator::Sort { keys, materialize } => {
                *materialize = needed.iter().copied().collect();
                for (key, _) in keys.iter() {
                    key.visit_slots(&mut |slot| {
                        needed.insert(slot);
                    });
                }
            }
            Operator::Aggregate { keys, functions } => {
                // Rows after an aggregate are new; only its inputs come from records.
                needed = keys.iter().copied().collect();
                for (function, _) in functions.iter() {
                    needed.extend(function.time_slot());
                    if let Some(argument) = &function.argument {
                        argument.visit_slots(&mut |slot| {
                            needed.insert(slot);
                        });
                    }
                }
            }
        }
    }
}

/// Returns whether `name` is `queryEndTime` (true) or `queryStartTime`
/// (false), or `None` for any other name.
fn query_time_bound(name: &str) -> Option<bool> {
    match name.to_ascii_lowercase().as_str() {
        "querystarttime" => Some(false),
        "queryendtime" => Some(true),
        _ => None,
    }
}

/// Returns the candidate closest to `name` when it is within two edits.
pub(crate) fn closest_name<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|candidate| {
            (
                edit_distance(&name, &candidate.to_ascii_lowercase()),
                *candidate,
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}
