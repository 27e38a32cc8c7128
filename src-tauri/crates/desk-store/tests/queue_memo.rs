//! The decoded queue a desk keeps in memory follows every change to the cached queue, its sync
//! time and the summaries' facts, whichever process made it (two stores on one file here, as
//! the app and a `desk` command are).

#![allow(clippy::unwrap_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use desk_core::model::case::CaseStatus;
use desk_core::ports::CaseCache;
use desk_core::testing::{item, summary_of};
use desk_store::SqliteStore;

fn ids(items: &[desk_core::model::case::QueueItem]) -> Vec<i64> {
    items.iter().filter_map(|i| i.case_number).collect()
}

#[tokio::test]
async fn the_kept_queue_follows_changes_made_by_another_process() {
    let dir = std::env::temp_dir().join(format!("desk-queue-memo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("desk.sqlite");
    let app = SqliteStore::open(&path).await.unwrap();
    let other = SqliteStore::open(&path).await.unwrap();
    let monday = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();

    app.replace_queue(&[item(1), item(2), item(3)], monday)
        .await
        .unwrap();
    let (first, synced) = app.queue().await.unwrap();
    assert_eq!((ids(&first), synced), (vec![1, 2, 3], Some(monday)));
    // Read again with nothing changed: the same answer (from memory).
    assert_eq!(app.queue().await.unwrap().0, first);

    other.remove_from_queue(&item(2).case_id).await.unwrap();
    assert_eq!(ids(&app.queue().await.unwrap().0), vec![1, 3]);
    assert_eq!(
        app.queue_order().await.unwrap().0,
        vec![item(1).case_id, item(3).case_id]
    );

    assert!(app.queued_facts().await.unwrap().is_empty());
    let summary = summary_of(&item(3), CaseStatus::InReview);
    other.save_summary(&summary, monday).await.unwrap();
    let facts = app.queued_facts().await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].case_id, item(3).case_id);

    let tuesday = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    other
        .replace_queue(&[item(4), item(3)], tuesday)
        .await
        .unwrap();
    let (after, synced) = app.queue().await.unwrap();
    assert_eq!((ids(&after), synced), (vec![4, 3], Some(tuesday)));
    // The facts of a case that left the queue are no longer the queue's.
    other.replace_queue(&[item(4)], tuesday).await.unwrap();
    assert!(app.queued_facts().await.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
