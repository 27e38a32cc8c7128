//! DHMAD's directory in memory: records, and the error the next call answers with.

use std::sync::Mutex;

use crate::lookup::{Directory, LookupError, Verification};

use super::lock;

/// DHMAD in memory: records, and the error the next call answers with.
#[derive(Default)]
pub struct FakeDirectory {
    pub records: Vec<Verification>,
    pub fail: Mutex<Option<LookupError>>,
    pub invites: Mutex<Vec<String>>,
}

impl FakeDirectory {
    fn failing(&self) -> Result<(), LookupError> {
        match lock(&self.fail).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Directory for FakeDirectory {
    async fn by_email(&self, email: &str) -> Result<Vec<Verification>, LookupError> {
        self.failing()?;
        Ok(self
            .records
            .iter()
            .filter(|r| r.email == email)
            .cloned()
            .collect())
    }
    async fn by_id(&self, id: &str) -> Result<Verification, LookupError> {
        self.failing()?;
        self.records
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| LookupError::NotFound("Verification not found".into()))
    }
    async fn invite(&self, email: &str) -> Result<String, LookupError> {
        self.failing()?;
        lock(&self.invites).push(email.to_owned());
        Ok("Verification email re-sent to the user.".into())
    }
}

/// A DHMAD verification of `email`, approved; `linked` to a DHMAD account or not.
pub fn verification(id: &str, email: &str, linked: bool) -> Verification {
    Verification {
        id: id.into(),
        email: email.into(),
        external_user_id: Some("user-2".into()),
        kyc_status: "approved".into(),
        didit_session_status: Some("completed".into()),
        needs_admin_review: false,
        claim_status: Some(if linked { "linked" } else { "pending" }.into()),
        linked_user_id: linked.then(|| "65f0c1d2e3a4b5c6d7e8f901".into()),
        linked_at: linked.then(|| "2026-11-20T10:00:00Z".into()),
        verification_email_sent: true,
        verification_email_sent_at: Some("2026-11-19T10:00:00Z".into()),
        created_at: Some("2026-11-19T10:00:00Z".into()),
        updated_at: None,
        expires_at: Some("2027-02-17T10:00:00Z".into()),
    }
}
