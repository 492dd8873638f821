//! Writes a result table as an aligned text table, CSV, a JSON array, JSON lines or a
//! Markdown table.
//!
//! The text and Markdown tables are for people, so they show the time fields Sumo stores
//! as epoch milliseconds (`_messageTime`, `_receiptTime`, `_timeslice`) as a UTC date and
//! time. CSV and JSON keep the number, which other tools read, and which a query
//! compares, sorts and passes to `formatDate`.

use std::io::{self, Write};

use sumoql_engine::{ResultTable, Value};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of row objects, one row per line.
    Json,
    /// One JSON object per row, one row per line (newline-delimited JSON).
    Ndjson,
    /// A Markdown (GitHub) table.
    Markdown,
}

/// Layout settings of a text table.
#[derive(Debug, Clone, Default)]
pub struct TableStyle {
    /// The width to fit the table into, in terminal columns; `None` for no limit. Long
    /// cells are cut and end with `…`.
    pub max_width: Option<usize>,
    /// Whether the header is bold (only for a colour terminal).
    pub bold_header: bool,
    /// Whether a line with the number of rows follows the table.
    pub row_count: bool,
    /// The number of rows of the whole result, when `table` holds only the first ones.
    pub total_rows: Option<usize>,
    /// Whether CSV cells that start like a spreadsheet formula are written as they are,
    /// instead of behind a `'` that keeps a spreadsheet from running them.
    pub keep_csv_formulas: bool,
}

/// No column is narrowed below this many terminal columns, or its header's width if
/// that is less.
const MIN_COLUMN_WIDTH: usize = 6;

/// The space between two columns.
const COLUMN_GAP: &str = "  ";

/// The result fields, in lower case, whose values are epoch milliseconds.
const TIME_FIELDS: [&str; 3] = ["_messagetime", "_receipttime", "_timeslice"];

/// The chrono format of time fields in text and Markdown tables: UTC, to the millisecond.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f %z";

/// Writes a table in a format, a text table without width limit or row count.
pub fn write_table(
    table: &ResultTable,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_styled(table, format, &TableStyle::default(), out)
}

/// Writes a table in a format; `style` applies to the text table.
pub fn write_styled(
    table: &ResultTable,
    format: OutputFormat,
    style: &TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_text_table(table, style, out),
        OutputFormat::Csv => write_csv(table, style.keep_csv_formulas, out),
        OutputFormat::Json => write_json_array(table, out),
        OutputFormat::Ndjson => write_json_lines(table, out),
        OutputFormat::Markdown => write_markdown(table, out),
    }
}

/// Reports, for each column, whether it is a time field that tables show as a date.
fn time_columns(table: &ResultTable) -> Vec<bool> {
    table
        .columns
        .iter()
        .map(|name| TIME_FIELDS.contains(&name.to_ascii_lowercase().as_str()))
        .collect()
}

/// Formats whole epoch milliseconds as a UTC date and time, or returns `None` for a
/// value that is not a whole number of milliseconds in chrono's date range.
fn format_time(value: &Value) -> Option<String> {
    let Value::Number(milliseconds) = value else {
        return None;
    };
    if milliseconds.fract() != 0.0 || milliseconds.abs() >= 9e15 {
        return None;
    }
    let time = chrono::DateTime::from_timestamp_millis(*milliseconds as i64)?;
    Some(time.format(TIME_FORMAT).to_string())
}

/// Shows a value in a terminal cell, with its control characters escaped, and a time
/// field as a date unless its value is not epoch milliseconds.
fn display_cell(value: Option<&Value>, is_time: bool) -> String {
    let Some(value) = value else {
        return String::new();
    };
    if let Some(time) = is_time.then(|| format_time(value)).flatten() {
        return time;
    }
    escape_controls(&value.to_text())
}

/// Writes the control characters of `text` (C0, DEL and C1, which includes the ESC
/// that starts ANSI sequences and the one-byte CSI U+009B) as visible escapes such as
/// `\u{1b}` and `\n`, so log text shown on a terminal cannot move the cursor,
/// recolour the screen or ring the bell.
pub fn escape_controls(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            c if c.is_control() => shown.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => shown.push(c),
        }
    }
    shown
}

/// Returns the number of terminal columns `text` takes.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|character| character.width().unwrap_or(0))
        .sum()
}

/// Cuts `text` to at most `width` terminal columns, ending it with `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut used = 0;
    for character in text.chars() {
        let character_width = character.width().unwrap_or(0);
        if used + character_width + 1 > width {
            break;
        }
        kept.push(character);
        used += character_width;
    }
    kept.push('…');
    kept
}

