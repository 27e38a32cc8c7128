//! The sandbox follows the Corrections in api-facts (verified against Didit's OpenAPI spec):
//! feature names, null feature arrays until a feature ran, a case-sensitive status filter, the
//! decision endpoint counted as a plain GET, the blocklist newest first and at least one flag,
//! and both documented answers to a repeated status.

#![allow(clippy::unwrap_used, clippy::panic)]

use sandbox::SandboxConfig;
use serde_json::{json, Value};

async fn post(sb: &sandbox::RunningSandbox, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(
            if path.contains("update-status") {
                reqwest::Method::PATCH
            } else {
                reqwest::Method::POST
            },
            format!("{}{path}", sb.base_url),
        )
        .header("x-api-key", &sb.didit_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_wire_follows_the_corrections() {
    let sb = sandbox::start(SandboxConfig {
        sessions: 60,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let probe = sb.probe();
    let all = probe.didit("/v3/sessions/?limit=200").await;
    let rows = all["results"].as_array().unwrap();

    // Feature names: EMAIL_VERIFICATION in list rows and in the decision's `features`.
    let names: Vec<&str> = rows
        .iter()
        .flat_map(|r| r["features"].as_array().unwrap().iter())
        .filter_map(|f| f["feature"].as_str())
        .collect();
    assert!(names.contains(&"EMAIL_VERIFICATION"), "{names:?}");
    assert!(!names.contains(&"EMAIL"));
    let tags: Vec<String> = {
        let mut tags = Vec::new();
        for r in rows.iter().take(60) {
            let d = probe.decision(r["session_id"].as_str().unwrap()).await;
            for key in ["poa_verifications", "email_verifications"] {
                for item in d[key].as_array().into_iter().flatten() {
                    for w in item["warnings"].as_array().into_iter().flatten() {
                        tags.push(w["feature"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
        }
        tags
    };
    assert!(tags.iter().all(|t| t != "POA" && t != "EMAIL"), "{tags:?}");

    // A session that has not started has null feature arrays.
    if let Some(fresh) = rows.iter().find(|r| r["status"] == "Not Started") {
        let d = probe.decision(fresh["session_id"].as_str().unwrap()).await;
        for key in ["id_verifications", "liveness_checks", "face_matches"] {
            assert!(d[key].is_null(), "{key}: {}", d[key]);
        }
    }

    // The status filter is case-sensitive; unknown values match nothing.
    assert_eq!(
        probe.didit("/v3/sessions/?status=in%20review").await["count"],
        0
    );
    assert_eq!(probe.didit("/v3/sessions/?status=Bogus").await["count"], 0);
    assert!(
        probe.didit("/v3/sessions/?status=In%20Review").await["count"]
            .as_u64()
            .unwrap()
            >= 60
    );

    // The decision endpoint counts against generic-get only.
    let rate = probe.read("rate").await;
    assert!(rate.get("session-decision").is_none(), "{rate}");
    assert!(rate["generic-get"]["admitted"].as_u64().unwrap() >= 60);

    // Blocklist: at least one flag; the list newest first.
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["session_id"].as_str().unwrap())
        .collect();
    let (status, body) = post(&sb, "/v3/blocklist/add/", json!({"session_id": ids[0]})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body
        .to_string()
        .contains("At least one blocklist_* flag must be true"));
    // A flag that is not a boolean refuses the whole request: the good flag beside it is not
    // applied either.
    let (status, body) = post(
        &sb,
        "/v3/blocklist/add/",
        json!({"session_id": ids[0], "blocklist_phone": true, "blocklist_email": "yes"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.to_string().contains("Must be a valid boolean"),
        "{body}"
    );
    let none = probe.didit("/v3/blocklist/?item_type=phone").await;
    assert_eq!(none["results"].as_array().unwrap().len(), 0, "{none}");
    for id in &ids[..3] {
        let (status, _) = post(
            &sb,
            "/v3/blocklist/add/",
            json!({"session_id": id, "blocklist_email": true}),
        )
        .await;
        assert_eq!(status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let list = probe.didit("/v3/blocklist/?item_type=email").await;
    let sources: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(sources, vec![ids[2], ids[1], ids[0]]);
}

#[tokio::test]
async fn a_repeated_status_answers_either_way_didit_documents() {
    let sb = sandbox::start(SandboxConfig {
        sessions: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let probe = sb.probe();
    let id = probe
        .didit("/v3/sessions/?status=In%20Review&limit=1")
        .await["results"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v3/session/{id}/update-status/");
    assert_eq!(
        post(&sb, &path, json!({"new_status": "Approved"})).await.0,
        200
    );
    let (status, body) = post(&sb, &path, json!({"new_status": "Approved"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!(["The new status is the same as the current status."])
        )
    );
    probe
        .control("faults", json!({"same_status_ok": true}))
        .await;
    let (status, _) = post(&sb, &path, json!({"new_status": "Approved"})).await;
    assert_eq!(status, 200);
    let updates = probe
        .ledger()
        .await
        .iter()
        .filter(|e| e["effect"] == "update-status")
        .count();
    assert_eq!(updates, 1, "a repeat changes nothing either way");
}
