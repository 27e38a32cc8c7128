//! The team store on a real PostgreSQL server (started here, like the tests): claims per second
//! with 8 desks racing, audit appends per second (single entries and the catch-up's batches),
//! and the time from one desk's claim to another desk hearing of it (LISTEN/NOTIFY).
//! `cargo bench -p desk-store --bench team_store`
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

/// The allocator of the shipped binaries, measured here (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use chrono::Utc;
use desk_core::audit::{self, AuditDraft, AuditEntry};
use desk_core::claims::ClaimStore;
use desk_core::team::TeamLog;
use futures_util::StreamExt;

const DESKS: usize = 8;
const CASES: usize = 4_000;

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        at: "2026-12-01T09:00:00.000000Z".into(),
        actor: format!("Reviewer {} <r{}@dhmad.tn>", n % DESKS, n % DESKS),
        action: "decline".into(),
        case_id: format!("case-{n}"),
        to_state: Some("applied".into()),
        app_version: "bench".into(),
        ..AuditDraft::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let server = common::Postgres::start();
    let team = server.team("bench");
    let candidates: Vec<String> = (0..CASES).map(|n| format!("case-{n:05}")).collect();

    // Claims: 8 desks, each its own connection pool, take the oldest free case until none is left.
    let mut desks = Vec::new();
    for d in 0..DESKS {
        let member = team.named(&format!("desk{d}"), desk_core::profile::Role::TeamLead);
        desks.push(team.store(&member).await);
    }
    let started = Instant::now();
    let handles: Vec<_> = desks
        .iter()
        .cloned()
        .enumerate()
        .map(|(d, store)| {
            let candidates = candidates.clone();
            tokio::spawn(async move {
                let until = Utc::now() + chrono::Duration::minutes(10);
                let mut n = 0;
                while store
                    .claim_first(&candidates, &format!("Reviewer {d}"), until)
                    .await
                    .unwrap()
                    .is_some()
                {
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut claimed = 0;
    for h in handles {
        claimed += h.await.unwrap();
    }
    let took = started.elapsed();
    assert_eq!(claimed, CASES, "every case claimed once");
    println!(
        "claims, {DESKS} desks racing for {CASES} cases: {:.0} claims/s ({took:.2?})",
        CASES as f64 / took.as_secs_f64()
    );

    // Audit appends: 8 desks copying their entries one at a time at once onto one chain.
    let chain_of = |n: usize, from: usize| -> Vec<AuditEntry> {
        let mut head: Option<(i64, String)> = None;
        (0..n)
            .map(|k| {
                let e = AuditEntry::seal(
                    draft(from + k),
                    head.as_ref().map(|(s, h)| (*s, h.as_str())),
                );
                head = Some((e.seq, e.hash.clone()));
                e
            })
            .collect()
    };
    let each = 500;
    let started = Instant::now();
    let handles: Vec<_> = desks
        .iter()
        .cloned()
        .enumerate()
        .map(|(d, store)| {
            let mine = chain_of(each, d * each);
            tokio::spawn(async move {
                for entry in &mine {
                    store
                        .mirror(&format!("desk-{d}"), std::slice::from_ref(entry))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "audit appends, {DESKS} desks one entry at a time: {:.0} entries/s ({} in {took:.2?})",
        (DESKS * each) as f64 / took.as_secs_f64(),
        DESKS * each
    );

    // The catch-up: 8 desks copying 5,000 local entries each, in batches of 500, at once.
    let local = chain_of(5_000, 0);
    let started = Instant::now();
    let handles: Vec<_> = desks
        .iter()
        .cloned()
        .enumerate()
        .map(|(d, store)| {
            let local = local.clone();
            tokio::spawn(async move {
                for batch in local.chunks(desk_core::team::MIRROR_BATCH as usize) {
                    store.mirror(&format!("bulk-{d}"), batch).await.unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "audit catch-up, {DESKS} desks copying 5,000 entries each in batches of {}: {:.0} entries/s ({took:.2?})",
        desk_core::team::MIRROR_BATCH,
        (DESKS * 5_000) as f64 / took.as_secs_f64()
    );
    let report = audit::verify(&desks[0], None).await.unwrap();
    assert!(
        report.ok && report.count == (DESKS * (each + 5_000)) as u64,
        "{report:?}"
    );

    // Claim to visible: one desk holds a case, another hears of it.
    let watcher = team.store(&team.reviewer("watcher")).await;
    let mut changes = watcher.claim_changes().await.unwrap();
    let mut seen = Vec::new();
    for n in 0..200 {
        let case_id = format!("visible-{n}");
        let until = Utc::now() + chrono::Duration::minutes(10);
        let asked = Instant::now();
        desks[1].hold(&case_id, "Reviewer 1", until).await.unwrap();
        loop {
            let heard = tokio::time::timeout(Duration::from_secs(5), changes.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if heard == case_id {
                break;
            }
        }
        seen.push(asked.elapsed());
    }
    seen.sort();
    println!(
        "claim to another desk hearing of it (200 claims): median {:.2?}, p90 {:.2?}, max {:.2?}",
        percentile(&seen, 0.5),
        percentile(&seen, 0.9),
        seen[seen.len() - 1]
    );
}
