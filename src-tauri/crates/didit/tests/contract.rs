//! Contract tests: every client call against the sandbox over real HTTP on loopback, including
//! each documented error shape, 429 with Retry-After, retried 5xx for reads, and no retry for
//! writes. The sandbox's ledger is the ground truth for what was applied.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::time::{Duration, Instant};

mod common;

use desk_core::model::case::{CaseStatus, CheckKind, Verdict};
use desk_core::model::request::{BlocklistSelection, DecisionRequest, EmailNotice, RedoStep};
use didit::{DiditClient, DiditConfig, DiditError, SessionQuery};
use sandbox::RunningSandbox;
use secrecy::SecretString;
use serde_json::{json, Value};

struct Rig {
    sandbox: RunningSandbox,
    client: DiditClient,
}

async fn rig_with(sessions: usize, tweak: impl FnOnce(&mut DiditConfig)) -> Rig {
    let (sandbox, client) = common::start(sessions, common::unlimited(), tweak).await;
    Rig { sandbox, client }
}

async fn rig() -> Rig {
    rig_with(60, |_| {}).await
}

impl Rig {
    async fn control(&self, name: &str, body: Value) -> Value {
        self.sandbox.probe().control(name, body).await
    }

    async fn ledger(&self) -> Vec<Value> {
        self.sandbox.probe().ledger().await
    }

    async fn in_review(&self) -> Vec<desk_core::model::case::QueueItem> {
        let query = SessionQuery {
            statuses: vec![CaseStatus::InReview],
            limit: Some(25),
            ..Default::default()
        };
        self.client.list_all_sessions(&query).await.unwrap()
    }
}

fn decline(case_id: &str) -> DecisionRequest {
    DecisionRequest {
        case_id: case_id.to_owned(),
        verdict: Verdict::Decline,
        comment: Some("Declined by amira@dhmad.tn: document altered — وثيقة معدلة".into()),
        notify: None,
        redo: vec![],
        reason_id: None,
    }
}

