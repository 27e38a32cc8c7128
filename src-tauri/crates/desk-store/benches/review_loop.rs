//! Review-loop figures, printed (never asserted): run with
//! `cargo bench -p desk-store --bench review_loop`.
//! 1. Sync of 10,000 sessions in review from the sandbox into SQLite: the desk's sync against
//!    a naive sequential client (one page of 50 after another, one autocommitted INSERT per row).
//! 2. Next case after a decision: queue the decision (one committed transaction: outbox row +
//!    audit entry), then open the next (prefetched) case; p50 / p95. And the outbox's send of
//!    each (reconcile reads + update-status + the feed read after it).
//! 3. The queue page with 10,000 cached cases: the table's view, a search, a warning filter
//!    (answered by the provider, and judged on cached summaries when it is unreachable); and
//!    the background fill of every summary, unthrottled and against the documented GET budget.
#![allow(clippy::unwrap_used, clippy::panic)]

/// The allocator of the shipped binaries, measured here (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use desk_core::desk::{Desk, Reviewer};
use desk_core::model::case::{CaseStatus, Verdict};
use desk_core::model::request::DecisionRequest;
use desk_core::ports::{CaseCache, SystemClock};
use desk_store::SqliteStore;
use didit::{DiditClient, DiditConfig, RateLimits, SessionQuery};
use sandbox::{RateConfig, SandboxConfig};
use secrecy::SecretString;

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("desk-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("desk.sqlite")
}

fn client(url: &str, key: &str, limits: RateLimits) -> DiditClient {
    let mut config = DiditConfig::new(url, SecretString::from(key.to_owned())).unwrap();
    config.limits = limits;
    DiditClient::new(config).unwrap()
}

fn reviewer() -> Reviewer {
    Reviewer {
        name: "Bench Reviewer".into(),
        email: "bench@dhmad.tn".into(),
    }
}

