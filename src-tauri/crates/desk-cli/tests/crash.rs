//! Crash harness: real processes over loopback. A `desk sandbox serve` process with injected
//! faults (5xx, 429 bursts with Retry-After, resets, answers lost after the write applied, a
//! competing reviewer), `desk decide` / `desk blocklist` / `desk outbox drain` processes
//! killed with SIGKILL at random moments and at failpoints, restarted, drained. Afterwards,
//! from the sandbox's ledger: every acknowledged action applied exactly once, none twice, none
//! lost; conflicts reported and never overwritten; `desk audit verify` OK; and no API key or
//! media link in what the processes wrote (killed ones too) or left in the data root.
//! `DESK_CRASH_ACTIONS` / `DESK_CRASH_KILLS` scale the run (the long run in the notes used
//! 1,000 actions and 60 kills).

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use common::{desk, serve, Server, DESK};
use serde_json::{json, Value};

fn http(server: &Server, method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", server.base());
    let mut args = vec![
        "-s",
        "-X",
        method,
        &url,
        "-H",
        "content-type: application/json",
    ];
    let key_header = format!("x-api-key: {}", server.env["DIDIT_API_KEY"]);
    args.extend(["-H", &key_header]);
    let text = body.map(|b| b.to_string());
    if let Some(t) = &text {
        args.extend(["-d", t]);
    }
    let out = Command::new("curl").args(&args).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn in_review(server: &Server, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut offset = 0;
    while ids.len() < n {
        let page = http(
            server,
            "GET",
            &format!("/v3/sessions/?status=In%20Review&limit=100&offset={offset}"),
            None,
        );
        let rows = page["results"].as_array().cloned().unwrap_or_default();
        if rows.is_empty() {
            break;
        }
        ids.extend(
            rows.iter()
                .map(|r| r["session_id"].as_str().unwrap().to_owned()),
        );
        offset += 100;
    }
    ids.truncate(n);
    ids
}

/// A tiny deterministic generator, so a failing run can be repeated.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn set_faults(server: &Server, faults: Value) {
    http(server, "POST", "/_sandbox/faults", Some(faults));
}

/// Runs `desk` with `args`; kills it with SIGKILL after `kill_after` if given. Returns its
/// stdout when it ran to the end.
fn run(
    server: &Server,
    args: &[&str],
    env: &[(&str, &str)],
    kill_after: Option<Duration>,
) -> Option<String> {
    let mut child = Command::new(DESK)
        .args(args)
        .envs(&server.env)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut killed = false;
    if let Some(after) = kill_after {
        std::thread::sleep(after);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed = true;
        }
    }
    let out = child.wait_with_output().unwrap();
    let mut written = OUTPUT.lock().unwrap();
    let kept = written.entry(server.data_dir.clone()).or_default();
    kept.extend_from_slice(&out.stdout);
    kept.extend_from_slice(&out.stderr);
    (!killed && out.status.success()).then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What the desk processes of each run (by data root) wrote to stdout and stderr, the killed
/// and aborted ones included: the leak scan reads it at the end.
static OUTPUT: Mutex<BTreeMap<PathBuf, Vec<u8>>> = Mutex::new(BTreeMap::new());

