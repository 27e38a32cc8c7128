import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useHotkeys } from "react-hotkeys-hook";
import type { AmlRequest, AppInfo, CaseView, DecisionRequest, OutboxStatusView, QueueView, Reason, RevealField, SyncStatus, UiError, Verdict } from "./bindings";
import { backend, onQueueChanged } from "./ipc";
import { Outbox } from "./Outbox";
import { AmlDialog } from "./AmlDialog";
import { BlocklistDialog } from "./BlocklistDialog";
import { QueueTable } from "./QueueTable";
import { CaseSummary } from "./CaseSummary";
import { DecisionDialog } from "./DecisionDialog";
import { Help } from "./Help";
import { Profiles } from "./Profiles";

function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  return minutes < 1 ? "just now" : minutes < 60 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}

/** The review desk: queue on the left, the open case on the right, keyboard first. */
export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [queue, setQueue] = useState<QueueView | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<UiError | null>(null);
  const [syncStatus, setSyncStatus] = useState<SyncStatus | null>(null);
  const [reasons, setReasons] = useState<Reason[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [caseView, setCaseView] = useState<CaseView | null>(null);
  const [caseError, setCaseError] = useState<UiError | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [deciding, setDeciding] = useState(false);
  const [decisionError, setDecisionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [profilesOpen, setProfilesOpen] = useState(false);
  const [outboxOpen, setOutboxOpen] = useState(false);
  const [amlOpen, setAmlOpen] = useState(false);
  const [blocklistOpen, setBlocklistOpen] = useState(false);
  const [amlError, setAmlError] = useState<string | null>(null);
  const [outboxStatus, setOutboxStatus] = useState<OutboxStatusView | null>(null);
  // The last queued decision, while Undo still works.
  const [undoable, setUndoable] = useState<{ actionId: string; caseId: string; label: string; until: number } | null>(null);
  const [search, setSearch] = useState("");
  const [country, setCountry] = useState("");
  const [workflow, setWorkflow] = useState("");
  const [warning, setWarning] = useState("");
  const [lateOnly, setLateOnly] = useState(false);
  // Search runs in the backend, which sees vendor_data unmasked; null means "no search".
  const [matches, setMatches] = useState<Set<string> | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const searchRef = useRef<HTMLInputElement>(null);

  const refreshQueue = useCallback(async () => {
    try {
      setQueue(await backend.queueView());
    } catch (e) {
      setSyncError(e as UiError);
    }
  }, []);

  useEffect(() => {
    backend.appInfo().then(setInfo, (e) => setSyncError(e as UiError));
    backend.queueView().then(setQueue, (e) => setSyncError(e as UiError));
    backend.reasons().then(setReasons, (e) => setSyncError(e as UiError));
    const unlisten = onQueueChanged(() => void refreshQueue());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    // The sync status is small: poll it so background syncs show their progress and failures.
    const poll = setInterval(() => {
      backend.syncStatus().then(setSyncStatus, () => undefined);
      backend.outboxStatus().then(setOutboxStatus, () => undefined);
      setNow(Date.now());
    }, 1_000);
    return () => {
      unlisten.then((f) => f()).catch(() => undefined);
      clearInterval(timer);
      clearInterval(poll);
    };
  }, [refreshQueue]);

  useEffect(() => {
    const text = search.trim();
    let cancelled = false;
    const timer = setTimeout(() => {
      if (!text) setMatches(null);
      else backend.searchQueue(text).then((ids) => !cancelled && setMatches(new Set(ids)), () => !cancelled && setMatches(new Set()));
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [search, queue]);

  const rows = useMemo(
    () =>
      (queue?.rows ?? []).filter(
        (r) =>
          (!matches || matches.has(r.caseId)) &&
          (!country || r.country === country) &&
          (!workflow || r.workflowId === workflow) &&
          (!warning || r.topWarnings.includes(warning)) &&
          (!lateOnly || (r.dueMinutes ?? 0) < 0),
      ),
    [queue, matches, country, workflow, warning, lateOnly],
  );
  const distinct = (values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))].sort();
  const countries = useMemo(() => distinct((queue?.rows ?? []).map((r) => r.country)), [queue]);
  const workflows = useMemo(() => distinct((queue?.rows ?? []).map((r) => r.workflowId)), [queue]);
  const warningCodes = useMemo(() => distinct((queue?.rows ?? []).flatMap((r) => r.topWarnings)), [queue]);

  const open = useCallback(async (caseId: string) => {
    setSelectedId(caseId);
    setCaseError(null);
    try {
      setCaseView(await backend.openCase(caseId));
    } catch (e) {
      setCaseView(null);
      setCaseError(e as UiError);
    }
  }, []);

  async function sync() {
    setSyncing(true);
    try {
      await backend.syncQueue();
      setSyncError(null);
    } catch (e) {
      setSyncError(e as UiError);
    } finally {
      setSyncing(false);
    }
  }

  function step(delta: number) {
    if (rows.length === 0) return;
    const index = rows.findIndex((r) => r.caseId === selectedId);
    const next = index < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, index + delta));
    const row = rows[next];
    if (row) void open(row.caseId);
  }

  async function decide(request: DecisionRequest) {
    if (deciding) return;
    setDeciding(true);
    setDecisionError(null);
    try {
      const done = await backend.decide(request);
      setVerdict(null);
      const label = `Session ${caseView?.summary.case_number ?? ""}: ${request.verdict.toLowerCase()} queued`;
      setNotice(null);
      setUndoable({ actionId: done.actionId, caseId: done.caseId, label, until: Date.parse(done.undoUntil) });
      if (done.nextCaseId) await open(done.nextCaseId);
      else {
        setSelectedId(null);
        setCaseView(null);
      }
    } catch (e) {
      const error = e as UiError;
      setDecisionError(error.message);
      if (error.code === "conflict") {
        setVerdict(null);
        setNotice(error.message);
      }
    } finally {
      setDeciding(false);
    }
  }

  async function undo() {
    if (!undoable) return;
    const { actionId, caseId, label } = undoable;
    setUndoable(null);
    try {
      await backend.undoAction(actionId);
      setNotice(`${label.replace(" queued", "")} undone.`);
      await open(caseId);
    } catch (e) {
      setNotice((e as UiError).message);
    }
  }

  const reveal = (field: RevealField, reason: string, index = 0) => backend.reveal(selectedId ?? "", field, reason, index);
  const idle = verdict === null && !help && !profilesOpen && !outboxOpen && !amlOpen && !blocklistOpen;

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
  const undoLeft = undoable ? Math.ceil((undoable.until - now) / 1000) : 0;

  // "?" depends on the keyboard layout, so it is matched on the character typed.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]");
      if (e.key === "?" && !typing) setHelp(true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  useHotkeys("j", () => step(1), { enabled: idle }, [rows, selectedId, idle]);
  useHotkeys("k", () => step(-1), { enabled: idle }, [rows, selectedId, idle]);
  useHotkeys("a", () => caseView && setVerdict("Approve"), { enabled: idle }, [caseView, idle]);
  useHotkeys("d", () => caseView && setVerdict("Decline"), { enabled: idle }, [caseView, idle]);
  useHotkeys("r", () => caseView && setVerdict("Resubmit"), { enabled: idle }, [caseView, idle]);
  useHotkeys("s", () => void sync(), { enabled: idle }, [idle]);
  useHotkeys("slash", (e) => { e.preventDefault(); searchRef.current?.focus(); }, { enabled: idle }, [idle]);
  useHotkeys("p", () => setProfilesOpen(true), { enabled: idle }, [idle]);
  useHotkeys("o", () => setOutboxOpen(true), { enabled: idle }, [idle]);
  useHotkeys("h", () => caseView && setAmlOpen(true), { enabled: idle }, [caseView, idle]);
  useHotkeys("b", () => caseView && setBlocklistOpen(true), { enabled: idle }, [caseView, idle]);
  useHotkeys("u", () => void undo(), { enabled: idle && undoLeft > 0 }, [idle, undoLeft, undoable]);
  useHotkeys("escape", () => { setHelp(false); setProfilesOpen(false); setOutboxOpen(false); searchRef.current?.blur(); }, { enableOnFormTags: true }, []);

  function switched() {
    setProfilesOpen(false);
    setSelectedId(null);
    setCaseView(null);
    backend.appInfo().then(setInfo, (e) => setSyncError(e as UiError));
    void refreshQueue();
  }

  const failure = syncError?.message ?? syncStatus?.lastError ?? null;
  const syncLabel = syncing || syncStatus?.running
    ? `Syncing… ${syncStatus?.fetched ?? 0}${syncStatus?.total != null ? ` / ${syncStatus.total}` : ""}`
    : failure
      ? `Sync failed: ${failure}`
      : "Synced";

  return (
    <div className="app">
      {info?.simulated && (
        <div className="banner" role="status" data-testid="simulated-banner">
          SIMULATED — Sandbox profile: decisions go to the built-in simulator, not to Didit.
        </div>
      )}
      <header className="top">
        <h1>Review Desk</h1>
        <span className="count" data-testid="queue-count">{queue ? `${queue.rows.length} in review` : "loading…"}</span>
        {queue && rows.length !== queue.rows.length && <span className="muted" data-testid="shown-count">{rows.length} shown</span>}
        <input ref={searchRef} className="search" type="search" placeholder="Search: number, vendor_data, warning  ( / )" aria-label="Search the queue" value={search} onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            // Enter opens the first match and hands the keyboard back to the queue.
            if (e.key === "Enter" && rows[0]) {
              e.preventDefault();
              e.currentTarget.blur();
              void open(rows[0].caseId);
            }
          }} />
        <span className="filters">
          <select aria-label="Country" value={country} onChange={(e) => setCountry(e.target.value)}>
            <option value="">All countries</option>
            {countries.map((c) => <option key={c}>{c}</option>)}
          </select>
          <select aria-label="Workflow" value={workflow} onChange={(e) => setWorkflow(e.target.value)}>
            <option value="">All workflows</option>
            {workflows.map((w) => <option key={w} value={w}>{w.slice(0, 8)}</option>)}
          </select>
          <select aria-label="Warning" value={warning} onChange={(e) => setWarning(e.target.value)}>
            <option value="">All warnings</option>
            {warningCodes.map((w) => <option key={w}>{w}</option>)}
          </select>
          <label className="inline"><input type="checkbox" checked={lateOnly} onChange={(e) => setLateOnly(e.target.checked)} /> Late only</label>
        </span>
        <button type="button" onClick={() => void sync()} disabled={syncing}>{syncing ? "Syncing…" : "Sync"}</button>
        <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </header>
      <main className="split">
        <QueueTable rows={rows} selectedId={selectedId} onSelect={(id) => void open(id)} />
        <section className="detail" aria-live="polite">
          {info?.notice && <p className="notice" role="alert" data-testid="startup-notice">{info.notice}</p>}
          {notice && <p className="notice" role="status" data-testid="notice">{notice}</p>}
          {caseError && <p role="alert">{caseError.message}</p>}
          {caseView ? (
            <CaseSummary view={caseView} onReveal={reveal} now={now} />
          ) : (
            <p className="muted">Press <kbd>J</kbd> to open the oldest case. <kbd>?</kbd> lists every shortcut.</p>
          )}
        </section>
      </main>
      <footer className="statusbar" data-testid="statusbar">
        <span data-testid="sync-state">{syncLabel}</span>
        <span data-testid="last-sync">Last sync: {ago(queue?.syncedAt ?? null, now)}</span>
        {failure && <span className="offline" data-testid="offline">Showing the cached queue from {ago(queue?.syncedAt ?? null, now)}</span>}
        <span>SLA {queue?.slaHours ?? 24} h</span>
        <button type="button" className="link statuslink" data-testid="outbox-status" onClick={() => setOutboxOpen(true)}>
          {outboxStatus?.offlineSince ? `Offline since ${new Date(outboxStatus.offlineSince).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })} · ` : ""}
          {outboxStatus ? `${outboxStatus.pending} pending` : "Outbox"}
          {outboxStatus && outboxStatus.needsAttention > 0 ? ` · ${outboxStatus.needsAttention} need attention` : ""}
        </button>
        {outboxStatus?.notSending && <span className="offline" data-testid="not-sending">{outboxStatus.notSending}</span>}
        {queue?.rateBudget && (
          <span data-testid="rate-budget" title="Requests left in the current 60-second windows">
            Budget: {queue.rateBudget.readsLeft}/{queue.rateBudget.readsLimit} reads · {queue.rateBudget.writesLeft}/{queue.rateBudget.writesLimit} writes
          </span>
        )}
        <button type="button" className="link statuslink" onClick={() => setProfilesOpen(true)}>Profile: {info?.profile ?? "…"}</button>
        <span>{info ? `${info.reviewerName} <${info.reviewerEmail}>` : ""}</span>
      </footer>
      {verdict && caseView && (
        <DecisionDialog verdict={verdict} summary={caseView.summary} reasons={reasons} busy={deciding} error={decisionError} onSubmit={(r) => void decide(r)} onCancel={() => { setVerdict(null); setDecisionError(null); }} />
      )}
      {undoable && undoLeft > 0 && (
        <div className="toast" role="status" data-testid="undo-toast">
          {undoable.label} — sent in {undoLeft} s. <button type="button" className="link" onClick={() => void undo()}>Undo <kbd>U</kbd></button>
        </div>
      )}
      {outboxOpen && <Outbox onClose={() => setOutboxOpen(false)} />}
      {blocklistOpen && caseView && (
        <BlocklistDialog summary={caseView.summary} onDone={(message) => { setBlocklistOpen(false); setNotice(message); }} onCancel={() => setBlocklistOpen(false)} />
      )}
      {amlOpen && caseView && (
        <AmlDialog summary={caseView.summary} busy={false} error={amlError} onSubmit={(r) => void reviewAml(r)} onCancel={() => { setAmlOpen(false); setAmlError(null); }} />
      )}
      {profilesOpen && <Profiles onClose={() => setProfilesOpen(false)} onSwitched={switched} />}
      {help && <Help onClose={() => setHelp(false)} profile={info?.profile} dataDir={info?.dataDir} version={info?.version} />}
    </div>
  );
}
