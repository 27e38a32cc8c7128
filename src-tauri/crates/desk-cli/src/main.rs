//! `desk`: the review desk without a window. `desk sandbox serve` runs the simulator; the other
//! commands read the queue, a case summary or a DHMAD lookup from the configured APIs.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use desk_core::case::{CaseStatus, CaseSummary, QueueItem};
use desk_core::privacy::mask;
use secrecy::SecretString;

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
        command: SandboxCommand,
    },
    /// Sessions waiting for review, oldest first.
    Queue {
        #[command(flatten)]
        didit: DiditArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The decision summary of one session (no images, no media links).
    Summary {
        /// The session id (UUID).
        session: String,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// DHMAD verifications of an email address, or one by its id.
    Lookup {
        /// An email address or a 24-hex-digit DHMAD verification id.
        query: String,
        #[command(flatten)]
        dhmad: DhmadArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Serve the simulator until interrupted.
    Serve {
        #[arg(
            long,
            default_value_t = 0,
            help = "Port on 127.0.0.1 (0 picks a free one)"
        )]
        port: u16,
        #[arg(
            long,
            default_value_t = 200,
            help = "Sessions In Review (up to 100000)"
        )]
        sessions: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(
            long,
            help = "Directory of decision JSON files to serve as extra sessions"
        )]
        fixtures: Option<PathBuf>,
        #[arg(long, default_value = sandbox::DEFAULT_DIDIT_KEY)]
        didit_key: String,
        #[arg(long, default_value = sandbox::DEFAULT_DHMAD_KEY)]
        dhmad_key: String,
    },
}

/// Where to connect: a saved profile (keys from the OS credential store), or flags / the
/// environment, as common API tools do.
#[derive(Args)]
struct DiditArgs {
    /// A saved profile of the desktop app, e.g. "Sandbox" or a Live profile.
    #[arg(long, conflicts_with_all = ["didit_url", "didit_key"])]
    profile: Option<String>,
    /// Origin of the Didit API, e.g. https://verification.didit.me
    #[arg(long, env = "DIDIT_BASE_URL", required_unless_present = "profile")]
    didit_url: Option<String>,
    #[arg(
        long,
        env = "DIDIT_API_KEY",
        hide_env_values = true,
        required_unless_present = "profile"
    )]
    didit_key: Option<String>,
}

#[derive(Args)]
struct DhmadArgs {
    #[arg(long, conflicts_with_all = ["dhmad_url", "dhmad_key"])]
    profile: Option<String>,
    /// Base of the DHMAD API including /api/v1, e.g. https://dhmad.tn/api/v1
    #[arg(long, env = "DHMAD_BASE_URL", required_unless_present = "profile")]
    dhmad_url: Option<String>,
    #[arg(
        long,
        env = "DHMAD_API_KEY",
        hide_env_values = true,
        required_unless_present = "profile"
    )]
    dhmad_key: Option<String>,
}

type Failure = Box<dyn std::error::Error>;

/// Connects a saved profile (the Sandbox profile starts its simulator in this process).
async fn profile_connection(name: &str) -> Result<desk_profiles::Connection, Failure> {
    let files = desk_profiles::ProfileFiles::from_environment();
    let book = files.load();
    let profile = book.get(name)?;
    let store = desk_profiles::Keystore::new(desk_profiles::KEYRING_SERVICE);
    Ok(desk_profiles::connect(
        profile,
        &store,
        &desk_profiles::SandboxKnobs::from_environment(),
    )
    .await?)
}

/// The Didit client, and the profile's simulator when the Sandbox profile was chosen (it must
/// outlive the client).
async fn didit_client(
    args: DiditArgs,
) -> Result<(didit::DiditClient, Option<desk_profiles::RunningSandbox>), Failure> {
    if let Some(name) = args.profile {
        let connection = profile_connection(&name).await?;
        return Ok((connection.didit, connection.sandbox));
    }
    let (url, key) = args
        .didit_url
        .zip(args.didit_key)
        .ok_or("--didit-url and --didit-key (or --profile) are required")?;
    Ok((
        didit::DiditClient::new(didit::DiditConfig::new(&url, SecretString::from(key))?)?,
        None,
    ))
}

async fn dhmad_client(
    args: DhmadArgs,
) -> Result<(dhmad::DhmadClient, Option<desk_profiles::RunningSandbox>), Failure> {
    if let Some(name) = args.profile {
        let connection = profile_connection(&name).await?;
        return Ok((connection.dhmad, connection.sandbox));
    }
    let (url, key) = args
        .dhmad_url
        .zip(args.dhmad_key)
        .ok_or("--dhmad-url and --dhmad-key (or --profile) are required")?;
    Ok((
        dhmad::DhmadClient::new(dhmad::DhmadConfig::new(&url, SecretString::from(key))?)?,
        None,
    ))
}

