// Generated from src-tauri/crates/desk-core/src/ipc/ by `UPDATE_BINDINGS=1 cargo test -p desk-core`.
// Do not edit by hand.

export type AppInfo = { productName: string, version: string, 
/**
 * The active profile's name, e.g. "Sandbox".
 */
profile: string, 
/**
 * True when the profile talks to the built-in simulator instead of the real APIs.
 */
simulated: boolean, 
/**
 * The profile's data directory, so a reviewer or a test can see where files go.
 */
dataDir: string, 
/**
 * Who decisions are signed as.
 */
reviewerName: string, reviewerEmail: string, 
/**
 * Why the desk is not on the profile it was set to open, if so.
 */
notice: string | null, 
/**
 * What this desk may do: on a team the team store's role for its login, else the
 * profile's (a convenience then: the API key decides what is possible).
 */
role: Role, 
/**
 * The team store login this desk is signed in as (None: the desk works alone).
 */
teamLogin: string | null, 
/**
 * Whether support lookups can reach DHMAD (the profile has its key).
 */
canLookUp: boolean, 
/**
 * This is the desk's first start on this data root (no profile book was there): the
 * window explains the Sandbox profile and how to add a Live one.
 */
firstRun: boolean, };

export type UiError = { code: ErrorCode, message: string, retryable: boolean, };

export type ErrorCode = "conflict" | "not_allowed" | "invalid" | "store" | "unauthorized" | "not_found" | "rejected" | "rate_limited" | "unavailable" | "outcome_unknown" | "missing_key" | "keyring" | "setup" | "blocked" | "already_verified" | "unsupported" | "internal";

export type Provider = "Didit" | "VerifyHq";

export type WatchView = { users: Array<string>, 
/**
 * Kept in the team store (every desk of the team reads it), else on this desk.
 */
shared: boolean, 
/**
 * Whether this profile reviews VerifyHQ cases at all.
 */
verifyhq: boolean, max: number, };

export type WatchChange = { "kind": "add", users: Array<string>, } | { "kind": "remove", users: Array<string>, } | { "kind": "import", text: string, skip_bad: boolean, };

export type WatchReport = { users: Array<string>, before: number, 
/**
 * Users this change added (not watched before) and dropped (watched before).
 */
added: Array<string>, removed: Array<string>, 
/**
 * Lines skipped by an import, ids asked to be removed that were not watched.
 */
notes: Array<string>, };

export type Capabilities = { blocklist: boolean, amlHits: boolean, 
/**
 * Steps to redo can be named in a resubmission (else a resubmission starts over).
 */
redoSteps: boolean, 
/**
 * A resubmission keeps the case (Didit) or starts a new verification (VerifyHQ restart).
 */
resubmitStartsAnew: boolean, 
/**
 * The provider stores the desk's stamped comment with a resubmission, so a lost answer
 * is recognised by its token (VerifyHQ's restart takes no notes).
 */
resubmitKeepsToken: boolean, 
/**
 * A decision needs a reason or comment (VerifyHQ's reviewNotes is required).
 */
notesRequired: boolean, 
/**
 * The provider can e-mail the person about the decision.
 */
notifyEmail: boolean, 
/**
 * Each check comes with its details (scores, warnings, document fields), not only its state.
 */
stepDetails: boolean, };

export type QueueRow = { caseId: string, provider: Provider, caseNumber: number | null, vendorDataMasked: string | null, 
/**
 * Known once the case's decision has been fetched.
 */
workflowId: string | null, 
/**
 * The workflow's name, when the provider lists it.
 */
workflowName: string | null, 
/**
 * Whether the case's summary is cached (else its warnings and workflow are not known yet).
 */
fetched: boolean, country: string | null, createdAt: string | null, 
/**
 * Minutes left (positive) or late (negative) against the SLA.
 */
dueMinutes: number | null, dueLabel: string | null, 
/**
 * The most serious warning codes, once the decision has been fetched.
 */
topWarnings: Array<string>, };

