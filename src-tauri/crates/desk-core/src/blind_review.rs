//! The lead's blind re-review ("second look"): a share of applied approvals (5 % unless a lead
//! sets another) is drawn for a lead to decide again without seeing the first verdict. The
//! draw is a function of the approval's random token, so no one can steer it and an auditor can
//! repeat it; the share in force is itself an audit entry. Answers are audit entries too, so the
//! agreement per reviewer and per warning code is counted from the log. A disagreement is
//! flagged for discussion: the lead's verdict is never sent to the provider.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::AuditEntry;
use crate::audit_view::{read_all, AuditFilter, AuditSearch};
use crate::case_file::CaseFile;
use crate::desk::{Desk, DeskError};
use crate::model::case::{CaseStatus, Verdict};
use crate::model::request::optional_comment;
use crate::ports::{CaseSource, Clock, Store};

/// The share of approvals drawn when no lead has set one.
pub const DEFAULT_SHARE: u8 = 5;
/// The audit action that sets the share (`from_state` the old percent, `to_state` the new).
pub const SHARE_ACTION: &str = "blind_review_share";
/// The audit action of a lead's answer (`to_state` the lead's verdict).
pub const ANSWER_ACTION: &str = "blind_review";
/// How far back the lead's queue looks for drawn approvals unless told otherwise.
pub const QUEUE_DAYS: i64 = 30;
/// What a blind case says in place of its status.
pub const HIDDEN_STATUS: &str = "Hidden for the blind re-review";

/// Whether the approval stamped with `token` is drawn when `share` percent are.
pub fn drawn(token: &str, share: u8) -> bool {
    let digest = Sha256::digest(format!("review-desk-blind-review:{token}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000 < u64::from(share.min(100)) * 100
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "approve",
        Verdict::Decline => "decline",
        Verdict::Resubmit => "resubmit",
    }
}

/// The share in force at each instant, from the log's share entries.
struct Shares(Vec<(String, u8)>);

impl Shares {
    fn of(entries: &[AuditEntry]) -> Self {
        let mut set: Vec<(String, u8)> = entries
            .iter()
            .filter_map(|e| {
                Some((
                    e.draft.at.clone(),
                    e.draft.to_state.as_deref()?.parse().ok()?,
                ))
            })
            .collect();
        set.sort();
        Self(set)
    }

    fn at(&self, at: &str) -> u8 {
        self.0
            .iter()
            .rev()
            .find(|(since, _)| since.as_str() <= at)
            .map_or(DEFAULT_SHARE, |(_, share)| *share)
    }

    fn now(&self) -> u8 {
        self.0.last().map_or(DEFAULT_SHARE, |(_, share)| *share)
    }
}

/// A drawn approval waiting for a lead: what identifies the case, never its verdict or who
/// gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlindItem {
    pub action_id: String,
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    /// When the decision was applied (its day is not a hint to the verdict: all are drawn alike).
    pub decided_at: String,
    /// The case's warning codes, as its cached summary says.
    pub warnings: Vec<String>,
    /// This reviewer gave the first verdict: another lead must look.
    pub own: bool,
}

/// The lead's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlindQueue {
    /// The percent of approvals drawn now.
    pub share: u8,
    /// Approvals from this instant on were looked at.
    pub since: String,
    pub drawn: u32,
    pub answered: u32,
    /// Oldest first.
    pub pending: Vec<BlindItem>,
}

/// How often leads agreed with one reviewer, or on cases with one warning code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    pub key: String,
    pub answered: u32,
    pub agreed: u32,
    pub rate: f64,
}

/// A lead's verdict that differs from the first one: for discussion, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Disagreement {
    pub case_id: String,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    /// Who approved.
    pub reviewer: String,
    pub lead: String,
    /// The lead's verdict: `decline` or `resubmit`.
    pub verdict: String,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
    pub at: String,
}

/// Agreement over the approvals of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlindFigures {
    pub share: u8,
    /// Approvals applied in the period, of those drawn, of those answered and agreed with.
    pub approvals: u32,
    pub drawn: u32,
    pub answered: u32,
    pub agreed: u32,
    pub per_reviewer: Vec<Agreement>,
    pub per_warning: Vec<Agreement>,
    /// Newest first.
    pub disagreements: Vec<Disagreement>,
}

/// What a lead decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlindAnswer {
    pub case_id: String,
    /// The drawn approval (the latest unanswered one of the case when absent).
    pub action_id: Option<String>,
    pub verdict: Verdict,
    pub reason_id: String,
    /// Required when the lead does not approve: the disagreement is discussed from it.
    pub comment: Option<String>,
}

