//! Writes a result table as an aligned text table, CSV or JSON lines.

use std::io::{self, Write};

use sumoql_engine::{ResultTable, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per row, one row per line.
    Json,
}

pub fn write_table(table: &ResultTable, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_text_table(table, out),
        OutputFormat::Csv => write_csv(table, out),
        OutputFormat::Json => write_json_lines(table, out),
    }
}

/// Shows a value in a terminal cell: control characters and escape
/// sequences inside log values are written as visible escapes, so a
/// hostile log line cannot move the cursor or recolour the terminal.
fn display_cell(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let text = value.to_text();
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

fn write_text_table(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(|value| display_cell(value.as_ref())).collect())
        .collect();
    let numeric: Vec<bool> = (0..table.columns.len())
        .map(|column| {
            table.rows.iter().any(|row| row[column].is_some())
                && table
                    .rows
                    .iter()
                    .all(|row| matches!(row[column], None | Some(Value::Number(_))))
        })
        .collect();

    let mut widths: Vec<usize> = table.columns.iter().map(|name| name.chars().count()).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let header: Vec<String> = table.columns.clone();
    write_line(out, &header, &widths, &vec![false; widths.len()])?;
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    write_line(out, &rule, &widths, &vec![false; widths.len()])?;
    for row in &cells {
        write_line(out, row, &widths, &numeric)?;
    }
    Ok(())
}

fn write_line(out: &mut dyn Write, cells: &[String], widths: &[usize], right_align: &[bool]) -> io::Result<()> {
    let mut line = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        let padding = width - cell.chars().count();
        if right_align[index] {
            line.push_str(&" ".repeat(padding));
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&" ".repeat(padding));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

fn write_csv(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        let fields = row.iter().map(|value| match value {
            Some(value) => value.to_text().to_string(),
            None => String::new(),
        });
        writer.write_record(fields)?;
    }
    writer.flush()
}

fn write_json_lines(table: &ResultTable, out: &mut dyn Write) -> io::Result<()> {
    for row in &table.rows {
        let mut object = serde_json::Map::new();
        for (name, value) in table.columns.iter().zip(row) {
            object.insert(name.clone(), json_value(value.as_ref()));
        }
        serde_json::to_writer(&mut *out, &serde_json::Value::Object(object))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn json_value(value: Option<&Value>) -> serde_json::Value {
    match value {
        None => serde_json::Value::Null,
        Some(Value::Text(text)) => serde_json::Value::String(text.to_string()),
        Some(Value::Boolean(flag)) => serde_json::Value::Bool(*flag),
        Some(Value::Number(number)) => {
            if number.fract() == 0.0 && number.abs() < 9e15 {
                serde_json::Value::from(*number as i64)
            } else {
                serde_json::Number::from_f64(*number).map_or(serde_json::Value::Null, serde_json::Value::Number)
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

    #[test]
    fn table_aligns_and_right_aligns_numbers() {
        let text = render(OutputFormat::Table);
        assert_eq!(text, "host      _count\n--------  ------\nDEV-WS01      12\n               3\n");
    }

    #[test]
    fn csv_has_header_and_empty_null() {
        assert_eq!(render(OutputFormat::Csv), "host,_count\nDEV-WS01,12\n,3\n");
    }

    #[test]
    fn json_lines_keep_types() {
        assert_eq!(
            render(OutputFormat::Json),
            "{\"host\":\"DEV-WS01\",\"_count\":12}\n{\"host\":null,\"_count\":3}\n"
        );
    }

    #[test]
    fn table_escapes_control_characters() {
        let value = Value::text("a\u{1b}[31mred\nb");
        assert_eq!(display_cell(Some(&value)), "a\\u{1b}[31mred\\nb");
    }
}
