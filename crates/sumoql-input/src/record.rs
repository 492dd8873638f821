//! Records, the metadata fields they return, and the items the input stream yields.

use std::borrow::Cow;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock, OnceLock};

use crate::canonical::render_canonical;
use crate::event::WindowsEvent;
use crate::origin::Origin;
use crate::source_rules::SourceRule;

/// The value of `_collector` on every record.
pub const COLLECTOR_NAME: &str = "sumoql";

/// The source of a record's `_raw` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawMode {
    /// The canonical element-per-field rendering of a Windows event (see
    /// [`render_canonical`]).
    #[default]
    Canonical,
    /// The record text as read: the XML event, the JSON line, or for `.evtx` the XML that
    /// the `evtx` crate renders, on one line and without the `<?xml …?>` declaration.
    Original,
}

/// The formats the readers recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputFormat {
    /// Binary Windows event log files.
    Evtx,
    /// Windows event XML: one `<Event>` per line, or an `<Events>` document.
    WindowsXml,
    /// JSON in the shape the `evtx` crate writes: `{"Event":{"System":…,"EventData":…}}`.
    EvtxJson,
    /// The JSON that Sumo Logic's Installed Collector writes for Windows events:
    /// `{"EventID":…,"Computer":…,"EventData":{…},…}`.
    SumoJson,
    /// Flat JSON as NXLog and the OTRF Security-Datasets write it: `System` values and
    /// every `EventData` value as top-level keys (`Hostname`, `SourceName`, `Image`, …).
    FlatJson,
    /// Elastic Winlogbeat JSON: `winlog.*` keys and ECS fields (`process.executable`, …).
    Winlogbeat,
    /// Syslog lines. Lines that carry an `<Event>` (Sysmon for Linux) are Windows events,
    /// the others are plain text messages.
    Syslog,
    /// Plain text, one message per line (or per start line, with a multi-line pattern).
    Text,
    /// JSON that is not a Windows event: one message per line, or per value of a
    /// document that spans lines.
    Json,
}

impl InputFormat {
    /// Every format, in the order `--input-format` lists them.
    pub const ALL: [InputFormat; 9] = [
        InputFormat::Evtx,
        InputFormat::WindowsXml,
        InputFormat::EvtxJson,
        InputFormat::SumoJson,
        InputFormat::FlatJson,
        InputFormat::Winlogbeat,
        InputFormat::Syslog,
        InputFormat::Text,
        InputFormat::Json,
    ];

    /// Returns the format name that is the value of `_source` and that `--input-format` accepts.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Evtx => "evtx",
            InputFormat::WindowsXml => "windows-xml",
            InputFormat::EvtxJson => "evtx-json",
            InputFormat::SumoJson => "sumo-json",
            InputFormat::FlatJson => "flat-json",
            InputFormat::Winlogbeat => "winlogbeat",
            InputFormat::Syslog => "syslog",
            InputFormat::Text => "text",
            InputFormat::Json => "json",
        }
    }

    /// Looks up a format by its [`name`](InputFormat::name).
    pub fn from_name(name: &str) -> Option<InputFormat> {
        InputFormat::ALL
            .into_iter()
            .find(|format| format.name() == name)
    }

    /// Returns whether every record of this format is a Windows event.
    pub fn is_windows_event(self) -> bool {
        !matches!(
            self,
            InputFormat::Syslog | InputFormat::Text | InputFormat::Json
        )
    }
}

/// The kind of text a record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A Windows event, parsed into [`Record::event`]. Its `_raw` is canonical by default.
    WindowsEvent,
    /// A plain text message. `_raw` is the text.
    Text,
    /// A JSON value that is not a Windows event. `_raw` is the JSON text.
    Json,
}

/// Metadata values set by configuration rather than read from the record: the sources
/// file, or command-line options. A value that is `None` is derived from the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMetadata {
    /// `_sourceCategory`.
    pub category: Option<Arc<str>>,
    /// `_sourceHost`.
    pub host: Option<Arc<str>>,
    /// `_sourceName`.
    pub name: Option<Arc<str>>,
}