export type QueueView = { rows: Array<QueueRow>, 
/**
 * When the queue was last fetched from the provider (RFC 3339, UTC).
 */
syncedAt: string | null, slaHours: number, 
/**
 * Requests left in each provider's rate windows.
 */
rateBudgets: Array<RateBudget>, 
/**
 * Rows whose summary has not been fetched yet (their warnings and workflow are unknown).
 */
unfetched: number, 
/**
 * Every workflow the provider lists, for the workflow filter.
 */
workflows: Array<WorkflowOption>, };

export type QueuePatch = { rows: Array<QueueRow>, 
/**
 * Queued cases still without a summary.
 */
unfetched: number, rateBudgets: Array<RateBudget>, };

export type WorkflowOption = { id: string, name: string, };

export type FilterView = { caseIds: Array<string>, 
/**
 * True when the provider applied the filter (every case judged).
 */
exact: boolean, 
/**
 * Cases not judged yet: no summary cached and the provider unreachable.
 */
unjudged: number, };

export type QueueFilter = { 
/**
 * A warning (risk) code the case carries.
 */
warning: string | null, 
/**
 * ISO alpha-3 issuing country of the document.
 */
country: string | null, workflowId: string | null, };

export type SyncView = { inReview: number, dropped: number, };

export type TimelineEntry = { 
/**
 * RFC 3339, UTC.
 */
at: string | null, source: TimelineSource, 
/**
 * The provider's activity type, or the desk's action (decline, undo, reveal, …).
 */
kind: string, actor: string, 
/**
 * API_KEY, CONSOLE_USER or SYSTEM for provider entries.
 */
actorType: string | null, 
/**
 * "In Review → Approved" (a status change) or "queued → sending" (an action's state).
 */
change: string | null, 
/**
 * The comment, the API's message, what a reconcile found.
 */
detail: string | null, };

export type TimelineSource = "provider" | "desk";

export type CaseView = { summary: CaseSummary, fetchedAt: string, 
/**
 * True when the provider could not be reached and this is an older cached copy.
 */
stale: boolean, 
/**
 * Newest first: the provider's review feed and this desk's audit entries.
 */
timeline: Array<TimelineEntry>, 
/**
 * The person's other sessions, oldest first.
 */
otherSessions: Array<OtherSession>, 
/**
 * The case is no longer in review (decided, expired…), or another desk of the team
 * holds it: it can be read, not decided.
 */
readOnly: boolean, 
/**
 * On a team: the reviewer whose desk holds this case, when it is not this one.
 */
heldBy: string | null, 
/**
 * Who verifies this case, and what that provider can do beyond a status decision.
 */
provider: Provider, capabilities: Capabilities, };

export type FoundSession = { caseId: string, caseNumber: number | null, status: string, vendorDataMasked: string | null, createdAt: string | null, };

export type TeamView = { enabled: boolean, 
/**
 * This desk's reviewer, `Name <email>`.
 */
me: string, 
/**
 * Since when the team store has not answered (RFC 3339), if so.
 */
offlineSince: string | null, claims: Array<Claim>, desks: Array<Presence>, 
/**
 * Outcomes the team wants a second reviewer to confirm.
 */
fourEyes: Array<FourEyesRule>, 
/**
 * Actions waiting for a second reviewer, oldest first.
 */
secondLooks: Array<SecondLook>, };

export type AuditRowView = { seq: number, at: string, actor: string, action: string, caseId: string, actionId: string | null, fromState: string | null, toState: string | null, reasonId: string | null, comment: string | null, outcome: string | null, };

export type AuditPageView = { rows: Array<AuditRowView>, 
/**
 * Pass as `before` for the next page (None: this was the last).
 */
nextBefore: number | null, 
/**
 * The team's shared log (true) or this desk's own.
 */
team: boolean, };

export type AuditStats = { from: string | null, until: string | null, entries: number, 
/**
 * The SLA the breaches are counted against.
 */
slaHours: number, team: Figures, reviewers: Array<Figures>, };

