//! Runs sumoql queries on an Apache Ballista cluster.
//!
//! A cluster is one scheduler ([`run_scheduler`]) and any number of executors
//! ([`run_executor`]). A client ([`run_on_cluster`]) translates a compiled
//! [`Plan`](sumoql_engine::Plan) to a DataFusion logical plan over a folder of
//! Parquet files written by `sumoql ingest`, and the scheduler splits it into
//! stages that the executors run. The translated plans call sumoql's
//! functions by name, so the client, the scheduler and every executor register
//! the same [`scalar_functions`](sumoql_engine::datafusion::scalar_functions)
//! and [`aggregate_functions`](sumoql_engine::datafusion::aggregate_functions).
//! All of them must run the same sumoql version.

mod client;
mod error;
mod executor;
mod scheduler;

use std::future::Future;

use datafusion::execution::{FunctionRegistry, SessionState};

pub use client::{client_context, run_on_cluster, PARTITION_COLUMN};
pub use error::ClusterError;
pub use executor::{run_executor, ExecutorOptions};
pub use scheduler::run_scheduler;

/// The DataFusion version the cluster runs, for callers that build tables or
/// read results.
pub use datafusion;

/// The thread stack of the runtimes that plan and run queries. Translated
/// plans nest one node per operator, and decoding and planning them recurse
/// per node; Ballista's own binaries use the same size.
const RUNTIME_STACK_BYTES: usize = 32 * 1024 * 1024;

/// Adds sumoql's scalar and aggregate functions to `state`, so that plans
/// which call them by name can be decoded and planned.
fn register_sumoql_functions(state: &mut SessionState) -> datafusion::common::Result<()> {
    for function in sumoql_engine::datafusion::scalar_functions() {
        state.register_udf(function)?;
    }
    for function in sumoql_engine::datafusion::aggregate_functions() {
        state.register_udaf(function)?;
    }
    Ok(())
}

/// Runs `future` to completion on a new multi-threaded Tokio runtime, for
/// callers without one (such as the `sumoql scheduler` subcommand).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, ClusterError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(RUNTIME_STACK_BYTES)
        .build()
        .map_err(ClusterError::Runtime)?;
    Ok(runtime.block_on(future))
}

/// Sends the log records of sumoql and Ballista to standard error: `info`
/// and above for them, `warn` and above for other libraries. `RUST_LOG`
/// replaces this filter (for example `RUST_LOG=debug`).
pub fn init_logging() {
    let filter = "warn,sumoql_ballista=info,ballista=info";
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(filter))
        .target(env_logger::Target::Stderr)
        .init();
}
