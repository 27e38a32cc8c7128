//! One case: open it (from the cache when fresh, from the provider otherwise, from the cache
//! again when the provider cannot be reached), with its timeline (the provider's review feed
//! merged with the desk's own audit entries) and the person's other sessions; reveal a masked
//! value for a stated reason, which the audit log keeps.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::desk::{Desk, DeskError};
use crate::model::case::{CaseSummary, QueueItem, ReviewEntry};
use crate::model::request::{validate_case_id, ActionError};
use crate::ports::{CaseSource, Clock, SourceError, Store, Workflows};

/// A case as the desk knows it: the summary (unmasked: views mask it), when it was fetched,
/// whether that copy is older than the cache's freshness because the provider did not answer,
/// its audit trail and the person's other sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFile {
    pub summary: CaseSummary,
    pub fetched_at: DateTime<Utc>,
    pub stale: bool,
    /// Newest first: the provider's feed and the desk's audit entries for this case.
    pub timeline: Vec<TimelineEntry>,
    pub others: Vec<QueueItem>,
    /// The case's provider and what it can do, as the source says.
    pub provider: crate::provider::Provider,
    pub capabilities: crate::provider::Capabilities,
}

/// Where a timeline entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TimelineSource {
    /// The provider's review feed (its console, API keys, its own system).
    Provider,
    /// This desk's audit log (queued, sent, undone, conflict, reveal…).
    Desk,
}

/// One line of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// RFC 3339, UTC.
    pub at: Option<String>,
    pub source: TimelineSource,
    /// The provider's activity type, or the desk's action (decline, undo, reveal, …).
    pub kind: String,
    pub actor: String,
    /// API_KEY, CONSOLE_USER or SYSTEM for provider entries.
    pub actor_type: Option<String>,
    /// "In Review → Approved" (a status change) or "queued → sending" (an action's state).
    pub change: Option<String>,
    /// The comment, the API's message, what a reconcile found.
    pub detail: Option<String>,
}

/// Merges the provider's feed and the desk's audit entries of one case, newest first.
pub fn timeline(feed: &[ReviewEntry], trail: &[AuditEntry]) -> Vec<TimelineEntry> {
    let status = |s: &Option<crate::model::case::CaseStatus>| s.as_ref().map(ToString::to_string);
    let mut out: Vec<TimelineEntry> = feed
        .iter()
        .map(|r| TimelineEntry {
            at: r.at.clone(),
            source: TimelineSource::Provider,
            kind: r
                .activity_type
                .clone()
                .unwrap_or_else(|| "STATUS_UPDATED".to_owned()),
            actor: r.actor.clone(),
            actor_type: r.actor_type.clone(),
            change: match (status(&r.previous_status), status(&r.new_status)) {
                (Some(a), Some(b)) => Some(format!("{a} → {b}")),
                (None, Some(b)) => Some(b),
                _ => None,
            },
            detail: r.comment.clone(),
        })
        // Openings are bookkeeping for the lead's figures, not something done to the case.
        .chain(
            trail
                .iter()
                .filter(|e| e.draft.action != "opened")
                .map(|e| {
                    let d = &e.draft;
                    TimelineEntry {
                        at: Some(d.at.clone()),
                        source: TimelineSource::Desk,
                        kind: d.action.clone(),
                        actor: d.actor.clone(),
                        actor_type: None,
                        change: match (&d.from_state, &d.to_state) {
                            (Some(f), Some(t)) => Some(format!("{f} → {t}")),
                            (None, Some(t)) => Some(t.clone()),
                            _ => None,
                        },
                        detail: [d.outcome.as_deref(), d.comment.as_deref()]
                            .into_iter()
                            .flatten()
                            .map(str::to_owned)
                            .reduce(|a, b| format!("{a} — {b}")),
                    }
                }),
        )
        .collect();
    let when = |t: &TimelineEntry| {
        t.at.as_deref()
            .and_then(|a| DateTime::parse_from_rfc3339(a).ok())
            .map(|a| a.with_timezone(&Utc))
    };
    // Newest first; entries without a time go last; the desk's own entries keep their order.
    out.sort_by_key(|t| std::cmp::Reverse(when(t)));
    out
}