#[tokio::test]
async fn lists_every_session_in_review_across_pages_and_filters() {
    let rig = rig().await;
    let all = rig.in_review().await;
    assert_eq!(all.len(), 60, "follows next links across pages of 25");
    let mut numbers: Vec<i64> = all.iter().filter_map(|i| i.case_number).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), 60, "no page repeats a row");
    assert!(all.iter().all(|i| i.status == CaseStatus::InReview));

    let tunisia = rig
        .client
        .list_all_sessions(&SessionQuery {
            statuses: vec![CaseStatus::InReview],
            country: Some("TUN".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!tunisia.is_empty() && tunisia.len() < 60);
    assert!(tunisia.iter().all(|i| i.country.as_deref() == Some("TUN")));

    let vendor = all[0].vendor_data.clone().unwrap();
    let mine = rig
        .client
        .list_all_sessions(&SessionQuery {
            vendor_data: Some(vendor.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(mine
        .iter()
        .all(|i| i.vendor_data.as_deref() == Some(vendor.as_str())));
    assert!(mine.iter().any(|i| i.case_id == all[0].case_id));
}

#[tokio::test]
async fn decision_becomes_a_media_free_summary() {
    let rig = rig().await;
    let item = &rig.in_review().await[0];
    let summary = rig.client.decision(&item.case_id).await.unwrap();
    assert_eq!(summary.case_id, item.case_id);
    assert_eq!(summary.status, CaseStatus::InReview);
    assert!(!summary.checks.is_empty());
    assert!(
        !summary.warnings.is_empty(),
        "seeded cases in review carry warnings"
    );
    let text = serde_json::to_string(&summary).unwrap();
    assert!(!text.contains("X-Amz"), "{text}");
    assert!(!text.contains("amazonaws"));
}

#[tokio::test]
async fn update_status_is_applied_once_and_recorded() {
    let rig = rig().await;
    let item = &rig.in_review().await[0];
    rig.client
        .update_status(&decline(&item.case_id))
        .await
        .unwrap();
    let ledger = rig.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["effect"], "update-status");
    assert_eq!(ledger[0]["target"], item.case_id.as_str());
    assert_eq!(ledger[0]["detail"]["new_status"], "Declined");
    assert!(ledger[0]["detail"]["comment"]
        .as_str()
        .unwrap()
        .contains("amira@dhmad.tn"));

    // The same decision again is refused with the API's own message (DRF detail shape).
    let again = rig
        .client
        .update_status(&decline(&item.case_id))
        .await
        .unwrap_err();
    let DiditError::Rejected { message, .. } = &again else {
        panic!("{again:?}")
    };
    assert!(
        message.contains("The new status is the same as the current status."),
        "{message}"
    );
    assert_eq!(rig.ledger().await.len(), 1);

    // The review feed has the entry.
    let feed = rig.client.list_reviews(&item.case_id, 0).await.unwrap();
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].new_status, Some(CaseStatus::Declined));
}

#[tokio::test]
async fn resubmission_names_steps_and_reports_field_errors() {
    let rig = rig().await;
    let item = &rig.in_review().await[1];
    let mut request = decline(&item.case_id);
    request.verdict = Verdict::Resubmit;
    request.notify = Some(EmailNotice {
        address: "person@example.tn".into(),
        language: "ar".into(),
    });
    request.redo = vec![RedoStep {
        step: "feature_no_such_node".into(),
        kind: CheckKind::IdDocument,
    }];
    let error = rig.client.update_status(&request).await.unwrap_err();
    let DiditError::Rejected { fields, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        fields[0].0, "nodes_to_resubmit",
        "field-map body keeps the field name"
    );

    request.redo = vec![RedoStep {
        step: "feature_ocr_1".into(),
        kind: CheckKind::IdDocument,
    }];
    rig.client.update_status(&request).await.unwrap();
    let ledger = rig.ledger().await;
    assert_eq!(
        ledger[0]["detail"]["nodes_to_resubmit"],
        json!(["feature_ocr_1"])
    );
    assert_eq!(ledger[0]["detail"]["email_language"], "ar");
    let summary = rig.client.decision(&item.case_id).await.unwrap();
    let ocr = summary
        .steps
        .iter()
        .find(|s| s.step == "feature_ocr_1")
        .unwrap();
    assert_eq!(ocr.status.as_str(), "Not Finished");
}

#[tokio::test]
async fn resubmission_without_steps_picks_the_failed_ones_or_reports_nothing_to_redo() {
    let rig = rig_with(200, |_| {}).await;
    let item = &rig.in_review().await[2];
    let summary = rig.client.decision(&item.case_id).await.unwrap();
    let expected: Vec<String> = summary
        .default_resubmit_steps()
        .iter()
        .map(|s| s.step.clone())
        .collect();
    assert!(!expected.is_empty(), "a case in review has a step to redo");
    let mut r = decline(&item.case_id);
    r.verdict = Verdict::Resubmit;
    rig.client.update_status(&r).await.unwrap();
    assert_eq!(
        rig.ledger().await[0]["detail"]["nodes_to_resubmit"],
        json!(expected)
    );

    // An approved session has no failed step: the API answers with a bare list.
    let approved = rig
        .client
        .list_all_sessions(&SessionQuery {
            statuses: vec![CaseStatus::Approved],
            ..Default::default()
        })
        .await
        .unwrap();
    let mut r = decline(&approved[0].case_id);
    r.verdict = Verdict::Resubmit;
    let e = rig.client.update_status(&r).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Didit rejected the request: Nothing to resubmit for this session."
    );
}

#[tokio::test]
async fn unknown_sessions_and_bad_keys_are_typed_errors() {
    let rig = rig().await;
    let e = rig
        .client
        .decision("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DiditError::NotFound {
            message: "Not found.".into()
        }
    );

    let e = rig.client.decision("../blocklist/add").await.unwrap_err();
    assert!(matches!(e, DiditError::InvalidInput(_)), "{e:?}");

    let config = DiditConfig::new(
        &rig.sandbox.didit_url(),
        SecretString::from("wrong-key".to_owned()),
    )
    .unwrap();
    let wrong = DiditClient::new(config).unwrap();
    let e = wrong
        .list_sessions(&SessionQuery::default())
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DiditError::Unauthorized {
            message: "Invalid API key.".into()
        }
    );
}

#[tokio::test]
async fn slashless_paths_answer_with_a_redirect_that_keeps_the_query() {
    let rig = rig().await;
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/v3/sessions?limit=1", rig.sandbox.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], "/v3/sessions/?limit=1");
}

