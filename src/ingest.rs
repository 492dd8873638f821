//! `sumoql ingest`: writes the records of log files to Parquet files, one folder per day,
//! for DataFusion and other Parquet readers.

use std::io::{self, IsTerminal};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use clap::Args;
use sumoql_datafusion::{ingest_parquet, IngestError, IngestOptions, ReadEvent};
use sumoql_input::total_input_bytes;

use crate::convert::default_inputs;
use crate::progress::Progress;
use crate::sources::{input_setup, InputArgs};
use crate::summary::{group_digits, plural, report, report_skipped_file, Summary};
use crate::{RawArgument, EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

#[derive(Args)]
pub struct IngestArgs {
    /// The inputs: files, folders (read recursively), glob patterns, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// The output format and the folder to write to: `--to parquet DIR`. The folder is
    /// created when missing, and must be empty unless --overwrite is given.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "DIR"], required = true)]
    to: Vec<PathBuf>,

    /// Delete the `day=*/part-*.parquet` files of an earlier ingest in the output folder
    /// first. A folder that contains any other file is still rejected.
    #[arg(long)]
    overwrite: bool,

    /// The `_raw` of Windows events: the canonical element-per-field rendering, or the
    /// record text as read.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Stop at the first malformed record instead of skipping it.
    #[arg(long)]
    strict: bool,

    /// Print neither the progress bar nor the summary line.
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    input: InputArgs,
}

/// The output formats of `--to`.
const TARGET_FORMATS: [&str; 1] = ["parquet"];

/// Runs `sumoql ingest` and returns the process exit status.
pub fn ingest(arguments: IngestArgs, color: bool) -> u8 {
    let (format, output) = (&arguments.to[0], arguments.to[1].clone());
    if format.as_os_str() != "parquet" {
        eprintln!(
            "sumoql: error: invalid output format `{}` for --to: expected one of {}",
            format.display(),
            TARGET_FORMATS.join(", ")
        );
        return EXIT_QUERY_OR_USAGE;
    }
    let setup = match input_setup(&arguments.input, arguments.raw.into(), color) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    if !setup.extractions.is_empty() {
        // NOTE: the columns come from the readers alone; extraction rules are not applied.
        eprintln!(
            "sumoql: warning: ingest does not apply the sources file's Field Extraction Rules; \
             their fields are not written"
        );
    }
    let Some(inputs) = default_inputs(&arguments.inputs) else {
        return EXIT_QUERY_OR_USAGE;
    };

    let mut options = setup.options;
    let show_progress = !arguments.quiet && io::stderr().is_terminal();
    let bytes_read = Arc::new(AtomicU64::new(0));
    let total_bytes = if show_progress {
        options.bytes_read = Some(bytes_read.clone());
        total_input_bytes(&inputs)
    } else {
        None
    };
    let mut progress = Progress::new(show_progress, total_bytes, bytes_read);
    let mut summary = Summary::new();
    let settings = IngestOptions {
        overwrite: arguments.overwrite,
        ..IngestOptions::default()
    };

    let result = ingest_parquet(&inputs, options, &output, &settings, |event| {
        match event {
            ReadEvent::Record(record) => {
                summary.count_record(&record.source_name, record.format, record.lossy_utf8);
                progress.record();
            }
            ReadEvent::Malformed(malformed) => {
                if arguments.strict {
                    progress.finish();
                    report(&format!(
                        "sumoql: error: malformed record in {malformed} (stopped by --strict)"
                    ));
                    return ControlFlow::Break(());
                }
                progress.suspend(|| summary.report_malformed(malformed));
                progress.tick();
            }
            ReadEvent::Unreadable(error) if error.is_skipped_file() => {
                progress.suspend(|| report_skipped_file(error));
            }
            ReadEvent::Unreadable(error) => progress.suspend(|| summary.report_unreadable(error)),
        }
        ControlFlow::Continue(())
    });
    progress.finish();

    let written = match result {
        Ok(written) => written,
        Err(IngestError::Stopped) => return EXIT_INPUT,
        Err(error @ (IngestError::NotEmpty(_) | IngestError::ForeignEntry { .. })) => {
            eprintln!("sumoql: error: {error}");
            return EXIT_QUERY_OR_USAGE;
        }
        Err(error) => {
            eprintln!("sumoql: error: {error}");
            return EXIT_INPUT;
        }
    };

    let outcome = format!(
        "wrote {} {} to {} Parquet {} ({} bytes) in {} day {} under {}",
        group_digits(written.records_written),
        plural(written.records_written, "record", "records"),
        group_digits(written.files_written),
        plural(written.files_written, "file", "files"),
        group_digits(written.bytes_written),
        group_digits(written.days.len() as u64),
        plural(written.days.len() as u64, "folder", "folders"),
        output.display()
    );
    if arguments.quiet {
        summary.print_reports();
    } else {
        summary.print_outcome(&outcome);
    }
    if summary.has_unreadable_inputs() {
        EXIT_INPUT
    } else {
        EXIT_SUCCESS
    }
}
