//! API keys live in the OS credential store and nowhere else. If no store works, saving fails
//! with a clear error: there is no plaintext fallback. Keys come back only as `SecretString`,
//! for the one place that builds an auth header.

use secrecy::{ExposeSecret, SecretString};

/// Which API a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Didit,
    Dhmad,
    /// VerifyHQ's X-API-Key, for profiles that review VerifyHQ cases.
    VerifyHq,
    /// The profile's Ed25519 seed (hex) that signs audit checkpoints.
    AuditSigning,
    /// The password of the team store's PostgreSQL role.
    TeamStore,
}

impl KeyKind {
    fn account(self, profile: &str) -> String {
        let api = match self {
            KeyKind::Didit => "didit",
            KeyKind::Dhmad => "dhmad",
            KeyKind::VerifyHq => "verifyhq",
            KeyKind::AuditSigning => "audit-signing",
            KeyKind::TeamStore => "team-store",
        };
        format!("{profile}:{api}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeystoreError {
    #[error("no OS credential store is available (on Linux: a Secret Service such as GNOME Keyring, unlocked); the key was not saved")]
    Unavailable,
    #[error("the OS credential store refused the operation; the key was not saved")]
    Refused,
    #[error("the key is empty or too long")]
    InvalidKey,
}

fn map(error: keyring::Error) -> KeystoreError {
    // The platform's own text (D-Bus errors and the like) goes to the log, never to a person.
    tracing::warn!(error = %error, "credential store error");
    match error {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            KeystoreError::Unavailable
        }
        keyring::Error::BadEncoding(_)
        | keyring::Error::TooLong(_, _)
        | keyring::Error::Invalid(_, _) => KeystoreError::InvalidKey,
        _ => KeystoreError::Refused,
    }
}

/// The desk's entries in the OS credential store, under one service name.
#[derive(Debug, Clone)]
pub struct Keystore {
    service: String,
}

impl Keystore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, profile: &str, kind: KeyKind) -> Result<keyring::Entry, KeystoreError> {
        keyring::Entry::new(&self.service, &kind.account(profile)).map_err(map)
    }

    /// Saves or replaces a key.
    pub fn save(
        &self,
        profile: &str,
        kind: KeyKind,
        key: &SecretString,
    ) -> Result<(), KeystoreError> {
        let value = key.expose_secret().trim();
        if value.is_empty() || value.len() > 4096 {
            return Err(KeystoreError::InvalidKey);
        }
        self.entry(profile, kind)?.set_password(value).map_err(map)
    }

    /// The key, if one is saved.
    pub fn load(
        &self,
        profile: &str,
        kind: KeyKind,
    ) -> Result<Option<SecretString>, KeystoreError> {
        match self.entry(profile, kind)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map(e)),
        }
    }

    pub fn has(&self, profile: &str, kind: KeyKind) -> Result<bool, KeystoreError> {
        Ok(self.load(profile, kind)?.is_some())
    }

    /// Deletes a key; true if there was one.
    pub fn delete(&self, profile: &str, kind: KeyKind) -> Result<bool, KeystoreError> {
        match self.entry(profile, kind)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uses the real Secret Service: run inside a D-Bus session with an unlocked keyring, as
    /// the README's test command does (`-- --include-ignored`).
    #[test]
    #[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
    fn keys_round_trip_through_the_real_secret_service() {
        let store = Keystore::new(format!("dhmad-review-desk-test-{}", std::process::id()));
        let key = SecretString::from("sk_sandbox_".to_owned() + &"ab".repeat(32));
        store
            .save("Live EU", KeyKind::Dhmad, &key)
            .expect("saved in the Secret Service");
        assert!(store.has("Live EU", KeyKind::Dhmad).unwrap());
        assert!(
            !store.has("Live EU", KeyKind::Didit).unwrap(),
            "kinds are separate entries"
        );
        let loaded = store.load("Live EU", KeyKind::Dhmad).unwrap().unwrap();
        assert_eq!(loaded.expose_secret(), key.expose_secret());
        store
            .save(
                "Live EU",
                KeyKind::Dhmad,
                &SecretString::from("replaced".to_owned()),
            )
            .unwrap();
        assert_eq!(
            store
                .load("Live EU", KeyKind::Dhmad)
                .unwrap()
                .unwrap()
                .expose_secret(),
            "replaced"
        );
        assert!(store.delete("Live EU", KeyKind::Dhmad).unwrap());
        assert!(!store.delete("Live EU", KeyKind::Dhmad).unwrap());
        assert_eq!(
            store
                .load("Live EU", KeyKind::Dhmad)
                .unwrap()
                .map(|k| k.expose_secret().to_owned()),
            None
        );
    }

    #[test]
    fn empty_keys_are_refused_before_the_store_is_touched() {
        let store = Keystore::new("dhmad-review-desk-test");
        assert_eq!(
            store.save("p", KeyKind::Didit, &SecretString::from("  ".to_owned())),
            Err(KeystoreError::InvalidKey)
        );
    }

    #[test]
    fn debug_output_of_a_secret_is_redacted() {
        let key = SecretString::from("canary-secret-123".to_owned());
        assert!(!format!("{key:?}").contains("canary-secret-123"));
    }
}

#[cfg(test)]
mod no_store {
    use super::*;

    /// With no reachable Secret Service, saving fails with the clear error and stores nothing
    /// anywhere else. Runs the check in a child process whose D-Bus address leads nowhere.
    #[test]
    fn without_a_credential_store_saving_fails_clearly() {
        if std::env::var_os("KEYSTORE_CHILD").is_some() {
            let store = Keystore::new("dhmad-review-desk-test-nostore");
            let result = store.save(
                "p",
                KeyKind::Didit,
                &SecretString::from("canary-nostore-key".to_owned()),
            );
            assert_eq!(result, Err(KeystoreError::Unavailable));
            assert_eq!(
                result.unwrap_err().to_string(),
                "no OS credential store is available (on Linux: a Secret Service such as GNOME Keyring, unlocked); the key was not saved"
            );
            return;
        }
        let home = std::env::temp_dir().join(format!("keystore-nostore-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "no_store::without_a_credential_store_saving_fails_clearly",
                "--exact",
                "--nocapture",
            ])
            .env("KEYSTORE_CHILD", "1")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .status()
            .unwrap();
        assert!(status.success(), "the child saw another outcome");
        let mut leftovers = Vec::new();
        let mut stack = vec![home.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read(&path)
                    .unwrap_or_default()
                    .windows(18)
                    .any(|w| w == b"canary-nostore-key")
                {
                    leftovers.push(path);
                }
            }
        }
        assert!(leftovers.is_empty(), "the key was written to {leftovers:?}");
        std::fs::remove_dir_all(&home).unwrap();
    }
}
