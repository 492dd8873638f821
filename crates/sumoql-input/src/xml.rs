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

/// Reports whether [`parse_event_xml`] accepts `text`, without building the event or
/// copying any text, so that a record whose fields no query stage reads can be counted
/// for a fraction of the cost.
///
/// It follows `parse_event_xml` step by step and fails where that fails. Both fail on the
/// same XML errors from the same reader, on a root other than `<Event>` or anything after
/// it, and on text outside the root. Both make the same attribute lookups on the same
/// elements, and both fail on an unresolved reference inside a collected value and on an
/// unclosed root. The tests compare the two on valid and broken events.
pub(crate) fn is_valid_event_xml(text: &str) -> bool {
    let mut reader = Reader::from_str(text);
    let mut depth = 0;
    // Whether the open element at depth 2 is <System>, <EventData> or another.
    let mut section = "";
    // The depth of the element whose text parse_event_xml would collect.
    let mut value_depth: Option<usize> = None;
    let mut root_closed = false;

    loop {
        let Ok(event) = reader.read_event() else {
            return false;
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                let name: &str = name.as_ref();
                if root_closed || (depth == 0 && name != "Event") {
                    return false;
                }
                depth += 1;
                if depth == 2 {
                    section = match name {
                        "System" => "System",
                        "EventData" => "EventData",
                        _ => "",
                    };
                }
                if value_depth.is_none() && depth == 3 {
                    match value_opens(section, name, &element) {
                        Err(()) => return false,
                        Ok(true) => value_depth = Some(depth),
                        Ok(false) => {}
                    }
                }
                if empty {
                    close_depth(&mut depth, &mut value_depth);
                    root_closed |= depth == 0;
                }
            }
            Event::End(_) => {
                close_depth(&mut depth, &mut value_depth);
                root_closed |= depth == 0;
            }
            Event::Text(content) => {
                if value_depth.is_none() && depth == 0 && !content.trim().is_empty() {
                    return false;
                }
            }
            Event::GeneralRef(reference) => {
                if value_depth.is_some() && resolve_reference(&reference).is_err() {
                    return false;
                }
            }
            Event::Eof => break,
            Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
    root_closed
}

/// Does the attribute lookups of [`open_element`] for an element at depth 3 under
/// `section`, and reports whether its text is a value, or `Err` where they fail.
fn value_opens(section: &str, name: &str, element: &BytesStart<'_>) -> Result<bool, ()> {
    match section {
        "System" => {
            for (attribute_name, _) in system_attributes(name) {
                if attribute_fails(element, attribute_name) {
                    return Err(());
                }
            }
            Ok(SYSTEM_TEXT_ELEMENTS.contains(&name))
        }
        "EventData" => {
            if name == "Data" && attribute_fails(element, "Name") {
                return Err(());
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Mirrors [`close_element`] on a depth count.
fn close_depth(depth: &mut usize, value_depth: &mut Option<usize>) {
    if *value_depth == Some(*depth) {
        *value_depth = None;
    }
    *depth = depth.saturating_sub(1);
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
            for (attribute_name, field) in system_attributes(name) {
                copy_attribute(element, attribute_name, field, system)?;
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

/// Returns the attributes of a `<System>` child element that are `<System>` values:
/// each attribute's local name and the field it fills, in the order they are read.
fn system_attributes(element_name: &str) -> &'static [(&'static str, &'static str)] {
    match element_name {
        "Provider" => &[("Name", "Provider"), ("Guid", "ProviderGuid")],
        "TimeCreated" => &[("SystemTime", "TimeCreated")],
        "Execution" => &[("ProcessID", "ProcessID"), ("ThreadID", "ThreadID")],
        "Security" => &[("UserID", "UserID"), ("UserId", "UserID")],
        _ => &[],
    }
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

/// Reports whether [`attribute`] would fail, without copying the value it finds.
fn attribute_fails(element: &BytesStart<'_>, name: &str) -> bool {
    for attribute in element.attributes() {
        let Ok(attribute) = attribute else {
            return true;
        };
        let key = attribute.key.local_name();
        let key: &str = key.as_ref();
        if key != name {
            continue;
        }
        return quick_xml::escape::unescape(&attribute.value).is_err();
    }
    false
}

/// Appends the text an entity or character reference stands for. Windows event XML uses
/// only the five predefined entities and character references. Any other entity could
/// only come from a DTD, which is never read: expanding it could exhaust memory ("billion
/// laughs") or read a file or URL, so the record is rejected instead.
fn push_reference(text: &mut String, reference: &BytesRef<'_>) -> Result<(), String> {
    match resolve_reference(reference)? {
        Resolved::Character(character) => text.push(character),
        Resolved::Text(replacement) => text.push_str(replacement),
    }
    Ok(())
}

/// The text an XML reference resolves to.
enum Resolved {
    Character(char),
    Text(&'static str),
}

/// Resolves a character reference or one of the five predefined entities, the only
/// references [`push_reference`] accepts.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<Resolved, String> {
    match reference.resolve_char_ref() {
        Ok(Some(character)) => return Ok(Resolved::Character(character)),
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
    Ok(Resolved::Text(replacement))
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

    /// Asserts that the validator and the decoder agree on `text`.
    fn assert_agree(text: &str) {
        assert_eq!(
            is_valid_event_xml(text),
            parse_event_xml(text).is_ok(),
            "disagree on {text:?}: {:?}",
            parse_event_xml(text).err()
        );
    }

    #[test]
    fn validator_agrees_on_crafted_events() {
        let cases = [
            "<Event/>",
            "<Event></Event>",
            "  <Event><System/></Event>  ",
            "<?xml version='1.0'?><!-- c --><Event/>",
            "<Event/>x",
            "x<Event/>",
            "<Event/><!-- after -->",
            "<Event/><Other/>",
            "<Event><System><EventID>1</EventID></Sys></Event>",
            "<Event><EventData><Data Name='A'>x</Data>",
            "<NotAnEvent/>",
            "",
            "   ",
            "<Event/><Event/>",
            "<Event><EventData><Data Name='A'>a & b</Data></EventData></Event>",
            "<Event><EventData><Data Name='A'>&#0;</Data></EventData></Event>",
            "<Event><EventData><Data Name='A'>&#x41;&unknown;</Data></EventData></Event>",
            "<Event><Other><Data Name='A'>&#0;</Data></Other></Event>",
            "<Event><EventData><Data Name='A'><B>&#0;</B></Data></EventData></Event>",
            "<Event><EventData>&#0;</EventData></Event>",
            "<Event><System><Provider Name='a' Name='b'/></System></Event>",
            "<Event><System><Provider Guid='a' Guid='b'/></System></Event>",
            "<Event><System><Other Name='a' Name='b'/></System></Event>",
            "<Event><System><Provider Name=a/></System></Event>",
            "<Event><System><Provider Name='&bad;'/></System></Event>",
            "<Event><System><TimeCreated SystemTime='&#0;'/></System></Event>",
            "<Event><System><Security UserId='0' UserId='1'/></System></Event>",
            "<Event><EventData><Data Name='a' Name='b'>x</Data></EventData></Event>",
            "<Event><EventData><Data Other='a' Other='b'>x</Data></EventData></Event>",
            "<Event><EventData><Binary Name='a' Name='b'>x</Binary></EventData></Event>",
            "<Event><EventData><Data Name='A'><![CDATA[a<b]]></Data></EventData></Event>",
            "<Event><EventData><Data Name='A'><![CDATA[a</Data></EventData></Event>",
            "<Event><System><EventID>1<!-- x --></EventID></System></Event>",
            "<Event xmlns:e='x'><e:System><e:EventID>1</e:EventID></e:System></Event>",
            "<e:Event xmlns:e='x'/>",
            "<Event><System><Provider Name='a'/><Provider Name='b' x/></System></Event>",
            "<Event><EventData><Data Name='A'/><Data Name='A' Name='B'/></EventData></Event>",
            "\0\0\0",
            "<Event>\0</Event>",
            "<Event></event>",
            "</Event>",
            "<Event><System></System></Event></Event>",
        ];
        for text in cases {
            assert_agree(text);
        }
    }

    #[test]
    fn validator_agrees_on_mutated_sample_events() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/sysmon_sample.xml"
        );
        let sample = std::fs::read_to_string(path).expect("the sample log is readable");
        let insertions = [
            "<",
            ">",
            "&",
            "'",
            "\"",
            "/",
            "=",
            " ",
            "&#0;",
            "&#x41;",
            "&amp;",
            "&x;",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "<?",
            "?>",
            "<Data Name='Z'>",
            "</Data>",
            "<Event>",
            "</Event>",
            "</System>",
            "<EventData>",
            " Name='Q'",
        ];
        // A fixed linear congruential sequence picks the positions, so the test
        // is repeatable.
        let mut state: u64 = 12345;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % bound.max(1)
        };
        let mut checked = 0;
        for line in sample
            .lines()
            .filter(|line| !line.trim().is_empty())
            .take(12)
        {
            assert_agree(line);
            let boundaries: Vec<usize> = (0..=line.len())
                .filter(|index| line.is_char_boundary(*index))
                .collect();
            for _ in 0..150 {
                let at = boundaries[next(boundaries.len())];
                let mutated = match next(3) {
                    0 => line[..at].to_string(),
                    1 => {
                        let end = boundaries[next(boundaries.len())].max(at);
                        format!("{}{}", &line[..at], &line[end..])
                    }
                    _ => format!(
                        "{}{}{}",
                        &line[..at],
                        insertions[next(insertions.len())],
                        &line[at..]
                    ),
                };
                assert_agree(&mutated);
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} mutations checked");
    }
}
