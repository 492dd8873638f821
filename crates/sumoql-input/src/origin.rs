//! Turns the text of one record into an [`Item`], with the metadata of the input it came from.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::json::{classify, parse_windows_json};
use crate::record::{
    InputFormat, Item, Malformed, Position, RawMode, Record, RecordKind, SourceMetadata,
};
use crate::text::find_event_start;
use crate::timestamp::{json_time_ms, message_time_ms, TimeContext};
use crate::xml::parse_event_xml;

/// The input a reader is reading and the settings its records get.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The path as given, for errors; `-` for standard input.
    pub(crate) path: PathBuf,
    /// The input's name in messages, and `_sourceName` unless one is configured.
    pub(crate) source_name: Arc<str>,
    pub(crate) format: InputFormat,
    pub(crate) raw_mode: RawMode,
    pub(crate) metadata: Arc<SourceMetadata>,
    /// The zone and reference time of timestamps without a zone or year.
    pub(crate) time: TimeContext,
    /// The file's modification time, the `_messageTime` of a message without a timestamp.
    pub(crate) file_time_ms: Option<i64>,
    /// Whether records are yielded undecoded (`ReadOptions::defer_decoding`).
    pub(crate) defer_decoding: bool,
    /// The maximum length in bytes of one record's text (`ReadOptions::max_record_bytes`).
    pub(crate) max_record_bytes: usize,
    /// The copy that deferred records share, built for the first one
    /// (`Origin::for_decoding`).
    pub(crate) decoding_copy: OnceLock<Arc<Origin>>,
}

impl Origin {
    /// Decodes record bytes as UTF-8, replacing invalid sequences with U+FFFD, and parses
    /// them in this origin's format.
    pub(crate) fn item_from_bytes(&self, bytes: &[u8], position: Position) -> Item {
        if self.defer_decoding {
            return Item::Record(Record::undecoded(self, bytes.to_vec(), position));
        }
        self.decode_bytes(bytes, position)
    }

    /// Does what [`Self::item_from_bytes`] does, keeping the buffer for a deferred record.
    pub(crate) fn item_from_vec(&self, bytes: Vec<u8>, position: Position) -> Item {
        if self.defer_decoding {
            return Item::Record(Record::undecoded(self, bytes, position));
        }
        self.decode_vec(bytes, position)
    }

    /// Returns the copy to decode deferred records with. Records share one copy, built
    /// for the first of them, because building one per record showed in profiles. A
    /// fresh copy is built instead if a setting changed since then.
    pub(crate) fn for_decoding(&self) -> Arc<Origin> {
        let shared = self
            .decoding_copy
            .get_or_init(|| Arc::new(self.decoding_copy()));
        if shared.decodes_like(self) {
            Arc::clone(shared)
        } else {
            Arc::new(self.decoding_copy())
        }
    }

    /// Builds a copy to decode deferred records with, without the path: only read
    /// errors name the path, and decoding reports none.
    fn decoding_copy(&self) -> Origin {
        Origin {
            path: PathBuf::new(),
            source_name: self.source_name.clone(),
            format: self.format,
            raw_mode: self.raw_mode,
            metadata: self.metadata.clone(),
            time: self.time,
            file_time_ms: self.file_time_ms,
            defer_decoding: false,
            max_record_bytes: self.max_record_bytes,
            decoding_copy: OnceLock::new(),
        }
    }

    /// Reports whether this decoding copy decodes records as `other` does.
    fn decodes_like(&self, other: &Origin) -> bool {
        Arc::ptr_eq(&self.source_name, &other.source_name)
            && self.format == other.format
            && self.raw_mode == other.raw_mode
            && Arc::ptr_eq(&self.metadata, &other.metadata)
            && self.time == other.time
            && self.file_time_ms == other.file_time_ms
            && self.max_record_bytes == other.max_record_bytes
    }

