//! Tampering with a real SQLite audit log, on copies of the database file: an edit, a
//! deletion, an insertion, a reorder (each also with the append-only triggers dropped first)
//! is found at its exact seq; a truncated or rewritten tail is caught by a signed checkpoint.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use desk_core::audit::{self, AuditDraft, AuditEntry};
use desk_core::ports::AuditLog;
use desk_store::SqliteStore;
use sqlx::sqlite::SqlitePool;

const SEED: [u8; 32] = [42; 32];

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("desk-tamper-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        at: format!("2026-11-23T10:{:02}:{:02}.000000Z", n / 60, n % 60),
        actor: "Amira <amira@dhmad.tn>".into(),
        action: if n.is_multiple_of(2) {
            "decline"
        } else {
            "reveal"
        }
        .into(),
        case_id: format!("00000000-0000-4000-8000-{n:012}"),
        comment: Some(format!("entry {n} — سطر")),
        app_version: "0.1.0".into(),
        ..AuditDraft::default()
    }
}

/// A log of 20 entries, its checkpoint at entry 15, and a pristine copy of the file.
async fn original(tag: &str) -> (PathBuf, audit::Checkpoint) {
    let d = dir(tag);
    let path = d.join("desk.sqlite");
    let store = SqliteStore::open(&path).await.unwrap();
    let mut head: Option<AuditEntry> = None;
    for n in 1..=20 {
        let e = store.append_audit(&draft(n)).await.unwrap();
        if n == 15 {
            head = Some(e);
        }
    }
    let head = head.unwrap();
    let cp = audit::sign_checkpoint(&SEED, head.seq, &head.hash, "2026-11-23T11:00:00Z");
    drop(store);
    (path, cp)
}

