//! Builds small valid `.evtx` files: a file header, one chunk, and records
//! whose BinXML is a plain element tree (no templates), as described in
//! Microsoft's MS-EVEN6 specification. Checksums are left zero, because the
//! `evtx` crate does not check them unless asked and sumoql does not ask.

use std::collections::HashMap;

pub const FILE_HEADER_BYTES: usize = 4096;
pub const CHUNK_BYTES: usize = 65536;
pub const CHUNK_HEADER_BYTES: usize = 512;
const RECORD_HEADER_BYTES: usize = 24;

/// BinXML tokens.
const END_OF_STREAM: u8 = 0x00;
const OPEN_START_ELEMENT: u8 = 0x01;
const OPEN_START_ELEMENT_WITH_ATTRIBUTES: u8 = 0x41;
const CLOSE_START_ELEMENT: u8 = 0x02;
const CLOSE_EMPTY_ELEMENT: u8 = 0x03;
const END_ELEMENT: u8 = 0x04;
const VALUE: u8 = 0x05;
const ATTRIBUTE: u8 = 0x06;
const ATTRIBUTE_MORE_FOLLOW: u8 = 0x46;
const FRAGMENT_HEADER: [u8; 4] = [0x0f, 0x01, 0x01, 0x00];

/// BinXML value types.
const STRING_TYPE: u8 = 0x01;
const UINT16_TYPE: u8 = 0x06;
const UINT32_TYPE: u8 = 0x08;
const FILETIME_TYPE: u8 = 0x11;
const HEX_INT64_TYPE: u8 = 0x15;

/// 2019-06-19T20:27:42.3318108Z in 100-nanosecond units since 1601-01-01.
const FILETIME: u64 = 132_054_496_623_318_108;

/// A typed BinXML value.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    UInt16(u16),
    UInt32(u32),
    FileTime(u64),
    HexInt64(u64),
}

/// An element of the tree a record holds.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, Value)>,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub enum Content {
    Empty,
    Value(Value),
    Children(Vec<Element>),
}

fn element(name: &str, attributes: Vec<(&str, Value)>, content: Content) -> Element {
    Element {
        name: name.to_string(),
        attributes: attributes
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
        content,
    }
}

fn text(value: &str) -> Value {
    Value::Text(value.to_string())
}

fn leaf(name: &str, value: Value) -> Element {
    element(name, Vec::new(), Content::Value(value))
}

fn data(name: &str, value: &str) -> Element {
    element(
        "Data",
        vec![("Name", text(name))],
        Content::Value(text(value)),
    )
}

/// Builds a Sysmon process creation event with typed System values and
/// text that needs escaping in XML.
pub fn sysmon_event(record_id: u64) -> Element {
    let system = vec![
        element(
            "Provider",
            vec![
                ("Name", text("Microsoft-Windows-Sysmon")),
                ("Guid", text("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")),
            ],
            Content::Empty,
        ),
        leaf("EventID", Value::UInt16(1)),
        leaf("Version", text("5")),
        leaf("Level", text("4")),
        leaf("Task", text("1")),
        leaf("Opcode", text("0")),
        leaf("Keywords", Value::HexInt64(0x8000_0000_0000_0000)),
        element(
            "TimeCreated",
            vec![("SystemTime", Value::FileTime(FILETIME))],
            Content::Empty,
        ),
        leaf("EventRecordID", text(&record_id.to_string())),
        element(
            "Execution",
            vec![
                ("ProcessID", Value::UInt32(2036)),
                ("ThreadID", Value::UInt32(2424)),
            ],
            Content::Empty,
        ),
        leaf("Channel", text("Microsoft-Windows-Sysmon/Operational")),
        leaf("Computer", text("workstation.example.com")),
        element(
            "Security",
            vec![("UserID", text("S-1-5-18"))],
            Content::Empty,
        ),
    ];
    let event_data = vec![
        data("RuleName", ""),
        data("Image", "C:\\Windows\\System32\\cmd.exe"),
        data("CommandLine", "cmd.exe /c \"echo a & b <c>\"\r\nnext"),
        element("Data", Vec::new(), Content::Value(text("unnamed"))),
    ];
    element(
        "Event",
        vec![(
            "xmlns",
            text("http://schemas.microsoft.com/win/2004/08/events/event"),
        )],
        Content::Children(vec![
            element("System", Vec::new(), Content::Children(system)),
            element("EventData", Vec::new(), Content::Children(event_data)),
        ]),
    )
}

