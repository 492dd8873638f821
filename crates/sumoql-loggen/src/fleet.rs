//! The invented machines whose Sysmon logs are generated.

use crate::catalog::{BUILD_AGENT_PYTHON, FIRST_NAMES, LAST_NAMES, PROJECTS, PYTHON_INSTALLS};
use crate::random::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Office workstation: browsers, mail, Office; no Python or Node.
    Workstation,
    /// Developer workstation with Python, Node, an editor and Git.
    Developer,
    /// CI build agent running as a service account, with Python and Node.
    BuildAgent,
    /// Server: services, SQL Server, management tools.
    Server,
}

impl Role {
    pub fn has_package_managers(self) -> bool {
        matches!(self, Role::Developer | Role::BuildAgent)
    }
}

/// One machine and the state its Sysmon log carries from event to event.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub role: Role,
    /// The interactive or service account, as `DOMAIN\name`.
    pub user: String,
    /// The folder name under `C:\Users\`.
    pub profile: String,
    /// The account's security identifier, as registry paths under `HKU\` show it.
    pub sid: String,
    pub address: String,
    /// First group of every process GUID on this machine; Sysmon derives it from the
    /// machine identity, so it is the same for all its events.
    pub guid_prefix: String,
    pub logon_id: String,
    pub logon_guid: String,
    pub sysmon_process_id: u32,
    pub sysmon_thread_ids: [u32; 3],
    pub next_record_id: u64,
    /// The Python install folder, ending with a backslash, and its version string.
    pub python: Option<(String, &'static str)>,
    /// The project folder name the developer works in.
    pub project: &'static str,
}

/// Number of machines of each role. A real fleet is larger; these counts give a
/// realistic spread of host names and users without making every group tiny.
const WORKSTATIONS: usize = 160;
const DEVELOPERS: usize = 36;
const BUILD_AGENTS: usize = 10;
const SERVERS: usize = 18;

const SERVER_NAMES: [&str; 6] = ["APP", "SQL", "FS", "WEB", "PRINT", "MGMT"];

pub fn build_fleet(rng: &mut Rng) -> Vec<Host> {
    let mut hosts = Vec::new();
    for number in 1..=WORKSTATIONS {
        hosts.push(new_host(
            rng,
            format!("WS-{:04}.corp.example", 100 + number * 7),
            Role::Workstation,
        ));
    }
    for number in 1..=DEVELOPERS {
        hosts.push(new_host(
            rng,
            format!("DEV-WS{number:02}.corp.example"),
            Role::Developer,
        ));
    }
    for number in 1..=BUILD_AGENTS {
        hosts.push(new_host(
            rng,
            format!("BUILD-{number:02}.corp.example"),
            Role::BuildAgent,
        ));
    }
    for number in 0..SERVERS {
        let kind = SERVER_NAMES[number % SERVER_NAMES.len()];
        let name = format!(
            "SRV-{kind}-{:02}.corp.example",
            number / SERVER_NAMES.len() + 1
        );
        hosts.push(new_host(rng, name, Role::Server));
    }
    hosts
}

fn new_host(rng: &mut Rng, name: String, role: Role) -> Host {
    let (user, profile) = match role {
        Role::BuildAgent => (r"CORP\svc.build".to_string(), "svc.build".to_string()),
        Role::Server => (r"CORP\svc.ops".to_string(), "svc.ops".to_string()),
        Role::Workstation | Role::Developer => {
            let profile = format!("{}.{}", rng.pick(&FIRST_NAMES), rng.pick(&LAST_NAMES));
            (format!(r"CORP\{profile}"), profile)
        }
    };

    let python = match role {
        Role::Developer => {
            let (folder, version) = *rng.pick(&PYTHON_INSTALLS);
            Some((folder.replace("{profile}", &profile), version))
        }
        Role::BuildAgent => Some((BUILD_AGENT_PYTHON.0.to_string(), BUILD_AGENT_PYTHON.1)),
        Role::Workstation | Role::Server => None,
    };

    let subnet = match role {
        Role::Workstation => 20 + rng.below(8),
        Role::Developer => 10,
        Role::BuildAgent => 12,
        Role::Server => 1,
    };
    let address = format!("10.10.{subnet}.{}", rng.between(10, 250));
    let sid = format!(
        "S-1-5-21-1004336348-1177238915-682003330-{}",
        rng.between(1100, 9999)
    );
    let guid_prefix = rng.hex_lower(8);
    let logon_id = format!("0x{:X}", rng.between(0x20000, 0xFFFFFF));
    let project = *rng.pick(&PROJECTS);
    let logon_guid = format!(
        "{{{guid_prefix}-{}-{}-0000-0020{}}}",
        rng.hex_lower(4),
        rng.hex_lower(4),
        rng.hex_lower(8)
    );

    Host {
        name,
        role,
        user,
        profile,
        sid,
        address,
        guid_prefix,
        logon_id,
        logon_guid,
        // Windows process and thread ids are multiples of 4.
        sysmon_process_id: 4 * rng.between(500, 2000) as u32,
        sysmon_thread_ids: [
            4 * rng.between(500, 4000) as u32,
            4 * rng.between(500, 4000) as u32,
            4 * rng.between(500, 4000) as u32,
        ],
        next_record_id: rng.between(10_000, 5_000_000),
        python,
        project,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_has_every_role() {
        let hosts = build_fleet(&mut Rng::new(1));
        for role in [
            Role::Workstation,
            Role::Developer,
            Role::BuildAgent,
            Role::Server,
        ] {
            assert!(
                hosts.iter().any(|host| host.role == role),
                "no host of role {role:?}"
            );
        }
    }

    #[test]
    fn package_manager_hosts_have_python() {
        let hosts = build_fleet(&mut Rng::new(2));
        for host in hosts.iter().filter(|host| host.role.has_package_managers()) {
            let (folder, _) = host
                .python
                .as_ref()
                .expect("developer and build hosts have Python");
            assert!(folder.ends_with('\\'), "{folder}");
            assert!(!folder.contains('{'), "{folder}");
        }
    }
}