export type Figures = { reviewer: string, 
/**
 * Decisions applied (sent and accepted by the provider).
 */
decisions: number, approved: number, declined: number, resubmitted: number, 
/**
 * Applied decisions per UTC day, `YYYY-MM-DD`, in order.
 */
perDay: Array<[string, number]>, 
/**
 * Seconds from the case's last opening by the same reviewer to queuing the decision.
 */
openToDecideMedianS: number | null, openToDecideP90S: number | null, 
/**
 * Decisions queued, and of those taken back with Undo.
 */
queued: number, undone: number, undoRate: number, 
/**
 * Decisions that met another reviewer's decision of the same case.
 */
conflicts: number, 
/**
 * Applied decisions a later applied decision of another reviewer replaced.
 */
changedLater: number, 
/**
 * Applied decisions that came after the case's SLA had run out (cases whose creation
 * time the desk has cached).
 */
slaBreaches: number, };

export type AuditFilter = { 
/**
 * The reviewer, `Name <email>` as the log writes it.
 */
actor: string | null, 
/**
 * What was done: `decline`, `blocklist_add`, `reveal`, `claim_cleared`, …
 */
action: string | null, 
/**
 * The state an action reached: `applied`, `rejected`, `conflict`, `needs_attention`, …
 */
toState: string | null, reasonId: string | null, 
/**
 * A warning code the case carries (as its cached summary says).
 */
warning: string | null, caseId: string | null, 
/**
 * From this instant on (RFC 3339, or a date: its start, UTC).
 */
from: string | null, 
/**
 * Before this instant (RFC 3339, or a date: the end of that day, UTC).
 */
until: string | null, };

export type ExportFormat = "csv" | "json";

export type ExportReport = { entries: number, 
/**
 * Comments were written as they are (the lead gave a reason, audited).
 */
commentsShown: boolean, 
/**
 * The signed checkpoint of the chain's head that travels with the export.
 */
checkpoint: Checkpoint, };

export type Checkpoint = { seq: number, head_hash: string, at: string, 
/**
 * Ed25519 public key (hex) of the profile that signed.
 */
public_key: string, 
/**
 * Ed25519 signature (hex) over `checkpoint_message`.
 */
signature: string, };

export type VerifyReport = { ok: boolean, count: number, head_seq: number | null, head_hash: string | null, 
/**
 * The first broken entry, when the chain is broken.
 */
broken: Broken | null, 
/**
 * Whether the given checkpoint still matches the log (None: no checkpoint given).
 */
checkpoint_ok: boolean | null, 
/**
 * Why it does not, when it does not.
 */
checkpoint_problem: string | null, };

export type Broken = { seq: number, why: string, };

export type Claim = { caseId: string, 
/**
 * The reviewer's identity, `Name <email>`.
 */
holder: string, claimedAt: string, expiresAt: string, };

export type Presence = { 
/**
 * `Name <email>`.
 */
reviewer: string, 
/**
 * The case open on that desk, if any.
 */
caseId: string | null, seenAt: string, 
/**
 * Seen within the last `ONLINE_SECONDS`.
 */
online: boolean, 
/**
 * Decisions applied today (UTC) by this reviewer, from the team's audit.
 */
decisionsToday: number, };

export type FourEyesRule = "decline" | "approve_with_aml_hit" | "blocklist_add";

export type SecondLook = { actionId: string, caseId: string, kind: ActionKind, rule: FourEyesRule, requestedBy: string, reasonId: string | null, comment: string | null, requestedAt: string, answer: Answer | null, };

export type Answer = { 
/**
 * `Name <email>` of the second reviewer.
 */
by: string, confirmed: boolean, note: string | null, at: string, };

export type LookupQuery = { "kind": "email", "value": string } | { "kind": "verification_id", "value": string } | { "kind": "vendor_data", "value": string };

export type LookupAnswer = { query: LookupQuery, verifications: Array<VerificationCard>, 
/**
 * The person's Didit sessions (newest first), when a vendor_data is known.
 */
sessions: Array<PersonSession>, 
/**
 * What the answer could not include, and why.
 */
notes: Array<string>, };

