//! Where a profile's VerifyHQ watch list lives: the team store when the desk works in a team
//! (every desk reads the same list), else a file in the profile's directory. The VerifyHQ
//! source reads a copy that is refreshed before each sync.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use desk_core::ports::StoreError;
use desk_core::watch::{applied, WatchStore};

use crate::TeamStore;

/// One desk's own list: a JSON array of user ids, written whole (temporary file, rename).
#[derive(Clone)]
pub struct FileWatch {
    path: PathBuf,
}

impl FileWatch {
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("verifyhq-watch.json"),
        }
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    fn load(&self) -> Result<Vec<String>, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                StoreError::Failed(format!("{} is not a list of ids: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Failed(format!("the watch list: {e}"))),
        }
    }

    pub fn save(&self, users: &[String]) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::Failed(format!("the watch list: {e}"));
        let tmp = self.path.with_extension("json.tmp");
        let text =
            serde_json::to_vec_pretty(users).map_err(|e| StoreError::Failed(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

impl WatchStore for FileWatch {
    async fn watched(&self) -> Result<Vec<String>, StoreError> {
        self.load()
    }

    async fn change_watched(
        &self,
        add: &[String],
        remove: &[String],
        _by: &str,
    ) -> Result<Vec<String>, StoreError> {
        let next =
            applied(&self.load()?, add, remove).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.save(&next)?;
        Ok(next)
    }
}

/// A profile's watch list, wherever it is kept, and the copy its VerifyHQ source reads.
#[derive(Clone)]
pub struct WatchList {
    home: Home,
    copy: Arc<RwLock<Vec<String>>>,
}

#[derive(Clone)]
enum Home {
    Desk(FileWatch),
    Team(Arc<TeamStore>),
}

impl WatchList {
    pub fn new_on_desk(file: FileWatch) -> Self {
        let copy = file.load().unwrap_or_default();
        Self {
            home: Home::Desk(file),
            copy: Arc::new(RwLock::new(copy)),
        }
    }

    pub fn new_on_team(team: TeamStore) -> Self {
        Self {
            home: Home::Team(Arc::new(team)),
            copy: Default::default(),
        }
    }

    /// Whether the team store keeps it (shared by every desk of the team).
    pub fn shared(&self) -> bool {
        matches!(self.home, Home::Team(_))
    }

    /// The copy the VerifyHQ source reads.
    pub fn copy(&self) -> Arc<RwLock<Vec<String>>> {
        self.copy.clone()
    }

    fn keep(&self, users: &[String]) {
        *self.copy.write().unwrap_or_else(|e| e.into_inner()) = users.to_vec();
    }

    /// Reads the list again; while the team store is away the last copy stays in use.
    pub async fn refresh(&self) {
        match self.watched().await {
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "the VerifyHQ watch list could not be read; the last copy is used")
            }
        }
    }
}

impl WatchStore for WatchList {
    async fn watched(&self) -> Result<Vec<String>, StoreError> {
        let users = match &self.home {
            Home::Desk(file) => file.watched().await?,
            Home::Team(team) => team.watched().await?,
        };
        self.keep(&users);
        Ok(users)
    }

    async fn change_watched(
        &self,
        add: &[String],
        remove: &[String],
        by: &str,
    ) -> Result<Vec<String>, StoreError> {
        let users = match &self.home {
            Home::Desk(file) => file.change_watched(add, remove, by).await?,
            Home::Team(team) => team.change_watched(add, remove, by).await?,
        };
        self.keep(&users);
        Ok(users)
    }
}
