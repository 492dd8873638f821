//! The executable form of a query: pipelines of operators over field slots.

use sumoql_syntax::ast::{SortDirection, Span};

use crate::aggregate::AggregateFunction;
use crate::explain::TermJoin;
use crate::expr::{CompiledExpr, Slot};
use crate::formats::Extractor;
use crate::operators::holding::HoldingStage;
use crate::operators::lookup::Lookup;
use crate::operators::timeslice::Timeslice;
use crate::pattern::AnchorPattern;
use crate::row::FieldTable;
use crate::scope::ScopeFilter;

/// A compiled query, ready to run over records.
#[derive(Debug)]
pub struct Plan {
    pub(crate) fields: FieldTable,
    pub(crate) root: Pipeline,
    /// The result columns, in the order results show them.
    pub(crate) columns: Vec<Slot>,
    /// The records a run covers; see [`Plan::set_time_range`].
    pub(crate) time_range: Option<crate::TimeRange>,
    /// Whether some operator or function reads the query time range.
    pub(crate) reads_time_range: bool,
    /// The number of groups or rows one stage may hold; see [`Plan::set_max_groups`].
    pub(crate) max_groups: usize,
    /// The shifted copies of the stages before `compare`, fed with every
    /// record besides the root pipeline.
    pub(crate) shifted: Vec<crate::operators::compare::ShiftedBranch>,
    pub(crate) subqueries: Vec<crate::subquery::SubqueryPlan>,
    /// Whether the result shows messages and a `json auto` or `kv auto`
    /// stage adds the fields it finds as columns.
    pub(crate) shows_found_fields: bool,
}

/// The number of groups or held rows one stage may keep unless
/// [`Plan::set_max_groups`] sets another limit.
pub const DEFAULT_MAX_GROUPS: usize = 10_000_000;

impl Plan {
    /// Returns the names of the result columns.
    pub fn column_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|slot| self.fields.display_name(*slot).to_string())
            .collect()
    }

    /// Sets the query time range: records whose `_messageTime` lies outside
    /// it are skipped, and `timeslice N buckets`, `timeslice` without a width
    /// and `queryStartTime()`/`queryEndTime()` read it.
    /// Subqueries get the same range, unless they set their own bounds
    /// relative to its end (`[subquery from=(-24h): …]`).
    pub fn set_time_range(&mut self, range: crate::TimeRange) {
        self.time_range = Some(range);
        for subquery in &mut self.subqueries {
            let subquery_range = crate::TimeRange {
                start: subquery.from.map_or(range.start, |from| range.end + from),
                end: subquery.to.map_or(range.end, |to| range.end + to),
            };
            subquery.plan.set_time_range(subquery_range);
        }
    }

    /// Returns the subqueries, in query order, which the caller runs over the
    /// inputs and binds ([`crate::SubqueryPlan::bind`]) before running this
    /// plan. An unbound subquery matches nothing.
    pub fn subqueries(&self) -> &[crate::SubqueryPlan] {
        &self.subqueries
    }

    /// Sets the number of groups (`count by`, `top`, `count_frequent`) or held rows
    /// (`sort`, `topk`, `transpose`, `dedup`, `fillmissing`, `accum`, `total`) one stage
    /// may keep, and the number of values the `count_distinct`, `values` and `pct` of
    /// one aggregate stage may keep, summed over its groups. A stage is checked while
    /// records are pushed and while held rows pass through it at the end, and the rows
    /// a row-holding stage releases count too. A run that passes it stops, and
    /// [`crate::Execution::group_limit_exceeded`] or [`crate::Execution::finish`] names
    /// the stage. Subqueries get the same limit.
    pub fn set_max_groups(&mut self, max_groups: usize) {
        self.max_groups = max_groups;
        for subquery in &mut self.subqueries {
            subquery.plan.set_max_groups(max_groups);
        }
    }

    /// Reports whether the query reads the time range, so a caller without
    /// one should work it out from the data before running.
    pub fn reads_time_range(&self) -> bool {
        self.reads_time_range
    }

    /// Reports whether a run may be split into partial executions over
    /// chunks of records (see [`crate::Execution::absorb`]).
    ///
    /// A `limit` that rows can reach without first passing a `sort` or an
    /// aggregate counts rows as they stream, so its result depends on which
    /// chunk saw a row first. Such plans must run in one execution. A limit
    /// in the main pipeline with a row-holding stage before it, and no
    /// `union` in between, only sees rows when the execution finishes.
    pub fn supports_partials(&self) -> bool {
        // NOTE: `compare` joins its shifted branches at the end, which
        // partial executions do not carry.
        if !self.shifted.is_empty() {
            return false;
        }
        let root = &self.root.operators;
        let subs_free_of_limits = root.iter().all(|operator| match operator {
            Operator::Union(sub) => !sub.contains_limit(),
            _ => true,
        });
        let limits_behind_barriers = root.iter().enumerate().all(|(index, operator)| {
            if !matches!(operator, Operator::Limit(_)) {
                return true;
            }
            let mut earlier = root[..index].iter().rev();
            earlier
                .find(|operator| {
                    !matches!(
                        operator,
                        Operator::Where(_)
                            | Operator::Parse { .. }
                            | Operator::ParseRegex { .. }
                            | Operator::Assign { .. }
                            | Operator::Extract { .. }
                            | Operator::Keep { .. }
                            | Operator::Remove(_)
                            | Operator::Timeslice(_)
                            | Operator::Lookup(_)
                    )
                })
                .is_some_and(|operator| {
                    matches!(
                        operator,
                        Operator::Sort { .. } | Operator::Aggregate { .. } | Operator::Holding(_)
                    )
                })
        });
        subs_free_of_limits && limits_behind_barriers
    }

    /// Reports whether any part of the query reads `_raw`, so a reader can
    /// skip building it when no part does.
    pub fn reads_raw(&self) -> bool {
        self.fields.find("_raw").is_some() || self.root.scope_reads_raw()
    }
}

