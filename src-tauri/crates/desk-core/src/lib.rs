//! Review Desk's domain and use cases. Nothing here knows about Tauri, HTTP or SQL: adapters
//! implement the ports defined in this crate, and the shell and CLI only wire them together.

pub mod action;
pub mod case;
pub mod ipc;
pub mod media;
pub mod paths;
pub mod privacy;
pub mod profile;
pub mod reasons;
pub mod review;
