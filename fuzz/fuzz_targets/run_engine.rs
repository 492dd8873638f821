//! Builds small queries from a grammar (the input bytes choose the branches
//! through `arbitrary`), runs the ones that compile over a fixed log of ten
//! records, and checks:
//!
//! - nothing panics, including `finish` of row-holding stages;
//! - an explained run (`Execution::explained`) gives the same result;
//! - when the plan allows it (`Plan::supports_partials`), splitting the
//!   records into chunks run as partial executions and absorbed in order
//!   gives the same result as one execution;
//! - appending `| where true` changes neither the columns nor the rows.
//!
//! With `SUMOQL_FUZZ_SHOW` set, it prints each query and whether it
//! compiled.

#![no_main]

use std::fmt::Write;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sumoql_engine::{compile, Execution, GroupLimitExceeded, Plan, Record, ResultTable, Value};

/// Stages per query, beyond which the rest are left out.
const MAX_STAGES: usize = 6;
/// Nesting of expressions, beyond which an operand becomes a field name.
const MAX_DEPTH: usize = 4;

#[derive(Arbitrary, Debug)]
struct QuerySpec {
    scope: ScopeSpec,
    stages: Vec<StageSpec>,
    /// Positions at which the log is cut into chunks for the partial
    /// executions.
    cuts: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum ScopeSpec {
    All,
    Keyword(Word),
    Not(Word),
    Or(Word, Word),
    FieldEquals(Field, Word),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Word {
    Alice,
    Bob,
    Login,
    FailPrefix,
    Star,
    CmdExe,
    Sysmon,
    Three,
    Empty,
    Quote,
}

impl Word {
    fn text(self) -> &'static str {
        match self {
            Word::Alice => "alice",
            Word::Bob => "Bob",
            Word::Login => "login",
            Word::FailPrefix => "fail*",
            Word::Star => "*",
            Word::CmdExe => "cmd.exe",
            Word::Sysmon => "windows/sysmon",
            Word::Three => "3",
            Word::Empty => "",
            Word::Quote => "a\\\"b",
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Field {
    Raw,
    User,
    Action,
    N,
    Image,
    Host,
    Category,
    EventId,
    MessageTime,
    Missing,
    X,
    Y,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Raw => "_raw",
            Field::User => "user",
            Field::Action => "action",
            Field::N => "n",
            Field::Image => "image",
            Field::Host => "_sourceHost",
            Field::Category => "_sourceCategory",
            Field::EventId => "EventID",
            Field::MessageTime => "_messageTime",
            Field::Missing => "missing",
            Field::X => "x",
            Field::Y => "y",
        }
    }
}

#[derive(Arbitrary, Debug)]
enum StageSpec {
    Where(Expr),
    Assign(Expr, Field),
    Parse {
        pattern: ParsePattern,
        nodrop: bool,
    },
    ParseRegex {
        pattern: RegexPattern,
        nodrop: bool,
    },
    KeyValue,
    JsonAuto,
    JsonKey(Field),
    Fields(Vec<Field>),
    RemoveField(Field),
    Sort(Field, bool),
    Limit(u8),
    Count(Vec<Field>),
    Aggregate {
        function: AggregateFunction,
        field: Field,
        by: Option<Field>,
    },
    Top(u8, Field),
    CountFrequent(Field),
    Dedup(Field),
    Timeslice(SliceSpan),
    Series(SeriesOperator, Field, Option<Field>),
    Union(ScopeSpec, Box<StageSpec>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum ParsePattern {
    KeyValue,
    Two,
    Anchor,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum RegexPattern {
    Digits,
    Named,
    Optional,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum AggregateFunction {
    Sum,
    Avg,
    Min,
    Max,
    CountDistinct,
    Stddev,
    Pct,
    First,
    Last,
    Values,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SliceSpan {
    OneSecond,
    OneMinute,
    OneHour,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SeriesOperator {
    Accum,
    Total,
    Backshift,
    Diff,
    Smooth,
    RollingStd,
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Field(Field),
    Number(i8),
    Decimal(i16),
    Text(Word),
    Bool(bool),
    Binary(BinaryOperator, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Call(u8, Vec<Expr>),
    Matches(Box<Expr>, Word),
    In(Box<Expr>, Vec<Word>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum BinaryOperator {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Equal,
    NotEqual,
    Less,
    GreaterOrEqual,
    And,
    Or,
    Contains,
}

impl BinaryOperator {
    fn text(self) -> &'static str {
        match self {
            BinaryOperator::Add => "+",
            BinaryOperator::Subtract => "-",
            BinaryOperator::Multiply => "*",
            BinaryOperator::Divide => "/",
            BinaryOperator::Remainder => "%",
            BinaryOperator::Equal => "=",
            BinaryOperator::NotEqual => "!=",
            BinaryOperator::Less => "<",
            BinaryOperator::GreaterOrEqual => ">=",
            BinaryOperator::And => "and",
            BinaryOperator::Or => "or",
            BinaryOperator::Contains => "contains",
        }
    }
}

/// Scalar functions whose result depends on the clock, left out so that
/// runs can be compared.
const CLOCK_FUNCTIONS: [&str; 3] = ["now", "queryStartTime", "queryEndTime"];

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

fn render_expr(expr: &Expr, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        out.push_str("n");
        return;
    }
    let operand = |expr: &Expr, out: &mut String| {
        out.push('(');
        render_expr(expr, depth + 1, out);
        out.push(')');
    };
    match expr {
        Expr::Field(field) => out.push_str(field.name()),
        Expr::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Expr::Decimal(number) => {
            let _ = write!(out, "{}", f64::from(*number) / 8.0);
        }
        Expr::Text(word) => out.push_str(&quoted(word.text())),
        Expr::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Expr::Binary(operator, left, right) => {
            operand(left, out);
            let _ = write!(out, " {} ", operator.text());
            operand(right, out);
        }
        Expr::Not(inner) => {
            out.push('!');
            operand(inner, out);
        }
        Expr::Negate(inner) => {
            out.push('-');
            operand(inner, out);
        }
        Expr::Call(index, arguments) => {
            let names: Vec<&str> = sumoql_engine::function_names()
                .iter()
                .copied()
                .filter(|name| !CLOCK_FUNCTIONS.contains(name))
                .collect();
            out.push_str(names[usize::from(*index) % names.len()]);
            out.push('(');
            for (position, argument) in arguments.iter().take(3).enumerate() {
                if position > 0 {
                    out.push_str(", ");
                }
                render_expr(argument, depth + 1, out);
            }
            out.push(')');
        }
        Expr::Matches(value, word) => {
            operand(value, out);
            let _ = write!(out, " matches {}", quoted(word.text()));
        }
        Expr::In(value, words) => {
            operand(value, out);
            out.push_str(" in (");
            let items: Vec<String> = words
                .iter()
                .take(4)
                .map(|word| quoted(word.text()))
                .collect();
            out.push_str(&if items.is_empty() {
                quoted("")
            } else {
                items.join(", ")
            });
            out.push(')');
        }
        Expr::Conditional(condition, then, otherwise) => {
            out.push_str("if(");
            render_expr(condition, depth + 1, out);
            out.push_str(", ");
            render_expr(then, depth + 1, out);
            out.push_str(", ");
            render_expr(otherwise, depth + 1, out);
            out.push(')');
        }
    }
}

fn render_scope(scope: &ScopeSpec) -> String {
    match scope {
        ScopeSpec::All => "*".to_string(),
        ScopeSpec::Keyword(word) => quoted(word.text()),
        ScopeSpec::Not(word) => format!("NOT {}", quoted(word.text())),
        ScopeSpec::Or(first, second) => {
            format!("({} OR {})", quoted(first.text()), quoted(second.text()))
        }
        ScopeSpec::FieldEquals(field, word) => {
            format!("{}={}", field.name(), quoted(word.text()))
        }
    }
}

fn field_list(fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().take(3).map(|field| field.name()).collect();
    names.join(", ")
}

fn render_stage(stage: &StageSpec, out: &mut String) {
    match stage {
        StageSpec::Where(condition) => {
            out.push_str("where ");
            render_expr(condition, 0, out);
        }
        StageSpec::Assign(value, field) => {
            render_expr(value, 0, out);
            let _ = write!(out, " as {}", field.name());
        }
        StageSpec::Parse { pattern, nodrop } => {
            out.push_str(match pattern {
                ParsePattern::KeyValue => "parse \"user=* \" as user",
                ParsePattern::Two => "parse \"action=* n=*\" as action, n",
                ParsePattern::Anchor => "parse field=image \"\\\\*.\" as x",
            });
            if *nodrop {
                out.push_str(" nodrop");
            }
        }
        StageSpec::ParseRegex { pattern, nodrop } => {
            out.push_str(match pattern {
                RegexPattern::Digits => "parse regex \"n=(?<n>-?[0-9.e]+)\"",
                RegexPattern::Named => "parse regex \"(?<user>[a-z]+)@(?<host>[a-z.]+)\"",
                RegexPattern::Optional => "parse regex field=image \"(?<x>[^\\\\\\\\]*)$\" multi",
            });
            if *nodrop {
                out.push_str(" nodrop");
            }
        }
        StageSpec::KeyValue => out.push_str("kv \"user\", \"action\" as x, y"),
        StageSpec::JsonAuto => out.push_str("json auto nodrop"),
        StageSpec::JsonKey(field) => {
            let _ = write!(out, "json \"{}\" as y nodrop", field.name());
        }
        StageSpec::Fields(fields) if fields.is_empty() => out.push_str("fields user"),
        StageSpec::Fields(fields) => {
            let _ = write!(out, "fields {}", field_list(fields));
        }
        StageSpec::RemoveField(field) => {
            let _ = write!(out, "fields - {}", field.name());
        }
        StageSpec::Sort(field, ascending) => {
            let direction = if *ascending { "asc" } else { "desc" };
            let _ = write!(out, "sort by {} {direction}", field.name());
        }
        StageSpec::Limit(count) => {
            let _ = write!(out, "limit {}", count % 12);
        }
        StageSpec::Count(fields) if fields.is_empty() => out.push_str("count"),
        StageSpec::Count(fields) => {
            let _ = write!(out, "count by {}", field_list(fields));
        }
        StageSpec::Aggregate {
            function,
            field,
            by,
        } => {
            let name = field.name();
            let _ = match function {
                AggregateFunction::Sum => write!(out, "sum({name})"),
                AggregateFunction::Avg => write!(out, "avg({name})"),
                AggregateFunction::Min => write!(out, "min({name})"),
                AggregateFunction::Max => write!(out, "max({name})"),
                AggregateFunction::CountDistinct => write!(out, "count_distinct({name})"),
                AggregateFunction::Stddev => write!(out, "stddev({name})"),
                AggregateFunction::Pct => write!(out, "pct({name}, 50, 90)"),
                AggregateFunction::First => write!(out, "first({name})"),
                AggregateFunction::Last => write!(out, "last({name})"),
                AggregateFunction::Values => write!(out, "values({name})"),
            };
            if let Some(by) = by {
                let _ = write!(out, " by {}", by.name());
            }
        }
        StageSpec::Top(count, field) => {
            let _ = write!(out, "top {} {}", count % 5 + 1, field.name());
        }
        StageSpec::CountFrequent(field) => {
            let _ = write!(out, "count_frequent {}", field.name());
        }
        StageSpec::Dedup(field) => {
            let _ = write!(out, "dedup by {}", field.name());
        }
        StageSpec::Timeslice(span) => out.push_str(match span {
            SliceSpan::OneSecond => "timeslice 1s",
            SliceSpan::OneMinute => "timeslice 1m",
            SliceSpan::OneHour => "timeslice 1h",
        }),
        StageSpec::Series(operator, field, by) => {
            let name = field.name();
            let _ = match operator {
                SeriesOperator::Accum => write!(out, "accum {name}"),
                SeriesOperator::Total => write!(out, "total {name}"),
                SeriesOperator::Backshift => write!(out, "backshift {name}"),
                SeriesOperator::Diff => write!(out, "diff {name}"),
                SeriesOperator::Smooth => write!(out, "smooth {name}, 2"),
                SeriesOperator::RollingStd => write!(out, "rollingstd {name}, 2"),
            };
            if let Some(by) = by {
                let _ = write!(out, " by {}", by.name());
            }
        }
        StageSpec::Union(scope, stage) => {
            let _ = write!(out, "union [ {} | ", render_scope(scope));
            render_stage(stage, out);
            out.push_str(" ]");
        }
    }
}

fn render_query(spec: &QuerySpec) -> String {
    let mut text = render_scope(&spec.scope);
    for stage in spec.stages.iter().take(MAX_STAGES) {
        text.push_str(" | ");
        render_stage(stage, &mut text);
    }
    text
}

/// One record of the fixed log: lower-case field names and their values.
struct LogRecord(Vec<(&'static str, Value)>);

impl Record for LogRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0
            .iter()
            .find(|(name, _)| *name == lowercase_name)
            .map(|(_, value)| value.clone())
    }
}

/// The raw text of the log: key-value lines, JSON, XML, odd spacing, and
/// values that read as numbers in several ways.
const RAW_LINES: [&str; 10] = [
    "user=alice action=login n=3 image=C:\\Windows\\System32\\cmd.exe alice@corp.example",
    "user=bob action=fail n=7 image=C:\\Tools\\a b.exe",
    "{\"user\":\"carol\",\"action\":\"login\",\"n\":12,\"image\":\"C:\\\\x\\\\y.exe\",\"tags\":[\"a\",\"b\"]}",
    "user=alice action=fail n=-2.5",
    "user= action= n=",
    "<Event><System><EventID>1</EventID></System></Event> n=0",
    "user=ALICE action=login n=1e3 Bob",
    "n=NaN user=dave",
    "",
    "user=eve action=failed n=4 fail n=5",
];

fn log() -> Vec<LogRecord> {
    RAW_LINES
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            // Two records share a time, and the times cross a minute boundary.
            let time = 1_700_000_000_000.0 + (index / 2) as f64 * 25_000.0;
            let host = if index % 3 == 0 { "ws1" } else { "ws2" };
            let category = if index % 2 == 0 {
                "windows/sysmon"
            } else {
                "linux/auth"
            };
            LogRecord(vec![
                ("_raw", Value::text(*raw)),
                ("_messagetime", Value::Number(time)),
                ("_sourcehost", Value::text(host)),
                ("_sourcecategory", Value::text(category)),
                ("eventid", Value::text((index % 4).to_string())),
            ])
        })
        .collect()
}

/// A run's rows, or the stage that passed the group limit.
type RunResult = Result<ResultTable, GroupLimitExceeded>;

fn run(plan: &Plan, records: &[LogRecord]) -> RunResult {
    let mut execution = Execution::new(plan);
    for record in records {
        execution.push(record);
    }
    execution.finish()
}

fn run_explained(plan: &Plan, records: &[LogRecord]) -> RunResult {
    let mut execution = Execution::explained(plan);
    for record in records {
        execution.push(record);
    }
    execution.finish_explained().map(|(table, _)| table)
}

fn run_in_chunks(plan: &Plan, records: &[LogRecord], cuts: &[u8]) -> RunResult {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .take(4)
        .map(|cut| usize::from(*cut) % (records.len() + 1))
        .collect();
    cuts.push(records.len());
    cuts.sort_unstable();

    let mut execution = Execution::new(plan);
    let mut start = 0;
    for end in cuts {
        let mut partial = Execution::partial(plan);
        for record in &records[start..end] {
            partial.push(record);
        }
        execution.absorb(partial);
        start = end;
    }
    execution.finish()
}

/// Compares two runs: equal errors, or tables whose values are equal with
/// NaN equal to itself, since a NaN that both runs computed is the same
/// result. Numbers may differ in their last bits, because merged partials
/// add floating-point sums in another order.
fn same_result(left: &RunResult, right: &RunResult) -> bool {
    match (left, right) {
        (Ok(left), Ok(right)) => same_table(left, right),
        (Err(left), Err(right)) => left == right,
        _ => false,
    }
}

fn same_table(left: &ResultTable, right: &ResultTable) -> bool {
    let same_value = |left: &Option<Value>, right: &Option<Value>| match (left, right) {
        (Some(Value::Number(left)), Some(Value::Number(right))) => {
            left == right
                || (left.is_nan() && right.is_nan())
                || (left - right).abs() <= 1e-9 * left.abs().max(right.abs())
        }
        _ => left == right,
    };
    left.columns == right.columns
        && left.rows.len() == right.rows.len()
        && left.rows.iter().zip(&right.rows).all(|(left, right)| {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| same_value(l, r))
        })
}

fn compile_text(text: &str) -> Option<Plan> {
    let query = sumoql_syntax::parse_query(text).ok()?;
    compile(&query).ok()
}

/// Whether to print each query and whether it compiled, to see what the
/// grammar produces: set `SUMOQL_FUZZ_SHOW`.
static SHOW_QUERIES: OnceLock<bool> = OnceLock::new();

fuzz_target!(|spec: QuerySpec| {
    let text = render_query(&spec);
    let compiled = compile_text(&text);
    if *SHOW_QUERIES.get_or_init(|| std::env::var_os("SUMOQL_FUZZ_SHOW").is_some()) {
        eprintln!("QUERY {} {text}", compiled.is_some());
    }
    let Some(plan) = compiled else {
        return;
    };
    let records = log();
    let result = run(&plan, &records);

    let explained = run_explained(&plan, &records);
    assert!(
        same_result(&explained, &result),
        "explained run differs for {text}\n{explained:?}\n{result:?}"
    );

    if plan.supports_partials() {
        let chunked = run_in_chunks(&plan, &records, &spec.cuts);
        assert!(
            same_result(&chunked, &result),
            "partial executions differ for {text}\n{chunked:?}\n{result:?}"
        );
    }

    let filtered_text = format!("{text} | where true");
    if let Some(filtered_plan) = compile_text(&filtered_text) {
        let filtered = run(&filtered_plan, &records);
        assert!(
            same_result(&filtered, &result),
            "`where true` changes the result of {text}\n{filtered:?}\n{result:?}"
        );
    }
});
