use std::path::Path;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::{provider_as_source, TableProvider};
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use sumoql_engine::datafusion::{result_table, table_fields, translate, SEQUENCE_COLUMN};
use sumoql_engine::{Plan, ResultTable};

use crate::{register_sumoql_functions, ClusterError};

/// The Hive partition column of the Parquet folders that `sumoql ingest`
/// writes: folders `day=YYYY-MM-DD` hold the records of that day.
pub const PARTITION_COLUMN: &str = "day";

/// The name the Parquet folder is registered under in the client session.
const TABLE_NAME: &str = "logs";

/// The target partitions of [`run_on_cluster`]: Ballista 55's default.
const DEFAULT_PARTITIONS: usize = 16;

/// Creates a client session for the Ballista scheduler at `scheduler`
/// (`HOST:PORT` or `df://HOST:PORT`) that splits scans into `partitions`
/// partitions, with sumoql's functions registered. It connects when the
/// first query runs.
pub async fn client_context(
    scheduler: &str,
    partitions: usize,
) -> datafusion::error::Result<SessionContext> {
    let url = if scheduler.contains("://") {
        scheduler.to_string()
    } else {
        format!("df://{scheduler}")
    };
    // NOTE: With `repartition_sorts` on (DataFusion's default), the final sort
    // of a `union` query is pushed into each branch. Ballista 55 then runs a
    // stage in which one branch has no partitions, and DataFusion 55.2's
    // `SortExec` panics on the executor (`topk_emitter_count > 0`), so the job
    // never finishes. Off, the sort runs once above the union, on one task.
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(partitions.max(1))
        .set_bool("datafusion.optimizer.repartition_sorts", false);
    let mut state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    register_sumoql_functions(&mut state)?;
    SessionContext::remote_with_state(&url, state).await
}

/// Runs `plan` on the Ballista cluster whose scheduler is at `url`
/// (`HOST:PORT` or `df://HOST:PORT`) over the Parquet folder `parquet_dir`,
/// and returns the rows the native engine returns over records whose fields
/// are the columns.
///
/// The folder is the layout `sumoql ingest --to parquet` writes: Hive folders
/// `day=YYYY-MM-DD` of Parquet files whose columns are record fields and
/// [`SEQUENCE_COLUMN`], with the schema merged across files. The scheduler
/// and every executor must see the folder at the same absolute path as this
/// client.
///
/// NOTE: Every column is a record field here, as with [`translate`]. The
/// native engine reads only metadata and `<System>` values of Windows events
/// as fields, so over an ingest of Windows events a query that names an
/// `<EventData>` field (such as `Image`) gives other rows than natively.
/// `sumoql run --engine ballista` reads only the native engine's fields.
pub async fn run_on_cluster(
    url: &str,
    plan: &Plan,
    parquet_dir: &Path,
) -> Result<ResultTable, ClusterError> {
    let context = client_context(url, DEFAULT_PARTITIONS).await?;
    let table = parquet_table(&context, parquet_dir).await?;
    context.register_table(TABLE_NAME, table.clone())?;

    let scan = scan_for_plan(plan, table)?;
    let logical =
        translate(plan, scan).map_err(|error| ClusterError::Untranslatable(Box::new(error)))?;
    let batches = context
        .execute_logical_plan(logical)
        .await?
        .collect()
        .await?;
    Ok(result_table(plan, &batches)?)
}

/// Builds a listing table over the Parquet files under `parquet_dir`, with
/// [`PARTITION_COLUMN`] from the folder names.
async fn parquet_table(
    context: &SessionContext,
    parquet_dir: &Path,
) -> Result<Arc<dyn TableProvider>, ClusterError> {
    let folder_error = |source| ClusterError::ParquetFolder {
        path: parquet_dir.to_path_buf(),
        source,
    };
    // The path travels to the scheduler and executors inside the plan, so it
    // must be absolute. A URL built from it keeps characters such as `*` and
    // `[` literal, where a parsed path string would read them as a glob.
    let absolute = parquet_dir.canonicalize().map_err(folder_error)?;
    let url = url::Url::from_directory_path(&absolute)
        .map_err(|()| folder_error(std::io::Error::other("not an absolute directory path")))?;
    let table_url = ListingTableUrl::try_new(url, None)?;

    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![(PARTITION_COLUMN.to_string(), DataType::Utf8)]);
    let schema = options.infer_schema(&context.state(), &table_url).await?;
    if schema.field_with_name(SEQUENCE_COLUMN).is_err() {
        return Err(ClusterError::NotIngested { path: absolute });
    }

    let config = ListingTableConfig::new(table_url)
        .with_listing_options(options)
        .with_schema(schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// Scans `table` reading only the columns `plan` uses: its fields (matched
/// without regard to case, as [`translate`] matches them) and
/// [`SEQUENCE_COLUMN`].
fn scan_for_plan(plan: &Plan, table: Arc<dyn TableProvider>) -> Result<LogicalPlan, ClusterError> {
    let wanted: Vec<String> = table_fields(plan)
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let schema = table.schema();
    let projection: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, field)| {
            field.name() == SEQUENCE_COLUMN || wanted.contains(&field.name().to_ascii_lowercase())
        })
        .map(|(index, _)| index)
        .collect();
    let scan = LogicalPlanBuilder::scan(TABLE_NAME, provider_as_source(table), Some(projection))?
        .build()?;
    Ok(scan)
}
