//! `desk queue` and `desk find`: the sessions waiting for review (the same masked rows the
//! window shows) and any session by its id or vendor_data.

use std::fmt::Write as _;

use clap::Args;

use desk_core::ipc::QueueRow;

use crate::connect::{open_desk, DeskArgs};
use crate::output::emit;
use crate::Failure;

/// The arguments of `desk queue`.
#[derive(Args)]
pub struct QueueArgs {
    /// Only cases carrying this warning (risk) code.
    #[arg(long)]
    pub warning: Option<String>,
    /// Only cases whose document was issued by this country (ISO alpha-3).
    #[arg(long)]
    pub country: Option<String>,
    /// Only cases of this workflow (its id).
    #[arg(long)]
    pub workflow: Option<String>,
    /// Also fetch the summary of every case not fetched yet (within the read budget).
    #[arg(long)]
    pub fill: bool,
    #[command(flatten)]
    pub desk: DeskArgs,
}

/// The arguments of `desk find`.
#[derive(Args)]
pub struct FindArgs {
    pub text: String,
    #[command(flatten)]
    pub desk: DeskArgs,
}

pub async fn queue(args: QueueArgs) -> Result<(), Failure> {
    let QueueArgs {
        warning,
        country,
        workflow,
        fill,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    open.desk.sync().await?;
    for why in open.desk.sync_status().unread {
        eprintln!("warning: {why}");
    }
    if fill {
        let fetched = desk_profiles::fill_summaries(&open.desk, 50).await?;
        eprintln!("fetched {fetched} summaries; every queued case has one");
    }
    // The view the window gets: masked rows with workflow names and due tags.
    let sla = chrono::Duration::hours(i64::from(open.profile.sla_hours));
    let mut view = desk_core::ipc::QueueView::build(&open.desk.queue_snapshot().await?, sla);
    let filter = desk_core::ports::QueueFilter {
        warning,
        country,
        workflow_id: workflow,
    };
    if !filter.is_empty() {
        let outcome = open.desk.filter_queue(&filter).await?;
        let keep: std::collections::HashSet<&str> =
            outcome.case_ids.iter().map(String::as_str).collect();
        view.rows.retain(|r| keep.contains(r.case_id.as_str()));
        if !outcome.exact {
            eprintln!(
                "Didit could not be asked: judged on cached summaries; {} cases not judged yet",
                outcome.unjudged
            );
        }
    }
    if json {
        emit(&serde_json::to_string_pretty(&view)?)?;
    } else {
        emit(&render_queue(&view.rows))?;
    }
    Ok(())
}

pub async fn find(args: FindArgs) -> Result<(), Failure> {
    let FindArgs {
        text,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    let found: Vec<desk_core::ipc::FoundSession> = open
        .desk
        .find_sessions(&text)
        .await?
        .iter()
        .map(Into::into)
        .collect();
    if json {
        emit(&serde_json::to_string_pretty(&found)?)?;
    } else if found.is_empty() {
        emit("no session found (search by a session UUID or an exact vendor_data)")?;
    } else {
        for f in &found {
            println!(
                "{:<8} {:<14} {:<28} {}",
                f.case_number.map_or("–".into(), |n| n.to_string()),
                f.status,
                f.vendor_data_masked.as_deref().unwrap_or("–"),
                f.case_id
            );
        }
    }
    Ok(())
}

fn render_queue(rows: &[QueueRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} sessions in review", rows.len());
    let _ = writeln!(
        out,
        "{:<8} {:<46} {:<24} {:<4} {:<12} {:<20} warnings",
        "number", "session", "vendor_data", "ctry", "due", "workflow"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:<8} {:<46} {:<24} {:<4} {:<12} {:<20} {}",
            row.case_number.map_or("-".into(), |n| n.to_string()),
            row.case_id,
            row.vendor_data_masked.as_deref().unwrap_or_default(),
            row.country.as_deref().unwrap_or("-"),
            row.due_label.as_deref().unwrap_or("-"),
            row.workflow_name.as_deref().unwrap_or("-"),
            row.top_warnings.join(" "),
        );
    }
    out
}
