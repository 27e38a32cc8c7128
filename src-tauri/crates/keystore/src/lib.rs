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
    #[error("no OS credential store is reachable (on Linux: a Secret Service such as GNOME Keyring on the session bus); no key was read or saved, and none is kept anywhere else")]
    Unavailable,
    #[error("the OS credential store is locked and was not unlocked (unlock the login keyring, then try again); no key was read or saved")]
    Locked,
    #[error("the OS credential store refused the operation; no key was read or saved")]
    Refused,
    #[error("the key is empty or too long")]
    InvalidKey,
}

fn map(error: keyring::Error) -> KeystoreError {
    // The platform's own text (D-Bus errors and the like) goes to the log, never to a person.
    tracing::warn!(error = %error, "credential store error");
    // A locked collection whose unlock prompt was dismissed (or could not be shown) reaches
    // us only as the platform's words.
    let text = error.to_string().to_ascii_lowercase();
    let locked = text.contains("locked") || text.contains("prompt") || text.contains("dismissed");
    match error {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) if locked => {
            KeystoreError::Locked
        }
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

/// Every file under `dir` whose bytes hold `needle` (a key that must not be there).
#[cfg(test)]
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap_or_default()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                found.push(path);
            }
        }
    }
    found
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
                "no OS credential store is reachable (on Linux: a Secret Service such as GNOME Keyring on the session bus); no key was read or saved, and none is kept anywhere else"
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
        let leftovers = files_holding(&home, b"canary-nostore-key");
        assert!(leftovers.is_empty(), "the key was written to {leftovers:?}");
        std::fs::remove_dir_all(&home).unwrap();
    }
}

#[cfg(test)]
mod failure_modes {
    use super::*;
    use std::process::Command;

    const SERVICE: &str = "dhmad-review-desk-test-failure-modes";

    /// One operation in a child process on the bus the parent chose: prints its outcome.
    #[test]
    fn child_operation() {
        let Ok(op) = std::env::var("KEYSTORE_FAILURE_OP") else {
            return;
        };
        let store = Keystore::new(SERVICE);
        let outcome = match op.as_str() {
            "save" => store
                .save(
                    "p",
                    KeyKind::Didit,
                    &SecretString::from("canary-locked-key".to_owned()),
                )
                .map(|()| "saved".to_owned()),
            _ => store.load("p", KeyKind::Didit).map(|k| {
                k.map_or("none".to_owned(), |k| {
                    format!("loaded {}", k.expose_secret().len())
                })
            }),
        };
        match outcome {
            Ok(text) => println!("OUTCOME ok {text}"),
            Err(e) => println!("OUTCOME err {e:?}: {e}"),
        }
    }

    struct Bus {
        address: String,
        pid: u32,
        home: std::path::PathBuf,
    }

    impl Bus {
        /// A private session bus with a GNOME Keyring on it, its login keyring unlocked.
        fn start() -> Self {
            let home = std::env::temp_dir().join(format!("keystore-modes-{}", std::process::id()));
            std::fs::create_dir_all(&home).unwrap();
            let out = Command::new("dbus-daemon")
                .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
                // Services it starts (the unlock prompter) find no display either.
                .env_remove("DISPLAY")
                .env_remove("WAYLAND_DISPLAY")
                .output()
                .expect("dbus-daemon runs");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut lines = text.lines();
            let address = lines.next().unwrap().trim().to_owned();
            let pid = lines.next().unwrap().trim().parse().unwrap();
            let bus = Self { address, pid, home };
            let unlocked = bus
                .command("sh")
                .args([
                    "-c",
                    "printf review-desk | gnome-keyring-daemon --unlock --components=secrets",
                ])
                .output()
                .expect("gnome-keyring-daemon runs");
            assert!(unlocked.status.success(), "{unlocked:?}");
            bus
        }

        /// `program` on this bus, with no display (an unlock prompt cannot be answered).
        fn command(&self, program: &str) -> Command {
            let mut command = Command::new(program);
            command
                .env_remove("DISPLAY")
                .env_remove("WAYLAND_DISPLAY")
                .envs(self.env());
            command
        }

        fn env(&self) -> Vec<(&'static str, String)> {
            let home = self.home.display().to_string();
            vec![
                ("DBUS_SESSION_BUS_ADDRESS", self.address.clone()),
                ("HOME", home.clone()),
                ("XDG_DATA_HOME", home.clone()),
                ("XDG_RUNTIME_DIR", home),
            ]
        }

        /// Runs `op` in a child with no display: an unlock prompt cannot be answered.
        fn run(&self, op: &str) -> String {
            let out = self
                .command("timeout")
                .arg("30")
                .arg(std::env::current_exe().unwrap())
                .args(["failure_modes::child_operation", "--exact", "--nocapture"])
                .env("KEYSTORE_FAILURE_OP", op)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines()
                .find_map(|l| l.strip_prefix("OUTCOME "))
                .map(str::to_owned)
                .unwrap_or_else(|| format!("no outcome (timed out or crashed): {out:?}"))
        }

        fn lock(&self) {
            let out = self
                .command("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets",
                    "org.freedesktop.Secret.Service.Lock",
                    "array:objpath:/org/freedesktop/secrets/collection/login",
                ])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        }
    }

    /// The keyring locked under a running desk, then the session bus gone: each operation ends
    /// (no hang) with its own clear error, and the key is nowhere on disk but the keyring's file.
    #[test]
    #[ignore = "needs dbus-daemon and gnome-keyring-daemon (the README test command installs them)"]
    fn a_locked_keyring_and_a_bus_gone_mid_session_are_each_a_clear_error() {
        let bus = Bus::start();
        assert_eq!(bus.run("save"), "ok saved");
        assert_eq!(bus.run("load"), "ok loaded 17");

        bus.lock();
        let locked = bus.run("load");
        assert!(
            locked.starts_with("err Locked: the OS credential store is locked"),
            "{locked}"
        );
        let locked = bus.run("save");
        assert!(locked.starts_with("err Locked"), "{locked}");

        // The bus goes away mid-session (its daemon killed, as when a desktop session ends).
        let killed = Command::new("kill")
            .arg(bus.pid.to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        std::thread::sleep(std::time::Duration::from_millis(300));
        let gone = bus.run("load");
        assert!(
            gone.starts_with("err Unavailable: no OS credential store is reachable"),
            "{gone}"
        );
        let gone = bus.run("save");
        assert!(gone.starts_with("err Unavailable"), "{gone}");

        // Nothing in plaintext: the canary is in no file but the keyring's own (encrypted).
        let plain = files_holding(&bus.home, b"canary-locked-key");
        assert!(plain.is_empty(), "the key is in plaintext in {plain:?}");
        let _ = std::fs::remove_dir_all(&bus.home);
    }
}
