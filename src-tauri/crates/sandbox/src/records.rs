//! What DHMAD and VerifyHQ keep, typed, and how each is seeded: DHMAD's identity
//! verifications and VerifyHQ's verifications with their reviews.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::seed::{iso, Rng};

/// Serializes a time the way DHMAD writes its times.
fn iso_time<S: serde::Serializer>(t: &DateTime<Utc>, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(&iso(*t))
}

fn iso_time_opt<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    out: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => iso_time(t, out),
        None => out.serialize_none(),
    }
}

/// One identity verification as DHMAD serves it (typed: 10,000 of them as JSON values took
/// several times the memory).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Record {
    pub id: String,
    pub email: String,
    pub external_user_id: Option<String>,
    pub kyc_status: &'static str,
    pub didit_session_status: &'static str,
    pub needs_admin_review: bool,
    pub claim_status: &'static str,
    pub linked_user_id: Option<String>,
    #[serde(serialize_with = "iso_time_opt")]
    pub linked_at: Option<DateTime<Utc>>,
    pub verification_email_sent: bool,
    #[serde(serialize_with = "iso_time_opt")]
    pub verification_email_sent_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "iso_time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "iso_time")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "iso_time")]
    pub expires_at: DateTime<Utc>,
}

impl Record {
    /// The record with a `message` beside its fields, as create and re-send answer.
    pub fn with_message(&self, message: &str) -> Value {
        let mut answer = json!(self);
        answer["message"] = json!(message);
        answer
    }
}

/// A new pending record for `email`, made at `created`.
pub fn new_record(
    rng: &mut Rng,
    email: &str,
    external: Option<&str>,
    created: DateTime<Utc>,
) -> Record {
    Record {
        id: rng.hex(24),
        email: email.to_lowercase(),
        external_user_id: external.map(str::to_owned),
        kyc_status: "pending",
        didit_session_status: "in_progress",
        needs_admin_review: false,
        claim_status: "pending",
        linked_user_id: None,
        linked_at: None,
        verification_email_sent: true,
        verification_email_sent_at: Some(created),
        created_at: created,
        updated_at: created,
        expires_at: created + Duration::days(90),
    }
}

/// Records for about half the people (their email and vendor_data), cycling through every
/// state.
pub fn seed_records(seed: u64, people: &[(&str, &str)], now: DateTime<Utc>) -> Vec<Record> {
    let mut rng = Rng::new(seed, 0xd4_3ad);
    people
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, p)| {
            let created = now - Duration::hours(1 + (i as i64 % 400));
            let (email, vendor_data) = *p;
            let mut r = new_record(&mut rng, email, Some(vendor_data), created);
            match (i / 2) % 6 {
                0 => {}
                1 => {
                    r.kyc_status = "approved";
                    r.didit_session_status = "completed";
                }
                2 => {
                    r.kyc_status = "approved";
                    r.didit_session_status = "completed";
                    r.claim_status = "linked";
                    r.linked_user_id = Some(rng.hex(24));
                    r.linked_at = Some(created + Duration::hours(2));
                }
                3 => {
                    r.kyc_status = "rejected";
                    r.didit_session_status = "completed";
                }
                4 => {
                    r.didit_session_status = "completed";
                    r.needs_admin_review = true;
                }
                _ => {
                    r.verification_email_sent = false;
                    r.verification_email_sent_at = None;
                    r.didit_session_status = "not_started";
                }
            }
            r
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Verification {
    pub id: String,
    pub user_id: String,
    pub tier: &'static str,
    pub status: &'static str,
    pub steps: BTreeMap<&'static str, &'static str>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub review: Option<Review>,
    pub invalidated_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub decision: &'static str,
    pub reviewed_by: String,
    pub review_notes: String,
    pub reviewed_at: DateTime<Utc>,
}

impl Verification {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "userId": self.user_id,
            "tier": self.tier,
            "status": self.status,
            "steps": self.steps,
            "createdAt": iso(self.created_at),
        });
        if let Some(at) = self.completed_at {
            v["completedAt"] = json!(iso(at));
        }
        if let Some(r) = &self.review {
            v["reviewedBy"] = json!(r.reviewed_by);
            v["reviewNotes"] = json!(r.review_notes);
            v["reviewedAt"] = json!(iso(r.reviewed_at));
        }
        if let Some(next) = &self.invalidated_by {
            v["invalidatedBy"] = json!(next);
        }
        v
    }

    /// A new verification, pending, with every step of its tier pending.
    pub fn pending(id: String, user_id: String, tier: &'static str) -> Self {
        Self {
            id,
            user_id,
            tier,
            status: "PENDING",
            steps: pending_steps(tier),
            created_at: Utc::now(),
            completed_at: None,
            review: None,
            invalidated_by: None,
        }
    }

    pub fn active(&self) -> bool {
        matches!(self.status, "PENDING" | "IN_PROGRESS")
    }
}

