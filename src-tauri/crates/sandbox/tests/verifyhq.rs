//! VerifyHQ as the sandbox serves it from seed 004: the five endpoints at the seed's paths,
//! X-API-Key auth, and the seed's rules (the active verification returned again, reviews only
//! from MANUAL_REVIEW or PENDING with all three fields, restart invalidates and starts anew,
//! `limit` at most 100), with the ledger, faults and rate limits the other APIs have.

#![allow(clippy::unwrap_used, clippy::panic)]

use sandbox::{RateConfig, SandboxConfig};
use serde_json::{json, Value};

struct Vhq {
    sb: sandbox::RunningSandbox,
    http: reqwest::Client,
}

impl Vhq {
    async fn start(rate: RateConfig) -> Self {
        let sb = sandbox::start(SandboxConfig {
            sessions: 40,
            rate,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        Self {
            sb,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sb.verifyhq_url()))
            .header("X-API-Key", &self.sb.verifyhq_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// A GET with `key` (None: no header), answered as it is.
    async fn raw_get(&self, path: &str, key: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.sb.verifyhq_url()));
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        request.send().await.unwrap()
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// The current verification of `user` (newest first).
    async fn current(&self, user: &str) -> Value {
        let (status, page) = self
            .get(&format!("/verifications/identity/user/{user}"))
            .await;
        assert_eq!(status, 200, "{page}");
        page["data"][0].clone()
    }
}

#[tokio::test]
async fn every_endpoint_follows_the_seed() {
    let vhq = Vhq::start(RateConfig::default()).await;

    // Auth: the sandbox's own key in X-API-Key, nothing else.
    let bare = vhq.raw_get("/verifications/identity/ver_x", None).await;
    assert_eq!(bare.status().as_u16(), 401);
    let body: Value = bare.json().await.unwrap();
    assert_eq!(
        (body["statusCode"].as_u64(), body["error"].as_str()),
        (Some(401), Some("Unauthorized"))
    );
    let wrong = vhq
        .raw_get("/verifications/identity/ver_x", Some(&vhq.sb.didit_key))
        .await;
    assert_eq!(
        wrong.status().as_u16(),
        401,
        "Didit's key is not VerifyHQ's"
    );

    // Seeded users wait in MANUAL_REVIEW, with the steps their tier runs.
    let waiting = vhq.current("vhq_user_0001").await;
    assert_eq!(waiting["status"], "MANUAL_REVIEW", "{waiting}");
    assert_eq!(waiting["tier"], "BASIC");
    assert!(waiting["steps"]["document"].is_string() && waiting["steps"].get("liveness").is_none());
    let enhanced = vhq.current("vhq_user_0003").await;
    assert_eq!(enhanced["tier"], "ENHANCED");
    assert!(enhanced["steps"]["sanctions"].is_string(), "{enhanced}");
    let id = waiting["id"].as_str().unwrap().to_owned();
    let (status, one) = vhq.get(&format!("/verifications/identity/{id}")).await;
    assert_eq!((status, one["id"].as_str()), (200, Some(id.as_str())));
    let (status, missing) = vhq.get("/verifications/identity/ver_nothere").await;
    assert_eq!(status, 404, "{missing}");

    // Start: a new one is created (201); while it is active the same one comes back.
    let (status, started) = vhq
        .post(
            "/verifications/identity",
            json!({"userId": "new_user_1", "tier": "STANDARD"}),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(
        (started["status"].as_str(), started["tier"].as_str()),
        (Some("PENDING"), Some("STANDARD"))
    );
    assert_eq!(
        started["steps"],
        json!({"document": "PENDING", "liveness": "PENDING"})
    );
    let (status, again) = vhq
        .post("/verifications/identity", json!({"userId": "new_user_1"}))
        .await;
    assert_eq!(
        (status, &again["id"]),
        (200, &started["id"]),
        "one active verification per user"
    );
    let (status, _) = vhq
        .post("/verifications/identity", json!({"tier": "BASIC"}))
        .await;
    assert_eq!(status, 400, "userId is required");
    let (status, _) = vhq
        .post(
            "/verifications/identity",
            json!({"userId": "u", "tier": "GOLD"}),
        )
        .await;
    assert_eq!(status, 400);
    let (_, basic) = vhq
        .post("/verifications/identity", json!({"userId": "new_user_2"}))
        .await;
    assert_eq!(basic["tier"], "BASIC", "the default tier");

    // Review: all three fields, a known decision, only from MANUAL_REVIEW or PENDING.
    let review = |decision: &str, by: &str, notes: &str| json!({"decision": decision, "reviewedBy": by, "reviewNotes": notes});
    let path = format!("/verifications/identity/{id}/review");
    for (body, why) in [
        (
            json!({"decision": "VERIFIED", "reviewedBy": "Amira"}),
            "reviewNotes is required",
        ),
        (
            json!({"decision": "VERIFIED", "reviewNotes": "ok"}),
            "reviewedBy is required",
        ),
        (
            json!({"reviewedBy": "Amira", "reviewNotes": "ok"}),
            "decision is required",
        ),
        (
            review("APPROVED", "Amira", "ok"),
            "decision must be one of VERIFIED, REJECTED",
        ),
        (
            review("VERIFIED", "Amira", "   "),
            "reviewNotes is required",
        ),
    ] {
        let (status, answer) = vhq.post(&path, body).await;
        assert_eq!(
            (status, answer["message"].as_str()),
            (400, Some(why)),
            "{answer}"
        );
    }
    let (status, reviewed) = vhq
        .post(
            &path,
            review(
                "VERIFIED",
                "Amira Ben Salah <amira@dhmad.tn>",
                "Document checked by hand · وثيقة",
            ),
        )
        .await;
    assert_eq!(
        (status, reviewed["status"].as_str()),
        (200, Some("VERIFIED")),
        "{reviewed}"
    );
    assert_eq!(reviewed["reviewedBy"], "Amira Ben Salah <amira@dhmad.tn>");
    assert!(reviewed["completedAt"].is_string());
    let (status, twice) = vhq.post(&path, review("REJECTED", "Youssef", "no")).await;
    assert_eq!(
        status, 409,
        "a decided verification is not reviewed again: {twice}"
    );
    // A PENDING one may be reviewed too.
    let pending = format!(
        "/verifications/identity/{}/review",
        basic["id"].as_str().unwrap()
    );
    assert_eq!(
        vhq.post(&pending, review("REJECTED", "Amira", "blurred"))
            .await
            .0,
        200
    );

    // Restart: the verification is invalidated and a new one starts for the same user and tier.
    let other = vhq.current("vhq_user_0002").await;
    let old = other["id"].as_str().unwrap().to_owned();
    let (status, fresh) = vhq
        .post(&format!("/verifications/identity/{old}/restart"), json!({}))
        .await;
    assert_eq!(status, 201, "{fresh}");
    assert_ne!(fresh["id"].as_str(), Some(old.as_str()));
    assert_eq!(
        (fresh["status"].as_str(), &fresh["tier"]),
        (Some("PENDING"), &other["tier"])
    );
    let (_, invalidated) = vhq.get(&format!("/verifications/identity/{old}")).await;
    assert_eq!(
        (
            invalidated["status"].as_str(),
            &invalidated["invalidatedBy"]
        ),
        (Some("EXPIRED"), &fresh["id"])
    );
    assert_eq!(
        vhq.post(&format!("/verifications/identity/{old}/restart"), json!({}))
            .await
            .0,
        409
    );
    assert_eq!(
        vhq.post("/verifications/identity/ver_nothere/restart", json!({}))
            .await
            .0,
        404
    );

    // Lists: newest first, paged, limit at most 100.
    let (_, listed) = vhq
        .get("/verifications/identity/user/vhq_user_0002?page=1&limit=1")
        .await;
    assert_eq!(
        (listed["total"].as_u64(), listed["limit"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(listed["data"][0]["id"], fresh["id"]);
    let (_, second) = vhq
        .get("/verifications/identity/user/vhq_user_0002?page=2&limit=1")
        .await;
    assert_eq!(second["data"][0]["id"].as_str(), Some(old.as_str()));
    assert_eq!(
        vhq.get("/verifications/identity/user/vhq_user_0002?limit=101")
            .await
            .0,
        400
    );
    assert_eq!(
        vhq.get("/verifications/identity/user/vhq_user_0002?page=0")
            .await
            .0,
        400
    );
    let (_, nobody) = vhq.get("/verifications/identity/user/nobody").await;
    assert_eq!(
        (
            nobody["total"].as_u64(),
            nobody["data"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );

    // Every effect is in the ledger, with who reviewed.
    let ledger = vhq.sb.probe().ledger().await;
    let effects: Vec<(&str, &str)> = ledger
        .iter()
        .filter(|e| e["api"] == "verifyhq")
        .map(|e| (e["effect"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    assert!(
        effects.contains(&("review VERIFIED", id.as_str())),
        "{effects:?}"
    );
    assert!(effects.contains(&("restart", old.as_str())), "{effects:?}");
    assert_eq!(
        effects
            .iter()
            .filter(|(e, _)| e.starts_with("review"))
            .count(),
        2
    );
    let reviewed = ledger
        .iter()
        .find(|e| e["effect"] == "review VERIFIED")
        .unwrap();
    assert_eq!(reviewed["actor"], "Amira Ben Salah <amira@dhmad.tn>");
}

#[tokio::test]
async fn faults_and_rate_limits_reach_verifyhq_too() {
    let vhq = Vhq::start(RateConfig {
        verifyhq: 3,
        ..RateConfig::default()
    })
    .await;
    let probe = vhq.sb.probe();
    probe
        .control("faults", json!({"fail_next": 1, "fail_status": 503}))
        .await;
    let (status, body) = vhq.get("/verifications/identity/user/vhq_user_0001").await;
    assert_eq!(
        (status, body["statusCode"].as_u64()),
        (503, Some(503)),
        "{body}"
    );
    // The failed request was refused before counting; three are admitted, the fourth waits.
    for _ in 0..3 {
        assert_eq!(
            vhq.get("/verifications/identity/user/vhq_user_0001")
                .await
                .0,
            200
        );
    }
    let throttled = vhq
        .raw_get(
            "/verifications/identity/user/vhq_user_0001",
            Some(&vhq.sb.verifyhq_key),
        )
        .await;
    assert_eq!(throttled.status().as_u16(), 429);
    assert!(throttled.headers().get("retry-after").is_some());
    // A lost answer: the review is applied (in the ledger) though the client never hears.
    let waiting = Vhq::start(RateConfig::default()).await;
    let id = waiting.current("vhq_user_0001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    waiting
        .sb
        .probe()
        .control("faults", json!({"lose_response_next": 1}))
        .await;
    let lost = waiting
        .http
        .post(format!(
            "{}/verifications/identity/{id}/review",
            waiting.sb.verifyhq_url()
        ))
        .header("X-API-Key", &waiting.sb.verifyhq_key)
        .json(&json!({"decision": "REJECTED", "reviewedBy": "Amira", "reviewNotes": "forged"}))
        .send()
        .await;
    let heard = match lost {
        Ok(r) => r.bytes().await.is_ok(),
        Err(_) => false,
    };
    assert!(!heard, "the answer was lost");
    let (_, after) = waiting.get(&format!("/verifications/identity/{id}")).await;
    assert_eq!(after["status"], "REJECTED", "yet the review was applied");
}
