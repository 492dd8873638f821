//! The `:` commands: parsing a command line and carrying it out on a session.

use std::path::PathBuf;

use clap::ValueEnum;
use sumoql_input::RawMode;

use super::session::{group_digits, Console, Session};
use crate::output::OutputFormat;

/// One command, as `:help` lists it.
pub struct CommandHelp {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
}

pub const COMMANDS: [CommandHelp; 10] = [
    CommandHelp {
        name: ":help",
        usage: ":help",
        summary: "list the commands and keys",
    },
    CommandHelp {
        name: ":load",
        usage: ":load FILE.sumo",
        summary: "run the query saved in FILE; it becomes the last query",
    },
    CommandHelp {
        name: ":save",
        usage: ":save FILE.sumo",
        summary: "write the last query to FILE, replacing its content",
    },
    CommandHelp {
        name: ":input",
        usage: ":input [PATH…]",
        summary: "read these files or directories as the input; without PATH, show the inputs",
    },
    CommandHelp {
        name: ":format",
        usage: ":format [FORMAT]",
        summary: "print results in FORMAT, one of those `--format` accepts (table, csv, json, …)",
    },
    CommandHelp {
        name: ":fields",
        usage: ":fields",
        summary: "list the fields in the input and how many records have each",
    },
    CommandHelp {
        name: ":category",
        usage: ":category [CAT|channel]",
        summary: "set _sourceCategory of every record; `channel` derives it from the event channel",
    },
    CommandHelp {
        name: ":raw",
        usage: ":raw [canonical|original]",
        summary: "set what _raw holds: one element per event field, or the record text as read",
    },
    CommandHelp {
        name: ":rows",
        usage: ":rows [N|all]",
        summary: "set how many result rows are printed",
    },
    CommandHelp {
        name: ":quit",
        usage: ":quit",
        summary: "leave the REPL (Ctrl-D does too)",
    },
];

/// Other spellings accepted for commands.
const ALIASES: [(&str, &str); 4] = [
    (":h", ":help"),
    (":?", ":help"),
    (":q", ":quit"),
    (":exit", ":quit"),
];

pub const RAW_NAMES: [&str; 2] = ["canonical", "original"];

/// The argument of `:category` that restores the category derived from the channel.
const CATEGORY_FROM_CHANNEL: &str = "channel";

const KEYS_HELP: &str = "\
Keys: Enter runs the query once its brackets, strings and comments are closed and its last line does not end with `|`;
      Alt-Enter starts a new line in any case; pasted text is never run before Enter.
      Up and Down recall earlier entries, Ctrl-R searches them, Tab completes names,
      Ctrl-C clears the line or cancels a running query, Ctrl-D on an empty line leaves.";

/// A parsed `:` command.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Load(PathBuf),
    Save(PathBuf),
    /// `None` shows the inputs.
    Input(Option<Vec<PathBuf>>),
    Format(Option<OutputFormat>),
    Fields,
    /// `Some(None)` derives the category from the channel again.
    Category(Option<Option<String>>),
    Raw(Option<RawMode>),
    /// `Some(None)` prints every row.
    Rows(Option<Option<usize>>),
    Quit,
}

/// The next step of the REPL after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
    /// A query was loaded from a file: add its text to the history so Up recalls it.
    Remember(String),
}

