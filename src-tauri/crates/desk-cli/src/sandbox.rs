//! `desk sandbox serve`: the simulator of Didit, DHMAD and VerifyHQ, until interrupted.

use std::path::PathBuf;

use clap::Subcommand;

use crate::output::emit;
use crate::Failure;

#[derive(Subcommand)]
pub enum SandboxCommand {
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
        #[arg(long, default_value = sandbox::DEFAULT_VERIFYHQ_KEY)]
        verifyhq_key: String,
    },
}

pub async fn run(command: SandboxCommand) -> Result<(), Failure> {
    let SandboxCommand::Serve {
        port,
        sessions,
        seed,
        fixtures,
        didit_key,
        dhmad_key,
        verifyhq_key,
    } = command;
    let running = sandbox::start(sandbox::SandboxConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        sessions,
        seed,
        fixtures,
        didit_key,
        dhmad_key,
        verifyhq_key,
        ..sandbox::SandboxConfig::default()
    })
    .await?;
    emit(&format!(
        "DIDIT_BASE_URL={}\nDIDIT_API_KEY={}\nDHMAD_BASE_URL={}\nDHMAD_API_KEY={}\n\
         VERIFYHQ_BASE_URL={}\nVERIFYHQ_API_KEY={}\n\
         # control: {}/_sandbox/ledger, /_sandbox/faults, /_sandbox/compete, /_sandbox/rate\n\
         # serving {sessions} sessions in review (seed {seed}) and their VerifyHQ users; Ctrl+C stops",
        running.didit_url(),
        running.didit_key,
        running.dhmad_url(),
        running.dhmad_key,
        running.verifyhq_url(),
        running.verifyhq_key,
        running.base_url
    ))?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}
