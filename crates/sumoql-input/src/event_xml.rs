//! Renders a [`WindowsEvent`] as Windows event XML, the shape `wevtutil qe /f:xml` prints,
//! so that events read from any format can be written out in one standard form.

use crate::event::WindowsEvent;

const EVENT_NAMESPACE: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// Renders an event as one line of Windows event XML: `<System>` with the values the event
/// has, then one `<Data Name='…'>` per `<EventData>` value in order. Text is entity-escaped
/// and CR and LF inside values are written as `&#xD;` and `&#xA;`, so each event stays on
/// one line and reads back as the same event.
pub fn render_event_xml(event: &WindowsEvent) -> String {
    let mut out = String::with_capacity(512 + event.data.len() * 64);
    out.push_str("<Event xmlns='");
    out.push_str(EVENT_NAMESPACE);
    out.push_str("'><System>");
    render_system(event, &mut out);
    out.push_str("</System><EventData>");
    for (name, value) in &event.data {
        out.push_str("<Data Name='");
        push_escaped(&mut out, name);
        out.push_str("'>");
        push_escaped(&mut out, value);
        out.push_str("</Data>");
    }
    out.push_str("</EventData></Event>");
    out
}

fn render_system(event: &WindowsEvent, out: &mut String) {
    let value = |name: &str| event.system_value(name);

    let provider = value("Provider");
    let guid = value("ProviderGuid");
    if provider.is_some() || guid.is_some() {
        out.push_str("<Provider");
        push_attribute(out, "Name", provider);
        push_attribute(out, "Guid", guid);
        out.push_str("/>");
    }
    for name in ["EventID", "Version", "Level", "Task", "Opcode", "Keywords"] {
        push_element(out, name, value(name));
    }
    if let Some(time) = value("TimeCreated") {
        out.push_str("<TimeCreated");
        push_attribute(out, "SystemTime", Some(time));
        out.push_str("/>");
    }
    push_element(out, "EventRecordID", value("EventRecordID"));
    let process = value("ProcessID");
    let thread = value("ThreadID");
    if process.is_some() || thread.is_some() {
        out.push_str("<Execution");
        push_attribute(out, "ProcessID", process);
        push_attribute(out, "ThreadID", thread);
        out.push_str("/>");
    }
    push_element(out, "Channel", value("Channel"));
    push_element(out, "Computer", value("Computer"));
    if let Some(user) = value("UserID") {
        out.push_str("<Security");
        push_attribute(out, "UserID", Some(user));
        out.push_str("/>");
    }
}

fn push_element(out: &mut String, name: &str, value: Option<&str>) {
    let Some(value) = value else {
        return;
    };
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_escaped(out, value);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn push_attribute(out: &mut String, name: &str, value: Option<&str>) {
    let Some(value) = value else {
        return;
    };
    out.push(' ');
    out.push_str(name);
    out.push_str("='");
    push_escaped(out, value);
    out.push('\'');
}

fn push_escaped(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' => out.push_str("&#xA;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_event_xml;

    #[test]
    fn rendered_xml_reads_back_as_the_same_event() {
        let event = WindowsEvent {
            system: vec![
                (
                    "Provider".to_string(),
                    "Microsoft-Windows-Sysmon".to_string(),
                ),
                ("EventID".to_string(), "1".to_string()),
                (
                    "TimeCreated".to_string(),
                    "2026-01-05T09:00:00.0000000Z".to_string(),
                ),
                ("ThreadID".to_string(), "12".to_string()),
                ("Computer".to_string(), "a'b\"c".to_string()),
                ("UserID".to_string(), "S-1-5-18".to_string()),
            ],
            data: vec![
                (
                    "CommandLine".to_string(),
                    "cmd /c \"a && b\" <x>\r\nnext".to_string(),
                ),
                ("Empty".to_string(), String::new()),
            ],
        };
        let xml = render_event_xml(&event);
        assert!(!xml.contains('\n'));
        assert!(xml.starts_with(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        ));
        assert_eq!(parse_event_xml(&xml).unwrap(), event);
    }
}