/// Parses a line that starts with `:`. Command names may be shortened to
/// any unique prefix (`:fo` is `:format`).
pub fn parse_command(line: &str) -> Result<Command, String> {
    let words = split_arguments(line.trim())?;
    let Some((word, arguments)) = words.split_first() else {
        return Err("empty command; `:help` lists the commands".to_string());
    };
    let name = resolve_name(word)?;

    let single = |usage: &str| -> Result<Option<&String>, String> {
        match arguments {
            [] => Ok(None),
            [argument] => Ok(Some(argument)),
            _ => Err(format!("too many arguments; usage: {usage}")),
        }
    };
    let required_path = |usage: &str| -> Result<PathBuf, String> {
        match single(usage)? {
            Some(path) => Ok(expand_home(path)),
            None => Err(format!("missing file name; usage: {usage}")),
        }
    };
    let no_arguments = |command: Command| -> Result<Command, String> {
        if arguments.is_empty() {
            Ok(command)
        } else {
            Err(format!("`{name}` takes no arguments"))
        }
    };

    match name {
        ":help" => no_arguments(Command::Help),
        ":fields" => no_arguments(Command::Fields),
        ":quit" => no_arguments(Command::Quit),
        ":load" => Ok(Command::Load(required_path(":load FILE.sumo")?)),
        ":save" => Ok(Command::Save(required_path(":save FILE.sumo")?)),
        ":input" => Ok(Command::Input(if arguments.is_empty() {
            None
        } else {
            Some(arguments.iter().map(|path| expand_home(path)).collect())
        })),
        ":format" => {
            let format = single(":format FORMAT")?
                .map(|text| parse_format(text))
                .transpose()?;
            Ok(Command::Format(format))
        }
        ":category" => Ok(Command::Category(single(":category CAT|channel")?.map(
            |text| {
                if text == CATEGORY_FROM_CHANNEL {
                    None
                } else {
                    Some(text.clone())
                }
            },
        ))),
        ":raw" => {
            let raw = single(":raw canonical|original")?
                .map(|text| parse_raw(text))
                .transpose()?;
            Ok(Command::Raw(raw))
        }
        ":rows" => {
            let rows = single(":rows N|all")?
                .map(|text| parse_rows(text))
                .transpose()?;
            Ok(Command::Rows(rows))
        }
        _ => unreachable!("resolve_name returns only names from COMMANDS"),
    }
}

fn resolve_name(word: &str) -> Result<&'static str, String> {
    let lowercase = word.to_ascii_lowercase();
    if let Some((_, name)) = ALIASES.iter().find(|(alias, _)| *alias == lowercase) {
        return Ok(name);
    }
    if let Some(command) = COMMANDS.iter().find(|command| command.name == lowercase) {
        return Ok(command.name);
    }
    let matches: Vec<&str> = COMMANDS
        .iter()
        .map(|command| command.name)
        .filter(|name| lowercase.len() > 1 && name.starts_with(&lowercase))
        .collect();
    match matches.as_slice() {
        [name] => Ok(name),
        [] => Err(format!(
            "unknown command `{word}`; `:help` lists the commands"
        )),
        several => Err(format!(
            "ambiguous command `{word}`: {}",
            several.join(", ")
        )),
    }
}

fn parse_format(text: &str) -> Result<OutputFormat, String> {
    OutputFormat::from_str(text, true).map_err(|_| {
        format!(
            "invalid format `{text}`; expected one of {}",
            format_names().join(", ")
        )
    })
}

fn format_name(format: OutputFormat) -> String {
    format.to_possible_value().map_or_else(
        || format!("{format:?}"),
        |value| value.get_name().to_string(),
    )
}

/// Returns the names `:format` accepts, the same as `--format`.
pub fn format_names() -> Vec<String> {
    OutputFormat::value_variants()
        .iter()
        .map(|format| format_name(*format))
        .collect()
}

fn parse_raw(text: &str) -> Result<RawMode, String> {
    match text.to_ascii_lowercase().as_str() {
        "canonical" => Ok(RawMode::Canonical),
        "original" => Ok(RawMode::Original),
        _ => Err(format!(
            "invalid _raw mode `{text}`; expected canonical or original"
        )),
    }
}

fn raw_name(raw: RawMode) -> &'static str {
    match raw {
        RawMode::Canonical => "canonical",
        RawMode::Original => "original",
    }
}

fn parse_rows(text: &str) -> Result<Option<usize>, String> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    match text.parse::<usize>() {
        Ok(rows) if rows > 0 => Ok(Some(rows)),
        _ => Err(format!(
            "invalid row count `{text}`; expected a positive number or `all`"
        )),
    }
}