/// Settings that apply to every record read. The fields other than `raw` and `sources`
/// are command-line overrides: when set they win over the sources file and over the
/// values in the record itself.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides the `_sourceCategory` derived from the channel or set by the sources file.
    pub category: Option<String>,
    pub raw: RawMode,
    /// Overrides `_sourceHost`.
    pub host: Option<String>,
    /// Overrides `_sourceName`.
    pub source_name: Option<String>,
    /// Reads every input in this format instead of recognising it from the content.
    /// Compression is still recognised.
    pub format: Option<InputFormat>,
    /// For plain text: a line that matches starts a new message, and the lines up to the
    /// next match belong to it.
    pub multiline: Option<regex::Regex>,
    /// Settings per path, from the sources file. The first rule whose pattern matches a
    /// file applies to it.
    pub sources: Vec<SourceRule>,
    /// Counts the bytes read from input files (before decompression), for progress
    /// reports. Standard input and pipes are counted as they are read.
    pub bytes_read: Option<Arc<AtomicU64>>,
    /// Yields text records undecoded, to be parsed by [`Record::decode`] on the caller's
    /// threads. `.evtx` records are always decoded by the reader.
    pub defer_decoding: bool,
    /// The maximum length in bytes of a line, event, JSON value or message that the text
    /// readers keep. A longer one is reported as malformed and skipped. `None` means
    /// [`DEFAULT_MAX_RECORD_BYTES`].
    pub max_record_bytes: Option<usize>,
}

/// The maximum record length unless [`ReadOptions::max_record_bytes`] sets another:
/// 16 MiB, hundreds of times a large Windows event, small enough that holding one record
/// and its decoded copy stays cheap.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// The position of a record in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number where the record starts for text inputs, 1-based record number
    /// for `.evtx`.
    pub line_or_record: u64,
    /// Byte offset where the record text starts. For UTF-16 text inputs it counts bytes of
    /// the UTF-8 text the input was converted to.
    pub byte_offset: u64,
}

/// One log record.
#[derive(Debug)]
pub struct Record {
    /// The input's path as given, `-` for standard input.
    pub source_name: Arc<str>,
    pub format: InputFormat,
    pub kind: RecordKind,
    pub position: Position,
    /// `_messageTime` as epoch milliseconds: `TimeCreated` for a Windows event, sub-millisecond
    /// digits truncated; the leading timestamp or the file's modification time for other
    /// records.
    pub message_time_ms: Option<i64>,
    /// When the record was read, as epoch milliseconds.
    pub receipt_time_ms: i64,
    /// The parsed event of a Windows event record; empty for other kinds.
    pub event: WindowsEvent,
    /// Whether invalid UTF-8 in the input was replaced with U+FFFD to build this record.
    pub lossy_utf8: bool,
    original: String,
    raw_mode: RawMode,
    metadata: Arc<SourceMetadata>,
    canonical: OnceLock<String>,
    /// The bytes and input of a record read with `ReadOptions::defer_decoding`, until
    /// [`Record::decode`] parses them.
    undecoded: Option<Undecoded>,
}

/// The input and bytes of a deferred record, kept to decode it later, maybe on another thread.
#[derive(Debug)]
struct Undecoded {
    origin: Arc<Origin>,
    bytes: Vec<u8>,
}

/// Returns the metadata of a record with none configured. Every such record shares one
/// allocation, because most records never get metadata of their own and allocating it
/// for each one showed in profiles. `Arc::make_mut` copies it before a change.
fn no_metadata() -> Arc<SourceMetadata> {
    static NO_METADATA: LazyLock<Arc<SourceMetadata>> = LazyLock::new(Arc::default);
    Arc::clone(&NO_METADATA)
}

impl Record {
    /// Builds a Windows event record from an event and the text it was parsed from, with
    /// canonical `_raw`, no configured metadata and the current time as receipt time.
    pub fn new(
        source_name: Arc<str>,
        format: InputFormat,
        position: Position,
        event: WindowsEvent,
        original: String,
    ) -> Record {
        Record {
            source_name,
            format,
            kind: RecordKind::WindowsEvent,
            position,
            message_time_ms: event.time_created_ms(),
            receipt_time_ms: now_ms(),
            event,
            lossy_utf8: false,
            original,
            raw_mode: RawMode::Canonical,
            metadata: no_metadata(),
            canonical: OnceLock::new(),
            undecoded: None,
        }
    }