/// Writes BinXML for records of one chunk. Names are stored inline at their
/// first use and referenced by chunk offset after that, as Windows writes them.
#[derive(Default)]
pub struct ChunkWriter {
    /// The chunk's bytes after its header.
    body: Vec<u8>,
    names: HashMap<String, u32>,
}

impl ChunkWriter {
    fn chunk_offset(&self) -> u32 {
        (CHUNK_HEADER_BYTES + self.body.len()) as u32
    }

    fn push_u16(&mut self, value: u16) {
        self.body.extend_from_slice(&value.to_le_bytes());
    }

    fn push_u32(&mut self, value: u32) {
        self.body.extend_from_slice(&value.to_le_bytes());
    }

    fn push_name(&mut self, name: &str) {
        if let Some(offset) = self.names.get(name) {
            let offset = *offset;
            self.push_u32(offset);
            return;
        }
        let offset = self.chunk_offset() + 4;
        self.names.insert(name.to_string(), offset);
        self.push_u32(offset);
        // The link to the next name with the same hash, and the hash, which the
        // reader does not check.
        self.push_u32(0);
        self.push_u16(0);
        let units: Vec<u16> = name.encode_utf16().collect();
        self.push_u16(units.len() as u16);
        for unit in units {
            self.push_u16(unit);
        }
        self.push_u16(0);
    }

    fn push_value(&mut self, value: &Value) {
        self.body.push(VALUE);
        match value {
            Value::Text(text) => {
                self.body.push(STRING_TYPE);
                let units: Vec<u16> = text.encode_utf16().collect();
                self.push_u16(units.len() as u16);
                for unit in units {
                    self.push_u16(unit);
                }
            }
            Value::UInt16(number) => {
                self.body.push(UINT16_TYPE);
                self.push_u16(*number);
            }
            Value::UInt32(number) => {
                self.body.push(UINT32_TYPE);
                self.push_u32(*number);
            }
            Value::FileTime(time) => {
                self.body.push(FILETIME_TYPE);
                self.body.extend_from_slice(&time.to_le_bytes());
            }
            Value::HexInt64(number) => {
                self.body.push(HEX_INT64_TYPE);
                self.body.extend_from_slice(&number.to_le_bytes());
            }
        }
    }

    fn push_element(&mut self, element: &Element) {
        let token = if element.attributes.is_empty() {
            OPEN_START_ELEMENT
        } else {
            OPEN_START_ELEMENT_WITH_ATTRIBUTES
        };
        self.body.push(token);
        // The element's data size, which the reader does not need.
        self.push_u32(0);
        self.push_name(&element.name);
        if !element.attributes.is_empty() {
            // The attribute list's data size, likewise unused.
            self.push_u32(0);
            let last = element.attributes.len() - 1;
            for (index, (name, value)) in element.attributes.iter().enumerate() {
                let token = if index < last {
                    ATTRIBUTE_MORE_FOLLOW
                } else {
                    ATTRIBUTE
                };
                self.body.push(token);
                self.push_name(name);
                self.push_value(value);
            }
        }

        match &element.content {
            Content::Empty => self.body.push(CLOSE_EMPTY_ELEMENT),
            Content::Value(value) => {
                self.body.push(CLOSE_START_ELEMENT);
                self.push_value(value);
                self.body.push(END_ELEMENT);
            }
            Content::Children(children) => {
                self.body.push(CLOSE_START_ELEMENT);
                for child in children {
                    self.push_element(child);
                }
                self.body.push(END_ELEMENT);
            }
        }
    }

    /// Appends a record whose BinXML is `element`.
    pub fn push_record(&mut self, record_id: u64, element: &Element) {
        let start = self.body.len();
        self.body.extend_from_slice(b"**\0\0");
        self.push_u32(0);
        self.body.extend_from_slice(&record_id.to_le_bytes());
        self.body.extend_from_slice(&FILETIME.to_le_bytes());
        self.body.extend_from_slice(&FRAGMENT_HEADER);
        self.push_element(element);
        self.body.push(END_OF_STREAM);
        self.finish_record(start);
    }

