//! The `--from`/`--to` query time range of `sumoql run` and the lookup
//! tables of `--lookup-dir`.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use same_file::Handle;
use sumoql_engine::{lookup_table_file, LookupSource, LookupTable, TimeRange};

/// Reads a time bound: an ISO-8601 time (`2024-05-01T12:00:00Z`, with an
/// offset, or without one as UTC), a date (`2024-05-01`, midnight UTC),
/// `now`, or a time relative to `now` such as `-24h`, `-15m` or `-7d`
/// (units `s`, `m`, `h`, `d`, `w`). Returns milliseconds since the epoch.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<i64, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(now.timestamp_millis());
    }
    if let Some(relative) = text.strip_prefix('-') {
        let split = relative
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(relative.len());
        let (amount, unit) = relative.split_at(split);
        let milliseconds_per_unit: i64 = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return Err(invalid_time(text)),
        };
        let amount: i64 = amount.parse().map_err(|_| invalid_time(text))?;
        return Ok(now.timestamp_millis() - amount * milliseconds_per_unit);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(time.and_utc().timestamp_millis());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis());
    }
    Err(invalid_time(text))
}

fn invalid_time(text: &str) -> String {
    format!("invalid time `{text}`; expected an ISO-8601 time such as 2024-05-01T12:00:00Z, a date, `now`, or a relative time such as -24h")
}

/// Builds the time range from the `--from` and `--to` bounds. A missing
/// bound comes from `data_range`, the earliest and latest `_messageTime` of
/// the inputs, and is unbounded when that is `None`.
pub fn combine(
    from: Option<i64>,
    to: Option<i64>,
    data_range: Option<TimeRange>,
) -> Option<TimeRange> {
    if from.is_none() && to.is_none() {
        return data_range;
    }
    Some(TimeRange {
        start: from
            .or(data_range.map(|range| range.start))
            .unwrap_or(i64::MIN),
        end: to.or(data_range.map(|range| range.end)).unwrap_or(i64::MAX),
    })
}

/// Lookup tables read from CSV files under one directory. The Sumo path
/// `/Library/Users/me/users` is the file `DIR/Library/Users/me/users.csv`,
/// with `.csv` added when the path has no extension. A URL such as
/// `geo://location` is `DIR/geo/location.csv`, so a local table can stand in
/// for Sumo's built-in ones.
pub struct LookupDirectory {
    pub root: PathBuf,
}

impl LookupDirectory {
    /// Maps a Sumo lookup path to a file under the directory, rejecting
    /// paths with `..` or that stay absolute after the leading `/` is removed.
    pub fn file_for(&self, path: &str) -> Result<PathBuf, String> {
        let file = self.root.join(lookup_table_file(path)?);
        self.real_path_inside(path, &file)?;
        Ok(file)
    }

    /// Opens the table of `path` and returns it with its file name.
    ///
    /// The path is checked before and again after opening, and the file opened must be
    /// the file at the real path found inside the directory. So a symbolic link that
    /// is swapped between the check and the open cannot lead outside the directory.
    fn open_table(&self, path: &str) -> Result<(Handle, PathBuf), String> {
        let file = self.file_for(path)?;
        let opened = File::open(&file)
            .map_err(|error| format!("failed to read {}: {error}", file.display()))?;
        let Some(real_file) = self.real_path_inside(path, &file)? else {
            return Err(changed_while_opened(&file));
        };
        let Some(opened) = handle_if_same_file(opened, &real_file) else {
            return Err(changed_while_opened(&file));
        };
        Ok((opened, file))
    }

    /// Returns the real path of `file` after following symbolic links, and rejects it
    /// when it lies outside the directory. A table that does not exist gives `None`,
    /// and opening it reports it.
    fn real_path_inside(&self, path: &str, file: &Path) -> Result<Option<PathBuf>, String> {
        let (Ok(root), Ok(real_file)) = (self.root.canonicalize(), file.canonicalize()) else {
            return Ok(None);
        };
        if real_file.starts_with(&root) {
            Ok(Some(real_file))
        } else {
            Err(format!(
                "lookup path `{path}` leaves the lookup directory through a symbolic link to {}",
                real_file.display()
            ))
        }
    }
}

