//! Decision parse + domain conversion of a ~60 KB v3 decision against a plain
//! `serde_json::from_slice::<Value>` of the same bytes. Target: within 2x. Prints figures;
//! run with `cargo bench -p didit --bench decision_parse`.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::Value;

const FIXTURE: &str = include_str!("../tests/fixtures/decision-v3-full.json");

/// The fixture, grown to about 60 KB with more AML hits and liveness matches, as a busy case has.
fn sixty_kb_decision() -> Vec<u8> {
    let mut decision: Value = serde_json::from_str(FIXTURE).expect("fixture parses");
    let hit = serde_json::json!({
        "id": "ent-7f3a", "caption": "Mohamed Ben Ali Al-Sayed", "url": "https://sanctions.example.org/entity/7f3a",
        "match_score": 91.5, "risk_score": 84.0, "review_status": "Unreviewed", "datasets": ["PEP", "Sanctions"],
        "pep_matches": [{"source": "gov", "position": "Minister", "country": "TN"}], "sanction_matches": [], "warning_matches": [],
        "adverse_media_matches": [{"title": "Local news", "date": "2025-02-01"}],
        "risk_view": {"categories": ["pep"], "countries": ["TN"], "crimes": []},
        "properties": {"name": ["محمد بن علي"], "birthDate": ["1970-01-01"], "image": ["https://x.s3.amazonaws.com/e.jpg?X-Amz-Signature=aa"]},
        "first_seen": "2024-02-01T00:00:00Z", "last_seen": "2026-10-20T00:00:00Z"
    });
    loop {
        let bytes = serde_json::to_vec(&decision).expect("serializes");
        if bytes.len() >= 60_000 {
            return bytes;
        }
        if let Some(hits) = decision["aml_screenings"][0]["hits"].as_array_mut() {
            hits.push(hit.clone());
        }
    }
}

fn measure(label: &str, iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        f();
    }
    let mut samples = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        samples.push(start.elapsed() / iterations);
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    println!(
        "{label:<44} median {:>9.1} µs   (p10 {:>7.1} µs, p90 {:>7.1} µs)",
        median.as_secs_f64() * 1e6,
        samples[1].as_secs_f64() * 1e6,
        samples[13].as_secs_f64() * 1e6
    );
    median
}

fn main() {
    let bytes = sixty_kb_decision();
    println!("decision body: {} bytes", bytes.len());
    let value = measure("serde_json::from_slice::<Value>", 400, || {
        black_box(serde_json::from_slice::<Value>(black_box(&bytes)).expect("json"));
    });
    let ours = measure("didit::parse_decision (parse + domain)", 400, || {
        black_box(didit::parse_decision(black_box(&bytes)).expect("decision"));
    });
    let ratio = ours.as_secs_f64() / value.as_secs_f64();
    println!(
        "ratio parse_decision / Value: {ratio:.2}x (target: within 2x) {}",
        if ratio <= 2.0 { "OK" } else { "OVER TARGET" }
    );
}
