//! Parses one JSON line in the `evtx` crate's shape into a [`WindowsEvent`].
//!
//! The shape: `{"Event":{"#attributes":{…},"System":{…},"EventData":{…}}}`, with XML
//! attributes under `#attributes`, element text either as the value or under `#text`,
//! numbers and booleans typed, and `<EventData>` as an object keyed by `Data/@Name`.

use serde_json::{Map, Value};

use super::scalar_text;
use crate::event::{SystemFields, UnnamedDataCounter, WindowsEvent, SYSTEM_TEXT_ELEMENTS};

const ATTRIBUTES_KEY: &str = "#attributes";
const TEXT_KEY: &str = "#text";

/// Parses one value in the `evtx` crate's shape. Other JSON shapes lack the `Event`
/// object, so their values are reported as malformed.
pub(crate) fn parse_event_json(value: &Value) -> Result<WindowsEvent, String> {
    let event = value
        .get("Event")
        .and_then(Value::as_object)
        .ok_or("the JSON object has no \"Event\" object (expected the evtx crate's JSON shape)")?;

    let mut system = SystemFields::default();
    if let Some(system_object) = event.get("System").and_then(Value::as_object) {
        read_system(system_object, &mut system);
    }

    let mut data = Vec::new();
    if let Some(event_data) = event.get("EventData").and_then(Value::as_object) {
        read_event_data(event_data, &mut data);
    }

    Ok(WindowsEvent {
        system: system.into_pairs(),
        data,
    })
}

fn read_system(object: &Map<String, Value>, system: &mut SystemFields) {
    for (name, value) in object {
        match name.as_str() {
            "Provider" => {
                copy_attribute(value, "Name", "Provider", system);
                copy_attribute(value, "Guid", "ProviderGuid", system);
            }
            "TimeCreated" => copy_attribute(value, "SystemTime", "TimeCreated", system),
            "Execution" => {
                copy_attribute(value, "ProcessID", "ProcessID", system);
                copy_attribute(value, "ThreadID", "ThreadID", system);
            }
            "Security" => {
                copy_attribute(value, "UserID", "UserID", system);
                copy_attribute(value, "UserId", "UserID", system);
            }
            field if SYSTEM_TEXT_ELEMENTS.contains(&field) => {
                system.set(field, element_text(value));
            }
            _ => {}
        }
    }
}

/// Reads `<EventData>` values in document order. A name whose value is an array stands for
/// consecutive `<Data>` elements of that name. `"Data":{"#text":…}` contains the `<Data>`
/// elements that have no `Name`, which get the names `Data1`, `Data2`, … as in XML.
fn read_event_data(object: &Map<String, Value>, data: &mut Vec<(String, String)>) {
    let mut unnamed = UnnamedDataCounter::default();

    for (name, value) in object {
        if name == ATTRIBUTES_KEY {
            continue;
        }

        let positional = name == "Data" && value.get(TEXT_KEY).is_some();
        if positional {
            for item in as_items(&value[TEXT_KEY]) {
                data.push((unnamed.next_name(), scalar_text(item)));
            }
            continue;
        }

        for item in as_items(value) {
            data.push((name.clone(), element_text(item)));
        }
    }
}

fn as_items(value: &Value) -> &[Value] {
    match value {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

fn copy_attribute(element: &Value, attribute: &str, field: &str, system: &mut SystemFields) {
    let value = element
        .get(ATTRIBUTES_KEY)
        .and_then(|attributes| attributes.get(attribute));
    if let Some(value) = value {
        system.set(field, scalar_text(value));
    }
}

/// Returns the text of an element: the value itself, or its `#text` when it also has
/// attributes. An empty element is `null` in this shape, which reads as "".
fn element_text(value: &Value) -> String {
    match value.get(TEXT_KEY) {
        Some(text) => scalar_text(text),
        None if value.is_object() => String::new(),
        None => scalar_text(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn system_and_typed_data() {
        let line = r##"{"Event":{"#attributes":{"xmlns":"x"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{g}"}},"EventID":3,"Version":5,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":"2026-01-01T00:00:00.0000000Z"}},"EventRecordID":7,"Correlation":null,"Execution":{"#attributes":{"ProcessID":2020,"ThreadID":2088}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"BUILD-07","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"RuleName":"","ProcessId":1284,"Initiated":false,"DestinationPort":4444,"Gone":null}}}"##;
        let event = parse_event_json(&serde_json::from_str(line).unwrap()).unwrap();
        assert_eq!(
            event.system,
            pairs(&[
                ("Provider", "Microsoft-Windows-Sysmon"),
                ("ProviderGuid", "{g}"),
                ("EventID", "3"),
                ("Version", "5"),
                ("Keywords", "0x8000000000000000"),
                ("TimeCreated", "2026-01-01T00:00:00.0000000Z"),
                ("EventRecordID", "7"),
                ("ProcessID", "2020"),
                ("ThreadID", "2088"),
                ("Channel", "Microsoft-Windows-Sysmon/Operational"),
                ("Computer", "BUILD-07"),
                ("UserID", "S-1-5-18"),
            ])
        );
        assert_eq!(
            event.data,
            pairs(&[
                ("RuleName", ""),
                ("ProcessId", "1284"),
                ("Initiated", "false"),
                ("DestinationPort", "4444"),
                ("Gone", ""),
            ])
        );
    }

    #[test]
    fn event_id_with_qualifiers() {
        let line =
            r##"{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":0},"#text":4624}}}}"##;
        let event = parse_event_json(&serde_json::from_str(line).unwrap()).unwrap();
        assert_eq!(event.system, pairs(&[("EventID", "4624")]));
    }

    #[test]
    fn positional_and_repeated_data() {
        let line = r##"{"Event":{"EventData":{"Data":{"#text":["a","b"]},"Binary":"00FF","Same":["x","y"]}}}"##;
        let event = parse_event_json(&serde_json::from_str(line).unwrap()).unwrap();
        assert_eq!(
            event.data,
            pairs(&[
                ("Data1", "a"),
                ("Data2", "b"),
                ("Binary", "00FF"),
                ("Same", "x"),
                ("Same", "y")
            ])
        );
    }

    #[test]
    fn other_shapes_are_errors() {
        for line in ["[]", "{\"EventID\":1}", "{\"Event\":5}", "null"] {
            let value: Value = serde_json::from_str(line).unwrap();
            assert!(parse_event_json(&value).is_err(), "accepted {line}");
        }
    }
}
