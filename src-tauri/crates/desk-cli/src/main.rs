//! `desk`: the review desk without a window. `desk sandbox serve` runs the simulator; the other
//! commands open the same desk as the app (same store, same outbox, same audit log) for a
//! saved profile or for the APIs named by flags, and use it: queue, summary, decide, blocklist,
//! outbox, audit, and the DHMAD lookup.

mod act;
mod audit;
mod blind;
mod case;
mod connect;
mod lookup;
mod outbox;
mod output;
mod profile;
mod queue;
mod sandbox;
mod team;
mod team_admin;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use connect::{catch_up, open_desk, DeskArgs};

#[derive(Parser)]
#[command(name = "desk", version, about = "DHMAD Review Desk from the terminal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The built-in simulator of the Didit and DHMAD APIs.
    Sandbox {
        #[command(subcommand)]
        command: sandbox::SandboxCommand,
    },
    /// Sessions waiting for review, oldest first; filters are applied by Didit itself.
    Queue(queue::QueueArgs),
    /// The decision summary of one session (no images, no media links).
    Summary(case::SummaryArgs),
    /// Unmask one personal value of a session; the reason goes to the audit log.
    Reveal(case::RevealArgs),
    /// Find any session, in the queue or not, decided ones too: by its UUID or its exact
    /// vendor_data (Didit cannot list sessions by number; numbers are searched in `desk queue`).
    Find(queue::FindArgs),
    /// A session's timeline, newest first: Didit's review feed and this desk's audit entries.
    Timeline(case::TimelineArgs),
    /// Queue a decision (sent by the outbox: `desk outbox drain`, or the app).
    Decide(act::DecideArgs),
    /// The blocklist: list entries of one type (newest first, values masked), or queue adding or
    /// removing a session's face, document, phone or email.
    Blocklist(act::BlocklistArgs),
    /// Queue an AML review: mark one hit (--hit) or set the AML check's status.
    Aml(act::AmlArgs),
    /// The outbox: list it, send what is due, retry or cancel an action.
    Outbox {
        #[command(subcommand)]
        command: Option<outbox::OutboxCommand>,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// Claims on the team store: take the oldest case no other desk holds, or let one go.
    Claim {
        #[command(subcommand)]
        command: team::ClaimCommand,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// The team store: who holds which case, until when.
    Team {
        #[command(subcommand)]
        command: team::TeamCommand,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// The hash-chained audit log: verify it, or write a signed checkpoint of its head.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// The saved profiles, and the app's "Test connection" for one (or for the flags).
    Profile {
        #[command(subcommand)]
        command: profile::ProfileCommand,
    },
    /// The VerifyHQ users whose verifications waiting for review join the queue.
    Watch {
        #[command(subcommand)]
        command: Option<watch::WatchCommand>,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// The lead's blind re-review of a share of approvals (the team's log, or this desk's).
    BlindReview {
        #[command(subcommand)]
        command: blind::BlindCommand,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// Support: is this person verified, and linked to their DHMAD account? From an email, a
    /// DHMAD verification id (24 hex digits) or a Didit vendor_data. Masked beyond what was typed.
    Lookup(lookup::LookupArgs),
}

type Failure = Box<dyn std::error::Error>;

/// Runs `command` on the desk `desk` opens, then copies what it audited to the team's log.
async fn on_desk<F>(desk: DeskArgs, command: F) -> Result<(), Failure>
where
    F: AsyncFnOnce(&desk_profiles::OpenDesk, bool) -> Result<(), Failure>,
{
    let open = open_desk(desk.connect).await?;
    let done = command(&open, desk.json).await;
    catch_up(&open, None).await;
    done
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Sandbox { command } => sandbox::run(command).await,
        Command::Profile { command } => profile::run(command).await,
        Command::Queue(args) => queue::queue(args).await,
        Command::Find(args) => queue::find(args).await,
        Command::Summary(args) => case::summary(args).await,
        Command::Reveal(args) => case::reveal(args).await,
        Command::Timeline(args) => case::timeline(args).await,
        Command::Decide(args) => act::decide(args).await,
        Command::Blocklist(args) => act::blocklist(args).await,
        Command::Aml(args) => act::aml(args).await,
        Command::Lookup(args) => lookup::lookup(args).await,
        Command::Team {
            command: team::TeamCommand::Status,
            desk,
        } => team::team_status(desk.connect, desk.json).await,
        Command::Team {
            command: team::TeamCommand::Admin(command),
            desk,
        } => {
            let url = connect::team_store_named(&desk.connect)?;
            team_admin::run(command, url, desk.json).await
        }
        Command::Team { command, desk } => {
            on_desk(desk, async |open, json| {
                team::four_eyes(open, command, json).await
            })
            .await
        }
        Command::Claim { command, desk } => {
            on_desk(desk, async |open, json| {
                team::claim(open, command, json).await
            })
            .await
        }
        Command::Outbox { command, desk } => {
            let command = command.unwrap_or(outbox::OutboxCommand::List);
            on_desk(desk, async |open, json| {
                outbox::run(open, command, json).await
            })
            .await
        }
        Command::Audit { command, desk } => {
            // The team's log is brought up to date before the lead reads or verifies it.
            let open = open_desk(desk.connect).await?;
            catch_up(&open, None).await;
            audit::run(&open, command, desk.json).await
        }
        Command::Watch { command, desk } => {
            let command = command.unwrap_or(watch::WatchCommand::List);
            on_desk(desk, async |open, json| {
                watch::run(open, command, json).await
            })
            .await
        }
        Command::BlindReview { command, desk } => {
            on_desk(desk, async |open, json| {
                blind::run(open, command, json).await
            })
            .await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DESK_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("desk: {error}");
            ExitCode::FAILURE
        }
    }
}
