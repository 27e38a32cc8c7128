// Every command we expose gets its own permission, so the capability file can grant exactly
// what the window uses.
//
// The app's manifest and tauri.conf.json sit at the repository root, where the Tauri bundler
// looks for them. tauri-build reads `Cargo.toml` and writes the generated permissions and
// capability schemas relative to the working directory, so it runs in a folder of its own
// under OUT_DIR (with the manifest it checks the tauri features against), and nothing it
// generates lands in the source tree; the capability files stay in src-tauri/capabilities.
use std::path::PathBuf;

const COMMANDS: &[&str] = &[
    "app_info",
    "queue_view",
    "queue_rows",
    "sync_queue",
    "open_case",
    "decide",
    "reveal",
    "search_queue",
    "sync_status",
    "reasons",
    "profiles",
    "save_profile",
    "delete_keys",
    "test_connection",
    "switch_profile",
    "undo_action",
    "outbox",
    "outbox_status",
    "retry_action",
    "cancel_action",
    "blocklist",
    "aml_review",
    "blocklist_impact",
    "blocklist_entries",
    "filter_queue",
    "find_sessions",
    "lookup",
    "reveal_lookup",
    "set_role",
    "resend_invite",
    "team_view",
    "leave_case",
    "release_claim",
    "answer_second_look",
    "watch_list",
    "change_watch",
    "audit_page",
    "audit_actors",
    "verify_audit",
    "audit_stats",
    "export_audit",
    "cancel_export",
    "blind_review_queue",
    "blind_case",
    "answer_blind_review",
    "blind_review_figures",
    "set_blind_review_share",
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("tauri-build");
    std::fs::create_dir_all(&scratch).expect("cannot make tauri-build's folder in OUT_DIR");
    std::fs::copy(root.join("Cargo.toml"), scratch.join("Cargo.toml"))
        .expect("cannot read the app's Cargo.toml");
    std::env::set_current_dir(&scratch).expect("cannot enter tauri-build's folder");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .config_path(root.join("tauri.conf.json"))
        .capabilities_path_pattern(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/capabilities/*.json"
        ))
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
