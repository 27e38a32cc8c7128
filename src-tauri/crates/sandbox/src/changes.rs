//! What changes the world beside a handler's own answer: a status set by an API client or in
//! the console, with its review activity and ledger entry, and DHMAD's follow-up of a decision.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::records::{new_id, new_record, Review, Verification};
use crate::seed::Rng;
use crate::world::{iso, World};

/// One review-feed activity (api-facts A11.1).
pub fn activity(
    previous: &str,
    new: &str,
    comment: Option<&str>,
    actor_type: &str,
    actor: &str,
) -> Value {
    let mut rng = Rng::new(Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64, 99);
    json!({
        "uuid": rng.uuid(),
        "activity_type": "STATUS_UPDATED",
        "actor_type": actor_type,
        "actor_display": actor,
        "actor_email": if actor_type == "CONSOLE_USER" { json!(actor) } else { Value::Null },
        "previous_status": previous,
        "new_status": new,
        "comment": comment,
        "mentioned_emails": [],
        "previous_value": {"status": previous},
        "new_value": {"status": new},
        "changed_fields": ["status"],
        "metadata": null,
        "created_at": iso(Utc::now()),
    })
}

/// A status update as Didit accepts it, once every field is checked.
pub struct StatusUpdate {
    pub new_status: String,
    pub comment: Option<String>,
    pub send_email: bool,
    /// What the ledger keeps of the e-mail fields, as sent.
    pub email_address: Value,
    pub email_language: Value,
    /// The nodes a resubmission asks the person to redo.
    pub redo: Vec<String>,
}

/// A review activity for an AML review status changing from `previous` to `new`.
fn aml_activity(kind: &str, previous: &str, new: &str) -> Value {
    let mut entry = activity("", "", None, "API_KEY", "API Client");
    entry["activity_type"] = json!(kind);
    entry["previous_status"] = Value::Null;
    entry["new_status"] = Value::Null;
    entry["previous_value"] = json!({"review_status": previous});
    entry["new_value"] = json!({"review_status": new});
    entry["changed_fields"] = json!(["review_status"]);
    entry
}

