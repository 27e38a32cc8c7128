//! Claims across real processes: eight `desk` processes, each its own desk (data directory and
//! member login), race for 200 cases through one PostgreSQL team store (TLS, SCRAM); every case
//! goes to exactly one of them. Each desk types a reviewer of its own; the team store's member
//! for its login is who it acts as.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
#[path = "../../desk-store/tests/common/mod.rs"]
mod pg;

use common::{ledger_of, serve, DESK};
use desk_core::profile::Role;

/// A team of ten: desks 0 to 8 are reviewers' (`Reviewer N <reviewerN@dhmad.tn>`), desk 9 is
/// the lead's; each member's password kept in the OS credential store by `desk team
/// save-password`, as a member does on their first day.
struct Crew {
    members: Vec<pg::Member>,
}

fn save_password(member: &pg::Member) {
    use std::io::Write;
    let mut saving = Command::new(DESK)
        .args(["team", "save-password", "--team-store", &member.url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(saving.stdin.take().unwrap(), "{}", member.password).unwrap();
    let out = saving.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains(&format!("signed in as {}", member.identity)),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn crew(postgres: &pg::Postgres, name: &str) -> Crew {
    let team = postgres.team(name);
    let members = (0..10)
        .map(|who| {
            let role = if who == 9 {
                Role::TeamLead
            } else {
                Role::Reviewer
            };
            let member = team.member(
                &format!("reviewer{who}"),
                &format!("Reviewer {who}"),
                &format!("reviewer{who}@dhmad.tn"),
                role,
            );
            save_password(&member);
            member
        })
        .collect();
    Crew { members }
}

fn desk_as(server: &common::Server, who: usize, crew: &Crew, args: &[&str]) -> Command {
    let mut c = Command::new(DESK);
    c.args(args)
        .envs(&server.env)
        .env("REVIEW_DESK_TEAM_STORE", &crew.members[who].url)
        // What a desk types is corrected by the team store, not trusted.
        .env("REVIEW_DESK_REVIEWER_NAME", format!("Typed Name {who}"))
        .env(
            "REVIEW_DESK_REVIEWER_EMAIL",
            format!("typed{who}@example.com"),
        )
        .env(
            "REVIEW_DESK_DATA_DIR",
            server.data_dir.join(format!("desk-{who}")),
        );
    c
}

#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn eight_desks_racing_for_200_cases_each_case_claimed_once() {
    let server = serve(200);
    let postgres = pg::Postgres::start();
    let team = crew(&postgres, "team");

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
    let mut mine: Vec<Vec<String>> = vec![Vec::new(); 8];
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
            mine[who].push(c["caseId"].as_str().unwrap().to_owned());
        }
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 200);
    assert_eq!(distinct.len(), 200, "no case was claimed twice");

    // The eight desks let go of three cases each at the same time: every release is audited
    // on its desk and copied onto the one team chain, which stays valid.
    std::thread::scope(|threads| {
        for (who, cases) in mine.iter().enumerate() {
            let (server, team) = (&server, &team);
            threads.spawn(move || {
                for case in &cases[..3] {
                    let (ok, _, err) =
                        run(&mut desk_as(server, who, team, &["claim", "release", case]));
                    assert!(ok, "{err}");
                }
            });
        }
    });
    let out = desk_as(&server, 9, &team, &["audit", "verify", "--team"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("OK: the team chain holds 24 entries"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The released cases are free again: the desks take them back.
    for who in 0..8 {
        let out = desk_as(
            &server,
            who,
            &team,
            &["claim", "next", "--count", "3", "--json"],
        )
        .output()
        .unwrap();
        let again: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(again.len(), 3, "desk {who} took three back");
    }

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
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = status["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 200);

    // Only the holder can let a case go; then it can be claimed again.
    let theirs = claims
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

fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn team_status(server: &common::Server, who: usize, team: &Crew) -> Value {
    let (ok, out, err) = run(&mut desk_as(
        server,
        who,
        team,
        &["team", "status", "--json"],
    ));
    assert!(ok, "{err}");
    serde_json::from_slice(out.as_bytes()).unwrap()
}

#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn a_case_held_by_one_desk_cannot_be_decided_by_another_and_the_team_sees_the_decision() {
    let server = serve(6);
    let postgres = pg::Postgres::start();
    let team = crew(&postgres, "team");

    let (ok, out, err) = run(&mut desk_as(
        &server,
        1,
        &team,
        &["claim", "next", "--json"],
    ));
    assert!(ok, "{err}");
    let claimed: Vec<Value> = serde_json::from_str(&out).unwrap();
    let case = claimed[0]["caseId"].as_str().unwrap().to_owned();

    // Desk 2 tries the same case: refused before anything is queued.
    let decide = |who: usize| {
        run(&mut desk_as(
            &server,
            who,
            &team,
            &[
                "decide",
                &case,
                "--verdict",
                "decline",
                "--reason",
                "doc_altered",
                "--comment",
                "Altered",
                "--undo-secs",
                "0",
            ],
        ))
    };
    let (ok, _, err) = decide(2);
    assert!(!ok);
    assert!(
        err.contains("Reviewer 1 <reviewer1@dhmad.tn> is reviewing this case"),
        "{err}"
    );
    let (_, out, _) = run(&mut desk_as(&server, 2, &team, &["outbox", "--json"]));
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), 0);

    // The holder decides: sent once, the claim let go, the team chain has it all.
    let (ok, _, err) = decide(1);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&mut desk_as(&server, 1, &team, &["outbox", "drain"]));
    assert!(ok, "{err}");
    assert_eq!(ledger_of(&server, &case).len(), 1);
    let status = team_status(&server, 1, &team);
    assert!(status["claims"].as_array().unwrap().is_empty(), "{status}");
    let me = status["desks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["reviewer"] == "Reviewer 1 <reviewer1@dhmad.tn>")
        .unwrap();
    assert_eq!(me["decisionsToday"], 1);
    assert_eq!(me["online"], true);
    assert_eq!(status["auditOnTeamChain"], status["auditHere"]);
    // The lead's figures over the team's log: one decline, by Reviewer 1.
    let (ok, out, err) = run(&mut desk_as(
        &server,
        9,
        &team,
        &["audit", "stats", "--team", "--json"],
    ));
    assert!(ok, "{err}");
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["team"]["decisions"], 1, "{stats}");
    assert_eq!(stats["team"]["declined"], 1);
    assert_eq!(stats["team"]["queued"], 1);
    assert_eq!(
        stats["reviewers"][0]["reviewer"],
        "Reviewer 1 <reviewer1@dhmad.tn>"
    );
    let (ok, _, err) = run(&mut desk_as(
        &server,
        9,
        &team,
        &["audit", "stats", "--from", "soon"],
    ));
    assert!(!ok && err.contains("is not a date"), "{err}");

    // A lead clears a claim left by a desk that vanished; audited with its holder.
    let (ok, out, _) = run(&mut desk_as(
        &server,
        3,
        &team,
        &["claim", "next", "--json"],
    ));
    assert!(ok);
    let left = serde_json::from_str::<Vec<Value>>(&out).unwrap()[0]["caseId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (ok, out, err) = run(&mut desk_as(
        &server,
        9,
        &team,
        &["claim", "release", &left, "--force"],
    ));
    assert!(ok, "{err}");
    assert!(out.contains("held by Reviewer 3"), "{out}");
    let (ok, out, err) = run(&mut desk_as(
        &server,
        9,
        &team,
        &["audit", "verify", "--team"],
    ));
    assert!(ok, "{err}");
    assert!(out.starts_with("OK: the team chain holds"), "{out}");
    let cleared = postgres.psql(
        "team",
        "SELECT outcome FROM audit WHERE action = 'claim_cleared'",
    );
    assert!(cleared.contains("held by Reviewer 3"), "{cleared}");
}

