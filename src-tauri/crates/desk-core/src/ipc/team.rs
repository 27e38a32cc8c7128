//! The Team view: desks, claims, the second looks waiting.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The team as this desk sees it: who holds which case, who is online, whether the team
/// store answers. `enabled` is false on a desk that works alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub enabled: bool,
    /// This desk's reviewer, `Name <email>`.
    pub me: String,
    /// Since when the team store has not answered (RFC 3339), if so.
    pub offline_since: Option<String>,
    pub claims: Vec<crate::claims::Claim>,
    pub desks: Vec<crate::team::Presence>,
    /// Outcomes the team wants a second reviewer to confirm.
    pub four_eyes: Vec<crate::four_eyes::FourEyesRule>,
    /// Actions waiting for a second reviewer, oldest first.
    pub second_looks: Vec<crate::four_eyes::SecondLook>,
}
