//! `sumoql test`: snapshot tests for detections.
//!
//! A case is a folder `NAME.tests/CASE/` next to the query `NAME.sumo`,
//! holding the input logs (`logs/`), optional settings (`case.toml`) and the
//! accepted result (`expected.snapshot`). `sumoql test` runs every case,
//! compares the result with the snapshot and shows what changed; a changed
//! or new result is written beside it as `expected.snapshot.new` and is
//! accepted only by `--accept` or `--review`.

/// Prints a line of the report on standard output. A closed pipe
/// (`sumoql test | head`) is no reason to stop: the cases still run and
/// the exit status still tells.
macro_rules! say {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($argument)*);
    }};
}

/// Prints part of a line, as `say!` does a line.
macro_rules! say_part {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($argument)*);
    }};
}

mod case;
mod diff;
mod discover;
mod init;
mod junit;
mod snapshot;
mod style;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use sumoql_engine::Plan;
use sumoql_syntax::Diagnostic;

use self::case::{render_group_limit, run_case, Settings, PENDING_FILE, SNAPSHOT_FILE};
use self::diff::Diff;
use self::discover::{discover, Case};
use self::junit::{ReportCase, Verdict};
use self::snapshot::Snapshot;
use self::style::Style;
use crate::{RawArgument, EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

#[derive(Args)]
pub struct TestArgs {
    /// Query files (NAME.sumo), cases folders (NAME.tests), case folders
    /// (NAME.tests/CASE), folders to search, or case names (NAME/CASE);
    /// `queries` when none is given. With --init: the query file, then the logs.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Store the current result as the expected snapshot of every selected
    /// case whose result changed or is new.
    #[arg(long, conflicts_with_all = ["review", "init"])]
    accept: bool,

    /// Show each changed or new result and ask, on standard input, whether to
    /// accept it (y), discard it (n) or keep it pending (s).
    #[arg(long, conflicts_with = "init")]
    review: bool,

    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "init")]
    junit: Option<PathBuf>,

    /// Create a case from logs: `--init QUERY_FILE LOG...` copies the logs
    /// into a new case folder and stores the current result as its snapshot.
    #[arg(long)]
    init: bool,

    /// With --init: the case's folder name (default: the first log's file name).
    #[arg(long, value_name = "CASE", requires = "init")]
    name: Option<String>,

    /// With --init: `_sourceCategory` of every record, stored in the case's settings.
    #[arg(long, value_name = "CATEGORY", requires = "init")]
    category: Option<String>,

    /// With --init: what `_raw` holds, stored in the case's settings.
    #[arg(long, value_enum, requires = "init")]
    raw: Option<RawArgument>,

    #[command(flatten)]
    group_limit: crate::run::GroupLimitArgs,
}

