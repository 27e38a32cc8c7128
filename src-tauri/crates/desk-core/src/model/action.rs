//! An action in the outbox: what it does, where it stands, what is sent, and on a team the
//! four-eyes rule it falls under.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::case::Verdict;
use crate::model::request::{BlocklistSelection, DecisionRequest};

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

    pub(crate) fn of(verdict: Verdict) -> Self {
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

/// An outcome a team may want a second reviewer to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FourEyesRule {
    /// Every decline.
    Decline,
    /// An approval of a case with AML hits.
    ApproveWithAmlHit,
    /// Every blocklist entry added.
    BlocklistAdd,
}

impl FourEyesRule {
    pub const ALL: [FourEyesRule; 3] = [Self::Decline, Self::ApproveWithAmlHit, Self::BlocklistAdd];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decline => "decline",
            Self::ApproveWithAmlHit => "approve_with_aml_hit",
            Self::BlocklistAdd => "blocklist_add",
        }
    }

    /// `decline`, `approve-with-aml-hit` or `approve_with_aml_hit`, …
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().replace('-', "_");
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Decline => "a decline",
            Self::ApproveWithAmlHit => "an approval despite AML hits",
            Self::BlocklistAdd => "a blocklist entry",
        }
    }
}
