//! Finds the test cases that the `sumoql test` arguments name.
//!
//! The layout: a query `DIR/NAME.sumo` has its cases in `DIR/NAME.tests/`,
//! one folder per case. An argument is a query file, a `NAME.tests` folder,
//! one case folder, a folder to search recursively, or a case name
//! (`NAME/CASE`, or `NAME` for all of a query's cases) looked up under the
//! default folder `queries`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The folder searched when no argument is given, and for case names.
pub const DEFAULT_ROOT: &str = "queries";
/// The suffix of a query file.
pub const QUERY_EXTENSION: &str = "sumo";
/// The suffix of the folder holding a query's cases.
pub const CASES_EXTENSION: &str = "tests";

/// One case: a folder in a query's `.tests` folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Case {
    /// The query file (it may be missing, which fails the case).
    pub query: PathBuf,
    /// The case folder.
    pub dir: PathBuf,
    /// `NAME/CASE`: the query's file stem and the case folder's name.
    pub id: String,
}

impl Case {
    pub fn query_name(&self) -> &str {
        self.id.split('/').next().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.id.split_once('/').map_or("", |(_, case)| case)
    }
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub cases: Vec<Case>,
    /// Query files found by a folder search that have no cases.
    pub untested: Vec<PathBuf>,
}

/// The cases folder of a query file: `NAME.sumo` → `NAME.tests`.
pub fn cases_folder(query: &Path) -> PathBuf {
    query.with_extension(CASES_EXTENSION)
}

/// The query file of a cases folder: `NAME.tests` → `NAME.sumo`.
fn query_of(cases_folder: &Path) -> PathBuf {
    cases_folder.with_extension(QUERY_EXTENSION)
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|found| found == extension)
}

/// Finds the cases the arguments name, each once, in path order. An
/// argument that names nothing is an error.
pub fn discover(arguments: &[PathBuf]) -> Result<Discovery, String> {
    let default = [PathBuf::from(DEFAULT_ROOT)];
    let arguments = if arguments.is_empty() {
        if !default[0].is_dir() {
            return Err(format!(
                "no `{DEFAULT_ROOT}` folder here; name the query files or folders to test: `sumoql test PATH...`"
            ));
        }
        &default[..]
    } else {
        arguments
    };

    let mut cases = BTreeSet::new();
    let mut untested = BTreeSet::new();
    for argument in arguments {
        let found = if argument.exists() {
            from_path(argument, &mut untested)?
        } else {
            from_name(argument)?
        };
        if found.is_empty() && !argument.is_dir() {
            return Err(no_cases_message(argument));
        }
        cases.extend(found);
    }
    Ok(Discovery {
        cases: cases.into_iter().collect(),
        untested: untested.into_iter().collect(),
    })
}

fn no_cases_message(argument: &Path) -> String {
    let query = if has_extension(argument, QUERY_EXTENSION) {
        argument.to_path_buf()
    } else {
        query_of(argument)
    };
    format!(
        "no test cases in {}; create one with `sumoql test --init {} LOG...`",
        argument.display(),
        query.display()
    )
}

fn from_path(path: &Path, untested: &mut BTreeSet<PathBuf>) -> Result<Vec<Case>, String> {
    if path.is_file() {
        if !has_extension(path, QUERY_EXTENSION) {
            return Err(format!(
                "{} is neither a query file (.{QUERY_EXTENSION}) nor a folder",
                path.display()
            ));
        }
        return cases_in(&cases_folder(path));
    }
    if has_extension(path, CASES_EXTENSION) {
        return cases_in(path);
    }
    if let Some(parent) = path
        .parent()
        .filter(|parent| has_extension(parent, CASES_EXTENSION))
    {
        return Ok(vec![case(parent, path)]);
    }
    let mut cases = Vec::new();
    search(path, &mut cases, untested)?;
    Ok(cases)
}

/// Looks up `NAME/CASE` or `NAME` among the cases under the default folder.
fn from_name(name: &Path) -> Result<Vec<Case>, String> {
    let text = name.to_string_lossy().replace('\\', "/");
    let text = text.trim_end_matches('/');
    let root = Path::new(DEFAULT_ROOT);
    let mut all = Vec::new();
    if root.is_dir() {
        search(root, &mut all, &mut BTreeSet::new())?;
    }
    let chosen: Vec<Case> = all
        .into_iter()
        .filter(|case| case.id == text || case.query_name() == text)
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "{} is no file, folder or case name (case names look like NAME/CASE, \
             for cases in {DEFAULT_ROOT}/NAME.{CASES_EXTENSION}/CASE/)",
            name.display()
        ));
    }
    Ok(chosen)
}

