//! Runs a [`Plan`] over records, pushing each record through every pipeline
//! in one pass.
//!
//! Rows flow forward through the operators. `sort` and aggregates hold rows
//! back until [`Execution::finish`]; `union` passes the rows of its own
//! pipeline on to the operators that follow it, so one read of the input
//! feeds every branch.

use indexmap::IndexMap;

use crate::aggregate::AggregateState;
use crate::explain::{
    BranchExplain, FieldPresence, StageDetail, StageExplain, TermCount, TermCounts,
};
use crate::expr::{CompiledExpr, Slot};
use crate::formats::FOUND_COLUMN_LIMIT;
use crate::operators::compare::ShiftedRecord;
use crate::operators::holding::HoldingState;
use crate::operators::transpose::{widen, ColumnOrder, DynamicCells};
use crate::plan::{Operator, Pipeline, Plan, StageSource};
use crate::row::{Record, Row, RowContext};
use crate::value::{compare_for_sort, GroupKey, Value};

use sumoql_syntax::ast::{SortDirection, Span};
use sumoql_syntax::Diagnostic;

/// The rows a query produced, with column names in result order.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<Value>>>,
}

/// A stage that held more groups or rows than [`Plan::set_max_groups`] allows. The run
/// stopped there, so it has no result.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLimitExceeded {
    /// The stage text in the query.
    pub span: Span,
    pub limit: usize,
    /// The unit of the count: `groups`, `rows` or `distinct values or samples`.
    pub unit: &'static str,
}

impl GroupLimitExceeded {
    fn at(span: &Span, limit: usize, unit: &'static str) -> GroupLimitExceeded {
        GroupLimitExceeded {
            span: span.clone(),
            limit,
            unit,
        }
    }

    /// Describes the error at the stage that passed the limit.
    pub fn diagnostic(&self) -> Diagnostic {
        let limit = self.limit;
        Diagnostic::error(
            format!(
                "this stage holds more than {limit} {}, the maximum allowed",
                self.unit
            ),
            self.span.clone(),
            format!("more than {limit} {} here", self.unit),
        )
    }
}

/// The running state of a plan over a stream of records.
///
/// For a run split across threads, each chunk of records gets its own
/// partial execution ([`Execution::partial`]). The owner of the full
/// execution then absorbs the partials in chunk order
/// ([`Execution::absorb`]), which gives the same result as one execution
/// over all records in that order.
pub struct Execution<'p> {
    plan: &'p Plan,
    state: PipelineState,
    rows: Vec<Vec<Option<Value>>>,
    /// The `transpose` columns of result rows, by row index.
    dynamic: DynamicCells,
    /// Set when a stage passed the plan's group limit; records pushed after that are ignored.
    group_limit_exceeded: Option<GroupLimitExceeded>,
    /// One state per shifted branch of `compare` (`Plan::shifted`).
    shifted: Vec<ShiftedState>,
}

/// A shifted branch of `compare` and the rows it has produced.
struct ShiftedState {
    state: PipelineState,
    rows: Vec<Row>,
}

struct PipelineState {
    operators: Vec<OperatorState>,
    /// Counters for an explained run: one per operator, then one for the
    /// rows that leave the pipeline. Empty when the run is not explained.
    counters: Vec<StageCounters>,
    records_in: u64,
    records_out: u64,
}

/// The counts of an explained run at one stage.
#[derive(Debug, Clone, Default)]
struct StageCounters {
    rows_in: u64,
    /// Rows on which a `parse` pattern matched.
    parse_matched: u64,
    /// The top-level terms of a `where` condition and the rows each was true for.
    terms: Vec<(CompiledExpr, u64)>,
    /// The fields a `where` condition reads and the rows where each was not null.
    fields: Vec<(Slot, u64)>,
}

impl StageCounters {
    fn for_stage(operator: &Operator, source: &StageSource) -> StageCounters {
        let mut counters = StageCounters::default();
        if let Operator::Where(condition) = operator {
            if let Some(where_terms) = &source.terms {
                counters.terms = where_terms
                    .terms
                    .iter()
                    .map(|(_, term)| (term.clone(), 0))
                    .collect();
            }
            condition.visit_slots(&mut |slot| {
                if !counters.fields.iter().any(|(known, _)| *known == slot) {
                    counters.fields.push((slot, 0));
                }
            });
        }
        counters
    }

