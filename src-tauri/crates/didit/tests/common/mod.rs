//! Shared set-up of the didit integration tests: a sandbox and a client with matching limits.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use didit::{DiditClient, DiditConfig, RateLimits};
use sandbox::{RateConfig, RunningSandbox, SandboxConfig};
use secrecy::SecretString;

/// The same quotas on both sides, over a window of `window`.
pub fn limits(window: Duration, get: u32, write: u32) -> (RateConfig, RateLimits) {
    let server = RateConfig {
        window_ms: window.as_millis() as u64,
        generic_get: get as usize,
        generic_write: write as usize,
        dhmad: 100_000,
        ..RateConfig::default()
    };
    let client = RateLimits {
        window,
        generic_get: get,
        generic_write: write,
    };
    (server, client)
}

/// Limits so generous that functional tests never wait on them.
pub fn unlimited() -> (RateConfig, RateLimits) {
    limits(Duration::from_secs(60), 100_000, 100_000)
}

pub async fn start(
    sessions: usize,
    (server, client): (RateConfig, RateLimits),
    tweak: impl FnOnce(&mut DiditConfig),
) -> (RunningSandbox, DiditClient) {
    let sandbox = sandbox::start(SandboxConfig {
        sessions,
        rate: server,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut config = DiditConfig::new(
        &sandbox.didit_url(),
        SecretString::from(sandbox.didit_key.clone()),
    )
    .unwrap();
    config.limits = client;
    tweak(&mut config);
    (sandbox, DiditClient::new(config).unwrap())
}
