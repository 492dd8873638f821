//! `sumoql repl`: an interactive loop that reads a query or a `:` command,
//! runs it over inputs read once and kept, and prints the result.
//!
//! Line editing, history and bracketed paste come from rustyline. This
//! module adds the parts that know the query language: [`validate`] decides
//! when Enter runs the text, [`complete`] and [`highlight`] work on query
//! words, and [`session`] keeps the records between queries.

mod commands;
mod complete;
mod highlight;
pub(crate) mod lexer;
pub(crate) mod session;
mod validate;
mod vocabulary;

use std::borrow::Cow;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Args;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, CompletionType, Config, Context, Editor, Helper, KeyCode, KeyEvent, Modifiers,
};

use crate::output::OutputFormat;
use crate::{RawArgument, EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};
use commands::{execute, parse_command, Flow};
use session::{Console, Session, Settings, DEFAULT_ROW_LIMIT};

/// Environment variable that names the history file; empty turns history off.
const HISTORY_VARIABLE: &str = "SUMOQL_HISTORY";

/// Entries the history keeps; older ones are dropped.
const HISTORY_SIZE: usize = 1000;

const PROMPT: &str = "sumoql> ";

/// Name of typed query text in diagnostics.
const TYPED_SOURCE_NAME: &str = "<repl>";

#[derive(Args)]
pub struct ReplArgs {
    /// Log files or directories to query; `:input` changes them later.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Output format: an aligned table, CSV with a header, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,

    /// Value of `_sourceCategory` for every record, instead of the one derived from its channel.
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,

    /// Content of `_raw`: the canonical element-per-field rendering of a
    /// Windows event, or the record text as read.
    #[arg(long, value_enum, default_value_t = RawArgument::Canonical)]
    raw: RawArgument,

    /// Memory the records may take to be kept between queries, such as
    /// `1GiB` or `512MiB`; larger inputs are read from disk for every query.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = session::parse_bytes)]
    memory_limit: u64,

    /// Result rows printed after each query (`:rows` changes it); 0 prints every row.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ROW_LIMIT)]
    rows: usize,

    #[command(flatten)]
    group_limit: crate::run::GroupLimitArgs,
}

/// Runs the REPL until `:quit` or Ctrl-D and returns the exit status.
pub fn run(arguments: ReplArgs) -> u8 {
    let cancel = Arc::new(AtomicBool::new(false));
    install_interrupt_handler(&cancel);

    let settings = Settings {
        format: arguments.format,
        category: arguments.category,
        raw: match arguments.raw {
            RawArgument::Canonical => sumoql_input::RawMode::Canonical,
            RawArgument::Original => sumoql_input::RawMode::Original,
        },
        row_limit: (arguments.rows > 0).then_some(arguments.rows),
        memory_limit: arguments.memory_limit,
        max_groups: arguments.group_limit.max_groups,
    };
    let mut session = Session::new(settings, cancel);

    let mut editor = match new_editor() {
        Ok(editor) => editor,
        Err(error) => {
            eprintln!("sumoql: error: failed to set up the terminal: {error}");
            return EXIT_INPUT;
        }
    };
    let history = HistoryFile::locate();
    history.load(&mut editor);

    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut console = Console {
        out: &mut out,
        err: &mut err,
        color: crate::use_color(),
    };

    console.message("sumoql repl: enter a query to run it over the inputs; `:help` lists the commands, Ctrl-D leaves.");
    if !arguments.inputs.is_empty() {
        session.set_inputs(arguments.inputs, &mut console);
        if session.inputs().is_empty() {
            return EXIT_QUERY_OR_USAGE;
        }
    }
    update_field_names(&mut editor, &session);

    let mut interrupted_once = false;
    loop {
        let line = match editor.readline(PROMPT) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                if !interrupted_once {
                    console.message("(the input was cleared; Ctrl-D or :quit leaves)");
                    interrupted_once = true;
                }
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                console.message(format!("error: failed to read from the terminal: {error}"));
                return EXIT_INPUT;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        history.add(&mut editor, line.trim_end(), &mut console);

        if line.trim_start().starts_with(':') {
            let command = match parse_command(&line) {
                Ok(command) => command,
                Err(message) => {
                    console.message(format!("error: {message}"));
                    continue;
                }
            };
            match execute(command, &mut session, &mut console) {
                Flow::Continue => {}
                Flow::Quit => break,
                Flow::Remember(text) => history.add(&mut editor, text.trim_end(), &mut console),
            }
            update_field_names(&mut editor, &session);
        } else {
            session.run_query(&line, TYPED_SOURCE_NAME, &mut console);
        }
    }
    EXIT_SUCCESS
}

