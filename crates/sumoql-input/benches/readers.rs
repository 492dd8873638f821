//! Micro-benchmarks of the readers' hot paths: decoding Windows event XML lines into
//! records, and rendering the canonical `_raw`.
//!
//! Run with `cargo bench -p sumoql-input`. The input is `samples/sysmon_sample.xml`
//! repeated into a temporary file, so that reading goes through `Inputs` as it does in
//! `sumoql run`.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sumoql_input::{render_canonical, Inputs, Item, ReadOptions, WindowsEvent};

/// Copies of the 33-line sample: 1,650 records, 2.3 MB.
const SAMPLE_COPIES: usize = 50;

fn sample_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/sysmon_sample.xml"
    );
    std::fs::read_to_string(path).expect("the sample log is in the repository")
}

/// Writes the sample `SAMPLE_COPIES` times into a temporary file.
fn repeated_sample() -> (tempfile::NamedTempFile, u64) {
    let sample = sample_text();
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    for _ in 0..SAMPLE_COPIES {
        file.write_all(sample.as_bytes()).unwrap();
        if !sample.ends_with('\n') {
            file.write_all(b"\n").unwrap();
        }
    }
    file.flush().unwrap();
    let bytes = file.as_file().metadata().unwrap().len();
    (file, bytes)
}

fn read_all(path: &PathBuf) -> Vec<WindowsEvent> {
    Inputs::open(std::slice::from_ref(path), ReadOptions::default())
        .filter_map(|item| match item {
            Ok(Item::Record(record)) => Some(record.event),
            _ => None,
        })
        .collect()
}

fn xml_decoding(c: &mut Criterion) {
    let (file, bytes) = repeated_sample();
    let path = file.path().to_path_buf();
    let records = read_all(&path).len();
    assert!(records > 0, "the sample produced no records");

    let mut group = c.benchmark_group("xml_lines");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("decode_records", |bencher| {
        bencher.iter(|| {
            let mut count = 0usize;
            for item in Inputs::open(std::slice::from_ref(&path), ReadOptions::default()) {
                if let Ok(Item::Record(record)) = item {
                    black_box(&record);
                    count += 1;
                }
            }
            count
        })
    });
    group.bench_function("decode_and_render_raw", |bencher| {
        bencher.iter(|| {
            let mut rendered = 0usize;
            for item in Inputs::open(std::slice::from_ref(&path), ReadOptions::default()) {
                if let Ok(Item::Record(record)) = item {
                    rendered += record.raw().len();
                }
            }
            rendered
        })
    });
    group.finish();
}

fn canonical_rendering(c: &mut Criterion) {
    let (file, _) = repeated_sample();
    let events = read_all(&file.path().to_path_buf());
    let events = &events[..33.min(events.len())];

    let mut group = c.benchmark_group("render_canonical");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("sample_events", |bencher| {
        bencher.iter(|| {
            events
                .iter()
                .map(|event| render_canonical(black_box(event)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Short runs, because the benchmarks share two cores with builds. Criterion's
/// confidence intervals show when the noise is too large to read a change.
fn quick() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = quick();
    targets = xml_decoding, canonical_rendering
}
criterion_main!(benches);
