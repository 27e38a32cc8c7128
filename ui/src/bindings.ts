// Generated from src-tauri/crates/desk-core/src/ipc.rs by `UPDATE_BINDINGS=1 cargo test -p desk-core`.
// Do not edit by hand.

export type AppInfo = { productName: string, version: string, 
/**
 * The active profile's name, e.g. "Sandbox".
 */
profile: string, 
/**
 * True when the profile talks to the built-in simulator instead of the real APIs.
 */
simulated: boolean, 
/**
 * The profile's data directory, so a reviewer or a test can see where files go.
 */
dataDir: string, };

export type UiError = { code: string, message: string, retryable: boolean, };
