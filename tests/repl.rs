//! End-to-end tests of `sumoql repl`: the real binary in a pseudo-terminal,
//! driven as a person would, with pasted text, typed keys and Ctrl-C.

mod common;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use rexpect::spawn_with_options;

use common::{run_sumoql, shared_folder, SAMPLE_LOG, SHIPPED_QUERY};

const PROMPT: &str = "sumoql> ";

/// How long one expectation waits for the REPL's output before the test
/// fails. Generous because debug builds on a busy machine are slow; it
/// bounds a hung test, and no test measures time.
const EXPECT_TIMEOUT_MS: u64 = 120_000;

/// The status line printed after each result, such as `8 rows from 33 records in 0.01 s`.
const STATUS_LINE: &str = r"[\d,]+ rows from [\d,]+ records";

const BRACKETED_PASTE_START: &str = "\x1b[200~";
const BRACKETED_PASTE_END: &str = "\x1b[201~";
const ENTER: &str = "\r";
const UP: &str = "\x1b[A";
const TAB: &str = "\t";

/// Creates a folder of its own for each test, so history files do not mix.
fn test_folder(name: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("sumoql-repl-e2e-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&folder);
    fs::create_dir_all(&folder).unwrap();
    folder
}

/// Starts `sumoql repl ARGUMENTS` in a pseudo-terminal, with colour off,
/// the history in `history`, and waits for the first prompt. Escape
/// sequences are removed from what the tests read.
fn start_repl(arguments: &[&str], history: &Path) -> PtySession {
    start_repl_with(arguments, history, Terminal::Plain)
}

/// How the pseudo-terminal is set up and read.
#[derive(Clone, Copy, PartialEq)]
enum Terminal {
    /// `NO_COLOR=1`, escape sequences removed from the output.
    Plain,
    /// `NO_COLOR=1`, escape sequences kept.
    NoColorRaw,
    /// `NO_COLOR` unset, escape sequences kept.
    ColorRaw,
}

fn start_repl_with(arguments: &[&str], history: &Path, terminal: Terminal) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sumoql"));
    command
        .arg("repl")
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", "xterm")
        .env("SUMOQL_HISTORY", history);
    if terminal == Terminal::ColorRaw {
        command.env_remove("NO_COLOR");
    } else {
        command.env("NO_COLOR", "1");
    }
    let options = Options::new()
        .timeout_ms(Some(EXPECT_TIMEOUT_MS))
        .strip_ansi_escape_codes(terminal == Terminal::Plain);
    let mut session =
        spawn_with_options(command, options).expect("sumoql repl starts in a pseudo-terminal");
    session.exp_string(PROMPT).expect("first prompt");
    session
}

fn send(session: &mut PtySession, text: &str) {
    session.send(text).unwrap();
    session.flush().unwrap();
}

/// Pastes `text` as a terminal with bracketed paste does, then presses Enter.
fn paste_and_enter(session: &mut PtySession, text: &str) {
    send(
        session,
        &format!("{BRACKETED_PASTE_START}{text}{BRACKETED_PASTE_END}"),
    );
    send(session, ENTER);
}

/// Waits for the status line after a result and returns what came before
/// it, without carriage returns.
fn output_until_status(session: &mut PtySession) -> String {
    let (before, _) = session
        .exp_regex(STATUS_LINE)
        .expect("a result and its status line");
    before.replace('\r', "")
}

