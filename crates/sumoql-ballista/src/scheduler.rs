use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::utils::default_session_builder;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::execution::SessionState;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use log::{info, warn};
use tokio::net::TcpListener;

use crate::{register_sumoql_functions, ClusterError};

/// Runs a Ballista scheduler on `bind` until the process receives Ctrl-C or
/// SIGTERM. Port 0 binds a free port, and the log line "scheduler listening
/// on ADDRESS" names it.
///
/// Clients connect to it with `df://HOST:PORT` and executors register with
/// it at `HOST:PORT`. The scheduler plans every submitted query physically,
/// so it decodes plans with sumoql's functions registered, and it lists the
/// queried Parquet files, so it needs the same data path as the executors.
pub async fn run_scheduler(bind: SocketAddr) -> Result<(), ClusterError> {
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|source| ClusterError::Bind {
            address: bind,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| ClusterError::Bind {
        address: bind,
        source,
    })?;

    let mut config = SchedulerConfig::default()
        .with_hostname(address.ip().to_string())
        .with_port(address.port())
        .with_override_session_builder(Arc::new(scheduler_session));
    config.bind_host = address.ip().to_string();
    config.validate()?;
    let config = Arc::new(config);

    let cluster = BallistaCluster::new_from_config(&config).await?;
    let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config).await?;
    info!(
        "scheduler listening on {address} (Ballista {}, sumoql {})",
        ballista_core::BALLISTA_VERSION,
        env!("CARGO_PKG_VERSION")
    );

    tokio::select! {
        served = start_grpc_service_with_listener(listener, scheduler) => served?,
        signal = shutdown_signal() => info!("scheduler on {address} stopping: {signal}"),
    }
    Ok(())
}

/// Builds the session the scheduler plans a client's query in: Ballista's
/// default session with sumoql's functions added.
fn scheduler_session(config: SessionConfig) -> datafusion::common::Result<SessionState> {
    let mut state = default_session_builder(config)?;
    register_sumoql_functions(&mut state)?;
    Ok(state)
}

/// Waits for Ctrl-C or, on Unix, SIGTERM, and returns which arrived.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = ctrl_c() => "received Ctrl-C",
                _ = terminate.recv() => "received SIGTERM",
            },
            Err(error) => {
                warn!("cannot listen for SIGTERM ({error}); the scheduler stops on Ctrl-C only");
                ctrl_c().await;
                "received Ctrl-C"
            }
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c().await;
        "received Ctrl-C"
    }
}

/// Waits for Ctrl-C, or forever when the handler cannot be installed.
async fn ctrl_c() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        warn!("cannot listen for Ctrl-C ({error}); stop the scheduler with SIGTERM or SIGKILL");
        std::future::pending::<()>().await;
    }
}
