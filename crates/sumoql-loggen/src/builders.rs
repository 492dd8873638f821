//! The `<EventData>` of each Sysmon event type, in Sysmon schema 4.81 field order.

use crate::catalog::Program;
use crate::scene::{hashes_for, Account, Scene};

/// The `<EventData>` values of one event, by field name.
pub type EventData = Vec<(&'static str, String)>;

/// A process start (event 1): who started what, with which command line.
#[derive(Debug, Clone, Copy)]
pub struct ProcessStart {
    pub parent: Program,
    pub parent_command_line: &'static str,
    pub child: Program,
    pub command_line: &'static str,
    pub current_directory: &'static str,
    pub account: Account,
    pub integrity_level: &'static str,
}

/// A network connection (event 3) the process initiated.
#[derive(Debug, Clone)]
pub struct Connection {
    pub destination_ip: String,
    pub destination_host_name: String,
    pub destination_port: u16,
}

/// Event 1, ProcessCreate.
pub fn process_create(scene: &mut Scene, start: &ProcessStart) -> EventData {
    let image = scene.path(&start.child);
    let parent_image = scene.path(&start.parent);
    let user = scene.account_name(start.account);
    let (logon_guid, logon_id, session) = scene.logon(start.account);

    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", image.clone()),
        ("FileVersion", scene.expand(start.child.file_version)),
        ("Description", start.child.description.to_string()),
        ("Product", start.child.product.to_string()),
        ("Company", start.child.company.to_string()),
        ("OriginalFileName", start.child.original_name.to_string()),
        ("CommandLine", scene.expand(start.command_line)),
        ("CurrentDirectory", scene.expand(start.current_directory)),
        ("User", user.clone()),
        ("LogonGuid", logon_guid),
        ("LogonId", logon_id),
        ("TerminalSessionId", session.to_string()),
        ("IntegrityLevel", start.integrity_level.to_string()),
        ("Hashes", hashes_for(&image)),
        ("ParentProcessGuid", scene.process_guid()),
        ("ParentProcessId", scene.process_id()),
        ("ParentImage", parent_image),
        ("ParentCommandLine", scene.expand(start.parent_command_line)),
        ("ParentUser", user),
    ]
}

/// Event 3, NetworkConnect, for an outgoing TCP connection.
pub fn network_connect(
    scene: &mut Scene,
    program: &Program,
    account: Account,
    connection: &Connection,
) -> EventData {
    let port_name = match connection.destination_port {
        80 => "http",
        443 => "https",
        88 => "kerberos",
        389 => "ldap",
        445 => "microsoft-ds",
        135 => "epmap",
        636 => "ldaps",
        _ => "-",
    };
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", scene.path(program)),
        ("User", scene.account_name(account)),
        ("Protocol", "tcp".to_string()),
        ("Initiated", "true".to_string()),
        ("SourceIsIpv6", "false".to_string()),
        ("SourceIp", scene.host.address.clone()),
        ("SourceHostname", scene.host.name.clone()),
        ("SourcePort", scene.rng.between(49152, 65535).to_string()),
        ("SourcePortName", "-".to_string()),
        ("DestinationIsIpv6", "false".to_string()),
        ("DestinationIp", connection.destination_ip.clone()),
        (
            "DestinationHostname",
            connection.destination_host_name.clone(),
        ),
        ("DestinationPort", connection.destination_port.to_string()),
        ("DestinationPortName", port_name.to_string()),
    ]
}

/// Event 5, ProcessTerminate.
pub fn process_terminate(scene: &mut Scene, program: &Program, account: Account) -> EventData {
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", scene.path(program)),
        ("User", scene.account_name(account)),
    ]
}

/// Event 7, ImageLoad: `program` loads `library`.
pub fn image_load(
    scene: &mut Scene,
    program: &Program,
    library: &Program,
    account: Account,
) -> EventData {
    let library_path = scene.path(library);
    let signature = if library.company == "Microsoft Corporation" {
        "Microsoft Windows"
    } else {
        library.company
    };
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", scene.path(program)),
        ("ImageLoaded", library_path.clone()),
        ("FileVersion", scene.expand(library.file_version)),
        ("Description", library.description.to_string()),
        ("Product", library.product.to_string()),
        ("Company", library.company.to_string()),
        ("OriginalFileName", library.original_name.to_string()),
        ("Hashes", hashes_for(&library_path)),
        ("Signed", "true".to_string()),
        ("Signature", signature.to_string()),
        ("SignatureStatus", "Valid".to_string()),
        ("User", scene.account_name(account)),
    ]
}

/// Event 10, ProcessAccess: `source` opens a handle to `target`.
pub fn process_access(
    scene: &mut Scene,
    source: &Program,
    target: &Program,
    granted_access: &str,
) -> EventData {
    let call_trace = scene.expand(
        r"C:\Windows\SYSTEM32\ntdll.dll+9f{hex3}|C:\Windows\System32\KERNELBASE.dll+2b{hex3}|C:\Windows\System32\KERNEL32.DLL+17{hex3}|UNKNOWN(00007FF8{HEX8})",
    );
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("SourceProcessGUID", scene.process_guid()),
        ("SourceProcessId", scene.process_id()),
        ("SourceThreadId", scene.process_id()),
        ("SourceImage", scene.path(source)),
        ("TargetProcessGUID", scene.process_guid()),
        ("TargetProcessId", scene.process_id()),
        ("TargetImage", scene.path(target)),
        ("GrantedAccess", granted_access.to_string()),
        ("CallTrace", call_trace),
        ("SourceUser", scene.account_name(Account::System)),
        ("TargetUser", scene.account_name(Account::System)),
    ]
}

/// Event 11, FileCreate.
pub fn file_create(
    scene: &mut Scene,
    program: &Program,
    account: Account,
    target_filename: String,
) -> EventData {
    let utc_time = scene.utc_time();
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", utc_time.clone()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", scene.path(program)),
        ("TargetFilename", target_filename),
        ("CreationUtcTime", utc_time),
        ("User", scene.account_name(account)),
    ]
}

/// Event 13, RegistryEvent (Value Set).
pub fn registry_set_value(
    scene: &mut Scene,
    program: &Program,
    account: Account,
    key: &str,
    details: &str,
) -> EventData {
    vec![
        ("RuleName", scene.rule_name()),
        ("EventType", "SetValue".to_string()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("Image", scene.path(program)),
        ("TargetObject", scene.expand(key)),
        ("Details", details.to_string()),
        ("User", scene.account_name(account)),
    ]
}

/// Event 22, DNSEvent (DNS query) that succeeded.
pub fn dns_query(
    scene: &mut Scene,
    program: &Program,
    account: Account,
    name: &str,
    results: &str,
) -> EventData {
    vec![
        ("RuleName", scene.rule_name()),
        ("UtcTime", scene.utc_time()),
        ("ProcessGuid", scene.process_guid()),
        ("ProcessId", scene.process_id()),
        ("QueryName", name.to_string()),
        ("QueryStatus", "0".to_string()),
        ("QueryResults", results.to_string()),
        ("Image", scene.path(program)),
        ("User", scene.account_name(account)),
    ]
}
