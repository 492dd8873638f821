//! `sumoql run`: parse and compile the query, stream the inputs through it,
//! print the result and the summary.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use sumoql_engine::{
    BranchExplain, Execution, GroupLimitExceeded, LookupSource, Plan, ResultTable, TimeRange, Value,
};
use sumoql_input::{total_input_bytes, Inputs, Item, RawMode, ReadOptions};
use sumoql_syntax::Diagnostic;

use crate::output::{write_styled, OutputFormat, TableStyle};
use crate::parallel::{execute_parallel, Event};
use crate::prefilter::Prefilter;
use crate::progress::Progress;
use crate::query_range::{self, parse_time, LookupDirectory};
use crate::sources::{input_setup, ExtractedRecord, Extractions, InputArgs, InputSetup};
use crate::summary::{Summary, SummaryFormat};
use crate::{EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

/// The `--max-groups` option of every command that runs a query.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct GroupLimitArgs {
    /// The number of groups (`count by`, `top`, `count_frequent`) or held rows (`sort`,
    /// `topk`, `transpose`, `dedup`, `fillmissing`, `accum`, `total`) one stage may
    /// keep. It also bounds the distinct values and samples (`count_distinct`, `values`,
    /// `pct`) that one aggregate stage keeps over all its groups. A run that passes it
    /// stops with an error that names the stage.
    #[arg(long, value_name = "N", default_value_t = sumoql_engine::DEFAULT_MAX_GROUPS)]
    pub max_groups: usize,
}

pub enum QuerySource {
    File(PathBuf),
    Text(String),
    Missing,
}

pub struct RunRequest {
    pub query: QuerySource,
    pub inputs: Vec<PathBuf>,
    pub format: OutputFormat,
    /// Input settings: format, metadata, sources file.
    pub input: InputArgs,
    pub raw: RawMode,
    pub strict: bool,
    /// Print the rows in and out of every stage after the result.
    pub explain: bool,
    pub color: bool,
    /// Write at most this many rows.
    pub limit: Option<usize>,
    /// Write the result to this file instead of standard output.
    pub output: Option<PathBuf>,
    /// Never cut table cells to fit the terminal.
    pub wide: bool,
    /// Print neither the progress bar nor the summary line.
    pub quiet: bool,
    /// Worker threads; 1 runs on this thread.
    pub threads: usize,
    /// Write CSV cells that look like spreadsheet formulas as they are.
    pub keep_csv_formulas: bool,
    /// The `--from` and `--to` bounds of the query time range, as written.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The directory `lookup` reads its tables from.
    pub lookup_dir: Option<PathBuf>,
    /// The number of groups or held rows one stage may keep.
    pub max_groups: usize,
    /// The format of the summary on standard error.
    pub summary: SummaryFormat,
    pub engine: Engine,
    /// DataFusion's target partitions; `None` takes the number of cores.
    pub partitions: Option<usize>,
    /// The Ballista scheduler of `--engine ballista`.
    pub scheduler: Option<String>,
}

/// The engine that runs a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// sumoql's own engine, on the threads of --threads.
    Native,
    /// Apache DataFusion in this process.
    Datafusion,
    /// A Ballista cluster, through its scheduler.
    Ballista,
}