/// Narrows the widest columns, one column at a time, until the table fits `max_width`
/// or every column is at its minimum.
fn fit_widths(widths: &mut [usize], minimums: &[usize], max_width: usize) {
    let gaps = COLUMN_GAP.len() * widths.len().saturating_sub(1);
    let mut total: usize = widths.iter().sum::<usize>() + gaps;
    while total > max_width {
        let widest = widths
            .iter()
            .enumerate()
            .filter(|(index, width)| **width > minimums[*index])
            .max_by_key(|(index, width)| (**width, std::cmp::Reverse(*index)))
            .map(|(index, _)| index);
        let Some(widest) = widest else {
            break;
        };
        widths[widest] -= 1;
        total -= 1;
    }
}

/// Reports, for each column, whether it holds only numbers and is not shown as a time.
fn numeric_columns(table: &ResultTable) -> Vec<bool> {
    let time = time_columns(table);
    (0..table.columns.len())
        .map(|column| {
            !time[column]
                && table.rows.iter().any(|row| row[column].is_some())
                && table
                    .rows
                    .iter()
                    .all(|row| matches!(row[column], None | Some(Value::Number(_))))
        })
        .collect()
}

fn write_text_table(
    table: &ResultTable,
    style: &TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let time = time_columns(table);
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&time)
                .map(|(value, is_time)| display_cell(value.as_ref(), *is_time))
                .collect()
        })
        .collect();
    let numeric = numeric_columns(table);

    // Column names can come from log text, as with `transpose` and `json auto`.
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|name| escape_controls(name))
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|name| display_width(name)).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    if let Some(max_width) = style.max_width {
        let minimums: Vec<usize> = columns
            .iter()
            .zip(&widths)
            .map(|(name, width)| (*width).min(display_width(name).max(MIN_COLUMN_WIDTH)))
            .collect();
        fit_widths(&mut widths, &minimums, max_width);
    }

    write_line(
        out,
        &columns,
        &widths,
        &vec![false; widths.len()],
        style.bold_header,
    )?;
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    write_line(out, &rule, &widths, &vec![false; widths.len()], false)?;
    for row in &cells {
        write_line(out, row, &widths, &numeric, false)?;
    }

    if style.row_count {
        let shown = table.rows.len();
        let noun = |count: usize| if count == 1 { "row" } else { "rows" };
        match style.total_rows {
            Some(total) if total > shown => writeln!(out, "({shown} of {total} {})", noun(total))?,
            _ => writeln!(out, "({shown} {})", noun(shown))?,
        }
    }
    Ok(())
}

fn write_line(
    out: &mut dyn Write,
    cells: &[String],
    widths: &[usize],
    right_align: &[bool],
    bold: bool,
) -> io::Result<()> {
    let mut line = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if index > 0 {
            line.push_str(COLUMN_GAP);
        }
        let cell = truncate(cell, *width);
        let padding = width.saturating_sub(display_width(&cell));
        if right_align[index] {
            line.push_str(&" ".repeat(padding));
            line.push_str(&cell);
        } else {
            line.push_str(&cell);
            line.push_str(&" ".repeat(padding));
        }
    }
    let line = line.trim_end();
    if bold {
        writeln!(out, "\x1b[1m{line}\x1b[0m")
    } else {
        writeln!(out, "{line}")
    }
}

fn write_csv(table: &ResultTable, keep_formulas: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        let fields = row.iter().map(|value| match value {
            Some(Value::Text(text)) if !keep_formulas => neutralize_formula(text),
            Some(value) => value.to_text().to_string(),
            None => String::new(),
        });
        writer.write_record(fields)?;
    }
    writer.flush()
}

/// Puts a `'` before text that a spreadsheet would run as a formula: text that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return. Log values are attacker-chosen
/// (a command line can be `=HYPERLINK(…)`), and opening a CSV result in a spreadsheet
/// must not run them. Numbers are left alone, so negative numbers stay numbers.
fn neutralize_formula(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn row_object(table: &ResultTable, row: &[Option<Value>]) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (name, value) in table.columns.iter().zip(row) {
        object.insert(name.clone(), json_value(value.as_ref()));
    }
    serde_json::Value::Object(object)
}

