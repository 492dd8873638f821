//! Parses flat Windows event JSON, as NXLog's `im_msvistalog` with `to_json()` and the
//! OTRF Security-Datasets write it, into a [`WindowsEvent`].
//!
//! Every `<System>` value and every `<EventData>` value is a top-level key:
//! `{"SourceName":"Microsoft-Windows-Sysmon","EventID":3,"Hostname":"…","Image":"…",…}`.
//! The keys below are `<System>` values or collector metadata; all others are
//! `<EventData>` values. A key that the Sysmon schema lists for the event's id is always
//! event data, because Sysmon uses names such as `EventType` that NXLog also uses for its
//! own metadata.
//!
//! | key | becomes |
//! |---|---|
//! | `SourceName` | `Provider` |
//! | `ProviderGuid`, `EventID`, `Version`, `Level`, `Task`, `Channel`, `UserID` | the same System value |
//! | `Opcode` (a number) or `OpcodeValue` | `Opcode` |
//! | `Keywords` (a number or `0x…` text) | `Keywords`, as 16 hexadecimal digits |
//! | `TimeCreated`, else `EventTime` | `TimeCreated` |
//! | `EventRecordID` or `RecordNumber` | `EventRecordID` |
//! | `ExecutionProcessID`, `ExecutionThreadID` | `ProcessID`, `ThreadID` |
//! | `Hostname` or `Computer` | `Computer` |
//! | NXLog and OTRF metadata (`Message`, `@timestamp`, `EventReceivedTime`, `Severity`, …) | dropped |

use serde_json::{Map, Value};

use super::{keywords_text, level_number, opcode_number, order_sysmon, scalar_text};
use crate::event::{SystemFields, WindowsEvent};
use crate::sysmon_schema::{is_sysmon, sysmon_fields};

/// Keys that NXLog or the OTRF pipeline add and that are neither System nor EventData
/// values. `EventType` and `Category` here are NXLog's (`AUDIT_SUCCESS`, the task name),
/// not Sysmon's.
const METADATA_KEYS: [&str; 19] = [
    "Message",
    "@timestamp",
    "@version",
    "EventReceivedTime",
    "SourceModuleName",
    "SourceModuleType",
    "EventType",
    "Severity",
    "SeverityValue",
    "Category",
    "Domain",
    "AccountName",
    "AccountType",
    "ActivityID",
    "RelatedActivityID",
    "Opcode",
    "host",
    "port",
    "tags",
];

pub(super) fn parse_flat_json(object: &Map<String, Value>) -> Result<WindowsEvent, String> {
    let Some(event_id) = object.get("EventID") else {
        return Err(
            "the JSON object has no \"EventID\" (expected flat NXLog/OTRF JSON)".to_string(),
        );
    };
    let event_id = scalar_text(event_id);

    let provider = object.get("SourceName").map(scalar_text);
    let channel = object.get("Channel").map(scalar_text);
    let schema = if is_sysmon(provider.as_deref(), channel.as_deref()) {
        sysmon_fields(&event_id)
    } else {
        None
    };
    let in_schema = |key: &str| schema.is_some_and(|fields| fields.contains(&key));

    let mut system = SystemFields::default();
    let mut data = Vec::new();
    for (key, value) in object {
        if in_schema(key) {
            data.push((key.clone(), scalar_text(value)));
            continue;
        }
        let system_field = match key.as_str() {
            "SourceName" => Some("Provider"),
            "ProviderGuid" | "EventID" | "Version" | "Level" | "Task" | "Channel" | "UserID" => {
                Some(key.as_str())
            }
            "OpcodeValue" => Some("Opcode"),
            "Opcode" if value.is_number() => Some("Opcode"),
            "Keywords" => Some("Keywords"),
            "TimeCreated" | "EventTime" => Some("TimeCreated"),
            "EventRecordID" | "RecordNumber" => Some("EventRecordID"),
            "ExecutionProcessID" => Some("ProcessID"),
            "ExecutionThreadID" => Some("ThreadID"),
            "Hostname" | "Computer" => Some("Computer"),
            _ => None,
        };
        match system_field {
            Some("Keywords") => system.set("Keywords", keywords_text(value)),
            Some("Level") => system.set("Level", level_number(&scalar_text(value))),
            Some("Opcode") => system.set("Opcode", opcode_number(&scalar_text(value))),
            Some(field) => system.set(field, scalar_text(value)),
            None if METADATA_KEYS.contains(&key.as_str()) => {}
            None => data.push((key.clone(), scalar_text(value))),
        }
    }

    let event = WindowsEvent {
        system: system.into_pairs(),
        data,
    };
    Ok(order_sysmon(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> WindowsEvent {
        let value: Value = serde_json::from_str(text).unwrap();
        parse_flat_json(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn otrf_network_event() {
        let event = parse(
            r#"{"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational",
            "Hostname":"LAB-WS02.example.test","TimeCreated":"2021-03-14T01:40:12.237Z",
            "@timestamp":"2021-03-14T01:40:12.237Z","EventID":3,"Message":"Network connection detected:",
            "Level":"4","Keywords":"0x8000000000000000","Task":"3",
            "DestinationPort":"8443","Image":"C:\\Python39\\python.exe","User":"LAB\\analyst",
            "Protocol":"tcp","Initiated":"true","DestinationIp":"203.0.113.9","RuleName":"-","UtcTime":"2021-03-14 01:40:11.112"}"#,
        );
        assert_eq!(
            event.system_value("Provider"),
            Some("Microsoft-Windows-Sysmon")
        );
        assert_eq!(
            event.system_value("Computer"),
            Some("LAB-WS02.example.test")
        );
        assert_eq!(event.system_value("EventID"), Some("3"));
        assert_eq!(
            event.system_value("TimeCreated"),
            Some("2021-03-14T01:40:12.237Z")
        );
        let names: Vec<&str> = event.data.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "RuleName",
                "UtcTime",
                "Image",
                "User",
                "Protocol",
                "Initiated",
                "DestinationIp",
                "DestinationPort"
            ]
        );
    }

    #[test]
    fn event_type_depends_on_provider() {
        let registry = parse(
            r#"{"SourceName":"Microsoft-Windows-Sysmon","EventID":13,"Hostname":"h","EventType":"SetValue","TargetObject":"HKLM\\x"}"#,
        );
        assert_eq!(registry.data_value("EventType"), Some("SetValue"));

        let security = parse(
            r#"{"SourceName":"Microsoft-Windows-Security-Auditing","EventID":4624,"Hostname":"h",
            "EventType":"AUDIT_SUCCESS","Keywords":-9214364837600034816,"ExecutionProcessID":640,
            "RecordNumber":77,"TargetUserName":"svc","SeverityValue":2}"#,
        );
        assert_eq!(security.data_value("EventType"), None);
        assert_eq!(security.data_value("SeverityValue"), None);
        assert_eq!(security.data_value("TargetUserName"), Some("svc"));
        assert_eq!(
            security.system_value("Keywords"),
            Some("0x8020000000000000")
        );
        assert_eq!(security.system_value("ProcessID"), Some("640"));
        assert_eq!(security.system_value("EventRecordID"), Some("77"));
    }

    #[test]
    fn non_sysmon_data_keeps_json_order() {
        let event = parse(
            r#"{"EventID":5156,"Hostname":"h","SourceName":"x","ProcessID":"3304","Application":"a","DestPort":"80"}"#,
        );
        let names: Vec<&str> = event.data.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, vec!["ProcessID", "Application", "DestPort"]);
    }
}