/// A scope filter and the operators that rows passing it go through.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) scope: ScopeFilter,
    /// The byte range of the scope text; `None` when the query has no scope.
    pub(crate) scope_span: Option<Span>,
    pub(crate) operators: Vec<Operator>,
    /// The stage text of each operator, one entry per operator.
    pub(crate) sources: Vec<StageSource>,
}

/// The query text an operator was compiled from, kept for `--explain`.
#[derive(Debug)]
pub(crate) struct StageSource {
    pub(crate) span: Span,
    /// The top-level terms of a `where` condition with more than one,
    /// compiled one by one so an explained run can count each.
    pub(crate) terms: Option<WhereTerms>,
    /// The stage in the canonical layout: `sumo_stage` compiles the per-row
    /// stages (extractions and `timeslice`) again from it.
    #[cfg_attr(not(feature = "datafusion"), allow(dead_code))]
    pub(crate) text: Option<std::sync::Arc<str>>,
}

/// A `where` condition split at its top-level `and` or `or`, after at most
/// one leading `!`: `!(a or b or c)` has the terms `a`, `b` and `c`.
#[derive(Debug)]
pub(crate) struct WhereTerms {
    pub(crate) join: TermJoin,
    pub(crate) negated: bool,
    pub(crate) terms: Vec<(Span, CompiledExpr)>,
}

impl Pipeline {
    /// Returns the fields a `compare` in this pipeline reads from the rows
    /// of its shifted branches: the aggregate's group and result fields.
    pub(crate) fn compare_inputs(&self) -> std::collections::BTreeSet<crate::expr::Slot> {
        self.operators
            .iter()
            .filter_map(|operator| match operator {
                Operator::Holding(HoldingStage {
                    kind: crate::operators::holding::HoldingKind::Compare(compare),
                    ..
                }) => Some(compare.keys.iter().chain(&compare.values).copied()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn contains_limit(&self) -> bool {
        self.operators.iter().any(|operator| match operator {
            Operator::Limit(_) => true,
            Operator::Union(sub) => sub.contains_limit(),
            _ => false,
        })
    }

    fn scope_reads_raw(&self) -> bool {
        self.scope.reads_raw()
            || self.operators.iter().any(|operator| match operator {
                Operator::Union(sub) => sub.scope_reads_raw(),
                _ => false,
            })
    }
}

#[derive(Debug)]
pub(crate) enum Operator {
    Where(CompiledExpr),
    Parse {
        source: Slot,
        pattern: AnchorPattern,
        targets: Vec<Slot>,
        nodrop: bool,
        starts_chain: bool,
    },
    ParseRegex {
        source: Slot,
        regex: crate::sumo_regex::SumoRegex,
        /// Capture group index and the slot it fills.
        targets: Vec<(usize, Slot)>,
        multi: bool,
        nodrop: bool,
        starts_chain: bool,
    },
    Assign {
        target: Slot,
        value: CompiledExpr,
    },
    /// `json`, `keyvalue`, `csv`, `split`, `parse xml` and `parse` with several
    /// patterns: fields read out of the text of `source`.
    Extract {
        source: Slot,
        extractor: Extractor,
    },
    /// `fields a, b` (with `x as y` copies done before the others are dropped).
    Keep {
        kept: Vec<Slot>,
        copies: Vec<(Slot, Slot)>,
        /// One flag per slot, filled in once every field name is known.
        mask: Vec<bool>,
    },
    Remove(Vec<Slot>),
    Union(Pipeline),
    Sort {
        keys: Vec<(CompiledExpr, SortDirection)>,
        /// Fields later stages read, copied out of the record before the row is stored.
        materialize: Vec<Slot>,
    },
    Aggregate {
        keys: Vec<Slot>,
        functions: Vec<(AggregateFunction, Slot)>,
    },
    Limit(u64),
    Timeslice(Timeslice),
    Lookup(Box<Lookup>),
    Holding(HoldingStage),
}
