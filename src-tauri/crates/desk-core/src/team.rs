//! The team: every entry of this desk's own audit chain is copied, in order, onto the team
//! store's one chain, and each desk says who is at it and which case is open (presence). The
//! desk never waits for the team store: while it is away the local log keeps growing, and the
//! next catch-up copies what it missed; neither chain is rewritten.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::AuditEntry;
use crate::desk::{Desk, DeskError};
use crate::ports::{CaseSource, Clock, Store, StoreError};

/// How many local entries one catch-up step copies.
pub const MIRROR_BATCH: u32 = 500;

/// How long a desk counts as online after it last said so.
pub const ONLINE_SECONDS: i64 = 90;

/// One desk of the team, as the team panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// `Name <email>`.
    pub reviewer: String,
    /// The case open on that desk, if any.
    pub case_id: Option<String>,
    pub seen_at: String,
    /// Seen within the last `ONLINE_SECONDS`.
    pub online: bool,
    /// Decisions applied today (UTC) by this reviewer, from the team's audit.
    pub decisions_today: u32,
}

/// The team store's side of the shared audit and of presence.
pub trait TeamLog: Send + Sync {
    /// The highest local seq of desk `origin` already on the team chain (0: none).
    fn mirrored(&self, origin: &str) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Appends `entries` of desk `origin` (in local seq order) to the team chain, each sealed
    /// onto the team's head and keeping its local seq and hash beside it. Entries already
    /// there are skipped, so a retry after a lost answer never copies one twice. Returns how
    /// many were appended.
    fn mirror(
        &self,
        origin: &str,
        entries: &[AuditEntry],
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Desk `origin` says who is at it and which case is open.
    fn announce(
        &self,
        origin: &str,
        reviewer: &str,
        case_id: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every desk seen since `since`, with its decisions since `day_start`.
    fn presence(
        &self,
        since: DateTime<Utc>,
        day_start: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Presence>, StoreError>> + Send;
}

/// What one catch-up did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MirrorReport {
    /// Entries copied now.
    pub appended: u32,
    /// The local head, all of which is now on the team chain.
    pub local_head: i64,
}

/// What the team side remembers: since when the team store has not answered.
#[derive(Default)]
struct TeamMemory {
    offline_since: std::sync::Mutex<Option<DateTime<Utc>>>,
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    fn team_memory(&self) -> std::sync::Arc<TeamMemory> {
        self.memory.of()
    }

    /// Copies every local audit entry the team chain lacks, oldest first. On failure the
    /// desk notes since when the team store is away (the status bar shows it) and the next
    /// call resumes where this one stopped.
    pub async fn mirror_audit(
        &self,
        team: &impl TeamLog,
        origin: &str,
    ) -> Result<MirrorReport, DeskError> {
        let copied = self.copy_to_team(team, origin).await;
        self.saw_team(!matches!(
            copied,
            Err(DeskError::Store(StoreError::Unreachable(_)))
        ));
        copied
    }

    async fn copy_to_team(
        &self,
        team: &impl TeamLog,
        origin: &str,
    ) -> Result<MirrorReport, DeskError> {
        let done = team.mirrored(origin).await?;
        let mut report = MirrorReport {
            local_head: done,
            ..MirrorReport::default()
        };
        // The last entry the team holds of this desk goes again, so the team store checks it
        // is still this desk's: a restored or cloned database is refused, not skipped.
        let mut after = (done - 1).max(0);
        loop {
            let page = self.store.audit_page(after, MIRROR_BATCH).await?;
            let Some(last) = page.last() else {
                return Ok(report);
            };
            after = last.seq;
            let appended = team.mirror(origin, &page).await?;
            report.appended += u32::try_from(appended).unwrap_or(u32::MAX);
            report.local_head = after;
        }
    }

    /// Says on the team store that this desk is here, with `case_id` open.
    pub async fn announce(
        &self,
        team: &impl TeamLog,
        origin: &str,
        case_id: Option<&str>,
    ) -> Result<(), DeskError> {
        let said = team
            .announce(origin, &self.reviewer.identity(), case_id)
            .await;
        self.saw_team(!matches!(said, Err(StoreError::Unreachable(_))));
        Ok(said?)
    }

    /// The team panel: desks seen in the last day, online ones first.
    pub async fn team_presence(&self, team: &impl TeamLog) -> Result<Vec<Presence>, DeskError> {
        let now = self.clock.now();
        let day_start = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(now);
        let mut desks = team
            .presence(now - chrono::Duration::days(1), day_start)
            .await?;
        for p in &mut desks {
            p.online = DateTime::parse_from_rfc3339(&p.seen_at)
                .is_ok_and(|t| (now - t.with_timezone(&Utc)).num_seconds() <= ONLINE_SECONDS);
        }
        desks.sort_by(|a, b| b.online.cmp(&a.online).then(a.reviewer.cmp(&b.reviewer)));
        Ok(desks)
    }

    /// Notes whether the team store answered, for the "team store offline since" status.
    pub fn saw_team(&self, answered: bool) {
        let memory = self.team_memory();
        let mut since = memory
            .offline_since
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let was_offline = since.is_some();
        if answered {
            *since = None;
        } else if since.is_none() {
            *since = Some(self.clock.now());
        }
        if was_offline != since.is_some() {
            drop(since);
            self.changed(crate::ports::Change::Team);
        }
    }

    /// Since when the team store has not answered (None: it answers, or there is none).
    pub fn team_offline_since(&self) -> Option<DateTime<Utc>> {
        *self
            .team_memory()
            .offline_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDraft, ChainCheck};
    use crate::ports::AuditLog;
    use crate::testing::{desk, TestDesk};
    use std::sync::Mutex;

    /// A team chain in memory, which can be made unreachable.
    #[derive(Default)]
    struct MemoryTeam {
        chain: Mutex<Vec<(String, i64, AuditEntry)>>,
        away: Mutex<bool>,
    }

    impl TeamLog for MemoryTeam {
        async fn mirrored(&self, origin: &str) -> Result<i64, StoreError> {
            if *self.away.lock().unwrap() {
                return Err(StoreError::Unreachable("connection refused".into()));
            }
            let chain = self.chain.lock().unwrap();
            Ok(chain
                .iter()
                .filter(|(o, _, _)| o == origin)
                .map(|(_, s, _)| *s)
                .max()
                .unwrap_or(0))
        }
        async fn mirror(&self, origin: &str, entries: &[AuditEntry]) -> Result<usize, StoreError> {
            let done = self.mirrored(origin).await?;
            let mut chain = self.chain.lock().unwrap();
            let mut n = 0;
            for e in entries.iter().filter(|e| e.seq > done) {
                let head = chain.last().map(|(_, _, h)| (h.seq, h.hash.clone()));
                let sealed = AuditEntry::seal(
                    e.draft.clone(),
                    head.as_ref().map(|(s, h)| (*s, h.as_str())),
                );
                chain.push((origin.to_owned(), e.seq, sealed));
                n += 1;
            }
            Ok(n)
        }
        async fn announce(&self, _: &str, _: &str, _: Option<&str>) -> Result<(), StoreError> {
            Ok(())
        }
        async fn presence(
            &self,
            _: DateTime<Utc>,
            _: DateTime<Utc>,
        ) -> Result<Vec<Presence>, StoreError> {
            Ok(Vec::new())
        }
    }

    async fn note(d: &TestDesk, what: &str) {
        d.store
            .append_audit(&AuditDraft {
                action: what.into(),
                case_id: "case".into(),
                ..AuditDraft::default()
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_team_chain_catches_up_in_order_after_an_outage_and_never_doubles() {
        let d = desk(0);
        let team = MemoryTeam::default();
        note(&d, "one").await;
        let r = d.mirror_audit(&team, "desk-a").await.unwrap();
        assert_eq!((r.appended, r.local_head), (1, 1));

        *team.away.lock().unwrap() = true;
        note(&d, "two").await;
        note(&d, "three").await;
        assert!(matches!(
            d.mirror_audit(&team, "desk-a").await,
            Err(DeskError::Store(StoreError::Unreachable(_)))
        ));
        assert!(d.team_offline_since().is_some());

        *team.away.lock().unwrap() = false;
        let r = d.mirror_audit(&team, "desk-a").await.unwrap();
        assert_eq!((r.appended, r.local_head), (2, 3));
        assert_eq!(d.team_offline_since(), None);
        assert_eq!(d.mirror_audit(&team, "desk-a").await.unwrap().appended, 0);

        let chain = team.chain.lock().unwrap();
        let actions: Vec<&str> = chain
            .iter()
            .map(|(_, _, e)| e.draft.action.as_str())
            .collect();
        assert_eq!(actions, ["one", "two", "three"]);
        let entries: Vec<AuditEntry> = chain.iter().map(|(_, _, e)| e.clone()).collect();
        assert_eq!(
            ChainCheck::new().feed_all(&entries),
            Ok(()),
            "the team chain holds"
        );
    }
}
