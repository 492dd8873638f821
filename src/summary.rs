//! Counts what a run read and skipped, reports skipped records, and prints
//! the closing summary line on stderr.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use sumoql_input::{InputFormat, Malformed, ReadError};

use crate::output::escape_controls;

/// Malformed records reported one by one per input; later ones are counted
/// and reported together at the end.
const MALFORMED_REPORTS_PER_INPUT: u64 = 3;

/// The format of the closing summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

pub struct Summary {
    started: Instant,
    records_by_format: BTreeMap<&'static str, u64>,
    /// Records processed (read and decoded, or passed over by the prefilter) per input.
    records_by_input: BTreeMap<Arc<str>, u64>,
    malformed_by_input: BTreeMap<Arc<str>, u64>,
    unreadable_inputs: u64,
    lossy_utf8_records: u64,
}

impl Summary {
    pub fn new() -> Summary {
        Summary {
            started: Instant::now(),
            records_by_format: BTreeMap::new(),
            records_by_input: BTreeMap::new(),
            malformed_by_input: BTreeMap::new(),
            unreadable_inputs: 0,
            lossy_utf8_records: 0,
        }
    }

    pub fn count_record(&mut self, input: &Arc<str>, format: InputFormat, lossy_utf8: bool) {
        *self.records_by_format.entry(format.name()).or_default() += 1;
        match self.records_by_input.get_mut(input) {
            Some(count) => *count += 1,
            None => {
                self.records_by_input.insert(input.clone(), 1);
            }
        }
        if lossy_utf8 {
            self.lossy_utf8_records += 1;
        }
    }

    /// Counts a malformed record and reports it unless its input already
    /// reported several.
    pub fn report_malformed(&mut self, malformed: &Malformed) {
        let count = self
            .malformed_by_input
            .entry(malformed.source_name.clone())
            .or_default();
        *count += 1;
        if *count <= MALFORMED_REPORTS_PER_INPUT {
            report(&format!(
                "sumoql: warning: skipped malformed record in {malformed}"
            ));
        }
    }

    pub fn report_unreadable(&mut self, error: &ReadError) {
        self.unreadable_inputs += 1;
        report(&format!("sumoql: error: {error}"));
    }

    pub fn has_unreadable_inputs(&self) -> bool {
        self.unreadable_inputs > 0
    }

    /// Prints the reports held back, then one line with the totals.
    pub fn print(&self, rows: usize) {
        self.print_reports();
        report(&format!("sumoql: {}", self.line(rows)));
    }

    /// Prints the reports held back: malformed records beyond the first few, invalid UTF-8.
    pub fn print_reports(&self) {
        for (input, count) in &self.malformed_by_input {
            if *count > MALFORMED_REPORTS_PER_INPUT {
                report(&format!(
                    "sumoql: warning: skipped {} more malformed {} in {input}",
                    group_digits(count - MALFORMED_REPORTS_PER_INPUT),
                    plural(count - MALFORMED_REPORTS_PER_INPUT, "record", "records")
                ));
            }
        }
        if self.lossy_utf8_records > 0 {
            report(&format!(
                "sumoql: warning: {} {} held invalid UTF-8, replaced with U+FFFD",
                group_digits(self.lossy_utf8_records),
                plural(self.lossy_utf8_records, "record", "records")
            ));
        }
    }

    /// Prints the reports held back, then the totals as one JSON object on one line.
    pub fn print_json(&self, rows: usize) {
        self.print_reports();
        report(&self.json(rows).to_string());
    }

    /// Returns the totals as JSON. Every record read is either processed or skipped, so
    /// `records_read` is `records_processed + records_skipped`, in total and per input.
    fn json(&self, rows: usize) -> serde_json::Value {
        let inputs: Vec<serde_json::Value> = self
            .input_names()
            .into_iter()
            .map(|name| {
                let processed = self.records_by_input.get(name).copied().unwrap_or(0);
                let skipped = self.malformed_by_input.get(name).copied().unwrap_or(0);
                serde_json::json!({
                    "input": name.as_ref(),
                    "records_read": processed + skipped,
                    "records_processed": processed,
                    "records_skipped": skipped,
                })
            })
            .collect();
        let processed: u64 = self.records_by_input.values().sum();
        let skipped: u64 = self.malformed_by_input.values().sum();
        serde_json::json!({
            "records_read": processed + skipped,
            "records_processed": processed,
            "records_skipped": skipped,
            "records_by_format": self.records_by_format,
            "lossy_utf8_records": self.lossy_utf8_records,
            "unreadable_inputs": self.unreadable_inputs,
            "rows": rows,
            "inputs": inputs,
        })
    }