    /// Decodes and parses record bytes now, whatever the deferral setting.
    pub(crate) fn decode_bytes(&self, bytes: &[u8], position: Position) -> Item {
        // Checking for valid UTF-8 first is much faster than the lossy conversion.
        let (text, lossy) = match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), false),
            Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
        };
        self.parse_text(text, lossy, position)
    }

    /// Does what [`Self::decode_bytes`] does, reusing the buffer as the text when it is
    /// valid UTF-8.
    pub(crate) fn decode_vec(&self, bytes: Vec<u8>, position: Position) -> Item {
        match String::from_utf8(bytes) {
            Ok(text) => self.parse_text(text, false, position),
            Err(error) => self.decode_bytes(error.as_bytes(), position),
        }
    }

    pub(crate) fn item_from_text(
        &self,
        text: String,
        lossy_utf8: bool,
        position: Position,
    ) -> Item {
        if self.defer_decoding && !lossy_utf8 {
            return Item::Record(Record::undecoded(self, text.into_bytes(), position));
        }
        self.parse_text(text, lossy_utf8, position)
    }

    fn parse_text(&self, text: String, lossy_utf8: bool, position: Position) -> Item {
        let item = match self.format {
            InputFormat::Evtx | InputFormat::WindowsXml => match parse_event_xml(&text) {
                Ok(event) => Ok(self.windows_record(event, text, position)),
                Err(reason) => Err(reason),
            },
            InputFormat::EvtxJson
            | InputFormat::SumoJson
            | InputFormat::FlatJson
            | InputFormat::Winlogbeat => self.windows_json_record(text, position),
            InputFormat::Json => Ok(self.json_record(text, position)),
            InputFormat::Syslog => self.syslog_record(text, position),
            InputFormat::Text => Ok(self.text_record(text, position)),
        };

        match item {
            Ok(mut record) => {
                record.lossy_utf8 = lossy_utf8;
                Item::Record(record)
            }
            Err(reason) => self.malformed(position, reason),
        }
    }

    fn windows_record(
        &self,
        event: crate::WindowsEvent,
        text: String,
        position: Position,
    ) -> Record {
        Record::new(self.source_name.clone(), self.format, position, event, text)
            .with_raw_mode(self.raw_mode)
            .with_metadata(self.metadata.clone())
    }

    fn windows_json_record(&self, text: String, position: Position) -> Result<Record, String> {
        let value: Value =
            serde_json::from_str(&text).map_err(|error| format!("invalid JSON: {error}"))?;
        let event = parse_windows_json(self.format, &value).map_err(|reason| {
            // A line of another shape in a file of Windows events names the shape it has.
            let found = classify(&value);
            if found != self.format && found != InputFormat::Json {
                format!("{reason}; this value looks like {}", found.name())
            } else {
                reason
            }
        })?;
        Ok(self.windows_record(event, text, position))
    }

    /// Builds a generic JSON record. Text that is not valid JSON is still a message,
    /// as it would be in Sumo; only its time cannot be read from a key.
    fn json_record(&self, text: String, position: Position) -> Record {
        let time = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(object)) => json_time_ms(&object, &self.time),
            _ => None,
        };
        self.message_record(RecordKind::Json, text, position, time)
    }

    fn text_record(&self, text: String, position: Position) -> Record {
        let time = message_time_ms(&text, &self.time);
        self.message_record(RecordKind::Text, text, position, time)
    }

    /// Reads one syslog line: a Windows event when it carries an `<Event>` element (as
    /// Sysmon for Linux writes), plain text otherwise.
    fn syslog_record(&self, text: String, position: Position) -> Result<Record, String> {
        let Some(start) = find_event_start(text.as_bytes()) else {
            return Ok(self.text_record(text, position));
        };
        let Some(length) = text[start..].find("</Event>") else {
            return Err("the line has an <Event> start tag but no </Event>".to_string());
        };
        let event_text = text[start..start + length + "</Event>".len()].to_string();
        let event = parse_event_xml(&event_text)?;
        let event_position = Position {
            line_or_record: position.line_or_record,
            byte_offset: position.byte_offset + start as u64,
        };
        Ok(self.windows_record(event, event_text, event_position))
    }

    fn message_record(
        &self,
        kind: RecordKind,
        text: String,
        position: Position,
        time: Option<i64>,
    ) -> Record {
        let time = time.or(self.file_time_ms);
        Record::message(
            self.source_name.clone(),
            self.format,
            kind,
            position,
            text,
            time,
        )
        .with_metadata(self.metadata.clone())
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::FixedOffset;

    /// Builds an origin named `test`, with `--raw original`, UTC and no file time.
    pub(crate) fn test_origin(format: InputFormat) -> Origin {
        Origin {
            path: PathBuf::from("test"),
            source_name: Arc::from("test"),
            format,
            raw_mode: RawMode::Original,
            metadata: Arc::default(),
            time: TimeContext {
                zone: FixedOffset::east_opt(0).unwrap(),
                reference_ms: 0,
            },
            file_time_ms: None,
            defer_decoding: false,
            max_record_bytes: crate::record::DEFAULT_MAX_RECORD_BYTES,
            decoding_copy: OnceLock::new(),
        }
    }

    fn record(origin: &Origin, text: &str) -> Record {
        let position = Position {
            line_or_record: 1,
            byte_offset: 0,
        };
        match origin.item_from_text(text.to_string(), false, position) {
            Item::Record(record) => record,
            Item::Malformed(malformed) => panic!("malformed: {malformed}"),
        }
    }

    fn decoded(record: Record) -> Record {
        match record.decode() {
            Item::Record(record) => record,
            Item::Malformed(malformed) => panic!("malformed: {malformed}"),
        }
    }

    #[test]
    fn deferred_records_share_decoding_copy() {
        let mut origin = test_origin(InputFormat::Text);
        origin.defer_decoding = true;
        let first = origin.for_decoding();
        let second = origin.for_decoding();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!first.defer_decoding);
    }

    #[test]
    fn deferred_record_decodes_with_changed_settings() {
        let mut origin = test_origin(InputFormat::Text);
        origin.defer_decoding = true;
        let before = record(&origin, "ready");
        origin.file_time_ms = Some(42);
        let after = record(&origin, "ready");
        assert_eq!(decoded(before).message_time_ms, None);
        assert_eq!(decoded(after).message_time_ms, Some(42));
    }

    #[test]
    fn text_message_time_falls_back_to_file_time() {
        let mut origin = test_origin(InputFormat::Text);
        origin.file_time_ms = Some(42);
        let with_time = record(&origin, "2026-03-01T12:34:56Z ready");
        assert_eq!(with_time.message_time_ms, Some(1_772_368_496_000));
        assert_eq!(with_time.kind, RecordKind::Text);
        let without = record(&origin, "ready");
        assert_eq!(without.message_time_ms, Some(42));
        assert_eq!(without.field("_raw").as_deref(), Some("ready"));
        assert_eq!(without.field("_sourceCategory"), None);
        assert_eq!(without.field("_source").as_deref(), Some("text"));
    }

    #[test]
    fn syslog_lines_are_events_or_text() {
        let origin = test_origin(InputFormat::Syslog);
        let banner = record(&origin, "Mar  1 12:34:56 host sysmon[1]: started");
        assert_eq!(banner.kind, RecordKind::Text);
        let event = record(
            &origin,
            "Mar  1 12:34:56 host sysmon: <Event><System><EventID>1</EventID></System></Event>",
        );
        assert_eq!(event.kind, RecordKind::WindowsEvent);
        assert_eq!(event.position.byte_offset, 29);
        assert_eq!(event.field("EventID").as_deref(), Some("1"));
    }

    #[test]
    fn generic_json_keeps_invalid_lines() {
        let origin = test_origin(InputFormat::Json);
        let valid = record(&origin, r#"{"ts":"2026-03-01T12:34:56Z","msg":"x"}"#);
        assert_eq!(valid.message_time_ms, Some(1_772_368_496_000));
        let invalid = record(&origin, "{not json");
        assert_eq!(invalid.kind, RecordKind::Json);
        assert_eq!(invalid.raw(), "{not json");
    }

    #[test]
    fn wrong_shape_names_the_shape_found() {
        let origin = test_origin(InputFormat::FlatJson);
        let position = Position {
            line_or_record: 1,
            byte_offset: 0,
        };
        let item =
            origin.item_from_text(r#"{"winlog":{"event_id":1}}"#.to_string(), false, position);
        let Item::Malformed(malformed) = item else {
            panic!("expected a malformed item");
        };
        assert!(
            malformed.reason.contains("looks like winlogbeat"),
            "{}",
            malformed.reason
        );
    }
}