    /// Builds a plain text or generic JSON record, whose `_raw` is `text`.
    pub fn message(
        source_name: Arc<str>,
        format: InputFormat,
        kind: RecordKind,
        position: Position,
        text: String,
        message_time_ms: Option<i64>,
    ) -> Record {
        Record {
            source_name,
            format,
            kind,
            position,
            message_time_ms,
            receipt_time_ms: now_ms(),
            event: WindowsEvent::default(),
            lossy_utf8: false,
            original: text,
            raw_mode: RawMode::Original,
            metadata: no_metadata(),
            canonical: OnceLock::new(),
            undecoded: None,
        }
    }

    /// Sets how `_raw` is produced. Only Windows events have a canonical rendering, so
    /// other records keep their text whatever the mode.
    pub fn with_raw_mode(mut self, raw_mode: RawMode) -> Record {
        if self.kind == RecordKind::WindowsEvent {
            self.raw_mode = raw_mode;
        }
        self
    }

    /// Sets a `_sourceCategory` that replaces the one derived from the channel.
    pub fn with_category(mut self, category: Option<Arc<str>>) -> Record {
        Arc::make_mut(&mut self.metadata).category = category;
        self
    }

    /// Sets the configured metadata (category, host, name).
    pub fn with_metadata(mut self, metadata: Arc<SourceMetadata>) -> Record {
        self.metadata = metadata;
        self
    }

    /// Builds a record whose bytes are decoded later by [`Record::decode`]. Only its
    /// input, format and position are known until then.
    pub(crate) fn undecoded(origin: &Origin, bytes: Vec<u8>, position: Position) -> Record {
        let mut record = Record::message(
            origin.source_name.clone(),
            origin.format,
            RecordKind::Text,
            position,
            String::new(),
            None,
        );
        record.undecoded = Some(Undecoded {
            origin: origin.for_decoding(),
            bytes,
        });
        record
    }

    /// Reports whether the record's text has been parsed; only records read with
    /// `ReadOptions::defer_decoding` start undecoded.
    pub fn is_decoded(&self) -> bool {
        self.undecoded.is_none()
    }

    /// Reports, for an undecoded record of Windows event XML (or `.evtx`) in valid UTF-8,
    /// whether [`Record::decode`] will return a record rather than a malformed item,
    /// without decoding it. Returns `None` for other records, which only decoding can
    /// judge.
    pub fn undecoded_is_well_formed(&self) -> Option<bool> {
        let undecoded = self.undecoded.as_ref()?;
        if !matches!(self.format, InputFormat::WindowsXml | InputFormat::Evtx) {
            return None;
        }
        let text = std::str::from_utf8(&undecoded.bytes).ok()?;
        Some(crate::xml::is_valid_event_xml(text))
    }

    /// Returns the bytes the record was read from: the undecoded bytes, or the original text.
    pub fn text_bytes(&self) -> &[u8] {
        match &self.undecoded {
            Some(undecoded) => &undecoded.bytes,
            None => self.original.as_bytes(),
        }
    }

    /// Parses an undecoded record, which may turn out malformed; a decoded record is
    /// returned as it is.
    pub fn decode(self) -> Item {
        match self.undecoded {
            Some(undecoded) => undecoded.origin.decode_vec(undecoded.bytes, self.position),
            None => Item::Record(self),
        }
    }

    /// Returns the record text as read.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Returns `_raw`. The canonical rendering is built on first use and cached, because
    /// several query branches read the same record and most records are never rendered.
    pub fn raw(&self) -> &str {
        match self.raw_mode {
            RawMode::Original => &self.original,
            RawMode::Canonical => self.canonical.get_or_init(|| render_canonical(&self.event)),
        }
    }

