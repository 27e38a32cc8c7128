//! Audit verification throughput, printed (never asserted): run with
//! `cargo bench -p desk-store --bench audit_verify`. Builds a log of 1,000,000 entries in a
//! SQLite file, then verifies it twice: the chain check alone over entries in memory, and
//! `desk audit verify`'s path (read from SQLite in pages, check every link and hash), and the
//! reading alone.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Instant;

use desk_core::audit::{self, AuditDraft, AuditEntry, ChainCheck};
use desk_store::SqliteStore;

const ENTRIES: usize = 1_000_000;

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        at: format!(
            "2026-11-23T10:{:02}:{:02}.{:06}Z",
            (n / 60) % 60,
            n % 60,
            n % 1_000_000
        ),
        actor: "Amira Ben Salah <amira@dhmad.tn>".into(),
        action: ["decline", "approve", "resubmit", "reveal"][n % 4].into(),
        case_id: format!("3f1c2a9e-8d4b-4c1e-9a7f-{n:012}"),
        action_id: Some(format!("0b7d5c1e-2f44-4b8e-9c1a-{n:012}")),
        from_state: Some("sending".into()),
        to_state: Some("applied".into()),
        reason_id: Some("doc_altered".into()),
        comment: Some("Altered document — وثيقة معدلة".into()),
        outcome: Some("applied".into()),
        token: Some(format!("{n:012x}")),
        app_version: "0.1.0".into(),
    }
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("desk-bench-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("desk.sqlite");

    let started = Instant::now();
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(ENTRIES);
    for n in 0..ENTRIES {
        let head = entries.last().map(|e| (e.seq, e.hash.as_str()));
        let entry = AuditEntry::seal(draft(n), head);
        entries.push(entry);
    }
    println!(
        "sealed {ENTRIES} entries in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut check = ChainCheck::new();
    for e in &entries {
        check.feed(e).unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "chain check in memory: {} entries in {secs:.2} s = {:.0} entries/s",
        check.count,
        check.count as f64 / secs
    );

    // Store them as the desk would have, in one bulk transaction.
    drop(SqliteStore::open(&path).await.unwrap());
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    for e in &entries {
        let d = &e.draft;
        sqlx::query("INSERT INTO audit (seq, at, actor, action, case_id, action_id, from_state, to_state, reason_id, comment, outcome, token, app_version, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(e.seq).bind(&d.at).bind(&d.actor).bind(&d.action).bind(&d.case_id)
            .bind(&d.action_id).bind(&d.from_state).bind(&d.to_state).bind(&d.reason_id)
            .bind(&d.comment).bind(&d.outcome).bind(&d.token).bind(&d.app_version)
            .bind(&e.prev_hash).bind(&e.hash)
            .execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;
    drop(entries);

    let store = SqliteStore::open(&path).await.unwrap();
    {
        use desk_core::ports::Journal;
        let started = Instant::now();
        let mut after = 0;
        let mut read = 0;
        loop {
            let page = store.audit_page(after, 10_000).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.seq;
            read += page.len();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "reading alone (pages of 10,000, one after another): {read} entries in {secs:.2} s = {:.0} entries/s",
            read as f64 / secs
        );
    }
    let started = Instant::now();
    let report = audit::verify(&store, None).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(report.ok && report.count == ENTRIES as u64, "{report:?}");
    println!(
        "desk audit verify (SQLite, pages of 10,000 read 4 at a time, checked on their own thread): {} entries in {secs:.2} s = {:.0} entries/s",
        report.count,
        report.count as f64 / secs
    );
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", path.display());
    }
}
