//! Recognises an input's format from its first bytes and builds the reader for it.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use crate::decompress::{add_bytes, decoder, detect_compression, CountingReader};
use crate::error::ReadError;
use crate::evtx::{EvtxReader, EVTX_MAGIC};
use crate::json::classify;
use crate::json_stream::JsonDocumentReader;
use crate::origin::Origin;
use crate::plain::TextReader;
use crate::record::{InputFormat, Item};
use crate::text::{find_event_start, JsonLinesReader, XmlEventReader};

/// How many bytes are read ahead to recognise a format. Sysmon for Linux syslog files can
/// start with banner lines, so the first event may sit a few lines in.
const PEEK_BYTES: usize = 64 * 1024;

/// How many compression layers are undone (`.gz` inside `.zst` is two). More is refused,
/// because nothing writes that and a crafted file could nest without end.
const MAX_COMPRESSION_LAYERS: usize = 2;

/// How many non-blank lines at the start of JSON lines are tried when the first does not
/// parse, to find one that decides the shape.
const JSON_LINES_TRIED: usize = 8;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The stream of items one input yields.
pub(crate) type InputReader = Box<dyn Iterator<Item = Result<Item, ReadError>> + Send>;

/// Settings for reading one input, beyond its [`Origin`].
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenOptions {
    /// The format to read, instead of recognising it.
    pub(crate) format: Option<InputFormat>,
    /// The start pattern of multi-line plain text messages.
    pub(crate) multiline: Option<Regex>,
    pub(crate) bytes_read: Option<Arc<AtomicU64>>,
}

/// Recognises a format from the first bytes of an input (after decompression):
///
/// 1. the `.evtx` magic `ElfFile`;
/// 2. JSON: text that starts with `{` or `[` and whose first value parses, in the shape
///    that value has (see [`InputFormat`]). A first line may be one object that does
///    not parse, such as one with a lone surrogate escape (`\ud800`). Then the first of
///    the next lines that parses decides, so the bad line is reported as a malformed
///    record instead of the whole input being read as text;
/// 3. Windows event XML: a first line that starts with `<Event`, `<Events`, `<?xml`,
///    `<!--` or `<!DOCTYPE`;
/// 4. binary data, for which it returns `None`: any other input with a NUL byte;
/// 5. syslog: any line that carries an `<Event` start tag (Sysmon for Linux);
/// 6. plain text: anything else.
///
/// Returns `None` for blank input too.
pub fn detect_format(head: &[u8]) -> Option<InputFormat> {
    if head.starts_with(EVTX_MAGIC) {
        return Some(InputFormat::Evtx);
    }

    let text = head
        .strip_prefix(UTF8_BOM)
        .unwrap_or(head)
        .trim_ascii_start();
    if text.is_empty() {
        return None;
    }
    if text.starts_with(b"{") || text.starts_with(b"[") {
        if let Some(value) = first_json_value(text) {
            return Some(classify(&value));
        }
        if let Some(value) = first_parsed_json_line(text) {
            return Some(classify(&value));
        }
        // An object that does not end within a whole head is JSON too big to recognise
        // its shape from the head, so it is read as generic JSON.
        if text.starts_with(b"{") && head.len() >= PEEK_BYTES && json_value_end(text).is_none() {
            return Some(InputFormat::Json);
        }
    }

    let first_line = text.split(|&byte| byte == b'\n').next().unwrap_or(text);
    let xml_start = first_line.starts_with(b"<?xml")
        || first_line.starts_with(b"<!--")
        || first_line.starts_with(b"<!DOCTYPE")
        || first_line.starts_with(b"<Events")
        || find_event_start(first_line) == Some(0);
    if xml_start {
        return Some(InputFormat::WindowsXml);
    }
    if head.contains(&0) {
        return None;
    }
    if find_event_start(text).is_some() {
        return Some(InputFormat::Syslog);
    }
    Some(InputFormat::Text)
}

