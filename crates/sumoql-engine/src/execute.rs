//! Runs a [`Plan`] over records, pushing each record through every pipeline
//! in one pass.
//!
//! Rows flow forward through the operators. `sort` and aggregates hold rows
//! back until [`Execution::finish`]; `union` passes the rows of its own
//! pipeline on to the operators that follow it, so one read of the input
//! feeds every branch.

use indexmap::IndexMap;

use crate::aggregate::AggregateState;
use crate::plan::{Operator, Pipeline, Plan};
use crate::row::{Record, Row, RowContext};
use crate::value::{compare_for_sort, GroupKey, Value};

use sumoql_syntax::ast::SortDirection;

/// The rows a query produced, with column names in result order.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<Value>>>,
}

/// The running state of a plan over a stream of records.
///
/// For a run split across threads, each chunk of records gets its own
/// partial execution ([`Execution::partial`]); the owner of the full
/// execution then absorbs the partials in chunk order
/// ([`Execution::absorb`]), which gives the same result as one execution
/// over all records in that order.
pub struct Execution<'p> {
    plan: &'p Plan,
    state: PipelineState,
    rows: Vec<Vec<Option<Value>>>,
}

struct PipelineState {
    operators: Vec<OperatorState>,
}

type SortBuffer = Vec<(Vec<Option<Value>>, Row)>;
type Groups = IndexMap<Vec<GroupKey>, Vec<AggregateState>>;

enum OperatorState {
    Stateless,
    Union(PipelineState),
    Sort(SortBuffer),
    Aggregate(Groups),
    Limit(u64),
}

impl PipelineState {
    fn new(pipeline: &Pipeline) -> PipelineState {
        let operators = pipeline
            .operators
            .iter()
            .map(|operator| match operator {
                Operator::Union(sub) => OperatorState::Union(PipelineState::new(sub)),
                Operator::Sort { .. } => OperatorState::Sort(Vec::new()),
                Operator::Aggregate { .. } => OperatorState::Aggregate(IndexMap::new()),
                Operator::Limit(_) => OperatorState::Limit(0),
                _ => OperatorState::Stateless,
            })
            .collect();
        PipelineState { operators }
    }
}

