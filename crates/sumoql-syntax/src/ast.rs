//! The typed syntax tree of a Sumo Logic search query.
//!
//! Every node that a diagnostic may point at is wrapped in [`Spanned`], so the
//! variant definitions read like the grammar and the byte ranges sit beside
//! them. Spans are byte offsets into the query text the parser was given.

use std::fmt;
use std::ops::Range;

/// A byte range in the query text.
pub type Span = Range<usize>;

/// A syntax node with the byte range of the text it was parsed from.
#[derive(Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

// Spans are left out of `Debug` output so AST snapshots show the shape only.
impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(formatter)
    }
}

/// A whole query: the scope before the first `|`, then the pipe stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `None` when the query starts with `|` or is empty before it, which
    /// Sumo treats like `*`.
    pub scope: Option<Spanned<Scope>>,
    pub stages: Vec<Spanned<Stage>>,
}

/// The keyword expression before the first pipe.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// `*`: every record.
    All,
    /// A bare keyword (`error`, `fail*`) or a quoted phrase (`"Access denied"`),
    /// matched case-insensitively against `_raw`. The text is decoded: quotes
    /// removed and escapes resolved.
    Keyword {
        text: String,
        quoted: bool,
    },
    /// `field=value` or `field!=value`, such as `_sourceCategory=windows/sysmon`.
    /// The value is decoded; `quoted` records whether it was written in quotes.
    Term {
        field: String,
        negated: bool,
        value: String,
        quoted: bool,
    },
    And(Box<Spanned<Scope>>, Box<Spanned<Scope>>),
    Or(Box<Spanned<Scope>>, Box<Spanned<Scope>>),
    Not(Box<Spanned<Scope>>),
    /// `field>value`, `field<=value` and the other ordering comparisons,
    /// such as `_size>1000`. The value is decoded as in [`Scope::Term`].
    Compare {
        field: String,
        /// One of `Less`, `LessOrEqual`, `Greater`, `GreaterOrEqual`.
        operator: BinaryOperator,
        value: String,
        quoted: bool,
    },
    /// `[subquery: … | compose …]` in the scope: a filter built from the
    /// rows of another query.
    Subquery(Box<Spanned<Subquery>>),
}