export type VerificationCard = { id: string, 
/**
 * Shown in full only when it is what support typed.
 */
email: string, emailMasked: boolean, externalUserIdMasked: string | null, kycStatus: string, needsAdminReview: boolean, claimStatus: string | null, linked: boolean, linkedUserIdMasked: string | null, linkedAt: string | null, inviteSent: boolean, inviteSentAt: string | null, expiresAt: string | null, createdAt: string | null, updatedAt: string | null, diditSessionStatus: string | null, };

export type PersonSession = { caseId: string, caseNumber: number | null, status: string, createdAt: string | null, };

export type LookupField = "email" | "external_user_id" | "linked_user_id";

export type OtherSession = { caseNumber: number | null, status: string, createdAt: string | null, };

export type DecidedView = { caseId: string, actionId: string, state: ActionState, 
/**
 * When the decision will be sent; Undo works until then.
 */
undoUntil: string, nextCaseId: string | null, };

export type RevealField = "document_number" | "date_of_birth" | "mismatch_expected" | "mismatch_found" | "contact" | "ip_address";

export type Reason = { id: string, label: string, verdicts: Array<Verdict>, 
/**
 * Warning codes this reason typically answers.
 */
codes: Array<string>, };

export type SyncStatus = { running: boolean, 
/**
 * Cases fetched so far in the running (or last) sync.
 */
fetched: number, 
/**
 * How many the provider said there are.
 */
total: number | null, 
/**
 * Why the last sync failed; cleared by a successful one.
 */
lastError: string | null, 
/**
 * Providers the last sync could not read although others answered (their cases are as
 * the sync before left them).
 */
unread: Array<string>, };

export type RateBudget = { provider: Provider, 
/**
 * Reads and writes draw on one window (the figures are the same requests counted once).
 */
shared: boolean, readsLeft: number, readsLimit: number, writesLeft: number, writesLimit: number, };

export type ActionView = { id: string, 
/**
 * The token stamped into the comment the provider keeps, by which the action is found
 * there again (not a secret: it names the action, nothing else).
 */
token: string, caseId: string, kind: ActionKind, state: ActionState, attempts: number, reasonId: string | null, comment: string | null, createdAt: string, dueAt: string, detail: string | null, 
/**
 * Whether Undo still works (queued, never sent).
 */
canUndo: boolean, canRetry: boolean, canCancel: boolean, };

export type ActionKind = "approve" | "decline" | "resubmit" | "blocklist_add" | "blocklist_remove" | "aml_hit" | "aml_check" | "resend_invite";

export type ActionState = "queued" | "sending" | "applied" | "rejected" | "conflict" | "cancelled" | "needs_attention";

export type OutboxStatusView = { pending: number, needsAttention: number, offlineSince: string | null, 
/**
 * Why this desk is not sending (another process holds the profile's outbox), if so.
 */
notSending: string | null, };

export type BlocklistRequest = { case_id: string, 
/**
 * True adds to the blocklist, false removes.
 */
add: boolean, face: boolean, document: boolean, phone: boolean, email: boolean, reason_id: string | null, comment: string | null, };

export type BlocklistKind = "face" | "document" | "phone" | "email";

export type BlocklistEntryView = { kind: BlocklistKind, caseId: string | null, caseNumber: number | null, blocklistedAt: string | null, valueMasked: string | null, };

export type BlocklistPageView = { entries: Array<BlocklistEntryView>, total: number | null, page: number, pageSize: number, };

export type AmlRequest = { case_id: string, 
/**
 * None: the AML check itself.
 */
hit_id: string | null, 
/**
 * One of `AML_HIT_STATUSES` for a hit, `AML_CHECK_STATUSES` for the check.
 */
status: string, reason_id: string | null, 
/**
 * Why (required: this is a compliance decision).
 */
comment: string | null, };

