//! The text requirement a plan derives for readers: what it contains, and
//! that skipping records which fail it never changes a result.

use std::collections::HashMap;

use sumoql_engine::{compile, Execution, Plan, Record, Requirement, ResultTable, Value};
use sumoql_syntax::parse_query;

struct TestRecord(HashMap<String, Value>);

impl Record for TestRecord {
    fn field(&self, lowercase_name: &str) -> Option<Value> {
        self.0.get(lowercase_name).cloned()
    }
}

fn raw_record(raw: &str, event_id: &str) -> TestRecord {
    let mut fields = HashMap::new();
    fields.insert("_raw".to_string(), Value::text(raw));
    fields.insert("eventid".to_string(), Value::text(event_id));
    TestRecord(fields)
}

fn plan(query: &str) -> Plan {
    compile(&parse_query(query).unwrap()).unwrap()
}

/// Records provide `EventID` and metadata, as the readers do.
fn provides(name: &str) -> bool {
    name == "eventid" || name.starts_with('_')
}

fn requirement(query: &str) -> Requirement {
    plan(query).raw_requirement(&provides)
}

fn contains(text: &str) -> Requirement {
    Requirement::Contains(text.to_string())
}

fn run(plan: &Plan, records: &[&TestRecord]) -> ResultTable {
    let mut execution = Execution::new(plan);
    for record in records {
        execution.push(*record);
    }
    execution
        .finish()
        .expect("the run stays within the group limit")
}

#[test]
fn matches_pieces_become_texts() {
    let query = r#"| parse "<Image>*</Image>" as image nodrop | where image matches "*\\cmd.exe" or image matches "C:\\*\\pwsh*""#;
    let expected = Requirement::AnyOf(vec![
        contains("\\cmd.exe"),
        Requirement::AllOf(vec![contains("C:\\"), contains("\\pwsh")]),
    ]);
    assert_eq!(requirement(query), expected);
}

#[test]
fn equality_and_in_become_texts() {
    let query = r#"| parse "u=*;" as user | where user = "root" and user in ("a", "b")"#;
    let expected = Requirement::AllOf(vec![
        contains("root"),
        Requirement::AnyOf(vec![contains("a"), contains("b")]),
    ]);
    assert_eq!(requirement(query), expected);
}

#[test]
fn negation_and_numbers_give_nothing() {
    assert_eq!(
        requirement(r#"| parse "p=*;" as p | where !(p matches "*x*")"#),
        Requirement::Always
    );
    assert_eq!(
        requirement(r#"| parse "p=*;" as p | where num(p) != 80"#),
        Requirement::Always
    );
    assert_eq!(requirement("| where EventID = 1"), Requirement::Always);
}

#[test]
fn fields_from_records_give_nothing() {
    // A failed `nodrop` parse keeps the record's own EventID, which need
    // not occur in `_raw`.
    let query = r#"| parse "id=*;" as EventID nodrop | where EventID = "4688""#;
    assert_eq!(requirement(query), Requirement::Always);
    assert_eq!(
        requirement(r#"| where _sourceHost = "web01""#),
        Requirement::Always
    );
}

#[test]
fn copies_keep_their_origin() {
    let query = r#"| parse "i=*;" as image | image as child | where child matches "*.exe""#;
    assert_eq!(requirement(query), contains(".exe"));
    let computed =
        r#"| parse "i=*;" as image | toLowerCase(image) as child | where child matches "*.exe""#;
    assert_eq!(requirement(computed), Requirement::Always);
}

#[test]
fn union_branches_combine_with_any() {
    let query =
        r#"| parse "a=*;" as a | where a = "x" | union [ * | parse "b=*;" as b | where b = "y" ]"#;
    assert_eq!(
        requirement(query),
        Requirement::AnyOf(vec![contains("x"), contains("y")])
    );
    let open = r#"| parse "a=*;" as a | where a = "x" | union [ * | where EventID = 3 ]"#;
    assert_eq!(requirement(open), Requirement::Always);
}

#[test]
fn requirement_stops_at_aggregate() {
    let query = r#"| parse "a=*;" as a | count by a | where a = "x""#;
    assert_eq!(requirement(query), Requirement::Always);
}

#[test]
fn shipped_query_requires_a_program_name() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../queries/t1204_005_malicious_library.sumo"
    ))
    .unwrap();
    let requirement = plan(&text).raw_requirement(&provides);
    let texts = requirement.texts();
    for expected in [
        "\\pip.exe",
        "\\cmd.exe",
        "\\python.exe",
        "\\node.exe",
        ".ps1",
        "AppData\\Local\\Temp\\",
    ] {
        assert!(
            texts.contains(&expected),
            "{expected} missing from {texts:?}"
        );
    }
    assert!(!requirement.holds(&mut |_| false));
}

/// Skipping the records that fail the requirement must not change the result.
#[test]
fn skipping_failed_records_keeps_results() {
    let queries = [
        r#"| parse "<Image>*</Image>" as image nodrop | parse "<Parent>*</Parent>" as parent nodrop | where image matches "*\\cmd.exe" and (parent matches "*\\pip.exe" or parent = "npm") | count by image"#,
        r#"| parse "<Image>*</Image>" as image | where image in ("a.exe", "b.exe") | union [ * | parse "<Port>*</Port>" as port | where port = "4444" ] | count by image, port"#,
        r#"| parse regex "<Image>(?<image>[^<]*)</Image>" nodrop | where contains(image, "temp") | fields image"#,
    ];
    let raws = [
        "<Image>C:\\cmd.exe</Image><Parent>C:\\pip.exe</Parent>",
        "<Image>C:\\cmd.exe</Image><Parent>npm</Parent>",
        "<Image>C:\\cmd.exe</Image><Parent>C:\\explorer.exe</Parent>",
        "<Image>a.exe</Image><Port>80</Port>",
        "<Image>c.exe</Image><Port>4444</Port>",
        "<Image>C:\\temp\\x.exe</Image>",
        "no fields at all",
        "<Image>b.exe</Image>",
    ];
    let records: Vec<TestRecord> = raws.iter().map(|raw| raw_record(raw, "1")).collect();

    for query in queries {
        let plan = plan(query);
        let requirement = plan.raw_requirement(&provides);
        let all: Vec<&TestRecord> = records.iter().collect();
        let kept: Vec<&TestRecord> = records
            .iter()
            .zip(raws)
            .filter(|(_, raw)| requirement.holds(&mut |text| raw.contains(text)))
            .map(|(record, _)| record)
            .collect();
        assert!(
            kept.len() < all.len(),
            "the requirement of {query} skips nothing"
        );
        assert_eq!(run(&plan, &kept), run(&plan, &all), "{query}");
    }
}

#[test]
fn restrict_drops_untestable_texts() {
    let requirement = Requirement::AllOf(vec![
        contains("a<b"),
        Requirement::AnyOf(vec![contains("x"), contains("y&")]),
    ]);
    let testable = requirement.restrict(&|text| !text.contains(['<', '&']));
    assert_eq!(testable, Requirement::Always);
    let partly = Requirement::AllOf(vec![contains("a<b"), contains("z")])
        .restrict(&|text| !text.contains('<'));
    assert_eq!(partly, contains("z"));
}
