//! Measures the parser on the corpus of real Sumo Logic queries: the share
//! that parses, the share that `sumoql_engine::compile` accepts, and the most
//! common causes of failure, grouped by the construct where they occur.
//!
//! ```text
//! cargo run --release -p sumoql-syntax --example corpus -- [--top N] [--failures SUBSET]
//! ```
//!
//! The corpus run has no lookup tables, so each query compiles against a
//! stand-in table for every `lookup` stage: an empty table with a column
//! for every name the query's `lookup` stages mention. The compile rate thus
//! counts the queries that compile given a lookup directory holding their
//! tables; `sumoql run` without `--lookup-dir` rejects a `lookup` stage.
//!
//! `--top N` sets how many causes to list (default 25); `--failures SUBSET`
//! (`main`, `templated` or `fragments`) also prints every query of that
//! subset that fails to parse, with its first diagnostic. The corpus is found
//! as in the tests: `$SUMOQL_SHARED/corpus/sumo-queries`, or `../shared`
//! beside the repository.

#[path = "../tests/corpus_files/mod.rs"]
mod corpus_files;

use std::collections::HashMap;
use std::process::ExitCode;

use corpus_files::{CorpusQuery, Subset};
use sumoql_engine::{LookupSource, LookupTable};
use sumoql_syntax::ast::{Query, Stage};
use sumoql_syntax::{line_column, parse_query, Diagnostic};

const SUBSETS: [Subset; 3] = [Subset::Main, Subset::Templated, Subset::Fragments];

#[derive(Default)]
struct Counts {
    total: usize,
    parsed: usize,
    compiled: usize,
}

/// Failures that share a construct and a message shape.
struct Cause {
    count: usize,
    example: String,
}

fn main() -> ExitCode {
    let options = match Options::from_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("usage: corpus [--top N] [--failures main|templated|fragments]");
            return ExitCode::from(2);
        }
    };
    let Some(corpus) = corpus_files::corpus_dir() else {
        eprintln!("skipping: the query corpus is absent; set SUMOQL_SHARED to the shared folder");
        return ExitCode::SUCCESS;
    };
    let queries = match corpus_files::load(&corpus) {
        Ok(queries) => queries,
        Err(error) => {
            eprintln!("error: failed to read {}: {error}", corpus.display());
            return ExitCode::from(2);
        }
    };

    let mut counts: HashMap<Subset, Counts> = HashMap::new();
    let mut parse_causes: HashMap<(Subset, String), Cause> = HashMap::new();
    let mut compile_causes: HashMap<String, Cause> = HashMap::new();

    for query in &queries {
        let subset_counts = counts.entry(query.subset).or_default();
        subset_counts.total += 1;
        match parse_query(&query.text) {
            Ok(tree) => {
                subset_counts.parsed += 1;
                let lookups = StandInLookups::for_query(&tree);
                match sumoql_engine::compile_with(&tree, Some(&lookups)) {
                    Ok(_) => subset_counts.compiled += 1,
                    Err(diagnostics) => {
                        if query.subset != Subset::Fragments {
                            record_cause(&mut compile_causes, query, &diagnostics[0]);
                        }
                    }
                }
            }
            Err(diagnostics) => {
                let first = &diagnostics[0];
                record_cause_by_subset(&mut parse_causes, query, first);
                if options.failures == Some(query.subset) {
                    println!("{}: {}", location(query, first), first.message);
                }
            }
        }
    }

    println!("corpus: {} ({} queries)", corpus.display(), queries.len());
    println!(
        "{:<10} {:>7} {:>16} {:>16}",
        "subset", "queries", "parsed", "compiled"
    );
    for subset in SUBSETS {
        let Some(subset_counts) = counts.get(&subset) else {
            continue;
        };
        println!(
            "{:<10} {:>7} {:>16} {:>16}",
            subset.to_string(),
            subset_counts.total,
            ratio(subset_counts.parsed, subset_counts.total),
            ratio(subset_counts.compiled, subset_counts.total),
        );
    }

    for subset in SUBSETS {
        let causes: Vec<(&String, &Cause)> = parse_causes
            .iter()
            .filter(|((cause_subset, _), _)| *cause_subset == subset)
            .map(|((_, key), cause)| (key, cause))
            .collect();
        print_causes(&format!("parse failures, {subset}"), causes, options.top);
    }
    print_causes(
        "compile failures of parsed queries, main and templated",
        compile_causes.iter().collect(),
        options.top,
    );
    ExitCode::SUCCESS
}

/// Empty lookup tables whose columns are every name that the `lookup`
/// stages of one query use, as a key or as an output column.
struct StandInLookups {
    columns: Vec<String>,
}

