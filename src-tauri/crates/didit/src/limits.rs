//! Client-side rate limiting per documented scope (api-facts A3 and its Corrections), so the desk
//! never exceeds Didit's 60-second sliding windows. A request takes a permit from every scope it
//! counts against. The decision endpoint has no scope of its own: it is a plain GET (600/min).

use std::time::Duration;

use api_http::SentWindow;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The documented quotas. Tests shrink the window to exercise the limits quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub window: Duration,
    pub generic_get: u32,
    pub generic_write: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            generic_get: 600,
            generic_write: 300,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    GenericGet = 0,
    GenericWrite = 1,
}

fn quota(limit: u32, window: Duration) -> Quota {
    api_http::quota(limit, window)
}

pub struct Limiter {
    get: DefaultDirectRateLimiter,
    write: DefaultDirectRateLimiter,
    limits: RateLimits,
    /// Each scope's recent requests, for the budget shown to the reviewer.
    sent: [SentWindow; 2],
}

/// Requests left in the current windows: (reads, writes).
pub type Budget = (u32, u32);

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            get: RateLimiter::direct(quota(limits.generic_get, limits.window)),
            write: RateLimiter::direct(quota(limits.generic_write, limits.window)),
            limits,
            sent: [
                SentWindow::new(limits.window),
                SentWindow::new(limits.window),
            ],
        }
    }

    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Requests left in each scope's current window.
    pub fn budget(&self) -> Budget {
        (
            self.sent[0].left(self.limits.generic_get),
            self.sent[1].left(self.limits.generic_write),
        )
    }

    /// Waits until every scope has a permit, and takes them.
    pub async fn acquire(&self, scopes: &[Scope]) {
        for scope in scopes {
            match scope {
                Scope::GenericGet => self.get.until_ready().await,
                Scope::GenericWrite => self.write.until_ready().await,
            }
        }
        for scope in scopes {
            self.sent[*scope as usize].note();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_budget_counts_requests_in_the_window() {
        let limiter = Limiter::new(RateLimits {
            window: Duration::from_millis(300),
            generic_get: 50,
            generic_write: 20,
        });
        limiter.acquire(&[Scope::GenericGet]).await;
        limiter.acquire(&[Scope::GenericWrite]).await;
        assert_eq!(limiter.budget(), (49, 19));
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(limiter.budget(), (50, 20));
    }

    #[test]
    fn burst_plus_refills_stay_within_the_quota() {
        for (limit, window) in [(100, 60), (600, 60), (300, 60), (10, 1), (3, 1)] {
            let window = Duration::from_secs(window);
            let q = quota(limit, window);
            let refills_in_window = window.as_secs_f64() / q.replenish_interval().as_secs_f64();
            let worst = f64::from(q.burst_size().get()) + refills_in_window;
            assert!(
                worst <= f64::from(limit),
                "limit {limit}: worst case {worst}"
            );
        }
    }
}
