//! Writes Windows events in the JSON shapes other collectors use, so that tests can read
//! the same events from every format and compare. Each writer follows the collector's
//! documented shape; the Winlogbeat one follows the field moves of Winlogbeat's sysmon
//! module for the event ids the samples hold.
//!
//! Shared by the input crate's tests and the command-line tests (through `#[path]`).

#![allow(dead_code)]

use serde_json::{json, Map, Value};
use sumoql_input::WindowsEvent;

fn system(event: &WindowsEvent, name: &str) -> Option<String> {
    event.system_value(name).map(str::to_string)
}

/// `EventData` values as an object. A Sysmon event's values come in reverse order, so
/// that readers must restore Sysmon's order; other events keep theirs, which no reader
/// could restore.
fn reversed_data(event: &WindowsEvent) -> Map<String, Value> {
    let sysmon = event.system_value("Provider") == Some("Microsoft-Windows-Sysmon");
    let mut data = Map::new();
    let mut add = |(name, value): &(String, String)| {
        data.insert(name.clone(), Value::from(value.as_str()));
    };
    if sysmon {
        event.data.iter().rev().for_each(&mut add);
    } else {
        event.data.iter().for_each(&mut add);
    }
    data
}

fn insert(object: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        object.insert(key.to_string(), Value::from(value));
    }
}

/// Sumo Logic's Windows JSON: System values by name, `Level` and `Opcode` as display
/// names, `EventData` as an object.
pub fn to_sumo_json(event: &WindowsEvent) -> Value {
    let mut object = Map::new();
    insert(&mut object, "TimeCreated", system(event, "TimeCreated"));
    insert(&mut object, "EventID", system(event, "EventID"));
    insert(&mut object, "Task", system(event, "Task"));
    insert(&mut object, "Keywords", system(event, "Keywords"));
    insert(&mut object, "Channel", system(event, "Channel"));
    let opcode = system(event, "Opcode").map(|opcode| {
        if opcode == "0" {
            "Info".to_string()
        } else {
            opcode
        }
    });
    insert(&mut object, "Opcode", opcode);
    let mut provider = Map::new();
    insert(&mut provider, "Guid", system(event, "ProviderGuid"));
    insert(&mut provider, "Name", system(event, "Provider"));
    object.insert("Provider".to_string(), Value::Object(provider));
    insert(&mut object, "EventRecordID", system(event, "EventRecordID"));
    let mut execution = Map::new();
    insert(&mut execution, "ThreadID", system(event, "ThreadID"));
    insert(&mut execution, "ProcessID", system(event, "ProcessID"));
    if !execution.is_empty() {
        object.insert("Execution".to_string(), Value::Object(execution));
    }
    insert(&mut object, "Version", system(event, "Version"));
    insert(&mut object, "Computer", system(event, "Computer"));
    let level = system(event, "Level").map(|level| match level.as_str() {
        "4" => "Informational".to_string(),
        "2" => "Error".to_string(),
        other => other.to_string(),
    });
    insert(&mut object, "Level", level);
    if let Some(user) = system(event, "UserID") {
        object.insert("Security".to_string(), json!({ "UserID": user }));
    }
    object.insert("EventData".to_string(), Value::Object(reversed_data(event)));
    object.insert("Message".to_string(), Value::from("rendered message text"));
    Value::Object(object)
}

