//! `sumoql-loggen`: writes synthetic Sysmon logs with a known number of detections.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Parser, ValueEnum};
use sumoql_loggen::{generate, parse_size, Branch, Config, Format, Limit, Summary};

#[derive(Parser)]
#[command(
    name = "sumoql-loggen",
    version,
    about = "Write synthetic Sysmon logs (Windows event XML or JSON lines) with a known number of detections",
    long_about = "Write synthetic Sysmon logs (Windows event XML or JSON lines) with a known number of detections.\n\n\
        The same seed and size always give the same bytes. After writing, the number of events that each branch \
        of queries/t1204_005_malicious_library.sumo reports is printed to standard error.",
    group(ArgGroup::new("limit").required(true).args(["size", "events"]))
)]
struct Arguments {
    /// Stop before the output passes this size: bytes, or a number with KB, MB, GB (powers
    /// of 1000) or KiB, MiB, GiB (powers of 1024), such as 1GiB.
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    size: Option<u64>,

    /// Write exactly this many events.
    #[arg(long, value_name = "COUNT")]
    events: Option<u64>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArgument::Xml)]
    format: FormatArgument,

    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = sumoql_loggen::DEFAULT_SEED)]
    seed: u64,

    /// Events that each branch of the detection reports, per million events.
    #[arg(long, value_name = "RATE", default_value_t = sumoql_loggen::DEFAULT_DETECTIONS_PER_MILLION)]
    detections_per_million: f64,

    /// Near misses of each branch of the detection, per thousand events.
    #[arg(long, value_name = "RATE", default_value_t = sumoql_loggen::DEFAULT_NEAR_MISSES_PER_THOUSAND)]
    near_misses_per_thousand: f64,

    /// File to write; `-` or no option writes to standard output.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArgument {
    /// Windows event XML, one event per line.
    Xml,
    /// JSON lines in the shape `evtx_dump -o jsonl` writes.
    Jsonl,
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let rates = [
        arguments.detections_per_million,
        arguments.near_misses_per_thousand,
    ];
    if rates.iter().any(|rate| !rate.is_finite() || *rate < 0.0)
        || 3.0 * (arguments.detections_per_million / 1e6 + arguments.near_misses_per_thousand / 1e3)
            > 1.0
    {
        eprintln!(
            "sumoql-loggen: error: invalid rates {} per million and {} per thousand: both must be zero or more, \
             and three times their sum as shares of one event must be at most 1",
            arguments.detections_per_million, arguments.near_misses_per_thousand
        );
        return ExitCode::from(2);
    }

    let limit = match (arguments.size, arguments.events) {
        (Some(bytes), _) => Limit::Bytes(bytes),
        (None, Some(events)) => Limit::Events(events),
        (None, None) => unreachable!("clap requires --size or --events"),
    };
    let format = match arguments.format {
        FormatArgument::Xml => Format::Xml,
        FormatArgument::Jsonl => Format::Jsonl,
    };
    let config = Config {
        seed: arguments.seed,
        detections_per_million: arguments.detections_per_million,
        near_misses_per_thousand: arguments.near_misses_per_thousand,
        ..Config::new(limit, format)
    };

    let (result, destination) = match &arguments.output {
        Some(path) if path.as_os_str() != "-" => {
            let file = match File::create(path) {
                Ok(file) => file,
                Err(error) => {
                    eprintln!(
                        "sumoql-loggen: error: failed to create {}: {error}",
                        path.display()
                    );
                    return ExitCode::from(2);
                }
            };
            let mut out = BufWriter::with_capacity(1 << 20, file);
            (generate(&config, &mut out), path.display().to_string())
        }
        _ => {
            let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            (generate(&config, &mut out), "standard output".to_string())
        }
    };

    match result {
        Ok(summary) => {
            print_summary(&config, &summary, &destination);
            ExitCode::SUCCESS
        }
        // A reader that stops early (`sumoql-loggen … | head`) is not an error.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sumoql-loggen: error: failed to write to {destination}: {error}");
            ExitCode::from(2)
        }
    }
}

/// Prints the counts that tests and `scripts/bench.sh` compare sumoql's result with.
fn print_summary(config: &Config, summary: &Summary, destination: &str) {
    let format = match config.format {
        Format::Xml => "xml",
        Format::Jsonl => "jsonl",
    };
    let per_branch = |counts: &[u64; 3]| {
        Branch::ALL
            .iter()
            .map(|branch| format!("{}={}", branch.detection_name(), counts[branch.index()]))
            .collect::<Vec<_>>()
            .join(" ")
    };

    let mut stderr = io::stderr().lock();
    let _ = writeln!(
        stderr,
        "sumoql-loggen: wrote events={} bytes={} format={format} seed={} to {destination}",
        summary.events, summary.bytes, config.seed
    );
    let _ = writeln!(stderr, "detections {}", per_branch(&summary.detections));
    let _ = writeln!(stderr, "result_rows={}", summary.result_rows);
    let _ = writeln!(stderr, "near_misses {}", per_branch(&summary.near_misses));
}
