//! `desk audit`: verify the chain, sign a checkpoint, the lead's figures, filtered pages and
//! exports of the log (this desk's, or the team's).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::connect::team_log;
use crate::output::emit;
use crate::Failure;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the chain: OK with the count, or the first broken entry.
    Verify {
        /// Also check that the log still holds this checkpoint's head.
        #[arg(long, conflicts_with = "team")]
        checkpoint: Option<PathBuf>,
        /// Check the team's shared chain instead of this desk's own.
        #[arg(long)]
        team: bool,
    },
    /// Write {seq, head hash, signature} of the current head, signed with the profile's key.
    Checkpoint {
        #[arg(long)]
        out: PathBuf,
    },
    /// Figures of a period per reviewer and for the team: decisions per day and by verdict,
    /// time from opening to deciding, undo rate, conflicts, decisions changed later.
    Stats {
        /// From this date (2026-12-01) or instant on.
        #[arg(long)]
        from: Option<String>,
        /// Up to this date (inclusive) or instant (exclusive).
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        team: bool,
    },
    /// Entries newest first, filtered (this desk's log, or the team's with --team).
    List {
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// Entries older than this seq (the "next" a previous page printed).
        #[arg(long)]
        before: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        team: bool,
    },
    /// Writes every entry passing the filters to FILE (CSV or JSON), and beside it
    /// FILE.checkpoint.json: the signed head of the chain the export came from.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        filter: AuditFilterArgs,
        #[arg(long)]
        team: bool,
        /// Write comments as they are (else withheld); the reason is audited.
        #[arg(long, value_name = "REASON", allow_hyphen_values = true)]
        show_comments: Option<String>,
    },
}

/// The lead's audit filters; every one optional, all must hold.
#[derive(Args, Clone, Default)]
pub struct AuditFilterArgs {
    /// The reviewer, `Name <email>` as the log writes it.
    #[arg(long)]
    reviewer: Option<String>,
    /// What was done: approve, decline, blocklist_add, reveal, claim_cleared, …
    #[arg(long)]
    action: Option<String>,
    /// The state an action reached: applied, rejected, conflict, needs_attention, …
    #[arg(long)]
    state: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    /// A warning code the case carries (judged on the cached summaries).
    #[arg(long)]
    warning: Option<String>,
    #[arg(long)]
    session: Option<String>,
    /// From this date (2026-12-01) or instant on.
    #[arg(long)]
    from: Option<String>,
    /// Up to this date (inclusive) or instant (exclusive).
    #[arg(long)]
    until: Option<String>,
}

