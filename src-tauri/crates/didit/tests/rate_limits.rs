//! Invariant 6: bursts across scopes never exceed the documented quota at the sandbox's own
//! sliding-window counters. The window is shrunk to 2 s (same quotas shape) to keep the test short.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

mod common;

use desk_core::model::case::CaseStatus;
use didit::SessionQuery;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_across_scopes_stay_within_every_window() {
    // A refused request would be retried silently; forbid retries so any 429 fails the test.
    let (sandbox, client) =
        common::start(30, common::limits(Duration::from_secs(2), 20, 10), |c| {
            c.read_retries = 0
        })
        .await;
    let client = Arc::new(client);

    let ids: Vec<String> = client
        .list_all_sessions(&SessionQuery {
            statuses: vec![CaseStatus::InReview],
            limit: Some(30),
            ..Default::default()
        })
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
        tasks.spawn(async move {
            client
                .list_sessions(&SessionQuery::default())
                .await
                .map(|_| ())
        });
    }
    for i in 0..14 {
        let (client, id) = (client.clone(), ids[i % ids.len()].clone());
        tasks.spawn(async move {
            client
                .create_review(&id, &CaseStatus::InReview, Some("second look"))
                .await
                .map(|_| ())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().expect("no request was refused");
    }

    let figures = sandbox.probe().read("rate").await;
    // Decisions are plain GETs (api-facts Corrections 1): 24 decisions + 20 lists + the first
    // list all count against generic-get, and nothing counts against a decision scope.
    assert!(figures.get("session-decision").is_none(), "{figures}");
    for (scope, minimum) in [("generic-get", 45), ("generic-write", 14)] {
        let f = &figures[scope];
        assert!(f["admitted"].as_u64().unwrap() >= minimum, "{scope}: {f}");
        assert_eq!(f["refused"], 0, "{scope}: {f}");
        assert!(
            f["peak"].as_u64().unwrap() <= f["limit"].as_u64().unwrap(),
            "{scope}: {f}"
        );
    }
}
