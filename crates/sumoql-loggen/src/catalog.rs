//! Fixed vocabulary of the generated fleet: programs with their version resources,
//! libraries, network services, registry keys and package names.
//!
//! Users, hosts, projects, package names and suspicious destinations are invented, and
//! suspicious addresses come from the documentation ranges of RFC 5737. Program paths and
//! version strings follow real Windows, browser and developer-tool installs. Public
//! service names and addresses are plausible values for well-known services, not copied
//! from real logs.

/// Version resource fields that Sysmon copies into events 1 and 7.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    /// Full path. It may contain `{profile}`, `{pydir}` and the other placeholders that
    /// `Scene::expand` fills in.
    pub path: &'static str,
    pub file_version: &'static str,
    pub description: &'static str,
    pub product: &'static str,
    pub company: &'static str,
    pub original_name: &'static str,
}

const WINDOWS_VERSION: &str = "10.0.22621.2506 (WinBuild.160101.0800)";
const WINDOWS_PRODUCT: &str = "Microsoft® Windows® Operating System";
const MICROSOFT: &str = "Microsoft Corporation";

const fn windows(
    path: &'static str,
    description: &'static str,
    original_name: &'static str,
) -> Program {
    Program {
        path,
        file_version: WINDOWS_VERSION,
        description,
        product: WINDOWS_PRODUCT,
        company: MICROSOFT,
        original_name,
    }
}

/// A program without a version resource, for which Sysmon writes `-` in every field.
const fn unversioned(path: &'static str) -> Program {
    Program {
        path,
        file_version: "-",
        description: "-",
        product: "-",
        company: "-",
        original_name: "-",
    }
}