export type BlindItem = { actionId: string, caseId: string, caseNumber: number | null, 
/**
 * When the decision was applied (its day is not a hint to the verdict: all are drawn alike).
 */
decidedAt: string, 
/**
 * The case's warning codes, as its cached summary says.
 */
warnings: Array<string>, 
/**
 * This reviewer gave the first verdict: another lead must look.
 */
own: boolean, };

export type BlindQueue = { 
/**
 * The percent of approvals drawn now.
 */
share: number, 
/**
 * Approvals from this instant on were looked at.
 */
since: string, drawn: number, answered: number, 
/**
 * Oldest first.
 */
pending: Array<BlindItem>, };

export type Agreement = { key: string, answered: number, agreed: number, rate: number, };

export type Disagreement = { caseId: string, caseNumber: number | null, 
/**
 * Who approved.
 */
reviewer: string, lead: string, 
/**
 * The lead's verdict: `decline` or `resubmit`.
 */
verdict: string, reasonId: string | null, comment: string | null, at: string, };

export type BlindFigures = { share: number, 
/**
 * Approvals applied in the period, of those drawn, of those answered and agreed with.
 */
approvals: number, drawn: number, answered: number, agreed: number, perReviewer: Array<Agreement>, perWarning: Array<Agreement>, 
/**
 * Newest first.
 */
disagreements: Array<Disagreement>, };

export type BlindAnswer = { caseId: string, 
/**
 * The drawn approval (the latest unanswered one of the case when absent).
 */
actionId: string | null, verdict: Verdict, reasonId: string, 
/**
 * Required when the lead does not approve: the disagreement is discussed from it.
 */
comment: string | null, };

export type BlindOutcome = { caseId: string, reviewer: string, firstVerdict: string, agreed: boolean, seq: number, };

export type BlocklistImpact = { 
/**
 * Which items this case has to blocklist.
 */
hasFace: boolean, hasDocument: boolean, hasPhone: boolean, hasEmail: boolean, 
/**
 * Sessions the provider's decision lists as matching this face.
 */
faceMatches: number, 
/**
 * Other cached cases with the same document number, phone or email.
 */
documentSessions: number, phoneSessions: number, emailSessions: number, 
/**
 * How many other cases the counts were taken over.
 */
cachedCases: number, 
/**
 * `*_IN_BLOCKLIST` warnings this case already carries.
 */
alreadyBlocklisted: Array<string>, };

export type ProfileView = { profile: Profile, active: boolean, hasDiditKey: boolean, hasDhmadKey: boolean, 
/**
 * Only for a profile with a VerifyHQ URL.
 */
hasVerifyhqKey: boolean, 
/**
 * The team store's password is in the credential store.
 */
hasTeamPassword: boolean, };

export type ProfileInput = { profile: Profile, diditKey: string | null, dhmadKey: string | null, verifyhqKey: string | null, 
/**
 * The team store role's password (to the credential store only).
 */
teamPassword: string | null, };

export type ConnectionView = { 
/**
 * One line per API the profile uses, in the order Didit, VerifyHQ, DHMAD.
 */
checks: Array<ConnectionCheck>, };

export type ConnectionCheck = { api: string, ok: boolean, text: string, };

export type Profile = { name: string, kind: ProfileKind, 
/**
 * Didit origin, e.g. https://verification.didit.me, when this profile reviews Didit
 * sessions (Live; its key in the OS credential store). None (or empty): VerifyHQ only.
 */
diditUrl?: string, 
/**
 * DHMAD API base including /api/v1 (Live only).
 */
dhmadUrl: string, reviewerName: string, reviewerEmail: string, 
/**
 * Seconds a decision waits before it is sent, so it can be undone (0: off).
 */
undoSeconds: number, 
/**
 * Hours a case may wait in review before it is late (the team's SLA).
 */
slaHours: number, 
/**
 * What the desk shows (a convenience, not a security boundary: the API key decides).
 */
role: Role, 
/**
 * The team's shared PostgreSQL store, `postgres://user@host:port/db` (its password is
 * in the OS credential store, never here). None: this desk works alone.
 */
teamStore?: string | null, 
/**
 * VerifyHQ's base URL up to /v1 when this profile also reviews VerifyHQ cases (Live; its
 * key in the OS credential store). None: Didit only.
 */
verifyhqUrl?: string, };

