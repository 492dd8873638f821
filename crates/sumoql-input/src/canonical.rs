//! The canonical `_raw` rendering of a Windows event: one element per `<EventData>` value,
//! identical whatever format the event was read from.

use crate::event::WindowsEvent;

/// `<EventData>` names whose values render as escaped text instead of CDATA.
///
/// The T1204.005 detection that sumoql exists to run
/// (`queries/t1204_005_malicious_library.sumo`) reads process and file fields with anchors
/// like `parse "<Image><![CDATA[*]]></Image>"` but reads network endpoint fields with
/// `parse "<DestinationPort>*</DestinationPort>"`. If endpoint values were wrapped in CDATA
/// too, that second anchor would capture `<![CDATA[4444]]>`, so `num(DestPort)` would be
/// null and the network branch could never match.
const PLAIN_TEXT_FIELDS: [&str; 10] = [
    "SourceIsIpv6",
    "SourceIp",
    "SourceHostname",
    "SourcePort",
    "SourcePortName",
    "DestinationIsIpv6",
    "DestinationIp",
    "DestinationHostname",
    "DestinationPort",
    "DestinationPortName",
];

/// Renders an event as canonical XML, built from the parsed event only.
///
/// The `<System>` part keeps the element layout of Windows event XML (without the
/// provider GUID) so that keyword searches for the channel or event id still match. Each
/// `<EventData>` value becomes `<Name><![CDATA[value]]></Name>` with the decoded value, so
/// a `parse` anchor captures the exact text a user sees in Event Viewer, except the
/// network endpoint fields (`SourceIp`, `DestinationPort` and the like), which render as
/// escaped text.
/// Elements and attributes are written only for values the event has.
pub fn render_canonical(event: &WindowsEvent) -> String {
    let mut out = String::with_capacity(256 + event.data.len() * 64);
    out.push_str("<Event><System>");
    render_system(event, &mut out);
    out.push_str("</System><EventData>");

    for (name, value) in &event.data {
        let element = xml_element_name(name);
        out.push('<');
        out.push_str(&element);
        out.push('>');
        if PLAIN_TEXT_FIELDS.contains(&name.as_str()) {
            push_escaped(&mut out, value);
        } else {
            push_cdata(&mut out, value);
        }
        out.push_str("</");
        out.push_str(&element);
        out.push('>');
    }

    out.push_str("</EventData></Event>");
    out
}

fn render_system(event: &WindowsEvent, out: &mut String) {
    let value = |name: &str| event.system_value(name);

    if let Some(provider) = value("Provider") {
        out.push_str("<Provider Name=\"");
        push_escaped(out, provider);
        out.push_str("\"/>");
    }

    for name in ["EventID", "Version", "Level", "Task", "Opcode", "Keywords"] {
        push_text_element(out, name, value(name));
    }

    if let Some(time) = value("TimeCreated") {
        out.push_str("<TimeCreated SystemTime=\"");
        push_escaped(out, time);
        out.push_str("\"/>");
    }

    push_text_element(out, "EventRecordID", value("EventRecordID"));

    let process = value("ProcessID");
    let thread = value("ThreadID");
    if process.is_some() || thread.is_some() {
        out.push_str("<Execution");
        push_attribute(out, "ProcessID", process);
        push_attribute(out, "ThreadID", thread);
        out.push_str("/>");
    }

    push_text_element(out, "Channel", value("Channel"));
    push_text_element(out, "Computer", value("Computer"));

    if let Some(user) = value("UserID") {
        out.push_str("<Security UserID=\"");
        push_escaped(out, user);
        out.push_str("\"/>");
    }
}

fn push_text_element(out: &mut String, name: &str, value: Option<&str>) {
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
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// Appends `text` with `&`, `<`, `>` and `"` replaced by their entities.
fn push_escaped(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
}

/// Appends `text` as CDATA. A CDATA section cannot contain `]]>`, so that sequence is split
/// between two sections: `a]]>b` becomes `<![CDATA[a]]]]><![CDATA[>b]]>`.
fn push_cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

/// Turns a `<Data Name=…>` value into a usable XML element name. Characters that may not
/// appear in a name become `_`. A name that is empty or starts with a digit, `-` or `.`
/// gets a leading `_`. Sysmon's own names pass unchanged.
fn xml_element_name(name: &str) -> String {
    let mut element: String = name
        .chars()
        .map(|character| {
            let allowed = character.is_alphanumeric() || matches!(character, '_' | '-' | '.');
            if allowed {
                character
            } else {
                '_'
            }
        })
        .collect();

    let starts_well = element
        .chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_');
    if !starts_well {
        element.insert(0, '_');
    }
    element
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_with_data(pairs: &[(&str, &str)]) -> WindowsEvent {
        WindowsEvent {
            system: Vec::new(),
            data: pairs
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        }
    }

    #[test]
    fn cdata_end_marker_is_split() {
        let event = event_with_data(&[("CommandLine", "a]]>b")]);
        let rendered = render_canonical(&event);
        assert!(
            rendered.contains("<CommandLine><![CDATA[a]]]]><![CDATA[>b]]></CommandLine>"),
            "{rendered}"
        );
    }

    #[test]
    fn endpoint_fields_are_escaped_text() {
        let event = event_with_data(&[
            ("DestinationIp", "10.1.2.3"),
            ("DestinationHostname", "a&b<c>"),
            ("Image", "C:\\x & y.exe"),
        ]);
        let rendered = render_canonical(&event);
        assert!(rendered.contains("<DestinationIp>10.1.2.3</DestinationIp>"));
        assert!(rendered.contains("<DestinationHostname>a&amp;b&lt;c&gt;</DestinationHostname>"));
        assert!(rendered.contains("<Image><![CDATA[C:\\x & y.exe]]></Image>"));
    }

    #[test]
    fn invalid_names_become_safe_elements() {
        assert_eq!(xml_element_name("Image"), "Image");
        assert_eq!(xml_element_name("Process Id"), "Process_Id");
        assert_eq!(xml_element_name("1st"), "_1st");
        assert_eq!(xml_element_name(""), "_");
        assert_eq!(xml_element_name("a<b>\"c"), "a_b__c");
        assert_eq!(xml_element_name("ns:Name"), "ns_Name");
    }

    #[test]
    fn missing_system_values_are_omitted() {
        let event = WindowsEvent {
            system: vec![
                ("EventID".to_string(), "3".to_string()),
                ("ThreadID".to_string(), "12".to_string()),
            ],
            data: Vec::new(),
        };
        assert_eq!(
            render_canonical(&event),
            "<Event><System><EventID>3</EventID><Execution ThreadID=\"12\"/></System>\
             <EventData></EventData></Event>"
        );
    }

    #[test]
    fn system_values_are_escaped() {
        let event = WindowsEvent {
            system: vec![
                ("Provider".to_string(), "A\"B".to_string()),
                ("Computer".to_string(), "x<y&z".to_string()),
            ],
            data: Vec::new(),
        };
        let rendered = render_canonical(&event);
        assert!(
            rendered.contains("<Provider Name=\"A&quot;B\"/>"),
            "{rendered}"
        );
        assert!(
            rendered.contains("<Computer>x&lt;y&amp;z</Computer>"),
            "{rendered}"
        );
    }
}