impl From<AuditFilterArgs> for desk_core::audit_view::AuditFilter {
    fn from(a: AuditFilterArgs) -> Self {
        Self {
            actor: a.reviewer,
            action: a.action,
            to_state: a.state,
            reason_id: a.reason,
            warning: a.warning,
            case_id: a.session,
            from: a.from,
            until: a.until,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Json,
}

pub async fn run(
    open: &desk_profiles::OpenDesk,
    command: AuditCommand,
    json: bool,
) -> Result<(), Failure> {
    let keystore = desk_profiles::keystore();
    match command {
        AuditCommand::Verify { checkpoint, team } => {
            let seed = || desk_profiles::signing_seed(&keystore, &open.profile.name);
            let started = std::time::Instant::now();
            let explicit = checkpoint.is_some();
            let report = match checkpoint {
                Some(path) => {
                    let cp: desk_core::audit::Checkpoint =
                        serde_json::from_slice(&std::fs::read(&path)?)?;
                    let key = desk_core::audit::public_key(&seed()?);
                    open.desk.verify_audit(Some((&cp, key.as_str()))).await?
                }
                None => {
                    let log = if team { Some(team_log(open)?) } else { None };
                    desk_profiles::verify_log(&open.desk, log, &open.data_dir, seed).await?
                }
            };
            let elapsed = started.elapsed();
            let chain = if team { "the team chain holds " } else { "" };
            if json {
                emit(&serde_json::to_string_pretty(&report)?)?;
            } else if let Some(b) = &report.broken {
                emit(&format!(
                    "{}BROKEN at entry {}: {} ({} entries checked before it)",
                    if team { "team chain " } else { "" },
                    b.seq,
                    b.why,
                    report.count
                ))?;
            } else if report.checkpoint_ok == Some(false) {
                emit(&format!(
                    "CHECKPOINT FAILED: {} (the chain itself holds {} entries, head {})",
                    report
                        .checkpoint_problem
                        .as_deref()
                        .unwrap_or("it does not match"),
                    report.count,
                    report.head_seq.unwrap_or(0)
                ))?;
            } else {
                emit(&format!(
                    "OK: {chain}{} entries, head {} ({:.0} entries/s){}",
                    report.count,
                    report.head_seq.unwrap_or(0),
                    report.count as f64 / elapsed.as_secs_f64().max(1e-9),
                    match (report.checkpoint_ok, &report.checkpoint_problem) {
                        (Some(true), _) if explicit => "; the checkpoint matches".to_owned(),
                        (Some(true), _) => "; the last checkpoint matches".to_owned(),
                        (_, Some(p)) => format!("; {p}"),
                        _ => String::new(),
                    }
                ))?;
            }
            if report.ok {
                Ok(())
            } else if team {
                Err("the team's audit log did not verify".into())
            } else {
                Err("the audit log did not verify".into())
            }
        }
        AuditCommand::Stats { from, until, team } => {
            let (from, until) = (from.as_deref(), until.as_deref());
            let sla = open.profile.sla_hours;
            let stats = if team {
                let log = team_log(open)?;
                open.desk.audit_stats(log, from, until, sla).await?
            } else {
                let log = &open.desk.store;
                open.desk.audit_stats(log, from, until, sla).await?
            };
            if json {
                emit(&serde_json::to_string_pretty(&stats)?)
            } else {
                emit(&render_stats(&stats))
            }
        }
        AuditCommand::List {
            filter,
            before,
            limit,
            team,
        } => {
            let filter = filter.into();
            let page = if team {
                let log = team_log(open)?;
                open.desk.audit_view(log, &filter, before, limit).await?
            } else {
                let log = &open.desk.store;
                open.desk.audit_view(log, &filter, before, limit).await?
            };
            if json {
                emit(&serde_json::to_string_pretty(&serde_json::json!({
                    "entries": page.entries,
                    "nextBefore": page.next_before,
                }))?)
            } else {
                let mut out = String::new();
                for e in &page.entries {
                    let d = &e.draft;
                    let _ = writeln!(
                        out,
                        "{:>7}  {}  {:<32}  {:<18} {:<10} {:<36} {}",
                        e.seq,
                        d.at,
                        d.actor,
                        d.action,
                        d.to_state.as_deref().unwrap_or(""),
                        d.case_id,
                        d.reason_id.as_deref().unwrap_or("")
                    );
                }
                match page.next_before {
                    Some(next) => {
                        let _ = write!(out, "more: --before {next}");
                    }
                    None => {
                        let _ = write!(out, "{} entries", page.entries.len());
                    }
                }
                emit(&out)
            }
        }
        AuditCommand::Export {
            format,
            out,
            filter,
            team,
            show_comments,
        } => {
            let format = match format {
                ExportFormatArg::Csv => desk_core::audit_view::ExportFormat::Csv,
                ExportFormatArg::Json => desk_core::audit_view::ExportFormat::Json,
            };
            let filter = filter.into();
            let seed = desk_profiles::signing_seed(&keystore, &open.profile.name)?;
            let team = if team { Some(team_log(open)?) } else { None };
            let started = std::time::Instant::now();
            let progress = |n: u64| {
                if !json {
                    eprint!("\rexported {n} entries");
                }
                true
            };
            let files = desk_profiles::export_audit_file(
                &open.desk,
                &open.data_dir,
                team,
                &filter,
                format,
                &out,
                show_comments.as_deref(),
                &seed,
                progress,
            )
            .await;
            if !json {
                eprintln!();
            }
            let files = files?;
            let report = &files.report;
            if json {
                emit(&serde_json::to_string_pretty(&report)?)
            } else {
                emit(&format!(
                    "{} entries written to {} in {:.2?}; the signed head (entry {}) is in {}",
                    report.entries,
                    out.display(),
                    started.elapsed(),
                    report.checkpoint.seq,
                    files.checkpoint_path.display()
                ))
            }
        }
        AuditCommand::Checkpoint { out } => {
            let seed = desk_profiles::signing_seed(&keystore, &open.profile.name)?;
            let cp = open.desk.checkpoint(&seed).await?;
            std::fs::write(&out, serde_json::to_string_pretty(&cp)?)?;
            desk_profiles::remember_checkpoint(&open.data_dir, false, &cp)?;
            if json {
                emit(&serde_json::to_string_pretty(&cp)?)
            } else {
                emit(&format!(
                    "checkpoint of entry {} written to {}",
                    cp.seq,
                    out.display()
                ))
            }
        }
    }
}

/// The allocator of the shipped binaries (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn render_stats(stats: &desk_core::audit_stats::AuditStats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} entries from {} until {}",
        stats.entries,
        stats.from.as_deref().unwrap_or("the start"),
        stats.until.as_deref().unwrap_or("now")
    );
    let secs = |v: Option<f64>| v.map_or("–".to_owned(), |s| format!("{s:.0} s"));
    for f in std::iter::once(&stats.team).chain(&stats.reviewers) {
        let _ = writeln!(
            out,
            "{:<40} {:>5} decisions (approve {} · decline {} · resubmit {})  open→decide median {} p90 {}  undo {:.0} %  conflicts {}  changed later {}  past the {} h SLA {}",
            f.reviewer,
            f.decisions,
            f.approved,
            f.declined,
            f.resubmitted,
            secs(f.open_to_decide_median_s),
            secs(f.open_to_decide_p90_s),
            f.undo_rate * 100.0,
            f.conflicts,
            f.changed_later,
            stats.sla_hours,
            f.sla_breaches
        );
    }
    out
}