export type ProfileKind = "Sandbox" | "Live";

export type Role = "reviewer" | "team_lead" | "support";

export type DecisionRequest = { case_id: string, verdict: Verdict, comment: string | null, notify: EmailNotice | null, 
/**
 * Only for a resubmission; empty lets the provider choose the failed steps.
 */
redo: Array<RedoStep>, 
/**
 * The reason picked from the team's list (kept as data in the outbox and the audit log).
 */
reason_id: string | null, };

export type EmailNotice = { address: string, language: string, };

export type RedoStep = { step: string, kind: string, };

export type Verdict = "Approve" | "Decline" | "Resubmit";

export type CaseSummary = { case_id: string, case_number: number | null, status: string, workflow_id: string | null, vendor_data: string | null, created_at: string | null, checks: Array<Check>, 
/**
 * Sorted: errors, then warnings, then information.
 */
warnings: Array<Warning>, documents: Array<DocumentFacts>, mismatches: Array<Mismatch>, aml_hits: Array<AmlHit>, ip: Array<IpFacts>, contacts: Array<ContactFacts>, related: Array<RelatedCase>, 
/**
 * Steps that can be named in a resubmission.
 */
steps: Array<Step>, reviews: Array<ReviewEntry>, };

export type Check = { kind: string, step: string, status: string, score: Score | null, 
/**
 * Short facts worth a glance ("method: PASSIVE", "VPN or Tor: yes").
 */
facts: Array<[string, string]>, };

export type Score = { value: number, 
/**
 * At or below this the check is declined.
 */
decline_at: number | null, 
/**
 * At or below this the check needs review.
 */
review_at: number | null, 
/**
 * True when a higher value is worse (AML risk), false when higher is better (similarity).
 */
higher_is_riskier: boolean, 
/**
 * Where the thresholds come from (None: the provider's own decision gave them).
 */
thresholds_from: ThresholdSource | null, };

export type ThresholdSource = "workflow" | "documented_default";

export type Warning = { check: string, code: string, severity: Severity, short_description: string, long_description: string, step: string | null, 
/**
 * Scalar context from the provider (no links, no nested objects).
 */
context: { [key in string]: string }, };

export type Severity = "error" | "warning" | "information";

export type DocumentFacts = { step: string, document_type: string | null, issuing_country: string | null, expiry: string | null, document_number: string | null, date_of_birth: string | null, full_name: string | null, nationality: string | null, gender: string | null, age: number | null, };

export type Mismatch = { field: string, expected: string, found: string, };

export type AmlHit = { 
/**
 * The provider's id of the hit, needed to mark it reviewed.
 */
hit_id: string | null, matched_name: string, datasets: Array<string>, match_score: number | null, risk_score: number | null, review_status: string | null, };

export type IpFacts = { ip_address: string | null, country: string | null, country_code: string | null, city: string | null, vpn_or_tor: boolean, data_center: boolean, distance_from_document_km: number | null, };

export type ContactFacts = { kind: string, value: string, verified: boolean, flags: Array<string>, };

export type RelatedCase = { case_id: string | null, case_number: number | null, status: string | null, similarity: number | null, blocklisted: boolean, 
/**
 * Which signal links them, e.g. "face" or "POSSIBLE_DUPLICATED_USER".
 */
via: string, };

export type Step = { step: string, kind: string, status: string, };

export type ReviewEntry = { actor: string, 
/**
 * API_KEY, CONSOLE_USER or SYSTEM: tells a reviewer's change from Didit's own.
 */
actor_type: string | null, 
/**
 * STATUS_UPDATED, COMMENT, AML_HIT_STATUS_UPDATED, …
 */
activity_type: string | null, previous_status: string | null, new_status: string | null, comment: string | null, at: string | null, };
