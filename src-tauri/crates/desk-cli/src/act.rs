//! `desk decide`, `desk blocklist` and `desk aml`: queue a decision, a blocklist change or an AML
//! review through the outbox (`desk outbox drain` or the app sends it), and list the blocklist.

use clap::Args;

use crate::connect::{catch_up, open_desk, DeskArgs};
use crate::output::emit_queued;
use crate::Failure;

/// The arguments of `desk decide`.
#[derive(Args)]
pub struct DecideArgs {
    /// The case id: a Didit session UUID, or verifyhq:<verification id>.
    pub session: String,
    #[arg(long, value_enum)]
    pub verdict: VerdictArg,
    /// The reason id from the team's list.
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub comment: Option<String>,
    /// Steps to redo (resubmit only), e.g. feature_ocr_1,feature_liveness_1.
    #[arg(long, value_delimiter = ',')]
    pub steps: Vec<String>,
    /// Seconds the decision waits before it may be sent.
    #[arg(long, default_value_t = 0)]
    pub undo_secs: u32,
    #[command(flatten)]
    pub desk: DeskArgs,
}

/// The arguments of `desk blocklist`.
#[derive(Args)]
pub struct BlocklistArgs {
    #[arg(value_enum)]
    pub change: BlocklistChange,
    /// The session id (UUID); add and remove need it.
    pub session: Option<String>,
    /// `list`: which entries (face, document, phone or email).
    #[arg(long = "type", value_enum, default_value = "face")]
    pub kind: BlocklistKindArg,
    /// `list`: the page, from 1 (20 entries a page).
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    #[arg(long)]
    pub face: bool,
    #[arg(long)]
    pub document: bool,
    #[arg(long)]
    pub phone: bool,
    #[arg(long)]
    pub email: bool,
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub comment: Option<String>,
    #[command(flatten)]
    pub desk: DeskArgs,
}

/// The arguments of `desk aml`.
#[derive(Args)]
pub struct AmlArgs {
    pub session: String,
    /// The hit's id (from `desk summary --json`); without it the AML check itself.
    #[arg(long)]
    pub hit: Option<String>,
    /// Unreviewed, Confirmed Match, False Positive or Inconclusive for a hit; Approved,
    /// Declined, In Review, Not Finished or Resub Requested for the check.
    #[arg(long)]
    pub status: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// Why (required).
    #[arg(long, allow_hyphen_values = true)]
    pub comment: String,
    #[command(flatten)]
    pub desk: DeskArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum VerdictArg {
    Approve,
    Decline,
    Resubmit,
}

impl From<VerdictArg> for desk_core::model::case::Verdict {
    fn from(v: VerdictArg) -> Self {
        match v {
            VerdictArg::Approve => Self::Approve,
            VerdictArg::Decline => Self::Decline,
            VerdictArg::Resubmit => Self::Resubmit,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlocklistChange {
    List,
    Add,
    Remove,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BlocklistKindArg {
    Face,
    Document,
    Phone,
    Email,
}

impl From<BlocklistKindArg> for desk_core::blocklist::BlocklistKind {
    fn from(arg: BlocklistKindArg) -> Self {
        use desk_core::blocklist::BlocklistKind as K;
        match arg {
            BlocklistKindArg::Face => K::Face,
            BlocklistKindArg::Document => K::Document,
            BlocklistKindArg::Phone => K::Phone,
            BlocklistKindArg::Email => K::Email,
        }
    }
}

pub async fn decide(args: DecideArgs) -> Result<(), Failure> {
    let DecideArgs {
        session,
        verdict,
        reason,
        comment,
        steps,
        undo_secs,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    let verdict = desk_core::model::case::Verdict::from(verdict);
    use desk_core::ports::CaseSource;
    let provider = open.desk.source.provider_of(&session);
    let redo = if steps.is_empty() {
        Vec::new()
    } else if let Some(why) = open
        .desk
        .source
        .capabilities_of(&session)
        .redo_refusal(provider)
    {
        return Err(why.into());
    } else {
        let (summary, _, _) = open.desk.open(&session).await?;
        steps
            .iter()
            .map(|step| {
                summary
                    .steps
                    .iter()
                    .find(|s| &s.step == step)
                    .map(|s| desk_core::model::request::RedoStep {
                        step: s.step.clone(),
                        kind: s.kind.clone(),
                    })
                    .ok_or_else(|| format!("this session has no step {step:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let request = desk_core::model::request::DecisionRequest {
        case_id: session,
        verdict,
        comment,
        notify: None,
        redo,
        reason_id: reason,
    };
    // The window's claim policy on opening a case: held by another desk, it is not decided here.
    if let Some(team) = &open.team {
        use desk_core::claims::OpenClaim;
        match open.desk.open_for_review(team, &request.case_id).await {
            OpenClaim::Held => {}
            OpenClaim::HeldBy(other) => {
                return Err(format!(
                    "{} is reviewing this case (claimed until {}); this desk does not hold it",
                    other.holder, other.expires_at
                )
                .into())
            }
            OpenClaim::Unconfirmed(e) => eprintln!(
                "desk: the team store did not answer ({e}); the decision is queued and sent once it confirms this desk holds the case"
            ),
        }
    }
    let submitted = open
        .desk
        .submit_decision_within(request, chrono::Duration::seconds(i64::from(undo_secs)))
        .await?;
    catch_up(&open, Some(&submitted.action.case_id)).await;
    emit_queued(&submitted.action, json)
}

pub async fn blocklist(args: BlocklistArgs) -> Result<(), Failure> {
    let BlocklistArgs {
        change,
        session,
        kind,
        page,
        face,
        document,
        phone,
        email,
        reason,
        comment,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    if change == BlocklistChange::List {
        let open = open_desk(didit).await?;
        let index = page.checked_sub(1).ok_or("pages count from 1")?;
        let listed = open.desk.blocklist_entries(kind.into(), index).await?;
        let view = desk_core::ipc::BlocklistPageView::build(listed, index);
        if json {
            println!("{}", serde_json::to_string_pretty(&view)?);
        } else if view.entries.is_empty() {
            println!("no entries on page {page}");
        } else {
            for e in &view.entries {
                println!(
                    "{:<10} {:<8} {:<26} {}",
                    e.case_number.map_or("–".into(), |n| n.to_string()),
                    e.kind.as_str(),
                    e.blocklisted_at.as_deref().unwrap_or("–"),
                    e.value_masked.as_deref().unwrap_or("–"),
                );
            }
            if let Some(total) = view.total {
                println!(
                    "page {page} of {}",
                    total.div_ceil(u64::from(view.page_size)).max(1)
                );
            }
        }
        return Ok(());
    }
    let session = session.ok_or("name the session (UUID) to blocklist or unblock")?;
    let open = open_desk(didit).await?;
    let action = open
        .desk
        .submit_blocklist(desk_core::outbox::BlocklistRequest {
            case_id: session,
            add: change == BlocklistChange::Add,
            face,
            document,
            phone,
            email,
            reason_id: reason,
            comment,
        })
        .await?;
    catch_up(&open, None).await;
    emit_queued(&action, json)
}

pub async fn aml(args: AmlArgs) -> Result<(), Failure> {
    let AmlArgs {
        session,
        hit,
        status,
        reason,
        comment,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    let open = open_desk(didit).await?;
    let action = open
        .desk
        .submit_aml(desk_core::model::request::AmlRequest {
            case_id: session,
            hit_id: hit,
            status,
            reason_id: reason,
            comment: Some(comment),
        })
        .await?;
    catch_up(&open, None).await;
    emit_queued(&action, json)
}
