//! The check that counts records without decoding them agrees with the decoder on
//! generated logs.

use std::io::Write;

use sumoql_input::{Inputs, Item, ReadOptions};
use sumoql_loggen::{generate, Config, Format, Limit};

#[test]
fn check_agrees_with_decoding_on_generated_xml() {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    let config = Config::new(Limit::Events(3000), Format::Xml);
    generate(&config, &mut file).expect("writing to a temporary file");
    file.flush().unwrap();

    let options = ReadOptions {
        defer_decoding: true,
        ..ReadOptions::default()
    };
    let mut compared = 0;
    for item in Inputs::open(&[file.path().to_path_buf()], options) {
        let Ok(Item::Record(record)) = item else {
            panic!("generated input gave {item:?}");
        };
        assert_eq!(record.undecoded_is_well_formed(), Some(true));
        assert!(matches!(record.decode(), Item::Record(_)));
        compared += 1;
    }
    assert_eq!(compared, 3000);
}
