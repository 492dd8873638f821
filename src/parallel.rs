//! Runs a query over the inputs on several threads, with the same result as
//! one thread.
//!
//! One thread reads the inputs and cuts them into batches of undecoded
//! records. Worker threads decode each batch, pass over records the query
//! cannot use, and run the rest through a partial execution. The calling
//! thread then absorbs the partial executions in input order
//! (`Execution::absorb`) and reports what each batch read in that order.

use std::cell::{Cell, OnceCell};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use sumoql_engine::{Execution, GroupLimitExceeded, Plan, ResultTable, Value};
use sumoql_input::{InputFormat, Inputs, Item, Malformed, ReadError, ReadOptions, Record};

use crate::prefilter::Prefilter;
use crate::run::EngineRecord;

/// A batch ends after this many items or this many bytes of record text,
/// whichever comes first: large enough that handing it over costs little,
/// small enough that memory stays bounded and every thread gets work.
const BATCH_ITEMS: usize = 4096;
const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// An item a worker met in a batch, reported in input order.
pub enum Event {
    /// A record was read; `lossy_utf8` is false for records passed over
    /// without decoding.
    Record {
        /// The input's name, as `Record::source_name`.
        input: Arc<str>,
        format: InputFormat,
        lossy_utf8: bool,
    },
    Malformed(Malformed),
    Unreadable(ReadError),
    /// A stage passed the group limit, in one batch or in the merged state; the run
    /// stops without a result.
    GroupLimitExceeded(GroupLimitExceeded),
}

struct Batch {
    index: u64,
    items: Vec<Result<Item, ReadError>>,
}

struct BatchResult<'p> {
    index: u64,
    partial: Execution<'p>,
    events: Vec<Event>,
}

/// Runs `plan` over `inputs` on `threads` worker threads. The plan must
/// support partial executions (`Plan::supports_partials`). `observe` is
/// called with every event in input order; returning `Break` stops the run without a
/// result. With `prefilter`, records that cannot produce a row are counted
/// as read without being decoded, so a malformed one among them goes
/// unreported.
pub fn execute_parallel(
    plan: &Plan,
    inputs: &[PathBuf],
    mut options: ReadOptions,
    threads: usize,
    prefilter: bool,
    mut observe: impl FnMut(Event) -> ControlFlow<()>,
) -> Option<ResultTable> {
    debug_assert!(plan.supports_partials());
    options.defer_decoding = true;
    let raw = options.raw;
    let threads = threads.max(1);

    std::thread::scope(|scope| {
        let (work_sender, work_receiver) = mpsc::sync_channel::<Batch>(threads * 2);
        let work_receiver = Arc::new(Mutex::new(work_receiver));
        let (result_sender, result_receiver) = mpsc::channel::<BatchResult>();

        scope.spawn(move || read_batches(inputs, options, work_sender));
        for _ in 0..threads {
            let work_receiver = Arc::clone(&work_receiver);
            let result_sender = result_sender.clone();
            let worker = std::thread::Builder::new().stack_size(crate::LARGE_STACK_BYTES);
            let spawned = worker.spawn_scoped(scope, move || {
                let mut prefilter = if prefilter {
                    Prefilter::new(plan, raw)
                } else {
                    None
                };
                let mut decoding = Decoding::Lazy;
                loop {
                    // The lock is held only while waiting for the next batch.
                    let next = work_receiver.lock().map(|receiver| receiver.recv());
                    let Ok(Ok(batch)) = next else {
                        return;
                    };
                    let result = process_batch(plan, batch, prefilter.as_mut(), &mut decoding);
                    if result_sender.send(result).is_err() {
                        return;
                    }
                }
            });
            if let Err(error) = spawned {
                crate::summary::report(&format!(
                    "sumoql: error: failed to start a worker thread: {error}"
                ));
                return None;
            }
        }
        drop(result_sender);

        // Dropping the receiver on an early return makes the workers, then
        // the reader, stop at their next send.
        let mut execution = Execution::new(plan);
        let mut waiting: BTreeMap<u64, BatchResult> = BTreeMap::new();
        let mut next_index = 0;
        for result in result_receiver.iter() {
            waiting.insert(result.index, result);
            while let Some(result) = waiting.remove(&next_index) {
                for event in result.events {
                    if observe(event).is_break() {
                        return None;
                    }
                }
                execution.absorb(result.partial);
                if let Some(exceeded) = execution.group_limit_exceeded() {
                    let _ = observe(Event::GroupLimitExceeded(exceeded.clone()));
                    return None;
                }
                next_index += 1;
            }
        }
        match execution.finish() {
            Ok(table) => Some(table),
            Err(exceeded) => {
                let _ = observe(Event::GroupLimitExceeded(exceeded));
                None
            }
        }
    })
}

