//! The faults a test asks the sandbox to inject into the next API requests (`/_sandbox/faults`):
//! counters that count down as requests consume them.

use std::time::Duration;

use axum::http::Method;
use serde::{Deserialize, Serialize};

/// Faults to inject into the next API requests. Counters count down as requests consume them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every API request.
    pub latency_ms: u64,
    /// The next N requests answer `fail_status` (default 503) without effect.
    pub fail_next: u32,
    pub fail_status: Option<u16>,
    /// Besides `fail_next`, this share of requests (0-100 %) answers `fail_status`, drawn from a
    /// fixed sequence so a run is repeatable.
    pub error_rate_percent: u8,
    #[serde(skip)]
    rolls: u64,
    /// The next N requests answer 429 with `Retry-After: retry_after_secs`.
    pub throttle_next: u32,
    pub retry_after_secs: u64,
    /// The next N requests have their connection reset before any effect.
    pub reset_next: u32,
    /// The next N writes are applied, then their answer is lost (connection reset).
    pub lose_response_next: u32,
    /// While true the APIs are down: every request's connection is reset, nothing applies.
    pub down: bool,
    /// The next N status updates of a session in review are raced by another reviewer: their
    /// console decision lands just before ours.
    pub compete_next: u32,
    /// Repeating a session's current Approved / Declined status answers 200 and changes
    /// nothing (Didit's newer page) instead of 400 with a bare list (its OpenAPI).
    pub same_status_ok: bool,
}

impl Faults {
    /// Takes one competing-reviewer race, if any is armed.
    pub fn take_compete(&mut self) -> bool {
        take(&mut self.compete_next)
    }
}

/// What the gate does to one request.
#[derive(Debug, Default)]
pub struct Fault {
    pub latency: Duration,
    pub reset: bool,
    pub fail_status: Option<u16>,
    pub throttle: Option<Duration>,
    pub lose_response: bool,
}

fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

impl Faults {
    fn roll_error(&mut self) -> bool {
        if self.error_rate_percent == 0 {
            return false;
        }
        self.rolls += 1;
        crate::seed::Rng::new(0x5eed, self.rolls).chance(u64::from(self.error_rate_percent))
    }

    pub fn take(&mut self, method: &Method) -> Fault {
        let mut fault = Fault {
            latency: Duration::from_millis(self.latency_ms),
            ..Fault::default()
        };
        if self.down || take(&mut self.reset_next) {
            fault.reset = true;
        } else if take(&mut self.fail_next) || self.roll_error() {
            fault.fail_status = Some(self.fail_status.unwrap_or(503));
        } else if take(&mut self.throttle_next) {
            fault.throttle = Some(Duration::from_secs(self.retry_after_secs.max(1)));
        } else if method != Method::GET && take(&mut self.lose_response_next) {
            fault.lose_response = true;
        }
        fault
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_count_down_and_writes_alone_lose_answers() {
        let mut f = Faults {
            fail_next: 1,
            lose_response_next: 1,
            ..Faults::default()
        };
        assert_eq!(f.take(&Method::GET).fail_status, Some(503));
        assert!(
            !f.take(&Method::GET).lose_response,
            "reads never lose their answer"
        );
        assert!(f.take(&Method::PATCH).lose_response);
        let after = f.take(&Method::PATCH);
        assert!(after.fail_status.is_none() && !after.lose_response);
    }

    #[test]
    fn an_error_rate_fails_about_that_share_of_requests() {
        let mut f = Faults {
            error_rate_percent: 30,
            fail_status: Some(500),
            ..Faults::default()
        };
        let failed = (0..1000)
            .filter(|_| f.take(&Method::GET).fail_status == Some(500))
            .count();
        assert!((230..370).contains(&failed), "{failed}");
    }
}
