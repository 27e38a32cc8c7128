//! `desk`: the review desk without a window. `desk sandbox serve` runs the simulator; the other
//! commands open the same desk as the app (same store, same outbox, same audit log) for a
//! saved profile or for the APIs named by flags, and use it: queue, summary, decide, blocklist,
//! outbox, audit, and the DHMAD lookup.

mod blind;
mod watch;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use desk_core::model::case::{CaseSummary, QueueItem};
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
    /// Sessions waiting for review, oldest first; filters are applied by Didit itself.
    Queue {
        /// Only cases carrying this warning (risk) code.
        #[arg(long)]
        warning: Option<String>,
        /// Only cases whose document was issued by this country (ISO alpha-3).
        #[arg(long)]
        country: Option<String>,
        /// Only cases of this workflow (its id).
        #[arg(long)]
        workflow: Option<String>,
        /// Also fetch the summary of every case not fetched yet (within the read budget).
        #[arg(long)]
        fill: bool,
        #[command(flatten)]
        didit: DiditArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The decision summary of one session (no images, no media links).
    Summary {
        /// The case id: a Didit session UUID, or verifyhq:<verification id>.
        session: String,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Unmask one personal value of a session; the reason goes to the audit log.
    Reveal {
        session: String,
        #[arg(long, value_enum)]
        field: RevealArg,
        /// Which mismatch, contact or IP fact (0 = the first).
        #[arg(long, default_value_t = 0)]
        index: usize,
        /// Why you need it (3 to 500 characters).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        didit: DiditArgs,
    },
    /// Find any session, in the queue or not, decided ones too: by its UUID or its exact
    /// vendor_data (Didit cannot list sessions by number; numbers are searched in `desk queue`).
    Find {
        text: String,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// A session's timeline, newest first: Didit's review feed and this desk's audit entries.
    Timeline {
        /// The case id: a Didit session UUID, or verifyhq:<verification id>.
        session: String,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Queue a decision (sent by the outbox: `desk outbox drain`, or the app).
    Decide {
        /// The case id: a Didit session UUID, or verifyhq:<verification id>.
        session: String,
        #[arg(long, value_enum)]
        verdict: VerdictArg,
        /// The reason id from the team's list.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        comment: Option<String>,
        /// Steps to redo (resubmit only), e.g. feature_ocr_1,feature_liveness_1.
        #[arg(long, value_delimiter = ',')]
        steps: Vec<String>,
        /// Seconds the decision waits before it may be sent.
        #[arg(long, default_value_t = 0)]
        undo_secs: u32,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// The blocklist: list entries of one type (newest first, values masked), or queue adding or
    /// removing a session's face, document, phone or email.
    Blocklist {
        #[arg(value_enum)]
        change: BlocklistChange,
        /// The session id (UUID); add and remove need it.
        session: Option<String>,
        /// `list`: which entries (face, document, phone or email).
        #[arg(long = "type", value_enum, default_value = "face")]
        kind: BlocklistKindArg,
        /// `list`: the page, from 1 (20 entries a page).
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long)]
        face: bool,
        #[arg(long)]
        document: bool,
        #[arg(long)]
        phone: bool,
        #[arg(long)]
        email: bool,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Queue an AML review: mark one hit (--hit) or set the AML check's status.
    Aml {
        session: String,
        /// The hit's id (from `desk summary --json`); without it the AML check itself.
        #[arg(long)]
        hit: Option<String>,
        /// Unreviewed, Confirmed Match, False Positive or Inconclusive for a hit; Approved,
        /// Declined, In Review, Not Finished or Resub Requested for the check.
        #[arg(long)]
        status: String,
        #[arg(long)]
        reason: Option<String>,
        /// Why (required).
        #[arg(long)]
        comment: String,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// The outbox: list it, send what is due, retry or cancel an action.
    Outbox {
        #[command(subcommand)]
        command: Option<OutboxCommand>,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Claims on the team store: take the oldest case no other desk holds, or let one go.
    Claim {
        #[command(subcommand)]
        command: ClaimCommand,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long, global = true)]
        json: bool,
    },
    /// The team store: who holds which case, until when.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long, global = true)]
        json: bool,
    },
    /// The hash-chained audit log: verify it, or write a signed checkpoint of its head.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long, global = true)]
        json: bool,
    },
    /// The saved profiles, and the app's "Test connection" for one (or for the flags).
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
    /// The VerifyHQ users whose verifications waiting for review join the queue.
    Watch {
        #[command(subcommand)]
        command: Option<watch::WatchCommand>,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long, global = true)]
        json: bool,
    },
    /// The lead's blind re-review of a share of approvals (the team's log, or this desk's).
    BlindReview {
        #[command(subcommand)]
        command: blind::BlindCommand,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long, global = true)]
        json: bool,
    },
    /// Support: is this person verified, and linked to their DHMAD account? From an email, a
    /// DHMAD verification id (24 hex digits) or a Didit vendor_data. Masked beyond what was typed.
    Lookup {
        /// An email address, a DHMAD verification id or a vendor_data.
        query: Option<String>,
        /// DHMAD cannot search by the marketplace's user id: asking says so.
        #[arg(long)]
        external_user_id: Option<String>,
        /// Queue sending the pending verification QUERY's (a DHMAD id) invite again, through
        /// the outbox (`desk outbox drain` sends it); --comment says why.
        #[arg(long, conflicts_with = "reveal")]
        resend_invite: bool,
        #[arg(long)]
        comment: Option<String>,
        /// Unmask one value of the verification QUERY (a DHMAD id), with --reason (audited).
        #[arg(long, value_enum, requires = "reason")]
        reveal: Option<LookupFieldArg>,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        didit: DiditArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum VerdictArg {
    Approve,
    Decline,
    Resubmit,
}

impl From<VerdictArg> for desk_core::model::case::Verdict {
    fn from(v: VerdictArg) -> Self {
        match v {
            VerdictArg::Approve => Self::Approve,
            VerdictArg::Decline => Self::Decline,
            VerdictArg::Resubmit => Self::Resubmit,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RevealArg {
    DocumentNumber,
    DateOfBirth,
    MismatchExpected,
    MismatchFound,
    Contact,
    IpAddress,
}

impl From<RevealArg> for desk_core::case_file::RevealField {
    fn from(arg: RevealArg) -> Self {
        use desk_core::case_file::RevealField as F;
        match arg {
            RevealArg::DocumentNumber => F::DocumentNumber,
            RevealArg::DateOfBirth => F::DateOfBirth,
            RevealArg::MismatchExpected => F::MismatchExpected,
            RevealArg::MismatchFound => F::MismatchFound,
            RevealArg::Contact => F::Contact,
            RevealArg::IpAddress => F::IpAddress,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LookupFieldArg {
    Email,
    ExternalUserId,
    LinkedUserId,
}

impl From<LookupFieldArg> for desk_core::lookup::LookupField {
    fn from(arg: LookupFieldArg) -> Self {
        use desk_core::lookup::LookupField as F;
        match arg {
            LookupFieldArg::Email => F::Email,
            LookupFieldArg::ExternalUserId => F::ExternalUserId,
            LookupFieldArg::LinkedUserId => F::LinkedUserId,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BlocklistChange {
    List,
    Add,
    Remove,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BlocklistKindArg {
    Face,
    Document,
    Phone,
    Email,
}

impl From<BlocklistKindArg> for desk_core::blocklist::BlocklistKind {
    fn from(arg: BlocklistKindArg) -> Self {
        use desk_core::blocklist::BlocklistKind as K;
        match arg {
            BlocklistKindArg::Face => K::Face,
            BlocklistKindArg::Document => K::Document,
            BlocklistKindArg::Phone => K::Phone,
            BlocklistKindArg::Email => K::Email,
        }
    }
}

#[derive(Subcommand)]
enum ClaimCommand {
    /// Claims the oldest queued case nobody holds (syncing the queue first).
    Next {
        /// Claim this many, one after another (each its own lease).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// How long a claim holds without renewal.
        #[arg(long, default_value_t = desk_core::claims::DEFAULT_LEASE_MINUTES)]
        lease_minutes: i64,
    },
    /// Lets go of a case this desk's reviewer holds (audited).
    Release {
        session: String,
        /// A lead clears whoever's claim it is (a desk that vanished); audited with its holder.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Who is online and on which case, every live claim, and whether this desk's audit is
    /// all on the team chain.
    Status,
    /// The team's four-eyes rules: show them, or set them (`none` clears them).
    Policy {
        /// Outcomes a second reviewer must confirm: decline, approve-with-aml-hit, blocklist-add.
        #[arg(long, value_delimiter = ',')]
        four_eyes: Option<Vec<String>>,
    },
    /// Actions of other desks waiting for a second reviewer.
    Pending,
    /// Confirm another reviewer's waiting action: their desk then sends it.
    Confirm {
        action: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Refuse another reviewer's waiting action, saying why: it is never sent.
    Refuse {
        action: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Every action and its state (the default).
    List,
    /// Send until nothing is due; exits non-zero if an action ended needing attention.
    Drain,
    /// Send an action that needs attention again (it is reconciled first).
    Retry { action: String },
    /// Cancel an action that waits or needs attention.
    Cancel { action: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the chain: OK with the count, or the first broken entry.
    Verify {
        /// Also check that the log still holds this checkpoint's head.
        #[arg(long, conflicts_with = "team")]
        checkpoint: Option<PathBuf>,
        /// Check the team's shared chain instead of this desk's own.
        #[arg(long)]
        team: bool,
    },
    /// Write {seq, head hash, signature} of the current head, signed with the profile's key.
    Checkpoint {
        #[arg(long)]
        out: PathBuf,
    },
    /// Figures of a period per reviewer and for the team: decisions per day and by verdict,
    /// time from opening to deciding, undo rate, conflicts, decisions changed later.
    Stats {
        /// From this date (2026-12-01) or instant on.
        #[arg(long)]
        from: Option<String>,
        /// Up to this date (inclusive) or instant (exclusive).
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        team: bool,
    },
    /// Entries newest first, filtered (this desk's log, or the team's with --team).
    List {
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// Entries older than this seq (the "next" a previous page printed).
        #[arg(long)]
        before: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        team: bool,
    },
    /// Writes every entry passing the filters to FILE (CSV or JSON), and beside it
    /// FILE.checkpoint.json: the signed head of the chain the export came from.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        filter: AuditFilterArgs,
        #[arg(long)]
        team: bool,
        /// Write comments as they are (else withheld); the reason is audited.
        #[arg(long, value_name = "REASON")]
        show_comments: Option<String>,
    },
}

/// The lead's audit filters; every one optional, all must hold.
#[derive(Args, Clone, Default)]
struct AuditFilterArgs {
    /// The reviewer, `Name <email>` as the log writes it.
    #[arg(long)]
    reviewer: Option<String>,
    /// What was done: approve, decline, blocklist_add, reveal, claim_cleared, …
    #[arg(long)]
    action: Option<String>,
    /// The state an action reached: applied, rejected, conflict, needs_attention, …
    #[arg(long)]
    state: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    /// A warning code the case carries (judged on the cached summaries).
    #[arg(long)]
    warning: Option<String>,
    #[arg(long)]
    session: Option<String>,
    /// From this date (2026-12-01) or instant on.
    #[arg(long)]
    from: Option<String>,
    /// Up to this date (inclusive) or instant (exclusive).
    #[arg(long)]
    until: Option<String>,
}

impl From<AuditFilterArgs> for desk_core::audit_view::AuditFilter {
    fn from(a: AuditFilterArgs) -> Self {
        Self {
            actor: a.reviewer,
            action: a.action,
            to_state: a.state,
            reason_id: a.reason,
            warning: a.warning,
            case_id: a.session,
            from: a.from,
            until: a.until,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormatArg {
    Csv,
    Json,
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
        #[arg(long, default_value = sandbox::DEFAULT_VERIFYHQ_KEY)]
        verifyhq_key: String,
    },
}

#[derive(Subcommand)]
enum ProfileCommand {
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

/// Where to connect: a saved profile (keys from the OS credential store), or flags / the
/// environment, as common API tools do.
#[derive(Args)]
struct DiditArgs {
    /// A saved profile of the desktop app, e.g. "Sandbox" or a Live profile.
    #[arg(long, conflicts_with_all = ["didit_url", "didit_key"])]
    profile: Option<String>,
    /// Origin of the Didit API, e.g. https://verification.didit.me (not needed when only
    /// VerifyHQ is reviewed: --verifyhq-url alone).
    #[arg(
        long,
        env = "DIDIT_BASE_URL",
        required_unless_present_any = ["profile", "verifyhq_url"],
        requires = "didit_key"
    )]
    didit_url: Option<String>,
    #[arg(
        long,
        env = "DIDIT_API_KEY",
        hide_env_values = true,
        required_unless_present_any = ["profile", "verifyhq_url"]
    )]
    didit_key: Option<String>,
    /// Who decides (stamped into every comment and audit entry): before the profile's reviewer;
    /// without a profile, "Terminal Reviewer <reviewer@dhmad.tn>".
    #[arg(long, env = "REVIEW_DESK_REVIEWER_NAME", requires = "reviewer_email")]
    reviewer_name: Option<String>,
    #[arg(long, env = "REVIEW_DESK_REVIEWER_EMAIL", requires = "reviewer_name")]
    reviewer_email: Option<String>,
    /// Base of the DHMAD API including /api/v1, for support lookups, when no profile is named.
    #[arg(long, env = "DHMAD_BASE_URL", conflicts_with = "profile")]
    dhmad_url: Option<String>,
    #[arg(
        long,
        env = "DHMAD_API_KEY",
        hide_env_values = true,
        conflicts_with = "profile"
    )]
    dhmad_key: Option<String>,
    /// Origin of the VerifyHQ API, when its cases should join the queue (no profile named).
    #[arg(
        long,
        env = "VERIFYHQ_BASE_URL",
        conflicts_with = "profile",
        requires = "verifyhq_key"
    )]
    verifyhq_url: Option<String>,
    #[arg(
        long,
        env = "VERIFYHQ_API_KEY",
        hide_env_values = true,
        conflicts_with = "profile"
    )]
    verifyhq_key: Option<String>,
    /// The team's shared store (postgres://user@host:port/db), for claims and the team's audit.
    #[arg(
        long,
        env = "REVIEW_DESK_TEAM_STORE",
        hide_env_values = true,
        global = true
    )]
    team_store: Option<String>,
}

type Failure = Box<dyn std::error::Error>;

/// The desk's team store, for the commands that need one.
fn team_of(open: &desk_profiles::OpenDesk) -> Result<&desk_profiles::TeamStore, Failure> {
    open.team.as_ref().ok_or_else(|| {
        "this desk has no team store: --team-store postgres://…, REVIEW_DESK_TEAM_STORE or the profile's"
            .into()
    })
}

/// Copies what the team chain lacks of this desk's audit log and says the desk is here. A
/// team store that does not answer is reported, not fatal: the desk goes on alone, and the
/// next command catches up.
async fn catch_up(open: &desk_profiles::OpenDesk, case_open: Option<&str>) {
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

/// Profile name of a desk opened from flags: its data lives in `<data root>/Terminal`.
const TERMINAL_PROFILE: &str = "Terminal";

/// Opens the same desk as the app: a saved profile, or the APIs named by flags.
async fn open_desk(args: DiditArgs) -> Result<desk_profiles::OpenDesk, Failure> {
    let files = desk_profiles::ProfileFiles::from_environment();
    let keystore = desk_profiles::keystore();
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
fn flag_connection(
    args: DiditArgs,
    keystore: &desk_profiles::Keystore,
) -> Result<(desk_core::profile::Profile, desk_profiles::Connection), Failure> {
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

/// `desk profile list|test`.
async fn profile_command(command: ProfileCommand) -> Result<(), Failure> {
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

/// What `desk team status` shows.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamStatus {
    desks: Vec<desk_core::team::Presence>,
    claims: Vec<desk_core::claims::Claim>,
    /// This desk's audit entries already on the team chain, of those it holds.
    audit_on_team_chain: i64,
    audit_here: i64,
}

fn render_stats(stats: &desk_core::audit_stats::AuditStats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} entries from {} until {}",
        stats.entries,
        stats.from.as_deref().unwrap_or("the start"),
        stats.until.as_deref().unwrap_or("now")
    );
    let secs = |v: Option<f64>| v.map_or("–".to_owned(), |s| format!("{s:.0} s"));
    for f in std::iter::once(&stats.team).chain(&stats.reviewers) {
        let _ = writeln!(
            out,
            "{:<40} {:>5} decisions (approve {} · decline {} · resubmit {})  open→decide median {} p90 {}  undo {:.0} %  conflicts {}  changed later {}  past the {} h SLA {}",
            f.reviewer,
            f.decisions,
            f.approved,
            f.declined,
            f.resubmitted,
            secs(f.open_to_decide_median_s),
            secs(f.open_to_decide_p90_s),
            f.undo_rate * 100.0,
            f.conflicts,
            f.changed_later,
            stats.sla_hours,
            f.sla_breaches
        );
    }
    out
}

fn render_team(status: &TeamStatus) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Desks (last 24 h)");
    for d in &status.desks {
        let _ = writeln!(
            out,
            "  {} {:<40} {:<38} {} decisions today",
            if d.online { "●" } else { "○" },
            d.reviewer,
            d.case_id.as_deref().unwrap_or("-"),
            d.decisions_today
        );
    }
    let _ = writeln!(out, "Claims");
    if status.claims.is_empty() {
        let _ = writeln!(out, "  no case is claimed");
    }
    for c in &status.claims {
        let _ = writeln!(out, "  {}  {}  until {}", c.case_id, c.holder, c.expires_at);
    }
    let _ = write!(
        out,
        "This desk's audit: {} of {} entries on the team chain",
        status.audit_on_team_chain, status.audit_here
    );
    out
}

fn render_lookup(answer: &desk_core::lookup::LookupAnswer) -> String {
    let mut out = String::new();
    for v in &answer.verifications {
        let _ = writeln!(out, "DHMAD verification {}", v.id);
        let _ = writeln!(out, "  email               {}", v.email);
        let _ = writeln!(
            out,
            "  kyc_status          {}{}",
            v.kyc_status,
            if v.needs_admin_review {
                " (needs admin review)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "  claim               {}{}",
            v.claim_status.as_deref().unwrap_or("–"),
            if v.linked {
                format!(
                    " to user {} at {}",
                    v.linked_user_id_masked.as_deref().unwrap_or("–"),
                    v.linked_at.as_deref().unwrap_or("–")
                )
            } else {
                " (not linked to a DHMAD account yet)".into()
            }
        );
        let _ = writeln!(
            out,
            "  invite email        {}",
            if v.invite_sent {
                format!("sent {}", v.invite_sent_at.as_deref().unwrap_or(""))
            } else {
                "not sent".into()
            }
        );
        for (label, value) in [
            ("didit session", &v.didit_session_status),
            ("expires", &v.expires_at),
            ("created", &v.created_at),
            ("updated", &v.updated_at),
        ] {
            let _ = writeln!(out, "  {label:<19} {}", value.as_deref().unwrap_or("–"));
        }
    }
    if !answer.sessions.is_empty() {
        let _ = writeln!(out, "Didit sessions");
        for s in &answer.sessions {
            let _ = writeln!(
                out,
                "  {:<8} {:<14} {}",
                s.case_number.map_or("–".into(), |n| n.to_string()),
                s.status,
                s.case_id
            );
        }
    }
    for note in &answer.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
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
            item.vendor_data
                .as_deref()
                .map(|v| desk_core::privacy::shown(&mask(v)).into_owned())
                .unwrap_or_default(),
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
            d.document_number.as_deref().unwrap_or_default(),
            d.date_of_birth.as_deref().unwrap_or_default(),
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
                    verifyhq_key,
                },
        } => {
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
        Command::Queue {
            warning,
            country,
            workflow,
            fill,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            open.desk.sync().await?;
            for why in open.desk.sync_status().unread {
                eprintln!("warning: {why}");
            }
            if fill {
                let fetched = desk_profiles::fill_summaries(&open.desk, 50, |_| ()).await?;
                eprintln!("fetched {fetched} summaries; every queued case has one");
            }
            let (items, _) = open.desk.queue().await?;
            let mut items = std::sync::Arc::unwrap_or_clone(items);
            let filter = desk_core::ports::QueueFilter {
                warning,
                country,
                workflow_id: workflow,
            };
            if !filter.is_empty() {
                let outcome = open.desk.filter_queue(&filter).await?;
                let keep: std::collections::HashSet<&str> =
                    outcome.case_ids.iter().map(String::as_str).collect();
                items.retain(|i| keep.contains(i.case_id.as_str()));
                if !outcome.exact {
                    eprintln!(
                        "Didit could not be asked: judged on cached summaries; {} cases not judged yet",
                        outcome.unjudged
                    );
                }
            }
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
            let open = open_desk(didit).await?;
            // The same masked view the app shows; `desk reveal` unmasks one value, with a reason.
            let view = desk_core::ipc::CaseView::build(open.desk.case_file(&session).await?);
            if json {
                emit(&serde_json::to_string_pretty(&view)?)?;
            } else {
                emit(&render_summary(&view.summary))?;
            }
            Ok(())
        }
        Command::Reveal {
            session,
            field,
            index,
            reason,
            didit,
        } => {
            let open = open_desk(didit).await?;
            let value = open
                .desk
                .reveal(&session, field.into(), index, &reason)
                .await?;
            catch_up(&open, Some(&session)).await;
            emit(value.as_deref().unwrap_or("(no such value in this case)"))
        }
        Command::Find { text, didit, json } => {
            let open = open_desk(didit).await?;
            let found: Vec<desk_core::ipc::FoundSession> = open
                .desk
                .find_sessions(&text)
                .await?
                .iter()
                .map(Into::into)
                .collect();
            if json {
                emit(&serde_json::to_string_pretty(&found)?)?;
            } else if found.is_empty() {
                emit("no session found (search by a session UUID or an exact vendor_data)")?;
            } else {
                for f in &found {
                    println!(
                        "{:<8} {:<14} {:<28} {}",
                        f.case_number.map_or("–".into(), |n| n.to_string()),
                        f.status,
                        f.vendor_data_masked.as_deref().unwrap_or("–"),
                        f.case_id
                    );
                }
            }
            Ok(())
        }
        Command::Timeline {
            session,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let timeline = open.desk.timeline(&session).await?;
            if json {
                emit(&serde_json::to_string_pretty(&timeline)?)
            } else {
                emit(&render_timeline(&timeline))
            }
        }
        Command::Decide {
            session,
            verdict,
            reason,
            comment,
            steps,
            undo_secs,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let verdict = desk_core::model::case::Verdict::from(verdict);
            let provider = desk_core::provider::Provider::of(&session);
            let redo = if steps.is_empty() {
                Vec::new()
            } else if let Some(why) = provider.redo_refusal() {
                return Err(why.into());
            } else {
                let (summary, _, _) = open.desk.open(&session).await?;
                steps
                    .iter()
                    .map(|step| {
                        summary
                            .steps
                            .iter()
                            .find(|s| &s.step == step)
                            .map(|s| desk_core::model::request::RedoStep {
                                step: s.step.clone(),
                                kind: s.kind.clone(),
                            })
                            .ok_or_else(|| format!("this session has no step {step:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            let request = desk_core::model::request::DecisionRequest {
                case_id: session,
                verdict,
                comment,
                notify: None,
                redo,
                reason_id: reason,
            };
            if let Some(team) = &open.team {
                use desk_core::claims::Hold;
                let lease = chrono::Duration::minutes(desk_core::claims::DEFAULT_LEASE_MINUTES);
                match open.desk.hold_case(team, &request.case_id, lease).await {
                    Ok(Hold::Held(_)) => {}
                    Ok(Hold::HeldBy(other)) => {
                        return Err(format!(
                            "{} is reviewing this case (claimed until {}); this desk does not hold it",
                            other.holder, other.expires_at
                        )
                        .into())
                    }
                    Err(e) => eprintln!(
                        "desk: the team store did not answer ({e}); the decision is queued and sent once it confirms this desk holds the case"
                    ),
                }
            }
            let submitted = open
                .desk
                .submit_decision(request, chrono::Duration::seconds(i64::from(undo_secs)))
                .await?;
            catch_up(&open, Some(&submitted.action.case_id)).await;
            emit_queued(&submitted.action, json)
        }
        Command::Blocklist {
            change: BlocklistChange::List,
            kind,
            page,
            didit,
            json,
            ..
        } => {
            let open = open_desk(didit).await?;
            let index = page.checked_sub(1).ok_or("pages count from 1")?;
            let listed = open.desk.blocklist_entries(kind.into(), index).await?;
            let view = desk_core::ipc::BlocklistPageView::build(listed, index);
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else if view.entries.is_empty() {
                println!("no entries on page {page}");
            } else {
                for e in &view.entries {
                    println!(
                        "{:<10} {:<8} {:<26} {}",
                        e.case_number.map_or("–".into(), |n| n.to_string()),
                        e.kind.as_str(),
                        e.blocklisted_at.as_deref().unwrap_or("–"),
                        e.value_masked.as_deref().unwrap_or("–"),
                    );
                }
                if let Some(total) = view.total {
                    println!(
                        "page {page} of {}",
                        total.div_ceil(u64::from(view.page_size)).max(1)
                    );
                }
            }
            Ok(())
        }
        Command::Blocklist {
            change,
            session,
            face,
            document,
            phone,
            email,
            reason,
            comment,
            didit,
            json,
            ..
        } => {
            let session = session.ok_or("name the session (UUID) to blocklist or unblock")?;
            let open = open_desk(didit).await?;
            let action = open
                .desk
                .submit_blocklist(desk_core::outbox::BlocklistRequest {
                    case_id: session,
                    add: change == BlocklistChange::Add,
                    face,
                    document,
                    phone,
                    email,
                    reason_id: reason,
                    comment,
                })
                .await?;
            catch_up(&open, None).await;
            emit_queued(&action, json)
        }
        Command::Aml {
            session,
            hit,
            status,
            reason,
            comment,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let action = open
                .desk
                .submit_aml(desk_core::model::request::AmlRequest {
                    case_id: session,
                    hit_id: hit,
                    status,
                    reason_id: reason,
                    comment: Some(comment),
                })
                .await?;
            catch_up(&open, None).await;
            emit_queued(&action, json)
        }
        Command::Claim {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let team = team_of(&open)?;
            let done = match command {
                ClaimCommand::Next {
                    count,
                    lease_minutes,
                } => {
                    if !(1..=24 * 60).contains(&lease_minutes) {
                        return Err("a lease is 1 to 1440 minutes".into());
                    }
                    open.desk.sync().await?;
                    let mut claimed = Vec::new();
                    for _ in 0..count {
                        match open
                            .desk
                            .claim_next(team, chrono::Duration::minutes(lease_minutes))
                            .await?
                        {
                            Some(claim) => claimed.push(claim),
                            None => break,
                        }
                    }
                    if json {
                        emit(&serde_json::to_string_pretty(&claimed)?)
                    } else if claimed.is_empty() {
                        emit("no case left that another desk does not hold")
                    } else {
                        emit(
                            &claimed
                                .iter()
                                .map(|c| format!("{} claimed until {}", c.case_id, c.expires_at))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        )
                    }
                }
                ClaimCommand::Release {
                    session,
                    force: false,
                } => {
                    open.desk.release_claim(team, &session).await?;
                    emit(&format!("{session} released"))
                }
                ClaimCommand::Release {
                    session,
                    force: true,
                } => {
                    let cleared = open.desk.release_for_team(team, &session).await?;
                    emit(&format!(
                        "{session} released; it was held by {} until {}",
                        cleared.holder, cleared.expires_at
                    ))
                }
            };
            catch_up(&open, None).await;
            done
        }
        Command::Team {
            command: TeamCommand::Status,
            didit,
            json,
        } => team_status(didit, json).await,
        Command::Team {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let done = four_eyes(&open, command, json).await;
            catch_up(&open, None).await;
            done
        }
        Command::Outbox {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let done = outbox(&open, command.unwrap_or(OutboxCommand::List), json).await;
            catch_up(&open, None).await;
            done
        }
        Command::Audit {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            catch_up(&open, None).await;
            audit(&open, command, json).await
        }
        Command::Profile { command } => profile_command(command).await,
        Command::Watch {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            watch::run(&open, command.unwrap_or(watch::WatchCommand::List), json).await?;
            // A change is audited: the team's log gets it too.
            catch_up(&open, None).await;
            Ok(())
        }
        Command::BlindReview {
            command,
            didit,
            json,
        } => {
            let open = open_desk(didit).await?;
            let done = blind::run(&open, command, json).await;
            catch_up(&open, None).await;
            done
        }
        Command::Lookup {
            query,
            external_user_id,
            resend_invite,
            comment,
            reveal,
            reason,
            didit,
            json,
        } => {
            if external_user_id.is_some() {
                return Err(desk_core::lookup::NO_EXTERNAL_ID_SEARCH.into());
            }
            let query = query.ok_or(
                "name whom to look up: an email, a DHMAD verification id or a vendor_data",
            )?;
            let open = open_desk(didit).await?;
            if resend_invite {
                let action = open
                    .desk
                    .submit_invite(open.dhmad.as_ref(), &query, comment.as_deref())
                    .await?;
                return emit_queued(&action, json);
            }
            if let Some(field) = reveal {
                let value = open
                    .desk
                    .reveal_lookup(
                        open.dhmad.as_ref(),
                        &query,
                        field.into(),
                        reason.as_deref().unwrap_or_default(),
                    )
                    .await?;
                return emit(value.as_deref().unwrap_or("(not set)"));
            }
            let answer = open.desk.lookup(open.dhmad.as_ref(), &query).await?;
            if json {
                emit(&serde_json::to_string_pretty(&answer)?)
            } else {
                emit(&render_lookup(&answer))
            }
        }
    }
}

/// `desk team policy | pending | confirm | refuse`: four-eyes from the terminal.
async fn four_eyes(
    open: &desk_profiles::OpenDesk,
    command: TeamCommand,
    json: bool,
) -> Result<(), Failure> {
    use desk_core::four_eyes::{FourEyes, FourEyesRule};
    let team = team_of(open)?;
    let answered = |look: desk_core::four_eyes::SecondLook| -> Result<(), Failure> {
        if json {
            emit(&serde_json::to_string_pretty(&look)?)
        } else {
            emit(&format!(
                "{} {} of session {} by {}",
                if look.answer.as_ref().is_some_and(|a| a.confirmed) {
                    "confirmed"
                } else {
                    "refused"
                },
                look.kind.as_str(),
                look.case_id,
                look.requested_by
            ))
        }
    };
    match command {
        TeamCommand::Status => Err("unreachable: status has its own path".into()),
        TeamCommand::Policy { four_eyes } => {
            if let Some(names) = four_eyes {
                let mut rules = Vec::new();
                for name in names.iter().filter(|n| n.trim() != "none") {
                    rules.push(FourEyesRule::parse(name).ok_or_else(|| {
                        format!("{name:?} is not a rule: decline, approve-with-aml-hit, blocklist-add or none")
                    })?);
                }
                team.set_policy(&rules).await?;
            }
            let rules = team.policy().await?;
            if json {
                emit(&serde_json::to_string_pretty(&rules)?)
            } else if rules.is_empty() {
                emit("four-eyes: off")
            } else {
                emit(&format!(
                    "four-eyes: a second reviewer confirms {}",
                    rules
                        .iter()
                        .map(|r| r.describe())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        TeamCommand::Pending => {
            let pending = team.pending().await?;
            if json {
                emit(&serde_json::to_string_pretty(&pending)?)
            } else if pending.is_empty() {
                emit("nothing waits for a second reviewer")
            } else {
                emit(
                    &pending
                        .iter()
                        .map(|l| {
                            format!(
                                "{}  {} of session {} by {} ({}), reason {}",
                                l.action_id,
                                l.kind.as_str(),
                                l.case_id,
                                l.requested_by,
                                l.rule.describe(),
                                l.reason_id.as_deref().unwrap_or("-")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
        }
        TeamCommand::Confirm { action, note } => answered(
            open.desk
                .answer_second_look(team, &action, true, note.as_deref())
                .await?,
        ),
        TeamCommand::Refuse { action, note } => answered(
            open.desk
                .answer_second_look(team, &action, false, Some(&note))
                .await?,
        ),
    }
}

/// `desk team status`.
async fn team_status(didit: DiditArgs, json: bool) -> Result<(), Failure> {
    use desk_core::claims::ClaimStore;
    use desk_core::ports::Journal;
    use desk_core::team::TeamLog;
    let open = open_desk(didit).await?;
    let team = team_of(&open)?;
    catch_up(&open, None).await;
    if let Some(since) = open.desk.team_offline_since() {
        return Err(format!("team store offline since {}", since.to_rfc3339()).into());
    }
    let status = TeamStatus {
        desks: open.desk.team_presence(team).await?,
        claims: team.claims().await?,
        audit_on_team_chain: team.mirrored(&open.desk_id).await?,
        audit_here: open.desk.store.audit_max_seq().await?.unwrap_or(0),
    };
    if json {
        emit(&serde_json::to_string_pretty(&status)?)
    } else {
        emit(&render_team(&status))
    }
}

fn render_timeline(timeline: &[desk_core::case_file::TimelineEntry]) -> String {
    let mut out = String::new();
    for t in timeline {
        let source = match t.source {
            desk_core::case_file::TimelineSource::Provider => "didit",
            desk_core::case_file::TimelineSource::Desk => "desk",
        };
        let _ = writeln!(
            out,
            "{}  {source:<5} {:<22} {}{}{}{}",
            t.at.as_deref().unwrap_or("-"),
            t.kind,
            t.actor,
            t.actor_type
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default(),
            t.change
                .as_deref()
                .map(|c| format!("  {c}"))
                .unwrap_or_default(),
            t.detail
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default(),
        );
    }
    if timeline.is_empty() {
        out.push_str(
            "nothing has happened to this session yet
",
        );
    }
    out
}

fn emit_queued(action: &desk_core::outbox::Action, json: bool) -> Result<(), Failure> {
    if json {
        emit(&serde_json::to_string_pretty(&serde_json::json!({
            "action_id": action.id,
            "token": action.token,
            "case_id": action.case_id,
            "kind": action.kind,
            "state": action.state,
            "due_at": action.due_at,
        }))?)
    } else {
        emit(&format!("{} queued", action.id))
    }
}

fn render_actions(actions: &[desk_core::outbox::Action]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} actions", actions.len());
    for a in actions {
        let _ = writeln!(
            out,
            "{}  {:<16} {:<16} {}  attempts {}  {}",
            a.id,
            a.kind.as_str(),
            a.state.as_str(),
            a.case_id,
            a.attempts,
            a.detail.as_deref().unwrap_or("")
        );
    }
    out
}

async fn outbox(
    open: &desk_profiles::OpenDesk,
    command: OutboxCommand,
    json: bool,
) -> Result<(), Failure> {
    let desk = &open.desk;
    let show = |actions: Vec<desk_core::outbox::Action>| -> Result<(), Failure> {
        if json {
            emit(&serde_json::to_string_pretty(&actions)?)
        } else {
            emit(&render_actions(&actions))
        }
    };
    match command {
        OutboxCommand::List => show(desk.outbox().await?),
        OutboxCommand::Retry { action } => show(vec![desk.retry(&action).await?]),
        OutboxCommand::Cancel { action } => show(vec![desk.cancel(&action).await?]),
        OutboxCommand::Drain => {
            let _lock = desk_profiles::lock_sending(&open.data_dir, "the desk command")?;
            let mut total = desk_core::outbox::DrainReport::default();
            loop {
                let report =
                    desk_profiles::run_due(desk, open.dhmad.as_ref(), open.team.as_ref()).await?;
                total.processed += report.processed;
                total.applied += report.applied;
                total.rejected += report.rejected;
                total.conflict += report.conflict;
                total.needs_attention += report.needs_attention;
                total.awaiting_second_look = report.awaiting_second_look;
                let Some(due) = report.next_due else { break };
                let wait = (due - chrono::Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .max(std::time::Duration::from_millis(20));
                tokio::time::sleep(wait).await;
            }
            if json {
                emit(&serde_json::to_string_pretty(&total)?)?;
            } else {
                emit(&format!(
                    "sent {}: {} applied, {} rejected, {} conflict, {} need attention",
                    total.processed,
                    total.applied,
                    total.rejected,
                    total.conflict,
                    total.needs_attention
                ))?;
                if total.awaiting_second_look > 0 {
                    emit(&format!(
                        "{} wait for a second reviewer (`desk team confirm ACTION` on another desk); a later drain sends them",
                        total.awaiting_second_look
                    ))?;
                }
            }
            if total.needs_attention > 0 {
                return Err("some actions need attention: see `desk outbox`".into());
            }
            Ok(())
        }
    }
}

async fn audit(
    open: &desk_profiles::OpenDesk,
    command: AuditCommand,
    json: bool,
) -> Result<(), Failure> {
    let keystore = desk_profiles::keystore();
    match command {
        AuditCommand::Verify { checkpoint, team } => {
            let seed = || desk_profiles::signing_seed(&keystore, &open.profile.name);
            let started = std::time::Instant::now();
            let explicit = checkpoint.is_some();
            let report = match checkpoint {
                Some(path) => {
                    let cp: desk_core::audit::Checkpoint =
                        serde_json::from_slice(&std::fs::read(&path)?)?;
                    let key = desk_core::audit::public_key(&seed()?);
                    open.desk.verify_audit(Some((&cp, key.as_str()))).await?
                }
                None => {
                    let log = if team { Some(team_of(open)?) } else { None };
                    desk_profiles::verify_log(&open.desk, log, &open.data_dir, seed).await?
                }
            };
            let elapsed = started.elapsed();
            let chain = if team { "the team chain holds " } else { "" };
            if json {
                emit(&serde_json::to_string_pretty(&report)?)?;
            } else if let Some(b) = &report.broken {
                emit(&format!(
                    "{}BROKEN at entry {}: {} ({} entries checked before it)",
                    if team { "team chain " } else { "" },
                    b.seq,
                    b.why,
                    report.count
                ))?;
            } else if report.checkpoint_ok == Some(false) {
                emit(&format!(
                    "CHECKPOINT FAILED: {} (the chain itself holds {} entries, head {})",
                    report
                        .checkpoint_problem
                        .as_deref()
                        .unwrap_or("it does not match"),
                    report.count,
                    report.head_seq.unwrap_or(0)
                ))?;
            } else {
                emit(&format!(
                    "OK: {chain}{} entries, head {} ({:.0} entries/s){}",
                    report.count,
                    report.head_seq.unwrap_or(0),
                    report.count as f64 / elapsed.as_secs_f64().max(1e-9),
                    match (report.checkpoint_ok, &report.checkpoint_problem) {
                        (Some(true), _) if explicit => "; the checkpoint matches".to_owned(),
                        (Some(true), _) => "; the last checkpoint matches".to_owned(),
                        (_, Some(p)) => format!("; {p}"),
                        _ => String::new(),
                    }
                ))?;
            }
            if report.ok {
                Ok(())
            } else if team {
                Err("the team's audit log did not verify".into())
            } else {
                Err("the audit log did not verify".into())
            }
        }
        AuditCommand::Stats { from, until, team } => {
            let (from, until) = (from.as_deref(), until.as_deref());
            let sla = open.profile.sla_hours;
            let stats = if team {
                let log = team_of(open)?;
                open.desk.audit_stats(log, from, until, sla).await?
            } else {
                let log = &open.desk.store;
                open.desk.audit_stats(log, from, until, sla).await?
            };
            if json {
                emit(&serde_json::to_string_pretty(&stats)?)
            } else {
                emit(&render_stats(&stats))
            }
        }
        AuditCommand::List {
            filter,
            before,
            limit,
            team,
        } => {
            let filter = filter.into();
            let page = if team {
                let log = team_of(open)?;
                open.desk.audit_view(log, &filter, before, limit).await?
            } else {
                let log = &open.desk.store;
                open.desk.audit_view(log, &filter, before, limit).await?
            };
            if json {
                emit(&serde_json::to_string_pretty(&serde_json::json!({
                    "entries": page.entries,
                    "nextBefore": page.next_before,
                }))?)
            } else {
                let mut out = String::new();
                for e in &page.entries {
                    let d = &e.draft;
                    let _ = writeln!(
                        out,
                        "{:>7}  {}  {:<32}  {:<18} {:<10} {:<36} {}",
                        e.seq,
                        d.at,
                        d.actor,
                        d.action,
                        d.to_state.as_deref().unwrap_or(""),
                        d.case_id,
                        d.reason_id.as_deref().unwrap_or("")
                    );
                }
                match page.next_before {
                    Some(next) => {
                        let _ = write!(out, "more: --before {next}");
                    }
                    None => {
                        let _ = write!(out, "{} entries", page.entries.len());
                    }
                }
                emit(&out)
            }
        }
        AuditCommand::Export {
            format,
            out,
            filter,
            team,
            show_comments,
        } => {
            let format = match format {
                ExportFormatArg::Csv => desk_core::audit_view::ExportFormat::Csv,
                ExportFormatArg::Json => desk_core::audit_view::ExportFormat::Json,
            };
            let filter = filter.into();
            let seed = desk_profiles::signing_seed(&keystore, &open.profile.name)?;
            let team = if team { Some(team_of(open)?) } else { None };
            let started = std::time::Instant::now();
            let progress = |n: u64| {
                if !json {
                    eprint!("\rexported {n} entries");
                }
                true
            };
            let files = desk_profiles::export_audit_file(
                &open.desk,
                &open.data_dir,
                team,
                &filter,
                format,
                &out,
                show_comments.as_deref(),
                &seed,
                progress,
            )
            .await;
            if !json {
                eprintln!();
            }
            let files = files?;
            let report = &files.report;
            if json {
                emit(&serde_json::to_string_pretty(&report)?)
            } else {
                emit(&format!(
                    "{} entries written to {} in {:.2?}; the signed head (entry {}) is in {}",
                    report.entries,
                    out.display(),
                    started.elapsed(),
                    report.checkpoint.seq,
                    files.checkpoint_path.display()
                ))
            }
        }
        AuditCommand::Checkpoint { out } => {
            let seed = desk_profiles::signing_seed(&keystore, &open.profile.name)?;
            let cp = open.desk.checkpoint(&seed).await?;
            std::fs::write(&out, serde_json::to_string_pretty(&cp)?)?;
            desk_profiles::remember_checkpoint(&open.data_dir, false, &cp)?;
            if json {
                emit(&serde_json::to_string_pretty(&cp)?)
            } else {
                emit(&format!(
                    "checkpoint of entry {} written to {}",
                    cp.seq,
                    out.display()
                ))
            }
        }
    }
}

/// The allocator of the shipped binaries (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
