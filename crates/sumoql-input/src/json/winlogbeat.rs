//! Parses Elastic Winlogbeat events (ECS JSON) into a [`WindowsEvent`].
//!
//! When Winlogbeat keeps the event XML (`include_xml: true`), `event.original` contains it
//! and is parsed as Windows event XML, which loses nothing. Otherwise the event is rebuilt:
//!
//! - System values come from `winlog.*` (Winlogbeat 7 and later) or the top-level keys
//!   of Winlogbeat 6 (`event_id`, `computer_name`, `log_name`, `source_name`, …).
//! - `<EventData>` values come from `winlog.event_data`. For Sysmon events, Winlogbeat's
//!   sysmon module moves many values to ECS fields (`process.executable` for `Image`,
//!   `destination.port` for `DestinationPort`, …), drops some (`Initiated` becomes
//!   `network.direction`) and splits others (`User` into `user.domain` and `user.name`,
//!   `Hashes` into `process.hash.*`). [`ecs_fields`] reverses that mapping, which follows
//!   the module's processor script (`x-pack/winlogbeat/module/sysmon/config/winlogbeat-sysmon.js`
//!   in elastic/beats), and the values are put back into Sysmon's field order.
//!
//! NOTE: the rebuilt event is not always identical to the original. `UtcTime` comes from
//! `@timestamp` with millisecond precision; `TimeCreated` from `winlog.time_created` when
//! present, else from `@timestamp` (which the sysmon module sets to `UtcTime`);
//! `Hashes` are rebuilt in the order SHA1, MD5, SHA256, IMPHASH in upper case, whatever
//! order Sysmon wrote; a `RuleName` of `-` and `QueryResults` are gone; `Keywords` and
//! `Task` are left out, because Winlogbeat keeps only their display names.

use serde_json::{Map, Value};

use super::{level_number, lookup, opcode_number, order_sysmon, scalar_text};
use crate::event::{SystemFields, WindowsEvent};
use crate::sysmon_schema::is_sysmon;
use crate::xml::parse_event_xml;

pub(super) fn parse_winlogbeat(object: &Map<String, Value>) -> Result<WindowsEvent, String> {
    if let Some(original) = lookup(object, "event.original").and_then(Value::as_str) {
        if original.trim_start().starts_with("<Event") {
            return parse_event_xml(original.trim())
                .map_err(|error| format!("event.original: {error}"));
        }
    }

    let winlog = object.get("winlog").and_then(Value::as_object);
    // Winlogbeat 6 wrote the same values at the top level under other names.
    let legacy = winlog.is_none();
    let system_source = winlog.unwrap_or(object);
    let get = |modern: &str, old: &str| -> Option<&Value> {
        if legacy {
            lookup(object, old)
        } else {
            lookup(system_source, modern)
        }
    };

    let mut system = SystemFields::default();
    let mut set = |field: &str, value: Option<&Value>| {
        if let Some(value) = value.filter(|value| !value.is_null()) {
            system.set(field, scalar_text(value));
        }
    };
    set("Provider", get("provider_name", "source_name"));
    set("ProviderGuid", get("provider_guid", "provider_guid"));
    set(
        "EventID",
        get("event_id", "event_id").or_else(|| lookup(object, "event.code")),
    );
    set("Version", get("version", "version"));
    set("EventRecordID", get("record_id", "record_number"));
    set("ProcessID", get("process.pid", "process_id"));
    set("ThreadID", get("process.thread.id", "thread_id"));
    set("Channel", get("channel", "log_name"));
    set(
        "Computer",
        get("computer_name", "computer_name").or_else(|| lookup(object, "host.name")),
    );
    set("UserID", get("user.identifier", "user.identifier"));
    set(
        "TimeCreated",
        get("time_created", "time_created").or_else(|| object.get("@timestamp")),
    );
    let level = lookup(object, "log.level").or_else(|| object.get("level"));
    if let Some(level) = level {
        system.set("Level", level_number(&scalar_text(level)));
    }
    if let Some(opcode) = get("opcode", "opcode") {
        system.set("Opcode", opcode_number(&scalar_text(opcode)));
    }
    let system = system.into_pairs();

    let mut data: Vec<(String, String)> = Vec::new();
    let event_data = if legacy {
        object.get("event_data")
    } else {
        system_source.get("event_data")
    };
    if let Some(event_data) = event_data.and_then(Value::as_object) {
        for (name, value) in event_data {
            data.push((name.clone(), scalar_text(value)));
        }
    }

    let mut event = WindowsEvent { system, data };
    let provider = event.system_value("Provider").map(str::to_string);
    let channel = event.system_value("Channel").map(str::to_string);
    if is_sysmon(provider.as_deref(), channel.as_deref()) {
        let event_id = event
            .system_value("EventID")
            .unwrap_or_default()
            .to_string();
        for (name, value) in ecs_fields(object, &event_id) {
            if event.data_value(&name).is_none() {
                event.data.push((name, value));
            }
        }
    }
    if event.system.is_empty() && event.data.is_empty() {
        return Err("the JSON object has no Winlogbeat event fields".to_string());
    }
    Ok(order_sysmon(event))
}

