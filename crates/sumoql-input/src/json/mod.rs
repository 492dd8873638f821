//! JSON records: recognising the shape of a JSON value, and turning the Windows event
//! shapes into [`WindowsEvent`]s.
//!
//! | shape | recognised by | module |
//! |---|---|---|
//! | `evtx` crate (`evtx_dump -o jsonl`) | an `Event` object | `evtx` |
//! | Winlogbeat / ECS | a `winlog` object, or Winlogbeat 6's `event_data` with `computer_name` | `winlogbeat` |
//! | Sumo Logic Windows JSON | an `EventData` object, or `EventID` with `Computer` | `sumo` |
//! | flat NXLog / OTRF | `EventID` with `Hostname` or `SourceName` | `flat` |
//! | anything else | | generic JSON, not a Windows event |

mod evtx;
mod flat;
mod sumo;
mod winlogbeat;

use serde_json::{Map, Value};

use crate::event::WindowsEvent;
use crate::record::InputFormat;
use crate::sysmon_schema::{is_sysmon, sort_sysmon_data};

/// Recognises which JSON shape a value has. A JSON array is recognised by its first
/// element, because documents such as Winlogbeat's test output hold a list of events.
pub(crate) fn classify(value: &Value) -> InputFormat {
    let value = match value {
        Value::Array(items) => match items.first() {
            Some(first) => first,
            None => return InputFormat::Json,
        },
        other => other,
    };
    let Some(object) = value.as_object() else {
        return InputFormat::Json;
    };

    let has_object = |key: &str| object.get(key).is_some_and(Value::is_object);
    let has = |key: &str| object.contains_key(key);

    let event_object = object.get("Event").and_then(Value::as_object);
    if event_object
        .is_some_and(|event| event.contains_key("System") || event.contains_key("EventData"))
    {
        return InputFormat::EvtxJson;
    }
    if has_object("winlog") || (has_object("event_data") && has("computer_name")) {
        return InputFormat::Winlogbeat;
    }
    if has_object("EventData") || (has("EventID") && has("Computer")) {
        return InputFormat::SumoJson;
    }
    if has("EventID") && (has("Hostname") || has("SourceName")) {
        return InputFormat::FlatJson;
    }
    InputFormat::Json
}

/// Parses one JSON value in a Windows event shape.
pub(crate) fn parse_windows_json(
    format: InputFormat,
    value: &Value,
) -> Result<WindowsEvent, String> {
    match format {
        InputFormat::EvtxJson => evtx::parse_event_json(value),
        InputFormat::SumoJson => {
            sumo::parse_sumo_json(expect_object(value, "Sumo Logic's Windows JSON")?)
        }
        InputFormat::FlatJson => {
            flat::parse_flat_json(expect_object(value, "flat NXLog/OTRF JSON")?)
        }
        InputFormat::Winlogbeat => {
            winlogbeat::parse_winlogbeat(expect_object(value, "Winlogbeat JSON")?)
        }
        other => Err(format!(
            "{} is not a Windows event JSON shape",
            other.name()
        )),
    }
}

/// Puts a Sysmon event's `<EventData>` values into Sysmon's field order, so that the
/// canonical `_raw` equals the one of the same event read from XML or `.evtx`.
fn order_sysmon(mut event: WindowsEvent) -> WindowsEvent {
    let sysmon = is_sysmon(
        event.system_value("Provider"),
        event.system_value("Channel"),
    );
    if sysmon {
        if let Some(event_id) = event.system_value("EventID").map(str::to_string) {
            sort_sysmon_data(&event_id, &mut event.data);
        }
    }
    event
}

fn expect_object<'v>(value: &'v Value, shape: &str) -> Result<&'v Map<String, Value>, String> {
    value.as_object().ok_or_else(|| {
        format!(
            "expected a JSON object ({shape}), found {}",
            describe_kind(value)
        )
    })
}

fn describe_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Renders a JSON value as the text the XML rendering of the same event holds: numbers and
/// booleans as written (`1284`, `false`), `null` as "".
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Null => String::new(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// Returns the value at a dotted path such as `process.parent.executable`, looking up
/// nested objects first and a literal dotted key second, since ECS documents use both.
pub(crate) fn lookup<'v>(object: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    if let Some(value) = object.get(path) {
        return Some(value);
    }
    let (head, rest) = path.split_once('.')?;
    lookup(object.get(head)?.as_object()?, rest)
}

