//! The state of a REPL session: the settings, the inputs and the records
//! read from them, the fields they hold, and the last query.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use sumoql_engine::{Execution, GroupLimitExceeded, Plan, ResultTable, Value};
use sumoql_input::{Inputs, Item, RawMode, ReadOptions, Record, SYSTEM_FIELDS};

use super::vocabulary::METADATA_FIELDS;
use crate::output::{escape_controls, write_table, OutputFormat};
use crate::run::{compile_query, EngineRecord};

/// Result rows printed after a query unless `--rows` or `:rows` sets another number.
pub const DEFAULT_ROW_LIMIT: usize = 50;

/// Memory the kept records may take unless `--memory-limit` sets another size: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// Malformed records reported one by one while reading; later ones are only counted.
const MALFORMED_REPORTS: u64 = 3;

/// The destinations of output: query results go to `out` (standard output),
/// messages and diagnostics to `err` (standard error).
pub struct Console<'w> {
    pub out: &'w mut dyn Write,
    pub err: &'w mut dyn Write,
    /// Whether diagnostics are drawn in colour.
    pub color: bool,
}

impl Console<'_> {
    /// Writes one line to `err`. A terminal that cannot be written to has no
    /// one to tell, so write errors are ignored.
    pub fn message(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{text}");
        let _ = self.err.flush();
    }
}

/// The settings the `:` commands change.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: OutputFormat,
    /// `_sourceCategory` of every record; `None` derives it from the channel.
    pub category: Option<String>,
    pub raw: RawMode,
    /// Result rows to print; `None` prints every row.
    pub row_limit: Option<usize>,
    /// Bytes of estimated record memory up to which records are kept between
    /// queries (see [`estimated_size`]).
    pub memory_limit: u64,
    /// The group limit of every query, from `--max-groups`.
    pub max_groups: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            format: OutputFormat::Table,
            category: None,
            raw: RawMode::Canonical,
            row_limit: Some(DEFAULT_ROW_LIMIT),
            memory_limit: DEFAULT_MEMORY_LIMIT,
            max_groups: sumoql_engine::DEFAULT_MAX_GROUPS,
        }
    }
}

/// The source of the records for the next query.
enum Records {
    /// Read once and kept, because they fit in the memory limit.
    InMemory(Vec<Record>),
    /// Read from the inputs again for every query: they exceed the memory
    /// limit, or reading them was cancelled.
    FromDisk,
}

/// The origin of a field of the input, for `:fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldSource {
    Metadata,
    System,
    EventData,
}

impl FieldSource {
    fn describe(self) -> &'static str {
        match self {
            FieldSource::Metadata => "metadata",
            FieldSource::System => "System",
            FieldSource::EventData => "EventData",
        }
    }
}

#[derive(Debug, Clone)]
struct FieldCount {
    /// The spelling of the first record that had the field.
    name: String,
    source: FieldSource,
    records: u64,
}

/// The fields the input contains and how many records have each, like Sumo's
/// field browser.
#[derive(Debug, Clone, Default)]
pub struct FieldCatalog {
    records: u64,
    /// Keyed by lower-case name, because field names are case-insensitive.
    fields: BTreeMap<String, FieldCount>,
}

impl FieldCatalog {
    fn count(&mut self, record: &Record) {
        self.records += 1;
        for name in METADATA_FIELDS {
            // Every record has `_raw`, and asking for it would render the canonical text.
            if name == "_raw" || record.field(name).is_some() {
                self.add(name, FieldSource::Metadata);
            }
        }
        for (name, _) in &record.event.system {
            self.add(name, FieldSource::System);
        }
        for (name, _) in &record.event.data {
            self.add(name, FieldSource::EventData);
        }
    }

