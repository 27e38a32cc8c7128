//! The audit log: append-only and hash-chained. Each entry's hash is SHA-256 over the previous
//! entry's hash and a canonical encoding of the entry, so an edited, deleted, inserted or
//! reordered entry is found at its exact seq; signed checkpoints of the head also catch a
//! truncated or rewritten tail.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry chains onto.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry before it has a place in the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    /// RFC 3339, UTC, microseconds (the exact text is hashed).
    pub at: String,
    /// The reviewer's identity, `Name <email>`.
    pub actor: String,
    /// What was done: `decline`, `blocklist_add`, `reveal`, …
    pub action: String,
    pub case_id: String,
    pub action_id: Option<String>,
    /// The action's state before and after (empty `from` for a new action).
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason_id: Option<String>,
    pub comment: Option<String>,
    /// What happened, in words: the API's message, who decided instead, …
    pub outcome: Option<String>,
    pub token: Option<String>,
    pub app_version: String,
}

/// A sealed entry: its seq, the previous entry's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(flatten)]
    pub draft: AuditDraft,
    pub prev_hash: String,
    pub hash: String,
}

fn put(out: &mut Vec<u8>, field: Option<&[u8]>) {
    match field {
        // Length-prefixed, so no choice of text can make two entries encode alike.
        Some(text) => {
            out.extend_from_slice(&(text.len() as u64).to_be_bytes());
            out.extend_from_slice(text);
        }
        None => out.extend_from_slice(&u64::MAX.to_be_bytes()),
    }
}

/// An entry's fields in canonical order, as bytes (a store may hand them over as it holds them).
pub type Fields<'a> = [Option<&'a [u8]>; 12];

/// The fields of `d` in canonical order.
pub fn fields(d: &AuditDraft) -> Fields<'_> {
    [
        Some(d.at.as_bytes()),
        Some(d.actor.as_bytes()),
        Some(d.action.as_bytes()),
        Some(d.case_id.as_bytes()),
        d.action_id.as_deref().map(str::as_bytes),
        d.from_state.as_deref().map(str::as_bytes),
        d.to_state.as_deref().map(str::as_bytes),
        d.reason_id.as_deref().map(str::as_bytes),
        d.comment.as_deref().map(str::as_bytes),
        d.outcome.as_deref().map(str::as_bytes),
        d.token.as_deref().map(str::as_bytes),
        Some(d.app_version.as_bytes()),
    ]
}

/// The canonical bytes of an entry at `seq`.
pub fn canonical(seq: i64, fields: &Fields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"review-desk-audit-v1");
    out.extend_from_slice(&seq.to_be_bytes());
    for field in fields {
        put(&mut out, *field);
    }
    out
}

/// SHA-256 (hex, lowercase) of the previous hash and the canonical bytes of `fields` at `seq`.
pub fn digest(seq: i64, fields: &Fields<'_>, prev_hash: &[u8]) -> [u8; 64] {
    // The same bytes as `canonical`, streamed into the hash without building them.
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(b"review-desk-audit-v1");
    h.update(seq.to_be_bytes());
    for field in fields {
        match field {
            Some(text) => {
                h.update((text.len() as u64).to_be_bytes());
                h.update(text);
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    let mut text = [0u8; 64];
    // 32 bytes always fit 64 hex digits.
    let _ = hex::encode_to_slice(h.finalize(), &mut text);
    text
}

/// SHA-256 (hex) of the previous hash and the entry's canonical bytes.
pub fn hash(seq: i64, draft: &AuditDraft, prev_hash: &str) -> String {
    let text = digest(seq, &fields(draft), prev_hash.as_bytes());
    String::from_utf8_lossy(&text).into_owned()
}

/// One entry as the chain check needs it: its place, what it chains onto, its own hash, and
/// whether its content still matches that hash (computed where the entry was read, so a store
/// can hash rows as it reads them without building entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub content_ok: bool,
}

impl ChainLink {
    /// The link of a stored row: `fields` in canonical order, its hashes as stored.
    pub fn of_row(seq: i64, fields: &Fields<'_>, prev_hash: &[u8], hash: &[u8]) -> Self {
        Self {
            seq,
            content_ok: digest(seq, fields, prev_hash).as_slice() == hash,
            prev_hash: text_of(prev_hash),
            hash: text_of(hash),
        }
    }
}

/// One stored entry, borrowed as the store holds it (an export reads every entry once, so it
/// copies none of them).
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub seq: i64,
    /// In canonical order (`audit::fields`).
    pub fields: Fields<'a>,
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
    /// False when a column held something other than text or NULL: it cannot match its hash.
    pub plain: bool,
}

impl<'a> EntryRef<'a> {
    pub fn of(entry: &'a AuditEntry) -> Self {
        Self {
            seq: entry.seq,
            fields: crate::audit::fields(&entry.draft),
            prev_hash: entry.prev_hash.as_bytes(),
            hash: entry.hash.as_bytes(),
            plain: true,
        }
    }

    /// Its place in the chain, and whether its content still matches its hash.
    pub fn link(&self) -> ChainLink {
        let mut link = ChainLink::of_row(self.seq, &self.fields, self.prev_hash, self.hash);
        link.content_ok &= self.plain;
        link
    }

    /// Field `i` in canonical order.
    pub fn text(&self, i: usize) -> Option<&'a [u8]> {
        self.fields[i]
    }
}