/// Turns a Windows level display name (`Information`, `Warning`, …) into the number that
/// Windows event XML holds. Numbers and unknown names are returned unchanged.
///
/// The numbers are the standard levels of the Windows event schema (`winmeta.xml`):
/// 0 LogAlways, 1 Critical, 2 Error, 3 Warning, 4 Informational, 5 Verbose.
pub(crate) fn level_number(text: &str) -> String {
    let number = match text.trim().to_ascii_lowercase().as_str() {
        "logalways" | "log always" => "0",
        "critical" => "1",
        "error" => "2",
        "warning" => "3",
        "information" | "informational" => "4",
        "verbose" => "5",
        _ => return text.to_string(),
    };
    number.to_string()
}

/// Turns a standard opcode display name (`Info`, `Start`, `Stop`) into its number from the
/// Windows event schema. Other text is returned unchanged.
pub(crate) fn opcode_number(text: &str) -> String {
    let number = match text.trim().to_ascii_lowercase().as_str() {
        "info" => "0",
        "start" => "1",
        "stop" => "2",
        _ => return text.to_string(),
    };
    number.to_string()
}

/// Renders event keywords as Windows event XML does (`0x8020000000000000`): a JSON number
/// (NXLog writes the 64-bit mask as a signed integer) becomes 16 hexadecimal digits, and
/// the audit display names become their masks. Other text is returned unchanged.
pub(crate) fn keywords_text(value: &Value) -> String {
    if let Some(signed) = value.as_i64() {
        return format!("0x{:016x}", signed as u64);
    }
    if let Some(unsigned) = value.as_u64() {
        return format!("0x{unsigned:016x}");
    }
    let text = scalar_text(value);
    match text.trim() {
        "Audit Success" => "0x8020000000000000".to_string(),
        "Audit Failure" => "0x8010000000000000".to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> InputFormat {
        classify(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn shapes_are_recognised() {
        assert_eq!(shape(r#"{"Event":{"System":{}}}"#), InputFormat::EvtxJson);
        assert_eq!(
            shape(r#"{"winlog":{"event_id":1}}"#),
            InputFormat::Winlogbeat
        );
        assert_eq!(
            shape(r#"{"event_data":{},"computer_name":"a","event_id":1}"#),
            InputFormat::Winlogbeat
        );
        assert_eq!(
            shape(r#"{"EventID":"1","Computer":"a","EventData":{}}"#),
            InputFormat::SumoJson
        );
        assert_eq!(
            shape(r#"{"EventID":1,"Hostname":"a","Image":"x"}"#),
            InputFormat::FlatJson
        );
        assert_eq!(shape(r#"[{"winlog":{}}]"#), InputFormat::Winlogbeat);
        assert_eq!(
            shape(r#"{"level":"info","msg":"started"}"#),
            InputFormat::Json
        );
        assert_eq!(shape(r#"{"Event":"login"}"#), InputFormat::Json);
        assert_eq!(shape("[]"), InputFormat::Json);
        assert_eq!(shape("42"), InputFormat::Json);
    }

    #[test]
    fn dotted_paths_find_nested_and_flat_keys() {
        let value: Value =
            serde_json::from_str(r#"{"process":{"parent":{"pid":7}},"host.name":"h"}"#).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(lookup(object, "process.parent.pid"), Some(&Value::from(7)));
        assert_eq!(lookup(object, "host.name"), Some(&Value::from("h")));
        assert_eq!(lookup(object, "process.name"), None);
    }

    #[test]
    fn display_names_become_numbers() {
        assert_eq!(level_number("Informational"), "4");
        assert_eq!(level_number("information"), "4");
        assert_eq!(level_number("4"), "4");
        assert_eq!(level_number("Custom"), "Custom");
        assert_eq!(opcode_number("Info"), "0");
        assert_eq!(
            keywords_text(&Value::from("Audit Success")),
            "0x8020000000000000"
        );
        assert_eq!(keywords_text(&Value::from(i64::MIN)), "0x8000000000000000");
        assert_eq!(
            keywords_text(&Value::from("0x8000000000000000")),
            "0x8000000000000000"
        );
    }
}