    fn add(&mut self, name: &str, source: FieldSource) {
        let entry = self
            .fields
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| FieldCount {
                name: name.to_string(),
                source,
                records: 0,
            });
        entry.records += 1;
    }

    /// Returns the field names of the input, for completion.
    pub fn names(&self) -> Vec<String> {
        self.fields
            .values()
            .map(|field| field.name.clone())
            .collect()
    }

    /// Returns the fields in the order `:fields` lists them: metadata, then
    /// System fields in the order events store them, then event data fields
    /// by how many records have them.
    fn ordered(&self) -> Vec<&FieldCount> {
        let position = |field: &FieldCount| -> usize {
            let list: &[&str] = match field.source {
                FieldSource::Metadata => &METADATA_FIELDS,
                FieldSource::System => &SYSTEM_FIELDS,
                FieldSource::EventData => &[],
            };
            list.iter()
                .position(|name| name.eq_ignore_ascii_case(&field.name))
                .unwrap_or(usize::MAX)
        };
        let mut fields: Vec<&FieldCount> = self.fields.values().collect();
        fields.sort_by(|left, right| {
            (
                left.source,
                position(left),
                std::cmp::Reverse(left.records),
                &left.name,
            )
                .cmp(&(
                    right.source,
                    position(right),
                    std::cmp::Reverse(right.records),
                    &right.name,
                ))
        });
        fields
    }
}

/// Counts of what one pass over the inputs read and skipped.
#[derive(Debug, Default)]
struct ReadCounts {
    records: u64,
    malformed: u64,
    unreadable: u64,
}

impl ReadCounts {
    fn describe_skipped(&self) -> String {
        let mut text = String::new();
        if self.malformed > 0 {
            text.push_str(&format!(
                ", {} skipped as malformed",
                group_digits(self.malformed)
            ));
        }
        if self.unreadable > 0 {
            text.push_str(&format!(
                ", {} inputs unreadable",
                group_digits(self.unreadable)
            ));
        }
        text
    }

    /// Counts a stream item that is not a record and reports it, the first
    /// few malformed records one by one.
    fn report(
        &mut self,
        item: Result<Item, sumoql_input::ReadError>,
        console: &mut Console,
    ) -> Option<Record> {
        match item {
            Ok(Item::Record(record)) => {
                self.records += 1;
                return Some(record);
            }
            Ok(Item::Malformed(malformed)) => {
                self.malformed += 1;
                if self.malformed <= MALFORMED_REPORTS {
                    console.message(escape_controls(&format!(
                        "warning: skipped malformed record in {malformed}"
                    )));
                }
            }
            Err(error) => {
                self.unreadable += 1;
                console.message(escape_controls(&format!("error: {error}")));
            }
        }
        None
    }
}

/// The end of a query run.
#[derive(Debug, PartialEq, Eq)]
pub enum QueryOutcome {
    /// The result was printed.
    Printed {
        rows: usize,
    },
    /// The query has errors; their diagnostics were printed.
    Invalid,
    NoInput,
    /// Ctrl-C stopped the run after this many records.
    Cancelled {
        records: u64,
    },
    /// A stage passed the group limit; its diagnostic was printed.
    GroupLimitExceeded,
}

/// The reason a query run stopped without a result.
#[derive(Debug)]
enum Stopped {
    /// Ctrl-C, after this many records.
    Cancelled(u64),
    GroupLimitExceeded(GroupLimitExceeded),
}

pub struct Session {
    pub settings: Settings,
    inputs: Vec<PathBuf>,
    records: Records,
    catalog: FieldCatalog,
    last_query: Option<String>,
    /// Set by the SIGINT handler; checked between records.
    cancel: Arc<AtomicBool>,
}

impl Session {
    pub fn new(settings: Settings, cancel: Arc<AtomicBool>) -> Session {
        Session {
            settings,
            inputs: Vec::new(),
            records: Records::InMemory(Vec::new()),
            catalog: FieldCatalog::default(),
            last_query: None,
            cancel,
        }
    }

    pub fn inputs(&self) -> &[PathBuf] {
        &self.inputs
    }

