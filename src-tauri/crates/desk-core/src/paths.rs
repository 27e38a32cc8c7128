//! Where a profile keeps its files. One environment variable moves the whole data root, so tests
//! and end-to-end runs are hermetic and never touch a real reviewer's data.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the platform data directory.
pub const DATA_ROOT_ENV: &str = "REVIEW_DESK_DATA_DIR";

/// The platform's data directory for the app (XDG on Linux), without Tauri: the CLI uses it
/// too, so both find the same profiles. Matches the app identifier in tauri.conf.json.
pub fn platform_data_dir() -> Option<PathBuf> {
    const APP: &str = "tn.dhmad.reviewdesk";
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "windows") {
        return var("APPDATA").map(|d| d.join(APP));
    }
    if cfg!(target_os = "macos") {
        return var("HOME").map(|h| h.join("Library/Application Support").join(APP));
    }
    var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local/share")))
        .map(|d| d.join(APP))
}

/// The data root: the override when it is set and not blank, else the platform default.
pub fn data_root(override_value: Option<&str>, platform_default: &Path) -> PathBuf {
    match override_value.map(str::trim) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => platform_default.to_path_buf(),
    }
}

/// A profile's own directory below the data root. Profile names become a single safe path
/// segment so a crafted name can never escape the root.
pub fn profile_dir(root: &Path, profile: &str) -> PathBuf {
    let segment: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let segment = if segment.trim_matches('_').is_empty() {
        "default".to_owned()
    } else {
        segment
    };
    root.join(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_when_set() {
        let root = data_root(
            Some("/tmp/desk-test"),
            Path::new("/home/x/.local/share/desk"),
        );
        assert_eq!(root, PathBuf::from("/tmp/desk-test"));
    }

    #[test]
    fn blank_override_falls_back_to_platform_default() {
        let default = Path::new("/home/x/.local/share/desk");
        assert_eq!(data_root(Some("  "), default), default);
        assert_eq!(data_root(None, default), default);
    }

    #[test]
    fn profile_names_cannot_escape_the_root() {
        let root = Path::new("/data");
        assert_eq!(profile_dir(root, "Sandbox"), PathBuf::from("/data/sandbox"));
        assert_eq!(
            profile_dir(root, "../../etc"),
            PathBuf::from("/data/______etc")
        );
        assert_eq!(profile_dir(root, "/"), PathBuf::from("/data/default"));
        assert_eq!(profile_dir(root, "تونس"), PathBuf::from("/data/default"));
    }
}