pub const SERVICES: Program = windows(
    r"C:\Windows\System32\services.exe",
    "Services and Controller app",
    "services.exe",
);
pub const SVCHOST: Program = windows(
    r"C:\Windows\System32\svchost.exe",
    "Host Process for Windows Services",
    "svchost.exe",
);
pub const EXPLORER: Program = windows(
    r"C:\Windows\explorer.exe",
    "Windows Explorer",
    "EXPLORER.EXE",
);
pub const TASKHOSTW: Program = windows(
    r"C:\Windows\System32\taskhostw.exe",
    "Host Process for Windows Tasks",
    "taskhostw.exe",
);
pub const CONHOST: Program = windows(
    r"C:\Windows\System32\conhost.exe",
    "Console Window Host",
    "CONHOST.EXE",
);
pub const WMIPRVSE: Program = windows(
    r"C:\Windows\System32\wbem\WmiPrvSE.exe",
    "WMI Provider Host",
    "Wmiprvse.exe",
);
pub const SEARCH_INDEXER: Program = windows(
    r"C:\Windows\System32\SearchIndexer.exe",
    "Microsoft Windows Search Indexer",
    "SearchIndexer.exe",
);
pub const SEARCH_PROTOCOL_HOST: Program = windows(
    r"C:\Windows\System32\SearchProtocolHost.exe",
    "Microsoft Windows Search Protocol Host",
    "SearchProtocolHost.exe",
);
pub const RUNTIME_BROKER: Program = windows(
    r"C:\Windows\System32\RuntimeBroker.exe",
    "Runtime Broker",
    "RuntimeBroker.exe",
);
pub const LSASS: Program = windows(
    r"C:\Windows\System32\lsass.exe",
    "Local Security Authority Process",
    "lsass.exe",
);
pub const CSRSS: Program = windows(
    r"C:\Windows\System32\csrss.exe",
    "Client Server Runtime Process",
    "CSRSS.Exe",
);
pub const NOTEPAD: Program = windows(r"C:\Windows\System32\notepad.exe", "Notepad", "NOTEPAD.EXE");
pub const TASKMGR: Program = windows(
    r"C:\Windows\System32\Taskmgr.exe",
    "Task Manager",
    "Taskmgr.exe",
);
pub const CMD: Program = windows(
    r"C:\Windows\System32\cmd.exe",
    "Windows Command Processor",
    "Cmd.Exe",
);
pub const POWERSHELL: Program = windows(
    r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
    "Windows PowerShell",
    "PowerShell.EXE",
);
pub const PWSH: Program = Program {
    path: r"C:\Program Files\PowerShell\7\pwsh.exe",
    file_version: "7.4.1.500",
    description: "pwsh",
    product: "PowerShell",
    company: MICROSOFT,
    original_name: "pwsh.dll",
};
pub const MSHTA: Program = windows(
    r"C:\Windows\System32\mshta.exe",
    "Microsoft (R) HTML Application host",
    "MSHTA.EXE",
);
pub const RUNDLL32: Program = windows(
    r"C:\Windows\System32\rundll32.exe",
    "Windows host process (Rundll32)",
    "RUNDLL32.EXE",
);
pub const CERTUTIL: Program = windows(
    r"C:\Windows\System32\certutil.exe",
    "CertUtil.exe",
    "CertUtil.exe",
);
pub const BITSADMIN: Program = windows(
    r"C:\Windows\System32\bitsadmin.exe",
    "BITS administration utility",
    "bitsadmin.exe",
);
pub const WSCRIPT: Program = windows(
    r"C:\Windows\System32\wscript.exe",
    "Microsoft ® Windows Based Script Host",
    "wscript.exe",
);
pub const CSCRIPT: Program = windows(
    r"C:\Windows\System32\cscript.exe",
    "Microsoft ® Console Based Script Host",
    "cscript.exe",
);
pub const REGSVR32: Program = windows(
    r"C:\Windows\System32\regsvr32.exe",
    "Microsoft(C) Register Server",
    "REGSVR32.EXE",
);
pub const MSIEXEC: Program = Program {
    file_version: "5.0.22621.2506 (WinBuild.160101.0800)",
    ..windows(
        r"C:\Windows\System32\msiexec.exe",
        "Windows® installer",
        "msiexec.exe",
    )
};
pub const SCHTASKS: Program = windows(
    r"C:\Windows\System32\schtasks.exe",
    "Task Scheduler Configuration Tool",
    "schtasks.exe",
);
pub const SC: Program = windows(
    r"C:\Windows\System32\sc.exe",
    "Service Control Manager Configuration Tool",
    "sc.exe",
);
pub const REG: Program = windows(
    r"C:\Windows\System32\reg.exe",
    "Registry Console Tool",
    "reg.exe",
);
/// `cmd.exe` started through an upper-case path. Sysmon keeps the case it was given, so
/// the detection's case-sensitive `matches` misses it.
pub const CMD_UPPER_CASE: Program = windows(
    r"C:\WINDOWS\system32\CMD.EXE",
    "Windows Command Processor",
    "Cmd.Exe",
);

