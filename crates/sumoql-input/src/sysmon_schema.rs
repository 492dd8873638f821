//! The `<EventData>` field order of each Sysmon event id, used to put the values of JSON
//! shapes that lose the order (flat NXLog/OTRF keys, Winlogbeat's ECS fields) back into
//! the order Windows event XML and `.evtx` files have, so that the canonical `_raw` of an
//! event is the same whichever format it was read from.
//!
//! Source: the Sysmon manifest, schema version 4.81 (`manifest.xml` in Sysinternals'
//! SysmonCommon repository), which lists each event's `<data>` elements in the order
//! Sysmon writes them. Older schema versions omit some fields (`ParentUser`,
//! `OriginalFileName`, the `User` of event 11) but keep the others in the same order.

/// Provider names that Sysmon writes, on Windows and on Linux.
const SYSMON_PROVIDERS: [&str; 2] = ["Microsoft-Windows-Sysmon", "Linux-Sysmon"];

/// Channels that Sysmon writes to, on Windows and on Linux.
const SYSMON_CHANNELS: [&str; 2] = [
    "Microsoft-Windows-Sysmon/Operational",
    "Linux-Sysmon/Operational",
];

/// Returns whether an event with this provider or channel comes from Sysmon.
pub(crate) fn is_sysmon(provider: Option<&str>, channel: Option<&str>) -> bool {
    let provider_matches = provider.is_some_and(|name| {
        SYSMON_PROVIDERS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
    });
    let channel_matches = channel.is_some_and(|name| {
        SYSMON_CHANNELS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
    });
    provider_matches || channel_matches
}

/// Returns the `<EventData>` field names of a Sysmon event id, in the order Sysmon writes
/// them, or `None` for an id the manifest does not list.
///
/// NOTE: event ids added after schema 4.81 (27 and later) are not listed, so their values
/// keep the order of the JSON they were read from.
pub(crate) fn sysmon_fields(event_id: &str) -> Option<&'static [&'static str]> {
    let fields: &'static [&'static str] = match event_id.trim() {
        "1" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "FileVersion",
            "Description",
            "Product",
            "Company",
            "OriginalFileName",
            "CommandLine",
            "CurrentDirectory",
            "User",
            "LogonGuid",
            "LogonId",
            "TerminalSessionId",
            "IntegrityLevel",
            "Hashes",
            "ParentProcessGuid",
            "ParentProcessId",
            "ParentImage",
            "ParentCommandLine",
            "ParentUser",
        ],
        "2" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetFilename",
            "CreationUtcTime",
            "PreviousCreationUtcTime",
            "User",
        ],
        "3" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "User",
            "Protocol",
            "Initiated",
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
        ],
        "4" => &["UtcTime", "State", "Version", "SchemaVersion"],
        "5" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "User",
        ],
        "6" => &[
            "RuleName",
            "UtcTime",
            "ImageLoaded",
            "Hashes",
            "Signed",
            "Signature",
            "SignatureStatus",
        ],
        "7" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "ImageLoaded",
            "FileVersion",
            "Description",
            "Product",
            "Company",
            "OriginalFileName",
            "Hashes",
            "Signed",
            "Signature",
            "SignatureStatus",
            "User",
        ],
        "8" => &[
            "RuleName",
            "UtcTime",
            "SourceProcessGuid",
            "SourceProcessId",
            "SourceImage",
            "TargetProcessGuid",
            "TargetProcessId",
            "TargetImage",
            "NewThreadId",
            "StartAddress",
            "StartModule",
            "StartFunction",
            "SourceUser",
            "TargetUser",
        ],
        "9" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "Device",
            "User",
        ],
        "10" => &[
            "RuleName",
            "UtcTime",
            "SourceProcessGUID",
            "SourceProcessId",
            "SourceThreadId",
            "SourceImage",
            "TargetProcessGUID",
            "TargetProcessId",
            "TargetImage",
            "GrantedAccess",
            "CallTrace",
            "SourceUser",
            "TargetUser",
        ],
        "11" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetFilename",
            "CreationUtcTime",
            "User",
        ],
        "12" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetObject",
            "User",
        ],
        "13" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetObject",
            "Details",
            "User",
        ],
        "14" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetObject",
            "NewName",
            "User",
        ],
        "15" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "TargetFilename",
            "CreationUtcTime",
            "Hash",
            "Contents",
            "User",
        ],
        "16" => &["UtcTime", "Configuration", "ConfigurationFileHash"],
        "17" | "18" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "PipeName",
            "Image",
            "User",
        ],
        "19" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "Operation",
            "User",
            "EventNamespace",
            "Name",
            "Query",
        ],
        "20" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "Operation",
            "User",
            "Name",
            "Type",
            "Destination",
        ],
        "21" => &[
            "RuleName",
            "EventType",
            "UtcTime",
            "Operation",
            "User",
            "Consumer",
            "Filter",
        ],
        "22" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "QueryName",
            "QueryStatus",
            "QueryResults",
            "Image",
            "User",
        ],
        "23" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "User",
            "Image",
            "TargetFilename",
            "Hashes",
            "IsExecutable",
            "Archived",
        ],
        "24" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "Session",
            "ClientInfo",
            "Hashes",
            "Archived",
            "User",
        ],
        "25" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "Image",
            "Type",
            "User",
        ],
        "26" => &[
            "RuleName",
            "UtcTime",
            "ProcessGuid",
            "ProcessId",
            "User",
            "Image",
            "TargetFilename",
            "Hashes",
            "IsExecutable",
        ],
        "255" => &["UtcTime", "ID", "Description"],
        _ => return None,
    };
    Some(fields)
}

