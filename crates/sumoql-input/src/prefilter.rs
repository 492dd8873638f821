//! Which texts of a record's `_raw` can be looked for in the text the record
//! was read from, so a query can pass over records without building `_raw`.
//!
//! A query may require `_raw` to contain some text (see the engine's
//! `Plan::raw_requirement`). With `--raw original`, `_raw` is the text read,
//! so any text can be looked for there. The canonical `_raw` of a Windows
//! event is a new rendering. There a text can be looked for in the original
//! only when it cannot come from the rendering's own markup, and when the
//! input format writes it the same way.

use crate::record::{InputFormat, RawMode};

/// The words the canonical rendering writes between `<`, `>`, `[`, `]`, `"`
/// and `=` around the values. A text inside one of them may come from the
/// rendering rather than from the event.
const CANONICAL_MARKUP_WORDS: [&str; 17] = [
    "EventData",
    "System",
    "Provider Name",
    "EventID",
    "Version",
    "Level",
    "Task",
    "Opcode",
    "Keywords",
    "TimeCreated SystemTime",
    "EventRecordID",
    "Execution ProcessID",
    " ThreadID",
    "Channel",
    "Computer",
    "Security UserID",
    "CDATA",
];

/// The entity names the canonical rendering writes for `&`, `<`, `>` and `"`
/// in text values, which JSON inputs write as the characters themselves.
const ENTITY_NAMES: [&str; 4] = ["amp;", "lt;", "gt;", "quot;"];

/// Returns the text to look for in a record's original text, given that its
/// `_raw` must contain `text`, or `None` when an absence from the original
/// text would prove nothing.
pub fn searchable_form(format: InputFormat, raw: RawMode, text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let json = match format {
        // With `--raw original`, and for messages, `_raw` is the text read.
        _ if raw == RawMode::Original => return Some(text.to_string()),
        InputFormat::Json | InputFormat::Text => return Some(text.to_string()),
        // The text read from `.evtx` is the XML the evtx crate renders.
        InputFormat::WindowsXml | InputFormat::Syslog | InputFormat::Evtx => false,
        InputFormat::EvtxJson | InputFormat::SumoJson | InputFormat::FlatJson => true,
        // Winlogbeat renames fields, so the text read does not hold the same words.
        InputFormat::Winlogbeat => return None,
    };
    if !canonical_text_is_searchable(text, json) {
        return None;
    }
    if json {
        Some(text.replace('\\', "\\\\"))
    } else {
        Some(text.to_string())
    }
}

/// Reports whether a record's original text uses escapes that may hide a
/// searched text: numeric character references or CDATA in XML, `\u` or
/// `\/` escapes in JSON. Such a record must be decoded to be judged.
pub fn escapes_may_hide_text(format: InputFormat, raw: RawMode, original: &[u8]) -> bool {
    escape_markers(format, raw)
        .iter()
        .any(|marker| memchr::memmem::find(original, marker.as_bytes()).is_some())
}

/// Returns the texts whose presence in a record's original text means
/// escapes may hide a searched text (see [`escapes_may_hide_text`]), so a
/// caller can look for them in the same pass as the searched texts.
pub fn escape_markers(format: InputFormat, raw: RawMode) -> &'static [&'static str] {
    if raw == RawMode::Original {
        return &[];
    }
    match format {
        InputFormat::WindowsXml | InputFormat::Syslog | InputFormat::Evtx => &["&#", "<![CDATA["],
        InputFormat::EvtxJson | InputFormat::SumoJson | InputFormat::FlatJson => &["\\u", "\\/"],
        _ => &[],
    }
}

/// Reports whether records may carry a field of this lower-case name before
/// any query stage runs: metadata and the `<System>` values.
pub fn provides_field(lowercase_name: &str) -> bool {
    lowercase_name.starts_with('_')
        || crate::event::SYSTEM_FIELDS
            .iter()
            .any(|name| name.eq_ignore_ascii_case(lowercase_name))
}