    /// Returns `_sourceCategory`: the configured category, else for a Windows event one
    /// derived from its channel. Other records have none unless configured.
    pub fn source_category(&self) -> Option<Cow<'_, str>> {
        if let Some(category) = &self.metadata.category {
            return Some(Cow::Borrowed(category));
        }
        match self.kind {
            RecordKind::WindowsEvent => {
                Some(category_for_channel(self.event.system_value("Channel")))
            }
            RecordKind::Text | RecordKind::Json => None,
        }
    }

    /// Returns `_sourceHost`: the configured host, else a Windows event's `Computer`.
    pub fn source_host(&self) -> Option<&str> {
        match &self.metadata.host {
            Some(host) => Some(host),
            None => self.event.system_value("Computer"),
        }
    }

    /// Returns `_sourceName`: the configured name, else the input's path.
    pub fn source_name(&self) -> &str {
        match &self.metadata.name {
            Some(name) => name,
            None => &self.source_name,
        }
    }

    /// Returns a read-time field or metadata value by case-insensitive name:
    /// `_raw`, `_sourceHost`, `_sourceCategory`, `_sourceName`, `_source`,
    /// `_collector`, `_messageTime` (as text), `_receiptTime`, `_size`, and for a Windows
    /// event the System fields (`EventID`, `Computer`, `Channel`, …). `<EventData>` values
    /// and JSON keys are not returned here: queries extract them from `_raw`.
    pub fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        let is = |expected: &str| name.eq_ignore_ascii_case(expected);

        if is("_raw") {
            return Some(Cow::Borrowed(self.raw()));
        }
        if is("_sourceHost") {
            return self.source_host().map(Cow::Borrowed);
        }
        if is("_sourceCategory") {
            return self.source_category();
        }
        if is("_sourceName") {
            return Some(Cow::Borrowed(self.source_name()));
        }
        if is("_source") {
            return Some(Cow::Borrowed(self.format.name()));
        }
        if is("_collector") {
            return Some(Cow::Borrowed(COLLECTOR_NAME));
        }
        if is("_messageTime") {
            // Sumo stamps a message that has no time of its own with its receipt time.
            let time = self.message_time_ms.unwrap_or(self.receipt_time_ms);
            return Some(Cow::Owned(time.to_string()));
        }
        if is("_receiptTime") {
            return Some(Cow::Owned(self.receipt_time_ms.to_string()));
        }
        if is("_size") {
            return Some(Cow::Owned(self.original.len().to_string()));
        }

        self.event.system_value(name).map(Cow::Borrowed)
    }
}

/// Derives `_sourceCategory` from an event channel: the Sysmon channels map to
/// `windows/sysmon` and `linux/sysmon`, any other channel to `windows/` plus the channel
/// in lower case with spaces replaced by `_`, and no channel to `windows/unknown`.
/// This is a sumoql convention, because in Sumo the category is configured per source.
pub fn category_for_channel(channel: Option<&str>) -> Cow<'static, str> {
    match channel {
        Some("Microsoft-Windows-Sysmon/Operational") => Cow::Borrowed("windows/sysmon"),
        Some("Linux-Sysmon/Operational") => Cow::Borrowed("linux/sysmon"),
        Some(other) => Cow::Owned(format!(
            "windows/{}",
            other.to_lowercase().replace(' ', "_")
        )),
        None => Cow::Borrowed("windows/unknown"),
    }
}

/// A record that could not be decoded.
#[derive(Debug, Clone)]
pub struct Malformed {
    pub source_name: Arc<str>,
    pub position: Position,
    pub format: Option<InputFormat>,
    pub reason: String,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.format {
            Some(InputFormat::Evtx) => "record",
            _ => "line",
        };
        write!(
            formatter,
            "{}: {} {} (byte {}): {}",
            self.source_name,
            unit,
            self.position.line_or_record,
            self.position.byte_offset,
            self.reason
        )
    }
}

/// An item of the input stream.
#[derive(Debug)]
pub enum Item {
    Record(Record),
    Malformed(Malformed),
}

