//! Support's lookup: "is this person verified, and is it linked to their DHMAD account?" from an
//! email, a DHMAD verification id or a Didit vendor_data, answered with the least personal data
//! needed: values are masked beyond what support typed, and a reveal needs a reason (audited).

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::desk::{Desk, DeskError};
use crate::model::case::{CheckKind, QueueItem};
pub use crate::model::lookup::LookupError;
use crate::model::request::{validate_email, ActionError};
use crate::ports::{CaseSource, Clock, SourceError, Store};
use crate::privacy::mask;

/// What support typed, recognised by its shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum LookupQuery {
    Email(String),
    /// A DHMAD verification id: 24 hex digits.
    VerificationId(String),
    /// Didit's key for the person (the marketplace's user key at Didit).
    VendorData(String),
}

/// The longest query accepted (an email is at most 254 characters).
const MAX_QUERY: usize = 254;

impl LookupQuery {
    /// An email (has `@`), a 24-hex-digit DHMAD id, else a vendor_data.
    pub fn parse(text: &str) -> Result<Self, LookupError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LookupError::Invalid(
                "type an email, a DHMAD verification id or a vendor_data".into(),
            ));
        }
        if text.chars().count() > MAX_QUERY || text.chars().any(char::is_control) {
            return Err(LookupError::Invalid(format!(
                "a lookup is at most {MAX_QUERY} printable characters"
            )));
        }
        if text.contains('@') {
            validate_email(text).map_err(|e| LookupError::Invalid(e.to_string()))?;
            return Ok(Self::Email(text.to_lowercase()));
        }
        if text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Self::VerificationId(text.to_lowercase()));
        }
        Ok(Self::VendorData(text.to_owned()))
    }
}

/// Why DHMAD's API cannot answer a lookup by the marketplace's own user id.
pub const NO_EXTERNAL_ID_SEARCH: &str = "DHMAD's API cannot search by the marketplace's external_user_id: look the person up by their email, their DHMAD verification id or their Didit vendor_data";

/// One DHMAD identity verification (the pre-account KYC record), provider-neutral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub id: String,
    pub email: String,
    pub external_user_id: Option<String>,
    pub kyc_status: String,
    pub didit_session_status: Option<String>,
    pub needs_admin_review: bool,
    pub claim_status: Option<String>,
    pub linked_user_id: Option<String>,
    pub linked_at: Option<String>,
    pub verification_email_sent: bool,
    pub verification_email_sent_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub expires_at: Option<String>,
}

/// DHMAD's identity verifications, as support reads them.
pub trait Directory: Send + Sync {
    /// Every verification of an email, newest first.
    fn by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Vec<Verification>, LookupError>> + Send;
    fn by_id(&self, id: &str) -> impl Future<Output = Result<Verification, LookupError>> + Send;
    /// Creates a verification for `email`, or (while one is pending) answers with it and may
    /// re-send its invite; returns DHMAD's own message. Never retried here.
    fn invite(&self, email: &str) -> impl Future<Output = Result<String, LookupError>> + Send;
}

/// No DHMAD: for desks whose profile has no DHMAD key.
pub struct NoDirectory;

impl Directory for NoDirectory {
    async fn by_email(&self, _: &str) -> Result<Vec<Verification>, LookupError> {
        Err(LookupError::NotConfigured)
    }
    async fn by_id(&self, _: &str) -> Result<Verification, LookupError> {
        Err(LookupError::NotConfigured)
    }
    async fn invite(&self, _: &str) -> Result<String, LookupError> {
        Err(LookupError::NotConfigured)
    }
}

/// A verification as support sees it: masked beyond what was typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct VerificationCard {
    pub id: String,
    /// Shown in full only when it is what support typed.
    pub email: String,
    pub email_masked: bool,
    pub external_user_id_masked: Option<String>,
    pub kyc_status: String,
    pub needs_admin_review: bool,
    pub claim_status: Option<String>,
    pub linked: bool,
    pub linked_user_id_masked: Option<String>,
    pub linked_at: Option<String>,
    pub invite_sent: bool,
    pub invite_sent_at: Option<String>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub didit_session_status: Option<String>,
}