/// What blocklisting a case's items would reach, counted from what the desk holds; no values.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlocklistImpact {
    /// Which items this case has to blocklist.
    pub has_face: bool,
    pub has_document: bool,
    pub has_phone: bool,
    pub has_email: bool,
    /// Sessions the provider's decision lists as matching this face.
    #[ts(type = "number")]
    pub face_matches: u32,
    /// Other cached cases with the same document number, phone or email.
    #[ts(type = "number")]
    pub document_sessions: u32,
    #[ts(type = "number")]
    pub phone_sessions: u32,
    #[ts(type = "number")]
    pub email_sessions: u32,
    /// How many other cases the counts were taken over.
    #[ts(type = "number")]
    pub cached_cases: u32,
    /// `*_IN_BLOCKLIST` warnings this case already carries.
    pub already_blocklisted: Vec<String>,
}

/// A masked value a reviewer may reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RevealField {
    DocumentNumber,
    DateOfBirth,
    /// The expected value of mismatch `index`.
    MismatchExpected,
    /// The value found for mismatch `index`.
    MismatchFound,
    /// Contact `index` (phone or email).
    Contact,
    /// The IP address of IP fact `index`.
    IpAddress,
}

impl RevealField {
    pub fn label(self) -> &'static str {
        match self {
            Self::DocumentNumber => "document number",
            Self::DateOfBirth => "date of birth",
            Self::MismatchExpected => "expected value",
            Self::MismatchFound => "found value",
            Self::Contact => "contact",
            Self::IpAddress => "IP address",
        }
    }

    /// The unmasked value in `summary`, if there is one.
    pub fn value(self, summary: &CaseSummary, index: usize) -> Option<String> {
        match self {
            Self::DocumentNumber => summary.documents.first()?.document_number.clone(),
            Self::DateOfBirth => summary.documents.first()?.date_of_birth.clone(),
            Self::MismatchExpected => Some(summary.mismatches.get(index)?.expected.clone()),
            Self::MismatchFound => Some(summary.mismatches.get(index)?.found.clone()),
            Self::Contact => Some(summary.contacts.get(index)?.value.clone()),
            Self::IpAddress => summary.ip.get(index)?.ip_address.clone(),
        }
    }
}

/// What the case file remembers: the score thresholds per workflow id, read once per run
/// (None: the workflow sets none).
#[derive(Default)]
struct CaseMemory {
    thresholds: std::sync::Mutex<
        std::collections::HashMap<String, Option<crate::model::case::WorkflowThresholds>>,
    >,
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    fn case_memory(&self) -> std::sync::Arc<CaseMemory> {
        self.memory.of()
    }

    /// A case's summary: from the cache when fresh, else from the provider (and cached). When
    /// the provider cannot be reached, a cached copy of any age is returned, marked stale.
    pub async fn open(
        &self,
        case_id: &str,
    ) -> Result<(CaseSummary, DateTime<Utc>, bool), DeskError> {
        validate_case_id(case_id)?;
        let cached = self.store.summary(case_id).await?;
        if let Some((summary, at)) = &cached {
            if self.clock.now() - *at < self.summary_ttl {
                return Ok((summary.clone(), *at, false));
            }
        }
        match (self.fetch(case_id).await, cached) {
            (Ok((summary, at)), _) => Ok((summary, at, false)),
            (
                Err(DeskError::Source(SourceError::Unavailable(_) | SourceError::RateLimited(_))),
                Some((summary, at)),
            ) => Ok((summary, at, true)),
            (Err(e), _) => Err(e),
        }
    }

    pub(crate) async fn fetch(
        &self,
        case_id: &str,
    ) -> Result<(CaseSummary, DateTime<Utc>), DeskError> {
        let fetched = self.source.summary(case_id).await;
        self.saw_provider(!matches!(fetched, Err(SourceError::Unavailable(_))));
        let summary = fetched?;
        let at = self.clock.now();
        self.store.save_summary(&summary, at).await?;
        Ok((summary, at))
    }