/// Sets up Ctrl-C to raise `cancel` instead of ending the process. While
/// rustyline reads a line, the terminal is in raw mode, so Ctrl-C reaches it
/// as a key and clears the line. At other times, such as while inputs are
/// read or a query runs, Ctrl-C arrives as SIGINT. The handler then raises
/// the flag, which the loops over records check.
// NOTE: the handler stays installed for the whole session, because the
// `ctrlc` crate cannot remove it. Each query and each reading of inputs
// clears the flag before it starts.
fn install_interrupt_handler(cancel: &Arc<AtomicBool>) {
    let flag = Arc::clone(cancel);
    if let Err(error) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!(
            "sumoql: warning: Ctrl-C will end the REPL instead of the running query: {error}"
        );
    }
}

fn new_editor() -> rustyline::Result<Editor<ReplHelper, FileHistory>> {
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .history_ignore_dups(true)?
        .history_ignore_space(false)
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .bracketed_paste(true)
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(ReplHelper {
        field_names: Vec::new(),
        files: FilenameCompleter::new(),
    }));
    // Alt-Enter adds a line even when the text is a whole query, so a query
    // whose lines start with `|` can be typed line by line.
    editor.bind_sequence(KeyEvent(KeyCode::Enter, Modifiers::ALT), Cmd::Newline);
    Ok(editor)
}

fn update_field_names(editor: &mut Editor<ReplHelper, FileHistory>, session: &Session) {
    if let Some(helper) = editor.helper_mut() {
        helper.field_names = session.catalog().names();
    }
}

/// The history file: `SUMOQL_HISTORY`, or `sumoql/history` in the user's
/// data folder (`~/.local/share` on Linux). Multi-line entries are kept
/// whole, because rustyline escapes their newlines in the file.
struct HistoryFile {
    path: Option<PathBuf>,
}

impl HistoryFile {
    fn locate() -> HistoryFile {
        let path = match std::env::var_os(HISTORY_VARIABLE) {
            Some(value) if value.is_empty() => None,
            Some(value) => Some(PathBuf::from(value)),
            None => dirs::data_dir().map(|folder| folder.join("sumoql").join("history")),
        };
        HistoryFile { path }
    }

    fn load(&self, editor: &mut Editor<ReplHelper, FileHistory>) {
        let Some(path) = &self.path else {
            return;
        };
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        match editor.load_history(path) {
            Ok(()) => {}
            Err(ReadlineError::Io(error)) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => eprintln!(
                "sumoql: warning: failed to read the history {}: {error}",
                path.display()
            ),
        }
    }

    /// Adds an entry and appends it to the file, so a second REPL running
    /// at the same time keeps its own entries too.
    fn add(
        &self,
        editor: &mut Editor<ReplHelper, FileHistory>,
        entry: &str,
        console: &mut Console,
    ) {
        let _ = editor.add_history_entry(entry);
        if let Some(path) = &self.path {
            if let Err(error) = editor.append_history(path) {
                console.message(format!(
                    "warning: failed to write the history {}: {error}",
                    path.display()
                ));
            }
        }
    }
}

/// Connects the query-aware parts to rustyline.
struct ReplHelper {
    /// Field names of the loaded input, for completion.
    field_names: Vec<String>,
    files: FilenameCompleter,
}

impl Helper for ReplHelper {}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        cursor: usize,
        context: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete::complete(line, cursor, &self.field_names) {
            complete::Completion::Words { start, candidates } => Ok((start, candidates)),
            complete::Completion::Path => self.files.complete(line, cursor, context),
        }
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _cursor: usize) -> Cow<'l, str> {
        highlight::highlight(line)
    }

    fn highlight_char(&self, _line: &str, _cursor: usize, kind: CmdKind) -> bool {
        // Colours depend on the text only, not on where the cursor is.
        kind != CmdKind::MoveCursor
    }
}

impl Validator for ReplHelper {
    fn validate(&self, context: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        validate::QueryValidator.validate(context)
    }
}