/// Reorders `<EventData>` values into the Sysmon field order of `event_id`: the fields the
/// schema lists come first, in schema order, and any other field follows in the order it
/// had. Does nothing for an event id the schema does not list.
pub(crate) fn sort_sysmon_data(event_id: &str, data: &mut [(String, String)]) {
    let Some(fields) = sysmon_fields(event_id) else {
        return;
    };
    let rank = |name: &str| {
        fields
            .iter()
            .position(|field| *field == name)
            .unwrap_or(fields.len())
    };
    data.sort_by_key(|(name, _)| rank(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|name| (name.to_string(), format!("{name} value")))
            .collect()
    }

    fn names(data: &[(String, String)]) -> Vec<&str> {
        data.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn network_fields_sorted_into_schema_order() {
        let mut data = pairs(&[
            "DestinationPort",
            "Image",
            "Extra",
            "RuleName",
            "DestinationIp",
        ]);
        sort_sysmon_data("3", &mut data);
        assert_eq!(
            names(&data),
            vec![
                "RuleName",
                "Image",
                "DestinationIp",
                "DestinationPort",
                "Extra"
            ]
        );
        assert_eq!(data[0].1, "RuleName value");
    }

    #[test]
    fn unknown_event_id_keeps_order() {
        let mut data = pairs(&["B", "A"]);
        sort_sysmon_data("4688", &mut data);
        assert_eq!(names(&data), vec!["B", "A"]);
    }

    #[test]
    fn fields_not_in_schema_keep_their_relative_order() {
        let mut data = pairs(&["Zeta", "Image", "Alpha", "RuleName"]);
        sort_sysmon_data("1", &mut data);
        assert_eq!(names(&data), vec!["RuleName", "Image", "Zeta", "Alpha"]);
    }

    #[test]
    fn sysmon_is_recognised_by_provider_or_channel() {
        assert!(is_sysmon(Some("Microsoft-Windows-Sysmon"), None));
        assert!(is_sysmon(None, Some("Linux-Sysmon/Operational")));
        assert!(is_sysmon(Some("microsoft-windows-sysmon"), None));
        assert!(!is_sysmon(
            Some("Microsoft-Windows-Security-Auditing"),
            Some("Security")
        ));
        assert!(!is_sysmon(None, None));
    }
}
