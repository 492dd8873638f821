//! `sumoql test --init QUERY_FILE LOG...`: creates a case from the logs and
//! stores the query's current result over them as the expected snapshot.

use std::fs;
use std::path::{Path, PathBuf};

use super::case::{
    render_group_limit, run_case, RawSetting, Settings, LOGS_FOLDER, SETTINGS_FILE, SNAPSHOT_FILE,
};
use super::discover::{cases_folder, QUERY_EXTENSION};
use super::style::Style;
use super::{compile_query_file, display};
use crate::{EXIT_INPUT, EXIT_QUERY_OR_USAGE, EXIT_SUCCESS};

pub struct InitRequest {
    pub query: PathBuf,
    pub logs: Vec<PathBuf>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub raw: RawSetting,
    /// The group limit of the query, from `--max-groups`.
    pub max_groups: usize,
}

pub fn init(request: InitRequest, style: Style) -> u8 {
    let query = &request.query;
    if query
        .extension()
        .is_none_or(|extension| extension != QUERY_EXTENSION)
    {
        eprintln!(
            "sumoql: error: --init takes a query file (.{QUERY_EXTENSION}) and then logs: \
             `sumoql test --init queries/NAME.sumo LOG...`"
        );
        return EXIT_QUERY_OR_USAGE;
    }
    let plan = match compile_query_file(query, request.max_groups) {
        Ok(plan) => plan,
        Err(failure) => {
            eprint!("{}", failure.render(crate::use_color()));
            return EXIT_QUERY_OR_USAGE;
        }
    };
    if request.logs.is_empty() {
        eprintln!(
            "sumoql: error: name the logs for the new case: `sumoql test --init {} LOG...`",
            display(query)
        );
        return EXIT_QUERY_OR_USAGE;
    }
    for log in &request.logs {
        if let Err(error) = fs::metadata(log) {
            eprintln!("sumoql: error: failed to read {}: {error}", display(log));
            return EXIT_INPUT;
        }
    }

    let name = match &request.name {
        Some(name) => {
            if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
                eprintln!(
                    "sumoql: error: invalid case name `{name}`: use letters, digits, `-` and `_`"
                );
                return EXIT_QUERY_OR_USAGE;
            }
            name.clone()
        }
        None => default_name(&request.logs[0]),
    };
    let dir = cases_folder(query).join(&name);
    if dir.exists() {
        eprintln!(
            "sumoql: error: case {} already exists; pick another name with --name, or run `sumoql test {}`",
            display(&dir),
            display(&dir)
        );
        return EXIT_QUERY_OR_USAGE;
    }

    let settings = Settings {
        category: request.category.clone(),
        raw: request.raw,
        ..Settings::default()
    };
    let created = copy_logs(&request.logs, &dir.join(LOGS_FOLDER))
        .and_then(|()| write(&dir.join(SETTINGS_FILE), &settings_text(&settings)));
    if let Err(message) = created {
        eprintln!("sumoql: error: {message}");
        let _ = fs::remove_dir_all(&dir);
        return EXIT_INPUT;
    }

    let query_file_name = query
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = run_case(&plan, &query_file_name, &dir, &settings);
    if !result.unreadable.is_empty() {
        for message in &result.unreadable {
            eprintln!("sumoql: error: {message}");
        }
        let _ = fs::remove_dir_all(&dir);
        return EXIT_INPUT;
    }
    if let Some(exceeded) = &result.group_limit {
        eprint!(
            "{}",
            render_group_limit(exceeded, query, crate::use_color())
        );
        let _ = fs::remove_dir_all(&dir);
        return EXIT_INPUT;
    }
    let snapshot = result.snapshot.render();
    if let Err(message) = write(&dir.join(SNAPSHOT_FILE), &snapshot) {
        eprintln!("sumoql: error: {message}");
        return EXIT_INPUT;
    }

    let stem = query
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    say!(
        "{} {stem}/{name} in {}",
        style.green("created case"),
        display(&dir)
    );
    say!("  logs:     {}/ (copied)", display(&dir.join(LOGS_FOLDER)));
    say!("  settings: {}", display(&dir.join(SETTINGS_FILE)));
    say!(
        "  snapshot: {}, the current result, shown below:",
        display(&dir.join(SNAPSHOT_FILE))
    );
    say!();
    for line in snapshot.lines() {
        if line.is_empty() {
            say!();
        } else {
            say!("    {line}");
        }
    }
    say!();
    if result.snapshot.rows.is_empty() {
        say!("The query finds nothing in these logs; the case checks that it stays so.");
    }
    say!(
        "Check that these rows are what the detection should find. Then commit the folder; \
         `sumoql test` compares the query's result with this snapshot from now on."
    );
    EXIT_SUCCESS
}

