//! Loading the corpus of real Sumo Logic queries kept outside the repository
//! (its licences differ from ours), shared by the corpus test and the
//! `corpus` example.
//!
//! The shared folder is `$SUMOQL_SHARED`, or `../shared` beside the
//! repository. Inside it, `corpus/sumo-queries/<source>/NNNN.sumo` are plain
//! queries, `<source>/templated/` hold template placeholders and
//! `<source>/fragments/` are pipelines without a scope.

#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};

use sumoql_syntax::substitute_placeholders;

/// The three parts of the corpus, measured separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subset {
    Main,
    Templated,
    Fragments,
}

impl fmt::Display for Subset {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Subset::Main => "main",
            Subset::Templated => "templated",
            Subset::Fragments => "fragments",
        })
    }
}

pub struct CorpusQuery {
    /// Path relative to the corpus folder, such as `sumologic-content/0001.sumo`.
    pub name: String,
    pub subset: Subset,
    /// The file as stored.
    pub original: String,
    /// The text to parse: placeholders substituted in templated queries, and
    /// `| ` put before a fragment that does not start with `|`.
    pub text: String,
}

/// Returns the corpus folder, or `None` when the shared folder is absent.
pub fn corpus_dir() -> Option<PathBuf> {
    let shared = match std::env::var_os("SUMOQL_SHARED") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let corpus = shared.join("corpus/sumo-queries");
    corpus.is_dir().then_some(corpus)
}

/// Reads every `.sumo` file of the corpus, in path order.
pub fn load(corpus: &Path) -> std::io::Result<Vec<CorpusQuery>> {
    let mut queries = Vec::new();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(corpus)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    sources.retain(|path| path.is_dir());
    sources.sort();

    for source in sources {
        for (folder, subset) in [
            (source.clone(), Subset::Main),
            (source.join("templated"), Subset::Templated),
            (source.join("fragments"), Subset::Fragments),
        ] {
            if !folder.is_dir() {
                continue;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)?
                .map(|entry| entry.map(|entry| entry.path()))
                .collect::<Result<_, _>>()?;
            files.retain(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "sumo")
            });
            files.sort();
            for file in files {
                let original = std::fs::read_to_string(&file)?;
                let name = file
                    .strip_prefix(corpus)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .into_owned();
                let text = prepare(&original, subset);
                queries.push(CorpusQuery {
                    name,
                    subset,
                    original,
                    text,
                });
            }
        }
    }
    Ok(queries)
}

fn prepare(original: &str, subset: Subset) -> String {
    match subset {
        Subset::Main => original.to_string(),
        Subset::Templated => substitute_placeholders(original),
        Subset::Fragments => {
            if original.trim_start().starts_with('|') {
                original.to_string()
            } else {
                format!("| {original}")
            }
        }
    }
}
