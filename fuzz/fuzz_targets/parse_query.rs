//! Feeds arbitrary text to the parser, and whatever parses to the compiler:
//! neither may panic, and every diagnostic must point inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match sumoql_syntax::parse_query(text) {
        Ok(query) => {
            if let Err(diagnostics) = sumoql_engine::compile(&query) {
                for diagnostic in diagnostics {
                    assert!(diagnostic.span.end <= text.len(), "compile span past the end");
                }
            }
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "an error without a diagnostic");
            for diagnostic in &diagnostics {
                assert!(diagnostic.span.start <= diagnostic.span.end, "reversed span");
                assert!(diagnostic.span.end <= text.len(), "span past the end");
                let _ = diagnostic.render("fuzz.sumo", text, false);
            }
        }
    }
});
