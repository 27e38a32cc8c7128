//! What the window is told of the desk itself and its profiles: the app, a profile, a connection's test.

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
    /// Who decisions are signed as.
    pub reviewer_name: String,
    pub reviewer_email: String,
    /// Why the desk is not on the profile it was set to open, if so.
    pub notice: Option<String>,
    /// What this desk may do: on a team the team store's role for its login, else the
    /// profile's (a convenience then: the API key decides what is possible).
    pub role: crate::profile::Role,
    /// The team store login this desk is signed in as (None: the desk works alone).
    pub team_login: Option<String>,
    /// Whether support lookups can reach DHMAD (the profile has its key).
    pub can_look_up: bool,
    /// This is the desk's first start on this data root (no profile book was there): the
    /// window explains the Sandbox profile and how to add a Live one.
    pub first_run: bool,
}

/// A profile as the settings screen shows it: never a key, only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub profile: crate::profile::Profile,
    pub active: bool,
    pub has_didit_key: bool,
    pub has_dhmad_key: bool,
    /// Only for a profile with a VerifyHQ URL.
    pub has_verifyhq_key: bool,
    /// The team store's password is in the credential store.
    #[serde(default)]
    pub has_team_password: bool,
}

/// A Live profile to save. Keys travel one way only: from this form into the OS credential
/// store. Empty or absent keys leave the saved ones unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub profile: crate::profile::Profile,
    pub didit_key: Option<String>,
    pub dhmad_key: Option<String>,
    #[serde(default)]
    pub verifyhq_key: Option<String>,
    /// The team store role's password (to the credential store only).
    #[serde(default)]
    pub team_password: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// One line per API the profile uses, in the order Didit, VerifyHQ, DHMAD.
    pub checks: Vec<ConnectionCheck>,
}

/// What one API answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub api: String,
    pub ok: bool,
    pub text: String,
}
