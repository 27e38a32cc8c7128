// The one place the UI talks to the Rust backend. Components call these typed functions;
// tests mock IPC at the Tauri boundary (@tauri-apps/api/mocks), never these functions.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ActionView,
  AmlRequest,
  BlocklistImpact,
  BlocklistKind,
  BlocklistPageView,
  BlocklistRequest,
  ErrorCode,
  FilterView,
  FoundSession,
  QueuePatch,
  LookupAnswer,
  WatchChange,
  WatchReport,
  WatchView,
  LookupField,
  Role,
  QueueFilter,
  OutboxStatusView,
  AppInfo,
  CaseView,
  ConnectionView,
  ProfileInput,
  ProfileView,
  DecidedView,
  DecisionRequest,
  QueueView,
  Reason,
  SyncStatus,
  RevealField,
  SyncView,
  TeamView,
  UiError,
  AuditFilter,
  AuditPageView,
  ExportFormat,
  ExportReport,
  VerifyReport,
  AuditStats,
  BlindAnswer,
  BlindFigures,
  BlindOutcome,
  BlindQueue,
} from "./bindings";

/** Narrows whatever a rejected command gave us into the UI's error shape. */
export function toUiError(raw: unknown): UiError {
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const e = raw as Partial<UiError>;
    return {
      code: (e.code ?? "internal") as ErrorCode,
      message: String(e.message),
      retryable: Boolean(e.retryable),
    };
  }
  return { code: "internal", message: "The desk backend did not answer as expected.", retryable: true };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toUiError(raw);
  }
}

export const backend = {
  appInfo: () => call<AppInfo>("app_info"),
  queueView: () => {
    // Each read of the whole queue, as a performance mark: the window is shown only after the
    // first, and the fill should not cause more.
    performance.mark("queue-asked");
    return call<QueueView>("queue_view");
  },
  queueRows: (caseIds: string[]) => call<QueuePatch>("queue_rows", { caseIds }),
  syncQueue: () => call<SyncView>("sync_queue"),
  openCase: (caseId: string) => call<CaseView>("open_case", { caseId }),
  searchQueue: (text: string) => call<string[]>("search_queue", { text }),
  findSessions: (text: string) => call<FoundSession[]>("find_sessions", { text }),
  lookup: (text: string) => call<LookupAnswer>("lookup", { text }),
  watchList: () => call<WatchView>("watch_list"),
  changeWatch: (change: WatchChange) => call<WatchReport>("change_watch", { change }),
  revealLookup: (verificationId: string, field: LookupField, reason: string) =>
    call<string | null>("reveal_lookup", { verificationId, field, reason }),
  resendInvite: (verificationId: string, comment: string | null) =>
    call<ActionView>("resend_invite", { verificationId, comment }),
  setRole: (name: string, role: Role) => call<ProfileView[]>("set_role", { name, role }),
  filterQueue: (filter: QueueFilter) => call<FilterView>("filter_queue", { filter }),
  syncStatus: () => call<SyncStatus>("sync_status"),
  reasons: () => call<Reason[]>("reasons"),
  profiles: () => call<ProfileView[]>("profiles"),
  saveProfile: (input: ProfileInput) => call<ProfileView[]>("save_profile", { input }),
  deleteKeys: (name: string) => call<ProfileView[]>("delete_keys", { name }),
  testConnection: (name: string) => call<ConnectionView>("test_connection", { name }),
  switchProfile: (name: string) => call<AppInfo>("switch_profile", { name }),
  decide: (request: DecisionRequest) => call<DecidedView>("decide", { request }),
  reveal: (caseId: string, field: RevealField, reason: string, index = 0) =>
    call<string | null>("reveal", { caseId, field, index, reason }),
  undoAction: (actionId: string) => call<ActionView>("undo_action", { actionId }),
  retryAction: (actionId: string) => call<ActionView>("retry_action", { actionId }),
  cancelAction: (actionId: string) => call<ActionView>("cancel_action", { actionId }),
  outbox: () => call<ActionView[]>("outbox"),
  outboxStatus: () => call<OutboxStatusView>("outbox_status"),
  blocklist: (request: BlocklistRequest) => call<ActionView>("blocklist", { request }),
  amlReview: (request: AmlRequest) => call<ActionView>("aml_review", { request }),
  blocklistImpact: (caseId: string) => call<BlocklistImpact>("blocklist_impact", { caseId }),
  blocklistEntries: (kind: BlocklistKind, page: number) => call<BlocklistPageView>("blocklist_entries", { kind, page }),
  teamView: () => call<TeamView>("team_view"),
  auditPage: (filter: AuditFilter, before: number | null) => call<AuditPageView>("audit_page", { filter, before }),
  auditActors: () => call<string[]>("audit_actors"),
  verifyAudit: () => call<VerifyReport>("verify_audit"),
  auditStats: (from: string | null, until: string | null) => call<AuditStats>("audit_stats", { from, until }),
  exportAudit: (filter: AuditFilter, format: ExportFormat, showCommentsBecause: string | null) =>
    call<Exported>("export_audit", { filter, format, showCommentsBecause }),
  cancelExport: () => call<null>("cancel_export"),
  leaveCase: (caseId: string) => call<null>("leave_case", { caseId }),
  releaseClaim: (caseId: string) => call<null>("release_claim", { caseId }),
  blindReviewQueue: (since: string | null) => call<BlindQueue>("blind_review_queue", { since }),
  blindCase: (caseId: string, actionId: string | null) => call<CaseView>("blind_case", { caseId, actionId }),
  answerBlindReview: (answer: BlindAnswer) => call<BlindOutcome>("answer_blind_review", { answer }),
  blindReviewFigures: (from: string | null, until: string | null) => call<BlindFigures>("blind_review_figures", { from, until }),
  setBlindReviewShare: (percent: number) => call<number>("set_blind_review_share", { percent }),
  answerSecondLook: (actionId: string, confirmed: boolean, note: string | null) =>
    call<null>("answer_second_look", { actionId, confirmed, note }),
};

/** Entries an export has written so far. */
export function onExportProgress(handler: (written: number) => void): Promise<UnlistenFn> {
  return listen<number>("export-progress", (e) => handler(e.payload));
}

/** What an export wrote, and where. */
export type Exported = { path: string; checkpointPath: string; report: ExportReport };

/** The backend's "the team changed" notice (a claim taken or let go by any desk). */
export function onTeamChanged(handler: () => void): Promise<UnlistenFn> {
  return listen("team-changed", handler);
}

/** The backend's narrow "the outbox changed" notice; the UI refetches. */
export function onOutboxChanged(handler: () => void): Promise<UnlistenFn> {
  return listen("outbox-changed", handler);
}

/** The ids of the cases whose summaries the backend's fill just brought; the UI reads those
 * rows and patches its cached queue. */
export function onQueueRows(handler: (caseIds: string[]) => void): Promise<UnlistenFn> {
  return listen<string[]>("queue-rows", (event) => handler(event.payload));
}

/** The backend's narrow "the queue changed" notice; the UI refetches. */
export function onQueueChanged(handler: () => void): Promise<UnlistenFn> {
  return listen("queue-changed", handler);
}