/// Runs a query and returns the process exit status.
pub fn run(request: RunRequest) -> u8 {
    let (source_name, text) = match &request.query {
        QuerySource::Text(text) => ("<expression>".to_string(), text.clone()),
        QuerySource::File(path) => match std::fs::read_to_string(path) {
            Ok(text) => (path.display().to_string(), text),
            Err(error) => {
                eprintln!(
                    "sumoql: error: failed to read query file {}: {error}",
                    path.display()
                );
                return EXIT_QUERY_OR_USAGE;
            }
        },
        QuerySource::Missing => {
            eprintln!("sumoql: error: no query given; pass a query file or `-e 'QUERY'`");
            return EXIT_QUERY_OR_USAGE;
        }
    };

    let lookups = request
        .lookup_dir
        .clone()
        .map(|root| LookupDirectory { root });
    let mut plan = match compile_query_with(
        &text,
        lookups.as_ref().map(|lookups| lookups as &dyn LookupSource),
    ) {
        Ok(plan) => plan,
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("{}", diagnostic.render(&source_name, &text, request.color));
            }
            return EXIT_QUERY_OR_USAGE;
        }
    };

    let inputs = if !request.inputs.is_empty() {
        request.inputs.clone()
    } else if !io::stdin().is_terminal() {
        vec![PathBuf::from("-")]
    } else {
        eprintln!("sumoql: error: no input given; name log files or directories, or `-` for standard input");
        return EXIT_QUERY_OR_USAGE;
    };

    let setup = match input_setup(&request.input, request.raw, request.color) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    if let Err(message) = apply_time_range(&mut plan, &inputs, &setup, &request) {
        eprintln!("sumoql: error: {message}");
        return EXIT_QUERY_OR_USAGE;
    }
    plan.set_max_groups(request.max_groups);
    match request.engine {
        Engine::Native => execute(&plan, &inputs, setup, &request, (&source_name, &text)),
        #[cfg(feature = "datafusion")]
        Engine::Datafusion | Engine::Ballista => {
            crate::on_datafusion::execute(&plan, &inputs, setup, &request, (&source_name, &text))
        }
        #[cfg(not(feature = "datafusion"))]
        engine => {
            let feature = if engine == Engine::Ballista {
                "ballista"
            } else {
                "datafusion"
            };
            eprintln!("sumoql: error: this sumoql was built without the `{feature}` feature; build it with `cargo build --release --features {feature}` to use --engine {feature}");
            EXIT_QUERY_OR_USAGE
        }
    }
}

/// Sets the query time range from `--from` and `--to`. When the query reads
/// the range (`timeslice N buckets`, `queryStartTime()`, …) and a bound is
/// missing, the inputs are read once beforehand to find the earliest and
/// latest `_messageTime`, which standard input does not allow.
fn apply_time_range(
    plan: &mut Plan,
    inputs: &[PathBuf],
    setup: &InputSetup,
    request: &RunRequest,
) -> Result<(), String> {
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let from = request
        .from
        .as_deref()
        .map(|text| parse_time(text, now))
        .transpose()?;
    let to = request
        .to
        .as_deref()
        .map(|text| parse_time(text, now))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if from >= to {
            return Err("--from must be earlier than --to".to_string());
        }
    }

    let data_range = if plan.reads_time_range() && (from.is_none() || to.is_none()) {
        if inputs.iter().any(|input| input.as_os_str() == "-") {
            return Err(
                "this query reads the time range; with standard input, pass both --from and --to"
                    .to_string(),
            );
        }
        message_time_range(inputs, setup.options.clone())
    } else {
        None
    };
    if let Some(range) = query_range::combine(from, to, data_range) {
        if data_range.is_some() && !request.quiet {
            eprintln!(
                "sumoql: the query time range covers {} through {}, taken from the data's {}; \
                 set --from and --to to choose it",
                describe_bound(range.start),
                describe_bound(range.end.saturating_sub(1)),
                match (from, to) {
                    (None, None) => "earliest and latest _messageTime",
                    (None, Some(_)) => "earliest _messageTime",
                    _ => "latest _messageTime",
                },
            );
        }
        plan.set_time_range(range);
    }
    Ok(())
}

/// Writes a bound of the query time range as a UTC time, with milliseconds.
fn describe_bound(milliseconds: i64) -> String {
    chrono::DateTime::from_timestamp_millis(milliseconds)
        .map(|time| time.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string())
        .unwrap_or_else(|| "unbounded".to_string())
}

/// Returns the range from the earliest to the latest `_messageTime` of the inputs.
fn message_time_range(inputs: &[PathBuf], options: ReadOptions) -> Option<TimeRange> {
    let mut bounds: Option<(i64, i64)> = None;
    for item in Inputs::open(inputs, options) {
        let Ok(Item::Record(record)) = item else {
            continue;
        };
        let Some(time) = record
            .field("_messagetime")
            .and_then(|text| text.parse::<f64>().ok())
        else {
            continue;
        };
        let time = time as i64;
        bounds = Some(bounds.map_or((time, time), |(earliest, latest)| {
            (earliest.min(time), latest.max(time))
        }));
    }
    bounds.map(|(earliest, latest)| TimeRange::covering(earliest, latest))
}

/// Parses and compiles query text, returning every diagnostic on failure.
pub fn compile_query(text: &str) -> Result<Plan, Vec<Diagnostic>> {
    compile_query_with(text, None)
}

