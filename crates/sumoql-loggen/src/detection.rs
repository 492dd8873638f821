//! A direct Rust statement of the three branches of
//! `queries/t1204_005_malicious_library.sumo`, used to count the detections a generated
//! file holds without running sumoql.
//!
//! It follows the query's semantics as sumoql documents them: `matches` with a quoted
//! pattern is case-sensitive, must cover the whole value, and knows only `*`, so
//! `"172.1[6-9].*"` matches no address. Fields come from the canonical `_raw`, whose
//! values are the decoded event values.

use crate::event::Event;

/// A branch of the shipped detection, named by the `DetectionBranch` value it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Branch {
    /// EventID 1: a package manager starts a shell or another LOLBin.
    PackageInstall,
    /// EventID 3: Python or Node connects to a public address on an unusual port.
    C2Callback,
    /// EventID 11: a package manager writes an executable into a sensitive folder.
    DroppedExecutable,
}

impl Branch {
    pub const ALL: [Branch; 3] = [
        Branch::PackageInstall,
        Branch::C2Callback,
        Branch::DroppedExecutable,
    ];

    /// Returns the `DetectionBranch` value the query gives rows of this branch.
    pub fn detection_name(self) -> &'static str {
        match self {
            Branch::PackageInstall => "PackageInstallSpawnedSuspiciousProcess",
            Branch::C2Callback => "MaliciousLibraryC2Callback",
            Branch::DroppedExecutable => "PackageInstallerDroppedExecutable",
        }
    }

    pub fn index(self) -> usize {
        match self {
            Branch::PackageInstall => 0,
            Branch::C2Callback => 1,
            Branch::DroppedExecutable => 2,
        }
    }
}

const PACKAGE_MANAGER_PARENT_SUFFIXES: [&str; 6] = [
    r"\pip.exe",
    r"\pip3.exe",
    r"\python.exe",
    r"\python3.exe",
    r"\node.exe",
    r"\npm.cmd",
];
const INSTALL_COMMAND_FRAGMENTS: [&str; 6] = [
    "pip install",
    "pip3 install",
    "npm install",
    "npm ci",
    "yarn add",
    "setup.py",
];
const SUSPICIOUS_CHILD_SUFFIXES: [&str; 14] = [
    r"\cmd.exe",
    r"\powershell.exe",
    r"\pwsh.exe",
    r"\mshta.exe",
    r"\rundll32.exe",
    r"\certutil.exe",
    r"\bitsadmin.exe",
    r"\wscript.exe",
    r"\cscript.exe",
    r"\regsvr32.exe",
    r"\msiexec.exe",
    r"\schtasks.exe",
    r"\sc.exe",
    r"\reg.exe",
];
const SCRIPT_RUNTIME_SUFFIXES: [&str; 3] = [r"\python.exe", r"\python3.exe", r"\node.exe"];
const STANDARD_PORTS: [f64; 4] = [80.0, 443.0, 8080.0, 8443.0];
/// The private-address prefixes the query's `matches` patterns can match. Its three
/// `172.…` patterns contain `[`, which is literal text, so they match no address.
const EXCLUDED_ADDRESS_PREFIXES: [&str; 3] = ["10.", "192.168.", "127."];
const ALLOWED_HOST_SUFFIXES: [&str; 7] = [
    "pypi.org",
    "pythonhosted.org",
    "npmjs.com",
    "github.com",
    "githubusercontent.com",
    "anaconda.com",
    "yarnpkg.com",
];
const INSTALLER_SUFFIXES: [&str; 5] = [
    r"\python.exe",
    r"\python3.exe",
    r"\node.exe",
    r"\pip.exe",
    r"\pip3.exe",
];
const EXECUTABLE_EXTENSIONS: [&str; 6] = [".exe", ".dll", ".bat", ".ps1", ".vbs", ".scr"];
const SENSITIVE_FOLDER_FRAGMENTS: [&str; 6] = [
    r"\Startup\",
    r"AppData\Local\Temp\",
    r"Windows\Temp\",
    r"System32\",
    r"SysWOW64\",
    r"\ProgramData\",
];

/// Returns the branch of the shipped query that reports `event`, if any.
pub fn detect(event: &Event) -> Option<Branch> {
    let fired = match event.event_id {
        1 => package_install_fires(event),
        3 => c2_callback_fires(event),
        11 => dropped_executable_fires(event),
        _ => false,
    };
    if !fired {
        return None;
    }
    match event.event_id {
        1 => Some(Branch::PackageInstall),
        3 => Some(Branch::C2Callback),
        _ => Some(Branch::DroppedExecutable),
    }
}

/// Returns the `ChildImage` value the query's rows carry for a detected event: the
/// process image in every branch.
pub fn child_image(event: &Event) -> &str {
    event.field("Image").unwrap_or("")
}

