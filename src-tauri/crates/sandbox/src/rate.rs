//! Sliding 60-second windows per API key and scope (api-facts A3), with the figures tests read:
//! the peak count any window reached and how many requests were refused.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RateConfig {
    pub window_ms: u64,
    pub generic_get: usize,
    pub generic_write: usize,
    /// DHMAD: requests per window per client.
    pub dhmad: usize,
    /// VerifyHQ: requests per window per key (the seed names no limit; this one is ours, so
    /// the client's throttling is exercised).
    #[serde(default = "default_verifyhq")]
    pub verifyhq: usize,
}

fn default_verifyhq() -> usize {
    120
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            window_ms: 60_000,
            generic_get: 600,
            generic_write: 300,
            dhmad: 100,
            verifyhq: default_verifyhq(),
        }
    }
}

impl RateConfig {
    pub fn limit(&self, scope: &str) -> usize {
        match scope {
            "generic-get" => self.generic_get,
            "generic-write" => self.generic_write,
            "verifyhq" => self.verifyhq,
            _ => self.dhmad,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct ScopeFigures {
    pub limit: usize,
    pub peak: usize,
    pub admitted: u64,
    pub refused: u64,
}

pub struct Refusal {
    pub limit: usize,
    pub retry_after: Duration,
}

#[derive(Default)]
pub struct Windows {
    pub config: RateConfig,
    hits: HashMap<(String, &'static str), VecDeque<Instant>>,
    pub figures: HashMap<&'static str, ScopeFigures>,
}

impl Windows {
    pub fn new(config: RateConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Counts the request against every scope, or refuses it if any window is full; a refused
    /// request is not counted.
    pub fn admit(
        &mut self,
        key: &str,
        scopes: &[&'static str],
        now: Instant,
    ) -> Result<(), Refusal> {
        let window = Duration::from_millis(self.config.window_ms);
        for scope in scopes {
            let limit = self.config.limit(scope);
            let hits = self.hits.entry((key.to_owned(), scope)).or_default();
            while hits
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                hits.pop_front();
            }
            if hits.len() >= limit {
                let oldest = hits.front().copied().unwrap_or(now);
                let retry_after = window.saturating_sub(now.duration_since(oldest));
                let f = self.figures.entry(scope).or_default();
                f.limit = limit;
                f.refused += 1;
                return Err(Refusal { limit, retry_after });
            }
        }
        for scope in scopes {
            let hits = self.hits.entry((key.to_owned(), scope)).or_default();
            hits.push_back(now);
            let len = hits.len();
            let f = self.figures.entry(scope).or_default();
            f.limit = self.config.limit(scope);
            f.peak = f.peak.max(len);
            f.admitted += 1;
        }
        Ok(())
    }
}
