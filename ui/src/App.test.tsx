import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { App } from "./App";
import { Providers } from "./providers";
import type { AppInfo, Capabilities, BlocklistPageView, FilterView, FoundSession, LookupAnswer, QueueFilter, QueuePatch, BlocklistRequest, CaseSummary, CaseView, DecisionRequest, QueueView, SyncStatus, TeamView, AuditFilter, BlindAnswer, BlindFigures, BlindQueue } from "./bindings";

let info: AppInfo;
const reviewerInfo: AppInfo = {
  productName: "DHMAD Review Desk",
  version: "0.1.0",
  profile: "Sandbox",
  simulated: true,
  dataDir: "/tmp/desk/sandbox",
  reviewerName: "Amira Ben Salah",
  reviewerEmail: "amira@dhmad.tn",
  teamLogin: null,
  notice: null,
  role: "reviewer",
  canLookUp: true, firstRun: false,
};

const DIDIT: Capabilities = { blocklist: true, amlHits: true, redoSteps: true, resubmitStartsAnew: false, resubmitKeepsToken: true, notesRequired: false, notifyEmail: true, stepDetails: true };
const DECIDED = "00000000-0000-4000-8000-000000000870";
const ids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];

const queue: QueueView = {
  rows: ids.map((caseId, i) => ({
    caseId,
    provider: "Didit" as const,
    caseNumber: 1000 + i,
    vendorDataMasked: "dhm••••42",
    workflowId: null,
    workflowName: null,
    fetched: i === 0,
    country: i === 0 ? "TUN" : "FRA",
    createdAt: "2026-11-21T08:00:00Z",
    dueMinutes: -120,
    dueLabel: "2 h late",
    topWarnings: ["MRZ_VALIDATION_FAILED"],
  })),
  syncedAt: new Date().toISOString(),
  slaHours: 24,
  rateBudgets: [{ provider: "Didit", shared: false, readsLeft: 590, readsLimit: 600, writesLeft: 300, writesLimit: 300 }],
  unfetched: 1,
  workflows: [{ id: "wf-1", name: "Seller KYC" }],
};

function summary(caseId: string, n: number): CaseSummary {
  return {
    case_id: caseId, case_number: n, status: "In Review", workflow_id: null, vendor_data: "dhm••••42", created_at: "2026-11-21T08:00:00Z",
    checks: [{ kind: "FACE_MATCH", step: "feature_face_match_1", status: "In Review", score: { value: 62, decline_at: 50, review_at: 70, higher_is_riskier: false, thresholds_from: null }, facts: [] }],
    warnings: [
      { check: "ID_VERIFICATION", code: "MRZ_VALIDATION_FAILED", severity: "warning", short_description: "MRZ check digits fail", long_description: "", step: null, context: {} },
      { check: "LIVENESS", code: "FACE_IN_BLOCKLIST", severity: "error", short_description: "Face is blocklisted", long_description: "", step: null, context: {} },
    ],
    documents: [], mismatches: [], aml_hits: [], ip: [], contacts: [], related: [],
    steps: [{ step: "feature_ocr_1", kind: "ID_VERIFICATION", status: "In Review" }],
    reviews: [],
  };
}

let decided: DecisionRequest[] = [];
let blocklisted: BlocklistRequest[] = [];
let filters: QueueFilter[] = [];
let revealed: { field: string; reason: string }[] = [];
let resent: { verificationId: string; comment: string | null }[] = [];
let team: TeamView = { enabled: false, me: "", offlineSince: null, claims: [], desks: [], fourEyes: [], secondLooks: [] };
let answers: { actionId: string; confirmed: boolean; note: string | null }[] = [];
let auditAsks: { filter: AuditFilter; before: number | null }[] = [];
const auditRow = (seq: number, actor: string, action: string) => ({ seq, at: "2026-12-01T09:00:00.000000Z", actor, action, caseId: ids[0] ?? "", actionId: null, fromState: "sending", toState: "applied", reasonId: "doc_altered", comment: null, outcome: "applied" });
let left: string[] = [];
let blindAnswers: BlindAnswer[] = [];
let queueReads = 0;
/** The answer to the n-th read of the queue. */
let queueAnswer: (n: number) => QueueView | Promise<QueueView> = () => queue;
let rowsAsked: string[][] = [];
let rowsAnswer: QueuePatch | null = null;

function renderApp() {
  return render(<Providers><App /></Providers>);
}
let syncStatus: SyncStatus = { running: false, fetched: 2, total: 2, lastError: null, unread: [] };

