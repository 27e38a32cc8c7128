//! `desk lookup`: support's answer to "is this person verified, and linked to their DHMAD
//! account?", masked beyond what was typed; a reveal with a reason, a resent invite.

use std::fmt::Write as _;

use clap::Args;

use crate::connect::{open_desk, DeskArgs};
use crate::output::{emit, emit_queued};
use crate::Failure;

/// The arguments of `desk lookup`.
#[derive(Args)]
pub struct LookupArgs {
    /// An email address, a DHMAD verification id or a vendor_data.
    pub query: Option<String>,
    /// DHMAD cannot search by the marketplace's user id: asking says so.
    #[arg(long)]
    pub external_user_id: Option<String>,
    /// Queue sending the pending verification QUERY's (a DHMAD id) invite again, through
    /// the outbox (`desk outbox drain` sends it); --comment says why.
    #[arg(long, conflicts_with = "reveal")]
    pub resend_invite: bool,
    #[arg(long, allow_hyphen_values = true)]
    pub comment: Option<String>,
    /// Unmask one value of the verification QUERY (a DHMAD id), with --reason (audited).
    #[arg(long, value_enum, requires = "reason")]
    pub reveal: Option<LookupFieldArg>,
    #[arg(long, allow_hyphen_values = true)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub desk: DeskArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LookupFieldArg {
    Email,
    ExternalUserId,
    LinkedUserId,
}

impl From<LookupFieldArg> for desk_core::lookup::LookupField {
    fn from(arg: LookupFieldArg) -> Self {
        use desk_core::lookup::LookupField as F;
        match arg {
            LookupFieldArg::Email => F::Email,
            LookupFieldArg::ExternalUserId => F::ExternalUserId,
            LookupFieldArg::LinkedUserId => F::LinkedUserId,
        }
    }
}

pub async fn lookup(args: LookupArgs) -> Result<(), Failure> {
    let LookupArgs {
        query,
        external_user_id,
        resend_invite,
        comment,
        reveal,
        reason,
        desk: DeskArgs {
            connect: didit,
            json,
        },
    } = args;
    if external_user_id.is_some() {
        return Err(desk_core::lookup::NO_EXTERNAL_ID_SEARCH.into());
    }
    let query =
        query.ok_or("name whom to look up: an email, a DHMAD verification id or a vendor_data")?;
    let open = open_desk(didit).await?;
    if resend_invite {
        let action = open
            .desk
            .submit_invite(open.dhmad.as_ref(), &query, comment.as_deref())
            .await?;
        return emit_queued(&action, json);
    }
    if let Some(field) = reveal {
        let value = open
            .desk
            .reveal_lookup(
                open.dhmad.as_ref(),
                &query,
                field.into(),
                reason.as_deref().unwrap_or_default(),
            )
            .await?;
        return emit(value.as_deref().unwrap_or("(not set)"));
    }
    let answer = open.desk.lookup(open.dhmad.as_ref(), &query).await?;
    if json {
        emit(&serde_json::to_string_pretty(&answer)?)
    } else {
        emit(&render_lookup(&answer))
    }
}

fn render_lookup(answer: &desk_core::lookup::LookupAnswer) -> String {
    let mut out = String::new();
    for v in &answer.verifications {
        let _ = writeln!(out, "DHMAD verification {}", v.id);
        let _ = writeln!(out, "  email               {}", v.email);
        let _ = writeln!(
            out,
            "  kyc_status          {}{}",
            v.kyc_status,
            if v.needs_admin_review {
                " (needs admin review)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "  claim               {}{}",
            v.claim_status.as_deref().unwrap_or("–"),
            if v.linked {
                format!(
                    " to user {} at {}",
                    v.linked_user_id_masked.as_deref().unwrap_or("–"),
                    v.linked_at.as_deref().unwrap_or("–")
                )
            } else {
                " (not linked to a DHMAD account yet)".into()
            }
        );
        let _ = writeln!(
            out,
            "  invite email        {}",
            if v.invite_sent {
                format!("sent {}", v.invite_sent_at.as_deref().unwrap_or(""))
            } else {
                "not sent".into()
            }
        );
        for (label, value) in [
            ("didit session", &v.didit_session_status),
            ("expires", &v.expires_at),
            ("created", &v.created_at),
            ("updated", &v.updated_at),
        ] {
            let _ = writeln!(out, "  {label:<19} {}", value.as_deref().unwrap_or("–"));
        }
    }
    if !answer.sessions.is_empty() {
        let _ = writeln!(out, "Didit sessions");
        for s in &answer.sessions {
            let _ = writeln!(
                out,
                "  {:<8} {:<14} {}",
                s.case_number.map_or("–".into(), |n| n.to_string()),
                s.status,
                s.case_id
            );
        }
    }
    for note in &answer.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
