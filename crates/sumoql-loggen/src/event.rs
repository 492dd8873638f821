//! One generated Sysmon event and its two renderings: Windows event XML on one line, and
//! the JSON object the `evtx` crate writes.

use std::io::Write;

use chrono::DateTime;

/// Every Sysmon event carries this provider GUID (Sysmon's manifest).
const PROVIDER_GUID: &str = "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}";
const CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";
const EVENT_NAMESPACE: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// Ticks of 100 ns in one second: the resolution of `TimeCreated`.
pub const TICKS_PER_SECOND: i64 = 10_000_000;

/// `<EventData>` fields that the `evtx` crate's JSON writes as numbers, because their
/// BinXML type is an integer.
const JSON_NUMBER_FIELDS: [&str; 8] = [
    "ProcessId",
    "ParentProcessId",
    "TerminalSessionId",
    "SourcePort",
    "DestinationPort",
    "SourceProcessId",
    "SourceThreadId",
    "TargetProcessId",
];

/// `<EventData>` fields that the `evtx` crate's JSON writes as `true` or `false`.
const JSON_BOOLEAN_FIELDS: [&str; 3] = ["Initiated", "SourceIsIpv6", "DestinationIsIpv6"];

/// A Sysmon event before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event_id: u16,
    /// The event template version Sysmon writes for this event id.
    pub version: u8,
    /// `TimeCreated`, in 100 ns ticks since the Unix epoch.
    pub time_created: i64,
    pub record_id: u64,
    pub computer: String,
    /// Process and thread of the Sysmon service that logged the event (`<Execution>`).
    pub sysmon_process_id: u32,
    pub sysmon_thread_id: u32,
    /// `<EventData>` values in Sysmon schema order.
    pub data: Vec<(&'static str, String)>,
}

impl Event {
    /// Returns the value of an `<EventData>` field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(field_name, _)| *field_name == name)
            .map(|(_, value)| value.as_str())
    }

    /// Appends the event as one line of Windows event XML, in the single-quoted style of
    /// `wevtutil qe /f:xml`, followed by a line feed.
    pub fn write_xml(&self, out: &mut Vec<u8>) {
        let time = format_system_time(self.time_created);
        let _ = write!(
            out,
            "<Event xmlns='{EVENT_NAMESPACE}'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{PROVIDER_GUID}'/>\
             <EventID>{id}</EventID><Version>{version}</Version><Level>4</Level><Task>{id}</Task><Opcode>0</Opcode>\
             <Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='{time}'/><EventRecordID>{record}</EventRecordID>\
             <Correlation/><Execution ProcessID='{pid}' ThreadID='{tid}'/><Channel>{CHANNEL}</Channel><Computer>",
            id = self.event_id,
            version = self.version,
            record = self.record_id,
            pid = self.sysmon_process_id,
            tid = self.sysmon_thread_id,
        );
        push_xml_text(out, &self.computer);
        out.extend_from_slice(b"</Computer><Security UserID='S-1-5-18'/></System><EventData>");
        for (name, value) in &self.data {
            out.extend_from_slice(b"<Data Name='");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"'>");
            push_xml_text(out, value);
            out.extend_from_slice(b"</Data>");
        }
        out.extend_from_slice(b"</EventData></Event>\n");
    }

    /// Appends the event as one JSON line in the shape `evtx_dump -o jsonl` writes:
    /// attributes under `#attributes`, integer and boolean fields typed, the rest strings.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let time = format_system_time(self.time_created);
        let _ = write!(
            out,
            "{{\"Event\":{{\"#attributes\":{{\"xmlns\":\"{EVENT_NAMESPACE}\"}},\"System\":{{\
             \"Provider\":{{\"#attributes\":{{\"Name\":\"Microsoft-Windows-Sysmon\",\"Guid\":\"{PROVIDER_GUID}\"}}}},\
             \"EventID\":{id},\"Version\":{version},\"Level\":4,\"Task\":{id},\"Opcode\":0,\
             \"Keywords\":\"0x8000000000000000\",\"TimeCreated\":{{\"#attributes\":{{\"SystemTime\":\"{time}\"}}}},\
             \"EventRecordID\":{record},\"Correlation\":null,\
             \"Execution\":{{\"#attributes\":{{\"ProcessID\":{pid},\"ThreadID\":{tid}}}}},\
             \"Channel\":\"{CHANNEL}\",\"Computer\":",
            id = self.event_id,
            version = self.version,
            record = self.record_id,
            pid = self.sysmon_process_id,
            tid = self.sysmon_thread_id,
        );
        push_json_string(out, &self.computer);
        out.extend_from_slice(
            b",\"Security\":{\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{",
        );
        for (index, (name, value)) in self.data.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            push_json_string(out, name);
            out.push(b':');
            let typed = (JSON_NUMBER_FIELDS.contains(name) && value.parse::<u64>().is_ok())
                || (JSON_BOOLEAN_FIELDS.contains(name) && (value == "true" || value == "false"));
            if typed {
                out.extend_from_slice(value.as_bytes());
            } else {
                push_json_string(out, value);
            }
        }
        out.extend_from_slice(b"}}}\n");
    }
}