/// The crash run's leak scan: no API key of the sandbox and no media link in anything its desk
/// processes wrote (killed and aborted ones too) or left under the data root (SQLite and WAL
/// files, logs, lock files).
fn assert_nothing_leaked(server: &Server) {
    let mut canaries: Vec<String> = server
        .env
        .iter()
        .filter(|(name, _)| name.ends_with("_API_KEY"))
        .map(|(_, key)| key.clone())
        .collect();
    assert_eq!(
        canaries.len(),
        3,
        "the three keys are known: {:?}",
        server.env.keys()
    );
    canaries.extend([
        "X-Amz-Signature".to_owned(),
        "didit-sandbox-media".to_owned(),
    ]);
    let output = OUTPUT
        .lock()
        .unwrap()
        .get(&server.data_dir)
        .cloned()
        .unwrap_or_default();
    assert!(!output.is_empty(), "the desk processes' output was kept");
    let mut places = vec![("process output".to_owned(), output)];
    let mut dirs = vec![server.data_dir.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(
        places.iter().any(|(name, _)| name.ends_with(".sqlite")),
        "the scan reads the database"
    );
    let found: Vec<String> = places
        .iter()
        .flat_map(|(name, bytes)| {
            canaries
                .iter()
                .filter(|c| bytes.windows(c.len()).any(|w| w == c.as_bytes()))
                .map(move |c| format!("{name}: {c}"))
        })
        .collect();
    assert!(found.is_empty(), "leaked: {found:?}");
}

#[derive(Debug)]
struct Acked {
    token: String,
    case_id: String,
    kind: String,
}

impl Acked {
    /// An enqueue's `--json` answer: the desk said "queued".
    fn from_output(out: &str, case: &str) -> Self {
        let v: Value = serde_json::from_str(out).unwrap();
        assert_eq!(v["state"], "queued");
        Acked {
            token: v["token"].as_str().unwrap().to_owned(),
            case_id: case.to_owned(),
            kind: v["kind"].as_str().unwrap().to_owned(),
        }
    }
}

/// ~20 % of the sends meet a fault: 5xx, a 429 burst, a reset, a lost answer after the write
/// applied, latency, and (Didit) another reviewer deciding just before our write. True when one
/// was set.
fn maybe_fault(server: &Server, rng: &mut Rng, compete: bool) -> bool {
    if rng.below(5) != 0 {
        return false;
    }
    set_faults(
        server,
        match rng.below(6) {
            0 => json!({"fail_next": 1, "fail_status": 503}),
            1 => json!({"throttle_next": 2, "retry_after_secs": 1}),
            2 => json!({"reset_next": 1}),
            3 => json!({"lose_response_next": 1}),
            4 if compete => json!({"compete_next": 1}),
            _ => json!({"latency_ms": 400}),
        },
    );
    true
}

/// Drains the outbox; when `kill` is allowed, half the time the drain is killed, at a random
/// moment or at the failpoint between the send and the recording of its result. True when it
/// was killed.
fn drain_maybe_killed(server: &Server, rng: &mut Rng, kill: bool) -> bool {
    if kill && rng.below(2) == 0 {
        if rng.below(2) == 0 {
            run(
                server,
                &["outbox", "drain"],
                &[("REVIEW_DESK_FAILPOINT", "after_send_before_record")],
                None,
            );
        } else {
            let after = Duration::from_millis(50 + rng.below(400));
            run(server, &["outbox", "drain"], &[], Some(after));
        }
        true
    } else {
        run(server, &["outbox", "drain"], &[], None);
        false
    }
}

/// Clears the faults, drains to the end (a needs-attention action makes drain exit non-zero;
/// it still drains) and returns each action's final state by token.
fn drain_to_the_end(server: &Server) -> HashMap<String, String> {
    set_faults(server, json!({}));
    let _ = run(server, &["outbox", "drain"], &[], None);
    let (_, list, _) = desk(server, &["outbox", "--json"]);
    let outbox: Vec<Value> = serde_json::from_str(&list).unwrap();
    outbox
        .iter()
        .map(|a| {
            (
                a["token"].as_str().unwrap().to_owned(),
                a["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn acknowledged_actions_are_applied_exactly_once_across_kills_and_faults() {
    let actions: usize = std::env::var("DESK_CRASH_ACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let kills: usize = std::env::var("DESK_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let server = serve(actions + 20);
    let cases = in_review(&server, actions);
    assert_eq!(cases.len(), actions);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut acked: Vec<Acked> = Vec::new();
    let mut competed: Vec<String> = Vec::new();
    let mut kills_done = 0;
    let mut faults_injected = 0;
    let flags = ["--json"];

    for (i, case) in cases.iter().enumerate() {
        // Some cases are decided by another reviewer first: they must end in conflict.
        if rng.below(10) == 0 {
            http(
                &server,
                "POST",
                "/_sandbox/compete",
                Some(json!({"session_id": case, "new_status": "Approved"})),
            );
            competed.push(case.clone());
        }
        faults_injected += usize::from(maybe_fault(&server, &mut rng, true));
        let verdict = ["approve", "decline", "resubmit"][i % 3];
        let blocklist = i % 7 == 3;
        let args: Vec<&str> = if blocklist {
            vec![
                "blocklist",
                "add",
                case,
                "--email",
                "--reason",
                "fraud",
                "--comment",
                "crash test",
            ]
        } else {
            vec![
                "decide",
                case,
                "--verdict",
                verdict,
                "--reason",
                "r1",
                "--comment",
                "crash test — اختبار",
            ]
        };
        let mut full = args.clone();
        full.extend(flags);
        // Kill some enqueues right after their commit: they were never acknowledged to anyone,
        // but the row is durable and must still be sent once.
        let at_failpoint = kills_done < kills && rng.below(8) == 0;
        let env: Vec<(&str, &str)> = if at_failpoint {
            vec![("REVIEW_DESK_FAILPOINT", "after_enqueue_commit")]
        } else {
            vec![]
        };
        match run(&server, &full, &env, None) {
            Some(out) => acked.push(Acked::from_output(&out, case)),
            None => kills_done += usize::from(at_failpoint),
        }
        if i % 4 == 3 {
            kills_done += usize::from(drain_maybe_killed(&server, &mut rng, kills_done < kills));
        }
    }
    let state_of = drain_to_the_end(&server);

    let ledger = http(&server, "GET", "/_sandbox/ledger", None);
    let effects = ledger.as_array().unwrap();
    let mut lost = 0;
    let mut duplicated = 0;
    let mut overwritten = 0;
    let mut conflicts = 0;
    let mut rejected = 0;
    for a in &acked {
        let state = state_of
            .get(&a.token)
            .map(String::as_str)
            .unwrap_or("missing");
        let applied: Vec<&Value> = effects
            .iter()
            .filter(|e| {
                if a.kind.starts_with("blocklist") {
                    e["effect"] == "blocklist-add" && e["target"] == a.case_id.as_str()
                } else {
                    e["effect"] == "update-status"
                        && e["detail"]["comment"]
                            .as_str()
                            .is_some_and(|c| c.contains(&a.token))
                }
            })
            .collect();
        match (state, applied.len()) {
            ("applied", 1) => {}
            ("rejected", 0) => rejected += 1,
            ("conflict", 0) => conflicts += 1,
            ("needs_attention", 1) => {} // decided twice, flagged for a person
            (_, 0) => {
                eprintln!("lost: {a:?} ended {state}");
                lost += 1
            }
            (_, _) if applied.len() > 1 => duplicated += 1,
            other => panic!("{a:?} ended {other:?}"),
        }
        // Never an overwrite: a decision applied over another reviewer's must be flagged.
        for e in applied.iter().filter(|e| e["effect"] == "update-status") {
            if e["detail"]["previous_status"] != "In Review" && state != "needs_attention" {
                overwritten += 1;
            }
        }
    }
    for c in &competed {
        let ours = acked
            .iter()
            .find(|a| &a.case_id == c && !a.kind.starts_with("blocklist"));
        if let Some(a) = ours {
            assert_eq!(
                state_of[&a.token], "conflict",
                "a case decided elsewhere first is a conflict"
            );
        }
    }
    println!(
        "crash run: {} acknowledged actions, {} kills, {} fault windows; lost {lost}, duplicated {duplicated}, overwritten {overwritten}, conflicts {conflicts}, rejected {rejected}",
        acked.len(), kills_done, faults_injected
    );
    assert_eq!((lost, duplicated, overwritten), (0, 0, 0));
    assert!(
        kills_done >= kills / 2,
        "the run really killed processes ({kills_done})"
    );
    assert!(conflicts >= 1, "competing reviewers were exercised");
    let (ok, out, err) = desk(&server, &["audit", "verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.starts_with("OK: "), "{out}");
    assert_nothing_leaked(&server);
}

/// The same guarantees for VerifyHQ, whose restart keeps no note: its cases (from the watch
/// list) are approved, declined and restarted by `desk decide` processes while drains are
/// killed and faults injected; some are decided first in VerifyHQ by another reviewer. From
/// the sandbox's ledger: each acknowledged decision reached VerifyHQ once or ended as a
/// conflict, never twice and never lost.
#[test]
fn verifyhq_decisions_are_applied_exactly_once_across_kills_and_faults() {
    let server = serve(300);
    let users: Vec<String> = (1..=30).map(|u| format!("vhq_user_{u:04}")).collect();
    let mut add = vec!["watch", "add"];
    add.extend(users.iter().map(String::as_str));
    let (ok, _, err) = desk(&server, &add);
    assert!(ok, "{err}");
    let (ok, out, err) = desk(&server, &["queue", "--json"]);
    assert!(ok, "{err}");
    let cases: Vec<String> = common::queue_rows(&out)
        .iter()
        .filter_map(|i| i["caseId"].as_str())
        .filter(|c| c.starts_with("verifyhq:"))
        .map(str::to_owned)
        .collect();
    assert!(cases.len() >= 15, "{} VerifyHQ cases", cases.len());
    let vhq = |method: &str, path: &str, body: Option<Value>| -> Value {
        let url = format!("{}{path}", server.env["VERIFYHQ_BASE_URL"]);
        let key = format!("X-API-Key: {}", server.env["VERIFYHQ_API_KEY"]);
        let mut args = vec!["-s", "-X", method, &url, "-H", &key];
        args.extend(["-H", "content-type: application/json"]);
        let text = body.map(|b| b.to_string());
        if let Some(t) = &text {
            args.extend(["-d", t]);
        }
        let out = Command::new("curl").args(&args).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };

    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (kills, mut kills_done, mut faults_injected) = (8, 0, 0);
    let mut acked: Vec<(Acked, &str)> = Vec::new();
    let mut competed = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let id = case.trim_start_matches("verifyhq:");
        if rng.below(8) == 0 {
            let done = vhq(
                "POST",
                &format!("/verifications/identity/{id}/review"),
                Some(
                    json!({"decision": "VERIFIED", "reviewedBy": "Another Reviewer <other@dhmad.tn>", "reviewNotes": "decided in VerifyHQ's console"}),
                ),
            );
            assert_eq!(done["status"], "VERIFIED", "{done}");
            competed.push(case.clone());
        }
        faults_injected += usize::from(maybe_fault(&server, &mut rng, false));
        let verdict = ["approve", "decline", "resubmit"][i % 3];
        let at_failpoint = kills_done < kills && rng.below(6) == 0;
        let env: Vec<(&str, &str)> = if at_failpoint {
            vec![("REVIEW_DESK_FAILPOINT", "after_enqueue_commit")]
        } else {
            vec![]
        };
        let args = [
            "decide",
            case,
            "--verdict",
            verdict,
            "--reason",
            "r1",
            "--comment",
            "crash test — اختبار",
            "--json",
        ];
        match run(&server, &args, &env, None) {
            Some(out) => acked.push((Acked::from_output(&out, case), verdict)),
            None => kills_done += usize::from(at_failpoint),
        }
        if i % 3 == 2 {
            kills_done += usize::from(drain_maybe_killed(&server, &mut rng, kills_done < kills));
        }
    }
    let state_of = drain_to_the_end(&server);

    let ledger = http(&server, "GET", "/_sandbox/ledger", None);
    let effects: Vec<&Value> = ledger
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["api"] == "verifyhq")
        .collect();
    let (mut lost, mut duplicated, mut conflicts) = (0, 0, 0);
    for (a, verdict) in &acked {
        let id = a.case_id.trim_start_matches("verifyhq:");
        let state = state_of.get(&a.token).map_or("missing", String::as_str);
        let applied = effects
            .iter()
            .filter(|e| {
                if *verdict == "resubmit" {
                    e["effect"] == "restart" && e["target"] == id
                } else {
                    e["effect"].as_str().unwrap().starts_with("review ")
                        && e["detail"]["reviewNotes"]
                            .as_str()
                            .is_some_and(|n| n.contains(&a.token))
                }
            })
            .count();
        match (state, applied) {
            ("applied", 1) | ("rejected", 0) => {}
            ("conflict", 0) => conflicts += 1,
            (_, 0) => {
                eprintln!("lost: {a:?} ended {state}");
                lost += 1
            }
            (_, n) if n > 1 => duplicated += 1,
            other => panic!("{a:?} ended {other:?}"),
        }
        if competed.contains(&a.case_id) {
            assert_eq!(state, "conflict", "{a:?}: decided in VerifyHQ first");
        }
    }
    println!(
        "VerifyHQ crash run: {} acknowledged decisions, {kills_done} kills, {faults_injected} fault windows; lost {lost}, duplicated {duplicated}, conflicts {conflicts}",
        acked.len()
    );
    assert_eq!((lost, duplicated), (0, 0));
    assert!(
        kills_done >= kills / 2,
        "the run really killed processes ({kills_done})"
    );
    assert!(
        conflicts >= 1,
        "a reviewer in VerifyHQ's console was exercised"
    );
    let (ok, out, err) = desk(&server, &["audit", "verify"]);
    assert!(ok && out.starts_with("OK: "), "{out}{err}");
    assert_nothing_leaked(&server);
}
