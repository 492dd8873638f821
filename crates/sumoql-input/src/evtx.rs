//! Reads binary `.evtx` files one 64 KiB chunk at a time through the `evtx` crate.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxChunkData, EvtxParser, IntoIterChunks, ParserSettings};

use crate::decompress::add_bytes;
use crate::error::ReadError;
use crate::origin::Origin;
use crate::record::{Item, Position};

/// Every `.evtx` file starts with these 8 bytes.
pub const EVTX_MAGIC: &[u8; 8] = b"ElfFile\0";

/// Size of the file header and of each chunk, fixed by the format.
const FILE_HEADER_BYTES: u64 = 4096;
const CHUNK_BYTES: u64 = 65536;

/// Size of the record header that precedes each record's BinXML.
const RECORD_HEADER_BYTES: u64 = 24;

/// A seekable `.evtx` source: a file, or bytes in memory.
pub(crate) trait EvtxSource: Read + Seek + Send {}

impl<T: Read + Seek + Send> EvtxSource for T {}

/// Yields the records of one `.evtx` file. Only one chunk's records are held at a time.
pub(crate) struct EvtxReader {
    chunks: IntoIterChunks<Box<dyn EvtxSource>>,
    settings: Arc<ParserSettings>,
    origin: Origin,
    queue: VecDeque<Item>,
    /// Records and record errors seen so far, which numbers them from 1.
    record_count: u64,
    file_length: u64,
    /// Bytes past the last whole chunk, reported once the chunks are read.
    trailing_bytes: u64,
    finished: bool,
    /// Keeps a spooled copy of standard input alive while it is read.
    _spool: Option<crate::detect::SpoolFile>,
    /// Counts the file's bytes as its chunks are read, for progress reports.
    bytes_read: Option<Arc<AtomicU64>>,
}

impl EvtxReader {
    /// Opens the `.evtx` file read by `source`, from its start.
    /// `bytes_read` grows by each chunk's size as the chunk is read.
    pub(crate) fn open(
        mut source: Box<dyn EvtxSource>,
        origin: Origin,
        spool: Option<crate::detect::SpoolFile>,
        bytes_read: Option<Arc<AtomicU64>>,
    ) -> Result<EvtxReader, ReadError> {
        let length = source
            .seek(SeekFrom::End(0))
            .and_then(|length| source.rewind().map(|()| length))
            .map_err(|error| ReadError::Io {
                path: origin.path.clone(),
                source: error,
            })?;

        let parser =
            EvtxParser::from_read_seek(source).map_err(|error| ReadError::InvalidEvtx {
                path: origin.path.clone(),
                reason: error_chain(&error),
            })?;
        let settings = ParserSettings::new().indent(false);
        add_bytes(&bytes_read, FILE_HEADER_BYTES.min(length));

        Ok(EvtxReader {
            chunks: parser.with_configuration(settings.clone()).into_chunks(),
            settings: Arc::new(settings),
            origin,
            queue: VecDeque::new(),
            record_count: 0,
            file_length: length,
            trailing_bytes: length.saturating_sub(FILE_HEADER_BYTES) % CHUNK_BYTES,
            finished: false,
            _spool: spool,
            bytes_read,
        })
    }

