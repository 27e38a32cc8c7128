//! In-memory fakes of desk-core's ports, for use-case tests without HTTP or SQL: a provider
//! that keeps statuses, a review feed and a blocklist, and a store that keeps the queue,
//! summaries, the outbox and the audit chain. Faults can be queued on the provider.

mod directory;
mod source;
mod store;
mod team;

pub use directory::*;
pub use source::*;
pub use store::*;
pub use team::*;

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::desk::{Desk, Reviewer};
use crate::ports::*;

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A clock tests move by hand.
pub struct ManualClock(pub Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn at(text: &str) -> Self {
        Self(Mutex::new(
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        ))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sequential ids: a1, a2, … and tokens t00001, t00002, …
#[derive(Default)]
pub struct CountingIds(pub std::sync::atomic::AtomicU64);

impl Ids for CountingIds {
    fn action_id(&self) -> String {
        format!(
            "a{}",
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        )
    }
    fn token(&self) -> String {
        format!(
            "t{:05}",
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        )
    }
}

pub type TestDesk = Desk<FakeSource, MemoryStore, ManualClock>;

/// A desk over `n` fake cases in review, reviewer Amira, page size 2, fixed clock.
pub fn desk(n: i64) -> TestDesk {
    let mut d = Desk::new(
        FakeSource::with_cases(n),
        MemoryStore::default(),
        ManualClock::at("2026-11-29T12:00:00Z"),
        Reviewer {
            name: "Amira Ben Salah".into(),
            email: "amira@dhmad.tn".into(),
        },
    );
    d.ids = Box::new(CountingIds::default());
    d
}
