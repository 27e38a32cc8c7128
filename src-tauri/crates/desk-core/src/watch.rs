//! The VerifyHQ users the desk watches. VerifyHQ's API (seed 004) has no list of every
//! verification waiting in MANUAL_REVIEW, only a user's verifications, so the queue holds the
//! waiting verifications of the users named here: imported from a file, or added by hand.

use std::future::Future;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::desk::Desk;
use crate::model::request::valid_provider_id;
use crate::ports::{CaseSource, Clock, Store, StoreError};

/// The most users one desk watches (each costs a read per sync).
pub const MAX_WATCHED: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    #[error("{0:?} is not a VerifyHQ user id (1 to 64 letters, digits, _ or -)")]
    BadUserId(String),
    #[error(
        "the watch list would hold {0} users; at most {MAX_WATCHED} (each is read on every sync)"
    )]
    TooMany(usize),
    /// An import with lines that are not user ids, when they were not to be skipped.
    #[error("nothing imported: {} line(s) are not VerifyHQ user ids ({})", .0.len(), lines(.0))]
    BadLines(Vec<(usize, String)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn lines(bad: &[(usize, String)]) -> String {
    let mut shown: Vec<String> = bad
        .iter()
        .take(5)
        .map(|(n, text)| format!("line {n}: {text:?}"))
        .collect();
    if bad.len() > 5 {
        shown.push(format!("and {} more", bad.len() - 5));
    }
    shown.join(", ")
}

/// Where a watch list is kept: one desk's own file, or the team store every desk of the team
/// reads.
pub trait WatchStore: Send + Sync {
    /// The watched user ids, in the order they were added.
    fn watched(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// Adds `add` (those not watched yet) and drops `remove`, as one change by `by`; the list
    /// after it. Never more than `MAX_WATCHED` users.
    fn change_watched(
        &self,
        add: &[String],
        remove: &[String],
        by: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

/// A change a reviewer or lead asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WatchChange {
    Add {
        users: Vec<String>,
    },
    Remove {
        users: Vec<String>,
    },
    /// A file's text: one id per line or the first cell of CSV rows (see `parse_import`).
    Import {
        text: String,
        skip_bad: bool,
    },
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WatchReport {
    pub users: Vec<String>,
    #[ts(type = "number")]
    pub before: u32,
    /// Users this change added (not watched before) and dropped (watched before).
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Lines skipped by an import, ids asked to be removed that were not watched.
    pub notes: Vec<String>,
}

/// Applies a change to the watch list kept in `store`: ids are checked first, an import with
/// bad lines changes nothing unless they are to be skipped.
pub async fn change<W: WatchStore>(
    store: &W,
    change: WatchChange,
    by: &str,
) -> Result<WatchReport, WatchError> {
    let now = store.watched().await?;
    let mut notes = Vec::new();
    let (add, remove) = match change {
        WatchChange::Add { users } => (users, vec![]),
        WatchChange::Remove { users } => {
            let users: Vec<String> = users.iter().map(|u| u.trim().to_owned()).collect();
            for user in users.iter().filter(|u| !now.contains(u)) {
                notes.push(format!("{user} was not watched"));
            }
            (vec![], users)
        }
        WatchChange::Import { text, skip_bad } => {
            let import = parse_import(&text);
            if !import.rejected.is_empty() && !skip_bad {
                return Err(WatchError::BadLines(import.rejected));
            }
            for (line, text) in &import.rejected {
                notes.push(format!(
                    "line {line}: {text:?} is not a VerifyHQ user id, skipped"
                ));
            }
            (import.users, vec![])
        }
    };
    // Checked here for a clear answer; the store checks the bound again as it writes.
    let add: Vec<String> = added(&[], &add)?;
    applied(&now, &add, &remove)?;
    let users = store.change_watched(&add, &remove, by).await?;
    let removed = remove
        .iter()
        .map(|u| u.trim().to_owned())
        .filter(|u| now.contains(u))
        .collect();
    Ok(WatchReport {
        users,
        before: now.len() as u32,
        added: add.into_iter().filter(|u| !now.contains(u)).collect(),
        removed,
        notes,
    })
}

/// The most user ids an audit entry names; the rest are counted.
const NAMED_IN_AUDIT: usize = 20;

fn named(users: &[String]) -> String {
    let mut text = users
        .iter()
        .take(NAMED_IN_AUDIT)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if users.len() > NAMED_IN_AUDIT {
        text.push_str(&format!(" and {} more", users.len() - NAMED_IN_AUDIT));
    }
    text
}

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Changes the watch list kept in `store` as this desk's reviewer, and records in the audit
    /// log who added or dropped which users (the list decides which cases reach the queue). A
    /// change that changed nothing is not recorded.
    pub async fn change_watch<W: WatchStore>(
        &self,
        store: &W,
        request: WatchChange,
    ) -> Result<WatchReport, WatchError> {
        let report = change(store, request, &self.reviewer.identity()).await?;
        if report.added.is_empty() && report.removed.is_empty() {
            return Ok(report);
        }
        let mut draft = self.draft("watch_changed", "");
        let mut said = Vec::new();
        if !report.added.is_empty() {
            said.push(format!("added {}", named(&report.added)));
        }
        if !report.removed.is_empty() {
            said.push(format!("dropped {}", named(&report.removed)));
        }
        draft.comment = Some(said.join("; "));
        draft.outcome = Some(format!(
            "{} VerifyHQ user(s) watched (was {})",
            report.users.len(),
            report.before
        ));
        self.store.append_audit(&draft).await?;
        Ok(report)
    }
}

/// What an import found: the user ids, and the lines that were not one (line number, text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Import {
    pub users: Vec<String>,
    pub rejected: Vec<(usize, String)>,
}

/// Reads a file of user ids: one per line, or the first cell of a CSV row; blank lines, `#`
/// comments and a `userId` header are skipped.
pub fn parse_import(text: &str) -> Import {
    let mut out = Import::default();
    for (n, line) in text.lines().enumerate() {
        let cell = line
            .split([',', ';', '\t'])
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        if cell.is_empty() || cell.starts_with('#') || cell.eq_ignore_ascii_case("userid") {
            continue;
        }
        if valid_provider_id(cell) {
            out.users.push(cell.to_owned());
        } else {
            out.rejected
                .push((n + 1, cell.chars().take(64).collect::<String>()));
        }
    }
    out
}

/// `list` with `add` appended (each once, in order) — or an error naming the first bad id.
pub fn added(list: &[String], add: &[String]) -> Result<Vec<String>, WatchError> {
    let mut next = list.to_vec();
    for user in add {
        let user = user.trim();
        if !valid_provider_id(user) {
            return Err(WatchError::BadUserId(user.chars().take(64).collect()));
        }
        if !next.iter().any(|u| u == user) {
            next.push(user.to_owned());
        }
    }
    if next.len() > MAX_WATCHED {
        return Err(WatchError::TooMany(next.len()));
    }
    Ok(next)
}

/// `list` without `remove`, then with `add` appended: a watch store's whole change.
pub fn applied(
    list: &[String],
    add: &[String],
    remove: &[String],
) -> Result<Vec<String>, WatchError> {
    added(&removed(list, remove), add)
}

/// `list` without `remove`.
pub fn removed(list: &[String], remove: &[String]) -> Vec<String> {
    list.iter()
        .filter(|u| !remove.iter().any(|r| r.trim() == u.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A watch list in memory, as a desk's file keeps it.
    struct Memory(std::sync::Mutex<Vec<String>>);

    impl WatchStore for Memory {
        async fn watched(&self) -> Result<Vec<String>, StoreError> {
            Ok(self.0.lock().unwrap().clone())
        }
        async fn change_watched(
            &self,
            add: &[String],
            remove: &[String],
            _by: &str,
        ) -> Result<Vec<String>, StoreError> {
            let mut list = self.0.lock().unwrap();
            *list = applied(&list, add, remove).map_err(|e| StoreError::Failed(e.to_string()))?;
            Ok(list.clone())
        }
    }

    #[tokio::test]
    async fn changes_check_ids_first_and_an_import_with_bad_lines_changes_nothing() {
        let store = Memory(Default::default());
        let by = "Amira <amira@dhmad.tn>";
        let text = "vhq_user_0001\nnot an id!\nvhq_user_0002\n".to_owned();
        let refused = change(
            &store,
            WatchChange::Import {
                text: text.clone(),
                skip_bad: false,
            },
            by,
        )
        .await;
        assert!(
            matches!(&refused, Err(WatchError::BadLines(b)) if b[0].0 == 2),
            "{refused:?}"
        );
        assert!(refused
            .unwrap_err()
            .to_string()
            .contains("line 2: \"not an id!\""));
        assert!(store.watched().await.unwrap().is_empty());
        let done = change(
            &store,
            WatchChange::Import {
                text,
                skip_bad: true,
            },
            by,
        )
        .await
        .unwrap();
        assert_eq!((done.users.len(), done.before, done.notes.len()), (2, 0, 1));
        let bad = change(
            &store,
            WatchChange::Add {
                users: vec!["ok_1".into(), "no way".into()],
            },
            by,
        )
        .await;
        assert!(matches!(bad, Err(WatchError::BadUserId(_))));
        assert_eq!(store.watched().await.unwrap().len(), 2, "nothing added");
        let gone = change(
            &store,
            WatchChange::Remove {
                users: vec!["vhq_user_0001".into(), "ghost".into()],
            },
            by,
        )
        .await
        .unwrap();
        assert_eq!(gone.users, ["vhq_user_0002"]);
        assert_eq!(gone.removed, ["vhq_user_0001"]);
        assert_eq!(gone.notes, ["ghost was not watched"]);
    }

    #[tokio::test]
    async fn a_desk_audits_who_added_and_dropped_which_users_and_not_a_change_of_nothing() {
        use crate::ports::AuditLog;
        let d = crate::testing::desk(0);
        let store = Memory(Default::default());
        let many: Vec<String> = (0..25).map(|i| format!("vhq_user_{i:04}")).collect();
        let report = d
            .change_watch(
                &store,
                WatchChange::Add {
                    users: many.clone(),
                },
            )
            .await
            .unwrap();
        assert_eq!((report.added.len(), report.before), (25, 0));
        let again = d
            .change_watch(
                &store,
                WatchChange::Add {
                    users: many[..2].to_vec(),
                },
            )
            .await
            .unwrap();
        assert!(again.added.is_empty(), "already watched");
        d.change_watch(
            &store,
            WatchChange::Remove {
                users: vec!["vhq_user_0003".into()],
            },
        )
        .await
        .unwrap();
        let log = d.store.audit_page(0, 100).await.unwrap();
        let watch: Vec<_> = log
            .iter()
            .filter(|e| e.draft.action == "watch_changed")
            .collect();
        assert_eq!(watch.len(), 2, "the change of nothing is not recorded");
        assert_eq!(watch[0].draft.actor, d.reviewer.identity());
        let added = watch[0].draft.comment.as_deref().unwrap();
        assert!(
            added.starts_with("added vhq_user_0000, vhq_user_0001")
                && added.ends_with(" and 5 more"),
            "{added}"
        );
        assert_eq!(
            watch[1].draft.comment.as_deref(),
            Some("dropped vhq_user_0003")
        );
        assert_eq!(
            watch[1].draft.outcome.as_deref(),
            Some("24 VerifyHQ user(s) watched (was 25)")
        );
    }

    #[test]
    fn an_import_reads_lines_and_csv_and_names_what_it_refused() {
        let text = "userId,name\nvhq_user_0001,Ann\n\n# a comment\n\"vhq_user_0002\"\nbad id/x\nvhq_user_0001\n";
        let got = parse_import(text);
        assert_eq!(
            got.users,
            ["vhq_user_0001", "vhq_user_0002", "vhq_user_0001"]
        );
        assert_eq!(got.rejected, vec![(6, "bad id/x".to_owned())]);
        let list = added(&[], &got.users).unwrap();
        assert_eq!(list, ["vhq_user_0001", "vhq_user_0002"], "each once");
        assert_eq!(
            added(&list, &["../etc".into()]),
            Err(WatchError::BadUserId("../etc".into()))
        );
        assert_eq!(removed(&list, &["vhq_user_0001".into()]), ["vhq_user_0002"]);
        let many: Vec<String> = (0..=MAX_WATCHED).map(|i| format!("u{i}")).collect();
        assert_eq!(added(&[], &many), Err(WatchError::TooMany(MAX_WATCHED + 1)));
    }
}
