//! Parses the text of one `<Event>` element (Windows event XML) into a [`WindowsEvent`].

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::event::{SystemFields, UnnamedDataCounter, WindowsEvent, SYSTEM_TEXT_ELEMENTS};

/// The destination of the text being read.
enum TextTarget {
    /// A `<System>` element whose text is the value of this field.
    System(&'static str),
    /// An element inside `<EventData>`, stored under this name.
    Data(String),
}

/// The value being collected: its target, the depth of its element and the text so far.
struct OpenValue {
    target: TextTarget,
    depth: usize,
    text: String,
}

/// Parses one `<Event>` element, with single- or double-quoted attributes, any namespace
/// and any layout.
///
/// Text is kept as written apart from entity decoding, so `&#xD;&#xA;` becomes CR LF and a
/// raw CR LF inside a value stays CR LF (no XML end-of-line normalisation). That keeps
/// values equal to the ones the JSON rendering of the same event holds.
/// `<UserData>` and `<RenderingInfo>` are not read.
pub(crate) fn parse_event_xml(text: &str) -> Result<WindowsEvent, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut system = SystemFields::default();
    let mut data = Vec::new();
    let mut unnamed = UnnamedDataCounter::default();
    let mut open_value: Option<OpenValue> = None;
    let mut root_closed = false;

    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("invalid XML at byte {}: {error}", reader.error_position()))?;

        match event {
            Event::Start(element) => {
                let name = local_name(&element);
                check_root(&stack, &name, root_closed)?;
                stack.push(name);
                if open_value.is_none() {
                    open_value = open_element(&stack, &element, &mut system, &mut unnamed)?;
                }
            }
            Event::Empty(element) => {
                let name = local_name(&element);
                check_root(&stack, &name, root_closed)?;
                stack.push(name);
                if open_value.is_none() {
                    open_value = open_element(&stack, &element, &mut system, &mut unnamed)?;
                }
                close_element(&mut stack, &mut open_value, &mut system, &mut data);
                root_closed |= stack.is_empty();
            }
            Event::End(_) => {
                close_element(&mut stack, &mut open_value, &mut system, &mut data);
                root_closed |= stack.is_empty();
            }
            Event::Text(content) => {
                if let Some(value) = open_value.as_mut() {
                    value.text.push_str(&content.into_inner());
                } else if stack.is_empty() && !content.trim().is_empty() {
                    return Err("text outside the <Event> element".to_string());
                }
            }
            Event::CData(content) => {
                if let Some(value) = open_value.as_mut() {
                    value.text.push_str(&content.into_inner());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(value) = open_value.as_mut() {
                    push_reference(&mut value.text, &reference)?;
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }

    if !root_closed {
        return match stack.last() {
            Some(open) => Err(format!("the text ends inside <{open}>")),
            None => Err("no <Event> element".to_string()),
        };
    }

    Ok(WindowsEvent {
        system: system.into_pairs(),
        data,
    })
}

fn check_root(stack: &[String], name: &str, root_closed: bool) -> Result<(), String> {
    if root_closed {
        return Err(format!("element <{name}> after the end of <Event>"));
    }
    if stack.is_empty() && name != "Event" {
        return Err(format!("the root element is <{name}>, expected <Event>"));
    }
    Ok(())
}

fn local_name(element: &BytesStart<'_>) -> String {
    let name = element.local_name();
    let name: &str = name.as_ref();
    name.to_string()
}

/// Handles the start of the element on top of `stack`: reads the attributes that are
/// `<System>` values, and returns the value to collect when the element's text is one.
fn open_element(
    stack: &[String],
    element: &BytesStart<'_>,
    system: &mut SystemFields,
    unnamed: &mut UnnamedDataCounter,
) -> Result<Option<OpenValue>, String> {
    let depth = stack.len();
    if depth != 3 {
        return Ok(None);
    }
    let name = stack[2].as_str();

    match stack[1].as_str() {
        "System" => {
            match name {
                "Provider" => {
                    copy_attribute(element, "Name", "Provider", system)?;
                    copy_attribute(element, "Guid", "ProviderGuid", system)?;
                }
                "TimeCreated" => copy_attribute(element, "SystemTime", "TimeCreated", system)?,
                "Execution" => {
                    copy_attribute(element, "ProcessID", "ProcessID", system)?;
                    copy_attribute(element, "ThreadID", "ThreadID", system)?;
                }
                "Security" => {
                    copy_attribute(element, "UserID", "UserID", system)?;
                    copy_attribute(element, "UserId", "UserID", system)?;
                }
                _ => {}
            }
            let text_field = SYSTEM_TEXT_ELEMENTS.iter().find(|field| **field == name);
            Ok(text_field.map(|field| OpenValue {
                target: TextTarget::System(field),
                depth,
                text: String::new(),
            }))
        }
        "EventData" => {
            let data_name = if name == "Data" {
                match attribute(element, "Name")? {
                    Some(data_name) => data_name,
                    None => unnamed.next_name(),
                }
            } else {
                name.to_string()
            };
            Ok(Some(OpenValue {
                target: TextTarget::Data(data_name),
                depth,
                text: String::new(),
            }))
        }
        _ => Ok(None),
    }
}

/// Pops the element on top of `stack` and stores the collected value if it was its element.
fn close_element(
    stack: &mut Vec<String>,
    open_value: &mut Option<OpenValue>,
    system: &mut SystemFields,
    data: &mut Vec<(String, String)>,
) {
    let depth = stack.len();
    stack.pop();

    let closes_value = open_value
        .as_ref()
        .is_some_and(|value| value.depth == depth);
    if !closes_value {
        return;
    }
    if let Some(value) = open_value.take() {
        match value.target {
            TextTarget::System(field) => system.set(field, value.text),
            TextTarget::Data(name) => data.push((name, value.text)),
        }
    }
}

fn copy_attribute(
    element: &BytesStart<'_>,
    attribute_name: &str,
    field: &str,
    system: &mut SystemFields,
) -> Result<(), String> {
    if let Some(value) = attribute(element, attribute_name)? {
        system.set(field, value);
    }
    Ok(())
}

/// Returns the entity-decoded value of an attribute, matched by local name.
fn attribute(element: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|error| format!("invalid attribute: {error}"))?;
        let key = attribute.key.local_name();
        let key: &str = key.as_ref();
        if key != name {
            continue;
        }
        let value = quick_xml::escape::unescape(&attribute.value)
            .map_err(|error| format!("invalid attribute {name}: {error}"))?;
        return Ok(Some(value.into_owned()));
    }
    Ok(None)
}