/// Parses and compiles query text whose `lookup` stages read from `lookups`.
pub fn compile_query_with(
    text: &str,
    lookups: Option<&dyn LookupSource>,
) -> Result<Plan, Vec<Diagnostic>> {
    let query = sumoql_syntax::parse_query(text)?;
    sumoql_engine::compile_with(&query, lookups)
}

/// What the reading loop saw, handed to the observer of [`execute_inputs`].
pub enum Observed<'a> {
    Record(&'a sumoql_input::Record),
    Malformed(&'a sumoql_input::Malformed),
    Unreadable(&'a sumoql_input::ReadError),
    /// A stage passed the group limit; reading stops and there is no result.
    GroupLimitExceeded(&'a GroupLimitExceeded),
}

/// Streams every record of `inputs` through `plan` and returns the result.
/// `observe` sees each record, malformed record and unreadable input as it
/// comes; returning `ControlFlow::Break` stops reading, and then there is no
/// result. A stage that passes the plan's group limit also stops reading without a
/// result, after `observe` has seen [`Observed::GroupLimitExceeded`].
pub fn execute_inputs(
    plan: &Plan,
    inputs: &[PathBuf],
    options: ReadOptions,
    observe: impl FnMut(Observed<'_>) -> ControlFlow<()>,
) -> Option<ResultTable> {
    execute_inputs_with(plan, inputs, options, &Extractions::default(), observe)
}

/// Runs like [`execute_inputs`] and applies the Field Extraction Rules of
/// `extractions` to each record before the query reads it.
pub fn execute_inputs_with(
    plan: &Plan,
    inputs: &[PathBuf],
    options: ReadOptions,
    extractions: &Extractions,
    observe: impl FnMut(Observed<'_>) -> ControlFlow<()>,
) -> Option<ResultTable> {
    execute_inputs_explained(plan, inputs, options, extractions, false, observe)
        .map(|(table, _)| table)
}

/// Runs like [`execute_inputs_with`], and with `explain` also returns the
/// per-stage counts of the run. An explained run offers every record to
/// the query, without the prefilter, so that its counts cover all records.
pub fn execute_inputs_explained(
    plan: &Plan,
    inputs: &[PathBuf],
    options: ReadOptions,
    extractions: &Extractions,
    explain: bool,
    mut observe: impl FnMut(Observed<'_>) -> ControlFlow<()>,
) -> Option<(ResultTable, Option<BranchExplain>)> {
    // Extraction rules add fields the prefilter cannot see, so it stays off with them.
    // `SUMOQL_NO_PREFILTER` turns it off, to compare results with and without it.
    let use_prefilter =
        !explain && extractions.is_empty() && std::env::var_os("SUMOQL_NO_PREFILTER").is_none();
    let mut prefilter = match use_prefilter {
        true => Prefilter::new(plan, options.raw),
        false => None,
    };
    // `sumoql run` binds subqueries before it gets here, with the error for
    // standard input; other callers read files.
    if !reads_standard_input(inputs) {
        bind_subqueries(plan, inputs, &options, extractions);
    }
    let mut execution = if explain {
        Execution::explained(plan)
    } else {
        Execution::new(plan)
    };
    for item in Inputs::open(inputs, options) {
        let flow = match &item {
            Ok(Item::Record(record)) => {
                let flow = observe(Observed::Record(record));
                if prefilter
                    .as_mut()
                    .is_some_and(|prefilter| !prefilter.may_produce_rows(record))
                {
                    // The record cannot produce a row; it is read and counted all the same.
                } else if extractions.is_empty() {
                    execution.push(&EngineRecord(record));
                } else {
                    let extracted = extractions.apply(record);
                    execution.push(&ExtractedRecord {
                        base: EngineRecord(record),
                        extracted,
                    });
                }
                if let Some(exceeded) = execution.group_limit_exceeded() {
                    let _ = observe(Observed::GroupLimitExceeded(exceeded));
                    return None;
                }
                flow
            }
            Ok(Item::Malformed(malformed)) => observe(Observed::Malformed(malformed)),
            Err(error) => observe(Observed::Unreadable(error)),
        };
        if flow.is_break() {
            return None;
        }
    }
    match execution.finish_explained() {
        Ok(finished) => Some(finished),
        Err(exceeded) => {
            let _ = observe(Observed::GroupLimitExceeded(&exceeded));
            None
        }
    }
}

/// Runs each subquery of `plan` that is not bound yet over `inputs` and
/// binds its rows, innermost subqueries first. A subquery whose inputs fail
/// to read part way binds the rows it got, as the main run reports the same
/// read errors.
pub fn bind_subqueries(
    plan: &Plan,
    inputs: &[PathBuf],
    options: &ReadOptions,
    extractions: &Extractions,
) {
    for subquery in plan.subqueries() {
        if subquery.is_bound() {
            continue;
        }
        let result = execute_inputs_explained(
            &subquery.plan,
            inputs,
            options.clone(),
            extractions,
            false,
            |_| ControlFlow::Continue(()),
        );
        if let Some((table, _)) = result {
            subquery.bind(&table);
        }
    }
}

fn reads_standard_input(inputs: &[PathBuf]) -> bool {
    inputs.iter().any(|input| input.as_os_str() == "-")
}

/// Runs the plan over the inputs and writes the result. `query` is the query's source
/// name and text, for diagnostics.
fn execute(
    plan: &Plan,
    inputs: &[PathBuf],
    setup: InputSetup,
    request: &RunRequest,
    query: (&str, &str),
) -> u8 {
    let (source_name, query_text) = query;
    let report_group_limit = |exceeded: &GroupLimitExceeded| {
        let diagnostic = group_limit_diagnostic(exceeded);
        eprintln!(
            "{}",
            diagnostic.render(source_name, query_text, request.color)
        );
    };
    let InputSetup {
        mut options,
        extractions,
    } = setup;
    let show_progress = !request.quiet && io::stderr().is_terminal();
    let bytes_read = Arc::new(AtomicU64::new(0));
    if show_progress {
        options.bytes_read = Some(bytes_read.clone());
    }
    let total_bytes = if show_progress {
        total_input_bytes(inputs)
    } else {
        None
    };
    if !plan.subqueries().is_empty() {
        if reads_standard_input(inputs) {
            eprintln!("sumoql: error: a query with a subquery reads its inputs twice, which standard input does not allow; save the input to a file");
            return EXIT_QUERY_OR_USAGE;
        }
        bind_subqueries(plan, inputs, &options, &extractions);
    }
    let mut progress = Progress::new(show_progress, total_bytes, bytes_read);
    let mut summary = Summary::new();

    // Extraction rules and streaming limits keep a run on one thread, and so
    // does --explain, whose counts must cover every record. Under --strict
    // every record is decoded, so the prefilter stays off.
    let parallel = request.threads > 1
        && !request.explain
        && extractions.is_empty()
        && plan.supports_partials();
    if parallel {
        let prefilter = !request.strict && std::env::var_os("SUMOQL_NO_PREFILTER").is_none();
        let table = execute_parallel(plan, inputs, options, request.threads, prefilter, |event| {
            match event {
                Event::Record {
                    input,
                    format,
                    lossy_utf8,
                } => {
                    summary.count_record(&input, format, lossy_utf8);
                    progress.record();
                }
                Event::Malformed(malformed) => {
                    if request.strict {
                        progress.finish();
                        crate::summary::report(&format!(
                            "sumoql: error: malformed record in {malformed} (stopped by --strict)"
                        ));
                        return ControlFlow::Break(());
                    }
                    progress.suspend(|| summary.report_malformed(&malformed));
                    progress.tick();
                }
                Event::Unreadable(error) if error.is_skipped_file() => {
                    progress.suspend(|| crate::summary::report_skipped_file(&error));
                }
                Event::Unreadable(error) => progress.suspend(|| summary.report_unreadable(&error)),
                Event::GroupLimitExceeded(exceeded) => {
                    progress.finish();
                    report_group_limit(&exceeded);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        progress.finish();
        return finish_run(table, &summary, request);
    }

    let result = execute_inputs_explained(
        plan,
        inputs,
        options,
        &extractions,
        request.explain,
        |item| {
            match item {
                Observed::Record(record) => {
                    summary.count_record(&record.source_name, record.format, record.lossy_utf8);
                    progress.record();
                }
                Observed::Malformed(malformed) => {
                    if request.strict {
                        progress.finish();
                        crate::summary::report(&format!(
                            "sumoql: error: malformed record in {malformed} (stopped by --strict)"
                        ));
                        return ControlFlow::Break(());
                    }
                    progress.suspend(|| summary.report_malformed(malformed));
                    progress.tick();
                }
                Observed::Unreadable(error) if error.is_skipped_file() => {
                    progress.suspend(|| crate::summary::report_skipped_file(error));
                }
                Observed::Unreadable(error) => {
                    progress.suspend(|| summary.report_unreadable(error))
                }
                Observed::GroupLimitExceeded(exceeded) => {
                    progress.finish();
                    report_group_limit(exceeded);
                }
            }
            ControlFlow::Continue(())
        },
    );
    progress.finish();
    let (table, explain) = match result {
        Some((table, explain)) => (Some(table), explain),
        None => (None, None),
    };
    let status = finish_run(table, &summary, request);
    if let Some(explain) = explain {
        // The counts go to stderr after the summary, so the result on
        // stdout stays valid CSV or JSON. A blank line sets the first table
        // apart from the summary, as one sets each later table apart.
        let separator = if request.quiet { "" } else { "\n" };
        let _ = write!(
            io::stderr(),
            "{separator}{}",
            crate::explain::render(&explain, query_text)
        );
    }
    status
}

/// Describes a stage that passed the group limit, with how to raise it.
pub fn group_limit_diagnostic(exceeded: &GroupLimitExceeded) -> Diagnostic {
    exceeded.diagnostic().with_help(
        "raise the limit with --max-groups N, or group by fields with fewer distinct values",
    )
}

/// Writes the result and the summary, and returns the exit status.
pub(crate) fn finish_run(
    table: Option<ResultTable>,
    summary: &Summary,
    request: &RunRequest,
) -> u8 {
    let Some(mut table) = table else {
        return EXIT_INPUT;
    };

    let total_rows = table.rows.len();
    if let Some(limit) = request.limit {
        table.rows.truncate(limit);
    }
    if let Err(error) = write_result(&table, total_rows, request) {
        // A closed pipe (`sumoql run … | head`) is not an error worth reporting.
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("sumoql: error: failed to write the result: {error}");
            return EXIT_INPUT;
        }
    }

    match (request.quiet, request.summary) {
        (true, _) => summary.print_reports(),
        (false, SummaryFormat::Text) => summary.print(total_rows),
        (false, SummaryFormat::Json) => summary.print_json(total_rows),
    }
    if summary.has_unreadable_inputs() {
        EXIT_INPUT
    } else {
        EXIT_SUCCESS
    }
}

/// Writes the result to `--output` or standard output. A table on a terminal fits its
/// width unless `--wide` is given, has a bold header where colour is allowed, and ends
/// with the row count.
fn write_result(table: &ResultTable, total_rows: usize, request: &RunRequest) -> io::Result<()> {
    let (destination, terminal): (Box<dyn Write>, bool) = match &request.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|error| {
                io::Error::new(
                    error.kind(),
                    format!("failed to create {}: {error}", path.display()),
                )
            })?;
            (Box::new(file), false)
        }
        None => {
            let stdout = io::stdout();
            let terminal = stdout.is_terminal();
            (Box::new(stdout.lock()), terminal)
        }
    };
    let style = TableStyle {
        max_width: terminal_width(terminal && !request.wide),
        bold_header: terminal && color_allowed(),
        row_count: terminal,
        total_rows: Some(total_rows),
        keep_csv_formulas: request.keep_csv_formulas,
    };
    let mut out = BufWriter::new(destination);
    write_styled(table, request.format, &style, &mut out)?;
    out.flush()
}

/// Returns the width of the terminal on standard output when `fit` is true and it is
/// known.
pub fn terminal_width(fit: bool) -> Option<usize> {
    if !fit {
        return None;
    }
    terminal_size::terminal_size_of(io::stdout()).map(|(width, _)| usize::from(width.0))
}

/// Returns whether output may use colour: not when `NO_COLOR` is set to a non-empty
/// value (https://no-color.org/).
pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Presents a reader's record to the engine. Time fields are numbers, so
/// `sort by _messageTime` orders by time; everything else is text.
pub(crate) struct EngineRecord<'r>(pub(crate) &'r sumoql_input::Record);

impl sumoql_engine::Record for EngineRecord<'_> {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        let text = self.0.field(lowercase_name)?;
        match lowercase_name {
            "_messagetime" | "_receipttime" | "_size" => match text.parse::<f64>() {
                Ok(number) => Some(Value::Number(number)),
                Err(_) => Some(Value::text(text.as_ref())),
            },
            _ => Some(Value::text(text.as_ref())),
        }
    }
}