/// Splits a command line into words at whitespace. Double or single quotes
/// keep spaces inside a word, and a backslash outside single quotes keeps
/// the next character as it is.
pub fn split_arguments(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(word) = current.take() {
                    words.push(word);
                }
            }
            '"' | '\'' => {
                let quote = c;
                let word = current.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some(inner) if inner == quote => break,
                        Some('\\') if quote == '"' => {
                            if let Some(escaped) = chars.next() {
                                word.push(escaped);
                            }
                        }
                        Some(inner) => word.push(inner),
                        None => return Err(format!("unterminated quote {quote} in `{text}`")),
                    }
                }
            }
            '\\' => {
                let word = current.get_or_insert_with(String::new);
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
            }
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(word) = current {
        words.push(word);
    }
    Ok(words)
}

/// Replaces a leading `~/` with the home folder, as a shell would.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => dirs::home_dir().unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}

/// Carries out `command` on `session`.
pub fn execute(command: Command, session: &mut Session, console: &mut Console) -> Flow {
    match command {
        Command::Help => print_help(console),
        Command::Quit => return Flow::Quit,
        Command::Load(path) => match std::fs::read_to_string(&path) {
            Ok(text) => {
                session.run_query(&text, &path.display().to_string(), console);
                return Flow::Remember(text);
            }
            Err(error) => console.message(format!(
                "error: failed to read query file {}: {error}",
                path.display()
            )),
        },
        Command::Save(path) => save_last_query(session, &path, console),
        Command::Input(Some(paths)) => session.set_inputs(paths, console),
        Command::Input(None) => show_inputs(session, console),
        Command::Format(Some(format)) => session.settings.format = format,
        Command::Format(None) => {
            console.message(format!("format: {}", format_name(session.settings.format)))
        }
        Command::Fields => session.print_fields(console),
        Command::Category(Some(category)) => {
            session.settings.category = category;
            session.apply_read_options();
            show_category(session, console);
        }
        Command::Category(None) => show_category(session, console),
        Command::Raw(Some(raw)) => {
            session.settings.raw = raw;
            session.apply_read_options();
        }
        Command::Raw(None) => console.message(format!("_raw: {}", raw_name(session.settings.raw))),
        Command::Rows(Some(limit)) => session.settings.row_limit = limit,
        Command::Rows(None) => console.message(match session.settings.row_limit {
            Some(limit) => format!("rows: at most {} printed", group_digits(limit as u64)),
            None => "rows: all printed".to_string(),
        }),
    }
    Flow::Continue
}

fn print_help(console: &mut Console) {
    let width = COMMANDS
        .iter()
        .map(|command| command.usage.chars().count())
        .max()
        .unwrap_or(0);
    for command in &COMMANDS {
        let padding = width - command.usage.chars().count();
        console.message(format!(
            "{}{}  {}",
            command.usage,
            " ".repeat(padding),
            command.summary
        ));
    }
    console.message("Anything else is a query, run over the inputs.");
    console.message(KEYS_HELP);
}

fn save_last_query(session: &Session, path: &std::path::Path, console: &mut Console) {
    let Some(query) = session.last_query() else {
        console.message("error: no query to save yet; enter or :load one first");
        return;
    };
    let mut text = query.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match std::fs::write(path, &text) {
        Ok(()) => console.message(format!(
            "saved {} lines to {}",
            group_digits(text.lines().count() as u64),
            path.display()
        )),
        Err(error) => console.message(format!(
            "error: failed to write {}: {error}",
            path.display()
        )),
    }
}

fn show_inputs(session: &Session, console: &mut Console) {
    if session.inputs().is_empty() {
        console.message("no input; name log files or directories with `:input PATH…`");
        return;
    }
    for path in session.inputs() {
        console.message(path.display());
    }
    console.message(if session.keeps_records() {
        "records are kept in memory"
    } else {
        "each query reads the records from disk"
    });
}