/// The steps a tier runs, all pending.
pub fn pending_steps(tier: &str) -> BTreeMap<&'static str, &'static str> {
    let mut steps = BTreeMap::from([("document", "PENDING")]);
    if tier != "BASIC" {
        steps.insert("liveness", "PENDING");
    }
    if tier == "ENHANCED" {
        steps.insert("sanctions", "PENDING");
    }
    steps
}

pub fn new_id(rng: &mut Rng) -> String {
    format!("ver_{}", rng.hex(12))
}

/// Users whose verifications wait in MANUAL_REVIEW (most), with some decided or pending ones
/// and, for every fifth user, an older rejected verification before the current one.
pub fn seed_verifications(seed: u64, users: usize, now: DateTime<Utc>) -> Vec<Verification> {
    const TIERS: [&str; 3] = ["BASIC", "STANDARD", "ENHANCED"];
    const OTHERS: [&str; 4] = ["VERIFIED", "REJECTED", "PENDING", "IN_PROGRESS"];
    let mut out = Vec::new();
    for u in 0..users {
        let mut rng = Rng::new(seed, 7_000_000 + u as u64);
        let user_id = format!("vhq_user_{:04}", u + 1);
        let tier = TIERS[u % TIERS.len()];
        let age = Duration::seconds(rng.below(48 * 3600) as i64 + 600);
        if u % 5 == 4 {
            let mut old = Verification {
                id: new_id(&mut rng),
                user_id: user_id.clone(),
                tier,
                status: "REJECTED",
                steps: pending_steps(tier),
                created_at: now - age - Duration::days(3),
                completed_at: Some(now - age - Duration::days(3) + Duration::minutes(9)),
                review: None,
                invalidated_by: None,
            };
            old.steps.insert("document", "REJECTED");
            out.push(old);
        }
        let status = if u % 4 == 3 {
            OTHERS[(u / 4) % OTHERS.len()]
        } else {
            "MANUAL_REVIEW"
        };
        let mut steps = pending_steps(tier);
        if status != "PENDING" {
            // What flagged it: a weak liveness, a sanctions hit, or a document to look at.
            steps.insert(
                "document",
                if rng.chance(70) {
                    "VERIFIED"
                } else {
                    "REJECTED"
                },
            );
            if steps.contains_key("liveness") {
                steps.insert("liveness", if rng.chance(75) { "PASSED" } else { "FAILED" });
            }
            if steps.contains_key("sanctions") {
                steps.insert("sanctions", if rng.chance(60) { "CLEAR" } else { "MATCH" });
            }
        }
        let done = matches!(status, "VERIFIED" | "REJECTED");
        out.push(Verification {
            id: new_id(&mut rng),
            user_id,
            tier,
            status,
            steps,
            created_at: now - age,
            completed_at: done.then(|| now - age + Duration::minutes(12)),
            review: None,
            invalidated_by: None,
        });
    }
    out
}