/// Returns the first JSON value of `text`, or the first element of an array that does not
/// end within `text`. Returns `None` when it does not parse.
fn first_json_value(text: &[u8]) -> Option<Value> {
    if let Some(end) = json_value_end(text) {
        if let Ok(value) = serde_json::from_slice(&text[..end]) {
            return Some(value);
        }
        return None;
    }
    let inside = text.strip_prefix(b"[")?.trim_ascii_start();
    let end = json_value_end(inside)?;
    let element: Value = serde_json::from_slice(&inside[..end]).ok()?;
    Some(Value::Array(vec![element]))
}

/// Returns the first object among the first [`JSON_LINES_TRIED`] non-blank lines of `text`
/// that parses, provided every line before it is one whole object by its brackets.
/// Returns `None` when a line is not a whole object (so the text is not JSON lines), or
/// when none of those lines parses.
fn first_parsed_json_line(text: &[u8]) -> Option<Value> {
    let lines = text
        .split(|&byte| byte == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|line| !line.is_empty())
        .take(JSON_LINES_TRIED);
    for line in lines {
        if !is_one_line_object(line) {
            return None;
        }
        if let Ok(value) = serde_json::from_slice::<Value>(line) {
            return Some(value);
        }
    }
    None
}

/// Returns whether `line` is one object by its brackets, whether or not it parses.
fn is_one_line_object(line: &[u8]) -> bool {
    line.starts_with(b"{") && json_value_end(line) == Some(line.len())
}

/// Returns the length of the object or array that starts `text`, by counting brackets
/// outside strings, or `None` when it does not end within `text`.
pub(crate) fn json_value_end(text: &[u8]) -> Option<usize> {
    if !matches!(text.first(), Some(b'{' | b'[')) {
        return None;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, &byte) in text.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Returns whether JSON text has one object per line, rather than values that span lines or an
/// array: its first non-blank line is a whole object by its brackets. That line need not
/// parse, so an invalid first record is reported by the JSON lines reader.
fn is_line_delimited_json(head: &[u8]) -> bool {
    let text = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let first_line = text
        .split(|&byte| byte == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty());
    first_line.is_some_and(is_one_line_object)
}

/// Opens a regular file. An `.evtx` file is read in place, because its reader seeks.
pub(crate) fn open_file(
    file: File,
    origin: Origin,
    options: OpenOptions,
) -> Result<InputReader, ReadError> {
    let path = origin.path.clone();
    let mut head = Vec::new();
    (&file)
        .take(PEEK_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|source| ReadError::Io {
            path: path.clone(),
            source,
        })?;

    if head.starts_with(EVTX_MAGIC) {
        let origin = Origin {
            format: InputFormat::Evtx,
            ..origin
        };
        return Ok(Box::new(EvtxReader::open(
            Box::new(file),
            origin,
            None,
            options.bytes_read,
        )?));
    }

    add_bytes(&options.bytes_read, head.len() as u64);
    let rest = CountingReader::new(file, options.bytes_read.clone());
    open_with_head(head, Box::new(rest), origin, options, 0)
}

/// Opens an input held in memory. An `.evtx` input is read in place, like a file.
pub(crate) fn open_bytes(
    bytes: Vec<u8>,
    origin: Origin,
    options: OpenOptions,
) -> Result<InputReader, ReadError> {
    if bytes.starts_with(EVTX_MAGIC) {
        let origin = Origin {
            format: InputFormat::Evtx,
            ..origin
        };
        let source = Box::new(Cursor::new(bytes));
        let reader = EvtxReader::open(source, origin, None, options.bytes_read)?;
        return Ok(Box::new(reader));
    }
    open_stream(Box::new(Cursor::new(bytes)), origin, options)
}

/// Opens a stream that cannot seek, such as standard input or a pipe. An `.evtx` stream
/// is first copied to a temporary file, because its reader seeks.
pub(crate) fn open_stream(
    stream: Box<dyn Read + Send>,
    origin: Origin,
    options: OpenOptions,
) -> Result<InputReader, ReadError> {
    let mut counted = CountingReader::new(stream, options.bytes_read.clone());
    let head = read_head(&mut counted).map_err(|source| ReadError::Io {
        path: origin.path.clone(),
        source,
    })?;
    open_with_head(head, Box::new(counted), origin, options, 0)
}

/// Builds the reader for a stream that starts with `head` and goes on in `rest`,
/// undoing compression first.
fn open_with_head(
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    origin: Origin,
    options: OpenOptions,
    layers: usize,
) -> Result<InputReader, ReadError> {
    let path = origin.path.clone();
    let io_error = |source| ReadError::Io {
        path: path.clone(),
        source,
    };

    if let Some(compression) = detect_compression(&head) {
        if layers >= MAX_COMPRESSION_LAYERS {
            return Err(ReadError::UnknownFormat {
                path,
                detail: format!("it is compressed more than {MAX_COMPRESSION_LAYERS} times"),
            });
        }
        let whole: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(rest));
        let mut decoded = decoder(compression, whole).map_err(io_error)?;
        let inner_head = read_head(&mut decoded).map_err(|source| ReadError::Io {
            path: path.clone(),
            source: io::Error::new(
                source.kind(),
                format!("invalid {} data: {source}", compression.name()),
            ),
        })?;
        return open_with_head(inner_head, decoded, origin, options, layers + 1);
    }

    if head.starts_with(EVTX_MAGIC) {
        let (file, spool) = SpoolFile::create(&head, rest).map_err(io_error)?;
        let origin = Origin {
            format: InputFormat::Evtx,
            ..origin
        };
        return Ok(Box::new(EvtxReader::open(
            Box::new(file),
            origin,
            Some(spool),
            None,
        )?));
    }
    if options.format == Some(InputFormat::Evtx) {
        return Err(ReadError::InvalidEvtx {
            path,
            reason: format!(
                "it starts with {}, not the .evtx signature",
                describe_start(&head)
            ),
        });
    }
    if head.starts_with(ZIP_MAGIC) {
        return Err(ReadError::UnknownFormat {
            path,
            detail: "it is a zip archive, which sumoql does not open; extract it first".to_string(),
        });
    }

    open_text(head, rest, origin, options)
}

