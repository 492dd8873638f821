use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use log::{info, warn};
use tokio::net::TcpStream;

use crate::ClusterError;

/// The settings of an executor: its addresses, its scheduler and its resources.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's gRPC address, `HOST:PORT`.
    pub scheduler: String,
    /// The address of the executor's Arrow Flight service, which serves the
    /// intermediate results of its tasks to other executors and to clients.
    pub bind: SocketAddr,
    /// The port of the executor's gRPC service, on the IP address of `bind`,
    /// which the scheduler sends tasks to.
    pub grpc_port: u16,
    /// The host name or IP address the scheduler, other executors and clients
    /// use to reach this executor. `None` uses the IP address of `bind`.
    pub external_host: Option<String>,
    /// The number of tasks run at the same time, or 0 for the number of CPUs.
    pub concurrency: usize,
    /// The directory for intermediate (shuffle) files. `None` uses a
    /// temporary directory that is deleted when the executor stops.
    pub work_dir: Option<PathBuf>,
    /// The time to keep trying to reach the scheduler at startup.
    pub connect_timeout: Duration,
}

/// Runs a Ballista executor that registers with the scheduler and runs tasks
/// until the process receives Ctrl-C or SIGTERM, then notifies the scheduler
/// that it stopped.
///
/// The executor registers sumoql's scalar and aggregate functions, so it can decode the stages of
/// translated plans. It reads Parquet files at the paths the client gave, so
/// every executor needs the data at the same path.
pub async fn run_executor(options: ExecutorOptions) -> Result<(), ClusterError> {
    let (scheduler_host, scheduler_port) = split_host_port(&options.scheduler)?;
    let external_host = match &options.external_host {
        Some(host) => host.clone(),
        None if options.bind.ip().is_unspecified() => {
            return Err(ClusterError::MissingExternalHost(options.bind))
        }
        None => options.bind.ip().to_string(),
    };

    // Ballista 55 deletes the temporary directory it makes when no work
    // directory is given before it writes there, so the executor keeps its own.
    let temporary;
    let work_dir = match &options.work_dir {
        Some(directory) => {
            std::fs::create_dir_all(directory).map_err(ClusterError::WorkDirectory)?;
            directory.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("sumoql-executor-")
                .tempdir()
                .map_err(ClusterError::WorkDirectory)?;
            temporary.path().to_path_buf()
        }
    };

    wait_for_scheduler(&options.scheduler, options.connect_timeout).await?;

    let mut registry = BallistaFunctionRegistry::default();
    for function in sumoql_engine::datafusion::scalar_functions() {
        registry
            .scalar_functions
            .insert(function.name().to_string(), function);
    }
    for function in sumoql_engine::datafusion::aggregate_functions() {
        registry
            .aggregate_functions
            .insert(function.name().to_string(), function);
    }
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        port: options.bind.port(),
        grpc_port: options.grpc_port,
        external_host: Some(external_host.clone()),
        scheduler_host,
        scheduler_port,
        vcores: options.concurrency,
        work_dir: Some(work_dir.display().to_string()),
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    info!(
        "executor {} starting: Flight service on {}, gRPC service on {}:{}, advertised as {}, \
         scheduler {}, concurrency {}, work directory {}",
        config.executor_id,
        options.bind,
        options.bind.ip(),
        options.grpc_port,
        external_host,
        options.scheduler,
        if options.concurrency == 0 {
            "one task per CPU".to_string()
        } else {
            options.concurrency.to_string()
        },
        work_dir.display()
    );
    let executor_id = config.executor_id.clone();
    start_executor_process(Arc::new(config)).await?;
    info!("executor {executor_id} stopped");
    Ok(())
}

/// Splits `HOST:PORT`. The host may be a name, an IPv4 address or an IPv6
/// address in brackets, which keeps its brackets for use in URLs.
fn split_host_port(address: &str) -> Result<(String, u16), ClusterError> {
    let invalid = || ClusterError::InvalidSchedulerAddress(address.to_string());
    let (host, port) = address.rsplit_once(':').ok_or_else(invalid)?;
    let port = port.parse::<u16>().map_err(|_| invalid())?;
    if host.is_empty() || port == 0 {
        return Err(invalid());
    }
    Ok((host.to_string(), port))
}

/// Opens TCP connections to the scheduler every half second until one
/// succeeds or `timeout` passes, so executors can start before the scheduler.
async fn wait_for_scheduler(address: &str, timeout: Duration) -> Result<(), ClusterError> {
    let start = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let attempt =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(address)).await;
        let error = match attempt {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(error)) => error,
            Err(_) => std::io::Error::new(std::io::ErrorKind::TimedOut, "connection timed out"),
        };
        if start.elapsed() >= timeout {
            return Err(ClusterError::SchedulerUnreachable {
                address: address.to_string(),
                timeout,
                source: error,
            });
        }
        // The first failure and then every 20th (10 seconds apart) are logged.
        if attempts % 20 == 1 {
            warn!("scheduler at {address} not reachable yet ({error}); retrying every 0.5s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn scheduler_address_forms() {
        assert_eq!(
            split_host_port("10.0.0.5:50050").unwrap(),
            ("10.0.0.5".to_string(), 50050)
        );
        assert_eq!(
            split_host_port("scheduler.internal:7000").unwrap(),
            ("scheduler.internal".to_string(), 7000)
        );
        assert_eq!(
            split_host_port("[::1]:50050").unwrap(),
            ("[::1]".to_string(), 50050)
        );
        assert!(split_host_port("10.0.0.5").is_err());
        assert!(split_host_port(":50050").is_err());
        assert!(split_host_port("host:0").is_err());
        assert!(split_host_port("host:port").is_err());
    }
}