impl World {
    /// An API client adds (`add`) or removes the `chosen` items of session `id` to / from the
    /// blocklist, all at once.
    pub fn change_blocklist(&mut self, id: &str, chosen: Vec<(&'static str, String)>, add: bool) {
        let mut changed = Vec::new();
        for (kind, key) in chosen {
            if add {
                self.blocklist
                    .entries
                    .insert((kind, key), (id.to_owned(), Utc::now()));
            } else {
                self.blocklist.entries.remove(&(kind, key));
            }
            changed.push(kind);
        }
        let effect = if add {
            "blocklist-add"
        } else {
            "blocklist-remove"
        };
        self.record("didit", effect, id, "API Client", json!({"items": changed}));
    }

    /// An API client marks AML hit `hit_id` of session `i` (its status was `previous`); the
    /// session's own status does not change.
    pub fn review_aml_hit(&mut self, i: usize, hit_id: &str, previous: &str, status: &str) {
        let session = &mut self.sessions[i];
        session
            .aml_reviews
            .insert(hit_id.to_owned(), status.to_owned());
        if previous != status {
            session
                .reviews
                .push(aml_activity("AML_HIT_STATUS_UPDATED", previous, status));
        }
        let id = session.id.clone();
        self.record(
            "didit",
            "aml-hit-status",
            &id,
            "API Client",
            json!({"hit_id": hit_id, "previous_review_status": previous, "review_status": status}),
        );
    }

    /// An API client sets the status of session `i`'s AML check (it was `previous`); the
    /// session status is not recomputed.
    pub fn set_aml_status(&mut self, i: usize, previous: &str, status: &str) {
        let session = &mut self.sessions[i];
        session.aml_status = Some(status.to_owned());
        if previous != status {
            session
                .reviews
                .push(aml_activity("AML_STATUS_UPDATED", previous, status));
        }
        let id = session.id.clone();
        self.record(
            "didit",
            "aml-status",
            &id,
            "API Client",
            json!({"previous_status": previous, "status": status}),
        );
    }

    /// An API client's status update of session `i`, checked already: the status, the nodes
    /// to redo, the review activity, the ledger entry and DHMAD's follow-up.
    pub fn api_status_update(&mut self, i: usize, update: StatusUpdate) {
        let previous = self.sessions[i].status.clone();
        let session = &mut self.sessions[i];
        session.status = update.new_status.clone();
        session.redo.extend(update.redo.iter().cloned());
        let entry = activity(
            &previous,
            &update.new_status,
            update.comment.as_deref(),
            "API_KEY",
            "API Client",
        );
        session.reviews.push(entry);
        let id = session.id.clone();
        self.record(
            "didit",
            "update-status",
            &id,
            "API Client",
            json!({"previous_status": previous, "new_status": update.new_status,
                   "comment": update.comment, "send_email": update.send_email,
                   "email_address": update.email_address,
                   "email_language": update.email_language, "nodes_to_resubmit": update.redo}),
        );
        self.follow_review(i);
    }

    /// Another reviewer sets session `i` to `new_status` in the console.
    pub fn console_decision(
        &mut self,
        i: usize,
        new_status: &str,
        comment: Option<&str>,
        reviewer: &str,
    ) {
        let previous = self.sessions[i].status.clone();
        self.sessions[i].status = new_status.to_owned();
        let activity = activity(&previous, new_status, comment, "CONSOLE_USER", reviewer);
        self.sessions[i].reviews.push(activity);
        let id = self.sessions[i].id.clone();
        self.record(
            "didit",
            "console-decision",
            &id,
            reviewer,
            json!({"previous_status": previous, "new_status": new_status, "comment": comment}),
        );
        self.follow_review(i);
    }

    /// Seed 001: a Didit result DHMAD could not settle waits for an admin review; a reviewer's
    /// decision on the person's Didit session is that review. The record takes the outcome and
    /// `needs_admin_review` clears (a resubmission sends the person back to Didit instead).
    pub fn follow_review(&mut self, session: usize) {
        let s = &self.sessions[session];
        if s.fixture.is_some() {
            return;
        }
        let vendor = self.people[s.person].vendor_data.clone();
        let (kyc, didit) = match s.status.as_str() {
            "Approved" => ("approved", "completed"),
            "Declined" => ("rejected", "completed"),
            "Resubmitted" => ("pending", "in_progress"),
            _ => return,
        };
        // Not a ledger entry: the ledger holds what API clients applied, and this is DHMAD's own
        // follow-up (its admin review), visible in the record itself.
        let now = Utc::now();
        for record in self.dhmad.iter_mut().filter(|r| {
            r.external_user_id.as_deref() == Some(vendor.as_str())
                && r.needs_admin_review
                && r.kyc_status == "pending"
        }) {
            record.kyc_status = kyc;
            record.didit_session_status = didit;
            record.needs_admin_review = false;
            record.updated_at = now;
        }
    }

    /// An API client's review of session `i` (a status and a comment, checked already); gives
    /// back the feed entry it made.
    pub fn api_review(&mut self, i: usize, new_status: &str, comment: Option<&str>) -> Value {
        let current = self.sessions[i].status.clone();
        self.sessions[i].status = new_status.to_owned();
        let entry = activity(&current, new_status, comment, "API_KEY", "API Client");
        self.sessions[i].reviews.push(entry.clone());
        let id = self.sessions[i].id.clone();
        self.record(
            "didit",
            "review",
            &id,
            "API Client",
            json!({"previous_status": current, "new_status": new_status, "comment": comment}),
        );
        entry
    }

    /// DHMAD's create-verification for the pending record at `pos`: its invite is sent again
    /// unless one went out less than 5 minutes ago; the record, with what happened.
    pub fn resend_invite(&mut self, pos: usize, now: DateTime<Utc>) -> Value {
        let record = &mut self.dhmad[pos];
        let resent = record
            .verification_email_sent_at
            .is_none_or(|t| now - t >= Duration::minutes(5));
        if resent {
            record.verification_email_sent = true;
            record.verification_email_sent_at = Some(now);
            record.updated_at = now;
        }
        let answer = record.with_message(if resent {
            "Verification email re-sent to the user."
        } else {
            "A verification email was sent less than 5 minutes ago."
        });
        let id = record.id.clone();
        let email = record.email.clone();
        let effect = if resent {
            "invite-resent"
        } else {
            "invite-not-resent"
        };
        self.record("dhmad", effect, &id, "API key", json!({"email": email}));
        answer
    }

    /// A new DHMAD verification for `email` (a sandbox key's is approved at once).
    pub fn create_verification(
        &mut self,
        email: &str,
        external: Option<&str>,
        sandbox: bool,
        now: DateTime<Utc>,
    ) -> Value {
        let mut rng = Rng::new(
            now.timestamp_nanos_opt().unwrap_or(0) as u64,
            self.dhmad.len() as u64,
        );
        let mut r = new_record(&mut rng, email, external, now);
        if sandbox {
            r.kyc_status = "approved";
            r.didit_session_status = "completed";
            r.verification_email_sent = false;
            r.verification_email_sent_at = None;
        }
        let id = r.id.clone();
        let answer = r.with_message(if sandbox {
            "Sandbox verification approved automatically."
        } else {
            "Verification email sent to the user."
        });
        self.dhmad.push(r);
        self.record(
            "dhmad",
            "verification-created",
            &id,
            "API key",
            json!({"email": email, "external_user_id": external}),
        );
        answer
    }

    /// A DHMAD user registers with the record's email and claims the record at `pos`.
    pub fn link_verification(&mut self, pos: usize, now: DateTime<Utc>) -> Value {
        let user = Rng::new(now.timestamp_nanos_opt().unwrap_or(0) as u64, 5).hex(24);
        let record = &mut self.dhmad[pos];
        record.claim_status = "linked";
        record.linked_user_id = Some(user.clone());
        record.linked_at = Some(now);
        let answer = json!(record);
        let id = record.id.clone();
        self.record(
            "dhmad",
            "verification-linked",
            &id,
            "DHMAD user",
            json!({"linked_user_id": user}),
        );
        answer
    }

    /// A new VerifyHQ verification for `user_id` at `tier`, pending.
    pub fn start_verification(&mut self, user_id: &str, tier: &'static str) -> Value {
        let mut rng = Rng::new(self.seed, 8_000_000 + self.verifyhq.len() as u64);
        let v = Verification::pending(new_id(&mut rng), user_id.to_owned(), tier);
        let answer = v.to_json();
        self.record(
            "verifyhq",
            "start",
            &v.id,
            "",
            json!({"userId": user_id, "tier": tier}),
        );
        self.verifyhq.push(v);
        answer
    }

    /// A reviewer's decision on the VerifyHQ verification at `index` (checked already).
    pub fn review_verification(
        &mut self,
        index: usize,
        decision: &'static str,
        reviewed_by: String,
        review_notes: String,
    ) -> Value {
        let now = Utc::now();
        let v = &mut self.verifyhq[index];
        v.status = decision;
        v.completed_at = Some(now);
        v.review = Some(Review {
            decision,
            reviewed_by: reviewed_by.clone(),
            review_notes: review_notes.clone(),
            reviewed_at: now,
        });
        let answer = v.to_json();
        let id = v.id.clone();
        self.record(
            "verifyhq",
            &format!("review {decision}"),
            &id,
            &reviewed_by,
            json!({"reviewNotes": review_notes}),
        );
        answer
    }

    /// The VerifyHQ verification at `index` is invalidated and a new one for the same user and
    /// tier starts; the new one.
    pub fn restart_verification(&mut self, index: usize) -> Value {
        let mut rng = Rng::new(self.seed, 9_000_000 + self.verifyhq.len() as u64);
        let old = &self.verifyhq[index];
        let new = Verification::pending(new_id(&mut rng), old.user_id.clone(), old.tier);
        let old = &mut self.verifyhq[index];
        old.status = "EXPIRED";
        old.invalidated_by = Some(new.id.clone());
        let id = old.id.clone();
        let answer = new.to_json();
        let new_id = new.id.clone();
        self.verifyhq.push(new);
        self.record("verifyhq", "restart", &id, "", json!({"new": new_id}));
        answer
    }
}
