//! Turns the text of one record into an [`Item`], with the metadata of the input it came from.

use std::path::PathBuf;
use std::sync::Arc;

use crate::json::parse_event_json;
use crate::record::{InputFormat, Item, Malformed, Position, RawMode, Record};
use crate::xml::parse_event_xml;

/// The input a reader is reading and the settings its records get.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The path as given, for errors; `-` for standard input.
    pub(crate) path: PathBuf,
    /// `_sourceName` of every record.
    pub(crate) source_name: Arc<str>,
    pub(crate) format: InputFormat,
    pub(crate) raw_mode: RawMode,
    pub(crate) category: Option<Arc<str>>,
}

impl Origin {
    /// Decodes record bytes as UTF-8, replacing invalid sequences with U+FFFD, and parses
    /// them in this origin's format.
    pub(crate) fn item_from_bytes(&self, bytes: &[u8], position: Position) -> Item {
        let (text, lossy) = match String::from_utf8_lossy(bytes) {
            std::borrow::Cow::Borrowed(text) => (text.to_string(), false),
            std::borrow::Cow::Owned(text) => (text, true),
        };
        self.item_from_text(text, lossy, position)
    }

    pub(crate) fn item_from_text(
        &self,
        text: String,
        lossy_utf8: bool,
        position: Position,
    ) -> Item {
        let parsed = match self.format {
            InputFormat::EvtxJson => parse_event_json(&text),
            InputFormat::Evtx | InputFormat::WindowsXml => parse_event_xml(&text),
        };

        match parsed {
            Ok(event) => {
                let mut record =
                    Record::new(self.source_name.clone(), self.format, position, event, text)
                        .with_raw_mode(self.raw_mode)
                        .with_category(self.category.clone());
                record.lossy_utf8 = lossy_utf8;
                Item::Record(record)
            }
            Err(reason) => self.malformed(position, reason),
        }
    }

    pub(crate) fn malformed(&self, position: Position, reason: impl Into<String>) -> Item {
        Item::Malformed(Malformed {
            source_name: self.source_name.clone(),
            position,
            format: Some(self.format),
            reason: reason.into(),
        })
    }
}