/// Copies the database (checkpointing the WAL first) and runs `sql` on the copy, raw.
async fn tampered(original: &Path, name: &str, sql: &[&str]) -> PathBuf {
    let pool = SqlitePool::connect(&format!("sqlite://{}", original.display()))
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let copy = original.with_file_name(format!("{name}.sqlite"));
    std::fs::copy(original, &copy).unwrap();
    let pool = SqlitePool::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    for statement in sql {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    copy
}

async fn verify(path: &Path, cp: Option<&audit::Checkpoint>) -> audit::VerifyReport {
    let store = SqliteStore::open(path).await.unwrap();
    let key = audit::public_key(&SEED);
    audit::verify(&store, cp.map(|c| (c, key.as_str())))
        .await
        .unwrap()
}

const DROP_TRIGGERS: [&str; 2] = [
    "DROP TRIGGER audit_is_append_only_update",
    "DROP TRIGGER audit_is_append_only_delete",
];

/// Each kind of change, made with the triggers dropped, and the seq it must be found at.
fn tamper_cases() -> Vec<(&'static str, Vec<&'static str>, i64)> {
    vec![
    ("edit", vec!["UPDATE audit SET comment = 'approved after all' WHERE seq = 7"], 7),
    ("delete", vec!["DELETE FROM audit WHERE seq = 9"], 9),
    // The same bytes stored as a blob: not the text that was sealed.
    ("retyped", vec!["UPDATE audit SET comment = CAST(comment AS BLOB) WHERE seq = 6"], 6),
    // The same hash in capitals: not the hash the desk wrote.
    ("recased", vec!["UPDATE audit SET hash = upper(hash) WHERE seq = 8"], 8),
    // A forged entry slipped in at 12, the rest renumbered so the seqs stay dense.
    ("insert", vec![
        "UPDATE audit SET seq = seq + 1000 WHERE seq >= 12",
        "UPDATE audit SET seq = seq - 999 WHERE seq >= 1012",
        "INSERT INTO audit SELECT 12, at, actor, action, case_id, action_id, from_state, to_state, reason_id, 'forged', outcome, token, app_version, prev_hash, hash FROM audit WHERE seq = 11",
    ], 12),
    // A forged entry before the first one.
    ("prepend", vec![
        "INSERT INTO audit SELECT 0, at, actor, action, case_id, action_id, from_state, to_state, reason_id, 'forged', outcome, token, app_version, prev_hash, hash FROM audit WHERE seq = 1",
    ], 0),
    // Entries 4 and 5 swap places.
    ("reorder", vec![
        "UPDATE audit SET seq = 1004 WHERE seq = 4",
        "UPDATE audit SET seq = 4 WHERE seq = 5",
        "UPDATE audit SET seq = 5 WHERE seq = 1004",
    ], 4),
]
}

#[tokio::test]
async fn every_kind_of_tampering_is_found_at_its_entry() {
    let (path, cp) = original("kinds").await;
    let intact = verify(&path, Some(&cp)).await;
    assert!(
        intact.ok && intact.count == 20 && intact.checkpoint_ok == Some(true),
        "{intact:?}"
    );

    // With the triggers in place an edit is refused outright.
    let pool = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(sqlx::query("UPDATE audit SET comment = 'x' WHERE seq = 3")
        .execute(&pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit WHERE seq = 3")
        .execute(&pool)
        .await
        .is_err());
    pool.close().await;

    for (name, sql, at) in tamper_cases() {
        let mut statements: Vec<&str> = DROP_TRIGGERS.to_vec();
        statements.extend(sql);
        let copy = tampered(&path, name, &statements).await;
        let report = verify(&copy, None).await;
        assert!(!report.ok, "{name}: {report:?}");
        assert_eq!(
            report.broken.as_ref().map(|b| b.seq),
            Some(at),
            "{name}: {report:?}"
        );
    }
}

#[tokio::test]
async fn truncation_and_a_rewritten_tail_are_caught_by_the_checkpoint() {
    let (path, cp) = original("tail").await;
    let mut statements: Vec<&str> = DROP_TRIGGERS.to_vec();
    statements.push("DELETE FROM audit WHERE seq >= 13");
    let truncated = tampered(&path, "truncated", &statements).await;
    let report = verify(&truncated, None).await;
    assert!(
        report.ok,
        "a cut tail still chains: only a checkpoint can tell"
    );
    let report = verify(&truncated, Some(&cp)).await;
    assert!(!report.ok);
    assert!(report.checkpoint_problem.unwrap().contains("truncated"));

    // Rewritten from entry 13 on, re-hashed consistently: the chain verifies, the checkpoint not.
    let rewrite_dir = dir("rewrite");
    let rewritten = rewrite_dir.join("desk.sqlite");
    let store = SqliteStore::open(&rewritten).await.unwrap();
    for n in 1..=20 {
        let mut d = draft(n);
        if n >= 13 {
            d.comment = Some("rewritten".into());
        }
        store.append_audit(&d).await.unwrap();
    }
    drop(store);
    let report = verify(&rewritten, Some(&cp)).await;
    assert!(!report.ok);
    assert!(
        report.checkpoint_problem.unwrap().contains("rewritten"),
        "entry 15 differs"
    );
    let forged = audit::sign_checkpoint(&[1; 32], 15, &cp.head_hash, &cp.at);
    let report = verify(&path, Some(&forged)).await;
    assert_eq!(
        report.checkpoint_ok,
        Some(false),
        "another key's checkpoint is refused"
    );
}

/// An export is written while the chain is verified: an edited log still fails the export,
/// and an intact one signs the head it exported up to.
#[tokio::test]
async fn an_export_of_a_tampered_log_is_refused() {
    let (path, _) = original("export").await;
    for (name, sql, at) in tamper_cases() {
        let mut statements: Vec<&str> = DROP_TRIGGERS.to_vec();
        statements.extend(sql);
        let copy = tampered(&path, &format!("export-{name}"), &statements).await;
        let refused = export(SqliteStore::open(&copy).await.unwrap(), Default::default()).await;
        let error = refused.map(|(r, _)| r.entries).unwrap_err().to_string();
        assert!(
            error.contains("not exported") && error.contains(&format!("entry {at}")),
            "{name}: {error}"
        );
    }

    let store = SqliteStore::open(&path).await.unwrap();
    let (report, _) = export(store.clone(), Default::default()).await.unwrap();
    assert_eq!((report.entries, report.checkpoint.seq), (20, 20));
    let key = audit::public_key(&SEED);
    let after = audit::verify(&store, Some((&report.checkpoint, key.as_str())))
        .await
        .unwrap();
    assert_eq!(after.checkpoint_ok, Some(true), "{after:?}");
}

/// A lead's CSV export of the entries of `store` passing `filter`, and its rows.
async fn export(
    store: SqliteStore,
    filter: desk_core::audit_view::AuditFilter,
) -> Result<(desk_core::audit_view::ExportReport, Vec<Vec<String>>), desk_core::desk::DeskError> {
    let desk = desk_core::desk::Desk::new(
        desk_core::testing::FakeSource::with_cases(0),
        store,
        desk_core::testing::ManualClock::at("2026-12-01T12:00:00Z"),
        desk_core::desk::Reviewer {
            name: "Lead".into(),
            email: "lead@dhmad.tn".into(),
        },
    );
    let csv = desk_core::audit_view::ExportFormat::Csv;
    let mut out = Vec::new();
    let report = desk
        .export_audit(&desk.store, &filter, csv, &mut out, None, &SEED, |_| true)
        .await?;
    let rows = csv::Reader::from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    Ok((report, rows))
}

/// A log longer than one window of the export's pass: every entry once, newest first, the
/// filter applied, and a change deep in the log found at its entry.
#[tokio::test]
async fn an_export_reads_the_log_window_by_window() {
    let d = dir("windows");
    let path = d.join("desk.sqlite");
    drop(SqliteStore::open(&path).await.unwrap());
    let pool = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let mut head: Option<AuditEntry> = None;
    for n in 1..=45_000 {
        let e = AuditEntry::seal(draft(n), head.as_ref().map(|h| (h.seq, h.hash.as_str())));
        let d = &e.draft;
        sqlx::query("INSERT INTO audit (seq, at, actor, action, case_id, comment, app_version, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(e.seq).bind(&d.at).bind(&d.actor).bind(&d.action).bind(&d.case_id)
            .bind(&d.comment).bind(&d.app_version).bind(&e.prev_hash).bind(&e.hash)
            .execute(&mut *tx).await.unwrap();
        head = Some(e);
    }
    tx.commit().await.unwrap();
    pool.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    let (report, rows) = export(store.clone(), Default::default()).await.unwrap();
    assert_eq!(report.entries, 45_000);
    let seqs: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(seqs, (1..=45_000).rev().collect::<Vec<i64>>());
    let reveals = desk_core::audit_view::AuditFilter {
        action: Some("reveal".into()),
        ..Default::default()
    };
    let (report, rows) = export(store, reveals).await.unwrap();
    assert_eq!(report.entries, 22_500);
    assert!(rows.iter().all(|r| r[3] == "reveal"));

    let copy = tampered(
        &path,
        "deep",
        &[
            DROP_TRIGGERS[0],
            "UPDATE audit SET at = '2026-01-01T00:00:00.000000Z' WHERE seq = 30123",
        ],
    )
    .await;
    let error = export(SqliteStore::open(&copy).await.unwrap(), Default::default())
        .await
        .map(|(r, _)| r.entries)
        .unwrap_err()
        .to_string();
    assert!(error.contains("entry 30123"), "{error}");
}
