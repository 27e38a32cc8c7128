//! `desk watch`: the VerifyHQ users whose verifications waiting in MANUAL_REVIEW join the queue
//! (VerifyHQ cannot list every waiting verification, only a user's).

use std::path::PathBuf;

use clap::Subcommand;
use desk_core::watch::{WatchChange, WatchStore};

use crate::output::emit;
use crate::Failure;

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

pub async fn run(
    open: &desk_profiles::OpenDesk,
    command: WatchCommand,
    json: bool,
) -> Result<(), Failure> {
    let change = match command {
        WatchCommand::List => None,
        WatchCommand::Add { users } => Some(WatchChange::Add { users }),
        WatchCommand::Remove { users } => Some(WatchChange::Remove { users }),
        WatchCommand::Import { file, skip_bad } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{} is not UTF-8 text", file.display()))?;
            Some(WatchChange::Import { text, skip_bad })
        }
    };
    let list = match change {
        Some(change) => {
            let report = open.desk.change_watch(&open.watch, change).await?;
            for note in &report.notes {
                eprintln!("{note}");
            }
            eprintln!(
                "the {} now watches {} VerifyHQ user(s) (was {})",
                if open.watch.shared() { "team" } else { "desk" },
                report.users.len(),
                report.before
            );
            report.users
        }
        None => open.watch.watched().await?,
    };
    if json {
        emit(&serde_json::to_string_pretty(&list)?)
    } else if list.is_empty() {
        emit("no VerifyHQ users are watched")
    } else {
        emit(&list.join("\n"))
    }
}
