//! The audit chain's verifier. Any JSON as a list of entries: checked one by one and by links
//! with the same answer, never a panic. Any other bytes make an intact chain of 2 to 16 entries
//! (their comments from the input) and change one entry: its comment, its place (removed), its
//! hash or its number. The change is always reported, at that entry or before it.
#![no_main]

use desk_core::audit::{hash, links_of, AuditDraft, AuditEntry, ChainCheck, GENESIS};
use libfuzzer_sys::fuzz_target;

fn draft(n: usize, text: &str) -> AuditDraft {
    AuditDraft {
        at: format!("2026-11-23T10:00:{:02}.000000Z", n % 60),
        actor: "Amira <amira@dhmad.tn>".to_owned(),
        action: "decline".to_owned(),
        case_id: "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a00".to_owned(),
        comment: Some(format!("{n}: {text}")),
        app_version: "0.1.0".to_owned(),
        ..AuditDraft::default()
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = serde_json::from_slice::<Vec<AuditEntry>>(data) {
        let one_by_one = ChainCheck::new().feed_all(&entries);
        let by_links = ChainCheck::new().feed_links(&links_of(&entries));
        assert_eq!(one_by_one, by_links);
        return;
    }
    let [count, place, kind, rest @ ..] = data else {
        return;
    };
    let n = 2 + usize::from(*count) % 15;
    // Not the last entry: a log cut short at its end is what a checkpoint is for.
    let at = usize::from(*place) % (n - 1);
    let text = String::from_utf8_lossy(rest);
    let mut entries: Vec<AuditEntry> = Vec::new();
    for i in 0..n {
        let head = entries.last().map(|e| (e.seq, e.hash.as_str()));
        entries.push(AuditEntry::seal(draft(i, &text), head));
    }
    assert_eq!(ChainCheck::new().feed_all(&entries), Ok(()));
    match kind % 4 {
        0 => entries[at].draft.comment = Some(format!("changed: {text}")),
        1 => drop(entries.remove(at)),
        2 => entries[at].hash = hash(99, &draft(99, &text), GENESIS),
        _ => entries[at].seq += 1_000,
    }
    let found = ChainCheck::new()
        .feed_all(&entries)
        .expect_err("a change is reported");
    assert!(
        found.seq <= at as i64 + 1,
        "{found:?} for a change at {}",
        at + 1
    );
    assert_eq!(
        ChainCheck::new().feed_links(&links_of(&entries)),
        Err(found)
    );
});