/// One pipe stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `where <condition>`
    Where(Spanned<Expr>),
    /// `parse [field=F] "a*b*c" as x, y [nodrop]`
    Parse {
        field: Option<Spanned<String>>,
        /// The decoded pattern text; each `*` marks one capture.
        pattern: Spanned<String>,
        names: Vec<Spanned<String>>,
        nodrop: bool,
    },
    /// `parse regex [field=F] "re" [multi] [nodrop]` (also spelled `extract`).
    /// Captures go to the regex's named groups.
    ParseRegex {
        field: Option<Spanned<String>>,
        regex: Spanned<String>,
        multi: bool,
        nodrop: bool,
    },
    /// `<expr> as Name`, including `"literal" as Name` and `concat(...) as Name`.
    Assign {
        value: Spanned<Expr>,
        name: Spanned<String>,
    },
    /// `fields a, b` keeps only the listed fields; `fields - a, b` removes them.
    /// `fields a as b` (keep mode only) is a sumoql extension: copy `a` to `b`
    /// and keep `b`.
    Fields {
        mode: FieldsMode,
        items: Vec<Spanned<FieldItem>>,
    },
    /// `union [ subquery ]`, a sumoql extension: append the rows that the
    /// subquery, with its own scope, produces over the same input.
    Union(Box<Spanned<Query>>),
    /// `sort by a desc, b asc` (also `order by`, `sort a`, `sort by +a`).
    Sort(Vec<Spanned<SortKey>>),
    /// `count`, `count by a, b`, `count(x) as n by a`, `count_distinct(x) by a`.
    Aggregate {
        functions: Vec<Spanned<AggregateCall>>,
        by: Vec<Spanned<Expr>>,
    },
    /// `limit N`
    Limit(u64),

    // The stages below are parsed but not yet run by the engine; grammar.md
    // lists their syntax.
    /// `parse "a=*," as a, "b=*," as b [nodrop]`: an anchor parse with two
    /// or more patterns, each with its own names. A single pattern is
    /// [`Stage::Parse`].
    ParseMulti {
        field: Option<Spanned<String>>,
        patterns: Vec<Spanned<AnchorCapture>>,
        nodrop: bool,
    },
    /// `json [field=F] "key", … [as a, …] [nodrop]` and `json auto …`.
    Json(JsonStage),
    /// `keyvalue` (also `kv`): `kv "key", …`, `kv infer …`, `kv auto …`,
    /// `kv regex "re" [keys] "key", …`.
    KeyValue(KeyValueStage),
    /// `csv F [escape='c', quote='c'] extract 1 as a, b, _, …`
    Csv(DelimitedStage),
    /// `split F [delim='c', escape='c', quote='c'] extract 1 as a, b, _, …`
    Split(DelimitedStage),
    /// `parse xml [field=F] "/x/path", … [as a, …] [nodrop]`
    ParseXml {
        field: Option<Spanned<String>>,
        paths: Vec<Spanned<String>>,
        names: Vec<Spanned<String>>,
        nodrop: bool,
    },
    /// `timeslice [by] 5m [as F]` or `timeslice 100 buckets [as F]`.
    Timeslice {
        span: Option<Spanned<TimesliceSpan>>,
        alias: Option<Spanned<String>>,
    },
    /// `transpose row a, … column b, … [as c, …, *]`
    Transpose {
        rows: Vec<Spanned<String>>,
        columns: Vec<Spanned<String>>,
        outputs: Vec<Spanned<TransposeOutput>>,
    },
    /// `lookup a [as x], … from TABLE on f=c [, f=c]`
    Lookup(LookupStage),
    /// `save [append] TABLE`
    Save {
        append: bool,
        table: Spanned<TablePath>,
    },
    /// `cat TABLE`
    Cat(Spanned<TablePath>),
    /// `top [N] a, … [by key [asc|desc], …]`
    Top {
        count: Option<u64>,
        fields: Vec<Spanned<Expr>>,
        by: Vec<Spanned<SortKey>>,
    },
    /// `topk(N, a, …) [by b, …]`
    TopK {
        count: u64,
        fields: Vec<Spanned<Expr>>,
        by: Vec<Spanned<Expr>>,
    },
    /// `count_frequent a, …`
    CountFrequent(Vec<Spanned<Expr>>),
    /// Operators over the ordered rows: `accum`, `total`, `backshift`,
    /// `smooth`, `rollingstd`, `diff`, written
    /// `NAME F [, N] [as A] [by b, …]` (also `NAME(F)`).
    Series {
        function: SeriesFunction,
        field: Spanned<Expr>,
        /// The shift of `backshift` or the window of `smooth` and `rollingstd`.
        window: Option<u64>,
        alias: Option<Spanned<String>>,
        by: Vec<Spanned<Expr>>,
    },
    /// `fillmissing GENERATOR, … [with VALUE for F, …] [takeLast]`
    FillMissing {
        generators: Vec<Spanned<FillGenerator>>,
        defaults: Vec<Spanned<FillDefault>>,
        take_last: bool,
    },
    /// `dedup [consecutive] [N] [by] a, …`
    Dedup {
        consecutive: bool,
        count: Option<u64>,
        by: Vec<Spanned<Expr>>,
    },
    /// `outlier F [by a, …] [window=N, threshold=X, consecutive=N, direction=+-]`
    Outlier {
        field: Spanned<Expr>,
        by: Vec<Spanned<Expr>>,
        options: Vec<Spanned<NamedOption>>,
    },
    /// `predict F by 1m [model=ar, ar.window=N, forecast=N]`
    Predict {
        field: Spanned<Expr>,
        interval: Spanned<Quantity>,
        options: Vec<Spanned<NamedOption>>,
    },
    /// `compare [with] timeshift 1d [N] [avg|min|max] [as A], …`
    Compare(Vec<Spanned<Timeshift>>),
    /// `geoip F`
    Geoip(Spanned<String>),
    /// `threatip F`
    ThreatIp(Spanned<String>),
    /// `threatlookup [singleIndicator] [source=…] [include=…] F, …`
    ThreatLookup {
        single_indicator: bool,
        options: Vec<Spanned<NamedOption>>,
        fields: Vec<Spanned<String>>,
    },
    /// `join (query) as t1, (query) as t2 on CONDITION [timewindow 10m]`
    Join {
        tables: Vec<Spanned<JoinTable>>,
        on: Spanned<Expr>,
        time_window: Option<Spanned<Quantity>>,
    },
    /// `merge [F [STRATEGY] [as A], …]`
    Merge(Vec<Spanned<MergeField>>),
    /// `transactionize a, … [as A] [NAME=VALUE …] [(stages)]`
    Transactionize {
        fields: Vec<Spanned<String>>,
        alias: Option<Spanned<String>>,
        options: Vec<Spanned<NamedOption>>,
        subquery: Option<Box<Spanned<Query>>>,
    },
    /// `compose a, … [maxresults=N] [keywords]`, the last stage of a subquery.
    Compose {
        fields: Vec<Spanned<String>>,
        max_results: Option<u64>,
        keywords: bool,
    },
    /// `filter F in (stages)`: keeps rows whose `F` is among the values the
    /// stages compute over the same rows.
    Filter {
        field: Spanned<String>,
        query: Box<Spanned<Query>>,
    },
    /// `withtime F`
    Withtime(Spanned<String>),
    /// `logreduce [(F)] [field=F] [by a, …] [NAME=VALUE …]`
    LogReduce {
        field: Option<Spanned<String>>,
        by: Vec<Spanned<Expr>>,
        options: Vec<Spanned<NamedOption>>,
    },
    /// `logcompare timeshift -1d [NAME=VALUE …]`
    LogCompare {
        timeshift: Spanned<Quantity>,
        options: Vec<Spanned<NamedOption>>,
    },
    /// `infer NAME=VALUE …`
    Infer(Vec<Spanned<NamedOption>>),
    /// `bin F NAME=VALUE, … [as A]`
    Bin {
        field: Spanned<Expr>,
        options: Vec<Spanned<NamedOption>>,
        alias: Option<Spanned<String>>,
    },
    /// `sessionize "pattern" as (a, …), …`
    Sessionize(Vec<Spanned<AnchorCapture>>),
    /// `transaction on a, … (with "pattern" as state, … | with states s, …
    /// in F) [NAME=VALUE …] [results by transactions|flow]`
    Transaction {
        on: Vec<Spanned<String>>,
        states: TransactionStates,
        options: Vec<Spanned<NamedOption>>,
        results: Option<TransactionResults>,
    },
    /// A function call written as a whole stage without `as`, such as
    /// `num(x)` or `trim(x)`. Sumo documents `num(x)` alone converting `x`
    /// in place; for other functions it documents no rule.
    Evaluate(Spanned<Expr>),
}

