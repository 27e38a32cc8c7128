//! DHMAD client against the sandbox over loopback: lookups, invites, every documented error.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use dhmad::{DhmadClient, DhmadConfig, DhmadError, Invite, KeyEnvironment};
use sandbox::{RunningSandbox, SandboxConfig};
use secrecy::SecretString;
use serde_json::json;

async fn rig() -> (RunningSandbox, DhmadClient) {
    let sandbox = sandbox::start(SandboxConfig {
        sessions: 40,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let config = DhmadConfig::new(
        &sandbox.dhmad_url(),
        SecretString::from(sandbox.dhmad_key.clone()),
    )
    .unwrap();
    assert_eq!(config.environment(), Some(KeyEnvironment::Sandbox));
    let client = DhmadClient::new(config).unwrap();
    (sandbox, client)
}

/// Emails of seeded people, from the Didit side of the same sandbox.
async fn seeded_emails(sandbox: &RunningSandbox) -> Vec<String> {
    let probe = sandbox.probe();
    let page = probe.didit("/v3/sessions/?limit=100").await;
    let mut emails = Vec::new();
    for row in page["results"].as_array().unwrap() {
        let decision = probe.decision(row["session_id"].as_str().unwrap()).await;
        emails.push(
            decision["contact_details"]["email"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    emails
}

#[tokio::test]
async fn lookups_by_email_and_id_cover_every_state() {
    let (sandbox, client) = rig().await;
    let mut records = Vec::new();
    for email in seeded_emails(&sandbox).await {
        records.extend(client.find_by_email(&email.to_uppercase()).await.unwrap());
    }
    assert!(
        records.len() >= 10,
        "about half the people have a DHMAD record: {}",
        records.len()
    );
    let states: std::collections::HashSet<(String, bool, bool)> = records
        .iter()
        .map(|r| {
            (
                r.kyc_status.clone(),
                r.is_linked(),
                r.verification_email_sent,
            )
        })
        .collect();
    for kyc in ["pending", "approved", "rejected"] {
        assert!(
            states.iter().any(|(k, _, _)| k == kyc),
            "{kyc} missing: {states:?}"
        );
    }
    assert!(records.iter().any(|r| r.is_linked()) && records.iter().any(|r| !r.is_linked()));
    assert!(records.iter().any(|r| !r.verification_email_sent));
    assert!(records.iter().any(|r| r.needs_admin_review));

    let one = client.get(&records[0].id).await.unwrap();
    assert_eq!(one, records[0]);
    assert!(client
        .find_by_email("nobody@example.tn")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn ids_and_emails_are_checked_and_errors_carry_the_api_message() {
    let (sandbox, client) = rig().await;
    assert!(matches!(
        client.get("not-an-id").await,
        Err(DhmadError::InvalidInput(_))
    ));
    assert!(matches!(
        client.find_by_email("no at sign").await,
        Err(DhmadError::InvalidInput(_))
    ));
    let e = client.get("aaaaaaaaaaaaaaaaaaaaaaaa").await.unwrap_err();
    assert_eq!(
        e,
        DhmadError::NotFound {
            message: "Verification not found".into()
        }
    );

    let other_key = format!("sk_sandbox_{}", "f".repeat(64));
    let stranger = DhmadClient::new(
        DhmadConfig::new(&sandbox.dhmad_url(), SecretString::from(other_key)).unwrap(),
    )
    .unwrap();
    let e = stranger.find_by_email("a@example.tn").await.unwrap_err();
    assert_eq!(
        e,
        DhmadError::Unauthorized {
            message: "Invalid or expired API key".into()
        }
    );
    assert!(DhmadConfig::new(
        &sandbox.dhmad_url(),
        SecretString::from("sk_test_123".to_owned())
    )
    .is_err());

    let e = client
        .invite("someone@blocked.example", None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DhmadError::Forbidden {
            message: "This email domain is not allowed".into()
        }
    );
}

#[tokio::test]
async fn sandbox_invites_auto_approve_and_linked_people_conflict() {
    let (sandbox, client) = rig().await;
    let Invite::Created(record) = client
        .invite("New.Seller@Example.tn", Some("mkt-981"))
        .await
        .unwrap()
    else {
        panic!("a new email creates a record")
    };
    assert_eq!(record.email, "new.seller@example.tn");
    assert_eq!(record.kyc_status, "approved", "sandbox keys auto-approve");
    assert_eq!(record.external_user_id.as_deref(), Some("mkt-981"));

    // The person registers and links: inviting again is a conflict with the API's message.
    let linked = sandbox
        .probe()
        .control("dhmad/link", json!({"id": record.id}))
        .await;
    assert_eq!(linked["claim_status"], "linked");
    assert!(client.get(&record.id).await.unwrap().is_linked());
    let e = client
        .invite("new.seller@example.tn", None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DhmadError::UserExists {
            message: "This email already has verified KYC on DHMAD.".into()
        }
    );
}

#[tokio::test]
async fn a_pending_record_is_returned_again_not_duplicated() {
    let (sandbox, client) = rig().await;
    let mut pending = None;
    for email in seeded_emails(&sandbox).await {
        if let Some(r) = client
            .find_by_email(&email)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.kyc_status == "pending")
        {
            pending = Some(r);
            break;
        }
    }
    let pending = pending.expect("a pending record is seeded");
    let Invite::Existing(again) = client.invite(&pending.email, None).await.unwrap() else {
        panic!("existing expected")
    };
    assert_eq!(again.id, pending.id);
    assert_eq!(client.find_by_email(&pending.email).await.unwrap().len(), 1);
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_typed() {
    let (sandbox, client) = rig().await;
    let probe = sandbox.probe();
    probe.control("faults", json!({"fail_next": 1})).await;
    let e = client.find_by_email("a@example.tn").await.unwrap_err();
    assert_eq!(
        e,
        DhmadError::Server {
            status: 503,
            message: "Injected server error".into()
        }
    );
    probe
        .control(
            "faults",
            json!({"throttle_next": 1, "retry_after_secs": 30}),
        )
        .await;
    let e = client.find_by_email("a@example.tn").await.unwrap_err();
    assert!(
        matches!(e, DhmadError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 30),
        "{e:?}"
    );
}
