//! Profiles on disk (`profiles.json` in the data root, no keys), their keys in the OS credential
//! store, the connection a profile makes (the Didit and DHMAD clients, and for the built-in
//! Sandbox profile the in-process simulator they talk to), and opening a profile's desk: the one
//! place the desktop shell and the `desk` CLI both use.

use std::path::{Path, PathBuf};

mod providers;
pub mod team;
mod watch;
pub use providers::Providers;
pub use watch::{FileWatch, WatchList};

use desk_core::desk::{Desk, Reviewer};
use desk_core::model::case::CaseStatus;
use desk_core::paths;
use desk_core::ports::SystemClock;
use desk_core::profile::{Profile, ProfileBook, ProfileKind};
pub use desk_store::PgStore as TeamStore;
use desk_store::SqliteStore;
pub use desk_store::{new_password, role_name, TeamAdmin, TeamMember};
pub use dhmad::DhmadClient as SupportDirectory;
use dhmad::{DhmadClient, DhmadConfig};
use didit::{DiditClient, DiditConfig, SessionQuery};
pub use keystore::{KeyKind, Keystore, KeystoreError};
pub use sandbox::RunningSandbox;
pub use secrecy::SecretString;
use verifyhq::{VerifyHqClient, VerifyHqConfig, VerifyHqSource};

/// The service name of the desk's entries in the OS credential store.
pub const KEYRING_SERVICE: &str = "dhmad-review-desk";

