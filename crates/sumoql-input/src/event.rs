//! The format-independent shape of a Windows event and the `<System>` normalisation
//! that makes every input format produce the same one.

/// The `<System>` values a [`WindowsEvent`] keeps, in the order they are stored and rendered.
///
/// `Provider` and `ProviderGuid` come from `Provider/@Name` and `Provider/@Guid`,
/// `TimeCreated` from `TimeCreated/@SystemTime`, `ProcessID` and `ThreadID` from the
/// `Execution` attributes, and `UserID` from `Security/@UserID` (Sysmon for Linux spells the
/// attribute `UserId`). The others are element text.
pub const SYSTEM_FIELDS: [&str; 15] = [
    "Provider",
    "ProviderGuid",
    "EventID",
    "Version",
    "Level",
    "Task",
    "Opcode",
    "Keywords",
    "TimeCreated",
    "EventRecordID",
    "ProcessID",
    "ThreadID",
    "Channel",
    "Computer",
    "UserID",
];

/// The `<System>` elements whose value is their text content.
pub(crate) const SYSTEM_TEXT_ELEMENTS: [&str; 9] = [
    "EventID",
    "Version",
    "Level",
    "Task",
    "Opcode",
    "Keywords",
    "EventRecordID",
    "Channel",
    "Computer",
];

/// A parsed Windows event: ordered `<System>` values and `<EventData>` values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WindowsEvent {
    /// `(name, value)` pairs such as `("EventID", "1")`, `("Computer", "host")`,
    /// `("TimeCreated", "2019-06-20T08:07:42.3318108Z")`, `("Provider", "Microsoft-Windows-Sysmon")`,
    /// always in [`SYSTEM_FIELDS`] order and only for the values the event has.
    pub system: Vec<(String, String)>,
    /// `(Name, value)` for each `<Data Name='Name'>value</Data>` in document order, values
    /// decoded. `<Data>` elements without a `Name` are called `Data1`, `Data2`, … in the order
    /// they appear, and other elements inside `<EventData>` (such as `<Binary>`) keep their
    /// element name.
    pub data: Vec<(String, String)>,
}

impl WindowsEvent {
    /// Looks up a `<System>` value by case-insensitive name.
    pub fn system_value(&self, name: &str) -> Option<&str> {
        self.system
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Looks up the first `<EventData>` value with this exact name.
    pub fn data_value(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns `TimeCreated` as milliseconds since the Unix epoch, sub-millisecond digits
    /// truncated, or `None` when it is missing or not an RFC 3339 time.
    pub fn time_created_ms(&self) -> Option<i64> {
        self.system_value("TimeCreated")
            .and_then(parse_system_time_ms)
    }
}

/// Parses a `SystemTime` such as `2019-06-20T08:07:42.3318108Z` into epoch milliseconds.
///
/// Windows writes 7 fraction digits and Sysmon for Linux 9, and both end in `Z`. Digits
/// below the millisecond are truncated, never rounded.
pub fn parse_system_time_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp_millis());
    }

    // Some exports drop the zone designator, and those times are UTC as well.
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|time| time.and_utc().timestamp_millis())
}

/// Collects `<System>` values in whatever order an input yields them and hands them back in
/// [`SYSTEM_FIELDS`] order, so that every format builds the same `system` list.
#[derive(Default)]
pub(crate) struct SystemFields {
    values: [Option<String>; SYSTEM_FIELDS.len()],
}

impl SystemFields {
    /// Stores a value under one of the [`SYSTEM_FIELDS`] names. The first value stored for a
    /// name wins, and unknown names are ignored.
    pub(crate) fn set(&mut self, name: &str, value: String) {
        let Some(index) = SYSTEM_FIELDS.iter().position(|field| *field == name) else {
            return;
        };
        let slot = &mut self.values[index];
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    pub(crate) fn into_pairs(self) -> Vec<(String, String)> {
        SYSTEM_FIELDS
            .iter()
            .zip(self.values)
            .filter_map(|(name, value)| value.map(|value| (name.to_string(), value)))
            .collect()
    }
}

/// Hands out the names `Data1`, `Data2`, … for `<Data>` elements that have no `Name`.
#[derive(Default)]
pub(crate) struct UnnamedDataCounter {
    count: usize,
}

impl UnnamedDataCounter {
    pub(crate) fn next_name(&mut self) -> String {
        self.count += 1;
        format!("Data{}", self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_time_truncates_to_milliseconds() {
        assert_eq!(
            parse_system_time_ms("2019-06-20T08:07:42.3318108Z"),
            Some(1_561_018_062_331)
        );
        assert_eq!(
            parse_system_time_ms("2021-10-24T17:05:38.412999999Z"),
            Some(1_635_095_138_412)
        );
    }

    #[test]
    fn system_time_without_fraction_or_zone() {
        assert_eq!(
            parse_system_time_ms("2026-01-05T09:00:00Z"),
            Some(1_767_603_600_000)
        );
        assert_eq!(
            parse_system_time_ms("2026-01-05T09:00:00.5"),
            Some(1_767_603_600_500)
        );
    }

    #[test]
    fn system_time_rejects_other_text() {
        assert_eq!(parse_system_time_ms("yesterday"), None);
        assert_eq!(parse_system_time_ms(""), None);
    }

    #[test]
    fn system_fields_come_back_in_fixed_order() {
        let mut fields = SystemFields::default();
        fields.set("Computer", "host".into());
        fields.set("EventID", "1".into());
        fields.set("Unknown", "x".into());
        fields.set("EventID", "2".into());
        let pairs = fields.into_pairs();
        assert_eq!(
            pairs,
            vec![
                ("EventID".to_string(), "1".to_string()),
                ("Computer".to_string(), "host".to_string()),
            ]
        );
    }
}
