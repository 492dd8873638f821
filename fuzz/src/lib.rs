//! Helpers the fuzz targets share: reading an input through the public
//! `Inputs` stream with the checks every reader must pass, and a builder of
//! small valid `.evtx` files to mutate.

pub mod evtx_file;

use sumoql_input::{render_event_xml, InputFormat, Inputs, Item, ReadOptions, RecordKind};

/// The name every in-memory input is read under.
pub const INPUT_NAME: &str = "fuzz-input";

/// The items one read of an input yielded, in order.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The line (or `.evtx` record number) of every record and malformed item.
    pub item_lines: Vec<u64>,
    pub records: u64,
    pub malformed: u64,
    pub errors: u64,
}

/// Reads `bytes` as one input and checks what every reader promises. Nothing
/// panics, and the stream's statistics count each item once. Malformed items
/// name the input and give a reason. Windows events read back equal after
/// rendering them as event XML.
pub fn read_and_check(bytes: Vec<u8>, options: ReadOptions) -> Outcome {
    let mut inputs = Inputs::from_bytes(INPUT_NAME, bytes, options);
    let mut outcome = Outcome::default();
    for item in &mut inputs {
        match item {
            Ok(Item::Record(record)) => {
                outcome.records += 1;
                outcome.item_lines.push(record.position.line_or_record);
                check_item(record.decode());
            }
            Ok(Item::Malformed(malformed)) => {
                outcome.malformed += 1;
                outcome.item_lines.push(malformed.position.line_or_record);
                check_item(Item::Malformed(malformed));
            }
            Err(error) => {
                outcome.errors += 1;
                let _ = error.to_string();
            }
        }
    }

    let stats = inputs.stats();
    assert_eq!(stats.records, outcome.records, "records counted");
    assert_eq!(
        stats.malformed, outcome.malformed,
        "malformed items counted"
    );
    assert_eq!(
        stats.errors + stats.skipped_files,
        outcome.errors,
        "errors counted"
    );
    assert!(outcome.errors <= 1, "one input gave more than one error");
    outcome
}

/// Reads every field a query may ask a record for, and checks a Windows
/// event's XML round trip.
fn check_item(item: Item) {
    let record = match item {
        Item::Record(record) => record,
        Item::Malformed(malformed) => {
            assert_eq!(&*malformed.source_name, INPUT_NAME);
            assert!(
                !malformed.reason.is_empty(),
                "malformed item without a reason"
            );
            let _ = malformed.to_string();
            return;
        }
    };

    let _ = record.raw();
    for name in sumoql_input::SYSTEM_FIELDS {
        let _ = record.field(name);
    }
    for name in [
        "_sourceHost",
        "_sourceCategory",
        "_sourceName",
        "_source",
        "_messageTime",
        "_size",
    ] {
        let _ = record.field(name);
    }

    if record.kind == RecordKind::WindowsEvent {
        check_event_xml_round_trip(&record.event);
    }
}

/// `render_event_xml` promises that its output reads back as the same event.
fn check_event_xml_round_trip(event: &sumoql_input::WindowsEvent) {
    let xml = render_event_xml(event);
    let options = ReadOptions {
        format: Some(InputFormat::WindowsXml),
        ..ReadOptions::default()
    };
    let items: Vec<_> = Inputs::from_bytes(INPUT_NAME, xml.clone().into_bytes(), options).collect();
    assert_eq!(items.len(), 1, "rendered event read as {items:?}\n{xml}");
    match &items[0] {
        Ok(Item::Record(reread)) => assert_eq!(
            &reread.event, event,
            "rendered event reads back different\n{xml}"
        ),
        other => panic!("rendered event does not read back: {other:?}\n{xml}"),
    }
}