/// Reads every input, sending the items in numbered batches.
fn read_batches(inputs: &[PathBuf], options: ReadOptions, sender: mpsc::SyncSender<Batch>) {
    let mut items = Vec::with_capacity(BATCH_ITEMS);
    let mut bytes = 0;
    let mut index = 0;
    for item in Inputs::open(inputs, options) {
        if let Ok(Item::Record(record)) = &item {
            bytes += record.text_bytes().len();
        }
        items.push(item);
        if items.len() >= BATCH_ITEMS || bytes >= BATCH_BYTES {
            let batch = Batch {
                index,
                items: std::mem::replace(&mut items, Vec::with_capacity(BATCH_ITEMS)),
            };
            if sender.send(batch).is_err() {
                return;
            }
            index += 1;
            bytes = 0;
        }
    }
    if !items.is_empty() {
        let _ = sender.send(Batch { index, items });
    }
}

/// The decoding mode of a worker for the records it runs the query on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// Checks that a record is well-formed and decodes it only when the query
    /// reads a field of it, which pays for queries such as `* | count`.
    Lazy,
    /// Decodes every record, once the query turned out to read the fields of
    /// most records.
    Eager,
}

/// A record checked to be well-formed, decoded when the query first reads
/// one of its fields.
struct LazyRecord {
    undecoded: Cell<Option<Record>>,
    decoded: OnceCell<Option<Record>>,
}

impl LazyRecord {
    fn new(record: Record) -> LazyRecord {
        LazyRecord {
            undecoded: Cell::new(Some(record)),
            decoded: OnceCell::new(),
        }
    }

    fn was_decoded(&self) -> bool {
        self.decoded.get().is_some()
    }
}

impl sumoql_engine::Record for LazyRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        let decoded = self
            .decoded
            .get_or_init(|| match self.undecoded.take()?.decode() {
                Item::Record(record) => Some(record),
                // NOTE: unreachable while `undecoded_is_well_formed` agrees with the
                // decoder, which the input crate's tests check; a record it wrongly
                // accepted would have no fields here.
                Item::Malformed(_) => None,
            });
        EngineRecord(decoded.as_ref()?).field(lowercase_name)
    }
}

fn process_batch<'p>(
    plan: &'p Plan,
    batch: Batch,
    mut prefilter: Option<&mut Prefilter>,
    decoding: &mut Decoding,
) -> BatchResult<'p> {
    let mut partial = Execution::partial(plan);
    let mut events = Vec::with_capacity(batch.items.len());
    let mut lazy_records = 0;
    let mut lazy_records_decoded = 0;

    for item in batch.items {
        let record = match item {
            Ok(Item::Record(record)) => record,
            Ok(Item::Malformed(malformed)) => {
                events.push(Event::Malformed(malformed));
                continue;
            }
            Err(error) => {
                events.push(Event::Unreadable(error));
                continue;
            }
        };

        let may_produce_rows = match prefilter.as_deref_mut() {
            Some(prefilter) => prefilter.may_produce_rows(&record),
            None => true,
        };
        if !may_produce_rows {
            events.push(Event::Record {
                input: record.source_name.clone(),
                format: record.format,
                lossy_utf8: record.is_decoded() && record.lossy_utf8,
            });
            continue;
        }

        if *decoding == Decoding::Lazy && record.undecoded_is_well_formed() == Some(true) {
            events.push(Event::Record {
                input: record.source_name.clone(),
                format: record.format,
                lossy_utf8: false,
            });
            let lazy = LazyRecord::new(record);
            partial.push(&lazy);
            lazy_records += 1;
            lazy_records_decoded += usize::from(lazy.was_decoded());
            continue;
        }

        match record.decode() {
            Item::Record(record) => {
                events.push(Event::Record {
                    input: record.source_name.clone(),
                    format: record.format,
                    lossy_utf8: record.lossy_utf8,
                });
                partial.push(&EngineRecord(&record));
            }
            Item::Malformed(malformed) => events.push(Event::Malformed(malformed)),
        }
    }

    // Checking before decoding costs extra when the query reads fields of
    // most records, so the worker stops checking for the rest of the run.
    if lazy_records_decoded * 2 > lazy_records {
        *decoding = Decoding::Eager;
    }

    BatchResult {
        index: batch.index,
        partial,
        events,
    }
}
