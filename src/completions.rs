//! `sumoql completions SHELL` and `sumoql man`: shell completion scripts and the manual
//! page, both generated from the command-line definition so they list every option.

use std::io::{self, Write};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::{Cli, EXIT_INPUT, EXIT_SUCCESS};

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Args)]
pub struct ManArgs {}

/// Writes the completion script for a shell to standard output.
pub fn completions(arguments: CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(arguments.shell, &mut command, "sumoql", &mut out);
    write_stdout(&out)
}

/// Writes the manual page, in roff, to standard output.
pub fn man(_arguments: ManArgs) -> u8 {
    let command = Cli::command();
    let mut out = Vec::new();
    if let Err(error) = clap_mangen::Man::new(command).render(&mut out) {
        eprintln!("sumoql: error: failed to render the manual page: {error}");
        return EXIT_INPUT;
    }
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> u8 {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => EXIT_SUCCESS,
        Err(error) => {
            eprintln!("sumoql: error: failed to write to standard output: {error}");
            EXIT_INPUT
        }
    }
}