impl StandInLookups {
    fn for_query(query: &Query) -> StandInLookups {
        let mut columns = Vec::new();
        collect_lookup_names(query, &mut columns);
        StandInLookups { columns }
    }
}

impl LookupSource for StandInLookups {
    fn load(&self, _path: &str) -> Result<LookupTable, String> {
        Ok(LookupTable {
            columns: self.columns.clone(),
            rows: Vec::new(),
        })
    }
}

fn collect_lookup_names(query: &Query, names: &mut Vec<String>) {
    for stage in &query.stages {
        match &stage.node {
            Stage::Lookup(lookup) => {
                let outputs = lookup
                    .columns
                    .iter()
                    .map(|item| item.node.name.clone())
                    .filter(|name| name != "*");
                let keys = lookup
                    .on
                    .iter()
                    .flat_map(|key| [key.node.left.clone(), key.node.right.clone()]);
                names.extend(outputs.chain(keys));
            }
            Stage::Union(sub) => collect_lookup_names(&sub.node, names),
            _ => {}
        }
    }
}

struct Options {
    top: usize,
    failures: Option<Subset>,
}

impl Options {
    fn from_args() -> Result<Options, String> {
        let mut options = Options {
            top: 25,
            failures: None,
        };
        let mut arguments = std::env::args().skip(1);
        while let Some(argument) = arguments.next() {
            let value = arguments.next();
            match (argument.as_str(), value.as_deref()) {
                ("--top", Some(count)) => {
                    options.top = count
                        .parse()
                        .map_err(|_| format!("invalid count `{count}` for --top"))?;
                }
                ("--failures", Some(name)) => {
                    options.failures = Some(match name {
                        "main" => Subset::Main,
                        "templated" => Subset::Templated,
                        "fragments" => Subset::Fragments,
                        other => return Err(format!("unknown subset `{other}`")),
                    });
                }
                (other, _) => return Err(format!("unknown or incomplete option `{other}`")),
            }
        }
        Ok(options)
    }
}

fn ratio(part: usize, total: usize) -> String {
    let percent = if total == 0 {
        0.0
    } else {
        100.0 * part as f64 / total as f64
    };
    format!("{part} ({percent:.2}%)")
}

fn location(query: &CorpusQuery, diagnostic: &Diagnostic) -> String {
    let (line, column) = line_column(&query.text, diagnostic.span.start);
    format!("{}:{line}:{column}", query.name)
}

fn record_cause_by_subset(
    causes: &mut HashMap<(Subset, String), Cause>,
    query: &CorpusQuery,
    diagnostic: &Diagnostic,
) {
    let key = (query.subset, cause_key(&query.text, diagnostic));
    let cause = causes.entry(key).or_insert_with(|| Cause {
        count: 0,
        example: format!("{}: {}", location(query, diagnostic), diagnostic.message),
    });
    cause.count += 1;
}

fn record_cause(causes: &mut HashMap<String, Cause>, query: &CorpusQuery, diagnostic: &Diagnostic) {
    let cause = causes
        .entry(cause_key(&query.text, diagnostic))
        .or_insert_with(|| Cause {
            count: 0,
            example: format!("{}: {}", location(query, diagnostic), diagnostic.message),
        });
    cause.count += 1;
}

/// Groups a diagnostic by the construct it occurs in, the first word of its
/// pipe stage or `scope`, and by its message with quoted tokens elided.
fn cause_key(text: &str, diagnostic: &Diagnostic) -> String {
    let start = diagnostic.span.start.min(text.len());
    let construct = match text[..start].rfind('|') {
        Some(pipe) => {
            let stage = text[pipe + 1..].trim_start();
            let word_len = stage
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(stage.len());
            if word_len == 0 {
                stage.chars().next().map_or(String::new(), String::from)
            } else {
                stage[..word_len].to_ascii_lowercase()
            }
        }
        None => "scope".to_string(),
    };

    let mut message = String::new();
    for (index, part) in diagnostic.message.split('`').enumerate() {
        if index % 2 == 0 {
            message.push_str(part);
        } else {
            message.push_str("`…`");
        }
    }
    format!("{construct:<16} {message}")
}

fn print_causes(title: &str, mut causes: Vec<(&String, &Cause)>, top: usize) {
    if causes.is_empty() {
        return;
    }
    causes.sort_by(|left, right| right.1.count.cmp(&left.1.count).then(left.0.cmp(right.0)));
    println!("\ntop {title}:");
    for (key, cause) in causes.iter().take(top) {
        println!("{:>6}  {key}\n        e.g. {}", cause.count, cause.example);
    }
}
