//! [`RecordTable`], a DataFusion table over the log readers, and the execution plan
//! that scans it: one partition per input file, read on a blocking thread and streamed
//! in batches.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt64Builder};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::TableProvider;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalSortExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchReceiverStream;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions,
};
use sumoql_input::{Inputs, Item, ListedFile, Record};

use crate::columns::{
    arrow_field, field_value, is_number_field, number_value, record_fields, sequence_field,
    sequence_number, SEQUENCE_COLUMN,
};
use crate::source::RecordSource;

/// Batches sent ahead of the consumer by each partition's reading thread.
const CHANNEL_BATCHES: usize = 2;

/// A table of log records: the column [`SEQUENCE_COLUMN`] and one column per field
/// name, Float64 for `_messageTime`, `_receiptTime` and `_size`, Utf8 for the others.
/// A record without a field leaves it null.
#[derive(Clone)]
pub struct RecordTable {
    source: RecordSource,
    files: Arc<[ListedFile]>,
    schema: SchemaRef,
}

impl fmt::Debug for RecordTable {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RecordTable")
            .field("files", &self.files)
            .field("schema", &self.schema)
            .finish()
    }
}

impl RecordTable {
    /// Builds a table with the named fields as columns after [`SEQUENCE_COLUMN`]. Names
    /// are matched against each record without regard to case, and a name that differs
    /// from an earlier one only in case is dropped (the first spelling wins). The inputs
    /// are listed now, and paths that cannot be listed are reported to the source's
    /// observer now.
    pub fn new(source: RecordSource, fields: Vec<String>) -> RecordTable {
        let mut seen = HashSet::new();
        seen.insert(SEQUENCE_COLUMN.to_lowercase());
        let mut columns = vec![sequence_field()];
        for name in fields {
            if seen.insert(name.to_lowercase()) {
                columns.push(arrow_field(&name));
            }
        }
        let files = source.list_files().into();
        RecordTable {
            source,
            files,
            schema: Arc::new(Schema::new(columns)),
        }
    }

    /// Builds a table with every field that some record of the inputs has, in the
    /// order they are first met. This reads the inputs once to find the fields, with
    /// nothing reported or counted, so it cannot read standard input.
    pub fn with_all_fields(source: RecordSource) -> RecordTable {
        let mut fields: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for item in Inputs::open(&source.paths, source.options.clone()) {
            let Ok(Item::Record(record)) = item else {
                continue;
            };
            for (name, _) in record_fields(&record) {
                if seen.insert(name.to_lowercase()) {
                    fields.push(name.to_string());
                }
            }
        }
        RecordTable::new(source, fields)
    }

    /// Returns the number of files the table reads, which is the number of partitions
    /// of its scans.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

#[async_trait]
impl TableProvider for RecordTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let indices: Vec<usize> = match projection {
            Some(indices) => indices.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let schema = Arc::new(self.schema.project(&indices)?);
        let batch_size = state.config().batch_size();
        Ok(Arc::new(RecordScanExec::new(
            self.source.clone(),
            Arc::clone(&self.files),
            schema,
            batch_size,
            limit,
        )))
    }
}

/// Scans a [`RecordTable`]: partition `i` reads the table's file `i` in file order, so
/// each partition is sorted by [`SEQUENCE_COLUMN`].
#[derive(Debug)]
pub struct RecordScanExec {
    source: RecordSource,
    files: Arc<[ListedFile]>,
    schema: SchemaRef,
    batch_size: usize,
    /// The rows each partition may stop after; DataFusion still applies the limit.
    limit: Option<usize>,
    properties: Arc<PlanProperties>,
}

impl RecordScanExec {
    fn new(
        source: RecordSource,
        files: Arc<[ListedFile]>,
        schema: SchemaRef,
        batch_size: usize,
        limit: Option<usize>,
    ) -> RecordScanExec {
        let equivalence = match schema.index_of(SEQUENCE_COLUMN) {
            Ok(index) => {
                let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new(SEQUENCE_COLUMN, index));
                let ordering = PhysicalSortExpr::new(column, SortOptions::default());
                EquivalenceProperties::new_with_orderings(Arc::clone(&schema), [[ordering]])
            }
            Err(_) => EquivalenceProperties::new(Arc::clone(&schema)),
        };
        let properties = PlanProperties::new(
            equivalence,
            // DataFusion needs at least one partition, even with no file to read.
            Partitioning::UnknownPartitioning(files.len().max(1)),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        RecordScanExec {
            source,
            files,
            schema,
            batch_size: batch_size.max(1),
            limit,
            properties: Arc::new(properties),
        }
    }
}