/// The first verdict, shown once the lead has answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BlindOutcome {
    pub case_id: String,
    pub reviewer: String,
    pub first_verdict: String,
    pub agreed: bool,
    #[ts(type = "number")]
    pub seq: i64,
}

fn only(action: &str) -> AuditFilter {
    AuditFilter {
        action: Some(action.to_owned()),
        ..AuditFilter::default()
    }
}

fn applied_approvals() -> AuditFilter {
    AuditFilter {
        to_state: Some("applied".into()),
        ..only("approve")
    }
}

fn rate(agreed: u32, answered: u32) -> f64 {
    if answered == 0 {
        0.0
    } else {
        f64::from(agreed) / f64::from(answered)
    }
}

fn tallies(map: BTreeMap<String, (u32, u32)>) -> Vec<Agreement> {
    map.into_iter()
        .map(|(key, (answered, agreed))| Agreement {
            key,
            answered,
            agreed,
            rate: rate(agreed, answered),
        })
        .collect()
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    async fn read(
        &self,
        log: &impl AuditSearch,
        filter: AuditFilter,
    ) -> Result<Vec<AuditEntry>, DeskError> {
        read_all(log, &self.audit_query(&filter).await?).await
    }

    /// The applied approvals of `filter`'s period that the share in force drew.
    async fn drawn_approvals(
        &self,
        log: &impl AuditSearch,
        period: AuditFilter,
    ) -> Result<(Shares, u32, Vec<AuditEntry>), DeskError> {
        let shares = Shares::of(&self.read(log, only(SHARE_ACTION)).await?);
        let approvals = self
            .read(
                log,
                AuditFilter {
                    from: period.from,
                    until: period.until,
                    ..applied_approvals()
                },
            )
            .await?;
        let count = approvals.len() as u32;
        let drawn = approvals
            .into_iter()
            .filter(|e| {
                e.draft.action_id.is_some()
                    && e.draft
                        .token
                        .as_deref()
                        .is_some_and(|t| drawn(t, shares.at(&e.draft.at)))
            })
            .collect();
        Ok((shares, count, drawn))
    }

    async fn case_facts(&self, case_id: &str) -> Result<(Option<i64>, Vec<String>), DeskError> {
        Ok(match self.store.summary(case_id).await? {
            Some((s, _)) => (
                s.case_number,
                s.warnings.iter().map(|w| w.code.clone()).collect(),
            ),
            None => (None, Vec::new()),
        })
    }

    /// Drawn approvals since `since` (default: the last 30 days) no lead has answered yet.
    pub async fn blind_review_queue(
        &self,
        log: &impl AuditSearch,
        since: Option<&str>,
    ) -> Result<BlindQueue, DeskError> {
        let since = match since {
            Some(s) => s.to_owned(),
            None => (self.clock.now() - chrono::Duration::days(QUEUE_DAYS))
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        };
        let period = AuditFilter {
            from: Some(since),
            ..AuditFilter::default()
        };
        let (shares, _, drawn) = self.drawn_approvals(log, period.clone()).await?;
        let answered: HashSet<String> = self
            .read(
                log,
                AuditFilter {
                    from: period.from.clone(),
                    ..only(ANSWER_ACTION)
                },
            )
            .await?
            .into_iter()
            .filter_map(|e| e.draft.action_id)
            .collect();
        let me = self.reviewer.identity();
        let mut pending = Vec::new();
        let mut done = 0;
        for e in &drawn {
            let id = e.draft.action_id.clone().unwrap_or_default();
            if answered.contains(&id) {
                done += 1;
                continue;
            }
            let (case_number, warnings) = self.case_facts(&e.draft.case_id).await?;
            pending.push(BlindItem {
                action_id: id,
                case_id: e.draft.case_id.clone(),
                case_number,
                decided_at: e.draft.at.clone(),
                warnings,
                own: e.draft.actor == me,
            });
        }
        Ok(BlindQueue {
            share: shares.now(),
            since: self
                .audit_query(&period)
                .await?
                .filter
                .from
                .unwrap_or_default(),
            drawn: drawn.len() as u32,
            answered: done,
            pending,
        })
    }

    /// Sets the share of approvals drawn from now on (0 to 100 percent); the change is audited.
    /// Returns the share before.
    pub async fn set_blind_review_share(
        &self,
        log: &impl AuditSearch,
        percent: u8,
    ) -> Result<u8, DeskError> {
        self.may(crate::standing::Act::SetShare)?;
        if percent > 100 {
            return Err(DeskError::NotAllowed(format!(
                "the share is a percent from 0 to 100, not {percent}"
            )));
        }
        let before = Shares::of(&self.read(log, only(SHARE_ACTION)).await?).now();
        let mut draft = self.draft(SHARE_ACTION, "");
        draft.from_state = Some(before.to_string());
        draft.to_state = Some(percent.to_string());
        self.store.append_audit(&draft).await?;
        Ok(before)
    }

    /// The drawn approval a lead is answering: drawn, not theirs, not answered yet.
    async fn blind_approval(
        &self,
        log: &impl AuditSearch,
        case_id: &str,
        action_id: Option<&str>,
    ) -> Result<AuditEntry, DeskError> {
        crate::model::request::validate_case_id(case_id)?;
        let case = AuditFilter {
            case_id: Some(case_id.to_owned()),
            ..AuditFilter::default()
        };
        let shares = Shares::of(&self.read(log, only(SHARE_ACTION)).await?);
        let answers = self
            .read(
                log,
                AuditFilter {
                    action: Some(ANSWER_ACTION.into()),
                    ..case.clone()
                },
            )
            .await?;
        let approvals = self
            .read(
                log,
                AuditFilter {
                    case_id: case.case_id.clone(),
                    ..applied_approvals()
                },
            )
            .await?;
        let drawn: Vec<AuditEntry> = approvals
            .into_iter()
            .filter(|e| {
                e.draft
                    .token
                    .as_deref()
                    .is_some_and(|t| drawn(t, shares.at(&e.draft.at)))
                    && action_id.is_none_or(|id| e.draft.action_id.as_deref() == Some(id))
            })
            .collect();
        if drawn.is_empty() {
            return Err(DeskError::NotAllowed(format!(
                "no approval of session {case_id} was drawn for a blind re-review"
            )));
        }
        let unanswered = drawn.into_iter().rev().find(|e| {
            !answers
                .iter()
                .any(|a| a.draft.action_id == e.draft.action_id)
        });
        let Some(approval) = unanswered else {
            let by = answers
                .last()
                .map(|a| format!(" by {} at {}", a.draft.actor, a.draft.at));
            return Err(DeskError::NotAllowed(format!(
                "session {case_id} was already re-reviewed{}",
                by.unwrap_or_default()
            )));
        };
        if approval.draft.actor == self.reviewer.identity() {
            return Err(DeskError::NotAllowed(
                "you gave the first verdict on this case: another lead must take the second look"
                    .into(),
            ));
        }
        Ok(approval)
    }

    /// The case as the lead sees it for a blind re-review: the decision summary with its status
    /// hidden and no review feed or timeline (which would tell the first verdict).
    pub async fn blind_case(
        &self,
        log: &impl AuditSearch,
        case_id: &str,
        action_id: Option<&str>,
    ) -> Result<CaseFile, DeskError> {
        self.blind_approval(log, case_id, action_id).await?;
        let mut file = self.case_file(case_id).await?;
        file.summary.status = CaseStatus::Other(HIDDEN_STATUS.into());
        file.summary.reviews.clear();
        file.timeline.clear();
        Ok(file)
    }

    /// Records a lead's independent verdict on a drawn approval (audited, never sent), and
    /// tells them the first verdict and whether they agree.
    pub async fn answer_blind_review(
        &self,
        log: &impl AuditSearch,
        answer: &BlindAnswer,
    ) -> Result<BlindOutcome, DeskError> {
        let reason = answer.reason_id.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(DeskError::NotAllowed(
                "a blind re-review needs a reason id (1 to 200 characters)".into(),
            ));
        }
        let comment = optional_comment(answer.comment.as_deref())?;
        let agreed = answer.verdict == Verdict::Approve;
        if !agreed && comment.is_none() {
            return Err(DeskError::NotAllowed(
                "say why you would not approve: the disagreement is discussed from your comment"
                    .into(),
            ));
        }
        let approval = self
            .blind_approval(log, &answer.case_id, answer.action_id.as_deref())
            .await?;
        // The figures per warning code read the case's cached summary: make sure there is one
        // (a lead answering from the terminal may not have opened the case).
        if let Err(error) = self.open(&answer.case_id).await {
            tracing::warn!(%error, "the case's summary could not be cached for the figures");
        }
        let mut draft = self.draft(ANSWER_ACTION, &answer.case_id);
        draft.action_id = approval.draft.action_id.clone();
        draft.from_state = Some("approve".into());
        draft.to_state = Some(verdict_word(answer.verdict).into());
        draft.reason_id = Some(reason.to_owned());
        draft.comment = comment;
        draft.outcome = Some(if agreed {
            format!(
                "agrees with the first verdict (approve, {})",
                approval.draft.actor
            )
        } else {
            format!(
                "disagrees with the first verdict (approve, {}): for discussion, nothing sent",
                approval.draft.actor
            )
        });
        let entry = self.store.append_audit(&draft).await?;
        Ok(BlindOutcome {
            case_id: answer.case_id.clone(),
            reviewer: approval.draft.actor,
            first_verdict: "approve".into(),
            agreed,
            seq: entry.seq,
        })
    }

    /// Agreement over the approvals applied between `from` and `until` (dates or instants).
    pub async fn blind_review_figures(
        &self,
        log: &impl AuditSearch,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<BlindFigures, DeskError> {
        let period = AuditFilter {
            from: from.map(str::to_owned),
            until: until.map(str::to_owned),
            ..AuditFilter::default()
        };
        let (shares, approvals, drawn) = self.drawn_approvals(log, period.clone()).await?;
        let answers = self
            .read(
                log,
                AuditFilter {
                    from: period.from,
                    ..only(ANSWER_ACTION)
                },
            )
            .await?;
        let first: HashMap<&str, &AuditEntry> = drawn
            .iter()
            .filter_map(|e| Some((e.draft.action_id.as_deref()?, e)))
            .collect();
        let mut seen = HashSet::new();
        let mut figures = BlindFigures {
            share: shares.now(),
            approvals,
            drawn: drawn.len() as u32,
            ..BlindFigures::default()
        };
        let mut people: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        let mut codes: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for a in &answers {
            let Some(approval) = a.draft.action_id.as_deref().and_then(|id| first.get(id)) else {
                continue;
            };
            // The first answer counts; a later one (two leads at once) is in the log, not here.
            if !seen.insert(a.draft.action_id.clone()) {
                continue;
            }
            let agreed = a.draft.to_state.as_deref() == Some("approve");
            let add = |t: &mut (u32, u32)| {
                t.0 += 1;
                t.1 += u32::from(agreed);
            };
            figures.answered += 1;
            figures.agreed += u32::from(agreed);
            add(people.entry(approval.draft.actor.clone()).or_default());
            let (case_number, warnings) = self.case_facts(&a.draft.case_id).await?;
            for code in warnings
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
            {
                add(codes.entry(code).or_default());
            }
            if !agreed {
                figures.disagreements.push(Disagreement {
                    case_id: a.draft.case_id.clone(),
                    case_number,
                    reviewer: approval.draft.actor.clone(),
                    lead: a.draft.actor.clone(),
                    verdict: a.draft.to_state.clone().unwrap_or_default(),
                    reason_id: a.draft.reason_id.clone(),
                    comment: a.draft.comment.clone(),
                    at: a.draft.at.clone(),
                });
            }
        }
        figures.disagreements.reverse();
        figures.per_reviewer = tallies(people);
        figures.per_warning = tallies(codes);
        Ok(figures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draw_takes_about_the_share_and_is_repeatable() {
        let tokens: Vec<String> = (0..20_000).map(|i| format!("tok{i:06x}")).collect();
        let five = tokens.iter().filter(|t| drawn(t, 5)).count();
        assert!(
            (800..1_200).contains(&five),
            "5 % of 20,000 is about 1,000, drew {five}"
        );
        assert!(tokens.iter().all(|t| drawn(t, 100)));
        assert!(tokens.iter().all(|t| !drawn(t, 0)));
        // A larger share keeps every approval a smaller one drew.
        assert!(tokens.iter().filter(|t| drawn(t, 5)).all(|t| drawn(t, 20)));
        assert_eq!(drawn("abc", 50), drawn("abc", 50));
    }

    #[test]
    fn the_share_in_force_is_the_last_set_before() {
        let entry = |at: &str, to: &str| {
            AuditEntry::seal(
                crate::audit::AuditDraft {
                    at: at.into(),
                    action: SHARE_ACTION.into(),
                    to_state: Some(to.into()),
                    ..Default::default()
                },
                None,
            )
        };
        let shares = Shares::of(&[
            entry("2026-12-02T00:00:00Z", "20"),
            entry("2026-12-01T00:00:00Z", "10"),
            entry("2026-12-03T00:00:00Z", "not a number"),
        ]);
        assert_eq!(shares.at("2026-11-30T00:00:00Z"), DEFAULT_SHARE);
        assert_eq!(shares.at("2026-12-01T12:00:00Z"), 10);
        assert_eq!(shares.at("2026-12-05T00:00:00Z"), 20);
        assert_eq!(shares.now(), 20);
    }
}