/// Appends the text an entity or character reference stands for. Windows event XML uses
/// only the five predefined entities and character references. Any other entity could
/// only come from a DTD, which is never read: expanding it could exhaust memory ("billion
/// laughs") or read a file or URL, so the record is rejected instead.
fn push_reference(text: &mut String, reference: &BytesRef<'_>) -> Result<(), String> {
    match reference.resolve_char_ref() {
        Ok(Some(character)) => {
            text.push(character);
            return Ok(());
        }
        Ok(None) => {}
        Err(error) => {
            return Err(format!(
                "invalid character reference &{};: {error}",
                &**reference
            ))
        }
    }

    let replacement = match &**reference {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => {
            return Err(format!(
                "reference to the undefined entity &{other};: entities declared in a DTD are not expanded"
            ))
        }
    };
    text.push_str(replacement);
    Ok(())
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
    fn single_and_double_quotes_agree() {
        let single = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
            <System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f}'/>\
            <EventID>1</EventID><Execution ProcessID='10' ThreadID='20'/>\
            <Security UserID='S-1-5-18'/></System>\
            <EventData><Data Name='Image'>C:\\a.exe</Data></EventData></Event>";
        let double = single.replace('\'', "\"");
        let from_single = parse_event_xml(single).unwrap();
        let from_double = parse_event_xml(&double).unwrap();
        assert_eq!(from_single, from_double);
        assert_eq!(
            from_single.system,
            pairs(&[
                ("Provider", "Microsoft-Windows-Sysmon"),
                ("ProviderGuid", "{5770385f}"),
                ("EventID", "1"),
                ("ProcessID", "10"),
                ("ThreadID", "20"),
                ("UserID", "S-1-5-18"),
            ])
        );
        assert_eq!(from_single.data, pairs(&[("Image", "C:\\a.exe")]));
    }

    #[test]
    fn entities_are_decoded() {
        let text = "<Event><System><Computer>a&amp;b</Computer></System><EventData>\
            <Data Name='CommandLine'>x &amp;&amp; y &lt;z&gt; &quot;q&quot; &apos;s&apos;</Data>\
            <Data Name='Multi'>one&#xD;&#xA;two&#9;three</Data></EventData></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.system_value("Computer"), Some("a&b"));
        assert_eq!(
            event.data_value("CommandLine"),
            Some("x && y <z> \"q\" 's'")
        );
        assert_eq!(event.data_value("Multi"), Some("one\r\ntwo\tthree"));
    }

    #[test]
    fn empty_and_self_closing_data_are_empty_strings() {
        let text = "<Event><EventData><Data Name='RuleName'/><Data Name='Empty'></Data>\
            </EventData></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.data, pairs(&[("RuleName", ""), ("Empty", "")]));
    }

    #[test]
    fn unnamed_data_is_numbered() {
        let text = "<Event><EventData><Data>first</Data><Data Name='X'>x</Data>\
            <Data>second</Data><Binary>00FF</Binary></EventData></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(
            event.data,
            pairs(&[
                ("Data1", "first"),
                ("X", "x"),
                ("Data2", "second"),
                ("Binary", "00FF")
            ])
        );
    }

    #[test]
    fn raw_line_breaks_are_kept() {
        let text = "<Event><EventData><Data Name='A'>one\r\ntwo</Data></EventData></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.data_value("A"), Some("one\r\ntwo"));
    }

    #[test]
    fn cdata_in_values_is_read() {
        let text = "<Event><EventData><Data Name='A'><![CDATA[a<b]]></Data></EventData></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.data_value("A"), Some("a<b"));
    }

    #[test]
    fn linux_user_id_is_normalised() {
        let text = "<Event><System><Security UserId=\"0\"/></System></Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.system, pairs(&[("UserID", "0")]));
    }

    #[test]
    fn rendering_info_and_user_data_are_ignored() {
        let text = "<Event><System><EventID>1102</EventID></System>\
            <UserData><LogFileCleared><SubjectUserName>x</SubjectUserName></LogFileCleared></UserData>\
            <RenderingInfo Culture='en-US'><Message>cleared</Message><Level>Information</Level></RenderingInfo>\
            </Event>";
        let event = parse_event_xml(text).unwrap();
        assert_eq!(event.system, pairs(&[("EventID", "1102")]));
        assert!(event.data.is_empty());
    }

    #[test]
    fn broken_xml_is_an_error() {
        for text in [
            "<Event><System><EventID>1</EventID></Sys></Event>",
            "<Event><EventData><Data Name='A'>x</Data>",
            "<NotAnEvent/>",
            "",
            "   ",
            "<Event/><Event/>",
            "<Event><EventData><Data Name='A'>a & b</Data></EventData></Event>",
            "<Event><EventData><Data Name='A'>&#0;</Data></EventData></Event>",
            "\0\0\0",
        ] {
            assert!(parse_event_xml(text).is_err(), "accepted {text:?}");
        }
    }
}
