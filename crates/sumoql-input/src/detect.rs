//! Recognises an input's format from its first bytes and builds the reader for it.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::error::ReadError;
use crate::evtx::{EvtxReader, EVTX_MAGIC};
use crate::origin::Origin;
use crate::record::{InputFormat, Item};
use crate::text::{find_event_start, JsonLinesReader, XmlEventReader};

/// How many bytes are read ahead to recognise a format. Sysmon for Linux syslog files can
/// start with banner lines, so the first event may sit a few lines in.
const PEEK_BYTES: usize = 64 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// The stream of items one input yields.
pub(crate) type InputReader = Box<dyn Iterator<Item = Result<Item, ReadError>> + Send>;

/// Recognises a format from the first bytes of an input: the `.evtx` magic, JSON that
/// starts with `{`, or text with an `<Event` start tag (after an optional UTF-8 byte order
/// mark and blank space). Returns `None` for anything else, including blank input.
pub fn detect_format(head: &[u8]) -> Option<InputFormat> {
    if head.starts_with(EVTX_MAGIC) {
        return Some(InputFormat::Evtx);
    }

    let text = head
        .strip_prefix(UTF8_BOM)
        .unwrap_or(head)
        .trim_ascii_start();
    if text.starts_with(b"{") {
        return Some(InputFormat::EvtxJson);
    }
    if find_event_start(text).is_some() || memchr::memmem::find(text, b"<Events").is_some() {
        return Some(InputFormat::WindowsXml);
    }
    None
}

/// Opens a regular file. An `.evtx` file is read in place, because its reader seeks.
pub(crate) fn open_file(file: File, origin: Origin) -> Result<InputReader, ReadError> {
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
        let mut file = file;
        file.seek(SeekFrom::Start(0))
            .map_err(|source| ReadError::Io { path, source })?;
        let origin = Origin {
            format: InputFormat::Evtx,
            ..origin
        };
        return Ok(Box::new(EvtxReader::open(file, origin, None)?));
    }

    open_text(head, Box::new(file), origin)
}

/// Opens a stream that cannot seek, such as standard input or a pipe. An `.evtx` stream
/// is first copied to a temporary file, because its reader seeks.
pub(crate) fn open_stream(
    mut stream: Box<dyn Read + Send>,
    origin: Origin,
) -> Result<InputReader, ReadError> {
    let path = origin.path.clone();
    let head = read_head(&mut stream).map_err(|source| ReadError::Io {
        path: path.clone(),
        source,
    })?;

    if head.starts_with(EVTX_MAGIC) {
        let (file, spool) =
            SpoolFile::create(&head, stream).map_err(|source| ReadError::Io { path, source })?;
        let origin = Origin {
            format: InputFormat::Evtx,
            ..origin
        };
        return Ok(Box::new(EvtxReader::open(file, origin, Some(spool))?));
    }

    open_text(head, stream, origin)
}

/// Builds the reader for text that starts with `head` and goes on in `rest`. UTF-16 text
/// (as PowerShell 5 writes by default) is converted to UTF-8 first.
fn open_text(
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    origin: Origin,
) -> Result<InputReader, ReadError> {
    let path = origin.path.clone();
    let whole: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(rest));

    let utf16_big_endian = if head.starts_with(UTF16_LE_BOM) {
        Some(false)
    } else if head.starts_with(UTF16_BE_BOM) {
        Some(true)
    } else {
        None
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

    let reader = BufReader::with_capacity(PEEK_BYTES, whole);
    match detect_format(&head) {
        Some(InputFormat::EvtxJson) => {
            let origin = Origin {
                format: InputFormat::EvtxJson,
                ..origin
            };
            Ok(Box::new(JsonLinesReader::new(reader, origin)))
        }
        Some(InputFormat::WindowsXml) => {
            let origin = Origin {
                format: InputFormat::WindowsXml,
                ..origin
            };
            Ok(Box::new(XmlEventReader::new(reader, origin)))
        }
        Some(InputFormat::Evtx) | None if is_blank(&head) => Ok(Box::new(std::iter::empty())),
        Some(InputFormat::Evtx) | None => Err(ReadError::UnknownFormat {
            path,
            detail: format!("it starts with {}", describe_start(&head)),
        }),
    }
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
            detect_format(b"\xEF\xBB\xBF  \r\n{\"Event\":{}}"),
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
            detect_format(b"Oct 24 host sysmon[1]: banner\nOct 24 host sysmon: <Event><System>"),
            Some(InputFormat::WindowsXml)
        );
        assert_eq!(detect_format(b"ElfChnk\0"), None);
        assert_eq!(detect_format(b"<html><body>"), None);
        assert_eq!(detect_format(b"a,b,c\n1,2,3\n"), None);
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"   \n"), None);
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
