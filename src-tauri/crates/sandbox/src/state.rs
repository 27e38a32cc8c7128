//! What every handler is given: the simulated world, the rate windows, the faults to inject
//! and the sandbox's own keys and address.

use std::sync::{Arc, Mutex};

use crate::faults::Faults;
use crate::{rate, world};

/// What every handler is given: the world and the sandbox's own settings, shared.
pub type AppState = Arc<Shared>;

pub struct Shared {
    pub world: Mutex<world::World>,
    pub windows: Mutex<rate::Windows>,
    pub faults: Mutex<Faults>,
    pub didit_key: String,
    pub dhmad_key: String,
    pub verifyhq_key: String,
    pub base_url: String,
}

impl Shared {
    /// Locks the world; a poisoned lock (a panicked handler) still yields the data.
    pub fn world(&self) -> std::sync::MutexGuard<'_, world::World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}
