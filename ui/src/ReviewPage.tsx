import { useEffect, useMemo, useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import { useIsMutating, useMutation, useQueryClient } from "@tanstack/react-query";
import { useLocation, useRoute } from "wouter";
import type { AmlRequest, DecisionRequest, QueueRow, RevealField, UiError, Verdict } from "./bindings";
import { backend } from "./ipc";
import { keys, messageOf, useCase, useFind, useQueue, useQueueFilter, useReasons, useSearch, useTeam } from "./queries";
import { useCommands, type Command } from "./commands";
import { AmlDialog } from "./AmlDialog";
import { BlocklistDialog } from "./BlocklistDialog";
import { QueueTable } from "./QueueTable";
import { CaseSummary } from "./CaseSummary";
import { DecisionDialog } from "./DecisionDialog";
import { Welcome } from "./Welcome";

export const SYNC = ["sync"] as const;

/** Syncs the queue now; the status bar follows it through `useIsMutating(SYNC)`. */
export function useSync() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: SYNC,
    mutationFn: backend.syncQueue,
    onSettled: () => client.invalidateQueries({ queryKey: keys.queue }),
  });
}

/** The review desk: queue on the left, the open case (`/case/:id`) on the right, keyboard first. */
/** The distinct values `each` row adds, sorted. */
function distinct(rows: readonly QueueRow[], each: (row: QueueRow, add: (value: string) => void) => void): string[] {
  const seen = new Set<string>();
  const add = (value: string) => void seen.add(value);
  for (const row of rows) each(row, add);
  return [...seen].sort();
}

