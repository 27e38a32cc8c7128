//! `desk summary`, `desk reveal` and `desk timeline`: one case as the window shows it (masked),
//! one value unmasked with a reason (audited), and what happened to it.

use std::fmt::Write as _;

use clap::Args;
use desk_core::model::case::CaseSummary;

use crate::connect::{catch_up, open_desk, DeskArgs};
use crate::output::emit;
use crate::Failure;

/// The arguments of `desk summary`.
#[derive(Args)]
pub struct SummaryArgs {
    /// The case id: a Didit session UUID, or verifyhq:<verification id>.
    pub session: String,
    #[command(flatten)]
    pub desk: DeskArgs,
}

/// The arguments of `desk reveal`.
#[derive(Args)]
pub struct RevealArgs {
    pub session: String,
    #[arg(long, value_enum)]
    pub field: RevealArg,
    /// Which mismatch, contact or IP fact (0 = the first).
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// Why you need it (3 to 500 characters).
    #[arg(long, allow_hyphen_values = true)]
    pub reason: String,
    #[command(flatten)]
    pub desk: DeskArgs,
}

/// The arguments of `desk timeline`.
#[derive(Args)]
pub struct TimelineArgs {
    /// The case id: a Didit session UUID, or verifyhq:<verification id>.
    pub session: String,
    #[command(flatten)]
    pub desk: DeskArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RevealArg {
    DocumentNumber,
    DateOfBirth,
    MismatchExpected,
    MismatchFound,
    Contact,
    IpAddress,
}

impl From<RevealArg> for desk_core::case_file::RevealField {
    fn from(arg: RevealArg) -> Self {
        use desk_core::case_file::RevealField as F;
        match arg {
            RevealArg::DocumentNumber => F::DocumentNumber,
            RevealArg::DateOfBirth => F::DateOfBirth,
            RevealArg::MismatchExpected => F::MismatchExpected,
            RevealArg::MismatchFound => F::MismatchFound,
            RevealArg::Contact => F::Contact,
            RevealArg::IpAddress => F::IpAddress,
        }
    }
}

pub async fn summary(args: SummaryArgs) -> Result<(), Failure> {
    let SummaryArgs {
        session,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    // The same masked view the app shows; `desk reveal` unmasks one value, with a reason.
    let view = desk_core::ipc::CaseView::build(open.desk.case_file(&session).await?);
    if json {
        emit(&serde_json::to_string_pretty(&view)?)?;
    } else {
        emit(&render_summary(&view.summary))?;
    }
    Ok(())
}

pub async fn reveal(args: RevealArgs) -> Result<(), Failure> {
    let RevealArgs {
        session,
        field,
        index,
        reason,
        desk: DeskArgs { connect: didit, .. },
    } = args;
    let open = open_desk(didit).await?;
    let value = open
        .desk
        .reveal(&session, field.into(), index, &reason)
        .await?;
    catch_up(&open, Some(&session)).await;
    emit(value.as_deref().unwrap_or("(no such value in this case)"))
}

pub async fn timeline(args: TimelineArgs) -> Result<(), Failure> {
    let TimelineArgs {
        session,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    let timeline = open.desk.timeline(&session).await?;
    if json {
        emit(&serde_json::to_string_pretty(&timeline)?)
    } else {
        emit(&render_timeline(&timeline))
    }
}

fn render_summary(s: &CaseSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Session {} ({})  status: {}  created: {}",
        s.case_number.map_or("-".into(), |n| n.to_string()),
        s.case_id,
        s.status,
        s.created_at.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "\nWarnings");
    for w in &s.warnings {
        let _ = writeln!(
            out,
            "  [{:?}] {} {} — {}",
            w.severity, w.check, w.code, w.short_description
        );
    }
    let _ = writeln!(out, "\nChecks");
    for c in &s.checks {
        let score = c
            .score
            .map(|sc| format!("  score {:.1}", sc.value))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<20} {:<14}{}",
            c.kind.as_str(),
            c.status.as_str(),
            score
        );
    }
    for d in &s.documents {
        let _ = writeln!(
            out,
            "\nDocument: {} from {}, expires {}, number {}, born {}",
            d.document_type.as_deref().unwrap_or("-"),
            d.issuing_country.as_deref().unwrap_or("-"),
            d.expiry.as_deref().unwrap_or("-"),
            d.document_number.as_deref().unwrap_or_default(),
            d.date_of_birth.as_deref().unwrap_or_default(),
        );
    }
    for m in &s.mismatches {
        let _ = writeln!(
            out,
            "Mismatch: {} expected {:?}, found {:?}",
            m.field, m.expected, m.found
        );
    }
    for h in &s.aml_hits {
        let _ = writeln!(
            out,
            "AML hit: {} {:?} match {:?}",
            h.matched_name, h.datasets, h.match_score
        );
    }
    for r in &s.related {
        let _ = writeln!(
            out,
            "Related: session {:?} via {} similarity {:?}",
            r.case_number, r.via, r.similarity
        );
    }
    out
}

fn render_timeline(timeline: &[desk_core::case_file::TimelineEntry]) -> String {
    let mut out = String::new();
    for t in timeline {
        let source = match t.source {
            desk_core::case_file::TimelineSource::Provider => "didit",
            desk_core::case_file::TimelineSource::Desk => "desk",
        };
        let _ = writeln!(
            out,
            "{}  {source:<5} {:<22} {}{}{}{}",
            t.at.as_deref().unwrap_or("-"),
            t.kind,
            t.actor,
            t.actor_type
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default(),
            t.change
                .as_deref()
                .map(|c| format!("  {c}"))
                .unwrap_or_default(),
            t.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default(),
        );
    }
    if timeline.is_empty() {
        out.push_str(
            "nothing has happened to this session yet
",
        );
    }
    out
}