    fn read_chunk(&mut self, chunk: Result<EvtxChunkData, EvtxError>) {
        add_bytes(&self.bytes_read, CHUNK_BYTES);
        let mut chunk_data = match chunk {
            Ok(chunk_data) => chunk_data,
            Err(error) => {
                let chunk_number = match &error {
                    EvtxError::FailedToParseChunk { chunk_id, .. } => Some(*chunk_id),
                    _ => None,
                };
                let offset = chunk_number.map_or(0, chunk_offset);
                let reason = format!("unreadable chunk: {}", error_chain(&error));
                self.push_malformed(self.record_count + 1, offset, reason);
                return;
            }
        };

        let chunk_start = chunk_data.number.map_or(0, chunk_offset);
        let settings = self.settings.clone();
        let first_record = self.record_count + 1;

        // The evtx crate works on untrusted binary data, so a panic inside it is turned
        // into a malformed chunk instead of ending the whole run.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut rendered = Vec::new();
            let mut chunk = match chunk_data.parse(settings) {
                Ok(chunk) => chunk,
                Err(error) => return Err(format!("unreadable chunk: {error}")),
            };
            for record in chunk.iter() {
                let result = record.and_then(|record| {
                    let offset =
                        chunk_start + record.binxml_offset.saturating_sub(RECORD_HEADER_BYTES);
                    record.into_xml().map(|xml| (xml.data, offset))
                });
                rendered.push(result.map_err(|error| error_chain(&error)));
            }
            Ok(rendered)
        }));

        match outcome {
            Ok(Ok(rendered)) => {
                for result in rendered {
                    self.record_count += 1;
                    match result {
                        Ok((xml, offset)) => {
                            let position = Position {
                                line_or_record: self.record_count,
                                byte_offset: offset,
                            };
                            let text = single_line_event(&xml);
                            let item = self.origin.item_from_text(text, false, position);
                            self.queue.push_back(item);
                        }
                        Err(reason) => {
                            let reason = format!("unreadable record: {reason}");
                            self.push_malformed(self.record_count, chunk_start, reason);
                        }
                    }
                }
            }
            Ok(Err(reason)) => self.push_malformed(first_record, chunk_start, reason),
            Err(_) => {
                let reason = "the evtx reader failed (panicked) on this chunk";
                self.push_malformed(first_record, chunk_start, reason);
            }
        }
    }

    fn push_malformed(&mut self, record_number: u64, byte_offset: u64, reason: impl Into<String>) {
        let position = Position {
            line_or_record: record_number,
            byte_offset,
        };
        let item = self.origin.malformed(position, reason);
        self.queue.push_back(item);
    }
}

impl Iterator for EvtxReader {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }

            match self.chunks.next() {
                Some(chunk) => self.read_chunk(chunk),
                None => {
                    self.finished = true;
                    add_bytes(&self.bytes_read, self.trailing_bytes);
                    self.report_partial_chunk();
                }
            }
        }
    }
}

impl EvtxReader {
    /// Reports bytes after the last whole chunk as a malformed item. The `evtx` crate ignores
    /// them, and that is where a file cut short (a copy of a live log, an interrupted
    /// download) loses its last records.
    fn report_partial_chunk(&mut self) {
        if self.trailing_bytes == 0 {
            return;
        }
        let reason = format!(
            "the file ends with {} bytes that do not fill a 64 KiB chunk; it may be truncated",
            self.trailing_bytes
        );
        let offset = self.file_length - self.trailing_bytes;
        self.push_malformed(self.record_count + 1, offset, reason);
    }
}

fn chunk_offset(chunk_number: u64) -> u64 {
    FILE_HEADER_BYTES + chunk_number * CHUNK_BYTES
}

/// Turns the `evtx` crate's rendering of a record into one line: drops the `<?xml …?>`
/// declaration before the event and writes CR and LF inside values as `&#xD;` and `&#xA;`.
/// Without indentation the crate writes line breaks only inside values, and the character
/// references stand for the same text, so the parsed event does not change.
fn single_line_event(xml: &str) -> String {
    let start = crate::text::find_event_start(xml.as_bytes()).unwrap_or(0);
    let event = xml[start..].trim_end();
    if !event.contains(['\r', '\n']) {
        return event.to_string();
    }
    event.replace('\r', "&#xD;").replace('\n', "&#xA;")
}

/// Formats an error with its sources, because the `evtx` crate's top-level messages (such
/// as "Failed to parse record number 5") leave the cause to the source. Its generic
/// "An error occurred while trying to …" layers add nothing and are left out.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut current = Some(error);
    while let Some(cause) = current {
        let message = cause.to_string();
        if !message.starts_with("An error occurred while trying to") {
            parts.push(message);
        }
        current = cause.source();
    }
    if parts.is_empty() {
        return error.to_string();
    }
    parts.join(": ")
}
