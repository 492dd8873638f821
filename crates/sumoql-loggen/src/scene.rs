//! Field values shared by every event type: placeholders in templates, process ids and
//! GUIDs, accounts, hashes and times.

use crate::catalog::{
    Program, C2_ADDRESSES, C2_PORTS, MALICIOUS_NPM_PACKAGES, MALICIOUS_PYTHON_PACKAGES,
    NPM_PACKAGES, PYTHON_PACKAGES, SERVICE_NAMES,
};
use crate::event::{format_utc_time, TICKS_PER_SECOND};
use crate::fleet::{Host, Role};
use crate::random::{fingerprint, Rng};

/// The account a process runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// The host's interactive or service user.
    User,
    System,
    NetworkService,
    LocalService,
}

/// Everything one event is built from: the random source, the machine and the time.
pub struct Scene<'a> {
    pub rng: &'a mut Rng,
    pub host: &'a Host,
    /// `TimeCreated` of the event, in 100 ns ticks since the Unix epoch.
    pub time: i64,
}

impl Scene<'_> {
    /// Replaces each `{name}` placeholder of `template` with a value for this host. Text
    /// in braces that is no placeholder, such as a literal GUID, is kept.
    ///
    /// Placeholders: `profile`, `user`, `sid`, `project`, `pydir`, `pyversion`,
    /// `package`, `npm_package`, `bad_package`, `bad_npm_package`, `c2`, `c2_port`,
    /// `service`, `guid` (lower case, in braces), `GUID` (upper case, no braces),
    /// `hexN`/`HEXN` and `alnumN` (N random characters), `nN` (N random digits),
    /// `base64` (an encoded PowerShell command).
    pub fn expand(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            match self.placeholder(name) {
                Some(value) => out.push_str(&value),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn placeholder(&mut self, name: &str) -> Option<String> {
        let host = self.host;
        let value = match name {
            "profile" => host.profile.clone(),
            "user" => host.user.clone(),
            "sid" => host.sid.clone(),
            "project" => host.project.to_string(),
            "pydir" => host
                .python
                .as_ref()
                .map_or(r"C:\Python312\", |(folder, _)| folder.as_str())
                .to_string(),
            "pyversion" => host
                .python
                .as_ref()
                .map_or("3.12.2", |(_, version)| version)
                .to_string(),
            "package" => self.rng.pick(&PYTHON_PACKAGES).to_string(),
            "npm_package" => self.rng.pick(&NPM_PACKAGES).to_string(),
            "bad_package" => self.rng.pick(&MALICIOUS_PYTHON_PACKAGES).to_string(),
            "bad_npm_package" => self.rng.pick(&MALICIOUS_NPM_PACKAGES).to_string(),
            "c2" => self.rng.pick(&C2_ADDRESSES).to_string(),
            "c2_port" => self.rng.pick(&C2_PORTS).to_string(),
            "service" => self.rng.pick(&SERVICE_NAMES).to_string(),
            "guid" => self.random_guid(),
            "GUID" => {
                let guid = self.random_guid().to_ascii_uppercase();
                guid[1..guid.len() - 1].to_string()
            }
            "base64" => self.encoded_command(),
            _ => return self.sized_placeholder(name),
        };
        Some(value)
    }

    /// Fills `hexN`, `HEXN`, `alnumN` and `nN`.
    fn sized_placeholder(&mut self, name: &str) -> Option<String> {
        let digits_start = name.find(|character: char| character.is_ascii_digit())?;
        let length: usize = name[digits_start..].parse().ok()?;
        let value = match &name[..digits_start] {
            "hex" => self.rng.hex_lower(length),
            "HEX" => self.rng.hex_upper(length),
            "alnum" => self.rng.alphanumeric(length),
            "n" => {
                let first = char::from(b'1' + self.rng.below(9) as u8);
                let others: String = (1..length)
                    .map(|_| char::from(b'0' + self.rng.below(10) as u8))
                    .collect();
                format!("{first}{others}")
            }
            _ => return None,
        };
        Some(value)
    }

    fn random_guid(&mut self) -> String {
        format!(
            "{{{}-{}-{}-{}-{}}}",
            self.rng.hex_lower(8),
            self.rng.hex_lower(4),
            self.rng.hex_lower(4),
            self.rng.hex_lower(4),
            self.rng.hex_lower(12)
        )
    }

    /// Returns Base64 text of the length an `-EncodedCommand` argument of a small
    /// downloader has; the content is random, because only its shape matters here.
    fn encoded_command(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let length = 4 * self.rng.between(60, 180) as usize;
        let mut text: String = (0..length)
            .map(|_| char::from(ALPHABET[self.rng.below(64) as usize]))
            .collect();
        text.replace_range(length - 2.., "==");
        text
    }

    /// Returns a process GUID in Sysmon's layout: the machine's prefix, then groups that
    /// Sysmon takes from the process start time and a sequence number.
    pub fn process_guid(&mut self) -> String {
        format!(
            "{{{}-{}-{}-{}-0000000{}}}",
            self.host.guid_prefix,
            self.rng.hex_lower(4),
            self.rng.hex_lower(4),
            self.rng.hex_lower(4),
            self.rng.hex_lower(5)
        )
    }

    /// Returns a Windows process id: a multiple of 4.
    pub fn process_id(&mut self) -> String {
        (4 * self.rng.between(100, 9000)).to_string()
    }

    /// Returns `UtcTime`: when the activity happened, up to 50 ms before Sysmon logged it.
    pub fn utc_time(&mut self) -> String {
        let lag = self.rng.below(50 * TICKS_PER_SECOND as u64 / 1000) as i64;
        format_utc_time(self.time - lag)
    }

    /// Returns `RuleName`: `-`, as Sysmon writes it when the configuration names no rule.
    pub fn rule_name(&self) -> String {
        "-".to_string()
    }

    pub fn account_name(&self, account: Account) -> String {
        match account {
            Account::User => self.host.user.clone(),
            Account::System => r"NT AUTHORITY\SYSTEM".to_string(),
            Account::NetworkService => r"NT AUTHORITY\NETWORK SERVICE".to_string(),
            Account::LocalService => r"NT AUTHORITY\LOCAL SERVICE".to_string(),
        }
    }

    /// Returns `LogonGuid`, `LogonId` and `TerminalSessionId` for an account. Windows
    /// gives its service logons fixed ids: 0x3E7 SYSTEM, 0x3E4 NETWORK SERVICE and 0x3E5
    /// LOCAL SERVICE. Those logons, and the service accounts of build agents and servers,
    /// run in session 0.
    pub fn logon(&self, account: Account) -> (String, String, &'static str) {
        let prefix = &self.host.guid_prefix;
        let service_logon = |low_byte: &str| {
            let guid = format!(
                "{{{prefix}-0000-0000-0000-0020{}030000}}",
                low_byte.to_ascii_lowercase()
            );
            (guid, format!("0x3{low_byte}"), "0")
        };
        match account {
            Account::System => service_logon("E7"),
            Account::NetworkService => service_logon("E4"),
            Account::LocalService => service_logon("E5"),
            Account::User => {
                let session = match self.host.role {
                    Role::Workstation | Role::Developer => "1",
                    Role::BuildAgent | Role::Server => "0",
                };
                (
                    self.host.logon_guid.clone(),
                    self.host.logon_id.clone(),
                    session,
                )
            }
        }
    }

    /// Returns the program's path with placeholders filled in.
    pub fn path(&mut self, program: &Program) -> String {
        self.expand(program.path)
    }
}

/// Returns the `Hashes` value for an executable path, in the `MD5=…,SHA256=…,IMPHASH=…`
/// layout of a Sysmon configuration with those three algorithms. The values are derived
/// from the path, so one binary always shows the same hashes.
pub fn hashes_for(path: &str) -> String {
    let mut rng = Rng::new(fingerprint(path));
    format!(
        "MD5={},SHA256={},IMPHASH={}",
        rng.hex_upper(32),
        rng.hex_upper(64),
        rng.hex_upper(32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::build_fleet;

    #[test]
    fn expand_fills_placeholders_and_keeps_guids() {
        let mut rng = Rng::new(5);
        let hosts = build_fleet(&mut rng);
        let host = hosts.iter().find(|host| host.python.is_some()).unwrap();
        let mut scene = Scene {
            rng: &mut rng,
            host,
            time: 0,
        };

        let text = scene.expand(r"C:\Users\{profile}\x-{hex6}-{n4}\{CEBFF5CD-ACE2}\{unclosed");
        assert!(
            text.starts_with(&format!(r"C:\Users\{}\x-", host.profile)),
            "{text}"
        );
        assert!(text.contains(r"\{CEBFF5CD-ACE2}\"), "{text}");
        assert!(text.ends_with(r"\{unclosed"), "{text}");
        assert!(!text.contains("{hex6}"), "{text}");
        assert!(!text.contains("{n4}"), "{text}");
    }

    #[test]
    fn hashes_are_stable_per_path() {
        assert_eq!(hashes_for(r"C:\a.exe"), hashes_for(r"C:\a.exe"));
        assert_ne!(hashes_for(r"C:\a.exe"), hashes_for(r"C:\b.exe"));
        assert_eq!(
            hashes_for(r"C:\a.exe").len(),
            "MD5=,SHA256=,IMPHASH=".len() + 32 + 64 + 32
        );
    }
}