/// Walks a folder for query files and cases folders, skipping hidden
/// folders and `target`.
fn search(
    folder: &Path,
    cases: &mut Vec<Case>,
    untested: &mut BTreeSet<PathBuf>,
) -> Result<(), String> {
    for entry in sorted_entries(folder)? {
        let name = entry
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            if has_extension(&entry, CASES_EXTENSION) {
                cases.extend(cases_in(&entry)?);
            } else if !name.starts_with('.') && name != "target" {
                search(&entry, cases, untested)?;
            }
        } else if has_extension(&entry, QUERY_EXTENSION) && !cases_folder(&entry).is_dir() {
            untested.insert(entry);
        }
    }
    Ok(())
}

/// The cases of one cases folder: its sub-folders, by name.
fn cases_in(folder: &Path) -> Result<Vec<Case>, String> {
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    Ok(sorted_entries(folder)?
        .into_iter()
        .filter(|entry| entry.is_dir())
        .filter(|entry| {
            !entry
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .map(|entry| case(folder, &entry))
        .collect())
}

fn case(cases_folder: &Path, dir: &Path) -> Case {
    let query = query_of(cases_folder);
    let stem = query
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Case {
        query,
        dir: dir.to_path_buf(),
        id: format!("{stem}/{name}"),
    }
}

fn sorted_entries(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let reading = fs::read_dir(folder)
        .map_err(|error| format!("failed to read {}: {error}", folder.display()))?;
    let mut entries = Vec::new();
    for entry in reading {
        let entry =
            entry.map_err(|error| format!("failed to read {}: {error}", folder.display()))?;
        entries.push(entry.path());
    }
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let make = |path: &str| fs::create_dir_all(root.path().join(path)).unwrap();
        let touch = |path: &str| fs::write(root.path().join(path), "").unwrap();
        touch("a.sumo");
        make("a.tests/one/logs");
        make("a.tests/two");
        touch("a.tests/README.md");
        make("nested/b.tests/only");
        touch("nested/b.sumo");
        touch("nested/untested.sumo");
        make(".hidden/c.tests/x");
        root
    }

    fn ids(cases: &[Case]) -> Vec<&str> {
        cases.iter().map(|case| case.id.as_str()).collect()
    }

    #[test]
    fn searches_folders_and_reports_untested_queries() {
        let root = layout();
        let found = discover(&[root.path().to_path_buf()]).unwrap();
        assert_eq!(ids(&found.cases), ["a/one", "a/two", "b/only"]);
        assert_eq!(found.untested, [root.path().join("nested/untested.sumo")]);
    }

    #[test]
    fn narrows_to_a_query_a_cases_folder_or_a_case() {
        let root = layout();
        let by_query = discover(&[root.path().join("a.sumo")]).unwrap();
        assert_eq!(ids(&by_query.cases), ["a/one", "a/two"]);
        let by_folder = discover(&[root.path().join("a.tests")]).unwrap();
        assert_eq!(ids(&by_folder.cases), ["a/one", "a/two"]);
        let by_case = discover(&[root.path().join("a.tests/two")]).unwrap();
        assert_eq!(ids(&by_case.cases), ["a/two"]);
        assert_eq!(by_case.cases[0].query, root.path().join("a.sumo"));
        // Overlapping arguments give each case once.
        let both =
            discover(&[root.path().join("a.sumo"), root.path().join("a.tests/one")]).unwrap();
        assert_eq!(ids(&both.cases), ["a/one", "a/two"]);
    }

    #[test]
    fn a_query_without_cases_is_an_error() {
        let root = layout();
        let error = discover(&[root.path().join("nested/untested.sumo")]).unwrap_err();
        assert!(error.contains("sumoql test --init"), "{error}");
    }

    #[test]
    fn an_unknown_name_is_an_error() {
        let error = discover(&[PathBuf::from("no_such_query/no_such_case")]).unwrap_err();
        assert!(error.contains("no file, folder or case name"), "{error}");
    }
}