/// Leaves with Ctrl-D and checks the exit status.
fn quit_with_ctrl_d(session: &mut PtySession) {
    session.exp_string(PROMPT).expect("prompt before Ctrl-D");
    session.send_control('d').unwrap();
    session.exp_eof().expect("the REPL ends on Ctrl-D");
    let status = session.process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

fn run_table(arguments: &[&str]) -> String {
    let output = run_sumoql(arguments);
    assert_eq!(output.code(), 0, "stderr: {}", output.stderr);
    output.stdout
}

#[test]
fn pasted_shipped_query_prints_run_table() {
    let expected = run_table(&["run", SHIPPED_QUERY, SAMPLE_LOG]);
    let folder = test_folder("paste");
    let query =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_QUERY)).unwrap();

    let mut repl = start_repl(&[SAMPLE_LOG], &folder.join("history"));
    paste_and_enter(&mut repl, &query);
    let output = output_until_status(&mut repl);

    assert!(
        output.ends_with(&expected),
        "expected the table of `sumoql run`:\n{expected}\ngot:\n{output}"
    );
    assert_eq!(
        output.matches("_sourceHost ").count(),
        1,
        "the query ran more than once:\n{output}"
    );
    quit_with_ctrl_d(&mut repl);
}

#[test]
fn highlighting_follows_no_color() {
    const KEYWORD_STYLE: &str = "\x1b[1;34mwhere";
    const STRING_STYLE: &str = "\x1b[32m\"x\"";
    const BRACKETED_PASTE_ON: &str = "\x1b[?2004h";
    let folder = test_folder("colour");

    let mut coloured = start_repl_with(&[SAMPLE_LOG], &folder.join("history"), Terminal::ColorRaw);
    send(&mut coloured, "* | where a = \"x\"");
    coloured
        .exp_string(KEYWORD_STYLE)
        .expect("`where` in the keyword colour");
    coloured
        .exp_string(STRING_STYLE)
        .expect("the string in the string colour");
    send(&mut coloured, ENTER);
    coloured.exp_regex(STATUS_LINE).unwrap();
    quit_with_ctrl_d(&mut coloured);

    let mut plain = start_repl_with(&[SAMPLE_LOG], &folder.join("history"), Terminal::NoColorRaw);
    send(&mut plain, "* | where a = \"x\"");
    send(&mut plain, ENTER);
    let (typed, _) = plain.exp_regex(STATUS_LINE).unwrap();
    assert!(typed.contains("where a = \"x\""), "{typed:?}");
    assert!(!typed.contains(KEYWORD_STYLE), "{typed:?}");
    assert!(!typed.contains("\x1b[32m"), "{typed:?}");
    // rustyline turns on bracketed paste in the terminal before each prompt.
    let before_prompt = plain.exp_string(PROMPT).unwrap();
    assert!(
        before_prompt.contains(BRACKETED_PASTE_ON),
        "{before_prompt:?}"
    );
    plain.send_control('d').unwrap();
    plain.exp_eof().expect("the REPL ends on Ctrl-D");
}

#[test]
fn broken_query_shows_caret_then_good_query_runs() {
    let expected = run_table(&["run", "-e", "* | where EventID = 1 | count", SAMPLE_LOG]);
    let folder = test_folder("broken");
    let mut repl = start_repl(&[SAMPLE_LOG], &folder.join("history"));

    send(&mut repl, "* | wehre EventID = 1");
    send(&mut repl, ENTER);
    let diagnostic = repl.exp_string(PROMPT).unwrap().replace('\r', "");
    assert!(
        diagnostic.contains("error: unknown operator `wehre`"),
        "{diagnostic}"
    );
    assert!(diagnostic.contains(" --> <repl>:1:5"), "{diagnostic}");
    assert!(
        diagnostic.contains("1 | * | wehre EventID = 1\n  |     ^^^^^"),
        "{diagnostic}"
    );

    send(&mut repl, "* | where EventID = 1 | count");
    send(&mut repl, ENTER);
    let output = output_until_status(&mut repl);
    assert!(
        output.ends_with(&expected),
        "expected:\n{expected}\ngot:\n{output}"
    );
    quit_with_ctrl_d(&mut repl);
}