fn canonical_text_is_searchable(text: &str, json: bool) -> bool {
    // Markup characters, and characters that the input formats escape.
    if text
        .chars()
        .any(|c| matches!(c, '<' | '>' | '[' | ']' | '"' | '\'' | '=' | '&') || c.is_control())
    {
        return false;
    }
    if CANONICAL_MARKUP_WORDS
        .iter()
        .any(|word| word.contains(text))
    {
        return false;
    }

    // Element names are the event's field names, which the inputs also
    // write, except where the rendering changed them: invalid characters
    // become `_`, a closing tag adds `/`, and unnamed values are `Data1`, … .
    let is_name_text = text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if is_name_text && text.contains('_') {
        return false;
    }
    if let Some(rest) = text.strip_prefix('/') {
        if rest
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return false;
        }
    }
    let without_digits = text.trim_end_matches(|c: char| c.is_ascii_digit());
    if is_name_text && without_digits.len() < text.len() && "Data".ends_with(without_digits) {
        return false;
    }

    if json {
        // JSON writes `&` where the rendering writes `&amp;`, and numbers in
        // forms (`1e3`) that the rendering may spell otherwise.
        if ENTITY_NAMES.iter().any(|entity| entity.contains(text)) {
            return false;
        }
        if text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(text: &str) -> Option<String> {
        searchable_form(InputFormat::WindowsXml, RawMode::Canonical, text)
    }

    fn json(text: &str) -> Option<String> {
        searchable_form(InputFormat::EvtxJson, RawMode::Canonical, text)
    }

    #[test]
    fn program_names_are_searchable() {
        assert_eq!(xml("\\cmd.exe").as_deref(), Some("\\cmd.exe"));
        assert_eq!(xml("pip install").as_deref(), Some("pip install"));
        assert_eq!(json("\\cmd.exe").as_deref(), Some("\\\\cmd.exe"));
    }

    #[test]
    fn markup_text_is_not_searchable() {
        for text in [
            "<Image>",
            "CDATA",
            "ThreadID",
            "vent",
            "a]]",
            "x=y",
            "/Image",
            "Process_Id",
            "Data12",
            "12",
        ] {
            assert_eq!(xml(text), None, "{text}");
        }
    }

    #[test]
    fn json_spellings_are_not_searchable() {
        assert_eq!(json("amp"), None);
        assert_eq!(json("1000"), None);
        assert_eq!(xml("1000"), None);
        assert_eq!(json("1.5.2b").as_deref(), Some("1.5.2b"));
    }

    #[test]
    fn original_raw_searches_any_text() {
        assert_eq!(
            searchable_form(InputFormat::WindowsXml, RawMode::Original, "<Data").as_deref(),
            Some("<Data")
        );
        assert_eq!(
            searchable_form(InputFormat::Text, RawMode::Canonical, "a=b").as_deref(),
            Some("a=b")
        );
    }

    #[test]
    fn winlogbeat_is_never_searched() {
        assert_eq!(
            searchable_form(InputFormat::Evtx, RawMode::Canonical, "cmd").as_deref(),
            Some("cmd")
        );
        assert_eq!(
            searchable_form(InputFormat::Winlogbeat, RawMode::Canonical, "cmd"),
            None
        );
    }

    #[test]
    fn escapes_force_decoding() {
        assert!(escapes_may_hide_text(
            InputFormat::WindowsXml,
            RawMode::Canonical,
            b"a&#92;b"
        ));
        assert!(!escapes_may_hide_text(
            InputFormat::WindowsXml,
            RawMode::Canonical,
            b"a&amp;b"
        ));
        assert!(escapes_may_hide_text(
            InputFormat::EvtxJson,
            RawMode::Canonical,
            b"\"a\\u005c\""
        ));
        assert!(!escapes_may_hide_text(
            InputFormat::EvtxJson,
            RawMode::Original,
            b"\"a\\u005c\""
        ));
    }

    #[test]
    fn system_fields_are_provided() {
        assert!(provides_field("eventid"));
        assert!(provides_field("_sourcecategory"));
        assert!(!provides_field("image"));
    }
}
