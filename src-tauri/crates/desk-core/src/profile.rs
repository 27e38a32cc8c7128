//! Profiles: which APIs the desk talks to and who the reviewer is. Keys are not part of a
//! profile: they live in the OS credential store, keyed by the profile's name.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::request::validate_email;

/// The built-in profile's name.
pub const SANDBOX: &str = "Sandbox";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ProfileKind {
    /// The built-in simulator, started in-process.
    Sandbox,
    /// Real Didit and DHMAD APIs (live or sandbox keys).
    Live,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub kind: ProfileKind,
    /// Didit origin, e.g. https://verification.didit.me, when this profile reviews Didit
    /// sessions (Live; its key in the OS credential store). None (or empty): VerifyHQ only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub didit_url: Option<String>,
    /// DHMAD API base including /api/v1 (Live only).
    pub dhmad_url: String,
    pub reviewer_name: String,
    pub reviewer_email: String,
    /// Seconds a decision waits before it is sent, so it can be undone (0: off).
    #[serde(default = "default_undo_seconds")]
    #[ts(type = "number")]
    pub undo_seconds: u32,
    /// Hours a case may wait in review before it is late (the team's SLA).
    #[serde(default = "default_sla_hours")]
    #[ts(type = "number")]
    pub sla_hours: u32,
    /// What the desk shows (a convenience, not a security boundary: the API key decides).
    #[serde(default)]
    pub role: Role,
    /// The team's shared PostgreSQL store, `postgres://user@host:port/db` (its password is
    /// in the OS credential store, never here). None: this desk works alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_store: Option<String>,
    /// VerifyHQ's base URL up to /v1 when this profile also reviews VerifyHQ cases (Live; its
    /// key in the OS credential store). None: Didit only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub verifyhq_url: Option<String>,
}

/// Who works at this desk; shapes the views and actions the app shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Reviewer,
    TeamLead,
    Support,
}

/// The review SLA a profile starts with.
pub const DEFAULT_SLA_HOURS: u32 = 24;
/// The longest SLA a profile may set (30 days).
pub const MAX_SLA_HOURS: u32 = 720;

fn default_sla_hours() -> u32 {
    DEFAULT_SLA_HOURS
}

/// The undo window a profile starts with.
pub const DEFAULT_UNDO_SECONDS: u32 = 8;
/// The longest undo window: a decision should not wait minutes unseen.
pub const MAX_UNDO_SECONDS: u32 = 60;

fn default_undo_seconds() -> u32 {
    DEFAULT_UNDO_SECONDS
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("a profile name is 1 to 40 letters, digits, spaces, dashes or underscores")]
    BadName,
    #[error("{0} is not an https URL (http is allowed only for localhost)")]
    BadUrl(String),
    #[error("the reviewer needs a name and a valid email address")]
    BadReviewer,
    #[error("the undo window is 0 to {MAX_UNDO_SECONDS} seconds")]
    BadUndoWindow,
    #[error("the SLA is 1 to {MAX_SLA_HOURS} hours")]
    BadSla,
    #[error("the Sandbox profile is built in and cannot be changed")]
    BuiltIn,
    #[error("a Live profile reviews Didit, VerifyHQ or both: give at least one of their URLs")]
    NoProvider,
    #[error("there is no profile named {0:?}")]
    Unknown(String),
    #[error("the team store is a postgres://user@host:port/database URL, without a password (the password goes to the OS credential store)")]
    BadTeamStore,
}

/// A team store URL a profile may keep: PostgreSQL, no password in it.
pub fn valid_team_store(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("postgres://")
        .or_else(|| lower.strip_prefix("postgresql://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let user = authority
        .rsplit_once('@')
        .map(|(u, _)| u)
        .unwrap_or_default();
    !rest.is_empty()
        && !user.contains(':')
        && !lower.contains("password=")
        && !lower.contains(char::is_whitespace)
        && lower.len() <= 2048
}

fn valid_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| lower.starts_with(p));
    (lower.starts_with("https://") || local)
        && !lower.contains(char::is_whitespace)
        && lower.len() <= 2048
}

impl Profile {
    pub fn sandbox() -> Self {
        Self {
            name: SANDBOX.to_owned(),
            kind: ProfileKind::Sandbox,
            didit_url: None,
            dhmad_url: String::new(),
            reviewer_name: "Sandbox Reviewer".to_owned(),
            reviewer_email: "reviewer@sandbox.dhmad.tn".to_owned(),
            undo_seconds: DEFAULT_UNDO_SECONDS,
            sla_hours: DEFAULT_SLA_HOURS,
            role: Role::Reviewer,
            team_store: None,
            verifyhq_url: None,
        }
    }