/// Event ids whose `process.*` ECS fields are the event's own process (`ProcessGuid`,
/// `ProcessId`, `Image`).
const OWN_PROCESS_EVENTS: [&str; 17] = [
    "1", "2", "3", "5", "7", "9", "11", "12", "13", "14", "15", "17", "18", "22", "23", "24", "25",
];

/// Rebuilds the Sysmon `<EventData>` values that Winlogbeat's sysmon module moved to ECS
/// fields for `event_id`.
fn ecs_fields(object: &Map<String, Value>, event_id: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let text = |path: &str| {
        lookup(object, path)
            .filter(|value| !value.is_null())
            .map(scalar_text)
    };
    let take = |path: &str, name: &str, fields: &mut Vec<(String, String)>| {
        if let Some(value) = text(path) {
            fields.push((name.to_string(), value));
        }
    };
    let is = |ids: &[&str]| ids.contains(&event_id);

    take("rule.name", "RuleName", &mut fields);
    if let Some(time) = object
        .get("@timestamp")
        .and_then(Value::as_str)
        .and_then(utc_time_text)
    {
        fields.push(("UtcTime".to_string(), time));
    }

    if OWN_PROCESS_EVENTS.contains(&event_id) {
        take("process.entity_id", "ProcessGuid", &mut fields);
        take("process.pid", "ProcessId", &mut fields);
        take("process.executable", "Image", &mut fields);
    }
    if is(&["8"]) {
        take("process.entity_id", "SourceProcessGuid", &mut fields);
        take("process.pid", "SourceProcessId", &mut fields);
        take("process.executable", "SourceImage", &mut fields);
    }
    if is(&["10"]) {
        take("process.entity_id", "SourceProcessGUID", &mut fields);
        take("process.pid", "SourceProcessId", &mut fields);
        take("process.thread.id", "SourceThreadId", &mut fields);
        take("process.executable", "SourceImage", &mut fields);
    }
    if is(&["20"]) {
        take("process.executable", "Destination", &mut fields);
    }
    if is(&["1"]) {
        take("process.command_line", "CommandLine", &mut fields);
        take("process.working_directory", "CurrentDirectory", &mut fields);
        take("process.parent.entity_id", "ParentProcessGuid", &mut fields);
        take("process.parent.pid", "ParentProcessId", &mut fields);
        take("process.parent.executable", "ParentImage", &mut fields);
        take(
            "process.parent.command_line",
            "ParentCommandLine",
            &mut fields,
        );
        take(
            "process.pe.original_file_name",
            "OriginalFileName",
            &mut fields,
        );
        take("process.pe.company", "Company", &mut fields);
        take("process.pe.description", "Description", &mut fields);
        take("process.pe.file_version", "FileVersion", &mut fields);
        take("process.pe.product", "Product", &mut fields);
    }
    if is(&["2", "11", "15", "23", "26"]) {
        take("file.path", "TargetFilename", &mut fields);
    }
    if is(&["6", "7"]) {
        take("file.path", "ImageLoaded", &mut fields);
        take("file.code_signature.subject_name", "Signature", &mut fields);
        take("file.code_signature.status", "SignatureStatus", &mut fields);
    }
    if is(&["7"]) {
        take(
            "file.pe.original_file_name",
            "OriginalFileName",
            &mut fields,
        );
        take("file.pe.company", "Company", &mut fields);
        take("file.pe.description", "Description", &mut fields);
        take("file.pe.file_version", "FileVersion", &mut fields);
        take("file.pe.product", "Product", &mut fields);
    }
    if is(&["9"]) {
        take("file.path", "Device", &mut fields);
    }
    if is(&["3"]) {
        network_fields(object, &mut fields);
    }
    if is(&["17", "18"]) {
        take("file.name", "PipeName", &mut fields);
    }
    if is(&["22"]) {
        take("dns.question.name", "QueryName", &mut fields);
        take("sysmon.dns.status", "QueryStatus", &mut fields);
    }
    if is(&["23", "24", "25"]) {
        take("sysmon.file.archived", "Archived", &mut fields);
        take("sysmon.file.is_executable", "IsExecutable", &mut fields);
    }
    if is(&["255"]) {
        take("error.code", "ID", &mut fields);
    }

    if is(&["1", "3", "19", "20", "21", "23", "24", "25"]) {
        if let Some(user) = user_text(object) {
            fields.push(("User".to_string(), user));
        }
    }
    if is(&["1", "23", "24", "25"]) {
        push_hashes(object, "process", "Hashes", &mut fields);
    }
    if is(&["6", "7"]) {
        push_hashes(object, "file", "Hashes", &mut fields);
    }
    if is(&["15"]) {
        push_hashes(object, "file", "Hash", &mut fields);
    }
    fields
}

