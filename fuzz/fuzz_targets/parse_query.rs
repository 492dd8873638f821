//! Feeds arbitrary text to the parser. Neither the parser nor the compiler
//! may panic, and every diagnostic must point inside the text and render.
//! A query that parses must print with `format_query` as text that parses
//! to the same tree (spans aside) and prints the same again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sumoql_syntax::{format_query, parse_query, Diagnostic};

fn check_diagnostics(diagnostics: &[Diagnostic], text: &str) {
    for diagnostic in diagnostics {
        assert!(
            diagnostic.span.start <= diagnostic.span.end,
            "reversed span"
        );
        assert!(diagnostic.span.end <= text.len(), "span past the end");
        let _ = diagnostic.render("fuzz.sumo", text, false);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let query = match parse_query(text) {
        Ok(query) => query,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "an error without a diagnostic");
            check_diagnostics(&diagnostics, text);
            return;
        }
    };
    if let Err(diagnostics) = sumoql_engine::compile(&query) {
        check_diagnostics(&diagnostics, text);
    }

    // `Spanned` leaves spans out of its `Debug` output, so equal `Debug`
    // text means equal trees apart from positions.
    let formatted = format_query(&query);
    let reparsed = match parse_query(&formatted) {
        Ok(reparsed) => reparsed,
        Err(diagnostics) => panic!(
            "formatted query does not parse: {:?}\nformatted:\n{formatted}\nfrom:\n{text}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    };
    assert_eq!(
        format!("{reparsed:?}"),
        format!("{query:?}"),
        "formatted query parses to another tree\nformatted:\n{formatted}\nfrom:\n{text}"
    );
    assert_eq!(
        format_query(&reparsed),
        formatted,
        "formatting is not stable"
    );
});