/// Sees the entries of a scan of the log one by one (on a thread that may block).
pub trait AuditVisitor: Send + 'static {
    fn visit(&mut self, entry: &EntryRef<'_>);
}

/// Stored bytes as text (hashes are ASCII: checked quickly; anything else kept visibly).
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The links of `entries`, hashed on every available core (each hash depends only on its own
/// entry).
pub fn links_of(entries: &[AuditEntry]) -> Vec<ChainLink> {
    let link = |e: &AuditEntry| {
        ChainLink::of_row(
            e.seq,
            &fields(&e.draft),
            e.prev_hash.as_bytes(),
            e.hash.as_bytes(),
        )
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || entries.len() < 4_096 {
        return entries.iter().map(link).collect();
    }
    let chunk = entries.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let parts: Vec<_> = entries
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(link).collect::<Vec<ChainLink>>()))
            .collect();
        let mut links = Vec::with_capacity(entries.len());
        for (part, entries) in parts.into_iter().zip(entries.chunks(chunk)) {
            // A panicked worker cannot vouch for its entries: they count as edited.
            links.extend(part.join().unwrap_or_else(|_| {
                entries
                    .iter()
                    .map(|e| ChainLink {
                        seq: e.seq,
                        prev_hash: e.prev_hash.clone(),
                        hash: e.hash.clone(),
                        content_ok: false,
                    })
                    .collect()
            }));
        }
        links
    })
}

impl AuditEntry {
    /// Places `draft` after the entry `(seq, hash)` of the current head (`None`: empty log).
    pub fn seal(draft: AuditDraft, head: Option<(i64, &str)>) -> Self {
        let (seq, prev_hash) = match head {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS.to_owned()),
        };
        let hash = hash(seq, &draft, &prev_hash);
        Self {
            seq,
            draft,
            prev_hash,
            hash,
        }
    }
}

/// Where and why the chain broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[error("the audit log is broken at entry {seq}: {why}")]
pub struct Broken {
    #[ts(type = "number")]
    pub seq: i64,
    pub why: String,
}