// jsdom has no layout observers; the palette's list measures itself with them.
globalThis.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} };
Element.prototype.scrollIntoView ??= () => undefined;
// jsdom draws nothing: the charts get no canvas context (Chart.js then draws nothing, quietly).
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
// jsdom lays nothing out; give the virtualized queue a viewport so it renders rows.
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 800 });

beforeEach(() => {
  window.location.hash = "";
  info = reviewerInfo;
  decided = [];
  blocklisted = [];
  filters = [];
  revealed = [];
  resent = [];
  left = [];
  team = { enabled: false, me: "", offlineSince: null, claims: [], desks: [], fourEyes: [], secondLooks: [] };
  answers = [];
  auditAsks = [];
  blindAnswers = [];
  queueReads = 0;
  queueAnswer = () => queue;
  rowsAsked = [];
  rowsAnswer = null;
  syncStatus = { running: false, fetched: 2, total: 2, lastError: null, unread: [] };
  mockIPC(
    (cmd, args) => {
      const a = args as Record<string, unknown>;
      switch (cmd) {
        case "app_info": return info;
        case "queue_view": queueReads += 1; return queueAnswer(queueReads);
        case "queue_rows": rowsAsked.push(a.caseIds as string[]); return rowsAnswer;
        case "open_case": {
          const i = ids.indexOf(String(a.caseId));
          const decided = String(a.caseId) === DECIDED;
          const s = summary(String(a.caseId), decided ? 870 : 1000 + i);
          if (decided) s.status = "Declined";
          const view: CaseView = { summary: s, fetchedAt: new Date().toISOString(), stale: false, timeline: [], otherSessions: [{ caseNumber: 870, status: "Declined", createdAt: "2026-10-01T00:00:00Z" }], readOnly: decided, heldBy: null, provider: "Didit", capabilities: DIDIT };
          return view;
        }
        case "reasons":
          return [
            { id: "other", label: "Other (explain in the comment)", verdicts: ["Approve", "Decline", "Resubmit"], codes: [] },
            { id: "blocklisted", label: "Blocklisted face, document, phone or email", verdicts: ["Decline"], codes: ["FACE_IN_BLOCKLIST"] },
          ];
        case "sync_status":
          return syncStatus;
        case "filter_queue": {
          const f = a.filter as QueueFilter;
          filters.push(f);
          if (f.warning === "FACE_IN_BLOCKLIST") return { caseIds: [ids[1] ?? ""], exact: true, unjudged: 0 } satisfies FilterView;
          if (f.country) return { caseIds: ids.filter((_, i) => (i === 0 ? "TUN" : "FRA") === f.country), exact: true, unjudged: 0 } satisfies FilterView;
          return { caseIds: [], exact: false, unjudged: 1 } satisfies FilterView;
        }
        case "lookup": {
          const pending = String(a.text) === "pending@dhmad.tn";
          if (String(a.text) === "taken@dhmad.tn") throw { code: "already_verified", message: "nothing to do: this person already has verified KYC on DHMAD", retryable: false };
          const answer: LookupAnswer = {
            query: { kind: "email", value: String(a.text) },
            verifications: [{
              id: "66a1b2c3d4e5f60718293a4b", email: String(a.text), emailMasked: false, externalUserIdMasked: "us•••42", kycStatus: pending ? "pending" : "approved",
              needsAdminReview: false, claimStatus: pending ? "pending" : "linked", linked: !pending, linkedUserIdMasked: "65f•••••901", linkedAt: "2026-11-20T10:00:00Z",
              inviteSent: true, inviteSentAt: "2026-11-19T10:00:00Z", expiresAt: "2027-02-17T10:00:00Z", createdAt: "2026-11-19T10:00:00Z", updatedAt: null, diditSessionStatus: "completed",
            }],
            sessions: [{ caseId: DECIDED, caseNumber: 870, status: "Approved", createdAt: "2026-11-19T10:00:00Z" }],
            notes: [],
          };
          return answer;
        }
        case "resend_invite":
          resent.push(a as { verificationId: string; comment: string | null });
          return null;
        case "reveal_lookup":
          revealed.push(a as { field: string; reason: string });
          return "65f0c1d2e3a4b5c6d7e8f901";
        case "find_sessions":
          return String(a.text) === "dhmad-user-870" ? [{ caseId: DECIDED, caseNumber: 870, status: "Declined", vendorDataMasked: "dh•••••••er-870", createdAt: "2026-10-01T00:00:00Z" }] satisfies FoundSession[] : [];
        case "search_queue":
          return String(a.text) === "user-42" ? [ids[1]] : [];
        case "blocklist_entries": {
          const page: BlocklistPageView = {
            entries: a.kind === "email" ? [{ kind: "email", caseId: ids[0] ?? null, caseNumber: 1000, blocklistedAt: "2026-11-20T10:00:00Z", valueMasked: "use•••••••est" }] : [],
            total: a.kind === "email" ? 1 : 0, page: Number(a.page), pageSize: 20,
          };
          return page;
        }
        case "blocklist":
          blocklisted.push(a.request as BlocklistRequest);
          return null;
        case "team_view": return team;
        case "audit_actors": return ["Amira Ben Salah <amira@dhmad.tn>", "Youssef <youssef@dhmad.tn>"];
        case "audit_page": {
          const filter = a.filter as AuditFilter;
          auditAsks.push({ filter, before: a.before as number | null });
          const all = [auditRow(3, "Youssef <youssef@dhmad.tn>", "decline"), auditRow(2, "Amira Ben Salah <amira@dhmad.tn>", "approve"), auditRow(1, "Youssef <youssef@dhmad.tn>", "approve")];
          return { rows: all.filter((r) => (!filter.actor || r.actor === filter.actor) && (!filter.action || r.action === filter.action)), nextBefore: null, team: false };
        }
        case "audit_stats": {
          const f = { reviewer: "Team", decisions: 2, approved: 1, declined: 1, resubmitted: 0, perDay: [["2026-12-01", 2]], openToDecideMedianS: 45, openToDecideP90S: 300, queued: 3, undone: 1, undoRate: 1 / 3, conflicts: 0, changedLater: 0, slaBreaches: 1 };
          return { from: null, until: null, entries: 3, slaHours: 24, team: f, reviewers: [{ ...f, reviewer: "Youssef <youssef@dhmad.tn>" }] };
        }
        case "verify_audit": return { ok: true, count: 3, head_seq: 3, head_hash: "ab", broken: null, checkpoint_ok: null, checkpoint_problem: null };
        case "export_audit": return { path: "/data/exports/audit-1.csv", checkpointPath: "/data/exports/audit-1.csv.checkpoint.json", report: { entries: 2, commentsShown: false, checkpoint: { seq: 3, head_hash: "ab", at: "", public_key: "", signature: "" } } };
        case "blind_review_queue": {
          const pending = blindAnswers.length ? [] : [{ actionId: "act-1", caseId: ids[0] ?? "", caseNumber: 1000, decidedAt: "2026-12-01T09:00:00Z", warnings: ["MRZ_VALIDATION_FAILED"], own: false }];
          return { share: 5, since: "2026-11-01T00:00:00Z", drawn: 1, answered: blindAnswers.length, pending } satisfies BlindQueue;
        }
        case "blind_case": {
          const s = summary(String(a.caseId), 1000);
          s.status = "Hidden for the blind re-review";
          return { summary: s, fetchedAt: new Date().toISOString(), stale: false, timeline: [], otherSessions: [], readOnly: true, heldBy: null, provider: "Didit", capabilities: DIDIT } satisfies CaseView;
        }
        case "answer_blind_review": {
          blindAnswers.push(a.answer as BlindAnswer);
          return { caseId: ids[0] ?? "", reviewer: "Youssef <youssef@dhmad.tn>", firstVerdict: "approve", agreed: false, seq: 9 };
        }
        case "blind_review_figures": {
          const rows = blindAnswers.length ? [{ key: "Youssef <youssef@dhmad.tn>", answered: 1, agreed: 0, rate: 0 }] : [];
          const disagreements = blindAnswers.map((b) => ({ caseId: b.caseId, caseNumber: 1000, reviewer: "Youssef <youssef@dhmad.tn>", lead: "Amira Ben Salah <amira@dhmad.tn>", verdict: "decline", reasonId: b.reasonId, comment: b.comment, at: "2026-12-01T10:00:00Z" }));
          return { share: 5, approvals: 20, drawn: 1, answered: blindAnswers.length, agreed: 0, perReviewer: rows, perWarning: [], disagreements } satisfies BlindFigures;
        }
        case "leave_case": left.push(a.caseId as string); return null;
        case "answer_second_look": answers.push({ actionId: a.actionId as string, confirmed: a.confirmed as boolean, note: a.note as string | null }); return null;
        case "decide": {
          decided.push(a.request as DecisionRequest);
          return { caseId: (a.request as DecisionRequest).case_id, nextCaseId: ids[1] };
        }
        default: return null;
      }
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => {
  cleanup();
  clearMocks();
});

async function openFirstCase() {
  renderApp();
  await screen.findByText("2 in review");
  fireEvent.keyDown(document.body, { key: "j", code: "KeyJ" });
  await screen.findByText("Session 1000");
}

describe("App", () => {
  it("a burst of queue-changed notices reads the queue again once at once and once after, not once each", async () => {
    renderApp();
    await screen.findByText("2 in review");
    await waitFor(() => expect(queueReads).toBe(1));
    for (let i = 0; i < 6; i += 1) await emit("queue-changed");
    await waitFor(() => expect(queueReads).toBe(2));
    await new Promise((r) => setTimeout(r, 2_000));
    expect(queueReads).toBe(3);
  });

  it("a queue change told while the first read is still under way is read again, not joined to that read", async () => {
    // The first read predates the sync: it answers slowly, with the queue as it was (empty).
    queueAnswer = (n) => (n === 1 ? new Promise((r) => setTimeout(() => r({ ...queue, rows: [], unfetched: 0 }), 300)) : queue);
    renderApp();
    await waitFor(() => expect(queueReads).toBe(1));
    await emit("queue-changed");
    await screen.findByText("2 in review");
    expect(queueReads).toBe(2);
  });

  it("rows the summary fill names are read and patched in place: no read of the whole queue, a case gone meanwhile stays gone", async () => {
    renderApp();
    await screen.findByText("2 in review");
    await waitFor(() => expect(queueReads).toBe(1));
    const first = queue.rows[0];
    const second = queue.rows[1];
    if (!first || !second) throw new Error("the fixture has two rows");
    const filled = { ...second, fetched: true, workflowId: "wf-1", workflowName: "Seller KYC", topWarnings: ["FACE_IN_BLOCKLIST"] };
    const gone = { ...first, caseId: "00000000-0000-4000-8000-000000000099" };
    rowsAnswer = { rows: [filled, gone], unfetched: 0, rateBudgets: queue.rateBudgets };
    await emit("queue-rows", [filled.caseId, gone.caseId]);
    await waitFor(() => expect(rowsAsked).toEqual([[filled.caseId, gone.caseId]]));
    await waitFor(() => expect(screen.getAllByTestId("row-warnings").map((e) => e.textContent)).toEqual(["MRZ_VALIDATION_FAILED", "FACE_IN_BLOCKLIST"]));
    expect(screen.getAllByTestId("queue-row").map((r) => r.getAttribute("data-case-id"))).toEqual(ids);
    expect(screen.queryByTestId("unfetched")).toBeNull();
    await new Promise((r) => setTimeout(r, 1_600));
    expect(queueReads).toBe(1);
  });

  it("a lead takes a blind second look: no first verdict shown, a disagreement needs a comment, then it is revealed and listed for discussion", async () => {
    info = { ...reviewerInfo, role: "team_lead" };
    renderApp();
    await screen.findByText("2 in review");
    fireEvent.keyDown(document.body, { key: "R", code: "KeyR", shiftKey: true });
    await screen.findByTestId("blind-page");
    expect((await screen.findByTestId("blind-counts")).textContent).toContain("1 drawn, 0 looked at, 1 waiting");
    fireEvent.click(await screen.findByTestId("blind-item"));
    const blind = await screen.findByTestId("blind-case");
    expect(blind.textContent).toContain("Hidden for the blind re-review");
    expect(blind.textContent).not.toContain("Youssef");
    fireEvent.click(screen.getByTestId("blind-verdict-decline"));
    fireEvent.change(screen.getByTestId("blind-reason"), { target: { value: "blocklisted" } });
    fireEvent.change(screen.getByTestId("blind-comment"), { target: { value: "The face is on our blocklist" } });
    fireEvent.click(screen.getByTestId("blind-submit"));
    expect((await screen.findByTestId("blind-outcome")).textContent).toContain("The first verdict was approve by Youssef <youssef@dhmad.tn>: you disagree");
    expect(blindAnswers).toEqual([{ caseId: ids[0], actionId: "act-1", verdict: "Decline", reasonId: "blocklisted", comment: "The face is on our blocklist" }]);
    expect((await screen.findByTestId("disagreement")).textContent).toContain("would decline (blocklisted): The face is on our blocklist");
    expect(screen.queryByTestId("blind-item")).toBeNull();
  });

  it("a team lead filters the audit by reviewer and action, verifies, exports, and opens a case from an entry", async () => {
    info = { ...reviewerInfo, role: "team_lead" };
    window.location.hash = "#/audit";
    renderApp();
    expect((await screen.findAllByTestId("audit-row")).length).toBe(3);
    const figures = await screen.findAllByTestId("figures-row");
    expect(figures[0]?.textContent).toBe("Team21 · 1 · 045 s / 5 min33 %001");
    // The charts are drawn (and their code loaded) only when the lead opens the figures.
    expect(screen.queryByTestId("chart-per-day")).toBeNull();
    const details = screen.getByTestId("audit-figures") as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event("toggle"));
    expect(await screen.findByTestId("chart-per-day", {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByTestId("chart-verdicts").querySelector("canvas")).toBeTruthy();
    await screen.findByText("Youssef <youssef@dhmad.tn>", { selector: "option" });
    fireEvent.change(screen.getByTestId("audit-filter-actor"), { target: { value: "Youssef <youssef@dhmad.tn>" } });
    fireEvent.change(screen.getByTestId("audit-filter-action"), { target: { value: "approve" } });
    fireEvent.click(screen.getByTestId("audit-apply"));
    await waitFor(() => expect(screen.getAllByTestId("audit-row").map((r) => r.getAttribute("data-seq"))).toEqual(["1"]));
    expect(auditAsks[auditAsks.length - 1]?.filter).toMatchObject({ actor: "Youssef <youssef@dhmad.tn>", action: "approve" });
    fireEvent.click(screen.getByTestId("audit-verify"));
    expect((await screen.findByTestId("verify-result")).textContent).toBe("OK: 3 entries, the chain holds (head 3)");
    expect(screen.getByTestId("verify-checkpoint").textContent).toContain("no checkpoint signed yet");
    fireEvent.click(screen.getByTestId("audit-export"));
    expect((await screen.findByTestId("export-result")).textContent).toContain("2 entries written to /data/exports/audit-1.csv");
    fireEvent.keyDown(screen.getAllByTestId("audit-row")[0] as HTMLElement, { key: "Enter" });
    await waitFor(() => expect(window.location.hash).toBe(`#/case/${ids[0]}`));
  });

  it("the Team view confirms another reviewer's waiting decline and refuses one with a reason, never one's own", async () => {
    const look = (actionId: string, by: string) => ({ actionId, caseId: ids[0] ?? "", kind: "decline" as const, rule: "decline" as const, requestedBy: by, reasonId: "doc_altered", comment: "Altered", requestedAt: "2026-12-01T09:00:00Z", answer: null });
    team = {
      enabled: true, me: "Amira Ben Salah <amira@dhmad.tn>", offlineSince: null, claims: [], desks: [], fourEyes: ["decline"],
      secondLooks: [look("act-1", "Youssef <youssef@dhmad.tn>"), look("act-2", "Youssef <youssef@dhmad.tn>"), look("act-3", "Amira Ben Salah <amira@dhmad.tn>")],
    };
    window.location.hash = "#/team";
    renderApp();
    expect((await screen.findByTestId("four-eyes-policy")).textContent).toContain("confirms a decline");
    const rows = await screen.findAllByTestId("second-look-row");
    expect(rows.length).toBe(3);
    expect(rows[2]?.textContent).toContain("yours");
    fireEvent.click(screen.getAllByTestId("confirm-look")[0] as HTMLElement);
    await waitFor(() => expect(answers).toEqual([{ actionId: "act-1", confirmed: true, note: null }]));
    fireEvent.click(screen.getAllByText("Refuse…")[1] as HTMLElement);
    fireEvent.change(await screen.findByLabelText("Why it is refused"), { target: { value: "The document is fine" } });
    fireEvent.click(screen.getByText("Refuse"));
    await waitFor(() => expect(answers[1]).toEqual({ actionId: "act-2", confirmed: false, note: "The document is fine" }));
  });

  it("on a team, a case another desk holds is marked, J passes it by, and leaving a case lets it go", async () => {
    team = {
      enabled: true,
      me: "Amira Ben Salah <amira@dhmad.tn>",
      offlineSince: "2026-12-01T09:30:00Z",
      claims: [{ caseId: ids[0] ?? "", holder: "Youssef Trabelsi <youssef@dhmad.tn>", claimedAt: "2026-12-01T09:00:00Z", expiresAt: "2026-12-01T09:10:00Z" }],
      desks: [],
      fourEyes: [],
      secondLooks: [],
    };
    renderApp();
    expect((await screen.findByTestId("held-badge")).textContent).toBe("Being reviewed by Youssef Trabelsi");
    expect(screen.getByTestId("team-offline").textContent).toContain("Team store offline since");
    fireEvent.keyDown(document.body, { key: "j", code: "KeyJ" });
    await screen.findByText("Session 1001");
    // Back to the queue: the case left is let go for the team.
    window.location.hash = "#/";
    await waitFor(() => expect(left).toEqual([ids[1]]));
  });

  it("shows the simulated banner, the queue count and masked rows", async () => {
    renderApp();
    expect(await screen.findByTestId("simulated-banner")).toBeTruthy();
    expect(await screen.findByText("2 in review")).toBeTruthy();
    expect((await screen.findAllByText("dhm••••42")).length).toBe(2);
    expect(screen.getByTestId("statusbar").textContent).toContain("Amira Ben Salah");
  });

  it("J opens the oldest case with errors listed before warnings, and no images", async () => {
    await openFirstCase();
    const codes = [...screen.getByTestId("warnings").querySelectorAll("[data-code]")].map((e) => e.getAttribute("data-code"));
    expect(codes).toEqual(["FACE_IN_BLOCKLIST", "MRZ_VALIDATION_FAILED"]);
    expect(document.querySelectorAll("img, video, picture, iframe").length).toBe(0);
    expect(screen.getByText(/62\.0 \(review ≤ 70, decline ≤ 50\)/)).toBeTruthy();
    expect(screen.getByTestId("other-sessions").textContent).toContain("Session 870");
  });

  it("declines by keyboard: D, a digit for the reason, a comment, Ctrl+Enter; then opens the next case", async () => {
    await openFirstCase();
    fireEvent.keyDown(document.body, { key: "d", code: "KeyD" });
    const dialog = await screen.findByTestId("decision-dialog");
    expect(dialog.getAttribute("data-verdict")).toBe("Decline");
    fireEvent.keyDown(document.body, { key: "1", code: "Digit1" });
    const comment = screen.getByTestId("decision-comment");
    fireEvent.change(comment, { target: { value: "Blocklisted face — وجه محظور" } });
    fireEvent.keyDown(comment, { key: "Enter", code: "Enter", ctrlKey: true });
    await waitFor(() => expect(decided.length).toBe(1));
    expect(decided[0]?.verdict).toBe("Decline");
    expect(decided[0]?.case_id).toBe(ids[0]);
    expect(decided[0]?.comment).toContain("Blocklisted face — وجه محظور");
    expect(decided[0]?.comment).toContain("Blocklisted face, document, phone or email");
    expect(await screen.findByText("Session 1001")).toBeTruthy();
  });

  it("refuses a decline without a comment and sends nothing", async () => {
    await openFirstCase();
    fireEvent.keyDown(document.body, { key: "d", code: "KeyD" });
    await screen.findByTestId("decision-dialog");
    fireEvent.keyDown(document.body, { key: "2", code: "Digit2" });
    fireEvent.click(screen.getByTestId("decision-submit"));
    expect((await screen.findByTestId("decision-error")).textContent).toContain("comment is required");
    expect(decided).toEqual([]);
  });

  it("searches in the backend and filters late cases, showing the rate budget", async () => {
    renderApp();
    await screen.findByText("2 in review");
    expect(screen.getByTestId("rate-budget").textContent).toContain("590/600 reads · 300/300 writes");
    fireEvent.change(screen.getByLabelText("Search the queue"), { target: { value: "user-42" } });
    await waitFor(() => expect(screen.getAllByTestId("queue-row").map((r) => r.getAttribute("data-case-id"))).toEqual([ids[1]]));
    expect(screen.getByTestId("shown-count").textContent).toBe("1 shown");
    fireEvent.change(screen.getByLabelText("Search the queue"), { target: { value: "" } });
    await waitFor(() => expect(screen.getAllByTestId("queue-row").length).toBe(2));
    fireEvent.change(screen.getByLabelText("Country"), { target: { value: "FRA" } });
    expect(screen.getAllByTestId("queue-row").map((r) => r.getAttribute("data-case-id"))).toEqual([ids[1]]);
  });

  it("marks the queue as cached when the background sync fails", async () => {
    syncStatus = { running: false, fetched: 0, total: null, lastError: "the provider cannot be reached: offline", unread: [] };
    renderApp();
    await screen.findByText("2 in review");
    expect((await screen.findByTestId("offline", {}, { timeout: 3000 })).textContent).toContain("Showing the cached queue from");
    expect(screen.getByTestId("sync-state").textContent).toBe("Sync failed: the provider cannot be reached: offline");
  });

  it("says which provider a sync could not read while the other's cases are fresh", async () => {
    syncStatus = { running: false, fetched: 2, total: 2, lastError: null, unread: ["VerifyHQ could not be read (the provider cannot be reached: down): its cases are from the last sync"] };
    renderApp();
    await screen.findByText("2 in review");
    expect(screen.getByTestId("sync-state").textContent).toBe("Synced");
    expect((await screen.findByTestId("sync-unread")).textContent).toContain("VerifyHQ could not be read");
  });

  it("does not fire shortcuts while typing in the search field", async () => {
    renderApp();
    await screen.findByText("2 in review");
    const search = screen.getByLabelText("Search the queue");
    search.focus();
    fireEvent.keyDown(search, { key: "j", code: "KeyJ" });
    fireEvent.change(search, { target: { value: "j" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText("Session 1000")).toBeNull();
  });

  it("Ctrl+K lists every view and case action by name and runs the one chosen", async () => {
    await openFirstCase();
    fireEvent.keyDown(document.body, { key: "k", code: "KeyK", ctrlKey: true });
    await screen.findByTestId("palette");
    const commands = screen.getAllByTestId("palette-item").map((e) => e.getAttribute("data-command"));
    for (const id of ["approve", "decline", "resubmit", "reveal", "blocklist-case", "aml", "next", "filter-warning", "view-outbox", "view-blocklist", "profiles", "help"]) {
      expect(commands).toContain(id);
    }
    fireEvent.change(screen.getByTestId("palette-input"), { target: { value: "decline this" } });
    await waitFor(() => expect(screen.getAllByTestId("palette-item").map((e) => e.getAttribute("data-command"))).toEqual(["decline"]));
    fireEvent.keyDown(screen.getByTestId("palette-input"), { key: "Enter", code: "Enter" });
    expect((await screen.findByTestId("decision-dialog")).getAttribute("data-verdict")).toBe("Decline");
    expect(screen.queryByTestId("palette")).toBeNull();
  });

  it("the Blocklist view lists entries by type, masked, and unblocks through the outbox with a reason", async () => {
    renderApp();
    await screen.findByText("2 in review");
    fireEvent.keyDown(document.body, { key: "B", code: "KeyB", shiftKey: true });
    await screen.findByTestId("blocklist-view");
    expect(window.location.hash).toBe("#/blocklist");
    expect(await screen.findByTestId("blocklist-empty")).toBeTruthy();
    fireEvent.keyDown(document.body, { key: "4", code: "Digit4" });
    const row = await screen.findByTestId("blocklist-entry");
    expect(row.textContent).toContain("use•••••••est");
    fireEvent.keyDown(document.body, { key: "x", code: "KeyX" });
    const comment = await screen.findByTestId("unblock-comment");
    fireEvent.keyDown(comment, { key: "Enter", code: "Enter", ctrlKey: true });
    expect(blocklisted).toEqual([]);
    fireEvent.change(comment, { target: { value: "Cleared by the fraud team" } });
    fireEvent.keyDown(comment, { key: "Enter", code: "Enter", ctrlKey: true });
    await waitFor(() => expect(blocklisted.length).toBe(1));
    expect(blocklisted[0]).toMatchObject({ case_id: ids[0], add: false, email: true, face: false, phone: false, document: false, comment: "Cleared by the fraud team" });
    expect((await screen.findByTestId("blocklist-notice")).textContent).toContain("queued");
  });

  it("a view's dialog owns the keyboard: P inside the blocklist dialog picks the phone, not Profiles", async () => {
    await openFirstCase();
    fireEvent.keyDown(document.body, { key: "b", code: "KeyB" });
    await screen.findByTestId("blocklist-dialog");
    fireEvent.keyDown(document.body, { key: "p", code: "KeyP" });
    fireEvent.keyDown(document.body, { key: "o", code: "KeyO" });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("profiles")).toBeNull();
    expect(window.location.hash).toMatch(/^#\/case\//);
  });

  it("a warning filter asks the backend, finds a case never opened, and says what it could not judge", async () => {
    renderApp();
    await screen.findByText("2 in review");
    const rows = screen.getAllByTestId("row-warnings").map((e) => e.textContent);
    expect(rows).toEqual(["MRZ_VALIDATION_FAILED", "not fetched yet"]);
    expect(screen.getByTestId("unfetched").textContent).toBe("1 summaries not fetched yet");
    fireEvent.change(screen.getByLabelText("Warning"), { target: { value: "face_in_blocklist" } });
    await waitFor(() => expect(screen.getAllByTestId("queue-row").map((r) => r.getAttribute("data-case-id"))).toEqual([ids[1]]));
    expect(filters.at(-1)).toEqual({ warning: "FACE_IN_BLOCKLIST", country: null, workflowId: null });
    fireEvent.change(screen.getByLabelText("Warning"), { target: { value: "DOB_MISMATCH" } });
    expect((await screen.findByTestId("unjudged")).textContent).toContain("1 not judged yet");
    expect(screen.getByRole("option", { name: "Seller KYC" })).toBeTruthy();
  });

  it("search reaches a decided session outside the queue, which opens read-only", async () => {
    renderApp();
    await screen.findByText("2 in review");
    const search = screen.getByLabelText("Search the queue");
    fireEvent.change(search, { target: { value: "dhmad-user-870" } });
    const found = await screen.findByTestId("found-session", {}, { timeout: 3000 });
    expect(found.textContent).toContain("Session 870 · Declined");
    fireEvent.keyDown(search, { key: "Enter", code: "Enter" });
    expect((await screen.findByTestId("read-only")).textContent).toContain("Declined");
    fireEvent.keyDown(document.body, { key: "a", code: "KeyA" });
    fireEvent.keyDown(document.body, { key: "d", code: "KeyD" });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("decision-dialog")).toBeNull();
  });

  it("a support desk opens on the lookup, sees linked / not linked, reveals with a reason, and has no decision keys", async () => {
    info = { ...reviewerInfo, role: "support" };
    renderApp();
    const input = await screen.findByTestId("lookup-input");
    expect(window.location.hash).toBe("#/lookup");
    expect(screen.queryByTestId("nav-queue")).toBeNull();
    expect(screen.queryByTestId("nav-blocklist")).toBeNull();
    fireEvent.change(input, { target: { value: "amira@dhmad.tn" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect((await screen.findByTestId("verification-verdict")).textContent).toBe("Verified · linked to a DHMAD account");
    fireEvent.click(screen.getAllByText("reveal")[0] as HTMLElement);
    const why = screen.getByLabelText("Why reveal the linked user id?");
    fireEvent.change(why, { target: { value: "Merchant asked which account" } });
    fireEvent.submit(why.closest("form") as HTMLFormElement);
    expect(await screen.findByText("65f0c1d2e3a4b5c6d7e8f901")).toBeTruthy();
    expect(revealed).toEqual([expect.objectContaining({ field: "linked_user_id", reason: "Merchant asked which account" })]);

    fireEvent.click(screen.getByTestId("person-session"));
    await screen.findByTestId("read-only");
    for (const key of ["a", "d", "b", "h"]) fireEvent.keyDown(document.body, { key, code: `Key${key.toUpperCase()}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("decision-dialog")).toBeNull();
    expect(screen.queryByTestId("blocklist-dialog")).toBeNull();
    expect(screen.queryByTestId("aml-dialog")).toBeNull();
  });

  it("an already-verified person reads as nothing to do", async () => {
    renderApp();
    await screen.findByText("2 in review");
    fireEvent.keyDown(document.body, { key: "l", code: "KeyL" });
    const input = await screen.findByTestId("lookup-input");
    fireEvent.change(input, { target: { value: "taken@dhmad.tn" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    const error = await screen.findByTestId("lookup-error");
    expect(error.getAttribute("data-code")).toBe("already_verified");
    expect(error.textContent).toContain("nothing to do");
  });

  it("support sends a pending invite again after a confirmation, through the outbox", async () => {
    info = { ...reviewerInfo, role: "support" };
    renderApp();
    const input = await screen.findByTestId("lookup-input");
    fireEvent.change(input, { target: { value: "pending@dhmad.tn" } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect((await screen.findByTestId("verification-verdict")).textContent).toBe("Not verified yet · not linked to a DHMAD account yet");
    fireEvent.click(screen.getByTestId("resend-invite"));
    fireEvent.change(await screen.findByTestId("resend-comment"), { target: { value: "Not received" } });
    expect(resent).toEqual([]);
    fireEvent.click(screen.getByTestId("resend-confirm"));
    expect((await screen.findByTestId("lookup-notice")).textContent).toContain("Invite queued");
    expect(resent).toEqual([{ verificationId: "66a1b2c3d4e5f60718293a4b", comment: "Not received" }]);
  });
});
