//! `desk claim` and `desk team`: claims on the team store, who is online, the team's four-eyes
//! rules and the questions other desks wait on.

use std::fmt::Write as _;

use clap::Subcommand;

use crate::connect::{catch_up, open_desk, team_of, DiditArgs};
use crate::output::emit;
use crate::Failure;

#[derive(Subcommand)]
pub enum ClaimCommand {
    /// Claims the oldest queued case nobody holds (syncing the queue first).
    Next {
        /// Claim this many, one after another (each its own lease).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// How long a claim holds without renewal.
        #[arg(long, default_value_t = desk_core::claims::DEFAULT_LEASE_MINUTES)]
        lease_minutes: i64,
    },
    /// Lets go of a case this desk's reviewer holds (audited).
    Release {
        session: String,
        /// A lead clears whoever's claim it is (a desk that vanished); audited with its holder.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Who is online and on which case, every live claim, and whether this desk's audit is
    /// all on the team chain.
    Status,
    /// The team's four-eyes rules: show them, or set them (`none` clears them).
    Policy {
        /// Outcomes a second reviewer must confirm: decline, approve-with-aml-hit, blocklist-add.
        #[arg(long, value_delimiter = ',')]
        four_eyes: Option<Vec<String>>,
    },
    /// Actions of other desks waiting for a second reviewer.
    Pending,
    /// Confirm another reviewer's waiting action: their desk then sends it.
    Confirm {
        action: String,
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Refuse another reviewer's waiting action, saying why: it is never sent.
    Refuse {
        action: String,
        #[arg(long, allow_hyphen_values = true)]
        note: String,
    },
    #[command(flatten)]
    Admin(crate::team_admin::AdminCommand),
}

/// `desk claim next | release`.
pub async fn claim(
    open: &desk_profiles::OpenDesk,
    command: ClaimCommand,
    json: bool,
) -> Result<(), Failure> {
    let team = team_of(open)?;
    let done = match command {
        ClaimCommand::Next {
            count,
            lease_minutes,
        } => {
            if !(1..=24 * 60).contains(&lease_minutes) {
                return Err("a lease is 1 to 1440 minutes".into());
            }
            open.desk.sync().await?;
            let mut claimed = Vec::new();
            for _ in 0..count {
                match open
                    .desk
                    .claim_next(team, chrono::Duration::minutes(lease_minutes))
                    .await?
                {
                    Some(claim) => claimed.push(claim),
                    None => break,
                }
            }
            if json {
                emit(&serde_json::to_string_pretty(&claimed)?)
            } else if claimed.is_empty() {
                emit("no case left that another desk does not hold")
            } else {
                emit(
                    &claimed
                        .iter()
                        .map(|c| format!("{} claimed until {}", c.case_id, c.expires_at))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
        }
        ClaimCommand::Release {
            session,
            force: false,
        } => {
            open.desk.release_claim(team, &session).await?;
            emit(&format!("{session} released"))
        }
        ClaimCommand::Release {
            session,
            force: true,
        } => {
            let cleared = open.desk.release_for_team(team, &session).await?;
            emit(&format!(
                "{session} released; it was held by {} until {}",
                cleared.holder, cleared.expires_at
            ))
        }
    };
    catch_up(open, None).await;
    done
}

/// `desk team policy | pending | confirm | refuse`: four-eyes from the terminal.
pub async fn four_eyes(
    open: &desk_profiles::OpenDesk,
    command: TeamCommand,
    json: bool,
) -> Result<(), Failure> {
    use desk_core::four_eyes::{FourEyes, FourEyesRule};
    let team = team_of(open)?;
    let answered = |look: desk_core::four_eyes::SecondLook| -> Result<(), Failure> {
        if json {
            emit(&serde_json::to_string_pretty(&look)?)
        } else {
            emit(&format!(
                "{} {} of session {} by {}",
                if look.answer.as_ref().is_some_and(|a| a.confirmed) {
                    "confirmed"
                } else {
                    "refused"
                },
                look.kind.as_str(),
                look.case_id,
                look.requested_by
            ))
        }
    };
    match command {
        TeamCommand::Status | TeamCommand::Admin(_) => {
            Err("unreachable: status and the administrator's commands have their own path".into())
        }
        TeamCommand::Policy { four_eyes } => {
            if let Some(names) = four_eyes {
                let mut rules = Vec::new();
                for name in names.iter().filter(|n| n.trim() != "none") {
                    rules.push(FourEyesRule::parse(name).ok_or_else(|| {
                        format!("{name:?} is not a rule: decline, approve-with-aml-hit, blocklist-add or none")
                    })?);
                }
                open.desk.set_four_eyes_policy(team, &rules).await?;
            }
            let rules = team.policy().await?;
            if json {
                emit(&serde_json::to_string_pretty(&rules)?)
            } else if rules.is_empty() {
                emit("four-eyes: off")
            } else {
                emit(&format!(
                    "four-eyes: a second reviewer confirms {}",
                    rules
                        .iter()
                        .map(|r| r.describe())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        TeamCommand::Pending => {
            let pending = team.pending().await?;
            if json {
                emit(&serde_json::to_string_pretty(&pending)?)
            } else if pending.is_empty() {
                emit("nothing waits for a second reviewer")
            } else {
                emit(
                    &pending
                        .iter()
                        .map(|l| {
                            format!(
                                "{}  {} of session {} by {} ({}), reason {}",
                                l.action_id,
                                l.kind.as_str(),
                                l.case_id,
                                l.requested_by,
                                l.rule.describe(),
                                l.reason_id.as_deref().unwrap_or("-")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
        }
        TeamCommand::Confirm { action, note } => answered(
            open.desk
                .answer_second_look(team, &action, true, note.as_deref())
                .await?,
        ),
        TeamCommand::Refuse { action, note } => answered(
            open.desk
                .answer_second_look(team, &action, false, Some(&note))
                .await?,
        ),
    }
}

/// `desk team status`.
pub async fn team_status(didit: DiditArgs, json: bool) -> Result<(), Failure> {
    use desk_core::claims::ClaimStore;
    use desk_core::ports::AuditLog;
    use desk_core::team::TeamLog;
    let open = open_desk(didit).await?;
    let team = team_of(&open)?;
    catch_up(&open, None).await;
    if let Some(since) = open.desk.team_offline_since() {
        return Err(format!("team store offline since {}", since.to_rfc3339()).into());
    }
    let status = TeamStatus {
        desks: open.desk.team_presence(team).await?,
        claims: team.claims().await?,
        audit_on_team_chain: team.mirrored(&open.desk_id).await?,
        audit_here: open.desk.store.audit_max_seq().await?.unwrap_or(0),
    };
    if json {
        emit(&serde_json::to_string_pretty(&status)?)
    } else {
        emit(&render_team(&status))
    }
}

/// What `desk team status` shows.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamStatus {
    desks: Vec<desk_core::team::Presence>,
    claims: Vec<desk_core::claims::Claim>,
    /// This desk's audit entries already on the team chain, of those it holds.
    audit_on_team_chain: i64,
    audit_here: i64,
}

fn render_team(status: &TeamStatus) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Desks (last 24 h)");
    for d in &status.desks {
        let _ = writeln!(
            out,
            "  {} {:<40} {:<38} {} decisions today",
            if d.online { "●" } else { "○" },
            d.reviewer,
            d.case_id.as_deref().unwrap_or("-"),
            d.decisions_today
        );
    }
    let _ = writeln!(out, "Claims");
    if status.claims.is_empty() {
        let _ = writeln!(out, "  no case is claimed");
    }
    for c in &status.claims {
        let _ = writeln!(out, "  {}  {}  until {}", c.case_id, c.holder, c.expires_at);
    }
    let _ = write!(
        out,
        "This desk's audit: {} of {} entries on the team chain",
        status.audit_on_team_chain, status.audit_here
    );
    out
}
