//! Streaming readers for Windows event XML and JSON lines, and the line reader that the
//! other text readers share.

use std::collections::VecDeque;
use std::io::{self, BufRead};
use std::sync::LazyLock;

use memchr::memmem;

use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{Item, Position};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const EVENT_START: &[u8] = b"<Event";
const EVENT_END: &[u8] = b"</Event>";
const EVENT_NAME: &[u8] = b"Event";

/// Searchers built once: building one for each line cost as much as the search.
static EVENT_START_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(EVENT_START));
static EVENT_NAME_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(EVENT_NAME));

/// One line of input. Its bytes, line break included, are in [`LineReader::bytes`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub(crate) number: u64,
    pub(crate) offset: u64,
    /// The line was longer than the limit and its bytes stop there.
    pub(crate) truncated: bool,
}

/// Reads lines of at most `max_len` bytes, counting line numbers and byte offsets. A UTF-8
/// byte order mark at the start of the input is skipped.
pub(crate) struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    max_len: usize,
    next_number: u64,
    next_offset: u64,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(reader: R, max_len: usize) -> Self {
        LineReader {
            reader,
            buffer: Vec::new(),
            max_len,
            next_number: 1,
            next_offset: 0,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buffer
    }

    /// Takes the last line's bytes out, to be handed back with [`Self::restore_buffer`]
    /// so the allocation is reused.
    pub(crate) fn take_buffer(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buffer)
    }

    pub(crate) fn restore_buffer(&mut self, buffer: Vec<u8>) {
        self.buffer = buffer;
    }

    pub(crate) fn read_line(&mut self) -> io::Result<Option<Line>> {
        self.buffer.clear();
        let mut length = 0u64;
        let mut truncated = false;

        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            let (take, found_end) = match memchr::memchr(b'\n', available) {
                Some(index) => (index + 1, true),
                None => (available.len(), false),
            };

            let room = self.max_len.saturating_sub(self.buffer.len());
            if take > room {
                truncated = true;
            }
            self.buffer.extend_from_slice(&available[..take.min(room)]);
            self.reader.consume(take);
            length += take as u64;

            if found_end {
                break;
            }
        }

        if length == 0 {
            return Ok(None);
        }

        let mut line = Line {
            number: self.next_number,
            offset: self.next_offset,
            truncated,
        };
        if line.number == 1 && self.buffer.starts_with(UTF8_BOM) {
            self.buffer.drain(..UTF8_BOM.len());
            line.offset += UTF8_BOM.len() as u64;
        }
        self.next_number += 1;
        self.next_offset += length;
        Ok(Some(line))
    }
}

/// Returns where the first `<Event` start tag begins, skipping `<EventData>`, `<EventID>`,
/// `<Events>` and the like.
pub(crate) fn find_event_start(bytes: &[u8]) -> Option<usize> {
    EVENT_START_FINDER
        .find_iter(bytes)
        .find(|&index| ends_tag_name(bytes.get(index + EVENT_START.len())))
}