/// Flat JSON as NXLog writes it: System values under NXLog's names, every `EventData`
/// value as a top-level key, and NXLog's own metadata beside them.
pub fn to_flat_json(event: &WindowsEvent) -> Value {
    let mut object = Map::new();
    insert(&mut object, "EventTime", system(event, "TimeCreated"));
    insert(&mut object, "Hostname", system(event, "Computer"));
    insert(&mut object, "Keywords", system(event, "Keywords"));
    object.insert("EventType".to_string(), Value::from("INFO"));
    object.insert("SeverityValue".to_string(), Value::from(2));
    if let Some(event_id) = system(event, "EventID").and_then(|id| id.parse::<u64>().ok()) {
        object.insert("EventID".to_string(), Value::from(event_id));
    }
    insert(&mut object, "SourceName", system(event, "Provider"));
    insert(&mut object, "ProviderGuid", system(event, "ProviderGuid"));
    insert(&mut object, "Version", system(event, "Version"));
    insert(&mut object, "Task", system(event, "Task"));
    insert(&mut object, "OpcodeValue", system(event, "Opcode"));
    insert(&mut object, "RecordNumber", system(event, "EventRecordID"));
    insert(
        &mut object,
        "ExecutionProcessID",
        system(event, "ProcessID"),
    );
    insert(&mut object, "ExecutionThreadID", system(event, "ThreadID"));
    insert(&mut object, "Channel", system(event, "Channel"));
    insert(&mut object, "UserID", system(event, "UserID"));
    insert(&mut object, "Level", system(event, "Level"));
    object.insert("Message".to_string(), Value::from("rendered message text"));
    object.insert(
        "EventReceivedTime".to_string(),
        Value::from("2026-01-01 00:00:00"),
    );
    for (name, value) in reversed_data(event) {
        object.insert(name, value);
    }
    Value::Object(object)
}