    pub fn catalog(&self) -> &FieldCatalog {
        &self.catalog
    }

    pub fn last_query(&self) -> Option<&str> {
        self.last_query.as_deref()
    }

    /// Returns whether queries read the records from memory (`true`) or from disk.
    pub fn keeps_records(&self) -> bool {
        matches!(self.records, Records::InMemory(_))
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            category: self.settings.category.clone(),
            raw: self.settings.raw,
            ..ReadOptions::default()
        }
    }

    /// Replaces the inputs and reads them once: to count their fields, and
    /// to keep their records for the next queries when they fit in the
    /// memory limit. Ctrl-C stops the reading; queries then read from disk.
    pub fn set_inputs(&mut self, paths: Vec<PathBuf>, console: &mut Console) {
        if paths.iter().any(|path| path.as_os_str() == "-") {
            console.message(
                "error: standard input (`-`) cannot be an input of the REPL, because the REPL reads its commands there; \
                 name files or directories",
            );
            return;
        }

        self.inputs = paths;
        self.records = Records::InMemory(Vec::new());
        self.catalog = FieldCatalog::default();
        if self.inputs.is_empty() {
            return;
        }

        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let mut counts = ReadCounts::default();
        let mut kept: Option<Vec<Record>> = Some(Vec::new());
        let mut kept_bytes: u64 = 0;
        let mut cancelled = false;

        for item in Inputs::open(&self.inputs, self.read_options()) {
            if self.cancel.load(Ordering::SeqCst) {
                cancelled = true;
                break;
            }
            let Some(record) = counts.report(item, console) else {
                continue;
            };
            self.catalog.count(&record);
            if let Some(records) = kept.as_mut() {
                kept_bytes += estimated_size(&record);
                if kept_bytes > self.settings.memory_limit {
                    // Release what was kept at once: the rest of the pass only counts fields.
                    kept = None;
                } else {
                    records.push(record);
                }
            }
        }

        let elapsed = started.elapsed().as_secs_f64();
        let summary = format!(
            "read {} records from {} in {elapsed:.2} s{}",
            group_digits(counts.records),
            describe_inputs(&self.inputs),
            counts.describe_skipped()
        );
        match kept {
            _ if cancelled => {
                self.records = Records::FromDisk;
                console.message(format!(
                    "\nreading cancelled after {} records; each query reads the inputs from disk, \
                     and :fields and completion know only the records read so far",
                    group_digits(counts.records)
                ));
            }
            Some(records) => {
                self.records = Records::InMemory(records);
                console.message(format!(
                    "{summary}; kept in memory (about {} of the {} limit)",
                    format_bytes(kept_bytes),
                    format_bytes(self.settings.memory_limit)
                ));
            }
            None => {
                self.records = Records::FromDisk;
                console.message(format!(
                    "{summary}; they need more than the memory limit of {} (--memory-limit), \
                     so each query reads them from disk",
                    format_bytes(self.settings.memory_limit)
                ));
            }
        }
    }

    /// Applies a changed `:category` or `:raw` to the kept records, which
    /// need no reading again for it.
    pub fn apply_read_options(&mut self) {
        let Records::InMemory(records) = &mut self.records else {
            return;
        };
        let category: Option<Arc<str>> = self.settings.category.as_deref().map(Arc::from);
        let raw = self.settings.raw;
        let updated: Vec<Record> = std::mem::take(records)
            .into_iter()
            .map(|record| record.with_category(category.clone()).with_raw_mode(raw))
            .collect();
        *records = updated;
    }

    /// Compiles and runs `text`, printing its result or its diagnostics.
    /// `source_name` names the text in diagnostics. The text becomes the
    /// last query even when it is invalid, so `:save` can keep a draft.
    pub fn run_query(
        &mut self,
        text: &str,
        source_name: &str,
        console: &mut Console,
    ) -> QueryOutcome {
        self.last_query = Some(text.to_string());

        let mut plan = match compile_query(text) {
            Ok(plan) => plan,
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    console.message(diagnostic.render(source_name, text, console.color));
                }
                return QueryOutcome::Invalid;
            }
        };
        plan.set_max_groups(self.settings.max_groups);
        if self.inputs.is_empty() {
            console.message("error: no input; name log files or directories with `:input PATH…`");
            return QueryOutcome::NoInput;
        }

        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let (table, counts) = match self.execute(&plan, console) {
            Ok(result) => result,
            Err(Stopped::GroupLimitExceeded(exceeded)) => {
                let diagnostic = crate::run::group_limit_diagnostic(&exceeded);
                console.message(diagnostic.render(source_name, text, console.color));
                return QueryOutcome::GroupLimitExceeded;
            }
            Err(Stopped::Cancelled(records)) => {
                // A new line first, because the terminal has echoed `^C` where the cursor was.
                console.message(format!(
                    "\nquery cancelled after {} records; no result",
                    group_digits(records)
                ));
                return QueryOutcome::Cancelled { records };
            }
        };
        let elapsed = started.elapsed().as_secs_f64();

        let rows = table.rows.len();
        self.print_table(table, console);
        let origin = if self.keeps_records() {
            ""
        } else {
            ", read from disk"
        };
        console.message(format!(
            "{} rows from {} records in {elapsed:.2} s{origin}{}",
            group_digits(rows as u64),
            group_digits(counts.records),
            counts.describe_skipped()
        ));
        QueryOutcome::Printed { rows }
    }

    /// Pushes every record through the plan. Returns the result, or why it stopped: on
    /// Ctrl-C with the number of records pushed before it, or at the group limit.
    fn execute(
        &self,
        plan: &Plan,
        console: &mut Console,
    ) -> Result<(ResultTable, ReadCounts), Stopped> {
        // Subqueries run first, over the same records.
        for subquery in plan.subqueries() {
            if !subquery.is_bound() {
                let (table, _) = self.execute(&subquery.plan, console)?;
                subquery.bind(&table);
            }
        }
        let mut execution = Execution::new(plan);
        let mut counts = ReadCounts::default();

        match &self.records {
            Records::InMemory(records) => {
                for record in records {
                    if self.cancel.load(Ordering::SeqCst) {
                        return Err(Stopped::Cancelled(counts.records));
                    }
                    execution.push(&EngineRecord(record));
                    counts.records += 1;
                }
            }
            Records::FromDisk => {
                for item in Inputs::open(&self.inputs, self.read_options()) {
                    if self.cancel.load(Ordering::SeqCst) {
                        return Err(Stopped::Cancelled(counts.records));
                    }
                    if let Some(record) = counts.report(item, console) {
                        execution.push(&EngineRecord(&record));
                    }
                }
            }
        }
        match execution.finish() {
            Ok(table) => Ok((table, counts)),
            Err(exceeded) => Err(Stopped::GroupLimitExceeded(exceeded)),
        }
    }

    /// Prints the first rows of `table` up to the row limit, and reports how
    /// many were left out.
    fn print_table(&self, mut table: ResultTable, console: &mut Console) {
        let total = table.rows.len();
        let shown = match self.settings.row_limit {
            Some(limit) if total > limit => limit,
            _ => total,
        };
        table.rows.truncate(shown);

        let written = write_table(&table, self.settings.format, console.out)
            .and_then(|()| console.out.flush());
        if let Err(error) = written {
            console.message(format!("error: failed to write the result: {error}"));
        }
        if shown < total {
            console.message(format!(
                "{} more rows not shown ({shown} of {}); `:rows all` prints every row, `:rows N` sets how many",
                group_digits((total - shown) as u64),
                group_digits(total as u64)
            ));
        }
    }

    /// Prints the fields of the input with how many records have each.
    pub fn print_fields(&self, console: &mut Console) {
        if self.inputs.is_empty() {
            console.message("no input; name log files or directories with `:input PATH…`");
            return;
        }
        let total = self.catalog.records;
        let rows = self
            .catalog
            .ordered()
            .into_iter()
            .map(|field| {
                let percent = if total == 0 {
                    0.0
                } else {
                    (field.records as f64 * 1000.0 / total as f64).round() / 10.0
                };
                vec![
                    Some(Value::text(field.name.as_str())),
                    Some(Value::Number(field.records as f64)),
                    Some(Value::Number(percent)),
                    Some(Value::text(field.source.describe())),
                ]
            })
            .collect();
        let table = ResultTable {
            columns: vec![
                "field".into(),
                "records".into(),
                "percent".into(),
                "source".into(),
            ],
            rows,
        };
        if let Err(error) =
            write_table(&table, OutputFormat::Table, console.out).and_then(|()| console.out.flush())
        {
            console.message(format!("error: failed to write the field list: {error}"));
        }
        console.message(format!(
            "{} records; EventData values are not fields until a query extracts them, as in \
             `parse \"<Image><![CDATA[*]]></Image>\" as Image`",
            group_digits(total)
        ));
    }
}

