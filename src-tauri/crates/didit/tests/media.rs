//! Invariant 2: no media URL, nor any string from a media field, survives the wire layer.
//! Every seeded decision is fetched raw and through the client; every string found in a media
//! field of the raw body must be absent from the serialized case summary.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

mod common;

use desk_core::model::case::CaseStatus;
use didit::SessionQuery;
use serde_json::Value;

/// Media and link fields of api-facts A8, by key name.
const MEDIA_KEYS: [&str; 22] = [
    "session_url",
    "url",
    "portrait_image",
    "front_image",
    "back_image",
    "front_video",
    "back_video",
    "full_front_image",
    "full_back_image",
    "front_image_camera_front",
    "back_image_camera_front",
    "extra_files",
    "match_image_url",
    "signature_image",
    "reference_image",
    "video_url",
    "source_image",
    "target_image",
    "document_file",
    "logo_path",
    "files",
    "portrait_image_url",
];

fn collect_media(value: &Value, under_media_key: bool, out: &mut Vec<String>) {
    match value {
        Value::String(s)
            if under_media_key || s.contains("X-Amz-Signature") || s.starts_with("http") =>
        {
            out.push(s.clone());
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_media(v, under_media_key, out)),
        Value::Object(map) => {
            for (k, v) in map {
                collect_media(v, under_media_key || MEDIA_KEYS.contains(&k.as_str()), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn no_seeded_media_string_survives_the_conversion() {
    let (sandbox, client) = common::start(200, common::unlimited(), |_| {}).await;
    let probe = sandbox.probe();

    let sessions = client
        .list_all_sessions(&SessionQuery {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        sessions.len() >= 220,
        "200 in review plus the others: {}",
        sessions.len()
    );
    assert_eq!(
        sessions
            .iter()
            .filter(|s| s.status == CaseStatus::InReview)
            .count(),
        200
    );

    let mut media_strings = 0;
    for item in &sessions {
        let raw = probe.decision(&item.case_id).await;
        let mut media = Vec::new();
        collect_media(&raw, false, &mut media);
        // A session that has not started has no feature results yet (null arrays), so no media.
        if item.status != CaseStatus::NotStarted {
            assert!(
                media.iter().any(|m| m.contains("X-Amz-Signature")),
                "seeded decisions carry presigned links"
            );
        }
        media_strings += media.len();

        let summary = client.decision(&item.case_id).await.unwrap();
        let text = serde_json::to_string(&summary).unwrap();
        for m in &media {
            assert!(
                !text.contains(m.as_str()),
                "session {}: {m} survived",
                item.case_id
            );
        }
        assert!(!text.contains("X-Amz-"), "session {}", item.case_id);
        assert!(
            !text.contains("://"),
            "no link of any kind in a summary: {}",
            item.case_id
        );
    }
    assert!(
        media_strings > 2000,
        "the test saw the media it claims to check: {media_strings}"
    );
}

#[test]
fn presigned_links_in_kept_fields_are_dropped_too() {
    let body = serde_json::json!({
        "session_id": "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00",
        "status": "In Review",
        "vendor_data": "https://evil.s3.amazonaws.com/x.jpg?X-Amz-Signature=abc",
        "reviews": [{"user": "API Client", "new_status": "Declined",
                     "comment": "see https://b.s3.amazonaws.com/p.jpg?X-Amz-Signature=ff", "created_at": "2026-01-01T00:00:00Z"}],
        "liveness_checks": [{"node_id": "n", "status": "In Review", "warnings": [{
            "feature": "LIVENESS", "risk": "POSSIBLE_DUPLICATED_FACE", "log_type": "warning",
            "short_description": "dup", "long_description": "dup",
            "additional_data": {"preview": "https://c.s3.amazonaws.com/q.png?X-Amz-Signature=1", "duplicated_session_number": 87}
        }]}],
        "document_images": ["https://d.s3.amazonaws.com/r.jpg?X-Amz-Signature=2"]
    });
    let summary = didit::parse_decision(body.to_string().as_bytes()).unwrap();
    let text = serde_json::to_string(&summary).unwrap();
    assert!(!text.contains("amazonaws"), "{text}");
    assert_eq!(
        summary.warnings[0]
            .context
            .get("duplicated_session_number")
            .map(String::as_str),
        Some("87")
    );
    assert_eq!(summary.vendor_data, None);
    assert_eq!(summary.reviews[0].comment, None);
}