/// Winlogbeat 8 JSON with the sysmon module's processing: `winlog.*` System values, and
/// for Sysmon events 1, 3 and 11 the values the module moves to ECS fields.
pub fn to_winlogbeat(event: &WindowsEvent) -> Value {
    let mut data = reversed_data(event);
    let mut document = Map::new();
    let event_id = system(event, "EventID").unwrap_or_default();
    let sysmon = system(event, "Provider").as_deref() == Some("Microsoft-Windows-Sysmon");
    let moved = sysmon && ["1", "3", "11"].contains(&event_id.as_str());

    if moved {
        if let Some(Value::String(time)) = data.remove("UtcTime") {
            document.insert(
                "@timestamp".to_string(),
                Value::from(format!("{}Z", time.replace(' ', "T"))),
            );
        }
        let rule = data
            .remove("RuleName")
            .filter(|name| name != "-" && name != "");
        put(&mut document, "rule.name", rule);
        put(
            &mut document,
            "process.entity_id",
            data.remove("ProcessGuid"),
        );
        put(
            &mut document,
            "process.pid",
            data.remove("ProcessId").map(number_or_text),
        );
        put(&mut document, "process.executable", data.remove("Image"));
        let user = data.get("User").and_then(Value::as_str).map(str::to_string);
        if let Some((domain, name)) = user.as_deref().and_then(|user| user.split_once('\\')) {
            if event_id != "11" {
                put(&mut document, "user.domain", Some(Value::from(domain)));
                put(&mut document, "user.name", Some(Value::from(name)));
                data.remove("User");
            }
        }
    }
    if moved && event_id == "1" {
        put(
            &mut document,
            "process.command_line",
            data.remove("CommandLine"),
        );
        put(
            &mut document,
            "process.working_directory",
            data.remove("CurrentDirectory"),
        );
        put(
            &mut document,
            "process.parent.entity_id",
            data.remove("ParentProcessGuid"),
        );
        put(
            &mut document,
            "process.parent.pid",
            data.remove("ParentProcessId").map(number_or_text),
        );
        put(
            &mut document,
            "process.parent.executable",
            data.remove("ParentImage"),
        );
        put(
            &mut document,
            "process.parent.command_line",
            data.remove("ParentCommandLine"),
        );
        put(
            &mut document,
            "process.pe.original_file_name",
            data.remove("OriginalFileName"),
        );
        if let Some(Value::String(hashes)) = data.remove("Hashes") {
            for part in hashes.split(',') {
                let Some((algorithm, value)) = part.split_once('=') else {
                    continue;
                };
                let algorithm = algorithm.to_lowercase();
                let path = if algorithm == "imphash" {
                    "process.pe.imphash".to_string()
                } else {
                    format!("process.hash.{algorithm}")
                };
                put(
                    &mut document,
                    &path,
                    Some(Value::from(value.to_lowercase())),
                );
            }
        }
    }
    if moved && event_id == "3" {
        put(&mut document, "network.transport", data.remove("Protocol"));
        put(&mut document, "source.ip", data.remove("SourceIp"));
        put(
            &mut document,
            "source.domain",
            data.remove("SourceHostname"),
        );
        put(
            &mut document,
            "source.port",
            data.remove("SourcePort").map(number_or_text),
        );
        put(
            &mut document,
            "destination.ip",
            data.remove("DestinationIp"),
        );
        put(
            &mut document,
            "destination.domain",
            data.remove("DestinationHostname"),
        );
        put(
            &mut document,
            "destination.port",
            data.remove("DestinationPort").map(number_or_text),
        );
        put(
            &mut document,
            "network.protocol",
            data.remove("DestinationPortName"),
        );
        let direction = match data.remove("Initiated").as_ref().and_then(Value::as_str) {
            Some("true") => Some(Value::from("egress")),
            Some("false") => Some(Value::from("ingress")),
            _ => None,
        };
        put(&mut document, "network.direction", direction);
        let network_type = match data.remove("SourceIsIpv6").as_ref().and_then(Value::as_str) {
            Some("true") => Some(Value::from("ipv6")),
            Some("false") => Some(Value::from("ipv4")),
            _ => None,
        };
        data.remove("DestinationIsIpv6");
        put(&mut document, "network.type", network_type);
    }
    if moved && event_id == "11" {
        put(&mut document, "file.path", data.remove("TargetFilename"));
    }

    if sysmon {
        let code = event_id
            .parse::<u64>()
            .map_or(Value::from(event_id.clone()), Value::from);
        put(&mut document, "event.code", Some(code));
        put(&mut document, "event.module", Some(Value::from("sysmon")));
    }
    if let Some(level) = system(event, "Level") {
        let name = if level == "4" {
            "information".to_string()
        } else {
            level
        };
        put(&mut document, "log.level", Some(Value::from(name)));
    }

    let mut winlog = Map::new();
    insert(&mut winlog, "channel", system(event, "Channel"));
    insert(&mut winlog, "computer_name", system(event, "Computer"));
    if let Ok(number) = event_id.parse::<u64>() {
        winlog.insert("event_id".to_string(), Value::from(number));
    }
    insert(&mut winlog, "provider_name", system(event, "Provider"));
    insert(&mut winlog, "provider_guid", system(event, "ProviderGuid"));
    insert(&mut winlog, "record_id", system(event, "EventRecordID"));
    insert(&mut winlog, "version", system(event, "Version"));
    insert(&mut winlog, "time_created", system(event, "TimeCreated"));
    put(
        &mut winlog,
        "process.pid",
        system(event, "ProcessID").map(|pid| number_or_text(Value::from(pid))),
    );
    put(
        &mut winlog,
        "process.thread.id",
        system(event, "ThreadID").map(|id| number_or_text(Value::from(id))),
    );
    put(
        &mut winlog,
        "user.identifier",
        system(event, "UserID").map(Value::from),
    );
    winlog.insert("event_data".to_string(), Value::Object(data));
    document.insert("winlog".to_string(), Value::Object(winlog));
    if !document.contains_key("@timestamp") {
        insert(&mut document, "@timestamp", system(event, "TimeCreated"));
    }
    Value::Object(document)
}

/// Sets a dotted path such as `process.parent.pid`, creating the objects on the way.
fn put(object: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    let Some(value) = value else {
        return;
    };
    match path.split_once('.') {
        None => {
            object.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = object
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                put(child, rest, Some(value));
            }
        }
    }
}

fn number_or_text(value: Value) -> Value {
    match value.as_str().and_then(|text| text.parse::<u64>().ok()) {
        Some(number) => Value::from(number),
        None => value,
    }
}

/// Renders one syslog line as Sysmon for Linux writes it, around the event's Windows XML.
pub fn to_syslog_line(event: &WindowsEvent) -> String {
    let host = system(event, "Computer").unwrap_or_else(|| "localhost".to_string());
    format!(
        "Jan  5 09:00:00 {host} sysmon: {}",
        sumoql_input::render_event_xml(event)
    )
}
