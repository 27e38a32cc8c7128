//! Where a command connects: a saved profile (keys from the OS credential store), or the APIs
//! named by flags or the environment; the desk it opens is the app's own, and what it did
//! is copied to the team's log afterwards.

use clap::Args;
use secrecy::SecretString;

use crate::Failure;

/// What every command that opens a desk takes, before or after its subcommand: where to
/// connect, and whether to answer in JSON.
#[derive(Args)]
pub struct DeskArgs {
    #[command(flatten)]
    pub connect: DiditArgs,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Where to connect: a saved profile (keys from the OS credential store), or flags / the
/// environment, as common API tools do.
#[derive(Args)]
pub struct DiditArgs {
    /// A saved profile of the desktop app, e.g. "Sandbox" or a Live profile.
    #[arg(long, global = true, conflicts_with_all = ["didit_url", "didit_key"])]
    pub profile: Option<String>,
    /// Origin of the Didit API, e.g. https://verification.didit.me (not needed when only
    /// VerifyHQ is reviewed: --verifyhq-url alone).
    #[arg(long, global = true, env = "DIDIT_BASE_URL")]
    pub didit_url: Option<String>,
    #[arg(long, global = true, env = "DIDIT_API_KEY", hide_env_values = true)]
    pub didit_key: Option<String>,
    /// Who decides (stamped into every comment and audit entry): before the profile's reviewer;
    /// without a profile, "Terminal Reviewer <reviewer@dhmad.tn>".
    #[arg(long, global = true, env = "REVIEW_DESK_REVIEWER_NAME")]
    pub reviewer_name: Option<String>,
    #[arg(long, global = true, env = "REVIEW_DESK_REVIEWER_EMAIL")]
    pub reviewer_email: Option<String>,
    /// Base of the DHMAD API including /api/v1, for support lookups, when no profile is named.
    #[arg(
        long,
        global = true,
        env = "DHMAD_BASE_URL",
        conflicts_with = "profile"
    )]
    pub dhmad_url: Option<String>,
    #[arg(
        long,
        global = true,
        env = "DHMAD_API_KEY",
        hide_env_values = true,
        conflicts_with = "profile"
    )]
    pub dhmad_key: Option<String>,
    /// Origin of the VerifyHQ API, when its cases should join the queue (no profile named).
    #[arg(
        long,
        global = true,
        env = "VERIFYHQ_BASE_URL",
        conflicts_with = "profile"
    )]
    pub verifyhq_url: Option<String>,
    #[arg(
        long,
        global = true,
        env = "VERIFYHQ_API_KEY",
        hide_env_values = true,
        conflicts_with = "profile"
    )]
    pub verifyhq_key: Option<String>,
    /// The team's shared store (postgres://user@host:port/db), for claims and the team's audit.
    #[arg(
        long,
        global = true,
        env = "REVIEW_DESK_TEAM_STORE",
        hide_env_values = true
    )]
    pub team_store: Option<String>,
}

impl DiditArgs {
    /// Flags that only go together. Checked here, not by clap: these flags reach the
    /// subcommands below the one that takes them, and clap judges a pair before it has seen
    /// the half typed after a nested subcommand.
    fn check_pairs(&self) -> Result<(), Failure> {
        let pairs = [
            (
                self.didit_url.is_some(),
                self.didit_key.is_some(),
                "--didit-url and --didit-key",
            ),
            (
                self.reviewer_name.is_some(),
                self.reviewer_email.is_some(),
                "--reviewer-name and --reviewer-email",
            ),
            (
                self.verifyhq_url.is_some(),
                self.verifyhq_url.is_some() && self.verifyhq_key.is_some(),
                "--verifyhq-url and --verifyhq-key",
            ),
        ];
        match pairs.iter().find(|(a, b, _)| a != b) {
            Some((_, _, both)) => Err(format!("{both} go together: give both or neither").into()),
            None => Ok(()),
        }
    }
}

/// The desk's team store, for the commands that need one.
pub fn team_of(open: &desk_profiles::OpenDesk) -> Result<&desk_profiles::TeamStore, Failure> {
    open.team.as_ref().ok_or_else(|| {
        "this desk has no team store: --team-store postgres://…, REVIEW_DESK_TEAM_STORE or the profile's"
            .into()
    })
}

/// The team's audit chain, for a lead (the team store refuses anyone else too).
pub fn team_log(open: &desk_profiles::OpenDesk) -> Result<&desk_profiles::TeamStore, Failure> {
    open.desk.may(desk_core::standing::Act::ReadTeamAudit)?;
    team_of(open)
}