    /// A blank provider URL (what a form or an older book holds) means the provider is not used.
    pub fn normalized(mut self) -> Self {
        for url in [&mut self.didit_url, &mut self.verifyhq_url] {
            if url.as_deref().is_some_and(|u| u.trim().is_empty()) {
                *url = None;
            }
        }
        self
    }

    pub fn validate(&self) -> Result<(), ProfileError> {
        let name_ok = !self.name.trim().is_empty()
            && self.name.chars().count() <= 40
            && self
                .name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'));
        if !name_ok {
            return Err(ProfileError::BadName);
        }
        if self.kind == ProfileKind::Live {
            if self.didit_url.is_none() && self.verifyhq_url.is_none() {
                return Err(ProfileError::NoProvider);
            }
            let providers = self.didit_url.iter().chain(self.verifyhq_url.iter());
            for url in providers.chain([&self.dhmad_url]) {
                if !valid_url(url) {
                    return Err(ProfileError::BadUrl(url.chars().take(80).collect()));
                }
            }
        }
        if self.reviewer_name.trim().is_empty() || validate_email(&self.reviewer_email).is_err() {
            return Err(ProfileError::BadReviewer);
        }
        if self.undo_seconds > MAX_UNDO_SECONDS {
            return Err(ProfileError::BadUndoWindow);
        }
        if !(1..=MAX_SLA_HOURS).contains(&self.sla_hours) {
            return Err(ProfileError::BadSla);
        }
        if self
            .team_store
            .as_deref()
            .is_some_and(|u| !valid_team_store(u))
        {
            return Err(ProfileError::BadTeamStore);
        }
        Ok(())
    }
}

/// Every profile and which one is active. Stored as JSON in the data root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileBook {
    pub active: String,
    pub profiles: Vec<Profile>,
}

impl Default for ProfileBook {
    fn default() -> Self {
        Self {
            active: SANDBOX.to_owned(),
            profiles: vec![Profile::sandbox()],
        }
    }
}

