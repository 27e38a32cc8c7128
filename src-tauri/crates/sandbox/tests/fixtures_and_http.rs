//! The sandbox over HTTP: fixtures served as they are, authentication, pagination links, and
//! the documented error shapes.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::path::PathBuf;

use sandbox::SandboxConfig;
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[tokio::test]
async fn a_fixture_decision_is_served_as_is_and_takes_status_updates() {
    let sb = sandbox::start(SandboxConfig {
        sessions: 5,
        fixtures: Some(fixtures()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let id = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
    let served = sb.probe().decision(id).await;
    let original: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("reported-case.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(served, original);

    let list = sb
        .probe()
        .didit("/v3/sessions/?vendor_data=dhmad-user-reported")
        .await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["session_number"], 77001);

    let answer = http
        .patch(format!("{}/v3/session/{id}/update-status/", sb.base_url))
        .header("x-api-key", &sb.didit_key)
        .json(&json!({"new_status": "Approved", "comment": "fixture approved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"session_id": id, "session_kind": "user"})
    );
    let served = sb.probe().decision(id).await;
    assert_eq!(served["status"], "Approved");
    assert_eq!(served["reviews"][0]["comment"], "fixture approved");
}

#[tokio::test]
async fn a_bad_fixture_directory_is_a_clear_error() {
    let missing = sandbox::start(SandboxConfig {
        fixtures: Some(PathBuf::from("/nonexistent/fixtures")),
        ..SandboxConfig::default()
    })
    .await;
    assert!(matches!(
        missing,
        Err(sandbox::SandboxError::Fixture { .. })
    ));
    let too_many = sandbox::start(SandboxConfig {
        sessions: 100_001,
        ..SandboxConfig::default()
    })
    .await;
    assert!(matches!(
        too_many,
        Err(sandbox::SandboxError::TooManySessions(100_001))
    ));
}

#[tokio::test]
async fn authentication_pagination_and_error_shapes_follow_the_documentation() {
    let sb = sandbox::start(SandboxConfig {
        sessions: 30,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let list = format!("{}/v3/sessions/?status=In%20Review&limit=10", sb.base_url);

    let missing = http.get(&list).send().await.unwrap();
    assert_eq!(missing.status(), 403);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"detail": "Authentication credentials were not provided."})
    );

    let page = sb
        .probe()
        .didit("/v3/sessions/?status=In%20Review&limit=10")
        .await;
    assert_eq!(page["count"], 30);
    assert_eq!(page["results"].as_array().unwrap().len(), 10);
    let next = page["next"].as_str().unwrap();
    assert!(
        next.starts_with(&sb.base_url)
            && next.contains("offset=10")
            && next.contains("status=In%20Review"),
        "{next}"
    );
    let first = page["results"][0]["session_number"].as_i64().unwrap();
    let second = page["results"][1]["session_number"].as_i64().unwrap();
    assert!(first > second, "newest first");

    let patch = |body: Value| {
        let id = page["results"][0]["session_id"]
            .as_str()
            .unwrap()
            .to_owned();
        http.patch(format!("{}/v3/session/{id}/update-status/", sb.base_url))
            .header("x-api-key", &sb.didit_key)
            .json(&body)
            .send()
    };
    let bad = patch(json!({"new_status": "Pending"})).await.unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap(),
        json!({"new_status": ["\"Pending\" is not a valid choice."]})
    );
    let bad = patch(
        json!({"new_status": "Declined", "send_email": true, "email_address": "not-an-email"}),
    )
    .await
    .unwrap();
    assert_eq!(
        bad.json::<Value>().await.unwrap(),
        json!({"email_address": ["Enter a valid email address."]})
    );

    let throttled = {
        sb.probe()
            .control("faults", json!({"throttle_next": 1, "retry_after_secs": 4}))
            .await;
        http.get(&list)
            .header("x-api-key", &sb.didit_key)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(throttled.status(), 429);
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    ] {
        assert!(throttled.headers().contains_key(header), "{header}");
    }
    assert_eq!(throttled.headers()["retry-after"], "4");
}

#[tokio::test]
async fn decisions_count_against_the_documented_get_quota_per_key() {
    let sb = sandbox::start(SandboxConfig {
        sessions: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let page = sb.probe().didit("/v3/sessions/").await;
    let id = page["results"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/v3/session/{id}/decision/", sb.base_url);
    // The list above was GET number 1; decisions are plain GETs (api-facts Corrections 1).
    for _ in 0..599 {
        assert_eq!(
            http.get(&url)
                .header("x-api-key", &sb.didit_key)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let refused = http
        .get(&url)
        .header("x-api-key", &sb.didit_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        429,
        "the 601st GET in a minute is refused"
    );
    assert_eq!(refused.headers()["x-ratelimit-limit"], "600");
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
}