impl Stage {
    /// Returns the operator word of the stage, for messages: `where`,
    /// `parse regex`, the first aggregate function's name, `as` for an
    /// assignment.
    pub fn name(&self) -> &str {
        match self {
            Stage::Where(_) => "where",
            Stage::Parse { .. } | Stage::ParseMulti { .. } => "parse",
            Stage::ParseRegex { .. } => "parse regex",
            Stage::Assign { .. } => "as",
            Stage::Fields { .. } => "fields",
            Stage::Union(_) => "union",
            Stage::Sort(_) => "sort",
            Stage::Aggregate { functions, .. } => functions
                .first()
                .map_or("count", |call| call.node.function.as_str()),
            Stage::Limit(_) => "limit",
            Stage::Json(_) => "json",
            Stage::KeyValue(_) => "keyvalue",
            Stage::Csv(_) => "csv",
            Stage::Split(_) => "split",
            Stage::ParseXml { .. } => "parse xml",
            Stage::Timeslice { .. } => "timeslice",
            Stage::Transpose { .. } => "transpose",
            Stage::Lookup(_) => "lookup",
            Stage::Save { .. } => "save",
            Stage::Cat(_) => "cat",
            Stage::Top { .. } => "top",
            Stage::TopK { .. } => "topk",
            Stage::CountFrequent(_) => "count_frequent",
            Stage::Series { function, .. } => function.name(),
            Stage::FillMissing { .. } => "fillmissing",
            Stage::Dedup { .. } => "dedup",
            Stage::Outlier { .. } => "outlier",
            Stage::Predict { .. } => "predict",
            Stage::Compare(_) => "compare",
            Stage::Geoip(_) => "geoip",
            Stage::ThreatIp(_) => "threatip",
            Stage::ThreatLookup { .. } => "threatlookup",
            Stage::Join { .. } => "join",
            Stage::Merge(_) => "merge",
            Stage::Transactionize { .. } => "transactionize",
            Stage::Compose { .. } => "compose",
            Stage::Filter { .. } => "filter",
            Stage::Withtime(_) => "withtime",
            Stage::LogReduce { .. } => "logreduce",
            Stage::LogCompare { .. } => "logcompare",
            Stage::Infer(_) => "infer",
            Stage::Bin { .. } => "bin",
            Stage::Sessionize(_) => "sessionize",
            Stage::Transaction { .. } => "transaction",
            Stage::Evaluate(expression) => match &expression.node {
                Expr::Call { name, .. } => name.as_str(),
                _ => "expression",
            },
        }
    }
}