/// A plain loop over pages of 50, each row inserted on its own.
async fn naive_sync(client: &DiditClient, path: &std::path::Path) -> usize {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE queue (case_id TEXT PRIMARY KEY, item TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let mut offset = 0;
    let mut rows = 0;
    loop {
        let page = client
            .list_sessions(&SessionQuery {
                statuses: vec![CaseStatus::InReview],
                offset: Some(offset),
                limit: Some(50),
                ..Default::default()
            })
            .await
            .unwrap();
        for item in &page.items {
            sqlx::query("INSERT OR REPLACE INTO queue (case_id, item) VALUES (?, ?)")
                .bind(&item.case_id)
                .bind(serde_json::to_string(item).unwrap())
                .execute(&pool)
                .await
                .unwrap();
            rows += 1;
        }
        match page.next_offset {
            Some(next) => offset = next,
            None => return rows,
        }
    }
}

async fn sync_figures(label: &str, server: RateConfig, limits: RateLimits) {
    let sb = sandbox::start(SandboxConfig {
        sessions: 10_000,
        rate: server,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let desk = Desk::new(
        client(&sb.didit_url(), &sb.didit_key, limits),
        SqliteStore::open(&temp_db(&format!("sync-{label}")))
            .await
            .unwrap(),
        SystemClock,
        reviewer(),
    );
    let started = Instant::now();
    let report = desk.sync().await.unwrap();
    let ours = started.elapsed();
    assert_eq!(report.in_review, 10_000);

    let naive_client = client(&sb.didit_url(), &sb.didit_key, limits);
    let started = Instant::now();
    let rows = naive_sync(&naive_client, &temp_db(&format!("naive-{label}"))).await;
    let naive = started.elapsed();
    assert_eq!(rows, 10_000);
    println!(
        "sync 10,000 in review ({label}): desk {:.2} s, naive {:.2} s, ratio naive/desk {:.1}x",
        ours.as_secs_f64(),
        naive.as_secs_f64(),
        naive.as_secs_f64() / ours.as_secs_f64()
    );
}

/// A sandbox of `sessions` in review, and client limits, with no rate limit on either side.
async fn unlimited_sandbox(sessions: usize) -> (sandbox::RunningSandbox, RateLimits) {
    let unlimited = RateConfig {
        generic_get: 1_000_000,
        generic_write: 1_000_000,
        ..RateConfig::default()
    };
    let sb = sandbox::start(SandboxConfig {
        sessions,
        rate: unlimited,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let limits = RateLimits {
        window: Duration::from_secs(60),
        generic_get: 1_000_000,
        generic_write: 1_000_000,
    };
    (sb, limits)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn next_case_figures() {
    let (sb, limits) = unlimited_sandbox(1_000).await;
    let desk = Desk::new(
        client(&sb.didit_url(), &sb.didit_key, limits),
        SqliteStore::open(&temp_db("next")).await.unwrap(),
        SystemClock,
        reviewer(),
    );
    desk.sync().await.unwrap();
    let (queue, _) = desk.store.queue().await.unwrap();
    let mut current = queue[0].case_id.clone();
    desk.case_file(&current).await.unwrap();
    desk.prefetch_after(Some(&current), 3).await.unwrap();
    let mut times = Vec::new();
    let mut sends = Vec::new();
    for i in 0..150 {
        let verdict = if i % 2 == 0 {
            Verdict::Approve
        } else {
            Verdict::Decline
        };
        let started = Instant::now();
        let done = desk
            .submit_decision_within(
                DecisionRequest {
                    case_id: current.clone(),
                    verdict,
                    comment: Some("bench".into()),
                    notify: None,
                    redo: vec![],
                    reason_id: Some("bench".into()),
                },
                chrono::Duration::zero(),
            )
            .await
            .unwrap();
        let next = done.next_case_id.unwrap();
        desk.case_file(&next).await.unwrap();
        times.push(started.elapsed());
        // As the shell's outbox worker does in the background.
        let sending = Instant::now();
        assert_eq!(desk.run_due().await.unwrap().applied, 1);
        sends.push(sending.elapsed());
        // As the shell does in the background after opening a case.
        desk.prefetch_after(Some(&next), 3).await.unwrap();
        current = next;
    }
    times.sort();
    println!(
        "next case after a decision (queue it + open the prefetched next), {} decisions: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
    sends.sort();
    println!(
        "outbox send per decision (reconcile reads + update-status + feed check): p50 {:.1} ms, p95 {:.1} ms",
        percentile(&sends, 0.5).as_secs_f64() * 1e3,
        percentile(&sends, 0.95).as_secs_f64() * 1e3,
    );
    let report = desk.verify_audit(None).await.unwrap();
    assert!(report.ok);
}

fn p50_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    percentile(&times, 0.5).as_secs_f64() * 1e3
}

async fn queue_page_figures() {
    use desk_core::ports::QueueFilter;
    let (sb, limits) = unlimited_sandbox(10_000).await;
    // No read retries: once the sandbox is gone the fallback is measured, not the backoff.
    let mut config =
        DiditConfig::new(&sb.didit_url(), SecretString::from(sb.didit_key.clone())).unwrap();
    config.limits = limits;
    config.read_retries = 0;
    let desk = Desk::new(
        DiditClient::new(config).unwrap(),
        SqliteStore::open(&temp_db("queue-page")).await.unwrap(),
        SystemClock,
        reviewer(),
    );
    desk.sync().await.unwrap();
    let started = Instant::now();
    let mut fetched = 0;
    loop {
        let report = desk.fill_summaries(500).await.unwrap();
        fetched += report.fetched;
        if report.missing == 0 {
            break;
        }
    }
    let fill = started.elapsed();
    let budget = RateLimits::default().generic_get as f64
        * f64::from(desk_core::queue::FILL_SHARE_PERCENT)
        / 100.0;
    println!(
        "fill every summary of 10,000 queued cases: {fetched} fetched in {:.1} s unthrottled; against Didit's {} GET/min with {} % for the fill: {:.1} min",
        fill.as_secs_f64(),
        RateLimits::default().generic_get,
        desk_core::queue::FILL_SHARE_PERCENT,
        fetched as f64 / budget
    );

    let sla = chrono::Duration::hours(24);
    let runs: usize = std::env::var("QUEUE_PAGE_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut view = Vec::new();
    let mut search = Vec::new();
    let mut filter_remote = Vec::new();
    let warning = QueueFilter {
        warning: Some("DOCUMENT_EXPIRED".into()),
        ..Default::default()
    };
    // The first ask goes to the provider; its answer holds until the next sync.
    let started = Instant::now();
    assert!(desk.filter_queue(&warning).await.unwrap().exact);
    let first_ask = started.elapsed();
    for _ in 0..runs {
        let started = Instant::now();
        let snapshot = desk.queue_snapshot().await.unwrap();
        let page = desk_core::ipc::QueueView::build(&snapshot, sla);
        assert_eq!(page.rows.len(), 10_000);
        view.push(started.elapsed());
        let started = Instant::now();
        desk.search("dhmad-user-00").await.unwrap();
        search.push(started.elapsed());
        let started = Instant::now();
        let found = desk.filter_queue(&warning).await.unwrap();
        assert!(found.exact);
        filter_remote.push(started.elapsed());
    }
    println!(
        "queue page, 10,000 cached cases ({runs} runs, p50): table view {:.1} ms, search {:.1} ms, warning filter: asked of the provider {:.1} ms, again before the next sync {:.1} ms",
        p50_ms(view),
        p50_ms(search),
        first_ask.as_secs_f64() * 1e3,
        p50_ms(filter_remote),
    );
    // Unreachable provider, a filter not asked since the sync: the cached summaries judge.
    let warning = QueueFilter {
        warning: Some("MRZ_VALIDATION_FAILED".into()),
        ..Default::default()
    };
    drop(sb);
    let mut filter_local = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let found = desk.filter_queue(&warning).await.unwrap();
        assert!(!found.exact && found.unjudged == 0);
        filter_local.push(started.elapsed());
    }
    println!(
        "warning filter on cached summaries (provider unreachable), 10,000 cases: p50 {:.1} ms",
        p50_ms(filter_local)
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "queue-page") {
        return queue_page_figures().await;
    }
    let unlimited_server = RateConfig {
        generic_get: 1_000_000,
        generic_write: 1_000_000,
        ..RateConfig::default()
    };
    let unlimited_client = RateLimits {
        window: Duration::from_secs(60),
        generic_get: 1_000_000,
        generic_write: 1_000_000,
    };
    sync_figures("no rate limit", unlimited_server, unlimited_client).await;
    sync_figures(
        "documented rate limits",
        RateConfig::default(),
        RateLimits::default(),
    )
    .await;
    next_case_figures().await;
    queue_page_figures().await;
}
