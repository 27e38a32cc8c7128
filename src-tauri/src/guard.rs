//! What the windows may load: the app's own pages only. A navigation anywhere else is refused
//! here (the CSP already keeps scripts, fetches, frames and forms to the app), and a window
//! opened by a test to prove that another window label gets no IPC.

use tauri::Url;

/// The app's own origin as the webview serves it (`tauri://localhost` on Linux,
/// `http(s)://tauri.localhost` elsewhere).
fn own(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// Refuses every navigation away from the app's own pages.
pub fn navigation<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let allowed = own(url);
            if !allowed {
                // The scheme only: a URL can carry personal data in its path or query.
                tracing::warn!(
                    scheme = url.scheme(),
                    "a navigation away from the app was refused"
                );
            }
            allowed
        })
        .build()
}

/// The label of the tests' second window (no capability names it).
pub const PROBE_LABEL: &str = "probe";

/// With REVIEW_DESK_PROBE_WINDOW=1 (tests only), opens a second window on the same pages under
/// the label `probe`: no capability names it, so every command it calls must be refused.
pub fn open_probe_window(app: &tauri::App) -> tauri::Result<()> {
    if std::env::var("REVIEW_DESK_PROBE_WINDOW").as_deref() == Ok("1") {
        tauri::WebviewWindowBuilder::new(
            app,
            PROBE_LABEL,
            tauri::WebviewUrl::App("index.html".into()),
        )
        .title("probe")
        .build()?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_origin_is_allowed() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html#/queue",
            "http://tauri.localhost/",
        ] {
            assert!(own(&Url::parse(ok).unwrap()), "{ok}");
        }
        for refused in [
            "http://127.0.0.1:8787/",
            "https://verification.didit.me/",
            "tauri://evil/",
            "http://tauri.localhost.evil.example/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>1</script>",
        ] {
            assert!(!own(&Url::parse(refused).unwrap()), "{refused}");
        }
    }
}