fn show_category(session: &Session, console: &mut Console) {
    console.message(match &session.settings.category {
        Some(category) => format!("_sourceCategory: {category} for every record"),
        None => "_sourceCategory: derived from each event's channel (windows/sysmon for Sysmon)"
            .to_string(),
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    use super::*;
    use crate::repl::session::Settings;

    const SAMPLE_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/sysmon_sample.xml");
    const SHIPPED_QUERY: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/queries/t1204_005_malicious_library.sumo"
    );

    /// A session on the bundled sample and the text it printed.
    struct Harness {
        session: Session,
        out: Vec<u8>,
        err: Vec<u8>,
    }

    impl Harness {
        fn new() -> Harness {
            let mut harness = Harness {
                session: Session::new(Settings::default(), Arc::new(AtomicBool::new(false))),
                out: Vec::new(),
                err: Vec::new(),
            };
            harness.run(&format!(":input {SAMPLE_LOG}"));
            harness.out.clear();
            harness.err.clear();
            harness
        }

        /// Parses and runs a command line, failing the test on a parse error.
        fn run(&mut self, line: &str) -> Flow {
            let command = parse_command(line).unwrap_or_else(|error| panic!("{line}: {error}"));
            let mut console = Console {
                out: &mut self.out,
                err: &mut self.err,
                color: false,
            };
            execute(command, &mut self.session, &mut console)
        }

        fn query(&mut self, text: &str) {
            let mut console = Console {
                out: &mut self.out,
                err: &mut self.err,
                color: false,
            };
            self.session.run_query(text, "<repl>", &mut console);
        }

        fn take_out(&mut self) -> String {
            String::from_utf8(std::mem::take(&mut self.out)).unwrap()
        }

        fn take_err(&mut self) -> String {
            String::from_utf8(std::mem::take(&mut self.err)).unwrap()
        }
    }

    fn temp_folder(name: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("sumoql-repl-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    #[test]
    fn help_lists_every_command() {
        let mut harness = Harness::new();
        assert_eq!(harness.run(":help"), Flow::Continue);
        let err = harness.take_err();
        for command in &COMMANDS {
            assert!(
                err.contains(command.usage),
                "{} missing from:\n{err}",
                command.usage
            );
        }
        assert!(err.contains("Alt-Enter"), "{err}");
    }

    #[test]
    fn quit_and_aliases() {
        let mut harness = Harness::new();
        assert_eq!(harness.run(":quit"), Flow::Quit);
        assert_eq!(harness.run(":q"), Flow::Quit);
        assert_eq!(harness.run(":exit"), Flow::Quit);
    }

    #[test]
    fn load_runs_and_remembers_the_query() {
        let mut harness = Harness::new();
        let flow = harness.run(&format!(":load {SHIPPED_QUERY}"));
        let text = std::fs::read_to_string(SHIPPED_QUERY).unwrap();
        assert_eq!(flow, Flow::Remember(text.clone()));
        assert!(harness.take_out().contains("MaliciousLibraryC2Callback"));
        assert_eq!(harness.session.last_query(), Some(text.as_str()));
    }

    #[test]
    fn load_of_a_missing_file_reports_it() {
        let mut harness = Harness::new();
        assert_eq!(harness.run(":load /nonexistent/q.sumo"), Flow::Continue);
        let err = harness.take_err();
        assert!(
            err.contains("failed to read query file /nonexistent/q.sumo"),
            "{err}"
        );
    }

    #[test]
    fn save_writes_the_last_query() {
        let mut harness = Harness::new();
        let path = temp_folder("save").join("last.sumo");
        harness.query("* | where EventID = 1\n| count");
        harness.run(&format!(":save {}", path.display()));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "* | where EventID = 1\n| count\n"
        );
        assert!(harness.take_err().contains("saved 2 lines"));
    }

    #[test]
    fn save_without_a_query_says_so() {
        let mut harness = Harness::new();
        let path = temp_folder("save-none").join("none.sumo");
        harness.run(&format!(":save {}", path.display()));
        assert!(harness.take_err().contains("no query to save yet"));
        assert!(!path.exists());
    }

    #[test]
    fn input_replaces_and_shows_the_inputs() {
        let mut harness = Harness::new();
        harness.run(":input");
        let err = harness.take_err();
        assert!(err.contains("sysmon_sample.xml"), "{err}");
        assert!(err.contains("kept in memory"), "{err}");

        let empty = temp_folder("input-empty");
        harness.run(&format!(":input {}", empty.display()));
        assert!(harness.take_err().contains("read 0 records"));
        assert_eq!(harness.session.inputs(), [empty]);
    }

    #[test]
    fn input_rejects_standard_input() {
        let mut harness = Harness::new();
        harness.run(":input -");
        assert!(harness
            .take_err()
            .contains("standard input (`-`) cannot be an input"));
        assert_eq!(harness.session.inputs().len(), 1);
    }

    #[test]
    fn format_changes_the_output() {
        let mut harness = Harness::new();
        harness.run(":format csv");
        harness.query("* | count");
        assert_eq!(harness.take_out(), "_count\n33\n");
        harness.take_err();
        harness.run(":format");
        assert_eq!(harness.take_err(), "format: csv\n");
        assert_eq!(
            parse_command(":format JSON"),
            Ok(Command::Format(Some(OutputFormat::Json)))
        );
        let error = parse_command(":format xml").unwrap_err();
        assert!(
            error.starts_with("invalid format `xml`; expected one of table, csv, json"),
            "{error}"
        );
    }

    #[test]
    fn fields_prints_the_field_list() {
        let mut harness = Harness::new();
        harness.run(":fields");
        let out = harness.take_out();
        assert!(out.contains("EventID"), "{out}");
        assert!(out.contains("TargetFilename"), "{out}");
    }

    #[test]
    fn category_sets_and_resets() {
        let mut harness = Harness::new();
        harness.run(":format csv");
        harness.run(":category lab/test");
        assert!(harness.take_err().contains("lab/test for every record"));
        harness.query("_sourceCategory=lab/test | count");
        assert_ne!(harness.take_out(), "_count\n0\n");

        harness.run(":category channel");
        assert!(harness
            .take_err()
            .contains("derived from each event's channel"));
        harness.query("_sourceCategory=lab/test | count");
        assert_eq!(harness.take_out(), "_count\n0\n");
    }

    #[test]
    fn raw_original_matches_no_anchor() {
        let mut harness = Harness::new();
        harness.run(":format csv");
        harness.run(":raw original");
        harness.run(&format!(":load {SHIPPED_QUERY}"));
        assert_eq!(
            harness.take_out(),
            "_sourceHost,Username,ChildImage,DetectionBranch,_count\n"
        );
        harness.run(":raw");
        assert_eq!(harness.take_err().lines().last(), Some("_raw: original"));
        harness.run(":raw canonical");
        harness.run(&format!(":load {SHIPPED_QUERY}"));
        assert!(harness
            .take_out()
            .contains("PackageInstallerDroppedExecutable"));
    }

    #[test]
    fn rows_limits_the_printed_rows() {
        let mut harness = Harness::new();
        harness.run(":format csv");
        harness.run(":rows 3");
        harness.query("* | fields EventRecordID");
        assert_eq!(harness.take_out().lines().count(), 4);
        assert!(harness.take_err().contains("more rows not shown (3 of"));
        harness.run(":rows all");
        harness.query("* | fields EventRecordID");
        assert!(harness.take_out().lines().count() > 4);
        assert_eq!(
            parse_command(":rows 0"),
            Err("invalid row count `0`; expected a positive number or `all`".into())
        );
    }

    #[test]
    fn prefixes_aliases_and_unknown_names() {
        assert_eq!(
            parse_command(":fo csv"),
            Ok(Command::Format(Some(OutputFormat::Csv)))
        );
        assert_eq!(parse_command(":FIELDS"), Ok(Command::Fields));
        assert_eq!(parse_command(":h"), Ok(Command::Help));
        assert_eq!(
            parse_command(":frobnicate"),
            Err("unknown command `:frobnicate`; `:help` lists the commands".into())
        );
        assert_eq!(
            parse_command(":f"),
            Err("ambiguous command `:f`: :format, :fields".into())
        );
        assert_eq!(
            parse_command(":fields x"),
            Err("`:fields` takes no arguments".into())
        );
        assert_eq!(
            parse_command(":load"),
            Err("missing file name; usage: :load FILE.sumo".into())
        );
    }

    #[test]
    fn arguments_split_with_quotes() {
        assert_eq!(
            split_arguments(r#":input "my logs/a b.xml" c\ d 'e f'"#).unwrap(),
            vec![":input", "my logs/a b.xml", "c d", "e f"]
        );
        assert!(split_arguments(":input \"open").is_err());
    }
}
