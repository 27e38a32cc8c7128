//! One contract suite per store port, passed by every backend of it: the outbox by the desk's
//! SQLite file and desk-core's in-memory fake, the audit log (and the lead's search of it) by
//! SQLite and the team's PostgreSQL store (a real server, started here); plus what only a
//! shared log faces: many appenders at once must still seal one valid chain.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use chrono::{TimeZone, Utc};
use desk_core::audit::AuditEntry;
use desk_core::audit::{self, AuditDraft};
use desk_core::audit_view::{AuditFilter, AuditQuery, AuditSearch};
use desk_core::model::case::Verdict;
use desk_core::outbox::{Action, ActionBody, ActionKind, ActionState};
use desk_core::ports::{AuditLog, OutboxStore, StoreError};
use desk_store::{PgStore, SqliteStore};

fn action(n: u32, case: u32, kind: ActionKind) -> Action {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    Action {
        id: format!("act-{n}"),
        token: format!("{n:012x}"),
        case_id: format!("00000000-0000-4000-8000-{case:012}"),
        kind,
        body: ActionBody::Decision(desk_core::model::request::DecisionRequest {
            case_id: format!("00000000-0000-4000-8000-{case:012}"),
            verdict: Verdict::Decline,
            comment: Some("Altered document — وثيقة معدلة".into()),
            notify: None,
            redo: vec![],
            reason_id: Some("doc_altered".into()),
        }),
        reason_id: Some("doc_altered".into()),
        comment: Some("Altered document — وثيقة معدلة".into()),
        actor: "Amira Ben Salah <amira@dhmad.tn>".into(),
        state: ActionState::Queued,
        attempts: 0,
        unknown_outcome: false,
        due_at: at,
        created_at: at,
        updated_at: at,
        detail: None,
        waiting_offline: false,
        four_eyes: None,
    }
}

fn draft(what: &str, case_id: &str) -> AuditDraft {
    AuditDraft {
        at: "2026-12-01T09:00:00.000000Z".into(),
        actor: "Amira Ben Salah <amira@dhmad.tn>".into(),
        action: what.into(),
        case_id: case_id.into(),
        app_version: "0.1.0".into(),
        ..Default::default()
    }
}