/// A Didit session of the person, as a reviewer could open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonSession {
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub status: String,
    pub created_at: Option<String>,
}

/// The least-privilege answer to one lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LookupAnswer {
    pub query: LookupQuery,
    pub verifications: Vec<VerificationCard>,
    /// The person's Didit sessions (newest first), when a vendor_data is known.
    pub sessions: Vec<PersonSession>,
    /// What the answer could not include, and why.
    pub notes: Vec<String>,
}

/// A value that may be shown in a lookup once support gives a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LookupField {
    Email,
    ExternalUserId,
    LinkedUserId,
}

impl VerificationCard {
    pub fn build(v: &Verification, typed_email: Option<&str>) -> Self {
        let email_typed = typed_email.is_some_and(|t| t.eq_ignore_ascii_case(&v.email));
        Self {
            id: v.id.clone(),
            email: if email_typed {
                v.email.clone()
            } else {
                mask_email(&v.email)
            },
            email_masked: !email_typed,
            external_user_id_masked: v.external_user_id.as_deref().map(mask),
            kyc_status: v.kyc_status.clone(),
            needs_admin_review: v.needs_admin_review,
            claim_status: v.claim_status.clone(),
            linked: v.claim_status.as_deref() == Some("linked") && v.linked_user_id.is_some(),
            linked_user_id_masked: v.linked_user_id.as_deref().map(mask),
            linked_at: v.linked_at.clone(),
            invite_sent: v.verification_email_sent,
            invite_sent_at: v.verification_email_sent_at.clone(),
            expires_at: v.expires_at.clone(),
            created_at: v.created_at.clone(),
            updated_at: v.updated_at.clone(),
            didit_session_status: v.didit_session_status.clone(),
        }
    }
}

/// `am•••@ex•••.tn`: the shape of an address, not the address.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}@{}", mask(local), mask(domain)),
        None => mask(email),
    }
}