#[tokio::test]
async fn reads_wait_out_a_429_with_retry_after_and_writes_do_not_retry() {
    let rig = rig().await;
    let item = rig.in_review().await.remove(0);
    rig.control("faults", json!({"throttle_next": 1, "retry_after_secs": 1}))
        .await;
    let started = Instant::now();
    rig.client
        .decision(&item.case_id)
        .await
        .expect("the read succeeds after waiting");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );

    rig.control("faults", json!({"throttle_next": 1, "retry_after_secs": 7}))
        .await;
    let e = rig
        .client
        .update_status(&decline(&item.case_id))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DiditError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            message: "Request was throttled. Expected available in 7 seconds.".into()
        }
    );
    assert!(
        rig.ledger().await.is_empty(),
        "a throttled write is not applied"
    );
}

#[tokio::test]
async fn reads_retry_server_errors_and_resets_but_writes_report_them() {
    let rig = rig().await;
    let item = rig.in_review().await.remove(0);
    rig.control("faults", json!({"fail_next": 2})).await;
    rig.client
        .decision(&item.case_id)
        .await
        .expect("third attempt succeeds");
    rig.control("faults", json!({"reset_next": 1})).await;
    rig.client
        .decision(&item.case_id)
        .await
        .expect("a reset read is retried");

    rig.control("faults", json!({"fail_next": 1, "fail_status": 502}))
        .await;
    let e = rig
        .client
        .update_status(&decline(&item.case_id))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        DiditError::Server {
            status: 502,
            message: "HTTP 502 without a readable message".into()
        }
    );
    assert!(e.outcome_unknown());
    let faults = rig.sandbox.probe().read("faults").await;
    assert_eq!(faults["fail_next"], 0, "exactly one attempt was made");
    assert!(rig.ledger().await.is_empty());
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_applied_and_reported_as_unknown() {
    let rig = rig().await;
    let item = rig.in_review().await.remove(0);
    rig.control("faults", json!({"lose_response_next": 1}))
        .await;
    let e = rig
        .client
        .update_status(&decline(&item.case_id))
        .await
        .unwrap_err();
    assert!(matches!(e, DiditError::Connection(_)), "{e:?}");
    assert!(e.outcome_unknown());
    assert_eq!(rig.ledger().await.len(), 1, "the effect happened once");
    assert_eq!(
        rig.client.decision(&item.case_id).await.unwrap().status,
        CaseStatus::Declined
    );
}