/// Copies what the team chain lacks of this desk's audit log and says the desk is here. A
/// team store that does not answer is reported, not fatal: the desk goes on alone, and the
/// next command catches up.
pub async fn catch_up(open: &desk_profiles::OpenDesk, case_open: Option<&str>) {
    let Some(team) = &open.team else { return };
    match open.desk.mirror_audit(team, &open.desk_id).await {
        Ok(_) => {
            let _ = open.desk.announce(team, &open.desk_id, case_open).await;
        }
        Err(e) => eprintln!(
            "desk: team store offline ({e}); this desk's audit entries wait here and are copied to the team's log when it answers"
        ),
    }
}

/// The team store the flags, the environment or the named profile give.
pub fn team_store_named(args: &DiditArgs) -> Result<Option<String>, Failure> {
    if args.team_store.is_some() {
        return Ok(args.team_store.clone());
    }
    let Some(name) = &args.profile else {
        return Ok(None);
    };
    let book = desk_profiles::ProfileFiles::from_environment().load();
    Ok(book.get(name)?.team_store.clone())
}

/// Profile name of a desk opened from flags: its data lives in `<data root>/Terminal`.
const TERMINAL_PROFILE: &str = "Terminal";

/// Opens the same desk as the app: a saved profile, or the APIs named by flags.
pub async fn open_desk(args: DiditArgs) -> Result<desk_profiles::OpenDesk, Failure> {
    let files = desk_profiles::ProfileFiles::from_environment();
    let keystore = desk_profiles::keystore();
    // Flags name the connection through `flag_connection`, which checks their pairs; with a
    // profile, only the reviewer pair can come from the flags.
    if args.profile.is_some() {
        args.check_pairs()?;
    }
    if let Some(name) = args.profile {
        let book = files.load();
        let profile = book.get(&name)?;
        let mut knobs = desk_profiles::SandboxKnobs::from_environment();
        knobs.team_store = args.team_store.or(knobs.team_store);
        knobs.reviewer = args
            .reviewer_name
            .zip(args.reviewer_email)
            .or(knobs.reviewer);
        return Ok(desk_profiles::open_desk(&files, &keystore, &knobs, profile).await?);
    }
    let (profile, connection) = flag_connection(args, &keystore)?;
    Ok(desk_profiles::open_with(&profile, files.profile_dir(TERMINAL_PROFILE), connection).await?)
}

/// The connection the flags (or the environment) name, as a profile of its own.
pub fn flag_connection(
    args: DiditArgs,
    keystore: &desk_profiles::Keystore,
) -> Result<(desk_core::profile::Profile, desk_profiles::Connection), Failure> {
    args.check_pairs()?;
    let didit = args.didit_url.zip(args.didit_key);
    if didit.is_none() && args.verifyhq_url.is_none() {
        return Err("--didit-url and --didit-key, --verifyhq-url and --verifyhq-key, or --profile are required".into());
    }
    let reviewer_name = args
        .reviewer_name
        .unwrap_or_else(|| "Terminal Reviewer".to_owned());
    let reviewer_email = args
        .reviewer_email
        .unwrap_or_else(|| "reviewer@dhmad.tn".to_owned());
    let profile = desk_core::profile::Profile {
        name: TERMINAL_PROFILE.into(),
        kind: desk_core::profile::ProfileKind::Live,
        didit_url: didit.as_ref().map(|(url, _)| url.clone()),
        dhmad_url: String::new(),
        reviewer_name: reviewer_name.clone(),
        reviewer_email: reviewer_email.clone(),
        undo_seconds: 0,
        sla_hours: desk_core::profile::DEFAULT_SLA_HOURS,
        role: desk_core::profile::Role::Reviewer,
        team_store: None,
        verifyhq_url: args.verifyhq_url.clone(),
    };
    let team = desk_profiles::team_store_for(args.team_store.as_deref(), &profile, keystore)?;
    let dhmad = match args.dhmad_url.zip(args.dhmad_key) {
        Some((url, key)) => Some(dhmad::DhmadClient::new(dhmad::DhmadConfig::new(
            &url,
            SecretString::from(key),
        )?)?),
        None => None,
    };
    let verifyhq = match args.verifyhq_url.zip(args.verifyhq_key) {
        Some((url, key)) => Some(verifyhq::VerifyHqClient::new(
            verifyhq::VerifyHqConfig::new(&url, SecretString::from(key))?,
        )?),
        None => None,
    };
    let connection = desk_profiles::Connection {
        didit: match didit {
            Some((url, key)) => Some(didit::DiditClient::new(didit::DiditConfig::new(
                &url,
                SecretString::from(key),
            )?)?),
            None => None,
        },
        dhmad,
        verifyhq,
        reviewer: desk_core::desk::Reviewer {
            name: reviewer_name,
            email: reviewer_email,
        },
        sandbox: None,
        team,
    };
    Ok((profile, connection))
}
