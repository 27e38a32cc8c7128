//! Audit verification throughput, printed (never asserted): run with
//! `cargo bench -p desk-store --bench audit_verify`. Builds a log of 1,000,000 entries in a
//! SQLite file, then verifies it twice: the chain check alone over entries in memory, and
//! `desk audit verify`'s path (read from SQLite in pages, check every link and hash), and the
//! reading alone. Then the lead's audit view on the same log (a month of entries): filtered
//! pages, CSV and JSON exports of every entry, the month's figures and a week's, and the blind
//! re-review's queue and agreement figures over the month.
#![allow(clippy::unwrap_used, clippy::panic)]

/// The allocator of the shipped binaries, measured here (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use desk_core::audit::{self, AuditDraft, AuditEntry, ChainCheck};
use desk_store::SqliteStore;

const ENTRIES: usize = 1_000_000;

fn month_start() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .to_utc()
}

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        // A month of entries: one every 2.592 s through November.
        at: (month_start() + chrono::Duration::milliseconds(n as i64 * 2_592))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor: format!("Reviewer {} <reviewer{}@dhmad.tn>", n % 8, n % 8),
        action: ["decline", "approve", "resubmit", "reveal"][n % 4].into(),
        case_id: format!("3f1c2a9e-8d4b-4c1e-9a7f-{n:012}"),
        action_id: Some(format!("0b7d5c1e-2f44-4b8e-9c1a-{n:012}")),
        from_state: Some("sending".into()),
        to_state: Some("applied".into()),
        reason_id: Some(["doc_altered", "face_mismatch", "ok"][n % 3].into()),
        comment: Some("Altered document — وثيقة معدلة".into()),
        outcome: Some("applied".into()),
        token: Some(format!("{n:012x}")),
        app_version: "0.1.0".into(),
    }
}

#[tokio::main]
async fn main() {
    // `AUDIT_DB=FILE` (a log kept by an earlier run with `KEEP=1`): only the lead's view;
    // `AUDIT_PARTS=pages,figures,export` picks parts of it (all by default).
    if let Some(path) = std::env::var_os("AUDIT_DB") {
        let store = SqliteStore::open(std::path::Path::new(&path))
            .await
            .unwrap();
        return audit_view(&store).await;
    }
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
        use desk_core::ports::AuditLog;
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
    audit_view(&store).await;
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", path.display());
    }
}

/// The lead's view over the million entries: the median of 15 reads of each page, and an export.
async fn audit_view(store: &SqliteStore) {
    use desk_core::audit_view::AuditFilter;
    let desk = desk_core::desk::Desk::new(
        desk_core::testing::FakeSource::with_cases(0),
        store.clone(),
        desk_core::testing::ManualClock::at("2026-12-01T12:00:00Z"),
        desk_core::desk::Reviewer {
            name: "Lead".into(),
            email: "lead@dhmad.tn".into(),
        },
    );
    let reviewer = Some("Reviewer 3 <reviewer3@dhmad.tn>".to_owned());
    let cases = [
        ("newest 100, no filter", AuditFilter::default(), None),
        (
            "one reviewer, newest 100",
            AuditFilter {
                actor: reviewer.clone(),
                ..Default::default()
            },
            None,
        ),
        (
            "one reviewer, 100 from the middle of the log",
            AuditFilter {
                actor: reviewer.clone(),
                ..Default::default()
            },
            Some(500_000),
        ),
        (
            "reviewer + action + reason",
            AuditFilter {
                actor: reviewer.clone(),
                action: Some("reveal".into()),
                reason_id: Some("face_mismatch".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "reviewer + action that never meet (worst case: every entry of the reviewer read)",
            AuditFilter {
                actor: reviewer.clone(),
                action: Some("decline".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "one session",
            AuditFilter {
                case_id: Some(format!("3f1c2a9e-8d4b-4c1e-9a7f-{:012}", 123_457)),
                ..Default::default()
            },
            None,
        ),
        (
            "one minute of one reviewer",
            AuditFilter {
                actor: reviewer.clone(),
                from: Some("2026-11-15T10:30:00Z".into()),
                until: Some("2026-11-15T10:31:00Z".into()),
                ..Default::default()
            },
            None,
        ),
    ];
    let part = |name: &str| {
        std::env::var("AUDIT_PARTS").map_or(true, |parts| parts.split(',').any(|p| p == name))
    };
    for (name, filter, before) in cases.into_iter().filter(|_| part("pages")) {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..15 {
            let started = Instant::now();
            let page = desk.audit_view(store, &filter, before, 100).await.unwrap();
            times.push(started.elapsed());
            found = page.entries.len();
        }
        times.sort();
        println!(
            "audit view page, {name}: {found} entries, median {:.1} ms (min {:.1}, max {:.1})",
            times[7].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[14].as_secs_f64() * 1e3
        );
    }
    if part("figures") {
        figures(&desk, store).await;
    }
    if part("export") {
        export(&desk, store).await;
    }
}

type BenchDesk = desk_core::desk::Desk<
    desk_core::testing::FakeSource,
    SqliteStore,
    desk_core::testing::ManualClock,
>;

/// The lead's figures over a month and a week, and the blind re-review's over the month.
async fn figures(desk: &BenchDesk, store: &SqliteStore) {
    for (name, from, until) in [
        ("the month", "2026-11-01", "2026-11-30"),
        ("one week", "2026-11-09", "2026-11-15"),
    ] {
        let started = Instant::now();
        let stats = desk
            .audit_stats(store, Some(from), Some(until), 24)
            .await
            .unwrap();
        println!(
            "figures over {name}: {} entries, {} decisions, {} reviewers in {:.2} s",
            stats.entries,
            stats.team.decisions,
            stats.reviewers.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let queue = desk
        .blind_review_queue(store, Some("2026-11-01"))
        .await
        .unwrap();
    println!(
        "blind re-review queue over the month: {} approvals drawn at {} %, {} waiting, in {:.2} s",
        queue.drawn,
        queue.share,
        queue.pending.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let agreement = desk
        .blind_review_figures(store, Some("2026-11-01"), None)
        .await
        .unwrap();
    println!(
        "blind re-review figures over the month: {} approvals, {} drawn, in {:.2} s",
        agreement.approvals,
        agreement.drawn,
        started.elapsed().as_secs_f64()
    );
}

/// Exports of every entry, as CSV and as JSON, and of one reviewer's.
async fn export(desk: &BenchDesk, store: &SqliteStore) {
    use desk_core::audit_view::{AuditFilter, ExportFormat};
    let one = AuditFilter {
        actor: Some("Reviewer 3 <reviewer3@dhmad.tn>".into()),
        ..Default::default()
    };
    for (name, filter, format) in [
        ("every entry", AuditFilter::default(), ExportFormat::Csv),
        ("every entry", AuditFilter::default(), ExportFormat::Json),
        ("one reviewer's entries", one, ExportFormat::Csv),
    ] {
        let mut out = Vec::with_capacity(400 << 20);
        let started = Instant::now();
        let report = desk
            .export_audit(store, &filter, format, &mut out, None, &[7; 32], |_| true)
            .await
            .unwrap();
        println!(
            "export of {name} as {format:?}: {} entries, {} MB in {:.2} s (the whole log verified in the same pass)",
            report.entries,
            out.len() >> 20,
            started.elapsed().as_secs_f64()
        );
    }
}
