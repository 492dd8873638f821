//! The `sumoql` command: runs Sumo Logic search queries over local log files.

mod check;
#[cfg(feature = "ballista")]
mod cluster;
mod completions;
mod convert;
mod explain;
mod fields;
mod fmt;
#[cfg(feature = "datafusion")]
mod ingest;
#[cfg(feature = "datafusion")]
mod on_datafusion;
mod output;
mod parallel;
mod prefilter;
mod progress;
mod query_range;
mod repl;
mod run;
mod sources;
mod summary;
mod testing;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::OutputFormat;

/// Exit status for success, including a result with zero rows.
const EXIT_SUCCESS: u8 = 0;
/// Exit status for an invalid query or invalid command-line usage.
const EXIT_QUERY_OR_USAGE: u8 = 1;
/// Exit status for unreadable input, or a malformed record under `--strict`.
const EXIT_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "sumoql",
    version,
    about = "Run Sumo Logic search queries offline over Sysmon and other log files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a query over log files and print the result.
    #[command(
        after_help = "Inputs are files, folders (read recursively), glob patterns in quotes, or `-`
for standard input; gzip and zstd files are decompressed. The format of each file is
recognised from its content. Settings per path and Field Extraction Rules come from
`sumoql-sources.toml` in the current folder, or the file named by --sources.

Examples:
  sumoql run queries/t1204_005_malicious_library.sumo samples/sysmon_sample.xml
  sumoql run -e '_sourceCategory=windows/sysmon | where EventID = 1 | count by _sourceHost' logs/
  sumoql run --format ndjson queries/detection.sumo - < events.xml
  sumoql run -e 'error | count by _sourceName' 'logs/**/*.log.gz' --limit 20
  sumoql run -e '| json auto | count by level' --input-format json app.log --output result.csv --format csv"
    )]
    Run(RunArgs),
    /// Write the records as sumoql reads them: metadata, fields and `_raw` as JSON, as
    /// Windows event XML, or as canonical `_raw`.
    #[command(after_help = "Examples:
  sumoql convert samples/sysmon_sample.xml --limit 1
  sumoql convert --to xml otrf-export.json > events.xml
  sumoql convert --to canonical logs/ | less
  sumoql convert --sources my-sources.toml web/access.log")]
    Convert(convert::ConvertArgs),
    /// List the fields present in the inputs, with how many records have each and example values.
    #[command(
        after_help = "Kinds: `metadata` and `field` are fields from the start; `extracted` come from
the sources file's Field Extraction Rules; `in _raw (parse)` are Windows EventData values
that a query extracts with `parse`; `in _raw (json)` are JSON keys that `json auto` extracts.

Examples:
  sumoql fields samples/sysmon_sample.xml
  sumoql fields --format csv logs/ > fields.csv"
    )]
    Fields(fields::FieldsArgs),
    /// Write a shell completion script to standard output.
    #[command(after_help = "Examples:
  sumoql completions bash > ~/.local/share/bash-completion/completions/sumoql
  sumoql completions zsh > ~/.zfunc/_sumoql
  sumoql completions fish > ~/.config/fish/completions/sumoql.fish")]
    Completions(completions::CompletionsArgs),
    /// Write the manual page (roff) to standard output.
    #[command(after_help = "Examples:
  sumoql man > sumoql.1 && man ./sumoql.1
  sumoql man | gzip > /usr/local/share/man/man1/sumoql.1.gz")]
    Man(completions::ManArgs),
    /// Find what makes a query match less than meant: literal patterns,
    /// case-sensitive paths, unset fields, and with --input what the logs show.
    #[command(
        after_help = "Each finding has a code; `// sumoql-ignore: SQ002` on the line before
(or at the end of the line) silences it, `// sumoql-ignore-file: SQ005` in the whole file.

