//! Finding the files behind the inputs: glob patterns and directory listings, in the
//! order their records are read, and their total size for progress reports.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use globset::GlobBuilder;

/// Whether an input that does not exist as a path should be read as a glob pattern.
pub(crate) fn is_glob_pattern(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|text| text.contains(['*', '?', '[', '{']))
}

/// Returns the paths that match a glob pattern, sorted by path. `*` and `?` stay within
/// one path component and `**` spans any number of them. A matched directory is returned
/// itself, not its contents, and nothing inside a matched directory is returned as well,
/// so that no file is read twice.
pub(crate) fn expand_glob(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let text = pattern
        .to_str()
        .ok_or_else(|| format!("the pattern {} is not valid UTF-8", pattern.display()))?;
    let glob = GlobBuilder::new(text)
        .literal_separator(true)
        .build()
        .map_err(|error| format!("invalid glob pattern {text:?}: {error}"))?;
    let matcher = glob.compile_matcher();

    // Walk from the longest leading part without wildcards.
    let mut root = PathBuf::new();
    let mut remaining = 0usize;
    let mut spans_folders = false;
    let mut in_pattern = false;
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy();
        if in_pattern || is_glob_pattern(Path::new(part.as_ref())) {
            in_pattern = true;
            remaining += 1;
            spans_folders |= part.contains("**");
        } else {
            root.push(component.as_os_str());
        }
    }
    let start = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root.clone()
    };
    let strip_dot = root.as_os_str().is_empty()
        && !matches!(pattern.components().next(), Some(Component::CurDir));
    let max_depth = if spans_folders { usize::MAX } else { remaining };

    let mut found = Vec::new();
    collect_matches(&start, 1, max_depth, strip_dot, &matcher, &mut found);
    found.sort();
    Ok(found)
}

fn collect_matches(
    directory: &Path,
    depth: usize,
    max_depth: usize,
    strip_dot: bool,
    matcher: &globset::GlobMatcher,
    found: &mut Vec<PathBuf>,
) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    paths.sort();
    for path in paths {
        let shown = if strip_dot {
            path.strip_prefix(".")
                .map(Path::to_path_buf)
                .unwrap_or(path.clone())
        } else {
            path.clone()
        };
        if matcher.is_match(&shown) {
            found.push(shown);
            continue;
        }
        if depth < max_depth && path.is_dir() {
            collect_matches(&path, depth + 1, max_depth, strip_dot, matcher, found);
        }
    }
}

/// Lists a directory's entries sorted by file name (byte order), with the errors met
/// while listing.
pub(crate) fn list_directory(directory: &Path) -> io::Result<(Vec<PathBuf>, Vec<io::Error>)> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for entry in fs::read_dir(directory)? {
        match entry {
            Ok(entry) => entries.push(entry.path()),
            Err(error) => errors.push(error),
        }
    }
    entries.sort_by(|left, right| left.file_name().cmp(&right.file_name()));
    Ok((entries, errors))
}

/// Returns the total size in bytes of the files the inputs name, directories and glob
/// patterns included, or `None` when an input has no known size (standard input, a pipe).
/// Paths that cannot be read count as 0; reading them reports the error.
pub fn total_input_bytes(paths: &[PathBuf]) -> Option<u64> {
    let mut total = 0u64;
    let mut pending: Vec<PathBuf> = paths.iter().rev().cloned().collect();
    let mut visited = std::collections::HashSet::new();

    while let Some(path) = pending.pop() {
        if path.as_os_str() == "-" {
            return None;
        }
        let Ok(metadata) = fs::metadata(&path) else {
            if is_glob_pattern(&path) {
                if let Ok(matches) = expand_glob(&path) {
                    pending.extend(matches.into_iter().rev());
                }
            }
            continue;
        };
        if metadata.is_dir() {
            let canonical = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(canonical) {
                continue;
            }
            if let Ok((entries, _)) = list_directory(&path) {
                pending.extend(entries.into_iter().rev());
            }
        } else if metadata.is_file() {
            total += metadata.len();
        } else {
            return None;
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, relative: &str) {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"x\n").unwrap();
    }

    fn names(root: &Path, found: Vec<PathBuf>) -> Vec<String> {
        found
            .into_iter()
            .map(|path| path.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn single_star_and_double_star() {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path();
        for file in ["a.log", "b.txt", "web/c.log", "web/deep/d.log", "z.log"] {
            touch(root, file);
        }

        let flat = expand_glob(&root.join("*.log")).unwrap();
        assert_eq!(names(root, flat), vec!["a.log", "z.log"]);

        let deep = expand_glob(&root.join("**/*.log")).unwrap();
        assert_eq!(
            names(root, deep),
            vec!["a.log", "web/c.log", "web/deep/d.log", "z.log"]
        );

        let one_level = expand_glob(&root.join("*/*.log")).unwrap();
        assert_eq!(names(root, one_level), vec!["web/c.log"]);
    }

    #[test]
    fn matched_directories_are_not_entered() {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path();
        touch(root, "web/c.log");
        touch(root, "web/x/d.log");
        let found = expand_glob(&root.join("w*")).unwrap();
        assert_eq!(names(root, found), vec!["web"]);
    }

    #[test]
    fn no_match_is_empty() {
        let directory = tempfile::tempdir().unwrap();
        assert!(expand_glob(&directory.path().join("*.evtx"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn total_sums_every_input() {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path();
        touch(root, "a.log");
        touch(root, "sub/b.log");
        let paths = vec![
            root.to_path_buf(),
            root.join("a.log"),
            root.join("*.nothing"),
        ];
        assert_eq!(total_input_bytes(&paths), Some(6));
        assert_eq!(total_input_bytes(&[PathBuf::from("-")]), None);
    }
}
