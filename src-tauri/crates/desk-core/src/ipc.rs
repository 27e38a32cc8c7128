//! The request and response types that cross the IPC boundary to the web UI. The TypeScript
//! twins in `ui/src/bindings.ts` are generated from these; a test fails when they drift.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the shell tells the UI about itself on start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub product_name: String,
    pub version: String,
    /// The active profile's name, e.g. "Sandbox".
    pub profile: String,
    /// True when the profile talks to the built-in simulator instead of the real APIs.
    pub simulated: bool,
    /// The profile's data directory, so a reviewer or a test can see where files go.
    pub data_dir: String,
}

/// Every error the UI sees: a stable code to branch on, a human message, and whether trying
/// again may help. Raw transport text never becomes the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code}: {message}")]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl UiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            retryable,
        }
    }
}

/// The TypeScript declarations of every IPC type, as one module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let declarations = [AppInfo::decl(&cfg), UiError::decl(&cfg)];
    let mut out = String::from(
        "// Generated from src-tauri/crates/desk-core/src/ipc.rs by `UPDATE_BINDINGS=1 cargo test -p desk-core`.\n// Do not edit by hand.\n",
    );
    for declaration in declarations {
        out.push_str("\nexport ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn committed_bindings_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings.ts")
    }

    /// Fails when the committed bindings differ from a fresh generation. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them after changing an IPC type.
    #[test]
    fn committed_bindings_match_a_fresh_generation() {
        let fresh = typescript_bindings();
        let path = committed_bindings_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p desk-core`"
        );
    }

    #[test]
    fn ui_error_serializes_with_camel_case_keys() {
        let json = serde_json::to_value(UiError::new("offline", "No network", true)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "offline", "message": "No network", "retryable": true})
        );
    }
}
