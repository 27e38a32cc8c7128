//! `desk watch`: the VerifyHQ users whose verifications waiting in MANUAL_REVIEW join the queue
//! (VerifyHQ cannot list every waiting verification, only a user's).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use desk_core::watch::{added, parse_import, removed};

use crate::{emit, Failure};

#[derive(Subcommand)]
pub enum WatchCommand {
    /// The watched user ids, in the order they were added (the default).
    List,
    /// Watch these users (DHMAD user ids, as VerifyHQ knows them).
    Add {
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// Stop watching these users.
    Remove {
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// Watch the users of a file: one id per line, or the first cell of each CSV row; blank
    /// lines, `#` comments and a `userId` header are skipped. Nothing changes if a line is not
    /// an id, unless --skip-bad.
    Import {
        file: PathBuf,
        /// Import the good ids even if some lines are not one (they are listed).
        #[arg(long)]
        skip_bad: bool,
    },
}

pub fn run(
    open: &desk_profiles::OpenDesk,
    command: WatchCommand,
    json: bool,
) -> Result<(), Failure> {
    let now = open
        .watched
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (next, note) = match command {
        WatchCommand::List => (None, String::new()),
        WatchCommand::Add { users } => (Some(added(&now, &users)?), String::new()),
        WatchCommand::Remove { users } => {
            let unknown: Vec<&String> = users.iter().filter(|u| !now.contains(u)).collect();
            let mut note = String::new();
            for user in unknown {
                let _ = writeln!(note, "{user} was not watched");
            }
            (Some(removed(&now, &users)), note)
        }
        WatchCommand::Import { file, skip_bad } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{} is not UTF-8 text", file.display()))?;
            let import = parse_import(&text);
            let mut note = String::new();
            for (line, text) in &import.rejected {
                let _ = writeln!(note, "line {line}: {text:?} is not a VerifyHQ user id");
            }
            if !import.rejected.is_empty() && !skip_bad {
                return Err(format!(
                    "{note}nothing imported: {} line(s) are not user ids (--skip-bad imports the rest)",
                    import.rejected.len()
                )
                .into());
            }
            (Some(added(&now, &import.users)?), note)
        }
    };
    let list = match next {
        Some(next) => {
            desk_profiles::set_watched(open, next.clone())?;
            if !note.is_empty() {
                eprint!("{note}");
            }
            eprintln!(
                "the desk now watches {} VerifyHQ user(s) (was {})",
                next.len(),
                now.len()
            );
            next
        }
        None => now,
    };
    if json {
        emit(&serde_json::to_string_pretty(&list)?)
    } else if list.is_empty() {
        emit("no VerifyHQ users are watched")
    } else {
        emit(&list.join("\n"))
    }
}
