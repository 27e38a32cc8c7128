//! The action path: every action (decision, blocklist add / remove) is validated and written,
//! with its audit entry, in one transaction before anything is sent ("queued"). A worker sends
//! what is due, one action per case at a time, in order; before any resend it reconciles with
//! the provider (the action's token in the review feed, the case's status, the blocklist), so
//! an acknowledged action is applied exactly once or ends visibly: applied, rejected, conflict,
//! cancelled or needs-attention. Every transition is an audit entry in the same transaction.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::action::{
    validate_case_id, ActionError, AmlRequest, BlocklistSelection, DecisionRequest,
};
use crate::case::{CaseStatus, ReviewEntry, Verdict};
use crate::claims::{ClaimStore, Hold, NoTeam};
use crate::desk::{Desk, DeskError};
use crate::four_eyes::{FourEyes, FourEyesRule, SecondLook};
use crate::ports::{CaseCache, CaseSource, Clock, Journal, SourceError, StoreError};
use crate::provider::Provider;

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Approve,
    Decline,
    Resubmit,
    BlocklistAdd,
    BlocklistRemove,
    /// Marks one AML hit (false positive, confirmed match, …).
    AmlHit,
    /// Sets the AML check's own status.
    AmlCheck,
    /// Support sends a pending DHMAD verification's invite again.
    ResendInvite,
}

impl ActionKind {
    pub const ALL: [ActionKind; 8] = [
        Self::Approve,
        Self::Decline,
        Self::Resubmit,
        Self::BlocklistAdd,
        Self::BlocklistRemove,
        Self::AmlHit,
        Self::AmlCheck,
        Self::ResendInvite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Resubmit => "resubmit",
            Self::BlocklistAdd => "blocklist_add",
            Self::BlocklistRemove => "blocklist_remove",
            Self::AmlHit => "aml_hit",
            Self::AmlCheck => "aml_check",
            Self::ResendInvite => "resend_invite",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn is_decision(self) -> bool {
        matches!(self, Self::Approve | Self::Decline | Self::Resubmit)
    }

    fn of(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Approve => Self::Approve,
            Verdict::Decline => Self::Decline,
            Verdict::Resubmit => Self::Resubmit,
        }
    }
}

/// Where an action stands. `Queued` and `Sending` are open; the others are end states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Committed; waits for its due time (the undo window, or a retry delay).
    Queued,
    /// Handed to the provider; after a crash its outcome is found by reconciling.
    Sending,
    Applied,
    /// The provider refused it; its message is in `detail`.
    Rejected,
    /// The case was decided elsewhere first; nothing was overwritten.
    Conflict,
    Cancelled,
    /// Out of attempts, decided twice, or the key was refused: a person must look.
    NeedsAttention,
}

impl ActionState {
    pub const ALL: [ActionState; 7] = [
        Self::Queued,
        Self::Sending,
        Self::Applied,
        Self::Rejected,
        Self::Conflict,
        Self::Cancelled,
        Self::NeedsAttention,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Applied => "applied",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
            Self::Cancelled => "cancelled",
            Self::NeedsAttention => "needs_attention",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::Sending)
    }
}

/// A blocklist change asked from a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BlocklistRequest {
    pub case_id: String,
    /// True adds to the blocklist, false removes.
    pub add: bool,
    pub face: bool,
    pub document: bool,
    pub phone: bool,
    pub email: bool,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
}

impl BlocklistRequest {
    pub fn items(&self) -> BlocklistSelection {
        BlocklistSelection {
            face: self.face,
            document: self.document,
            phone: self.phone,
            email: self.email,
        }
    }
}

/// What is sent, exactly as it will be sent (the comment already stamped with the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionBody {
    Decision(DecisionRequest),
    Blocklist {
        add: bool,
        items: BlocklistSelection,
    },
    /// A hit's review status (`hit_id`), or the AML check's status (no hit).
    Aml {
        hit_id: Option<String>,
        status: String,
    },
    /// DHMAD's create-verification for this email: for a pending record it answers with that
    /// record and re-sends the invite at most once per cooldown, so a repeat is harmless.
    Invite {
        email: String,
    },
}

/// One action in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub token: String,
    pub case_id: String,
    pub kind: ActionKind,
    pub body: ActionBody,
    pub reason_id: Option<String>,
    /// The reviewer's own words (unstamped).
    pub comment: Option<String>,
    pub actor: String,
    pub state: ActionState,
    pub attempts: u32,
    /// A previous attempt may have been applied: reconcile before sending again.
    pub unknown_outcome: bool,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The last error, the API's message, or what was found on reconcile.
    pub detail: Option<String>,
    /// Waiting because the provider could not be reached: goes as soon as it answers again.
    #[serde(default)]
    pub waiting_offline: bool,
    /// On a team with four-eyes: the rule this action falls under and who confirmed it.
    #[serde(default)]
    pub four_eyes: Option<FourEyesMark>,
}

/// Why an action waits for a second reviewer, and who confirmed it (None: not yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourEyesMark {
    pub rule: FourEyesRule,
    pub confirmed_by: Option<String>,
}

impl Action {
    /// Asked for a second reviewer's confirmation, not given yet.
    pub fn awaits_second_look(&self) -> bool {
        self.four_eyes
            .as_ref()
            .is_some_and(|m| m.confirmed_by.is_none())
    }
}

/// The decision among `heads` with this id, if it is one.
fn open_decision<'a>(heads: &'a [Action], id: &str) -> Option<&'a Action> {
    heads.iter().find(|a| a.id == id && a.kind.is_decision())
}

/// What four-eyes says of an action about to be sent.
enum Look {
    Go(Box<Action>),
    Wait,
    Ended,
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainReport {
    pub processed: u32,
    pub applied: u32,
    pub rejected: u32,
    pub conflict: u32,
    pub needs_attention: u32,
    /// Actions waiting for a second reviewer (not counted in `next_due`).
    pub awaiting_second_look: u32,
    /// When the next open action is due (None: nothing open).
    pub next_due: Option<DateTime<Utc>>,
}

/// A submitted action and the case to open next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub action: Action,
    pub next_case_id: Option<String>,
}

/// Test hook: `REVIEW_DESK_FAILPOINT=<name>` aborts the process at that point, so crash tests
/// can kill it exactly between two steps.
pub fn fail_point(name: &str) {
    if std::env::var("REVIEW_DESK_FAILPOINT").is_ok_and(|v| v == name) {
        tracing::error!(failpoint = name, "aborting at a failpoint");
        std::process::abort();
    }
}

/// What a reviewer asked for, before it becomes an action.
pub(crate) struct Ask {
    pub(crate) case_id: String,
    pub(crate) kind: ActionKind,
    pub(crate) body: ActionBody,
    pub(crate) reason_id: Option<String>,
    pub(crate) comment: Option<String>,
}

/// How an attempt ended, before it is written down.
enum Outcome {
    End(ActionState, String),
    /// Applied, but after someone else's decision: needs attention, and cannot be cancelled.
    DecidedTwice(String),
    /// Try again later. `maybe_applied`: the attempt may have landed.
    Again {
        delay: Option<std::time::Duration>,
        maybe_applied: bool,
        why: String,
        /// The provider could not be reached: the attempt does not count towards giving up,
        /// so actions wait out an outage and drain when it ends.
        unreachable: bool,
    },
}

fn describe(entry: &ReviewEntry) -> String {
    format!(
        "{} → {} by {} at {}",
        entry
            .previous_status
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string),
        entry
            .new_status
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string),
        entry.actor,
        entry.at.as_deref().unwrap_or("an unknown time")
    )
}