/// Reports whether a byte after a tag name ends the name, so that `<Event` followed by
/// it is an `<Event>` start tag. The end of the text (no byte) also ends the name.
fn ends_tag_name(next: Option<&u8>) -> bool {
    next.is_none_or(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
}

/// The first `</Event>` end tag or `<Event` start tag in a text, by where it begins.
#[derive(Debug, PartialEq, Eq)]
enum EventBoundary {
    End(usize),
    Start(usize),
}

/// Returns the first `</Event>` end tag or `<Event` start tag (as [`find_event_start`]
/// finds it) in `bytes`. One search for the name finds both, in fewer instructions
/// than a search for each over one-event-per-line XML (callgrind).
fn find_event_boundary(bytes: &[u8]) -> Option<EventBoundary> {
    EVENT_NAME_FINDER.find_iter(bytes).find_map(|index| {
        let before = &bytes[..index];
        let next = bytes.get(index + EVENT_NAME.len());
        if before.ends_with(b"</") && next == Some(&b'>') {
            Some(EventBoundary::End(index - 2))
        } else if before.ends_with(b"<") && ends_tag_name(next) {
            Some(EventBoundary::Start(index - 1))
        } else {
            None
        }
    })
}

/// An `<Event>` whose end tag has not been read yet.
struct PendingEvent {
    position: Position,
    bytes: Vec<u8>,
    too_long: bool,
}

/// Reads `<Event>…</Event>` elements from Windows event XML text: one event per line as
/// `wevtutil` and the `evtx` crate write it, an `<Events>` document whose events span many
/// lines, or syslog lines whose text contains an event (Sysmon for Linux).
///
/// Text before an event on the same line, such as a syslog header or `<Events>`, is
/// skipped. A line with no event on it may contain only document framing: `<?xml …?>`,
/// `<Events>`, `</Events>`, comments and `evtx_dump`'s `Record N` lines. Anything else on
/// such a line is reported as malformed.
pub(crate) struct XmlEventReader<R> {
    lines: LineReader<R>,
    origin: Origin,
    pending: Option<PendingEvent>,
    in_comment: bool,
    /// Inside the internal subset (`[ … ]`) of a DOCTYPE that began on an earlier line.
    in_doctype: bool,
    queue: VecDeque<Item>,
    finished: bool,
}

impl<R: BufRead> XmlEventReader<R> {
    pub(crate) fn new(reader: R, origin: Origin) -> Self {
        XmlEventReader {
            lines: LineReader::new(reader, origin.max_record_bytes),
            origin,
            pending: None,
            in_comment: false,
            in_doctype: false,
            queue: VecDeque::new(),
            finished: false,
        }
    }

    fn read_next_line(&mut self) -> io::Result<bool> {
        let Some(line) = self.lines.read_line()? else {
            return Ok(false);
        };

        if line.truncated {
            self.fail_pending("the event is not closed before a line that is too long");
            let reason = format!("line is longer than {} bytes", self.origin.max_record_bytes);
            let item = self
                .origin
                .malformed(position(line.number, line.offset), reason);
            self.queue.push_back(item);
            return Ok(true);
        }

        let bytes = std::mem::take(&mut self.lines.buffer);
        self.scan_line(&bytes, line);
        self.lines.buffer = bytes;
        Ok(true)
    }

    fn scan_line(&mut self, bytes: &[u8], line: Line) {
        let mut cursor = 0;

        while cursor < bytes.len() {
            let rest = &bytes[cursor..];

            if self.pending.is_some() {
                cursor += self.continue_event(rest);
            } else if self.in_comment {
                match memmem::find(rest, b"-->") {
                    Some(index) => {
                        self.in_comment = false;
                        cursor += index + 3;
                    }
                    None => cursor = bytes.len(),
                }
            } else if self.in_doctype {
                // An event ends the subset too, so an unclosed DOCTYPE cannot hide events.
                let subset_end = find_internal_subset_end(rest);
                let event_start = find_event_start(rest);
                match (subset_end, event_start) {
                    (Some(end), start) if start.is_none_or(|start| end <= start) => {
                        self.in_doctype = false;
                        cursor += end;
                    }
                    (_, Some(_)) => self.in_doctype = false,
                    _ => cursor = bytes.len(),
                }
            } else if let Some(doctype) = doctype_with_declarations(rest) {
                let item = self.origin.malformed(
                    position(line.number, line.offset + cursor as u64),
                    DOCTYPE_REASON,
                );
                self.queue.push_back(item);
                match doctype {
                    DoctypeExtent::Closed(length) => cursor += length,
                    DoctypeExtent::Open => {
                        self.in_doctype = true;
                        cursor = bytes.len();
                    }
                }
            } else if let Some(start) = find_event_start(rest) {
                let event_offset = line.offset + (cursor + start) as u64;
                // Most events end on the line they start on, so the rest of the
                // line is room enough.
                let mut event_bytes = Vec::with_capacity(rest.len() - start);
                event_bytes.extend_from_slice(EVENT_START);
                self.pending = Some(PendingEvent {
                    position: position(line.number, event_offset),
                    bytes: event_bytes,
                    too_long: false,
                });
                cursor += start + EVENT_START.len();
            } else {
                match classify_outside_text(rest) {
                    OutsideText::Framing => {}
                    OutsideText::OpenComment => self.in_comment = true,
                    OutsideText::Other => {
                        let item = self.origin.malformed(
                            position(line.number, line.offset + cursor as u64),
                            "text outside any <Event> element",
                        );
                        self.queue.push_back(item);
                    }
                }
                cursor = bytes.len();
            }
        }
    }

    /// Feeds `rest` of a line to the pending event and returns how many bytes it used.
    fn continue_event(&mut self, rest: &[u8]) -> usize {
        match find_event_boundary(rest) {
            Some(EventBoundary::End(end)) => {
                let used = end + EVENT_END.len();
                self.append_to_pending(&rest[..used]);
                self.finish_pending();
                used
            }
            Some(EventBoundary::Start(start)) => {
                self.fail_pending("no </Event> before the next <Event>");
                start
            }
            None => {
                self.append_to_pending(rest);
                rest.len()
            }
        }
    }

    fn append_to_pending(&mut self, bytes: &[u8]) {
        let Some(pending) = self.pending.as_mut() else {
            return;
        };
        if pending.bytes.len() + bytes.len() > self.origin.max_record_bytes {
            pending.too_long = true;
        }
        if !pending.too_long {
            pending.bytes.extend_from_slice(bytes);
        }
    }

    fn finish_pending(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let item = if pending.too_long {
            let reason = format!(
                "event is longer than {} bytes",
                self.origin.max_record_bytes
            );
            self.origin.malformed(pending.position, reason)
        } else {
            self.origin.item_from_vec(pending.bytes, pending.position)
        };
        self.queue.push_back(item);
    }

    fn fail_pending(&mut self, reason: &str) {
        if let Some(pending) = self.pending.take() {
            let item = self.origin.malformed(pending.position, reason);
            self.queue.push_back(item);
        }
    }
}

impl<R: BufRead> Iterator for XmlEventReader<R> {
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
                    self.fail_pending("the input ends inside an <Event> element (no </Event>)");
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

const DOCTYPE_REASON: &str = "DOCTYPE with entity declarations or an external DTD: \
    DTDs are not read, so its entities are not expanded and nothing is fetched";

/// How far a DOCTYPE declaration reaches on its line.
enum DoctypeExtent {
    /// It ends on this line, after this many bytes.
    Closed(usize),
    /// Its internal subset goes on to a later line.
    Open,
}

/// Returns the extent of a DOCTYPE at the start of `text` (after blanks) that declares
/// entities in an internal subset or names an external DTD (`SYSTEM`, `PUBLIC`). A plain
/// `<!DOCTYPE Events>` returns `None` and stays document framing.
fn doctype_with_declarations(text: &[u8]) -> Option<DoctypeExtent> {
    let blanks = text.len() - text.trim_ascii_start().len();
    let declaration = text[blanks..].strip_prefix(b"<!DOCTYPE")?;
    let subset_start = memchr::memchr(b'[', declaration);
    let tag_end = memchr::memchr(b'>', declaration);
    let start = blanks + b"<!DOCTYPE".len();

    match (subset_start, tag_end) {
        (Some(open), tag_end) if tag_end.is_none_or(|end| open < end) => {
            let after_open = start + open + 1;
            Some(match find_internal_subset_end(&text[after_open..]) {
                Some(length) => DoctypeExtent::Closed(after_open + length),
                None => DoctypeExtent::Open,
            })
        }
        (_, Some(end)) => {
            let head = &declaration[..end];
            let external =
                memmem::find(head, b"SYSTEM").is_some() || memmem::find(head, b"PUBLIC").is_some();
            external.then_some(DoctypeExtent::Closed(start + end + 1))
        }
        // The declaration goes on to a later line, which is then text outside any event.
        (_, None) => Some(DoctypeExtent::Closed(text.len())),
    }
}

/// Returns the length of `text` up to and including the `]>` (blanks allowed between)
/// that closes a DOCTYPE's internal subset.
fn find_internal_subset_end(text: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b']', text).find_map(|close| {
        let after = &text[close + 1..];
        let blanks = after.len() - after.trim_ascii_start().len();
        (after.get(blanks) == Some(&b'>')).then_some(close + 1 + blanks + 1)
    })
}

enum OutsideText {
    /// Whitespace and document framing only.
    Framing,
    /// Framing that ends inside a comment continued on a later line.
    OpenComment,
    Other,
}

/// Classifies text outside any event: whitespace, `<?…?>`, `<!DOCTYPE …>`, comments,
/// `<Events …>`, `</Events>`, and `evtx_dump`'s `Record N` lines are framing.
fn classify_outside_text(text: &[u8]) -> OutsideText {
    let mut rest = text.trim_ascii();

    if is_record_number_line(rest) {
        return OutsideText::Framing;
    }

    while !rest.is_empty() {
        let closing: &[u8] = if rest.starts_with(b"<!--") {
            b"-->"
        } else if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!DOCTYPE") || is_events_tag(rest) {
            b">"
        } else {
            return OutsideText::Other;
        };

        match memmem::find(&rest[2..], closing) {
            Some(index) => rest = rest[2 + index + closing.len()..].trim_ascii(),
            None if closing == b"-->" => return OutsideText::OpenComment,
            None => return OutsideText::Other,
        }
    }
    OutsideText::Framing
}