/// Builds the reader for text that starts with `head` and goes on in `rest`. UTF-16 text
/// (as PowerShell 5 writes by default) is converted to UTF-8 first.
fn open_text(
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    origin: Origin,
    options: OpenOptions,
) -> Result<InputReader, ReadError> {
    let path = origin.path.clone();
    let whole: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(rest));

    let utf16_big_endian = if head.starts_with(UTF16_LE_BOM) {
        Some(false)
    } else if head.starts_with(UTF16_BE_BOM) {
        Some(true)
    } else {
        utf16_without_bom(&head)
    };
    let (head, whole) = match utf16_big_endian {
        Some(big_endian) => {
            let mut converted: Box<dyn Read + Send> = Box::new(Utf16ToUtf8::new(whole, big_endian));
            let head = read_head(&mut converted).map_err(|source| ReadError::Io {
                path: path.clone(),
                source,
            })?;
            let whole: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(converted));
            (head, whole)
        }
        None => (head, whole),
    };

    let format = match options.format {
        Some(format) => format,
        None => match detect_format(&head) {
            Some(format) => format,
            None if is_blank(&head) => return Ok(Box::new(std::iter::empty())),
            None => {
                return Err(ReadError::UnknownFormat {
                    path,
                    detail: format!(
                        "it holds binary data and starts with {}",
                        describe_start(&head)
                    ),
                })
            }
        },
    };

    let reader = BufReader::with_capacity(PEEK_BYTES, whole);
    let origin = Origin { format, ..origin };
    let reader: InputReader = match format {
        InputFormat::WindowsXml => Box::new(XmlEventReader::new(reader, origin)),
        InputFormat::EvtxJson
        | InputFormat::SumoJson
        | InputFormat::FlatJson
        | InputFormat::Winlogbeat
        | InputFormat::Json => {
            if is_line_delimited_json(&head) {
                Box::new(JsonLinesReader::new(reader, origin))
            } else {
                Box::new(JsonDocumentReader::new(reader, origin))
            }
        }
        InputFormat::Syslog => Box::new(TextReader::new(reader, origin, None)),
        InputFormat::Text => Box::new(TextReader::new(reader, origin, options.multiline)),
        InputFormat::Evtx => {
            return Err(ReadError::InvalidEvtx {
                path,
                reason: "it is not an .evtx file".to_string(),
            })
        }
    };
    Ok(reader)
}

