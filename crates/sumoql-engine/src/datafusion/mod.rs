//! Runs compiled plans on Apache DataFusion: a [`Plan`] becomes a DataFusion
//! `LogicalPlan` over a table of records, and sumoql's semantics travel as
//! the scalar functions of [`scalar_functions`].
//!
//! The translation keeps the native engine's rows and their order:
//! - every field slot of the plan is a column `__sN` holding a value struct
//!   ([`value_type`]); a slot starts as the record's field of the same name
//!   (case-insensitive), or null when the table has no such column;
//! - `__order` (bytes, compared as such) orders rows as the native engine
//!   would see them at that point. It starts with a phase: 0 for rows that
//!   stream while records are read, and the stage's place for rows a `sort`,
//!   an aggregate or a row-holding stage releases when the run finishes, since
//!   the native engine releases them stage by stage in that order. Then comes the
//!   record position and branch of a streaming row, or the rank among the
//!   released rows; `parse regex … multi` appends the match index. The
//!   result is sorted by it, so rows come out in the native engine's order;
//! - `__chain` carries "a `parse … nodrop` of this run of parse stages
//!   matched", which keeps a row through later failing parses.
//!
//! The table must have a column `__sumoql_seq` (UInt64): the record's
//! position in reading order, below 2^56.

mod udaf;
mod udf;
mod value;

use std::collections::HashMap;

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, ScalarValue};
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, max, min, sum};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{
    cast, lit, when, Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder,
};
use sumoql_syntax::ast::{SortDirection, Span};
use sumoql_syntax::Diagnostic;

pub use udaf::aggregate_functions;
pub use udf::scalar_functions;
pub use value::value_type;

use crate::aggregate::{AggregateFunction, AggregateKind};
use crate::expr::{Arithmetic, Comparison, CompiledExpr, Slot};
use crate::functions::Function;
use crate::operators::aggregates::ExtraAggregate;
use crate::operators::holding::HoldingKind;
use crate::plan::{Operator, Pipeline, Plan, StageSource};
use crate::scope::ScopeFilter;
use crate::{ResultTable, Value};

/// The column a table must provide: the record's position in reading order.
pub const SEQUENCE_COLUMN: &str = "__sumoql_seq";

const ORDER: &str = "__order";
const CHAIN: &str = "__chain";
const CAPTURES: &str = "__captures";

/// The most `union` branches a query may have.
const MAX_BRANCHES: usize = 255;

/// Registers sumoql's scalar and aggregate functions in `context`.
pub fn register(context: &datafusion::prelude::SessionContext) {
    for function in scalar_functions() {
        context.register_udf(function.as_ref().clone());
    }
    for function in aggregate_functions() {
        context.register_udaf(function.as_ref().clone());
    }
}

fn slot_column(slot: Slot) -> String {
    format!("__s{slot}")
}

fn column(name: &str) -> Expr {
    Expr::Column(Column::new_unqualified(name))
}

fn call(name: &str, arguments: Vec<Expr>) -> Expr {
    udf::function(name).call(arguments)
}

fn null_value() -> Expr {
    call("sumo_value", vec![lit(ScalarValue::Null)])
}

fn value_literal(value: Option<&Value>) -> Expr {
    match value {
        None => null_value(),
        Some(Value::Text(text)) => call("sumo_value", vec![lit(text.as_ref())]),
        Some(Value::Number(number)) => call("sumo_value", vec![lit(*number)]),
        Some(Value::Boolean(flag)) => call("sumo_value", vec![lit(*flag)]),
    }
}

fn eval(spec: &str, operands: Vec<Expr>) -> Expr {
    let mut arguments = vec![lit(spec)];
    arguments.extend(operands);
    call("sumo_eval", arguments)
}

