//! `sumoql check`: finds what makes a query match less than its author
//! meant, without running it, and with `--input` also from how it runs over
//! logs. Each finding has a code ([`rules::Rule`]) and can be silenced in
//! the query text ([`silence`]).

mod conditions;
mod data;
mod fields;
mod patterns;
mod portability;
mod report;
mod rules;
mod silence;
mod walk;

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use sumoql_input::RawMode;
use sumoql_syntax::ast::{Query, Span, Stage};
use sumoql_syntax::{Diagnostic, Severity};

use crate::run::{execute_inputs_explained, Observed};
use crate::sources::{input_setup, InputArgs, InputSetup};
use crate::summary::Summary;
use crate::{RawArgument, EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};
use portability::Stop;
use report::{write_findings, Tally};
use silence::Silences;

#[derive(Args)]
pub struct CheckArgs {
    /// Query files to check.
    #[arg(value_name = "QUERY_FILE", required_unless_present = "expression")]
    queries: Vec<PathBuf>,

    /// Query text to check, instead of query files.
    #[arg(
        short = 'e',
        long = "expression",
        value_name = "QUERY",
        conflicts_with = "queries"
    )]
    expression: Option<String>,

    /// Log files or folders to run the query over, for the findings that
    /// need data: patterns that match nothing, fields that stay null,
    /// branches without rows. Takes one or more paths.
    #[arg(long = "input", value_name = "LOGS", num_args = 1..)]
    inputs: Vec<PathBuf>,

    /// Output format: diagnostics with a caret, or one JSON object per finding.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,

    /// Exit with status 1 when a finding of this level or a more serious one is found.
    #[arg(long, value_enum, default_value_t = DenyLevel::Error)]
    deny: DenyLevel,

    /// The content of `_raw` for records read from `--input`, as for `sumoql run`.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Input settings, as for `sumoql run`.
    #[command(flatten)]
    input: InputArgs,

    /// The group limit of the run over `--input`, as for `sumoql run`.
    #[command(flatten)]
    group_limit: crate::run::GroupLimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DenyLevel {
    Note,
    Warning,
    Error,
}

impl DenyLevel {
    fn severity(self) -> Severity {
        match self {
            DenyLevel::Note => Severity::Note,
            DenyLevel::Warning => Severity::Warning,
            DenyLevel::Error => Severity::Error,
        }
    }
}

/// Checks every query and returns the process exit status.
pub fn check(arguments: CheckArgs) -> u8 {
    let color = crate::use_color();
    let queries: Vec<(String, Result<String, String>)> = match &arguments.expression {
        Some(text) => vec![("<expression>".to_string(), Ok(text.clone()))],
        None => arguments
            .queries
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    format!("failed to read query file {}: {error}", path.display())
                });
                (path.display().to_string(), text)
            })
            .collect(),
    };

    // The sources file is read even without `--input`, because its Field
    // Extraction Rules add fields that the static rules must not report.
    let raw = match arguments.raw {
        RawArgument::Canonical => RawMode::Canonical,
        RawArgument::Original => RawMode::Original,
    };
    let setup = match input_setup(&arguments.input, raw, color) {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut status = EXIT_SUCCESS;
    let mut denied = false;
    for (source_name, text) in queries {
        let text = match text {
            Ok(text) => text,
            Err(message) => {
                eprintln!("sumoql: error: {message}");
                denied = true;
                continue;
            }
        };

        let outcome = check_query(&text, &arguments, &setup);
        if outcome.unusable_inputs {
            status = EXIT_INPUT;
        }
        let mut tally = Tally::default();
        for finding in &outcome.findings {
            tally.count(finding);
        }
        tally.silenced = outcome.silenced;
        denied |= outcome
            .findings
            .iter()
            .any(|finding| finding.severity >= arguments.deny.severity());

        let written = write_findings(
            &mut out,
            arguments.format,
            &source_name,
            &text,
            &outcome.findings,
            color,
        )
        .and_then(|()| out.flush());
        if let Err(error) = written {
            if error.kind() != io::ErrorKind::BrokenPipe {
                eprintln!("sumoql: error: failed to write the findings: {error}");
                return EXIT_INPUT;
            }
        }
        eprintln!("sumoql: {source_name}: {}", tally.describe());
    }

    if status == EXIT_SUCCESS && denied {
        status = EXIT_QUERY_OR_USAGE;
    }
    status
}

