//! The VerifyHQ client against the sandbox, which is written from seed 004 independently (it
//! shares no types with this crate): every endpoint, the typed errors, reads retried through
//! a 503 and a 429, a review never resent, a lost answer reported as "outcome unknown".

#![allow(clippy::unwrap_used, clippy::panic)]

use sandbox::SandboxConfig;
use secrecy::SecretString;
use serde_json::json;
use verifyhq::{Decision, Tier, VerifyHqClient, VerifyHqConfig, VerifyHqError};

async fn setup() -> (sandbox::RunningSandbox, VerifyHqClient) {
    let sb = sandbox::start(SandboxConfig {
        sessions: 60,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut config = VerifyHqConfig::new(
        &sb.verifyhq_url(),
        SecretString::from(sb.verifyhq_key.clone()),
    )
    .unwrap();
    config.endpoint.read_retries = 2;
    let client = VerifyHqClient::new(config).unwrap();
    (sb, client)
}

fn reviews_in_ledger(ledger: &[serde_json::Value], id: &str) -> usize {
    ledger
        .iter()
        .filter(|e| e["api"] == "verifyhq" && e["target"] == id)
        .filter(|e| e["effect"].as_str().unwrap_or("").starts_with("review"))
        .count()
}

#[tokio::test]
async fn every_endpoint_reads_and_writes_as_the_seed_says() {
    let (sb, vhq) = setup().await;
    assert_eq!(vhq.budget(), (100, 100), "nothing sent yet");

    let page = vhq.user_page("vhq_user_0001", 1, 20).await.unwrap();
    assert_eq!(vhq.budget(), (99, 100), "each request counts");
    assert_eq!(page.total, Some(1));
    let waiting = &page.items[0];
    assert!(waiting.in_manual_review(), "{waiting:?}");
    assert_eq!(waiting.tier.as_deref(), Some("BASIC"));
    assert!(waiting.steps.contains_key("document"));
    let same = vhq.get(&waiting.id).await.unwrap();
    assert_eq!(&same, waiting);
    let all = vhq.user_verifications("vhq_user_0005", 5).await.unwrap();
    assert_eq!(
        all.len(),
        2,
        "a rejected one before the current one: {all:?}"
    );

    let (started, new) = vhq.start("dhmad_user_77", Tier::Enhanced).await.unwrap();
    assert!(new && started.status == "PENDING");
    assert_eq!(started.steps.len(), 3);
    let (again, new) = vhq.start("dhmad_user_77", Tier::Basic).await.unwrap();
    assert!(!new && again.id == started.id, "the active one comes back");

    let reviewed = vhq
        .review(
            &waiting.id,
            Decision::Verified,
            "Amira Ben Salah <amira@dhmad.tn>",
            "ok · Document checked by hand [Review Desk · a7f3c2]",
        )
        .await
        .unwrap();
    assert_eq!(reviewed.status, "VERIFIED");
    assert_eq!(
        reviewed.reviewed_by.as_deref(),
        Some("Amira Ben Salah <amira@dhmad.tn>")
    );
    let twice = vhq
        .review(&waiting.id, Decision::Rejected, "Youssef", "no")
        .await
        .unwrap_err();
    assert!(matches!(twice, VerifyHqError::Conflict { .. }), "{twice}");

    let other = &vhq.user_page("vhq_user_0002", 1, 1).await.unwrap().items[0];
    let fresh = vhq.restart(&other.id).await.unwrap();
    assert!(fresh.id != other.id && fresh.status == "PENDING");
    assert_eq!(vhq.get(&other.id).await.unwrap().status, "EXPIRED");

    let missing = vhq.get("ver_nothere").await.unwrap_err();
    assert!(
        matches!(missing, VerifyHqError::NotFound { .. }),
        "{missing}"
    );
    // Refused before anything is sent.
    for bad in [
        vhq.review(&other.id, Decision::Verified, "Amira", " ")
            .await,
        vhq.review("../admin", Decision::Verified, "Amira", "x")
            .await,
    ] {
        assert!(
            matches!(bad, Err(VerifyHqError::InvalidInput(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        vhq.user_page("u", 1, 101).await,
        Err(VerifyHqError::InvalidInput(_))
    ));
    let ledger = sb.probe().ledger().await;
    assert_eq!(reviews_in_ledger(&ledger, &waiting.id), 1);

    // A wrong key is its own error.
    let wrong = VerifyHqClient::new(
        VerifyHqConfig::new(
            &sb.verifyhq_url(),
            SecretString::from("vhq_wrong".to_owned()),
        )
        .unwrap(),
    )
    .unwrap();
    let refused = wrong.get(&waiting.id).await.unwrap_err();
    assert!(
        matches!(refused, VerifyHqError::Unauthorized { .. }),
        "{refused}"
    );
}

#[tokio::test]
async fn reads_retry_writes_do_not_and_a_lost_answer_is_an_unknown_outcome() {
    let (sb, vhq) = setup().await;
    let probe = sb.probe();
    let id = vhq.user_page("vhq_user_0001", 1, 1).await.unwrap().items[0]
        .id
        .clone();

    // A read goes through a 503 and a 429 (with Retry-After).
    probe
        .control("faults", json!({"fail_next": 1, "fail_status": 503}))
        .await;
    assert!(vhq.get(&id).await.is_ok());
    probe
        .control("faults", json!({"throttle_next": 1, "retry_after_secs": 1}))
        .await;
    assert!(vhq.get(&id).await.is_ok());

    // A review that meets a 503 is not resent: nothing applied, the error says so.
    probe
        .control("faults", json!({"fail_next": 1, "fail_status": 503}))
        .await;
    let failed = vhq
        .review(&id, Decision::Rejected, "Amira", "forged")
        .await
        .unwrap_err();
    assert!(
        matches!(failed, VerifyHqError::Server { status: 503, .. }),
        "{failed}"
    );
    assert_eq!(reviews_in_ledger(&probe.ledger().await, &id), 0);

    // Applied, answer lost: the client cannot know, and says so; the verification tells.
    probe
        .control("faults", json!({"lose_response_next": 1}))
        .await;
    let lost = vhq
        .review(&id, Decision::Rejected, "Amira", "forged")
        .await
        .unwrap_err();
    assert!(lost.outcome_unknown(), "{lost}");
    assert_eq!(reviews_in_ledger(&probe.ledger().await, &id), 1);
    assert_eq!(vhq.get(&id).await.unwrap().status, "REJECTED");
}