/// The rule by which `transaction` assigns a state to each row.
#[derive(Debug, Clone, PartialEq)]
pub enum TransactionStates {
    /// `with "*LOGIN*" as login, with "*LOGOUT*" as logout`: a row matching
    /// the pattern is in that state.
    Patterns(Vec<Spanned<StatePattern>>),
    /// `with states a, b, c in F`: the state is the value of `F`.
    Field { states: Vec<String>, field: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatePattern {
    pub pattern: String,
    pub state: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionResults {
    Transactions,
    Flow,
}

/// One anchor pattern of a multi-pattern `parse` or of `sessionize`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorCapture {
    /// The decoded pattern text; each `*` marks one capture.
    pub pattern: Spanned<String>,
    pub names: Vec<Spanned<String>>,
}

/// The options of `json`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonStage {
    pub field: Option<Spanned<String>>,
    /// `json auto`: extract every key; `keys` then only names the keys to
    /// rename or, with `refonly`, to keep.
    pub auto: bool,
    /// The JSON paths as decoded strings, such as `a.b[0]` or `['x y'].z`.
    pub keys: Vec<Spanned<String>>,
    pub names: Vec<Spanned<String>>,
    pub max_depth: Option<u64>,
    pub extract_arrays: bool,
    pub refonly: bool,
    pub nodrop: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyValueStage {
    pub field: Option<Spanned<String>>,
    pub mode: KeyValueMode,
    pub keys: Vec<Spanned<String>>,
    pub names: Vec<Spanned<String>>,
    /// `delim ":"` of `auto` mode.
    pub delimiter: Option<Spanned<String>>,
    pub refonly: bool,
    pub nodrop: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KeyValueMode {
    /// The default, also written `infer`.
    Infer,
    Auto,
    /// A regex with one group for the value, or two for key and value.
    Regex(Spanned<String>),
}

/// The options of `csv` and `split`.
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedStage {
    pub field: Spanned<String>,
    pub delimiter: Option<Spanned<String>>,
    pub escape: Option<Spanned<String>>,
    pub quote: Option<Spanned<String>>,
    pub columns: Vec<Spanned<DelimitedColumn>>,
}

/// One item after `extract`: `3 as name`, a positional `name`, or `_`
/// to skip a position.
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedColumn {
    /// The 1-based column number of `N as name`; `None` for a positional item.
    pub index: Option<u64>,
    /// `None` for `_`.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimesliceSpan {
    Duration(Quantity),
    Buckets(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransposeOutput {
    Field(String),
    /// `*`: every column transpose creates.
    Dynamic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LookupStage {
    /// The table columns to return; `*` is written as one column named `*`.
    pub columns: Vec<Spanned<FieldItem>>,
    pub table: Spanned<TablePath>,
    /// `on a=b, c=d` (also joined with `and`).
    pub on: Vec<Spanned<LookupKey>>,
}

/// One `left=right` pair after `on`, as written: Sumo's examples put the
/// event field on either side.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupKey {
    pub left: String,
    pub right: String,
}

/// The location of a table that `lookup`, `save` and `cat` use.
#[derive(Debug, Clone, PartialEq)]
pub enum TablePath {
    /// `path://"/Library/…"`
    Library(String),
    /// A URL written bare: `https://…`, `geo://location`, `sumo://threat/cs`.
    Url(String),
    /// A classic shared path written bare: `shared/lookups/users`.
    Path(String),
}

/// `timeshift 1d [N] [avg|min|max] [as A]` inside `compare`.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeshift {
    /// The shift back in time; Sumo accepts a negative amount.
    pub shift: Quantity,
    /// How many shifted queries, one when absent.
    pub count: Option<u64>,
    pub aggregate: Option<CompareAggregate>,
    pub alias: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareAggregate {
    Avg,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesFunction {
    Accum,
    Total,
    Backshift,
    Smooth,
    RollingStd,
    Diff,
}

impl SeriesFunction {
    /// Returns the operator word, in Sumo's documented spelling.
    pub fn name(self) -> &'static str {
        match self {
            SeriesFunction::Accum => "accum",
            SeriesFunction::Total => "total",
            SeriesFunction::Backshift => "backshift",
            SeriesFunction::Smooth => "smooth",
            SeriesFunction::RollingStd => "rollingstd",
            SeriesFunction::Diff => "diff",
        }
    }
}

/// A key-field generator of `fillmissing`.
#[derive(Debug, Clone, PartialEq)]
pub enum FillGenerator {
    /// `timeslice[(15m)] [in F]`
    Timeslice {
        span: Option<Quantity>,
        field: Option<String>,
    },
    /// `values("a", "b") in F`
    Values { values: Vec<String>, field: String },
    /// `values all in F`
    AllValues { field: String },
}

/// `VALUE for F` after `with` in `fillmissing`.
#[derive(Debug, Clone, PartialEq)]
pub struct FillDefault {
    /// `None` for `null`.
    pub value: Option<Spanned<Expr>>,
    pub field: Spanned<String>,
}

/// A `name=value` option, such as `window=5` or `direction=+-`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedOption {
    /// As written, compared without case: `maxSpan`, `ar.window`.
    pub name: String,
    pub value: OptionValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    Number(f64),
    Quantity(Quantity),
    String(String),
    /// `"text";strict` of `transactionize`.
    StrictString(String),
    /// A bare word or sign, such as `ar`, `true` or `+-`.
    Word(String),
}

/// One `(query) as alias` of `join`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinTable {
    /// The stages, optionally after a scope, that produce the table.
    pub query: Spanned<Query>,
    pub alias: Spanned<String>,
}

/// One field of `merge`.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeField {
    pub field: String,
    pub strategy: Option<MergeStrategy>,
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MergeStrategy {
    TakeFirst,
    TakeLast,
    TakeDistinct,
    /// `join with "separator"`; a newline when no separator is given.
    JoinWith(Option<String>),
}

/// `[subquery [from=(…)] [to=(…)]: query | compose …]`
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub from: Option<Spanned<Expr>>,
    pub to: Option<Spanned<Expr>>,
    pub query: Spanned<Query>,
}

/// A number with a size or time suffix, such as `5m`, `10k` or `1Gi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    pub amount: f64,
    pub unit: Unit,
}

impl Quantity {
    /// Returns the number the literal stands for: milliseconds for a time,
    /// the multiplied count for a size (Sumo doc, field expressions).
    pub fn value(&self) -> f64 {
        self.amount * self.unit.factor()
    }
}

/// The suffixes of Sumo's numeric literals. They are case-sensitive: `m` is
/// a minute and `M` a million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Nanosecond,
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    /// `k` or `K`: 1000.
    Thousand,
    /// `M`
    Million,
    /// `G` or `B`
    Billion,
    /// `T`
    Trillion,
    /// `P`
    Quadrillion,
    /// `Ki`: 1024.
    Kibi,
    Mebi,
    Gibi,
    Tebi,
    Pebi,
}