/// Returns the names of the record fields a translated plan reads from its
/// table: the fields the query names, and those its scopes test. A table
/// built for the plan needs these columns (and [`SEQUENCE_COLUMN`]); a
/// missing one reads as null.
pub fn table_fields(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = (0..plan.fields.len())
        .map(|slot| plan.fields.display_name(slot).to_string())
        .collect();
    let mut add = |name: &str| {
        if !names.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    };
    fn scope_fields(filter: &ScopeFilter, add: &mut dyn FnMut(&str)) {
        match filter {
            ScopeFilter::All | ScopeFilter::Subquery(_) => {}
            ScopeFilter::Keyword { .. } => add("_raw"),
            ScopeFilter::Term {
                lowercase_field, ..
            } => add(lowercase_field),
            ScopeFilter::And(left, right) | ScopeFilter::Or(left, right) => {
                scope_fields(left, add);
                scope_fields(right, add);
            }
            ScopeFilter::Not(inner) => scope_fields(inner, add),
        }
    }
    fn pipeline_fields(pipeline: &Pipeline, add: &mut dyn FnMut(&str)) {
        scope_fields(&pipeline.scope, add);
        for operator in &pipeline.operators {
            if let Operator::Union(sub) = operator {
                pipeline_fields(sub, add);
            }
        }
    }
    pipeline_fields(&plan.root, &mut add);
    if plan.time_range.is_some() {
        add("_messageTime");
    }
    names
}

/// Translates `plan` into a DataFusion logical plan over `table`, a plan
/// (usually a table scan) whose columns are record fields, matched to the
/// query's field names without regard to case, and [`SEQUENCE_COLUMN`].
///
/// The result has one column per result column of the query, in order,
/// holding value structs; [`result_table`] turns its batches into rows.
/// What cannot be translated is an error at the operator, scope term or
/// expression that needs it.
pub fn translate(plan: &Plan, table: LogicalPlan) -> Result<LogicalPlan, Diagnostic> {
    translate_reading(plan, table, |_| true)
}

/// Translates like [`translate`], reading only the table columns for which
/// `is_field` holds as record fields; the query sees the others as absent.
/// A Parquet ingest contains the `<EventData>` values of Windows events as
/// columns, which the native engine does not read as fields: a query parses
/// them out of `_raw`.
pub fn translate_reading(
    plan: &Plan,
    table: LogicalPlan,
    is_field: impl Fn(&str) -> bool,
) -> Result<LogicalPlan, Diagnostic> {
    let columns = table
        .schema()
        .columns()
        .into_iter()
        .filter(|column| column.name == SEQUENCE_COLUMN || is_field(&column.name))
        .map(|column| (column.name.to_ascii_lowercase(), column.name))
        .collect();
    let translator = Translator {
        plan,
        table,
        columns,
    };
    translator.run().map_err(|error| error.diagnostic(plan))
}

/// Turns the batches of a translated plan into the native engine's result.
pub fn result_table(
    plan: &Plan,
    batches: &[RecordBatch],
) -> datafusion::common::Result<ResultTable> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<&ArrayRef> = batch.columns().iter().collect();
        let views = columns
            .iter()
            .map(|array| value::Values::new(array))
            .collect::<datafusion::common::Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            rows.push(views.iter().map(|values| values.get(row)).collect());
        }
    }
    Ok(ResultTable {
        columns: plan.column_names(),
        rows,
    })
}

/// The reason a plan cannot be translated, and where.
struct Untranslatable {
    span: Option<Span>,
    what: String,
}

impl Untranslatable {
    fn diagnostic(self, plan: &Plan) -> Diagnostic {
        let message = format!("{} cannot run on DataFusion yet", self.what);
        let span = self
            .span
            .or_else(|| plan.root.scope_span.clone())
            .unwrap_or(0..0);
        Diagnostic::error(message, span, "not translatable to DataFusion")
            .with_help("run this query on the native engine (the default, `--engine native`)")
    }
}

type Translated<T> = Result<T, Untranslatable>;

fn planning(error: datafusion::common::DataFusionError) -> Untranslatable {
    Untranslatable {
        span: None,
        what: format!("this query (DataFusion planning failed: {error})"),
    }
}

struct Translator<'p> {
    plan: &'p Plan,
    table: LogicalPlan,
    /// Table column names by lower-case name.
    columns: HashMap<String, String>,
}

/// The context of a stage's translation: the stages before it and its phase.
struct Context<'s> {
    earlier: &'s [StageSource],
    /// The phase in which this stage releases rows it held.
    phase: u32,
}

/// Returns the order of a row released at `phase` with `rank` among the released rows.
fn released_order(phase: u32, rank: Expr) -> Expr {
    call("sumo_order", vec![lit("rank"), lit(phase as u64), rank])
}