impl<'p> Execution<'p> {
    pub fn new(plan: &'p Plan) -> Execution<'p> {
        Execution {
            plan,
            state: PipelineState::new(&plan.root),
            rows: Vec::new(),
        }
    }

    /// Starts the execution of one chunk of records, to be absorbed later
    /// into the execution that covers all of them. Only plans for which
    /// [`Plan::supports_partials`] holds may be split.
    pub fn partial(plan: &'p Plan) -> Execution<'p> {
        Execution::new(plan)
    }

    /// Adds the state of a partial execution over the records that follow
    /// the ones this execution has seen.
    ///
    /// Before the first row-holding stage on each path, every operator is
    /// per-row, so a partial holds only streamed result rows and the states
    /// of those first `sort` and aggregate stages, which merge exactly:
    /// sort buffers append, and aggregate groups merge, new groups after the
    /// known ones in order of first appearance.
    pub fn absorb(&mut self, partial: Execution<'p>) {
        debug_assert!(std::ptr::eq(self.plan, partial.plan), "partials must come from the same plan");
        absorb_states(&self.plan.root, &mut self.state, partial.state);
        self.rows.extend(partial.rows);
    }

    /// Runs one record through every pipeline of the plan.
    pub fn push(&mut self, record: &dyn Record) {
        let context = RowContext {
            record: Some(record),
            fields: &self.plan.fields,
        };
        let columns = &self.plan.columns;
        let rows = &mut self.rows;
        let mut sink = |mut row: Row, context: &RowContext| {
            rows.push(columns.iter().map(|slot| row.get(*slot, context)).collect());
        };
        feed(&self.plan.root, &mut self.state, record, &context, &mut sink);
    }

    /// Releases the rows that `sort` and aggregates held back and returns the result.
    pub fn finish(mut self) -> ResultTable {
        let context = RowContext {
            record: None,
            fields: &self.plan.fields,
        };
        let columns = &self.plan.columns;
        let rows = &mut self.rows;
        let mut sink = |mut row: Row, context: &RowContext| {
            rows.push(columns.iter().map(|slot| row.get(*slot, context)).collect());
        };
        flush(&self.plan.root.operators, &mut self.state.operators, &context, &mut sink);

        ResultTable {
            columns: self.plan.column_names(),
            rows: self.rows,
        }
    }
}

type Sink<'s> = dyn FnMut(Row, &RowContext) + 's;

/// Starts a row for the record in this pipeline when its scope matches, and
/// in every union pipeline inside it; union rows continue after their union.
fn feed(pipeline: &Pipeline, state: &mut PipelineState, record: &dyn Record, context: &RowContext, sink: &mut Sink) {
    let width = context.fields.len();
    if pipeline.scope.matches(record) {
        run(&pipeline.operators, &mut state.operators, Row::for_record(width), context, sink);
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
        feed(sub, sub_state, record, context, &mut |row, context| run(rest, tail, row, context, sink));
    }
}

/// Passes a row through `operators`, which may drop it, hold it or emit it.
fn run(operators: &[Operator], states: &mut [OperatorState], mut row: Row, context: &RowContext, sink: &mut Sink) {
    for (index, operator) in operators.iter().enumerate() {
        match operator {
            Operator::Where(condition) => {
                if !condition.is_true(&mut row, context) {
                    return;
                }
            }
            Operator::Parse { source, pattern, targets, nodrop, starts_chain } => {
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
            Operator::ParseRegex { source, regex, targets, multi, nodrop, starts_chain } => {
                if *starts_chain {
                    row.nodrop_parse_matched = false;
                }
                let text = row.get(*source, context).map(|value| value.to_text());
                let mut matches: Vec<Vec<Option<Value>>> = Vec::new();
                if let Some(text) = text.as_deref() {
                    for captures in regex.captures_iter(text) {
                        let values = targets
                            .iter()
                            .map(|(group, _)| captures.get(*group).map(|found| Value::text(found.as_str())))
                            .collect();
                        matches.push(values);
                        if !*multi {
                            break;
                        }
                    }
                }

                if matches.is_empty() {
                    if *nodrop || row.nodrop_parse_matched {
                        continue;
                    }
                    return;
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
                    run(&operators[index + 1..], &mut states[index + 1..], copy, context, sink);
                }
                for ((_, slot), value) in targets.iter().zip(last) {
                    row.set(*slot, value);
                }
            }
            Operator::Assign { target, value } => {
                let value = value.evaluate(&mut row, context);
                row.set(*target, value);
            }
            Operator::Keep { copies, mask, .. } => {
                let copied: Vec<Option<Value>> = copies.iter().map(|(source, _)| row.get(*source, context)).collect();
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
                let key_values = keys.iter().map(|(key, _)| key.evaluate(&mut row, context)).collect();
                row.materialize(materialize, context);
                let OperatorState::Sort(buffer) = &mut states[index] else {
                    unreachable!("sort operator without sort state");
                };
                buffer.push((key_values, row));
                return;
            }
            Operator::Aggregate { keys, functions } => {
                let key: Vec<GroupKey> = keys.iter().map(|slot| GroupKey(row.get(*slot, context))).collect();
                let OperatorState::Aggregate(groups) = &mut states[index] else {
                    unreachable!("aggregate operator without aggregate state");
                };
                let group = groups
                    .entry(key)
                    .or_insert_with(|| functions.iter().map(|(function, _)| function.start()).collect());
                for ((function, _), state) in functions.iter().zip(group.iter_mut()) {
                    function.add(state, &mut row, context);
                }
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
    sink(row, context);
}

/// Releases held rows in operator order, so each operator's output passes
/// through the operators after it before those release their own.
fn flush(operators: &[Operator], states: &mut [OperatorState], context: &RowContext, sink: &mut Sink) {
    let width = context.fields.len();
    for index in 0..operators.len() {
        let (head, tail) = states.split_at_mut(index + 1);
        let rest = &operators[index + 1..];
        match (&operators[index], &mut head[index]) {
            (Operator::Union(sub), OperatorState::Union(sub_state)) => {
                flush(&sub.operators, &mut sub_state.operators, context, &mut |row, context| {
                    run(rest, tail, row, context, sink)
                });
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
                    run(rest, tail, row, context, sink);
                }
            }
            (Operator::Aggregate { keys, functions }, OperatorState::Aggregate(groups)) => {
                let mut groups = std::mem::take(groups);
                // An aggregate without `by` reports one row even over no input.
                if groups.is_empty() && keys.is_empty() {
                    groups.insert(Vec::new(), functions.iter().map(|(function, _)| function.start()).collect());
                }
                for (key, states) in groups {
                    let mut row = Row::empty(width);
                    for (slot, value) in keys.iter().zip(key) {
                        row.set(*slot, value.0);
                    }
                    for ((function, slot), state) in functions.iter().zip(&states) {
                        row.set(*slot, function.result(state));
                    }
                    run(rest, tail, row, context, sink);
                }
            }
            _ => {}
        }
    }
}

fn absorb_states(pipeline: &Pipeline, state: &mut PipelineState, partial: PipelineState) {
    let pairs = pipeline.operators.iter().zip(state.operators.iter_mut()).zip(partial.operators);
    for ((operator, state), partial) in pairs {
        match (operator, state, partial) {
            (Operator::Union(sub), OperatorState::Union(sub_state), OperatorState::Union(partial_sub)) => {
                absorb_states(sub, sub_state, partial_sub);
            }
            (Operator::Sort { .. }, OperatorState::Sort(buffer), OperatorState::Sort(more)) => {
                buffer.extend(more);
            }
            (Operator::Aggregate { functions, .. }, OperatorState::Aggregate(groups), OperatorState::Aggregate(more)) => {
                for (key, states) in more {
                    match groups.get_mut(&key) {
                        Some(known) => {
                            for (((function, _), known), state) in functions.iter().zip(known.iter_mut()).zip(states) {
                                function.merge(known, state);
                            }
                        }
                        None => {
                            groups.insert(key, states);
                        }
                    }
                }
            }
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