#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn a_desk_cut_off_from_the_team_store_keeps_working_and_catches_up() {
    let server = serve(4);
    let postgres = pg::Postgres::start();
    let team = crew(&postgres, "team");
    let (ok, out, err) = run(&mut desk_as(
        &server,
        1,
        &team,
        &["claim", "next", "--json"],
    ));
    assert!(ok, "{err}");
    let case = serde_json::from_str::<Vec<Value>>(&out).unwrap()[0]["caseId"]
        .as_str()
        .unwrap()
        .to_owned();

    postgres.halt();
    // Local work goes on: a reveal and a decision are recorded here, the decision waits.
    let (ok, _, err) = run(&mut desk_as(
        &server,
        1,
        &team,
        &[
            "reveal",
            &case,
            "--field",
            "document-number",
            "--reason",
            "name check",
        ],
    ));
    assert!(ok, "{err}");
    assert!(err.contains("team store offline"), "{err}");
    let (ok, _, err) = run(&mut desk_as(
        &server,
        1,
        &team,
        &["decide", &case, "--verdict", "approve", "--undo-secs", "0"],
    ));
    assert!(ok, "{err}");
    assert!(err.contains("queued and sent once it confirms"), "{err}");
    let (ok, _, err) = run(&mut desk_as(&server, 1, &team, &["team", "status"]));
    assert!(!ok);
    assert!(err.contains("team store offline since"), "{err}");
    assert!(ledger_of(&server, &case).is_empty(), "nothing sent unheld");

    postgres.resume();
    let (ok, _, err) = run(&mut desk_as(&server, 1, &team, &["outbox", "drain"]));
    assert!(ok, "{err}");
    assert_eq!(ledger_of(&server, &case).len(), 1, "sent once, when held");
    let status = team_status(&server, 1, &team);
    assert_eq!(status["auditOnTeamChain"], status["auditHere"], "{status}");
    // The reveal, then the decision queued, sending and applied: all four on both chains.
    assert_eq!(status["auditHere"], 4, "{status}");
    for (who, args) in [
        (1, &["audit", "verify"][..]),
        (9, &["audit", "verify", "--team"][..]),
    ] {
        let (ok, out, err) = run(&mut desk_as(&server, who, &team, args));
        assert!(ok && out.starts_with("OK"), "{args:?}: {out}{err}");
    }
}

