//! Verifying the audit log: the whole chain re-read from the journal and checked, with a signed
//! checkpoint of its head when one is given; signing a checkpoint of a log that verifies.
//! The entries, their hashing and the checkpoints themselves are in `model::audit`.

pub use crate::model::audit::*;

use crate::desk::{Desk, DeskError};
use crate::ports::{CaseSource, Clock, Store};

/// Reads the whole log from `journal` in seq order and checks its chain; with a checkpoint
/// and the profile's public key (hex), also that the log still holds the checkpointed head.
pub async fn verify(
    journal: &impl crate::ports::AuditLog,
    checkpoint: Option<(&Checkpoint, &str)>,
) -> Result<VerifyReport, crate::ports::StoreError> {
    use futures_util::{StreamExt, TryStreamExt};
    const PAGE: i64 = 10_000;
    let mut broken = None;
    let last = journal.audit_max_seq().await?.unwrap_or(0).max(0);
    // Nothing may come before entry 1.
    if let Some(first) = journal.audit_page(i64::MIN, 1).await?.first() {
        if first.seq < 1 {
            broken = Some(Broken {
                seq: first.seq,
                why: "an entry was inserted before the first one".into(),
            });
        }
    }
    // Pages arrive hashed (the store hashes rows as it reads them); the links are checked on
    // their own thread while the next pages are read. The checker stops the reading at the
    // first break.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(broken.is_some()));
    let (pages_tx, pages_rx) = std::sync::mpsc::channel::<Vec<ChainLink>>();
    let checkpoint_seq = checkpoint.map(|(cp, _)| cp.seq);
    let checker = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut check = ChainCheck::new();
            let mut at_checkpoint: Option<String> = None;
            let mut broken = None;
            for page in pages_rx {
                if let Some(seq) = checkpoint_seq {
                    if let Some(e) = page.iter().find(|e| e.seq == seq) {
                        at_checkpoint = Some(e.hash.clone());
                    }
                }
                if let Err(b) = check.feed_links(&page) {
                    broken = Some(b);
                    stop.store(true, std::sync::atomic::Ordering::Release);
                    break;
                }
            }
            (check, broken, at_checkpoint)
        })
    };
    // Page k holds the seqs in (k·PAGE, (k+1)·PAGE]: at most PAGE entries, whatever gaps a
    // tampered log has. Pages are read a few at a time, in order.
    let pages = futures_util::stream::iter(0..=last / PAGE)
        .map(|k| async move {
            let upper = (k + 1) * PAGE;
            let mut page = journal.audit_links(k * PAGE, PAGE as u32).await?;
            page.retain(|l| l.seq <= upper);
            Ok::<_, crate::ports::StoreError>(page)
        })
        .buffered(4);
    futures_util::pin_mut!(pages);
    let mut read_error = None;
    while !stop.load(std::sync::atomic::Ordering::Acquire) {
        match pages.try_next().await {
            Ok(Some(page)) => {
                if pages_tx.send(page).is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
    }
    drop(pages_tx);
    let (check, chain_broken, at_checkpoint) = checker.join().map_err(|_| {
        crate::ports::StoreError::Failed("the chain check stopped unexpectedly".into())
    })?;
    if let Some(e) = read_error {
        return Err(e);
    }
    let broken = broken.or(chain_broken);
    let (checkpoint_ok, checkpoint_problem) = match checkpoint {
        None => (None, None),
        Some((cp, public_key)) => {
            let problem = match cp.check_signature(public_key) {
                Err(e) => Some(e.to_string()),
                Ok(()) if cp.seq == 0 => None,
                Ok(()) => match at_checkpoint {
                    None => Some(format!(
                        "the log no longer reaches entry {} (truncated)",
                        cp.seq
                    )),
                    Some(hash) if hash != cp.head_hash => Some(format!(
                        "entry {} is not the one checkpointed (rewritten)",
                        cp.seq
                    )),
                    Some(_) => None,
                },
            };
            (Some(problem.is_none()), problem)
        }
    };
    Ok(VerifyReport {
        ok: broken.is_none() && checkpoint_ok != Some(false),
        count: check.count,
        head_seq: check.head.as_ref().map(|h| h.0),
        head_hash: check.head.map(|h| h.1),
        broken,
        checkpoint_ok,
        checkpoint_problem,
    })
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Re-reads the whole audit log and checks its chain (and a checkpoint, if given).
    pub async fn verify_audit(
        &self,
        checkpoint: Option<(&Checkpoint, &str)>,
    ) -> Result<VerifyReport, DeskError> {
        Ok(verify(&self.store, checkpoint).await?)
    }

    /// A signed checkpoint of the current head (the log must verify first).
    pub async fn checkpoint(&self, seed: &[u8; 32]) -> Result<Checkpoint, DeskError> {
        let report = self.verify_audit(None).await?;
        if let Some(b) = report.broken {
            return Err(DeskError::NotAllowed(b.to_string()));
        }
        let (seq, hash) = match (report.head_seq, report.head_hash) {
            (Some(s), Some(h)) => (s, h),
            _ => (0, GENESIS.to_owned()),
        };
        Ok(sign_checkpoint(seed, seq, &hash, &self.stamp_now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn draft(n: usize) -> AuditDraft {
        AuditDraft {
            at: format!("2026-11-23T10:00:{n:02}.000000Z"),
            actor: "Amira <amira@dhmad.tn>".into(),
            action: "decline".into(),
            case_id: "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00".into(),
            comment: Some(format!("comment {n} — تعليق")),
            app_version: "0.1.0".into(),
            ..Default::default()
        }
    }

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let head = out.last().map(|e| (e.seq, e.hash.as_str()));
            let e = AuditEntry::seal(draft(i), head);
            out.push(e);
        }
        out
    }

    fn check(entries: &[AuditEntry]) -> Result<u64, Broken> {
        let mut c = ChainCheck::new();
        for e in entries {
            c.feed(e)?;
        }
        Ok(c.count)
    }

    #[test]
    fn checking_a_run_on_every_core_reports_what_one_by_one_does() {
        let mut entries = chain(6_000);
        let mut all = ChainCheck::new();
        assert_eq!(all.feed_all(&entries), Ok(()));
        assert_eq!(all.count, 6_000);
        assert_eq!(all.head.as_ref().map(|h| h.0), Some(6_000));
        entries[4_321].draft.comment = Some("edited".into());
        entries[5_000].prev_hash = GENESIS.into();
        let mut all = ChainCheck::new();
        let broken = all.feed_all(&entries).unwrap_err();
        assert_eq!(check(&entries), Err(broken.clone()));
        assert_eq!(broken.seq, 4_322, "the first change, in order");
        assert_eq!(all.count, 4_321);
    }

    #[test]
    fn the_hash_is_sha256_over_the_previous_hash_and_the_canonical_bytes() {
        // Pinned by an independent encoder: a log sealed by any earlier version still verifies.
        assert_eq!(
            hash(1, &draft(1), GENESIS),
            "238ff3903dfff3c49fbed8f53c3ffaabe0360ae0996ab9301d6d18137f4a0540"
        );
        let mut whole = Sha256::new();
        whole.update(GENESIS.as_bytes());
        whole.update(canonical(1, &fields(&draft(1))));
        assert_eq!(hash(1, &draft(1), GENESIS), hex::encode(whole.finalize()));
    }

    #[test]
    fn a_row_hashed_as_stored_links_like_its_entry() {
        let entries = chain(3);
        let links = links_of(&entries);
        assert!(links.iter().all(|l| l.content_ok));
        let mut edited = entries[1].clone();
        edited.draft.outcome = Some("applied".into());
        let row = ChainLink::of_row(
            2,
            &fields(&edited.draft),
            edited.prev_hash.as_bytes(),
            edited.hash.as_bytes(),
        );
        assert!(!row.content_ok);
        // A hash stored in capitals is not the hash the desk wrote.
        let upper = entries[0].hash.to_uppercase();
        let row = ChainLink::of_row(
            1,
            &fields(&entries[0].draft),
            GENESIS.as_bytes(),
            upper.as_bytes(),
        );
        assert!(!row.content_ok);
        let mut check = ChainCheck::new();
        assert_eq!(check.feed_links(&links), Ok(()));
        assert_eq!(check.head, Some((3, entries[2].hash.clone())));
    }

    proptest::proptest! {
        /// The verifier's property (what a fuzz target would hunt for): any change to any one
        /// entry of any chain is reported, at that entry or before it, and never a panic.
        #[test]
        fn any_change_to_one_entry_is_reported_at_or_before_it(
            n in 2usize..60,
            at in 0usize..60,
            kind in 0u8..5,
            text in "\\PC{0,20}",
        ) {
            let at = at % (n - 1);
            let mut entries = chain(n);
            match kind {
                0 => {
                    proptest::prop_assume!(entries[at].draft.comment.as_deref() != Some(text.as_str()));
                    entries[at].draft.comment = Some(text);
                }
                1 => {
                    entries.remove(at);
                }
                2 => {
                    entries.swap(at, at + 1);
                    let (a, b) = (entries[at].seq, entries[at + 1].seq);
                    entries[at].seq = b;
                    entries[at + 1].seq = a;
                }
                3 => entries[at].hash = hash(99, &draft(99), GENESIS),
                _ => entries[at].seq += 1_000,
            }
            let found = check(&entries).unwrap_err();
            proptest::prop_assert!(found.seq <= at as i64 + 1, "{found:?} for a change at {}", at + 1);
            let mut all = ChainCheck::new();
            proptest::prop_assert_eq!(all.feed_links(&links_of(&entries)), Err(found));
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(check(&chain(10)), Ok(10));
    }

    #[test]
    fn edits_deletions_insertions_and_reorders_are_found_at_their_entry() {
        let mut edited = chain(10);
        edited[4].draft.comment = Some("approved after all".into());
        assert_eq!(check(&edited).unwrap_err().seq, 5);

        let mut deleted = chain(10);
        deleted.remove(6);
        assert_eq!(check(&deleted).unwrap_err().seq, 7);

        // An insertion that renumbers the rest so the seqs stay dense.
        let mut inserted = chain(10);
        let forged = AuditEntry::seal(draft(99), Some((3, &inserted[2].hash)));
        inserted.insert(3, forged);
        for (i, e) in inserted.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(check(&inserted).unwrap_err().seq, 5);

        let mut reordered = chain(10);
        reordered.swap(2, 3);
        let (a, b) = (reordered[2].seq, reordered[3].seq);
        reordered[2].seq = b;
        reordered[3].seq = a;
        assert_eq!(check(&reordered).unwrap_err().seq, 3);
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = draft(1);
        a.actor = "ab".into();
        a.action = "c".into();
        let mut b = draft(1);
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(hash(1, &a, GENESIS), hash(1, &b, GENESIS));
        let mut none = draft(1);
        none.reason_id = None;
        let mut empty = draft(1);
        empty.reason_id = Some(String::new());
        assert_ne!(hash(1, &none, GENESIS), hash(1, &empty, GENESIS));
    }

    #[test]
    fn checkpoints_are_signed_by_the_profiles_key_only() {
        let seed = [7u8; 32];
        let cp = sign_checkpoint(&seed, 10, "ab", "2026-11-23T10:00:00Z");
        assert_eq!(cp.check_signature(&public_key(&seed)), Ok(()));
        let mut forged = cp.clone();
        forged.seq = 9;
        assert_eq!(
            forged.check_signature(&public_key(&seed)),
            Err(CheckpointError::BadSignature)
        );
        let other = sign_checkpoint(&[8u8; 32], 10, "ab", "2026-11-23T10:00:00Z");
        assert_eq!(
            other.check_signature(&public_key(&seed)),
            Err(CheckpointError::OtherKey)
        );
    }
}
