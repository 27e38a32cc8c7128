//! Invariant 6: bursts across scopes never exceed the documented quota at the sandbox's own
//! sliding-window counters. The window is shrunk to 2 s (same quotas shape) to keep the test short.

use std::sync::Arc;
use std::time::Duration;

use desk_core::case::CaseStatus;
use didit::{DiditClient, DiditConfig, RateLimits, SessionQuery};
use sandbox::{RateConfig, SandboxConfig};
use secrecy::SecretString;
use serde_json::Value;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_across_scopes_stay_within_every_window() {
    let server = RateConfig { window_ms: 2_000, generic_get: 20, generic_write: 10, decision: 8, dhmad: 100 };
    let sandbox = sandbox::start(SandboxConfig { sessions: 30, rate: server, ..SandboxConfig::default() }).await.unwrap();
    let mut config = DiditConfig::new(&sandbox.didit_url(), SecretString::from(sandbox.didit_key.clone())).unwrap();
    config.limits = RateLimits { window: Duration::from_secs(2), generic_get: 20, generic_write: 10, decision: 8 };
    // A refused request would be retried silently; forbid retries so any 429 fails the test.
    config.read_retries = 0;
    let client = Arc::new(DiditClient::new(config).unwrap());

    let ids: Vec<String> = client
        .list_all_sessions(&SessionQuery { statuses: vec![CaseStatus::InReview], limit: Some(30), ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.case_id)
        .collect();

    let mut tasks = JoinSet::new();
    for i in 0..24 {
        let (client, id) = (client.clone(), ids[i % ids.len()].clone());
        tasks.spawn(async move { client.decision(&id).await.map(|_| ()) });
    }
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move { client.list_sessions(&SessionQuery::default()).await.map(|_| ()) });
    }
    for i in 0..14 {
        let (client, id) = (client.clone(), ids[i % ids.len()].clone());
        tasks.spawn(async move { client.create_review(&id, &CaseStatus::InReview, Some("second look")).await.map(|_| ()) });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().expect("no request was refused");
    }

    let figures: Value = reqwest::get(format!("{}/_sandbox/rate", sandbox.base_url)).await.unwrap().json().await.unwrap();
    for (scope, minimum) in [("generic-get", 45), ("generic-write", 14), ("session-decision", 24)] {
        let f = &figures[scope];
        assert!(f["admitted"].as_u64().unwrap() >= minimum, "{scope}: {f}");
        assert_eq!(f["refused"], 0, "{scope}: {f}");
        assert!(f["peak"].as_u64().unwrap() <= f["limit"].as_u64().unwrap(), "{scope}: {f}");
    }
}
