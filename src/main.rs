//! The `sumoql` command: runs Sumo Logic search queries over local log files.

mod output;
mod repl;
mod run;
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
#[command(name = "sumoql", version, about = "Run Sumo Logic search queries offline over Sysmon and other log files")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a query over log files and print the result.
    #[command(after_help = "Examples:
  sumoql run queries/t1204_005_malicious_library.sumo samples/sysmon_sample.xml
  sumoql run -e '_sourceCategory=windows/sysmon | where EventID = 1 | count by _sourceHost' logs/
  sumoql run --format json queries/detection.sumo - < events.xml")]
    Run(RunArgs),
    /// Run the snapshot tests of queries: each case's result against its accepted snapshot.
    #[command(after_help = "Cases live next to the query: queries/NAME.sumo has its cases in
queries/NAME.tests/CASE/ (logs/, optional case.toml, expected.snapshot).

Examples:
  sumoql test                          run every case under queries/
  sumoql test queries/NAME.sumo        run the cases of one query
  sumoql test --review                 look at each changed result, accept or discard it
  sumoql test --accept NAME/CASE       accept the current result of one case
  sumoql test --init queries/NAME.sumo logs/incident.xml   create a case from logs
  sumoql test --junit report.xml queries/")]
    Test(testing::TestArgs),
    /// Run queries interactively: paste or type a query, see its result, edit and run it again.
    #[command(after_help = "Examples:
  sumoql repl samples/sysmon_sample.xml
  sumoql repl --memory-limit 4GiB logs/

Inside, `:help` lists the commands; Ctrl-D leaves.")]
    Repl(repl::ReplArgs),
}

#[derive(Args)]
struct RunArgs {
    /// Query text to run, instead of a query file.
    #[arg(short = 'e', long = "expression", value_name = "QUERY")]
    expression: Option<String>,

    /// The query file (`.sumo`), then the inputs; with `-e`, every argument is an input.
    #[arg(value_name = "QUERY_FILE|INPUT")]
    arguments: Vec<PathBuf>,

    /// Output format: an aligned table, CSV with a header, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// Value of `_sourceCategory` for every record, instead of the one derived from its channel.
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,

    /// What `_raw` holds: the canonical element-per-field rendering of a
    /// Windows event, or the record text as read.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Stop with exit status 2 at the first malformed record instead of skipping it.
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RawArgument {
    Canonical,
    Original,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let status = if error.use_stderr() { EXIT_QUERY_OR_USAGE } else { EXIT_SUCCESS };
            let _ = error.print();
            return ExitCode::from(status);
        }
    };

    let status = match cli.command {
        Command::Run(arguments) => run::run(arguments.into_request()),
        Command::Test(arguments) => testing::test(arguments),
        Command::Repl(arguments) => repl::run(arguments),
    };
    ExitCode::from(status)
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
            format: self.format,
            category: self.category,
            raw: match self.raw {
                RawArgument::Canonical => sumoql_input::RawMode::Canonical,
                RawArgument::Original => sumoql_input::RawMode::Original,
            },
            strict: self.strict,
            color: use_color(),
        }
    }
}

/// Colour diagnostics only on a terminal, and never when `NO_COLOR` is set
/// (https://no-color.org/).
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && std::io::stderr().is_terminal()
}