    /// Returns the text summary, which gives the counts of the JSON summary in one
    /// line: `read R records from F files: P processed (by format), S skipped as
    /// malformed; N result rows in T s`, where R is always P + S and F counts the
    /// inputs that held a record.
    fn line(&self, rows: usize) -> String {
        let rows = rows as u64;
        let outcome = format!(
            "{} result {}",
            group_digits(rows),
            plural(rows, "row", "rows")
        );
        self.line_with(&outcome)
    }

    /// Returns the part of the text summary that counts the records read.
    fn read_counts(&self) -> String {
        let processed: u64 = self.records_by_input.values().sum();
        let skipped: u64 = self.malformed_by_input.values().sum();
        let read = processed + skipped;
        let files = self.input_names().len() as u64;

        let mut line = format!(
            "read {} {}",
            group_digits(read),
            plural(read, "record", "records")
        );
        if files > 0 {
            line.push_str(&format!(
                " from {} {}",
                group_digits(files),
                plural(files, "file", "files")
            ));
        }
        line.push_str(&format!(": {} processed", group_digits(processed)));
        let by_format: Vec<String> = self
            .records_by_format
            .iter()
            .map(|(format, count)| format!("{format} {}", group_digits(*count)))
            .collect();
        if !by_format.is_empty() {
            line.push_str(&format!(" ({})", by_format.join(", ")));
        }
        line.push_str(&format!(", {} skipped as malformed", group_digits(skipped)));
        if self.unreadable_inputs > 0 {
            line.push_str(&format!(
                "; {} {} unreadable",
                group_digits(self.unreadable_inputs),
                plural(self.unreadable_inputs, "input", "inputs")
            ));
        }

        line
    }

    /// Prints the reports held back, then the totals of what was read followed by
    /// `outcome` (what the command made of the records) and the elapsed time.
    #[cfg(feature = "datafusion")]
    pub fn print_outcome(&self, outcome: &str) {
        self.print_reports();
        report(&format!("sumoql: {}", self.line_with(outcome)));
    }

    /// Returns the text summary with `outcome` in place of the result rows.
    fn line_with(&self, outcome: &str) -> String {
        let mut line = self.read_counts();
        let elapsed = self.started.elapsed().as_secs_f64();
        line.push_str(&format!("; {outcome} in {elapsed:.2} s"));
        line
    }

    /// Returns the inputs that held a processed or a malformed record, sorted.
    fn input_names(&self) -> Vec<&Arc<str>> {
        let mut names: Vec<&Arc<str>> = self.records_by_input.keys().collect();
        names.extend(self.malformed_by_input.keys());
        names.sort();
        names.dedup();
        names
    }
}

/// Writes one line to stderr, with control characters escaped because reports quote
/// file names and record text. A closed or full stderr is ignored rather than turned
/// into a panic, because the line is only a report.
pub fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", escape_controls(line));
}

/// Reports a file passed over on purpose, such as a binary file in a folder.
pub fn report_skipped_file(error: &ReadError) {
    report(&format!("sumoql: warning: {error}"));
}

pub(crate) fn plural<'a>(count: u64, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// Formats a count with thousands separators, as `12,345`.
pub(crate) fn group_digits(count: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_group_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1225), "1,225");
        assert_eq!(group_digits(1234567), "1,234,567");
    }

    #[test]
    fn line_uses_singular_for_one() {
        let mut summary = Summary::new();
        summary.count_record(&Arc::from("a.evtx"), InputFormat::Evtx, false);
        summary.unreadable_inputs = 1;
        let line = summary.line(1);
        assert!(
            line.starts_with(
                "read 1 record from 1 file: 1 processed (evtx 1), 0 skipped as malformed; \
                 1 input unreadable; 1 result row in "
            ),
            "{line}"
        );
    }

    #[test]
    fn line_counts_formats_and_skips() {
        let mut summary = Summary::new();
        summary.count_record(&Arc::from("a.evtx"), InputFormat::Evtx, false);
        summary.count_record(&Arc::from("a.evtx"), InputFormat::Evtx, false);
        summary.count_record(&Arc::from("a.xml"), InputFormat::WindowsXml, false);
        summary.malformed_by_input.insert(Arc::from("a.xml"), 4);
        summary.malformed_by_input.insert(Arc::from("b.json"), 1);
        let line = summary.line(7);
        assert!(
            line.starts_with(
                "read 8 records from 3 files: 3 processed (evtx 2, windows-xml 1), \
                 5 skipped as malformed; 7 result rows in "
            ),
            "{line}"
        );
    }

    #[test]
    fn line_without_records_names_no_file() {
        let line = Summary::new().line(0);
        assert!(
            line.starts_with(
                "read 0 records: 0 processed, 0 skipped as malformed; 0 result rows in "
            ),
            "{line}"
        );
    }
}
