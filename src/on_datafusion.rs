//! `sumoql run --engine datafusion` (and `ballista`): the compiled plan is
//! translated to a DataFusion logical plan (`sumoql_engine::datafusion`) and
//! run over a table of the inputs: log files through sumoql's readers
//! (`sumoql_datafusion::RecordTable`, one partition per file), or a folder
//! that `sumoql ingest --to parquet` wrote.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::config::SessionConfig;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use sumoql_datafusion::columns::is_record_field;
use sumoql_datafusion::{ReadEvent, RecordSource, RecordTable, StrictMalformed};
use sumoql_engine::{datafusion as translation, Plan, ResultTable};

use crate::run::{finish_run, Engine, RunRequest};
use crate::sources::InputSetup;
use crate::summary::Summary;
use crate::EXIT_QUERY_OR_USAGE;

/// The exit status of a run that failed while reading or running, as when
/// the native engine stops at an input error.
const EXIT_RUN_FAILED: u8 = crate::EXIT_INPUT;

/// The inputs of a run on DataFusion.
enum Table {
    /// Log files and folders, read by sumoql's readers.
    Logs(Vec<PathBuf>),
    /// A folder written by `sumoql ingest --to parquet`.
    Parquet(PathBuf),
}

/// The maximum number of input files a run on DataFusion takes. The
/// translation keeps a record's position in 56 bits, of which the file index
/// takes 16.
const MAX_FILES: usize = 1 << 16;

/// Reports whether `path` is a folder that contains Parquet files, at any depth.
fn holds_parquet(path: &Path) -> bool {
    if !path.is_dir() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        path.extension()
            .is_some_and(|extension| extension == "parquet")
            || holds_parquet(&path)
    })
}

fn choose_table(inputs: &[PathBuf]) -> Result<Table, String> {
    let parquet: Vec<&PathBuf> = inputs.iter().filter(|path| holds_parquet(path)).collect();
    match (parquet.len(), inputs.len()) {
        (0, _) => Ok(Table::Logs(inputs.to_vec())),
        (1, 1) => Ok(Table::Parquet(parquet[0].clone())),
        _ => Err(
            "a run on DataFusion reads either log files or one folder of Parquet files from `sumoql ingest`, not both or several"
                .to_string(),
        ),
    }
}