/// Runs `sumoql test` and returns the process exit status.
pub fn test(arguments: TestArgs) -> u8 {
    let style = Style::for_stdout();
    if arguments.init {
        let mut paths = arguments.paths.into_iter();
        let Some(query) = paths.next() else {
            eprintln!(
                "sumoql: error: --init needs a query file and logs: `sumoql test --init queries/NAME.sumo LOG...`"
            );
            return EXIT_QUERY_OR_USAGE;
        };
        let request = init::InitRequest {
            query,
            logs: paths.collect(),
            name: arguments.name,
            category: arguments.category,
            raw: match arguments.raw {
                Some(RawArgument::Original) => case::RawSetting::Original,
                Some(RawArgument::Canonical) | None => case::RawSetting::Canonical,
            },
            max_groups: arguments.group_limit.max_groups,
        };
        return init::init(request, style);
    }

    let found = match discover(&arguments.paths) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    if found.cases.is_empty() {
        let searched = if arguments.paths.is_empty() {
            discover::DEFAULT_ROOT.to_string()
        } else {
            arguments
                .paths
                .iter()
                .map(|path| display(path))
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!(
            "sumoql: error: no test cases found in {searched}; cases live in NAME.tests/CASE/ next to \
             NAME.sumo (create one with `sumoql test --init queries/NAME.sumo LOG...`)"
        );
        return EXIT_QUERY_OR_USAGE;
    }

    let mode = if arguments.accept {
        Mode::Accept
    } else if arguments.review {
        Mode::Review
    } else {
        Mode::Check
    };
    let mut session = Session {
        style,
        mode,
        plans: BTreeMap::new(),
        outcomes: Vec::new(),
        max_groups: arguments.group_limit.max_groups,
    };
    session.run_all(found.cases);

    if mode == Mode::Review {
        session.review(&mut io::stdin().lock());
    }
    session.print_failures();
    for query in &found.untested {
        say!(
            "note: {} has no test cases; create one with `sumoql test --init {} LOG...`",
            display(query),
            display(query)
        );
    }
    session.print_hints(&arguments.paths);

    let mut status = session.status();
    if let Some(path) = &arguments.junit {
        if let Err(error) = session.write_junit(path) {
            eprintln!(
                "sumoql: error: failed to write the JUnit report {}: {error}",
                display(path)
            );
            status = EXIT_INPUT;
        }
    }
    status
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Compare, and leave changed results pending.
    Check,
    /// Compare, and accept changed results.
    Accept,
    /// Compare, then ask about each changed result.
    Review,
}

/// A query that could not be used.
pub enum QueryFailure {
    Unreadable(String),
    Invalid {
        name: String,
        text: String,
        diagnostics: Vec<Diagnostic>,
    },
}

impl QueryFailure {
    fn summary(&self) -> &'static str {
        match self {
            QueryFailure::Unreadable(_) => "query file unreadable",
            QueryFailure::Invalid { .. } => "query does not compile",
        }
    }

    /// The error message or the query's diagnostics, ending in a newline.
    fn render(&self, color: bool) -> String {
        match self {
            QueryFailure::Unreadable(message) => format!("{message}\n"),
            QueryFailure::Invalid {
                name,
                text,
                diagnostics,
            } => diagnostics
                .iter()
                .map(|diagnostic| diagnostic.render(name, text, color))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Reads, parses and compiles a query file, with `max_groups` as its group limit.
pub fn compile_query_file(path: &Path, max_groups: usize) -> Result<Plan, QueryFailure> {
    let text = fs::read_to_string(path).map_err(|error| {
        QueryFailure::Unreadable(format!(
            "failed to read query file {}: {error}",
            display(path)
        ))
    })?;
    let mut plan =
        crate::run::compile_query(&text).map_err(|diagnostics| QueryFailure::Invalid {
            name: display(path),
            text,
            diagnostics,
        })?;
    plan.set_max_groups(max_groups);
    Ok(plan)
}

/// A path as the report shows it.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

/// How a case ended.
enum Status {
    Passed,
    /// The result changed or was new and has been stored as the snapshot.
    Accepted {
        diff: Option<Diff>,
    },
    /// The result changed (`diff`) or there was no snapshot (`None`); the
    /// result waits in the pending file, or was discarded in review.
    Changed {
        diff: Option<Diff>,
        discarded: bool,
    },
    Query(QueryFailure),
    /// The case's settings could not be used.
    InvalidCase(String),
    Unreadable(Vec<String>),
    /// A stage passed the group limit, so the run stopped without a result; the
    /// rendered error.
    GroupLimit(String),
}

struct Outcome {
    case: Case,
    description: Option<String>,
    status: Status,
    /// The current result, when the case ran.
    actual: Option<Snapshot>,
    elapsed: Duration,
}

impl Outcome {
    fn passed(&self) -> bool {
        matches!(self.status, Status::Passed | Status::Accepted { .. })
    }

    fn snapshot_path(&self) -> PathBuf {
        self.case.dir.join(SNAPSHOT_FILE)
    }

    fn pending_path(&self) -> PathBuf {
        self.case.dir.join(PENDING_FILE)
    }

    /// What the status line says after the case name.
    fn verdict(&self, style: Style) -> String {
        match &self.status {
            Status::Passed => style.green("ok"),
            Status::Accepted { diff: None } => style.yellow("accepted (new snapshot)"),
            Status::Accepted { diff: Some(diff) } => {
                style.yellow(&format!("accepted ({})", diff.summary()))
            }
            Status::Changed { diff: None, .. } => {
                style.red("FAILED (new result, no accepted snapshot yet)")
            }
            Status::Changed {
                diff: Some(diff), ..
            } => style.red(&format!("FAILED ({})", diff.summary())),
            Status::Query(failure) => style.red(&format!("FAILED ({})", failure.summary())),
            Status::InvalidCase(_) => style.red("FAILED (invalid case)"),
            Status::Unreadable(_) => style.red("ERROR (unreadable input)"),
            Status::GroupLimit(_) => style.red("ERROR (group limit exceeded)"),
        }
    }

    /// The explanation of a failure or an acceptance, for people.
    fn details(&self, style: Style, query_shown: bool) -> String {
        let mut out = String::new();
        if let Some(description) = &self.description {
            out.push_str(&format!("case:     {description}\n"));
        }
        out.push_str(&format!("query:    {}\n", display(&self.case.query)));
        match &self.status {
            Status::Passed => {}
            Status::Accepted { diff } => {
                out.push_str(&format!(
                    "snapshot: {} (written)\n",
                    display(&self.snapshot_path())
                ));
                match diff {
                    Some(diff) => {
                        out.push_str("accepted these changes:\n");
                        out.push_str(&diff.render(style));
                    }
                    None => out.push_str(&self.result_table()),
                }
            }
            Status::Changed { diff, discarded } => {
                match diff {
                    Some(diff) => {
                        out.push_str(&format!("snapshot: {}\n", display(&self.snapshot_path())));
                        out.push_str(&format!(
                            "the result differs from the snapshot: {}\n",
                            diff.summary()
                        ));
                        out.push_str(&diff.render(style));
                    }
                    None => {
                        out.push_str(&format!(
                            "snapshot: none yet ({} is missing); the current result:\n",
                            display(&self.snapshot_path())
                        ));
                        out.push_str(&self.result_table());
                    }
                }
                if *discarded {
                    out.push_str("the new result was discarded; the snapshot is unchanged\n");
                } else {
                    out.push_str(&format!("pending:  {}\n", display(&self.pending_path())));
                }
            }
            Status::Query(failure) => {
                if query_shown {
                    out.push_str(&format!("{} (see above)\n", failure.summary()));
                } else {
                    out.push_str(&failure.render(style.is_colored()));
                }
            }
            Status::InvalidCase(message) => out.push_str(&format!("{message}\n")),
            Status::Unreadable(messages) => {
                for message in messages {
                    out.push_str(&format!("error: {message}\n"));
                }
            }
            Status::GroupLimit(rendered) => out.push_str(rendered),
        }
        out
    }

    /// The result's header and rows, indented.
    fn result_table(&self) -> String {
        let Some(actual) = &self.actual else {
            return String::new();
        };
        let rendered = actual.render();
        rendered
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                if line.is_empty() {
                    "\n".to_string()
                } else {
                    format!("  {line}\n")
                }
            })
            .collect()
    }

    fn report_case(&self) -> ReportCase {
        let verdict = if self.passed() {
            Verdict::Passed
        } else {
            let message = strip_style(&self.verdict(Style::plain()));
            let details = self.details(Style::plain(), false);
            match self.status {
                Status::Unreadable(_) | Status::GroupLimit(_) => {
                    Verdict::Error { message, details }
                }
                _ => Verdict::Failure { message, details },
            }
        };
        ReportCase {
            suite: display(&self.case.query),
            name: self.case.name().to_string(),
            file: display(&self.case.dir),
            elapsed: self.elapsed,
            verdict,
        }
    }
}

/// `FAILED (1 row removed)` → `1 row removed`, for the JUnit message.
fn strip_style(verdict: &str) -> String {
    match verdict.split_once(" (") {
        Some((_, rest)) => rest.trim_end_matches(')').to_string(),
        None => verdict.to_string(),
    }
}

struct Session {
    style: Style,
    mode: Mode,
    plans: BTreeMap<PathBuf, Result<Plan, QueryFailure>>,
    outcomes: Vec<Outcome>,
    /// The group limit of every query, from `--max-groups`.
    max_groups: usize,
}

impl Session {
    fn run_all(&mut self, cases: Vec<Case>) {
        let queries: HashSet<&PathBuf> = cases.iter().map(|case| &case.query).collect();
        say!(
            "running {} {} of {} {}",
            cases.len(),
            if cases.len() == 1 { "case" } else { "cases" },
            queries.len(),
            if queries.len() == 1 {
                "query"
            } else {
                "queries"
            }
        );
        for case in cases {
            let outcome = self.run_one(case);
            say!(
                "test {} ... {}",
                outcome.case.id,
                outcome.verdict(self.style)
            );
            self.outcomes.push(outcome);
        }
    }

    fn run_one(&mut self, case: Case) -> Outcome {
        let started = Instant::now();
        let mut outcome = Outcome {
            description: None,
            status: Status::Passed,
            actual: None,
            elapsed: Duration::ZERO,
            case,
        };
        let case = &outcome.case;
        let settings = Settings::load(&case.dir);
        outcome.description = settings
            .as_ref()
            .ok()
            .and_then(|settings| settings.description.clone());
        let plan = self
            .plans
            .entry(case.query.clone())
            .or_insert_with(|| compile_query_file(&case.query, self.max_groups));

        outcome.status = match (plan, settings) {
            (Err(failure), _) => Status::Query(clone_failure(failure)),
            (_, Err(message)) => Status::InvalidCase(message),
            (Ok(plan), Ok(settings)) => {
                let query_file_name = case
                    .query
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let result = run_case(plan, &query_file_name, &case.dir, &settings);
                if !result.unreadable.is_empty() {
                    Status::Unreadable(result.unreadable)
                } else if let Some(exceeded) = &result.group_limit {
                    let color = self.style.is_colored();
                    Status::GroupLimit(render_group_limit(exceeded, &case.query, color))
                } else {
                    let status = compare(&outcome.case, &result.snapshot, self.mode);
                    outcome.actual = Some(result.snapshot);
                    status
                }
            }
        };
        if !matches!(outcome.status, Status::Changed { .. }) {
            remove_if_present(&outcome.pending_path());
        }
        outcome.elapsed = started.elapsed();
        outcome
    }

    /// Asks about each pending result, reading answers from `answers`.
    fn review(&mut self, answers: &mut dyn BufRead) {
        let style = self.style;
        let pending: Vec<usize> = (0..self.outcomes.len())
            .filter(|index| {
                matches!(
                    self.outcomes[*index].status,
                    Status::Changed {
                        discarded: false,
                        ..
                    }
                )
            })
            .collect();
        if pending.is_empty() {
            return;
        }
        say!();
        say!(
            "{}",
            style.bold(&format!(
                "review: {} changed or new {}",
                pending.len(),
                if pending.len() == 1 {
                    "result"
                } else {
                    "results"
                }
            ))
        );
        let (mut accepted, mut discarded, mut kept) = (0, 0, 0);
        let mut answers_ended = false;
        for (position, index) in pending.iter().enumerate() {
            let outcome = &mut self.outcomes[*index];
            say!();
            say!(
                "{}",
                style.bold(&format!(
                    "---- {} ({}/{}) ----",
                    outcome.case.id,
                    position + 1,
                    pending.len()
                ))
            );
            say_part!("{}", outcome.details(style, false));
            let answer = if answers_ended { None } else { ask(answers) };
            let Status::Changed { diff, .. } = &mut outcome.status else {
                continue;
            };
            match answer {
                Some(Answer::Yes) => {
                    match write_snapshot(outcome.case.dir.as_path(), outcome.actual.as_ref()) {
                        Ok(()) => {
                            say!("{}", style.green("accepted"));
                            outcome.status = Status::Accepted { diff: diff.take() };
                            accepted += 1;
                        }
                        Err(message) => {
                            say!("{}", style.red(&format!("not accepted: {message}")));
                            kept += 1;
                        }
                    }
                }
                Some(Answer::No) => {
                    remove_if_present(&outcome.case.dir.join(PENDING_FILE));
                    say!("{}", style.red("discarded"));
                    outcome.status = Status::Changed {
                        diff: diff.take(),
                        discarded: true,
                    };
                    discarded += 1;
                }
                Some(Answer::Skip) => {
                    say!("kept pending");
                    kept += 1;
                }
                None => {
                    if !answers_ended {
                        say!("kept pending, as are the rest");
                    }
                    answers_ended = true;
                    kept += 1;
                }
            }
        }
        say!();
        say!("review: {accepted} accepted, {discarded} discarded, {kept} kept pending");
    }

    fn print_failures(&self) {
        // In review the changed results were already shown.
        let shown: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|outcome| !matches!(outcome.status, Status::Passed))
            .filter(|outcome| {
                self.mode != Mode::Review
                    || !matches!(
                        outcome.status,
                        Status::Changed { .. } | Status::Accepted { .. }
                    )
            })
            .collect();
        if shown.is_empty() {
            return;
        }
        let failures = shown.iter().any(|outcome| !outcome.passed());
        say!();
        say!("{}", if failures { "failures:" } else { "accepted:" });
        let mut queries_shown = HashSet::new();
        for outcome in shown {
            say!();
            say!(
                "{}",
                self.style.bold(&format!("---- {} ----", outcome.case.id))
            );
            let query_shown = matches!(outcome.status, Status::Query(_))
                && !queries_shown.insert(&outcome.case.query);
            say_part!("{}", outcome.details(self.style, query_shown));
        }
    }

    fn print_hints(&self, paths: &[PathBuf]) {
        let pending = self
            .outcomes
            .iter()
            .filter(|outcome| {
                matches!(
                    outcome.status,
                    Status::Changed {
                        discarded: false,
                        ..
                    }
                )
            })
            .count();
        let passed = self
            .outcomes
            .iter()
            .filter(|outcome| outcome.passed())
            .count();
        let failed = self.outcomes.len() - passed;
        say!();
        if pending > 0 {
            let shown_paths: String = paths
                .iter()
                .map(|path| format!(" {}", display(path)))
                .collect();
            say!(
                "{pending} {} pending: review {} with `sumoql test --review{shown_paths}`, or accept all with \
                 `sumoql test --accept{shown_paths}` (name a case folder or NAME/CASE to accept one)",
                if pending == 1 { "result is" } else { "results are" },
                if pending == 1 { "it" } else { "them" },
            );
        }
        let closing = format!("sumoql: {passed} passed, {failed} failed");
        say!(
            "{}",
            if failed > 0 {
                self.style.red(&closing)
            } else {
                self.style.green(&closing)
            }
        );
    }

    fn status(&self) -> u8 {
        if self.outcomes.iter().any(|outcome| {
            matches!(
                outcome.status,
                Status::Unreadable(_) | Status::GroupLimit(_)
            )
        }) {
            EXIT_INPUT
        } else if self.outcomes.iter().all(Outcome::passed) {
            EXIT_SUCCESS
        } else {
            EXIT_QUERY_OR_USAGE
        }
    }

    fn write_junit(&self, path: &Path) -> io::Result<()> {
        let mut cases: Vec<&Outcome> = self.outcomes.iter().collect();
        // Cases of one query side by side, in their run order otherwise.
        cases.sort_by(|left, right| left.case.query.cmp(&right.case.query));
        let report: Vec<ReportCase> = cases.iter().map(|outcome| outcome.report_case()).collect();
        let text = junit::render(&report)?;
        let mut file = fs::File::create(path)?;
        file.write_all(text.as_bytes())
    }
}

