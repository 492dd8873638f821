//! The parser and formatter over the corpus of real Sumo Logic queries kept
//! outside the repository: the share that parses stays above its floor, and
//! every query that parses survives formatting unchanged.
//!
//! When the corpus is absent the tests print `skipping: …` and pass.

mod common;
mod corpus_files;

use corpus_files::{CorpusQuery, Subset};
use sumoql_syntax::{format_query, parse_query};

/// Minimum parse rates, in percent, that the corpus measurement must keep:
/// main queries as stored, templated ones after placeholder substitution.
const MAIN_PARSE_FLOOR: f64 = 99.0;
const TEMPLATED_PARSE_FLOOR: f64 = 98.0;

/// How many failing queries a failure message lists.
const SHOWN_FAILURES: usize = 10;

fn load_corpus() -> Option<Vec<CorpusQuery>> {
    let Some(corpus) = corpus_files::corpus_dir() else {
        println!("skipping: the query corpus is absent; set SUMOQL_SHARED to the shared folder");
        return None;
    };
    Some(corpus_files::load(&corpus).expect("the corpus files are readable"))
}

fn parse_rate(queries: &[CorpusQuery], subset: Subset) -> f64 {
    let selected: Vec<&CorpusQuery> = queries
        .iter()
        .filter(|query| query.subset == subset)
        .collect();
    let parsed = selected
        .iter()
        .filter(|query| parse_query(&query.text).is_ok())
        .count();
    100.0 * parsed as f64 / selected.len().max(1) as f64
}

#[test]
fn corpus_parse_rates_stay_above_floor() {
    let Some(queries) = load_corpus() else {
        return;
    };

    let main = parse_rate(&queries, Subset::Main);
    assert!(
        main >= MAIN_PARSE_FLOOR,
        "main queries parse rate {main:.2}% is below {MAIN_PARSE_FLOOR}%"
    );
    let templated = parse_rate(&queries, Subset::Templated);
    assert!(
        templated >= TEMPLATED_PARSE_FLOOR,
        "templated queries parse rate {templated:.2}% is below {TEMPLATED_PARSE_FLOOR}%"
    );
}

/// `parse(format(parse(q))) == parse(q)`, comparing the trees through
/// `Debug`, which leaves spans out; formatting is idempotent; and every span
/// lies inside its parent's.
#[test]
fn corpus_round_trips_through_formatter() {
    let Some(queries) = load_corpus() else {
        return;
    };

    let mut checked = 0;
    let mut failures = Vec::new();
    for query in &queries {
        let Ok(tree) = parse_query(&query.text) else {
            continue;
        };
        checked += 1;
        let spans_valid =
            std::panic::catch_unwind(|| common::check_spans(&query.text, &tree)).is_ok();
        if !spans_valid {
            failures.push(format!(
                "{}: a span is outside its parent or has surrounding whitespace",
                query.name
            ));
        }
        let formatted = format_query(&tree);
        match parse_query(&formatted) {
            Ok(reparsed) if format!("{reparsed:?}") == format!("{tree:?}") => {
                let again = format_query(&reparsed);
                if again != formatted {
                    failures.push(format!(
                        "{}: formatting twice differs:\n{formatted}\n---\n{again}",
                        query.name
                    ));
                }
            }
            Ok(_) => failures.push(format!(
                "{}: the tree changed; formatted text:\n{formatted}",
                query.name
            )),
            Err(diagnostics) => failures.push(format!(
                "{}: the formatted text does not parse: {}\n{formatted}",
                query.name, diagnostics[0].message
            )),
        }
    }

    assert!(checked > 0, "no corpus query parsed");
    assert!(
        failures.is_empty(),
        "{} of {checked} queries do not round-trip; the first ones:\n\n{}",
        failures.len(),
        failures
            .iter()
            .take(SHOWN_FAILURES)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
