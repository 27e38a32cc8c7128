//! Claims: on a team store, "next case" takes the oldest case no other desk holds, for a lease,
//! so two reviewers never work one case. Leases end on release or expire when a desk vanishes.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::desk::{Desk, DeskError};
use crate::ports::{CaseSource, Change, Clock, Store, StoreError};

/// How long a claim holds without being renewed.
pub const DEFAULT_LEASE_MINUTES: i64 = 10;

/// Who holds a case, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub case_id: String,
    /// The reviewer's identity, `Name <email>`.
    pub holder: String,
    pub claimed_at: String,
    pub expires_at: String,
}

/// The team store's claims.
pub trait ClaimStore: Send + Sync {
    /// Claims the first of `candidates` (in order) that nobody holds, or whose lease ran out,
    /// for `holder` until `until`. Atomic: two desks never get the same case.
    fn claim_first(
        &self,
        candidates: &[String],
        holder: &str,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Claim>, StoreError>> + Send;
    /// Ends `holder`'s claim of a case (false: they did not hold it).
    fn release(
        &self,
        case_id: &str,
        holder: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Ends whoever's claim of a case (a lead clearing a stale one); the claim that ended.
    fn release_any(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Option<Claim>, StoreError>> + Send;
    /// Takes `case_id` for `holder` until `until`, or renews their lease; atomic like
    /// `claim_first`. `HeldBy` when another holder's lease is still live.
    fn hold(
        &self,
        case_id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Hold, StoreError>> + Send;
    /// Every live claim.
    fn claims(&self) -> impl Future<Output = Result<Vec<Claim>, StoreError>> + Send;
}

/// What asking to hold a case gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// This holder has it (new or renewed).
    Held(Claim),
    /// Someone else does.
    HeldBy(Claim),
}

/// No team store: nothing is claimed, every case is this desk's to decide.
pub struct NoTeam;

impl ClaimStore for NoTeam {
    async fn claim_first(
        &self,
        _: &[String],
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn release(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
    async fn release_any(&self, _: &str) -> Result<Option<Claim>, StoreError> {
        Ok(None)
    }
    async fn hold(
        &self,
        case_id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> Result<Hold, StoreError> {
        Ok(Hold::Held(Claim {
            case_id: case_id.to_owned(),
            holder: holder.to_owned(),
            claimed_at: until.to_rfc3339(),
            expires_at: until.to_rfc3339(),
        }))
    }
    async fn claims(&self) -> Result<Vec<Claim>, StoreError> {
        Ok(Vec::new())
    }
}

/// Where a case opened for review stands on the team store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenClaim {
    /// This desk holds it now.
    Held,
    /// Another desk holds it: read-only here.
    HeldBy(Claim),
    /// The team store did not answer: the reviewer goes on, and the outbox confirms the claim
    /// before anything is sent.
    Unconfirmed(String),
}

/// What claims remember: the case this desk has open for review (its lease is renewed while it
/// stays open, and it is let go when another is opened).
#[derive(Default)]
struct ClaimMemory {
    open: std::sync::Mutex<Option<String>>,
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    fn claim_memory(&self) -> std::sync::Arc<ClaimMemory> {
        self.memory.of()
    }

    /// The case this desk has open for review, if any.
    pub fn case_open(&self) -> Option<String> {
        self.claim_memory()
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Opening a case for review on a team: this desk claims it; held by another desk it is
    /// read-only here, and says who. The case open before is let go (unless its decision still
    /// waits to be sent). The window's case view and `desk decide` both go through here.
    pub async fn open_for_review(&self, team: &impl ClaimStore, case_id: &str) -> OpenClaim {
        let lease = Duration::minutes(DEFAULT_LEASE_MINUTES);
        let claim = match self.hold_case(team, case_id, lease).await {
            Ok(Hold::Held(_)) => OpenClaim::Held,
            Ok(Hold::HeldBy(other)) => OpenClaim::HeldBy(other),
            Err(error) => {
                self.saw_team(false);
                OpenClaim::Unconfirmed(error.to_string())
            }
        };
        let holding = !matches!(claim, OpenClaim::HeldBy(_));
        let before = std::mem::replace(
            &mut *self
                .claim_memory()
                .open
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
            holding.then(|| case_id.to_owned()),
        );
        if let Some(before) = before.filter(|b| b != case_id) {
            if let Err(error) = self.leave_case(team, &before).await {
                tracing::info!(%error, "the case left could not be released; its lease runs out");
            }
        }
        self.changed(Change::Team);
        claim
    }

    /// The reviewer closed the case open for review (back to the queue): its claim is let go.
    pub async fn close_for_review(
        &self,
        team: &impl ClaimStore,
        case_id: &str,
    ) -> Result<bool, DeskError> {
        {
            let memory = self.claim_memory();
            let mut open = memory.open.lock().unwrap_or_else(|e| e.into_inner());
            if open.as_deref() == Some(case_id) {
                *open = None;
            }
        }
        self.leave_case(team, case_id).await
    }

    /// Renews the lease of the case open for review (the team heartbeat); names that case.
    pub async fn keep_case_open(&self, team: &impl ClaimStore) -> Option<String> {
        let open = self.case_open()?;
        let lease = Duration::minutes(DEFAULT_LEASE_MINUTES);
        let _ = self.hold_case(team, &open, lease).await;
        Some(open)
    }

    /// Claims the oldest queued case no other desk holds, for `lease`.
    pub async fn claim_next(
        &self,
        team: &impl ClaimStore,
        lease: Duration,
    ) -> Result<Option<Claim>, DeskError> {
        let (queue, _) = self.store.queue().await?;
        let candidates: Vec<String> = queue.iter().map(|i| i.case_id.clone()).collect();
        let until = self.clock.now() + lease;
        Ok(team
            .claim_first(&candidates, &self.reviewer.identity(), until)
            .await?)
    }

    /// Takes (or renews) one case for this desk's reviewer, as opening it does on a team.
    pub async fn hold_case(
        &self,
        team: &impl ClaimStore,
        case_id: &str,
        lease: Duration,
    ) -> Result<Hold, DeskError> {
        let until = self.clock.now() + lease;
        Ok(team.hold(case_id, &self.reviewer.identity(), until).await?)
    }

    /// Lets go of a case this desk holds; audited, so the team sees who released what.
    pub async fn release_claim(
        &self,
        team: &impl ClaimStore,
        case_id: &str,
    ) -> Result<(), DeskError> {
        if !team.release(case_id, &self.reviewer.identity()).await? {
            return Err(DeskError::NotAllowed(format!(
                "this desk does not hold {case_id}"
            )));
        }
        self.store
            .append_audit(&self.draft("claim_released", case_id))
            .await?;
        self.changed(Change::Team);
        Ok(())
    }

    /// The reviewer moved on from a case (skipped it, closed it, opened another): its claim
    /// is let go, unless a decision for it still waits in the outbox (the outbox lets go once
    /// it is sent). True when a claim was released.
    pub async fn leave_case(
        &self,
        team: &impl ClaimStore,
        case_id: &str,
    ) -> Result<bool, DeskError> {
        let pending = self
            .store
            .actions(true)
            .await?
            .iter()
            .any(|a| a.case_id == case_id && a.kind.is_decision());
        if pending || !team.release(case_id, &self.reviewer.identity()).await? {
            return Ok(false);
        }
        self.store
            .append_audit(&self.draft("claim_released", case_id))
            .await?;
        self.changed(Change::Team);
        Ok(true)
    }

    /// A lead clears another desk's claim (a desk that vanished, a reviewer gone home):
    /// audited with who held it, so the team sees it was taken away, not given up.
    pub async fn release_for_team(
        &self,
        team: &impl ClaimStore,
        case_id: &str,
    ) -> Result<Claim, DeskError> {
        self.may(crate::standing::Act::ReleaseOthers)?;
        let Some(claim) = team.release_any(case_id).await? else {
            return Err(DeskError::NotAllowed(format!("nobody holds {case_id}")));
        };
        let mut draft = self.draft("claim_cleared", case_id);
        draft.outcome = Some(format!(
            "held by {} since {}, until {}",
            claim.holder, claim.claimed_at, claim.expires_at
        ));
        self.store.append_audit(&draft).await?;
        self.changed(Change::Team);
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::AuditLog;
    use crate::testing::{desk, item, FakeTeam};

    #[tokio::test]
    async fn opening_a_case_claims_it_is_read_only_when_held_elsewhere_and_lets_the_last_go() {
        let d = desk(3);
        d.sync().await.unwrap();
        let team = FakeTeam::default();
        let (first, second, third) = (item(1).case_id, item(2).case_id, item(3).case_id);
        let me = d.reviewer.identity();
        team.holders
            .lock()
            .unwrap()
            .insert(third.clone(), "Other <other@dhmad.tn>".into());

        assert_eq!(d.open_for_review(&team, &first).await, OpenClaim::Held);
        assert_eq!(d.case_open().as_deref(), Some(first.as_str()));
        assert_eq!(d.open_for_review(&team, &second).await, OpenClaim::Held);
        {
            let holders = team.holders.lock().unwrap();
            assert_eq!(holders.get(&second), Some(&me));
            assert!(!holders.contains_key(&first), "the case left is let go");
        }
        let trail = d.store.case_audit(&first).await.unwrap();
        assert!(trail.iter().any(|e| e.draft.action == "claim_released"));

        // Held by another desk: read-only here; the reviewer moved on, so the last case is let go.
        match d.open_for_review(&team, &third).await {
            OpenClaim::HeldBy(claim) => assert_eq!(claim.holder, "Other <other@dhmad.tn>"),
            other => panic!("{other:?}"),
        }
        assert_eq!(d.case_open(), None);
        assert!(!team.holders.lock().unwrap().contains_key(&second));

        // The team store away: the reviewer goes on, told the claim is not confirmed.
        *team.away.lock().unwrap() = true;
        assert!(matches!(
            d.open_for_review(&team, &first).await,
            OpenClaim::Unconfirmed(_)
        ));
        assert!(d.team_offline_since().is_some());
        *team.away.lock().unwrap() = false;
        assert_eq!(
            d.keep_case_open(&team).await.as_deref(),
            Some(first.as_str())
        );
        assert!(d.close_for_review(&team, &first).await.unwrap());
        assert_eq!(d.case_open(), None);
    }
}
