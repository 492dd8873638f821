//! Compressed inputs, recognised by their magic numbers, and the byte counter that
//! progress reports read.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The first bytes of a gzip member (RFC 1952).
const GZIP_MAGIC: &[u8] = b"\x1F\x8B";
/// The first bytes of a Zstandard frame (RFC 8878).
const ZSTD_MAGIC: &[u8] = b"\x28\xB5\x2F\xFD";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Recognises a compressed stream from its first bytes.
pub(crate) fn detect_compression(head: &[u8]) -> Option<Compression> {
    if head.starts_with(GZIP_MAGIC) {
        Some(Compression::Gzip)
    } else if head.starts_with(ZSTD_MAGIC) {
        Some(Compression::Zstd)
    } else {
        None
    }
}

/// Wraps a compressed stream in its decoder. A gzip file of several members (as
/// `cat a.gz b.gz` makes) is read whole.
pub(crate) fn decoder(
    compression: Compression,
    stream: Box<dyn Read + Send>,
) -> io::Result<Box<dyn Read + Send>> {
    match compression {
        Compression::Gzip => Ok(Box::new(flate2::read::MultiGzDecoder::new(stream))),
        Compression::Zstd => Ok(Box::new(zstd::stream::read::Decoder::new(stream)?)),
    }
}

/// Counts the bytes read through it into a shared counter.
pub(crate) struct CountingReader<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
}

impl<R> CountingReader<R> {
    pub(crate) fn new(inner: R, counter: Option<Arc<AtomicU64>>) -> Self {
        CountingReader { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        if let Some(counter) = &self.counter {
            counter.fetch_add(count as u64, Ordering::Relaxed);
        }
        Ok(count)
    }
}

/// Adds `count` to an optional counter.
pub(crate) fn add_bytes(counter: &Option<Arc<AtomicU64>>, count: u64) {
    if let Some(counter) = counter {
        counter.fetch_add(count, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_and_zstd_round_trip() {
        let text = b"line one\nline two\n";

        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(text).unwrap();
        let gzip = gzip.finish().unwrap();
        assert_eq!(detect_compression(&gzip), Some(Compression::Gzip));

        let zstd = zstd::stream::encode_all(&text[..], 3).unwrap();
        assert_eq!(detect_compression(&zstd), Some(Compression::Zstd));

        for (compression, bytes) in [(Compression::Gzip, gzip), (Compression::Zstd, zstd)] {
            let mut decoded = Vec::new();
            decoder(compression, Box::new(io::Cursor::new(bytes)))
                .unwrap()
                .read_to_end(&mut decoded)
                .unwrap();
            assert_eq!(decoded, text, "{}", compression.name());
        }
        assert_eq!(detect_compression(b"plain"), None);
    }

    #[test]
    fn concatenated_gzip_members_are_read() {
        let mut bytes = Vec::new();
        for part in [&b"first\n"[..], b"second\n"] {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gzip.write_all(part).unwrap();
            bytes.extend(gzip.finish().unwrap());
        }
        let mut decoded = String::new();
        decoder(Compression::Gzip, Box::new(io::Cursor::new(bytes)))
            .unwrap()
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, "first\nsecond\n");
    }

    #[test]
    fn counter_adds_bytes_read() {
        let counter = Arc::new(AtomicU64::new(5));
        let mut reader = CountingReader::new(&b"abcdef"[..], Some(counter.clone()));
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        assert_eq!(counter.load(Ordering::Relaxed), 11);
    }
}