fn sessions_of(items: Vec<QueueItem>) -> Vec<PersonSession> {
    let mut out: Vec<PersonSession> = items
        .into_iter()
        .map(|i| PersonSession {
            case_id: i.case_id,
            case_number: i.case_number,
            status: i.status.to_string(),
            created_at: i.created_at,
        })
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.case_number));
    out
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Answers one lookup. An email asks DHMAD (and Didit for the sessions of the records'
    /// vendor_data); an id asks DHMAD for that record; a vendor_data asks Didit for the person's
    /// sessions and DHMAD for the email their newest session verified.
    pub async fn lookup(
        &self,
        directory: Option<&impl Directory>,
        text: &str,
    ) -> Result<LookupAnswer, DeskError> {
        let query = LookupQuery::parse(text)?;
        let directory = directory.ok_or(LookupError::NotConfigured)?;
        let mut notes = Vec::new();
        let (records, typed_email, vendor) = match &query {
            LookupQuery::Email(email) => {
                let records = directory.by_email(email).await?;
                let vendor = records.iter().find_map(|r| r.external_user_id.clone());
                (records, Some(email.clone()), vendor)
            }
            LookupQuery::VerificationId(id) => {
                let record = directory.by_id(id).await?;
                let vendor = record.external_user_id.clone();
                (vec![record], None, vendor)
            }
            LookupQuery::VendorData(vendor) => {
                let email = self.verified_email_of(vendor).await?;
                let records = match &email {
                    Some(email) => directory.by_email(email).await?,
                    None => {
                        notes.push("no session of this vendor_data has a verified email, so DHMAD could not be asked".into());
                        Vec::new()
                    }
                };
                (records, None, Some(vendor.clone()))
            }
        };
        let sessions = match vendor.as_deref() {
            Some(vendor) => match self.sessions_of_person(vendor).await {
                Ok(items) => sessions_of(items),
                Err(error) => {
                    notes.push(format!(
                        "the person's Didit sessions could not be read: {error}"
                    ));
                    Vec::new()
                }
            },
            None => {
                notes.push(
                    "no vendor_data is known for this record, so its Didit sessions are not listed"
                        .into(),
                );
                Vec::new()
            }
        };
        if records.is_empty() && matches!(query, LookupQuery::Email(_)) {
            notes.push("DHMAD has no verification for this email".into());
        }
        // Text from DHMAD and Didit made inert once masked: hidden characters become marks.
        Ok(crate::privacy::shown_all(LookupAnswer {
            verifications: records
                .iter()
                .map(|r| VerificationCard::build(r, typed_email.as_deref()))
                .collect(),
            sessions,
            notes,
            query,
        }))
    }

    /// The email the person's newest session verified, if any (read from Didit, never shown).
    async fn verified_email_of(&self, vendor: &str) -> Result<Option<String>, DeskError> {
        let mut items = self
            .sessions_of_person(vendor)
            .await
            .map_err(LookupError::from)?;
        items.sort_by_key(|i| std::cmp::Reverse(i.case_number));
        for item in items.iter().take(3) {
            let summary = self
                .source
                .summary(&item.case_id)
                .await
                .map_err(LookupError::from)?;
            if let Some(c) = summary
                .contacts
                .iter()
                .find(|c| c.kind == CheckKind::Email && c.verified)
            {
                return Ok(Some(c.value.to_lowercase()));
            }
        }
        Ok(None)
    }

    /// One masked value of a DHMAD verification, with the reason in the audit log.
    pub async fn reveal_lookup(
        &self,
        directory: Option<&impl Directory>,
        verification_id: &str,
        field: LookupField,
        reason: &str,
    ) -> Result<Option<String>, DeskError> {
        let reason = reason.trim();
        if reason.chars().count() < 3 || reason.chars().count() > 500 {
            return Err(ActionError::CommentRequired("reveal (3 to 500 characters)").into());
        }
        let LookupQuery::VerificationId(id) = LookupQuery::parse(verification_id)? else {
            return Err(
                LookupError::Invalid("a DHMAD verification id is 24 hex digits".into()).into(),
            );
        };
        let directory = directory.ok_or(LookupError::NotConfigured)?;
        let record = directory.by_id(&id).await?;
        let mut draft = self.draft("reveal", &id);
        draft.comment = Some(reason.to_owned());
        draft.outcome = Some(format!(
            "DHMAD verification {}",
            match field {
                LookupField::Email => "email",
                LookupField::ExternalUserId => "external_user_id",
                LookupField::LinkedUserId => "linked_user_id",
            }
        ));
        self.store.append_audit(&draft).await?;
        Ok(match field {
            LookupField::Email => Some(record.email),
            LookupField::ExternalUserId => record.external_user_id,
            LookupField::LinkedUserId => record.linked_user_id,
        })
    }
}

impl From<LookupError> for DeskError {
    fn from(e: LookupError) -> Self {
        DeskError::Lookup(e)
    }
}