pub const DEFENDER: Program = Program {
    path: r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MsMpEng.exe",
    file_version: "4.18.24020.7 (WinBuild.160101.0800)",
    description: "Antimalware Service Executable",
    product: WINDOWS_PRODUCT,
    company: MICROSOFT,
    original_name: "MsMpEng.exe",
};
pub const DEFENDER_COMMAND: Program = Program {
    path: r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MpCmdRun.exe",
    description: "Microsoft Malware Protection Command Line Utility",
    original_name: "MpCmdRun.exe",
    ..DEFENDER
};
pub const CHROME: Program = Program {
    path: r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    file_version: "122.0.6261.112",
    description: "Google Chrome",
    product: "Google Chrome",
    company: "Google LLC",
    original_name: "chrome.exe",
};
pub const EDGE: Program = Program {
    path: r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    file_version: "122.0.2365.80",
    description: "Microsoft Edge",
    product: "Microsoft Edge",
    company: MICROSOFT,
    original_name: "msedge.exe",
};
pub const OUTLOOK: Program = Program {
    path: r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
    file_version: "16.0.17328.20162",
    description: "Microsoft Outlook",
    product: "Microsoft Outlook",
    company: MICROSOFT,
    original_name: "Outlook.exe",
};
pub const TEAMS: Program = Program {
    path: r"C:\Program Files\WindowsApps\MSTeams_24033.811.2738.2546_x64__8wekyb3d8bbwe\ms-teams.exe",
    file_version: "24033.811.2738.2546",
    description: "Microsoft Teams",
    product: "Microsoft Teams",
    company: MICROSOFT,
    original_name: "ms-teams.exe",
};
pub const ONEDRIVE: Program = Program {
    path: r"C:\Users\{profile}\AppData\Local\Microsoft\OneDrive\OneDrive.exe",
    file_version: "24.020.0128.0003",
    description: "Microsoft OneDrive",
    product: "Microsoft OneDrive",
    company: MICROSOFT,
    original_name: "OneDrive.exe",
};
pub const VS_CODE: Program = Program {
    path: r"C:\Users\{profile}\AppData\Local\Programs\Microsoft VS Code\Code.exe",
    file_version: "1.87.1",
    description: "Visual Studio Code",
    product: "Visual Studio Code",
    company: MICROSOFT,
    original_name: "electron.exe",
};
pub const GIT: Program = Program {
    path: r"C:\Program Files\Git\cmd\git.exe",
    file_version: "2.44.0.1",
    description: "Git for Windows",
    product: "Git",
    company: "The Git Development Community",
    original_name: "git.exe",
};
pub const CL: Program = Program {
    path: r"C:\Program Files\Microsoft Visual Studio\2022\BuildTools\VC\Tools\MSVC\14.38.33130\bin\HostX64\x64\cl.exe",
    file_version: "14.38.33135.0",
    description: "Microsoft (R) C/C++ Optimizing Compiler",
    product: "Microsoft® Visual Studio®",
    company: MICROSOFT,
    original_name: "cl.exe",
};
pub const MSBUILD: Program = Program {
    path: r"C:\Program Files\Microsoft Visual Studio\2022\BuildTools\MSBuild\Current\Bin\amd64\MSBuild.exe",
    file_version: "17.9.5.7608",
    description: "MSBuild.exe",
    product: "Microsoft® Build Tools®",
    company: MICROSOFT,
    original_name: "MSBuild.exe",
};
pub const BUILD_AGENT: Program = Program {
    path: r"C:\agent\bin\Agent.Worker.exe",
    file_version: "3.236.1.0",
    description: "Agent.Worker",
    product: "Agent.Worker",
    company: MICROSOFT,
    original_name: "Agent.Worker.dll",
};
pub const SQL_SERVER: Program = Program {
    path: r"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe",
    file_version: "2022.0160.4105.02 ((SQL22_RTM_QFE-CU).240117-2111)",
    description: "SQL Server Windows NT - 64 Bit",
    product: "Microsoft SQL Server",
    company: MICROSOFT,
    original_name: "sqlservr.exe",
};
pub const NODE: Program = Program {
    path: r"C:\Program Files\nodejs\node.exe",
    file_version: "20.11.1",
    description: "Node.js JavaScript Runtime",
    product: "Node.js",
    company: "Node.js",
    original_name: "node.exe",
};
pub const PYTHON: Program = Program {
    path: "{pydir}python.exe",
    file_version: "{pyversion}",
    description: "Python",
    product: "Python",
    company: "Python Software Foundation",
    original_name: "python.exe",
};
pub const PYTHONW: Program = Program {
    path: "{pydir}pythonw.exe",
    original_name: "pythonw.exe",
    ..PYTHON
};
/// MSYS2's Python, the usual place a `python3.exe` image comes from on Windows.
pub const MSYS_PYTHON3: Program = unversioned(r"C:\msys64\mingw64\bin\python3.exe");
/// pip's launcher is a distlib stub without a version resource.
pub const PIP: Program = unversioned(r"{pydir}Scripts\pip.exe");
pub const PIP3: Program = unversioned(r"{pydir}Scripts\pip3.exe");
pub const PIPENV: Program = unversioned(r"{pydir}Scripts\pipenv.exe");

