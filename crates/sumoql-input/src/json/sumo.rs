//! Parses Sumo Logic's Windows event JSON (the Installed Collector's Windows Event Log
//! Source with "JSON format") into a [`WindowsEvent`].
//!
//! The shape, from Sumo's documentation (`docs/integrations/microsoft-azure/windows-json.md`
//! in SumoLogic/sumologic-documentation):
//! `{"TimeCreated":"2020-10-12T07:31:14+000039800Z","EventID":"1102","Task":104,
//! "Keywords":"Audit Success","Channel":"Security","Opcode":"Info","Provider":{"Guid":…,"Name":…},
//! "EventRecordID":101802,"Execution":{"ThreadID":2896,"ProcessID":908},"Version":0,
//! "Computer":"…","Level":"Informational","EventData":{…},"UserData":{…},"Message":"…"}`.
//! `Level`, `Opcode` and `Keywords` are display names there; the standard ones become the
//! numbers Windows event XML holds.

use serde_json::{Map, Value};

use super::{keywords_text, level_number, opcode_number, order_sysmon, scalar_text};
use crate::event::{SystemFields, UnnamedDataCounter, WindowsEvent};

pub(super) fn parse_sumo_json(object: &Map<String, Value>) -> Result<WindowsEvent, String> {
    if !object.contains_key("EventID") {
        return Err(
            "the JSON object has no \"EventID\" (expected Sumo Logic's Windows JSON)".to_string(),
        );
    }

    let mut system = SystemFields::default();
    for (key, value) in object {
        match key.as_str() {
            "Provider" => match value {
                Value::Object(provider) => {
                    copy(provider, "Name", "Provider", &mut system);
                    copy(provider, "Guid", "ProviderGuid", &mut system);
                }
                other => system.set("Provider", scalar_text(other)),
            },
            "Execution" => {
                if let Some(execution) = value.as_object() {
                    copy(execution, "ProcessID", "ProcessID", &mut system);
                    copy(execution, "ThreadID", "ThreadID", &mut system);
                }
            }
            "Security" => {
                if let Some(security) = value.as_object() {
                    copy(security, "UserID", "UserID", &mut system);
                    copy(security, "UserId", "UserID", &mut system);
                }
            }
            "EventID" => system.set("EventID", event_id_text(value)),
            "TimeCreated" => system.set("TimeCreated", normalise_time(&scalar_text(value))),
            "Level" => system.set("Level", level_number(&scalar_text(value))),
            "Opcode" => system.set("Opcode", opcode_number(&scalar_text(value))),
            "Keywords" => system.set("Keywords", keywords_text(value)),
            "Version" | "Task" | "EventRecordID" | "Channel" | "Computer" | "UserID" => {
                system.set(key, scalar_text(value));
            }
            _ => {}
        }
    }

    let mut data = Vec::new();
    if let Some(event_data) = object.get("EventData").and_then(Value::as_object) {
        read_event_data(event_data, &mut data);
    }

    let system = system.into_pairs();
    let event = WindowsEvent { system, data };
    Ok(order_sysmon(event))
}

/// Reads `EventData` in key order. An array value stands for `<Data>` elements without a
/// name, which get the names `Data1`, `Data2`, … as in XML.
fn read_event_data(object: &Map<String, Value>, data: &mut Vec<(String, String)>) {
    let mut unnamed = UnnamedDataCounter::default();
    for (name, value) in object {
        match value {
            Value::Array(items) if name == "Data" => {
                for item in items {
                    data.push((unnamed.next_name(), scalar_text(item)));
                }
            }
            other => data.push((name.clone(), scalar_text(other))),
        }
    }
}

fn copy(object: &Map<String, Value>, key: &str, field: &str, system: &mut SystemFields) {
    if let Some(value) = object.get(key) {
        system.set(field, scalar_text(value));
    }
}

/// Returns the text of `EventID`, which is a string, a number, or an object with
/// `Qualifiers` beside the number.
fn event_id_text(value: &Value) -> String {
    match value {
        Value::Object(object) => object
            .get("#text")
            .or_else(|| object.get("Value"))
            .map(scalar_text)
            .unwrap_or_default(),
        other => scalar_text(other),
    }
}