/// Estimates the memory one kept record takes. It counts the text as read,
/// the parsed System and EventData pairs with their allocations, and the
/// canonical `_raw` that a query may render and cache, which repeats each
/// name in two tags around the value and its CDATA markup.
// NOTE: an estimate, checked once: on 65,999 copies of the bundled sample's
// records (Linux x86-64, glibc, debug build) it gave 509 MiB against 487 MiB
// of resident memory after a query had rendered every `_raw`.
pub fn estimated_size(record: &Record) -> u64 {
    /// Two `String`s per pair and the allocator's header for each of their buffers.
    const PER_FIELD_OVERHEAD: usize = 2 * std::mem::size_of::<String>() + 2 * 16;
    const CANONICAL_MARKUP_PER_FIELD: usize = 20;

    let pairs = record.event.system.iter().chain(&record.event.data);
    let fields: usize = pairs
        .clone()
        .map(|(name, value)| name.len() + value.len() + PER_FIELD_OVERHEAD)
        .sum();
    let canonical: usize = pairs
        .map(|(name, value)| 2 * name.len() + value.len() + CANONICAL_MARKUP_PER_FIELD)
        .sum();
    // A string grown by doubling holds up to twice its length.
    let canonical_capacity = 2 * canonical;
    (std::mem::size_of::<Record>() + record.original().len() + fields + canonical_capacity) as u64
}