/// The case name from a log's file name: `logs/pip-dropper.xml` → `pip-dropper`.
fn default_name(log: &Path) -> String {
    let stem = log
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .filter(|stem| !stem.is_empty() && stem != "." && stem != "..")
        .unwrap_or_else(|| "case".to_string());
    stem.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|error| format!("failed to write {}: {error}", display(path)))
}

/// Copies files and folders into `target`, each under its own name.
fn copy_logs(logs: &[PathBuf], target: &Path) -> Result<(), String> {
    fs::create_dir_all(target)
        .map_err(|error| format!("failed to create {}: {error}", display(target)))?;
    for log in logs {
        let Some(name) = log.file_name() else {
            return Err(format!(
                "cannot copy {}: name a file or a folder",
                display(log)
            ));
        };
        let destination = target.join(name);
        if destination.exists() {
            return Err(format!(
                "two logs are named {}; rename one",
                name.to_string_lossy()
            ));
        }
        copy(log, &destination)?;
    }
    Ok(())
}

fn copy(source: &Path, destination: &Path) -> Result<(), String> {
    let failed = |error: std::io::Error| format!("failed to copy {}: {error}", display(source));
    if source.is_dir() {
        fs::create_dir_all(destination).map_err(failed)?;
        let mut entries: Vec<PathBuf> = fs::read_dir(source)
            .map_err(failed)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<Result<_, _>>()
            .map_err(failed)?;
        entries.sort();
        for entry in entries {
            copy(
                &entry,
                &destination.join(entry.file_name().unwrap_or_default()),
            )?;
        }
        Ok(())
    } else {
        fs::copy(source, destination).map(|_| ()).map_err(failed)
    }
}

/// A `case.toml` naming the settings given and listing the others as
/// comments, so a new user sees what can be set.
fn settings_text(settings: &Settings) -> String {
    let mut text = String::from(
        "# Settings of this test case; every key is optional.\n\
         # See \"Regression tests for detections\" in sumoql's README.\n\
         # description = \"what this case checks, shown when it fails\"\n",
    );
    match &settings.category {
        Some(category) => text.push_str(&format!("category = {}\n", toml_string(category))),
        None => text.push_str(
            "# category = \"windows/sysmon\"  # _sourceCategory of every record, as `sumoql run --category`\n",
        ),
    }
    match settings.raw {
        RawSetting::Original => text.push_str("raw = \"original\"\n"),
        RawSetting::Canonical => {
            text.push_str("# raw = \"original\"  # what _raw holds, as `sumoql run --raw`; \"canonical\" by default\n")
        }
    }
    text.push_str("# inputs = [\"logs\"]  # files or folders to read, relative to this folder\n");
    text.push_str("# keep_order = true  # compare rows in the query's order (for queries that end in `sort`)\n");
    text
}

fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_name_comes_from_the_first_log() {
        assert_eq!(
            default_name(Path::new("logs/pip dropper.xml")),
            "pip_dropper"
        );
        assert_eq!(
            default_name(Path::new("samples/sysmon_sample.xml")),
            "sysmon_sample"
        );
        assert_eq!(default_name(Path::new("/")), "case");
    }

    #[test]
    fn written_settings_read_back() {
        let settings = Settings {
            category: Some("lab/\"odd\"\\cat".to_string()),
            raw: RawSetting::Original,
            ..Settings::default()
        };
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(SETTINGS_FILE), settings_text(&settings)).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);

        fs::write(
            dir.path().join(SETTINGS_FILE),
            settings_text(&Settings::default()),
        )
        .unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
    }
}
