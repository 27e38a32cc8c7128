//! `desk profile`: the saved profiles, and the app's "Test connection" from the terminal.

use clap::Subcommand;

use crate::connect::{flag_connection, DiditArgs};
use crate::Failure;

#[derive(Subcommand)]
pub enum ProfileCommand {
    /// Every saved profile: name, kind, role, reviewer and the APIs it uses (the active one
    /// marked).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Asks each API the profile (or the flags) use one cheap question, as the app's "Test
    /// connection" does; exits non-zero when an API it has a key for did not answer.
    Test {
        #[command(flatten)]
        didit: Box<DiditArgs>,
        #[arg(long)]
        json: bool,
    },
}

/// `desk profile list|test`.
pub async fn run(command: ProfileCommand) -> Result<(), Failure> {
    let files = desk_profiles::ProfileFiles::from_environment();
    let keystore = desk_profiles::keystore();
    match command {
        ProfileCommand::List { json } => {
            let book = files.load();
            if json {
                println!("{}", serde_json::to_string_pretty(&book)?);
                return Ok(());
            }
            for p in &book.profiles {
                let mut apis = Vec::new();
                if p.kind == desk_core::profile::ProfileKind::Sandbox {
                    apis.push("the built-in sandbox".to_owned());
                }
                apis.extend(p.didit_url.iter().map(|u| format!("Didit {u}")));
                apis.extend(p.verifyhq_url.iter().map(|u| format!("VerifyHQ {u}")));
                if !p.dhmad_url.is_empty() {
                    apis.push(format!("DHMAD {}", p.dhmad_url));
                }
                apis.extend(p.team_store.iter().map(|t| format!("team store {t}")));
                println!(
                    "{} {} ({:?}, {:?}) · {} <{}> · {}",
                    if p.name == book.active { "*" } else { " " },
                    desk_core::privacy::shown(&p.name),
                    p.kind,
                    p.role,
                    desk_core::privacy::shown(&p.reviewer_name),
                    desk_core::privacy::shown(&p.reviewer_email),
                    apis.join(", ")
                );
            }
            Ok(())
        }
        ProfileCommand::Test { didit, json } => {
            let connection = match &didit.profile {
                Some(name) => {
                    let book = files.load();
                    let profile = book.get(name)?;
                    let knobs = desk_profiles::SandboxKnobs::from_environment();
                    desk_profiles::connect(profile, &keystore, &knobs).await?
                }
                None => flag_connection(*didit, &keystore)?.1,
            };
            let dhmad_keyed = connection.dhmad.is_some();
            let view = desk_profiles::test_connection(&connection).await.view();
            let failed = view
                .checks
                .iter()
                .any(|c| !c.ok && (c.api != "DHMAD" || dhmad_keyed));
            if json {
                println!("{}", serde_json::to_string_pretty(&view.checks)?);
            } else {
                for check in &view.checks {
                    match check.ok {
                        true => println!("ok    {}", check.text),
                        false => println!("fail  {}: {}", check.api, check.text),
                    }
                }
            }
            if failed {
                return Err("an API this connection has a key for did not answer".into());
            }
            Ok(())
        }
    }
}