/// Checks entries one by one, in the order stored.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    pub count: u64,
    pub head: Option<(i64, String)>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainCheck {
    pub fn new() -> Self {
        Self {
            count: 0,
            head: None,
        }
    }

    pub fn feed(&mut self, entry: &AuditEntry) -> Result<(), Broken> {
        let content_ok = hash(entry.seq, &entry.draft, &entry.prev_hash) == entry.hash;
        self.link(entry.seq, &entry.prev_hash, &entry.hash, content_ok)
    }

    /// Checks a run of entries in order, as `feed` one by one would, hashing them on every
    /// core first; the links are then checked in order, so the first broken entry reported is
    /// the same.
    pub fn feed_all(&mut self, entries: &[AuditEntry]) -> Result<(), Broken> {
        self.feed_links(&links_of(entries))
    }

    /// Checks a run of links (hashed already) in order.
    pub fn feed_links(&mut self, links: &[ChainLink]) -> Result<(), Broken> {
        links
            .iter()
            .try_for_each(|l| self.link(l.seq, &l.prev_hash, &l.hash, l.content_ok))
    }

    fn link(
        &mut self,
        seq: i64,
        prev_hash: &str,
        hash: &str,
        content_ok: bool,
    ) -> Result<(), Broken> {
        let (expected_seq, expected_prev) = match &self.head {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        let broken = |why: String| Broken { seq, why };
        if seq != expected_seq {
            // A deleted entry leaves a gap; the entry before it is where the change is.
            return Err(Broken {
                seq: expected_seq.min(seq),
                why: format!("entry {expected_seq} is missing (found {seq} next)"),
            });
        }
        if prev_hash != expected_prev {
            return Err(broken(
                "it does not chain onto the entry before it (inserted, deleted or reordered)"
                    .into(),
            ));
        }
        if !content_ok {
            return Err(broken(
                "its content does not match its hash (edited)".into(),
            ));
        }
        self.count += 1;
        self.head = Some((seq, hash.to_owned()));
        Ok(())
    }
}

/// A signed statement of the chain's head: an auditor keeps it; a later log must still contain
/// this exact entry at this seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Checkpoint {
    #[ts(type = "number")]
    pub seq: i64,
    pub head_hash: String,
    pub at: String,
    /// Ed25519 public key (hex) of the profile that signed.
    pub public_key: String,
    /// Ed25519 signature (hex) over `checkpoint_message`.
    pub signature: String,
}

fn checkpoint_message(seq: i64, head_hash: &str, at: &str) -> Vec<u8> {
    format!("review-desk-checkpoint-v1\n{seq}\n{head_hash}\n{at}").into_bytes()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint key is not a valid Ed25519 key")]
    BadKey,
    #[error("the checkpoint was signed by another key than this profile's")]
    OtherKey,
    #[error("the checkpoint's signature is invalid")]
    BadSignature,
}

/// Signs the head `(seq, hash)` with the profile's 32-byte Ed25519 seed.
pub fn sign_checkpoint(seed: &[u8; 32], seq: i64, head_hash: &str, at: &str) -> Checkpoint {
    let key = SigningKey::from_bytes(seed);
    let signature = key.sign(&checkpoint_message(seq, head_hash, at));
    Checkpoint {
        seq,
        head_hash: head_hash.to_owned(),
        at: at.to_owned(),
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(signature.to_bytes()),
    }
}

/// The public key (hex) of a seed.
pub fn public_key(seed: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(seed).verifying_key().to_bytes())
}

impl Checkpoint {
    /// Checks the signature, made by the key `expected_public_key` (hex).
    pub fn check_signature(&self, expected_public_key: &str) -> Result<(), CheckpointError> {
        if !self.public_key.eq_ignore_ascii_case(expected_public_key) {
            return Err(CheckpointError::OtherKey);
        }
        let key_bytes: [u8; 32] = hex::decode(&self.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::BadKey)?;
        let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| CheckpointError::BadKey)?;
        let sig_bytes: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::BadSignature)?;
        key.verify(
            &checkpoint_message(self.seq, &self.head_hash, &self.at),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| CheckpointError::BadSignature)
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VerifyReport {
    pub ok: bool,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number | null")]
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// The first broken entry, when the chain is broken.
    pub broken: Option<Broken>,
    /// Whether the given checkpoint still matches the log (None: no checkpoint given).
    pub checkpoint_ok: Option<bool>,
    /// Why it does not, when it does not.
    pub checkpoint_problem: Option<String>,
}

/// Reads the whole log from `journal` in seq order and checks its chain; with a checkpoint
/// and the profile's public key (hex), also that the log still holds the checkpointed head.
pub async fn verify(
    journal: &impl crate::ports::Journal,
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

#[cfg(test)]
mod tests {
    use super::*;

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
