//! The `sumoql scheduler` and `sumoql executor` subcommands, which run the
//! processes of an Apache Ballista cluster with sumoql's functions.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use sumoql_ballista::{ClusterError, ExecutorOptions};

use crate::EXIT_QUERY_OR_USAGE;

/// Exit status when a scheduler or executor fails after its options were
/// accepted: it cannot bind, reach the scheduler or keep serving.
const EXIT_SERVICE: u8 = 3;

#[derive(Args)]
pub struct SchedulerArgs {
    /// The IP address and port the scheduler's gRPC service listens on; port 0
    /// picks a free port, which the log names.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:50050")]
    bind: SocketAddr,
}

#[derive(Args)]
pub struct ExecutorArgs {
    /// The scheduler to register with, as HOST:PORT.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
    scheduler: String,

    /// The IP address and port of the executor's Arrow Flight service, which
    /// serves intermediate results to other executors and to clients.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:50051")]
    bind: SocketAddr,

    /// The port of the executor's gRPC service, which receives tasks from the
    /// scheduler, on the IP address of --bind. The default is the --bind port plus one.
    #[arg(long, value_name = "PORT")]
    grpc_port: Option<u16>,

    /// The host name or IP address that the scheduler, other executors and
    /// clients use to reach this executor. The default is the --bind address,
    /// which must then not be 0.0.0.0.
    #[arg(long, value_name = "HOST")]
    external_host: Option<String>,

    /// Tasks this executor runs at the same time. The default is the number of CPUs.
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,

    /// The directory for intermediate (shuffle) files, created if missing. The
    /// default is a temporary directory deleted when the executor stops.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,

    /// Seconds to keep trying to reach the scheduler at startup.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    connect_timeout: u64,
}

pub fn scheduler(arguments: SchedulerArgs) -> u8 {
    sumoql_ballista::init_logging();
    report(sumoql_ballista::block_on(sumoql_ballista::run_scheduler(
        arguments.bind,
    )))
}

pub fn executor(arguments: ExecutorArgs) -> u8 {
    let grpc_port = match arguments.grpc_port {
        Some(port) => port,
        None => match arguments.bind.port().checked_add(1) {
            Some(port) if arguments.bind.port() != 0 => port,
            _ => {
                eprintln!(
                    "sumoql: error: --bind port {} leaves no default gRPC port; set --grpc-port",
                    arguments.bind.port()
                );
                return EXIT_QUERY_OR_USAGE;
            }
        },
    };
    let options = ExecutorOptions {
        scheduler: arguments.scheduler,
        bind: arguments.bind,
        grpc_port,
        external_host: arguments.external_host,
        concurrency: arguments.concurrency.unwrap_or(0),
        work_dir: arguments.work_dir,
        connect_timeout: Duration::from_secs(arguments.connect_timeout),
    };
    sumoql_ballista::init_logging();
    report(sumoql_ballista::block_on(sumoql_ballista::run_executor(
        options,
    )))
}

/// Prints the error of a stopped scheduler or executor and returns its exit status.
fn report(outcome: Result<Result<(), ClusterError>, ClusterError>) -> u8 {
    match outcome.and_then(|served| served) {
        Ok(()) => crate::EXIT_SUCCESS,
        Err(error) => {
            eprintln!("sumoql: error: {error}");
            match error {
                ClusterError::InvalidSchedulerAddress(_) | ClusterError::MissingExternalHost(_) => {
                    EXIT_QUERY_OR_USAGE
                }
                _ => EXIT_SERVICE,
            }
        }
    }
}
