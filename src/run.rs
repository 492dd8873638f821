//! `sumoql run`: parse and compile the query, stream the inputs through it,
//! print the result and the summary.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use sumoql_engine::{Execution, Plan, ResultTable, Value};
use sumoql_input::{Inputs, Item, RawMode, ReadOptions};
use sumoql_syntax::Diagnostic;

use crate::output::{write_table, OutputFormat};
use crate::summary::Summary;
use crate::{EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

pub enum QuerySource {
    File(PathBuf),
    Text(String),
    Missing,
}

pub struct RunRequest {
    pub query: QuerySource,
    pub inputs: Vec<PathBuf>,
    pub format: OutputFormat,
    pub category: Option<String>,
    pub raw: RawMode,
    pub strict: bool,
    pub color: bool,
}

/// Runs a query and returns the process exit status.
pub fn run(request: RunRequest) -> u8 {
    let (source_name, text) = match &request.query {
        QuerySource::Text(text) => ("<expression>".to_string(), text.clone()),
        QuerySource::File(path) => match std::fs::read_to_string(path) {
            Ok(text) => (path.display().to_string(), text),
            Err(error) => {
                eprintln!("sumoql: error: failed to read query file {}: {error}", path.display());
                return EXIT_QUERY_OR_USAGE;
            }
        },
        QuerySource::Missing => {
            eprintln!("sumoql: error: no query given; pass a query file or `-e 'QUERY'`");
            return EXIT_QUERY_OR_USAGE;
        }
    };

    let plan = match compile_query(&text) {
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

    execute(&plan, &inputs, &request)
}

/// Parses and compiles query text, returning every diagnostic on failure.
pub fn compile_query(text: &str) -> Result<Plan, Vec<Diagnostic>> {
    let query = sumoql_syntax::parse_query(text)?;
    sumoql_engine::compile(&query)
}

/// What the reading loop saw, handed to the observer of [`execute_inputs`].
pub enum Observed<'a> {
    Record(&'a sumoql_input::Record),
    Malformed(&'a sumoql_input::Malformed),
    Unreadable(&'a sumoql_input::ReadError),
}

/// Streams every record of `inputs` through `plan` and returns the result.
/// `observe` sees each record, malformed record and unreadable input as it
/// comes; returning `ControlFlow::Break` stops reading, and then there is no
/// result.
pub fn execute_inputs(
    plan: &Plan,
    inputs: &[PathBuf],
    options: ReadOptions,
    mut observe: impl FnMut(Observed<'_>) -> ControlFlow<()>,
) -> Option<ResultTable> {
    let mut execution = Execution::new(plan);
    for item in Inputs::open(inputs, options) {
        let flow = match &item {
            Ok(Item::Record(record)) => {
                let flow = observe(Observed::Record(record));
                execution.push(&EngineRecord(record));
                flow
            }
            Ok(Item::Malformed(malformed)) => observe(Observed::Malformed(malformed)),
            Err(error) => observe(Observed::Unreadable(error)),
        };
        if flow.is_break() {
            return None;
        }
    }
    Some(execution.finish())
}

fn execute(plan: &Plan, inputs: &[PathBuf], request: &RunRequest) -> u8 {
    let options = ReadOptions {
        category: request.category.clone(),
        raw: request.raw,
    };
    let mut summary = Summary::new();

    let table = execute_inputs(plan, inputs, options, |item| {
        match item {
            Observed::Record(record) => summary.count_record(record.format, record.lossy_utf8),
            Observed::Malformed(malformed) => {
                if request.strict {
                    eprintln!("sumoql: error: malformed record in {malformed} (stopped by --strict)");
                    return ControlFlow::Break(());
                }
                summary.report_malformed(malformed);
            }
            Observed::Unreadable(error) => summary.report_unreadable(error),
        }
        ControlFlow::Continue(())
    });
    let Some(table) = table else {
        return EXIT_INPUT;
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = write_table(&table, request.format, &mut out).and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        // A closed pipe (`sumoql run … | head`) is not an error worth reporting.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            eprintln!("sumoql: error: failed to write the result: {error}");
            return EXIT_INPUT;
        }
    }

    summary.print(table.rows.len());
    if summary.has_unreadable_inputs() {
        EXIT_INPUT
    } else {
        EXIT_SUCCESS
    }
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
