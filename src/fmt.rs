//! The `fmt` command: prints queries in the canonical layout of
//! `sumoql_syntax::format_query`, or checks that files already are.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use sumoql_syntax::{format_query, has_comments, parse_query};

use crate::{EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

#[derive(Args)]
pub struct FmtArgs {
    /// Query files to rewrite in place; with none, the query is read from
    /// standard input and printed to standard output.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Change nothing: list the files that are not in the canonical layout
    /// and exit with status 1 if there is any.
    #[arg(long)]
    check: bool,
}

/// The result of formatting one query text.
enum Outcome {
    Unchanged,
    Changed(String),
    /// The query is invalid; its diagnostics are already printed.
    Invalid,
}

pub fn run(arguments: FmtArgs) -> u8 {
    if arguments.files.is_empty() {
        return format_standard_input(arguments.check);
    }

    let mut status = EXIT_SUCCESS;
    let mut changed = 0;
    for path in &arguments.files {
        let file_status = format_file(path, arguments.check, &mut changed);
        status = status.max(file_status);
    }
    if arguments.check && changed > 0 {
        eprintln!(
            "{changed} of {} files would be reformatted",
            arguments.files.len()
        );
        status = status.max(EXIT_QUERY_OR_USAGE);
    }
    status
}

fn format_standard_input(check: bool) -> u8 {
    let mut text = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: failed to read the query from standard input: {error}");
        return EXIT_INPUT;
    }
    match format_text("<stdin>", &text) {
        Outcome::Invalid => EXIT_QUERY_OR_USAGE,
        Outcome::Unchanged if check => EXIT_SUCCESS,
        Outcome::Changed(_) if check => {
            println!("<stdin>");
            EXIT_QUERY_OR_USAGE
        }
        Outcome::Unchanged => {
            print!("{text}");
            EXIT_SUCCESS
        }
        Outcome::Changed(formatted) => {
            if has_comments(&text) {
                eprintln!("warning: the formatter does not keep comments; the output has none");
            }
            print!("{formatted}");
            EXIT_SUCCESS
        }
    }
}

/// Formats one file in place, or with `check` only reports it; counts the
/// files that change (or would) in `changed`.
fn format_file(path: &Path, check: bool, changed: &mut usize) -> u8 {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: failed to read {}: {error}", path.display());
            return EXIT_INPUT;
        }
    };
    let formatted = match format_text(&path.display().to_string(), &text) {
        Outcome::Invalid => return EXIT_QUERY_OR_USAGE,
        Outcome::Unchanged => return EXIT_SUCCESS,
        Outcome::Changed(formatted) => formatted,
    };

    *changed += 1;
    if check {
        println!("{}", path.display());
        return EXIT_SUCCESS;
    }
    // Rewriting would silently delete the comments, so such a file is left
    // as it is.
    if has_comments(&text) {
        eprintln!(
            "error: {} has comments, which the formatter does not keep; it was not changed",
            path.display()
        );
        eprintln!(
            "help: remove the comments first, or print the layout with `sumoql fmt < {}`",
            path.display()
        );
        return EXIT_QUERY_OR_USAGE;
    }
    if let Err(error) = std::fs::write(path, formatted) {
        eprintln!("error: failed to write {}: {error}", path.display());
        return EXIT_INPUT;
    }
    EXIT_SUCCESS
}

/// Parses `text` and returns its canonical layout with a final newline,
/// printing the diagnostics when it is invalid.
fn format_text(source_name: &str, text: &str) -> Outcome {
    match parse_query(text) {
        Ok(query) => {
            let formatted = format!("{}\n", format_query(&query));
            if formatted == text {
                Outcome::Unchanged
            } else {
                Outcome::Changed(formatted)
            }
        }
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!(
                    "{}",
                    diagnostic.render(source_name, text, crate::use_color())
                );
            }
            Outcome::Invalid
        }
    }
}