fn render_queue(items: &[QueueItem]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} sessions in review", items.len());
    let _ = writeln!(
        out,
        "{:<8} {:<38} {:<22} {:<4} created",
        "number", "session", "vendor_data", "ctry"
    );
    for item in items {
        let _ = writeln!(
            out,
            "{:<8} {:<38} {:<22} {:<4} {}",
            item.case_number.map_or("-".into(), |n| n.to_string()),
            item.case_id,
            item.vendor_data.as_deref().map(mask).unwrap_or_default(),
            item.country.as_deref().unwrap_or("-"),
            item.created_at.as_deref().unwrap_or("-"),
        );
    }
    out
}

fn render_summary(s: &CaseSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Session {} ({})  status: {}  created: {}",
        s.case_number.map_or("-".into(), |n| n.to_string()),
        s.case_id,
        s.status,
        s.created_at.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "\nWarnings");
    for w in &s.warnings {
        let _ = writeln!(
            out,
            "  [{:?}] {} {} — {}",
            w.severity, w.check, w.code, w.short_description
        );
    }
    let _ = writeln!(out, "\nChecks");
    for c in &s.checks {
        let score = c
            .score
            .map(|sc| format!("  score {:.1}", sc.value))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<20} {:<14}{}",
            c.kind.as_str(),
            c.status.as_str(),
            score
        );
    }
    for d in &s.documents {
        let _ = writeln!(
            out,
            "\nDocument: {} from {}, expires {}, number {}, born {}",
            d.document_type.as_deref().unwrap_or("-"),
            d.issuing_country.as_deref().unwrap_or("-"),
            d.expiry.as_deref().unwrap_or("-"),
            d.document_number.as_deref().map(mask).unwrap_or_default(),
            d.date_of_birth.as_deref().map(mask).unwrap_or_default(),
        );
    }
    for m in &s.mismatches {
        let _ = writeln!(
            out,
            "Mismatch: {} expected {:?}, found {:?}",
            m.field, m.expected, m.found
        );
    }
    for h in &s.aml_hits {
        let _ = writeln!(
            out,
            "AML hit: {} {:?} match {:?}",
            h.matched_name, h.datasets, h.match_score
        );
    }
    for r in &s.related {
        let _ = writeln!(
            out,
            "Related: session {:?} via {} similarity {:?}",
            r.case_number, r.via, r.similarity
        );
    }
    out
}

/// Writes to stdout; a closed pipe (`desk queue | head`) ends quietly.
fn emit(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let result = stdout.write_all(text.as_bytes()).and_then(|()| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            stdout.write_all(b"\n")
        }
    });
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Sandbox {
            command:
                SandboxCommand::Serve {
                    port,
                    sessions,
                    seed,
                    fixtures,
                    didit_key,
                    dhmad_key,
                },
        } => {
            let running = sandbox::start(sandbox::SandboxConfig {
                addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                sessions,
                seed,
                fixtures,
                didit_key,
                dhmad_key,
                ..sandbox::SandboxConfig::default()
            })
            .await?;
            emit(&format!(
                "DIDIT_BASE_URL={}\nDIDIT_API_KEY={}\nDHMAD_BASE_URL={}\nDHMAD_API_KEY={}\n\
                 # control: {}/_sandbox/ledger, /_sandbox/faults, /_sandbox/compete, /_sandbox/rate\n\
                 # serving {sessions} sessions in review (seed {seed}); Ctrl+C stops",
                running.didit_url(),
                running.didit_key,
                running.dhmad_url(),
                running.dhmad_key,
                running.base_url
            ))?;
            tokio::signal::ctrl_c().await?;
            Ok(())
        }
        Command::Queue { didit, json } => {
            let (client, _sandbox) = didit_client(didit).await?;
            let query = didit::SessionQuery {
                statuses: vec![CaseStatus::InReview],
                limit: Some(200),
                ..Default::default()
            };
            let mut items = client.list_all_sessions(&query).await?;
            items.sort_by_key(|i| i.case_number);
            if json {
                emit(&serde_json::to_string_pretty(&items)?)?;
            } else {
                emit(&render_queue(&items))?;
            }
            Ok(())
        }
        Command::Summary {
            session,
            didit,
            json,
        } => {
            let (client, _sandbox) = didit_client(didit).await?;
            let summary = client.decision(&session).await?;
            if json {
                emit(&serde_json::to_string_pretty(&summary)?)?;
            } else {
                emit(&render_summary(&summary))?;
            }
            Ok(())
        }
        Command::Lookup { query, dhmad, json } => {
            let (client, _sandbox) = dhmad_client(dhmad).await?;
            let found = if query.contains('@') {
                client.find_by_email(&query).await?
            } else {
                vec![client.get(&query).await?]
            };
            if json {
                emit(&serde_json::to_string_pretty(&found)?)?;
            } else {
                let mut out = String::new();
                for v in &found {
                    let _ = writeln!(
                        out,
                        "{}  kyc: {}  linked: {}  invite sent: {}  created: {}",
                        v.id,
                        v.kyc_status,
                        if v.is_linked() { "yes" } else { "no" },
                        if v.verification_email_sent {
                            "yes"
                        } else {
                            "no"
                        },
                        v.created_at.as_deref().unwrap_or("-")
                    );
                }
                if found.is_empty() {
                    out.push_str("no verification for this email\n");
                }
                emit(&out)?;
            }
            Ok(())
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