/// Returns `opened` as a handle when it is the same file (device and inode on Unix) as
/// the file at `checked`, and `None` when it is another file or `checked` cannot be
/// opened.
fn handle_if_same_file(opened: File, checked: &Path) -> Option<Handle> {
    let opened = Handle::from_file(opened).ok()?;
    let checked = Handle::from_path(checked).ok()?;
    (opened == checked).then_some(opened)
}

fn changed_while_opened(file: &Path) -> String {
    format!(
        "lookup table {} changed while it was opened: the file opened is not the one checked \
         inside the lookup directory; run again once nothing moves the table or its links",
        file.display()
    )
}

impl LookupSource for LookupDirectory {
    fn load(&self, path: &str) -> Result<LookupTable, String> {
        let (opened, file) = self.open_table(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(opened.as_file());
        let columns = reader
            .headers()
            .map_err(|error| format!("failed to read the header of {}: {error}", file.display()))?
            .iter()
            .map(|column| column.trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record =
                record.map_err(|error| format!("failed to read {}: {error}", file.display()))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(LookupTable { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn absolute_times_parse() {
        let expected = 1_714_564_800_000;
        assert_eq!(parse_time("2024-05-01T12:00:00Z", now()), Ok(expected));
        assert_eq!(parse_time("2024-05-01T14:00:00+02:00", now()), Ok(expected));
        assert_eq!(parse_time("2024-05-01T12:00:00", now()), Ok(expected));
        assert_eq!(parse_time("2024-05-01", now()), Ok(expected - 43_200_000));
    }

    #[test]
    fn relative_times_count_back_from_now() {
        let now_ms = now().timestamp_millis();
        assert_eq!(parse_time("-24h", now()), Ok(now_ms - 86_400_000));
        assert_eq!(parse_time("-15m", now()), Ok(now_ms - 900_000));
        assert_eq!(parse_time("now", now()), Ok(now_ms));
        assert!(parse_time("-24x", now()).is_err());
        assert!(parse_time("yesterday", now()).is_err());
    }

    #[test]
    fn lookup_paths_stay_inside_directory() {
        let directory = LookupDirectory {
            root: PathBuf::from("/lookups"),
        };
        assert_eq!(
            directory.file_for("/Library/Users/me/users").unwrap(),
            PathBuf::from("/lookups/Library/Users/me/users.csv")
        );
        assert_eq!(
            directory.file_for("shared/ips.csv").unwrap(),
            PathBuf::from("/lookups/shared/ips.csv")
        );
        assert!(directory.file_for("/Library/../../etc/passwd").is_err());
        assert!(directory
            .file_for("//etc/passwd")
            .is_ok_and(|file| file.starts_with("/lookups")));
        assert!(directory.file_for("").is_err());
        assert_eq!(
            directory.file_for("geo://location").unwrap(),
            PathBuf::from("/lookups/geo/location.csv")
        );
        assert!(directory.file_for("https://host/../../x.csv").is_err());
    }

    #[test]
    fn opened_file_must_match_checked_file() {
        let folder = tempfile::tempdir().unwrap();
        let checked = folder.path().join("checked.csv");
        let other = folder.path().join("other.csv");
        std::fs::write(&checked, "a\n1\n").unwrap();
        std::fs::write(&other, "a\n1\n").unwrap();

        let same = File::open(&checked).unwrap();
        assert!(handle_if_same_file(same, &checked).is_some());
        let swapped = File::open(&other).unwrap();
        assert!(handle_if_same_file(swapped, &checked).is_none());
        let vanished = File::open(&other).unwrap();
        assert!(handle_if_same_file(vanished, &folder.path().join("gone.csv")).is_none());
    }

    #[test]
    fn table_opens_inside_directory() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("users.csv"), "user,team\nann,red\n").unwrap();
        let directory = LookupDirectory {
            root: folder.path().to_path_buf(),
        };
        let table = directory.load("/users").unwrap();
        assert_eq!(table.columns, vec!["user", "team"]);
        assert_eq!(table.rows, vec![vec!["ann".to_string(), "red".to_string()]]);
        let missing = directory.load("/nobody").unwrap_err();
        assert!(missing.starts_with("failed to read "), "{missing}");
    }
}