fn describe_inputs(inputs: &[PathBuf]) -> String {
    match inputs {
        [single] => escape_controls(&single.display().to_string()),
        _ => format!("{} inputs", inputs.len()),
    }
}

/// Formats a count with thousands separators, as `12,345`.
pub fn group_digits(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Formats a byte count with a binary unit, as `4.2 MiB` or `1 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "bytes";
    for next_unit in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next_unit;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// Parses a memory size: a number of bytes, optionally with a binary unit
/// (`KiB`, `MiB`, `GiB`, case-insensitive), as in `1GiB` or `512 MiB`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits_end = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits_end);
    let invalid = || {
        format!(
            "invalid size `{text}`; write bytes or a number with KiB, MiB or GiB, such as `512MiB`"
        )
    };
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(invalid()),
    };
    number.checked_mul(multiplier).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/sysmon_sample.xml");

    struct Captured {
        out: Vec<u8>,
        err: Vec<u8>,
    }

    impl Captured {
        fn new() -> Captured {
            Captured {
                out: Vec::new(),
                err: Vec::new(),
            }
        }

        fn console(&mut self) -> Console<'_> {
            Console {
                out: &mut self.out,
                err: &mut self.err,
                color: false,
            }
        }

        fn out(&self) -> String {
            String::from_utf8_lossy(&self.out).into_owned()
        }

        fn err(&self) -> String {
            String::from_utf8_lossy(&self.err).into_owned()
        }
    }

    fn session_on_sample(settings: Settings) -> (Session, Captured) {
        let mut session = Session::new(settings, Arc::new(AtomicBool::new(false)));
        let mut captured = Captured::new();
        session.set_inputs(vec![PathBuf::from(SAMPLE_LOG)], &mut captured.console());
        (session, captured)
    }

    #[test]
    fn sample_is_kept_in_memory() {
        let (session, captured) = session_on_sample(Settings::default());
        assert!(session.keeps_records());
        assert!(
            captured.err().contains("kept in memory"),
            "{}",
            captured.err()
        );
        assert!(session.catalog().names().contains(&"EventID".to_string()));
        assert!(session.catalog().names().contains(&"Image".to_string()));
    }

    #[test]
    fn memory_limit_switches_to_disk() {
        let settings = Settings {
            memory_limit: 1000,
            ..Settings::default()
        };
        let (mut session, mut captured) = session_on_sample(settings);
        assert!(!session.keeps_records());
        assert!(
            captured.err().contains("each query reads them from disk"),
            "{}",
            captured.err()
        );

        let outcome = session.run_query("* | count", "<test>", &mut captured.console());
        assert_eq!(outcome, QueryOutcome::Printed { rows: 1 });
        assert!(
            captured.err().contains(", read from disk"),
            "{}",
            captured.err()
        );
    }

    #[test]
    fn in_memory_and_disk_give_the_same_table() {
        let query = include_str!("../../queries/t1204_005_malicious_library.sumo");
        let (mut kept, mut kept_output) = session_on_sample(Settings::default());
        kept.run_query(query, "q", &mut kept_output.console());
        let settings = Settings {
            memory_limit: 0,
            ..Settings::default()
        };
        let (mut streamed, mut streamed_output) = session_on_sample(settings);
        streamed.run_query(query, "q", &mut streamed_output.console());
        assert!(kept_output
            .out()
            .contains("PackageInstallSpawnedSuspiciousProcess"));
        assert_eq!(kept_output.out(), streamed_output.out());
    }

    #[test]
    fn control_characters_are_escaped() {
        let folder =
            std::env::temp_dir().join(format!("sumoql-repl-controls-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("bell\u{7}\u{1b}[31m.json");
        std::fs::write(
            &path,
            "{\"message\":\"red\\u001b[31m bell\\u0007 csi\\u009b\"}\n{oops\n",
        )
        .unwrap();

        let mut session = Session::new(Settings::default(), Arc::new(AtomicBool::new(false)));
        let mut captured = Captured::new();
        session.set_inputs(vec![path], &mut captured.console());
        session.run_query(
            "* | json auto | count by message",
            "<repl>",
            &mut captured.console(),
        );

        for (name, text) in [("out", captured.out()), ("err", captured.err())] {
            assert!(!text.contains('\u{1b}'), "{name}: {text:?}");
            assert!(!text.contains('\u{7}'), "{name}: {text:?}");
            assert!(!text.contains('\u{9b}'), "{name}: {text:?}");
        }
        assert!(
            captured
                .out()
                .contains("red\\u{1b}[31m bell\\u{7} csi\\u{9b}"),
            "{}",
            captured.out()
        );
        assert!(
            captured.err().contains("bell\\u{7}\\u{1b}[31m.json"),
            "{}",
            captured.err()
        );
    }

    #[test]
    fn invalid_query_prints_the_caret() {
        let (mut session, mut captured) = session_on_sample(Settings::default());
        let outcome = session.run_query("* | wehre EventID = 1", "<repl>", &mut captured.console());
        assert_eq!(outcome, QueryOutcome::Invalid);
        let err = captured.err();
        assert!(err.contains("unknown operator `wehre`"), "{err}");
        assert!(err.contains("^^^^^"), "{err}");
        assert_eq!(session.last_query(), Some("* | wehre EventID = 1"));
    }

    #[test]
    fn query_without_input_says_so() {
        let mut session = Session::new(Settings::default(), Arc::new(AtomicBool::new(false)));
        let mut captured = Captured::new();
        let outcome = session.run_query("* | count", "<repl>", &mut captured.console());
        assert_eq!(outcome, QueryOutcome::NoInput);
        assert!(captured.err().contains(":input"), "{}", captured.err());
    }

    #[test]
    fn rows_beyond_the_limit_are_counted() {
        let settings = Settings {
            row_limit: Some(2),
            format: OutputFormat::Csv,
            ..Settings::default()
        };
        let (mut session, mut captured) = session_on_sample(settings);
        let outcome = session.run_query(
            "* | fields EventRecordID",
            "<repl>",
            &mut captured.console(),
        );
        let Some(total) = (match outcome {
            QueryOutcome::Printed { rows } => Some(rows),
            _ => None,
        }) else {
            panic!("{outcome:?}");
        };
        assert_eq!(
            captured.out().lines().count(),
            3,
            "header and two rows: {}",
            captured.out()
        );
        let expected = format!(
            "{} more rows not shown (2 of {})",
            group_digits(total as u64 - 2),
            group_digits(total as u64)
        );
        assert!(captured.err().contains(&expected), "{}", captured.err());
    }

    #[test]
    fn cancel_flag_stops_a_query() {
        let (session, mut captured) = session_on_sample(Settings::default());
        let plan = compile_query("* | count").unwrap();
        session.cancel.store(true, Ordering::SeqCst);
        let result = session.execute(&plan, &mut captured.console());
        assert!(
            matches!(result, Err(Stopped::Cancelled(0))),
            "{:?}",
            result.map(|(table, _)| table.rows.len())
        );
    }

    #[test]
    fn fields_lists_counts_and_sources() {
        let (session, mut captured) = session_on_sample(Settings::default());
        session.print_fields(&mut captured.console());
        let out = captured.out();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("field"), "{out}");
        assert!(lines[2].starts_with("_raw "), "{out}");
        let event_id = lines
            .iter()
            .find(|line| line.starts_with("EventID "))
            .expect("EventID listed");
        assert!(event_id.contains("100  System"), "{event_id}");
        let image = lines
            .iter()
            .find(|line| line.starts_with("Image "))
            .expect("Image listed");
        assert!(image.contains("EventData"), "{image}");
        let system_position = lines
            .iter()
            .position(|line| line.starts_with("EventID "))
            .unwrap();
        let data_position = lines
            .iter()
            .position(|line| line.starts_with("Image "))
            .unwrap();
        assert!(system_position < data_position, "{out}");
    }

    #[test]
    fn category_change_applies_to_kept_records() {
        let (mut session, mut captured) = session_on_sample(Settings::default());
        session.settings.category = Some("lab/test".to_string());
        session.apply_read_options();
        session.settings.format = OutputFormat::Csv;
        session.run_query(
            "_sourceCategory=lab/test | count",
            "<repl>",
            &mut captured.console(),
        );
        assert!(!captured.out().contains("\n0\n"), "{}", captured.out());
        assert!(captured.out().starts_with("_count\n"), "{}", captured.out());
    }

    #[test]
    fn bytes_parse_and_format() {
        assert_eq!(parse_bytes("0"), Ok(0));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("512 mib"), Ok(512 << 20));
        assert_eq!(parse_bytes("2048"), Ok(2048));
        assert!(parse_bytes("1GB").is_err());
        assert!(parse_bytes("lots").is_err());
        assert_eq!(format_bytes(1 << 30), "1 GiB");
        assert_eq!(format_bytes(4_404_019), "4.2 MiB");
        assert_eq!(format_bytes(12), "12 bytes");
    }
}