    /// Counts the terms that are true and the fields that are not null on a
    /// row entering a `where`. Evaluating terms reads no more than the whole
    /// condition could, and rows cache what they read.
    fn observe_condition(&mut self, row: &mut Row, context: &RowContext) {
        for (term, true_rows) in &mut self.terms {
            if term.is_true(row, context) {
                *true_rows += 1;
            }
        }
        for (slot, non_null_rows) in &mut self.fields {
            if row.get(*slot, context).is_some() {
                *non_null_rows += 1;
            }
        }
    }

    fn add(&mut self, other: &StageCounters) {
        self.rows_in += other.rows_in;
        self.parse_matched += other.parse_matched;
        for ((_, known), (_, more)) in self.terms.iter_mut().zip(&other.terms) {
            *known += more;
        }
        for ((_, known), (_, more)) in self.fields.iter_mut().zip(&other.fields) {
            *known += more;
        }
    }
}

/// Returns the counters from operator `from` on, or an empty slice when the
/// run is not explained.
fn counters_from(counters: &mut [StageCounters], from: usize) -> &mut [StageCounters] {
    counters.get_mut(from..).unwrap_or_default()
}

type SortBuffer = Vec<(Vec<Option<Value>>, Row)>;
type Groups = IndexMap<Vec<GroupKey>, Vec<AggregateState>>;

/// The groups of an aggregate stage, with the number of values their states
/// keep one by one (see [`AggregateState::kept_values`]) summed over all groups,
/// so the group limit can check it after every row.
#[derive(Default)]
struct AggregateGroups {
    groups: Groups,
    kept_values: usize,
}

enum OperatorState {
    Stateless,
    Union(PipelineState),
    Sort(SortBuffer),
    Aggregate(AggregateGroups),
    Limit(u64),
    Holding(HoldingState),
}

impl PipelineState {
    fn new(pipeline: &Pipeline, explained: bool) -> PipelineState {
        let operators = pipeline
            .operators
            .iter()
            .map(|operator| match operator {
                Operator::Union(sub) => OperatorState::Union(PipelineState::new(sub, explained)),
                Operator::Sort { .. } => OperatorState::Sort(Vec::new()),
                Operator::Aggregate { .. } => OperatorState::Aggregate(AggregateGroups::default()),
                Operator::Limit(_) => OperatorState::Limit(0),
                Operator::Holding(holding) => OperatorState::Holding(holding.start()),
                _ => OperatorState::Stateless,
            })
            .collect();
        let counters = if explained {
            let stages = pipeline.operators.iter().zip(&pipeline.sources);
            let mut counters: Vec<StageCounters> = stages
                .map(|(operator, source)| StageCounters::for_stage(operator, source))
                .collect();
            counters.push(StageCounters::default());
            counters
        } else {
            Vec::new()
        };
        PipelineState {
            operators,
            counters,
            records_in: 0,
            records_out: 0,
        }
    }

    /// Builds the report of this pipeline's counters.
    fn explain(&self, pipeline: &Pipeline, plan: &Plan) -> BranchExplain {
        let mut stages = Vec::with_capacity(pipeline.operators.len());
        for (index, (operator, source)) in
            pipeline.operators.iter().zip(&pipeline.sources).enumerate()
        {
            let counters = &self.counters[index];
            let detail = match (operator, &self.operators[index]) {
                (Operator::Parse { targets, .. }, _) => StageDetail::Parse {
                    matched: counters.parse_matched,
                    fields: targets
                        .iter()
                        .map(|slot| plan.fields.display_name(*slot).to_string())
                        .collect(),
                },
                (Operator::ParseRegex { targets, .. }, _) => StageDetail::Parse {
                    matched: counters.parse_matched,
                    fields: targets
                        .iter()
                        .map(|(_, slot)| plan.fields.display_name(*slot).to_string())
                        .collect(),
                },
                (Operator::Where(_), _) => StageDetail::Where {
                    terms: source.terms.as_ref().map(|where_terms| TermCounts {
                        join: where_terms.join,
                        negated: where_terms.negated,
                        terms: where_terms
                            .terms
                            .iter()
                            .zip(&counters.terms)
                            .map(|((span, _), (_, true_rows))| TermCount {
                                span: span.clone(),
                                true_rows: *true_rows,
                            })
                            .collect(),
                    }),
                    fields: counters
                        .fields
                        .iter()
                        .map(|(slot, non_null_rows)| FieldPresence {
                            name: plan.fields.display_name(*slot).to_string(),
                            non_null_rows: *non_null_rows,
                        })
                        .collect(),
                },
                (Operator::Union(sub), OperatorState::Union(sub_state)) => {
                    StageDetail::Union(sub_state.explain(sub, plan))
                }
                _ => StageDetail::Plain,
            };
            stages.push(StageExplain {
                span: source.span.clone(),
                rows_in: counters.rows_in,
                rows_out: self.counters[index + 1].rows_in,
                detail,
            });
        }
        BranchExplain {
            scope_span: pipeline.scope_span.clone(),
            records_in: self.records_in,
            records_out: self.records_out,
            stages,
            rows_out: self.counters.last().map_or(0, |output| output.rows_in),
        }
    }
}

