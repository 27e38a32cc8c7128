//! When to try again: which provider errors end an action and which wait, and how long
//! (exponential backoff with jitter, capped).

use super::Outcome;
use crate::desk::Desk;
use crate::model::action::ActionState;
use crate::ports::SourceError;
use crate::ports::{CaseSource, Clock, Store};

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    pub(super) fn retry_after_error(&self, error: SourceError, sent: bool) -> Outcome {
        match error {
            SourceError::Rejected(m) | SourceError::NotFound(m) | SourceError::Invalid(m) => {
                Outcome::End(ActionState::Rejected, m)
            }
            SourceError::Unauthorized(m) => Outcome::End(
                ActionState::NeedsAttention,
                format!("the API key was refused: {m}"),
            ),
            SourceError::RateLimited(after) => Outcome::Again {
                delay: after,
                maybe_applied: false,
                why: "rate limited".into(),
                unreachable: false,
            },
            e @ SourceError::Unavailable(_) => Outcome::Again {
                delay: None,
                maybe_applied: sent,
                why: e.to_string(),
                unreachable: true,
            },
            e @ SourceError::OutcomeUnknown(_) => Outcome::Again {
                delay: None,
                maybe_applied: sent,
                why: e.to_string(),
                unreachable: false,
            },
        }
    }

    /// Exponential backoff with jitter for attempt `n` (1-based).
    pub(super) fn backoff(&self, attempts: u32) -> std::time::Duration {
        let base = self.policy.min_backoff.as_millis() as u64;
        let exp = base.saturating_mul(1u64 << attempts.saturating_sub(1).min(16));
        let capped = exp.min(self.policy.max_backoff.as_millis() as u64);
        // Jitter: up to +50 %, from the token so it needs no random source here.
        let jitter = self.clock.now().timestamp_subsec_micros() as u64 % (capped / 2 + 1);
        std::time::Duration::from_millis(capped + jitter)
    }
}
