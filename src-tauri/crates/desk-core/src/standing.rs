//! What the person at this desk may do. On a team the team store says who they are and with
//! which role (the server enforces it too); the desk refuses what that role may not do before
//! anything is queued, in the window and the CLI alike. Alone, a profile's role only shapes
//! the views: the API keys decide what reaches the providers.

use crate::desk::{Desk, DeskError};
use crate::ports::{CaseSource, Clock, Store};
use crate::profile::Role;

/// Something only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Approve, decline or ask for a resubmission.
    Decide,
    /// Add to or remove from a blocklist.
    Blocklist,
    /// Review an AML hit or set the AML check's status.
    ReviewAml,
    /// Release another member's claim.
    ReleaseOthers,
    /// Change the team's four-eyes rules.
    SetFourEyes,
    /// Change the share of approvals drawn for a second look.
    SetShare,
    /// Read the team's audit, comments included.
    ReadTeamAudit,
}

impl Act {
    fn allowed(self, role: Role) -> bool {
        match self {
            Act::Decide | Act::Blocklist | Act::ReviewAml => role != Role::Support,
            Act::ReleaseOthers | Act::SetFourEyes | Act::SetShare | Act::ReadTeamAudit => {
                role == Role::TeamLead
            }
        }
    }

    fn words(self) -> &'static str {
        match self {
            Act::Decide => "decide a case",
            Act::Blocklist => "change a blocklist",
            Act::ReviewAml => "review an AML screening",
            Act::ReleaseOthers => "release another member's claim",
            Act::SetFourEyes => "change the four-eyes rules",
            Act::SetShare => "change the second-look share",
            Act::ReadTeamAudit => "read the team's audit",
        }
    }
}

/// Whom the desk answers to: alone, or a team member with the role the team store gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    /// No team: the profile's role shapes the views only.
    #[default]
    Alone,
    /// On a team whose store has not said yet who this login is.
    Unconfirmed,
    /// On a team, as the team store says.
    Member(Role),
}

#[derive(Default)]
struct StandingMemory(std::sync::Mutex<Standing>);

fn role_words(role: Role) -> &'static str {
    match role {
        Role::Reviewer => "a reviewer",
        Role::TeamLead => "a team lead",
        Role::Support => "support",
    }
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Sets whom the desk answers to (at opening, and when the team store says who this is).
    pub fn set_standing(&self, standing: Standing) {
        let memory = self.memory.of::<StandingMemory>();
        *memory.0.lock().unwrap_or_else(|e| e.into_inner()) = standing;
    }

    pub fn standing(&self) -> Standing {
        *self
            .memory
            .of::<StandingMemory>()
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The role the desk acts with: the team's when on one, else `profile_role`.
    pub fn role_or(&self, profile_role: Role) -> Role {
        match self.standing() {
            Standing::Member(role) => role,
            Standing::Alone | Standing::Unconfirmed => profile_role,
        }
    }

    /// Refuses `act` when the team's role for this desk does not allow it, or the team store
    /// has not said yet who this is. Alone, everything is allowed (the keys decide).
    pub fn may(&self, act: Act) -> Result<(), DeskError> {
        match self.standing() {
            Standing::Alone => Ok(()),
            Standing::Member(role) if act.allowed(role) => Ok(()),
            Standing::Member(role) => Err(DeskError::NotAllowed(format!(
                "on this team you are {}: you may not {} (the team store's role for your login)",
                role_words(role),
                act.words()
            ))),
            Standing::Unconfirmed => Err(DeskError::NotAllowed(format!(
                "the team store has not said yet who you are, so the desk may not {} (it retries when the team store answers)",
                act.words()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::desk;

    #[test]
    fn support_on_a_team_may_not_decide_and_only_a_lead_sets_the_rules() {
        let d = desk(1);
        assert_eq!(d.may(Act::Decide), Ok(()), "alone, the keys decide");
        d.set_standing(Standing::Member(Role::Support));
        for act in [
            Act::Decide,
            Act::Blocklist,
            Act::ReviewAml,
            Act::SetFourEyes,
        ] {
            let refused = d.may(act).unwrap_err().to_string();
            assert!(refused.contains("you are support"), "{refused}");
        }
        d.set_standing(Standing::Member(Role::Reviewer));
        assert_eq!(d.may(Act::Decide), Ok(()));
        assert!(d.may(Act::ReleaseOthers).is_err());
        assert!(d.may(Act::SetShare).is_err());
        d.set_standing(Standing::Member(Role::TeamLead));
        for act in [
            Act::Decide,
            Act::ReleaseOthers,
            Act::SetFourEyes,
            Act::SetShare,
        ] {
            assert_eq!(d.may(act), Ok(()), "{act:?}");
        }
        d.set_standing(Standing::Unconfirmed);
        assert!(d
            .may(Act::Decide)
            .unwrap_err()
            .to_string()
            .contains("not said yet"));
        assert_eq!(d.role_or(Role::TeamLead), Role::TeamLead);
    }
}