/// Rebuilds the endpoint values of a network connection (event 3).
fn network_fields(object: &Map<String, Value>, fields: &mut Vec<(String, String)>) {
    let pairs = [
        ("network.transport", "Protocol"),
        ("source.ip", "SourceIp"),
        ("source.domain", "SourceHostname"),
        ("source.port", "SourcePort"),
        ("destination.ip", "DestinationIp"),
        ("destination.domain", "DestinationHostname"),
        ("destination.port", "DestinationPort"),
        ("network.protocol", "DestinationPortName"),
    ];
    for (path, name) in pairs {
        if let Some(value) = lookup(object, path).filter(|value| !value.is_null()) {
            fields.push((name.to_string(), scalar_text(value)));
        }
    }

    let direction = lookup(object, "network.direction").and_then(Value::as_str);
    let initiated = match direction {
        Some("egress" | "outbound") => Some("true"),
        Some("ingress" | "inbound") => Some("false"),
        _ => None,
    };
    if let Some(initiated) = initiated {
        fields.push(("Initiated".to_string(), initiated.to_string()));
    }

    let ipv6 = match lookup(object, "network.type").and_then(Value::as_str) {
        Some("ipv6") => Some("true"),
        Some("ipv4") => Some("false"),
        _ => None,
    };
    if let Some(ipv6) = ipv6 {
        fields.push(("SourceIsIpv6".to_string(), ipv6.to_string()));
        fields.push(("DestinationIsIpv6".to_string(), ipv6.to_string()));
    }
}

/// Joins `user.domain` and `user.name` back into Sysmon's `DOMAIN\name`.
fn user_text(object: &Map<String, Value>) -> Option<String> {
    let name = lookup(object, "user.name").and_then(Value::as_str)?;
    match lookup(object, "user.domain").and_then(Value::as_str) {
        Some(domain) if !domain.is_empty() => Some(format!("{domain}\\{name}")),
        _ => Some(name.to_string()),
    }
}

/// Rebuilds a Sysmon hash list such as `SHA1=…,MD5=…` from `<namespace>.hash.*` and
/// `<namespace>.pe.imphash`.
fn push_hashes(
    object: &Map<String, Value>,
    namespace: &str,
    name: &str,
    fields: &mut Vec<(String, String)>,
) {
    let mut parts = Vec::new();
    for algorithm in ["sha1", "md5", "sha256"] {
        let path = format!("{namespace}.hash.{algorithm}");
        if let Some(value) = lookup(object, &path).and_then(Value::as_str) {
            parts.push(format!(
                "{}={}",
                algorithm.to_uppercase(),
                value.to_uppercase()
            ));
        }
    }
    let imphash_path = format!("{namespace}.pe.imphash");
    if let Some(value) = lookup(object, &imphash_path).and_then(Value::as_str) {
        parts.push(format!("IMPHASH={}", value.to_uppercase()));
    }
    if !parts.is_empty() {
        fields.push((name.to_string(), parts.join(",")));
    }
}