impl DisplayAs for RecordScanExec {
    fn fmt_as(&self, format: DisplayFormatType, formatter: &mut fmt::Formatter) -> fmt::Result {
        let columns: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|field| field.name().as_str())
            .collect();
        match format {
            DisplayFormatType::Default | DisplayFormatType::Verbose => write!(
                formatter,
                "RecordScanExec: files={}, columns=[{}]",
                self.files.len(),
                columns.join(", ")
            ),
            DisplayFormatType::TreeRender => write!(formatter, "files={}", self.files.len()),
        }
    }
}

impl ExecutionPlan for RecordScanExec {
    fn name(&self) -> &'static str {
        "RecordScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _visit: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let mut builder =
            RecordBatchReceiverStream::builder(Arc::clone(&self.schema), CHANNEL_BATCHES);
        let Some(file) = self.files.get(partition).cloned() else {
            // The one partition of a table without files is empty.
            return Ok(builder.build());
        };

        let sender = builder.tx();
        let source = self.source.clone();
        let mut batch = BatchBuilder::new(Arc::clone(&self.schema));
        let batch_size = self.batch_size;
        let limit = self.limit.unwrap_or(usize::MAX);
        let reports = source.claim_reports(partition);
        builder.spawn_blocking(move || {
            let mut record_index = 0u64;
            let mut rows_sent = 0usize;
            for item in Inputs::open_listed(&file, source.options.clone()) {
                match item {
                    Ok(Item::Record(record)) => {
                        if reports {
                            source.report_record(&record);
                        }
                        batch.append(&record, sequence_number(partition as u64, record_index));
                        record_index += 1;
                    }
                    Ok(Item::Malformed(malformed)) if reports || source.strict => source
                        .report_malformed(malformed)
                        .map_err(|error| DataFusionError::External(Box::new(error)))?,
                    Ok(Item::Malformed(_)) => {}
                    Err(error) if reports => source.report_error(&error),
                    Err(_) => {}
                }
                if batch.rows >= batch_size {
                    rows_sent += batch.rows;
                    if sender.blocking_send(batch.finish()).is_err() {
                        // The consumer dropped the stream: stop reading.
                        return Ok(());
                    }
                    if rows_sent >= limit {
                        return Ok(());
                    }
                }
            }
            if batch.rows > 0 {
                let _ = sender.blocking_send(batch.finish());
            }
            Ok(())
        });
        Ok(builder.build())
    }
}

/// One column being filled for a batch.
enum ColumnBuilder {
    Sequence(UInt64Builder),
    Number {
        name: String,
        values: Float64Builder,
    },
    Text {
        name: String,
        values: StringBuilder,
    },
}

/// The rows of one batch, appended record by record.
struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl BatchBuilder {
    fn new(schema: SchemaRef) -> BatchBuilder {
        let columns = schema
            .fields()
            .iter()
            .map(|field| {
                let name = field.name().clone();
                if name == SEQUENCE_COLUMN {
                    ColumnBuilder::Sequence(UInt64Builder::new())
                } else if is_number_field(&name) {
                    ColumnBuilder::Number {
                        name,
                        values: Float64Builder::new(),
                    }
                } else {
                    ColumnBuilder::Text {
                        name,
                        values: StringBuilder::new(),
                    }
                }
            })
            .collect();
        BatchBuilder {
            schema,
            columns,
            rows: 0,
        }
    }

    fn append(&mut self, record: &Record, sequence: u64) {
        for column in &mut self.columns {
            match column {
                ColumnBuilder::Sequence(values) => values.append_value(sequence),
                ColumnBuilder::Number { name, values } => {
                    let value = field_value(record, name).and_then(|text| number_value(&text));
                    values.append_option(value);
                }
                ColumnBuilder::Text { name, values } => {
                    values.append_option(field_value(record, name));
                }
            }
        }
        self.rows += 1;
    }

    /// Returns the rows appended so far as a batch and starts the next one.
    fn finish(&mut self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|column| -> ArrayRef {
                match column {
                    ColumnBuilder::Sequence(values) => Arc::new(values.finish()),
                    ColumnBuilder::Number { values, .. } => Arc::new(values.finish()),
                    ColumnBuilder::Text { values, .. } => Arc::new(values.finish()),
                }
            })
            .collect();
        // A scan with no columns (`count(*)`) still passes on how many rows it read.
        let options = RecordBatchOptions::new().with_row_count(Some(self.rows));
        self.rows = 0;
        RecordBatch::try_new_with_options(Arc::clone(&self.schema), arrays, &options)
            .map_err(DataFusionError::from)
    }
}