fn is_events_tag(text: &[u8]) -> bool {
    let name_end = if text.starts_with(b"<Events") {
        7
    } else if text.starts_with(b"</Events") {
        8
    } else {
        return false;
    };
    text.get(name_end)
        .is_none_or(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
}

/// `evtx_dump` writes `Record 12` before each event.
fn is_record_number_line(text: &[u8]) -> bool {
    text.strip_prefix(b"Record ")
        .is_some_and(|digits| !digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
}

/// Reads JSON lines: each non-blank line is one record.
///
/// NOTE: a JSON object spread over several lines (pretty-printed) is not supported, and
/// each of its lines becomes a malformed item.
pub(crate) struct JsonLinesReader<R> {
    lines: LineReader<R>,
    origin: Origin,
    finished: bool,
}

impl<R: BufRead> JsonLinesReader<R> {
    pub(crate) fn new(reader: R, origin: Origin) -> Self {
        JsonLinesReader {
            lines: LineReader::new(reader, origin.max_record_bytes),
            origin,
            finished: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonLinesReader<R> {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            let line = match self.lines.read_line() {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.finished = true;
                    break;
                }
                Err(source) => {
                    self.finished = true;
                    let path = self.origin.path.clone();
                    return Some(Err(ReadError::Io { path, source }));
                }
            };

            let line_position = position(line.number, line.offset);
            if line.truncated {
                let reason = format!("line is longer than {} bytes", self.origin.max_record_bytes);
                return Some(Ok(self.origin.malformed(line_position, reason)));
            }

            let bytes = self.lines.bytes();
            let text = bytes.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let leading_blanks = bytes.len() - bytes.trim_ascii_start().len();
            let text_position = position(line.number, line.offset + leading_blanks as u64);
            return Some(Ok(self.origin.item_from_bytes(text, text_position)));
        }
        None
    }
}

pub(crate) fn position(line_or_record: u64, byte_offset: u64) -> Position {
    Position {
        line_or_record,
        byte_offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::InputFormat;

    fn origin(format: InputFormat) -> Origin {
        crate::origin::tests::test_origin(format)
    }

    /// Reads `text` as XML and describes each item as `record L@O EventID` or
    /// `malformed L@O reason`.
    fn read_xml(text: &[u8]) -> Vec<String> {
        let reader = XmlEventReader::new(text, origin(InputFormat::WindowsXml));
        reader.map(|item| describe(item.unwrap())).collect()
    }

    fn describe(item: Item) -> String {
        match item {
            Item::Record(record) => format!(
                "record {}@{} {}",
                record.position.line_or_record,
                record.position.byte_offset,
                record.event.system_value("EventID").unwrap_or("-")
            ),
            Item::Malformed(malformed) => format!(
                "malformed {}@{} {}",
                malformed.position.line_or_record, malformed.position.byte_offset, malformed.reason
            ),
        }
    }

    /// Reads `text` as XML through a buffer of `capacity` bytes, decoding each record
    /// at once or, with `deferred`, afterwards as the parallel run does.
    fn read_xml_through(text: &[u8], capacity: usize, deferred: bool) -> Vec<String> {
        let mut origin = origin(InputFormat::WindowsXml);
        origin.defer_decoding = deferred;
        let buffered = io::BufReader::with_capacity(capacity, text);
        XmlEventReader::new(buffered, origin)
            .map(|item| match item.unwrap() {
                Item::Record(record) => describe(record.decode()),
                malformed => describe(malformed),
            })
            .collect()
    }

    #[test]
    fn splitting_is_independent_of_buffer_and_deferral() {
        let text = b"<Event><System><EventID>1</EventID></System></Event>\r\n\
                     \r\n\
                     \n\
                     <Event><System><EventID>2</EventID></System></Event><Event><System>\
                     <EventID>3</EventID></System></Event>\n\
                     <Event><System><EventID>4</EventID></Sys></Event>\n\
                     <Event><System><EventID>5\0</EventID></System></Event>\n\
                     <Event><System><EventID>6</EventID>\n\
                     </System></Event>\n\
                     <Event</Event>\n\
                     <Event><Events/></Event>\n\
                     <Event><System><EventID>7</EventID></System></Event>";
        let expected = vec![
            "record 1@0 1",
            "record 4@57 2",
            "record 4@109 3",
            "malformed 5@162 invalid XML at byte 35: ill-formed document: expected `</System>`, \
             but `</Sys>` was found",
            "record 6@212 5\0",
            "record 7@266 6",
            "malformed 9@320 text outside any <Event> element",
            "record 10@335 -",
            "record 11@360 7",
        ];
        for capacity in [1, 7, 64, 8192] {
            for deferred in [false, true] {
                assert_eq!(
                    read_xml_through(text, capacity, deferred),
                    expected,
                    "buffer of {capacity} bytes, deferred {deferred}"
                );
            }
        }
    }

    #[test]
    fn line_longer_than_limit_with_deferral() {
        let mut origin = origin(InputFormat::WindowsXml);
        origin.defer_decoding = true;
        origin.max_record_bytes = 100;
        let mut text = b"<Event><System><EventID>1</EventID></System></Event>\n".to_vec();
        text.extend([b'x'; 101]);
        text.extend_from_slice(b"\n<Event><System><EventID>2</EventID></System></Event>\n");
        let items: Vec<String> = XmlEventReader::new(&text[..], origin)
            .map(|item| match item.unwrap() {
                Item::Record(record) => describe(record.decode()),
                malformed => describe(malformed),
            })
            .collect();
        assert_eq!(
            items,
            vec![
                "record 1@0 1",
                "malformed 2@53 line is longer than 100 bytes",
                "record 3@155 2",
            ]
        );
    }

    #[test]
    fn event_start_skips_longer_names() {
        assert_eq!(
            find_event_start(b"<EventData><EventID><Events><Event>"),
            Some(28)
        );
        assert_eq!(find_event_start(b"x<Event xmlns='a'>"), Some(1));
        assert_eq!(find_event_start(b"<EventRecordID>"), None);
        assert_eq!(find_event_start(b"<Event"), Some(0));
    }

    #[test]
    fn event_boundary_finds_first_tag() {
        let cases: [(&[u8], Option<EventBoundary>); 8] = [
            (b"<Data>x</Data></Event>\r\n", Some(EventBoundary::End(14))),
            (
                b"<EventData></EventData></Event>",
                Some(EventBoundary::End(23)),
            ),
            (
                b"</EventID><Event xmlns='a'></Event>",
                Some(EventBoundary::Start(10)),
            ),
            (b"<Events></Events><Event/>", Some(EventBoundary::Start(17))),
            (b"x</Event", None),
            (b"x<Event", Some(EventBoundary::Start(1))),
            (b"Event></Event >", None),
            (b"", None),
        ];
        for (text, expected) in cases {
            let text_shown = String::from_utf8_lossy(text);
            assert_eq!(find_event_boundary(text), expected, "{text_shown}");
        }
    }

    /// Finds the first end tag and start tag with a search for each, as the reader did
    /// before one search found both.
    fn event_boundary_by_two_searches(bytes: &[u8]) -> Option<EventBoundary> {
        let end = memmem::find(bytes, EVENT_END);
        let start = find_event_start(bytes);
        if let Some(end) = end {
            if start.is_none_or(|start| end < start) {
                return Some(EventBoundary::End(end));
            }
        }
        start.map(EventBoundary::Start)
    }

    #[test]
    fn event_boundary_matches_two_searches() {
        let pieces: [&[u8]; 9] = [b"<", b"</", b"Event", b">", b" ", b"/", b"D", b"x", b"\n"];
        // Every text of up to five pieces, the empty one included: 66,430 in all.
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last_length: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = last_length
                .iter()
                .flat_map(|text| {
                    pieces
                        .iter()
                        .map(move |piece| [text.as_slice(), piece].concat())
                })
                .collect();
            texts.extend(longer.iter().cloned());
            last_length = longer;
        }
        for text in texts {
            let text_shown = String::from_utf8_lossy(&text);
            assert_eq!(
                find_event_boundary(&text),
                event_boundary_by_two_searches(&text),
                "{text_shown}"
            );
        }
    }

    #[test]
    fn one_event_per_line() {
        let text = b"<Event><System><EventID>1</EventID></System></Event>\n\
                     <Event><System><EventID>2</EventID></System></Event>\n";
        assert_eq!(read_xml(text), vec!["record 1@0 1", "record 2@53 2"]);
    }

    #[test]
    fn document_spanning_lines() {
        let text = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<Events>\r\n<Event>\r\n  <System>\r\n    \
                     <EventID>4</EventID>\r\n  </System>\r\n</Event><Event><System><EventID>5</EventID>\
                     </System></Event>\r\n</Events>\r\n";
        assert_eq!(read_xml(text), vec!["record 3@36 4", "record 7@104 5"]);
    }

    #[test]
    fn syslog_prefix_is_skipped() {
        let text =
            b"Oct 24 17:05:38 host sysmon: <Event><System><EventID>16</EventID></System></Event>\n";
        assert_eq!(read_xml(text), vec!["record 1@29 16"]);
    }

    #[test]
    fn unclosed_event_before_next_event() {
        let text = b"<Event><System><EventID>1</EventID>\n\
                     <Event><System><EventID>2</EventID></System></Event>\n";
        assert_eq!(
            read_xml(text),
            vec![
                "malformed 1@0 no </Event> before the next <Event>",
                "record 2@36 2"
            ]
        );
    }

    #[test]
    fn unclosed_event_at_end() {
        let text = b"<Event><System>\n";
        assert_eq!(
            read_xml(text),
            vec!["malformed 1@0 the input ends inside an <Event> element (no </Event>)"]
        );
    }

    #[test]
    fn junk_between_events_is_malformed() {
        let text = b"<Event><System><EventID>1</EventID></System></Event>\n\
                     not xml at all\n\
                     <!-- a comment\n spanning lines -->\n\
                     Record 7\n\
                     <Event><System><EventID>2</EventID></System></Event> trailing\n";
        assert_eq!(
            read_xml(text),
            vec![
                "record 1@0 1",
                "malformed 2@53 text outside any <Event> element",
                "record 6@112 2",
                "malformed 6@164 text outside any <Event> element",
            ]
        );
    }

    #[test]
    fn entity_declarations_are_reported_not_expanded() {
        let text = b"<?xml version=\"1.0\"?>\n\
                     <!DOCTYPE Events [\n\
                     <!ENTITY lol \"lol\">\n\
                     <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n\
                     ]>\n\
                     <Events>\n\
                     <Event><System><EventID>1</EventID></System><EventData><Data>&lol2;</Data></EventData></Event>\n\
                     <Event><System><EventID>2</EventID></System></Event>\n\
                     </Events>\n";
        let items = read_xml(text);
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[0], format!("malformed 2@22 {DOCTYPE_REASON}"));
        assert!(
            items[1].starts_with("malformed 7@141 reference to the undefined entity &lol2;"),
            "{}",
            items[1]
        );
        assert_eq!(items[2], "record 8@236 2");
    }

    #[test]
    fn external_entities_are_reported_not_fetched() {
        let text = b"<!DOCTYPE Event [<!ENTITY passwd SYSTEM \"file:///etc/passwd\">]><Event><System><EventID>1</EventID></System><EventData><Data>&passwd;</Data></EventData></Event>\n\
                     <!DOCTYPE Event SYSTEM \"http://127.0.0.1:9/event.dtd\"><Event><System><EventID>2</EventID></System></Event>\n\
                     <!DOCTYPE Event><Event><System><EventID>3</EventID></System></Event>\n";
        let items = read_xml(text);
        assert_eq!(items.len(), 5, "{items:?}");
        assert_eq!(items[0], format!("malformed 1@0 {DOCTYPE_REASON}"));
        assert!(
            items[1].starts_with("malformed 1@63 reference to the undefined entity &passwd;"),
            "{}",
            items[1]
        );
        assert_eq!(items[2], format!("malformed 2@160 {DOCTYPE_REASON}"));
        assert_eq!(items[3], "record 2@214 2");
        assert_eq!(items[4], "record 3@283 3");
    }

    #[test]
    fn unclosed_doctype_subset_ends_at_next_event() {
        let text = b"<!DOCTYPE Events [\n<!ENTITY a \"b\">\n<Event><System><EventID>1</EventID></System></Event>\n";
        assert_eq!(
            read_xml(text),
            vec![
                format!("malformed 1@0 {DOCTYPE_REASON}"),
                "record 3@35 1".to_string()
            ]
        );
    }

    #[test]
    fn long_line_is_malformed_and_reading_goes_on() {
        let mut reader = LineReader::new(&b"abcdef\nxy\n"[..], 4);
        let first = reader.read_line().unwrap().unwrap();
        assert!(first.truncated);
        assert_eq!(reader.bytes(), b"abcd");
        let second = reader.read_line().unwrap().unwrap();
        assert!(!second.truncated);
        assert_eq!((second.number, second.offset), (2, 7));
        assert_eq!(reader.bytes(), b"xy\n");
        assert!(reader.read_line().unwrap().is_none());
    }

    #[test]
    fn json_lines_skip_blank_lines() {
        let text = b"\n{\"Event\":{\"System\":{\"EventID\":1}}}\r\n   \n  {\"Event\":{}}\n{oops\n";
        let reader = JsonLinesReader::new(&text[..], origin(InputFormat::EvtxJson));
        let items: Vec<String> = reader.map(|item| describe(item.unwrap())).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0], "record 2@1 1");
        assert_eq!(items[1], "record 4@43 -");
        assert!(
            items[2].starts_with("malformed 5@56 invalid JSON"),
            "{}",
            items[2]
        );
    }
}
