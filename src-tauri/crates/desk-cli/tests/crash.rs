//! Crash harness: real processes over loopback. A `desk sandbox serve` process with injected
//! faults (5xx, 429 bursts with Retry-After, resets, answers lost after the write applied, a
//! competing reviewer), `desk decide` / `desk blocklist` / `desk outbox drain` processes
//! killed with SIGKILL at random moments and at failpoints, restarted, drained. Afterwards,
//! from the sandbox's ledger: every acknowledged action applied exactly once, none twice, none
//! lost; conflicts reported and never overwritten; `desk audit verify` OK.
//! `DESK_CRASH_ACTIONS` / `DESK_CRASH_KILLS` scale the run (the long run in the notes used
//! 1,000 actions and 60 kills).

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
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
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(after) = kill_after {
        std::thread::sleep(after);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return None;
        }
    }
    let out = child.wait_with_output().unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[derive(Debug)]
struct Acked {
    token: String,
    case_id: String,
    kind: String,
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
        // ~20 % of the sends meet a fault.
        if rng.below(5) == 0 {
            faults_injected += 1;
            set_faults(
                &server,
                match rng.below(6) {
                    0 => json!({"fail_next": 1, "fail_status": 503}),
                    1 => json!({"throttle_next": 2, "retry_after_secs": 1}),
                    2 => json!({"reset_next": 1}),
                    3 => json!({"lose_response_next": 1}),
                    4 => json!({"compete_next": 1}),
                    _ => json!({"latency_ms": 400}),
                },
            );
        }
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
            Some(out) => {
                let v: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(v["state"], "queued");
                acked.push(Acked {
                    token: v["token"].as_str().unwrap().to_owned(),
                    case_id: case.clone(),
                    kind: v["kind"].as_str().unwrap().to_owned(),
                });
            }
            None => kills_done += usize::from(at_failpoint),
        }
        // Drain now and then, killed at random moments or at the failpoint between the send
        // and the recording of its result.
        if i % 4 == 3 {
            if kills_done < kills && rng.below(2) == 0 {
                kills_done += 1;
                if rng.below(2) == 0 {
                    run(
                        &server,
                        &["outbox", "drain"],
                        &[("REVIEW_DESK_FAILPOINT", "after_send_before_record")],
                        None,
                    );
                } else {
                    let after = Duration::from_millis(50 + rng.below(400));
                    run(&server, &["outbox", "drain"], &[], Some(after));
                }
            } else {
                run(&server, &["outbox", "drain"], &[], None);
            }
        }
    }
    set_faults(&server, json!({}));
    // Drain to the end (a needs-attention action makes drain exit non-zero; it still drains).
    let _ = run(&server, &["outbox", "drain"], &[], None);
    let (_, list, _) = desk(&server, &["outbox", "--json"]);
    let outbox: Vec<Value> = serde_json::from_str(&list).unwrap();
    let state_of: HashMap<String, String> = outbox
        .iter()
        .map(|a| {
            (
                a["token"].as_str().unwrap().to_owned(),
                a["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

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
}
