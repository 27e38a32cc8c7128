//! Review Desk's domain and use cases. Nothing here knows about Tauri, HTTP or SQL: adapters
//! implement the ports defined in this crate, and the shell and CLI only wire them together.

pub mod audit;
pub mod audit_stats;
pub mod audit_view;
pub mod blind_review;
pub mod blocklist;
pub mod case_file;
pub mod claims;
pub mod desk;
pub mod four_eyes;
pub mod ipc;
pub mod lookup;
pub mod media;
pub mod model;
pub mod outbox;
pub mod paths;
pub mod ports;
pub mod privacy;
pub mod profile;
pub mod provider;
pub mod queue;
pub mod reasons;
pub mod standing;
pub mod team;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod watch;