impl<'p> Execution<'p> {
    pub fn new(plan: &'p Plan) -> Execution<'p> {
        Execution {
            plan,
            state: PipelineState::new(&plan.root, false),
            rows: Vec::new(),
            dynamic: DynamicCells::new(),
            group_limit_exceeded: None,
            shifted: shifted_states(plan),
        }
    }

    /// Starts an execution that also counts, per stage of every branch, the
    /// rows in and out, the rows each `parse` pattern matched, and for each
    /// `where` the rows each top-level term was true for and the fields it
    /// found null. [`Execution::finish_explained`] returns the counts.
    /// Partials of an explained run must be explained too.
    pub fn explained(plan: &'p Plan) -> Execution<'p> {
        Execution {
            plan,
            state: PipelineState::new(&plan.root, true),
            rows: Vec::new(),
            dynamic: DynamicCells::new(),
            group_limit_exceeded: None,
            shifted: shifted_states(plan),
        }
    }

    /// Starts the execution of one chunk of records, to be absorbed later
    /// into the execution that covers all of them. Only plans for which
    /// [`Plan::supports_partials`] returns true may be split.
    pub fn partial(plan: &'p Plan) -> Execution<'p> {
        Execution::new(plan)
    }

    /// Adds the state of a partial execution over the records that follow
    /// the ones this execution has seen.
    ///
    /// Before the first row-holding stage on each path, every operator is
    /// per-row. So a partial contains only streamed result rows and the
    /// states of those first `sort` and aggregate stages, which merge
    /// exactly. Sort buffers append, and aggregate groups merge, with new
    /// groups after the known ones in order of first appearance.
    pub fn absorb(&mut self, partial: Execution<'p>) {
        debug_assert!(
            std::ptr::eq(self.plan, partial.plan),
            "partials must come from the same plan"
        );
        if self.group_limit_exceeded.is_some() {
            return;
        }
        if partial.group_limit_exceeded.is_some() {
            self.group_limit_exceeded = partial.group_limit_exceeded;
            return;
        }
        absorb_states(&self.plan.root, &mut self.state, partial.state);
        self.group_limit_exceeded =
            find_group_limit_exceeded(&self.plan.root, &self.state, self.plan.max_groups);
        let offset = self.rows.len();
        self.dynamic.extend(
            partial
                .dynamic
                .into_iter()
                .map(|(index, cells)| (index + offset, cells)),
        );
        self.rows.extend(partial.rows);
    }

    /// Returns the stage that passed the plan's group limit, if one did. The run stops
    /// there: later records are ignored, and the caller should report this instead of
    /// the result.
    pub fn group_limit_exceeded(&self) -> Option<&GroupLimitExceeded> {
        self.group_limit_exceeded.as_ref()
    }

    /// Runs one record through every pipeline of the plan.
    pub fn push(&mut self, record: &dyn Record) {
        if self.group_limit_exceeded.is_some() {
            return;
        }
        self.push_unchecked(record);
        // One record adds at most a few rows, so the limit is passed by a few at most.
        self.group_limit_exceeded =
            find_group_limit_exceeded(&self.plan.root, &self.state, self.plan.max_groups);
        // The shifted branches of `compare` hold groups of their own.
        for (branch, shifted) in self.plan.shifted.iter().zip(&self.shifted) {
            if self.group_limit_exceeded.is_some() {
                break;
            }
            self.group_limit_exceeded =
                find_group_limit_exceeded(&branch.pipeline, &shifted.state, self.plan.max_groups);
        }
    }

    fn push_unchecked(&mut self, record: &dyn Record) {
        let time_range = self.plan.time_range;
        if !self.shifted.is_empty() {
            self.push_shifted(record);
        }
        if let Some(range) = time_range {
            // Records without a readable `_messageTime` stay in the run.
            let time = record
                .field("_messagetime")
                .and_then(|value| value.to_number());
            if time.is_some_and(|time| !range.contains(time)) {
                return;
            }
        }
        let context = RowContext {
            record: Some(record),
            fields: &self.plan.fields,
            time_range,
        };
        let columns = &self.plan.columns;
        let rows = &mut self.rows;
        let dynamic = &mut self.dynamic;
        let mut sink = |mut row: Row, context: &RowContext| {
            if !row.dynamic.is_empty() {
                dynamic.push((rows.len(), std::mem::take(&mut row.dynamic)));
            }
            rows.push(columns.iter().map(|slot| row.get(*slot, context)).collect());
        };
        feed(
            &self.plan.root,
            &mut self.state,
            record,
            &context,
            &mut sink,
        );
    }

    /// Releases the rows that `sort` and aggregates held back and returns the result.
    ///
    /// Returns the stage that passed the plan's group limit instead, whether it passed
    /// it while records were pushed or while held rows passed through later stages.
    pub fn finish(self) -> Result<ResultTable, GroupLimitExceeded> {
        Ok(self.finish_explained()?.0)
    }

    /// Like [`Execution::finish`], and returns the counts of the main query
    /// (with its `union` branches inside) when the execution was started
    /// with [`Execution::explained`].
    pub fn finish_explained(
        mut self,
    ) -> Result<(ResultTable, Option<BranchExplain>), GroupLimitExceeded> {
        if let Some(exceeded) = self.group_limit_exceeded.take() {
            return Err(exceeded);
        }
        let plan = self.plan;
        let context = RowContext {
            record: None,
            fields: &plan.fields,
            time_range: plan.time_range,
        };
        self.finish_shifted(&context)?;
        let columns = &self.plan.columns;
        let rows = &mut self.rows;
        let dynamic = &mut self.dynamic;
        let mut sink = |mut row: Row, context: &RowContext| {
            if !row.dynamic.is_empty() {
                dynamic.push((rows.len(), std::mem::take(&mut row.dynamic)));
            }
            rows.push(columns.iter().map(|slot| row.get(*slot, context)).collect());
        };
        let state = &mut self.state;
        flush(
            &self.plan.root,
            &mut state.operators,
            &mut state.counters,
            self.plan.max_groups,
            &context,
            &mut sink,
        )?;

        let explain = (!self.state.counters.is_empty())
            .then(|| self.state.explain(&self.plan.root, self.plan));
        let order = if self.plan.shows_found_fields {
            ColumnOrder::FirstSeen(FOUND_COLUMN_LIMIT)
        } else {
            ColumnOrder::Alphabetical
        };
        let (columns, rows) = widen(self.plan.column_names(), self.rows, self.dynamic, order);
        Ok((ResultTable { columns, rows }, explain))
    }
}

fn shifted_states(plan: &Plan) -> Vec<ShiftedState> {
    plan.shifted
        .iter()
        .map(|branch| ShiftedState {
            state: PipelineState::new(&branch.pipeline, false),
            rows: Vec::new(),
        })
        .collect()
}

impl Execution<'_> {
    /// Feeds a record to each shifted branch of `compare` whose window
    /// contains it: the record's time moved forward by the shift must fall in
    /// the query time range. Without a time range, or for a record without a
    /// time, the branches see nothing.
    fn push_shifted(&mut self, record: &dyn Record) {
        let Some(range) = self.plan.time_range else {
            return;
        };
        let Some(time) = record
            .field("_messagetime")
            .and_then(|value| value.to_number())
        else {
            return;
        };
        for (branch, shifted) in self.plan.shifted.iter().zip(&mut self.shifted) {
            let moved = ShiftedRecord {
                record,
                time: time + branch.shift,
            };
            if !range.contains(moved.time) {
                continue;
            }
            let context = RowContext {
                record: Some(&moved),
                fields: &self.plan.fields,
                time_range: Some(range),
            };
            let rows = &mut shifted.rows;
            feed(
                &branch.pipeline,
                &mut shifted.state,
                &moved,
                &context,
                &mut |row, _| rows.push(row),
            );
        }
    }

    /// Finishes each shifted branch and hands its rows to the `compare`
    /// stage of the root pipeline, or returns the branch stage that passed the
    /// group limit.
    fn finish_shifted(&mut self, context: &RowContext) -> Result<(), GroupLimitExceeded> {
        if self.shifted.is_empty() {
            return Ok(());
        }
        let mut finished = Vec::with_capacity(self.shifted.len());
        for (branch, shifted) in self.plan.shifted.iter().zip(&mut self.shifted) {
            let mut rows = std::mem::take(&mut shifted.rows);
            let state = &mut shifted.state;
            flush(
                &branch.pipeline,
                &mut state.operators,
                &mut state.counters,
                self.plan.max_groups,
                context,
                &mut |row, _| rows.push(row),
            )?;
            finished.push(rows);
        }
        let compare_state = self
            .state
            .operators
            .iter_mut()
            .find_map(|state| match state {
                OperatorState::Holding(HoldingState::Compared { shifted, .. }) => Some(shifted),
                _ => None,
            });
        if let Some(shifted) = compare_state {
            *shifted = finished;
        }
        Ok(())
    }
}

type Sink<'s> = dyn FnMut(Row, &RowContext) + 's;

/// Runs `rows` through a pipeline's operators, ignoring its scope, and
/// returns what it emits once finished: the tables of `join`.
///
/// NOTE: these inner stages are not checked against the group limit. They receive
/// only the rows the enclosing stage held, which the limit bounds, but `join`
/// combines its tables' rows before the rows it releases are checked.
pub(crate) fn run_rows(pipeline: &Pipeline, rows: Vec<Row>, context: &RowContext) -> Vec<Row> {
    let mut state = PipelineState::new(pipeline, false);
    let mut emitted = Vec::new();
    for row in rows {
        run(
            &pipeline.operators,
            &mut state.operators,
            &mut state.counters,
            row,
            context,
            &mut |row, _| emitted.push(row),
        );
    }
    let flushed = flush(
        pipeline,
        &mut state.operators,
        &mut state.counters,
        usize::MAX,
        context,
        &mut |row, _| emitted.push(row),
    );
    debug_assert!(flushed.is_ok(), "no stage holds more than usize::MAX rows");
    emitted
}

/// Starts a row for the record in this pipeline when its scope matches, and
/// in every union pipeline inside it. Union rows continue after their union.
fn feed(
    pipeline: &Pipeline,
    state: &mut PipelineState,
    record: &dyn Record,
    context: &RowContext,
    sink: &mut Sink,
) {
    let width = context.fields.len();
    state.records_in += 1;
    if pipeline.scope.matches(record) {
        state.records_out += 1;
        run(
            &pipeline.operators,
            &mut state.operators,
            &mut state.counters,
            Row::for_record(width),
            context,
            sink,
        );
    }

    for (index, operator) in pipeline.operators.iter().enumerate() {
        let Operator::Union(sub) = operator else {
            continue;
        };
        let (head, tail) = state.operators.split_at_mut(index + 1);
        let OperatorState::Union(sub_state) = &mut head[index] else {
            unreachable!("union operator without union state");
        };
        let rest = &pipeline.operators[index + 1..];
        let counters = counters_from(&mut state.counters, index + 1);
        feed(sub, sub_state, record, context, &mut |row, context| {
            run(rest, tail, counters, row, context, sink)
        });
    }
}

/// Passes a row through `operators`, which may drop it, hold it or emit it.
/// `counters` is empty, or contains one entry per operator and one for the
/// rows that leave the pipeline.
fn run(
    operators: &[Operator],
    states: &mut [OperatorState],
    counters: &mut [StageCounters],
    mut row: Row,
    context: &RowContext,
    sink: &mut Sink,
) {
    for (index, operator) in operators.iter().enumerate() {
        if let Some(stage) = counters.get_mut(index) {
            stage.rows_in += 1;
        }
        match operator {
            Operator::Where(condition) => {
                if let Some(stage) = counters.get_mut(index) {
                    stage.observe_condition(&mut row, context);
                }
                if !condition.is_true(&mut row, context) {
                    return;
                }
            }
            Operator::Parse {
                source,
                pattern,
                targets,
                nodrop,
                starts_chain,
            } => {
                if *starts_chain {
                    row.nodrop_parse_matched = false;
                }
                let text = row.get(*source, context).map(|value| value.to_text());
                let captures = text.as_deref().and_then(|text| {
                    pattern
                        .captures(text)
                        .map(|captures| captures.into_iter().map(Value::text).collect::<Vec<_>>())
                });
                match captures {
                    Some(values) => {
                        if let Some(stage) = counters.get_mut(index) {
                            stage.parse_matched += 1;
                        }
                        for (slot, value) in targets.iter().zip(values) {
                            row.set(*slot, Some(value));
                        }
                        if *nodrop {
                            row.nodrop_parse_matched = true;
                        }
                    }
                    // A failed parse leaves existing fields as they were.
                    None if *nodrop || row.nodrop_parse_matched => {}
                    None => return,
                }
            }
            Operator::ParseRegex {
                source,
                regex,
                targets,
                multi,
                nodrop,
                starts_chain,
            } => {
                if *starts_chain {
                    row.nodrop_parse_matched = false;
                }
                let text = row.get(*source, context).map(|value| value.to_text());
                let mut matches: Vec<Vec<Option<Value>>> = Vec::new();
                if let Some(text) = text.as_deref() {
                    let groups = targets.iter().map(|(group, _)| *group);
                    matches = regex
                        .group_matches(text, groups, *multi)
                        .into_iter()
                        .map(|values| {
                            values
                                .into_iter()
                                .map(|found| found.map(Value::text))
                                .collect()
                        })
                        .collect();
                }

                if matches.is_empty() {
                    if *nodrop || row.nodrop_parse_matched {
                        continue;
                    }
                    return;
                }
                if let Some(stage) = counters.get_mut(index) {
                    stage.parse_matched += 1;
                }
                if *nodrop {
                    row.nodrop_parse_matched = true;
                }
                let last = matches.pop().expect("matches is not empty");
                // `multi` makes one row per match; the last match reuses this row.
                for values in matches {
                    let mut copy = row.clone();
                    for ((_, slot), value) in targets.iter().zip(values) {
                        copy.set(*slot, value);
                    }
                    let tail = counters_from(counters, index + 1);
                    run(
                        &operators[index + 1..],
                        &mut states[index + 1..],
                        tail,
                        copy,
                        context,
                        sink,
                    );
                }
                for ((_, slot), value) in targets.iter().zip(last) {
                    row.set(*slot, value);
                }
            }
            Operator::Assign { target, value } => {
                let value = value.evaluate(&mut row, context);
                row.set(*target, value);
            }
            Operator::Extract { source, extractor } => {
                let text = row.get(*source, context).map(|value| value.to_text());
                if !extractor.apply(text.as_ref(), &mut row, context.fields) {
                    return;
                }
            }
            Operator::Keep { copies, mask, .. } => {
                let copied: Vec<Option<Value>> = copies
                    .iter()
                    .map(|(source, _)| row.get(*source, context))
                    .collect();
                row.retain(mask);
                for ((_, target), value) in copies.iter().zip(copied) {
                    row.set(*target, value);
                }
            }
            Operator::Remove(slots) => {
                for slot in slots {
                    row.set(*slot, None);
                }
            }
            Operator::Union(_) => {}
            Operator::Sort { keys, materialize } => {
                let key_values = keys
                    .iter()
                    .map(|(key, _)| key.evaluate(&mut row, context))
                    .collect();
                row.materialize(materialize, context);
                let OperatorState::Sort(buffer) = &mut states[index] else {
                    unreachable!("sort operator without sort state");
                };
                buffer.push((key_values, row));
                return;
            }
            Operator::Aggregate { keys, functions } => {
                let key: Vec<GroupKey> = keys
                    .iter()
                    .map(|slot| GroupKey(row.get(*slot, context)))
                    .collect();
                let OperatorState::Aggregate(aggregate) = &mut states[index] else {
                    unreachable!("aggregate operator without aggregate state");
                };
                let group = aggregate.groups.entry(key).or_insert_with(|| {
                    functions
                        .iter()
                        .map(|(function, _)| function.start())
                        .collect()
                });
                for ((function, _), state) in functions.iter().zip(group.iter_mut()) {
                    let kept_before = state.kept_values();
                    function.add(state, &mut row, context);
                    aggregate.kept_values += state.kept_values() - kept_before;
                }
                return;
            }
            Operator::Timeslice(timeslice) => timeslice.apply(&mut row, context),
            Operator::Lookup(lookup) => lookup.apply(&mut row, context),
            Operator::Holding(holding) => {
                let OperatorState::Holding(state) = &mut states[index] else {
                    unreachable!("holding operator without holding state");
                };
                holding.add(state, row, context);
                return;
            }
            Operator::Limit(limit) => {
                let OperatorState::Limit(count) = &mut states[index] else {
                    unreachable!("limit operator without limit state");
                };
                if *count >= *limit {
                    return;
                }
                *count += 1;
            }
        }
    }
    if let Some(output) = counters.get_mut(operators.len()) {
        output.rows_in += 1;
    }
    sink(row, context);
}

/// Releases held rows in operator order, so each operator's output passes
/// through the operators after it before those release their own.
///
/// A stage after the first row-holding one fills up here, so each stage is checked
/// against `limit` before it releases, and so are the rows a row-holding stage
/// releases, because `fillmissing` adds rows to its input.
fn flush(
    pipeline: &Pipeline,
    states: &mut [OperatorState],
    counters: &mut [StageCounters],
    limit: usize,
    context: &RowContext,
    sink: &mut Sink,
) -> Result<(), GroupLimitExceeded> {
    let operators = &pipeline.operators;
    let width = context.fields.len();
    for index in 0..operators.len() {
        let span = &pipeline.sources[index].span;
        if let Some(unit) = exceeded_unit(&states[index], limit) {
            return Err(GroupLimitExceeded::at(span, limit, unit));
        }
        let (head, tail) = states.split_at_mut(index + 1);
        let rest = &operators[index + 1..];
        let tail_counters = counters_from(counters, index + 1);
        match (&operators[index], &mut head[index]) {
            (Operator::Union(sub), OperatorState::Union(sub_state)) => {
                let sub_counters = &mut sub_state.counters;
                flush(
                    sub,
                    &mut sub_state.operators,
                    sub_counters,
                    limit,
                    context,
                    &mut |row, context| run(rest, tail, tail_counters, row, context, sink),
                )?;
            }
            (Operator::Sort { keys, .. }, OperatorState::Sort(buffer)) => {
                let mut buffer = std::mem::take(buffer);
                buffer.sort_by(|(left, _), (right, _)| {
                    for ((left, right), (_, direction)) in left.iter().zip(right).zip(keys) {
                        let ordering = compare_for_sort(left.as_ref(), right.as_ref());
                        let ordering = match direction {
                            SortDirection::Ascending => ordering,
                            SortDirection::Descending => ordering.reverse(),
                        };
                        if ordering.is_ne() {
                            return ordering;
                        }
                    }
                    std::cmp::Ordering::Equal
                });
                for (_, row) in buffer {
                    run(rest, tail, tail_counters, row, context, sink);
                }
            }
            (Operator::Aggregate { keys, functions }, OperatorState::Aggregate(aggregate)) => {
                let mut groups = std::mem::take(aggregate).groups;
                // An aggregate without `by` reports one row even over no input.
                if groups.is_empty() && keys.is_empty() {
                    groups.insert(
                        Vec::new(),
                        functions
                            .iter()
                            .map(|(function, _)| function.start())
                            .collect(),
                    );
                }
                for (key, states) in groups {
                    let mut row = Row::empty(width);
                    for (slot, value) in keys.iter().zip(key) {
                        row.set(*slot, value.0);
                    }
                    for ((function, slot), state) in functions.iter().zip(&states) {
                        row.set(*slot, function.result(state));
                    }
                    run(rest, tail, tail_counters, row, context, sink);
                }
            }
            (Operator::Holding(holding), OperatorState::Holding(state)) => {
                let state = std::mem::replace(state, holding.start());
                let released = holding.release(state, width, context);
                if released.len() > limit {
                    return Err(GroupLimitExceeded::at(span, limit, "rows"));
                }
                for row in released {
                    run(rest, tail, tail_counters, row, context, sink);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Returns what `state` keeps more than `limit` of, if anything: rows, groups, or the
/// distinct values and samples that aggregates keep, summed over all groups.
fn exceeded_unit(state: &OperatorState, limit: usize) -> Option<&'static str> {
    match state {
        OperatorState::Sort(buffer) => (buffer.len() > limit).then_some("rows"),
        OperatorState::Aggregate(aggregate) if aggregate.groups.len() > limit => Some("groups"),
        OperatorState::Aggregate(aggregate) => {
            (aggregate.kept_values > limit).then_some("distinct values or samples")
        }
        OperatorState::Holding(held) => (held.len() > limit).then(|| held.unit()),
        OperatorState::Stateless | OperatorState::Union(_) | OperatorState::Limit(_) => None,
    }
}

/// Returns the first stage of `pipeline`, or of a `union` inside it, that keeps more
/// than `limit` groups, rows or kept values. [`flush`] checks the stages that fill
/// only when the execution finishes.
fn find_group_limit_exceeded(
    pipeline: &Pipeline,
    state: &PipelineState,
    limit: usize,
) -> Option<GroupLimitExceeded> {
    for ((operator_state, source), operator) in state
        .operators
        .iter()
        .zip(&pipeline.sources)
        .zip(&pipeline.operators)
    {
        if let (OperatorState::Union(sub_state), Operator::Union(sub)) = (operator_state, operator)
        {
            match find_group_limit_exceeded(sub, sub_state, limit) {
                Some(exceeded) => return Some(exceeded),
                None => continue,
            }
        }
        if let Some(unit) = exceeded_unit(operator_state, limit) {
            return Some(GroupLimitExceeded::at(&source.span, limit, unit));
        }
    }
    None
}

fn absorb_states(pipeline: &Pipeline, state: &mut PipelineState, partial: PipelineState) {
    state.records_in += partial.records_in;
    state.records_out += partial.records_out;
    debug_assert_eq!(
        state.counters.len(),
        partial.counters.len(),
        "explained and plain executions mixed"
    );
    for (known, more) in state.counters.iter_mut().zip(&partial.counters) {
        known.add(more);
    }

    let pairs = pipeline
        .operators
        .iter()
        .zip(state.operators.iter_mut())
        .zip(partial.operators);
    for ((operator, state), partial) in pairs {
        match (operator, state, partial) {
            (
                Operator::Union(sub),
                OperatorState::Union(sub_state),
                OperatorState::Union(partial_sub),
            ) => {
                absorb_states(sub, sub_state, partial_sub);
            }
            (Operator::Sort { .. }, OperatorState::Sort(buffer), OperatorState::Sort(more)) => {
                buffer.extend(more);
            }
            (
                Operator::Aggregate { functions, .. },
                OperatorState::Aggregate(aggregate),
                OperatorState::Aggregate(more),
            ) => {
                let groups = &mut aggregate.groups;
                for (key, states) in more.groups {
                    match groups.get_mut(&key) {
                        Some(known) => {
                            for (((function, _), known), state) in
                                functions.iter().zip(known.iter_mut()).zip(states)
                            {
                                function.merge(known, state);
                            }
                        }
                        None => {
                            groups.insert(key, states);
                        }
                    }
                }
                // Merged sets share values, so the sum is counted again.
                aggregate.kept_values = groups
                    .values()
                    .flatten()
                    .map(AggregateState::kept_values)
                    .sum();
            }
            (
                Operator::Holding(holding),
                OperatorState::Holding(state),
                OperatorState::Holding(more),
            ) => holding.merge(state, more),
            (Operator::Limit(_), OperatorState::Limit(count), OperatorState::Limit(more)) => {
                // Plans that can be split keep every limit after a
                // row-holding stage, which partials never pass rows to.
                debug_assert_eq!(more, 0, "a partial execution passed rows to a limit");
                *count += more;
            }
            _ => {}
        }
    }
}