/// The findings of one query, in source order, after silencing.
struct Outcome {
    findings: Vec<Diagnostic>,
    silenced: u64,
    /// An input could not be read, or the input settings are invalid.
    unusable_inputs: bool,
}

fn check_query(text: &str, arguments: &CheckArgs, setup: &InputSetup) -> Outcome {
    let mut outcome = Outcome {
        findings: Vec::new(),
        silenced: 0,
        unusable_inputs: false,
    };

    let query = match sumoql_syntax::parse_query(text) {
        Ok(query) => query,
        Err(errors) => {
            outcome.findings = errors
                .into_iter()
                .map(|error| portability::explain_unsupported(error, Stop::Parse))
                .collect();
            return outcome;
        }
    };

    let mut findings = static_findings(&query, text, !setup.extractions.is_empty());
    match sumoql_engine::compile(&query) {
        Ok(mut plan) if !arguments.inputs.is_empty() => {
            plan.set_max_groups(arguments.group_limit.max_groups);
            let raw = setup.options.raw;
            let mut summary = Summary::new();
            let options = setup.options.clone();
            let mut group_limit = None;
            let result = execute_inputs_explained(
                &plan,
                &arguments.inputs,
                options,
                &setup.extractions,
                true,
                |item| {
                    match item {
                        Observed::Record(record) => summary.count_record(
                            &record.source_name,
                            record.format,
                            record.lossy_utf8,
                        ),
                        Observed::Malformed(malformed) => summary.report_malformed(malformed),
                        Observed::Unreadable(error) if error.is_skipped_file() => {
                            crate::summary::report_skipped_file(error)
                        }
                        Observed::Unreadable(error) => summary.report_unreadable(error),
                        Observed::GroupLimitExceeded(exceeded) => {
                            group_limit = Some(crate::run::group_limit_diagnostic(exceeded))
                        }
                    }
                    ControlFlow::Continue(())
                },
            );
            findings.extend(group_limit);
            outcome.unusable_inputs = summary.has_unreadable_inputs();
            if let Some((table, Some(explain))) = result {
                summary.print(table.rows.len());
                findings.extend(data::check(&query, &explain, text, raw));
            }
        }
        Ok(_) => {}
        Err(errors) => findings.extend(
            errors
                .into_iter()
                .map(|error| portability::explain_unsupported(error, Stop::Compile)),
        ),
    }

    let silences = Silences::parse(text);
    let stages = stage_spans(&query);
    findings.sort_by_key(|finding| (finding.span.start, finding.code));
    for finding in findings {
        if silences.silences(&finding, text, &stages) {
            outcome.silenced += 1;
        } else {
            outcome.findings.push(finding);
        }
    }
    outcome
}

/// Runs the rules that need no data. `extraction_rules` is true when Field
/// Extraction Rules may add fields to the records.
fn static_findings(query: &Query, text: &str, extraction_rules: bool) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    findings.extend(patterns::check(query, text));
    findings.extend(fields::check(query, text, extraction_rules));
    findings.extend(conditions::check(query, text));
    findings.extend(portability::check(query));
    findings
}

/// Returns the spans of every scope and pipe stage, branches included.
fn stage_spans(query: &Query) -> Vec<Span> {
    let mut spans: Vec<Span> = query.scope.iter().map(|scope| scope.span.clone()).collect();
    for stage in &query.stages {
        spans.push(stage.span.clone());
        if let Stage::Union(branch) = &stage.node {
            spans.extend(stage_spans(&branch.node));
        }
    }
    spans
}