impl From<SourceError> for LookupError {
    fn from(e: SourceError) -> Self {
        match e {
            SourceError::NotFound(m) => LookupError::NotFound(m),
            SourceError::Unauthorized(m) => LookupError::Unauthorized(m),
            SourceError::RateLimited(after) => LookupError::RateLimited {
                retry_after: after,
                message: "Didit".into(),
            },
            other => LookupError::Unavailable(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::AuditLog;
    use crate::testing::{desk, verification, FakeDirectory};
    use std::time::Duration as StdDuration;

    #[test]
    fn queries_are_recognised_by_shape() {
        assert_eq!(
            LookupQuery::parse(" Amira@DHMAD.tn ").unwrap(),
            LookupQuery::Email("amira@dhmad.tn".into())
        );
        assert_eq!(
            LookupQuery::parse("66A1B2C3D4E5F60718293A4B").unwrap(),
            LookupQuery::VerificationId("66a1b2c3d4e5f60718293a4b".into())
        );
        assert_eq!(
            LookupQuery::parse("user-42").unwrap(),
            LookupQuery::VendorData("user-42".into())
        );
        assert!(matches!(
            LookupQuery::parse("amira@"),
            Err(LookupError::Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("   "),
            Err(LookupError::Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse(&"x".repeat(255)),
            Err(LookupError::Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("a\u{0}b"),
            Err(LookupError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn hidden_characters_in_a_record_are_shown_as_marks() {
        let d = desk(3);
        let mut hostile = verification("66a1b2c3d4e5f60718293a4b", "amira@dhmad.tn", false);
        hostile.kyc_status = "appro\u{202E}ved".into();
        hostile.didit_session_status = Some("in\u{200B}review".into());
        let dir = FakeDirectory {
            records: vec![hostile],
            ..Default::default()
        };
        let answer = d.lookup(Some(&dir), "amira@dhmad.tn").await.unwrap();
        let text = serde_json::to_string(&answer).unwrap();
        assert!(
            !text.contains('\u{202E}') && !text.contains('\u{200B}'),
            "{text}"
        );
        assert!(
            text.contains("appro⟦U+202E⟧ved") && text.contains("in⟦U+200B⟧review"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn an_email_lookup_shows_what_was_typed_and_masks_the_rest() {
        let d = desk(3);
        let dir = FakeDirectory {
            records: vec![verification(
                "66a1b2c3d4e5f60718293a4b",
                "amira@dhmad.tn",
                true,
            )],
            ..Default::default()
        };
        let answer = d.lookup(Some(&dir), "Amira@dhmad.tn").await.unwrap();
        let card = &answer.verifications[0];
        assert_eq!(card.email, "amira@dhmad.tn");
        assert!(!card.email_masked && card.linked);
        let linked = card.linked_user_id_masked.as_deref().unwrap();
        assert!(
            linked.contains('•') && !linked.contains("c6d7e8"),
            "{linked}"
        );
        assert_eq!(
            answer.sessions.len(),
            1,
            "the sessions of the record's vendor_data"
        );
        assert_eq!(answer.sessions[0].case_number, Some(2));

        let by_id = d
            .lookup(Some(&dir), "66a1b2c3d4e5f60718293a4b")
            .await
            .unwrap();
        assert!(by_id.verifications[0].email_masked);
        assert_eq!(by_id.verifications[0].email, "a•••a@dh••••tn");

        let none = d.lookup(Some(&dir), "nobody@dhmad.tn").await.unwrap();
        assert!(none.verifications.is_empty());
        assert!(none
            .notes
            .iter()
            .any(|n| n.contains("no verification for this email")));
    }

    #[tokio::test]
    async fn errors_keep_their_meaning_and_a_reveal_is_audited() {
        let d = desk(1);
        let dir = FakeDirectory {
            records: vec![verification(
                "66a1b2c3d4e5f60718293a4b",
                "amira@dhmad.tn",
                false,
            )],
            ..Default::default()
        };
        let none: Option<&FakeDirectory> = None;
        assert!(matches!(
            d.lookup(none, "amira@dhmad.tn").await,
            Err(DeskError::Lookup(LookupError::NotConfigured))
        ));
        assert!(matches!(
            d.lookup(Some(&dir), "ffffffffffffffffffffffff").await,
            Err(DeskError::Lookup(LookupError::NotFound(_)))
        ));
        *dir.fail.lock().unwrap() = Some(LookupError::RateLimited {
            retry_after: Some(StdDuration::from_secs(3600)),
            message: "slow down".into(),
        });
        let error = d.lookup(Some(&dir), "amira@dhmad.tn").await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "DHMAD is rate limiting this key; try again in 60 min"
        );

        assert!(d
            .reveal_lookup(
                Some(&dir),
                "66a1b2c3d4e5f60718293a4b",
                LookupField::Email,
                "no"
            )
            .await
            .is_err());
        let value = d
            .reveal_lookup(
                Some(&dir),
                "66a1b2c3d4e5f60718293a4b",
                LookupField::Email,
                "Caller verified by phone",
            )
            .await
            .unwrap();
        assert_eq!(value.as_deref(), Some("amira@dhmad.tn"));
        let trail = d
            .store
            .case_audit("66a1b2c3d4e5f60718293a4b")
            .await
            .unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(
            trail[0].draft.comment.as_deref(),
            Some("Caller verified by phone")
        );
    }
}
