//! A window command is named in five places: its `#[tauri::command]` function, the shell's
//! `generate_handler!`, build.rs (which makes its `allow-…` permission), the window's
//! capability, and the UI's `ipc.ts`. This test fails, naming the command and the place, as
//! soon as the five disagree.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text between `open` and the next `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no {open:?}")) + open.len();
    let len = text[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no {close:?}"));
    &text[start..start + len]
}

/// Every `"…"` string in `text`.
fn quoted(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn functions() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src")).unwrap()
    {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for after in text.split("#[tauri::command]").skip(1) {
            let signature = after.trim_start();
            let name = signature
                .split_once("fn ")
                .map(|(_, rest)| rest.split(['(', '<']).next().unwrap().trim().to_owned())
                .unwrap();
            names.insert(name);
        }
    }
    names
}

fn handlers() -> BTreeSet<String> {
    let lib = read("src-tauri/src/lib.rs");
    between(&lib, "generate_handler![", "]")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|path| path.rsplit("::").next().unwrap().to_owned())
        .collect()
}

fn permissions_made() -> BTreeSet<String> {
    quoted(between(
        &read("src-tauri/build.rs"),
        "const COMMANDS: &[&str] = &[",
        "];",
    ))
    .into_iter()
    .collect()
}

fn granted() -> BTreeSet<String> {
    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main-window.json")).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

fn called_by_the_window() -> BTreeSet<String> {
    let ipc = read("ui/src/ipc.ts");
    let backend = between(&ipc, "export const backend = {", "\n};");
    backend
        .split("call<")
        .skip(1)
        .map(|call| quoted(call).into_iter().next().unwrap())
        .collect()
}

#[test]
fn every_command_is_named_alike_in_its_five_places() {
    let functions = functions();
    assert!(functions.len() > 40, "{functions:?}");
    for (place, names) in [
        ("generate_handler! in src-tauri/src/lib.rs", handlers()),
        ("COMMANDS in src-tauri/build.rs", permissions_made()),
        ("src-tauri/capabilities/main-window.json", granted()),
        (
            "the backend object of ui/src/ipc.ts",
            called_by_the_window(),
        ),
    ] {
        let missing: Vec<_> = functions.difference(&names).collect();
        let extra: Vec<_> = names.difference(&functions).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{place}: lacks {missing:?}; names {extra:?}, which is no #[tauri::command]"
        );
    }
}

#[test]
fn the_check_reads_each_place() {
    // Each reader finds what a hand count finds, so an empty or misread place cannot pass.
    assert!(handlers().contains("queue_view") && handlers().contains("open_case"));
    assert!(permissions_made().contains("set_blind_review_share"));
    assert!(granted().contains("queue_rows") && !granted().contains("listen"));
    assert!(called_by_the_window().contains("answer_second_look"));
}