    /// The thresholds the case's workflow sets, read once per workflow; when they cannot be read
    /// the documented values stay (and say so).
    async fn thresholds_of(
        &self,
        workflow_id: Option<&str>,
    ) -> Option<crate::model::case::WorkflowThresholds> {
        let id = workflow_id?;
        let known = self
            .case_memory()
            .thresholds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .copied();
        if let Some(known) = known {
            return known;
        }
        let workflows = self.source.workflows()?;
        match workflows.workflow_thresholds(id).await {
            Ok(found) => {
                self.case_memory()
                    .thresholds
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id.to_owned(), found);
                found
            }
            Err(error) => {
                tracing::warn!(%error, "could not read the workflow's thresholds");
                None
            }
        }
    }

    /// A case with its audit trail and the person's other sessions. Those are a courtesy: if
    /// they cannot be fetched the case still opens.
    pub async fn case_file(&self, case_id: &str) -> Result<CaseFile, DeskError> {
        let (mut summary, fetched_at, stale) = self.open(case_id).await?;
        if let Some(thresholds) = self.thresholds_of(summary.workflow_id.as_deref()).await {
            thresholds.apply(&mut summary);
        }
        let trail = self.store.case_audit(case_id).await?;
        let feed = if stale {
            summary.reviews.clone()
        } else {
            self.source.reviews(case_id).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "could not read the review feed; using the decision's");
                summary.reviews.clone()
            })
        };
        let others = match (summary.vendor_data.as_deref(), stale) {
            (Some(vendor), false) => {
                self.sessions_of_person(vendor)
                    .await
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "could not list the person's other sessions");
                        Vec::new()
                    })
            }
            _ => Vec::new(),
        };
        let others = others
            .into_iter()
            .filter(|o| o.case_id != summary.case_id)
            .collect();
        Ok(CaseFile {
            provider: self.source.provider_of(&summary.case_id),
            capabilities: self.source.capabilities_of(&summary.case_id),
            timeline: timeline(&feed, &trail),
            summary,
            fetched_at,
            stale,
            others,
        })
    }

    /// What blocklisting this case's face, document, phone or email would reach, before the
    /// reviewer confirms: counts over the cached cases, never the values themselves.
    pub async fn blocklist_impact(&self, case_id: &str) -> Result<BlocklistImpact, DeskError> {
        use crate::model::case::CheckKind;
        let (summary, _, _) = self.open(case_id).await?;
        let contact = |s: &CaseSummary, kind: CheckKind| {
            s.contacts
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.value.trim().to_lowercase())
        };
        let document = |s: &CaseSummary| {
            s.documents
                .first()
                .and_then(|d| d.document_number.clone())
                .map(|n| n.trim().to_uppercase())
        };
        let (doc, phone, email) = (
            document(&summary),
            contact(&summary, CheckKind::Phone),
            contact(&summary, CheckKind::Email),
        );
        let others: Vec<CaseSummary> = self
            .store
            .queued_summaries()
            .await?
            .into_iter()
            .filter(|s| s.case_id != summary.case_id)
            .collect();
        let count = |mine: &Option<String>, theirs: &dyn Fn(&CaseSummary) -> Option<String>| {
            mine.as_ref().map_or(0, |m| {
                others
                    .iter()
                    .filter(|o| theirs(o).as_ref() == Some(m))
                    .count() as u32
            })
        };
        let face_matches = summary.related.iter().filter(|r| r.via == "face").count() as u32;
        let mut already: Vec<String> = summary
            .warnings
            .iter()
            .filter(|w| w.code.ends_with("_IN_BLOCKLIST"))
            .map(|w| w.code.clone())
            .collect();
        already.sort();
        already.dedup();
        Ok(BlocklistImpact {
            has_face: summary.checks.iter().any(|c| c.kind == CheckKind::Liveness)
                || face_matches > 0,
            has_document: doc.is_some(),
            has_phone: phone.is_some(),
            has_email: email.is_some(),
            face_matches,
            document_sessions: count(&doc, &document),
            phone_sessions: count(&phone, &|s| contact(s, CheckKind::Phone)),
            email_sessions: count(&email, &|s| contact(s, CheckKind::Email)),
            cached_cases: others.len() as u32,
            already_blocklisted: already,
        })
    }

    /// The case's timeline, newest first, read fresh from the provider.
    pub async fn timeline(&self, case_id: &str) -> Result<Vec<TimelineEntry>, DeskError> {
        validate_case_id(case_id)?;
        let feed = self.source.reviews(case_id).await?;
        let trail = self.store.case_audit(case_id).await?;
        Ok(timeline(&feed, &trail))
    }

    /// Records why (in the audit log), then returns the unmasked value.
    pub async fn reveal(
        &self,
        case_id: &str,
        field: RevealField,
        index: usize,
        reason: &str,
    ) -> Result<Option<String>, DeskError> {
        validate_case_id(case_id)?;
        let reason = reason.trim();
        if reason.chars().count() < 3 || reason.chars().count() > 500 {
            return Err(ActionError::CommentRequired("reveal (3 to 500 characters)").into());
        }
        let (summary, _, _) = self.open(case_id).await?;
        let mut draft = self.draft("reveal", case_id);
        draft.comment = Some(reason.to_owned());
        draft.outcome = Some(format!("{} #{index}", field.label()));
        self.store.append_audit(&draft).await?;
        // Unmasked, and still inert: hidden characters stay visible marks.
        Ok(field
            .value(&summary, index)
            .map(|v| crate::privacy::shown(&v).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::{CheckKind, ContactFacts, Mismatch};
    use crate::ports::{AuditLog, CaseCache};
    use crate::testing::{desk, item};

    #[tokio::test]
    async fn a_reveal_needs_a_reason_is_audited_and_returns_the_value() {
        let d = desk(1);
        let id = item(1).case_id;
        let mut summary =
            crate::testing::summary_of(&item(1), crate::model::case::CaseStatus::InReview);
        summary.mismatches.push(Mismatch {
            field: "date_of_birth".into(),
            expected: "1990-04-02".into(),
            found: "1991-04-02".into(),
        });
        summary.contacts.push(ContactFacts {
            kind: CheckKind::Phone,
            value: "+21698123456".into(),
            verified: true,
            flags: vec![],
        });
        d.store.save_summary(&summary, d.clock.now()).await.unwrap();
        assert!(d.reveal(&id, RevealField::Contact, 0, "").await.is_err());
        let value = d
            .reveal(
                &id,
                RevealField::MismatchFound,
                0,
                "Compare with the bank record",
            )
            .await
            .unwrap();
        assert_eq!(value.as_deref(), Some("1991-04-02"));
        let trail = d.store.case_audit(&id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].draft.action, "reveal");
        assert_eq!(
            trail[0].draft.comment.as_deref(),
            Some("Compare with the bank record")
        );

        let view = crate::ipc::CaseView::build(d.case_file(&id).await.unwrap());
        assert_eq!(
            view.summary.mismatches[0].found,
            crate::privacy::mask("1991-04-02")
        );
        assert_eq!(
            view.summary.contacts[0].value,
            crate::privacy::mask("+21698123456")
        );
        assert_eq!(view.timeline.len(), 1);
        assert_eq!(view.timeline[0].kind, "reveal");
    }

    #[tokio::test]
    async fn the_blocklist_preview_counts_cached_cases_sharing_an_item_without_showing_it() {
        let d = desk(3);
        d.sync().await.unwrap();
        let phone = |n: i64, value: &str| {
            let mut s =
                crate::testing::summary_of(&item(n), crate::model::case::CaseStatus::InReview);
            s.contacts.push(ContactFacts {
                kind: CheckKind::Phone,
                value: value.into(),
                verified: true,
                flags: vec![],
            });
            s
        };
        for s in [
            phone(1, "+216 98 123 456"),
            phone(2, "+216 98 123 456"),
            phone(3, "+216 20 000 000"),
        ] {
            d.store.save_summary(&s, d.clock.now()).await.unwrap();
        }
        let impact = d.blocklist_impact(&item(1).case_id).await.unwrap();
        assert!(impact.has_phone && !impact.has_email && !impact.has_document);
        assert_eq!((impact.phone_sessions, impact.cached_cases), (1, 2));
        let json = serde_json::to_string(&impact).unwrap();
        assert!(
            !json.contains("123"),
            "counts only, never the value: {json}"
        );
    }

    #[tokio::test]
    async fn a_cached_case_opens_offline_marked_stale() {
        let d = desk(1);
        let id = item(1).case_id;
        d.open(&id).await.unwrap();
        d.clock.advance(chrono::Duration::hours(3));
        *d.source.offline.lock().unwrap() = true;
        let (_, _, stale) = d.open(&id).await.unwrap();
        assert!(stale);
        let file = d.case_file(&id).await.unwrap();
        assert!(file.stale);
    }
}