pub(crate) fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_record() -> Record {
        let event = WindowsEvent {
            system: vec![
                ("EventID".to_string(), "1".to_string()),
                (
                    "TimeCreated".to_string(),
                    "2026-03-02T10:15:30.1234567Z".to_string(),
                ),
                (
                    "Channel".to_string(),
                    "Microsoft-Windows-Sysmon/Operational".to_string(),
                ),
                ("Computer".to_string(), "DEV-WS01.corp.example".to_string()),
            ],
            data: vec![("Image".to_string(), "C:\\a.exe".to_string())],
        };
        let position = Position {
            line_or_record: 1,
            byte_offset: 0,
        };
        Record::new(
            Arc::from("events.xml"),
            InputFormat::WindowsXml,
            position,
            event,
            "<Event/>".to_string(),
        )
    }

    #[test]
    fn category_rules() {
        assert_eq!(
            category_for_channel(Some("Microsoft-Windows-Sysmon/Operational")),
            "windows/sysmon"
        );
        assert_eq!(
            category_for_channel(Some("Linux-Sysmon/Operational")),
            "linux/sysmon"
        );
        assert_eq!(category_for_channel(Some("Security")), "windows/security");
        assert_eq!(
            category_for_channel(Some("Windows PowerShell")),
            "windows/windows_powershell"
        );
        assert_eq!(category_for_channel(None), "windows/unknown");
    }

    #[test]
    fn category_override_wins() {
        let record = sample_record().with_category(Some(Arc::from("lab/custom")));
        assert_eq!(
            record.field("_sourceCategory").as_deref(),
            Some("lab/custom")
        );
    }

    #[test]
    fn category_override_leaves_other_records() {
        let changed = sample_record().with_category(Some(Arc::from("lab/custom")));
        let unchanged = sample_record();
        assert_eq!(
            changed.field("_sourceCategory").as_deref(),
            Some("lab/custom")
        );
        assert_eq!(
            unchanged.field("_sourceCategory").as_deref(),
            Some("windows/sysmon")
        );
    }

    #[test]
    fn metadata_fields() {
        let record = sample_record();
        assert_eq!(
            record.field("_sourceHost").as_deref(),
            Some("DEV-WS01.corp.example")
        );
        assert_eq!(
            record.field("_SOURCEHOST").as_deref(),
            Some("DEV-WS01.corp.example")
        );
        assert_eq!(
            record.field("_sourceCategory").as_deref(),
            Some("windows/sysmon")
        );
        assert_eq!(record.field("_sourceName").as_deref(), Some("events.xml"));
        assert_eq!(record.field("_source").as_deref(), Some("windows-xml"));
        assert_eq!(record.field("_collector").as_deref(), Some("sumoql"));
        assert_eq!(
            record.field("_messageTime").as_deref(),
            Some("1772446530123")
        );
        assert_eq!(record.message_time_ms, Some(1_772_446_530_123));
        assert_eq!(record.field("_size").as_deref(), Some("8"));
        assert_eq!(record.field("eventid").as_deref(), Some("1"));
        assert_eq!(record.field("Image"), None);
        assert_eq!(record.field("nosuchfield"), None);
    }

    #[test]
    fn receipt_time_is_now() {
        let before = now_ms();
        let record = sample_record();
        let receipt: i64 = record.field("_receiptTime").unwrap().parse().unwrap();
        assert!(receipt >= before);
        assert!(receipt <= now_ms());
    }

    #[test]
    fn message_time_falls_back_to_receipt_time() {
        let mut record = sample_record();
        record.message_time_ms = None;
        assert_eq!(
            record.field("_messageTime").as_deref(),
            Some(record.receipt_time_ms.to_string().as_str())
        );
    }

    #[test]
    fn raw_modes() {
        let canonical = sample_record();
        assert!(canonical
            .raw()
            .starts_with("<Event><System><EventID>1</EventID>"));
        assert!(canonical
            .raw()
            .contains("<Image><![CDATA[C:\\a.exe]]></Image>"));

        let original = sample_record().with_raw_mode(RawMode::Original);
        assert_eq!(original.raw(), "<Event/>");
        assert_eq!(original.field("_raw").as_deref(), Some("<Event/>"));
    }

    #[test]
    fn canonical_raw_is_rendered_lazily() {
        let record = sample_record();
        assert!(record.canonical.get().is_none());
        let _ = record.field("EventID");
        assert!(record.canonical.get().is_none());
        let first = record.raw().as_ptr();
        assert_eq!(record.raw().as_ptr(), first);
    }
}