/// Compares a case's result with its snapshot and stores or leaves the new
/// result as the mode says.
fn compare(case: &Case, actual: &Snapshot, mode: Mode) -> Status {
    let snapshot_path = case.dir.join(SNAPSHOT_FILE);
    let diff = match fs::read_to_string(&snapshot_path) {
        Ok(stored) => match Diff::compute(&stored, actual) {
            None => return Status::Passed,
            Some(diff) => Some(diff),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => {
            return Status::InvalidCase(format!(
                "failed to read {}: {error}",
                display(&snapshot_path)
            ))
        }
    };
    if mode == Mode::Accept {
        return match write_snapshot(&case.dir, Some(actual)) {
            Ok(()) => Status::Accepted { diff },
            Err(message) => Status::InvalidCase(message),
        };
    }
    let pending = case.dir.join(PENDING_FILE);
    if let Err(error) = fs::write(&pending, actual.render()) {
        return Status::InvalidCase(format!("failed to write {}: {error}", display(&pending)));
    }
    Status::Changed {
        diff,
        discarded: false,
    }
}

/// Stores the result as the accepted snapshot and drops the pending file.
fn write_snapshot(dir: &Path, actual: Option<&Snapshot>) -> Result<(), String> {
    let Some(actual) = actual else {
        return Err("no result to store".to_string());
    };
    let path = dir.join(SNAPSHOT_FILE);
    fs::write(&path, actual.render())
        .map_err(|error| format!("failed to write {}: {error}", display(&path)))?;
    remove_if_present(&dir.join(PENDING_FILE));
    Ok(())
}

fn remove_if_present(path: &Path) {
    if path.exists() {
        let _ = fs::remove_file(path);
    }
}

fn clone_failure(failure: &QueryFailure) -> QueryFailure {
    match failure {
        QueryFailure::Unreadable(message) => QueryFailure::Unreadable(message.clone()),
        QueryFailure::Invalid {
            name,
            text,
            diagnostics,
        } => QueryFailure::Invalid {
            name: name.clone(),
            text: text.clone(),
            diagnostics: diagnostics.clone(),
        },
    }
}

enum Answer {
    Yes,
    No,
    Skip,
}

/// Asks whether to accept a result until the answer is understood; `None`
/// for `q` and at the end of the answers.
fn ask(answers: &mut dyn BufRead) -> Option<Answer> {
    loop {
        say_part!(
            "accept this result? [y]es, [n]o: discard it, [s]kip: keep it pending, [q]uit > "
        );
        let _ = io::stdout().flush();
        let mut line = String::new();
        match answers.read_line(&mut line) {
            Ok(0) | Err(_) => {
                say!();
                return None;
            }
            Ok(_) => {}
        }
        if !io::stdin().is_terminal() {
            // Piped answers are not echoed by a terminal; show them in the transcript.
            say!("{}", line.trim());
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" | "a" | "accept" => return Some(Answer::Yes),
            "n" | "no" | "r" | "reject" | "d" | "discard" => return Some(Answer::No),
            "s" | "skip" => return Some(Answer::Skip),
            "q" | "quit" => return None,
            other => say!("please answer y, n, s, or q to keep the rest pending (not `{other}`)"),
        }
    }
}