/// Formats 100 ns ticks since the Unix epoch as `TimeCreated/@SystemTime` does:
/// `2026-03-02T09:14:31.0020000Z`.
pub fn format_system_time(ticks: i64) -> String {
    let time = datetime(ticks);
    format!(
        "{}.{:07}Z",
        time.format("%Y-%m-%dT%H:%M:%S"),
        ticks.rem_euclid(TICKS_PER_SECOND)
    )
}

/// Formats 100 ns ticks since the Unix epoch as Sysmon's `UtcTime` field does:
/// `2026-03-02 09:14:31.002`, milliseconds truncated.
pub fn format_utc_time(ticks: i64) -> String {
    let time = datetime(ticks);
    let milliseconds = ticks.rem_euclid(TICKS_PER_SECOND) / 10_000;
    format!("{}.{milliseconds:03}", time.format("%Y-%m-%d %H:%M:%S"))
}

fn datetime(ticks: i64) -> DateTime<chrono::Utc> {
    let seconds = ticks.div_euclid(TICKS_PER_SECOND);
    DateTime::from_timestamp(seconds, 0).expect("generated times lie between 1970 and 2262")
}

fn push_xml_text(out: &mut Vec<u8>, text: &str) {
    let mut rest = text;
    while let Some(position) = rest.find(['&', '<', '>']) {
        out.extend_from_slice(&rest.as_bytes()[..position]);
        let entity: &[u8] = match rest.as_bytes()[position] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            _ => b"&gt;",
        };
        out.extend_from_slice(entity);
        rest = &rest[position + 1..];
    }
    out.extend_from_slice(rest.as_bytes());
}

fn push_json_string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("writing JSON into a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_event() -> Event {
        Event {
            event_id: 3,
            version: 5,
            time_created: 1_772_442_871 * TICKS_PER_SECOND + 20_000,
            record_id: 40220,
            computer: "DEV-WS01.corp.example".to_string(),
            sysmon_process_id: 3112,
            sysmon_thread_id: 4020,
            data: vec![
                ("Image", r"C:\Python312\python.exe".to_string()),
                ("CommandLine", "a && b <c>".to_string()),
                ("Initiated", "true".to_string()),
                ("DestinationPort", "4444".to_string()),
            ],
        }
    }

    #[test]
    fn xml_escapes_text() {
        let mut out = Vec::new();
        sample_event().write_xml(&mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(line.contains("<Data Name='CommandLine'>a &amp;&amp; b &lt;c&gt;</Data>"));
        assert!(line.contains(r"<Data Name='Image'>C:\Python312\python.exe</Data>"));
        assert!(line.ends_with("</EventData></Event>\n"));
        assert_eq!(line.matches('\n').count(), 1);
    }

    #[test]
    fn json_types_numbers_and_booleans() {
        let mut out = Vec::new();
        sample_event().write_json(&mut out);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let data = &value["Event"]["EventData"];
        assert_eq!(data["DestinationPort"], serde_json::json!(4444));
        assert_eq!(data["Initiated"], serde_json::json!(true));
        assert_eq!(data["Image"], serde_json::json!(r"C:\Python312\python.exe"));
        assert_eq!(value["Event"]["System"]["EventID"], serde_json::json!(3));
    }

    #[test]
    fn times_match_sysmon_layout() {
        let ticks = 1_772_442_871 * TICKS_PER_SECOND + 20_000;
        assert_eq!(format_system_time(ticks), "2026-03-02T09:14:31.0020000Z");
        assert_eq!(format_utc_time(ticks), "2026-03-02 09:14:31.002");
    }
}
