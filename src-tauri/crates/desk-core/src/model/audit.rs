//! The audit log's entries and chain: append-only and hash-chained. Each entry's hash is SHA-256 over the previous
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
            fields: fields(&entry.draft),
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