impl Unit {
    /// Every unit with each suffix it may be written with, the canonical
    /// suffix first.
    const SUFFIXES: [(Unit, &'static [&'static str]); 18] = [
        (Unit::Nanosecond, &["ns"]),
        (Unit::Microsecond, &["us"]),
        (Unit::Millisecond, &["ms"]),
        (Unit::Second, &["s"]),
        (Unit::Minute, &["m"]),
        (Unit::Hour, &["h"]),
        (Unit::Day, &["d"]),
        (Unit::Week, &["w"]),
        (Unit::Thousand, &["k", "K"]),
        (Unit::Million, &["M"]),
        (Unit::Billion, &["G", "B"]),
        (Unit::Trillion, &["T"]),
        (Unit::Quadrillion, &["P"]),
        (Unit::Kibi, &["Ki"]),
        (Unit::Mebi, &["Mi"]),
        (Unit::Gibi, &["Gi"]),
        (Unit::Tebi, &["Ti"]),
        (Unit::Pebi, &["Pi"]),
    ];

    /// Returns the unit whose suffix is exactly `suffix`.
    pub fn from_suffix(suffix: &str) -> Option<Unit> {
        Unit::SUFFIXES
            .iter()
            .find(|(_, spellings)| spellings.contains(&suffix))
            .map(|(unit, _)| *unit)
    }

    /// Returns the canonical suffix, as the formatter writes it.
    pub fn suffix(self) -> &'static str {
        Unit::SUFFIXES
            .iter()
            .find(|(unit, _)| *unit == self)
            .map_or("", |(_, spellings)| spellings[0])
    }

    pub fn is_time(self) -> bool {
        matches!(
            self,
            Unit::Nanosecond
                | Unit::Microsecond
                | Unit::Millisecond
                | Unit::Second
                | Unit::Minute
                | Unit::Hour
                | Unit::Day
                | Unit::Week
        )
    }

    /// Returns the multiplier: milliseconds per unit for a time, the factor
    /// for a size.
    pub fn factor(self) -> f64 {
        match self {
            Unit::Nanosecond => 1e-6,
            Unit::Microsecond => 1e-3,
            Unit::Millisecond => 1.0,
            Unit::Second => 1e3,
            Unit::Minute => 60e3,
            Unit::Hour => 3_600e3,
            Unit::Day => 86_400e3,
            Unit::Week => 604_800e3,
            Unit::Thousand => 1e3,
            Unit::Million => 1e6,
            Unit::Billion => 1e9,
            Unit::Trillion => 1e12,
            Unit::Quadrillion => 1e15,
            Unit::Kibi => 1024.0,
            Unit::Mebi => 1_048_576.0,
            Unit::Gibi => 1_073_741_824.0,
            Unit::Tebi => 1_099_511_627_776.0,
            Unit::Pebi => 1_125_899_906_842_624.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsMode {
    Keep,
    Remove,
}

/// One entry of a `fields` list.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldItem {
    pub name: String,
    /// The new name in `fields a as b`.
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub key: Spanned<Expr>,
    pub direction: SortDirection,
}

/// Sumo sorts descending unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// One aggregate function inside an aggregate stage.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateCall {
    /// Lower-cased function name: `count`, `count_distinct`, `sum`, …
    pub function: String,
    pub arguments: Vec<Spanned<Expr>>,
    pub alias: Option<Spanned<String>>,
}

