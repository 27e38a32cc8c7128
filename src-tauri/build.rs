// The config lives at the repository's top level; every command we expose gets its own
// permission so the capability file can grant exactly what the window uses.
fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "queue_view",
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
            "audit_page",
            "audit_actors",
            "verify_audit",
            "audit_stats",
            "export_audit",
            "cancel_export",
        ]));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
