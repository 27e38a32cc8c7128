//! Claims across real processes: eight `desk` processes, each its own desk (data directory and
//! reviewer), race for 200 cases through one PostgreSQL team store; every case goes to exactly
//! one of them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
#[path = "../../desk-store/tests/common/mod.rs"]
mod pg;

use common::{serve, DESK};

fn desk_as(server: &common::Server, who: usize, team: &str, args: &[&str]) -> Command {
    let mut c = Command::new(DESK);
    c.args(args)
        .envs(&server.env)
        .env("REVIEW_DESK_TEAM_STORE", team)
        .env("REVIEW_DESK_REVIEWER_NAME", format!("Reviewer {who}"))
        .env(
            "REVIEW_DESK_REVIEWER_EMAIL",
            format!("reviewer{who}@dhmad.tn"),
        )
        .env(
            "REVIEW_DESK_DATA_DIR",
            server.data_dir.join(format!("desk-{who}")),
        );
    c
}

#[test]
fn eight_desks_racing_for_200_cases_each_case_claimed_once() {
    let server = serve(200);
    let postgres = pg::Postgres::start();
    let team = postgres.database("team");

    let racers: Vec<_> = (0..8)
        .map(|who| {
            desk_as(
                &server,
                who,
                &team,
                &["claim", "next", "--count", "25", "--json"],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut all = Vec::new();
    for (who, racer) in racers.into_iter().enumerate() {
        let out = racer.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "desk {who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let claims: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(claims.len(), 25, "desk {who} got its 25");
        for c in &claims {
            assert_eq!(
                c["holder"],
                format!("Reviewer {who} <reviewer{who}@dhmad.tn>")
            );
            all.push(c["caseId"].as_str().unwrap().to_owned());
        }
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 200);
    assert_eq!(distinct.len(), 200, "no case was claimed twice");

    // Nothing is left to claim; the team sees every claim.
    let out = desk_as(&server, 9, &team, &["claim", "next", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap(),
        Vec::<Value>::new()
    );
    let out = desk_as(&server, 0, &team, &["team", "status", "--json"])
        .output()
        .unwrap();
    let status: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status.len(), 200);

    // Only the holder can let a case go; then it can be claimed again.
    let theirs = status
        .iter()
        .find(|c| c["holder"] == "Reviewer 3 <reviewer3@dhmad.tn>")
        .unwrap()["caseId"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = desk_as(&server, 4, &team, &["claim", "release", &theirs])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not hold"));
    let out = desk_as(&server, 3, &team, &["claim", "release", &theirs])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = desk_as(&server, 4, &team, &["claim", "next", "--json"])
        .output()
        .unwrap();
    let again: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again[0]["caseId"], theirs.as_str());
    assert_eq!(again[0]["holder"], "Reviewer 4 <reviewer4@dhmad.tn>");

    let out = Command::new(DESK)
        .args(["team", "status"])
        .envs(&server.env)
        .env_remove("REVIEW_DESK_TEAM_STORE")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--team-store"));
}