/// The columns of a relation: one expression per slot, then `__order` and `__chain`.
struct Row {
    slots: Vec<Expr>,
    order: Expr,
    chain: Expr,
}

impl Row {
    /// Returns a row of every column as it is.
    fn current(width: usize) -> Row {
        Row {
            slots: (0..width).map(|slot| column(&slot_column(slot))).collect(),
            order: column(ORDER),
            chain: column(CHAIN),
        }
    }

    /// Returns the row's expressions, each named after its column.
    fn named(self) -> Vec<Expr> {
        let mut expressions: Vec<Expr> = self
            .slots
            .into_iter()
            .enumerate()
            .map(|(slot, expression)| expression.alias(slot_column(slot)))
            .collect();
        expressions.push(self.order.alias(ORDER));
        expressions.push(self.chain.alias(CHAIN));
        expressions
    }

    fn project(self, builder: LogicalPlanBuilder) -> Translated<LogicalPlanBuilder> {
        builder.project(self.named()).map_err(planning)
    }
}

impl Translator<'_> {
    fn width(&self) -> usize {
        self.plan.fields.len()
    }

    fn run(&self) -> Translated<LogicalPlan> {
        let root = self.pipeline(&self.plan.root, 0, None)?;
        let mut result: Vec<Expr> = self
            .plan
            .columns
            .iter()
            .enumerate()
            .map(|(index, slot)| column(&slot_column(*slot)).alias(format!("__c{index}")))
            .collect();
        // Keeps the order column until after the sort.
        result.push(column(ORDER));
        let ordered = root
            .sort(vec![column(ORDER).sort(true, false)])
            .and_then(|builder| builder.project(result.clone()))
            .and_then(|builder| {
                builder.project(
                    (0..self.plan.columns.len()).map(|index| column(&format!("__c{index}"))),
                )
            })
            .and_then(|builder| builder.build())
            .map_err(planning)?;
        Ok(ordered)
    }

    fn table_column(&self, name: &str) -> Option<Expr> {
        self.columns
            .get(&name.to_ascii_lowercase())
            .map(|name| column(name))
    }

    /// Returns the record field `name` as a value, null when the table lacks it.
    fn field(&self, name: &str) -> Expr {
        match self.table_column(name) {
            Some(column) => call("sumo_value", vec![column]),
            None => null_value(),
        }
    }

    /// Translates a pipeline: the root one (branch 0), or the `union`
    /// branch numbered `branch` at `union_at` in the root pipeline.
    fn pipeline(
        &self,
        pipeline: &Pipeline,
        branch: usize,
        union_at: Option<usize>,
    ) -> Translated<LogicalPlanBuilder> {
        let Some(sequence) = self.table_column(SEQUENCE_COLUMN) else {
            return Err(Untranslatable {
                span: None,
                what: format!("a table without the `{SEQUENCE_COLUMN}` column"),
            });
        };
        let mut builder = LogicalPlanBuilder::from(self.table.clone());
        if let Some(range) = self.plan.time_range {
            let condition = call(
                "sumo_in_time_range",
                vec![self.field("_messageTime"), lit(range.start), lit(range.end)],
            );
            builder = builder.filter(condition).map_err(planning)?;
        }
        if let Some(condition) = self.scope(&pipeline.scope, pipeline)? {
            builder = builder.filter(condition).map_err(planning)?;
        }
        let start = Row {
            slots: (0..self.width())
                .map(|slot| self.field(self.plan.fields.display_name(slot)))
                .collect(),
            order: call(
                "sumo_order",
                vec![
                    lit("start"),
                    cast(sequence, DataType::UInt64),
                    lit(branch as u64),
                ],
            ),
            chain: lit(false),
        };
        builder = start.project(builder)?;

        let mut unions = 0;
        for (index, operator) in pipeline.operators.iter().enumerate() {
            let span = &pipeline.sources[index].span;
            if let Operator::Union(sub) = operator {
                if branch != 0 {
                    return Err(Untranslatable {
                        span: Some(span.clone()),
                        what: "a union inside a union".to_string(),
                    });
                }
                unions += 1;
                if unions > MAX_BRANCHES {
                    return Err(Untranslatable {
                        span: Some(span.clone()),
                        what: format!("a query with more than {MAX_BRANCHES} union branches"),
                    });
                }
                let branch_plan = self
                    .pipeline(sub, unions, Some(index))?
                    .build()
                    .map_err(planning)?;
                builder = builder.union(branch_plan).map_err(planning)?;
                continue;
            }
            let source = &pipeline.sources[index];
            // Root stages release held rows in their order, and a union's
            // branch releases its own at the union's place.
            let phase = match union_at {
                None => ((index as u64 + 1) << 16) as u32,
                Some(union) => (((union as u64 + 1) << 16) | (index as u64 + 1)) as u32,
            };
            let context = Context {
                earlier: &pipeline.sources[..index],
                phase,
            };
            builder = self
                .operator(operator, source, &context, builder)
                .map_err(|error| Untranslatable {
                    span: error.span.or_else(|| Some(span.clone())),
                    what: error.what.replace("this operator", &stage_name(source)),
                })?;
        }
        Ok(builder)
    }

    fn scope(&self, filter: &ScopeFilter, pipeline: &Pipeline) -> Translated<Option<Expr>> {
        let expression = match filter {
            ScopeFilter::All => return Ok(None),
            ScopeFilter::Keyword { text, quoted, .. } => call(
                "sumo_keyword",
                vec![self.field("_raw"), lit(text.as_str()), lit(*quoted)],
            ),
            ScopeFilter::Term {
                lowercase_field,
                value,
                quoted,
                negated,
                ..
            } => {
                let matched = call(
                    "sumo_term",
                    vec![
                        self.field(lowercase_field),
                        lit(value.as_str()),
                        lit(*quoted),
                    ],
                );
                if *negated {
                    !matched
                } else {
                    matched
                }
            }
            ScopeFilter::And(left, right) | ScopeFilter::Or(left, right) => {
                let left = self.scope(left, pipeline)?.unwrap_or(lit(true));
                let right = self.scope(right, pipeline)?.unwrap_or(lit(true));
                if matches!(filter, ScopeFilter::And(..)) {
                    left.and(right)
                } else {
                    left.or(right)
                }
            }
            ScopeFilter::Not(inner) => !self.scope(inner, pipeline)?.unwrap_or(lit(true)),
            ScopeFilter::Subquery(_) => {
                return Err(Untranslatable {
                    span: pipeline.scope_span.clone(),
                    what: "a subquery in the scope".to_string(),
                })
            }
        };
        Ok(Some(expression))
    }

    fn operator(
        &self,
        operator: &Operator,
        source: &StageSource,
        context: &Context,
        builder: LogicalPlanBuilder,
    ) -> Translated<LogicalPlanBuilder> {
        let width = self.width();
        match operator {
            Operator::Where(condition) => {
                let condition = call("sumo_is_true", vec![self.expr(condition)?]);
                builder.filter(condition).map_err(planning)
            }
            Operator::Parse {
                source,
                pattern,
                targets,
                nodrop,
                starts_chain,
            } => {
                let captures = call(
                    "sumo_parse",
                    vec![column(&slot_column(*source)), lit(pattern.as_str())],
                );
                let targets: Vec<Slot> = targets.clone();
                self.parse_stage(builder, captures, &targets, *nodrop, *starts_chain)
            }
            Operator::ParseRegex {
                source,
                regex,
                targets,
                multi,
                nodrop,
                starts_chain,
            } => {
                let groups: Vec<String> =
                    targets.iter().map(|(group, _)| group.to_string()).collect();
                let captures = call(
                    "sumo_parse_regex",
                    vec![
                        column(&slot_column(*source)),
                        lit(regex.as_str()),
                        lit(groups.join(",")),
                    ],
                );
                let slots: Vec<Slot> = targets.iter().map(|(_, slot)| *slot).collect();
                if *multi {
                    return self.parse_multi(builder, captures, &slots, *nodrop, *starts_chain);
                }
                self.parse_stage(builder, captures, &slots, *nodrop, *starts_chain)
            }
            Operator::Assign { target, value } => {
                let mut row = Row::current(width);
                row.slots[*target] = self.expr(value)?;
                row.project(builder)
            }
            Operator::Keep { copies, mask, .. } => {
                let mut row = Row::current(width);
                for (slot, kept) in mask.iter().enumerate() {
                    if !kept {
                        row.slots[slot] = null_value();
                    }
                }
                for (source, target) in copies {
                    row.slots[*target] = column(&slot_column(*source));
                }
                row.project(builder)
            }
            Operator::Remove(slots) => {
                let mut row = Row::current(width);
                for slot in slots {
                    row.slots[*slot] = null_value();
                }
                row.project(builder)
            }
            Operator::Sort { keys, .. } => {
                let mut order = Vec::new();
                for (key, direction) in keys {
                    let key = call("sumo_sort_key", vec![self.expr(key)?]);
                    order.push(key.sort(matches!(direction, SortDirection::Ascending), false));
                }
                // The native sort is stable: ties keep their earlier order.
                order.push(column(ORDER).sort(true, false));
                let rank = row_number()
                    .order_by(order)
                    .build()
                    .map_err(planning)?
                    .alias("__rank");
                let builder = builder.window(vec![rank]).map_err(planning)?;
                let mut row = Row::current(width);
                row.order = released_order(context.phase, column("__rank"));
                row.project(builder)
            }
            Operator::Aggregate { keys, functions } => {
                self.aggregate(builder, keys, functions, context)
            }
            Operator::Limit(limit) => builder
                .sort(vec![column(ORDER).sort(true, false)])
                .and_then(|builder| builder.limit(0, Some(*limit as usize)))
                .map_err(planning),
            Operator::Union(_) => unreachable!("unions are translated with their pipeline"),
            Operator::Extract {
                source: field,
                extractor,
            } => {
                if self.plan.shows_found_fields {
                    return Err(Untranslatable {
                        span: None,
                        what: "an `auto` extraction whose found fields become result columns"
                            .to_string(),
                    });
                }
                let mut slots = if extractor.fills_any_field() {
                    (0..width).collect()
                } else {
                    extractor.targets()
                };
                slots.insert(0, *field);
                self.stage(builder, source, slots)
            }
            Operator::Timeslice(timeslice) => {
                self.stage(builder, source, vec![timeslice.time, timeslice.target])
            }
            Operator::Lookup(_) => Err(Untranslatable {
                span: None,
                what: "`lookup`".to_string(),
            }),
            Operator::Holding(holding) => match &holding.kind {
                HoldingKind::Transpose(_) | HoldingKind::Compare(_) => Err(Untranslatable {
                    span: None,
                    what: "this operator".to_string(),
                }),
                _ => self.hold(builder, source, context),
            },
        }
    }

    /// Returns the `names` and `range` arguments of `sumo_stage` and
    /// `sumo_hold` for stage `text` given the fields of `slots`, after
    /// checking here that the stage compiles again from its text.
    fn recompiled(&self, text: &str, slots: &[Slot], what: &str) -> Translated<(String, String)> {
        let names: Vec<&str> = slots
            .iter()
            .map(|slot| self.plan.fields.display_name(*slot))
            .collect();
        let names = names.join("\n");
        if let Err(error) = udf::compiled_stage(text, &names) {
            return Err(Untranslatable {
                span: None,
                what: format!("{what} ({error})"),
            });
        }
        let range = self
            .plan
            .time_range
            .map(|range| format!("{}..{}", range.start, range.end))
            .unwrap_or_default();
        Ok((names, range))
    }

    /// Translates a per-row stage that `sumo_stage` compiles from its text, given the
    /// values of `slots` (the fields it reads and fills).
    fn stage(
        &self,
        builder: LogicalPlanBuilder,
        source: &StageSource,
        mut slots: Vec<Slot>,
    ) -> Translated<LogicalPlanBuilder> {
        let mut seen = std::collections::HashSet::new();
        slots.retain(|slot| seen.insert(*slot));
        let Some(text) = &source.text else {
            return Err(Untranslatable {
                span: None,
                what: "this stage".to_string(),
            });
        };
        let (names, range) = self.recompiled(text, &slots, "this stage")?;
        let mut arguments = vec![lit(text.as_ref()), lit(names), lit(range)];
        arguments.extend(slots.iter().map(|slot| column(&slot_column(*slot))));
        let outputs = call("sumo_stage", arguments);
        let width = self.width();
        let with_outputs = Row::current(width)
            .project_with(builder, outputs)?
            .filter(column(CAPTURES).is_not_null())
            .map_err(planning)?;
        let mut row = Row::current(width);
        for (index, slot) in slots.iter().enumerate() {
            row.slots[*slot] = call("sumo_item", vec![column(CAPTURES), lit(index as i64)]);
        }
        row.project(with_outputs)
    }

    /// Translates a `parse regex … multi` stage: one row per match, in match order. The
    /// regex call `single` is rebuilt as `sumo_parse_regex_multi`.
    fn parse_multi(
        &self,
        builder: LogicalPlanBuilder,
        single: Expr,
        targets: &[Slot],
        nodrop: bool,
        starts_chain: bool,
    ) -> Translated<LogicalPlanBuilder> {
        use datafusion::functions::core::expr_fn::get_field;

        let width = self.width();
        let chain = if starts_chain {
            lit(false)
        } else {
            column(CHAIN)
        };
        let keep = if nodrop { lit(true) } else { chain.clone() };
        let Expr::ScalarFunction(function) = single else {
            unreachable!("the regex parse is a function call");
        };
        let mut arguments = function.args;
        arguments.push(keep);
        let matches = call("sumo_parse_regex_multi", arguments);
        let builder = Row::current(width)
            .project_with(builder, matches)?
            .unnest_column(CAPTURES)
            .map_err(planning)?;
        let captures = get_field(column(CAPTURES), "captures");
        let matched = captures.clone().is_not_null();
        let mut row = Row::current(width);
        for (index, slot) in targets.iter().enumerate() {
            let capture = call("sumo_item", vec![captures.clone(), lit(index as i64)]);
            row.slots[*slot] = when(matched.clone(), capture)
                .otherwise(column(&slot_column(*slot)))
                .map_err(planning)?;
        }
        row.chain = if nodrop { chain.or(matched) } else { chain };
        row.order = call(
            "sumo_order",
            vec![
                lit("append"),
                column(ORDER),
                get_field(column(CAPTURES), "index"),
            ],
        );
        row.project(builder)
    }

    /// Translates a row-holding stage. Every row goes, in native order, to
    /// one list, and `sumo_hold` runs the stage over it. The rows it releases
    /// come back out of the list with their order.
    fn hold(
        &self,
        builder: LogicalPlanBuilder,
        source: &StageSource,
        context: &Context,
    ) -> Translated<LogicalPlanBuilder> {
        use datafusion::functions::core::expr_fn::{get_field, named_struct};
        use datafusion::functions_aggregate::expr_fn::array_agg;

        let width = self.width();
        // The earlier stages go along, compiled but not run, because some
        // stages take context from them (`fillmissing` fills an aggregate's
        // results with 0 and takes a timeslice's width).
        let texts: Option<Vec<&str>> = context
            .earlier
            .iter()
            .chain(std::iter::once(source))
            .map(|source| source.text.as_deref())
            .collect();
        let Some(texts) = texts else {
            return Err(Untranslatable {
                span: None,
                what: "this operator".to_string(),
            });
        };
        let text = texts.join("\n");
        let all_slots: Vec<Slot> = (0..width).collect();
        let (names, range) = self.recompiled(&text, &all_slots, "this operator")?;
        let mut fields = Vec::new();
        for slot in 0..width {
            fields.push(lit(format!("s{slot}")));
            fields.push(column(&slot_column(slot)));
        }
        let rows = array_agg(named_struct(fields))
            .order_by(vec![column(ORDER).sort(true, false)])
            .build()
            .map_err(planning)?
            .alias("__held");
        let released = call(
            "sumo_hold",
            vec![lit(text), lit(names), lit(range), column("__held")],
        )
        .alias("__released");
        let builder = builder
            .aggregate(Vec::<Expr>::new(), vec![rows])
            .and_then(|builder| builder.project(vec![released]))
            .and_then(|builder| builder.unnest_column("__released"))
            .map_err(planning)?;
        let row = Row {
            slots: (0..width)
                .map(|slot| get_field(column("__released"), format!("s{slot}")))
                .collect(),
            order: released_order(context.phase, get_field(column("__released"), "__order")),
            chain: lit(false),
        };
        row.project(builder)
    }

    /// Translates a `parse` stage. `captures` is a list of texts, or null
    /// when the pattern did not match.
    fn parse_stage(
        &self,
        builder: LogicalPlanBuilder,
        captures: Expr,
        targets: &[Slot],
        nodrop: bool,
        starts_chain: bool,
    ) -> Translated<LogicalPlanBuilder> {
        let width = self.width();
        let mut with_captures = Row::current(width).project_with(builder, captures)?;
        let matched = column(CAPTURES).is_not_null();
        let chain = if starts_chain {
            lit(false)
        } else {
            column(CHAIN)
        };
        if !nodrop {
            with_captures = with_captures
                .filter(matched.clone().or(chain.clone()))
                .map_err(planning)?;
        }
        let mut row = Row::current(width);
        for (index, slot) in targets.iter().enumerate() {
            let capture = call("sumo_item", vec![column(CAPTURES), lit(index as i64)]);
            row.slots[*slot] = when(matched.clone(), capture)
                .otherwise(column(&slot_column(*slot)))
                .map_err(planning)?;
        }
        row.chain = if nodrop { chain.or(matched) } else { chain };
        row.project(with_captures)
    }

    fn aggregate(
        &self,
        builder: LogicalPlanBuilder,
        keys: &[Slot],
        functions: &[(AggregateFunction, Slot)],
        context: &Context,
    ) -> Translated<LogicalPlanBuilder> {
        let mut unique_keys: Vec<Slot> = Vec::new();
        for key in keys {
            if !unique_keys.contains(key) {
                unique_keys.push(*key);
            }
        }
        let groups: Vec<Expr> = unique_keys
            .iter()
            .map(|slot| column(&slot_column(*slot)))
            .collect();
        let mut aggregates = vec![min(column(ORDER)).alias("__first")];
        for (index, (function, _)) in functions.iter().enumerate() {
            let argument = match &function.argument {
                Some(argument) => Some(self.expr(argument)?),
                None => None,
            };
            let number = |argument: Option<Expr>| {
                call("sumo_to_number", vec![argument.unwrap_or_else(null_value)])
            };
            let text = |argument: Option<Expr>| {
                call("sumo_to_text", vec![argument.unwrap_or_else(null_value)])
            };
            let aggregate = match function.kind {
                AggregateKind::Count => count(lit(1i64)),
                AggregateKind::CountValues => count(text(argument)),
                AggregateKind::CountDistinct => count_distinct(text(argument)),
                AggregateKind::Sum => sum(number(argument)),
                AggregateKind::Average => avg(number(argument)),
                AggregateKind::Minimum => min(number(argument)),
                AggregateKind::Maximum => max(number(argument)),
                AggregateKind::Extra(extra) => {
                    let time = match extra {
                        ExtraAggregate::MostRecent(slot) | ExtraAggregate::LeastRecent(slot) => {
                            column(&slot_column(slot))
                        }
                        _ => null_value(),
                    };
                    aggregate_functions()[0].call(vec![
                        lit(udaf::spec(extra)),
                        column(ORDER),
                        argument.unwrap_or_else(null_value),
                        time,
                    ])
                }
            };
            aggregates.push(aggregate.alias(format!("__a{index}")));
        }
        // Groups come out in the order of their first rows. An aggregate
        // without `by` gives one row even over no input, whose first row is null.
        let rank = row_number()
            .order_by(vec![column("__first").sort(true, true)])
            .build()
            .map_err(planning)?
            .alias("__rank");
        let builder = builder
            .aggregate(groups, aggregates)
            .and_then(|builder| builder.window(vec![rank]))
            .map_err(planning)?;
        let mut row = Row {
            slots: (0..self.width()).map(|_| null_value()).collect(),
            order: released_order(context.phase, column("__rank")),
            chain: lit(false),
        };
        for slot in &unique_keys {
            row.slots[*slot] = column(&slot_column(*slot));
        }
        for (index, (function, slot)) in functions.iter().enumerate() {
            let result = column(&format!("__a{index}"));
            row.slots[*slot] = match function.kind {
                AggregateKind::Extra(_) => result,
                _ => call("sumo_value", vec![cast(result, DataType::Float64)]),
            };
        }
        row.project(builder)
    }

    fn expr(&self, expression: &CompiledExpr) -> Translated<Expr> {
        let translated = match expression {
            CompiledExpr::Field(slot) => column(&slot_column(*slot)),
            CompiledExpr::Constant(value) => value_literal(value.as_ref()),
            CompiledExpr::Not(inner) => eval("not", vec![self.expr(inner)?]),
            CompiledExpr::Negate(inner) => eval("negate", vec![self.expr(inner)?]),
            CompiledExpr::And(left, right) => {
                eval("and", vec![self.expr(left)?, self.expr(right)?])
            }
            CompiledExpr::Or(left, right) => eval("or", vec![self.expr(left)?, self.expr(right)?]),
            CompiledExpr::Compare(comparison, left, right) => {
                let spec = match comparison {
                    Comparison::Equal => "=",
                    Comparison::NotEqual => "!=",
                    Comparison::Less => "<",
                    Comparison::LessOrEqual => "<=",
                    Comparison::Greater => ">",
                    Comparison::GreaterOrEqual => ">=",
                };
                eval(spec, vec![self.expr(left)?, self.expr(right)?])
            }
            CompiledExpr::Arithmetic(operator, left, right) => {
                let spec = match operator {
                    Arithmetic::Add => "+",
                    Arithmetic::Subtract => "-",
                    Arithmetic::Multiply => "*",
                    Arithmetic::Divide => "/",
                    Arithmetic::Remainder => "%",
                };
                eval(spec, vec![self.expr(left)?, self.expr(right)?])
            }
            CompiledExpr::MatchesWildcard(value, pattern) => call(
                "sumo_value",
                vec![call(
                    "sumo_matches",
                    vec![self.expr(value)?, lit(pattern.as_str())],
                )],
            ),
            CompiledExpr::MatchesRegex(value, regex) => eval(
                "matches regex",
                vec![self.expr(value)?, lit(regex.as_str())],
            ),
            CompiledExpr::MatchesComputed(value, pattern) => {
                eval("matches", vec![self.expr(value)?, self.expr(pattern)?])
            }
            CompiledExpr::In {
                value,
                list,
                negated,
            } => {
                let mut operands = vec![self.expr(value)?];
                for item in list {
                    operands.push(self.expr(item)?);
                }
                eval(if *negated { "not in" } else { "in" }, operands)
            }
            CompiledExpr::Call(function, arguments) => {
                let name = function_name(*function);
                let mut kinds = String::new();
                let mut operands = Vec::new();
                for argument in arguments {
                    if let CompiledExpr::RegexArgument(regex) = argument {
                        kinds.push('r');
                        operands.push(lit(regex.as_str()));
                    } else {
                        kinds.push('v');
                        operands.push(self.expr(argument)?);
                    }
                }
                eval(&format!("call {name} {kinds}"), operands)
            }
            CompiledExpr::RegexArgument(regex) => value_literal(Some(&Value::text(regex.as_str()))),
            CompiledExpr::Conditional(condition, then, otherwise) => eval(
                "if",
                vec![
                    self.expr(condition)?,
                    self.expr(then)?,
                    self.expr(otherwise)?,
                ],
            ),
            CompiledExpr::QueryTime { end } => {
                let time = self
                    .plan
                    .time_range
                    .map(|range| Value::Number(if *end { range.end } else { range.start } as f64));
                value_literal(time.as_ref())
            }
            CompiledExpr::Subquery { .. } => {
                return Err(Untranslatable {
                    span: None,
                    what: "a subquery in a condition".to_string(),
                })
            }
        };
        Ok(translated)
    }
}

impl Row {
    /// Projects every column as it is, plus `captures` as `__captures`.
    fn project_with(
        self,
        builder: LogicalPlanBuilder,
        captures: Expr,
    ) -> Translated<LogicalPlanBuilder> {
        let mut expressions = self.named();
        expressions.push(captures.alias(CAPTURES));
        builder.project(expressions).map_err(planning)
    }
}

/// Names a stage by its operator, as `` `top` `` for `| top 10 x by y`.
fn stage_name(source: &StageSource) -> String {
    let text = source.text.as_deref().unwrap_or("");
    let name: String = text
        .trim_start_matches(['|', ' '])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        "this operator".to_string()
    } else {
        format!("`{name}`")
    }
}

/// The name `sumo_eval` looks a function up by.
fn function_name(function: Function) -> &'static str {
    Function::names()
        .iter()
        .find(|name| Function::by_name(name) == Some(function))
        .copied()
        .unwrap_or("unknown")
}
