//! Helpers the CLI tests share: a `desk sandbox serve` process and a hermetic data root.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const DESK: &str = env!("CARGO_BIN_EXE_desk");

pub struct Server {
    pub child: Child,
    /// The six API variables and REVIEW_DESK_DATA_DIR (a fresh directory per server).
    pub env: HashMap<String, String>,
    pub data_dir: std::path::PathBuf,
}

impl Server {
    pub fn base(&self) -> String {
        self.env["DIDIT_BASE_URL"].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

static SERVERS: AtomicU32 = AtomicU32::new(0);

pub fn serve(sessions: usize) -> Server {
    let mut child = Command::new(DESK)
        .args([
            "sandbox",
            "serve",
            "--sessions",
            &sessions.to_string(),
            "--seed",
            "11",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("desk runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut env = HashMap::new();
    for line in BufReader::new(stdout).lines().take(6) {
        let line = line.expect("a line");
        let (k, v) = line.split_once('=').expect("KEY=value lines first");
        env.insert(k.to_owned(), v.to_owned());
    }
    let data_dir = std::env::temp_dir().join(format!(
        "desk-cli-test-{}-{}",
        std::process::id(),
        SERVERS.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&data_dir);
    env.insert(
        "REVIEW_DESK_DATA_DIR".into(),
        data_dir.display().to_string(),
    );
    Server {
        child,
        env,
        data_dir,
    }
}

pub fn desk(server: &Server, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(DESK)
        .args(args)
        .envs(&server.env)
        .output()
        .expect("desk runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the sandbox's ledger says was applied to `target`, in order.
pub fn ledger_of(server: &Server, target: &str) -> Vec<String> {
    let out = Command::new("curl")
        .args(["-s", &format!("{}/_sandbox/ledger", server.base())])
        .output()
        .expect("curl runs");
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    entries
        .iter()
        .filter(|e| e["target"] == target)
        .map(|e| e["effect"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The rows of `desk queue --json`: the queue view the window gets, masked.
pub fn queue_rows(json: &str) -> Vec<serde_json::Value> {
    let view: serde_json::Value = serde_json::from_str(json).unwrap();
    view["rows"].as_array().unwrap().clone()
}
