//! The VerifyHQ users the desk watches. VerifyHQ's API (seed 004) has no list of every
//! verification waiting in MANUAL_REVIEW, only a user's verifications, so the queue holds the
//! waiting verifications of the users named here: imported from a file, or added by hand.

use crate::provider::valid_verifyhq_id;

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
        if valid_verifyhq_id(cell) {
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
        if !valid_verifyhq_id(user) {
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