    /// Appends a record whose BinXML is `binxml`, as given.
    pub fn push_raw_record(&mut self, record_id: u64, binxml: &[u8]) {
        let start = self.body.len();
        self.body.extend_from_slice(b"**\0\0");
        self.push_u32(0);
        self.body.extend_from_slice(&record_id.to_le_bytes());
        self.body.extend_from_slice(&FILETIME.to_le_bytes());
        self.body.extend_from_slice(binxml);
        self.finish_record(start);
    }

    /// Writes the record's size into its header and after it.
    fn finish_record(&mut self, start: usize) {
        let size = (self.body.len() - start + 4) as u32;
        self.body[start + 4..start + 8].copy_from_slice(&size.to_le_bytes());
        self.push_u32(size);
    }

    /// Returns the BinXML of the record that starts at `start` in the body.
    pub fn record_binxml(&self, start: usize) -> &[u8] {
        let size = u32::from_le_bytes(self.body[start + 4..start + 8].try_into().unwrap());
        &self.body[start + RECORD_HEADER_BYTES..start + size as usize - 4]
    }

    /// Builds the whole file: header and one chunk that contains the records
    /// numbered `1..=record_count`. The records must fit in the chunk.
    pub fn into_file(self, record_count: u64, last_record_start: usize) -> Vec<u8> {
        assert!(CHUNK_HEADER_BYTES + self.body.len() <= CHUNK_BYTES);
        let mut file = vec![0u8; FILE_HEADER_BYTES + CHUNK_BYTES];

        let header = &mut file[..FILE_HEADER_BYTES];
        header[..8].copy_from_slice(b"ElfFile\0");
        // The oldest and current chunk numbers are both 0.
        header[24..32].copy_from_slice(&(record_count + 1).to_le_bytes());
        header[32..36].copy_from_slice(&128u32.to_le_bytes());
        header[36..38].copy_from_slice(&1u16.to_le_bytes());
        header[38..40].copy_from_slice(&3u16.to_le_bytes());
        header[40..42].copy_from_slice(&(FILE_HEADER_BYTES as u16).to_le_bytes());
        header[42..44].copy_from_slice(&1u16.to_le_bytes());

        let chunk = &mut file[FILE_HEADER_BYTES..];
        chunk[..8].copy_from_slice(b"ElfChnk\0");
        let first = 1u64.min(record_count);
        chunk[8..16].copy_from_slice(&first.to_le_bytes());
        chunk[16..24].copy_from_slice(&record_count.to_le_bytes());
        chunk[24..32].copy_from_slice(&first.to_le_bytes());
        chunk[32..40].copy_from_slice(&record_count.to_le_bytes());
        chunk[40..44].copy_from_slice(&128u32.to_le_bytes());
        let last_record_offset = (CHUNK_HEADER_BYTES + last_record_start) as u32;
        chunk[44..48].copy_from_slice(&last_record_offset.to_le_bytes());
        let free_space_offset = (CHUNK_HEADER_BYTES + self.body.len()) as u32;
        chunk[48..52].copy_from_slice(&free_space_offset.to_le_bytes());
        chunk[CHUNK_HEADER_BYTES..CHUNK_HEADER_BYTES + self.body.len()].copy_from_slice(&self.body);
        file
    }

    pub fn len(&self) -> usize {
        self.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }
}

/// Builds a valid file of two Sysmon events, and returns it with the
/// BinXML of its first record.
pub fn sample_file() -> (Vec<u8>, Vec<u8>) {
    let mut writer = ChunkWriter::default();
    writer.push_record(1, &sysmon_event(1));
    let binxml = writer.record_binxml(0).to_vec();
    let second_start = writer.len();
    writer.push_record(2, &sysmon_event(2));
    (writer.into_file(2, second_start), binxml)
}

/// Builds a valid file of one record whose BinXML is `binxml`, cut to fit
/// the chunk.
pub fn file_with_record(binxml: &[u8]) -> Vec<u8> {
    let room = CHUNK_BYTES - CHUNK_HEADER_BYTES - RECORD_HEADER_BYTES - 4;
    let binxml = &binxml[..binxml.len().min(room)];
    let mut writer = ChunkWriter::default();
    writer.push_raw_record(1, binxml);
    writer.into_file(1, 0)
}
