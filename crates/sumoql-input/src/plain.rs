//! Reads plain text logs: one message per line, or, with a start pattern, one message
//! per line that matches it together with the lines that follow up to the next match.
//! A message of several lines keeps the line ends between its lines as read, so `\r\n`
//! stays, because queries written for Windows logs match `\r`.
//! Syslog files read the same way, one message per line, and the origin turns a line
//! that carries an `<Event>` into a Windows event.

use std::collections::VecDeque;
use std::io::BufRead;

use regex::Regex;

use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{Item, Position};
use crate::text::{position, LineReader};

/// A message whose last line may not have been read yet.
struct PendingMessage {
    position: Position,
    bytes: Vec<u8>,
    too_long: bool,
}

pub(crate) struct TextReader<R> {
    lines: LineReader<R>,
    origin: Origin,
    /// The pattern of a message's first line; `None` makes every line a message.
    start_pattern: Option<Regex>,
    pending: Option<PendingMessage>,
    queue: VecDeque<Item>,
    finished: bool,
}

impl<R: BufRead> TextReader<R> {
    pub(crate) fn new(reader: R, origin: Origin, start_pattern: Option<Regex>) -> Self {
        TextReader {
            lines: LineReader::new(reader, origin.max_record_bytes),
            origin,
            start_pattern,
            pending: None,
            queue: VecDeque::new(),
            finished: false,
        }
    }

    /// Reads one line and queues the messages it completes. Returns `false` at the end.
    fn read_next_line(&mut self) -> std::io::Result<bool> {
        let Some(line) = self.lines.read_line()? else {
            return Ok(false);
        };
        let line_position = position(line.number, line.offset);
        if line.truncated {
            self.finish_pending();
            let reason = format!("line is longer than {} bytes", self.origin.max_record_bytes);
            self.queue
                .push_back(self.origin.malformed(line_position, reason));
            return Ok(true);
        }

        let bytes = self.lines.take_buffer();
        self.add_line(&bytes, line_position);
        self.lines.restore_buffer(bytes);
        Ok(true)
    }

    /// Adds one line, `line` with its line end, to the message it belongs to.
    fn add_line(&mut self, line: &[u8], line_position: Position) {
        let content = strip_line_end(line);
        let blank = content.trim_ascii().is_empty();
        let Some(start_pattern) = &self.start_pattern else {
            if !blank {
                let item = self.origin.item_from_bytes(content, line_position);
                self.queue.push_back(item);
            }
            return;
        };

        // A line that is not valid UTF-8 is matched on its lossy decoding.
        let starts_message = !blank && start_pattern.is_match(&String::from_utf8_lossy(content));
        match self.pending.as_mut() {
            Some(pending) if !starts_message => {
                if pending.bytes.len() + line.len() > self.origin.max_record_bytes {
                    pending.too_long = true;
                }
                if !pending.too_long {
                    pending.bytes.extend_from_slice(line);
                }
            }
            _ if blank => {}
            _ => {
                self.finish_pending();
                self.pending = Some(PendingMessage {
                    position: line_position,
                    bytes: line.to_vec(),
                    too_long: false,
                });
            }
        }
    }

    fn finish_pending(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let item = if pending.too_long {
            let reason = format!(
                "message is longer than {} bytes",
                self.origin.max_record_bytes
            );
            self.origin.malformed(pending.position, reason)
        } else {
            let end = pending.bytes.trim_ascii_end().len();
            self.origin
                .item_from_bytes(&pending.bytes[..end], pending.position)
        };
        self.queue.push_back(item);
    }
}

/// Returns a line without its `\n` or `\r\n` ending.
fn strip_line_end(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

impl<R: BufRead> Iterator for TextReader<R> {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match self.read_next_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    self.finish_pending();
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

    fn read(text: &str, pattern: Option<&str>) -> Vec<String> {
        let origin = test_origin(InputFormat::Text);
        let pattern = pattern.map(|pattern| Regex::new(pattern).unwrap());
        TextReader::new(text.as_bytes(), origin, pattern)
            .map(|item| match item.unwrap() {
                Item::Record(record) => format!(
                    "{}@{} {}",
                    record.position.line_or_record,
                    record.position.byte_offset,
                    record.raw()
                ),
                Item::Malformed(malformed) => format!("malformed {}", malformed.reason),
            })
            .collect()
    }

    #[test]
    fn one_message_per_line() {
        let lines = read(
            "first line\r\n\n  \nsecond line\nlast without newline",
            None,
        );
        assert_eq!(
            lines,
            vec![
                "1@0 first line",
                "4@16 second line",
                "5@28 last without newline"
            ]
        );
    }

    #[test]
    fn start_pattern_joins_continuation_lines() {
        let text = "stray before any start\n\
                    2026-03-01 10:00:00 ERROR failed\n\
                    \tat Worker.run(Worker.java:42)\n\
                    \n\
                    \tat Thread.run(Thread.java:750)\n\
                    2026-03-01 10:00:01 INFO recovered\n\
                    \n";
        let lines = read(text, Some(r"^\d{4}-\d{2}-\d{2} "));
        assert_eq!(
            lines,
            vec![
                "1@0 stray before any start",
                "2@23 2026-03-01 10:00:00 ERROR failed\n\tat Worker.run(Worker.java:42)\n\n\tat Thread.run(Thread.java:750)",
                "6@120 2026-03-01 10:00:01 INFO recovered",
            ]
        );
    }

    #[test]
    fn multiline_message_keeps_crlf_between_lines() {
        let text = "instance of Win32_NTLogEvent\r\n\
                    {\r\n\
                    \tMessage = \"A user account was created.\r\n\
                    \r\n\
                    \tAccount Name:\t\tsvc.deploy\r\n\
                    };\r\n\
                    instance of Win32_NTLogEvent\r\n\
                    };\r\n";
        let lines = read(text, Some("^instance of "));
        assert_eq!(
            lines,
            vec![
                "1@0 instance of Win32_NTLogEvent\r\n{\r\n\tMessage = \"A user account was created.\r\n\r\n\tAccount Name:\t\tsvc.deploy\r\n};",
                "7@108 instance of Win32_NTLogEvent\r\n};",
            ]
        );
    }

    #[test]
    fn long_line_is_malformed() {
        let text = format!(
            "ok\n{}\nafter\n",
            "x".repeat(crate::record::DEFAULT_MAX_RECORD_BYTES + 10)
        );
        let lines = read(&text, None);
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].starts_with("malformed line is longer"),
            "{}",
            lines[1]
        );
        assert!(lines[2].ends_with(" after"));
    }
}