Examples:
  sumoql check queries/t1204_005_malicious_library.sumo
  sumoql check --deny warning queries/*.sumo
  sumoql check queries/detection.sumo --input logs/
  sumoql check --raw original queries/detection.sumo --input logs/
  sumoql check --format json queries/detection.sumo"
    )]
    Check(check::CheckArgs),
    /// Run the snapshot tests of queries: each case's result against its accepted snapshot.
    #[command(
        after_help = "Cases live next to the query: queries/NAME.sumo has its cases in
queries/NAME.tests/CASE/ (logs/, optional case.toml, expected.snapshot).

Examples:
  sumoql test                          run every case under queries/
  sumoql test queries/NAME.sumo        run the cases of one query
  sumoql test --review                 look at each changed result, accept or discard it
  sumoql test --accept NAME/CASE       accept the current result of one case
  sumoql test --init queries/NAME.sumo logs/incident.xml   create a case from logs
  sumoql test --junit report.xml queries/"
    )]
    Test(testing::TestArgs),
    /// Run queries interactively: paste or type a query, see its result, edit and run it again.
    #[command(after_help = "Examples:
  sumoql repl samples/sysmon_sample.xml
  sumoql repl --memory-limit 4GiB logs/

Inside, `:help` lists the commands; Ctrl-D leaves.")]
    Repl(repl::ReplArgs),
    /// Print queries in the canonical layout, or check that files already are.
    #[command(after_help = "Examples:
  sumoql fmt < query.sumo              print the canonical layout of a query
  sumoql fmt queries/*.sumo            rewrite files in place (files with comments are left alone)
  sumoql fmt --check queries/*.sumo    list files that are not in the canonical layout")]
    Fmt(fmt::FmtArgs),
    #[cfg(feature = "datafusion")]
    #[command(
        after_help = "Each record becomes one row with `_raw`, the metadata fields and the Windows
System and EventData fields as columns, plus `__sumoql_seq`, its place in reading order.
Rows go to DIR/day=YYYY-MM-DD/part-NNNNN.parquet by the UTC day of `_messageTime`;
records without a time of their own go to DIR/day=unknown.

Examples:
  sumoql ingest samples/sysmon_sample.xml --to parquet parquet/
  sumoql ingest logs/ --to parquet parquet/ --overwrite"
    )]
    Ingest(ingest::IngestArgs),
    /// Run the scheduler of an Apache Ballista cluster, which plans queries
    /// and sends their tasks to the executors.
    #[cfg(feature = "ballista")]
    #[command(
        after_help = "Executors register with the scheduler, and clients submit queries to it at
df://HOST:PORT. It has no authentication: bind it to a private network only.
Logs go to standard error; RUST_LOG=debug shows more.

Examples:
  sumoql scheduler                          listen on 127.0.0.1:50050
  sumoql scheduler --bind 10.0.0.5:50050    listen on a private network address"
    )]
    Scheduler(cluster::SchedulerArgs),
    /// Run an executor of an Apache Ballista cluster, which registers with the
    /// scheduler and runs the tasks of queries.
    #[cfg(feature = "ballista")]
    #[command(
        after_help = "An executor listens on two ports: --bind for Arrow Flight (intermediate
results) and --grpc-port for tasks from the scheduler. It reads Parquet files at the
paths the client names, so every executor needs the data at the same path.

Examples:
  sumoql executor --scheduler 127.0.0.1:50050 --bind 127.0.0.1:50051
  sumoql executor --scheduler 127.0.0.1:50050 --bind 127.0.0.1:50061 --concurrency 4
  sumoql executor --scheduler 10.0.0.5:50050 --bind 0.0.0.0:50051 --external-host 10.0.0.6 \\
      --work-dir /var/lib/sumoql/shuffle"
    )]
    Executor(cluster::ExecutorArgs),
}

#[derive(Args)]
struct RunArgs {
    /// Query text to run, instead of a query file.
    #[arg(short = 'e', long = "expression", value_name = "QUERY")]
    expression: Option<String>,

    /// The query file (`.sumo`), then the inputs; with `-e`, every argument is an input.
    #[arg(value_name = "QUERY_FILE|INPUT")]
    arguments: Vec<PathBuf>,

    /// Output format: an aligned table, CSV with a header, a JSON array, one JSON object
    /// per line, or a Markdown table.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// Write at most this many result rows.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,

    /// Write the result to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Show whole cells even when the table is wider than the terminal.
    #[arg(long)]
    wide: bool,

    /// Print neither the progress bar nor the summary line on standard error; warnings
    /// and errors still print.
    #[arg(short, long)]
    quiet: bool,

    /// Worker threads that decode and evaluate records; 1 runs everything on one
    /// thread. The default is the number of CPUs. The result is the same for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// In CSV output, write cells that start with `=`, `+`, `-` or `@` as they are. By
    /// default they get a leading `'`, so a spreadsheet does not run log text as a formula.
    #[arg(long)]
    keep_csv_formulas: bool,

    #[command(flatten)]
    input: sources::InputArgs,

    /// What `_raw` holds: the canonical element-per-field rendering of a
    /// Windows event, or the record text as read.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Stop with exit status 2 at the first malformed record instead of skipping it.
    #[arg(long)]
    strict: bool,

    /// After the result, print on stderr a table per branch with the rows
    /// that entered and left each stage, the rows each `parse` pattern
    /// matched and the rows each top-level `where` term was true for.
    #[arg(long)]
    explain: bool,

    /// Start of the query time range (inclusive): an ISO-8601 time such as
    /// 2024-05-01T12:00:00Z (UTC when no offset is given), a date, or a time
    /// relative to now such as -24h. Records before it are skipped.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    from: Option<String>,

    /// End of the query time range (exclusive), written like --from.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    to: Option<String>,

    /// Directory of the CSV files that `lookup … from path://"/a/b"` reads, as DIR/a/b.csv.
    #[arg(long, value_name = "DIR")]
    lookup_dir: Option<PathBuf>,

    #[command(flatten)]
    group_limit: run::GroupLimitArgs,

    /// The engine that runs the query: sumoql's own (`native`), Apache DataFusion in
    /// this process (`datafusion`), or a Ballista cluster (`ballista`, with
    /// --scheduler). The last two need a build with `--features datafusion` or
    /// `--features ballista`.
    #[arg(long, value_enum, default_value_t = run::Engine::Native)]
    engine: run::Engine,

    /// DataFusion's partitions: how many parts of the input run at once
    /// (default: the number of cores).
    #[arg(long, value_name = "N")]
    partitions: Option<usize>,

    /// The Ballista scheduler to send the query to, as HOST:PORT or df://HOST:PORT.
    #[arg(long, value_name = "URL")]
    scheduler: Option<String>,

    /// The summary on standard error: one line of text, or one JSON object with the
    /// records read, processed and skipped, in total and per input.
    #[arg(long, value_enum, default_value_t = summary::SummaryFormat::Text)]
    summary: summary::SummaryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RawArgument {
    Canonical,
    Original,
}

impl From<RawArgument> for sumoql_input::RawMode {
    fn from(argument: RawArgument) -> sumoql_input::RawMode {
        match argument {
            RawArgument::Canonical => sumoql_input::RawMode::Canonical,
            RawArgument::Original => sumoql_input::RawMode::Original,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let status = if error.use_stderr() {
                EXIT_QUERY_OR_USAGE
            } else {
                EXIT_SUCCESS
            };
            let _ = error.print();
            return ExitCode::from(status);
        }
    };

    // The parser builds a chain of `or` terms as a nested tree, and compiling,
    // evaluating and dropping it recurse once per term, so a query with 100,000
    // terms needs far more than the main thread's 8 MiB of stack. The command runs
    // on a thread with a large stack instead; only the pages it touches are used.
    let worker = std::thread::Builder::new()
        .name("sumoql".to_string())
        .stack_size(LARGE_STACK_BYTES)
        .spawn(move || run_command(cli.command));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(status)) => ExitCode::from(status),
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(error) => {
            eprintln!("sumoql: error: failed to start the command thread: {error}");
            ExitCode::from(EXIT_QUERY_OR_USAGE)
        }
    }
}

/// The stack of the threads that parse, compile and evaluate queries.
pub const LARGE_STACK_BYTES: usize = 1 << 30;

fn run_command(command: Command) -> u8 {
    match command {
        Command::Run(arguments) => run::run(arguments.into_request()),
        Command::Convert(arguments) => convert::convert(arguments, use_color()),
        Command::Fields(arguments) => fields::fields(arguments, use_color()),
        Command::Completions(arguments) => completions::completions(arguments),
        Command::Man(arguments) => completions::man(arguments),
        Command::Check(arguments) => check::check(arguments),
        Command::Test(arguments) => testing::test(arguments),
        Command::Repl(arguments) => repl::run(arguments),
        Command::Fmt(arguments) => fmt::run(arguments),
        #[cfg(feature = "datafusion")]
        Command::Ingest(arguments) => ingest::ingest(arguments, use_color()),
        #[cfg(feature = "ballista")]
        Command::Scheduler(arguments) => cluster::scheduler(arguments),
        #[cfg(feature = "ballista")]
        Command::Executor(arguments) => cluster::executor(arguments),
    }
}

impl RunArgs {
    fn into_request(self) -> run::RunRequest {
        let (query, inputs) = match self.expression {
            Some(text) => (run::QuerySource::Text(text), self.arguments),
            None => {
                let mut arguments = self.arguments.into_iter();
                match arguments.next() {
                    Some(file) => (run::QuerySource::File(file), arguments.collect()),
                    None => (run::QuerySource::Missing, Vec::new()),
                }
            }
        };
        run::RunRequest {
            query,
            inputs,
            from: self.from,
            to: self.to,
            lookup_dir: self.lookup_dir,
            max_groups: self.group_limit.max_groups,
            engine: self.engine,
            partitions: self.partitions,
            scheduler: self.scheduler,
            summary: self.summary,
            format: self.format,
            input: self.input,
            raw: match self.raw {
                RawArgument::Canonical => sumoql_input::RawMode::Canonical,
                RawArgument::Original => sumoql_input::RawMode::Original,
            },
            strict: self.strict,
            explain: self.explain,
            color: use_color(),
            limit: self.limit,
            output: self.output,
            wide: self.wide,
            quiet: self.quiet,
            keep_csv_formulas: self.keep_csv_formulas,
            threads: self.threads.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, |count| count.get())
            }),
        }
    }
}

/// Colour diagnostics only on a terminal, and never when `NO_COLOR` is set
/// (https://no-color.org/).
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        && std::io::stderr().is_terminal()
}