/// An expression inside `where`, `as`, `sort by` and function arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field reference, written bare (`Image`) or quoted (`%"Class ID"`).
    Field(String),
    /// A decoded double-quoted string literal.
    String(String),
    Number(f64),
    Boolean(bool),
    /// A `/regex/` literal, without the slashes.
    Regex(String),
    /// `!x`, `not x`
    Not(Box<Spanned<Expr>>),
    /// `-x`
    Negate(Box<Spanned<Expr>>),
    Binary {
        operator: BinaryOperator,
        left: Box<Spanned<Expr>>,
        right: Box<Spanned<Expr>>,
    },
    /// `value matches "wild*card"` or `value matches /regex/`. A string or
    /// field on the right is a wildcard pattern; a regex literal is a regex.
    Matches {
        value: Box<Spanned<Expr>>,
        pattern: Box<Spanned<Expr>>,
    },
    /// `value in (a, b)` and `value not in (a, b)`.
    In {
        value: Box<Spanned<Expr>>,
        list: Vec<Spanned<Expr>>,
        negated: bool,
    },
    /// `name(arguments)`; the name is kept as written, compared case-insensitively.
    Call {
        name: String,
        arguments: Vec<Spanned<Expr>>,
    },
    /// `condition ? then : otherwise`
    Conditional {
        condition: Box<Spanned<Expr>>,
        then: Box<Spanned<Expr>>,
        otherwise: Box<Spanned<Expr>>,
    },
    /// A number with a unit suffix: `5m`, `1Gi`. Not yet run by the engine.
    Quantity(Quantity),
    /// `[subquery: … | compose …]` inside `where` or `if`, true for rows that
    /// match a row the subquery composes. Not yet run by the engine.
    Subquery(Box<Subquery>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOperator {
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}