const UNTOKENED: &str =
    "the provider keeps no note with a resubmission, so the status is the only evidence";

/// A decision the provider stores without the desk's stamped comment (VerifyHQ's restart).
fn untokened(action: &Action) -> bool {
    match &action.body {
        ActionBody::Decision(request) => {
            request.verdict == Verdict::Resubmit
                && !Provider::of(&action.case_id)
                    .capabilities()
                    .resubmit_keeps_token
        }
        _ => false,
    }
}

/// What a provider lacks is refused before it is queued, by name.
fn lacks(
    case_id: &str,
    has: impl Fn(&crate::provider::Capabilities) -> bool,
    what: &str,
) -> Result<(), DeskError> {
    let provider = Provider::of(case_id);
    if has(&provider.capabilities()) {
        Ok(())
    } else {
        Err(DeskError::NotAllowed(format!(
            "{} has no {what}: this case is a {} verification",
            provider.name(),
            provider.name()
        )))
    }
}

/// A decision's extras a provider cannot carry, and the notes it requires.
fn provider_allows_decision(request: &DecisionRequest) -> Result<(), DeskError> {
    let provider = Provider::of(&request.case_id);
    let caps = provider.capabilities();
    if let Some(why) = provider.redo_refusal().filter(|_| !request.redo.is_empty()) {
        return Err(DeskError::NotAllowed(why));
    }
    if provider != Provider::Didit && request.notify.is_some() {
        return Err(DeskError::NotAllowed(format!(
            "{} sends no notification email from the desk",
            provider.name()
        )));
    }
    let has_comment = request
        .comment
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    if caps.notes_required && !has_comment && request.reason_id.is_none() {
        return Err(DeskError::NotAllowed(format!(
            "{} keeps review notes with every decision: give a reason or a comment",
            provider.name()
        )));
    }
    Ok(())
}

fn last_status_change<'a>(feed: &'a [ReviewEntry], token: &str) -> Option<&'a ReviewEntry> {
    feed.iter().rev().find(|r| {
        r.new_status.is_some() && !r.comment.as_deref().is_some_and(|c| c.contains(token))
    })
}

impl<S: CaseSource, T: CaseCache + Journal, C: Clock> Desk<S, T, C> {
    fn new_action(&self, ask: Ask, token: String, delay: Duration) -> Action {
        let Ask {
            case_id,
            kind,
            body,
            reason_id,
            comment,
        } = ask;
        let now = self.clock.now();
        Action {
            id: self.ids.action_id(),
            token,
            case_id,
            kind,
            body,
            reason_id,
            comment,
            actor: self.reviewer.identity(),
            state: ActionState::Queued,
            attempts: 0,
            unknown_outcome: false,
            due_at: now + delay,
            created_at: now,
            updated_at: now,
            detail: None,
            waiting_offline: false,
            four_eyes: None,
        }
    }

    fn transition_draft(
        &self,
        action: &Action,
        from: Option<ActionState>,
        to: ActionState,
        outcome: Option<String>,
    ) -> crate::audit::AuditDraft {
        let mut d = self.draft(action.kind.as_str(), &action.case_id);
        d.action_id = Some(action.id.clone());
        d.from_state = from.map(|s| s.as_str().to_owned());
        d.to_state = Some(to.as_str().to_owned());
        d.reason_id = action.reason_id.clone();
        d.comment = action.comment.clone();
        d.outcome = outcome;
        d.token = Some(action.token.clone());
        d
    }

