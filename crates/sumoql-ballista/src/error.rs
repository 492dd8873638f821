use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ballista_core::error::BallistaError;
use datafusion::error::DataFusionError;
use sumoql_engine::datafusion::SEQUENCE_COLUMN;
use sumoql_syntax::Diagnostic;

/// A failure to start a cluster process or to run a query on a cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("failed to start the Tokio runtime: {0}")]
    Runtime(io::Error),

    #[error("failed to bind {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: io::Error,
    },

    #[error("invalid scheduler address {0:?}: expected HOST:PORT, such as 10.0.0.5:50050")]
    InvalidSchedulerAddress(String),

    #[error(
        "executor bound to {0} needs --external-host: the address the scheduler and \
         other executors use to reach it"
    )]
    MissingExternalHost(SocketAddr),

    #[error("scheduler at {address} is not reachable after {}s: {source}", timeout.as_secs())]
    SchedulerUnreachable {
        address: String,
        timeout: Duration,
        source: io::Error,
    },

    #[error("failed to create a work directory for the executor: {0}")]
    WorkDirectory(io::Error),

    #[error("Parquet folder {}: {source}", path.display())]
    ParquetFolder { path: PathBuf, source: io::Error },

    #[error(
        "{} has no Parquet files with a column {SEQUENCE_COLUMN}; write the folder with \
         `sumoql ingest LOGS... --to parquet DIR`",
        path.display()
    )]
    NotIngested { path: PathBuf },

    /// The query uses an operator or function that has no DataFusion
    /// translation. The diagnostic points into the query text.
    #[error("{}", .0.message)]
    Untranslatable(Box<Diagnostic>),

    #[error(transparent)]
    DataFusion(#[from] DataFusionError),

    #[error(transparent)]
    Ballista(#[from] BallistaError),
}