#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn four_eyes_a_decline_waits_for_a_second_reviewer_on_another_desk() {
    let server = serve(4);
    let postgres = pg::Postgres::start();
    let team = crew(&postgres, "team");
    let ok = |who: usize, args: &[&str]| {
        let (ok, out, err) = run(&mut desk_as(&server, who, &team, args));
        assert!(ok, "{args:?}: {err}");
        out
    };
    let out = ok(
        9,
        &[
            "team",
            "policy",
            "--four-eyes",
            "decline,approve-with-aml-hit",
        ],
    );
    assert!(
        out.contains("a decline, an approval despite AML hits"),
        "{out}"
    );

    let claimed: Vec<Value> =
        serde_json::from_str(&ok(1, &["claim", "next", "--count", "2", "--json"])).unwrap();
    let (first, second) = (
        claimed[0]["caseId"].as_str().unwrap().to_owned(),
        claimed[1]["caseId"].as_str().unwrap().to_owned(),
    );
    let decline = |case: &str| {
        let out = ok(
            1,
            &[
                "decide",
                case,
                "--verdict",
                "decline",
                "--reason",
                "doc_altered",
                "--comment",
                "Altered",
                "--undo-secs",
                "0",
                "--json",
            ],
        );
        serde_json::from_str::<Value>(&out).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (a1, a2) = (decline(&first), decline(&second));
    let out = ok(1, &["outbox", "drain"]);
    assert!(out.contains("2 wait for a second reviewer"), "{out}");
    assert!(ledger_of(&server, &first).is_empty() && ledger_of(&server, &second).is_empty());

    // Desk 2 sees both; the asker cannot answer their own.
    let pending: Vec<Value> = serde_json::from_str(&ok(2, &["team", "pending", "--json"])).unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0]["requestedBy"], "Reviewer 1 <reviewer1@dhmad.tn>");
    assert_eq!(pending[0]["rule"], "decline");
    let (own, _, err) = run(&mut desk_as(&server, 1, &team, &["team", "confirm", &a1]));
    assert!(!own && err.contains("cannot confirm their own"), "{err}");
    ok(2, &["team", "confirm", &a1, "--note", "Agreed"]);
    ok(
        2,
        &["team", "refuse", &a2, "--note", "The document is fine"],
    );
    let (again, _, err) = run(&mut desk_as(&server, 3, &team, &["team", "confirm", &a2]));
    assert!(
        !again && err.contains("already answered by Reviewer 2"),
        "{err}"
    );

    // Desk 1 sends the confirmed one, once, and ends the refused one unsent.
    let out = ok(1, &["outbox", "drain"]);
    assert!(out.contains("1 applied, 1 rejected"), "{out}");
    assert_eq!(ledger_of(&server, &first).len(), 1);
    assert!(ledger_of(&server, &second).is_empty());
    let outbox: Vec<Value> = serde_json::from_str(&ok(1, &["outbox", "--json"])).unwrap();
    let refused = outbox.iter().find(|a| a["id"] == a2.as_str()).unwrap();
    assert_eq!(refused["state"], "rejected");
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("refused by Reviewer 2 <reviewer2@dhmad.tn>: The document is fine"));
    // Both desks' steps are on the team's chain.
    let out = ok(9, &["audit", "verify", "--team"]);
    assert!(out.starts_with("OK"), "{out}");
    let steps = postgres.psql(
        "team",
        "SELECT action FROM audit WHERE action LIKE 'second_look%' ORDER BY seq",
    );
    let steps = steps
        .split_whitespace()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    for step in [
        "second_look_asked",
        "second_look_confirmed",
        "second_look_refused",
    ] {
        assert!(steps.iter().any(|s| s == step), "{step} in {steps:?}");
    }
}

