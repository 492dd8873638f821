//! Helpers shared by the end-to-end tests, which run the real `sumoql` binary.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The shipped detection, relative to the repository root where tests run.
pub const SHIPPED_QUERY: &str = "queries/t1204_005_malicious_library.sumo";

/// The bundled sample log.
pub const SAMPLE_LOG: &str = "samples/sysmon_sample.xml";

pub struct Output {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .expect("sumoql was not killed by a signal")
    }
}

/// Runs `sumoql` with `arguments` from the repository root, with colour off.
pub fn run_sumoql(arguments: &[&str]) -> Output {
    run_sumoql_with_stdin(arguments, None)
}

pub fn run_sumoql_with_stdin(arguments: &[&str], stdin: Option<&[u8]>) -> Output {
    run_sumoql_full(arguments, stdin, &[])
}

/// Runs `sumoql` with extra environment variables.
pub fn run_sumoql_with_env(arguments: &[&str], environment: &[(&str, &str)]) -> Output {
    run_sumoql_full(arguments, None, environment)
}

fn run_sumoql_full(
    arguments: &[&str],
    stdin: Option<&[u8]>,
    environment: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sumoql"));
    command.envs(environment.iter().copied());
    command
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("sumoql binary starts");
    if let Some(bytes) = stdin {
        // sumoql may exit before reading its input (a usage error, say), which
        // closes the pipe; the test then checks the exit status, not the write.
        let _ = child.stdin.take().unwrap().write_all(bytes);
    }
    let output = child.wait_with_output().unwrap();
    Output {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Locates the shared sample data: `SUMOQL_SHARED`, or `../shared` beside
/// the repository. Prints why and returns `None` when it is absent, so the
/// calling test can skip.
pub fn shared_folder() -> Option<PathBuf> {
    let folder = match std::env::var_os("SUMOQL_SHARED") {
        Some(folder) => PathBuf::from(folder),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    if folder.is_dir() {
        Some(folder)
    } else {
        report_skip(&format!(
            "shared sample data not found at {} (set SUMOQL_SHARED to its folder)",
            folder.display()
        ));
        None
    }
}

/// Prints why a test is skipped where `cargo test` shows it even for a
/// passing test: the test harness captures `eprintln!`, but not writes to
/// the stderr handle.
pub fn report_skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipping: {reason}");
}

/// Lists the files directly inside the `converted`, `evtx`, `json` and
/// `linux` folders of the shared Sysmon data, sorted. Prints why and returns
/// `None` when the shared data or those files are absent, so the calling
/// test can skip.
pub fn shared_sysmon_inputs() -> Option<Vec<PathBuf>> {
    let sysmon = shared_folder()?.join("data/sysmon");
    let mut inputs: Vec<PathBuf> = ["converted", "evtx", "json", "linux"]
        .iter()
        .filter_map(|folder| std::fs::read_dir(sysmon.join(folder)).ok())
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    inputs.sort();
    if inputs.is_empty() {
        report_skip(&format!("no Sysmon files under {}", sysmon.display()));
        return None;
    }
    Some(inputs)
}