impl ProfileBook {
    pub fn get(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ProfileError::Unknown(name.to_owned()))
    }

    pub fn active(&self) -> &Profile {
        self.profiles
            .iter()
            .find(|p| p.name == self.active)
            .or(self.profiles.first())
            .unwrap_or_else(|| {
                static FALLBACK: std::sync::OnceLock<Profile> = std::sync::OnceLock::new();
                FALLBACK.get_or_init(Profile::sandbox)
            })
    }

    /// Adds or replaces a Live profile.
    pub fn upsert(&mut self, profile: Profile) -> Result<(), ProfileError> {
        let profile = profile.normalized();
        profile.validate()?;
        if profile.name == SANDBOX || profile.kind == ProfileKind::Sandbox {
            return Err(ProfileError::BuiltIn);
        }
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
        Ok(())
    }

    /// Sets what a profile's desk shows; the built-in Sandbox profile may change its role too.
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<(), ProfileError> {
        let profile = self
            .profiles
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| ProfileError::Unknown(name.to_owned()))?;
        profile.role = role;
        Ok(())
    }

    pub fn activate(&mut self, name: &str) -> Result<(), ProfileError> {
        self.get(name)?;
        self.active = name.to_owned();
        Ok(())
    }

    /// Reads a stored book; a missing or unreadable one falls back to the default (logged by
    /// the caller), and the built-in Sandbox profile is always present.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let mut book: Self = serde_json::from_str(text)?;
        book.profiles = book.profiles.into_iter().map(Profile::normalized).collect();
        if !book.profiles.iter().any(|p| p.name == SANDBOX) {
            book.profiles.insert(0, Profile::sandbox());
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Profile {
        Profile {
            name: "Live Tunis".into(),
            kind: ProfileKind::Live,
            didit_url: Some("https://verification.didit.me".into()),
            dhmad_url: "https://dhmad.tn/api/v1".into(),
            reviewer_name: "Amira Ben Salah".into(),
            reviewer_email: "amira@dhmad.tn".into(),
            undo_seconds: 8,
            sla_hours: 24,
            role: Role::Reviewer,
            team_store: None,
            verifyhq_url: None,
        }
    }

    #[test]
    fn a_team_store_is_a_postgres_url_without_its_password() {
        for good in [
            "postgres://desk@db.dhmad.tn:5432/review",
            "postgresql://reviewers@10.0.0.5/team?sslmode=require",
        ] {
            let p = Profile {
                team_store: Some(good.into()),
                ..live()
            };
            assert_eq!(p.validate(), Ok(()), "{good}");
        }
        for bad in [
            "postgres://desk:hunter2@db.dhmad.tn/review",
            "postgres://db.dhmad.tn/review?password=hunter2",
            "mysql://desk@db/review",
            "postgres://",
            "postgres://desk@db/review x",
        ] {
            let p = Profile {
                team_store: Some(bad.into()),
                ..live()
            };
            assert_eq!(p.validate(), Err(ProfileError::BadTeamStore), "{bad}");
        }
    }

    #[test]
    fn any_profile_may_change_its_role_the_sandbox_too() {
        let mut book = ProfileBook::default();
        book.set_role(SANDBOX, Role::Support).unwrap();
        assert_eq!(book.active().role, Role::Support);
        assert_eq!(
            book.set_role("Nobody", Role::TeamLead),
            Err(ProfileError::Unknown("Nobody".into()))
        );
        let json = serde_json::to_string(&book).unwrap();
        assert!(json.contains("\"role\":\"support\""), "{json}");
    }

    #[test]
    fn live_profiles_are_validated() {
        assert_eq!(live().validate(), Ok(()));
        let mut p = live();
        p.didit_url = Some("http://verification.didit.me".into());
        assert!(matches!(p.validate(), Err(ProfileError::BadUrl(_))));
        p.didit_url = Some("http://127.0.0.1:8787".into());
        assert_eq!(p.validate(), Ok(()));
        // VerifyHQ alone is a profile; no provider at all is not.
        p.didit_url = None;
        assert_eq!(p.validate(), Err(ProfileError::NoProvider));
        p.verifyhq_url = Some("https://api.verifyhq.example/v1".into());
        assert_eq!(p.validate(), Ok(()));
        p.verifyhq_url = Some("ftp://verifyhq".into());
        assert!(matches!(p.validate(), Err(ProfileError::BadUrl(_))));
        p.name = "../etc".into();
        assert_eq!(p.validate(), Err(ProfileError::BadName));
        let mut p = live();
        p.reviewer_email = "amira".into();
        assert_eq!(p.validate(), Err(ProfileError::BadReviewer));
        let mut p = live();
        p.undo_seconds = 61;
        assert_eq!(p.validate(), Err(ProfileError::BadUndoWindow));
        p.undo_seconds = 8;
        p.sla_hours = 0;
        assert_eq!(p.validate(), Err(ProfileError::BadSla));
        p.sla_hours = 721;
        assert_eq!(p.validate(), Err(ProfileError::BadSla));
    }

    #[test]
    fn a_profile_saved_before_the_undo_window_existed_gets_the_default() {
        let old = r#"{"name":"Old","kind":"Live","diditUrl":"https://verification.didit.me","dhmadUrl":"https://dhmad.tn/api/v1","reviewerName":"A","reviewerEmail":"a@dhmad.tn"}"#;
        let p: Profile = serde_json::from_str(old).unwrap();
        assert_eq!(p.undo_seconds, DEFAULT_UNDO_SECONDS);
        assert_eq!(
            p.sla_hours, DEFAULT_SLA_HOURS,
            "profiles saved before the SLA setting get the default"
        );
    }

    #[test]
    fn an_empty_provider_url_from_a_form_means_the_provider_is_not_used() {
        let form = r#"{"name":"VHQ","kind":"Live","diditUrl":"  ","dhmadUrl":"https://dhmad.tn/api/v1","verifyhqUrl":"https://api.verifyhq.example/v1","reviewerName":"A","reviewerEmail":"a@dhmad.tn"}"#;
        let p = serde_json::from_str::<Profile>(form).unwrap().normalized();
        assert_eq!(p.didit_url, None);
        assert_eq!(p.validate(), Ok(()));
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("diditUrl"), "{json}");
        let stored = r#"{"active":"Sandbox","profiles":[{"name":"Sandbox","kind":"Sandbox","diditUrl":"","dhmadUrl":"","reviewerName":"Sandbox Reviewer","reviewerEmail":"reviewer@sandbox.dhmad.tn"}]}"#;
        let book = ProfileBook::from_json(stored).unwrap();
        assert_eq!(
            book.profiles,
            vec![Profile::sandbox()],
            "an older book reads as today's"
        );
    }

    #[test]
    fn the_book_keeps_the_sandbox_and_switches_profiles() {
        let mut book = ProfileBook::default();
        assert_eq!(book.active().kind, ProfileKind::Sandbox);
        book.upsert(live()).unwrap();
        assert_eq!(book.upsert(Profile::sandbox()), Err(ProfileError::BuiltIn));
        book.activate("Live Tunis").unwrap();
        assert_eq!(book.active().name, "Live Tunis");
        assert!(book.activate("Nope").is_err());
        let json = serde_json::to_string(&book).unwrap();
        let mut stripped: serde_json::Value = serde_json::from_str(&json).unwrap();
        stripped["profiles"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["name"] != SANDBOX);
        let back = ProfileBook::from_json(&stripped.to_string()).unwrap();
        assert!(
            back.get(SANDBOX).is_ok(),
            "the sandbox profile always exists"
        );
        assert!(!json.contains("key"), "a profile book holds no keys");
    }
}
