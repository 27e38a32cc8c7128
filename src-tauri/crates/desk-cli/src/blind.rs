//! `desk blind-review`: the lead's blind re-review of a share of approvals, from the terminal.
//! It reads the team's log when the desk has a team store, else the desk's own.

use std::fmt::Write as _;

use clap::Subcommand;
use desk_core::blind_review::BlindAnswer;

use crate::act::VerdictArg;
use crate::output::emit;
use crate::Failure;

#[derive(Subcommand)]
pub enum BlindCommand {
    /// Drawn approvals no lead has looked at yet: session, when decided, its warning codes
    /// (never the first verdict's reviewer).
    Queue {
        /// From this date (2026-12-01) or instant on (default: the last 30 days).
        #[arg(long)]
        since: Option<String>,
    },
    /// Set the percent of approvals drawn from now on (0 to 100; 5 until a lead sets one).
    Share { percent: u8 },
    /// Record your own verdict on a drawn approval (never sent to the provider); prints the
    /// first verdict and whether you agree.
    Answer {
        session: String,
        #[arg(long, value_enum)]
        verdict: VerdictArg,
        #[arg(long)]
        reason: String,
        /// Required unless you approve: the disagreement is discussed from it.
        #[arg(long, allow_hyphen_values = true)]
        comment: Option<String>,
        /// The drawn approval's action id, when the session has more than one.
        #[arg(long)]
        action: Option<String>,
    },
    /// Agreement per reviewer and per warning code over a period's approvals, and the
    /// disagreements to discuss.
    Figures {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        until: Option<String>,
    },
}

macro_rules! on_log {
    ($open:expr, $log:ident => $body:expr) => {
        match &$open.team {
            Some($log) => $body,
            None => {
                let $log = &$open.desk.store;
                $body
            }
        }
    };
}

pub async fn run(
    open: &desk_profiles::OpenDesk,
    command: BlindCommand,
    json: bool,
) -> Result<(), Failure> {
    let desk = &open.desk;
    match command {
        BlindCommand::Queue { since } => {
            let queue = on_log!(open, log => desk.blind_review_queue(log, since.as_deref()).await?);
            if json {
                return emit(&serde_json::to_string_pretty(&queue)?);
            }
            let mut out = format!(
                "{} % of approvals are drawn; since {}: {} drawn, {} looked at, {} waiting\n",
                queue.share,
                queue.since,
                queue.drawn,
                queue.answered,
                queue.pending.len()
            );
            for item in &queue.pending {
                let _ = writeln!(
                    out,
                    "{}  #{:<8} decided {}  {}{}",
                    item.case_id,
                    item.case_number.map_or("?".into(), |n| n.to_string()),
                    item.decided_at.get(..16).unwrap_or(&item.decided_at),
                    item.warnings.join(","),
                    if item.own {
                        "  (yours: another lead must look)"
                    } else {
                        ""
                    }
                );
            }
            emit(out.trim_end())
        }
        BlindCommand::Share { percent } => {
            let before = on_log!(open, log => desk.set_blind_review_share(log, percent).await?);
            emit(&format!(
                "{percent} % of approvals are drawn from now on (was {before} %)"
            ))
        }
        BlindCommand::Answer {
            session,
            verdict,
            reason,
            comment,
            action,
        } => {
            let answer = BlindAnswer {
                case_id: session,
                action_id: action,
                verdict: verdict.into(),
                reason_id: reason,
                comment,
            };
            let outcome = on_log!(open, log => desk.answer_blind_review(log, &answer).await?);
            if json {
                return emit(&serde_json::to_string_pretty(&outcome)?);
            }
            emit(&format!(
                "recorded (entry {}); the first verdict was {} by {}: you {}",
                outcome.seq,
                outcome.first_verdict,
                outcome.reviewer,
                if outcome.agreed {
                    "agree"
                } else {
                    "disagree — flagged for discussion, nothing was sent"
                }
            ))
        }
        BlindCommand::Figures { from, until } => {
            let (from, until) = (from.as_deref(), until.as_deref());
            let f = on_log!(open, log => desk.blind_review_figures(log, from, until).await?);
            if json {
                return emit(&serde_json::to_string_pretty(&f)?);
            }
            let mut out = format!(
                "{} approvals, {} drawn ({} % now), {} looked at, {} agreed\n",
                f.approvals, f.drawn, f.share, f.answered, f.agreed
            );
            for (title, rows) in [("reviewer", &f.per_reviewer), ("warning", &f.per_warning)] {
                for a in rows {
                    let _ = writeln!(
                        out,
                        "{title:<8} {:<40} {:>3} of {:<3} agreed ({:.0} %)",
                        a.key,
                        a.agreed,
                        a.answered,
                        a.rate * 100.0
                    );
                }
            }
            for d in &f.disagreements {
                let _ = writeln!(
                    out,
                    "DISCUSS  {} approved by {}; {} would {} ({}): {}",
                    d.case_id,
                    d.reviewer,
                    d.lead,
                    d.verdict,
                    d.reason_id.as_deref().unwrap_or(""),
                    d.comment.as_deref().unwrap_or("")
                );
            }
            emit(out.trim_end())
        }
    }
}
