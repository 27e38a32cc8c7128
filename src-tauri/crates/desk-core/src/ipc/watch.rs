//! The VerifyHQ watch list as the window shows it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The VerifyHQ watch list for its view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WatchView {
    pub users: Vec<String>,
    /// Kept in the team store (every desk of the team reads it), else on this desk.
    pub shared: bool,
    /// Whether this profile reviews VerifyHQ cases at all.
    pub verifyhq: bool,
    #[ts(type = "number")]
    pub max: u32,
}
