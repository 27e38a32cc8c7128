//! Support's invite: a pending DHMAD verification's invite sent again, queued through the
//! outbox (audited) and sent as is, since DHMAD's own cooldown makes a repeat harmless.

use super::{fail_point, Ask, Outcome};
use crate::desk::{Desk, DeskError};
use crate::lookup::{Directory, LookupError, LookupQuery};
use crate::model::action::{Action, ActionBody, ActionKind, ActionState};
use crate::ports::SourceError;
use crate::ports::{CaseSource, Clock, Store};

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Queues sending a pending verification's invite again (through the outbox, audited).
    /// Only a pending record has an invite to resend; the person's email never leaves the
    /// backend.
    pub async fn submit_invite(
        &self,
        directory: Option<&impl Directory>,
        verification_id: &str,
        comment: Option<&str>,
    ) -> Result<Action, DeskError> {
        let LookupQuery::VerificationId(id) = LookupQuery::parse(verification_id)? else {
            return Err(
                LookupError::Invalid("a DHMAD verification id is 24 hex digits".into()).into(),
            );
        };
        let comment = crate::model::request::optional_comment(comment)?;
        let directory = directory.ok_or(LookupError::NotConfigured)?;
        let record = directory.by_id(&id).await?;
        if record.kyc_status != "pending" {
            return Err(DeskError::NotAllowed(format!(
                "this verification is {}: only a pending one has an invite to send again",
                record.kyc_status
            )));
        }
        self.enqueue_now(Ask {
            case_id: id,
            kind: ActionKind::ResendInvite,
            body: ActionBody::Invite {
                email: record.email,
            },
            reason_id: None,
            comment,
        })
        .await
    }

    /// Support's invite, sent as is (DHMAD's own cooldown makes a repeat harmless); its
    /// answer is kept word for word.
    pub(super) async fn send_invite(
        &self,
        directory: Option<&impl crate::lookup::Directory>,
        email: &str,
    ) -> Outcome {
        use crate::lookup::LookupError as L;
        let Some(directory) = directory else {
            return Outcome::End(ActionState::NeedsAttention, L::NotConfigured.to_string());
        };
        fail_point("before_send");
        let sent = directory.invite(email).await;
        fail_point("after_send_before_record");
        match sent {
            Ok(message) => Outcome::End(ActionState::Applied, message),
            Err(L::RateLimited { retry_after, .. }) => {
                self.retry_after_error(SourceError::RateLimited(retry_after), true)
            }
            Err(L::Unavailable(m)) => self.retry_after_error(SourceError::Unavailable(m), true),
            Err(L::Unauthorized(m)) => self.retry_after_error(SourceError::Unauthorized(m), true),
            Err(e) => Outcome::End(ActionState::Rejected, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{desk, verification, FakeDirectory};

    #[tokio::test]
    async fn an_invite_is_resent_through_the_outbox_for_a_pending_record_only() {
        let d = desk(1);
        let mut pending = verification("66a1b2c3d4e5f60718293a4b", "amira@dhmad.tn", false);
        pending.kyc_status = "pending".into();
        let dir = FakeDirectory {
            records: vec![
                pending,
                verification("77a1b2c3d4e5f60718293a4b", "done@dhmad.tn", true),
            ],
            ..Default::default()
        };
        let refused = d
            .submit_invite(Some(&dir), "77a1b2c3d4e5f60718293a4b", None)
            .await;
        assert!(
            matches!(refused, Err(DeskError::NotAllowed(m)) if m.contains("only a pending one"))
        );
        let queued = d
            .submit_invite(
                Some(&dir),
                "66a1b2c3d4e5f60718293a4b",
                Some("Not received, checked spam"),
            )
            .await
            .unwrap();
        assert_eq!(queued.state, ActionState::Queued);
        assert!(
            dir.invites.lock().unwrap().is_empty(),
            "queued, not sent yet"
        );

        // Without DHMAD the worker cannot send it: it waits for a person, visibly.
        let r = d.run_due().await.unwrap();
        assert_eq!(r.needs_attention, 1);
        d.retry(&queued.id).await.unwrap();
        let r = d
            .run_due_with(Some(&dir), &crate::claims::NoTeam)
            .await
            .unwrap();
        assert_eq!(r.applied, 1);
        assert_eq!(
            *dir.invites.lock().unwrap(),
            vec!["amira@dhmad.tn".to_owned()]
        );
        let done = d.outbox().await.unwrap().pop().unwrap();
        assert_eq!(
            done.detail.as_deref(),
            Some("Verification email re-sent to the user.")
        );

        // DHMAD's refusals end it with DHMAD's words; a rate limit waits and tries again.
        d.submit_invite(Some(&dir), "66a1b2c3d4e5f60718293a4b", None)
            .await
            .unwrap();
        *dir.fail.lock().unwrap() = Some(LookupError::AlreadyVerified("already verified".into()));
        let r = d
            .run_due_with(Some(&dir), &crate::claims::NoTeam)
            .await
            .unwrap();
        assert_eq!(r.rejected, 1);
        let last = d.outbox().await.unwrap().pop().unwrap();
        assert!(last.detail.unwrap().contains("nothing to do"));
    }
}