/// What every outbox must do (with the audit entry each write appends).
async fn outbox_suite(j: &impl OutboxStore) {
    let first = action(1, 1, ActionKind::Decline);
    let entry = j
        .enqueue(&first, &draft("decline", &first.case_id))
        .await
        .unwrap();
    assert_eq!(entry.seq, 1);
    assert_eq!(j.action("act-1").await.unwrap(), Some(first.clone()));

    // One open decision per case: the second is refused and names the first.
    let twice = action(2, 1, ActionKind::Approve);
    assert_eq!(
        j.enqueue(&twice, &draft("approve", &twice.case_id)).await,
        Err(StoreError::AlreadyPending("act-1".into()))
    );
    // Refused means not written: no action, no audit entry.
    assert_eq!(j.action("act-2").await.unwrap(), None);
    assert_eq!(j.audit_max_seq().await.unwrap(), Some(1));
    // A blocklist change is not a decision: it may sit beside it.
    let block = action(3, 1, ActionKind::BlocklistAdd);
    j.enqueue(&block, &draft("blocklist_add", &block.case_id))
        .await
        .unwrap();

    // Transitions only from the state they expect.
    let sending = Action {
        state: ActionState::Sending,
        attempts: 1,
        ..first.clone()
    };
    j.transition(
        ActionState::Queued,
        &sending,
        &draft("decline", &first.case_id),
    )
    .await
    .unwrap();
    assert_eq!(
        j.transition(
            ActionState::Queued,
            &sending,
            &draft("decline", &first.case_id)
        )
        .await,
        Err(StoreError::Stale("queued".into()))
    );
    let applied = Action {
        state: ActionState::Applied,
        ..sending.clone()
    };
    j.transition(
        ActionState::Sending,
        &applied,
        &draft("decline", &first.case_id),
    )
    .await
    .unwrap();
    // Closed: the case may take a new decision.
    j.enqueue(&twice, &draft("approve", &twice.case_id))
        .await
        .unwrap();

    let open: Vec<String> = j
        .actions(true)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(open, vec!["act-3", "act-2"], "open ones, in creation order");
    assert_eq!(j.actions(false).await.unwrap().len(), 3);
    // Counted by state (the status bar's figures), without loading the actions.
    let mut counts = Vec::new();
    for state in [
        ActionState::Queued,
        ActionState::Sending,
        ActionState::Applied,
    ] {
        counts.push(j.count_actions(state).await.unwrap());
    }
    assert_eq!(counts, [2, 0, 1]);
    assert_eq!(
        j.count_actions(ActionState::NeedsAttention).await.unwrap(),
        0
    );

    j.append_audit(&draft("reveal", "00000000-0000-4000-8000-000000000009"))
        .await
        .unwrap();
    let trail = j.case_audit(&first.case_id).await.unwrap();
    assert_eq!(
        trail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(trail[0].draft.comment, None);
    let page = j.audit_page(2, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    let report = audit::verify(j, None).await.unwrap();
    assert!(report.ok && report.count == 6, "{report:?}");
}

/// What every audit log must do: append in seq order, read by case and by page, verify.
async fn audit_suite(j: &impl AuditLog) {
    let case = "00000000-0000-4000-8000-000000000001";
    for what in ["decline", "decline", "blocklist_add", "decline", "approve"] {
        j.append_audit(&draft(what, case)).await.unwrap();
    }
    j.append_audit(&draft("reveal", "00000000-0000-4000-8000-000000000009"))
        .await
        .unwrap();
    assert_eq!(j.audit_max_seq().await.unwrap(), Some(6));
    let trail = j.case_audit(case).await.unwrap();
    assert_eq!(
        trail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(trail[2].draft.action, "blocklist_add");
    let page = j.audit_page(2, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    let report = audit::verify(j, None).await.unwrap();
    assert!(report.ok && report.count == 6, "{report:?}");
}

/// The lead's audit search, on a fresh log: every filter, paging newest first, and a set of
/// cases (a resolved warning code).
async fn search_suite(j: &(impl AuditLog + AuditSearch)) {
    let people = ["Amira <amira@dhmad.tn>", "Youssef <youssef@dhmad.tn>"];
    for n in 0..60u32 {
        j.append_audit(&AuditDraft {
            at: format!("2026-12-{:02}T09:00:00.000000Z", 1 + n % 3),
            actor: people[(n % 2) as usize].into(),
            action: ["approve", "decline", "reveal"][(n % 3) as usize].into(),
            case_id: format!("case-{}", n % 5),
            to_state: (n % 3 != 2).then(|| ["applied", "rejected"][(n % 4 / 2) as usize].into()),
            reason_id: (n % 3 == 1).then(|| "doc_altered".into()),
            app_version: "0.1.0".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let all: Vec<AuditEntry> = j.audit_page(0, 1000).await.unwrap();
    let run = |filter: AuditFilter, among: Option<Vec<String>>| {
        let want: Vec<i64> = all
            .iter()
            .rev()
            .filter(|e| filter.admits(e))
            .filter(|e| {
                among
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&e.draft.case_id))
            })
            .map(|e| e.seq)
            .collect();
        (
            AuditQuery {
                filter,
                among,
                from_seq: None,
            },
            want,
        )
    };
    // A window of the log: from seq 25 on, one reviewer's approvals.
    let (mut windowed, want) = run(
        AuditFilter {
            actor: Some(people[0].into()),
            action: Some("approve".into()),
            ..Default::default()
        },
        None,
    );
    windowed.from_seq = Some(25);
    let windowed = (windowed, want.into_iter().filter(|s| *s >= 25).collect());
    let cases = [
        windowed,
        run(AuditFilter::default(), None),
        run(
            AuditFilter {
                actor: Some(people[1].into()),
                ..Default::default()
            },
            None,
        ),
        run(
            AuditFilter {
                action: Some("decline".into()),
                reason_id: Some("doc_altered".into()),
                ..Default::default()
            },
            None,
        ),
        run(
            AuditFilter {
                to_state: Some("rejected".into()),
                ..Default::default()
            },
            None,
        ),
        run(
            AuditFilter {
                case_id: Some("case-3".into()),
                ..Default::default()
            },
            None,
        ),
        run(
            AuditFilter {
                from: Some("2026-12-02T00:00:00.000000Z".into()),
                until: Some("2026-12-03T00:00:00.000000Z".into()),
                ..Default::default()
            },
            None,
        ),
        run(
            AuditFilter::default(),
            Some(vec!["case-1".into(), "case-4".into()]),
        ),
        run(AuditFilter::default(), Some(vec![])),
        run(
            AuditFilter {
                actor: Some("Nobody <n@dhmad.tn>".into()),
                ..Default::default()
            },
            None,
        ),
    ];
    for (query, want) in cases {
        // Page by 7, newest first, each page starting below the last one's oldest entry.
        let mut got = Vec::new();
        let mut before = None;
        loop {
            let page = j.audit_search(&query, before, 7).await.unwrap();
            got.extend(page.iter().map(|e| e.seq));
            if page.len() < 7 {
                break;
            }
            before = page.last().map(|e| e.seq);
        }
        assert_eq!(got, want, "{query:?}");
    }
    let actors = j.audit_actors().await.unwrap();
    assert_eq!(actors, people.map(String::from).to_vec());
}

/// Appenders racing on one journal: every entry lands once and the chain stays whole.
async fn racing_appenders(j: &(impl AuditLog + Clone + 'static), tasks: usize, each: usize) {
    let mut handles = Vec::new();
    for t in 0..tasks {
        let j = j.clone();
        handles.push(tokio::spawn(async move {
            for n in 0..each {
                j.append_audit(&draft("reveal", &format!("case-{t}-{n}")))
                    .await
                    .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let report = audit::verify(j, None).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.count, (tasks * each) as u64 + 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outbox_and_audit_suites_pass_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("desk-suite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(&dir.join("desk.sqlite")).await.unwrap();
    outbox_suite(&store).await;
    audit_suite(&SqliteStore::open(&dir.join("log.sqlite")).await.unwrap()).await;
    racing_appenders(&store, 4, 25).await;
    let fresh = SqliteStore::open(&dir.join("search.sqlite")).await.unwrap();
    search_suite(&fresh).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outbox_suite_passes_on_the_in_memory_fake() {
    outbox_suite(&desk_core::testing::MemoryStore::default()).await;
    audit_suite(&desk_core::testing::MemoryStore::default()).await;
}

/// The team's chain as desks write it: each entry on a desk's own SQLite log first, then
/// copied by the team store's function; read back from the team store.
#[derive(Clone)]
struct ThroughDesk {
    local: SqliteStore,
    origin: String,
    team: PgStore,
}

impl ThroughDesk {
    async fn new(file: &std::path::Path, team: PgStore) -> Self {
        let local = SqliteStore::open(file).await.unwrap();
        let origin = local.desk_id().await.unwrap();
        Self {
            local,
            origin,
            team,
        }
    }
}

impl AuditLog for ThroughDesk {
    async fn append_audit(&self, audit: &AuditDraft) -> Result<AuditEntry, StoreError> {
        use desk_core::team::TeamLog;
        let entry = self.local.append_audit(audit).await?;
        let done = self.team.mirrored(&self.origin).await?;
        let page = self.local.audit_page(done, 500).await?;
        self.team.mirror(&self.origin, &page).await?;
        Ok(entry)
    }
    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.team.audit_page(after, limit).await
    }
    async fn audit_max_seq(&self) -> Result<Option<i64>, StoreError> {
        self.team.audit_max_seq().await
    }
    async fn case_audit(&self, case_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.team.case_audit(case_id).await
    }
}

impl AuditSearch for ThroughDesk {
    async fn audit_search(
        &self,
        query: &AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.team.audit_search(query, before, limit).await
    }
    async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        self.team.audit_actors().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_audit_suite_passes_on_postgresql() {
    use desk_core::profile::Role;
    let dir = std::env::temp_dir().join(format!("desk-pg-suite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let server = common::Postgres::start();
    let team = server.team("suite");
    let (amira, youssef) = (
        team.named("amira", Role::TeamLead),
        team.named("youssef", Role::TeamLead),
    );
    let store = team.store(&amira).await;
    let desk = ThroughDesk::new(&dir.join("a.sqlite"), store.clone()).await;
    audit_suite(&desk).await;
    racing_appenders(&desk, 8, 25).await;
    let search = server.team("search");
    let lead = search.named("lead", Role::TeamLead);
    search_suite(&ThroughDesk::new(&dir.join("s.sqlite"), search.store(&lead).await).await).await;

    // A second desk, another member's, extends the same chain.
    let other = ThroughDesk::new(&dir.join("b.sqlite"), team.store(&youssef).await).await;
    other
        .append_audit(&draft("reveal", "elsewhere"))
        .await
        .unwrap();
    let report = audit::verify(&store, None).await.unwrap();
    assert!(report.ok && report.count == 207, "{report:?}");
    // Nothing reaches the team's chain but a desk's copy.
    let direct = store.append_audit(&draft("reveal", "straight")).await;
    assert!(direct
        .unwrap_err()
        .to_string()
        .contains("copying a desk's own log"));
    let _ = std::fs::remove_dir_all(&dir);
}
