//! `desk outbox`: list the actions, send what is due, retry or cancel one.

use std::fmt::Write as _;

use clap::Subcommand;

use crate::output::emit;
use crate::Failure;

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Every action and its state (the default).
    List,
    /// Send until nothing is due; exits non-zero if an action ended needing attention.
    Drain,
    /// Send an action that needs attention again (it is reconciled first).
    Retry { action: String },
    /// Cancel an action that waits or needs attention.
    Cancel { action: String },
}

fn render_actions(actions: &[desk_core::outbox::Action]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} actions", actions.len());
    for a in actions {
        let _ = writeln!(
            out,
            "{}  {:<16} {:<16} {}  attempts {}  {}",
            a.id,
            a.kind.as_str(),
            a.state.as_str(),
            a.case_id,
            a.attempts,
            a.detail.as_deref().unwrap_or("")
        );
    }
    out
}

pub async fn run(
    open: &desk_profiles::OpenDesk,
    command: OutboxCommand,
    json: bool,
) -> Result<(), Failure> {
    let desk = &open.desk;
    let show = |actions: Vec<desk_core::outbox::Action>| -> Result<(), Failure> {
        if json {
            let views: Vec<_> = actions
                .iter()
                .map(desk_core::ipc::ActionView::from)
                .collect();
            emit(&serde_json::to_string_pretty(&views)?)
        } else {
            emit(&render_actions(&actions))
        }
    };
    match command {
        OutboxCommand::List => show(desk.outbox().await?),
        OutboxCommand::Retry { action } => show(vec![desk.retry(&action).await?]),
        OutboxCommand::Cancel { action } => show(vec![desk.cancel(&action).await?]),
        OutboxCommand::Drain => {
            let _lock = desk_profiles::lock_sending(&open.data_dir, "the desk command")?;
            let total = desk_profiles::drain(desk, open.dhmad.as_ref(), open.team.as_ref()).await?;
            if json {
                emit(&serde_json::to_string_pretty(&total)?)?;
            } else {
                emit(&format!(
                    "sent {}: {} applied, {} rejected, {} conflict, {} need attention",
                    total.processed,
                    total.applied,
                    total.rejected,
                    total.conflict,
                    total.needs_attention
                ))?;
                if total.awaiting_second_look > 0 {
                    emit(&format!(
                        "{} wait for a second reviewer (`desk team confirm ACTION` on another desk); a later drain sends them",
                        total.awaiting_second_look
                    ))?;
                }
            }
            if total.needs_attention > 0 {
                return Err("some actions need attention: see `desk outbox`".into());
            }
            Ok(())
        }
    }
}