/// Repairs the time layout of Sumo's documented sample, `07:31:14+000039800Z`, where the
/// fraction of a second follows `+` instead of `.`. Other text is returned unchanged.
///
/// NOTE: reading the digits after `+` as the fraction is an interpretation of the one
/// documented sample. No Sysmon event in this shape was available to confirm it.
fn normalise_time(text: &str) -> String {
    let Some(body) = text.strip_suffix('Z') else {
        return text.to_string();
    };
    let Some(plus) = body.rfind('+') else {
        return text.to_string();
    };
    let (clock, fraction) = (&body[..plus], &body[plus + 1..]);
    let clock_has_seconds = clock.len() >= 8 && clock.as_bytes()[clock.len() - 3] == b':';
    let fraction_is_digits =
        !fraction.is_empty() && fraction.bytes().all(|byte| byte.is_ascii_digit());
    if clock_has_seconds && fraction_is_digits && fraction.len() > 4 {
        format!("{clock}.{fraction}Z")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_system_time_ms;

    fn parse(text: &str) -> WindowsEvent {
        let value: Value = serde_json::from_str(text).unwrap();
        parse_sumo_json(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn documented_sample_shape() {
        let event = parse(
            r#"{"TimeCreated":"2020-10-12T07:31:14+000039800Z","EventID":"1102","Task":104,
            "Keywords":"Audit Success","Channel":"Security","Opcode":"Info",
            "Provider":{"Guid":"{fc65ddd8}","Name":"Microsoft-Windows-Eventlog"},
            "EventRecordID":101802,"Execution":{"ThreadID":2896,"ProcessID":908},"Version":0,
            "Computer":"WIN-LAB-01","Level":"Informational","EventData":{},
            "UserData":{"LogFileCleared":{"SubjectUserName":"x"}},"Message":"The audit log was cleared."}"#,
        );
        let system: Vec<(&str, &str)> = event
            .system
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            system,
            vec![
                ("Provider", "Microsoft-Windows-Eventlog"),
                ("ProviderGuid", "{fc65ddd8}"),
                ("EventID", "1102"),
                ("Version", "0"),
                ("Level", "4"),
                ("Task", "104"),
                ("Opcode", "0"),
                ("Keywords", "0x8020000000000000"),
                ("TimeCreated", "2020-10-12T07:31:14.000039800Z"),
                ("EventRecordID", "101802"),
                ("ProcessID", "908"),
                ("ThreadID", "2896"),
                ("Channel", "Security"),
                ("Computer", "WIN-LAB-01"),
            ]
        );
        assert!(event.data.is_empty());
        assert_eq!(
            parse_system_time_ms(event.system_value("TimeCreated").unwrap()),
            Some(1_602_487_874_000)
        );
    }

    #[test]
    fn sysmon_event_data_in_schema_order() {
        let event = parse(
            r#"{"EventID":3,"Computer":"DEV-7","Channel":"Microsoft-Windows-Sysmon/Operational",
            "EventData":{"DestinationPort":"4444","Image":"C:\\py\\python.exe","RuleName":"-","Initiated":"true"}}"#,
        );
        let names: Vec<&str> = event.data.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            vec!["RuleName", "Image", "Initiated", "DestinationPort"]
        );
        assert_eq!(event.data_value("Image"), Some("C:\\py\\python.exe"));
    }

    #[test]
    fn times_without_the_plus_layout_are_kept() {
        assert_eq!(
            normalise_time("2026-01-01T10:00:00.5Z"),
            "2026-01-01T10:00:00.5Z"
        );
        assert_eq!(
            normalise_time("2026-01-01T10:00:00+01:00"),
            "2026-01-01T10:00:00+01:00"
        );
        assert_eq!(
            normalise_time("2026-01-01T10:00:00+0530Z"),
            "2026-01-01T10:00:00+0530Z"
        );
    }

    #[test]
    fn missing_event_id_is_an_error() {
        let value: Value = serde_json::from_str(r#"{"Computer":"a","EventData":{}}"#).unwrap();
        assert!(parse_sumo_json(value.as_object().unwrap()).is_err());
    }
}