#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn a_saved_profile_takes_the_team_store_from_flags_and_acts_as_its_member() {
    let server = serve(1);
    let postgres = pg::Postgres::start();
    let team = postgres.team("team");
    let leila = team.member("leila", "Leila Trabelsi", "leila@dhmad.tn", Role::Reviewer);
    save_password(&leila);
    let out = Command::new(DESK)
        .args([
            "claim",
            "--profile",
            "Sandbox",
            "--team-store",
            &leila.url,
            "--reviewer-name",
            "Somebody Else",
            "--reviewer-email",
            "else@dhmad.tn",
            "next",
            "--json",
        ])
        .env("REVIEW_DESK_DATA_DIR", server.data_dir.join("profiled"))
        .env("REVIEW_DESK_SANDBOX_SESSIONS", "3")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The typed reviewer is corrected: the claim is the member's the login belongs to.
    let claimed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claimed[0]["holder"], "Leila Trabelsi <leila@dhmad.tn>");
    let (ok, out, err) = run(Command::new(DESK)
        .args(["team", "whoami", "--team-store", &leila.url])
        .env("REVIEW_DESK_DATA_DIR", server.data_dir.join("profiled")));
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "Leila Trabelsi <leila@dhmad.tn> (leila, reviewer)"
    );
    // A name without an email is refused rather than half applied.
    let out = Command::new(DESK)
        .args([
            "team",
            "--profile",
            "Sandbox",
            "--reviewer-name",
            "Leila",
            "status",
        ])
        .env("REVIEW_DESK_DATA_DIR", server.data_dir.join("profiled"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--reviewer-email"), "{err}");
}

/// A team's VerifyHQ watch list lives in the team store: what one desk imports, another desk's
/// queue holds at its next sync, and a removal by the second is seen by the first. Four desks
/// adding at once lose nothing.
#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn the_verifyhq_watch_list_is_shared_through_the_team_store() {
    let server = serve(60);
    let postgres = pg::Postgres::start();
    let team = crew(&postgres, "team");
    // The users whose VerifyHQ verifications wait in a desk's queue (the queue shows who only
    // masked: VerifyHQ itself says whose each verification is).
    let user_of = |case_id: &str| -> String {
        let id = case_id.trim_start_matches("verifyhq:");
        let out = Command::new("curl")
            .args(["-s", "-H"])
            .arg(format!("X-API-Key: {}", server.env["VERIFYHQ_API_KEY"]))
            .arg(format!(
                "{}/verifications/identity/{id}",
                server.env["VERIFYHQ_BASE_URL"]
            ))
            .output()
            .unwrap();
        let verification: Value = serde_json::from_slice(&out.stdout).unwrap();
        verification["userId"].as_str().unwrap().to_owned()
    };
    let verifyhq_cases = |who: usize| -> Vec<String> {
        let (ok, out, err) = run(&mut desk_as(&server, who, &team, &["queue", "--json"]));
        assert!(ok, "{err}");
        common::queue_rows(&out)
            .iter()
            .filter_map(|i| i["caseId"].as_str())
            .filter(|c| c.starts_with("verifyhq:"))
            .map(user_of)
            .collect()
    };
    assert!(verifyhq_cases(1).is_empty(), "a new team watches nobody");

    let file = server.data_dir.join("watch.txt");
    std::fs::create_dir_all(&server.data_dir).unwrap();
    std::fs::write(&file, "vhq_user_0001\nvhq_user_0002\nvhq_user_0003\n").unwrap();
    let (ok, _, err) = run(&mut desk_as(
        &server,
        0,
        &team,
        &["watch", "import", file.to_str().unwrap()],
    ));
    assert!(ok && err.contains("the team now watches 3"), "{err}");
    let seen_by_other = verifyhq_cases(1);
    assert!(seen_by_other.len() >= 2, "{seen_by_other:?}");

    let racers: Vec<_> = (4..8)
        .map(|u| {
            desk_as(
                &server,
                u,
                &team,
                &["watch", "add", &format!("vhq_user_{u:04}")],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for racer in racers {
        let out = racer.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (ok, _, err) = run(&mut desk_as(
        &server,
        1,
        &team,
        &["watch", "remove", "vhq_user_0001"],
    ));
    assert!(ok, "{err}");
    let (ok, out, err) = run(&mut desk_as(&server, 0, &team, &["watch", "--json"]));
    assert!(ok, "{err}");
    let mut list: Vec<String> = serde_json::from_str(&out).unwrap();
    list.sort();
    assert_eq!(
        list,
        [
            "vhq_user_0002",
            "vhq_user_0003",
            "vhq_user_0004",
            "vhq_user_0005",
            "vhq_user_0006",
            "vhq_user_0007"
        ]
    );
    let queued = verifyhq_cases(0);
    assert!(queued.len() >= 4, "{queued:?}");
    assert!(queued.iter().all(|u| list.contains(u)), "{queued:?}");
}

/// A support member's desk: lookups yes; a decision, a blocklist change or an AML review is
/// refused before anything is queued, whatever the typed profile says. A password in
/// `PGPASSWORD` or `~/.pgpass` is never used; no member's password lands in a desk's files.
#[test]
#[ignore = "needs a desktop session with an unlocked Secret Service (the README test command provides one)"]
fn support_on_a_team_queues_nothing_and_passwords_stay_in_the_credential_store() {
    let server = serve(3);
    let postgres = pg::Postgres::start();
    let team = postgres.team("team");
    let nadia = team.member("nadia", "Nadia Support", "nadia@dhmad.tn", Role::Support);
    save_password(&nadia);
    let crew = Crew {
        members: vec![nadia.clone()],
    };
    let (ok, out, err) = run(&mut desk_as(&server, 0, &crew, &["queue", "--json"]));
    assert!(ok, "{err}");
    let case = common::queue_rows(&out)[0]["caseId"]
        .as_str()
        .unwrap()
        .to_owned();
    for (args, what) in [
        (
            vec!["decide", &case, "--verdict", "approve", "--undo-secs", "0"],
            "decide a case",
        ),
        (
            vec!["blocklist", "add", &case, "--email", "--comment", "Fraud"],
            "change a blocklist",
        ),
        (
            vec!["aml", &case, "--status", "Approved", "--comment", "Cleared"],
            "review an AML screening",
        ),
    ] {
        let (ok, _, err) = run(&mut desk_as(&server, 0, &crew, &args));
        assert!(!ok, "{args:?} went through");
        assert!(
            err.contains(&format!("on this team you are support: you may not {what}")),
            "{err}"
        );
    }
    let (ok, out, err) = run(&mut desk_as(&server, 0, &crew, &["outbox", "--json"]));
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), 0);
    assert!(ledger_of(&server, &case).is_empty());

    // A login with no password in the credential store: libpq's places are not read.
    let stranger = team.reviewer("stranger");
    let home = server.data_dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:*:stranger:{}\n", stranger.password)).unwrap();
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let (ok, _, err) = run(Command::new(DESK)
        .args(["team", "whoami", "--team-store", &stranger.url])
        .env("HOME", &home)
        .env("PGPASSWORD", &stranger.password)
        .env("PGPASSFILE", &pgpass));
    assert!(!ok, "signed in with a password from the environment");
    assert!(err.contains("refused the password for stranger"), "{err}");

    // Passwords are in no file the desks wrote, nor in the server's log.
    let mut files = vec![server.data_dir.clone()];
    while let Some(at) = files.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.push(path);
            } else if path != pgpass {
                let bytes = std::fs::read(&path).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                for secret in [&nadia.password, &stranger.password, &team.owner_password] {
                    assert!(
                        !text.contains(secret.as_str()),
                        "{} holds a password",
                        path.display()
                    );
                }
            }
        }
    }
    let log = postgres.log();
    assert!(!log.contains(&nadia.password) && !log.contains(&team.owner_password));
}
