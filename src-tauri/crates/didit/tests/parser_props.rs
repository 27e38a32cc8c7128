//! Property tests: the decision parser never panics, on arbitrary JSON nor on real-shaped
//! decisions with parts replaced or removed; whatever it accepts carries no media link.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use proptest::prelude::*;
use serde_json::{Map, Value};

const FIXTURE: &str = include_str!("fixtures/decision-v3-full.json");

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String(
            "https://x.s3.amazonaws.com/a.jpg?X-Amz-Signature=ab".into()
        )),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("session_id".to_owned()),
                    Just("status".to_owned()),
                    Just("warnings".to_owned()),
                    Just("id_verifications".to_owned()),
                    Just("liveness_checks".to_owned()),
                    Just("matches".to_owned()),
                    Just("additional_data".to_owned()),
                    Just("ip".to_owned()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Every path (object keys and array indexes) in a value.
fn paths(value: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(PathStep::Key(k.clone()));
                out.push(prefix.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                out.push(prefix.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn mutate(root: &mut Value, path: &[PathStep], replacement: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for step in parents {
        node = match (step, node) {
            (PathStep::Key(k), Value::Object(m)) => match m.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            (PathStep::Index(i), Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match (last, node, replacement) {
        (PathStep::Key(k), Value::Object(m), Some(v)) => {
            m.insert(k.clone(), v);
        }
        (PathStep::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (PathStep::Index(i), Value::Array(a), Some(v)) if *i < a.len() => a[*i] = v,
        (PathStep::Index(i), Value::Array(a), None) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

fn check(bytes: &[u8]) {
    if let Ok(summary) = didit::parse_decision(bytes) {
        let text = serde_json::to_string(&summary).expect("a summary always serializes");
        assert!(!text.contains("X-Amz-Signature"), "{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        check(value.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&bytes);
    }

    #[test]
    fn mutated_real_decisions_never_panic(
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::option::of(arb_json())), 1..6)
    ) {
        let mut decision: Value = serde_json::from_str(FIXTURE).unwrap();
        let mut all = Vec::new();
        paths(&decision, &mut Vec::new(), &mut all);
        for (index, replacement) in picks {
            let path = index.get(&all).clone();
            mutate(&mut decision, &path, replacement);
        }
        check(decision.to_string().as_bytes());
    }
}

#[test]
fn the_unmutated_fixture_parses_completely() {
    let summary = didit::parse_decision(FIXTURE.as_bytes()).unwrap();
    assert_eq!(
        summary.checks.len(),
        10,
        "one check per feature of the full workflow"
    );
    assert!(summary.warnings.len() >= 3);
    assert!(summary.documents[0].document_number.is_some());
}

#[test]
fn wrong_types_are_a_decode_error_naming_the_field() {
    let mut decision: Value = serde_json::from_str(FIXTURE).unwrap();
    decision["id_verifications"][0]["age"] = Value::String("thirty".into());
    let error = didit::parse_decision(decision.to_string().as_bytes()).unwrap_err();
    assert!(
        error.to_string().contains("id_verifications[0].age"),
        "{error}"
    );
    let error = didit::parse_decision(b"<html>502</html>").unwrap_err();
    assert!(matches!(error, didit::DiditError::Decode { .. }));
}

#[test]
fn legacy_distance_objects_and_unknown_fields_are_accepted() {
    let mut decision: Value = serde_json::from_str(FIXTURE).unwrap();
    decision["ip_analyses"][0]["ip"]["distance_from_id_document"] =
        serde_json::json!({"distance": 11.38, "direction": "S"});
    decision["brand_new_feature_checks"] =
        serde_json::json!([{"node_id": "x", "status": "Approved"}]);
    decision["liveness_checks"][0]["status"] = Value::String("Escalated To Human".into());
    decision["face_matches"] = Value::Null;
    let summary = didit::parse_decision(decision.to_string().as_bytes()).unwrap();
    assert_eq!(summary.ip[0].distance_from_document_km, Some(11.38));
    let liveness = summary
        .checks
        .iter()
        .find(|c| c.kind.as_str() == "LIVENESS")
        .unwrap();
    assert_eq!(liveness.status.as_str(), "Escalated To Human");
    assert!(!summary
        .checks
        .iter()
        .any(|c| c.kind.as_str() == "FACE_MATCH"));
}

/// The decision_parser fuzz target's committed corpus (`fuzz/seeds/decision_parser`), replayed
/// through the same check on every test run, so what the fuzzer once found stays fixed without
/// a nightly toolchain.
#[test]
fn the_fuzz_corpus_replays_clean() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../fuzz/seeds/decision_parser");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz seeds") {
        check(&std::fs::read(entry.expect("an entry").path()).expect("a seed"));
        replayed += 1;
    }
    assert!(replayed >= 4, "{replayed} seeds in {}", dir.display());
}
