//! Any bytes as the arguments the window sends with a decision, a blocklist change or an AML
//! review, or as a case id, an email or a lookup: decoded and judged, never a panic; a decision
//! that validates has a valid case id.
#![no_main]

use desk_core::model::request::{validate_case_id, validate_email, AmlRequest, DecisionRequest};
use desk_core::lookup::LookupQuery;
use desk_core::outbox::BlocklistRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<DecisionRequest>(data) {
        if request.validate().is_ok() {
            assert!(validate_case_id(&request.case_id).is_ok());
        }
    }
    if let Ok(request) = serde_json::from_slice::<BlocklistRequest>(data) {
        let _ = (
            validate_case_id(&request.case_id),
            request.items().is_empty(),
        );
    }
    if let Ok(request) = serde_json::from_slice::<AmlRequest>(data) {
        let _ = request.validate();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = (
            validate_case_id(text),
            validate_email(text),
            LookupQuery::parse(text),
        );
    }
});