#[test]
fn query_typed_over_lines_runs_once_complete() {
    let expected = run_table(&["run", "-e", "* | where EventID = 1 | count", SAMPLE_LOG]);
    let folder = test_folder("lines");
    let mut repl = start_repl(&[SAMPLE_LOG], &folder.join("history"));

    // A trailing `|` and an open parenthesis keep the query open.
    send(&mut repl, "* |");
    send(&mut repl, ENTER);
    send(&mut repl, "where (EventID");
    send(&mut repl, ENTER);
    send(&mut repl, "= 1) | count");
    send(&mut repl, ENTER);
    let output = output_until_status(&mut repl);
    assert!(
        output.ends_with(&expected),
        "expected:\n{expected}\ngot:\n{output}"
    );
    quit_with_ctrl_d(&mut repl);
}

#[test]
fn history_recalls_multi_line_query_in_new_session() {
    let expected = run_table(&["run", SHIPPED_QUERY, SAMPLE_LOG]);
    let folder = test_folder("history");
    let history = folder.join("history");
    let query =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_QUERY)).unwrap();

    let mut first = start_repl(&[SAMPLE_LOG], &history);
    paste_and_enter(&mut first, &query);
    output_until_status(&mut first);
    first.exp_string(PROMPT).unwrap();
    send(&mut first, ":quit");
    send(&mut first, ENTER);
    first.exp_eof().expect("`:quit` ends the REPL");

    let saved = fs::read_to_string(&history).unwrap();
    let entries: Vec<&str> = saved.lines().filter(|line| *line != "#V2").collect();
    assert_eq!(
        entries.len(),
        2,
        "the query and `:quit`, one line each:\n{saved}"
    );
    assert!(entries[0].starts_with("// Branch 1:"), "{saved}");
    assert!(entries[0].ends_with("DetectionBranch"), "{saved}");

    let mut second = start_repl(&[SAMPLE_LOG], &history);
    // Up twice: past `:quit` to the query.
    send(&mut second, UP);
    send(&mut second, UP);
    send(&mut second, ENTER);
    let output = output_until_status(&mut second);
    assert!(
        output.ends_with(&expected),
        "expected:\n{expected}\ngot:\n{output}"
    );
    quit_with_ctrl_d(&mut second);
}

#[test]
fn tab_completes_operator_and_command() {
    let expected = run_table(&["run", "-e", "* | count by EventID", SAMPLE_LOG]);
    let folder = test_folder("complete");
    let mut repl = start_repl(&[SAMPLE_LOG], &folder.join("history"));

    // `coun` completes to `count`, the longest prefix of `count` and `count_distinct`.
    send(&mut repl, "* | coun");
    send(&mut repl, TAB);
    send(&mut repl, " by EventI");
    send(&mut repl, TAB);
    send(&mut repl, ENTER);
    let output = output_until_status(&mut repl);
    assert!(
        output.ends_with(&expected),
        "expected:\n{expected}\ngot:\n{output}"
    );

    repl.exp_string(PROMPT).unwrap();
    send(&mut repl, ":fie");
    send(&mut repl, TAB);
    send(&mut repl, ENTER);
    let fields = repl
        .exp_string("records; EventData values are not fields")
        .unwrap();
    assert!(fields.contains("EventID"), "{fields}");
    assert!(fields.contains("TargetFilename"), "{fields}");
    quit_with_ctrl_d(&mut repl);
}

/// Writes the sample log into a named pipe over and over, so a query that
/// reads the pipe runs until it is cancelled. Stops when the reader closes
/// the pipe, when `stop` is raised, or after a bounded number of copies
/// and time. Sends on `started` once the reader has opened the pipe.
fn feed_pipe_endlessly(
    pipe: PathBuf,
    stop: Arc<AtomicBool>,
    started: mpsc::Sender<()>,
) -> std::thread::JoinHandle<()> {
    const MAX_COPIES: usize = 100_000;
    const MAX_DURATION: Duration = Duration::from_secs(300);

    let sample = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_LOG)).unwrap();
    std::thread::spawn(move || {
        let began = Instant::now();
        // Opening a pipe for writing waits until the reader opens it.
        let mut writer = File::create(&pipe).unwrap();
        let _ = started.send(());
        for _ in 0..MAX_COPIES {
            if stop.load(Ordering::SeqCst) || began.elapsed() > MAX_DURATION {
                break;
            }
            // A closed reader makes the write fail with a broken pipe.
            if writer.write_all(&sample).is_err() {
                break;
            }
        }
    })
}