fn read_head(stream: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    stream.take(PEEK_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

fn is_blank(head: &[u8]) -> bool {
    head.strip_prefix(UTF8_BOM)
        .unwrap_or(head)
        .trim_ascii()
        .is_empty()
}

/// Shows the first bytes of an unrecognised input, non-printable ones escaped.
fn describe_start(head: &[u8]) -> String {
    let text = head
        .strip_prefix(UTF8_BOM)
        .unwrap_or(head)
        .trim_ascii_start();
    let escaped: String = text
        .iter()
        .take(24)
        .flat_map(|byte| byte.escape_ascii())
        .map(char::from)
        .collect();
    format!("\"{escaped}\"")
}

/// A temporary copy of a stream, deleted when dropped.
pub(crate) struct SpoolFile {
    path: PathBuf,
}

impl SpoolFile {
    /// Copies `head` and then the rest of `stream` into a new temporary file, and returns
    /// it opened for reading from the start.
    fn create(head: &[u8], mut stream: Box<dyn Read + Send>) -> io::Result<(File, SpoolFile)> {
        let (mut file, path) = create_temporary_file()?;
        let spool = SpoolFile { path };

        file.write_all(head)?;
        io::copy(&mut stream, &mut file)?;
        file.flush()?;
        file.seek(SeekFrom::Start(0))?;
        Ok((file, spool))
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        // Nothing useful can be done if removing fails; the file is in the temp folder.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn create_temporary_file() -> io::Result<(File, PathBuf)> {
    let process = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();

    for attempt in 0..100u32 {
        let name = format!("sumoql-stdin-{process}-{nanos}-{attempt}.evtx");
        let path = std::env::temp_dir().join(name);
        let created = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path);
        match created {
            Ok(file) => return Ok((file, path)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "failed to create a temporary file for standard input: every name tried exists",
    ))
}

/// How many code units at the start of a file without a byte order mark must be ASCII
/// text in UTF-16 for the file to be read as UTF-16.
const UTF16_SNIFF_UNITS: usize = 64;

/// Recognises UTF-16 without a byte order mark from text that starts with ASCII: returns
/// `Some(big_endian)` when each of the first code units (up to [`UTF16_SNIFF_UNITS`], and
/// at least four) has one printable ASCII or whitespace byte and one NUL byte, on the same
/// side throughout. Log text starts with ASCII (`<Event`, `{`, a date), so other UTF-16
/// stays unrecognised and is reported as binary data.
fn utf16_without_bom(head: &[u8]) -> Option<bool> {
    let units: Vec<[u8; 2]> = head
        .chunks_exact(2)
        .take(UTF16_SNIFF_UNITS)
        .map(|pair| [pair[0], pair[1]])
        .collect();
    if units.len() < 4 {
        return None;
    }
    let is_text = |byte: u8| byte.is_ascii_graphic() || byte.is_ascii_whitespace();
    if units.iter().all(|[low, high]| is_text(*low) && *high == 0) {
        Some(false)
    } else if units.iter().all(|[high, low]| *high == 0 && is_text(*low)) {
        Some(true)
    } else {
        None
    }
}

/// Converts a UTF-16 byte stream to UTF-8 as it is read. Unpaired surrogates become U+FFFD.
pub(crate) struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    /// A byte of a code unit whose other byte has not been read yet.
    odd_byte: Option<u8>,
    /// A high surrogate waiting for the low surrogate in the next read.
    high_surrogate: Option<u16>,
    output: Vec<u8>,
    output_position: usize,
    finished: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub(crate) fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            odd_byte: None,
            high_surrogate: None,
            output: Vec::new(),
            output_position: 0,
            finished: false,
        }
    }

    /// Reads more input and converts it, until there is output or the input ends.
    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.output_position = 0;
        let mut input = [0u8; 8192];

        while self.output.is_empty() && !self.finished {
            let count = self.inner.read(&mut input)?;
            if count == 0 {
                self.finished = true;
                if self.high_surrogate.take().is_some() {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                if self.odd_byte.take().is_some() {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                break;
            }

            let mut units = Vec::with_capacity(count / 2 + 2);
            if let Some(surrogate) = self.high_surrogate.take() {
                units.push(surrogate);
            }
            for &byte in &input[..count] {
                match self.odd_byte.take() {
                    None => self.odd_byte = Some(byte),
                    Some(first) => {
                        let pair = [first, byte];
                        let unit = if self.big_endian {
                            u16::from_be_bytes(pair)
                        } else {
                            u16::from_le_bytes(pair)
                        };
                        units.push(unit);
                    }
                }
            }
            if units
                .last()
                .is_some_and(|unit| (0xD800..0xDC00).contains(unit))
            {
                self.high_surrogate = units.pop();
            }

            for decoded in char::decode_utf16(units) {
                self.push_char(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
        Ok(())
    }

    fn push_char(&mut self, character: char) {
        let mut buffer = [0u8; 4];
        self.output
            .extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.output_position >= self.output.len() {
            self.refill()?;
        }
        let available = &self.output[self.output_position..];
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.output_position += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_first_bytes() {
        assert_eq!(detect_format(b"ElfFile\0rest"), Some(InputFormat::Evtx));
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF  \r\n{\"Event\":{\"System\":{}}}"),
            Some(InputFormat::EvtxJson)
        );
        assert_eq!(
            detect_format(b"<Event xmlns='x'>"),
            Some(InputFormat::WindowsXml)
        );
        assert_eq!(
            detect_format(b"<?xml version='1.0'?>\n<Events>\n"),
            Some(InputFormat::WindowsXml)
        );
        assert_eq!(
            detect_format(b"<Events></Events>"),
            Some(InputFormat::WindowsXml)
        );
        assert_eq!(
            detect_format(b"<!DOCTYPE Event [<!ENTITY a \"b\">]><Event>"),
            Some(InputFormat::WindowsXml)
        );
        assert_eq!(
            detect_format(b"Oct 24 host sysmon[1]: banner\nOct 24 host sysmon: <Event><System>"),
            Some(InputFormat::Syslog)
        );
        assert_eq!(detect_format(b"ElfChnk\0"), None);
        assert_eq!(detect_format(b"<html><body>"), Some(InputFormat::Text));
        assert_eq!(detect_format(b"a,b,c\n1,2,3\n"), Some(InputFormat::Text));
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"   \n"), None);
    }

    #[test]
    fn json_shapes_and_look_alikes() {
        assert_eq!(
            detect_format(b"{\"level\":\"info\"}\n"),
            Some(InputFormat::Json)
        );
        assert_eq!(
            detect_format(b"{\"EventID\":1,\"Hostname\":\"h\",\"Image\":\"x\"}\n"),
            Some(InputFormat::FlatJson)
        );
        assert_eq!(
            detect_format(b"[\n  {\n    \"winlog\": {\"event_id\": 1}\n  },\n  {\"winlog\": "),
            Some(InputFormat::Winlogbeat)
        );
        assert_eq!(
            detect_format(b"[2026-03-01 12:00:00] INFO started\n"),
            Some(InputFormat::Text)
        );
        assert_eq!(detect_format(b"{broken json\n"), Some(InputFormat::Text));
        let mut huge = b"{\"message\": \"".to_vec();
        huge.resize(PEEK_BYTES, b'x');
        assert_eq!(detect_format(&huge), Some(InputFormat::Json));
    }

    #[test]
    fn json_layout_is_lines_or_document() {
        assert!(is_line_delimited_json(b"\n{\"a\":1}\n{\"a\":2}\n"));
        assert!(is_line_delimited_json(b"{\"a\":\"\\ud800\"}\n{\"a\":2}\n"));
        assert!(!is_line_delimited_json(b"{\n  \"a\": 1\n}\n"));
        assert!(!is_line_delimited_json(b"[{\"a\":1},{\"a\":2}]"));
        assert!(!is_line_delimited_json(b"{\"a\":1} tail\n"));
    }

    #[test]
    fn json_lines_with_invalid_first_line() {
        let surrogate = b"{\"a\":\"\\ud800\"}\n{\"level\":\"info\"}\n";
        assert_eq!(detect_format(surrogate), Some(InputFormat::Json));
        let shaped = b"{\"a\":\"\\udc00\"}\n{\"a\":\"\\udc00\"}\n\n{\"EventID\":1,\"Hostname\":\"h\",\"Image\":\"x\"}\n";
        assert_eq!(detect_format(shaped), Some(InputFormat::FlatJson));
        // No line parses, or a line is not one whole object: not JSON lines.
        assert_eq!(
            detect_format(b"{\"a\":\"\\ud800\"}\n"),
            Some(InputFormat::Text)
        );
        assert_eq!(
            detect_format(b"{\"a\":\"\\ud800\"}\nplain text\n{\"a\":1}\n"),
            Some(InputFormat::Text)
        );
        assert_eq!(
            detect_format(b"{broken\n{\"a\":1}\n"),
            Some(InputFormat::Text)
        );
    }

    #[test]
    fn value_end_skips_brackets_in_strings() {
        assert_eq!(json_value_end(br#"{"a":"}]\"{"} tail"#), Some(13));
        assert_eq!(json_value_end(b"[1,[2]],"), Some(7));
        assert_eq!(json_value_end(b"{\"open\": ["), None);
        assert_eq!(json_value_end(b"x"), None);
    }

    #[test]
    fn utf16_is_converted() {
        let text = "\u{FEFF}<Event>é𝄞</Event>";
        for big_endian in [false, true] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|unit| {
                    if big_endian {
                        unit.to_be_bytes()
                    } else {
                        unit.to_le_bytes()
                    }
                })
                .collect();
            // One byte at a time, so code units and surrogate pairs straddle reads.
            let mut converted = String::new();
            Utf16ToUtf8::new(OneByteReader(&bytes), big_endian)
                .read_to_string(&mut converted)
                .unwrap();
            assert_eq!(converted, text);
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let text = "<Event><System><EventID>7</EventID></System></Event>\r\n";
        let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&little), Some(false));
        assert_eq!(utf16_without_bom(&big), Some(true));
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        assert_eq!(utf16_without_bom(b"a\x00b\x00c\x00\xff\x00"), None);
        assert_eq!(utf16_without_bom(b"<\x00E\x00"), None);
    }

    #[test]
    fn utf16_odd_length_and_lone_surrogate() {
        let bytes = [b'a', 0, 0x00, 0xD8, b'b'];
        let mut converted = String::new();
        Utf16ToUtf8::new(&bytes[..], false)
            .read_to_string(&mut converted)
            .unwrap();
        assert_eq!(converted, "a\u{FFFD}\u{FFFD}");
    }

    struct OneByteReader<'a>(&'a [u8]);

    impl Read for OneByteReader<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buffer.is_empty() {
                return Ok(0);
            }
            buffer[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }
}