/// Runs `plan` on DataFusion or Ballista and returns the exit status.
pub(crate) fn execute(
    plan: &Plan,
    inputs: &[PathBuf],
    setup: InputSetup,
    request: &RunRequest,
    query: (&str, &str),
) -> u8 {
    let (source_name, query_text) = query;
    let engine = match request.engine {
        Engine::Ballista => "ballista",
        _ => "datafusion",
    };
    if !setup.extractions.is_empty() {
        eprintln!("sumoql: error: the Field Extraction Rules of the sources file run on the native engine only; drop --engine {engine} or the rules");
        return EXIT_QUERY_OR_USAGE;
    }
    if request.explain {
        eprintln!("sumoql: error: --explain counts the stages of the native engine only; drop --engine {engine}");
        return EXIT_QUERY_OR_USAGE;
    }
    let table = match choose_table(inputs) {
        Ok(table) => table,
        Err(message) => {
            eprintln!("sumoql: error: {message}");
            return EXIT_QUERY_OR_USAGE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sumoql: error: failed to start the DataFusion runtime: {error}");
            return EXIT_RUN_FAILED;
        }
    };

    let summary = Arc::new(Mutex::new(Summary::new()));
    let strict = request.strict;
    let observer_summary = summary.clone();
    let observer = Arc::new(move |event: ReadEvent<'_>| {
        let mut summary = observer_summary.lock().expect("summary lock");
        match event {
            ReadEvent::Record(record) => {
                summary.count_record(&record.source_name, record.format, record.lossy_utf8)
            }
            // Under --strict the run stops with the record's error instead.
            ReadEvent::Malformed(malformed) if !strict => summary.report_malformed(malformed),
            ReadEvent::Malformed(_) => {}
            ReadEvent::Unreadable(error) if error.is_skipped_file() => {
                crate::summary::report_skipped_file(error)
            }
            ReadEvent::Unreadable(error) => summary.report_unreadable(error),
        }
    });

    let partitions = request
        .partitions
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| cores.get()))
        .max(1);
    let result = runtime.block_on(async {
        let context = match request.engine {
            Engine::Ballista => ballista_context(request, partitions).await?,
            _ => SessionContext::new_with_config(
                SessionConfig::new().with_target_partitions(partitions),
            ),
        };
        translation::register(&context);
        match &table {
            Table::Logs(paths) => {
                if request.engine == Engine::Ballista {
                    return Err(RunError::Usage(
                        "a Ballista cluster reads Parquet: write the logs with `sumoql ingest LOGS --to parquet DIR`, then run over DIR".to_string(),
                    ));
                }
                let source = RecordSource::new(paths.clone(), setup.options.clone())
                    .strict(strict)
                    .observe(observer);
                let fields = translation::table_fields(plan)
                    .into_iter()
                    .filter(|name| is_record_field(name))
                    .collect();
                let table = RecordTable::new(source, fields);
                if table.file_count() > MAX_FILES {
                    return Err(RunError::Usage(format!(
                        "a run on DataFusion reads at most {MAX_FILES} files, and these inputs hold {}; merge files or ingest them to Parquet",
                        table.file_count()
                    )));
                }
                context
                    .register_table("logs", Arc::new(table))
                    .map_err(RunError::Failed)?;
            }
            Table::Parquet(folder) => {
                let options = ParquetReadOptions::default()
                    .table_partition_cols(vec![("day".to_string(), DataType::Utf8)]);
                let name = folder.display().to_string();
                context
                    .register_parquet("logs", &name, options)
                    .await
                    .map_err(RunError::Failed)?;
                // Parquet keeps row counts in its metadata, so this reads no rows.
                let rows = context
                    .table("logs")
                    .await
                    .map_err(RunError::Failed)?
                    .count()
                    .await
                    .map_err(RunError::Failed)?;
                summary
                    .lock()
                    .expect("summary lock")
                    .count_parquet_rows(&Arc::from(name.as_str()), rows as u64);
            }
        }
        let scan = context
            .table("logs")
            .await
            .map_err(RunError::Failed)?
            .into_unoptimized_plan();
        let logical = translation::translate_reading(plan, scan, is_record_field)
            .map_err(RunError::Untranslatable)?;
        let batches: Vec<RecordBatch> = context
            .execute_logical_plan(logical)
            .await
            .map_err(RunError::Failed)?
            .collect()
            .await
            .map_err(RunError::Failed)?;
        translation::result_table(plan, &batches).map_err(RunError::Failed)
    });

    let summary = std::mem::replace(&mut *summary.lock().expect("summary lock"), Summary::new());
    match result {
        Ok(table) => finish(table, &summary, request),
        Err(RunError::Untranslatable(diagnostic)) => {
            eprintln!(
                "{}",
                diagnostic.render(source_name, query_text, request.color)
            );
            EXIT_QUERY_OR_USAGE
        }
        Err(RunError::Usage(message)) => {
            eprintln!("sumoql: error: {message}");
            EXIT_QUERY_OR_USAGE
        }
        Err(RunError::Failed(error)) => {
            match strict_stop(&error) {
                Some(stop) => crate::summary::report(&format!("sumoql: error: {stop}")),
                None => eprintln!("sumoql: error: the run on {engine} failed: {error}"),
            }
            EXIT_RUN_FAILED
        }
    }
}

fn finish(table: ResultTable, summary: &Summary, request: &RunRequest) -> u8 {
    finish_run(Some(table), summary, request)
}

enum RunError {
    Untranslatable(sumoql_syntax::Diagnostic),
    Usage(String),
    Failed(datafusion::error::DataFusionError),
}

/// Finds the `--strict` stop among the causes of a DataFusion error.
fn strict_stop(error: &datafusion::error::DataFusionError) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(stop) = current.downcast_ref::<StrictMalformed>() {
            return Some(stop.to_string());
        }
        if let Some(datafusion::error::DataFusionError::External(inner)) =
            current.downcast_ref::<datafusion::error::DataFusionError>()
        {
            if let Some(stop) = inner.downcast_ref::<StrictMalformed>() {
                return Some(stop.to_string());
            }
        }
        source = current.source();
    }
    None
}

#[cfg(not(feature = "ballista"))]
async fn ballista_context(
    request: &RunRequest,
    _partitions: usize,
) -> Result<SessionContext, RunError> {
    let message = match &request.scheduler {
        None => "--engine ballista needs --scheduler HOST:PORT".to_string(),
        Some(_) => "this sumoql was built without the `ballista` feature; build it with `cargo build --release --features ballista` to use --engine ballista".to_string(),
    };
    Err(RunError::Usage(message))
}

/// Builds the session that sends plans to the Ballista scheduler of `--scheduler`.
#[cfg(feature = "ballista")]
async fn ballista_context(
    request: &RunRequest,
    partitions: usize,
) -> Result<SessionContext, RunError> {
    let Some(scheduler) = &request.scheduler else {
        return Err(RunError::Usage(
            "--engine ballista needs --scheduler HOST:PORT".to_string(),
        ));
    };
    sumoql_ballista::client_context(scheduler, partitions)
        .await
        .map_err(RunError::Failed)
}