#[test]
fn ctrl_c_cancels_query_not_repl() {
    let folder = test_folder("cancel");
    let pipe = folder.join("events.pipe");
    let made = Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());

    // The REPL reads its inputs once when it starts: give it one copy.
    let sample = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_LOG)).unwrap();
    let first_copy = {
        let pipe = pipe.clone();
        std::thread::spawn(move || File::create(&pipe).unwrap().write_all(&sample).unwrap())
    };
    let pipe_argument = pipe.to_str().unwrap().to_string();
    // With no memory for records, every query reads the pipe again.
    let mut repl = start_repl(
        &["--memory-limit", "0", &pipe_argument],
        &folder.join("history"),
    );
    first_copy.join().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let (started_sender, started) = mpsc::channel();
    let feeder = feed_pipe_endlessly(pipe.clone(), Arc::clone(&stop), started_sender);
    send(&mut repl, "* | count");
    send(&mut repl, ENTER);
    started
        .recv_timeout(Duration::from_millis(EXPECT_TIMEOUT_MS))
        .expect("the query opens the pipe");
    repl.send_control('c').unwrap();

    let cancelled = repl.exp_string(PROMPT);
    stop.store(true, Ordering::SeqCst);
    feeder.join().unwrap();
    let cancelled = cancelled.expect("prompt after Ctrl-C").replace('\r', "");
    assert!(cancelled.contains("query cancelled after"), "{cancelled}");
    assert!(
        !cancelled.contains("_count"),
        "a cancelled query prints no table:\n{cancelled}"
    );

    // The session goes on.
    send(&mut repl, &format!(":input {SAMPLE_LOG}"));
    send(&mut repl, ENTER);
    repl.exp_string(PROMPT).unwrap();
    send(&mut repl, "* | count");
    send(&mut repl, ENTER);
    let output = output_until_status(&mut repl);
    assert!(output.ends_with("_count\n------\n    33\n"), "{output}");
    quit_with_ctrl_d(&mut repl);
}

#[test]
fn shared_evtx_folder_matches_run() {
    let Some(shared) = shared_folder() else {
        return;
    };
    let evtx = shared.join("data/sysmon/evtx");
    if !evtx.is_dir() {
        eprintln!("skipping: {} not found", evtx.display());
        return;
    }
    let evtx = evtx.to_str().unwrap().to_string();
    let expected = run_table(&["run", SHIPPED_QUERY, &evtx]);
    let folder = test_folder("shared");
    let query =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_QUERY)).unwrap();

    let mut repl = start_repl(&[&evtx], &folder.join("history"));
    paste_and_enter(&mut repl, &query);
    let output = output_until_status(&mut repl);
    assert!(
        output.ends_with(&expected),
        "expected:\n{expected}\ngot:\n{output}"
    );
    quit_with_ctrl_d(&mut repl);
}

#[test]
fn max_groups_limits_repl_queries() {
    let folder = test_folder("max-groups");
    let mut repl = start_repl(&["--max-groups", "3", SAMPLE_LOG], &folder.join("history"));

    send(&mut repl, "* | count by EventRecordID");
    send(&mut repl, ENTER);
    let diagnostic = repl.exp_string(PROMPT).unwrap().replace('\r', "");
    assert!(
        diagnostic.contains("error: this stage holds more than 3 groups, the maximum allowed"),
        "{diagnostic}"
    );
    assert!(
        diagnostic.contains("raise the limit with --max-groups N"),
        "{diagnostic}"
    );

    // One group stays within the limit.
    send(&mut repl, "* | count");
    send(&mut repl, ENTER);
    let output = output_until_status(&mut repl);
    assert!(output.contains("_count"), "{output}");
    quit_with_ctrl_d(&mut repl);
}
