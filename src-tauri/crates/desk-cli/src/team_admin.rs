//! `desk team init | upgrade | add-member | set-role | remove-member | members` (the
//! administrator, with the owner's login) and `desk team save-password | whoami` (a member).
//! Passwords are typed at a prompt that does not echo them, or given one per line on stdin;
//! never as a flag or a variable.

use std::io::{BufRead, IsTerminal};

use clap::{Subcommand, ValueEnum};
use desk_profiles::{role_name, TeamAdmin, TeamMember};
use secrecy::SecretString;

use crate::output::emit;
use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Reviewer,
    Lead,
    Support,
}

impl From<RoleArg> for desk_core::profile::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Reviewer => Self::Reviewer,
            RoleArg::Lead => Self::TeamLead,
            RoleArg::Support => Self::Support,
        }
    }
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Sets up an empty team store (once, as the database's owner): the schema, the member and
    /// lead roles, the server's rules.
    Init,
    /// Applies the team store's later schema versions (as the owner); desks never migrate.
    Upgrade,
    /// Adds a member with their own login (as the owner). Their password is the second line on
    /// stdin (or asked for); when none is given one is made and printed once.
    AddMember {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Changes a member's role (as the owner).
    SetRole {
        login: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Removes a member's login (as the owner); what they did stays on the team's chain.
    RemoveMember { login: String },
    /// Every member: login, name, email, role (as the owner).
    Members,
    /// Keeps this login's password in the OS credential store, after checking it signs in.
    SavePassword,
    /// Who the team store says this login is.
    Whoami,
}

/// One secret: a prompt that does not echo on a terminal, else the next line of stdin.
fn secret(
    prompt: &str,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Result<Option<String>, Failure> {
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password(prompt)?;
        return Ok(Some(typed).filter(|t| !t.is_empty()));
    }
    Ok(lines
        .next()
        .transpose()?
        .map(|l| l.trim_end_matches(['\r', '\n']).to_owned())
        .filter(|l| !l.is_empty()))
}

fn who(m: &TeamMember) -> String {
    format!("{} ({}, {})", m.identity(), m.login, role_name(m.role))
}

pub async fn run(command: AdminCommand, url: Option<String>, json: bool) -> Result<(), Failure> {
    let url = url.ok_or("name the team store: --team-store postgres://LOGIN@HOST:PORT/DATABASE (or REVIEW_DESK_TEAM_STORE)")?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    match command {
        AdminCommand::SavePassword => {
            let password =
                secret("This login's password: ", &mut lines)?.ok_or("no password given")?;
            let team = desk_profiles::TeamStore::connect(&url, Some(&password)).await?;
            let me = team.me().await?;
            desk_profiles::save_team_password(
                &desk_profiles::keystore(),
                &url,
                &SecretString::from(password),
            )?;
            return emit(&format!(
                "signed in as {}; the password is in the OS credential store",
                who(&me)
            ));
        }
        AdminCommand::Whoami => {
            let keystore = desk_profiles::keystore();
            let profile = desk_core::profile::Profile::sandbox();
            let team = desk_profiles::team_store_for(Some(&url), &profile, &keystore)?
                .ok_or("no team store")?;
            let me = team.me().await?;
            return if json {
                emit(&serde_json::to_string_pretty(&me)?)
            } else {
                emit(&who(&me))
            };
        }
        _ => {}
    }
    let owner = secret("The owner's password: ", &mut lines)?
        .ok_or("no password given for the owner's login")?;
    let mut admin = TeamAdmin::connect(&url, &owner).await?;
    match command {
        AdminCommand::Init => {
            let version = admin.init().await?;
            emit(&format!("the team store is set up (schema version {version}); add each member with `desk team add-member`"))
        }
        AdminCommand::Upgrade => {
            let version = admin.upgrade().await?;
            emit(&format!("the team store is at schema version {version}"))
        }
        AdminCommand::AddMember {
            login,
            name,
            email,
            role,
        } => {
            let given = secret(
                &format!("{login}'s password (empty: make one): "),
                &mut lines,
            )?;
            let made = given.is_none();
            let password = match given {
                Some(p) => p,
                None => desk_profiles::new_password()?,
            };
            let member = TeamMember {
                login,
                name,
                email,
                role: role.into(),
            };
            admin.add_member(&member, &password).await?;
            emit(&format!("added {}", who(&member)))?;
            if made {
                emit(&format!("{}'s password (give it to them; `desk team save-password` keeps it in their credential store): {password}", member.login))?;
            }
            Ok(())
        }
        AdminCommand::SetRole { login, role } => {
            admin.set_role(&login, role.into()).await?;
            emit(&format!("{login} is now {}", role_name(role.into())))
        }
        AdminCommand::RemoveMember { login } => {
            admin.remove_member(&login).await?;
            emit(&format!(
                "removed {login}; what they did stays on the team's chain"
            ))
        }
        AdminCommand::Members => {
            let members = admin.members().await?;
            if json {
                return emit(&serde_json::to_string_pretty(&members)?);
            }
            for m in &members {
                emit(&who(m))?;
            }
            Ok(())
        }
        AdminCommand::SavePassword | AdminCommand::Whoami => Ok(()),
    }
}