/// Formats an RFC 3339 time as Sysmon's `UtcTime`: `2020-10-27 20:00:14.320`.
fn utc_time_text(timestamp: &str) -> Option<String> {
    let time = chrono::DateTime::parse_from_rfc3339(timestamp).ok()?;
    let utc = time.with_timezone(&chrono::Utc);
    Some(utc.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> WindowsEvent {
        let value: Value = serde_json::from_str(text).unwrap();
        parse_winlogbeat(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn process_create_is_rebuilt() {
        let event = parse(
            r#"{"@timestamp":"2026-02-03T10:11:12.5Z","event":{"code":1,"module":"sysmon"},
            "log":{"level":"information"},
            "process":{"executable":"C:\\Tools\\pip.exe","command_line":"pip install x","pid":42,
              "entity_id":"{guid-1}","working_directory":"C:\\work\\",
              "parent":{"executable":"C:\\py\\python.exe","command_line":"python -m pip","pid":7,"entity_id":"{guid-0}"},
              "hash":{"sha1":"ab12","md5":"cd34"},"pe":{"imphash":"ef56"}},
            "user":{"domain":"LAB","name":"analyst"},
            "winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"LAB-WS03",
              "event_id":1,"provider_name":"Microsoft-Windows-Sysmon","record_id":20,"version":5,
              "process":{"pid":7144,"thread":{"id":6876}},"user":{"identifier":"S-1-5-18"},
              "event_data":{"IntegrityLevel":"Medium","RuleName":"-","TerminalSessionId":"1"}}}"#,
        );
        assert_eq!(event.system_value("EventID"), Some("1"));
        assert_eq!(event.system_value("Computer"), Some("LAB-WS03"));
        assert_eq!(event.system_value("Level"), Some("4"));
        assert_eq!(event.system_value("ThreadID"), Some("6876"));
        assert_eq!(
            event.system_value("TimeCreated"),
            Some("2026-02-03T10:11:12.5Z")
        );
        let names: Vec<&str> = event.data.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "RuleName",
                "UtcTime",
                "ProcessGuid",
                "ProcessId",
                "Image",
                "CommandLine",
                "CurrentDirectory",
                "User",
                "TerminalSessionId",
                "IntegrityLevel",
                "Hashes",
                "ParentProcessGuid",
                "ParentProcessId",
                "ParentImage",
                "ParentCommandLine",
            ]
        );
        assert_eq!(event.data_value("UtcTime"), Some("2026-02-03 10:11:12.500"));
        assert_eq!(event.data_value("User"), Some("LAB\\analyst"));
        assert_eq!(
            event.data_value("Hashes"),
            Some("SHA1=AB12,MD5=CD34,IMPHASH=EF56")
        );
        assert_eq!(event.data_value("ParentImage"), Some("C:\\py\\python.exe"));
    }

    #[test]
    fn network_connect_is_rebuilt() {
        let event = parse(
            r#"{"@timestamp":"2026-02-03T10:11:12Z","process":{"executable":"C:\\py\\python.exe","pid":9},
            "network":{"transport":"tcp","direction":"egress","type":"ipv4","protocol":"-"},
            "source":{"ip":"10.0.0.5","port":50123},"destination":{"ip":"203.0.113.7","port":4444,"domain":"c2.example.test"},
            "winlog":{"event_id":3,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"LAB-WS03"}}"#,
        );
        assert_eq!(event.data_value("DestinationPort"), Some("4444"));
        assert_eq!(
            event.data_value("DestinationHostname"),
            Some("c2.example.test")
        );
        assert_eq!(event.data_value("Initiated"), Some("true"));
        assert_eq!(event.data_value("SourceIsIpv6"), Some("false"));
        assert_eq!(event.data_value("Protocol"), Some("tcp"));
        assert_eq!(event.data_value("Image"), Some("C:\\py\\python.exe"));
    }

    #[test]
    fn event_original_xml_wins() {
        let event = parse(
            r#"{"event":{"original":"<Event><System><EventID>11</EventID></System><EventData><Data Name='Image'>a.exe</Data></EventData></Event>"},
            "winlog":{"event_id":1}}"#,
        );
        assert_eq!(event.system_value("EventID"), Some("11"));
        assert_eq!(event.data_value("Image"), Some("a.exe"));
    }

    #[test]
    fn winlogbeat_6_top_level_keys() {
        let event = parse(
            r#"{"computer_name":"OLD-01","event_id":4634,"log_name":"Security","source_name":"Microsoft-Windows-Security-Auditing",
            "record_number":"193","event_data":{"TargetUserName":"svc","LogonType":"8"},"level":"Information"}"#,
        );
        assert_eq!(event.system_value("Computer"), Some("OLD-01"));
        assert_eq!(event.system_value("Channel"), Some("Security"));
        assert_eq!(event.system_value("EventRecordID"), Some("193"));
        assert_eq!(event.system_value("Level"), Some("4"));
        assert_eq!(event.data_value("LogonType"), Some("8"));
    }
}