export function ReviewPage(props: { idle: boolean; now: number; canAct: boolean; firstRun: boolean; onAddProfile: () => void }) {
  const [, params] = useRoute<{ id: string }>("/case/:id");
  const [, navigate] = useLocation();
  const selectedId = params?.id ?? null;
  const client = useQueryClient();
  const queue = useQueue();
  const reasons = useReasons();
  const opened = useCase(selectedId);
  const caseView = opened.data ?? null;
  const sync = useSync();
  const syncing = useIsMutating({ mutationKey: SYNC }) > 0;

  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [decisionError, setDecisionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [amlOpen, setAmlOpen] = useState(false);
  const [amlError, setAmlError] = useState<string | null>(null);
  const [blocklistOpen, setBlocklistOpen] = useState(false);
  // The last queued decision, while Undo still works.
  const [undoable, setUndoable] = useState<{ actionId: string; caseId: string; label: string; until: number } | null>(null);
  const [search, setSearch] = useState("");
  const [country, setCountry] = useState("");
  const [workflow, setWorkflow] = useState("");
  const [warning, setWarning] = useState("");
  const [lateOnly, setLateOnly] = useState(false);
  const [olderThan, setOlderThan] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const found = useSearch(search);
  const searched = search.trim().length > 0;
  // Outside the queue, the provider is asked once typing pauses and the queue has no match.
  const [settled, setSettled] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setSettled(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const elsewhere = useFind(settled, searched && settled === search.trim());
  // The rows are re-read or patched every few seconds while summaries arrive: what is derived
  // from all 10,000 of them is built only when it is needed, without intermediate arrays.
  const outside = useMemo(() => {
    const found = elsewhere.data ?? [];
    if (found.length === 0) return found;
    const queued = new Set((queue.data?.rows ?? []).map((r) => r.caseId));
    return found.filter((f) => !queued.has(f.caseId));
  }, [elsewhere.data, queue.data]);
  const matches = useMemo(() => (searched ? new Set(found.data ?? []) : null), [searched, found.data]);

  const filtered = useQueueFilter({ warning: warning.trim() || null, country: country || null, workflowId: workflow || null });
  const filterIds = useMemo(() => (filtered.data ? new Set(filtered.data.caseIds) : null), [filtered.data]);
  const filtering = !!(warning.trim() || country || workflow);

  const all = useMemo(() => queue.data?.rows ?? [], [queue.data]);
  // Ages are judged to the minute, so the filtered rows change at most once a minute.
  const minute = Math.floor(props.now / 60_000);
  const rows = useMemo(() => {
    if (!matches && !filtering && !lateOnly && !olderThan) return all;
    const cutoff = minute * 60_000 - olderThan * 3_600_000;
    return all.filter(
      (r) =>
        (!matches || matches.has(r.caseId)) &&
        (!filtering || (filterIds ? filterIds.has(r.caseId) : (!country || r.country === country))) &&
        (!lateOnly || (r.dueMinutes ?? 0) < 0) &&
        (!olderThan || (r.createdAt != null && Date.parse(r.createdAt) <= cutoff)),
    );
  }, [all, matches, filtering, filterIds, country, lateOnly, olderThan, minute]);
  const countries = useMemo(() => distinct(all, (r, add) => r.country && add(r.country)), [all]);
  const warningCodes = useMemo(() => distinct(all, (r, add) => r.topWarnings.forEach(add)), [all]);

  // On a team: cases other desks hold are marked, and J / K and "next" pass them by.
  const team = useTeam();
  const heldBy = useMemo(() => {
    const me = team.data?.me;
    return new Map((team.data?.claims ?? []).filter((c) => c.holder !== me).map((c) => [c.caseId, c.holder]));
  }, [team.data]);
  const teamOn = team.data?.enabled ?? false;
  // Leaving a case for another one or for the queue lets its claim go for the team; a look at
  // another view (the outbox, the team) keeps it, its lease renewed.
  useEffect(() => {
    if (!teamOn || !selectedId) return;
    return () => {
      const to = window.location.hash;
      if (to === "" || to === "#/" || to.startsWith("#/case/")) void backend.leaveCase(selectedId).catch(() => undefined);
    };
  }, [teamOn, selectedId]);

  /** The first case from `from` on (in `delta`'s direction) that no other desk holds. */
  function free(from: number, delta: number): string | null {
    for (let i = from; i >= 0 && i < rows.length; i += delta) {
      const id = rows[i]?.caseId;
      if (id && !heldBy.has(id)) return id;
    }
    return null;
  }

  /** Opens a case (a fresh read from the provider, also when it is already the open one). */
  function open(caseId: string | null) {
    if (!caseId) return navigate("/");
    if (caseId === selectedId) void client.refetchQueries({ queryKey: keys.case(caseId) });
    else navigate(`/case/${caseId}`);
  }

  function step(delta: number) {
    if (rows.length === 0) return;
    const index = rows.findIndex((r) => r.caseId === selectedId);
    const next = index < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, index + delta));
    open(free(next, index < 0 ? 1 : delta) ?? rows[next]?.caseId ?? null);
  }

  const decide = useMutation({
    mutationFn: backend.decide,
    onMutate: () => setDecisionError(null),
    onSuccess: (done, request) => {
      setVerdict(null);
      setNotice(null);
      const label = `Session ${caseView?.summary.case_number ?? ""}: ${request.verdict.toLowerCase()} queued`;
      setUndoable({ actionId: done.actionId, caseId: done.caseId, label, until: Date.parse(done.undoUntil) });
      const after = rows.findIndex((r) => r.caseId === done.nextCaseId);
      open(after < 0 ? done.nextCaseId : free(after, 1) ?? done.nextCaseId);
    },
    onError: (e: UiError) => {
      setDecisionError(e.message);
      if (e.code === "conflict") {
        setVerdict(null);
        setNotice(e.message);
      }
    },
  });

  async function undo() {
    if (!undoable) return;
    const { actionId, caseId, label } = undoable;
    setUndoable(null);
    try {
      await backend.undoAction(actionId);
      setNotice(`${label.replace(" queued", "")} undone.`);
      open(caseId);
    } catch (e) {
      setNotice((e as UiError).message);
    }
  }

  async function reviewAml(request: AmlRequest) {
    try {
      await backend.amlReview(request);
      setAmlOpen(false);
      setAmlError(null);
      setNotice(`AML: ${request.hit_id ? "hit" : "check"} marked ${request.status} — queued.`);
    } catch (e) {
      setAmlError((e as UiError).message);
    }
  }

  const reveal = (field: RevealField, reason: string, index = 0) => backend.reveal(selectedId ?? "", field, reason, index);
  const undoLeft = undoable ? Math.ceil((undoable.until - props.now) / 1000) : 0;
  const idle = props.idle && verdict === null && !amlOpen && !blocklistOpen;
  const decidable = props.canAct && !!caseView && !caseView.readOnly;
  const actionable = props.canAct && !!caseView;
  const canBlocklist = actionable && caseView.capabilities.blocklist;
  const canAml = actionable && caseView.capabilities.amlHits;
  const resubmitLabel = caseView && !caseView.capabilities.redoSteps ? "Restart the verification (resubmit)" : "Ask to redo steps (resubmit)";
  const decideAs = (v: Verdict) => () => decidable && setVerdict(v);
  // By id, not the ref: the palette runs this long after render.
  const focusSearch = () => document.getElementById("queue-search")?.focus();
  const focusReveal = () => document.querySelector<HTMLElement>("[data-reveal]")?.focus();

  const commands: Command[] = [
    { id: "next", label: "Next case", group: "Queue", keys: "J", run: () => step(1) },
    { id: "previous", label: "Previous case", group: "Queue", keys: "K", run: () => step(-1) },
    { id: "search", label: "Search the queue", group: "Queue", keys: "/", run: focusSearch },
    { id: "sync", label: "Sync the queue now", group: "Queue", keys: "S", run: () => sync.mutate() },
    { id: "filter-warning", label: "Filter by warning code", group: "Queue", run: () => document.getElementById("warning-filter")?.focus() },
    { id: "filter-clear", label: "Clear every filter", group: "Queue", run: () => { setWarning(""); setCountry(""); setWorkflow(""); setOlderThan(0); setLateOnly(false); } },
  ];
  if (decidable) {
    commands.push(
      { id: "approve", label: "Approve this case", group: "Case", keys: "A", run: decideAs("Approve") },
      { id: "decline", label: "Decline this case", group: "Case", keys: "D", run: decideAs("Decline") },
      { id: "resubmit", label: resubmitLabel, group: "Case", keys: "R", run: decideAs("Resubmit") },
    );
  }
  if (caseView) commands.push({ id: "reveal", label: "Reveal a masked value (Tab to the next, Enter asks why)", group: "Case", keys: "V", run: focusReveal });
  if (canBlocklist) commands.push({ id: "blocklist-case", label: "Blocklist face / document / phone / email", group: "Case", keys: "B", run: () => setBlocklistOpen(true) });
  if (canAml) commands.push({ id: "aml", label: "AML review: hits and the AML check", group: "Case", keys: "H", run: () => setAmlOpen(true) });
  if (undoLeft > 0) commands.push({ id: "undo", label: "Undo the last decision", group: "Case", keys: "U", run: () => void undo() });
  useCommands("review", commands);

  useHotkeys("j", () => step(1), { enabled: idle }, [rows, selectedId, idle, heldBy]);
  useHotkeys("k", () => step(-1), { enabled: idle }, [rows, selectedId, idle, heldBy]);
  useHotkeys("a", decideAs("Approve"), { enabled: idle }, [caseView, idle]);
  useHotkeys("d", decideAs("Decline"), { enabled: idle }, [caseView, idle]);
  useHotkeys("r", decideAs("Resubmit"), { enabled: idle }, [caseView, idle]);
  useHotkeys("s", () => sync.mutate(), { enabled: idle }, [idle]);
  useHotkeys("slash", (e) => { e.preventDefault(); focusSearch(); }, { enabled: idle }, [idle]);
  useHotkeys("v", (e) => { e.preventDefault(); focusReveal(); }, { enabled: idle && !!caseView }, [idle, caseView]);
  useHotkeys("h", () => canAml && setAmlOpen(true), { enabled: idle }, [canAml, idle]);
  useHotkeys("b", () => canBlocklist && setBlocklistOpen(true), { enabled: idle }, [canBlocklist, idle]);
  useHotkeys("u", () => void undo(), { enabled: idle && undoLeft > 0 }, [idle, undoLeft, undoable]);
  useHotkeys("escape", () => searchRef.current?.blur(), { enableOnFormTags: true }, []);

  // A conflict seen when opening (decided elsewhere) refreshes the queue that still lists it.
  useEffect(() => {
    if (opened.error) void client.invalidateQueries({ queryKey: keys.queue });
  }, [opened.error, client]);

  return (
    <>
      <div className="toolbar">
        <span className="count" data-testid="queue-count">{queue.data ? `${queue.data.rows.length} in review` : "loading…"}</span>
        {queue.data && rows.length !== queue.data.rows.length && <span className="muted" data-testid="shown-count">{rows.length} shown</span>}
        {filtering && filtered.data && !filtered.data.exact && filtered.data.unjudged > 0 && (
          <span className="offline" data-testid="unjudged">{filtered.data.unjudged} not judged yet (Didit unreachable, summary not fetched)</span>
        )}
        {filtering && filtered.isFetching && <span className="muted">filtering…</span>}
        {queue.data && queue.data.unfetched > 0 && <span className="muted" data-testid="unfetched">{queue.data.unfetched} summaries not fetched yet</span>}
        <input ref={searchRef} id="queue-search" className="search" type="search" placeholder="Search: number, vendor_data, warning  ( / )" aria-label="Search the queue" value={search} onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            // Enter opens the first match and hands the keyboard back to the queue.
            const first = rows[0]?.caseId ?? outside[0]?.caseId;
            if (e.key === "Enter" && first) {
              e.preventDefault();
              e.currentTarget.blur();
              open(first);
            }
          }} />
        <span className="filters">
          <select aria-label="Country" value={country} onChange={(e) => setCountry(e.target.value)}>
            <option value="">All countries</option>
            {countries.map((c) => <option key={c}>{c}</option>)}
          </select>
          <select aria-label="Workflow" value={workflow} onChange={(e) => setWorkflow(e.target.value)}>
            <option value="">All workflows</option>
            {(queue.data?.workflows ?? []).map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
          <input aria-label="Warning" id="warning-filter" className="code-filter" list="warning-codes" placeholder="Any warning code" value={warning} onChange={(e) => setWarning(e.target.value.toUpperCase())} />
          <datalist id="warning-codes">{warningCodes.map((w) => <option key={w} value={w} />)}</datalist>
          <select aria-label="Age" value={olderThan} onChange={(e) => setOlderThan(Number(e.target.value))}>
            <option value={0}>Any age</option>
            {[1, 4, 12, 24, 72].map((h) => <option key={h} value={h}>Older than {h} h</option>)}
          </select>
          <label className="inline"><input type="checkbox" checked={lateOnly} onChange={(e) => setLateOnly(e.target.checked)} /> Late only</label>
        </span>
        <button type="button" onClick={() => sync.mutate()} disabled={syncing}>{syncing ? "Syncing…" : "Sync"}</button>
      </div>
      {searched && outside.length > 0 && (
        <div className="found" data-testid="found-elsewhere">
          Not in the queue:{" "}
          {outside.map((f) => (
            <button key={f.caseId} type="button" className="link" data-testid="found-session" data-case-id={f.caseId} onClick={() => open(f.caseId)}>
              Session {f.caseNumber ?? "–"} · {f.status} · {f.vendorDataMasked ?? "–"}
            </button>
          ))}
          {" "}(<kbd>Enter</kbd> opens the first)
        </div>
      )}
      {searched && elsewhere.isSuccess && outside.length === 0 && rows.length === 0 && (
        <div className="found muted" data-testid="found-nothing">No session matches, in the queue or at Didit (outside the queue, search by session UUID or exact vendor_data).</div>
      )}
      <main className="split">
        <QueueTable rows={rows} selectedId={selectedId} onSelect={(id) => open(id)} heldBy={heldBy} />
        <section className="detail" aria-live="polite">
          {notice && <p className="notice" role="status" data-testid="notice">{notice}</p>}
          {opened.error && <p role="alert">{messageOf(opened.error)}</p>}
          {caseView ? (
            <CaseSummary view={caseView} onReveal={reveal} now={props.now} />
          ) : (
            <>
              {props.firstRun && <Welcome onAddProfile={props.onAddProfile} />}
              <p className="muted">Press <kbd>J</kbd> to open the oldest case. <kbd>Ctrl</kbd>+<kbd>K</kbd> finds any command, <kbd>?</kbd> lists every shortcut.</p>
            </>
          )}
        </section>
      </main>
      {verdict && caseView && (
        <DecisionDialog verdict={verdict} summary={caseView.summary} provider={caseView.provider} capabilities={caseView.capabilities} reasons={reasons.data ?? []} busy={decide.isPending} error={decisionError}
          onSubmit={(r: DecisionRequest) => !decide.isPending && decide.mutate(r)} onCancel={() => { setVerdict(null); setDecisionError(null); }} />
      )}
      {undoable && undoLeft > 0 && (
        <div className="toast" role="status" data-testid="undo-toast">
          {undoable.label} — sent in {undoLeft} s. <button type="button" className="link" onClick={() => void undo()}>Undo <kbd>U</kbd></button>
        </div>
      )}
      {blocklistOpen && caseView && (
        <BlocklistDialog summary={caseView.summary} onDone={(message) => { setBlocklistOpen(false); setNotice(message); }} onCancel={() => setBlocklistOpen(false)} />
      )}
      {amlOpen && caseView && (
        <AmlDialog summary={caseView.summary} busy={false} error={amlError} onSubmit={(r) => void reviewAml(r)} onCancel={() => { setAmlOpen(false); setAmlError(null); }} />
      )}
    </>
  );
}