fn write_json_lines(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    for row in &table.rows {
        serde_json::to_writer(&mut *out, &row_object(table, row))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes one JSON array with one row object per line, so that the output is one JSON
/// document and still reads well line by line.
fn write_json_array(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    if table.rows.is_empty() {
        return out.write_all(b"[]\n");
    }
    out.write_all(b"[\n")?;
    for (index, row) in table.rows.iter().enumerate() {
        serde_json::to_writer(&mut *out, &row_object(table, row))?;
        let separator: &[u8] = if index + 1 < table.rows.len() {
            b",\n"
        } else {
            b"\n"
        };
        out.write_all(separator)?;
    }
    out.write_all(b"]\n")
}

/// Escapes a cell for a Markdown table: `|` would end the cell and a line break the row.
fn markdown_cell(value: Option<&Value>, is_time: bool) -> String {
    display_cell(value, is_time).replace('|', "\\|")
}

fn write_markdown(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = table
        .columns
        .iter()
        .map(|name| name.replace('|', "\\|"))
        .collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let alignment: Vec<&str> = numeric_columns(table)
        .into_iter()
        .map(|numeric| if numeric { "--:" } else { "---" })
        .collect();
    writeln!(out, "|{}|", alignment.join("|"))?;
    let time = time_columns(table);
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&time)
            .map(|(value, is_time)| markdown_cell(value.as_ref(), *is_time))
            .collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// Converts a result value to JSON: numbers stay numbers (whole numbers without a
/// fraction), null is `null`.
pub fn json_value(value: Option<&Value>) -> serde_json::Value {
    match value {
        None => serde_json::Value::Null,
        Some(Value::Text(text)) => serde_json::Value::String(text.to_string()),
        Some(Value::Boolean(flag)) => serde_json::Value::Bool(*flag),
        Some(Value::Number(number)) => {
            if number.fract() == 0.0 && number.abs() < 9e15 {
                serde_json::Value::from(*number as i64)
            } else {
                serde_json::Number::from_f64(*number)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ResultTable {
        ResultTable {
            columns: vec!["host".into(), "_count".into()],
            rows: vec![
                vec![Some(Value::text("DEV-WS01")), Some(Value::Number(12.0))],
                vec![None, Some(Value::Number(3.0))],
            ],
        }
    }

    fn render(format: OutputFormat) -> String {
        let mut out = Vec::new();
        write_table(&sample(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn render_styled(table: &ResultTable, style: &TableStyle) -> String {
        let mut out = Vec::new();
        write_styled(table, OutputFormat::Table, style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Builds rows with a bucket start, a message time with milliseconds, a text time,
    /// a fraction and nulls.
    fn times() -> ResultTable {
        ResultTable {
            columns: vec!["_timeslice".into(), "_messageTime".into(), "_count".into()],
            rows: vec![
                vec![
                    Some(Value::Number(1_796_422_500_000.0)),
                    Some(Value::Number(1_796_422_512_345.0)),
                    Some(Value::Number(2.0)),
                ],
                vec![
                    Some(Value::text("yesterday")),
                    Some(Value::Number(0.5)),
                    Some(Value::Number(1.0)),
                ],
                vec![None, None, None],
            ],
        }
    }

    fn render_times(format: OutputFormat) -> String {
        let mut out = Vec::new();
        write_table(&times(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_shows_time_fields_as_dates() {
        insta::assert_snapshot!(render_times(OutputFormat::Table), @r"
        _timeslice                     _messageTime                   _count
        -----------------------------  -----------------------------  ------
        2026-12-04 22:15:00.000 +0000  2026-12-04 22:15:12.345 +0000       2
        yesterday                      0.5                                 1
        ");
    }

    #[test]
    fn markdown_shows_time_fields_as_dates() {
        insta::assert_snapshot!(render_times(OutputFormat::Markdown), @r"
        | _timeslice | _messageTime | _count |
        |---|---|--:|
        | 2026-12-04 22:15:00.000 +0000 | 2026-12-04 22:15:12.345 +0000 | 2 |
        | yesterday | 0.5 | 1 |
        |  |  |  |
        ");
    }

    #[test]
    fn csv_and_json_keep_time_numbers() {
        insta::assert_snapshot!(render_times(OutputFormat::Csv), @r"
        _timeslice,_messageTime,_count
        1796422500000,1796422512345,2
        yesterday,0.5,1
        ,,
        ");
        let lines = render_times(OutputFormat::Ndjson);
        assert!(lines.starts_with(
            r#"{"_timeslice":1796422500000,"_messageTime":1796422512345,"_count":2}"#
        ));
    }

    #[test]
    fn table_aligns_and_right_aligns_numbers() {
        let text = render(OutputFormat::Table);
        assert_eq!(
            text,
            "host      _count\n--------  ------\nDEV-WS01      12\n               3\n"
        );
    }

    #[test]
    fn csv_neutralizes_formulas() {
        let table = ResultTable {
            columns: vec!["command".into(), "n".into()],
            rows: vec![
                vec![
                    Some(Value::text("=HYPERLINK(\"http://x\")")),
                    Some(Value::Number(-3.0)),
                ],
                vec![Some(Value::text("@SUM(A1)")), Some(Value::text("-1"))],
                vec![Some(Value::text("cmd.exe /c a=b")), None],
            ],
        };
        let mut out = Vec::new();
        write_styled(&table, OutputFormat::Csv, &TableStyle::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "command,n\n\"'=HYPERLINK(\"\"http://x\"\")\",-3\n'@SUM(A1),'-1\ncmd.exe /c a=b,\n"
        );

        let style = TableStyle {
            keep_csv_formulas: true,
            ..TableStyle::default()
        };
        let mut out = Vec::new();
        write_styled(&table, OutputFormat::Csv, &style, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\n@SUM(A1),-1\n"));
    }

    #[test]
    fn csv_has_header_and_empty_null() {
        assert_eq!(render(OutputFormat::Csv), "host,_count\nDEV-WS01,12\n,3\n");
    }

    #[test]
    fn json_is_one_array() {
        let text = render(OutputFormat::Json);
        assert_eq!(
            text,
            "[\n{\"host\":\"DEV-WS01\",\"_count\":12},\n{\"host\":null,\"_count\":3}\n]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 2);

        let empty = ResultTable {
            columns: vec!["a".into()],
            rows: Vec::new(),
        };
        let mut out = Vec::new();
        write_table(&empty, OutputFormat::Json, &mut out).unwrap();
        assert_eq!(out, b"[]\n");
    }

    #[test]
    fn ndjson_lines_keep_types() {
        assert_eq!(
            render(OutputFormat::Ndjson),
            "{\"host\":\"DEV-WS01\",\"_count\":12}\n{\"host\":null,\"_count\":3}\n"
        );
    }

    #[test]
    fn markdown_aligns_numbers_right_and_escapes_pipes() {
        let table = ResultTable {
            columns: vec!["cmd".into(), "n".into()],
            rows: vec![vec![
                Some(Value::text("a | b\nc")),
                Some(Value::Number(1.0)),
            ]],
        };
        let mut out = Vec::new();
        write_table(&table, OutputFormat::Markdown, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| cmd | n |\n|---|--:|\n| a \\| b\\nc | 1 |\n"
        );
    }

    #[test]
    fn table_escapes_control_characters() {
        let value = Value::text("a\u{1b}[31mred\nb");
        assert_eq!(display_cell(Some(&value), false), "a\\u{1b}[31mred\\nb");
    }

    #[test]
    fn table_escapes_bell_backspace_and_c1() {
        let cases = [
            ("ring\u{7}", "ring\\u{7}"),
            ("over\rwrite", "over\\rwrite"),
            ("back\u{8}space", "back\\u{8}space"),
            ("csi\u{9b}31m", "csi\\u{9b}31m"),
            ("del\u{7f}", "del\\u{7f}"),
        ];
        for (value, shown) in cases {
            assert_eq!(
                display_cell(Some(&Value::text(value)), false),
                shown,
                "{value:?}"
            );
        }
    }

    #[test]
    fn table_escapes_column_names() {
        let table = ResultTable {
            columns: vec!["host\u{1b}[2J".into(), "n".into()],
            rows: vec![vec![
                Some(Value::text("a\u{9b}1m")),
                Some(Value::Number(1.0)),
            ]],
        };
        let text = render_styled(&table, &TableStyle::default());
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(!text.contains('\u{9b}'), "{text:?}");
        assert!(text.starts_with("host\\u{1b}[2J"), "{text:?}");
        assert!(text.contains("a\\u{9b}1m"), "{text:?}");
    }

    #[test]
    fn narrow_terminal_cuts_the_widest_column() {
        let table = ResultTable {
            columns: vec!["host".into(), "command".into(), "n".into()],
            rows: vec![vec![
                Some(Value::text("WS-01")),
                Some(Value::text(
                    "powershell.exe -NoProfile -EncodedCommand SQBFAFgA",
                )),
                Some(Value::Number(7.0)),
            ]],
        };
        let style = TableStyle {
            max_width: Some(30),
            ..TableStyle::default()
        };
        let text = render_styled(&table, &style);
        for line in text.lines() {
            assert!(display_width(line) <= 30, "{line:?} is wider than 30");
        }
        assert!(text.contains("WS-01  powershell.exe -NoP…  7"), "{text}");
    }

    #[test]
    fn columns_keep_a_minimum_width() {
        let mut widths = vec![40, 40];
        fit_widths(&mut widths, &[6, 6], 5);
        assert_eq!(widths, vec![6, 6]);
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("日本"), 4);
        assert_eq!(truncate("日本語のテキスト", 7), "日本語…");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn row_count_line() {
        let style = TableStyle {
            row_count: true,
            ..TableStyle::default()
        };
        assert!(render_styled(&sample(), &style).ends_with("\n(2 rows)\n"));
        let limited = TableStyle {
            row_count: true,
            total_rows: Some(10),
            ..TableStyle::default()
        };
        assert!(render_styled(&sample(), &limited).ends_with("\n(2 of 10 rows)\n"));
    }

    #[test]
    fn bold_header_on_colour_terminals() {
        let style = TableStyle {
            bold_header: true,
            ..TableStyle::default()
        };
        assert!(render_styled(&sample(), &style).starts_with("\x1b[1mhost      _count\x1b[0m\n"));
    }
}
