//! The request and response types that cross the IPC boundary to the web UI. The TypeScript
//! twins in `ui/src/bindings.ts` are generated from these; a test fails when they drift.

mod app;
mod audit;
mod blocklist;
mod case;
mod errors;
mod outbox;
mod queue;
mod team;
mod watch;

pub use app::*;
pub use audit::*;
pub use blocklist::*;
pub use case::*;
pub use errors::*;
pub use outbox::*;
pub use queue::*;
pub use team::*;
pub use watch::*;

use crate::blocklist::BlocklistKind;
pub use crate::case_file::RevealField;
use crate::case_file::{TimelineEntry, TimelineSource};
use crate::model::case::{
    AmlHit, CaseSummary, Check, ContactFacts, DocumentFacts, IpFacts, Mismatch, RelatedCase,
    ReviewEntry, Score, Severity, Step, ThresholdSource, Verdict, Warning,
};
use crate::model::request::{DecisionRequest, EmailNotice, RedoStep};
use crate::outbox::{ActionKind, ActionState, BlocklistRequest};
use ts_rs::TS;

/// The TypeScript declarations of every IPC type, as one module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let declarations = [
        AppInfo::decl(&cfg),
        UiError::decl(&cfg),
        ErrorCode::decl(&cfg),
        crate::provider::Provider::decl(&cfg),
        WatchView::decl(&cfg),
        crate::watch::WatchChange::decl(&cfg),
        crate::watch::WatchReport::decl(&cfg),
        crate::provider::Capabilities::decl(&cfg),
        QueueRow::decl(&cfg),
        QueueView::decl(&cfg),
        QueuePatch::decl(&cfg),
        WorkflowOption::decl(&cfg),
        FilterView::decl(&cfg),
        crate::ports::QueueFilter::decl(&cfg),
        SyncView::decl(&cfg),
        TimelineEntry::decl(&cfg),
        TimelineSource::decl(&cfg),
        CaseView::decl(&cfg),
        FoundSession::decl(&cfg),
        TeamView::decl(&cfg),
        AuditRowView::decl(&cfg),
        AuditPageView::decl(&cfg),
        crate::audit_stats::AuditStats::decl(&cfg),
        crate::audit_stats::Figures::decl(&cfg),
        crate::audit_view::AuditFilter::decl(&cfg),
        crate::audit_view::ExportFormat::decl(&cfg),
        crate::audit_view::ExportReport::decl(&cfg),
        crate::audit::Checkpoint::decl(&cfg),
        crate::audit::VerifyReport::decl(&cfg),
        crate::audit::Broken::decl(&cfg),
        crate::claims::Claim::decl(&cfg),
        crate::team::Presence::decl(&cfg),
        crate::four_eyes::FourEyesRule::decl(&cfg),
        crate::four_eyes::SecondLook::decl(&cfg),
        crate::four_eyes::Answer::decl(&cfg),
        crate::lookup::LookupQuery::decl(&cfg),
        crate::lookup::LookupAnswer::decl(&cfg),
        crate::lookup::VerificationCard::decl(&cfg),
        crate::lookup::PersonSession::decl(&cfg),
        crate::lookup::LookupField::decl(&cfg),
        OtherSession::decl(&cfg),
        DecidedView::decl(&cfg),
        RevealField::decl(&cfg),
        crate::reasons::Reason::decl(&cfg),
        crate::queue::SyncStatus::decl(&cfg),
        crate::ports::RateBudget::decl(&cfg),
        ActionView::decl(&cfg),
        ActionKind::decl(&cfg),
        ActionState::decl(&cfg),
        OutboxStatusView::decl(&cfg),
        BlocklistRequest::decl(&cfg),
        BlocklistKind::decl(&cfg),
        BlocklistEntryView::decl(&cfg),
        BlocklistPageView::decl(&cfg),
        crate::model::request::AmlRequest::decl(&cfg),
        crate::blind_review::BlindItem::decl(&cfg),
        crate::blind_review::BlindQueue::decl(&cfg),
        crate::blind_review::Agreement::decl(&cfg),
        crate::blind_review::Disagreement::decl(&cfg),
        crate::blind_review::BlindFigures::decl(&cfg),
        crate::blind_review::BlindAnswer::decl(&cfg),
        crate::blind_review::BlindOutcome::decl(&cfg),
        crate::case_file::BlocklistImpact::decl(&cfg),
        ProfileView::decl(&cfg),
        ProfileInput::decl(&cfg),
        ConnectionView::decl(&cfg),
        ConnectionCheck::decl(&cfg),
        crate::profile::Profile::decl(&cfg),
        crate::profile::ProfileKind::decl(&cfg),
        crate::profile::Role::decl(&cfg),
        DecisionRequest::decl(&cfg),
        EmailNotice::decl(&cfg),
        RedoStep::decl(&cfg),
        Verdict::decl(&cfg),
        CaseSummary::decl(&cfg),
        Check::decl(&cfg),
        Score::decl(&cfg),
        ThresholdSource::decl(&cfg),
        Warning::decl(&cfg),
        Severity::decl(&cfg),
        DocumentFacts::decl(&cfg),
        Mismatch::decl(&cfg),
        AmlHit::decl(&cfg),
        IpFacts::decl(&cfg),
        ContactFacts::decl(&cfg),
        RelatedCase::decl(&cfg),
        Step::decl(&cfg),
        ReviewEntry::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/crates/desk-core/src/ipc/ by `UPDATE_BINDINGS=1 cargo test -p desk-core`.\n// Do not edit by hand.\n",
    );
    for declaration in declarations {
        out.push_str("\nexport ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn audit_rows_and_blocklist_entries_show_hidden_characters_as_marks() {
        let entry = crate::audit::AuditEntry::seal(
            crate::audit::AuditDraft {
                at: "2026-12-01T09:00:00.000000Z".into(),
                actor: "Am\u{202E}ira <amira@dhmad.tn>".into(),
                action: "decline".into(),
                case_id: "case".into(),
                comment: Some("=cmd\u{200B}|".into()),
                outcome: Some("ok\u{2066}".into()),
                app_version: "t".into(),
                ..Default::default()
            },
            None,
        );
        let row = AuditRowView::from(&entry);
        assert_eq!(row.actor, "Am⟦U+202E⟧ira <amira@dhmad.tn>");
        assert_eq!(row.comment.as_deref(), Some("=cmd⟦U+200B⟧|"));
        assert_eq!(row.outcome.as_deref(), Some("ok⟦U+2066⟧"));

        let page = BlocklistPageView::build(
            crate::blocklist::BlocklistPage {
                entries: vec![crate::blocklist::BlocklistEntry {
                    kind: crate::blocklist::BlocklistKind::Email,
                    case_id: Some("s\u{200D}1".into()),
                    case_number: Some(1),
                    blocklisted_at: None,
                    value: Some("••••\u{202E}tn".into()),
                }],
                total: Some(1),
            },
            0,
        );
        assert_eq!(
            page.entries[0].value_masked.as_deref(),
            Some("••••⟦U+202E⟧tn")
        );
        assert_eq!(page.entries[0].case_id.as_deref(), Some("s⟦U+200D⟧1"));
    }

    fn committed_bindings_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings.ts")
    }

    /// Fails when the committed bindings differ from a fresh generation. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them after changing an IPC type.
    #[test]
    fn committed_bindings_match_a_fresh_generation() {
        let fresh = typescript_bindings();
        let path = committed_bindings_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p desk-core`"
        );
    }

    #[test]
    fn queue_rows_keep_enough_of_vendor_data_to_tell_rows_apart() {
        assert_eq!(mask_row_key("dhmad-user-000123"), "dh••••••••••00123");
        assert_ne!(
            mask_row_key("dhmad-user-000123"),
            mask_row_key("dhmad-user-000124")
        );
        assert_eq!(mask_row_key("user-42"), "us•••42");
        assert_eq!(mask_row_key("u-42"), "••••");
        assert_eq!(mask_row_key("محمد-بن-علي-٤٢"), "مح••••••••ي-٤٢");
    }

    #[test]
    fn ui_error_serializes_with_camel_case_keys() {
        let error = UiError::new(ErrorCode::Unavailable, "No network", true);
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"code": "unavailable", "message": "No network", "retryable": true})
        );
        assert_eq!(error.to_string(), "unavailable: No network");
    }
}
