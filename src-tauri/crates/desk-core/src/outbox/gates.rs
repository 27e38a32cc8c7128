//! The gates before a send: on a team, four-eyes (a second reviewer confirms chosen outcomes)
//! and the claim (a decision goes out only while this desk holds its case).

use chrono::Duration;

use super::Outcome;
use crate::claims::{ClaimStore, Hold};
use crate::desk::{Desk, DeskError};
use crate::four_eyes::{FourEyes, SecondLook};
use crate::model::action::{Action, ActionState, FourEyesMark};
use crate::ports::{CaseSource, Clock, Store};

/// What four-eyes says of an action about to be sent.
pub(super) enum Look {
    Go(Box<Action>),
    Wait,
    Ended,
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Four-eyes before an action is sent: go on with it (no second look needed, or it was
    /// confirmed, then it says by whom), leave it waiting (asked now, not answered yet, or the
    /// team store cannot say), or it ended here (refused by the second reviewer).
    pub(super) async fn second_look(
        &self,
        team: &impl FourEyes,
        action: Action,
    ) -> Result<Look, DeskError> {
        if action.state != ActionState::Queued {
            return Ok(Look::Go(Box::new(action)));
        }
        let Some(mark) = action.four_eyes.clone() else {
            // The policy is read before each first send; not knowing it, the action waits.
            let Ok(rules) = team.policy().await else {
                return Ok(Look::Wait);
            };
            let Some(rule) = self.rule_for(&rules, &action).await? else {
                return Ok(Look::Go(Box::new(action)));
            };
            let look = SecondLook {
                action_id: action.id.clone(),
                case_id: action.case_id.clone(),
                kind: action.kind,
                rule,
                requested_by: action.actor.clone(),
                reason_id: action.reason_id.clone(),
                comment: action.comment.clone(),
                requested_at: self.stamp_now(),
                answer: None,
            };
            if team.ask(&look).await.is_err() {
                return Ok(Look::Wait);
            }
            let detail = format!(
                "waits for a second reviewer: the team asks for one on {}",
                rule.describe()
            );
            let next = Action {
                four_eyes: Some(FourEyesMark {
                    rule,
                    confirmed_by: None,
                }),
                detail: Some(detail.clone()),
                updated_at: self.clock.now(),
                ..action.clone()
            };
            self.move_to(
                &action,
                ActionState::Queued,
                next,
                Some("second_look_asked"),
                Some(detail),
            )
            .await?;
            return Ok(Look::Wait);
        };
        if mark.confirmed_by.is_some() {
            return Ok(Look::Go(Box::new(action)));
        }
        let Ok(Some(answer)) = team.answer_of(&action.id).await else {
            return Ok(Look::Wait);
        };
        let note = answer
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        if answer.confirmed {
            let detail = format!("confirmed by {}{note}", answer.by);
            let next = Action {
                four_eyes: Some(FourEyesMark {
                    rule: mark.rule,
                    confirmed_by: Some(answer.by.clone()),
                }),
                detail: Some(detail.clone()),
                updated_at: self.clock.now(),
                ..action.clone()
            };
            let next = self
                .move_to(
                    &action,
                    ActionState::Queued,
                    next,
                    Some("second_look_confirmed"),
                    Some(detail),
                )
                .await?;
            return Ok(Look::Go(Box::new(next)));
        }
        let detail = format!("not sent: refused by {}{note}", answer.by);
        let next = Action {
            state: ActionState::Rejected,
            detail: Some(detail.clone()),
            updated_at: self.clock.now(),
            ..action.clone()
        };
        self.move_to(
            &action,
            ActionState::Queued,
            next,
            Some("second_look_refused"),
            Some(detail),
        )
        .await?;
        Ok(Look::Ended)
    }

    /// On a team, why a decision must not go out now (None: this desk holds the case, its
    /// lease renewed): another desk holds it, or the team store cannot say.
    pub(super) async fn unheld(&self, team: &impl ClaimStore, case_id: &str) -> Option<Outcome> {
        let until = self.clock.now() + Duration::minutes(crate::claims::DEFAULT_LEASE_MINUTES);
        match team.hold(case_id, &self.reviewer.identity(), until).await {
            Ok(Hold::Held(_)) => None,
            Ok(Hold::HeldBy(other)) => Some(Outcome::End(
                ActionState::Rejected,
                format!(
                    "not sent: {} is reviewing this case on the team store, this desk does not hold it",
                    other.holder
                ),
            )),
            Err(e) => Some(Outcome::Again {
                delay: None,
                maybe_applied: false,
                why: format!("not sent until the team store confirms this desk holds the case ({e})"),
                unreachable: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action::FourEyesRule;
    use crate::outbox::test_support::*;
    #[tokio::test]
    async fn four_eyes_holds_a_decline_until_a_second_reviewer_confirms_and_a_refusal_ends_it() {
        let d = desk(3);
        d.sync().await.unwrap();
        let team = FakeTeam::default();
        team.set_policy(&[FourEyesRule::Decline]).await.unwrap();
        let no_directory = None::<&crate::lookup::NoDirectory>;
        let second = desk(0);
        let second = crate::desk::Desk {
            reviewer: crate::desk::Reviewer {
                name: "Youssef".into(),
                email: "youssef@dhmad.tn".into(),
            },
            ..second
        };

        // An approval is not under the rule: it goes at once.
        let ok = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        let declined = d
            .submit_decision_within(
                request(2, Verdict::Decline, Some("Altered")),
                Duration::zero(),
            )
            .await
            .unwrap();
        let r = d.run_due_with(no_directory, &team).await.unwrap();
        assert_eq!((r.applied, r.awaiting_second_look), (1, 1));
        assert_eq!(r.next_due, None, "nothing else is due: a drain can stop");
        let waiting = d.store.action(&declined.action.id).await.unwrap().unwrap();
        assert_eq!(waiting.state, ActionState::Queued);
        assert!(waiting.awaits_second_look());
        assert_eq!(applied_count(&d, &waiting.token), 0, "not sent");
        assert_eq!(
            d.store.action(&ok.action.id).await.unwrap().unwrap().state,
            ActionState::Applied
        );

        // The asker cannot confirm their own; the second reviewer can, once.
        assert!(d
            .answer_second_look(&team, &declined.action.id, true, None)
            .await
            .is_err());
        second
            .answer_second_look(&team, &declined.action.id, true, Some("Agreed"))
            .await
            .unwrap();
        assert!(second
            .answer_second_look(&team, &declined.action.id, false, Some("changed my mind"))
            .await
            .is_err());
        d.run_due_with(no_directory, &team).await.unwrap();
        let sent = d.store.action(&declined.action.id).await.unwrap().unwrap();
        assert_eq!(sent.state, ActionState::Applied);
        assert_eq!(
            sent.four_eyes.unwrap().confirmed_by.as_deref(),
            Some("Youssef <youssef@dhmad.tn>")
        );
        assert_eq!(applied_count(&d, &sent.token), 1);

        // A refusal needs a reason and ends the action unsent.
        let refused = d
            .submit_decision_within(
                request(3, Verdict::Decline, Some("Altered")),
                Duration::zero(),
            )
            .await
            .unwrap();
        d.run_due_with(no_directory, &team).await.unwrap();
        assert!(second
            .answer_second_look(&team, &refused.action.id, false, None)
            .await
            .is_err());
        second
            .answer_second_look(
                &team,
                &refused.action.id,
                false,
                Some("The document is fine"),
            )
            .await
            .unwrap();
        d.run_due_with(no_directory, &team).await.unwrap();
        let ended = d.store.action(&refused.action.id).await.unwrap().unwrap();
        assert_eq!(ended.state, ActionState::Rejected);
        assert!(ended
            .detail
            .unwrap()
            .contains("refused by Youssef <youssef@dhmad.tn>: The document is fine"));
        assert_eq!(applied_count(&d, &ended.token), 0);
        let trail: Vec<String> = d
            .store
            .case_audit(&item(3).case_id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.draft.action)
            .collect();
        assert_eq!(
            trail,
            ["decline", "second_look_asked", "second_look_refused"]
        );
    }

    #[tokio::test]
    async fn on_a_team_a_decision_goes_out_only_while_this_desk_holds_its_case() {
        let d = desk(3);
        d.sync().await.unwrap();
        let team = FakeTeam::default();
        let no_directory = None::<&crate::lookup::NoDirectory>;
        // Another desk holds case 1: ours is refused, nothing reaches the provider.
        team.holders
            .lock()
            .unwrap()
            .insert(item(1).case_id, "Youssef <youssef@dhmad.tn>".into());
        let s = d
            .submit_decision_within(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        d.run_due_with(no_directory, &team).await.unwrap();
        let refused = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(refused.state, ActionState::Rejected);
        assert!(
            refused.detail.as_deref().unwrap().contains("Youssef"),
            "{refused:?}"
        );
        assert!(d.source.applied.lock().unwrap().is_empty());

        // The team store away: the decision waits, unsent, and goes once it answers.
        *team.away.lock().unwrap() = true;
        let s = d
            .submit_decision_within(
                request(2, Verdict::Decline, Some("Altered")),
                Duration::zero(),
            )
            .await
            .unwrap();
        d.run_due_with(no_directory, &team).await.unwrap();
        let waiting = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(waiting.state, ActionState::Queued);
        assert!(d.source.applied.lock().unwrap().is_empty());
        *team.away.lock().unwrap() = false;
        d.clock.advance(Duration::minutes(2));
        d.run_due_with(no_directory, &team).await.unwrap();
        let sent = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(sent.state, ActionState::Applied);
        assert_eq!(d.source.applied.lock().unwrap().len(), 1);
        // Decided: the claim is let go for the team.
        assert!(!team.holders.lock().unwrap().contains_key(&item(2).case_id));
    }
}