/// Python install folders of developer machines, each with the version string of its
/// executable. Paths end with a backslash.
pub const PYTHON_INSTALLS: [(&str, &str); 5] = [
    (r"C:\Python312\", "3.12.2"),
    (
        r"C:\Users\{profile}\AppData\Local\Programs\Python\Python311\",
        "3.11.8",
    ),
    (
        r"C:\Users\{profile}\AppData\Local\Programs\Python\Python312\",
        "3.12.2",
    ),
    (r"C:\Program Files\Python310\", "3.10.11"),
    (
        r"C:\Users\{profile}\AppData\Local\Programs\Python\Python310\",
        "3.10.11",
    ),
];

/// The Python install of build agents, in the hosted tool cache layout.
pub const BUILD_AGENT_PYTHON: (&str, &str) =
    (r"C:\hostedtoolcache\windows\Python\3.11.8\x64\", "3.11.8");

pub const FIRST_NAMES: [&str; 32] = [
    "alice", "bob", "carmen", "dmitri", "elena", "farid", "grace", "hiro", "ines", "jonas",
    "kavya", "liam", "mei", "nadia", "oscar", "priya", "quentin", "rosa", "samir", "tessa", "umar",
    "vera", "wen", "ximena", "yusuf", "zoe", "anders", "bianca", "chidi", "dana", "emeka", "freya",
];
pub const LAST_NAMES: [&str; 32] = [
    "nguyen",
    "okafor",
    "schmidt",
    "garcia",
    "kowalski",
    "haddad",
    "tanaka",
    "ferreira",
    "larsen",
    "moreau",
    "iyer",
    "obrien",
    "chen",
    "petrov",
    "rossi",
    "adeyemi",
    "dubois",
    "silva",
    "novak",
    "kim",
    "ibrahim",
    "jensen",
    "santos",
    "ali",
    "lindqvist",
    "mensah",
    "costa",
    "weber",
    "patel",
    "horvat",
    "yamamoto",
    "reyes",
];

pub const PROJECTS: [&str; 10] = [
    "report-tool",
    "billing-api",
    "data-pipeline",
    "web-portal",
    "infra-scripts",
    "ml-experiments",
    "customer-sync",
    "etl-jobs",
    "design-system",
    "mobile-backend",
];

/// Ordinary packages developers install, with pinned versions.
pub const PYTHON_PACKAGES: [&str; 12] = [
    "requests==2.31.0",
    "numpy==1.26.4",
    "pandas==2.2.1",
    "boto3==1.34.54",
    "django==5.0.3",
    "pytest==8.0.2",
    "black==24.2.0",
    "cryptography==42.0.5",
    "fastapi==0.110.0",
    "sqlalchemy==2.0.28",
    "pyyaml==6.0.1",
    "-r requirements.txt",
];
pub const NPM_PACKAGES: [&str; 10] = [
    "express@4.18.3",
    "react@18.2.0",
    "typescript@5.3.3",
    "lodash@4.17.21",
    "webpack@5.90.3",
    "eslint@8.57.0",
    "axios@1.6.7",
    "jest@29.7.0",
    "vite@5.1.5",
    "--save-dev prettier@3.2.5",
];

/// Invented look-alike package names of the kind a malicious-library attack uses.
pub const MALICIOUS_PYTHON_PACKAGES: [&str; 8] = [
    "colourama==0.4.7",
    "reqeusts==2.31.1",
    "python3-dateutil==2.9.1",
    "djangoo==5.0.2",
    "cryptograpy==42.0.1",
    "pandas-helper-utils==0.2.3",
    "boto3-extensions==1.0.4",
    "py-sqlite-tools==0.9.0",
];
pub const MALICIOUS_NPM_PACKAGES: [&str; 7] = [
    "event-streamz@3.3.6",
    "loadsh@4.17.22",
    "electorn@28.2.1",
    "crossenv@7.0.4",
    "discord-token-utils@1.2.0",
    "react-dom-helpers@18.3.0",
    "axios-retry-plus@3.9.2",
];

/// Suspicious destinations: addresses of the RFC 5737 documentation ranges, and host
/// names under the reserved `.example` domain, or `-` when Sysmon resolved no name.
pub const C2_ADDRESSES: [&str; 8] = [
    "198.51.100.23",
    "198.51.100.140",
    "203.0.113.77",
    "203.0.113.5",
    "192.0.2.91",
    "192.0.2.214",
    "203.0.113.181",
    "198.51.100.66",
];
pub const C2_HOST_NAMES: [&str; 6] = [
    "-",
    "-",
    "metrics.streamz-cdn.example",
    "telemetry.pkg-mirror.example",
    "api.colourama-stats.example",
    "update.npm-cache.example",
];
pub const C2_PORTS: [u16; 8] = [4444, 8888, 1337, 5000, 9001, 6667, 2222, 8000];

/// Public services that ordinary software talks to: host name as Sysmon's reverse
/// lookup shows it, address, and port.
pub const PUBLIC_SERVICES: [(&str, &str, u16); 14] = [
    ("lhr48s27-in-f4.1e100.net", "142.250.180.4", 443),
    ("lhr25s34-in-f14.1e100.net", "142.250.200.14", 443),
    ("-", "13.107.42.14", 443),
    ("-", "52.113.194.132", 443),
    (
        "a23-52-166-19.deploy.static.akamaitechnologies.com",
        "23.52.166.19",
        443,
    ),
    (
        "a104-86-110-202.deploy.static.akamaitechnologies.com",
        "104.86.110.202",
        80,
    ),
    (
        "server-18-66-102-12.fra56.r.cloudfront.net",
        "18.66.102.12",
        443,
    ),
    ("-", "20.190.160.14", 443),
    ("-", "40.126.32.76", 443),
    ("-", "52.96.165.18", 443),
    (
        "ec2-54-171-42-11.eu-west-1.compute.amazonaws.com",
        "54.171.42.11",
        443,
    ),
    ("-", "104.18.32.68", 443),
    ("-", "151.101.1.140", 443),
    ("-", "13.89.179.8", 443),
];
/// Package registries and code hosts that the detection allow-lists by host name.
pub const REGISTRY_SERVICES: [(&str, &str); 8] = [
    ("pypi.org", "151.101.0.223"),
    ("files.pythonhosted.org", "151.101.64.223"),
    ("upload.pypi.org", "151.101.128.223"),
    ("registry.npmjs.org", "104.16.27.35"),
    ("github.com", "140.82.121.4"),
    ("objects.githubusercontent.com", "185.199.108.133"),
    ("repo.anaconda.com", "104.16.131.3"),
    ("registry.yarnpkg.com", "104.16.25.35"),
];
pub const DOMAIN_CONTROLLERS: [(&str, &str); 2] = [
    ("DC01.corp.example", "10.0.0.10"),
    ("DC02.corp.example", "10.0.0.11"),
];
/// Ports a workstation uses to reach a domain controller: Kerberos, LDAP, SMB, RPC.
pub const DOMAIN_PORTS: [(u16, &str); 5] = [
    (88, "kerberos"),
    (389, "ldap"),
    (445, "microsoft-ds"),
    (135, "epmap"),
    (636, "ldaps"),
];

/// DNS names ordinary software resolves, with the `QueryResults` text Sysmon records.
pub const DNS_ANSWERS: [(&str, &str); 10] = [
    ("www.google.com", "::ffff:142.250.180.4;"),
    ("clients2.google.com", "type:  5 clients.l.google.com;::ffff:142.250.200.14;"),
    ("login.microsoftonline.com", "type:  5 login.mso.msidentity.com;type:  5 ak.privatelink.msidentity.com;type:  5 www.tm.ak.prd.aadg.trafficmanager.net;::ffff:20.190.160.14;::ffff:40.126.32.76;"),
    ("outlook.office365.com", "type:  5 outlook.ha.office365.com;type:  5 outlook.ms-acdc.office.com;::ffff:52.96.165.18;"),
    ("teams.microsoft.com", "type:  5 teams.office.com;type:  5 tmc-g2.tm-4.office.com;::ffff:52.113.194.132;"),
    ("settings-win.data.microsoft.com", "type:  5 atm-settingsfe-prod-geo2.trafficmanager.net;::ffff:13.89.179.8;"),
    ("oneclient.sfx.ms", "type:  5 oneclient.sfx.ms.edgekey.net;type:  5 e7396.dscb.akamaiedge.net;::ffff:23.52.166.19;"),
    ("github.com", "::ffff:140.82.121.4;"),
    ("pypi.org", "::ffff:151.101.0.223;::ffff:151.101.64.223;::ffff:151.101.128.223;::ffff:151.101.192.223;"),
    ("registry.npmjs.org", "::ffff:104.16.27.35;::ffff:104.16.26.35;::ffff:104.16.25.35;"),
];

/// Libraries that processes load, as event 7 reports them.
pub const LIBRARIES: [Program; 12] = [
    windows(
        r"C:\Windows\System32\twinapi.appcore.dll",
        "twinapi.appcore",
        "twinapi.appcore.dll",
    ),
    windows(
        r"C:\Windows\System32\winhttp.dll",
        "Windows HTTP Services",
        "winhttp.dll",
    ),
    windows(
        r"C:\Windows\System32\dbghelp.dll",
        "Windows Image Helper",
        "DBGHELP.DLL",
    ),
    windows(
        r"C:\Windows\System32\amsi.dll",
        "Anti-Malware Scan Interface",
        "amsi.dll",
    ),
    windows(
        r"C:\Windows\System32\wbem\wbemcomn.dll",
        "WMI",
        "wbemcomn.dll",
    ),
    windows(
        r"C:\Windows\System32\vaultcli.dll",
        "Credential Vault Client Library",
        "vaultcli.dll",
    ),
    windows(
        r"C:\Windows\System32\samlib.dll",
        "SAM Library DLL",
        "SAMLib.DLL",
    ),
    windows(
        r"C:\Windows\System32\urlmon.dll",
        "OLE32 Extensions for Win32",
        "UrlMon.dll",
    ),
    windows(
        r"C:\Windows\System32\taskschd.dll",
        "Task Scheduler COM API",
        "taskschd.dll",
    ),
    windows(
        r"C:\Windows\System32\dnsapi.dll",
        "DNS Client API DLL",
        "dnsapi",
    ),
    windows(
        r"C:\Windows\System32\crypt32.dll",
        "Crypto API32",
        "CRYPT32.DLL",
    ),
    Program {
        path: r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll",
        file_version: "4.8.9181.0 built by: NET481REL1LAST_C",
        description: "Microsoft .NET Runtime Common Language Runtime - WorkStation",
        product: "Microsoft® .NET Framework",
        company: MICROSOFT,
        original_name: "clr.dll",
    },
];

/// Registry values that event 13 reports, with the `Details` text.
pub const REGISTRY_WRITES: [(&str, &str); 8] = [
    (
        r"HKU\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.txt\MRUListEx",
        "Binary Data",
    ),
    (
        r"HKLM\System\CurrentControlSet\Services\bam\State\UserSettings\{sid}\\Device\HarddiskVolume3\Windows\System32\notepad.exe",
        "Binary Data",
    ),
    (
        r"HKLM\SOFTWARE\Microsoft\Windows Defender\Signature Updates\SignaturesLastUpdated",
        "Binary Data",
    ),
    (
        r"HKU\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\UserAssist\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\Count\HRZR_PGYFRFFVBA",
        "Binary Data",
    ),
    (
        r"HKLM\System\CurrentControlSet\Services\W32Time\Config\LastKnownGoodTime",
        "QWORD (0x01da6c5e-0x4f6a2b80)",
    ),
    (
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WINEVT\Publishers\{5770385f-c22a-43e0-bf4c-06f5698ffbd9}\ChannelReferences\0\Flags",
        "DWORD (0x00000000)",
    ),
    (
        r"HKU\{sid}\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\0a0d020000000000c000000000000046\01020fff",
        "Binary Data",
    ),
    (
        r"HKLM\System\CurrentControlSet\Services\DoSvc\Start",
        "DWORD (0x00000003)",
    ),
];

/// Services that `svchost.exe -k … -s NAME` hosts.
pub const SERVICE_NAMES: [&str; 10] = [
    "Schedule",
    "BITS",
    "wuauserv",
    "Appinfo",
    "gpsvc",
    "ProfSvc",
    "Winmgmt",
    "LanmanServer",
    "CryptSvc",
    "DoSvc",
];