#[tokio::test]
async fn slow_answers_time_out() {
    let rig = rig_with(5, |c| c.request_timeout = Duration::from_millis(300)).await;
    rig.control("faults", json!({"latency_ms": 1500})).await;
    let e = rig
        .client
        .update_status(&decline("00000000-0000-4000-8000-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(e, DiditError::Timeout);
}

#[tokio::test]
async fn a_competing_reviewer_shows_up_in_the_decision_and_blocks_a_same_status_write() {
    let rig = rig().await;
    let item = rig.in_review().await.remove(0);
    rig.control(
        "compete",
        json!({"session_id": item.case_id, "new_status": "Declined"}),
    )
    .await;
    let summary = rig.client.decision(&item.case_id).await.unwrap();
    assert_eq!(summary.status, CaseStatus::Declined);
    assert_eq!(
        summary.reviews.last().unwrap().actor,
        "other.reviewer@dhmad.tn"
    );
    assert!(rig
        .client
        .update_status(&decline(&item.case_id))
        .await
        .is_err());
}

#[tokio::test]
async fn reviews_are_created_and_listed_with_their_comment() {
    let rig = rig().await;
    let item = rig.in_review().await.remove(3);
    let entry = rig
        .client
        .create_review(
            &item.case_id,
            &CaseStatus::Approved,
            Some("Checked by yassine@dhmad.tn"),
        )
        .await
        .unwrap();
    assert_eq!(entry.new_status, Some(CaseStatus::Approved));
    assert_eq!(entry.actor, "API Client");
    let feed = rig.client.list_reviews(&item.case_id, 0).await.unwrap();
    assert_eq!(
        feed.items[0].comment.as_deref(),
        Some("Checked by yassine@dhmad.tn")
    );
    let e = rig
        .client
        .create_review(&item.case_id, &CaseStatus::Resubmitted, None)
        .await
        .unwrap_err();
    assert!(matches!(e, DiditError::InvalidInput(_)));
    let long = "x".repeat(10_001);
    assert!(matches!(
        rig.client
            .create_review(&item.case_id, &CaseStatus::Declined, Some(&long))
            .await,
        Err(DiditError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn blocklisting_a_face_marks_other_sessions_of_the_same_person() {
    let rig = rig_with(120, |_| {}).await;
    let all = rig.in_review().await;
    // Find a person with two sessions: the duplicate warning names the other one.
    let mut pair = None;
    for item in &all {
        let summary = rig.client.decision(&item.case_id).await.unwrap();
        if let Some(related) = summary
            .related
            .iter()
            .find(|r| r.via == "POSSIBLE_DUPLICATED_USER")
        {
            pair = Some((item.case_id.clone(), related.case_id.clone().unwrap()));
            break;
        }
    }
    let (source, other) = pair.expect("the seed has duplicate people");
    let message = rig
        .client
        .blocklist_add(
            &source,
            BlocklistSelection {
                face: true,
                email: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(message, "Successfully updated blocklist.");
    let other_summary = rig.client.decision(&other).await.unwrap();
    let codes: Vec<&str> = other_summary
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(codes.contains(&"FACE_IN_BLOCKLIST"), "{codes:?}");
    assert_eq!(
        other_summary.warnings[0].severity,
        desk_core::model::case::Severity::Error,
        "errors sort first"
    );

    let faces = rig
        .client
        .blocklist_list(Some(desk_core::blocklist::BlocklistKind::Face), 0)
        .await
        .unwrap();
    assert_eq!(faces.count, Some(1));
    assert_eq!(faces.items[0].case_id.as_deref(), Some(source.as_str()));
    assert_eq!(
        faces.items[0].value, None,
        "a face entry carries no value, and no image"
    );

    rig.client
        .blocklist_remove(
            &source,
            BlocklistSelection {
                face: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let codes: Vec<String> = rig
        .client
        .decision(&other)
        .await
        .unwrap()
        .warnings
        .into_iter()
        .map(|w| w.code)
        .collect();
    assert!(!codes.iter().any(|c| c == "FACE_IN_BLOCKLIST"));
    let effects: Vec<String> = rig
        .ledger()
        .await
        .iter()
        .map(|e| e["effect"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(effects, ["blocklist-add", "blocklist-remove"]);
    assert!(
        rig.client
            .blocklist_add(&source, BlocklistSelection::default())
            .await
            .is_err(),
        "nothing chosen"
    );
}

#[tokio::test]
async fn users_are_listed_and_fetched_by_vendor_data() {
    let rig = rig().await;
    let page = rig.client.users(0).await.unwrap();
    assert!(page.count.unwrap() > 0);
    let first = &page.items[0];
    let vendor = first.vendor_data.clone().unwrap();
    let user = rig.client.user(&vendor).await.unwrap();
    assert_eq!(user.vendor_data.as_deref(), Some(vendor.as_str()));
    assert!(user.sessions >= 1);
    let e = rig.client.user("no such user / ?#").await.unwrap_err();
    assert!(matches!(e, DiditError::NotFound { .. }), "{e:?}");
}

#[tokio::test]
async fn aml_hits_are_marked_one_by_one_and_the_aml_check_is_set_without_changing_the_session() {
    let rig = rig_with(200, |_| {}).await;
    let mut found = None;
    for item in rig.in_review().await {
        let summary = rig.client.decision(&item.case_id).await.unwrap();
        if let Some(hit) = summary.aml_hits.iter().find(|h| h.hit_id.is_some()) {
            found = Some((item.case_id.clone(), hit.clone()));
            break;
        }
    }
    let (case_id, hit) = found.expect("the seed has AML hits among the cases in review");
    let hit_id = hit.hit_id.clone().unwrap();
    assert!(hit_id.starts_with("hit_"), "{hit_id}");
    assert_eq!(hit.review_status.as_deref(), Some("Unreviewed"));

    rig.client
        .update_aml_hit_status(&case_id, &hit_id, "False Positive")
        .await
        .unwrap();
    let after = rig.client.decision(&case_id).await.unwrap();
    let marked = after
        .aml_hits
        .iter()
        .find(|h| h.hit_id.as_deref() == Some(hit_id.as_str()));
    assert_eq!(
        marked.unwrap().review_status.as_deref(),
        Some("False Positive")
    );
    assert_eq!(
        after.status,
        CaseStatus::InReview,
        "the session's status does not change"
    );

    let e = rig
        .client
        .update_aml_hit_status(&case_id, "hit_000000", "False Positive")
        .await
        .unwrap_err();
    assert!(
        matches!(e, DiditError::NotFound { ref message } if message == "AML hit not found."),
        "{e:?}"
    );
    let e = rig
        .client
        .update_aml_hit_status(&case_id, &hit_id, "Approved")
        .await
        .unwrap_err();
    assert!(
        matches!(e, DiditError::InvalidInput(_)),
        "checked before sending: {e:?}"
    );

    rig.client
        .update_aml_status(&case_id, "Approved")
        .await
        .unwrap();
    let after = rig.client.decision(&case_id).await.unwrap();
    let aml = after
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::Aml)
        .unwrap();
    assert_eq!(aml.status.as_str(), "Approved");
    assert_eq!(after.status, CaseStatus::InReview);

    let effects: Vec<String> = rig
        .ledger()
        .await
        .iter()
        .map(|e| e["effect"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(effects, vec!["aml-hit-status", "aml-status"]);
    let feed = rig.client.list_reviews(&case_id, 0).await.unwrap().items;
    let kinds: Vec<_> = feed
        .iter()
        .filter_map(|r| r.activity_type.clone())
        .collect();
    assert_eq!(kinds, vec!["AML_HIT_STATUS_UPDATED", "AML_STATUS_UPDATED"]);
}

#[tokio::test]
async fn workflows_have_names_and_the_warning_filter_is_applied_by_the_provider() {
    use desk_core::ports::{QueueFilter, QueueFilters};
    let rig = rig().await;
    let names = rig.client.workflows().await.unwrap();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names
        .iter()
        .all(|(id, name)| id.len() == 36 && !name.is_empty()));

    // Every in-review case carrying a warning code, found by the provider's own filter, is
    // exactly the set whose decision carries it.
    let queue = rig.in_review().await;
    let mut by_code: std::collections::HashMap<String, Vec<String>> = Default::default();
    for item in &queue {
        let summary = rig.client.decision(&item.case_id).await.unwrap();
        for w in &summary.warnings {
            by_code
                .entry(w.code.clone())
                .or_default()
                .push(item.case_id.clone());
        }
    }
    let (code, mut expected) = by_code
        .into_iter()
        .max_by_key(|(_, ids)| ids.len())
        .expect("some case in review carries a warning");
    expected.dedup();
    let filter = QueueFilter {
        warning: Some(code.clone()),
        ..Default::default()
    };
    let mut found = rig.client.in_review_matching(&filter).await.unwrap();
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "{code}");

    let workflow = names[0].0.clone();
    let filter = QueueFilter {
        workflow_id: Some(workflow.clone()),
        ..Default::default()
    };
    for id in rig.client.in_review_matching(&filter).await.unwrap() {
        let summary = rig.client.decision(&id).await.unwrap();
        assert_eq!(summary.workflow_id.as_deref(), Some(workflow.as_str()));
    }
    let nothing = QueueFilter {
        warning: Some("NO_SUCH_CODE".into()),
        ..Default::default()
    };
    assert!(rig
        .client
        .in_review_matching(&nothing)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn workflow_thresholds_are_read_where_the_workflow_sets_them() {
    let rig = rig().await;
    let names = rig.client.workflows().await.unwrap();
    let mut set = 0;
    let mut unset = 0;
    for (id, _) in &names {
        match rig.client.workflow_thresholds(id).await.unwrap() {
            Some(t) => {
                let (decline, review) = t.face_match.unwrap();
                assert!(decline < review, "{t:?}");
                set += 1;
            }
            None => unset += 1,
        }
    }
    assert_eq!(
        (set, unset),
        (2, 1),
        "the sandbox's third workflow sets none"
    );
    assert_eq!(
        rig.client
            .workflow_thresholds("00000000-0000-4000-8000-000000000000")
            .await
            .unwrap(),
        None,
        "an unknown workflow is not an error"
    );
    assert!(matches!(
        rig.client.workflow_thresholds("../users").await,
        Err(DiditError::InvalidInput(_))
    ));
}
