//! Reads JSON documents whose values span lines: pretty-printed objects one after
//! another (as `jq .` prints them), or one array of objects (as Winlogbeat's test files
//! and many exports hold). Each object is one record. The values are found by scanning
//! for balanced braces outside strings, so a broken value costs only itself.

use std::collections::VecDeque;
use std::io::{self, BufRead};

use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{Item, Position};
use crate::text::position;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The object being collected.
struct OpenValue {
    position: Position,
    bytes: Vec<u8>,
    depth: usize,
    in_string: bool,
    escaped: bool,
    too_long: bool,
}

pub(crate) struct JsonDocumentReader<R> {
    reader: R,
    origin: Origin,
    open: Option<OpenValue>,
    /// Whether the document is an array whose elements are the records.
    in_array: bool,
    /// Whether anything other than blank space has been seen.
    started: bool,
    /// A line with text outside any value, reported once.
    junk_line: Option<u64>,
    line: u64,
    offset: u64,
    queue: VecDeque<Item>,
    finished: bool,
}

impl<R: BufRead> JsonDocumentReader<R> {
    pub(crate) fn new(reader: R, origin: Origin) -> Self {
        JsonDocumentReader {
            reader,
            origin,
            open: None,
            in_array: false,
            started: false,
            junk_line: None,
            line: 1,
            offset: 0,
            queue: VecDeque::new(),
            finished: false,
        }
    }

    /// Scans the next buffered chunk. Returns `false` at the end of the input.
    fn scan_chunk(&mut self) -> io::Result<bool> {
        let chunk = self.reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(false);
        }
        let mut chunk = chunk.to_vec();
        let length = chunk.len();
        if self.offset == 0 && chunk.starts_with(UTF8_BOM) {
            chunk.drain(..UTF8_BOM.len());
            self.offset = UTF8_BOM.len() as u64;
        }
        for byte in chunk {
            self.scan_byte(byte);
            self.offset += 1;
            if byte == b'\n' {
                self.line += 1;
            }
        }
        self.reader.consume(length);
        Ok(true)
    }

    fn scan_byte(&mut self, byte: u8) {
        if let Some(open) = self.open.as_mut() {
            if open.bytes.len() >= self.origin.max_record_bytes {
                open.too_long = true;
            }
            if !open.too_long {
                open.bytes.push(byte);
            }
            if open.in_string {
                if open.escaped {
                    open.escaped = false;
                } else if byte == b'\\' {
                    open.escaped = true;
                } else if byte == b'"' {
                    open.in_string = false;
                }
                return;
            }
            match byte {
                b'"' => open.in_string = true,
                b'{' | b'[' => open.depth += 1,
                b'}' | b']' => {
                    open.depth -= 1;
                    if open.depth == 0 {
                        self.finish_value();
                    }
                }
                _ => {}
            }
            return;
        }

        match byte {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => {}
            b'[' if !self.started => {
                self.in_array = true;
                self.started = true;
            }
            b']' if self.in_array => self.in_array = false,
            b'{' => {
                self.started = true;
                self.open = Some(OpenValue {
                    position: position(self.line, self.offset),
                    bytes: vec![b'{'],
                    depth: 1,
                    in_string: false,
                    escaped: false,
                    too_long: false,
                });
            }
            _ => {
                self.started = true;
                if self.junk_line != Some(self.line) {
                    self.junk_line = Some(self.line);
                    let item = self.origin.malformed(
                        position(self.line, self.offset),
                        "text outside any JSON object",
                    );
                    self.queue.push_back(item);
                }
            }
        }
    }

    fn finish_value(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let item = if open.too_long {
            let reason = format!(
                "JSON value is longer than {} bytes",
                self.origin.max_record_bytes
            );
            self.origin.malformed(open.position, reason)
        } else {
            self.origin.item_from_bytes(&open.bytes, open.position)
        };
        self.queue.push_back(item);
    }
}

impl<R: BufRead> Iterator for JsonDocumentReader<R> {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match self.scan_chunk() {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    if let Some(open) = self.open.take() {
                        let item = self
                            .origin
                            .malformed(open.position, "the input ends inside a JSON value");
                        self.queue.push_back(item);
                    }
                }
                Err(source) => {
                    self.finished = true;
                    let path = self.origin.path.clone();
                    return Some(Err(ReadError::Io { path, source }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::tests::test_origin;
    use crate::record::InputFormat;

    fn read(text: &str) -> Vec<String> {
        JsonDocumentReader::new(text.as_bytes(), test_origin(InputFormat::Json))
            .map(|item| match item.unwrap() {
                Item::Record(record) => format!(
                    "{}@{} {}",
                    record.position.line_or_record,
                    record.position.byte_offset,
                    record.raw().replace('\n', "|")
                ),
                Item::Malformed(malformed) => format!(
                    "malformed {}@{} {}",
                    malformed.position.line_or_record,
                    malformed.position.byte_offset,
                    malformed.reason
                ),
            })
            .collect()
    }

    #[test]
    fn pretty_printed_objects() {
        let text = "{\n  \"a\": \"x}\\\"{\",\n  \"b\": [1, {\"c\": 2}]\n}\n{\"d\": 3}\n";
        assert_eq!(
            read(text),
            vec![
                "1@0 {|  \"a\": \"x}\\\"{\",|  \"b\": [1, {\"c\": 2}]|}",
                "5@41 {\"d\": 3}"
            ]
        );
    }

    #[test]
    fn array_of_objects() {
        let text = "\u{FEFF}[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n";
        assert_eq!(read(text), vec!["2@7 {\"a\": 1}", "3@19 {\"a\": 2}"]);
    }

    #[test]
    fn junk_and_truncated_values() {
        let text = "{\"a\": 1}\nnot json\n{\"b\": ";
        assert_eq!(
            read(text),
            vec![
                "1@0 {\"a\": 1}",
                "malformed 2@9 text outside any JSON object",
                "malformed 3@18 the input ends inside a JSON value",
            ]
        );
    }
}
