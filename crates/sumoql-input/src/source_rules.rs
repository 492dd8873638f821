//! Per-path settings: which files get which `_sourceCategory`, `_sourceHost`,
//! `_sourceName`, format, multi-line pattern and time zone. The sumoql binary builds the
//! rules from its sources file; this crate only matches paths against them.

use std::path::{Component, Path, PathBuf};

use chrono::FixedOffset;
use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use crate::record::InputFormat;

/// Settings for the files a [`SourceRule`] matches. `None` leaves a value to the
/// command line or to the record itself.
#[derive(Debug, Clone, Default)]
pub struct SourceSettings {
    pub category: Option<String>,
    pub host: Option<String>,
    pub name: Option<String>,
    pub format: Option<InputFormat>,
    /// A line that matches starts a new plain text message.
    pub multiline: Option<Regex>,
    /// The zone of timestamps that carry none (UTC when unset).
    pub time_zone: Option<FixedOffset>,
}

/// A path pattern and the settings of the files it matches.
#[derive(Debug, Clone)]
pub struct SourceRule {
    pattern: String,
    matcher: GlobMatcher,
    /// A pattern without `/` matches a file's name in any folder, as in `.gitignore`.
    matches_file_name: bool,
    pub settings: SourceSettings,
}

impl SourceRule {
    /// Builds a rule. A pattern that contains `/` is a path relative to `base_directory`
    /// (the sources file's folder) unless it is absolute; one without `/` matches file
    /// names. `*` and `?` stay within one path component, `**` spans components, and
    /// `[abc]` and `{a,b}` work as in shells.
    pub fn new(
        pattern: &str,
        base_directory: &Path,
        settings: SourceSettings,
    ) -> Result<SourceRule, String> {
        let matches_file_name = !pattern.contains('/');
        let full_pattern = if matches_file_name || Path::new(pattern).is_absolute() {
            pattern.to_string()
        } else {
            let base = normalise(&absolute(base_directory));
            format!(
                "{}/{}",
                base.display().to_string().trim_end_matches('/'),
                pattern
            )
        };
        let glob = GlobBuilder::new(&full_pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| format!("invalid path pattern {pattern:?}: {error}"))?;
        Ok(SourceRule {
            pattern: pattern.to_string(),
            matcher: glob.compile_matcher(),
            matches_file_name,
            settings,
        })
    }

    /// Returns the pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Returns whether the rule applies to the file at `path` (relative to the current folder or
    /// absolute).
    pub fn matches(&self, path: &Path) -> bool {
        if self.matches_file_name {
            return path
                .file_name()
                .is_some_and(|name| self.matcher.is_match(Path::new(name)));
        }
        self.matcher.is_match(normalise(&absolute(path)))
    }
}

/// Returns the first rule that matches `path`.
pub(crate) fn find_rule<'r>(rules: &'r [SourceRule], path: &Path) -> Option<&'r SourceRule> {
    rules.iter().find(|rule| rule.matches(path))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and resolves `..` without touching the file system, so that
/// `logs/../logs/a.log` matches a rule for `logs/*.log`.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut result = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !result.pop() {
                    result.push("..");
                }
            }
            other => result.push(other.as_os_str()),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str, base: &str) -> SourceRule {
        SourceRule::new(pattern, Path::new(base), SourceSettings::default()).unwrap()
    }

    #[test]
    fn relative_patterns_start_at_the_base_folder() {
        let rule = rule("logs/**/*.log", "/srv/project");
        assert!(rule.matches(Path::new("/srv/project/logs/a.log")));
        assert!(rule.matches(Path::new("/srv/project/logs/web/b.log")));
        assert!(rule.matches(Path::new("/srv/project/logs/web/../c.log")));
        assert!(!rule.matches(Path::new("/srv/project/other/a.log")));
        assert!(!rule.matches(Path::new("/srv/project/logs/a.txt")));
    }

    #[test]
    fn single_star_stays_in_one_folder() {
        let rule = rule("logs/*.log", "/srv");
        assert!(rule.matches(Path::new("/srv/logs/a.log")));
        assert!(!rule.matches(Path::new("/srv/logs/web/a.log")));
    }

    #[test]
    fn patterns_without_slash_match_file_names() {
        let rule = rule("*.evtx", "/srv");
        assert!(rule.matches(Path::new("/anywhere/deep/x.evtx")));
        assert!(rule.matches(Path::new("x.evtx")));
        assert!(!rule.matches(Path::new("/anywhere/x.xml")));
    }

    #[test]
    fn invalid_pattern_is_an_error() {
        let error =
            SourceRule::new("logs/[a", Path::new("/srv"), SourceSettings::default()).unwrap_err();
        assert!(error.contains("logs/[a"), "{error}");
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = vec![rule("*.log", "/"), rule("/var/**", "/")];
        let found = find_rule(&rules, Path::new("/var/log/syslog.log")).unwrap();
        assert_eq!(found.pattern(), "*.log");
        assert_eq!(
            find_rule(&rules, Path::new("/var/log/syslog"))
                .unwrap()
                .pattern(),
            "/var/**"
        );
        assert!(find_rule(&rules, Path::new("/tmp/x")).is_none());
    }
}