/// The credential store the app and the CLI use: `KEYRING_SERVICE`, or the service named by
/// REVIEW_DESK_KEYRING_SERVICE so tests never touch a reviewer's real entries.
pub fn keystore() -> Keystore {
    let service = std::env::var("REVIEW_DESK_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| KEYRING_SERVICE.to_owned());
    Keystore::new(service)
}
const BOOK_FILE: &str = "profiles.json";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the {0} API key of this profile is not set")]
    MissingKey(&'static str),
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    #[error(transparent)]
    Didit(#[from] didit::DiditError),
    #[error(transparent)]
    Dhmad(#[from] dhmad::DhmadError),
    #[error(transparent)]
    VerifyHq(#[from] verifyhq::VerifyHqError),
    #[error(transparent)]
    Sandbox(#[from] sandbox::SandboxError),
    #[error("could not write the profiles file: {0}")]
    Io(String),
}

/// Where profiles live: the data root (REVIEW_DESK_DATA_DIR, else the platform data dir).
#[derive(Debug, Clone)]
pub struct ProfileFiles {
    pub root: PathBuf,
}

impl ProfileFiles {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The root the app and the CLI share.
    pub fn from_environment() -> Self {
        let fallback = paths::platform_data_dir().unwrap_or_else(|| PathBuf::from(".review-desk"));
        let root = paths::data_root(
            std::env::var(paths::DATA_ROOT_ENV).ok().as_deref(),
            &fallback,
        );
        Self { root }
    }

    pub fn profile_dir(&self, name: &str) -> PathBuf {
        paths::profile_dir(&self.root, name)
    }

    /// The stored book, or the default one (Sandbox only) when there is none or it is unreadable.
    pub fn load(&self) -> ProfileBook {
        match std::fs::read_to_string(self.root.join(BOOK_FILE)) {
            Ok(text) => ProfileBook::from_json(&text).unwrap_or_else(|error| {
                tracing::warn!(%error, "profiles.json is unreadable; starting from the Sandbox profile");
                ProfileBook::default()
            }),
            Err(_) => ProfileBook::default(),
        }
    }

    /// The team's decision reasons (`reasons.json` in the data root) or the built-in list when
    /// there is none; an invalid file is reported in the log and the built-in list is used.
    pub fn reasons(&self) -> Vec<desk_core::reasons::Reason> {
        match std::fs::read_to_string(self.root.join("reasons.json")) {
            Ok(text) => desk_core::reasons::parse_reasons(&text).unwrap_or_else(|error| {
                tracing::warn!(%error, "reasons.json is invalid; using the built-in reasons");
                desk_core::reasons::default_reasons()
            }),
            Err(_) => desk_core::reasons::default_reasons(),
        }
    }

    /// The single-instance name of this data root (one desk per root): the app's identifier
    /// and a digest of the path.
    pub fn instance_id(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.root.hash(&mut h);
        format!("tn.dhmad.reviewdesk.root{:016x}", h.finish())
    }

    /// Whether a profile book was ever saved under this root.
    pub fn exists(&self) -> bool {
        self.root.join(BOOK_FILE).exists()
    }

    /// Writes the book atomically (temporary file, then rename).
    pub fn save(&self, book: &ProfileBook) -> Result<(), SetupError> {
        let io = |e: std::io::Error| SetupError::Io(e.to_string());
        std::fs::create_dir_all(&self.root).map_err(io)?;
        let text = serde_json::to_string_pretty(book).map_err(|e| SetupError::Io(e.to_string()))?;
        let tmp = self.root.join(format!("{BOOK_FILE}.tmp"));
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, self.root.join(BOOK_FILE)).map_err(io)
    }
}

/// Test knobs for the built-in Sandbox profile.
#[derive(Debug, Clone, Default)]
pub struct SandboxKnobs {
    pub sessions: Option<usize>,
    pub didit_key: Option<String>,
    /// Who the Sandbox reviewer is (name, email).
    pub reviewer: Option<(String, String)>,
    /// A team store for any profile (REVIEW_DESK_TEAM_STORE), before the profile's own.
    pub team_store: Option<String>,
    /// The Sandbox profile also reviews the simulator's VerifyHQ cases
    /// (REVIEW_DESK_SANDBOX_VERIFYHQ=1), watching its seeded users.
    pub verifyhq: bool,
    /// A folder of Didit decision files the simulator serves as extra sessions
    /// (REVIEW_DESK_SANDBOX_FIXTURES), as `desk sandbox serve --fixtures` does.
    pub fixtures: Option<PathBuf>,
}

impl SandboxKnobs {
    /// REVIEW_DESK_SANDBOX_SESSIONS, REVIEW_DESK_SANDBOX_DIDIT_KEY, REVIEW_DESK_REVIEWER_NAME and
    /// REVIEW_DESK_REVIEWER_EMAIL.
    pub fn from_environment() -> Self {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        Self {
            sessions: var("REVIEW_DESK_SANDBOX_SESSIONS").and_then(|v| v.parse().ok()),
            didit_key: var("REVIEW_DESK_SANDBOX_DIDIT_KEY"),
            reviewer: var("REVIEW_DESK_REVIEWER_NAME").zip(var("REVIEW_DESK_REVIEWER_EMAIL")),
            team_store: var("REVIEW_DESK_TEAM_STORE"),
            verifyhq: var("REVIEW_DESK_SANDBOX_VERIFYHQ").is_some_and(|v| v != "0"),
            fixtures: var("REVIEW_DESK_SANDBOX_FIXTURES").map(PathBuf::from),
        }
    }
}

/// What a profile connects to.
pub struct Connection {
    /// Didit, when the profile reviews its sessions.
    pub didit: Option<DiditClient>,
    /// VerifyHQ, when the profile reviews its cases too.
    pub verifyhq: Option<VerifyHqClient>,
    /// Support lookups; a reviewer-only Live profile has no DHMAD key.
    pub dhmad: Option<DhmadClient>,
    pub reviewer: Reviewer,
    /// The in-process simulator of the Sandbox profile; dropping it stops the server.
    pub sandbox: Option<sandbox::RunningSandbox>,
    /// The team's shared store, if the desk works in a team (connects when first used).
    pub team: Option<TeamStore>,
}

/// The team store a desk uses: `chosen` (a flag or REVIEW_DESK_TEAM_STORE), else the
/// profile's own. Its login's password comes from the OS credential store, kept there under the
/// login and server (`desk team save-password`, or Profiles), never from a file or variable.
pub fn team_store_for(
    chosen: Option<&str>,
    profile: &Profile,
    store: &Keystore,
) -> Result<Option<TeamStore>, SetupError> {
    let Some(url) = chosen.or(profile.team_store.as_deref()) else {
        return Ok(None);
    };
    let team_error =
        |e: desk_core::ports::StoreError| SetupError::Io(format!("the team store: {e}"));
    let address = desk_store::TeamAddress::parse(url).map_err(team_error)?;
    use secrecy::ExposeSecret;
    let mut password = store.load(&address.credential_name(), KeyKind::TeamStore)?;
    if password.is_none() && chosen.is_none() {
        // Kept under the profile's name by earlier versions.
        password = store.load(&profile.name, KeyKind::TeamStore)?;
    }
    TeamStore::lazy(url, password.as_ref().map(|p| p.expose_secret()))
        .map(Some)
        .map_err(team_error)
}

/// Whether `url` is a team store the desk will connect to (TLS rules included).
pub fn check_team_store(url: &str) -> Result<(), SetupError> {
    desk_store::TeamAddress::parse(url)
        .map(|_| ())
        .map_err(|e| SetupError::Io(format!("the team store: {e}")))
}

/// Keeps a team store login's password in the OS credential store, where `team_store_for`
/// finds it for any profile using that login on that server.
pub fn save_team_password(
    store: &Keystore,
    url: &str,
    password: &SecretString,
) -> Result<(), SetupError> {
    let address = desk_store::TeamAddress::parse(url)
        .map_err(|e| SetupError::Io(format!("the team store: {e}")))?;
    Ok(store.save(&address.credential_name(), KeyKind::TeamStore, password)?)
}

/// Whether the credential store holds a password for the profile's team store login.
pub fn has_team_password(store: &Keystore, profile: &Profile) -> Result<bool, SetupError> {
    let Some(url) = &profile.team_store else {
        return Ok(false);
    };
    let named = match desk_store::TeamAddress::parse(url) {
        Ok(address) => store.has(&address.credential_name(), KeyKind::TeamStore)?,
        Err(_) => false,
    };
    Ok(named || store.has(&profile.name, KeyKind::TeamStore)?)
}

fn key(
    store: &Keystore,
    profile: &str,
    kind: KeyKind,
    label: &'static str,
) -> Result<SecretString, SetupError> {
    store
        .load(profile, kind)?
        .ok_or(SetupError::MissingKey(label))
}

/// Builds the clients of a profile. Keys are read from the credential store here and handed
/// to the clients, which alone expose them, when building a request header.
pub async fn connect(
    profile: &Profile,
    store: &Keystore,
    knobs: &SandboxKnobs,
) -> Result<Connection, SetupError> {
    // Several desks may run side by side from one machine, each as its own reviewer.
    let reviewer = match &knobs.reviewer {
        Some((name, email)) => Reviewer {
            name: name.clone(),
            email: email.clone(),
        },
        None => Reviewer {
            name: profile.reviewer_name.clone(),
            email: profile.reviewer_email.clone(),
        },
    };
    let team = team_store_for(knobs.team_store.as_deref(), profile, store)?;
    match profile.kind {
        ProfileKind::Sandbox => {
            let mut config = sandbox::SandboxConfig::default();
            if let Some(n) = knobs.sessions {
                config.sessions = n;
            }
            if let Some(k) = &knobs.didit_key {
                config.didit_key = k.clone();
            }
            config.fixtures.clone_from(&knobs.fixtures);
            let running = sandbox::start(config).await?;
            tracing::info!(url = %running.base_url, "sandbox listening");
            let didit = DiditClient::new(DiditConfig::new(
                &running.didit_url(),
                SecretString::from(running.didit_key.clone()),
            )?)?;
            let dhmad = DhmadClient::new(DhmadConfig::new(
                &running.dhmad_url(),
                SecretString::from(running.dhmad_key.clone()),
            )?)?;
            let verifyhq = if knobs.verifyhq {
                Some(VerifyHqClient::new(VerifyHqConfig::new(
                    &running.verifyhq_url(),
                    SecretString::from(running.verifyhq_key.clone()),
                )?)?)
            } else {
                None
            };
            Ok(Connection {
                didit: Some(didit),
                verifyhq,
                dhmad: Some(dhmad),
                reviewer,
                sandbox: Some(running),
                team,
            })
        }
        ProfileKind::Live => {
            let didit = match &profile.didit_url {
                Some(url) => {
                    let key = key(store, &profile.name, KeyKind::Didit, "Didit")?;
                    Some(DiditClient::new(DiditConfig::new(url, key)?)?)
                }
                None => None,
            };
            let dhmad = match store.load(&profile.name, KeyKind::Dhmad)? {
                Some(dhmad_key) => Some(DhmadClient::new(DhmadConfig::new(
                    &profile.dhmad_url,
                    dhmad_key,
                )?)?),
                None => None,
            };
            let verifyhq = match &profile.verifyhq_url {
                Some(url) => {
                    let key = key(store, &profile.name, KeyKind::VerifyHq, "VerifyHQ")?;
                    Some(VerifyHqClient::new(VerifyHqConfig::new(url, key)?)?)
                }
                None => None,
            };
            Ok(Connection {
                didit,
                verifyhq,
                dhmad,
                reviewer,
                sandbox: None,
                team,
            })
        }
    }
}

/// What "Test connection" found, one sentence per API (None: the profile does not use it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    pub didit: Option<Result<String, String>>,
    pub verifyhq: Option<Result<String, String>>,
    pub dhmad: Result<String, String>,
}

impl ConnectionReport {
    /// Each API the profile uses and what it answered, Didit, VerifyHQ, then DHMAD.
    pub fn lines(self) -> Vec<(&'static str, Result<String, String>)> {
        let mut lines = Vec::new();
        if let Some(answer) = self.didit {
            lines.push(("Didit", answer));
        }
        if let Some(answer) = self.verifyhq {
            lines.push(("VerifyHQ", answer));
        }
        lines.push(("DHMAD", self.dhmad));
        lines
    }

    /// The lines as the window and `desk profile test --json` show them.
    pub fn view(self) -> desk_core::ipc::ConnectionView {
        let checks = self
            .lines()
            .into_iter()
            .map(|(api, answer)| desk_core::ipc::ConnectionCheck {
                api: api.to_owned(),
                ok: answer.is_ok(),
                text: answer.unwrap_or_else(|e| e),
            })
            .collect();
        desk_core::ipc::ConnectionView { checks }
    }
}

/// A user id no one has: asking for its verifications proves the key without reading anyone's.
const PROBE_USER: &str = "review-desk-connection-test";

/// Calls one cheap endpoint of each API and says what it found.
pub async fn test_connection(connection: &Connection) -> ConnectionReport {
    let query = SessionQuery {
        statuses: vec![CaseStatus::InReview],
        limit: Some(1),
        ..Default::default()
    };
    let didit = async {
        let client = connection.didit.as_ref()?;
        Some(
            client
                .list_sessions(&query)
                .await
                .map(|page| {
                    format!(
                        "Didit answered: {} sessions in review",
                        page.count.unwrap_or(page.items.len() as u64)
                    )
                })
                .map_err(|e| e.to_string()),
        )
    };
    let verifyhq = async {
        let client = connection.verifyhq.as_ref()?;
        Some(
            client
                .user_page(PROBE_USER, 1, 1)
                .await
                .map(|_| "VerifyHQ answered: the key is accepted".to_owned())
                .map_err(|e| e.to_string()),
        )
    };
    let (didit, verifyhq) = futures_util::future::join(didit, verifyhq).await;
    let dhmad = match &connection.dhmad {
        Some(client) => client
            .find_by_email("connection-test@dhmad.tn")
            .await
            .map(|_| "DHMAD answered: the key is accepted".to_owned())
            .map_err(|e| e.to_string()),
        None => Err("no DHMAD key: support lookups are off for this profile".to_owned()),
    };
    ConnectionReport {
        didit,
        verifyhq,
        dhmad,
    }
}

/// The profile's SQLite file.
pub fn database_path(profile_dir: &Path) -> PathBuf {
    profile_dir.join("desk.sqlite")
}

/// The desk every front end opens: the profile's providers, its SQLite store, the system clock.
pub type AppDesk = Desk<Providers, SqliteStore, SystemClock>;

/// How many cases ahead are fetched so the next one opens at once.
pub const PREFETCH: usize = 3;

/// Fetches the summary of every queued case that has none, oldest first, `pass` at a time,
/// within the fill's share of the read budget (desk-core keeps the rest for the reviewer),
/// each pass telling the rows it brought to whoever listens to the desk. Returns how many it fetched; an error
/// ends it.
pub async fn fill_summaries(
    desk: &AppDesk,
    pass: usize,
) -> Result<usize, desk_core::desk::DeskError> {
    let mut total = 0;
    loop {
        // Each pass tells the rows it brought (Change::QueueRows) to whoever listens.
        let report = desk.fill_summaries(pass).await?;
        total += report.fetched;
        if report.missing == 0 {
            return Ok(total);
        }
        if report.waiting_for_budget {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    }
}

/// Syncs the queue, then fetches the first cases ahead. A failure is logged only: the desk's
/// sync status carries it to the window.
pub async fn sync_and_prefetch(desk: &AppDesk) {
    match desk.sync().await {
        Ok(_) => {
            if let Err(error) = desk.prefetch_after(None, PREFETCH).await {
                tracing::warn!(%error, "prefetch failed");
            }
        }
        Err(error) => tracing::warn!(%error, "queue sync failed"),
    }
}

/// An open profile: its desk, its data directory, its DHMAD client (if it has a key) and, for
/// the Sandbox profile, the simulator it talks to (dropping it stops the server).
pub struct OpenDesk {
    pub profile: Profile,
    pub data_dir: PathBuf,
    pub desk: std::sync::Arc<AppDesk>,
    pub dhmad: Option<DhmadClient>,
    pub sandbox: Option<RunningSandbox>,
    /// The team's shared store (claims, the team's audit, presence), if any.
    pub team: Option<TeamStore>,
    /// Who the team store says this desk's login is (None: alone, or not said yet).
    pub member: Option<desk_store::TeamMember>,
    /// This desk's id on the team's audit chain.
    pub desk_id: String,
    /// The VerifyHQ users this desk watches (the VerifyHQ source reads it on every sync).
    pub watch: WatchList,
}

/// Opens a profile's desk: its clients, its own data directory and SQLite file, the undo window
/// it asked for. The shell and the CLI both come through here.
pub async fn open_desk(
    files: &ProfileFiles,
    keystore: &Keystore,
    knobs: &SandboxKnobs,
    profile: &Profile,
) -> Result<OpenDesk, SetupError> {
    let data_dir = files.profile_dir(&profile.name);
    let connection = connect(profile, keystore, knobs).await?;
    open_with(profile, data_dir, connection).await
}

/// Opens a desk over an existing connection, with its data in `data_dir`.
pub async fn open_with(
    profile: &Profile,
    data_dir: PathBuf,
    connection: Connection,
) -> Result<OpenDesk, SetupError> {
    std::fs::create_dir_all(&data_dir).map_err(|e| SetupError::Io(e.to_string()))?;
    let store = SqliteStore::open(&database_path(&data_dir))
        .await
        .map_err(|e| SetupError::Io(e.to_string()))?;
    let desk_id = store
        .desk_id()
        .await
        .map_err(|e| SetupError::Io(e.to_string()))?;
    let watch = match &connection.team {
        Some(team) => WatchList::new_on_team(team.clone()),
        None => {
            let file = FileWatch::in_dir(&data_dir);
            if let (Some(_), Some(sandbox), false) =
                (&connection.verifyhq, &connection.sandbox, file.exists())
            {
                // The simulator's VerifyHQ users are watched until someone edits the list.
                file.save(&sandbox.verifyhq_users)
                    .map_err(|e| SetupError::Io(e.to_string()))?;
            }
            WatchList::new_on_desk(file)
        }
    };
    let providers = Providers {
        didit: connection.didit,
        verifyhq: connection
            .verifyhq
            .map(|client| VerifyHqSource::new(client, watch.copy())),
        watch: watch.clone(),
    };
    let mut desk = Desk::new(providers, store, SystemClock, connection.reviewer);
    desk.policy.undo_window = chrono::Duration::seconds(i64::from(profile.undo_seconds));
    let member = match &connection.team {
        Some(team) => team::sign_in(&mut desk, team, &data_dir).await,
        None => None,
    };
    tracing::info!(profile = %profile.name, simulated = profile.kind == ProfileKind::Sandbox, "profile opened");
    Ok(OpenDesk {
        profile: profile.clone(),
        data_dir,
        desk: std::sync::Arc::new(desk),
        dhmad: connection.dhmad,
        sandbox: connection.sandbox,
        team: connection.team,
        member,
        desk_id,
        watch,
    })
}

/// Why an audit export did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Desk(#[from] desk_core::desk::DeskError),
    #[error("the export could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Where an export went, and what it holds.
#[derive(Debug)]
pub struct ExportFiles {
    pub path: PathBuf,
    pub checkpoint_path: PathBuf,
    pub report: desk_core::audit_view::ExportReport,
}

/// Exports the entries passing `filter` of the team's log (`team`) or the desk's own to `path`:
/// written beside it and renamed when complete, so a cancelled or failed export leaves no file;
/// the signed head of the chain goes to `<path>.checkpoint.json`. The app and the CLI both
/// export through here. The checkpoint is also kept in `remember_in` as the log's last one.
#[allow(clippy::too_many_arguments)]
pub async fn export_audit_file(
    desk: &AppDesk,
    remember_in: &Path,
    team: Option<&TeamStore>,
    filter: &desk_core::audit_view::AuditFilter,
    format: desk_core::audit_view::ExportFormat,
    path: &Path,
    show_comments_because: Option<&str>,
    seed: &[u8; 32],
    progress: impl FnMut(u64) -> bool,
) -> Result<ExportFiles, ExportError> {
    let partial = path.with_extension("partial");
    let file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
    let reason = show_comments_because;
    let done = match team {
        Some(log) => {
            desk.export_audit(log, filter, format, file, reason, seed, progress)
                .await
        }
        None => {
            desk.export_audit(&desk.store, filter, format, file, reason, seed, progress)
                .await
        }
    };
    let report = match done {
        Ok(report) => report,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    std::fs::rename(&partial, path)?;
    let mut checkpoint_path = path.as_os_str().to_owned();
    checkpoint_path.push(".checkpoint.json");
    let checkpoint_path = PathBuf::from(checkpoint_path);
    std::fs::write(
        &checkpoint_path,
        serde_json::to_string_pretty(&report.checkpoint).map_err(std::io::Error::other)?,
    )?;
    remember_checkpoint(remember_in, team.is_some(), &report.checkpoint)?;
    Ok(ExportFiles {
        path: path.to_owned(),
        checkpoint_path,
        report,
    })
}

/// Where the last signed head of a log (the desk's own, or the team's) is kept. It is public
/// (a seq, a hash and a signature), so a file beside the profile's data is the right place.
fn checkpoint_file(data_dir: &Path, team: bool) -> PathBuf {
    data_dir.join(if team {
        "last-team-checkpoint.json"
    } else {
        "last-checkpoint.json"
    })
}

/// Keeps `checkpoint` as the last one signed of its log, for later verifies to check.
pub fn remember_checkpoint(
    data_dir: &Path,
    team: bool,
    checkpoint: &desk_core::audit::Checkpoint,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(checkpoint).map_err(std::io::Error::other)?;
    let path = checkpoint_file(data_dir, team);
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(partial, path)
}

/// The last checkpoint signed of a log, if any was (an unreadable file counts as none).
pub fn last_checkpoint(data_dir: &Path, team: bool) -> Option<desk_core::audit::Checkpoint> {
    let text = std::fs::read(checkpoint_file(data_dir, team)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Verifies the team's log (`team`) or the desk's own, and whether the last checkpoint signed
/// of it still matches (checked with the profile's key from `seed`, read only when there is a
/// checkpoint). The app and the CLI both verify here.
pub async fn verify_log<E: std::fmt::Display>(
    desk: &AppDesk,
    team: Option<&TeamStore>,
    data_dir: &Path,
    seed: impl FnOnce() -> Result<[u8; 32], E>,
) -> Result<desk_core::audit::VerifyReport, desk_core::ports::StoreError> {
    let last = last_checkpoint(data_dir, team.is_some());
    let (key, unreadable) = match last.as_ref().map(|_| seed()) {
        Some(Ok(seed)) => (Some(desk_core::audit::public_key(&seed)), None),
        Some(Err(e)) => (
            None,
            Some(format!("the last checkpoint could not be checked: {e}")),
        ),
        None => (None, None),
    };
    let checkpoint = last.as_ref().zip(key.as_deref());
    let mut report = match team {
        Some(log) => desk_core::audit::verify(log, checkpoint).await?,
        None => desk_core::audit::verify(&desk.store, checkpoint).await?,
    };
    if let Some(problem) = unreadable {
        report.checkpoint_problem = Some(problem);
    }
    Ok(report)
}

/// The profile's audit-signing seed from the OS credential store, created on first use.
pub fn signing_seed(keystore: &Keystore, profile: &str) -> Result<[u8; 32], SetupError> {
    use secrecy::ExposeSecret;
    let parse = |text: &str| -> Option<[u8; 32]> {
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()?;
        bytes.try_into().ok()
    };
    if let Some(saved) = keystore.load(profile, KeyKind::AuditSigning)? {
        return parse(saved.expose_secret()).ok_or(SetupError::Io(
            "the audit-signing key in the credential store is damaged".into(),
        ));
    }
    let seed: [u8; 32] = {
        let a = uuid::Uuid::new_v4().into_bytes();
        let b = uuid::Uuid::new_v4().into_bytes();
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(&a);
        out[16..].copy_from_slice(&b);
        out
    };
    let text: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    keystore.save(profile, KeyKind::AuditSigning, &SecretString::from(text))?;
    Ok(seed)
}

/// Who holds a profile's sending lock.
#[derive(Debug, thiserror::Error)]
#[error("the outbox of this profile is being sent by {holder}; close it first")]
pub struct Locked {
    pub holder: String,
}

/// Held while a process sends a profile's outbox: the app and a `desk` command never both send
/// from one database. The OS releases it when the process ends, however it ends.
pub struct SendLock {
    _file: std::fs::File,
}

/// The app's outbox sender: it sends only while it holds the profile's sending lock, so a
/// `desk outbox drain` cannot send alongside.
#[derive(Default)]
pub struct OutboxSender {
    held: Option<(PathBuf, SendLock)>,
}

impl OutboxSender {
    /// Holds `dir`'s sending lock, taking it when this sender does not hold it yet (switching
    /// to another profile lets the last one's go). Err: who holds it.
    pub fn hold(&mut self, dir: &Path, who: &str) -> Result<(), Locked> {
        if self.held.as_ref().is_some_and(|(held, _)| held == dir) {
            return Ok(());
        }
        self.held = None;
        self.held = Some((dir.to_path_buf(), lock_sending(dir, who)?));
        Ok(())
    }
}

/// One pass over `desk`'s due actions, under the team's claims and four-eyes rules when the
/// desk works in a team.
pub async fn run_due(
    desk: &AppDesk,
    directory: Option<&DhmadClient>,
    team: Option<&TeamStore>,
) -> Result<desk_core::outbox::DrainReport, desk_core::desk::DeskError> {
    match team {
        Some(team) => desk.run_due_with(directory, team).await,
        None => {
            desk.run_due_with(directory, &desk_core::claims::NoTeam)
                .await
        }
    }
}

/// Sends until nothing is due, waiting out undo windows and retry delays (`desk outbox drain`);
/// every pass's counts summed. The app's worker runs `run_due` on its own schedule instead.
pub async fn drain(
    desk: &AppDesk,
    directory: Option<&DhmadClient>,
    team: Option<&TeamStore>,
) -> Result<desk_core::outbox::DrainReport, desk_core::desk::DeskError> {
    let mut total = desk_core::outbox::DrainReport::default();
    loop {
        let pass = run_due(desk, directory, team).await?;
        total.absorb(&pass);
        let Some(wait) = pass.wait_from(chrono::Utc::now()) else {
            return Ok(total);
        };
        tokio::time::sleep(wait.max(std::time::Duration::from_millis(20))).await;
    }
}

/// Takes the profile's sending lock, or says who holds it.
pub fn lock_sending(data_dir: &Path, who: &str) -> Result<SendLock, Locked> {
    use std::io::{Read, Seek, Write};
    let path = data_dir.join("outbox.lock");
    let io = |e: std::io::Error| Locked {
        holder: format!("nobody (the lock file cannot be opened: {e})"),
    };
    let _ = std::fs::create_dir_all(data_dir);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0).map_err(io)?;
            file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
            let _ = write!(file, "{who} (pid {})", std::process::id());
            Ok(SendLock { _file: file })
        }
        Err(_) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            Err(Locked {
                holder: if holder.trim().is_empty() {
                    "another process".into()
                } else {
                    holder.trim().to_owned()
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("desk-profiles-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// A Live profile for the APIs served at `origin` (Didit at the origin, DHMAD below it).
    fn live(name: &str, origin: &str) -> Profile {
        Profile {
            name: name.into(),
            kind: ProfileKind::Live,
            didit_url: Some(origin.into()),
            dhmad_url: format!("{origin}/api/v1"),
            reviewer_name: "Amira".into(),
            reviewer_email: "amira@dhmad.tn".into(),
            undo_seconds: 0,
            sla_hours: desk_core::profile::DEFAULT_SLA_HOURS,
            role: desk_core::profile::Role::Reviewer,
            team_store: None,
            verifyhq_url: None,
        }
    }

    #[test]
    fn one_process_at_a_time_sends_a_profiles_outbox() {
        let dir = temp_root("lock");
        let first = lock_sending(&dir, "the desk command").unwrap();
        let refused = lock_sending(&dir, "DHMAD Review Desk").err().unwrap();
        assert_eq!(
            refused.holder,
            format!("the desk command (pid {})", std::process::id())
        );
        assert!(refused
            .to_string()
            .contains("being sent by the desk command"));
        drop(first);
        assert!(lock_sending(&dir, "DHMAD Review Desk").is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn books_are_saved_and_loaded_and_a_broken_file_falls_back() {
        let files = ProfileFiles::new(temp_root("book"));
        assert_eq!(files.load(), ProfileBook::default());
        let mut book = ProfileBook::default();
        book.upsert(live("Local", "http://127.0.0.1:9")).unwrap();
        files.save(&book).unwrap();
        assert_eq!(files.load(), book);
        std::fs::write(files.root.join(BOOK_FILE), "{not json").unwrap();
        assert_eq!(files.load(), ProfileBook::default());

        assert_eq!(files.reasons(), desk_core::reasons::default_reasons());
        std::fs::write(files.root.join("reasons.json"), r#"[{"id":"x","label":"Team reason","verdicts":["Approve","Decline","Resubmit"],"codes":["DOCUMENT_EXPIRED"]}]"#).unwrap();
        assert_eq!(files.reasons()[0].label, "Team reason");
        std::fs::write(files.root.join("reasons.json"), "[]").unwrap();
        assert_eq!(
            files.reasons(),
            desk_core::reasons::default_reasons(),
            "an invalid list falls back"
        );
        std::fs::remove_dir_all(&files.root).unwrap();
    }

    #[tokio::test]
    async fn the_sandbox_profile_connects_without_keys_and_tests_ok() {
        let store = Keystore::new("dhmad-review-desk-unused");
        let connection = connect(
            &Profile::sandbox(),
            &store,
            &SandboxKnobs {
                sessions: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let report = test_connection(&connection).await;
        assert_eq!(
            report.didit,
            Some(Ok("Didit answered: 7 sessions in review".to_owned()))
        );
        assert_eq!(report.verifyhq, None, "VerifyHQ is off unless asked for");
        assert!(report.dhmad.is_ok());
    }

    /// A Live profile against a sandbox on loopback, its keys in the real Secret Service.
    #[tokio::test]
    #[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
    async fn a_live_profile_reads_its_keys_from_the_secret_service() {
        let running = sandbox::start(sandbox::SandboxConfig {
            sessions: 4,
            ..Default::default()
        })
        .await
        .unwrap();
        let store = Keystore::new(format!(
            "dhmad-review-desk-test-live-{}",
            std::process::id()
        ));
        let profile = live("Local live", &running.base_url);
        let missing = connect(&profile, &store, &SandboxKnobs::default()).await;
        assert!(matches!(missing, Err(SetupError::MissingKey("Didit"))));
        store
            .save(
                &profile.name,
                KeyKind::Didit,
                &SecretString::from(running.didit_key.clone()),
            )
            .unwrap();
        // A reviewer-only profile: no DHMAD key, the desk still opens; lookups say why not.
        let reviewer_only = connect(&profile, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        assert!(reviewer_only.dhmad.is_none());
        let report = test_connection(&reviewer_only).await;
        assert!(matches!(report.didit, Some(Ok(_))));
        assert_eq!(
            report.dhmad,
            Err("no DHMAD key: support lookups are off for this profile".to_owned())
        );
        store
            .save(
                &profile.name,
                KeyKind::Dhmad,
                &SecretString::from(running.dhmad_key.clone()),
            )
            .unwrap();
        let connection = connect(&profile, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        let report = test_connection(&connection).await;
        assert_eq!(
            report.didit,
            Some(Ok("Didit answered: 4 sessions in review".to_owned()))
        );
        assert!(report.dhmad.is_ok());

        store
            .save(
                &profile.name,
                KeyKind::Didit,
                &SecretString::from("wrong-key".to_owned()),
            )
            .unwrap();
        let connection = connect(&profile, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        let report = test_connection(&connection).await;
        assert_eq!(
            report.didit,
            Some(Err("Didit refused the API key: Invalid API key.".to_owned()))
        );
        // VerifyHQ joins the profile: its key is required once its URL is set, and its cases
        // come through the same desk.
        let mut both = profile.clone();
        both.verifyhq_url = Some(running.verifyhq_url());
        let missing = connect(&both, &store, &SandboxKnobs::default()).await;
        assert!(matches!(missing, Err(SetupError::MissingKey("VerifyHQ"))));
        store
            .save(
                &profile.name,
                KeyKind::VerifyHq,
                &SecretString::from(running.verifyhq_key.clone()),
            )
            .unwrap();
        let connection = connect(&both, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        let verifyhq = connection.verifyhq.as_ref().expect("a VerifyHQ client");
        let first = running.verifyhq_users[0].clone();
        let theirs = verifyhq.user_verifications(&first, 1).await.unwrap();
        assert!(!theirs.is_empty() && theirs.iter().all(|v| v.user_id == first));
        let report = test_connection(&connection).await;
        assert_eq!(
            report.verifyhq,
            Some(Ok("VerifyHQ answered: the key is accepted".to_owned()))
        );

        // VerifyHQ alone: no Didit URL, so no Didit key is asked for, even a wrong one stored.
        let mut alone = both.clone();
        alone.didit_url = None;
        let connection = connect(&alone, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        assert!(connection.didit.is_none());
        let report = test_connection(&connection).await;
        assert_eq!(report.didit, None);
        assert!(matches!(report.verifyhq, Some(Ok(_))));
        let files = ProfileFiles::new(temp_root("verifyhq-only"));
        let open = open_with(&alone, files.profile_dir(&alone.name), connection)
            .await
            .unwrap();
        desk_core::watch::WatchStore::change_watched(
            &open.watch,
            &running.verifyhq_users,
            &[],
            "test",
        )
        .await
        .unwrap();
        open.desk.sync().await.unwrap();
        let (queue, _) = open.desk.queue().await.unwrap();
        assert!(!queue.is_empty());
        assert!(
            queue
                .iter()
                .all(|item| item.case_id.starts_with("verifyhq:")),
            "a VerifyHQ-only profile queues VerifyHQ cases only"
        );
        store
            .save(
                &profile.name,
                KeyKind::VerifyHq,
                &SecretString::from("wrong-key".to_owned()),
            )
            .unwrap();
        let connection = connect(&alone, &store, &SandboxKnobs::default())
            .await
            .unwrap();
        let report = test_connection(&connection).await;
        assert!(
            matches!(&report.verifyhq, Some(Err(e)) if e.starts_with("VerifyHQ refused the API key")),
            "{report:?}"
        );
        std::fs::remove_dir_all(&files.root).unwrap();
        for kind in [KeyKind::Didit, KeyKind::Dhmad, KeyKind::VerifyHq] {
            store.delete(&profile.name, kind).unwrap();
        }
    }
}
