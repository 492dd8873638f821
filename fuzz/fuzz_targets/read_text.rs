//! Feeds text to the readers through `Inputs::from_bytes`. The first byte
//! picks the reader and options, the rest is the input:
//!
//! - low nibble 0: Windows event XML, one event per line;
//! - 1: Windows event XML inside an `<Events>` document;
//! - 2 to 6: the JSON shapes `evtx-json`, `sumo-json`, `flat-json`,
//!   `winlogbeat` and generic `json` (one value per line or a document);
//! - 7: syslog; 8: plain text; 9: plain text with a multi-line start
//!   pattern; others: the format recognised from the content;
//! - bit 0x10: `_raw` as read instead of canonical;
//! - bit 0x20: records decoded after reading (`defer_decoding`).
//!
//! Besides the checks of `sumoql_fuzz::read_and_check`, plain text and
//! syslog must yield exactly one item per non-blank line, or per message
//! with a start pattern, so no line is lost.

#![no_main]

use libfuzzer_sys::fuzz_target;
use regex::Regex;
use sumoql_fuzz::read_and_check;
use sumoql_input::{InputFormat, RawMode, ReadOptions};

/// Lines that start with a digit start a message in mode 9.
const START_PATTERN: &str = r"^\d";

/// Inputs that start with one of these are decompressed, converted from
/// UTF-16 or read as something other than text, so their lines are not
/// the lines of the text that is read.
const SIGNATURES: [&[u8]; 7] = [
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
    b"ElfFile\0",
];

/// Returns the 1-based numbers of the lines that start a message: every
/// non-blank line, or with `start_pattern` the first non-blank line and
/// every later one that matches.
fn message_lines(text: &[u8], start_pattern: Option<&Regex>) -> Vec<u64> {
    let mut lines = Vec::new();
    for (index, line) in text.split(|&byte| byte == b'\n').enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let starts = match start_pattern {
            None => true,
            Some(pattern) => lines.is_empty() || pattern.is_match(&String::from_utf8_lossy(line)),
        };
        if starts {
            lines.push(index as u64 + 1);
        }
    }
    lines
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = data.split_first() else {
        return;
    };
    let mut options = ReadOptions {
        raw: if selector & 0x10 != 0 {
            RawMode::Original
        } else {
            RawMode::Canonical
        },
        defer_decoding: selector & 0x20 != 0,
        ..ReadOptions::default()
    };
    let mut bytes = text.to_vec();
    match selector & 0x0f {
        0 => options.format = Some(InputFormat::WindowsXml),
        1 => {
            options.format = Some(InputFormat::WindowsXml);
            bytes = [
                &b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n"[..],
                text,
                b"\n</Events>\n",
            ]
            .concat();
        }
        2 => options.format = Some(InputFormat::EvtxJson),
        3 => options.format = Some(InputFormat::SumoJson),
        4 => options.format = Some(InputFormat::FlatJson),
        5 => options.format = Some(InputFormat::Winlogbeat),
        6 => options.format = Some(InputFormat::Json),
        7 => options.format = Some(InputFormat::Syslog),
        8 => options.format = Some(InputFormat::Text),
        9 => {
            options.format = Some(InputFormat::Text);
            options.multiline = Some(Regex::new(START_PATTERN).expect("valid pattern"));
        }
        _ => {}
    }

    let counted_by_line = matches!(
        options.format,
        Some(InputFormat::Syslog | InputFormat::Text)
    ) && !SIGNATURES
        .iter()
        .any(|signature| text.starts_with(signature));
    let expected_lines = counted_by_line.then(|| message_lines(text, options.multiline.as_ref()));

    let outcome = read_and_check(bytes, options);

    if let Some(expected_lines) = expected_lines {
        assert_eq!(outcome.errors, 0, "plain text gave an error");
        assert_eq!(
            outcome.item_lines, expected_lines,
            "items do not match the lines that start messages"
        );
    }
});
