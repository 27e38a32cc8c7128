//! Signing a desk in on its team: the team store says who the desk's login is and with which
//! role; the desk then acts as that member (its typed reviewer is corrected, not trusted) and
//! refuses what the role may not do. The last answer is kept in the data folder, so a desk
//! opened while its team store is away keeps the role it was given.

use std::path::Path;
use std::time::Duration;

use desk_core::desk::Reviewer;
use desk_core::standing::Standing;
use desk_store::TeamMember;

use crate::{AppDesk, TeamStore};

/// How long opening a desk waits for its team store to say who it is.
const SIGN_IN_WITHIN: Duration = Duration::from_secs(3);

const MEMBER_FILE: &str = "team-member.json";

fn keep(dir: &Path, member: &TeamMember) {
    let written = serde_json::to_vec_pretty(member)
        .map_err(std::io::Error::other)
        .and_then(|text| {
            let tmp = dir.join(format!("{MEMBER_FILE}.tmp"));
            std::fs::write(&tmp, text)?;
            std::fs::rename(tmp, dir.join(MEMBER_FILE))
        });
    if let Err(error) = written {
        tracing::warn!(%error, "could not keep the team member this desk signed in as");
    }
}

fn kept(dir: &Path, login: &str) -> Option<TeamMember> {
    let text = std::fs::read(dir.join(MEMBER_FILE)).ok()?;
    let member: TeamMember = serde_json::from_slice(&text).ok()?;
    (member.login == login).then_some(member)
}

/// Asks the team store who this desk is and acts as that member from now on. Unanswered, the
/// member kept from the last answer for this login stands; never answered, the desk is
/// unconfirmed and refuses what needs a role until the team store answers.
pub async fn sign_in(desk: &mut AppDesk, team: &TeamStore, dir: &Path) -> Option<TeamMember> {
    let login = team.address().login.clone();
    let answer = tokio::time::timeout(SIGN_IN_WITHIN, team.me()).await;
    let member = match answer {
        Ok(Ok(member)) => {
            keep(dir, &member);
            Some(member)
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "the team store did not say who this desk is");
            matches!(error, desk_core::ports::StoreError::Unreachable(_))
                .then(|| kept(dir, &login))
                .flatten()
        }
        Err(_) => kept(dir, &login),
    };
    match &member {
        Some(m) => {
            if desk.reviewer.identity() != m.identity() {
                tracing::info!(login = %m.login, "acting as the team's member for this login, not the profile's reviewer");
            }
            desk.reviewer = Reviewer {
                name: m.name.clone(),
                email: m.email.clone(),
            };
            desk.set_standing(Standing::Member(m.role));
        }
        None => desk.set_standing(Standing::Unconfirmed),
    }
    member
}

/// Asks again when the desk is unconfirmed (the shell's heartbeat): the role then stands.
pub async fn confirm(desk: &AppDesk, team: &TeamStore, dir: &Path) {
    if desk.standing() != Standing::Unconfirmed {
        return;
    }
    if let Ok(member) = team.me().await {
        keep(dir, &member);
        desk.set_standing(Standing::Member(member.role));
    }
}