fn package_install_fires(event: &Event) -> bool {
    let parent_image = event.field("ParentImage");
    let parent_command_line = event.field("ParentCommandLine");
    let parent_matches = ends_with_any(parent_image, &PACKAGE_MANAGER_PARENT_SUFFIXES)
        || contains_any(parent_command_line, &INSTALL_COMMAND_FRAGMENTS);
    parent_matches && ends_with_any(event.field("Image"), &SUSPICIOUS_CHILD_SUFFIXES)
}

fn c2_callback_fires(event: &Event) -> bool {
    if !ends_with_any(event.field("Image"), &SCRIPT_RUNTIME_SUFFIXES) {
        return false;
    }

    // `num(DestPort) != 80` is false when the port is missing or not a number.
    let Some(port) = event
        .field("DestinationPort")
        .and_then(|port| port.parse::<f64>().ok())
    else {
        return false;
    };
    if STANDARD_PORTS.contains(&port) {
        return false;
    }

    // A comparison or `matches` with a null operand is false in sumoql, so `!(…)` over a
    // missing address or host name is true and does not exclude the event.
    let address = event.field("DestinationIp").unwrap_or_default();
    if EXCLUDED_ADDRESS_PREFIXES
        .iter()
        .any(|prefix| address.starts_with(prefix))
    {
        return false;
    }
    let host = event.field("DestinationHostname").unwrap_or_default();
    !ALLOWED_HOST_SUFFIXES
        .iter()
        .any(|suffix| host.ends_with(suffix))
}

fn dropped_executable_fires(event: &Event) -> bool {
    let target = event.field("TargetFilename");
    ends_with_any(event.field("Image"), &INSTALLER_SUFFIXES)
        && ends_with_any(target, &EXECUTABLE_EXTENSIONS)
        && contains_any(target, &SENSITIVE_FOLDER_FRAGMENTS)
}

fn ends_with_any(value: Option<&str>, suffixes: &[&str]) -> bool {
    value.is_some_and(|value| suffixes.iter().any(|suffix| value.ends_with(suffix)))
}

fn contains_any(value: Option<&str>, fragments: &[&str]) -> bool {
    value.is_some_and(|value| fragments.iter().any(|fragment| value.contains(fragment)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_id: u16, data: &[(&'static str, &str)]) -> Event {
        Event {
            event_id,
            version: 5,
            time_created: 0,
            record_id: 1,
            computer: "WS-0001.corp.example".to_string(),
            sysmon_process_id: 3112,
            sysmon_thread_id: 4020,
            data: data
                .iter()
                .map(|(name, value)| (*name, value.to_string()))
                .collect(),
        }
    }

    #[test]
    fn package_install_needs_listed_child() {
        let fires = event(
            1,
            &[
                ("Image", r"C:\Windows\System32\cmd.exe"),
                ("ParentImage", r"C:\Python312\Scripts\pip.exe"),
                ("ParentCommandLine", "pip install colourama"),
            ],
        );
        assert_eq!(detect(&fires), Some(Branch::PackageInstall));

        let upper_case_child = event(
            1,
            &[
                ("Image", r"C:\Windows\System32\CMD.EXE"),
                ("ParentImage", r"C:\Python312\Scripts\pip.exe"),
                ("ParentCommandLine", "pip install colourama"),
            ],
        );
        assert_eq!(detect(&upper_case_child), None);
    }

    #[test]
    fn c2_callback_ignores_bracket_ranges() {
        let private_172 = event(
            3,
            &[
                ("Image", r"C:\Python312\python.exe"),
                ("DestinationIp", "172.20.14.9"),
                ("DestinationHostname", "-"),
                ("DestinationPort", "5000"),
            ],
        );
        assert_eq!(detect(&private_172), Some(Branch::C2Callback));

        let private_10 = event(
            3,
            &[
                ("Image", r"C:\Python312\python.exe"),
                ("DestinationIp", "10.20.1.4"),
                ("DestinationHostname", "-"),
                ("DestinationPort", "5000"),
            ],
        );
        assert_eq!(detect(&private_10), None);
    }

    #[test]
    fn dropped_executable_needs_folder_and_extension() {
        let temp_exe = event(
            11,
            &[
                ("Image", r"C:\Program Files\nodejs\node.exe"),
                ("TargetFilename", r"C:\Users\a\AppData\Local\Temp\x\run.exe"),
            ],
        );
        assert_eq!(detect(&temp_exe), Some(Branch::DroppedExecutable));

        let downloads_exe = event(
            11,
            &[
                ("Image", r"C:\Program Files\nodejs\node.exe"),
                ("TargetFilename", r"C:\Users\a\Downloads\run.exe"),
            ],
        );
        assert_eq!(detect(&downloads_exe), None);
    }
}