    async fn enqueue(&self, action: Action) -> Result<Action, DeskError> {
        let draft = self.transition_draft(&action, None, ActionState::Queued, None);
        match self.store.enqueue(&action, &draft).await {
            Ok(_) => Ok(action),
            Err(StoreError::AlreadyPending(id)) => Err(DeskError::NotAllowed(format!(
                "a decision for this case is already in the outbox (action {id}); undo or cancel it first"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Queues a decision: validated, stamped with the reviewer and a fresh token, committed with
    /// its audit entry. It is sent once the undo window has passed. Names the next case.
    pub async fn submit_decision(
        &self,
        mut request: DecisionRequest,
        undo_window: Duration,
    ) -> Result<Submitted, DeskError> {
        // The UI only ever sees the person's email masked: an empty address means "the one on
        // file", filled in here from the case.
        if let Some(notice) = request
            .notify
            .as_mut()
            .filter(|n| n.address.trim().is_empty())
        {
            if let Some((summary, _)) = self.store.summary(&request.case_id).await? {
                if let Some(email) = summary
                    .contacts
                    .iter()
                    .find(|c| c.kind == crate::case::CheckKind::Email)
                {
                    notice.address = email.value.clone();
                }
            }
        }
        request.validate()?;
        provider_allows_decision(&request)?;
        // A case known to be out of review (found by search, decided elsewhere) is read-only.
        if let Some((summary, _)) = self.store.summary(&request.case_id).await? {
            if summary.status != crate::case::CaseStatus::InReview {
                return Err(DeskError::NotAllowed(format!(
                    "session {} is {}: it is no longer in review, so it can be read, not decided",
                    summary.case_number.map_or("?".into(), |n| n.to_string()),
                    summary.status
                )));
            }
        }
        let needs_comment = matches!(request.verdict, Verdict::Decline | Verdict::Resubmit);
        if needs_comment
            && request
                .comment
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            return Err(
                ActionError::CommentRequired(if request.verdict == Verdict::Decline {
                    "decline"
                } else {
                    "resubmission"
                })
                .into(),
            );
        }
        let token = self.ids.token();
        let comment = request
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let stamped = DecisionRequest {
            comment: Some(self.reviewer.stamp(&token, comment.as_deref())),
            ..request.clone()
        };
        stamped.validate()?;
        let action = self.new_action(
            Ask {
                case_id: request.case_id.clone(),
                kind: ActionKind::of(request.verdict),
                body: ActionBody::Decision(stamped),
                reason_id: request.reason_id.clone(),
                comment,
            },
            token,
            undo_window.max(Duration::zero()),
        );
        let next_case_id = self.store.neighbour(&request.case_id).await?;
        let action = self.enqueue(action).await?;
        fail_point("after_enqueue_commit");
        self.store.remove_from_queue(&request.case_id).await?;
        Ok(Submitted {
            action,
            next_case_id,
        })
    }

    /// Queues a blocklist change of a case's items (sent at once: there is no undo window).
    pub async fn submit_blocklist(&self, request: BlocklistRequest) -> Result<Action, DeskError> {
        validate_case_id(&request.case_id)?;
        lacks(&request.case_id, |c| c.blocklist, "blocklist")?;
        if request.items().is_empty() {
            return Err(ActionError::NothingToBlocklist.into());
        }
        let comment = crate::action::optional_comment(request.comment.as_deref())?;
        let kind = if request.add {
            ActionKind::BlocklistAdd
        } else {
            ActionKind::BlocklistRemove
        };
        self.enqueue_now(Ask {
            case_id: request.case_id.clone(),
            kind,
            body: ActionBody::Blocklist {
                add: request.add,
                items: request.items(),
            },
            reason_id: request.reason_id.clone(),
            comment,
        })
        .await
    }

    /// Queues an action with no undo window.
    pub(crate) async fn enqueue_now(&self, ask: Ask) -> Result<Action, DeskError> {
        let action = self
            .enqueue(self.new_action(ask, self.ids.token(), Duration::zero()))
            .await?;
        fail_point("after_enqueue_commit");
        Ok(action)
    }

    /// Queues an AML review: one hit marked, or the AML check's status set (sent at once).
    pub async fn submit_aml(&self, request: AmlRequest) -> Result<Action, DeskError> {
        request.validate()?;
        lacks(&request.case_id, |c| c.aml_hits, "AML screening to review")?;
        let kind = if request.hit_id.is_some() {
            ActionKind::AmlHit
        } else {
            ActionKind::AmlCheck
        };
        self.enqueue_now(Ask {
            case_id: request.case_id.clone(),
            kind,
            body: ActionBody::Aml {
                hit_id: request.hit_id.clone(),
                status: request.status.clone(),
            },
            reason_id: request.reason_id.clone(),
            comment: request.comment.as_deref().map(|c| c.trim().to_owned()),
        })
        .await
    }

    async fn load(&self, id: &str) -> Result<Action, DeskError> {
        self.store
            .action(id)
            .await?
            .ok_or_else(|| DeskError::NotAllowed(format!("there is no action {id:?}")))
    }

    /// Moves `action` (now in `from`) to `to`, audited; `Stale` becomes a clear refusal.
    async fn move_to(
        &self,
        action: &Action,
        from: ActionState,
        next: Action,
        audit_action: Option<&str>,
        outcome: Option<String>,
    ) -> Result<Action, DeskError> {
        let mut draft = self.transition_draft(&next, Some(from), next.state, outcome);
        if let Some(name) = audit_action {
            draft.action = name.to_owned();
        }
        match self.store.transition(from, &next, &draft).await {
            Ok(_) => Ok(next),
            Err(StoreError::Stale(_)) => Err(DeskError::NotAllowed(format!(
                "action {} changed meanwhile; it is no longer {}",
                action.id,
                from.as_str()
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes back a queued action that has not been sent yet.
    pub async fn undo(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        if action.state != ActionState::Queued || action.attempts > 0 || action.unknown_outcome {
            return Err(DeskError::NotAllowed(format!(
                "too late to undo: the action is {} and has been sent",
                action.state.as_str()
            )));
        }
        self.cancel_as(&action, "undo", "undone").await
    }

    /// Ends `action` as cancelled, audited as `verb` ("undo", "cancel") with outcome `done`.
    async fn cancel_as(
        &self,
        action: &Action,
        verb: &str,
        done: &str,
    ) -> Result<Action, DeskError> {
        let next = Action {
            state: ActionState::Cancelled,
            updated_at: self.clock.now(),
            detail: Some(format!("{done} by the reviewer")),
            ..action.clone()
        };
        self.move_to(action, action.state, next, Some(verb), Some(done.into()))
            .await
    }

    /// Cancels an action that waits or needs attention. One that may have been applied must be
    /// retried (which reconciles) instead: cancelling it would hide what happened.
    pub async fn cancel(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        let allowed = matches!(
            action.state,
            ActionState::Queued | ActionState::NeedsAttention
        ) && !action.unknown_outcome;
        if !allowed {
            return Err(DeskError::NotAllowed(format!(
                "an action that is {}{} cannot be cancelled",
                action.state.as_str(),
                if action.unknown_outcome {
                    " and may already be applied"
                } else {
                    ""
                }
            )));
        }
        self.cancel_as(&action, "cancel", "cancelled").await
    }

    /// Sends an action that needs attention again, after reconciling (it may have landed).
    pub async fn retry(&self, id: &str) -> Result<Action, DeskError> {
        let action = self.load(id).await?;
        if action.state != ActionState::NeedsAttention {
            return Err(DeskError::NotAllowed(format!(
                "only an action that needs attention can be retried; this one is {}",
                action.state.as_str()
            )));
        }
        let now = self.clock.now();
        let next = Action {
            state: ActionState::Queued,
            attempts: 0,
            unknown_outcome: true,
            waiting_offline: false,
            due_at: now,
            updated_at: now,
            ..action.clone()
        };
        self.move_to(
            &action,
            ActionState::NeedsAttention,
            next,
            Some("retry"),
            None,
        )
        .await
    }

    /// Every action, newest last.
    pub async fn outbox(&self) -> Result<Vec<Action>, DeskError> {
        Ok(self.store.actions(false).await?)
    }

    /// Sends every action that is due, one per case at a time and in order per case, and
    /// says when the next one is due.
    pub async fn run_due(&self) -> Result<DrainReport, DeskError> {
        self.run_due_with(None::<&crate::lookup::NoDirectory>, &NoTeam)
            .await
    }

    /// `run_due`, with DHMAD for support's actions (without it they wait, needing its key),
    /// and the team's claims: on a team, a decision is sent only while this desk holds its
    /// case, and letting it go follows once it is applied.
    pub async fn run_due_with(
        &self,
        directory: Option<&impl crate::lookup::Directory>,
        team: &(impl ClaimStore + FourEyes),
    ) -> Result<DrainReport, DeskError> {
        let mut report = DrainReport::default();
        // Actions that wait for a second reviewer are asked once per call, then left waiting.
        let mut asked: std::collections::HashSet<String> = std::collections::HashSet::new();
        // Bounded: each pass moves at least one action forward or stops.
        for _ in 0..10_000 {
            let open = self.store.actions(true).await?;
            let mut seen = std::collections::HashSet::new();
            let heads: Vec<Action> = open
                .into_iter()
                .filter(|a| seen.insert(a.case_id.clone()))
                .collect();
            let now = self.clock.now();
            let offline = self.offline_since().is_some();
            let is_due = |a: &Action| {
                a.state == ActionState::Sending
                    || a.due_at <= now
                    // The provider answers again: what waited out the outage goes now, in order.
                    || (!offline && a.waiting_offline)
            };
            // While the provider is away only the oldest action probes it (on its own retry
            // schedule); the others wait behind it, so they keep their order when it is back.
            let candidates = if offline {
                &heads[..heads.len().min(1)]
            } else {
                &heads[..]
            };
            let due: Vec<Action> = candidates
                .iter()
                .filter(|a| is_due(a) && !asked.contains(&a.id))
                .cloned()
                .collect();
            if due.is_empty() {
                report.awaiting_second_look =
                    candidates.iter().filter(|a| asked.contains(&a.id)).count() as u32;
                report.next_due = candidates
                    .iter()
                    .filter(|a| !asked.contains(&a.id))
                    .map(|a| a.due_at)
                    .min();
                return Ok(report);
            }
            for action in due {
                let id = action.id.clone();
                let action = match self.second_look(team, action).await? {
                    Look::Go(action) => *action,
                    Look::Wait => {
                        // Kept while it waits: the lease is renewed (a decision only).
                        if let Some(a) = open_decision(&heads, &id) {
                            let _ = self.unheld(team, &a.case_id).await;
                        }
                        asked.insert(id);
                        continue;
                    }
                    Look::Ended => {
                        if let Some(a) = open_decision(&heads, &id) {
                            let _ = team.release(&a.case_id, &self.reviewer.identity()).await;
                        }
                        report.processed += 1;
                        report.rejected += 1;
                        continue;
                    }
                };
                let decision = action.kind.is_decision();
                let case_id = action.case_id.clone();
                let end = self.process(action, directory, team).await?;
                if decision && end.is_some() {
                    // Decided (or ended): the claim has done its job. A failure here only
                    // leaves the lease to run out.
                    let _ = team.release(&case_id, &self.reviewer.identity()).await;
                }
                report.processed += 1;
                match end {
                    Some(ActionState::Applied) => report.applied += 1,
                    Some(ActionState::Rejected) => report.rejected += 1,
                    Some(ActionState::Conflict) => report.conflict += 1,
                    Some(ActionState::NeedsAttention) => report.needs_attention += 1,
                    _ => {}
                }
            }
        }
        Ok(report)
    }

    /// One attempt at one action; returns the end state it reached, if any.
    async fn process(
        &self,
        action: Action,
        directory: Option<&impl crate::lookup::Directory>,
        team: &impl ClaimStore,
    ) -> Result<Option<ActionState>, DeskError> {
        let reconcile = action.state == ActionState::Sending || action.unknown_outcome;
        let action = if action.state == ActionState::Queued {
            let next = Action {
                state: ActionState::Sending,
                attempts: action.attempts + 1,
                updated_at: self.clock.now(),
                ..action.clone()
            };
            match self
                .move_to(&action, ActionState::Queued, next, None, None)
                .await
            {
                Ok(next) => next,
                // Undone or cancelled a moment ago: nothing to send.
                Err(DeskError::NotAllowed(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
        } else {
            // Found in flight (the process stopped mid-send): it may have landed.
            Action {
                unknown_outcome: true,
                ..action
            }
        };
        let outcome = match &action.body {
            ActionBody::Invite { email } => self.send_invite(directory, email).await,
            _ => self.attempt(&action, reconcile, team).await,
        };
        self.record(action, outcome).await
    }

    async fn attempt(&self, action: &Action, reconcile: bool, team: &impl ClaimStore) -> Outcome {
        match &action.body {
            ActionBody::Decision(request) => {
                // Always look first: a token in the feed means it landed; a status other than
                // In Review means someone else decided and we must not overwrite.
                let looked = self.look_up_decision(action).await;
                self.saw_provider(!matches!(looked, Err(SourceError::Unavailable(_))));
                match looked {
                    Ok(Some(found)) => return found,
                    Ok(None) => {}
                    Err(e) => return self.retry_after_error(e, false),
                }
                if let Some(refused) = self.unheld(team, &action.case_id).await {
                    return refused;
                }
                fail_point("before_send");
                let sent = self.source.decide(request).await;
                fail_point("after_send_before_record");
                self.saw_provider(!matches!(
                    sent,
                    Err(SourceError::Unavailable(_) | SourceError::OutcomeUnknown(_))
                ));
                match sent {
                    Ok(()) => self.after_decision_write(action).await,
                    // Refused: if someone decided the case in the meantime (a repeat of their
                    // status is refused), that is a conflict, not the API rejecting ours.
                    Err(SourceError::Rejected(message)) => {
                        match self.look_up_decision(action).await {
                            Ok(Some(found @ Outcome::End(ActionState::Conflict, _))) => found,
                            _ => Outcome::End(ActionState::Rejected, message),
                        }
                    }
                    Err(e) => self.retry_after_error(e, true),
                }
            }
            // Writes that set a state: reconciled by reading that state back.
            body => {
                if reconcile {
                    let found = self.already_there(&action.case_id, body).await;
                    self.saw_provider(!matches!(found, Err(SourceError::Unavailable(_))));
                    match found {
                        Ok(true) => {
                            return Outcome::End(ActionState::Applied, "found applied".into())
                        }
                        Ok(false) => {}
                        Err(e) => return self.retry_after_error(e, false),
                    }
                }
                fail_point("before_send");
                let sent = self.write_state(&action.case_id, body).await;
                fail_point("after_send_before_record");
                self.saw_provider(!matches!(sent, Err(SourceError::Unavailable(_))));
                match sent {
                    Ok(()) => Outcome::End(ActionState::Applied, "applied".into()),
                    Err(e) => self.retry_after_error(e, true),
                }
            }
        }
    }

    /// Four-eyes before an action is sent: go on with it (no second look needed, or it was
    /// confirmed, then it says by whom), leave it waiting (asked now, not answered yet, or the
    /// team store cannot say), or it ended here (refused by the second reviewer).
    async fn second_look(&self, team: &impl FourEyes, action: Action) -> Result<Look, DeskError> {
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
    async fn unheld(&self, team: &impl ClaimStore, case_id: &str) -> Option<Outcome> {
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

    /// Support's invite, sent as is (DHMAD's own cooldown makes a repeat harmless); its
    /// answer is kept word for word.
    async fn send_invite(
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

    async fn write_state(&self, case_id: &str, body: &ActionBody) -> Result<(), SourceError> {
        match body {
            ActionBody::Blocklist { add, items } => {
                self.source.blocklist(case_id, *add, *items).await
            }
            ActionBody::Aml {
                hit_id: Some(hit),
                status,
            } => self.source.aml_hit_status(case_id, hit, status).await,
            ActionBody::Aml {
                hit_id: None,
                status,
            } => self.source.aml_check_status(case_id, status).await,
            ActionBody::Decision(_) | ActionBody::Invite { .. } => Err(SourceError::Invalid(
                "not a state write at the provider".into(),
            )),
        }
    }

    /// Whether the provider already shows what this write sets.
    async fn already_there(&self, case_id: &str, body: &ActionBody) -> Result<bool, SourceError> {
        match body {
            ActionBody::Blocklist { add, items } => {
                let present = self.source.blocklisted(case_id).await?;
                let pairs = [
                    (items.face, present.face),
                    (items.document, present.document),
                    (items.phone, present.phone),
                    (items.email, present.email),
                ];
                Ok(pairs.iter().all(|(want, is)| !want || is == add))
            }
            ActionBody::Aml { hit_id, status } => {
                let summary = self.source.summary(case_id).await?;
                Ok(match hit_id {
                    Some(hit) => summary.aml_hits.iter().any(|h| {
                        h.hit_id.as_deref() == Some(hit.as_str())
                            && h.review_status.as_deref() == Some(status.as_str())
                    }),
                    None => summary.checks.iter().any(|c| {
                        c.kind == crate::case::CheckKind::Aml && c.status.as_str() == status
                    }),
                })
            }
            ActionBody::Decision(_) | ActionBody::Invite { .. } => Ok(false),
        }
    }

    /// Reconciles a decision: Some(end) when it must not be sent (already applied, decided
    /// elsewhere, decided twice), None when it is safe to send.
    async fn look_up_decision(&self, action: &Action) -> Result<Option<Outcome>, SourceError> {
        if untokened(action) {
            // The provider keeps no note with this write: its status is all there is to read.
            let status = self.source.summary(&action.case_id).await?.status;
            return Ok(match status {
                CaseStatus::InReview => None,
                CaseStatus::Resubmitted => Some(Outcome::End(
                    ActionState::Applied,
                    format!("applied: the case shows {status} ({})", UNTOKENED),
                )),
                other => Some(Outcome::End(
                    ActionState::Conflict,
                    format!("the case is already {other}: by someone else"),
                )),
            });
        }
        let feed = self.source.reviews(&action.case_id).await?;
        if let Some(ours) = feed.iter().find(|r| {
            r.comment
                .as_deref()
                .is_some_and(|c| c.contains(&action.token))
        }) {
            return Ok(Some(self.judge_ours(ours, &feed, action)));
        }
        let status = self.source.summary(&action.case_id).await?.status;
        if status != CaseStatus::InReview {
            let who = last_status_change(&feed, &action.token)
                .map(describe)
                .unwrap_or_else(|| "by someone else".into());
            return Ok(Some(Outcome::End(
                ActionState::Conflict,
                format!("the case is already {status}: {who}"),
            )));
        }
        Ok(None)
    }

    /// Our entry is in the feed: applied, unless the case had left In Review before it.
    fn judge_ours(&self, ours: &ReviewEntry, feed: &[ReviewEntry], action: &Action) -> Outcome {
        match &ours.previous_status {
            Some(previous) if *previous != CaseStatus::InReview => {
                let theirs = last_status_change(feed, &action.token)
                    .map(describe)
                    .unwrap_or_else(|| format!("someone set it to {previous}"));
                Outcome::DecidedTwice(format!(
                    "decided twice: first {theirs}; then ours {}",
                    describe(ours)
                ))
            }
            _ => Outcome::End(ActionState::Applied, "applied".into()),
        }
    }

    /// After a successful write: read the feed to see whether another decision slipped in
    /// between our status check and our write.
    async fn after_decision_write(&self, action: &Action) -> Outcome {
        if untokened(action) {
            // Accepted, and the provider's answer was for this very write.
            return Outcome::End(ActionState::Applied, "applied".into());
        }
        let feed = match self.source.reviews(&action.case_id).await {
            Ok(feed) => feed,
            Err(error) => {
                return Outcome::End(
                    ActionState::Applied,
                    format!("applied (the review feed could not be read to double-check: {error})"),
                )
            }
        };
        match feed.iter().find(|r| {
            r.comment
                .as_deref()
                .is_some_and(|c| c.contains(&action.token))
        }) {
            Some(ours) => self.judge_ours(ours, &feed, action),
            // Accepted but not recorded: a repeat of the current status is a no-op at Didit.
            None => {
                let who = last_status_change(&feed, &action.token)
                    .map(describe)
                    .unwrap_or_else(|| "someone else".into());
                Outcome::End(
                    ActionState::Conflict,
                    format!("the provider recorded nothing: the case was already decided ({who})"),
                )
            }
        }
    }

    fn retry_after_error(&self, error: SourceError, sent: bool) -> Outcome {
        match error {
            SourceError::Rejected(m) | SourceError::NotFound(m) | SourceError::Invalid(m) => {
                Outcome::End(ActionState::Rejected, m)
            }
            SourceError::Unauthorized(m) => Outcome::End(
                ActionState::NeedsAttention,
                format!("the API key was refused: {m}"),
            ),
            SourceError::RateLimited(after) => Outcome::Again {
                delay: after,
                maybe_applied: false,
                why: "rate limited".into(),
                unreachable: false,
            },
            e @ SourceError::Unavailable(_) => Outcome::Again {
                delay: None,
                maybe_applied: sent,
                why: e.to_string(),
                unreachable: true,
            },
            e @ SourceError::OutcomeUnknown(_) => Outcome::Again {
                delay: None,
                maybe_applied: sent,
                why: e.to_string(),
                unreachable: false,
            },
        }
    }

    /// Exponential backoff with jitter for attempt `n` (1-based).
    fn backoff(&self, attempts: u32) -> std::time::Duration {
        let base = self.policy.min_backoff.as_millis() as u64;
        let exp = base.saturating_mul(1u64 << attempts.saturating_sub(1).min(16));
        let capped = exp.min(self.policy.max_backoff.as_millis() as u64);
        // Jitter: up to +50 %, from the token so it needs no random source here.
        let jitter = self.clock.now().timestamp_subsec_micros() as u64 % (capped / 2 + 1);
        std::time::Duration::from_millis(capped + jitter)
    }

    async fn record(
        &self,
        action: Action,
        outcome: Outcome,
    ) -> Result<Option<ActionState>, DeskError> {
        let now = self.clock.now();
        let (next, text) = match outcome {
            Outcome::DecidedTwice(detail) => (
                Action {
                    state: ActionState::NeedsAttention,
                    unknown_outcome: true,
                    updated_at: now,
                    detail: Some(detail.clone()),
                    ..action.clone()
                },
                detail,
            ),
            Outcome::End(state, detail) => (
                Action {
                    state,
                    updated_at: now,
                    detail: Some(detail.clone()),
                    ..action.clone()
                },
                detail,
            ),
            Outcome::Again {
                delay,
                maybe_applied,
                why,
                unreachable,
            } => {
                let unknown = action.unknown_outcome || maybe_applied;
                let attempts = if unreachable {
                    action.attempts.saturating_sub(1)
                } else {
                    action.attempts
                };
                if attempts >= self.policy.max_attempts {
                    let detail = format!("gave up after {} attempts: {why}", action.attempts);
                    (
                        Action {
                            state: ActionState::NeedsAttention,
                            unknown_outcome: unknown,
                            updated_at: now,
                            detail: Some(detail.clone()),
                            ..action.clone()
                        },
                        detail,
                    )
                } else {
                    let mut wait = delay.unwrap_or_default().max(self.backoff(action.attempts));
                    if unreachable {
                        // The longer the outage, the calmer the polling (up to the cap).
                        let out_for = self
                            .offline_since()
                            .map(|since| (now - since).to_std().unwrap_or_default() / 2)
                            .unwrap_or_default();
                        wait = wait.max(out_for.min(self.policy.max_backoff));
                    }
                    let wait = Duration::from_std(wait).unwrap_or(Duration::seconds(60));
                    let detail = format!("{why}; next attempt in {} s", wait.num_seconds().max(1));
                    (
                        Action {
                            state: ActionState::Queued,
                            attempts,
                            waiting_offline: unreachable,
                            unknown_outcome: unknown,
                            due_at: now + wait,
                            updated_at: now,
                            detail: Some(detail.clone()),
                            ..action.clone()
                        },
                        detail,
                    )
                }
            }
        };
        let end = (!next.state.is_open()).then_some(next.state);
        if matches!(next.state, ActionState::Conflict) {
            self.store.remove_from_queue(&next.case_id).await?;
        }
        self.move_to(&action, ActionState::Sending, next, None, Some(text))
            .await?;
        Ok(end)
    }

    /// Open and needs-attention counts, and since when the provider has not answered.
    pub async fn outbox_status(&self) -> Result<OutboxStatus, DeskError> {
        let count = |state| self.store.count_actions(state);
        Ok(OutboxStatus {
            pending: count(ActionState::Queued).await? + count(ActionState::Sending).await?,
            needs_attention: count(ActionState::NeedsAttention).await?,
            offline_since: self.offline_since(),
        })
    }
}

/// For the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStatus {
    pub pending: u32,
    pub needs_attention: u32,
    pub offline_since: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Verdict;
    use crate::testing::{desk, item, TestDesk, WriteFault};

    fn request(case: i64, verdict: Verdict, comment: Option<&str>) -> DecisionRequest {
        DecisionRequest {
            case_id: item(case).case_id,
            verdict,
            comment: comment.map(str::to_owned),
            notify: None,
            redo: vec![],
            reason_id: Some("doc_altered".into()),
        }
    }

    async fn drain(d: &TestDesk) {
        for _ in 0..50 {
            let r = d.run_due().await.unwrap();
            match r.next_due {
                None => return,
                Some(t) => {
                    let wait = t - d.clock.now();
                    d.clock.advance(wait.max(Duration::milliseconds(1)));
                }
            }
        }
    }

    fn fault(d: &TestDesk, f: WriteFault) {
        d.source.write_faults.lock().unwrap().push_back(f);
    }

    /// Submits with no undo window, drains, and returns the action as it ended.
    async fn decide_now(d: &TestDesk, r: DecisionRequest) -> Action {
        let s = d.submit_decision(r, Duration::zero()).await.unwrap();
        drain(d).await;
        d.store.action(&s.action.id).await.unwrap().unwrap()
    }

    fn applied_count(d: &TestDesk, token: &str) -> usize {
        d.source
            .applied
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, c)| c.contains(token))
            .count()
    }

    /// A team store in memory: who holds which case, the four-eyes rules and questions; can
    /// be made unreachable.
    #[derive(Default)]
    struct FakeTeam {
        holders: std::sync::Mutex<std::collections::HashMap<String, String>>,
        away: std::sync::Mutex<bool>,
        rules: std::sync::Mutex<Vec<FourEyesRule>>,
        looks: std::sync::Mutex<Vec<SecondLook>>,
    }

    impl FourEyes for FakeTeam {
        async fn policy(&self) -> Result<Vec<FourEyesRule>, StoreError> {
            Ok(self.rules.lock().unwrap().clone())
        }
        async fn set_policy(&self, rules: &[FourEyesRule]) -> Result<(), StoreError> {
            *self.rules.lock().unwrap() = rules.to_vec();
            Ok(())
        }
        async fn ask(&self, look: &SecondLook) -> Result<(), StoreError> {
            let mut looks = self.looks.lock().unwrap();
            if !looks.iter().any(|l| l.action_id == look.action_id) {
                looks.push(look.clone());
            }
            Ok(())
        }
        async fn answer_of(
            &self,
            action_id: &str,
        ) -> Result<Option<crate::four_eyes::Answer>, StoreError> {
            let looks = self.looks.lock().unwrap();
            Ok(looks
                .iter()
                .find(|l| l.action_id == action_id)
                .and_then(|l| l.answer.clone()))
        }
        async fn answer(
            &self,
            action_id: &str,
            answer: &crate::four_eyes::Answer,
        ) -> Result<Result<SecondLook, crate::four_eyes::AnswerRefused>, StoreError> {
            use crate::four_eyes::AnswerRefused as R;
            let mut looks = self.looks.lock().unwrap();
            let Some(look) = looks.iter_mut().find(|l| l.action_id == action_id) else {
                return Ok(Err(R::Unknown(action_id.into())));
            };
            if look.requested_by == answer.by {
                return Ok(Err(R::OwnAction));
            }
            if let Some(a) = &look.answer {
                return Ok(Err(R::Answered(a.by.clone())));
            }
            look.answer = Some(answer.clone());
            Ok(Ok(look.clone()))
        }
        async fn pending(&self) -> Result<Vec<SecondLook>, StoreError> {
            let looks = self.looks.lock().unwrap();
            Ok(looks
                .iter()
                .filter(|l| l.answer.is_none())
                .cloned()
                .collect())
        }
    }

    impl ClaimStore for FakeTeam {
        async fn claim_first(
            &self,
            _: &[String],
            _: &str,
            _: DateTime<Utc>,
        ) -> Result<Option<crate::claims::Claim>, StoreError> {
            Ok(None)
        }
        async fn release(&self, case_id: &str, holder: &str) -> Result<bool, StoreError> {
            let mut h = self.holders.lock().unwrap();
            if h.get(case_id).map(String::as_str) == Some(holder) {
                h.remove(case_id);
                return Ok(true);
            }
            Ok(false)
        }
        async fn hold(
            &self,
            case_id: &str,
            holder: &str,
            until: DateTime<Utc>,
        ) -> Result<Hold, StoreError> {
            if *self.away.lock().unwrap() {
                return Err(StoreError::Unreachable("connection refused".into()));
            }
            let mut h = self.holders.lock().unwrap();
            let who = h
                .entry(case_id.into())
                .or_insert_with(|| holder.into())
                .clone();
            let claim = crate::claims::Claim {
                case_id: case_id.into(),
                holder: who.clone(),
                claimed_at: until.to_rfc3339(),
                expires_at: until.to_rfc3339(),
            };
            Ok(if who == holder {
                Hold::Held(claim)
            } else {
                Hold::HeldBy(claim)
            })
        }
        async fn release_any(&self, _: &str) -> Result<Option<crate::claims::Claim>, StoreError> {
            Ok(None)
        }
        async fn claims(&self) -> Result<Vec<crate::claims::Claim>, StoreError> {
            Ok(Vec::new())
        }
    }

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
            .submit_decision(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        let declined = d
            .submit_decision(
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
            .submit_decision(
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
            .submit_decision(request(1, Verdict::Approve, None), Duration::zero())
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
            .submit_decision(
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

    #[tokio::test]
    async fn a_decision_is_queued_with_its_audit_entry_then_sent_after_the_undo_window() {
        let d = desk(3);
        d.sync().await.unwrap();
        let s = d
            .submit_decision(
                request(2, Verdict::Decline, Some("Altered")),
                Duration::seconds(8),
            )
            .await
            .unwrap();
        assert_eq!(s.next_case_id, Some(item(3).case_id));
        assert_eq!(s.action.state, ActionState::Queued);
        let trail = d.store.case_audit(&item(2).case_id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].draft.reason_id.as_deref(), Some("doc_altered"));
        assert_eq!(trail[0].draft.to_state.as_deref(), Some("queued"));
        // Inside the undo window nothing is sent.
        assert_eq!(d.run_due().await.unwrap().processed, 0);
        d.clock.advance(Duration::seconds(8));
        let r = d.run_due().await.unwrap();
        assert_eq!(r.applied, 1);
        let sent = d.source.applied.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert!(
            sent[0]
                .1
                .starts_with("[Review Desk · Amira Ben Salah <amira@dhmad.tn> · t"),
            "{}",
            sent[0].1
        );
        assert!(sent[0].1.ends_with("] Altered"));
        let states: Vec<_> = d
            .store
            .case_audit(&item(2).case_id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.draft.to_state.clone().unwrap_or_default())
            .collect();
        assert_eq!(states, vec!["queued", "sending", "applied"]);
        assert!(d.verify_audit(None).await.unwrap().ok);
    }

    #[tokio::test]
    async fn a_second_decision_for_the_same_case_is_refused_while_one_is_open() {
        let d = desk(2);
        d.sync().await.unwrap();
        d.submit_decision(request(1, Verdict::Approve, None), Duration::seconds(8))
            .await
            .unwrap();
        let e = d
            .submit_decision(request(1, Verdict::Approve, None), Duration::seconds(8))
            .await
            .unwrap_err();
        assert!(
            matches!(e, DeskError::NotAllowed(ref m) if m.contains("already in the outbox")),
            "{e}"
        );
        assert_eq!(d.outbox().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn undo_inside_the_window_sends_nothing_and_is_audited() {
        let d = desk(2);
        let s = d
            .submit_decision(
                request(1, Verdict::Decline, Some("x")),
                Duration::seconds(8),
            )
            .await
            .unwrap();
        let undone = d.undo(&s.action.id).await.unwrap();
        assert_eq!(undone.state, ActionState::Cancelled);
        d.clock.advance(Duration::seconds(30));
        drain(&d).await;
        assert!(d.source.applied.lock().unwrap().is_empty());
        let trail = d.store.case_audit(&item(1).case_id).await.unwrap();
        assert_eq!(trail.last().unwrap().draft.action, "undo");
        // A new decision is allowed once the first was undone.
        d.submit_decision(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_lost_answer_is_reconciled_from_the_review_feed_not_resent() {
        let d = desk(1);
        fault(&d, WriteFault::LoseAnswer);
        let a = decide_now(&d, request(1, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::Applied, "{a:?}");
        assert_eq!(applied_count(&d, &a.token), 1);
    }

    #[tokio::test]
    async fn a_case_known_to_be_decided_is_read_only() {
        let d = desk(2);
        d.sync().await.unwrap();
        d.source.compete(&item(1).case_id, CaseStatus::Declined);
        d.find_sessions(&item(1).case_id).await.unwrap();
        let error = d
            .submit_decision(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DeskError::NotAllowed(m) if m.contains("session 1 is Declined")),
            "{error}"
        );
        assert!(d.outbox().await.unwrap().is_empty(), "nothing queued");
    }

    #[tokio::test]
    async fn a_case_decided_elsewhere_ends_in_conflict_and_is_never_overwritten() {
        let d = desk(1);
        let s = d
            .submit_decision(
                request(1, Verdict::Decline, Some("x")),
                Duration::seconds(5),
            )
            .await
            .unwrap();
        d.source.compete(&item(1).case_id, CaseStatus::Approved);
        d.clock.advance(Duration::seconds(5));
        drain(&d).await;
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Conflict);
        assert!(a.detail.unwrap().contains("other@dhmad.tn"));
        assert_eq!(
            d.source.status(&item(1).case_id),
            Some(CaseStatus::Approved)
        );
    }

    #[tokio::test]
    async fn a_decision_racing_another_is_flagged_as_decided_twice() {
        let d = desk(1);
        fault(&d, WriteFault::Compete(CaseStatus::Approved));
        let a = decide_now(&d, request(1, Verdict::Decline, Some("x"))).await;
        assert_eq!(a.state, ActionState::NeedsAttention);
        let detail = a.detail.unwrap();
        assert!(
            detail.contains("decided twice") && detail.contains("other@dhmad.tn"),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn rate_limits_and_outages_retry_and_final_refusals_keep_the_apis_message() {
        let d = desk(2);
        {
            let mut f = d.source.write_faults.lock().unwrap();
            f.push_back(WriteFault::Fail(SourceError::RateLimited(Some(
                std::time::Duration::from_secs(30),
            ))));
            f.push_back(WriteFault::Fail(SourceError::OutcomeUnknown("502".into())));
        }
        let s = d
            .submit_decision(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        d.run_due().await.unwrap();
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Queued);
        assert!(
            a.due_at - d.clock.now() >= Duration::seconds(30),
            "Retry-After is a minimum"
        );
        drain(&d).await;
        let a = d.store.action(&s.action.id).await.unwrap().unwrap();
        assert_eq!((a.state, a.attempts), (ActionState::Applied, 3));
        assert_eq!(applied_count(&d, &a.token), 1);

        fault(
            &d,
            WriteFault::Fail(SourceError::Rejected(
                "nodes_to_resubmit: feature: \"BOGUS\" is not a valid choice.".into(),
            )),
        );
        let a = decide_now(&d, request(2, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::Rejected);
        assert!(a.detail.unwrap().contains("BOGUS"));
    }

    #[tokio::test]
    async fn offline_actions_wait_without_giving_up_and_drain_in_order() {
        let mut d = desk(3);
        d.policy.max_attempts = 3;
        *d.source.offline.lock().unwrap() = true;
        let mut ids = Vec::new();
        for case in [2, 1, 3] {
            let s = d
                .submit_decision(request(case, Verdict::Approve, None), Duration::zero())
                .await
                .unwrap();
            ids.push(s.action.id);
        }
        for _ in 0..20 {
            d.run_due().await.unwrap();
            d.clock.advance(Duration::seconds(61));
        }
        assert!(d.offline_since().is_some());
        let status = d.outbox_status().await.unwrap();
        assert_eq!(
            (status.pending, status.needs_attention),
            (3, 0),
            "an outage is waited out"
        );
        *d.source.offline.lock().unwrap() = false;
        drain(&d).await;
        assert!(d.offline_since().is_none());
        let order: Vec<String> = d
            .source
            .applied
            .lock()
            .unwrap()
            .iter()
            .map(|(case, _)| case.clone())
            .collect();
        assert_eq!(
            order,
            vec![item(2).case_id, item(1).case_id, item(3).case_id]
        );
    }

    #[tokio::test]
    async fn after_an_outage_actions_go_in_the_order_they_were_queued_whatever_their_retry_times() {
        let d = desk(2);
        *d.source.offline.lock().unwrap() = true;
        let first = d
            .submit_decision(request(1, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        d.run_due().await.unwrap();
        // Later, a second decision is due at once while the first waits out its backoff.
        d.clock.advance(Duration::seconds(30));
        let second = d
            .submit_decision(request(2, Verdict::Approve, None), Duration::zero())
            .await
            .unwrap();
        let report = d.run_due().await.unwrap();
        assert_eq!(report.processed, 1);
        let probed = d.store.action(&first.action.id).await.unwrap().unwrap();
        assert_eq!(
            probed.attempts, 0,
            "the oldest probed the provider (unreachable: not counted)"
        );
        assert!(
            d.store
                .action(&second.action.id)
                .await
                .unwrap()
                .unwrap()
                .due_at
                <= d.clock.now()
        );
        *d.source.offline.lock().unwrap() = false;
        drain(&d).await;
        let order: Vec<String> = d
            .source
            .applied
            .lock()
            .unwrap()
            .iter()
            .map(|(case, _)| case.clone())
            .collect();
        assert_eq!(order, vec![item(1).case_id, item(2).case_id]);
    }

    #[tokio::test]
    async fn repeated_server_errors_need_attention_and_a_retry_reconciles() {
        let mut d = desk(1);
        d.policy.max_attempts = 3;
        for _ in 0..3 {
            fault(
                &d,
                WriteFault::Fail(SourceError::OutcomeUnknown("HTTP 502".into())),
            );
        }
        let a = decide_now(&d, request(1, Verdict::Approve, None)).await;
        assert_eq!(a.state, ActionState::NeedsAttention);
        assert!(a
            .detail
            .as_deref()
            .unwrap()
            .contains("gave up after 3 attempts"));
        assert!(
            d.cancel(&a.id).await.is_err(),
            "it may have been applied: retry, not cancel"
        );
        d.retry(&a.id).await.unwrap();
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Applied);
        assert_eq!(applied_count(&d, &a.token), 1);
        let kinds: Vec<String> = d
            .store
            .case_audit(&item(1).case_id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.draft.action)
            .collect();
        assert!(kinds.contains(&"retry".to_owned()));
    }

    #[tokio::test]
    async fn blocklist_changes_go_through_the_outbox_and_reconcile_against_the_list() {
        let d = desk(1);
        fault(&d, WriteFault::LoseAnswer);
        let a = d
            .submit_blocklist(BlocklistRequest {
                case_id: item(1).case_id,
                add: true,
                face: true,
                document: false,
                phone: false,
                email: true,
                reason_id: Some("fraud_ring".into()),
                comment: Some("same face as 4 others".into()),
            })
            .await
            .unwrap();
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(a.state, ActionState::Applied);
        assert_eq!(d.source.applied.lock().unwrap().len(), 1, "not sent twice");
        let none = d
            .submit_blocklist(BlocklistRequest {
                case_id: item(1).case_id,
                add: false,
                face: false,
                document: false,
                phone: false,
                email: false,
                reason_id: None,
                comment: None,
            })
            .await;
        assert!(none.is_err());
    }

    #[tokio::test]
    async fn aml_hits_and_the_aml_check_are_reviewed_through_the_outbox_and_reconciled() {
        let d = desk(1);
        let case = item(1).case_id;
        d.source.aml_hits.lock().unwrap().push((
            case.clone(),
            crate::case::AmlHit {
                hit_id: Some("hit_7c1e9a40".into()),
                matched_name: "Someone Else".into(),
                datasets: vec!["PEP".into()],
                match_score: Some(91.0),
                risk_score: None,
                review_status: Some("Unreviewed".into()),
            },
        ));
        let ask = |hit: Option<&str>, status: &str, comment: Option<&str>| AmlRequest {
            case_id: case.clone(),
            hit_id: hit.map(str::to_owned),
            status: status.to_owned(),
            reason_id: Some("aml_false_positive".into()),
            comment: comment.map(str::to_owned),
        };
        for bad in [
            ask(Some("hit_7c1e9a40"), "Approved", Some("why")),
            ask(None, "False Positive", Some("why")),
            ask(Some("../x"), "False Positive", Some("why")),
            ask(Some("hit_7c1e9a40"), "False Positive", None),
        ] {
            assert!(d.submit_aml(bad).await.is_err());
        }
        fault(&d, WriteFault::LoseAnswer);
        let a = d
            .submit_aml(ask(
                Some("hit_7c1e9a40"),
                "False Positive",
                Some("Different birth year"),
            ))
            .await
            .unwrap();
        assert_eq!(a.kind, ActionKind::AmlHit);
        drain(&d).await;
        let a = d.store.action(&a.id).await.unwrap().unwrap();
        assert_eq!(
            (a.state, a.detail.as_deref()),
            (ActionState::Applied, Some("found applied"))
        );
        assert_eq!(
            d.source.applied.lock().unwrap().len(),
            1,
            "sent once despite the lost answer"
        );
        let c = d
            .submit_aml(ask(None, "Approved", Some("All hits cleared")))
            .await
            .unwrap();
        drain(&d).await;
        assert_eq!(
            d.store.action(&c.id).await.unwrap().unwrap().state,
            ActionState::Applied
        );
        let trail = d.store.case_audit(&case).await.unwrap();
        assert!(trail.iter().any(|e| e.draft.action == "aml_check"
            && e.draft.comment.as_deref() == Some("All hits cleared")));
    }

    /// Random interleavings of submit / undo / cancel / retry / faults / competing reviewers /
    /// crashes (before and after the send) / time; then everything drains. Every action ends,
    /// none is applied twice, none overwrites another reviewer's decision unless flagged, and
    /// the audit chain verifies.
    mod state_machine {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Op {
            Submit(i64, u8),
            Undo(usize),
            Cancel(usize),
            Retry(usize),
            Fault(u8),
            Compete(i64),
            CrashBeforeSend(usize),
            CrashAfterSend(usize),
            Advance(u16),
            Run,
            Offline(bool),
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                4 => (1..6i64, 0..3u8).prop_map(|(c, v)| Op::Submit(c, v)),
                1 => (0..10usize).prop_map(Op::Undo),
                1 => (0..10usize).prop_map(Op::Cancel),
                1 => (0..10usize).prop_map(Op::Retry),
                2 => (0..5u8).prop_map(Op::Fault),
                1 => (1..6i64).prop_map(Op::Compete),
                1 => (0..10usize).prop_map(Op::CrashBeforeSend),
                1 => (0..10usize).prop_map(Op::CrashAfterSend),
                2 => (0..20u16).prop_map(Op::Advance),
                3 => Just(Op::Run),
                1 => any::<bool>().prop_map(Op::Offline),
            ]
        }

        async fn play(ops: Vec<Op>) {
            let mut d = desk(5);
            d.policy.max_attempts = 4;
            let mut ids: Vec<String> = Vec::new();
            let pick = |ids: &Vec<String>, i: usize| ids.get(i % ids.len().max(1)).cloned();
            for op in ops {
                match op {
                    Op::Submit(c, v) => {
                        let verdict =
                            [Verdict::Approve, Verdict::Decline, Verdict::Resubmit][v as usize];
                        if let Ok(s) = d
                            .submit_decision(request(c, verdict, Some("why")), Duration::seconds(3))
                            .await
                        {
                            ids.push(s.action.id);
                        }
                    }
                    Op::Undo(i) => {
                        if let Some(id) = pick(&ids, i) {
                            let _ = d.undo(&id).await;
                        }
                    }
                    Op::Cancel(i) => {
                        if let Some(id) = pick(&ids, i) {
                            let _ = d.cancel(&id).await;
                        }
                    }
                    Op::Retry(i) => {
                        if let Some(id) = pick(&ids, i) {
                            let _ = d.retry(&id).await;
                        }
                    }
                    Op::Fault(k) => fault(
                        &d,
                        match k {
                            0 => WriteFault::LoseAnswer,
                            1 => WriteFault::Fail(SourceError::OutcomeUnknown("timeout".into())),
                            2 => WriteFault::Fail(SourceError::RateLimited(Some(
                                std::time::Duration::from_secs(2),
                            ))),
                            3 => WriteFault::Compete(CaseStatus::Approved),
                            _ => WriteFault::Fail(SourceError::Unavailable("reset".into())),
                        },
                    ),
                    Op::Compete(c) => {
                        if d.source.status(&item(c).case_id) == Some(CaseStatus::InReview) {
                            d.source.compete(&item(c).case_id, CaseStatus::Declined);
                        }
                    }
                    Op::CrashBeforeSend(i) | Op::CrashAfterSend(i) => {
                        // The worker marked it Sending, then the process died (before or after
                        // the provider applied it).
                        let Some(id) = pick(&ids, i) else { continue };
                        let a = d.store.action(&id).await.unwrap().unwrap();
                        if a.state != ActionState::Queued || a.due_at > d.clock.now() {
                            continue;
                        }
                        let sending = Action {
                            state: ActionState::Sending,
                            attempts: a.attempts + 1,
                            ..a.clone()
                        };
                        let draft = d.transition_draft(
                            &sending,
                            Some(ActionState::Queued),
                            ActionState::Sending,
                            None,
                        );
                        d.store
                            .transition(ActionState::Queued, &sending, &draft)
                            .await
                            .unwrap();
                        if matches!(op, Op::CrashAfterSend(_)) {
                            if let ActionBody::Decision(r) = &a.body {
                                if d.source.status(&a.case_id) == Some(CaseStatus::InReview) {
                                    let _ = d.source.decide(r).await;
                                }
                            }
                        }
                    }
                    Op::Advance(s) => d.clock.advance(Duration::seconds(i64::from(s))),
                    Op::Run => {
                        d.run_due().await.unwrap();
                    }
                    Op::Offline(o) => *d.source.offline.lock().unwrap() = o,
                }
            }
            *d.source.offline.lock().unwrap() = false;
            d.source.write_faults.lock().unwrap().clear();
            d.clock.advance(Duration::seconds(10));
            drain(&d).await;
            for a in d.outbox().await.unwrap() {
                assert!(!a.state.is_open(), "{a:?} never ended");
                let n = applied_count(&d, &a.token);
                assert!(n <= 1, "{a:?} applied {n} times");
                match a.state {
                    ActionState::Applied => assert_eq!(n, 1, "{a:?}"),
                    ActionState::Cancelled | ActionState::Rejected | ActionState::Conflict => {
                        assert_eq!(n, 0, "{a:?}")
                    }
                    _ => {}
                }
                let ours = d
                    .source
                    .reviews(&a.case_id)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|r| r.comment.as_deref().is_some_and(|c| c.contains(&a.token)));
                if let Some(ours) = ours {
                    let overwrote = ours.previous_status != Some(CaseStatus::InReview);
                    assert!(
                        !overwrote || a.state == ActionState::NeedsAttention,
                        "{a:?} overwrote silently"
                    );
                }
                let entries = d
                    .store
                    .case_audit(&a.case_id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.draft.action_id.as_deref() == Some(a.id.as_str()))
                    .count();
                assert!(entries >= 2, "{a:?}: every transition is audited");
            }
            assert!(d.verify_audit(None).await.unwrap().ok);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn every_action_ends_once_and_visibly(ops in proptest::collection::vec(op(), 1..40)) {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(play(ops));
            }
        }
    }
}
