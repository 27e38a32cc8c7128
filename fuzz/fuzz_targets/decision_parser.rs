//! Any bytes as a Didit decision: parsed to a summary or an error, never a panic, and a summary
//! never carries a media link.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(summary) = didit::parse_decision(data) {
        let text = serde_json::to_string(&summary).expect("a summary always serializes");
        assert!(!text.contains("X-Amz-Signature"), "a media link in {text}");
    }
});
